//! Inline waivers end to end: every directive form in Markdown, HTML and MDX comments, the
//! problems reported under `claimlint-directive`, directives in code ignored,
//! `--no-inline-config`, JSON marking, exit codes, and the human report's `--verbose`,
//! `--statistics` and `--quiet`.
//!
//! Findings come from the made-up rules in `fixtures/cli/rules/` ("glorp flumox" is a
//! `demo-claim` error, "feel zingy" a `demo-soft` warning), so these tests do not change when
//! the real rulesets grow; `--rule` keeps the core rules out of the counts.

use std::path::{Path, PathBuf};

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
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// `claimlint check --rule demo-claim --rule demo-soft ARGS` in `dir`.
fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("claimlint")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["check", "--rule", "demo-claim", "--rule", "demo-soft"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The JSON findings of `check --format json ARGS`, with the exit code and the summary.
fn json(dir: &Path, args: &[&str]) -> (i32, Vec<Value>, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = check(dir, &all);
    let v: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (
        code,
        v["findings"].as_array().unwrap().clone(),
        v["summary"].clone(),
    )
}

/// `(rule, line, waiver reason)` of each finding.
fn brief(findings: &[Value]) -> Vec<(String, u64, Option<String>)> {
    findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["waiver"]["reason"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn entry(rule: &str, line: u64, reason: Option<&str>) -> (String, u64, Option<String>) {
    (rule.to_owned(), line, reason.map(str::to_owned))
}

#[test]
fn next_line_waiver_in_markdown_is_marked_in_json_and_does_not_fail_the_run() {
    let dir = sandbox(&[(
        "a.md",
        "<!-- claimlint-disable-next-line demo-claim -- approved by legal, ref 12 -->\n\
         Our glorp flumox tonic.\n",
    )]);
    let (code, findings, summary) = json(dir.path(), &["a.md"]);
    assert_eq!(code, 0, "a waived error does not fail the run");
    assert_eq!(
        brief(&findings),
        [entry("demo-claim", 2, Some("approved by legal, ref 12"))]
    );
    let waiver = &findings[0]["waiver"];
    assert_eq!(waiver["kind"], "disable-next-line");
    assert_eq!(
        (waiver["line"].as_u64(), waiver["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(summary["errors"], 0);
    assert_eq!(summary["findings"], 0);
    assert_eq!(summary["waived"], 1);
}

#[test]
fn next_line_waiver_covers_only_the_next_line() {
    let dir = sandbox(&[(
        "a.md",
        "<!-- claimlint-disable-next-line demo-claim -- reviewed -->\n\nOur glorp flumox tonic.\n",
    )]);
    let (code, findings, _) = json(dir.path(), &["a.md"]);
    assert_eq!(code, 1);
    assert_eq!(
        brief(&findings),
        [
            entry("claimlint-directive", 1, None),
            entry("demo-claim", 3, None)
        ]
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("waives no finding of `demo-claim` on the next line")
    );
}

#[test]
fn block_waiver_in_html_ends_at_enable() {
    let dir = sandbox(&[(
        "a.html",
        "<html><body>\n<!-- claimlint-disable demo-claim, demo-soft -- quoted complaint -->\n\
         <p>Our glorp flumox tonic.</p>\n<p>You feel zingy.</p>\n\
         <!-- claimlint-enable demo-claim -->\n<p>Our glorp flumox tonic.</p>\n\
         <p>You feel zingy.</p>\n</body></html>\n",
    )]);
    let (code, findings, _) = json(dir.path(), &["a.html"]);
    assert_eq!(code, 1);
    assert_eq!(
        brief(&findings),
        [
            entry("demo-claim", 3, Some("quoted complaint")),
            entry("demo-soft", 4, Some("quoted complaint")),
            entry("demo-claim", 6, None),
            entry("demo-soft", 7, Some("quoted complaint")),
        ]
    );
}

#[test]
fn file_waiver_in_mdx_comment_covers_the_whole_file() {
    let dir = sandbox(&[(
        "a.mdx",
        "# Tonic\n\nOur glorp flumox tonic.\n\n\
         {/* claimlint-disable-file demo-claim -- archived page, kept for the record */}\n\n\
         Our glorp flumox tonic again.\n",
    )]);
    let (code, findings, _) = json(dir.path(), &["a.mdx"]);
    assert_eq!(code, 0);
    let reason = Some("archived page, kept for the record");
    assert_eq!(
        brief(&findings),
        [
            entry("demo-claim", 3, reason),
            entry("demo-claim", 7, reason)
        ]
    );
    assert_eq!(findings[0]["waiver"]["kind"], "disable-file");
}

#[test]
fn mdx_next_line_and_block_directives_apply() {
    let dir = sandbox(&[(
        "a.mdx",
        "{/* claimlint-disable-next-line demo-claim -- ref 1 */}\nOur glorp flumox tonic.\n\n\
         {/* claimlint-disable demo-soft -- ref 2 */}\n\nYou feel zingy.\n\n\
         {/* claimlint-enable demo-soft */}\n\nYou feel zingy.\n",
    )]);
    let (_, findings, _) = json(dir.path(), &["a.mdx"]);
    assert_eq!(
        brief(&findings),
        [
            entry("demo-claim", 2, Some("ref 1")),
            entry("demo-soft", 6, Some("ref 2")),
            entry("demo-soft", 10, None),
        ]
    );
}

#[test]
fn category_and_all_are_accepted() {
    // The demo rules have no `category`, so each is its own category.
    let dir = sandbox(&[(
        "a.md",
        "<!-- claimlint-disable-next-line all -- reviewed -->\nOur glorp flumox tonic; you feel zingy.\n",
    )]);
    let (code, findings, _) = json(dir.path(), &["a.md"]);
    assert_eq!(code, 0);
    assert_eq!(
        brief(&findings),
        [
            entry("demo-claim", 2, Some("reviewed")),
            entry("demo-soft", 2, Some("reviewed"))
        ]
    );
}

#[test]
fn directive_without_reason_waives_nothing_and_is_reported() {
    let dir = sandbox(&[(
        "a.md",
        "<!-- claimlint-disable-next-line demo-claim -->\nOur glorp flumox tonic.\n",
    )]);
    let (code, findings, _) = json(dir.path(), &["a.md"]);
    assert_eq!(code, 1);
    assert_eq!(
        brief(&findings),
        [
            entry("claimlint-directive", 1, None),
            entry("demo-claim", 2, None)
        ]
    );
    assert_eq!(findings[0]["severity"], "warning");
    assert_eq!(
        findings[0]["message"],
        "`claimlint-disable-next-line demo-claim` gives no reason, so it waives nothing"
    );
}

#[test]
fn directive_problems_can_be_turned_off_and_on_again() {
    let dir = sandbox(&[(
        "a.md",
        "<!-- claimlint-disable-next-line demo-claim -->\nOur glorp flumox tonic.\n\n\
         <!-- claimlint-disable-next-line demo-claim -- audited -->\nOur glorp flumox tonic.\n",
    )]);
    let quiet = [
        entry("demo-claim", 2, None),
        entry("demo-claim", 5, Some("audited")),
    ];
    // Off by rule id on the command line: waivers still apply; only the problem goes unreported.
    let (_, findings, _) = json(dir.path(), &["--disable", "claimlint-directive", "a.md"]);
    assert_eq!(brief(&findings), quiet);
    // Off by category in the config file, and back on with `--enable`.
    let config = dir.path().join("claimlint.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("disable = [\"directive\"]\n");
    std::fs::write(&config, text).unwrap();
    let (_, findings, _) = json(dir.path(), &["a.md"]);
    assert_eq!(brief(&findings), quiet);
    let (_, findings, _) = json(dir.path(), &["--enable", "directive", "a.md"]);
    assert_eq!(brief(&findings)[0], entry("claimlint-directive", 1, None));
    assert_eq!(findings.len(), 3);
}

#[test]
fn directive_problems_can_be_selected_alone_and_given_a_severity() {
    // Line 1: a waiver without a reason; line 4: one with a reason over a line with no claim.
    let dir = sandbox(&[(
        "a.md",
        "<!-- claimlint-disable-next-line demo-claim -->\nOur glorp flumox tonic.\n\n\
         <!-- claimlint-disable-next-line demo-claim -- audited -->\nA plain line.\n",
    )]);
    // `json` selects the demo rules; this needs a selection of its own.
    let selected = |selection: &str| -> (i32, Vec<Value>) {
        let out = Command::cargo_bin("claimlint")
            .unwrap()
            .current_dir(dir.path())
            .args(["check", "--format", "json", "--rule", selection, "a.md"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            out.status.code().unwrap_or(-1),
            v["findings"].as_array().unwrap().clone(),
        )
    };
    let both = [
        entry("claimlint-directive", 1, None),
        entry("claimlint-directive", 4, None),
    ];
    // Selected alone, by id or category: only the waiver comments are reported, judged against
    // the rules the run would check (so the waiver that waives nothing is found too).
    for selection in ["claimlint-directive", "directive"] {
        let (code, findings) = selected(selection);
        assert_eq!(brief(&findings), both, "{selection}");
        assert!(
            findings[1]["message"]
                .as_str()
                .unwrap()
                .contains("waives no finding"),
            "{findings:?}"
        );
        assert_eq!(findings[0]["severity"], "warning");
        // A warning does not fail the run (the default threshold is error).
        assert_eq!(code, 0, "{selection}");
    }
    let config = dir.path().join("claimlint.toml");
    let base = std::fs::read_to_string(&config).unwrap();
    // Selecting it wins over disabling it in the config, as for any rule.
    std::fs::write(&config, format!("{base}disable = [\"directive\"]\n")).unwrap();
    assert_eq!(brief(&selected("claimlint-directive").1), both);
    // `[severity]` raises it, by id or by category, and it then fails the run.
    for key in ["claimlint-directive", "directive"] {
        std::fs::write(&config, format!("{base}[severity]\n{key} = \"error\"\n")).unwrap();
        let (code, findings) = selected("directive");
        assert_eq!(findings[0]["severity"], "error", "{key}");
        assert_eq!(code, 1, "{key}");
    }
}

#[test]
fn directive_naming_an_unknown_rule_is_reported() {
    let dir = sandbox(&[(
        "a.md",
        "<!-- claimlint-disable-file demo-clam -- typo -->\nOur glorp flumox tonic.\n",
    )]);
    let (_, findings, _) = json(dir.path(), &["a.md"]);
    assert_eq!(
        brief(&findings),
        [
            entry("claimlint-directive", 1, None),
            entry("demo-claim", 2, None)
        ]
    );
    assert_eq!(
        findings[0]["message"],
        "`demo-clam` in `claimlint-disable-file demo-clam -- typo` is not a rule or category"
    );
    assert!(
        findings[0]["suggestion"]
            .as_str()
            .unwrap()
            .contains("`demo-claim`")
    );
}

#[test]
fn directives_in_code_are_ignored() {
    let dir = sandbox(&[
        (
            "a.md",
            "```html\n<!-- claimlint-disable-file demo-claim -- in a code sample -->\n```\n\n\
             `{/* claimlint-disable-file demo-claim -- inline code */}`\n\nOur glorp flumox tonic.\n",
        ),
        (
            "b.html",
            "<pre><!-- claimlint-disable-file demo-claim -- in pre --></pre>\n\
             <code><!-- claimlint-disable-file demo-claim -- in code --></code>\n\
             <p>Our glorp flumox tonic.</p>\n",
        ),
    ]);
    let (code, findings, _) = json(dir.path(), &["a.md", "b.html"]);
    assert_eq!(code, 1);
    assert_eq!(
        brief(&findings),
        [entry("demo-claim", 7, None), entry("demo-claim", 3, None)],
        "not applied, and not reported as unused either"
    );
}

#[test]
fn no_inline_config_ignores_directives() {
    let dir = sandbox(&[(
        "a.md",
        "<!-- claimlint-disable-next-line demo-claim -- reviewed -->\nOur glorp flumox tonic.\n\
         <!-- claimlint-disable-file nonsense -->\n",
    )]);
    let (code, findings, _) = json(dir.path(), &["--no-inline-config", "a.md"]);
    assert_eq!(code, 1);
    assert_eq!(brief(&findings), [entry("demo-claim", 2, None)]);
}

#[test]
fn human_report_shows_waived_findings_only_with_verbose() {
    let dir = sandbox(&[(
        "a.md",
        "<!-- claimlint-disable-next-line demo-claim -- approved, ref 12 -->\n\
         Our glorp flumox tonic.\n\nYou feel zingy.\n",
    )]);
    let (code, stdout, _) = check(dir.path(), &["a.md"]);
    assert_eq!(code, 0, "only a warning is left");
    assert!(!stdout.contains("demo-claim"), "{stdout}");
    assert!(
        stdout.ends_with("0 errors, 1 warning, 0 infos in 1 file; 1 finding waived\n"),
        "{stdout}"
    );
    let (_, stdout, _) = check(dir.path(), &["-v", "a.md"]);
    assert!(
        stdout.contains("error[demo-claim]: (waived) `glorp flumox` promises the moon"),
        "{stdout}"
    );
    assert!(stdout.contains("waived here: approved, ref 12"), "{stdout}");
}

#[test]
fn waived_findings_do_not_fail_on_warning_either() {
    let dir = sandbox(&[(
        "a.md",
        "<!-- claimlint-disable-file demo-soft -- reviewed -->\nYou feel zingy.\n",
    )]);
    let (code, _, _) = check(dir.path(), &["--fail-on", "warning", "a.md"]);
    assert_eq!(code, 0);
}

#[test]
fn statistics_count_per_rule_and_category() {
    let dir = sandbox(&[(
        "a.md",
        "Our glorp flumox tonic.\n\nMore glorp flumox.\n\nYou feel zingy.\n\n\
         <!-- claimlint-disable-next-line demo-soft -- ok -->\nYou feel zingy.\n",
    )]);
    let (code, stdout, _) = check(dir.path(), &["--statistics", "a.md"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "COUNT  RULE        CATEGORY\n\
         \x20   2  demo-claim  demo-claim\n\
         \x20   1  demo-soft   demo-soft\n\
         \n\
         COUNT  CATEGORY\n\
         \x20   2  demo-claim\n\
         \x20   1  demo-soft\n\
         \n\
         2 errors, 1 warning, 0 infos in 1 file; 1 finding waived\n"
    );
}

#[test]
fn quiet_prints_only_the_summary_line() {
    let dir = sandbox(&[("a.md", "Our glorp flumox tonic.\n")]);
    let (code, stdout, _) = check(dir.path(), &["--quiet", "a.md"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "1 error, 0 warnings, 0 infos in 1 file\n");
}

#[test]
fn statistics_and_quiet_need_the_human_format() {
    let dir = sandbox(&[("a.md", "Our glorp flumox tonic.\n")]);
    let (code, stdout, stderr) = check(dir.path(), &["--quiet", "--format", "json", "a.md"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("--quiet shapes the human report"),
        "{stderr}"
    );
}
