//! Meta-tests: conventions of the rule data that no single rule test would notice. Ids match the
//! taxonomy and their file names, docs are filled in, every rule has firing and non-firing
//! examples, messages follow the house style, and phrase lists are lowercase, sorted and unique.

use std::collections::BTreeSet;

use claimlint::rules::spec::{LexiconSpec, RuleSpec, Scope};
use claimlint::rules::{Ruleset, RulesetOptions, builtin};

/// The claim categories of `design/taxonomy.md`: every one needs a rule in an embedded ruleset
/// (all in `core` except jurisdiction-only ones such as `pom-promotion`, in `uk-cap`).
const TAXONOMY: &[&str] = &[
    "efficacy-rate",
    "unsourced-statistic",
    "safety-absolute",
    "addiction-denial",
    "risk-minimization",
    "cure-guarantee",
    "establishment-claim",
    "speed-claim",
    "comparative-superiority",
    "universality",
    "mechanism-overclaim",
    "testimonial-popularity",
    "regulatory-status",
    "suicidality-claim",
    "discourage-care",
    "fear-appeal",
    "evidence-mismatch",
    "hype",
    "pom-promotion",
    "fair-balance",
    "suicide-safe-messaging",
    "off-label-disclosure",
];

fn rule_files() -> Vec<(&'static str, RuleSpec)> {
    builtin::SETS
        .iter()
        .flat_map(|(_, files)| files.iter())
        .filter(|(path, _)| !path.ends_with("lexicon.toml") && !path.ends_with("/ruleset.toml"))
        .map(|(path, text)| {
            (
                *path,
                toml::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}")),
            )
        })
        .collect()
}

#[test]
fn every_taxonomy_category_has_a_rule() {
    let mut rules = Vec::new();
    for set in builtin::NAMES {
        let loaded = Ruleset::load(&RulesetOptions {
            builtin: vec![(*set).to_owned()],
            ..RulesetOptions::default()
        })
        .unwrap_or_else(|e| panic!("{set} loads: {e}"));
        rules.extend(loaded.rules);
    }
    let ids: BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let missing: Vec<_> = TAXONOMY.iter().filter(|t| !ids.contains(*t)).collect();
    assert!(missing.is_empty(), "categories without a rule: {missing:?}");
    for r in &rules {
        assert!(
            TAXONOMY.contains(&r.category.as_str()),
            "{}: category {} is not in the taxonomy",
            r.id,
            r.category
        );
    }
}

#[test]
fn embedded_rulesets_match_the_directory() {
    let mut on_disk = BTreeSet::new();
    for entry in walk(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rulesets"
    ))) {
        let rel = entry
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .trim_start_matches('/')
            .to_owned();
        if rel.ends_with(".toml") && !rel.starts_with("rulesets/data/") {
            on_disk.insert(rel);
        }
    }
    let embedded: BTreeSet<String> = builtin::SETS
        .iter()
        .flat_map(|(_, f)| f.iter())
        .map(|(p, _)| (*p).to_owned())
        .collect();
    assert_eq!(embedded, on_disk);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn rule_docs_are_complete() {
    for (path, spec) in rule_files() {
        let id = spec.id.get_ref();
        assert!(
            !spec.summary.trim().is_empty() && spec.summary.ends_with('.'),
            "{path}: summary is a sentence"
        );
        assert!(!spec.why.trim().is_empty(), "{path}: why");
        assert!(!spec.instead.trim().is_empty(), "{path}: instead");
        assert!(!spec.references.is_empty(), "{path}: references");
        for bad in ["avoid-", "no-", "use-", "prefer-", "consider-"] {
            assert!(
                !id.starts_with(bad),
                "{path}: rule ids name the risk, not the fix"
            );
        }
    }
}

#[test]
fn every_rule_has_firing_and_non_firing_examples_of_itself() {
    for (path, spec) in rule_files() {
        let id = spec.id.get_ref();
        let firing = spec
            .examples
            .iter()
            .filter(|e| !e.expect.is_empty())
            .count();
        let quiet = spec.examples.iter().filter(|e| e.expect.is_empty()).count();
        assert!(
            firing >= 1 && quiet >= 1,
            "{path}: {firing} firing and {quiet} non-firing examples"
        );
        for e in &spec.examples {
            assert!(
                e.expect.iter().all(|x| x == id),
                "{path}: example {:?} expects another rule",
                e.text
            );
        }
    }
}

fn message_ok(m: &str) -> bool {
    m.chars().next().is_some_and(|c| !c.is_uppercase())
        && !m.ends_with('.')
        && m.contains("{matched}")
}

#[test]
fn messages_are_lowercase_without_a_period_and_name_the_match() {
    for (path, spec) in rule_files() {
        for p in &spec.patterns {
            assert!(message_ok(&p.message), "{path}: message {:?}", p.message);
        }
        if spec.scope == Scope::Document {
            let d = spec
                .document
                .as_ref()
                .expect("document rules have [document]");
            assert!(message_ok(&d.message), "{path}: message {:?}", d.message);
        }
    }
}

fn assert_normalised(what: &str, list: &[String]) {
    for w in list {
        assert_eq!(w, &w.to_lowercase(), "{what}: {w:?} is not lowercase");
        assert_eq!(w, w.trim(), "{what}: {w:?} has outer spaces");
    }
    let mut sorted = list.to_vec();
    sorted.sort();
    sorted.dedup();
    assert_eq!(list, &sorted[..], "{what}: not sorted and deduplicated");
}

#[test]
fn phrase_lists_are_lowercase_sorted_and_unique() {
    for (path, spec) in rule_files() {
        for (i, p) in spec.patterns.iter().enumerate() {
            let phrases: Vec<String> = p.phrases.iter().map(|s| s.get_ref().clone()).collect();
            assert_normalised(&format!("{path} pattern {i}"), &phrases);
        }
    }
    for (_, files) in builtin::SETS {
        for (path, text) in files.iter().filter(|(p, _)| p.ends_with("lexicon.toml")) {
            let lex: LexiconSpec = toml::from_str(text).unwrap();
            for (name, list) in &lex.lists {
                assert_normalised(&format!("{path} [lists] {name}"), list);
            }
        }
    }
}
