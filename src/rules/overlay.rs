//! Ruleset overlays: the `ruleset.toml` manifest a ruleset directory may hold, which names the
//! rulesets it extends and adjusts their rules (severity, on/off, extra references, advice, extra
//! examples) without copying them; turning the requested rulesets into a load order in which
//! every ruleset comes after what it extends, once; and applying the adjustments.
//!
//! A jurisdiction mostly differs from `core` in references, severities and a few extra rules
//! (design/regulatory.md §4), so an overlay holds only those differences and `core` stays the
//! one place where the detectors live.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::spec::ExampleSpec;
use super::{Rule, RuleFile, RulesetError, builtin, compile_examples, parse_toml};
use crate::diagnostic::SourceError;
use crate::finding::Severity;

/// The file name that makes a ruleset an overlay.
pub const MANIFEST_NAME: &str = "ruleset.toml";

/// `ruleset.toml`: what a ruleset extends and how it adjusts the rules it inherits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ManifestSpec {
    /// One line saying what the ruleset is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Rulesets loaded first (`"core"` or `["core", ...]`); their rules can be adjusted here.
    #[serde(default)]
    pub extends: Option<Spanned<Extends>>,
    /// Adjustments by rule id: `[rules.fear-appeal]`.
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, RuleOverrideSpec>,
}

/// `extends = "core"` or `extends = ["core", "other"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Extends {
    One(String),
    Many(Vec<String>),
}

impl Extends {
    pub fn names(&self) -> Vec<String> {
        match self {
            Extends::One(n) => vec![n.clone()],
            Extends::Many(ns) => ns.clone(),
        }
    }
}

/// How an overlay adjusts one inherited rule. Every key is optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleOverrideSpec {
    /// The rule's severity; like a config `[severity]` entry it also replaces the severities of
    /// single patterns, so every finding of the rule starts here.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Turns the rule on or off.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// References appended to the rule's own.
    #[serde(default)]
    pub references: Vec<String>,
    /// Replaces the balanced wording shown as `help`.
    #[serde(default)]
    pub instead: Option<String>,
    /// Examples that run with this ruleset loaded (to test the adjusted behaviour).
    #[serde(default, rename = "example")]
    pub examples: Vec<ExampleSpec>,
}

/// What one overlay changed in one rule, for `explain` and `rules`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverlayChange {
    /// The overlay's ruleset name.
    pub ruleset: String,
    /// Human notes: "severity raised from info to warning", "3 references added".
    pub changes: Vec<String>,
}

/// A loaded ruleset's name and manifest facts, for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesetInfo {
    pub name: String,
    pub description: Option<String>,
    pub extends: Vec<String>,
    /// A ruleset read from disk: its files `(path, text)` as they were loaded, in path order
    /// (reports hash these, not the files as they may be by the time a report is written).
    /// Empty for an embedded ruleset, whose files the binary holds.
    pub loaded_files: Vec<(String, String)>,
}

/// A manifest with the file it came from (errors point into it).
pub(crate) struct Manifest {
    pub file: RuleFile,
    pub spec: ManifestSpec,
}

/// One ruleset ready to compile.
pub(crate) struct SetSource {
    pub name: String,
    pub manifest: Option<Manifest>,
    pub lexicons: Vec<RuleFile>,
    pub rules: Vec<RuleFile>,
    /// This ruleset and everything it extends, directly or not: the rules its manifest may
    /// adjust. Fixed by the manifest alone, so an overlay is valid or not whatever else loads.
    pub lineage: Vec<String>,
}

impl SetSource {
    pub fn info(&self) -> RulesetInfo {
        let spec = self.manifest.as_ref().map(|m| &m.spec);
        RulesetInfo {
            name: self.name.clone(),
            description: spec.and_then(|s| s.description.clone()),
            extends: spec
                .and_then(|s| s.extends.as_ref())
                .map(|e| e.get_ref().names())
                .unwrap_or_default(),
            loaded_files: self.loaded_files(),
        }
    }

    /// The files of a ruleset that was not embedded, `(path, text)` in path order.
    fn loaded_files(&self) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = self
            .manifest
            .iter()
            .map(|m| &m.file)
            .chain(&self.lexicons)
            .chain(&self.rules)
            .filter(|f| !f.embedded)
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect();
        files.sort();
        files
    }
}

/// The rulesets to compile, each after the rulesets it extends and each once.
#[derive(Default)]
pub(crate) struct LoadPlan {
    pub sets: Vec<SetSource>,
}

/// Where a ruleset was asked for by an `extends`, so errors can point there.
struct ExtendsSite<'a> {
    file: &'a RuleFile,
    span: Range<usize>,
}

impl LoadPlan {
    /// Adds an embedded ruleset (and what it extends).
    pub fn add_builtin(&mut self, name: &str) -> Result<(), RulesetError> {
        let files = builtin::get(name).ok_or_else(|| RulesetError::UnknownRuleset(name.into()))?;
        self.add(name, embedded_files(files), None, &mut Vec::new())
            .map(|_| ())
    }

    /// Adds a ruleset read from disk (or memory) under `name` (and what it extends).
    pub fn add_user(&mut self, name: String, files: Vec<RuleFile>) -> Result<(), RulesetError> {
        self.add(&name, files, None, &mut Vec::new()).map(|_| ())
    }

    /// Adds a ruleset after its parents; returns its lineage. `stack` holds the rulesets being
    /// added further up, to report a cycle instead of recursing forever.
    fn add(
        &mut self,
        name: &str,
        files: Vec<RuleFile>,
        site: Option<ExtendsSite>,
        stack: &mut Vec<String>,
    ) -> Result<Vec<String>, RulesetError> {
        if let Some(done) = self.sets.iter().find(|s| s.name == name) {
            return Ok(done.lineage.clone());
        }
        if stack.iter().any(|s| s == name) {
            let chain = format!("{} -> {name}", stack.join(" -> "));
            return Err(match site {
                Some(s) => SourceError::new(
                    &s.file.path,
                    &s.file.text,
                    Some(s.span),
                    format!("rulesets extend each other in a cycle: {chain}"),
                )
                .into(),
                None => RulesetError::UnknownRuleset(name.into()),
            });
        }
        let mut manifest = None;
        let mut lexicons = Vec::new();
        let mut rules = Vec::new();
        for file in files {
            match file_name(&file.path) {
                MANIFEST_NAME => manifest = Some(file),
                "lexicon.toml" => lexicons.push(file),
                _ => rules.push(file),
            }
        }
        let manifest = match manifest {
            Some(file) => {
                let spec: ManifestSpec = parse_toml(&file)?;
                Some(Manifest { file, spec })
            }
            None => None,
        };
        let mut lineage = vec![name.to_owned()];
        if let Some(m) = &manifest
            && let Some(extends) = &m.spec.extends
        {
            stack.push(name.to_owned());
            for parent in extends.get_ref().names() {
                let site = ExtendsSite {
                    file: &m.file,
                    span: extends.span(),
                };
                let Some(parent_files) = builtin::get(&parent) else {
                    return Err(SourceError::new(
                        &m.file.path,
                        &m.file.text,
                        Some(site.span),
                        format!(
                            "unknown ruleset `{parent}` in `extends` (built-in rulesets: {})",
                            builtin::NAMES.join(", ")
                        ),
                    )
                    .into());
                };
                for n in self.add(&parent, embedded_files(parent_files), Some(site), stack)? {
                    if !lineage.contains(&n) {
                        lineage.push(n);
                    }
                }
            }
            stack.pop();
        }
        self.sets.push(SetSource {
            name: name.to_owned(),
            manifest,
            lexicons,
            rules,
            lineage: lineage.clone(),
        });
        Ok(lineage)
    }
}

fn embedded_files(files: &[(&str, &str)]) -> Vec<RuleFile> {
    files
        .iter()
        .map(|(path, text)| RuleFile {
            path: (*path).to_owned(),
            text: (*text).to_owned(),
            embedded: true,
        })
        .collect()
}

/// The last component of a `/`- or `\`-separated path.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Applies a ruleset's manifest to the rules it may adjust. Run after every rule is compiled and
/// before config selections and `[severity]`, so the user's config has the last word.
pub(crate) fn apply(rules: &mut [Rule], set: &SetSource) -> Result<(), SourceError> {
    let Some(m) = &set.manifest else {
        return Ok(());
    };
    let in_lineage = |r: &Rule| set.lineage.contains(&r.ruleset);
    for (key, ov) in &m.spec.rules {
        let id = key.get_ref();
        let Some(rule) = rules.iter_mut().find(|r| &r.id == id && in_lineage(r)) else {
            let known: Vec<&str> = rules
                .iter()
                .filter(|r| in_lineage(r))
                .map(|r| r.id.as_str())
                .collect();
            let mut err = SourceError::new(
                &m.file.path,
                &m.file.text,
                Some(key.span()),
                format!(
                    "unknown rule `{id}` in [rules]: ruleset `{}` can only adjust rules of {}",
                    set.name,
                    set.lineage.join(", ")
                ),
            );
            if let Some(close) = crate::config::did_you_mean(id, known) {
                err = err.with_note(format!("did you mean `{close}`?"));
            }
            return Err(err);
        };
        let mut changes = Vec::new();
        if let Some(severity) = ov.severity {
            let from = rule.severity;
            changes.push(match severity.cmp(&from) {
                std::cmp::Ordering::Greater => format!("severity raised from {from} to {severity}"),
                std::cmp::Ordering::Less => format!("severity lowered from {from} to {severity}"),
                std::cmp::Ordering::Equal => format!("severity {severity} for every pattern"),
            });
            rule.severity = severity;
            for p in &mut rule.patterns {
                p.severity = None;
            }
        }
        if let Some(enabled) = ov.enabled
            && enabled != rule.enabled
        {
            changes.push(if enabled { "turned on" } else { "turned off" }.to_owned());
            rule.enabled = enabled;
        }
        let before = rule.docs.references.len();
        let mut references = rule.docs.references.to_vec();
        for r in &ov.references {
            if !references.contains(r) {
                references.push(r.clone());
            }
        }
        rule.docs.references = references.into();
        match rule.docs.references.len() - before {
            0 => {}
            1 => changes.push("1 reference added".to_owned()),
            n => changes.push(format!("{n} references added")),
        }
        if let Some(instead) = &ov.instead {
            rule.docs.instead = instead.clone();
            changes.push("advice (`instead`) replaced".to_owned());
        }
        let examples = compile_examples(&m.file, id, &ov.examples, &set.name)?;
        match examples.len() {
            0 => {}
            1 => changes.push("1 example added".to_owned()),
            n => changes.push(format!("{n} examples added")),
        }
        rule.examples.extend(examples);
        rule.overlays.push(OverlayChange {
            ruleset: set.name.clone(),
            changes,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Ruleset, RulesetOptions};

    const RULE: &str = r#"
id = "demo"
severity = "info"
summary = "A demo."
why = "w"
instead = "i"
references = ["core ref"]

[[pattern]]
kind = "phrases"
phrases = ["glorp"]
message = "`{matched}` demo"

[[pattern]]
kind = "phrases"
phrases = ["flumox"]
severity = "warning"
message = "`{matched}` demo"
"#;

    fn load(manifest: &str) -> Result<Ruleset, RulesetError> {
        Ruleset::from_files(
            &[("x/demo.toml", RULE), ("x/ruleset.toml", manifest)],
            &RulesetOptions::default(),
        )
    }

    fn source_error(r: Result<Ruleset, RulesetError>) -> SourceError {
        match r {
            Err(RulesetError::Source(e)) => e,
            Err(e) => panic!("expected a located error, got {e}"),
            Ok(_) => panic!("expected an error"),
        }
    }

    #[test]
    fn an_override_sets_severity_for_every_pattern_and_appends_references() {
        let rs = load(
            "[rules.demo]\nseverity = \"error\"\nreferences = [\"uk ref\", \"core ref\"]\ninstead = \"new\"\n",
        )
        .unwrap();
        let rule = rs.rule("demo").unwrap();
        assert_eq!(rule.severity, Severity::Error);
        assert!(rule.patterns.iter().all(|p| p.severity.is_none()));
        assert_eq!(&rule.docs.references[..], ["core ref", "uk ref"]);
        assert_eq!(rule.docs.instead, "new");
        assert_eq!(
            rule.overlays[0].changes,
            [
                "severity raised from info to error",
                "1 reference added",
                "advice (`instead`) replaced"
            ]
        );
    }

    #[test]
    fn config_severity_wins_over_the_overlay() {
        let rs = Ruleset::from_files(
            &[
                ("x/demo.toml", RULE),
                ("x/ruleset.toml", "[rules.demo]\nseverity = \"error\"\n"),
            ],
            &RulesetOptions {
                severity: [("demo".to_owned(), Severity::Info)].into(),
                ..RulesetOptions::default()
            },
        )
        .unwrap();
        assert_eq!(rs.rule("demo").unwrap().severity, Severity::Info);
    }

    #[test]
    fn an_unknown_rule_points_at_its_key_and_suggests_a_close_one() {
        let e = source_error(load("[rules.dmeo]\nseverity = \"error\"\n"));
        assert_eq!(e.line_col(), Some((1, 8)), "{e}");
        assert!(e.message.contains("unknown rule `dmeo`"), "{e}");
        assert_eq!(e.note.as_deref(), Some("did you mean `demo`?"));
    }

    #[test]
    fn an_unknown_key_points_at_its_line_and_column() {
        let e = source_error(load("[rules.demo]\nseverty = \"error\"\n"));
        assert_eq!(e.line_col(), Some((2, 1)), "{e}");
        assert!(e.message.contains("severty"), "{e}");
        let e = source_error(load("descripton = \"x\"\n"));
        assert_eq!(e.line_col(), Some((1, 1)), "{e}");
    }

    #[test]
    fn an_unknown_parent_points_at_extends() {
        let e = source_error(load("extends = \"nowhere\"\n"));
        assert_eq!(e.line_col(), Some((1, 11)), "{e}");
        assert!(e.message.contains("unknown ruleset `nowhere`"), "{e}");
    }

    #[test]
    fn overlay_examples_are_validated_like_rule_examples() {
        let e = source_error(load(
            "[[rules.demo.example]]\ntext = \"glorp\"\nexpect = [\"demo\"]\nformat = \"docx\"\n",
        ));
        assert_eq!(e.line_col(), Some((4, 10)), "{e}");
        let rs = load("[[rules.demo.example]]\ntext = \"glorp\"\nexpect = [\"demo\"]\n").unwrap();
        let ex = rs.rule("demo").unwrap().examples.last().unwrap();
        assert_eq!(
            (ex.text.as_str(), ex.ruleset.as_str()),
            ("glorp", "<memory>")
        );
    }

    #[test]
    fn extending_core_loads_it_first_and_once() {
        let rs = Ruleset::from_files(
            &[(
                "x/ruleset.toml",
                "extends = [\"core\", \"core\"]\n[rules.hype]\nenabled = false\n",
            )],
            &RulesetOptions::default(),
        )
        .unwrap();
        assert_eq!(rs.names, ["core", "<memory>"]);
        assert!(!rs.rule("hype").unwrap().enabled);
        assert_eq!(rs.rule("hype").unwrap().ruleset, "core");
    }
}
