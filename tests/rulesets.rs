//! End-to-end tests of rulesets by jurisdiction: choosing `uk-cap` with `--ruleset` or the config,
//! what the overlay changes (fear-appeal raised, pom-promotion added, UK advice and references),
//! that config `[severity]` still has the last word, user overlays given by path, and the errors
//! for an unknown ruleset or a bad manifest, which name the file, line and column.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const FEAR: &str = "Depression only gets worse the longer you wait.\n";
const POM: &str = "Ketamine infusions now available in Manchester.\n";

/// The binary in `dir`, without colour.
fn claimlint_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("claimlint").unwrap();
    cmd.current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1");
    cmd
}

/// A temporary directory holding `files`.
fn sandbox(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// Lints `text` from stdin as JSON with `args` before the command; returns (exit code, document).
fn check_json(dir: &Path, args: &[&str], text: &str) -> (i32, Value) {
    let out = claimlint_in(dir)
        .args(args)
        .args([
            "check",
            "-",
            "--format",
            "json",
            "--stdin-filename",
            "page.txt",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let doc = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), doc)
}

/// `(rule, severity)` of every finding.
fn findings(doc: &Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn finding_of<'a>(doc: &'a Value, rule: &str) -> Option<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
}

fn stdout_of(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn uk_cap_raises_fear_appeal_from_info_to_warning() {
    let dir = sandbox(&[]);
    let (_, core) = check_json(dir.path(), &["--isolated"], FEAR);
    assert_eq!(findings(&core), [("fear-appeal".into(), "info".into())]);
    let (_, uk) = check_json(dir.path(), &["--isolated", "--ruleset", "uk-cap"], FEAR);
    assert_eq!(findings(&uk), [("fear-appeal".into(), "warning".into())]);
    // The UK references are appended to the core ones.
    let refs = finding_of(&uk, "fear-appeal").unwrap()["references"].to_string();
    assert!(refs.contains("Directive 2001/83/EC Art 90(d)"), "{refs}");
    assert!(refs.contains("UK CAP Code rule 3.1"), "{refs}");
}

#[test]
fn uk_cap_adds_pom_promotion_which_core_does_not_have() {
    let dir = sandbox(&[]);
    let (code, core) = check_json(dir.path(), &["--isolated"], POM);
    assert!(finding_of(&core, "pom-promotion").is_none(), "{core}");
    assert_eq!(code, 0);
    let (code, uk) = check_json(dir.path(), &["--isolated", "--ruleset", "uk-cap"], POM);
    let f = finding_of(&uk, "pom-promotion").expect("pom-promotion fires with uk-cap");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["matched"], "Ketamine");
    assert_eq!(code, 1, "an error fails the run");
    // The JSON summary names the loaded rulesets, what uk-cap extends first.
    assert_eq!(core["summary"]["rulesets"], serde_json::json!(["core"]));
    assert_eq!(
        uk["summary"]["rulesets"],
        serde_json::json!(["core", "uk-cap"])
    );
}

#[test]
fn the_ruleset_flag_works_after_the_command_too() {
    let dir = sandbox(&[]);
    let out = claimlint_in(dir.path())
        .args([
            "--isolated",
            "check",
            "-",
            "--ruleset",
            "uk-cap",
            "--format",
            "json",
        ])
        .write_stdin(POM)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(finding_of(&doc, "pom-promotion").is_some(), "{doc}");
}

#[test]
fn config_rulesets_core_and_uk_cap_loads_each_rule_once() {
    let dir = sandbox(&[("claimlint.toml", "rulesets = [\"core\", \"uk-cap\"]\n")]);
    let (_, doc) = check_json(dir.path(), &[], &format!("{FEAR}{POM}"));
    let mut rules: Vec<String> = findings(&doc).into_iter().map(|(r, _)| r).collect();
    rules.sort();
    assert_eq!(rules, ["fear-appeal", "pom-promotion"]);
    assert_eq!(
        finding_of(&doc, "fear-appeal").unwrap()["severity"],
        "warning"
    );
    // The order in the config does not matter and nothing is listed twice.
    for config in [
        "rulesets = [\"uk-cap\", \"core\"]\n",
        "rulesets = [\"uk-cap\"]\n",
    ] {
        let dir = sandbox(&[("claimlint.toml", config)]);
        let (code, stdout, stderr) = stdout_of(claimlint_in(dir.path()).args(["rules"]));
        assert_eq!(code, 0, "{stderr}");
        let ids: Vec<&str> = stdout
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "{config}: {stdout}");
        assert!(ids.contains(&"pom-promotion") && ids.contains(&"fear-appeal"));
    }
}

#[test]
fn rules_lists_core_and_uk_cap_with_their_ruleset() {
    let dir = sandbox(&[]);
    let (code, core, _) = stdout_of(claimlint_in(dir.path()).args(["--isolated", "rules"]));
    assert_eq!(code, 0);
    assert!(!core.contains("pom-promotion"), "{core}");
    let (code, uk, _) =
        stdout_of(claimlint_in(dir.path()).args(["--isolated", "--ruleset", "uk-cap", "rules"]));
    assert_eq!(code, 0);
    let row = |id: &str| {
        uk.lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("{id} missing in\n{uk}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(row("pom-promotion")[2..5], ["error", "yes", "uk-cap"]);
    assert_eq!(row("fear-appeal")[2..5], ["warning", "yes", "core+uk-cap"]);
    assert_eq!(row("hype")[4], "core");
    assert_eq!(uk.lines().count(), core.lines().count() + 1);
}

#[test]
fn explain_names_the_ruleset_and_the_overlay_changes() {
    let dir = sandbox(&[]);
    let (code, out, _) = stdout_of(claimlint_in(dir.path()).args([
        "--isolated",
        "--ruleset",
        "uk-cap",
        "explain",
        "fear-appeal",
    ]));
    assert_eq!(code, 0);
    assert!(
        out.contains("ruleset: core, defined in rulesets/core/fear-appeal.toml"),
        "{out}"
    );
    assert!(
        out.contains("changed by ruleset uk-cap: severity raised from info to warning"),
        "{out}"
    );
    assert!(
        out.contains("flagged: Depression only gets worse the longer you wait. [with uk-cap]"),
        "{out}"
    );
    let (code, out, _) = stdout_of(claimlint_in(dir.path()).args([
        "--isolated",
        "--ruleset",
        "uk-cap",
        "explain",
        "suicide-safe-messaging",
    ]));
    assert_eq!(code, 0);
    for line in ["116 123", "SHOUT to 85258", "NHS 111 and choose option 2"] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    let (_, out, _) = stdout_of(claimlint_in(dir.path()).args([
        "--isolated",
        "--ruleset",
        "uk-cap",
        "explain",
        "pom-promotion",
    ]));
    assert!(
        out.contains("ruleset: uk-cap, defined in rulesets/uk-cap/pom-promotion.toml"),
        "{out}"
    );
    assert!(!out.contains("changed by"), "{out}");
}

#[test]
fn config_severity_wins_over_the_overlay() {
    let dir = sandbox(&[(
        "claimlint.toml",
        "rulesets = [\"uk-cap\"]\n[severity]\nfear-appeal = \"info\"\npom-promotion = \"warning\"\n",
    )]);
    let (code, doc) = check_json(dir.path(), &[], &format!("{FEAR}{POM}"));
    assert_eq!(finding_of(&doc, "fear-appeal").unwrap()["severity"], "info");
    assert_eq!(
        finding_of(&doc, "pom-promotion").unwrap()["severity"],
        "warning"
    );
    assert_eq!(code, 0);
}

#[test]
fn an_unknown_ruleset_exits_2_and_lists_the_valid_ones() {
    let dir = sandbox(&[]);
    claimlint_in(dir.path())
        .args(["--isolated", "--ruleset", "uk", "rules"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown ruleset `uk`"))
        .stderr(predicate::str::contains("core, uk-cap"));
    // From the config, the error points at the value.
    let dir = sandbox(&[(
        "claimlint.toml",
        "fail-on = \"error\"\nrulesets = [\"core\", \"uk\"]\n",
    )]);
    claimlint_in(dir.path())
        .args(["rules"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("claimlint.toml:2:21"))
        .stderr(predicate::str::contains("unknown ruleset `uk`"));
}

#[test]
fn a_user_overlay_by_path_adjusts_the_rules_it_extends() {
    let manifest = "description = \"House style\"\nextends = \"uk-cap\"\n\n[rules.pom-promotion]\nseverity = \"warning\"\n\n[rules.hype]\nenabled = false\n";
    let dir = sandbox(&[
        ("claimlint.toml", "extra-rulesets = [\"house\"]\n"),
        ("house/ruleset.toml", manifest),
    ]);
    let (code, doc) = check_json(
        dir.path(),
        &[],
        "A miracle cure for hair loss: finasteride, delivered.\n",
    );
    assert_eq!(
        finding_of(&doc, "pom-promotion").unwrap()["severity"],
        "warning"
    );
    assert!(finding_of(&doc, "hype").is_none(), "{doc}");
    assert_eq!(code, 1, "cure-guarantee is still an error: {doc}");
    let (_, out, _) = stdout_of(claimlint_in(dir.path()).args(["explain", "pom-promotion"]));
    assert!(
        out.contains("changed by ruleset house: severity lowered from error to warning"),
        "{out}"
    );
}

#[test]
fn a_bad_manifest_points_at_line_and_column() {
    // An unknown key.
    let dir = sandbox(&[
        ("claimlint.toml", "extra-rulesets = [\"house\"]\n"),
        (
            "house/ruleset.toml",
            "extends = \"core\"\n\n[rules.fear-appeal]\nseverty = \"error\"\n",
        ),
    ]);
    claimlint_in(dir.path())
        .args(["rules"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ruleset.toml:4:1"))
        .stderr(predicate::str::contains("unknown field `severty`"));
    // An override of a rule the overlay does not inherit: pom-promotion is not in core.
    let dir = sandbox(&[
        ("claimlint.toml", "extra-rulesets = [\"house\"]\n"),
        (
            "house/ruleset.toml",
            "extends = \"core\"\n\n[rules.pom-promotion]\nseverity = \"warning\"\n",
        ),
    ]);
    claimlint_in(dir.path())
        .args(["rules"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ruleset.toml:3:8"))
        .stderr(predicate::str::contains("unknown rule `pom-promotion`"));
    // A parent that does not exist.
    let dir = sandbox(&[
        ("claimlint.toml", "extra-rulesets = [\"house\"]\n"),
        ("house/ruleset.toml", "extends = [\"core\", \"uk\"]\n"),
    ]);
    claimlint_in(dir.path())
        .args(["rules"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ruleset.toml:1:11"))
        .stderr(predicate::str::contains(
            "unknown ruleset `uk` in `extends`",
        ));
}

#[test]
fn pom_promotion_cannot_be_enabled_without_uk_cap() {
    let dir = sandbox(&[]);
    claimlint_in(dir.path())
        .args(["--isolated", "rules", "--enable", "pom-promotion"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `pom-promotion`"));
}
