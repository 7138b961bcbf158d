//! Reporters: turn findings into output. One reporter per `--format`, each writing to a
//! `&mut dyn Write` it is handed (the library never picks stdout itself). Most formats write
//! each file's findings in `report` as they come (the JSON document, SARIF and GitLab stream
//! their findings array too), so memory is bounded by one file; JUnit and the reviewer reports
//! (HTML, Markdown) need totals or every document first and write in `finish`.
//!
//! Findings reach a reporter file by file in path order, each file's findings in offset order,
//! so every format is deterministic whatever the number of threads.

pub mod compact;
pub mod csv;
mod excerpt;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
mod json_stream;
pub mod jsonl;
pub mod junit;
pub mod markdown;
pub mod provenance;
pub mod sarif;
mod spool;

use std::io::{self, Write};

use crate::finding::{Finding, Severity};
use crate::rules::Ruleset;
use crate::source::SourceFile;

/// An output format of `claimlint check`. clap lists the valid ones, in this order, when an
/// unknown one is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics for people, with the matched words underlined.
    Human,
    /// One JSON document, a stable contract: fields are added, never changed.
    Json,
    /// One JSON object per finding per line (the JSON document's finding objects), no summary.
    Jsonl,
    /// `path:line:col: severity [rule] message`, one line per finding.
    Compact,
    /// SARIF 2.1.0, for code scanning (GitHub, Azure DevOps, IDE viewers).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML: a test suite per file, a failing test case per finding.
    Junit,
    /// One self-contained HTML page for reviewers: provenance, summary, each document with its
    /// findings highlighted in place, filters, print layout.
    Html,
    /// A summary and findings per file for a pull-request comment (at most 65,000 characters).
    Markdown,
    /// One row per finding for spreadsheets (RFC 4180, UTF-8).
    Csv,
}

/// A file that could not be linted (missing, unreadable, not text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub path: String,
    pub message: String,
}

/// Totals of a run, counting the findings that were shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files linted.
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Files that could not be linted.
    pub failed: usize,
    /// Findings waived by inline directives: shown (marked) but not counted as errors,
    /// warnings or infos, and never failing the run.
    pub waived: usize,
    /// Findings left out because the `--baseline` file records them.
    pub baselined: usize,
    /// The paths the run was asked to lint, for "no files to lint in ...".
    pub roots: Vec<String>,
}

impl Summary {
    /// Counts a file and its (shown) findings.
    pub fn add_file(&mut self, findings: &[Finding]) {
        self.files += 1;
        for f in findings {
            if f.waiver.is_some() {
                self.waived += 1;
                continue;
            }
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }

    pub fn findings(&self) -> usize {
        self.errors + self.warnings + self.infos
    }

    /// The count of findings at or above `severity`.
    pub fn at_least(&self, severity: Severity) -> usize {
        match severity {
            Severity::Error => self.errors,
            Severity::Warning => self.errors + self.warnings,
            Severity::Info => self.findings(),
        }
    }
}

/// Receives the results of a run in order and writes them in one format.
pub trait Reporter {
    /// One linted file and its findings (possibly none).
    fn report(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()>;

    /// `report`, for findings of which the lint workers rendered some already with this
    /// format's `renderer`: `rendered` holds an entry per finding, `None` for one to render here
    /// (empty when the workers rendered none).
    fn report_rendered(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
        _rendered: &[Option<Box<[u8]>>],
    ) -> io::Result<()> {
        self.report(out, file, findings)
    }

    /// A file that could not be linted. The caller also tells the user on stderr; formats that
    /// carry errors (JSON's `errors` array) record it.
    fn error(&mut self, _error: &FileError) {}

    /// The end of the run.
    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()>;
}

/// Options every reporter may use.
#[derive(Clone, Copy, Debug)]
pub struct ReportOptions<'a> {
    /// ANSI colour in the output.
    pub color: bool,
    /// The rules, for documentation shown next to findings.
    pub rules: &'a Ruleset,
    /// When, with what and on which command line the run was made (the HTML report's header).
    pub run: &'a provenance::RunInfo,
    /// How the run treats the engine's own rule for problems with directives, which no ruleset
    /// holds (SARIF describes it next to the ruleset rules).
    pub directive: DirectiveRule,
}

/// The run's settings for `claimlint-directive`: its severity (`[severity]`) and whether it is
/// reported (`--disable` turns it off).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectiveRule {
    pub severity: crate::finding::Severity,
    pub enabled: bool,
}

impl Default for DirectiveRule {
    fn default() -> Self {
        DirectiveRule {
            severity: crate::finding::Severity::Warning,
            enabled: true,
        }
    }
}

/// The reporter for a format.
pub fn reporter<'a>(format: Format, opts: ReportOptions<'a>) -> Box<dyn Reporter + 'a> {
    match format {
        Format::Human => Box::new(human::HumanReporter::new(opts)),
        Format::Json => Box::new(json::JsonReporter::new(opts.rules.names.clone())),
        Format::Jsonl => Box::new(jsonl::JsonlReporter),
        Format::Compact => Box::new(compact::CompactReporter),
        Format::Sarif => Box::new(sarif::SarifReporter::new(opts.rules, opts.directive)),
        Format::Github => Box::new(github::GithubReporter),
        Format::Gitlab => Box::new(gitlab::GitlabReporter::default()),
        Format::Junit => Box::new(junit::JunitReporter::default()),
        Format::Html => Box::new(html::HtmlReporter::new(opts)),
        Format::Markdown => Box::new(markdown::MarkdownReporter::default()),
        Format::Csv => Box::new(self::csv::CsvReporter::new()),
    }
}

/// A format that writes each finding from the finding and its file alone, and slowly (the human
/// one: codespan writes a diagnostic character by character). The lint workers render findings
/// with it as they find them, so the single reporting thread only copies bytes; on a machine
/// with many cores, rendering there would otherwise set the pace of the whole run.
pub trait RenderOne: Sync {
    /// The finding as `Reporter::report` would write it, or `None` when it cannot be rendered
    /// here (the reporter then renders it, and reports the error).
    fn render_one(&self, file: &SourceFile, finding: &Finding) -> Option<Box<[u8]>>;
}

/// The format's renderer for the lint workers, for the formats that have one.
pub fn renderer<'a>(format: Format, opts: ReportOptions<'a>) -> Option<Box<dyn RenderOne + 'a>> {
    match format {
        Format::Human => Some(Box::new(human::HumanRenderer::new(opts))),
        _ => None,
    }
}

/// Why a finding was waived by an inline directive, or `None` when it was not. The machine
/// formats all ask here: SARIF reports a waived finding with a `suppressions` entry (kind
/// `inSource`, the reason as justification), JUnit as a skipped test case, and the formats that
/// cannot mark one (compact, github, gitlab) leave it out rather than report it as open.
pub fn waiver_reason(finding: &Finding) -> Option<&str> {
    finding.waiver.as_ref().map(|w| w.reason.as_str())
}

/// Stable fingerprints of one file's findings, in order: a hash of the rule, the matched words
/// (lowercased, whitespace collapsed), the path, and which occurrence of that rule and those
/// words in the file it is. Line numbers are left out, so editing text above a finding keeps its
/// fingerprint; the occurrence number keeps two identical claims in one file apart.
pub fn fingerprints(file: &SourceFile, findings: &[Finding]) -> Vec<String> {
    // How many times each (rule, words) came before: a count per key, not a look back over the
    // file's findings, which was quadratic on a page of findings.
    let mut seen: rustc_hash::FxHashMap<(&str, String), usize> = Default::default();
    findings
        .iter()
        .map(|f| {
            let words = f
                .matched
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            let key = format!("{}\0{words}\0{}\0", f.rule, file.path);
            let count = seen.entry((f.rule.as_str(), words)).or_insert(0);
            let key = format!("{key}{count}");
            *count += 1;
            format!("{:016x}", fnv1a64(key.as_bytes()))
        })
        .collect()
}

/// 64-bit FNV-1a: tiny and defined by its constants, so fingerprints stay the same across Rust
/// versions and platforms (std's `DefaultHasher` promises neither).
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// `text` on one line: line breaks become spaces, for formats with one record per line.
pub(crate) fn single_line(text: &str) -> String {
    text.replace("\r\n", " ").replace(['\r', '\n'], " ")
}

/// `1 error`, `2 warnings`: a count with its noun in the right number.
pub(crate) fn plural(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// A finding for reporter unit tests: rule `demo`, at `span` of `file`, matching its text.
#[cfg(test)]
pub(crate) fn test_finding(
    file: &SourceFile,
    span: std::ops::Range<usize>,
    severity: Severity,
) -> Finding {
    Finding {
        rule: "demo".into(),
        category: "demo".into(),
        severity,
        matched: file.text[span.clone()].to_owned(),
        span,
        message: "m".into(),
        suggestion: "s".into(),
        citation_hint: None,
        references: vec!["https://example.org".into()].into(),
        adjustments: Vec::new(),
        document: false,
        waiver: None,
    }
}

/// The most severe level with a finding, from per-severity counts (indexed by `Severity::index`).
pub(crate) fn worst_of(counts: &[usize; 3]) -> Option<Severity> {
    Severity::ALL
        .into_iter()
        .rev()
        .find(|&s| counts[s.index()] > 0)
}

/// Orders documents worst first for the report summaries: by worst severity, then by error,
/// warning and info counts, then by waived findings (both descending).
pub(crate) fn worse_first(a: (&[usize; 3], usize), b: (&[usize; 3], usize)) -> std::cmp::Ordering {
    worst_of(b.0)
        .cmp(&worst_of(a.0))
        .then(b.0[2].cmp(&a.0[2]))
        .then(b.0[1].cmp(&a.0[1]))
        .then(b.0[0].cmp(&a.0[0]))
        .then(b.1.cmp(&a.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Encoding;

    #[test]
    fn fingerprints_ignore_lines_and_case_but_not_occurrence() {
        let a = SourceFile::from_text("a.md", "Cure  it. cure it.".into(), Encoding::Utf8, 0);
        let b = SourceFile::from_text("a.md", "\n\nCure it.".into(), Encoding::Utf8, 0);
        let fa = fingerprints(
            &a,
            &[
                test_finding(&a, 0..8, Severity::Error),
                test_finding(&a, 10..17, Severity::Error),
            ],
        );
        let fb = fingerprints(&b, &[test_finding(&b, 2..9, Severity::Error)]);
        assert_eq!(fa[0], fb[0], "moved down and respaced, same fingerprint");
        assert_ne!(fa[0], fa[1], "second occurrence differs");
        assert_eq!(fa[0].len(), 16);
        let other = SourceFile::from_text("b.md", "Cure it.".into(), Encoding::Utf8, 0);
        let fo = fingerprints(&other, &[test_finding(&other, 0..7, Severity::Error)]);
        assert_ne!(fa[0], fo[0], "the path is part of it");
    }

    #[test]
    fn fnv1a64_matches_published_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn single_line_joins_every_kind_of_line_break() {
        assert_eq!(single_line("a\r\nb\rc\nd"), "a b c d");
    }

    #[test]
    fn counts_at_or_above_a_severity() {
        let s = Summary {
            errors: 1,
            warnings: 2,
            infos: 3,
            ..Summary::default()
        };
        assert_eq!(s.at_least(Severity::Error), 1);
        assert_eq!(s.at_least(Severity::Warning), 3);
        assert_eq!(s.at_least(Severity::Info), 6);
    }
}
