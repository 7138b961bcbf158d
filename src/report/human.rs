//! The human report: codespan-reporting diagnostics (`error[rule]: message`, the matched words
//! underlined, context cues as secondary labels, `= help:` with balanced wording, `= note:` with
//! the rule's evidence hint and first reference), then one summary line. A waived finding (shown
//! only with `--verbose`) says so in its message and labels its directive with the reason.
//! `--statistics` replaces the findings with counts per rule and per category (`Statistics`).
//!
//! codespan reads each diagnostic's lines from an `Excerpt`: long lines are cut around the
//! labelled words, and line and column numbers are those of `SourceFile`'s `LineIndex`, so they
//! agree with every other output (lone `\r` line ends included).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files;
use codespan_reporting::term::{self, Config, termcolor};
use rustc_hash::FxHashMap;

use super::excerpt::Excerpt;
use super::{FileError, RenderOne, ReportOptions, Reporter, Summary, plural};
use crate::finding::{Finding, Severity};
use crate::rules::Ruleset;
use crate::source::SourceFile;

/// Writes diagnostics as files arrive and the summary line at the end.
pub struct HumanReporter<'a> {
    renderer: HumanRenderer<'a>,
}

impl<'a> HumanReporter<'a> {
    pub fn new(opts: ReportOptions<'a>) -> Self {
        HumanReporter {
            renderer: HumanRenderer::new(opts),
        }
    }
}

/// Renders one finding's diagnostic. It needs nothing but the finding and its file, so the lint
/// workers can run it (see `RenderOne`).
pub struct HumanRenderer<'a> {
    color: bool,
    /// Each rule's gist: the first sentence of its `why`, the note of a finding without an
    /// evidence hint (worked out once, not once per finding).
    gists: FxHashMap<&'a str, String>,
    config: Config,
}

impl<'a> HumanRenderer<'a> {
    pub fn new(opts: ReportOptions<'a>) -> Self {
        HumanRenderer {
            color: opts.color,
            gists: gists(opts.rules),
            config: Config::default(),
        }
    }

    /// The file spans a finding's diagnostic labels: its words, its context cues and its
    /// waiver's directive.
    fn spans(f: &Finding) -> Vec<Range<usize>> {
        let mut spans = vec![f.span.clone()];
        spans.extend(f.adjustments.iter().filter_map(|a| a.span.clone()));
        spans.extend(f.waiver.as_ref().map(|w| w.span.clone()));
        spans
    }

    /// The diagnostic for one finding, its labels placed in `excerpt`.
    fn diagnostic(&self, f: &Finding, excerpt: &Excerpt) -> Diagnostic<()> {
        let diag = match f.severity {
            Severity::Error => Diagnostic::error(),
            Severity::Warning => Diagnostic::warning(),
            // codespan has no "info" level; `note` is its lowest.
            Severity::Info => Diagnostic::note(),
        };
        let mut labels = vec![Label::primary((), excerpt.map(&f.span))];
        let mut notes = Vec::new();
        for adj in &f.adjustments {
            match &adj.span {
                Some(span) => {
                    labels.push(Label::secondary((), excerpt.map(span)).with_message(&adj.note))
                }
                None => notes.push(format!("note: {}", adj.note)),
            }
        }
        if !f.suggestion.trim().is_empty() {
            notes.push(format!("help: {}", f.suggestion.trim()));
        }
        match f.citation_hint.as_deref().map(str::trim) {
            Some(hint) if !hint.is_empty() => notes.push(format!("note: {hint}")),
            _ => notes.extend(
                self.gists
                    .get(f.rule.as_str())
                    .map(|gist| format!("note: {gist}")),
            ),
        }
        if let Some(first) = f.references.first() {
            notes.push(format!("note: see {first}"));
        }
        let message = match &f.waiver {
            Some(w) => {
                labels.push(
                    Label::secondary((), excerpt.map(&w.span))
                        .with_message(format!("waived here: {}", w.reason)),
                );
                format!("(waived) {}", f.message)
            }
            None => f.message.clone(),
        };
        diag.with_code(&f.rule)
            .with_message(message)
            .with_labels(labels)
            .with_notes(notes)
    }

    /// Writes one finding's diagnostic.
    fn emit(&self, out: &mut dyn Write, file: &SourceFile, f: &Finding) -> io::Result<()> {
        let excerpt = Excerpt::new(file, &Self::spans(f));
        let diag = self.diagnostic(f, &excerpt);
        let result = if self.color {
            term::emit_to_write_style(
                &mut termcolor::Ansi::new(&mut *out),
                &self.config,
                &excerpt,
                &diag,
            )
        } else {
            term::emit_to_write_style(
                &mut termcolor::NoColor::new(&mut *out),
                &self.config,
                &excerpt,
                &diag,
            )
        };
        result.map_err(|e| match e {
            files::Error::Io(io) => io,
            other => io::Error::other(other.to_string()),
        })
    }
}

impl RenderOne for HumanRenderer<'_> {
    fn render_one(&self, file: &SourceFile, finding: &Finding) -> Option<Box<[u8]>> {
        let mut out = Vec::new();
        self.emit(&mut out, file, finding).ok()?;
        Some(out.into_boxed_slice())
    }
}

impl Reporter for HumanReporter<'_> {
    fn report(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        self.report_rendered(out, file, findings, &[])
    }

    fn report_rendered(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
        rendered: &[Option<Box<[u8]>>],
    ) -> io::Result<()> {
        for (i, f) in findings.iter().enumerate() {
            match rendered.get(i) {
                Some(Some(bytes)) => out.write_all(bytes)?,
                _ => self.renderer.emit(out, file, f)?,
            }
        }
        Ok(())
    }

    fn error(&mut self, _error: &FileError) {}

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        let line = summary_line(summary);
        if self.renderer.color {
            writeln!(out, "\x1b[1m{line}\x1b[0m")
        } else {
            writeln!(out, "{line}")
        }
    }
}

/// The gist of every rule that has a `why`, by rule id.
fn gists(rules: &Ruleset) -> FxHashMap<&str, String> {
    let mut gists = FxHashMap::default();
    for rule in &rules.rules {
        // The first rule of an id is the one `Ruleset::rule` finds.
        gists
            .entry(rule.id.as_str())
            .or_insert_with(|| first_sentence(rule.docs.why.trim()));
    }
    gists.retain(|_, gist| !gist.is_empty());
    gists
}

/// The first sentence of a rule's `why`: the full text is for `claimlint explain`, a finding
/// only needs the gist. A period ends a sentence when a lowercase letter or digit precedes it and
/// a space and an uppercase letter follow (so "U.S. law" stays whole).
fn first_sentence(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for w in chars.windows(4) {
        let [(_, before), (dot_at, '.'), (_, ' '), (_, next)] = *w else {
            continue;
        };
        if (before.is_lowercase() || before.is_ascii_digit()) && next.is_uppercase() {
            return text[..=dot_at].to_owned();
        }
    }
    text
}

/// `3 errors, 5 warnings, 2 infos in 4 files`, `no findings in 4 files` or
/// `no files to lint in docs`.
pub fn summary_line(s: &Summary) -> String {
    if s.files == 0 && s.failed == 0 {
        let roots = if s.roots.is_empty() {
            ".".to_owned()
        } else {
            s.roots.join(", ")
        };
        return format!("no files to lint in {roots}");
    }
    if s.files == 0 {
        return format!(
            "no files linted; {} could not be linted",
            plural(s.failed, "file", "files")
        );
    }
    let counts = if s.findings() == 0 {
        "no findings".to_owned()
    } else {
        format!(
            "{}, {}, {}",
            plural(s.errors, "error", "errors"),
            plural(s.warnings, "warning", "warnings"),
            plural(s.infos, "info", "infos")
        )
    };
    let mut line = format!("{counts} in {}", plural(s.files, "file", "files"));
    if s.baselined > 0 {
        line.push_str(&format!(
            "; {} baselined",
            plural(s.baselined, "finding", "findings")
        ));
    }
    if s.waived > 0 {
        line.push_str(&format!(
            "; {} waived",
            plural(s.waived, "finding", "findings")
        ));
    }
    if s.failed > 0 {
        line.push_str(&format!(
            "; {} could not be linted",
            plural(s.failed, "file", "files")
        ));
    }
    line
}

/// `--statistics`: how many shown findings each rule and each category has (waived ones left
/// out), like ruff's `--statistics`.
#[derive(Debug, Default)]
pub struct Statistics {
    rules: BTreeMap<String, (String, usize)>,
    categories: BTreeMap<String, usize>,
}

impl Statistics {
    pub fn add(&mut self, findings: &[Finding]) {
        // Keys are copied only for a rule or category not counted yet.
        for f in findings.iter().filter(|f| f.waiver.is_none()) {
            match self.rules.get_mut(&f.rule) {
                Some((_, n)) => *n += 1,
                None => {
                    self.rules.insert(f.rule.clone(), (f.category.clone(), 1));
                }
            }
            match self.categories.get_mut(&f.category) {
                Some(n) => *n += 1,
                None => {
                    self.categories.insert(f.category.clone(), 1);
                }
            }
        }
    }

    /// Two tables, most frequent first (ties by name): rules with their category, then
    /// categories. Empty when there are no findings.
    pub fn render(&self) -> String {
        if self.rules.is_empty() {
            return String::new();
        }
        let mut rules: Vec<(&str, &str, usize)> = self
            .rules
            .iter()
            .map(|(r, (c, n))| (r.as_str(), c.as_str(), *n))
            .collect();
        rules.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
        let mut categories: Vec<(&str, usize)> = self
            .categories
            .iter()
            .map(|(c, n)| (c.as_str(), *n))
            .collect();
        categories.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let count_width = rules[0].2.max(categories[0].1).to_string().len().max(5);
        let rule_width = rules.iter().map(|r| r.0.len()).max().unwrap_or(0).max(4);
        let mut out = format!(
            "{:>count_width$}  {:<rule_width$}  CATEGORY\n",
            "COUNT", "RULE"
        );
        for (rule, category, n) in &rules {
            out.push_str(&format!(
                "{n:>count_width$}  {rule:<rule_width$}  {category}\n"
            ));
        }
        out.push_str(&format!("\n{:>count_width$}  CATEGORY\n", "COUNT"));
        for (category, n) in &categories {
            out.push_str(&format!("{n:>count_width$}  {category}\n"));
        }
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_of_why() {
        assert_eq!(first_sentence("One thing. Two things."), "One thing.");
        assert_eq!(
            first_sentence("Under U.S. law it is. More."),
            "Under U.S. law it is."
        );
        assert_eq!(first_sentence("No period"), "No period");
        assert_eq!(first_sentence("Line\n  break. Next"), "Line break.");
    }

    #[test]
    fn summary_lines() {
        let mut s = Summary {
            files: 4,
            errors: 3,
            warnings: 5,
            infos: 2,
            ..Summary::default()
        };
        assert_eq!(summary_line(&s), "3 errors, 5 warnings, 2 infos in 4 files");
        s.errors = 1;
        s.warnings = 0;
        s.infos = 0;
        s.files = 1;
        assert_eq!(summary_line(&s), "1 error, 0 warnings, 0 infos in 1 file");
        s.errors = 0;
        assert_eq!(summary_line(&s), "no findings in 1 file");
        s.baselined = 3;
        s.waived = 1;
        assert_eq!(
            summary_line(&s),
            "no findings in 1 file; 3 findings baselined; 1 finding waived"
        );
        s.baselined = 0;
        s.waived = 0;
        let empty = Summary {
            roots: vec!["docs".into()],
            ..Summary::default()
        };
        assert_eq!(summary_line(&empty), "no files to lint in docs");
        let failed = Summary {
            failed: 2,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&failed),
            "no files linted; 2 files could not be linted"
        );
    }
}
