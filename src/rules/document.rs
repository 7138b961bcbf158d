//! Document-scope rules (fair balance, suicide safe messaging, off-label disclosure): the rule
//! fires when a trigger is present (one of its own patterns, or a finding of a trigger category)
//! and nothing that satisfies it appears anywhere in the document. The finding points at the
//! trigger and says what is missing.

use std::ops::Range;

use super::Rule;
use super::matcher::CueHit;
use crate::finding::Finding;

/// What triggered a document rule: a prose range and the words there.
#[derive(Clone, Debug)]
pub struct Trigger {
    pub prose: Range<usize>,
}

/// Decides whether a document rule fires. `own_trigger` is the rule's first pattern hit;
/// `findings` are the sentence findings of the document; `doc_cues` every cue in the document.
/// Returns the prose range to report, or `None`.
pub fn fires(
    rule: &Rule,
    own_trigger: Option<&Trigger>,
    findings: &[(Finding, Range<usize>)],
    doc_cues: &[CueHit],
) -> Option<Range<usize>> {
    let doc = rule.document.as_ref()?;
    if doc_cues.iter().any(|c| doc.satisfied_by.contains(&c.list)) {
        return None;
    }
    let by_category = findings
        .iter()
        .filter(|(f, _)| doc.trigger_categories.contains(&f.category))
        .map(|(_, prose)| prose.clone())
        .min_by_key(|r| r.start);
    let own = own_trigger.map(|t| t.prose.clone());
    match (own, by_category) {
        (Some(a), Some(b)) => Some(if a.start <= b.start { a } else { b }),
        (a, b) => a.or(b),
    }
}
