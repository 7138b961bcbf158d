//! End-to-end tests of the `claimlint` binary: exit codes, output formats, config discovery and
//! errors, file selection, stdin, and the documentation commands.
//!
//! Each test runs with its current directory in a sandbox: `fixtures/cli/<case>/` for fixed
//! inputs, or a temporary directory for trees with ignore files (a .gitignore inside the
//! repository would hide the fixture files from git itself), permissions, or files the test
//! writes. Findings come from the made-up rules in `fixtures/cli/rules/` (nonsense phrases such
//! as "glorp flumox"), so these tests do not change when the real rulesets grow.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli")
}

/// The binary, run in `fixtures/cli/<case>`, without colour or progress-bar surprises.
fn claimlint_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("claimlint").unwrap();
    cmd.current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1");
    cmd
}

fn case(name: &str) -> Command {
    claimlint_in(&fixtures().join(name))
}

/// A temporary sandbox whose config loads the made-up rules by absolute path.
fn sandbox(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rules = fixtures().join("rules");
    let config = format!("extra-rulesets = [{:?}]\n", rules.display().to_string());
    std::fs::write(dir.path().join("claimlint.toml"), config).unwrap();
    for (path, bytes) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

fn stdout_of(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_of(cmd: &mut Command) -> (i32, Value) {
    let (code, stdout, stderr) = stdout_of(cmd);
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (code, v)
}

fn paths_in(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect()
}

// ---------------------------------------------------------------- exit codes and human output

#[test]
fn clean_file_exits_zero_with_summary() {
    case("basic")
        .args(["check", "clean.md"])
        .assert()
        .code(0)
        .stdout("no findings in 1 file\n");
}

#[test]
fn error_finding_is_rendered_and_exits_one() {
    let (code, stdout, stderr) = stdout_of(case("basic").args(["check", "page.md"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.contains("error[demo-claim]: `glorp flumox` promises the moon"),
        "{stdout}"
    );
    assert!(stdout.contains("┌─ page.md:3:5"), "{stdout}");
    assert!(stdout.contains("^^^^^^^^^^^^"), "{stdout}");
    assert!(stdout.contains("= help: Say what the tonic may do, for whom, and how you know."));
    assert!(stdout.contains("= note: a randomised controlled trial of the tonic"));
    assert!(stdout.contains("= note: see https://example.org/guidance/claims"));
    assert!(
        !stdout.contains("https://example.org/second"),
        "only the first reference"
    );
    assert!(stdout.contains("warning[demo-soft]: `feel zingy` is a vague benefit"));
    // Without a citation hint, the note explains why.
    assert!(stdout.contains("= note: Vague benefits still need support."));
    assert!(
        stdout.contains("note[demo-note]"),
        "info findings render as notes: {stdout}"
    );
    assert!(
        stdout.ends_with("1 error, 1 warning, 1 info in 1 file\n"),
        "{stdout}"
    );
    assert!(!stdout.contains('\x1b'), "no colour when piped");
}

/// A minified page is one long line: each finding shows the words around its match, cut with
/// `…`, and still gives the real line and column (not the whole line per finding).
#[test]
fn a_long_line_is_shown_cut_around_the_finding() {
    let filler = "<p>Our clinic is open every day of the week.</p>".repeat(400);
    let page = format!(
        "<html><body>\n{filler}<p>Ask about the glorp flumox tonic, ünïcode aside.</p>{filler}</body></html>\n"
    );
    let column = page.lines().nth(1).unwrap().find("glorp").unwrap();
    let column = page.lines().nth(1).unwrap()[..column].chars().count() + 1;
    let dir = sandbox(&[("min.html", page.as_bytes())]);
    let (code, stdout, stderr) = stdout_of(claimlint_in(dir.path()).args(["check", "min.html"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.contains(&format!("┌─ min.html:2:{column}")),
        "{stdout}"
    );
    let source_line = stdout
        .lines()
        .find(|l| l.starts_with("2 │ "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        source_line.contains("…") && source_line.contains("glorp flumox tonic"),
        "{source_line}"
    );
    assert!(source_line.chars().count() < 140, "{source_line}");
    // The carets sit under the match in the cut line.
    let carets = stdout
        .lines()
        .find(|l| l.contains("^^^"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let at = |line: &str, needle: &str| line[..line.find(needle).unwrap()].chars().count();
    assert_eq!(at(carets, "^"), at(source_line, "glorp"));
    assert_eq!(carets.matches('^').count(), "glorp flumox".len());
    assert!(stdout.len() < 2_000, "{} bytes", stdout.len());
}

#[test]
fn findings_below_fail_on_exit_zero() {
    case("basic").args(["check", "soft.md"]).assert().code(0);
    case("basic")
        .args(["check", "soft.md", "--fail-on", "warning"])
        .assert()
        .code(1);
    case("basic")
        .args(["check", "note.md", "--fail-on", "warning"])
        .assert()
        .code(0);
    case("basic")
        .args(["check", "note.md", "--fail-on", "info"])
        .assert()
        .code(1);
    case("basic")
        .args(["check", "page.md", "--fail-on", "never"])
        .assert()
        .code(0);
}

#[test]
fn min_severity_hides_findings_and_they_do_not_fail() {
    let (code, stdout, _) = stdout_of(case("basic").args([
        "check",
        "page.md",
        "--min-severity",
        "error",
        "--fail-on",
        "warning",
    ]));
    assert_eq!(code, 1);
    assert!(stdout.contains("demo-claim"));
    assert!(
        !stdout.contains("demo-soft") && !stdout.contains("demo-note"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("1 error, 0 warnings, 0 infos in 1 file\n"),
        "{stdout}"
    );

    // A hidden warning does not fail the run.
    case("basic")
        .args([
            "check",
            "soft.md",
            "--min-severity",
            "error",
            "--fail-on",
            "warning",
        ])
        .assert()
        .code(0)
        .stdout("no findings in 1 file\n");
}

#[test]
fn fail_on_and_min_severity_come_from_the_config_and_flags_win() {
    let dir = sandbox(&[("soft.md", b"You will feel zingy afterwards.\n")]);
    let cfg = dir.path().join("claimlint.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("fail-on = \"warning\"\n");
    std::fs::write(&cfg, &text).unwrap();
    claimlint_in(dir.path()).args(["check"]).assert().code(1);
    claimlint_in(dir.path())
        .args(["check", "--fail-on", "error"])
        .assert()
        .code(0);
    text.push_str("min-severity = \"error\"\n");
    std::fs::write(&cfg, &text).unwrap();
    claimlint_in(dir.path()).args(["check"]).assert().code(0);
}

#[test]
fn color_always_adds_ansi_and_never_removes_it() {
    let (_, stdout, _) = stdout_of(case("basic").args(["check", "page.md", "--color", "always"]));
    assert!(stdout.contains('\x1b'), "{stdout}");
    let (_, stdout, _) = stdout_of(case("basic").args(["check", "page.md", "--color", "never"]));
    assert!(!stdout.contains('\x1b'));
}

#[test]
fn disabling_a_rule_from_the_command_line() {
    case("basic")
        .args(["check", "page.md", "--disable", "demo-claim"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("demo-claim").not());
    case("basic")
        .args(["check", "page.md", "--rule", "demo-note"])
        .assert()
        .code(0)
        .stdout(predicate::str::ends_with(
            "0 errors, 0 warnings, 1 info in 1 file\n",
        ));
}

#[test]
fn unknown_rule_on_the_command_line_exits_two_with_a_suggestion() {
    case("basic")
        .args(["check", "page.md", "--enable", "demo-claims"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown rule `demo-claims` in --enable",
        ))
        .stderr(predicate::str::contains("did you mean `demo-claim`?"));
}

#[test]
fn unknown_rule_in_the_config_points_at_it() {
    let dir = sandbox(&[]);
    let cfg = dir.path().join("claimlint.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("disable = [\"demo-claim\", \"demo-sfot\"]\n");
    std::fs::write(&cfg, text).unwrap();
    claimlint_in(dir.path())
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown rule `demo-sfot` in `disable`",
        ))
        .stderr(predicate::str::contains("claimlint.toml:2:26"))
        .stderr(predicate::str::contains("did you mean `demo-soft`?"));
}

// ---------------------------------------------------------------- JSON contract

/// Every finding's `start..end` in the file's bytes is `matched`, and line/column agree with
/// the bytes (columns in Unicode scalar values, lines ended by \n, \r\n or a lone \r).
#[test]
fn json_offsets_and_positions_match_the_file_bytes() {
    let dir = fixtures().join("encodings");
    let (code, v) = json_of(case("encodings").args(["check", "--format", "json"]));
    assert_eq!(code, 1);
    let findings = v["findings"].as_array().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for f in findings {
        let path = f["path"].as_str().unwrap();
        seen.insert(path.to_owned());
        let bytes = std::fs::read(dir.join(path)).unwrap();
        if path == "utf16.md" {
            // UTF-16 offsets are into the UTF-8 transcoding (documented); lines still hold.
            assert_eq!(f["line"], 3);
            continue;
        }
        let start = f["start"].as_u64().unwrap() as usize;
        let end = f["end"].as_u64().unwrap() as usize;
        let matched = f["matched"].as_str().unwrap();
        assert_eq!(&bytes[start..end], matched.as_bytes(), "{path}: {f}");
        for (offset, line_key, col_key) in
            [(start, "line", "column"), (end, "end_line", "end_column")]
        {
            let (line, col) = line_col(&bytes, offset);
            assert_eq!(
                f[line_key].as_u64().unwrap() as usize,
                line,
                "{path} {line_key}: {f}"
            );
            assert_eq!(
                f[col_key].as_u64().unwrap() as usize,
                col,
                "{path} {col_key}: {f}"
            );
        }
    }
    let expected: std::collections::BTreeSet<String> = [
        "bom.md",
        "crlf.md",
        "entities.html",
        "lone-cr.md",
        "multibyte.md",
        "utf16.md",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(seen, expected);
    // The paths come sorted, then offsets within a file.
    let paths = paths_in(&v);
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

/// 1-based line and column (in characters) of a byte offset, counted independently of the
/// crate's line index. A UTF-8 BOM is not a column.
fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let skip = bytes.len() - body.len();
    let text = std::str::from_utf8(&body[..offset - skip]).unwrap();
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let line = normalized.matches('\n').count() + 1;
    let last = normalized.rsplit('\n').next().unwrap();
    (line, last.chars().count() + 1)
}

#[test]
fn json_has_every_contract_field() {
    let (code, v) = json_of(case("encodings").args(["check", "--format", "json", "bom.md"]));
    assert_eq!(code, 1);
    assert_eq!(v["version"], 1);
    let f = &v["findings"][0];
    assert_eq!(f["path"], "bom.md");
    assert_eq!(f["rule"], "demo-claim");
    assert_eq!(f["category"], "demo-claim");
    assert_eq!(f["severity"], "error");
    // "Café — " is 9 bytes after the 3-byte BOM and "Intro.\r\n\r\n".
    assert_eq!(f["start"], 3 + 10 + 10);
    assert_eq!(f["end"], 3 + 10 + 10 + 12);
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(3), Some(8))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(3), Some(20))
    );
    assert_eq!(f["matched"], "glorp flumox");
    assert_eq!(f["message"], "`glorp flumox` promises the moon");
    assert_eq!(
        f["suggestion"],
        "Say what the tonic may do, for whom, and how you know."
    );
    assert_eq!(
        f["references"],
        serde_json::json!([
            "https://example.org/guidance/claims",
            "https://example.org/second"
        ])
    );
    assert_eq!(
        f["citation_hint"],
        "a randomised controlled trial of the tonic"
    );
    assert_eq!(f["adjustments"], serde_json::json!([]));
    assert_eq!(f["waiver"], Value::Null);
    // `rulesets` names the loaded rulesets: core, then the made-up rules by their path.
    let mut summary = v["summary"].clone();
    let rulesets = summary.as_object_mut().unwrap().remove("rulesets").unwrap();
    assert_eq!(rulesets[0], "core");
    assert!(
        rulesets[1].as_str().unwrap().ends_with("rules"),
        "{rulesets}"
    );
    assert_eq!(
        summary,
        serde_json::json!({"files": 1, "findings": 1, "errors": 1, "warnings": 0, "infos": 0,
            "waived": 0, "baselined": 0})
    );
    assert_eq!(v["errors"], serde_json::json!([]));
}

#[test]
fn json_paths_are_relative_as_walked() {
    let (_, v) = json_of(claimlint_in(&fixtures()).args([
        "check",
        "--format",
        "json",
        "--config",
        "encodings/claimlint.toml",
        "./encodings",
    ]));
    let paths = paths_in(&v);
    assert!(!paths.is_empty());
    assert!(
        paths.iter().all(|p| p.starts_with("encodings/")),
        "{paths:?}"
    );
}

#[test]
fn json_summary_for_nothing_to_lint() {
    let dir = sandbox(&[("empty/.keep", b"")]);
    let (code, v) = json_of(claimlint_in(dir.path()).args(["check", "--format", "json", "empty"]));
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["files"], 0);
    assert_eq!(v["findings"], serde_json::json!([]));
}

// ---------------------------------------------------------------- stdin

#[test]
fn stdin_is_named_and_formatted_by_stdin_filename() {
    let input = "<p>Try cr&egrave;me flumox today.</p>\n";
    let (code, v) = json_of(
        case("basic")
            .args([
                "check",
                "--format",
                "json",
                "--stdin-filename",
                "page.html",
                "-",
            ])
            .write_stdin(input),
    );
    assert_eq!(code, 1);
    assert_eq!(v["findings"][0]["path"], "page.html");
    assert_eq!(v["findings"][0]["matched"], "cr&egrave;me flumox");
    assert_eq!(v["findings"][0]["start"], 7);

    // The name picks the format: HTML skips a <style> element, plain text reads it.
    let styled = "<style>p::after { content: \"glorp flumox\" }</style>\n<p>Fine.</p>\n";
    case("basic")
        .args(["check", "--stdin-filename", "page.html", "-"])
        .write_stdin(styled)
        .assert()
        .code(0)
        .stdout("no findings in 1 file\n");
    case("basic")
        .args(["check", "--stdin-filename", "page.txt", "-"])
        .write_stdin(styled)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("page.txt:1:29"));
}

#[test]
fn stdin_without_a_name_is_called_stdin() {
    case("basic")
        .args(["check", "-"])
        .write_stdin("# T\n\nOur glorp flumox tonic.\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("<stdin>:3:5"));
}

// ---------------------------------------------------------------- config

#[test]
fn config_is_discovered_from_a_subdirectory() {
    let deeper = fixtures().join("discovery/sub/deeper");
    // The config sets fail-on = "warning"; the warning only exists with its extra rulesets.
    claimlint_in(&deeper)
        .args(["check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("warning[demo-soft]"))
        .stdout(predicate::str::contains("page.md:1:10"));
    claimlint_in(&deeper)
        .args(["config"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("discovery/claimlint.toml"))
        .stdout(predicate::str::contains("fail-on = \"warning\""));
    // --isolated ignores it.
    claimlint_in(&deeper)
        .args(["--isolated", "check"])
        .assert()
        .code(0);
}

#[test]
fn misspelled_config_key_names_file_line_column_and_key() {
    case("bad-config")
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("claimlint.toml:3:1"))
        .stderr(predicate::str::contains("unknown field `exlude`"))
        .stdout("");
}

#[test]
fn config_named_with_flag_is_used() {
    let dir = sandbox(&[]);
    std::fs::rename(
        dir.path().join("claimlint.toml"),
        dir.path().join("other.toml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("a.md"), "Our glorp flumox tonic.\n").unwrap();
    claimlint_in(dir.path())
        .args(["--config", "other.toml", "check"])
        .assert()
        .code(1);
    claimlint_in(dir.path())
        .args(["--config", "missing.toml", "check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read config file missing.toml",
        ));
}

#[test]
fn config_prints_effective_settings() {
    let (code, stdout, _) = stdout_of(case("basic").args(["config", "--fail-on", "never"]));
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("# config file: claimlint.toml\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("extra-rulesets = [\"../rules\"]"),
        "{stdout}"
    );
    assert!(stdout.contains("fail-on = \"never\""), "{stdout}");
    assert!(stdout.contains("md = \"markdown\""), "{stdout}");
    // What it prints is itself a valid config (minus the comment).
    let parsed: toml::Table = toml::from_str(&stdout).unwrap();
    assert_eq!(parsed["min-severity"].as_str(), Some("info"));

    case("basic")
        .args(["--isolated", "config"])
        .assert()
        .stdout(predicate::str::starts_with("# no config file"));
}

#[test]
fn extensions_map_adds_formats() {
    let dir = sandbox(&[
        ("page.mdown", b"Our glorp flumox tonic.\n"),
        ("skip.rst", b"Our glorp flumox tonic.\n"),
    ]);
    claimlint_in(dir.path())
        .args(["check"])
        .assert()
        .code(0)
        .stdout("no files to lint in .\n");
    let cfg = dir.path().join("claimlint.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("[extensions]\nmdown = \"markdown\"\n");
    std::fs::write(&cfg, text).unwrap();
    claimlint_in(dir.path())
        .args(["check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("page.mdown:1:5"))
        .stdout(predicate::str::contains("skip.rst").not());
}

#[test]
fn include_and_exclude_globs_select_files() {
    let dir = sandbox(&[
        ("content/a.md", b"Our glorp flumox tonic.\n"),
        ("content/drafts/b.md", b"Our glorp flumox tonic.\n"),
        ("other/c.md", b"Our glorp flumox tonic.\n"),
    ]);
    let cfg = dir.path().join("claimlint.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("include = [\"content/\"]\nexclude = [\"drafts/\"]\n");
    std::fs::write(&cfg, text).unwrap();
    let (_, v) = json_of(claimlint_in(dir.path()).args(["check", "--format", "json"]));
    assert_eq!(paths_in(&v), ["content/a.md"]);
    // Globs are relative to the config file, also when run from a subdirectory.
    let (_, v) =
        json_of(claimlint_in(&dir.path().join("content")).args(["check", "--format", "json"]));
    assert_eq!(paths_in(&v), ["a.md"]);
}

// ---------------------------------------------------------------- file selection

#[test]
fn ignore_files_and_hidden_files_are_respected() {
    let claim: &[u8] = b"Our glorp flumox tonic.\n";
    let dir = sandbox(&[
        ("kept.md", claim),
        (".gitignore", b"git-ignored.md\nbuild/\n"),
        ("git-ignored.md", claim),
        ("build/out.html", claim),
        (".ignore", b"dot-ignored.md\n"),
        ("dot-ignored.md", claim),
        (".claimlintignore", b"legal/\n"),
        ("legal/terms.md", claim),
        (".hidden.md", claim),
        (".drafts/x.md", claim),
        ("notes.rst", claim),
    ]);
    let (code, v) = json_of(claimlint_in(dir.path()).args(["check", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(
        paths_in(&v),
        ["kept.md"],
        "not a git repository, yet .gitignore applies"
    );
    assert_eq!(v["summary"]["files"], 1);
}

#[test]
fn explicitly_named_files_are_always_linted() {
    let claim: &[u8] = b"Our glorp flumox tonic.\n";
    let dir = sandbox(&[
        (".claimlintignore", b"ignored.md\n"),
        ("ignored.md", claim),
        (".hidden.md", claim),
        ("notes.rst", claim),
    ]);
    let (code, v) = json_of(claimlint_in(dir.path()).args([
        "check",
        "--format",
        "json",
        "ignored.md",
        ".hidden.md",
        "notes.rst",
    ]));
    assert_eq!(code, 1);
    // notes.rst has no known extension: it is read as plain text.
    assert_eq!(paths_in(&v), [".hidden.md", "ignored.md", "notes.rst"]);
    assert_eq!(v["summary"]["files"], 3);
}

#[test]
fn binary_files_are_skipped_and_verbose_says_so() {
    let dir = sandbox(&[
        ("image.md", b"PNG\x00\x01\x02 glorp flumox"),
        ("page.md", b"Fine.\n"),
    ]);
    claimlint_in(dir.path())
        .args(["check"])
        .assert()
        .code(0)
        .stdout("no findings in 1 file\n")
        .stderr("");
    claimlint_in(dir.path())
        .args(["--verbose", "check"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("skipping binary file image.md"));
}

#[test]
fn output_order_is_sorted_whatever_the_threads() {
    let claim: &[u8] = b"Our glorp flumox tonic.\n\nYou will feel zingy.\n";
    let names: Vec<String> = (0..40)
        .map(|i| format!("d{}/f{:02}.md", i % 3, (i * 7) % 40))
        .collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), claim)).collect();
    let dir = sandbox(&files);
    let run = |threads: &str| {
        let (_, stdout, _) = stdout_of(
            claimlint_in(dir.path())
                .env("RAYON_NUM_THREADS", threads)
                .args(["check", "--format", "json"]),
        );
        stdout
    };
    let one = run("1");
    assert_eq!(one, run("4"));
    let v: Value = serde_json::from_str(&one).unwrap();
    let paths = paths_in(&v);
    assert_eq!(paths.len(), 80);
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

#[test]
fn overlapping_paths_lint_each_file_once_in_path_order() {
    let claim: &[u8] = b"Our glorp flumox tonic.\n";
    let dir = sandbox(&[
        ("docs/a.md", claim),
        ("docs.md", claim),
        ("docs-2/b.md", claim),
    ]);
    let (code, v) = json_of(claimlint_in(dir.path()).args([
        "check",
        "--format",
        "json",
        "docs",
        "docs.md",
        ".",
        "docs/a.md",
    ]));
    assert_eq!(code, 1);
    // `.` and `-` sort before `/`: the directory docs comes after docs.md and docs-2.
    assert_eq!(paths_in(&v), ["docs-2/b.md", "docs.md", "docs/a.md"]);
    assert_eq!(v["summary"]["files"], 3);
}

// ---------------------------------------------------------------- bad input

#[test]
fn missing_path_is_an_error_but_other_paths_are_linted() {
    let (code, stdout, stderr) = stdout_of(case("basic").args(["check", "nope.md", "page.md"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("error: nope.md: no such file or directory"),
        "{stderr}"
    );
    assert!(stdout.contains("error[demo-claim]"), "{stdout}");
    assert!(
        stdout.contains("in 1 file; 1 file could not be linted"),
        "{stdout}"
    );
}

#[test]
fn directory_with_nothing_to_lint_says_so() {
    let dir = sandbox(&[("empty/notes.rst", b"nothing")]);
    claimlint_in(dir.path())
        .args(["check", "empty"])
        .assert()
        .code(0)
        .stdout("no files to lint in empty\n");
}

#[test]
fn empty_file_has_no_findings() {
    case("misc")
        .args(["check", "empty.md"])
        .assert()
        .code(0)
        .stdout("no findings in 1 file\n");
}

#[test]
fn invalid_utf8_names_the_file_and_line_and_others_are_linted() {
    let (code, stdout, stderr) = stdout_of(case("bad-utf8").args(["check"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("bad.md"), "{stderr}");
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(stdout.contains("good.md:1:5"), "{stdout}");

    let (code, v) = json_of(case("bad-utf8").args(["check", "--format", "json"]));
    assert_eq!(code, 2);
    assert_eq!(paths_in(&v), ["good.md"]);
    assert_eq!(v["errors"][0]["path"], "bad.md");
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_error_after_linting_the_rest() {
    use std::os::unix::fs::PermissionsExt;
    let dir = sandbox(&[
        ("locked.md", b"Our glorp flumox tonic.\n"),
        ("open.md", b"Our glorp flumox tonic.\n"),
    ]);
    let locked = dir.path().join("locked.md");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (code, stdout, stderr) = stdout_of(claimlint_in(dir.path()).args(["check"]));
    assert!(stdout.contains("open.md:1:5"), "{stdout}");
    // Root reads mode-000 files; only assert the error where the file really is unreadable.
    if std::fs::read(&locked).is_err() {
        assert_eq!(code, 2);
        assert!(
            stderr.contains("locked.md: cannot read: permission denied"),
            "{stderr}"
        );
    } else {
        assert_eq!(code, 1);
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
}

fn bad_ruleset(rule: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/bad-rule.toml"), rule).unwrap();
    std::fs::write(
        dir.path().join("claimlint.toml"),
        "extra-rulesets = [\"rules\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.md"), "Text.\n").unwrap();
    dir
}

const RULE_HEAD: &str =
    "id = \"bad-rule\"\nseverity = \"error\"\nsummary = \"s\"\nwhy = \"w\"\ninstead = \"i\"\n";

#[test]
fn ruleset_with_a_bad_regex_points_at_it() {
    let dir = bad_ruleset(&format!(
        "{RULE_HEAD}\n[[pattern]]\nkind = \"regex\"\nregex = \"cures (\"\nmessage = \"m\"\n"
    ));
    claimlint_in(dir.path())
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rules/bad-rule.toml:9:10"))
        .stderr(predicate::str::contains("invalid regex"))
        .stdout("");
}

#[test]
fn ruleset_with_an_unknown_key_points_at_it() {
    let dir = bad_ruleset(&format!("{RULE_HEAD}mesage = \"x\"\n"));
    claimlint_in(dir.path())
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rules/bad-rule.toml:6:1"))
        .stderr(predicate::str::contains("unknown field `mesage`"));
}

#[test]
fn ruleset_with_an_unknown_lexicon_list_points_at_it() {
    let dir = bad_ruleset(&format!(
        "{RULE_HEAD}\n[[pattern]]\nkind = \"phrases\"\nphrases = [\"glorp\"]\nwith = [\"@hegdes\"]\nmessage = \"m\"\n"
    ));
    claimlint_in(dir.path())
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rules/bad-rule.toml:10:9"))
        .stderr(predicate::str::contains("@hegdes"));
}

#[test]
fn ruleset_with_a_bad_example_format_points_at_it() {
    let dir = bad_ruleset(&format!(
        "{RULE_HEAD}\n[[example]]\ntext = \"t\"\nexpect = []\nformat = \"docx\"\n"
    ));
    claimlint_in(dir.path())
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rules/bad-rule.toml:10:10"))
        .stderr(predicate::str::contains("example format `docx`"));
}

#[test]
fn ruleset_redefining_a_rule_id_points_at_the_id() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::write(
        dir.path().join("rules/cure-guarantee.toml"),
        RULE_HEAD.replace("bad-rule", "cure-guarantee"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("claimlint.toml"),
        "extra-rulesets = [\"rules\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.md"), "Text.\n").unwrap();
    claimlint_in(dir.path())
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rules/cure-guarantee.toml:1:6"))
        .stderr(predicate::str::contains(
            "duplicate rule id `cure-guarantee`",
        ));
}

#[test]
fn unknown_format_lists_the_valid_ones() {
    case("basic")
        .args(["check", "--format", "xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values: human, json"));
}

#[test]
fn broken_pipe_exits_quietly() {
    let claim = "Our glorp flumox tonic.\n\n".repeat(2000);
    let dir = sandbox(&[("big.md", claim.as_bytes())]);
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("claimlint"))
        .current_dir(dir.path())
        .args(["check"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one chunk, then close the pipe while the binary is still writing.
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 64];
    std::io::Read::read(&mut stdout, &mut buf).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(out.status.code(), Some(0));
}

// ---------------------------------------------------------------- rules, explain, init

#[test]
fn rules_lists_an_aligned_table() {
    let (code, stdout, _) = stdout_of(case("basic").args(["rules"]));
    assert_eq!(code, 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("RULE"), "{stdout}");
    let row = lines
        .iter()
        .find(|l| l.starts_with("demo-claim "))
        .expect("demo-claim listed");
    assert!(
        row.contains("error")
            && row.contains("yes")
            && row.contains("Promises the moon (test rule).")
    );
    // Columns line up: SUMMARY starts at the same place in every row.
    let col = lines[0].find("SUMMARY").unwrap();
    for l in lines.iter().filter(|l| l.starts_with("demo-")) {
        assert_eq!(&l[col - 2..col], "  ", "{l}");
        assert_ne!(&l[col..=col], " ", "{l}");
    }
}

#[test]
fn rules_as_markdown() {
    case("basic")
        .args(["rules", "--format", "md"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "| Rule | Category | Severity | Enabled | Ruleset | Summary |\n| --- | --- | --- | --- | --- | --- |\n",
        ))
        // The ruleset column names the user ruleset by its path (absolute here: it lies outside
        // the current directory).
        .stdout(predicate::str::contains(
            "| `demo-soft` | `demo-soft` | warning | yes | ",
        ))
        .stdout(predicate::str::contains(
            "fixtures/cli/rules | A vague benefit (test rule). |",
        ));
}

#[test]
fn explain_prints_the_docs_and_examples() {
    let (code, stdout, _) = stdout_of(case("basic").args(["explain", "demo-claim"]));
    assert_eq!(code, 0);
    for part in [
        "demo-claim\n",
        "Promises the moon (test rule).",
        "Why it matters\n  Tests need a rule that fires on known words.",
        "Write instead\n  Say what the tonic may do",
        "Evidence that would support it\n  a randomised controlled trial of the tonic",
        "References\n  - https://example.org/guidance/claims\n  - https://example.org/second",
        "flagged: Our glorp flumox tonic is here.",
        "fine:    Our tonic is here.",
    ] {
        assert!(stdout.contains(part), "missing {part:?} in\n{stdout}");
    }
}

#[test]
fn explain_unknown_rule_suggests_a_close_one() {
    case("basic")
        .args(["explain", "demo-clam"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `demo-clam`"))
        .stderr(predicate::str::contains("did you mean `demo-claim`?"));
}

#[test]
fn init_writes_a_starter_config_once() {
    let dir = tempfile::tempdir().unwrap();
    claimlint_in(dir.path())
        .args(["init"])
        .assert()
        .code(0)
        .stdout("created claimlint.toml\n");
    let text = std::fs::read_to_string(dir.path().join("claimlint.toml")).unwrap();
    assert!(text.contains("# fail-on = \"error\""));
    // The starter is a valid config.
    claimlint_in(dir.path())
        .args(["config"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("# config file: claimlint.toml"));
    claimlint_in(dir.path())
        .args(["init"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("claimlint.toml already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("claimlint.toml")).unwrap(),
        text
    );
}
