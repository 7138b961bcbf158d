//! The human report: codespan-reporting diagnostics (`error[rule]: message`, the matched words
//! underlined, context cues as secondary labels, `= help:` with balanced wording, `= note:` with
//! the rule's evidence hint and first reference), then one summary line. A waived finding (shown
//! only with `--verbose`) says so in its message and labels its directive with the reason.
//! `--statistics` replaces the findings with counts per rule and per category (`Statistics`).
//!
//! codespan reads files through our own `Files` implementation over `SourceFile`'s `LineIndex`,
//! so line numbers agree with every other output (lone `\r` line ends included) and spans are
//! the byte offsets of `SourceFile::text`, which has no BOM.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, Config, termcolor};

use super::{FileError, ReportOptions, Reporter, Summary, plural};
use crate::finding::{Finding, Severity};
use crate::rules::Ruleset;
use crate::source::SourceFile;

/// One `SourceFile` as codespan's file database.
pub struct SourceFiles<'a>(pub &'a SourceFile);

impl<'a> Files<'a> for SourceFiles<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.0.path)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.0.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.0.lines.line_of(byte_index))
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        let len = self.0.text.len();
        let lines = self.0.lines.len();
        match self.0.lines.line_range(line_index, len) {
            Some(r) => Ok(r),
            // codespan asks for the line after the last one; like its SimpleFile, answer with
            // an empty range at the end.
            None if line_index == lines => Ok(len..len),
            None => Err(files::Error::LineTooLarge {
                given: line_index,
                max: lines.saturating_sub(1),
            }),
        }
    }
}

/// Writes diagnostics as files arrive and the summary line at the end.
pub struct HumanReporter<'a> {
    color: bool,
    rules: &'a Ruleset,
    config: Config,
}

impl<'a> HumanReporter<'a> {
    pub fn new(opts: ReportOptions<'a>) -> Self {
        HumanReporter {
            color: opts.color,
            rules: opts.rules,
            config: Config::default(),
        }
    }

    /// The diagnostic for one finding.
    pub fn diagnostic(&self, f: &Finding) -> Diagnostic<()> {
        let diag = match f.severity {
            Severity::Error => Diagnostic::error(),
            Severity::Warning => Diagnostic::warning(),
            // codespan has no "info" level; `note` is its lowest.
            Severity::Info => Diagnostic::note(),
        };
        let mut labels = vec![Label::primary((), f.span.clone())];
        let mut notes = Vec::new();
        for adj in &f.adjustments {
            match &adj.span {
                Some(span) => {
                    labels.push(Label::secondary((), span.clone()).with_message(&adj.note))
                }
                None => notes.push(format!("note: {}", adj.note)),
            }
        }
        if !f.suggestion.trim().is_empty() {
            notes.push(format!("help: {}", f.suggestion.trim()));
        }
        let why = self
            .rules
            .rule(&f.rule)
            .map(|r| r.docs.why.trim())
            .unwrap_or("");
        match f.citation_hint.as_deref().map(str::trim) {
            Some(hint) if !hint.is_empty() => notes.push(format!("note: {hint}")),
            _ if !why.is_empty() => notes.push(format!("note: {}", first_sentence(why))),
            _ => {}
        }
        if let Some(first) = f.references.first() {
            notes.push(format!("note: see {first}"));
        }
        let message = match &f.waiver {
            Some(w) => {
                labels.push(
                    Label::secondary((), w.span.clone())
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

    fn emit(
        &self,
        out: &mut dyn Write,
        file: &SourceFile,
        diag: &Diagnostic<()>,
    ) -> io::Result<()> {
        let files = SourceFiles(file);
        let result = if self.color {
            term::emit_to_write_style(
                &mut termcolor::Ansi::new(&mut *out),
                &self.config,
                &files,
                diag,
            )
        } else {
            term::emit_to_write_style(
                &mut termcolor::NoColor::new(&mut *out),
                &self.config,
                &files,
                diag,
            )
        };
        result.map_err(|e| match e {
            files::Error::Io(io) => io,
            other => io::Error::other(other.to_string()),
        })
    }
}

impl Reporter for HumanReporter<'_> {
    fn report(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        for f in findings {
            self.emit(out, file, &self.diagnostic(f))?;
        }
        Ok(())
    }

    fn error(&mut self, _error: &FileError) {}

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        let line = summary_line(summary);
        if self.color {
            writeln!(out, "\x1b[1m{line}\x1b[0m")
        } else {
            writeln!(out, "{line}")
        }
    }
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
    use crate::source::Encoding;

    #[test]
    fn lone_cr_lines_are_numbered() {
        let file = SourceFile::from_text("a.txt", "one\rtwo cure\rthree".into(), Encoding::Utf8, 0);
        let files = SourceFiles(&file);
        assert_eq!(files.line_index((), 8).unwrap(), 1);
        assert_eq!(files.line_range((), 1).unwrap(), 4..13);
        assert_eq!(files.location((), 8).unwrap().column_number, 5);
        assert_eq!(files.line_range((), 3).unwrap(), 18..18);
        assert!(files.line_range((), 4).is_err());
    }

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
