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

    /// 1-based line and column of the start of the span.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let span = self.span.as_ref()?;
        let idx = crate::source::LineIndex::new(&self.text);
        Some(idx.line_col(&self.text, span.start))
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
}
