//! Baselines and `--changed-since` end to end: write then re-check, edits above a finding,
//! rewording, a corrupt baseline, stale entries and `baseline prune`, and changed files in a
//! temporary git repository (and outside one).
//!
//! Findings come from the made-up rules in `fixtures/cli/rules/` ("glorp flumox" is a
//! `demo-claim` error), so these tests do not change when the real rulesets grow.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli")
}

/// A temporary directory whose config loads the made-up rules, holding `files`.
fn sandbox(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rules = fixtures().join("rules");
    let config = format!("extra-rulesets = [{:?}]\n", rules.display().to_string());
    std::fs::write(dir.path().join("claimlint.toml"), config).unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// `claimlint ARGS` in `dir`, only the demo rules running for `check` and `baseline prune`.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("claimlint").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1").args(args);
    if matches!(args.first(), Some(&"check") | Some(&"baseline")) {
        cmd.args(["--rule", "demo-claim", "--rule", "demo-soft"]);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Matched words of the JSON findings of `check --format json ARGS`, and the summary.
fn json(dir: &Path, args: &[&str]) -> (i32, Vec<String>, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(dir, &all);
    let v: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    let matched = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["matched"].as_str().unwrap()
            )
        })
        .collect();
    (code, matched, v["summary"].clone())
}

const PAGE: &str = "# Tonic\n\nOur glorp flumox tonic works.\n\nAsk about glorp flumox today.\n";

#[test]
fn write_then_recheck_reports_nothing_new() {
    let dir = sandbox(&[("a.md", PAGE)]);
    let (code, stdout, _) = run(
        dir.path(),
        &["check", "--write-baseline", "base.json", "a.md"],
    );
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(stdout, "no findings in 1 file; 2 findings baselined\n");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("base.json")).unwrap())
            .unwrap();
    assert_eq!(written["version"], 1);
    assert_eq!(
        written["findings"][0],
        serde_json::json!({
            "path": "a.md", "rule": "demo-claim", "matched": "glorp flumox",
            "before": "ask about", "after": "today"
        })
    );
    let (code, matched, summary) = json(dir.path(), &["--baseline", "base.json", "a.md"]);
    assert_eq!(code, 0);
    assert!(matched.is_empty(), "{matched:?}");
    assert_eq!(summary["baselined"], 2);
    let (_, stdout, _) = run(dir.path(), &["check", "--baseline", "base.json", "a.md"]);
    assert_eq!(stdout, "no findings in 1 file; 2 findings baselined\n");
}

#[test]
fn inserting_lines_above_keeps_findings_baselined() {
    let dir = sandbox(&[("a.md", PAGE)]);
    run(
        dir.path(),
        &["check", "--write-baseline", "base.json", "a.md"],
    );
    write(
        dir.path(),
        "a.md",
        &format!("Intro line.\n\nAnother paragraph,\nwrapped.\n\n{PAGE}"),
    );
    let (code, matched, summary) = json(dir.path(), &["--baseline", "base.json", "a.md"]);
    assert_eq!((code, matched.len()), (0, 0), "{matched:?}");
    assert_eq!(summary["baselined"], 2);
}

#[test]
fn rewording_a_claim_makes_it_new() {
    let dir = sandbox(&[("a.md", PAGE)]);
    run(
        dir.path(),
        &["check", "--write-baseline", "base.json", "a.md"],
    );
    write(
        dir.path(),
        "a.md",
        "# Tonic\n\nOur glorp flumox tonic works.\n\nAsk about glorp flumox now.\n",
    );
    let (code, matched, summary) = json(dir.path(), &["--baseline", "base.json", "a.md"]);
    assert_eq!(code, 1);
    assert_eq!(matched, ["a.md:5 glorp flumox"]);
    assert_eq!(summary["baselined"], 1);
}

#[test]
fn a_copy_of_a_baselined_claim_is_new() {
    let dir = sandbox(&[("a.md", PAGE)]);
    run(
        dir.path(),
        &["check", "--write-baseline", "base.json", "a.md"],
    );
    write(
        dir.path(),
        "a.md",
        &format!("{PAGE}\nOur glorp flumox tonic works.\n"),
    );
    let (code, matched, _) = json(dir.path(), &["--baseline", "base.json", "a.md"]);
    assert_eq!(code, 1);
    assert_eq!(matched.len(), 1, "{matched:?}");
}

#[test]
fn corrupt_baseline_is_an_error_at_its_line_and_column() {
    let dir = sandbox(&[
        ("a.md", PAGE),
        (
            "base.json",
            "{\n  \"version\": 1,\n  \"findings\": [\n    {\"path\": \"a.md\",}\n  ]\n}\n",
        ),
    ]);
    let (code, stdout, stderr) = run(dir.path(), &["check", "--baseline", "base.json", "a.md"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "nothing is linted: {stdout}");
    assert!(stderr.contains("base.json:4:"), "{stderr}");
    assert!(stderr.contains("trailing comma"), "{stderr}");
}

#[test]
fn missing_baseline_is_an_error() {
    let dir = sandbox(&[("a.md", PAGE)]);
    let (code, _, stderr) = run(dir.path(), &["check", "--baseline", "nope.json", "a.md"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read the baseline nope.json"),
        "{stderr}"
    );
}

#[test]
fn verbose_lists_stale_entries_and_prune_removes_them() {
    let dir = sandbox(&[("a.md", PAGE), ("b.md", "More glorp flumox here.\n")]);
    run(dir.path(), &["check", "--write-baseline", "base.json", "."]);
    write(
        dir.path(),
        "a.md",
        "# Tonic\n\nOur tonic works.\n\nAsk about glorp flumox today.\n",
    );
    let (code, _, stderr) = run(
        dir.path(),
        &["-v", "check", "--baseline", "base.json", "a.md"],
    );
    assert_eq!(code, 0);
    assert!(
        stderr.contains("stale baseline entry: a.md: demo-claim `glorp flumox`"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("stale baseline entry").count(),
        1,
        "{stderr}"
    );

    let (code, stdout, stderr) = run(
        dir.path(),
        &["baseline", "prune", "--baseline", "base.json", "a.md"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "removed 1 stale finding from base.json; 2 findings kept\n"
    );
    let (_, _, stderr) = run(dir.path(), &["-v", "check", "--baseline", "base.json", "."]);
    assert!(!stderr.contains("stale"), "{stderr}");
    // b.md was not linted by the prune, and still exists: its entry stays.
    let (code, matched, summary) = json(dir.path(), &["--baseline", "base.json", "."]);
    assert_eq!((code, matched.len()), (0, 0));
    assert_eq!(summary["baselined"], 2);
    // No temporary file is left next to the baseline.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn prune_drops_entries_of_deleted_files() {
    let dir = sandbox(&[("a.md", PAGE), ("b.md", "More glorp flumox here.\n")]);
    run(dir.path(), &["check", "--write-baseline", "base.json", "."]);
    std::fs::remove_file(dir.path().join("b.md")).unwrap();
    let (code, stdout, _) = run(
        dir.path(),
        &["baseline", "prune", "--baseline", "base.json", "a.md"],
    );
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "removed 1 stale finding from base.json; 2 findings kept\n"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let status = StdCommand::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn changed_since_lints_committed_staged_unstaged_and_untracked_changes() {
    let page = "Our glorp flumox tonic.\n";
    let dir = sandbox(&[
        ("same.md", page),
        ("committed.md", page),
        ("staged.md", page),
        ("unstaged.md", page),
        (".gitignore", "ignored.md\n"),
    ]);
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "first"]);
    git(d, &["tag", "start"]);
    write(d, "committed.md", "Changed. Our glorp flumox tonic.\n");
    git(d, &["commit", "-q", "-am", "second"]);
    write(d, "staged.md", "Staged. Our glorp flumox tonic.\n");
    git(d, &["add", "staged.md"]);
    write(d, "unstaged.md", "Unstaged. Our glorp flumox tonic.\n");
    write(d, "new/untracked.md", page);
    write(d, "ignored.md", page);

    let (code, matched, summary) = json(d, &["--changed-since", "start"]);
    assert_eq!(code, 1);
    assert_eq!(
        matched,
        [
            "committed.md:1 glorp flumox",
            "new/untracked.md:1 glorp flumox",
            "staged.md:1 glorp flumox",
            "unstaged.md:1 glorp flumox",
        ]
    );
    assert_eq!(summary["files"], 4);
    // Paths still narrow the run.
    let (_, matched, _) = json(d, &["--changed-since", "start", "new"]);
    assert_eq!(matched, ["new/untracked.md:1 glorp flumox"]);
    // Nothing changed since HEAD except the working tree.
    let (_, _, summary) = json(d, &["--changed-since", "HEAD"]);
    assert_eq!(summary["files"], 3);
}

#[test]
fn changed_since_a_bad_revision_is_an_error() {
    let dir = sandbox(&[("a.md", PAGE)]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "first"]);
    let (code, stdout, stderr) = run(dir.path(), &["check", "--changed-since", "no-such-rev"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("`no-such-rev` is not a revision git knows"),
        "{stderr}"
    );
}

#[test]
fn changed_since_outside_a_repository_is_an_error() {
    let dir = sandbox(&[("a.md", PAGE)]);
    let (code, stdout, stderr) = run(dir.path(), &["check", "--changed-since", "HEAD"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("--changed-since needs a git repository"),
        "{stderr}"
    );
}

/// The human report's diagnostics are rendered on the lint workers, except with a baseline
/// (most findings may be baselined, so their rendering would be wasted), where the reporting
/// thread renders them. Both must print the same report, waived findings and cut lines included.
#[test]
fn the_human_report_is_the_same_rendered_on_the_workers_or_not() {
    let long = format!(
        "{} Our glorp flumox tonic. You will feel zingy. {}\n",
        "Plain words here. ".repeat(20),
        "More plain words. ".repeat(20)
    );
    let dir = sandbox(&[
        ("clean.md", "Nothing to see.\n"),
        (
            "a.md",
            "<!-- claimlint-disable-next-line demo-claim -- approved by legal, ref 12 -->\n\
             Our glorp flumox tonic.\n\nYou will feel zingy.\n\nGlorp flumox works.\n",
        ),
        ("b/long.md", &long),
        ("b/c.md", "Glorp flumox, and glorp flumox again.\n"),
    ]);
    let (code, _, stderr) = run(
        dir.path(),
        &["check", "--write-baseline", "empty.json", "clean.md"],
    );
    assert_eq!(code, 0, "{stderr}");
    for (verbose, color) in [(false, false), (true, false), (true, true)] {
        let check = |baseline: bool| {
            let mut args = vec!["check"];
            if verbose {
                args.insert(0, "--verbose");
            }
            if color {
                args.insert(0, "--color=always");
            }
            if baseline {
                args.extend(["--baseline", "empty.json"]);
            }
            args.extend(["a.md", "b"]);
            let (code, stdout, stderr) = run(dir.path(), &args);
            assert_eq!(code, 1, "{stderr}");
            stdout
        };
        let on_workers = check(false);
        assert_eq!(on_workers, check(true));
        assert_eq!(on_workers.contains("(waived)"), verbose, "{on_workers}");
        // One claim per sentence: a.md's last, long.md, c.md, and a.md's waived one with
        // --verbose. (Without --verbose the waived one is dropped before two rendered findings,
        // so a rendering out of step with its finding would show.)
        let claims = 3 + usize::from(verbose);
        let header = if color {
            "error[demo-claim]\x1b[0m"
        } else {
            "error[demo-claim]"
        };
        assert_eq!(on_workers.matches(header).count(), claims, "{on_workers}");
        assert!(on_workers.contains(" …"), "{on_workers}");
        assert_eq!(on_workers.contains('\x1b'), color);
    }
}
