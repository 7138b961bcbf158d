//! Source files: decoding raw bytes into text (BOM, UTF-8, UTF-16) and turning byte offsets into
//! line and column numbers. This is the only module that knows about lines.

use std::ops::Range;

/// The text encoding a file was read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

/// Why a file's bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "not valid UTF-8: byte 0x{byte:02x} at line {line}, column {column} (byte offset {offset})"
    )]
    InvalidUtf8 {
        offset: usize,
        byte: u8,
        line: usize,
        column: usize,
    },
    #[error("not valid UTF-16 ({encoding}) near byte offset {offset}")]
    InvalidUtf16 {
        encoding: &'static str,
        offset: usize,
    },
}

/// A decoded file: its display path, its text without any byte order mark, and a line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    /// The decoded text, without the byte order mark.
    pub text: String,
    pub encoding: Encoding,
    /// Length in bytes of the byte order mark that was stripped (0 when there was none).
    pub bom_len: usize,
    pub lines: LineIndex,
}

impl SourceFile {
    /// Decodes `bytes` (UTF-8 with or without BOM, or UTF-16 with a BOM).
    pub fn from_bytes(path: impl Into<String>, bytes: &[u8]) -> Result<Self, DecodeError> {
        let (text, encoding, bom_len) = decode(bytes)?;
        Ok(Self::from_text(path, text, encoding, bom_len))
    }

    /// `from_bytes` of bytes the caller no longer needs: UTF-8 without a BOM (nearly every
    /// file) becomes the text without a copy.
    pub fn from_vec(path: impl Into<String>, bytes: Vec<u8>) -> Result<Self, DecodeError> {
        if bytes.starts_with(b"\xEF\xBB\xBF")
            || bytes.starts_with(b"\xFF\xFE")
            || bytes.starts_with(b"\xFE\xFF")
        {
            return Self::from_bytes(path, &bytes);
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Self::from_text(path, text, Encoding::Utf8, 0)),
            // The error is found and described as `from_bytes` does.
            Err(e) => Self::from_bytes(path, e.as_bytes()),
        }
    }

    /// Wraps already decoded text (BOM removed).
    pub fn from_text(
        path: impl Into<String>,
        text: String,
        encoding: Encoding,
        bom_len: usize,
    ) -> Self {
        let lines = LineIndex::new(&text);
        SourceFile {
            path: path.into(),
            text,
            encoding,
            bom_len,
            lines,
        }
    }

    /// Byte offset into the original file for a byte offset into `text`. Exact for UTF-8 files; for
    /// UTF-16 files it is the offset into the UTF-8 transcoding (documented in the README).
    pub fn file_offset(&self, text_offset: usize) -> usize {
        match self.encoding {
            Encoding::Utf8 => text_offset + self.bom_len,
            Encoding::Utf16Le | Encoding::Utf16Be => text_offset,
        }
    }

    /// 1-based line and column (column in Unicode scalar values) of a byte offset into `text`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines.line_col(&self.text, offset)
    }
}

/// Decodes file bytes. UTF-8 (BOM optional) must be valid; UTF-16 needs its BOM.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding, usize), DecodeError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest, 3).map(|t| (t, Encoding::Utf8, 3));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, encoding_rs::UTF_16LE).map(|t| (t, Encoding::Utf16Le, 2));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, encoding_rs::UTF_16BE).map(|t| (t, Encoding::Utf16Be, 2));
    }
    utf8(bytes, 0).map(|t| (t, Encoding::Utf8, 0))
}

fn utf8(bytes: &[u8], bom_len: usize) -> Result<String, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let offset = e.valid_up_to();
            // The valid prefix is text, so the line index of it locates the bad byte.
            let prefix = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
            let (line, column) = LineIndex::new(prefix).line_col(prefix, offset);
            Err(DecodeError::InvalidUtf8 {
                offset: offset + bom_len,
                byte: bytes[offset],
                line,
                column,
            })
        }
    }
}

fn utf16(bytes: &[u8], encoding: &'static encoding_rs::Encoding) -> Result<String, DecodeError> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors || bytes.len() % 2 == 1 {
        let offset = text
            .char_indices()
            .find(|&(_, c)| c == char::REPLACEMENT_CHARACTER)
            .map_or(bytes.len(), |(i, _)| i);
        return Err(DecodeError::InvalidUtf16 {
            encoding: encoding.name(),
            offset,
        });
    }
    Ok(text.into_owned())
}

/// Start offsets of lines. `\n`, `\r\n` and a lone `\r` all end a line.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Every `COLUMN_MARK_STEP` bytes, a char boundary and its 0-based column. Columns count
    /// scalar values from the line start, so without marks a report of many findings on one
    /// huge line (a minified page, a 100 MB single-line file) would rescan the line per finding.
    marks: Vec<(usize, usize)>,
}

/// Bytes between column marks: a column lookup counts at most this many bytes.
const COLUMN_MARK_STEP: usize = 4096;

/// Marks every `COLUMN_MARK_STEP` bytes along one long line (on char boundaries): only a line
/// longer than that needs them, since a column is otherwise counted from its line start.
fn add_marks(bytes: &[u8], line: Range<usize>, marks: &mut Vec<(usize, usize)>) {
    let (mut at, mut column) = (line.start, 0);
    loop {
        let mut next = at + COLUMN_MARK_STEP;
        while next < line.end && is_continuation(bytes[next]) {
            next += 1;
        }
        if next >= line.end {
            break;
        }
        column += bytes[at..next]
            .iter()
            .filter(|&&b| !is_continuation(b))
            .count();
        marks.push((next, column));
        at = next;
    }
}

/// Whether a byte continues a UTF-8 sequence (so does not start a scalar value).
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        // Room for a line every 64 bytes, which most pages do not pass.
        let mut starts = Vec::with_capacity(bytes.len() / 64 + 1);
        starts.push(0);
        let mut marks = Vec::new();
        let mut line_start = 0;
        loop {
            // SIMD search: a page is mostly long lines, and this runs over every byte linted.
            let end = memchr::memchr2(b'\n', b'\r', &bytes[line_start..])
                .map_or(bytes.len(), |p| line_start + p);
            if end - line_start > COLUMN_MARK_STEP {
                add_marks(bytes, line_start..end, &mut marks);
            }
            if end == bytes.len() {
                break;
            }
            // A CRLF pair is one line break; a lone CR is one too.
            let next = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                end + 2
            } else {
                end + 1
            };
            starts.push(next);
            line_start = next;
        }
        LineIndex { starts, marks }
    }

    /// Number of lines (a trailing line break starts one more, empty line).
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte range of 0-based `line`, including its line break.
    pub fn line_range(&self, line: usize, text_len: usize) -> Option<Range<usize>> {
        let start = *self.starts.get(line)?;
        let end = self.starts.get(line + 1).copied().unwrap_or(text_len);
        Some(start..end)
    }

    /// 1-based line and 1-based column in Unicode scalar values.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let line_start = self.starts[line];
        // Count from the last mark on this line before `offset`, else from the line start.
        let (start, base) = match self.marks.partition_point(|&(at, _)| at <= offset) {
            0 => (line_start, 0),
            n => match self.marks[n - 1] {
                (at, column) if at >= line_start => (at, column),
                _ => (line_start, 0),
            },
        };
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, base + column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_stripped_and_counted() {
        let f = SourceFile::from_bytes("a.md", b"\xEF\xBB\xBFhello").unwrap();
        assert_eq!(f.text, "hello");
        assert_eq!(f.bom_len, 3);
        assert_eq!(f.file_offset(0), 3);
        assert_eq!(f.line_col(0), (1, 1));
    }

    /// Owned bytes decode as borrowed ones do: with or without a BOM, and an error alike.
    #[test]
    fn owned_bytes_decode_as_borrowed_ones() {
        let utf16: Vec<u8> = [0xFF, 0xFE, b'h', 0].to_vec();
        for bytes in [
            &b"plain"[..],
            b"\xEF\xBB\xBFhello\r\nthere",
            &utf16,
            b"",
            b"bad \xFF byte",
            b"\xEF\xBB\xBFbad \xC3",
        ] {
            let owned = SourceFile::from_vec("a.md", bytes.to_vec());
            match SourceFile::from_bytes("a.md", bytes) {
                Ok(f) => {
                    let g = owned.unwrap();
                    assert_eq!(
                        (&g.text, g.encoding, g.bom_len),
                        (&f.text, f.encoding, f.bom_len)
                    );
                    assert_eq!(g.line_col(g.text.len()), f.line_col(f.text.len()));
                }
                Err(e) => assert_eq!(owned.unwrap_err(), e, "{bytes:?}"),
            }
        }
    }

    #[test]
    fn utf16le_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "no side effects".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let f = SourceFile::from_bytes("a.txt", &bytes).unwrap();
        assert_eq!(f.text, "no side effects");
        assert_eq!(f.encoding, Encoding::Utf16Le);
    }

    #[test]
    fn utf16be_with_bom_is_decoded() {
        let mut bytes = vec![0xFE, 0xFF];
        for u in "héllo".encode_utf16() {
            bytes.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(
            SourceFile::from_bytes("a.txt", &bytes).unwrap().text,
            "héllo"
        );
    }

    #[test]
    fn invalid_utf8_names_line_and_byte() {
        let err = decode(b"line one\nline two \xff here").unwrap_err();
        assert_eq!(
            err,
            DecodeError::InvalidUtf8 {
                offset: 18,
                byte: 0xff,
                line: 2,
                column: 10
            }
        );
        assert!(err.to_string().contains("line 2"));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nb\rc\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.len(), 4);
        assert_eq!(idx.line_col(text, 3), (2, 1));
        assert_eq!(idx.line_col(text, 5), (3, 1));
        assert_eq!(idx.line_col(text, 7), (4, 1));
        // The \r of a CRLF pair belongs to the line it ends.
        assert_eq!(idx.line_col(text, 1), (1, 2));
    }

    #[test]
    fn columns_on_a_huge_line_match_a_plain_count() {
        // Longer than several column marks, with multi-byte characters straddling them and
        // line breaks after the first marks, so both the mark and the line-start paths run.
        let mut text = "é€a".repeat(3000);
        text.push('\n');
        text.push_str(&"b𝄞".repeat(2500));
        let idx = LineIndex::new(&text);
        let second = text.find('\n').unwrap() + 1;
        for (offset, _) in text.char_indices().step_by(97) {
            let start = if offset >= second { second } else { 0 };
            let expected = text[start..offset].chars().count() + 1;
            assert_eq!(idx.line_col(&text, offset).1, expected, "offset {offset}");
        }
        assert!(idx.marks.len() > 3);
    }

    /// Line and column by counting from the start of the text, one character at a time.
    fn naive_line_col(text: &str, offset: usize) -> (usize, usize) {
        let (mut line, mut column) = (1, 1);
        // Peek past `offset`: a CR right before it may be half of a CRLF.
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if at >= offset {
                break;
            }
            let breaks = c == '\n' || (c == '\r' && chars.peek().map(|&(_, d)| d) != Some('\n'));
            if breaks {
                (line, column) = (line + 1, 1);
            } else {
                column += 1;
            }
        }
        (line, column)
    }

    proptest::proptest! {
        #[test]
        fn line_and_column_match_a_naive_count(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "a".to_string(), "\u{e9}".into(), "\u{1d11e}".into(), "\n".into(), "\r".into(),
                "\r\n".into(), " ".into(), "\u{20ac}x".into(),
                // Three of these in a row make a line long enough for column marks.
                "\u{e9}t\u{e9} ".repeat(300),
            ]),
            0..60,
        )) {
            let text: String = pieces.concat();
            let idx = LineIndex::new(&text);
            for (offset, _) in text.char_indices().step_by(61).chain([(text.len(), ' ')]) {
                proptest::prop_assert_eq!(
                    idx.line_col(&text, offset),
                    naive_line_col(&text, offset),
                    "offset {}", offset
                );
            }
        }
    }

    #[test]
    fn columns_count_scalar_values_not_bytes() {
        let text = "café — cures";
        let idx = LineIndex::new(text);
        let off = text.find("cures").unwrap();
        assert_eq!(idx.line_col(text, off), (1, 8));
    }
}
