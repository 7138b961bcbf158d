//! Errors that point into a file (a ruleset, a config): path, the file's text, the byte span and a
//! message, rendered with codespan-reporting so the user sees file, line and column.

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config, termcolor};

/// An error located in a text file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub path: String,
    pub text: String,
    /// Byte range of the offending text, when known.
    pub span: Option<Range<usize>>,
    pub message: String,
    /// An extra line of explanation (`= note:`).
    pub note: Option<String>,
}

impl SourceError {
    pub fn new(
        path: impl Into<String>,
        text: impl Into<String>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        SourceError {
            path: path.into(),
            text: text.into(),
            span,
            message: message.into(),
            note: None,
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// 1-based line and column (in Unicode scalar values) of the start of the span. Lines end at
    /// line feeds, as TOML and JSON define them and as the rendered snippet counts them: a lone
    /// carriage return, which a linted page may use as a line break, does not break a config line.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let span = self.span.as_ref()?;
        let mut offset = span.start.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Some((line, before[line_start..].chars().count() + 1))
    }

    /// Renders the error as codespan-reporting text (with ANSI colour when `color`).
    pub fn render(&self, color: bool) -> String {
        let file = SimpleFile::new(self.path.as_str(), self.text.as_str());
        let mut diag = Diagnostic::error().with_message(&self.message);
        if let Some(span) = &self.span {
            let end = span
                .end
                .min(self.text.len())
                .max(span.start.min(self.text.len()));
            let start = span.start.min(end);
            diag = diag.with_labels(vec![Label::primary((), start..end)]);
        }
        if let Some(note) = &self.note {
            diag = diag.with_notes(vec![note.clone()]);
        }
        let mut out = Vec::new();
        let config = Config::default();
        let result = if color {
            let mut w = termcolor::Ansi::new(&mut out);
            term::emit_to_write_style(&mut w, &config, &file, &diag)
        } else {
            let mut w = termcolor::NoColor::new(&mut out);
            term::emit_to_write_style(&mut w, &config, &file, &diag)
        };
        if result.is_err() {
            return self.to_string();
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line_col() {
            Some((line, col)) => write!(f, "{}:{}:{}: {}", self.path, line, col, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for SourceError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_and_column() {
        let e = SourceError::new(
            "r.toml",
            "a = 1\nmesage = 2\n",
            Some(6..12),
            "unknown field `mesage`",
        );
        assert_eq!(e.to_string(), "r.toml:2:1: unknown field `mesage`");
        let rendered = e.render(false);
        assert!(rendered.contains("r.toml:2:1"), "{rendered}");
        assert!(rendered.contains("unknown field `mesage`"));
    }

    #[test]
    fn lines_end_at_line_feeds_as_in_the_rendered_snippet() {
        // Found by the toml fuzz target: lone carriage returns made the position line 3 of a
        // one-line file, while the snippet below the message showed line 1.
        let e = SourceError::new("r.toml", "\"]\r\r @", Some(5..6), "key with no value");
        assert_eq!(e.line_col(), Some((1, 6)));
        assert!(
            e.render(false).contains("r.toml:1:6"),
            "{}",
            e.render(false)
        );
        // CRLF: the carriage return belongs to the line break; columns count characters.
        let e = SourceError::new("r.toml", "a = 1\r\n\u{e9}x = ?", Some(10..11), "bad");
        assert_eq!(e.line_col(), Some((2, 3)));
        assert_eq!(e.to_string(), "r.toml:2:3: bad");
    }
}
