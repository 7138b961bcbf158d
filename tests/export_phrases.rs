//! `claimlint rules --export-phrases`: the phrase list of the loaded rulesets, one spelling per
//! line, for a plain phrase scan such as `rg -i -F -f` (the benchmark compares against it).

use std::path::Path;

use assert_cmd::Command;

fn claimlint_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("claimlint").unwrap();
    cmd.current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1");
    cmd
}

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli")
}

fn exported(dir: &Path, args: &[&str]) -> Vec<String> {
    let out = claimlint_in(dir)
        .args(args)
        .args(["rules", "--export-phrases"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn exports_the_phrases_of_the_loaded_rulesets_sorted_and_unique() {
    let with_user_rules = exported(&fixtures().join("basic"), &[]);
    // The made-up rules of the sandbox, lowercased, next to the built-in phrases.
    for phrase in [
        "crème flumox",
        "feel zingy",
        "mildly wobbly",
        "no side effects",
    ] {
        assert!(
            with_user_rules.iter().any(|p| p == phrase),
            "{phrase} missing"
        );
    }
    let mut sorted = with_user_rules.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(with_user_rules, sorted);
    assert!(
        with_user_rules
            .iter()
            .all(|p| !p.is_empty() && p.trim() == p)
    );

    // Hyphenated phrases also come spaced and joined, as the matcher spells them.
    let builtin = exported(&fixtures().join("basic"), &["--isolated"]);
    assert!(!builtin.iter().any(|p| p == "feel zingy"));
    for variant in ["risk-free", "risk free", "riskfree"] {
        assert!(builtin.iter().any(|p| p == variant), "{variant} missing");
    }
}
