//! The JSON Lines report: one JSON object per finding per line, written as each file's findings
//! arrive, with no summary line (the exit code and stderr carry the outcome, and a consumer can
//! count lines). Each object has exactly the fields of a finding in the JSON document
//! (`report::json`), so one parser reads both.

use std::io::{self, Write};

use super::json::to_json;
use super::{Reporter, Summary};
use crate::finding::Finding;
use crate::source::SourceFile;

/// Streams findings; writes nothing at the end.
#[derive(Debug, Default)]
pub struct JsonlReporter;

impl Reporter for JsonlReporter {
    fn report(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        for f in findings {
            // serde_json escapes line breaks inside strings, so each object is one line.
            serde_json::to_writer(&mut *out, &to_json(file, f)).map_err(io::Error::from)?;
            writeln!(out)?;
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
    fn one_object_per_line_even_with_line_breaks_inside() {
        let file = SourceFile::from_text("a.md", "it cures\nall".into(), Encoding::Utf8, 0);
        let findings = [
            test_finding(&file, 3..12, Severity::Error),
            test_finding(&file, 0..2, Severity::Info),
        ];
        let mut out = Vec::new();
        JsonlReporter.report(&mut out, &file, &findings).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(first["matched"], "cures\nall");
        assert_eq!(first["severity"], "error");
        assert_eq!(first["path"], "a.md");
    }
}
