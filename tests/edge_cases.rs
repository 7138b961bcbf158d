//! Runs the edge cases of `design/regulatory.md` section 3 (`fixtures/edge-cases.toml`) through the
//! default rules: corrective negation, negation that is the claim, questions and their answers,
//! risk sections, citations, reported claims, "safe" about the setting, word boundaries, and the
//! page-level rules they satisfy or trigger.
//!
//! A sentence case (the default) runs with the page-level rules turned off, because a one-line
//! page trips them, and its findings must be exactly `expect`. A `page = true` case runs every
//! default rule; `expect` must be among its findings and no rule in `absent` may fire. A case
//! marked `known` records a gap: `today` is asserted instead of `expect`, and the test fails once
//! `expect` is reached, so the marker gets removed. All failures are reported together.

use std::collections::BTreeSet;

use claimlint::rules::spec::Scope;
use claimlint::{Finding, Format, Ruleset, RulesetOptions, Severity, lint_str};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    case: u32,
    id: String,
    text: String,
    #[serde(default = "plain")]
    format: String,
    #[serde(default)]
    page: bool,
    expect: Vec<Expected>,
    #[serde(default)]
    absent: Vec<String>,
    known: Option<String>,
    today: Option<Vec<Expected>>,
    why: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    severity: Severity,
    span: Option<String>,
}

fn plain() -> String {
    "plain".to_owned()
}

fn fixture() -> Fixture {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/edge-cases.toml");
    let text = std::fs::read_to_string(path).expect("fixtures/edge-cases.toml exists");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The default rules with the page-level (document) rules turned off.
fn sentence_rules(all: &Ruleset) -> Ruleset {
    let document: Vec<String> = all
        .rules
        .iter()
        .filter(|r| r.scope == Scope::Document)
        .map(|r| r.id.clone())
        .collect();
    assert!(
        !document.is_empty(),
        "the default rules have page-level rules to turn off"
    );
    Ruleset::load(&RulesetOptions {
        disable: document,
        ..RulesetOptions::default()
    })
    .expect("the default rules load without the page-level ones")
}

/// Does this finding meet the expectation (rule, severity and, when given, the matched text)?
fn meets(f: &Finding, want: &Expected) -> bool {
    f.rule == want.rule
        && f.severity == want.severity
        && want.span.as_ref().is_none_or(|s| &f.matched == s)
}

/// What is wrong with `findings` against `want` (empty when they match).
fn problems(case: &Case, findings: &[Finding], want: &[Expected]) -> Vec<String> {
    let mut out = Vec::new();
    for w in want {
        if !findings.iter().any(|f| meets(f, w)) {
            out.push(format!("missing {w:?}"));
        }
    }
    if case.page {
        for rule in &case.absent {
            if findings.iter().any(|f| &f.rule == rule) {
                out.push(format!("{rule} fired but must not"));
            }
        }
    } else {
        for f in findings {
            if !want.iter().any(|w| meets(f, w)) {
                out.push(format!(
                    "unexpected {} {} {:?}",
                    f.rule, f.severity, f.matched
                ));
            }
        }
    }
    out
}

#[test]
fn every_section_3_edge_case_is_a_fixture() {
    let fixture = fixture();
    let numbers: BTreeSet<u32> = fixture.case.iter().map(|c| c.case).collect();
    let missing: Vec<u32> = (1..=24).filter(|n| !numbers.contains(n)).collect();
    assert!(
        missing.is_empty(),
        "edge cases without a fixture: {missing:?}"
    );
    let strays: Vec<u32> = numbers.iter().copied().filter(|n| *n > 24).collect();
    assert!(strays.is_empty(), "no such edge case numbers: {strays:?}");
    let mut ids = BTreeSet::new();
    for c in &fixture.case {
        assert!(ids.insert(c.id.clone()), "duplicate case id {:?}", c.id);
        assert!(!c.why.trim().is_empty(), "case {} says why it exists", c.id);
        assert!(
            Format::from_name(&c.format).is_some(),
            "case {}: unknown format {:?}",
            c.id,
            c.format
        );
        assert!(
            c.page || c.absent.is_empty(),
            "case {}: `absent` only applies to page cases (sentence cases are exact)",
            c.id
        );
        match (&c.known, &c.today) {
            (Some(k), Some(_)) => assert!(
                k.starts_with("false-negative: ") || k.starts_with("false-positive: "),
                "case {}: `known` starts with \"false-negative: \" or \"false-positive: \"",
                c.id
            ),
            (None, None) => {}
            _ => panic!("case {}: `known` and `today` go together", c.id),
        }
    }
}

#[test]
fn edge_cases_give_the_expected_findings() {
    let all = Ruleset::default_rules().expect("the default rules load");
    let sentence = sentence_rules(&all);
    let fixture = fixture();
    let mut failures = Vec::new();
    for case in &fixture.case {
        let format = Format::from_name(&case.format).unwrap_or(Format::Plain);
        let rules = if case.page { &all } else { &sentence };
        let findings = lint_str(rules, &case.text, format);
        let found = findings
            .iter()
            .map(|f| format!("{} {} {:?}", f.rule, f.severity, f.matched))
            .collect::<Vec<_>>()
            .join(", ");
        let against_expect = problems(case, &findings, &case.expect);
        match (&case.known, &case.today) {
            (Some(known), Some(today)) => {
                if against_expect.is_empty() {
                    failures.push(format!(
                        "case {} ({}): marked `{known}` but now gives the expected result: \
                         remove `known` and `today`",
                        case.id, case.why
                    ));
                }
                let against_today = problems(case, &findings, today);
                if !against_today.is_empty() {
                    failures.push(format!(
                        "case {} ({}): today's recorded result changed: {}\n    findings: [{found}]",
                        case.id,
                        case.why,
                        against_today.join("; ")
                    ));
                }
            }
            _ if !against_expect.is_empty() => failures.push(format!(
                "case {} ({}): {}\n    findings: [{found}]",
                case.id,
                case.why,
                against_expect.join("; ")
            )),
            _ => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} edge cases failed:\n{}",
        failures.len(),
        fixture.case.len(),
        failures.join("\n")
    );
}

#[test]
fn a_page_case_sees_the_page_level_rules_a_sentence_case_does_not() {
    // The page/sentence split is what makes the exact sentence expectations meaningful: the same
    // one-line claim trips fair-balance as a page and not as a sentence.
    let all = Ruleset::default_rules().expect("the default rules load");
    let sentence = sentence_rules(&all);
    let text = "Ketamine has no side effects.";
    let as_page: Vec<String> = lint_str(&all, text, Format::Plain)
        .into_iter()
        .map(|f| f.rule)
        .collect();
    let as_sentence: Vec<String> = lint_str(&sentence, text, Format::Plain)
        .into_iter()
        .map(|f| f.rule)
        .collect();
    assert!(as_page.contains(&"fair-balance".to_owned()), "{as_page:?}");
    assert_eq!(as_sentence, vec!["safety-absolute".to_owned()]);
}
