//! Pretty-printed JSON written piece by piece: a report's big array goes to the output one
//! element at a time instead of being held until the end of the run, so memory stays bounded by
//! one file's findings. The bytes are exactly those of `serde_json::to_writer_pretty` on the
//! whole document (two-space indent), which the tests check.

use std::io::{self, Write};

use serde::Serialize;

/// Writes `value` pretty-printed as if nested `depth` levels deep: every line after the first
/// is indented by `depth` levels. Serialised into a buffer of the thread's, then written to
/// `out` in one piece: the formatter writes a few bytes at a time (quotes, indents, escaped
/// runs), and each through `dyn Write` into the output's `BufWriter` was a call and a copy
/// (5% of a JSON run).
pub(crate) fn write_nested(
    out: &mut dyn Write,
    value: &impl Serialize,
    depth: usize,
) -> io::Result<()> {
    NESTED_BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut *buffer, NestedPretty::at(depth));
        let written = value
            .serialize(&mut serializer)
            .map_err(io::Error::from)
            .and_then(|()| out.write_all(buffer));
        // A huge value (a run's error list) does not keep its memory.
        if buffer.capacity() > MAX_KEPT_BUFFER {
            *buffer = Vec::new();
        }
        written
    })
}

thread_local! {
    /// `write_nested`'s buffer, kept between values.
    static NESTED_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The most memory `NESTED_BUFFER` keeps between values.
const MAX_KEPT_BUFFER: usize = 64 * 1024;

fn write_indent(out: &mut (impl Write + ?Sized), depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        out.write_all(b"  ")?;
    }
    Ok(())
}

/// `serde_json::ser::PrettyFormatter` with a two-space indent, starting `depth` levels in
/// (serde_json's own always starts at the margin). The methods mirror serde_json's, so a value
/// prints exactly as it does inside `to_string_pretty` of the whole document.
struct NestedPretty {
    depth: usize,
    has_value: bool,
}

impl NestedPretty {
    fn at(depth: usize) -> Self {
        NestedPretty {
            depth,
            has_value: false,
        }
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            write_indent(w, self.depth)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        write_indent(w, self.depth)
    }
}

impl serde_json::ser::Formatter for NestedPretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
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

    /// The old way, kept as the reference: print at the margin, then indent every later line.
    fn indented_after_the_fact(value: &serde_json::Value, depth: usize) -> String {
        let text = serde_json::to_string_pretty(value).unwrap();
        text.split('\n')
            .collect::<Vec<_>>()
            .join(&format!("\n{}", "  ".repeat(depth)))
    }

    #[test]
    fn nested_values_print_as_indented_pretty_json() {
        let values = [
            json!(null),
            json!([]),
            json!({}),
            json!({"a": [], "b": {}, "c": [[], {}], "d": "line\nbreak", "e": [1, {"f": [true]}]}),
            json!([{"x": 1}, [2, [3]], "s"]),
        ];
        for value in &values {
            for depth in [0, 1, 3] {
                let mut out = Vec::new();
                write_nested(&mut out, value, depth).unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    indented_after_the_fact(value, depth),
                    "{value} at depth {depth}"
                );
            }
        }
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
