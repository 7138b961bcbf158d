//! Findings: what a rule reports, with its severity after context adjustments, the exact source
//! span, and the advice that goes with it.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Error];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn from_name(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.name() == name)
    }

    /// One step lower, never below `floor`.
    pub fn lowered(self, floor: Severity) -> Severity {
        let lower = match self {
            Severity::Error => Severity::Warning,
            _ => Severity::Info,
        };
        lower.max(floor).min(self)
    }

    /// Position in `ALL` (info 0, warning 1, error 2), for per-severity counters.
    pub fn index(self) -> usize {
        self as usize
    }

    /// A symbol shown with the severity in reports, so it never rests on colour alone.
    pub fn icon(self) -> &'static str {
        match self {
            Severity::Error => "\u{2716}",   // ✖
            Severity::Warning => "\u{25B2}", // ▲
            Severity::Info => "\u{25CF}",    // ●
        }
    }

    /// One step higher.
    pub fn raised(self) -> Severity {
        match self {
            Severity::Info => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A context cue that changed a finding's severity, with the source span of the cue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    /// What happened, e.g. "lowered by the hedge `may`".
    pub note: String,
    /// Source byte range of the cue (the hedge, the citation), when it has one.
    #[serde(skip)]
    pub span: Option<Range<usize>>,
}

/// One finding in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: String,
    pub category: String,
    pub severity: Severity,
    /// Byte range of the matched words in the decoded source text.
    pub span: Range<usize>,
    /// The matched words as written in the source.
    pub matched: String,
    pub message: String,
    /// Balanced wording to use instead.
    pub suggestion: String,
    /// What kind of source would support the claim, when the rule says.
    pub citation_hint: Option<std::sync::Arc<str>>,
    /// The rule's references, shared with the rule (see `RuleDocs::references`).
    pub references: std::sync::Arc<[String]>,
    pub adjustments: Vec<Adjustment>,
    /// True for document-level findings.
    pub document: bool,
    /// The inline directive that waived this finding, if one did. A waived finding stays in the
    /// output (marked, with its reason) but counts for neither the exit code nor the summary's
    /// error/warning/info counts.
    pub waiver: Option<Waiver>,
}

/// Which form of inline directive waived a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverKind {
    /// `claimlint-disable-next-line RULE -- reason`: the next line holding text.
    DisableNextLine,
    /// `claimlint-disable RULE -- reason` ... `claimlint-enable RULE`.
    Disable,
    /// `claimlint-disable-file RULE -- reason`: the whole file.
    DisableFile,
}

impl WaiverKind {
    /// The directive's keyword, as written after `claimlint-`.
    pub fn name(self) -> &'static str {
        match self {
            WaiverKind::DisableNextLine => "disable-next-line",
            WaiverKind::Disable => "disable",
            WaiverKind::DisableFile => "disable-file",
        }
    }
}

/// An inline waiver: the directive's kind, the reason written after `--`, and the source span of
/// the whole directive comment (so a reviewer can be pointed at it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    pub kind: WaiverKind,
    pub reason: String,
    /// Byte range of the directive comment in the decoded source text.
    pub span: Range<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowering_respects_the_floor() {
        assert_eq!(Severity::Error.lowered(Severity::Info), Severity::Warning);
        assert_eq!(
            Severity::Warning.lowered(Severity::Warning),
            Severity::Warning
        );
        assert_eq!(Severity::Info.lowered(Severity::Info), Severity::Info);
        assert_eq!(Severity::Error.lowered(Severity::Error), Severity::Error);
    }

    #[test]
    fn raising_caps_at_error() {
        assert_eq!(Severity::Info.raised(), Severity::Warning);
        assert_eq!(Severity::Error.raised(), Severity::Error);
    }
}
