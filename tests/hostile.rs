//! Hostile input: everything a content repository can hold that is not a tidy page. Each test runs
//! the real binary on one kind of trouble (huge, deeply nested, malformed, mis-encoded, special
//! files, unreadable paths, hostile rulesets and configs) and asserts claimlint neither crashes
//! nor hangs and says what it did with the file. The last test checks that linting never writes
//! to the files it lints.
//!
//! Findings come from the made-up rule `demo-claim` in `fixtures/cli/rules/` ("glorp flumox"), run
//! alone with `--rule`, so these tests do not move when the real rulesets grow.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// The phrase `demo-claim` flags.
const CLAIM: &str = "glorp flumox";

/// Longest any single run may take before it counts as a hang (generous: debug build, shared
/// machine). A FIFO that was opened for reading would block forever.
const HANG: Duration = Duration::from_secs(120);

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli/rules")
}

/// A temporary tree whose config loads the made-up rules, with these files in it.
fn sandbox(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "extra-rulesets = [{:?}]\n",
        rules_dir().display().to_string()
    );
    std::fs::write(dir.path().join("claimlint.toml"), config).unwrap();
    for (path, bytes) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

/// `claimlint check --rule demo-claim --format json ARGS` in `dir`, with a hang timeout.
fn check(dir: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("claimlint")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .timeout(HANG)
        .args(["check", "--rule", "demo-claim", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // A timeout kills the process: no exit code.
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("killed (hang or crash): {stderr}"));
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    Run { code, json, stderr }
}

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

impl Run {
    fn findings(&self) -> &Vec<Value> {
        self.json["findings"].as_array().unwrap()
    }

    /// (path, line, column) of each finding.
    fn places(&self) -> Vec<(String, u64, u64)> {
        self.findings()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    fn errors(&self) -> Vec<(String, String)> {
        self.json["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["path"].as_str().unwrap().to_owned(),
                    e["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

// ---------------------------------------------------------------- size

#[test]
fn a_huge_file_on_one_line_is_linted_with_exact_columns() {
    // 20 MB keeps the debug-build test quick; the README's Robustness section gives the 100 MB
    // run of the release binary (same code path: one line, findings far along it).
    const SIZE: usize = 20 << 20;
    let filler = "The clinic opens at nine and the staff are friendly. ".repeat(20_000);
    let unit = format!("{filler}Our {CLAIM} tonic. ");
    let text: String = unit.repeat(SIZE / unit.len() + 1);
    let claims = text.matches(CLAIM).count();
    let dir = sandbox(&[("big.txt", text.as_bytes())]);
    let run = check(dir.path(), &["big.txt", "--max-filesize", "64M"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let places = run.places();
    assert_eq!(places.len(), claims);
    // Every column is where the phrase really is (ASCII, so column = byte offset + 1).
    let expected: Vec<u64> = text
        .match_indices(CLAIM)
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let got: Vec<u64> = places.iter().map(|p| p.2).collect();
    assert_eq!(got, expected);
    assert!(places.iter().all(|p| p.1 == 1));
}

#[test]
fn files_over_max_filesize_are_skipped_with_a_note() {
    let page = format!("Our {CLAIM} tonic.\n");
    let dir = sandbox(&[("page.md", page.as_bytes())]);
    let run = check(dir.path(), &["--max-filesize", "10", "--verbose", "."]);
    assert_eq!(run.code, 0);
    assert!(run.findings().is_empty());
    assert!(
        run.stderr
            .contains("skipping page.md: larger than --max-filesize (10 bytes)"),
        "{}",
        run.stderr
    );
    // The config key does the same; the flag wins over it.
    std::fs::write(
        dir.path().join("claimlint.toml"),
        format!(
            "extra-rulesets = [{:?}]\nmax-filesize = \"1K\"\n",
            rules_dir().display().to_string()
        ),
    )
    .unwrap();
    assert_eq!(check(dir.path(), &["."]).code, 1);
    let small = check(dir.path(), &["--max-filesize", "5", "."]);
    assert_eq!(small.code, 0);
}

/// Pages dense with claims, linted with the default rulesets: each used to cost time quadratic
/// in its claims (one sentence of 20,000 claims took minutes; 50,000 claim sentences 40 s in a
/// release build). The hang timeout is the guard; BENCHMARKS.md has the times.
#[test]
fn claim_dense_pages_are_linted() {
    let one_sentence = "We cure anxiety, ".repeat(20_000);
    let sentences = "Ketamine cures anxiety in 90% of patients [1]. ".repeat(20_000);
    let headings = "# Ketamine cures depression\n\nIt cures depression fast.\n\n".repeat(10_000);
    let markers: String = (0..10_000)
        .map(|i| format!("Ketamine cures pain [{i}](#r{i}). "))
        .collect();
    let dir = sandbox(&[
        ("one-sentence.txt", one_sentence.as_bytes()),
        ("sentences.txt", sentences.as_bytes()),
        ("headings.md", headings.as_bytes()),
        ("markers.md", markers.as_bytes()),
    ]);
    let out = Command::cargo_bin("claimlint")
        .unwrap()
        .current_dir(dir.path())
        .timeout(HANG)
        .args(["--isolated", "check", "--format", "json", "."])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let count = |path: &str, rule: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == path && f["rule"] == rule)
            .count()
    };
    // The run without a sentence break is cut into pieces of at most 2,000 bytes, each a
    // sentence with its own claim.
    assert!(count("one-sentence.txt", "cure-guarantee") >= 170);
    assert_eq!(count("sentences.txt", "cure-guarantee"), 20_000);
    assert_eq!(count("headings.md", "cure-guarantee"), 10_000);
    assert_eq!(count("markers.md", "cure-guarantee"), 10_000);
}

#[test]
fn stdin_over_max_filesize_is_an_error_and_read_no_further() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = sandbox(&[]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("claimlint"))
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--max-filesize", "1M", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // An endless pipe (up to 256 MiB here): claimlint must stop reading after the limit, which
    // the writer sees as a broken pipe long before the end.
    let writer = std::thread::spawn(move || {
        let chunk = format!("Our {CLAIM} tonic. ").repeat(4096);
        let mut written = 0usize;
        while written < 256 << 20 {
            if stdin.write_all(chunk.as_bytes()).is_err() {
                break;
            }
            written += chunk.len();
        }
        written
    });
    let out = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    assert!(written < 64 << 20, "claimlint read {written} bytes");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "<stdin>: standard input is larger than --max-filesize (1048576 bytes); \
             raise --max-filesize to lint it"
        ),
        "{stderr}"
    );
}

#[test]
fn the_default_max_filesize_is_16_mib() {
    let big = format!("Our {CLAIM} tonic.\n").repeat((16 << 20) / 20 + 10);
    assert!(big.len() > 16 << 20);
    let dir = sandbox(&[("big.md", big.as_bytes())]);
    let run = check(dir.path(), &["--verbose", "big.md"]);
    assert_eq!(run.code, 0);
    assert!(run.findings().is_empty());
    assert!(
        run.stderr
            .contains("larger than --max-filesize (16777216 bytes)"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------- deep nesting and broken markup

#[test]
fn markdown_nested_100000_deep_is_linted() {
    const DEPTH: usize = 100_000;
    let quotes = format!("{} Our {CLAIM} tonic.\n", ">".repeat(DEPTH));
    let lists = format!("{}Our {CLAIM} tonic.\n", "- ".repeat(DEPTH));
    let mixed = format!("{}Our {CLAIM} tonic.\n", "> 1. ".repeat(DEPTH));
    let indented: String = (0..DEPTH)
        // Nesting 50 deep over and over (deeper runs would pass 16 MB of indentation).
        .map(|i| format!("{}- item\n", "  ".repeat(i % 50)))
        .collect::<String>()
        + &format!("\nOur {CLAIM} tonic.\n");
    let emphasis = format!("{0}Our {CLAIM} tonic.{0}\n", "*".repeat(DEPTH));
    // A full stop before the `]` run: UAX #29's rule SB8 looks ahead over closing punctuation
    // after a full stop, which unicode-segmentation did from every position (a minute for this
    // file); src/segment.rs does it in one pass.
    let brackets = format!(
        "{}Our {CLAIM} tonic.{}\n",
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    );
    let dir = sandbox(&[
        ("quotes.md", quotes.as_bytes()),
        ("lists.md", lists.as_bytes()),
        ("mixed.md", mixed.as_bytes()),
        ("indented.md", indented.as_bytes()),
        ("emphasis.md", emphasis.as_bytes()),
        ("brackets.md", brackets.as_bytes()),
    ]);
    let run = check(dir.path(), &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let paths: Vec<String> = run.places().into_iter().map(|p| p.0).collect();
    assert_eq!(
        paths,
        [
            "brackets.md",
            "emphasis.md",
            "indented.md",
            "lists.md",
            "mixed.md",
            "quotes.md"
        ]
    );
    // The column of the phrase after 100,000 `>` and a space.
    assert_eq!(run.places()[5].2, DEPTH as u64 + 6);
}

#[test]
fn html_nested_100000_deep_is_linted() {
    const DEPTH: usize = 100_000;
    let nest = |open: &str, close: &str| {
        format!(
            "{}Our {CLAIM} tonic.{}",
            open.repeat(DEPTH),
            close.repeat(DEPTH)
        )
    };
    let divs = nest("<div>", "</div>");
    let unclosed = format!("{}Our {CLAIM} tonic.", "<ul><li>".repeat(DEPTH));
    let tables = nest("<table><tr><td>", "</td></tr></table>");
    let inline = nest("<b><i>", "</i></b>");
    let dir = sandbox(&[
        ("divs.html", divs.as_bytes()),
        ("unclosed.html", unclosed.as_bytes()),
        ("tables.html", tables.as_bytes()),
        ("inline.html", inline.as_bytes()),
    ]);
    let run = check(dir.path(), &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let paths: Vec<String> = run.places().into_iter().map(|p| p.0).collect();
    assert_eq!(
        paths,
        ["divs.html", "inline.html", "tables.html", "unclosed.html"]
    );
    assert_eq!(run.places()[0].2, 5 * DEPTH as u64 + 5);
}

#[test]
fn unclosed_script_and_comment_hide_only_what_follows_them() {
    let script = format!("<p>Our {CLAIM} tonic.</p><script>let x = \"{CLAIM}\";");
    let comment = format!("<p>Our {CLAIM} tonic.</p><!-- {CLAIM}");
    let style = format!("<p>Our {CLAIM} tonic.</p><style>p::after {{ content: '{CLAIM}' }}");
    let md_comment = format!("Our {CLAIM} tonic.\n\n<!-- {CLAIM}\n");
    let dir = sandbox(&[
        ("script.html", script.as_bytes()),
        ("comment.html", comment.as_bytes()),
        ("style.html", style.as_bytes()),
        ("comment.md", md_comment.as_bytes()),
    ]);
    let run = check(dir.path(), &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.places(),
        [
            ("comment.html".to_owned(), 1, 8),
            ("comment.md".to_owned(), 1, 5),
            ("script.html".to_owned(), 1, 8),
            ("style.html".to_owned(), 1, 8),
        ]
    );
}

// ---------------------------------------------------------------- encodings and odd bytes

#[test]
fn invalid_utf8_inside_a_phrase_is_a_located_error_and_the_rest_is_linted() {
    let bad = b"First line.\nOur glorp fl\xffumox tonic.\n";
    let good = format!("Our {CLAIM} tonic.\n");
    let dir = sandbox(&[("bad.md", bad), ("good.md", good.as_bytes())]);
    let run = check(dir.path(), &["."]);
    assert_eq!(run.code, 2);
    assert_eq!(run.places(), [("good.md".to_owned(), 1, 5)]);
    assert_eq!(
        run.errors(),
        [(
            "bad.md".to_owned(),
            "not valid UTF-8: byte 0xff at line 2, column 13 (byte offset 24)".to_owned()
        )]
    );
}

#[test]
fn utf16_without_a_bom_is_skipped_as_binary() {
    // Without a byte order mark UTF-16 cannot be told from binary data (ASCII text in UTF-16 is
    // every other byte NUL); with one it is decoded (tests in src/source.rs).
    let utf16: Vec<u8> = format!("Our {CLAIM} tonic.\n")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut with_bom = vec![0xFF, 0xFE];
    with_bom.extend_from_slice(&utf16);
    let dir = sandbox(&[("nobom.txt", &utf16), ("bom.txt", &with_bom)]);
    let run = check(dir.path(), &["--verbose", "."]);
    assert_eq!(run.code, 1);
    assert_eq!(run.places(), [("bom.txt".to_owned(), 1, 5)]);
    assert!(
        run.stderr.contains("skipping binary file nobom.txt"),
        "{}",
        run.stderr
    );
}

#[test]
fn nul_bytes_early_mean_binary_and_late_ones_are_text() {
    let early = format!("Our {CLAIM}\0 tonic.\n");
    // A NUL after the 8 KiB binary probe: the file is text, and the NUL is a character like any
    // other; the finding after it still points at the right column.
    let late = format!("{}\0 Our {CLAIM} tonic.\n", "a".repeat(9000));
    let dir = sandbox(&[("early.md", early.as_bytes()), ("late.md", late.as_bytes())]);
    let run = check(dir.path(), &["--verbose", "."]);
    assert_eq!(run.code, 1);
    assert_eq!(run.places(), [("late.md".to_owned(), 1, 9007)]);
    assert!(run.stderr.contains("skipping binary file early.md"));
}

#[cfg(unix)]
#[test]
fn a_non_utf8_file_name_is_linted_and_shown_lossily() {
    use std::os::unix::ffi::OsStrExt;
    let dir = sandbox(&[]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(dir.path().join(name), format!("Our {CLAIM} tonic.\n")).unwrap();
    let run = check(dir.path(), &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.places(), [("caf\u{FFFD}.md".to_owned(), 1, 5)]);
}

// ---------------------------------------------------------------- special files and paths

#[cfg(unix)]
#[test]
fn a_fifo_is_skipped_not_read() {
    let page = format!("Our {CLAIM} tonic.\n");
    let dir = sandbox(&[("page.md", page.as_bytes())]);
    let fifo = dir.path().join("pipe.md");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Walked: not a regular file, so not a candidate at all.
    let walked = check(dir.path(), &["."]);
    assert_eq!(walked.code, 1);
    assert_eq!(walked.places(), [("page.md".to_owned(), 1, 5)]);
    // Named: skipped with a note. Opening it would block until a writer came (the timeout in
    // `check` turns that hang into a failure).
    let named = check(dir.path(), &["--verbose", "pipe.md", "page.md"]);
    assert_eq!(named.code, 1);
    assert!(
        named
            .stderr
            .contains("skipping pipe.md: not a regular file (a FIFO)"),
        "{}",
        named.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_device_behind_a_symlink_is_skipped_not_read() {
    let dir = sandbox(&[]);
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.md")).unwrap();
    std::os::unix::fs::symlink("/dev/null", dir.path().join("null.md")).unwrap();
    // Walked: symlinks are not followed.
    let walked = check(dir.path(), &["."]);
    assert_eq!(walked.code, 0);
    assert!(walked.findings().is_empty() && walked.errors().is_empty());
    // Named: followed, found to be a device, skipped. /dev/zero would never end if read.
    let named = check(dir.path(), &["--verbose", "zero.md", "null.md"]);
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert!(
        named
            .stderr
            .contains("skipping zero.md: not a regular file (a device)"),
        "{}",
        named.stderr
    );
    assert!(named.stderr.contains("skipping null.md"));
}

#[cfg(unix)]
#[test]
fn symlink_loops_end_the_walk_and_named_ones_are_errors() {
    let page = format!("Our {CLAIM} tonic.\n");
    let dir = sandbox(&[("docs/page.md", page.as_bytes())]);
    std::os::unix::fs::symlink("..", dir.path().join("docs/up")).unwrap();
    std::os::unix::fs::symlink("b.md", dir.path().join("a.md")).unwrap();
    std::os::unix::fs::symlink("a.md", dir.path().join("b.md")).unwrap();
    let walked = check(dir.path(), &["."]);
    assert_eq!(walked.code, 1, "{}", walked.stderr);
    assert_eq!(walked.places(), [("docs/page.md".to_owned(), 1, 5)]);
    let named = check(dir.path(), &["a.md", "docs/page.md"]);
    assert_eq!(named.code, 2);
    assert_eq!(named.places().len(), 1);
    assert_eq!(
        named.errors(),
        [(
            "a.md".to_owned(),
            "too many levels of symbolic links".to_owned()
        )]
    );
}

#[cfg(unix)]
#[test]
fn a_file_that_vanished_after_the_walk_is_an_error_for_that_file_only() {
    // The walk lists a dangling symlink only when it is named; a file deleted between walk and
    // read takes the same read-error path (unit-tested in src/walk.rs).
    let page = format!("Our {CLAIM} tonic.\n");
    let dir = sandbox(&[("page.md", page.as_bytes())]);
    std::os::unix::fs::symlink("gone.md", dir.path().join("link.md")).unwrap();
    let walked = check(dir.path(), &["."]);
    assert_eq!(walked.code, 1);
    let named = check(dir.path(), &["link.md", "page.md"]);
    assert_eq!(named.code, 2);
    assert_eq!(named.places(), [("page.md".to_owned(), 1, 5)]);
    assert_eq!(
        named.errors(),
        [("link.md".to_owned(), "no such file or directory".to_owned())]
    );
}

#[cfg(unix)]
#[test]
fn permission_denied_file_and_directory_are_errors_and_the_rest_is_linted() {
    use std::os::unix::fs::PermissionsExt;
    let page = format!("Our {CLAIM} tonic.\n");
    let dir = sandbox(&[
        ("open.md", page.as_bytes()),
        ("locked.md", page.as_bytes()),
        ("closed/inside.md", page.as_bytes()),
    ]);
    let locked = dir.path().join("locked.md");
    let closed = dir.path().join("closed");
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    mode(&locked, 0o000).unwrap();
    mode(&closed, 0o000).unwrap();
    let run = check(dir.path(), &["."]);
    // Root reads anything: only assert the errors where the paths really are unreadable.
    let root = std::fs::read(&locked).is_ok();
    mode(&locked, 0o644).unwrap();
    mode(&closed, 0o755).unwrap();
    let paths: Vec<String> = run.places().into_iter().map(|p| p.0).collect();
    if root {
        assert_eq!(run.code, 1);
        assert_eq!(paths, ["closed/inside.md", "locked.md", "open.md"]);
    } else {
        assert_eq!(run.code, 2);
        assert_eq!(paths, ["open.md"]);
        let errors = run.errors();
        assert!(errors.contains(&(
            "locked.md".to_owned(),
            "cannot read: permission denied".to_owned()
        )));
        // The operating system's words, not the walker's wrapper ("IO error for operation on").
        assert!(
            errors.contains(&("closed".to_owned(), "permission denied".to_owned())),
            "{errors:?}"
        );
    }
}

// ---------------------------------------------------------------- hostile rulesets and configs

/// A user ruleset `rules/<id>.toml` with one pattern, and a config loading it.
fn with_user_rule(id: &str, pattern: &str) -> tempfile::TempDir {
    let dir = sandbox(&[("page.md", b"Our zorb000042 flumox tonic.\n")]);
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    let rule = format!(
        "id = \"{id}\"\nseverity = \"error\"\nsummary = \"Test.\"\nwhy = \"Test.\"\n\
         instead = \"Test.\"\n\n[[pattern]]\n{pattern}\nmessage = \"hit\"\n"
    );
    std::fs::write(dir.path().join(format!("rules/{id}.toml")), rule).unwrap();
    std::fs::write(
        dir.path().join("claimlint.toml"),
        "extra-rulesets = [\"rules/\"]\n",
    )
    .unwrap();
    dir
}

fn run_plain(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("claimlint")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .timeout(HANG)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().expect("not killed"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_huge_regex_is_a_size_limit_error_pointing_at_the_ruleset() {
    let dir = with_user_rule("huge", "kind = \"regex\"\nregex = 'a{1000}{1000}{1000}'");
    let (code, _, stderr) = run_plain(dir.path(), &["check", "page.md"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("rules/huge.toml:9:10"), "{stderr}");
    assert!(stderr.contains("exceeds size limit"), "{stderr}");
}

#[test]
fn a_ruleset_of_100000_phrases_loads_and_matches() {
    let phrases: Vec<String> = (0..100_000)
        .map(|i| format!("\"zorb{i:06} flumox\""))
        .collect();
    let dir = with_user_rule(
        "many",
        &format!("kind = \"phrases\"\nphrases = [{}]", phrases.join(", ")),
    );
    let (code, stdout, stderr) = run_plain(dir.path(), &["check", "--rule", "many", "page.md"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("page.md:1:5"), "{stdout}");
}

#[test]
fn a_config_that_loads_its_own_directory_as_rulesets_is_a_located_error() {
    // Configs have no include mechanism; the nearest thing is `extra-rulesets` naming the
    // config's own directory, which makes claimlint.toml a ruleset candidate. It fails to parse
    // as a rule, and the error points at the file and key.
    let dir = sandbox(&[("page.md", b"Fine.\n")]);
    std::fs::write(
        dir.path().join("claimlint.toml"),
        "extra-rulesets = [\".\"]\n",
    )
    .unwrap();
    let (code, _, stderr) = run_plain(dir.path(), &["check", "page.md"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("claimlint.toml:1:1"), "{stderr}");
    assert!(
        stderr.contains("unknown field `extra-rulesets`"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_ruleset_directory_that_is_a_symlink_loop_is_a_located_error() {
    let dir = sandbox(&[("page.md", b"Fine.\n")]);
    std::os::unix::fs::symlink("loop", dir.path().join("loop")).unwrap();
    std::fs::write(
        dir.path().join("claimlint.toml"),
        "extra-rulesets = [\"loop/\"]\n",
    )
    .unwrap();
    let (code, _, stderr) = run_plain(dir.path(), &["check", "page.md"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read ruleset loop: too many levels of symbolic links"),
        "{stderr}"
    );
    assert!(stderr.contains("claimlint.toml:1:19"), "{stderr}");
}

// ---------------------------------------------------------------- read-only

/// Every file under `root` with its bytes and modification time.
fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            if meta.is_dir() {
                dirs.push(e.path());
            } else if meta.is_file() {
                out.push((
                    e.path(),
                    std::fs::read(e.path()).unwrap(),
                    meta.modified().unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn linting_never_writes_to_the_linted_files() {
    let page = format!("Our {CLAIM} tonic.\n");
    let html = format!("<p>Our {CLAIM} tonic.</p>\n");
    let waived = format!("<!-- claimlint-disable-next-line demo-claim -- tested -->\n{page}");
    let dir = sandbox(&[
        ("a.md", page.as_bytes()),
        ("b.html", html.as_bytes()),
        ("c.txt", page.as_bytes()),
        ("docs/d.md", waived.as_bytes()),
        ("docs/bad.md", b"not \xff text"),
        (".claimlintignore", b"ignored/\n"),
        ("ignored/e.md", page.as_bytes()),
    ]);
    let before = snapshot(dir.path());
    assert_eq!(before.len(), 8);
    for format in ["json", "human", "sarif", "github", "html"] {
        let (code, _, _) = run_plain(dir.path(), &["check", "--format", format, "."]);
        assert_eq!(code, 2, "{format}");
    }
    assert_eq!(snapshot(dir.path()), before);
}
