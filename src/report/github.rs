//! The GitHub Actions report: one workflow command per finding,
//! `::error file=...,line=...,col=...,endLine=...,endColumn=...,title=...::message`, which GitHub
//! shows as an annotation on the pull request. Severity `info` becomes `notice`.
//!
//! Escaping follows the runner's rules: in property values `%`, `\r`, `\n`, `:` and `,` are
//! percent-encoded; in the message only `%`, `\r` and `\n` are. Columns count Unicode scalar
//! values, as every other format does.

use std::io::{self, Write};

use super::{Reporter, Summary, waiver_reason};
use crate::finding::{Finding, Severity};
use crate::source::SourceFile;

/// Writes each finding as it arrives; no summary.
#[derive(Debug, Default)]
pub struct GithubReporter;

/// The workflow command name for a severity.
fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a workflow command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (`file=`, `title=`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The command for one finding, without its line break. The message carries the balanced
/// wording too, since an annotation is all a reviewer sees.
pub fn github_line(file: &SourceFile, f: &Finding) -> String {
    let (line, col) = file.line_col(f.span.start);
    let (end_line, end_col) = file.line_col(f.span.end);
    let mut message = f.message.clone();
    if !f.suggestion.trim().is_empty() {
        message.push_str("\n\nWrite instead: ");
        message.push_str(f.suggestion.trim());
    }
    format!(
        "::{} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
        command(f.severity),
        escape_property(&file.path),
        escape_property(&format!("claimlint {}", f.rule)),
        escape_data(&message)
    )
}

impl Reporter for GithubReporter {
    fn report(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        for f in findings.iter().filter(|f| waiver_reason(f).is_none()) {
            writeln!(out, "{}", github_line(file, f))?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_finding;
    use crate::source::Encoding;

    #[test]
    fn escapes_properties_and_message_differently() {
        assert_eq!(escape_property("a%b\rc\nd:e,f"), "a%25b%0Dc%0Ad%3Ae%2Cf");
        assert_eq!(escape_data("a%b\rc\nd:e,f"), "a%25b%0Dc%0Ad:e,f");
    }

    #[test]
    fn info_is_a_notice_and_ends_are_exclusive() {
        let file = SourceFile::from_text("d:1,x.md", "ab\nx cure".into(), Encoding::Utf8, 0);
        let mut f = test_finding(&file, 5..9, Severity::Info);
        f.message = "100% sure: yes, really".into();
        f.suggestion = "say it\nplainly".into();
        assert_eq!(
            github_line(&file, &f),
            "::notice file=d%3A1%2Cx.md,line=2,col=3,endLine=2,endColumn=7,\
             title=claimlint demo::100%25 sure: yes, really%0A%0AWrite instead: say it%0Aplainly"
        );
    }
}
