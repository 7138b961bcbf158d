//! Rules: loading ruleset TOML (embedded defaults and user files), validating it with errors that
//! point at file, line and column, and compiling the enabled rules into one `Matcher`. Overlays
//! (`ruleset.toml` manifests that extend and adjust other rulesets) live in `overlay`.
//!
//! The rulesets directory is the registry: a rule is a data file, and code only implements the
//! kinds (`phrases`, `regex`, `document`) and the context evaluators.

pub mod builtin;
pub mod citations;
pub mod context;
pub mod data;
pub mod document;
pub(crate) mod gate;
pub(crate) mod literals;
pub mod matcher;
pub mod overlay;
pub(crate) mod regex_reading;
pub mod spec;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostic::SourceError;
use crate::extract::Format;
use crate::finding::Severity;
use matcher::{Matcher, TermList};
pub use overlay::{OverlayChange, RulesetInfo};
pub use spec::{ContextSpec, Effect, Scope};
use spec::{ExampleSpec, LexiconSpec, PatternKind, RuleSpec};
use toml::Spanned;

/// Human documentation of a rule.
#[derive(Clone, Debug)]
pub struct RuleDocs {
    pub summary: String,
    pub why: String,
    pub instead: String,
    /// Shared with every finding of the rule, as `references` is.
    pub citation_hint: Option<std::sync::Arc<str>>,
    /// Shared with every finding of the rule (a finding holds them, and a big tree has hundreds
    /// of thousands of findings).
    pub references: std::sync::Arc<[String]>,
}

/// A firing or non-firing example of a rule.
#[derive(Clone, Debug)]
pub struct Example {
    pub text: String,
    pub expect: Vec<String>,
    pub severity: Option<Severity>,
    pub span: Option<String>,
    pub format: Format,
    pub known: Option<String>,
    /// The ruleset that supplied the example; it runs as a test with that ruleset loaded (an
    /// overlay's examples of a `core` rule test the overlay's adjustments).
    pub ruleset: String,
}

/// One way a rule matches, after compilation.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub message: String,
    pub severity: Option<Severity>,
    /// Indices into `Ruleset::term_lists`; the sentence must contain one of them.
    pub with: Vec<usize>,
    /// Indices into `Ruleset::term_lists`; the sentence must contain none of them.
    pub without: Vec<usize>,
}

/// A compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub category: String,
    /// Severity after config overrides.
    pub severity: Severity,
    /// Whether this run checks the rule.
    pub enabled: bool,
    pub scope: Scope,
    pub docs: RuleDocs,
    pub context: ContextSpec,
    pub examples: Vec<Example>,
    /// The file that defines it.
    pub origin: String,
    /// The ruleset that defines it (`core`, `uk-cap`, or a user path).
    pub ruleset: String,
    /// What overlays changed, in the order they applied.
    pub overlays: Vec<OverlayChange>,
    pub patterns: Vec<Pattern>,
    /// Document rules: categories whose findings trigger it, term lists that satisfy it, message.
    pub document: Option<DocumentRule>,
}

#[derive(Clone, Debug)]
pub struct DocumentRule {
    pub trigger_categories: Vec<String>,
    pub satisfied_by: Vec<usize>,
    /// Term lists that satisfy the rule only as a heading with a section under it.
    pub satisfied_by_heading: Vec<usize>,
    /// `satisfied_by` and `satisfied_by_heading` together, a bit per list index: the first
    /// test on each of a page's cues (a page has one every few words).
    pub satisfying_lists: Vec<u64>,
    /// Term lists that undo a satisfying term next to them ("no side effects").
    pub denied_by: Vec<usize>,
    /// Also triggered by the approved-uses data (`rulesets/data/approvals.toml`).
    pub unapproved_use: bool,
    pub message: String,
}

/// Which rulesets to load and how to adjust their rules.
#[derive(Clone, Debug, Default)]
pub struct RulesetOptions {
    /// Names of embedded rulesets (`core`, `uk-cap`). Empty means `core`. A ruleset brings in
    /// what it extends, so `uk-cap` alone loads `core` too.
    pub builtin: Vec<String>,
    /// User ruleset files or directories of `*.toml` rule files.
    pub paths: Vec<PathBuf>,
    /// Rule ids (or categories) to turn on, also rules that are off by default.
    pub enable: Vec<String>,
    /// Rule ids (or categories) to turn off.
    pub disable: Vec<String>,
    /// Only these rules run (used by example tests and `--rule`); empty means all enabled.
    pub only: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
}

/// Why rulesets could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RulesetError {
    #[error("{0}")]
    Source(#[from] SourceError),
    #[error("cannot read ruleset {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("unknown ruleset `{0}` (built-in rulesets: {list})", list = builtin::NAMES.join(", "))]
    UnknownRuleset(String),
    #[error("unknown rule `{id}` in {setting}")]
    UnknownRule { id: String, setting: String },
}

/// All loaded rules plus the compiled matcher for the enabled ones. Built once per run.
#[derive(Debug)]
pub struct Ruleset {
    pub rules: Vec<Rule>,
    /// Named term lists (lexicon lists and ad-hoc terms of `with`/`without`/`satisfied-by`).
    pub term_lists: Vec<TermList>,
    pub abbreviations: crate::text::Abbreviations,
    pub(crate) matcher: Matcher,
    /// Where the context evaluators' lists are in `term_lists`.
    pub(crate) cue_lists: context::CueLists,
    /// The `@citation-domains` list: hosts of study, journal and agency pages.
    pub(crate) citation_domains: usize,
    /// The fact tables of `rulesets/data/` and where their phrases are in `term_lists`.
    pub data: data::Data,
    pub(crate) data_lists: data::DataLists,
    /// Names of the loaded rulesets in load order (a ruleset after what it extends), for reports.
    pub names: Vec<String>,
    /// The loaded rulesets with their descriptions and parents, in the order of `names`.
    pub sets: Vec<RulesetInfo>,
}

/// A file's name and text, from the binary or from disk.
pub(crate) struct RuleFile {
    pub path: String,
    pub text: String,
    /// Built into the binary: its regexes are checked by the test suite, so loading skips the
    /// size-limit compile that guards user files (a large part of start-up otherwise).
    pub embedded: bool,
}

impl Ruleset {
    /// The embedded `core` ruleset with every default-enabled rule.
    pub fn default_rules() -> Result<Ruleset, RulesetError> {
        Ruleset::load(&RulesetOptions::default())
    }

    /// Loads the embedded rulesets named in `opts` (each after what it extends, each once), then
    /// the user rulesets, applies overlays and then the config's selections and severities.
    pub fn load(opts: &RulesetOptions) -> Result<Ruleset, RulesetError> {
        let mut plan = overlay::LoadPlan::default();
        if opts.builtin.is_empty() {
            plan.add_builtin("core")?;
        }
        for name in &opts.builtin {
            plan.add_builtin(name)?;
        }
        for path in &opts.paths {
            plan.add_user(path.display().to_string(), read_user_ruleset(path)?)?;
        }
        Ruleset::compile(plan, opts)
    }

    /// Builds a ruleset from in-memory files `(path, text)`; a path ending in `lexicon.toml` is a
    /// lexicon and one ending in `ruleset.toml` a manifest (which may extend embedded rulesets).
    /// Used by tests and by tools that generate rules.
    pub fn from_files(
        files: &[(&str, &str)],
        opts: &RulesetOptions,
    ) -> Result<Ruleset, RulesetError> {
        let files = files
            .iter()
            .map(|(path, text)| RuleFile {
                path: (*path).to_owned(),
                text: (*text).to_owned(),
                embedded: false,
            })
            .collect();
        let mut plan = overlay::LoadPlan::default();
        plan.add_user("<memory>".to_owned(), files)?;
        Ruleset::compile(plan, opts)
    }

    fn compile(plan: overlay::LoadPlan, opts: &RulesetOptions) -> Result<Ruleset, RulesetError> {
        let names: Vec<String> = plan.sets.iter().map(|s| s.name.clone()).collect();
        let sets: Vec<RulesetInfo> = plan.sets.iter().map(overlay::SetSource::info).collect();
        let mut lists: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut abbreviations = Vec::new();
        for file in plan.sets.iter().flat_map(|s| &s.lexicons) {
            let spec: LexiconSpec = parse_toml(file)?;
            abbreviations.extend(spec.abbreviations);
            for (name, terms) in spec.lists {
                lists.entry(name).or_default().extend(terms);
            }
        }
        let data = data::Data::builtin()?;
        data.extend_lexicon(&mut lists);
        let mut registry = TermRegistry::new(lists);
        let data_lists = data.register(&mut registry)?;
        let mut rules = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut sources = PatternSources::default();
        let rule_files: Vec<_> = plan
            .sets
            .iter()
            .flat_map(|s| s.rules.iter().map(move |f| (s, f)))
            .collect();
        // Parsing the rule files' TOML is a tenth of start-up: do it on every core, then go
        // through the files in order, so the first error reported is still the first file's.
        let specs: Vec<Result<RuleSpec, SourceError>> = rule_files
            .par_iter()
            .map(|(_, file)| parse_toml(file))
            .collect();
        for ((set, file), spec) in rule_files.into_iter().zip(specs) {
            let spec = spec?;
            if let Some(first) = seen.insert(spec.id.get_ref().clone(), file.path.clone()) {
                return Err(SourceError::new(
                    &file.path,
                    &file.text,
                    Some(spec.id.span()),
                    format!(
                        "duplicate rule id `{}` (already defined in {first})",
                        spec.id.get_ref()
                    ),
                )
                .into());
            }
            let rule = compile_rule(
                file,
                &set.name,
                spec,
                &mut registry,
                &mut sources,
                rules.len(),
            )?;
            rules.push(rule);
        }
        for set in &plan.sets {
            overlay::apply(&mut rules, set)?;
        }
        apply_options(&mut rules, opts)?;
        for rule in &mut rules {
            rule.docs.instead = data.expand(&rule.docs.instead);
        }
        let cue_lists = context::CueLists {
            hedges: registry.list("hedges"),
            negators: registry.list("negators"),
            absolutes: registry.list("absolutes"),
            citation_cues: registry.list("citation-cues"),
            named_sources: registry.list("named-sources"),
            risk_headings: registry.list("risk-headings"),
            first_person: registry.list("first-person"),
            treatments: registry.list("treatments"),
        };
        let citation_domains = registry.list("citation-domains");
        let term_lists = registry.into_lists();
        let matcher = Matcher::new(&rules, &sources, &term_lists);
        Ok(Ruleset {
            rules,
            term_lists,
            abbreviations: if abbreviations.is_empty() {
                crate::text::Abbreviations::default()
            } else {
                crate::text::Abbreviations::new(&abbreviations)
            },
            matcher,
            cue_lists,
            citation_domains,
            data,
            data_lists,
            names,
            sets,
        })
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Enabled rules.
    pub fn enabled(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|r| r.enabled)
    }

    /// Every phrase (with its variants) of the enabled rules, lowercased, sorted, deduplicated.
    pub fn export_phrases(&self) -> Vec<String> {
        self.matcher.phrase_list()
    }
}

fn read_user_ruleset(path: &Path) -> Result<Vec<RuleFile>, RulesetError> {
    let io = |error| RulesetError::Io {
        path: path.display().to_string(),
        error,
    };
    let mut paths = Vec::new();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).map_err(io)? {
            let p = entry.map_err(io)?.path();
            if p.extension().is_some_and(|e| e == "toml") {
                paths.push(p);
            }
        }
        paths.sort();
    } else {
        paths.push(path.to_path_buf());
    }
    let mut files = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|error| RulesetError::Io {
            path: p.display().to_string(),
            error,
        })?;
        files.push(RuleFile {
            path: p.display().to_string(),
            text,
            embedded: false,
        });
    }
    Ok(files)
}

pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &RuleFile,
) -> Result<T, SourceError> {
    toml::from_str(&file.text)
        .map_err(|e| SourceError::new(&file.path, &file.text, e.span(), e.message().trim()))
}

/// Phrases and regexes of every rule, waiting for the matcher.
#[derive(Default)]
pub(crate) struct PatternSources {
    pub phrases: Vec<PhraseSource>,
    pub regexes: Vec<RegexSource>,
}

/// A phrase of a rule pattern.
pub(crate) struct PhraseSource {
    pub rule: usize,
    pub pattern: usize,
    pub phrase: String,
}

/// A regex of a rule pattern.
pub(crate) struct RegexSource {
    pub rule: usize,
    pub pattern: usize,
    pub regex: String,
}

/// Interns term lists so that `@hedges` and ad-hoc terms get stable indices.
struct TermRegistry {
    lexicon: BTreeMap<String, Vec<String>>,
    lists: Vec<TermList>,
    by_name: BTreeMap<String, usize>,
}

impl TermRegistry {
    fn new(lexicon: BTreeMap<String, Vec<String>>) -> Self {
        let mut reg = TermRegistry {
            lexicon: BTreeMap::new(),
            lists: Vec::new(),
            by_name: BTreeMap::new(),
        };
        for (name, terms) in &lexicon {
            reg.intern(format!("@{name}"), terms.clone());
        }
        reg.lexicon = lexicon;
        reg
    }

    fn intern(&mut self, name: String, terms: Vec<String>) -> usize {
        if let Some(&i) = self.by_name.get(&name) {
            return i;
        }
        let i = self.lists.len();
        self.lists.push(TermList {
            name: name.clone(),
            terms,
        });
        self.by_name.insert(name, i);
        i
    }

    /// Resolves `@name` to a lexicon list, anything else to a one-term list.
    fn resolve(&mut self, term: &str) -> Result<usize, String> {
        if let Some(name) = term.strip_prefix('@') {
            return self.by_name.get(term).copied().ok_or_else(|| {
                format!(
                    "unknown lexicon list `@{name}` (known: {})",
                    self.lexicon
                        .keys()
                        .map(|k| format!("@{k}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        }
        Ok(self.intern(term.to_lowercase(), vec![term.to_lowercase()]))
    }

    /// Index of a named lexicon list, creating an empty one when the lexicon lacks it.
    fn list(&mut self, name: &str) -> usize {
        let key = format!("@{name}");
        match self.by_name.get(&key) {
            Some(&i) => i,
            None => self.intern(key, Vec::new()),
        }
    }

    fn into_lists(self) -> Vec<TermList> {
        self.lists
    }
}

fn compile_rule(
    file: &RuleFile,
    ruleset: &str,
    spec: RuleSpec,
    registry: &mut TermRegistry,
    sources: &mut PatternSources,
    rule_index: usize,
) -> Result<Rule, SourceError> {
    let err = |span: Option<Range<usize>>, msg: String| {
        SourceError::new(&file.path, &file.text, span, msg)
    };
    let id = spec.id.get_ref().clone();
    let id_span = spec.id.span();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(err(
            Some(id_span),
            format!("rule id `{id}` must be kebab-case (a-z, 0-9, -)"),
        ));
    }
    let stem = Path::new(&file.path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem != id {
        return Err(err(
            Some(id_span),
            format!("rule id `{id}` does not match its file name `{stem}.toml`"),
        ));
    }
    let mut patterns = Vec::new();
    for (pi, p) in spec.patterns.into_iter().enumerate() {
        let resolve = |registry: &mut TermRegistry,
                       terms: &[Spanned<String>]|
         -> Result<Vec<usize>, SourceError> {
            terms
                .iter()
                .map(|t| {
                    registry
                        .resolve(t.get_ref())
                        .map_err(|m| err(Some(t.span()), format!("rule `{id}`: {m}")))
                })
                .collect()
        };
        let with = resolve(registry, &p.with)?;
        let without = resolve(registry, &p.without)?;
        match p.kind {
            PatternKind::Phrases => {
                if p.phrases.is_empty() {
                    return Err(err(
                        Some(id_span.clone()),
                        format!(
                            "rule `{id}`: a `phrases` pattern needs a non-empty `phrases` list"
                        ),
                    ));
                }
                if let Some(r) = &p.regex {
                    return Err(err(
                        Some(r.span()),
                        format!("rule `{id}`: a `phrases` pattern cannot have a `regex`"),
                    ));
                }
                for phrase in &p.phrases {
                    if phrase.get_ref().trim().is_empty() {
                        return Err(err(
                            Some(phrase.span()),
                            format!("rule `{id}`: empty phrase"),
                        ));
                    }
                    sources.phrases.push(PhraseSource {
                        rule: rule_index,
                        pattern: pi,
                        phrase: phrase.get_ref().clone(),
                    });
                }
            }
            PatternKind::Regex => {
                let Some(r) = p.regex else {
                    return Err(err(
                        Some(id_span.clone()),
                        format!("rule `{id}`: a `regex` pattern needs a `regex`"),
                    ));
                };
                let checked = if file.embedded {
                    Ok(())
                } else {
                    matcher::build_regex(r.get_ref())
                };
                if let Err(e) = checked {
                    // Point inside the literal: skip the opening quote.
                    let span = r.span();
                    return Err(err(
                        Some(span.start + 1..span.end.saturating_sub(1).max(span.start + 1)),
                        format!("rule `{id}`: invalid regex"),
                    )
                    .with_note(e));
                }
                sources.regexes.push(RegexSource {
                    rule: rule_index,
                    pattern: pi,
                    regex: r.get_ref().clone(),
                });
            }
        }
        patterns.push(Pattern {
            message: p.message,
            severity: p.severity,
            with,
            without,
        });
    }
    let document = match (spec.scope, spec.document) {
        (Scope::Document, Some(d)) => {
            let mut resolve = |terms: &[Spanned<String>]| -> Result<Vec<usize>, SourceError> {
                terms
                    .iter()
                    .map(|t| {
                        registry
                            .resolve(t.get_ref())
                            .map_err(|m| err(Some(t.span()), format!("rule `{id}`: {m}")))
                    })
                    .collect()
            };
            let satisfied_by = resolve(&d.satisfied_by)?;
            let satisfied_by_heading = resolve(&d.satisfied_by_heading)?;
            let mut satisfying_lists = Vec::new();
            for &list in satisfied_by.iter().chain(&satisfied_by_heading) {
                if satisfying_lists.len() <= list / 64 {
                    satisfying_lists.resize(list / 64 + 1, 0);
                }
                satisfying_lists[list / 64] |= 1 << (list % 64);
            }
            Some(DocumentRule {
                trigger_categories: d.trigger_categories,
                satisfied_by,
                satisfied_by_heading,
                satisfying_lists,
                denied_by: resolve(&d.denied_by)?,
                unapproved_use: d.unapproved_use,
                message: d.message,
            })
        }
        (Scope::Document, None) => {
            return Err(err(
                Some(id_span),
                format!("rule `{id}`: a document rule needs a `[document]` table"),
            ));
        }
        (Scope::Sentence, Some(_)) => {
            return Err(err(
                Some(id_span),
                format!("rule `{id}`: `[document]` is only for `scope = \"document\"`"),
            ));
        }
        (Scope::Sentence, None) => None,
    };
    let examples = compile_examples(file, &id, &spec.examples, ruleset)?;
    Ok(Rule {
        category: spec.category.unwrap_or_else(|| id.clone()),
        id,
        severity: spec.severity,
        enabled: spec.enabled,
        scope: spec.scope,
        docs: RuleDocs {
            summary: spec.summary,
            why: spec.why,
            instead: spec.instead,
            citation_hint: spec.citation_hint.map(Into::into),
            references: spec.references.into(),
        },
        context: spec.context,
        examples,
        origin: file.path.clone(),
        ruleset: ruleset.to_owned(),
        overlays: Vec::new(),
        patterns,
        document,
    })
}

/// Validates the examples of rule `id` written in `file` (a rule file or an overlay manifest);
/// `ruleset` is the ruleset they run with.
pub(crate) fn compile_examples(
    file: &RuleFile,
    id: &str,
    specs: &[ExampleSpec],
    ruleset: &str,
) -> Result<Vec<Example>, SourceError> {
    let err = |span: Option<Range<usize>>, msg: String| {
        SourceError::new(&file.path, &file.text, span, msg)
    };
    let mut examples = Vec::new();
    for ex in specs {
        let format = match &ex.format {
            None => Format::Plain,
            Some(f) => Format::from_name(f.get_ref()).ok_or_else(|| {
                let f_span = f.span();
                let f = f.get_ref();
                err(
                    Some(f_span),
                    format!(
                        "rule `{id}`: example format `{f}` is not one of markdown, html, plain"
                    ),
                )
            })?,
        };
        if let Some(known) = &ex.known
            && !(known.get_ref().starts_with("false-negative:")
                || known.get_ref().starts_with("false-positive:"))
        {
            return Err(err(
                Some(known.span()),
                format!(
                    "rule `{id}`: `known` must start with `false-negative:` or `false-positive:`"
                ),
            ));
        }
        examples.push(Example {
            text: ex.text.clone(),
            expect: ex.expect.clone(),
            severity: ex.severity,
            span: ex.span.clone(),
            format,
            known: ex.known.as_ref().map(|k| k.get_ref().clone()),
            ruleset: ruleset.to_owned(),
        });
    }
    Ok(examples)
}

/// Applies enable/disable/only and severity overrides; ids may name a rule or a category.
fn apply_options(rules: &mut [Rule], opts: &RulesetOptions) -> Result<(), RulesetError> {
    // The engine's own rule for problems with directives can be named too (it matches no
    // ruleset rule: selecting only it runs none of them).
    let known: HashSet<&str> = rules
        .iter()
        .flat_map(|r| [r.id.as_str(), r.category.as_str()])
        .chain([
            crate::suppress::DIRECTIVE_RULE,
            crate::suppress::DIRECTIVE_CATEGORY,
        ])
        .collect();
    let check = |ids: &[String], setting: &str| -> Result<(), RulesetError> {
        match ids.iter().find(|id| !known.contains(id.as_str())) {
            Some(id) => Err(RulesetError::UnknownRule {
                id: id.clone(),
                setting: setting.to_owned(),
            }),
            None => Ok(()),
        }
    };
    check(&opts.enable, "enable")?;
    check(&opts.disable, "disable")?;
    check(&opts.only, "the rule selection")?;
    check(
        &opts.severity.keys().cloned().collect::<Vec<_>>(),
        "severity",
    )?;
    for rule in rules.iter_mut() {
        let named = |ids: &[String]| ids.iter().any(|i| *i == rule.id || *i == rule.category);
        if named(&opts.enable) {
            rule.enabled = true;
        }
        if named(&opts.disable) {
            rule.enabled = false;
        }
        if !opts.only.is_empty() {
            rule.enabled = named(&opts.only);
        }
        let sev = opts
            .severity
            .get(&rule.id)
            .or_else(|| opts.severity.get(&rule.category));
        if let Some(&sev) = sev {
            rule.severity = sev;
            for p in &mut rule.patterns {
                p.severity = None;
            }
        }
    }
    Ok(())
}
