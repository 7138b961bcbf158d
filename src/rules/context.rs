//! Context evaluators: what the words around a claim do to it. Hedges lower, absolutes raise,
//! negation before a claim removes it, citations and named sources lower or remove it, questions
//! are not claims, and risk sections change how risk wording is read. Each rule's `[context]`
//! table says which of these apply to it; this module only decides what the sentence contains.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::Effect;
use super::matcher::CueHit;
use super::spec::ContextSpec;
use crate::finding::Severity;

/// Lexicon lists the evaluators read by name; a ruleset's lexicon should define them all.
pub const CUE_LISTS: &[&str] = &[
    "hedges",
    "negators",
    "absolutes",
    "citation-cues",
    "named-sources",
    "risk-headings",
    "first-person",
    "citation-domains",
    "treatments",
];

/// Indices of the evaluators' lists in `Ruleset::term_lists`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CueLists {
    pub hedges: usize,
    pub negators: usize,
    pub absolutes: usize,
    pub citation_cues: usize,
    pub named_sources: usize,
    pub risk_headings: usize,
    pub first_person: usize,
    /// Treatments and products, named in advice as the claim's subject.
    pub treatments: usize,
}

/// Most words that may stand between a negator and the claim it negates ("not *a permanent* cure").
const NEGATION_WINDOW_WORDS: usize = 4;

/// What the sentence around a claim contains, in normalised-text offsets.
pub struct SentenceContext<'a> {
    pub text: &'a str,
    pub range: Range<usize>,
    pub cues: &'a [CueHit],
    pub lists: CueLists,
    pub is_question: bool,
    pub in_risk_section: bool,
    /// A citation attached to the sentence, if any.
    pub citation: Option<Citation>,
}

/// Where a context cue stands: in the normalised text, or directly in the source for markup that
/// adds no prose (a Markdown footnote reference such as `[^1]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CueSpan {
    Norm(Range<usize>),
    Source(Range<usize>),
}

/// A citation attached to a sentence: where it stands and how to quote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citation {
    pub span: CueSpan,
    pub text: String,
}

impl Citation {
    /// A citation written in the sentence's normalised text.
    pub fn in_text(text: &str, range: Range<usize>) -> Citation {
        Citation {
            text: text.get(range.clone()).unwrap_or_default().to_owned(),
            span: CueSpan::Norm(range),
        }
    }
}

/// A cue that changed the severity: a note and the cue's normalised range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub note: String,
    pub range: Option<CueSpan>,
}

/// The outcome of context evaluation for one claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The claim is not a finding here; the string says why (for debugging and tests).
    Suppressed(String),
    Keep {
        severity: Severity,
        changes: Vec<Change>,
    },
}

impl SentenceContext<'_> {
    fn first(&self, list: usize, outside: &Range<usize>) -> Option<&CueHit> {
        self.cues.iter().find(|c| {
            let r = c.range();
            c.list() == list && (r.end <= outside.start || r.start >= outside.end)
        })
    }

    /// The first cue of `list` in the same clause as the claim: no clause break (comma, semicolon,
    /// colon, spaced dash) stands between them. "While pills may take weeks, ketamine works within
    /// minutes": the hedge belongs to the pills, not to the claim.
    fn in_clause(&self, list: usize, hit: &Range<usize>) -> Option<&CueHit> {
        self.cues.iter().find(|c| {
            let r = c.range();
            if c.list() != list || !(r.end <= hit.start || r.start >= hit.end) {
                return false;
            }
            let between = if r.end <= hit.start {
                &self.text[r.end..hit.start]
            } else {
                &self.text[hit.end..r.start]
            };
            !(between.contains([',', ';', ':', '(', ')']) || between.contains(" - "))
        })
    }

    fn any(&self, list: usize) -> Option<&CueHit> {
        self.cues.iter().find(|c| c.list() == list)
    }

    /// A negator shortly before the claim, in the same clause.
    fn negator_before(&self, hit: &Range<usize>) -> Option<&CueHit> {
        self.cues.iter().rev().find(|c| {
            let end = c.range().end;
            if c.list() != self.lists.negators || end > hit.start {
                return false;
            }
            let between = &self.text[end..hit.start];
            // A spaced dash ("Don't wait - get relief now") starts a new clause too.
            let clause_break = between.contains([',', ';', ':', '(', ')', '.', '!', '?'])
                || between.contains(" - ")
                || between
                    .split_whitespace()
                    .any(|w| w.eq_ignore_ascii_case("but"));
            !clause_break && between.split_whitespace().count() <= NEGATION_WINDOW_WORDS
        })
    }

    fn quote(&self, r: &Range<usize>) -> &str {
        self.text.get(r.clone()).unwrap_or("")
    }
}

/// Applies a rule's context policy to a claim at `hit` whose base severity is `base`.
pub fn evaluate(
    policy: &ContextSpec,
    base: Severity,
    hit: &Range<usize>,
    ctx: &SentenceContext,
) -> Verdict {
    // Suppressions first: a claim that is not a claim has no severity to adjust.
    if policy.question == Effect::Suppress && ctx.is_question {
        return Verdict::Suppressed("a question, not a claim".into());
    }
    if policy.negation == Effect::Suppress
        && let Some(n) = ctx.negator_before(hit)
    {
        return Verdict::Suppressed(format!("negated by `{}`", ctx.quote(&n.range())));
    }
    if policy.risk_section == Effect::Suppress && ctx.in_risk_section {
        return Verdict::Suppressed("in a risks section".into());
    }
    let named = ctx.any(ctx.lists.named_sources);
    if policy.named_source == Effect::Suppress && named.is_some() {
        return Verdict::Suppressed("attributed to a named source".into());
    }
    if policy.citation == Effect::Suppress && ctx.citation.is_some() {
        return Verdict::Suppressed("a citation is attached".into());
    }

    let mut severity = base;
    let mut changes = Vec::new();
    let mut apply = |effect: Effect,
                     floor: Severity,
                     note: String,
                     range: Option<CueSpan>,
                     severity: &mut Severity| {
        let before = *severity;
        *severity = match effect {
            Effect::Upgrade => before.raised(),
            Effect::Downgrade => before.lowered(floor),
            Effect::DowngradeToInfo => Severity::Info.max(floor.min(before)),
            Effect::Ignore | Effect::Suppress => before,
        };
        if *severity != before {
            let verb = if *severity > before {
                "raised"
            } else {
                "lowered"
            };
            changes.push(Change {
                note: format!("{verb} to {} by {note}", severity.name()),
                range,
            });
        }
    };
    if let Some(a) = ctx.first(ctx.lists.absolutes, hit) {
        let note = format!("the absolute `{}`", ctx.quote(&a.range()));
        apply(
            policy.absolute,
            Severity::Info,
            note,
            Some(CueSpan::Norm(a.range())),
            &mut severity,
        );
    }
    if let Some(f) = ctx.first(ctx.lists.first_person, hit) {
        let note = format!("first-person outcome data `{}`", ctx.quote(&f.range()));
        apply(
            policy.first_person,
            Severity::Info,
            note,
            Some(CueSpan::Norm(f.range())),
            &mut severity,
        );
    }
    if let Some(h) = ctx.in_clause(ctx.lists.hedges, hit) {
        let note = format!("the hedge `{}`", ctx.quote(&h.range()));
        apply(
            policy.hedge,
            policy.hedge_floor,
            note,
            Some(CueSpan::Norm(h.range())),
            &mut severity,
        );
    }
    if let Some(n) = named {
        let note = format!("the named source `{}`", ctx.quote(&n.range()));
        apply(
            policy.named_source,
            Severity::Info,
            note,
            Some(CueSpan::Norm(n.range())),
            &mut severity,
        );
    }
    if let Some(c) = &ctx.citation {
        let note = format!(
            "the citation `{}`",
            c.text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        apply(
            policy.citation,
            Severity::Info,
            note,
            Some(c.span.clone()),
            &mut severity,
        );
    }
    Verdict::Keep { severity, changes }
}

/// Finds a citation written out in a sentence: an author-year reference ("(Smith et al., 2019)",
/// "(Smith & Jones 2020)", "Smith and Jones (2020)"), "et al.", a DOI, PMID, PMCID or
/// ClinicalTrials.gov id. Footnote markers are not here: a marker cites only when it resolves to a
/// reference on the page, which `rules::citations` decides. Returns its normalised range.
pub fn written_citation(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(concat!(
            r"\((?:see |e\.g\.,? |cf\.? )?([A-Z][A-Za-z'-]+)(?: et al\.?| (?:and|&) [A-Z][A-Za-z'-]+)?,? (?:19|20)[0-9]{2}[a-z]?[;,)]",
            r"|(?-u:\b)[A-Z][A-Za-z'-]+(?: et al\.?| (?:and|&) [A-Z][A-Za-z'-]+) \((?:19|20)[0-9]{2}[a-z]?\)",
            r"|(?-u:\b)et al(?-u:\b)\.?",
            r"|(?-u:\b)doi:\s*10\.[0-9]+|(?-u:\b)10\.[0-9]{4,9}/\S+",
            r"|(?-u:\b)PMID:?\s*[0-9]+|(?-u:\b)PMC[0-9]{5,}(?-u:\b)|(?-u:\b)NCT[0-9]{8}(?-u:\b)",
        ))
        .expect("built-in citation regex compiles")
    });
    let slice = text.get(range.clone())?;
    // Most sentences cite nothing: a plain search (no capture groups to allocate) says so first.
    re.find(slice)?;
    re.captures_iter(slice)
        .find(|c| {
            // "(March 2020)" and "(Updated 2023)" date a page; they cite nothing.
            c.get(1)
                .is_none_or(|name| !NOT_AUTHORS.contains(&name.as_str().to_lowercase().as_str()))
        })
        .and_then(|c| c.get(0))
        .map(|m| range.start + m.start()..range.start + m.end())
}

/// Words that stand before a year in brackets without naming an author.
const NOT_AUTHORS: &[&str] = &[
    "accessed",
    "apr",
    "april",
    "aug",
    "august",
    "autumn",
    "circa",
    "copyright",
    "dec",
    "december",
    "established",
    "fall",
    "feb",
    "february",
    "founded",
    "jan",
    "january",
    "jul",
    "july",
    "jun",
    "june",
    "mar",
    "march",
    "may",
    "nov",
    "november",
    "oct",
    "october",
    "opened",
    "published",
    "reviewed",
    "revised",
    "sep",
    "sept",
    "september",
    "since",
    "spring",
    "summer",
    "updated",
    "winter",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> CueLists {
        CueLists {
            hedges: 0,
            negators: 1,
            absolutes: 2,
            citation_cues: 3,
            named_sources: 4,
            risk_headings: 5,
            first_person: 6,
            treatments: 7,
        }
    }

    fn cue(text: &str, word: &str, list: usize) -> CueHit {
        let s = text.find(word).unwrap();
        CueHit::new(list, s..s + word.len()).unwrap()
    }

    fn ctx<'a>(text: &'a str, cues: &'a [CueHit]) -> SentenceContext<'a> {
        SentenceContext {
            text,
            range: 0..text.len(),
            cues,
            lists: lists(),
            is_question: text.trim_end().ends_with('?'),
            in_risk_section: false,
            citation: written_citation(text, 0..text.len()).map(|r| Citation::in_text(text, r)),
        }
    }

    fn span(text: &str, word: &str) -> Range<usize> {
        let s = text.find(word).unwrap();
        s..s + word.len()
    }

    #[test]
    fn negator_shortly_before_suppresses() {
        let t = "Ketamine is not a permanent cure for depression.";
        let cues = [cue(t, "not", 1)];
        let v = evaluate(
            &ContextSpec::default(),
            Severity::Error,
            &span(t, "permanent cure"),
            &ctx(t, &cues),
        );
        assert!(matches!(v, Verdict::Suppressed(_)), "{v:?}");
    }

    #[test]
    fn negator_in_another_clause_does_not_suppress() {
        let t = "It is not cheap, but it cures depression.";
        let cues = [cue(t, "not", 1)];
        let v = evaluate(
            &ContextSpec::default(),
            Severity::Error,
            &span(t, "cures depression"),
            &ctx(t, &cues),
        );
        assert!(
            matches!(
                v,
                Verdict::Keep {
                    severity: Severity::Error,
                    ..
                }
            ),
            "{v:?}"
        );
    }

    #[test]
    fn hedge_in_another_clause_does_not_lower() {
        let t = "While pills may take weeks, ketamine works within minutes.";
        let cues = [cue(t, "may", 0)];
        let v = evaluate(
            &ContextSpec::default(),
            Severity::Warning,
            &span(t, "within minutes"),
            &ctx(t, &cues),
        );
        assert!(
            matches!(
                v,
                Verdict::Keep {
                    severity: Severity::Warning,
                    ..
                }
            ),
            "{v:?}"
        );
        let t = "Relief within minutes may be possible.";
        let cues = [cue(t, "may", 0)];
        let v = evaluate(
            &ContextSpec::default(),
            Severity::Warning,
            &span(t, "within minutes"),
            &ctx(t, &cues),
        );
        assert!(
            matches!(
                v,
                Verdict::Keep {
                    severity: Severity::Info,
                    ..
                }
            ),
            "{v:?}"
        );
    }

    #[test]
    fn spaced_dash_ends_the_negation_clause() {
        let t = "Don't wait - get relief within minutes.";
        let cues = [cue(t, "Don't", 1)];
        let v = evaluate(
            &ContextSpec::default(),
            Severity::Warning,
            &span(t, "within minutes"),
            &ctx(t, &cues),
        );
        assert!(matches!(v, Verdict::Keep { .. }), "{v:?}");
    }

    #[test]
    fn hedge_lowers_one_step_but_not_below_floor() {
        let t = "Some patients may feel relief within minutes.";
        let cues = [cue(t, "may", 0)];
        let mut policy = ContextSpec::default();
        let v = evaluate(
            &policy,
            Severity::Warning,
            &span(t, "within minutes"),
            &ctx(t, &cues),
        );
        assert!(
            matches!(
                v,
                Verdict::Keep {
                    severity: Severity::Info,
                    ..
                }
            ),
            "{v:?}"
        );
        policy.hedge_floor = Severity::Warning;
        let v = evaluate(
            &policy,
            Severity::Warning,
            &span(t, "within minutes"),
            &ctx(t, &cues),
        );
        assert!(
            matches!(
                v,
                Verdict::Keep {
                    severity: Severity::Warning,
                    ..
                }
            ),
            "{v:?}"
        );
    }

    #[test]
    fn absolute_outside_the_claim_raises() {
        let t = "It always works within minutes.";
        let cues = [cue(t, "always", 2)];
        let v = evaluate(
            &ContextSpec::default(),
            Severity::Warning,
            &span(t, "within minutes"),
            &ctx(t, &cues),
        );
        let Verdict::Keep { severity, changes } = v else {
            panic!()
        };
        assert_eq!(severity, Severity::Error);
        assert!(changes[0].note.contains("`always`"));
    }

    #[test]
    fn citation_lowers_to_info_when_the_rule_says_so() {
        let t = "About 70% responded in trials (Smith et al., 2019).";
        let policy = ContextSpec {
            citation: Effect::DowngradeToInfo,
            ..ContextSpec::default()
        };
        let v = evaluate(&policy, Severity::Error, &span(t, "70%"), &ctx(t, &[]));
        assert!(
            matches!(
                v,
                Verdict::Keep {
                    severity: Severity::Info,
                    ..
                }
            ),
            "{v:?}"
        );
    }

    #[test]
    fn questions_are_not_claims() {
        let t = "Is ketamine addictive?";
        let v = evaluate(
            &ContextSpec::default(),
            Severity::Error,
            &span(t, "addictive"),
            &ctx(t, &[]),
        );
        assert!(matches!(v, Verdict::Suppressed(_)));
    }

    #[test]
    fn written_citations_are_found() {
        for (t, cite) in [
            ("It helped (Smith et al., 2019).", "(Smith et al., 2019)"),
            ("It helped (Smith, 2019).", "(Smith, 2019)"),
            ("It helped (Smith & Jones 2020).", "(Smith & Jones 2020)"),
            ("It helped (see Smith 2019; Lee 2020).", "(see Smith 2019;"),
            (
                "Smith and Jones (2020) found this.",
                "Smith and Jones (2020)",
            ),
            ("Smith et al. (2019) found this.", "Smith et al. (2019)"),
            ("Jones et al. found this.", "et al."),
            ("See doi:10.1000/xyz.", "doi:10.1000"),
            ("PMID: 123456.", "PMID: 123456"),
            ("Trial NCT01234567 is open.", "NCT01234567"),
        ] {
            let r = written_citation(t, 0..t.len());
            assert_eq!(r.map(|r| &t[r]), Some(cite), "{t}");
        }
        for t in [
            "Call (555) 010-0100.",
            "In 2019 we opened.",
            "Take 2 [mg] daily.",
            "Our new clinic (March 2020) is open.",
            "Price list (Updated 2023).",
            // Markers cite only when they resolve; `rules::citations` decides that.
            "It helped [2].",
            "It helped\u{b9}.",
        ] {
            assert!(written_citation(t, 0..t.len()).is_none(), "{t}");
        }
    }
}
