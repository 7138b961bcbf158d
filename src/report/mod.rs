//! Reporters: turn findings into output. One reporter per `--format`, each writing to a
//! `&mut dyn Write` it is handed (the library never picks stdout itself). Streaming formats write
//! in `report`; aggregate formats (the JSON document) buffer and write in `finish`.
//!
//! Findings reach a reporter file by file in path order, each file's findings in offset order,
//! so every format is deterministic whatever the number of threads.

pub mod human;
pub mod json;

use std::io::{self, Write};

use crate::finding::{Finding, Severity};
use crate::rules::Ruleset;
use crate::source::SourceFile;

/// An output format of `claimlint check`. Later formats (sarif, github, junit, ...) join here;
/// clap lists the valid ones when an unknown one is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics for people, with the matched words underlined.
    Human,
    /// One JSON document, a stable contract: fields are added, never changed.
    Json,
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
    /// The paths the run was asked to lint, for "no files to lint in ...".
    pub roots: Vec<String>,
}

impl Summary {
    /// Counts a file and its (shown) findings.
    pub fn add_file(&mut self, findings: &[Finding]) {
        self.files += 1;
        for f in findings {
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
}

/// The reporter for a format.
pub fn reporter<'a>(format: Format, opts: ReportOptions<'a>) -> Box<dyn Reporter + 'a> {
    match format {
        Format::Human => Box::new(human::HumanReporter::new(opts)),
        Format::Json => Box::new(json::JsonReporter::default()),
    }
}

/// `1 error`, `2 warnings`: a count with its noun in the right number.
pub(crate) fn plural(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

#[cfg(test)]
mod tests {
    use super::*;

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
