//! The GitLab Code Quality report: a JSON array of
//! `{description, check_name, fingerprint, severity, location: {path, lines: {begin, end}}}`
//! (the Code Climate issue subset GitLab reads), plus `content.body` with the balanced wording.
//! Severities map `info` -> `info`, `warning` -> `minor`, `error` -> `major`; GitLab's
//! `critical` and `blocker` are left for security tools. Fingerprints are
//! `report::fingerprints`: stable across line moves, unique within a run.

use std::io::{self, Write};

use serde::Serialize;

use super::json_stream::ArrayWriter;
use super::{Reporter, Summary, fingerprints, waiver_reason};
use crate::finding::{Finding, Severity};
use crate::source::SourceFile;

#[derive(Debug, Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
    content: Content,
}

#[derive(Debug, Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Debug, Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

#[derive(Debug, Serialize)]
struct Content {
    body: String,
}

/// Writes the array of issues as findings come.
#[derive(Debug, Default)]
pub struct GitlabReporter {
    /// The array, once its `[` is written.
    issues: Option<ArrayWriter>,
}

impl GitlabReporter {
    fn issues_array(&mut self, out: &mut dyn Write) -> io::Result<&mut ArrayWriter> {
        if self.issues.is_none() {
            out.write_all(b"[")?;
        }
        Ok(self.issues.get_or_insert_with(|| ArrayWriter::new(0)))
    }
}

/// GitLab's name for a severity.
fn gitlab_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Warning => "minor",
        Severity::Error => "major",
    }
}

impl Reporter for GitlabReporter {
    fn report(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        let prints = fingerprints(file, findings);
        for (f, fingerprint) in findings.iter().zip(prints) {
            if waiver_reason(f).is_some() {
                continue;
            }
            let (begin, _) = file.line_col(f.span.start);
            let (end, _) = file.line_col(f.span.end);
            let issue = Issue {
                description: format!("[{}] {}", f.rule, f.message),
                check_name: f.rule.clone(),
                fingerprint,
                severity: gitlab_severity(f.severity),
                location: Location {
                    path: file.path.clone(),
                    lines: Lines { begin, end },
                },
                content: Content {
                    body: format!("Write instead: {}", f.suggestion.trim()),
                },
            };
            self.issues_array(out)?.push(out, &issue)?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        self.issues_array(out)?.close(out)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_finding;
    use crate::source::Encoding;

    #[test]
    fn issues_have_gitlab_fields() {
        let file = SourceFile::from_text("p.md", "one\ncure\ncure".into(), Encoding::Utf8, 0);
        let findings = [
            test_finding(&file, 4..8, Severity::Warning),
            test_finding(&file, 9..13, Severity::Error),
        ];
        let mut r = GitlabReporter::default();
        let mut out = Vec::new();
        r.report(&mut out, &file, &findings).unwrap();
        r.finish(&mut out, &Summary::default()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let issues = v.as_array().unwrap();
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0]["severity"], "minor");
        assert_eq!(issues[1]["severity"], "major");
        assert_eq!(issues[0]["check_name"], "demo");
        assert_eq!(issues[0]["description"], "[demo] m");
        assert_eq!(issues[1]["location"]["path"], "p.md");
        assert_eq!(issues[1]["location"]["lines"]["begin"], 3);
        assert_ne!(issues[0]["fingerprint"], issues[1]["fingerprint"]);
    }

    #[test]
    fn no_findings_is_an_empty_array() {
        let mut r = GitlabReporter::default();
        let mut out = Vec::new();
        let file = SourceFile::from_text("p.md", "fine".into(), Encoding::Utf8, 0);
        r.report(&mut out, &file, &[]).unwrap();
        r.finish(&mut out, &Summary::default()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[]\n");
    }
}
