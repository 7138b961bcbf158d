//! The compact report: `path:line:col: severity [rule] message`, one line per finding and nothing
//! else, for editors' error parsers and `grep`. Line breaks inside a message become spaces so a
//! finding is always exactly one line.

use std::io::{self, Write};

use super::{Reporter, Summary, single_line, waiver_reason};
use crate::finding::Finding;
use crate::source::SourceFile;

/// Writes each finding as it arrives; no summary line.
#[derive(Debug, Default)]
pub struct CompactReporter;

/// The line for one finding, without its line break.
pub fn compact_line(file: &SourceFile, f: &Finding) -> String {
    let (line, column) = file.line_col(f.span.start);
    single_line(&format!(
        "{}:{line}:{column}: {} [{}] {}",
        file.path, f.severity, f.rule, f.message
    ))
}

impl Reporter for CompactReporter {
    fn report(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        for f in findings.iter().filter(|f| waiver_reason(f).is_none()) {
            writeln!(out, "{}", compact_line(file, f))?;
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
    use crate::finding::Severity;
    use crate::report::test_finding;
    use crate::source::Encoding;

    #[test]
    fn one_line_with_character_columns() {
        let file = SourceFile::from_text("a b.md", "é\ncafé cure".into(), Encoding::Utf8, 0);
        let mut f = test_finding(&file, 9..13, Severity::Warning);
        f.message = "`cure`\nover two lines".into();
        assert_eq!(
            compact_line(&file, &f),
            "a b.md:2:6: warning [demo] `cure` over two lines"
        );
    }
}
