//! Pretty-printed JSON written piece by piece: a report's big array goes to the output one
//! element at a time instead of being held until the end of the run, so memory stays bounded by
//! one file's findings. The bytes are exactly those of `serde_json::to_writer_pretty` on the
//! whole document (two-space indent), which the tests check.

use std::io::{self, Write};

use serde::Serialize;

/// Writes `value` pretty-printed as if nested `depth` levels deep: every line after the first
/// is indented by `depth` levels. JSON strings escape line feeds, so a line break in the printed
/// text is always one of the printer's own.
pub(crate) fn write_nested(
    out: &mut dyn Write,
    value: &impl Serialize,
    depth: usize,
) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::from)?;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
            write_indent(out, depth)?;
        }
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

fn write_indent(out: &mut dyn Write, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        out.write_all(b"  ")?;
    }
    Ok(())
}

/// The elements of a JSON array at `depth`, written as they come. The caller writes the
/// opening `[` (after its key) and calls `close` for the `]`.
#[derive(Debug)]
pub(crate) struct ArrayWriter {
    depth: usize,
    len: usize,
}

impl ArrayWriter {
    pub(crate) fn new(depth: usize) -> Self {
        ArrayWriter { depth, len: 0 }
    }

    pub(crate) fn push(&mut self, out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
        if self.len > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n")?;
        write_indent(out, self.depth + 1)?;
        write_nested(out, value, self.depth + 1)?;
        self.len += 1;
        Ok(())
    }

    /// Writes the closing `]`: right after `[` for an empty array, as serde_json does.
    pub(crate) fn close(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.len > 0 {
            out.write_all(b"\n")?;
            write_indent(out, self.depth)?;
        }
        out.write_all(b"]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `{"a": 1, "list": [items...], "z": {...}}` written in pieces, as the reporters do.
    fn streamed(items: &[serde_json::Value]) -> String {
        let mut out = Vec::new();
        out.extend_from_slice(b"{\n  \"a\": 1,\n  \"list\": [");
        let mut array = ArrayWriter::new(1);
        for item in items {
            array.push(&mut out, item).unwrap();
        }
        array.close(&mut out).unwrap();
        out.extend_from_slice(b",\n  \"z\": ");
        write_nested(&mut out, &json!({"k": [1, {"m": "x\ny"}], "e": []}), 1).unwrap();
        out.extend_from_slice(b"\n}");
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pieces_print_exactly_as_the_whole_document() {
        let cases = [
            vec![],
            vec![json!({"path": "a.md", "n": [1, 2], "empty": {}})],
            vec![
                json!(1),
                json!("two\nlines"),
                json!({"deep": {"er": [[]]}}),
                json!(null),
            ],
        ];
        for items in cases {
            let whole = serde_json::to_string_pretty(&json!({
                "a": 1,
                "list": items,
                "z": {"k": [1, {"m": "x\ny"}], "e": []},
            }))
            .unwrap();
            assert_eq!(streamed(&items), whole);
        }
    }
}
