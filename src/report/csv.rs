//! The CSV report: one row per finding for spreadsheets, RFC 4180 (CRLF line ends, fields quoted
//! when they hold a comma, quote or line break, quotes doubled), UTF-8 with a byte order mark so
//! Excel reads it as UTF-8.
//!
//! A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`:
//! spreadsheets would otherwise run it as a formula (OWASP's "CSV injection"), and document text is
//! untrusted input.

use std::io::{self, Write};

use super::{Reporter, Summary};
use crate::finding::Finding;
use crate::source::SourceFile;

/// The columns, in order.
pub const HEADER: [&str; 11] = [
    "path",
    "line",
    "column",
    "severity",
    "category",
    "rule",
    "matched",
    "message",
    "suggestion",
    "waived",
    "waiver reason",
];

/// Writes rows as files arrive.
pub struct CsvReporter {
    started: bool,
}

impl CsvReporter {
    pub fn new() -> Self {
        CsvReporter { started: false }
    }
}

impl Default for CsvReporter {
    fn default() -> Self {
        Self::new()
    }
}

/// `text` safe to open in a spreadsheet: a leading `'` when it would start a formula.
pub fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn writer(out: &mut dyn Write) -> ::csv::Writer<&mut dyn Write> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(out)
}

fn csv_error(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl CsvReporter {
    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.started {
            self.started = true;
            out.write_all("\u{FEFF}".as_bytes())?;
            let mut w = writer(out);
            w.write_record(HEADER).map_err(csv_error)?;
            w.flush()?;
        }
        Ok(())
    }
}

impl Reporter for CsvReporter {
    fn report(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        self.start(out)?;
        let mut w = writer(out);
        for f in findings {
            let (line, column) = file.line_col(f.span.start);
            let waiver = f.waiver.as_ref();
            w.write_record([
                cell(&file.path),
                line.to_string(),
                column.to_string(),
                f.severity.name().to_owned(),
                cell(&f.category),
                cell(&f.rule),
                cell(&f.matched),
                cell(&f.message),
                cell(&f.suggestion),
                if waiver.is_some() { "yes" } else { "no" }.to_owned(),
                cell(waiver.map_or("", |w| w.reason.as_str())),
            ])
            .map_err(csv_error)?;
        }
        w.flush()
    }

    /// A run without files still writes the header.
    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        self.start(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("cures"), "cures");
    }
}
