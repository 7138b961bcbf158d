//! Runs every `[[example]]` of every embedded rule through the linter with only that rule enabled,
//! and checks that the rules that fire are exactly `expect` (plus `severity` and `span` when given).
//! Each example runs with the ruleset that wrote it loaded: a `core` rule's own examples with
//! `core`, the examples an overlay adds to it (`[[rules.fear-appeal.example]]` in
//! `uk-cap/ruleset.toml`) with that overlay, so both the default and the adjusted behaviour are
//! tested.
//! An example marked `known = "false-negative: ..."` or `"false-positive: ..."` records a known gap:
//! the test asserts today's wrong result, so fixing the gap fails here until the marker is removed.
//! All failures are collected and reported together.

use claimlint::rules::{Ruleset, RulesetOptions, builtin};
use claimlint::{Severity, lint_str};

fn ruleset_for(rule: &str, set: &str) -> Ruleset {
    Ruleset::load(&RulesetOptions {
        builtin: vec![set.to_owned()],
        only: vec![rule.to_owned()],
        ..RulesetOptions::default()
    })
    .unwrap_or_else(|e| panic!("ruleset {set} loads: {e}"))
}

#[test]
fn every_rule_example_gives_the_expected_findings() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for set in builtin::NAMES {
        let all = Ruleset::load(&RulesetOptions {
            builtin: vec![(*set).to_owned()],
            ..RulesetOptions::default()
        })
        .unwrap_or_else(|e| panic!("ruleset {set} loads: {e}"));
        for rule in &all.rules {
            let own: Vec<_> = rule.examples.iter().filter(|e| e.ruleset == *set).collect();
            if own.is_empty() {
                continue;
            }
            let only = ruleset_for(&rule.id, set);
            for ex in own {
                checked += 1;
                let findings = lint_str(&only, &ex.text, ex.format);
                let mut fired: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
                fired.sort();
                fired.dedup();
                let mut expected: Vec<&str> = ex.expect.iter().map(String::as_str).collect();
                expected.sort();
                let mut problems = Vec::new();
                if fired != expected {
                    problems.push(format!("fired {fired:?}, expected {expected:?}"));
                }
                let own = findings.iter().find(|f| f.rule == rule.id);
                if let (Some(want), Some(f)) = (ex.severity, own)
                    && f.severity != want
                {
                    problems.push(format!("severity {}, expected {}", f.severity, want));
                }
                if let (Some(want), Some(f)) = (&ex.span, own)
                    && &f.matched != want
                {
                    problems.push(format!("matched {:?}, expected {:?}", f.matched, want));
                }
                let detail = findings
                    .iter()
                    .map(|f| format!("{}:{}:{:?}", f.rule, f.severity, f.matched))
                    .collect::<Vec<_>>()
                    .join(", ");
                match (&ex.known, problems.is_empty()) {
                    (None, false) => failures.push(format!(
                        "{} (with {set}): {:?}\n    {}\n    findings: [{detail}]",
                        rule.id,
                        ex.text,
                        problems.join("; ")
                    )),
                    (Some(known), true) => failures.push(format!(
                        "{}: {:?}\n    marked `{known}` but now gives the expected result: remove the marker",
                        rule.id, ex.text
                    )),
                    _ => {}
                }
            }
        }
    }
    assert!(checked > 0, "no examples were checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} rule examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn severity_names_round_trip() {
    for s in Severity::ALL {
        assert_eq!(Severity::from_name(s.name()), Some(s));
    }
}
