//! Pretty-printed JSON written piece by piece: a report's big array goes to the output one
//! element at a time instead of being held until the end of the run, so memory stays bounded by
//! one file's findings. The bytes are exactly those of `serde_json::to_writer_pretty` on the
//! whole document (two-space indent), which the tests check. Findings, most of a report's
//! bytes, are written by hand with `PrettyWriter` (faster escaping), to the same bytes.

use std::io::{self, Write};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use serde::Serialize;

use crate::swar;

/// Writes JSON by hand exactly as `NestedPretty` prints it (two-space indent, `depth` levels
/// in), for the values that make most of a report's bytes: findings. serde_json escapes strings
/// one byte at a time (about eight instructions a byte, 6% of a JSON run); `write_str` skips
/// eight plain bytes at a time. A test holds the two to the same bytes.
pub(crate) struct PrettyWriter<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
    /// Whether the object or array being written has no member yet.
    empty: bool,
}

impl<'a> PrettyWriter<'a> {
    /// A writer of a value nested `depth` levels deep, into `out`.
    pub(crate) fn at(out: &'a mut Vec<u8>, depth: usize) -> Self {
        PrettyWriter {
            out,
            depth,
            empty: true,
        }
    }

    pub(crate) fn begin_object(&mut self) {
        self.depth += 1;
        self.empty = true;
        self.out.push(b'{');
    }

    pub(crate) fn end_object(&mut self) {
        self.close(b'}');
    }

    /// The next member's key (a plain identifier: written as it is, not escaped); its value
    /// follows.
    pub(crate) fn key(&mut self, name: &str) {
        // The line break, indent and quoted key in one copy where they fit (a finding's
        // seventeen keys were four or five small copies each).
        let mut line = [b' '; 64];
        let lead: &[u8] = if self.empty { b"\n" } else { b",\n" };
        let indent = 2 * self.depth;
        let len = lead.len() + indent + name.len() + 4;
        if len > line.len() {
            self.item();
            self.out.push(b'"');
            self.out.extend_from_slice(name.as_bytes());
            self.out.extend_from_slice(b"\": ");
            return;
        }
        self.empty = false;
        line[..lead.len()].copy_from_slice(lead);
        let at = lead.len() + indent;
        line[at] = b'"';
        line[at + 1..at + 1 + name.len()].copy_from_slice(name.as_bytes());
        line[len - 3..len].copy_from_slice(b"\": ");
        self.out.extend_from_slice(&line[..len]);
    }

    pub(crate) fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    pub(crate) fn number(&mut self, n: usize) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    pub(crate) fn string(&mut self, s: &str) {
        write_json_string(self.out, s);
    }

    /// An array of strings.
    pub(crate) fn strings<'s>(&mut self, items: impl IntoIterator<Item = &'s str>) {
        self.depth += 1;
        self.empty = true;
        self.out.push(b'[');
        for item in items {
            self.item();
            write_json_string(self.out, item);
        }
        self.close(b']');
    }

    /// `strings` of a list shared by many values (a rule's references, one `Arc` for all its
    /// findings): the first time at this depth it is escaped and kept in `rendered`, later
    /// times the kept bytes are copied. Escaping them anew for each finding was about 1% of a
    /// JSON run.
    pub(crate) fn shared_strings(&mut self, items: &Arc<[String]>, rendered: &mut RenderedArrays) {
        let key = (Arc::as_ptr(items).cast::<String>().addr(), self.depth);
        if let Some((_, bytes)) = rendered.by_list.get(&key) {
            self.out.extend_from_slice(bytes);
            self.empty = false;
            return;
        }
        let start = self.out.len();
        self.strings(items.iter().map(String::as_str));
        if rendered.by_list.len() < RenderedArrays::MAX_LISTS {
            let bytes = self.out[start..].to_vec();
            rendered.by_list.insert(key, (Arc::clone(items), bytes));
        }
    }

    /// A member's or element's line: after a comma unless it is the first.
    fn item(&mut self) {
        self.out
            .extend_from_slice(if self.empty { b"\n" } else { b",\n" });
        self.empty = false;
        self.indent(self.depth);
    }

    /// Closes an object or array: on its own line unless it is empty (`{}`, `[]`), as
    /// serde_json does. The value it closes is the enclosing one's member, so that is no
    /// longer empty.
    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if !self.empty {
            self.out.push(b'\n');
            self.indent(self.depth);
        }
        self.empty = false;
        self.out.push(bracket);
    }

    fn indent(&mut self, depth: usize) {
        // Findings sit three or four levels deep: one copy, not one per level.
        const SPACES: &[u8; 16] = b"                ";
        match SPACES.get(..2 * depth) {
            Some(spaces) => self.out.extend_from_slice(spaces),
            None => (0..depth).for_each(|_| self.out.extend_from_slice(b"  ")),
        }
    }
}

/// The JSON of shared string lists (see `PrettyWriter::shared_strings`), by the list's address
/// and the depth it was written at. Each entry holds a clone of its `Arc`, so no other list can
/// be allocated at a kept address while the entry lives.
#[derive(Debug, Default)]
pub(crate) struct RenderedArrays {
    by_list: FxHashMap<ListAtDepth, RenderedList>,
}

/// A shared list's address and the depth it was written at.
type ListAtDepth = (usize, usize);

/// A list (kept alive, see `RenderedArrays`) and its JSON.
type RenderedList = (Arc<[String]>, Vec<u8>);

impl RenderedArrays {
    /// How many lists are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_list.len()
    }

    /// Lists kept at most: rules' reference lists number in the tens, and a list made per
    /// finding must not grow the map without bound.
    const MAX_LISTS: usize = 1024;
}

/// `s` as a JSON string, escaped exactly as serde_json escapes it: `"` and `\\`, the short
/// escapes `\\b \\f \\n \\r \\t`, other control characters as `\\u00XX`; everything else
/// (DEL and non-ASCII included) as it is.
fn write_json_string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run_start = 0;
    let mut at = 0;
    while at < bytes.len() {
        // Eight bytes at a time; the last eight of a string at least that long cover its tail
        // (the bytes before `at` masked off); a shorter string goes byte by byte.
        if bytes.len() >= 8 {
            let from = at.min(bytes.len() - 8);
            let special = escaped_bytes(swar::load(bytes, from)) & (u64::MAX << (8 * (at - from)));
            match swar::first_marked(special) {
                None => {
                    at = from + 8;
                    continue;
                }
                Some(k) => at = from + k,
            }
        } else if !needs_escape(bytes[at]) {
            at += 1;
            continue;
        }
        out.extend_from_slice(&bytes[run_start..at]);
        let byte = bytes[at];
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xF)]);
            }
        }
        at += 1;
        run_start = at;
    }
    out.extend_from_slice(&bytes[run_start..]);
    out.push(b'"');
}

/// The high bit of each byte of `word` that JSON needs escaped in a string: below 0x20, `"`
/// or `\\`, in the manner of `swar::equal_bytes`, with the steps of its three tests shared: on
/// its seven low bits, a byte plus 0x60 has its high bit clear when it is below 0x20, and the byte
/// XOR `"` (or `\\`) plus 0x7F has it clear when it equals that byte (the XOR is zero). No sum
/// carries into the next byte, and non-ASCII bytes are never marked.
fn escaped_bytes(word: u64) -> u64 {
    const EACH: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F * EACH;
    let low = word & LOW7;
    let not_control = low + 0x60 * EACH;
    let not_quote = (low ^ (u64::from(b'"') * EACH)) + LOW7;
    let not_backslash = (low ^ (u64::from(b'\\') * EACH)) + LOW7;
    !((not_control & not_quote & not_backslash) | word) & swar::HIGH
}

/// Whether JSON needs `byte` escaped in a string.
fn needs_escape(byte: u8) -> bool {
    byte == b'"' || byte == b'\\' || byte < 0x20
}

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
    with_buffer(out, |buffer| {
        let mut serializer =
            serde_json::Serializer::with_formatter(buffer, NestedPretty::at(depth));
        value.serialize(&mut serializer).map_err(io::Error::from)
    })
}

/// Runs `fill` on the thread's cleared buffer, then writes what it holds to `out`.
fn with_buffer(
    out: &mut dyn Write,
    fill: impl FnOnce(&mut Vec<u8>) -> io::Result<()>,
) -> io::Result<()> {
    NESTED_BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        let written = fill(buffer).and_then(|()| out.write_all(buffer));
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
        self.separate(out)?;
        write_nested(out, value, self.depth + 1)?;
        self.len += 1;
        Ok(())
    }

    /// `push` for an element that writes itself (see `PrettyWriter`).
    pub(crate) fn push_written(
        &mut self,
        out: &mut dyn Write,
        write: impl FnOnce(&mut PrettyWriter),
    ) -> io::Result<()> {
        self.separate(out)?;
        with_buffer(out, |buffer| {
            write(&mut PrettyWriter::at(buffer, self.depth + 1));
            Ok(())
        })?;
        self.len += 1;
        Ok(())
    }

    /// The comma after the previous element, and the new element's line and indent.
    fn separate(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.len > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n")?;
        write_indent(out, self.depth + 1)
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
    use proptest::prelude::*;
    use serde_json::json;

    /// What `PrettyWriter` writes of `value` at `depth`, for the shapes it knows: objects,
    /// arrays of strings, strings, numbers and null.
    fn written(value: &serde_json::Value, depth: usize) -> String {
        fn write(w: &mut PrettyWriter, value: &serde_json::Value) {
            match value {
                serde_json::Value::Null => w.null(),
                serde_json::Value::Number(n) => w.number(n.as_u64().unwrap() as usize),
                serde_json::Value::String(s) => w.string(s),
                serde_json::Value::Array(items) => {
                    w.strings(items.iter().map(|i| i.as_str().unwrap()));
                }
                serde_json::Value::Object(members) => {
                    w.begin_object();
                    for (key, member) in members {
                        w.key(key);
                        write(w, member);
                    }
                    w.end_object();
                }
                serde_json::Value::Bool(_) => unreachable!("not a shape PrettyWriter writes"),
            }
        }
        let mut out = Vec::new();
        write(&mut PrettyWriter::at(&mut out, depth), value);
        String::from_utf8(out).unwrap()
    }

    /// What serde_json writes of `value` at `depth`, through `write_nested`.
    fn serialised(value: &serde_json::Value, depth: usize) -> String {
        let mut out = Vec::new();
        write_nested(&mut out, value, depth).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_pretty_writer_writes_what_serde_json_writes() {
        let values = [
            json!(null),
            json!(7),
            json!("plain"),
            json!([]),
            json!(["a", "b\"c"]),
            json!({}),
            json!({"a": "x", "n": 0, "list": [], "more": ["y"], "none": null,
                   "inner": {"k": "v", "m": 18446744073709551615u64}, "empty": {}}),
        ];
        // Depth 9 and more indents past the writer's table of spaces; at depth 30 a key's line
        // no longer fits the buffer it is composed in.
        for value in &values {
            for depth in [0, 1, 2, 3, 7, 9, 30] {
                assert_eq!(written(value, depth), serialised(value, depth), "{value}");
            }
        }
    }

    #[test]
    fn escaped_bytes_marks_exactly_the_bytes_to_escape() {
        for byte in 0..=255u8 {
            // Each byte in every lane, next to bytes that might carry or borrow into it.
            for neighbour in [0u8, b'"', b'\\', 0x1F, 0x20, 0x7F, 0x80, 0xFF] {
                for lane in 0..8 {
                    let mut bytes = [neighbour; 8];
                    bytes[lane] = byte;
                    let expected: u64 = (0..8)
                        .filter(|&k| needs_escape(bytes[k]))
                        .map(|k| 0x80u64 << (8 * k))
                        .sum();
                    assert_eq!(
                        escaped_bytes(u64::from_le_bytes(bytes)),
                        expected,
                        "{byte:#x} in lane {lane} among {neighbour:#x}"
                    );
                }
            }
        }
    }

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        // Every ASCII byte, each at every position of an eight-byte word and in the tail.
        for byte in 0..0x80u8 {
            let c = char::from(byte);
            for before in 0..17 {
                let text = format!("{}{c}{}", "a".repeat(before), "é".repeat(before % 3));
                let mut out = Vec::new();
                write_json_string(&mut out, &text);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    serde_json::to_string(&text).unwrap(),
                    "{byte:#x} after {before} bytes"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(
            text in "[\\x00-\\x7f\"\\\\a é\\u{2028}\\u{7f}\\u{1F600}]{0,40}"
        ) {
            let mut out = Vec::new();
            write_json_string(&mut out, &text);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&text).unwrap());
        }
    }

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
