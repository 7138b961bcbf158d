//! The serde schema of ruleset files (`rulesets/**/*.toml`) and of the shared lexicon. These
//! structs only describe the data; `rules::load` validates them and compiles them into `Rule`s.
//! Unknown keys are errors, so a misspelled key in a ruleset points at its line and column.

use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;

/// One rule file: `rulesets/<set>/<rule-id>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleSpec {
    pub id: Spanned<String>,
    /// Taxonomy category; defaults to the id.
    pub category: Option<String>,
    pub severity: Severity,
    /// Whether the rule runs unless a config enables it explicitly (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub scope: Scope,
    pub summary: String,
    pub why: String,
    /// Balanced wording to use instead (shown as `help`).
    pub instead: String,
    /// What kind of source would support the claim.
    #[serde(default)]
    pub citation_hint: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub context: ContextSpec,
    /// Document rules only: what satisfies the document and what triggers the rule.
    #[serde(default)]
    pub document: Option<DocumentSpec>,
    #[serde(default, rename = "pattern")]
    pub patterns: Vec<PatternSpec>,
    #[serde(default, rename = "example")]
    pub examples: Vec<ExampleSpec>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    #[default]
    Sentence,
    Document,
}

/// How sentence context changes a finding of this rule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ContextSpec {
    /// A hedge in the sentence ("may", "some patients").
    pub hedge: Effect,
    /// Hedges never lower a finding below this.
    pub hedge_floor: Severity,
    /// A negator just before the match ("not a permanent cure").
    pub negation: Effect,
    /// A citation attached to the sentence (footnote marker, study link, "et al.").
    pub citation: Effect,
    /// A named source in the sentence ("the WHO estimates").
    pub named_source: Effect,
    /// An absolute in the sentence ("always", "100%", "completely").
    pub absolute: Effect,
    /// The sentence is a question.
    pub question: Effect,
    /// The sentence stands under a risks / side effects heading.
    pub risk_section: Effect,
    /// First-person outcome data ("our patients").
    pub first_person: Effect,
}

impl Default for ContextSpec {
    fn default() -> Self {
        ContextSpec {
            hedge: Effect::Downgrade,
            hedge_floor: Severity::Info,
            negation: Effect::Suppress,
            citation: Effect::Downgrade,
            named_source: Effect::Ignore,
            absolute: Effect::Upgrade,
            question: Effect::Suppress,
            risk_section: Effect::Ignore,
            first_person: Effect::Ignore,
        }
    }
}

/// What a context cue does to a finding.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// No effect.
    Ignore,
    /// Remove the finding.
    Suppress,
    /// Lower one severity step.
    Downgrade,
    /// Lower to info.
    DowngradeToInfo,
    /// Raise one severity step.
    Upgrade,
}

/// Document-scope settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DocumentSpec {
    /// The rule fires when a finding of one of these categories is present (at any severity).
    #[serde(default)]
    pub trigger_categories: Vec<String>,
    /// Terms (or `@lexicon` lists) whose presence anywhere in the document satisfies it.
    #[serde(default)]
    pub satisfied_by: Vec<Spanned<String>>,
    /// Terms that satisfy it only as a heading with a section under it ("## Safety").
    #[serde(default)]
    pub satisfied_by_heading: Vec<Spanned<String>>,
    /// Terms that undo a satisfying term one or two words before it, or right after it ("no
    /// side effects", "side-effect free"); a section whose every sentence has one does not count.
    #[serde(default)]
    pub denied_by: Vec<Spanned<String>>,
    /// Also triggered by the approved-uses data: a product named with a condition it is not
    /// approved for (`rulesets/data/approvals.toml`). The message may use `{condition}` and
    /// `{approval}`.
    #[serde(default)]
    pub unapproved_use: bool,
    /// The message; `{matched}` is the claim that triggered the rule.
    pub message: String,
}

/// One way a rule matches: a phrase list or a regex, with sentence conditions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PatternSpec {
    pub kind: PatternKind,
    #[serde(default)]
    pub phrases: Vec<Spanned<String>>,
    #[serde(default)]
    pub regex: Option<Spanned<String>>,
    /// The message; `{matched}` is replaced with the matched words.
    pub message: String,
    /// Severity for this pattern, when it differs from the rule's.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// The sentence must also contain one of these terms or `@lexicon` lists.
    #[serde(default)]
    pub with: Vec<Spanned<String>>,
    /// The sentence must contain none of these terms or `@lexicon` lists.
    #[serde(default)]
    pub without: Vec<Spanned<String>>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PatternKind {
    Phrases,
    Regex,
}

/// A firing or non-firing example; every example runs as a test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleSpec {
    pub text: String,
    /// Rule ids expected to fire (empty: nothing may fire).
    pub expect: Vec<String>,
    /// Expected severity of this rule's finding, when it fires.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Expected matched text of this rule's finding.
    #[serde(default)]
    pub span: Option<String>,
    #[serde(default)]
    pub format: Option<Spanned<String>>,
    /// `false-negative: why` or `false-positive: why`: a known gap. The test asserts the current
    /// (wrong) result, so fixing the gap makes it fail until the marker is removed.
    #[serde(default)]
    pub known: Option<Spanned<String>>,
}

/// The shared lexicon: named term lists that rules refer to as `@name`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LexiconSpec {
    /// Abbreviations that do not end a sentence.
    #[serde(default)]
    pub abbreviations: Vec<String>,
    #[serde(default)]
    pub lists: std::collections::BTreeMap<String, Vec<String>>,
}
