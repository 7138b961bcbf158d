//! HTML extraction: tokenizes a document with html5gum and feeds the prose a browser shows (body
//! text, `<title>`, `<meta name="description">`, `alt`/`title` attributes) into a `ProseBuilder`,
//! so every prose byte maps back to the exact source bytes it was read from.
//!
//! Offset mapping. html5gum decodes character references and CRLF itself, and its token spans
//! cover whole text runs, not single entities. To map each decoded character exactly we wrap its
//! `CallbackEmitter` in a tracing `ForwardingEmitter` (`Tracer`) that sums `move_position` and logs
//! every `emit_string`/`push_attribute_value` chunk with the position reached when it was emitted.
//! The tokenizer emits each character reference on its own, right after consuming its source, so
//! chunk *i* covers `[end of chunk i-1, end of chunk i)`, minus the two things the tokenizer
//! consumes silently inside a text run (the LF of a CRLF, an empty end tag `</>`): equal bytes are
//! copied exactly, anything else (an entity, a CR read as LF) is one atomic decoded piece. We never
//! align decoded text against the raw slice by diffing; that heuristic is easy to break (see
//! crates.md). The tests check that every decoded segment covers exactly one reference.
//!
//! Structure. html5gum does not build a tree, so `Walker` keeps an explicit open-element stack
//! (never recursion, so 100,000 nested `<div>`s cannot overflow the call stack) with a by-name
//! index, which makes end-tag matching and the few implied end tags we model O(1) amortized.
//! Block elements open builder blocks; `<br>`, `<hr>` and a stray `</p>` split the current block;
//! inline elements (`a`, `b`, `em`, `span`, `sup`, unknown tags, ...) never break a phrase.
//!
//! Not prose: the content of `script`, `style`, `template`, `svg`, `math`, `code`, `pre`,
//! `listing`, `xmp`, `plaintext`, `textarea`, `iframe`, `noembed`, `noframes` and `noscript`
//! (`noscript` is skipped because html5gum reads it as raw text, i.e. its markup would surface as
//! words, and because it is only shown with scripting disabled), `<head>` content other than the
//! title and the meta description, and comments (handed to `ProseBuilder::add_comment`, which keeps
//! `claimlint` directives; comments inside skipped elements are ignored).
//!
//! `extract` never panics: the walk runs under `catch_unwind`, and a panic (a tokenizer or walker
//! bug) yields an empty `Prose`.

use std::collections::HashMap;
use std::mem::take;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use html5gum::emitters::callback::{Callback, CallbackEmitter, CallbackEvent};
use html5gum::{Emitter, ForwardingEmitter, Span, Tokenizer};

use super::{BlockKind, Prose, ProseBuilder};

/// Extracts the prose of an HTML document. Never panics (see the module documentation).
pub fn extract(source: &str) -> Prose {
    catch_unwind(AssertUnwindSafe(|| extract_unguarded(source))).unwrap_or_default()
}

fn extract_unguarded(source: &str) -> Prose {
    let mut emitter = CallbackEmitter::new(Collector::new(source));
    // Without this, `<p>miracle cure</p>` inside a script string would be tokenized as markup.
    emitter.naively_switch_states(true);
    let mut walker = Walker::new(source);
    for token in Tokenizer::new_with_emitter(source, Tracer { inner: emitter }) {
        let Ok(event) = token;
        walker.event(event);
    }
    walker.finish()
}

// ---------------------------------------------------------------------------------------------
// Tokenizer side: exact pieces from traced chunks.
// ---------------------------------------------------------------------------------------------

/// A piece of decoded text and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    /// `source[range]` as written.
    Exact(Range<usize>),
    /// Text decoded from `source[range]` (a character reference, a CR read as LF).
    Decoded(String, Range<usize>),
}

impl Piece {
    /// Classifies decoded `text` read from `source[range]`.
    fn new(source: &str, range: Range<usize>, text: &str) -> Piece {
        let raw = &source[range.clone()];
        if raw == text {
            Piece::Exact(range)
        } else {
            Piece::Decoded(text.to_owned(), range)
        }
    }

    fn range(&self) -> &Range<usize> {
        match self {
            Piece::Exact(range) | Piece::Decoded(_, range) => range,
        }
    }

    fn text<'s>(&'s self, source: &'s str) -> &'s str {
        match self {
            Piece::Exact(range) => &source[range.clone()],
            Piece::Decoded(text, _) => text,
        }
    }
}

fn pieces_text(source: &str, pieces: &[Piece]) -> String {
    pieces.iter().map(|p| p.text(source)).collect()
}

/// Chunks logged by `Tracer`: the decoded bytes, and for each chunk the source position reached
/// when it was emitted and where its bytes end in `bytes`.
#[derive(Default)]
struct ChunkLog {
    bytes: Vec<u8>,
    ends: Vec<(usize, usize)>,
}

impl ChunkLog {
    fn push(&mut self, pos: usize, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
        self.ends.push((pos, self.bytes.len()));
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// Maps the logged chunks of one string or attribute value (`value`, starting at
    /// `span.start`) to pieces. Falls back to one atomic piece for the whole span if the log does
    /// not add up to `value`, so a surprise in the tokenizer costs precision, never correctness.
    fn pieces(&self, source: &str, span: Span<usize>, value: &[u8]) -> Vec<Piece> {
        let start = floor_boundary(source, span.start);
        let end = ceil_boundary(source, span.end.max(start));
        if self.bytes != value {
            #[cfg(test)]
            tests::FALLBACKS.with(|n| n.set(n.get() + 1));
            return atomic(source, start..end, value);
        }
        let mut out: Vec<Piece> = Vec::new();
        let mut from = start; // source start of the pending bytes
        let mut pending = 0; // offset in `bytes` of the first pending byte
        let mut last = 0;
        for &(pos, upto) in &self.ends {
            if upto == last {
                continue; // an empty chunk
            }
            last = upto;
            // Wait for more bytes if a chunk ends inside a character.
            let Ok(text) = std::str::from_utf8(&self.bytes[pending..upto]) else {
                continue;
            };
            let to = pos.clamp(from, source.len());
            from = skip_silent(source, from, to, text);
            if to == from {
                // No source consumed (the `</` look-ahead in RCDATA emits `</` and then the tag
                // name at the same position): it belongs with the previous piece.
                if let Some(prev) = out.pop() {
                    let joined = format!("{}{text}", prev.text(source));
                    out.push(Piece::new(source, prev.range().clone(), &joined));
                    pending = upto;
                }
                continue;
            }
            if !source.is_char_boundary(to) {
                continue;
            }
            out.push(Piece::new(source, from..to, text));
            from = to;
            pending = upto;
        }
        if pending < self.bytes.len() {
            let rest = String::from_utf8_lossy(&self.bytes[pending..]);
            let to = ceil_boundary(source, end.max(from));
            out.push(Piece::new(source, from..to, &rest));
        }
        out
    }
}

/// Skips what the tokenizer consumes inside a text run without emitting anything, so that it
/// opens the next chunk's range whatever that chunk is (`\r\n&amp;`, `a</>&amp;`), and maps to
/// nothing: the LF of a CRLF (the CR was emitted as LF) and an empty end tag `</>`. Only these
/// two are cut off: a general "the range ends with the chunk" rule would map `;` decoded from
/// `&#x3B;` to the reference's last byte.
fn skip_silent(source: &str, mut from: usize, to: usize, text: &str) -> usize {
    let bytes = source.as_bytes();
    loop {
        if from > 0 && from < to && bytes[from] == b'\n' && bytes[from - 1] == b'\r' {
            from += 1;
        } else if bytes[from..to].starts_with(b"</>") && !text.starts_with("</>") {
            from += 3;
        } else {
            return from;
        }
    }
}

fn atomic(source: &str, range: Range<usize>, value: &[u8]) -> Vec<Piece> {
    if value.is_empty() {
        return Vec::new();
    }
    vec![Piece::new(source, range, &String::from_utf8_lossy(value))]
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// What the tokenizer hands to the walker.
#[derive(Debug)]
enum Event {
    Text(Vec<Piece>),
    Start {
        name: String,
        attrs: Vec<Attr>,
        self_closing: bool,
    },
    End {
        name: String,
    },
    Comment {
        body: String,
        span: Range<usize>,
    },
}

/// An attribute we read (see `interesting_attr`), with its decoded value.
#[derive(Debug)]
struct Attr {
    name: &'static str,
    value: Vec<Piece>,
}

/// Only these attributes are kept, which also bounds the duplicate check per tag.
fn interesting_attr(name: &[u8]) -> Option<&'static str> {
    Some(match name {
        b"alt" => "alt",
        b"title" => "title",
        b"href" => "href",
        b"name" => "name",
        b"id" => "id",
        b"content" => "content",
        _ => return None,
    })
}

/// The callback behind `CallbackEmitter`: turns its events into `Event`s, taking the chunks the
/// `Tracer` logged for each string and attribute value.
struct Collector<'s> {
    source: &'s str,
    /// Byte position of the tokenizer (the sum of `move_position` offsets).
    pos: usize,
    text: ChunkLog,
    value: ChunkLog,
    tag_name: String,
    attrs: Vec<Attr>,
    /// The attribute the next value belongs to; `None` for attributes we ignore or duplicates.
    current_attr: Option<usize>,
}

impl<'s> Collector<'s> {
    fn new(source: &'s str) -> Self {
        Collector {
            source,
            pos: 0,
            text: ChunkLog::default(),
            value: ChunkLog::default(),
            tag_name: String::new(),
            attrs: Vec::new(),
            current_attr: None,
        }
    }
}

impl Callback<Event, usize> for Collector<'_> {
    fn handle_event(&mut self, event: CallbackEvent<'_>, span: Span<usize>) -> Option<Event> {
        match event {
            CallbackEvent::OpenStartTag { name } => {
                self.tag_name = String::from_utf8_lossy(name).into_owned();
                self.attrs.clear();
                self.current_attr = None;
                None
            }
            CallbackEvent::AttributeName { name } => {
                // WHATWG: a duplicate attribute is ignored, the first one wins.
                self.current_attr = interesting_attr(name)
                    .filter(|n| self.attrs.iter().all(|a| a.name != *n))
                    .map(|name| {
                        self.attrs.push(Attr {
                            name,
                            value: Vec::new(),
                        });
                        self.attrs.len() - 1
                    });
                None
            }
            CallbackEvent::AttributeValue { value } => {
                if let Some(i) = self.current_attr {
                    self.attrs[i].value = self.value.pieces(self.source, span, value);
                }
                self.value.clear();
                None
            }
            CallbackEvent::CloseStartTag { self_closing } => Some(Event::Start {
                name: take(&mut self.tag_name),
                attrs: take(&mut self.attrs),
                self_closing,
            }),
            CallbackEvent::EndTag { name } => {
                // Attributes on an end tag are reported before it; drop them.
                self.attrs.clear();
                self.current_attr = None;
                Some(Event::End {
                    name: String::from_utf8_lossy(name).into_owned(),
                })
            }
            CallbackEvent::String { value } => {
                let pieces = self.text.pieces(self.source, span, value);
                self.text.clear();
                Some(Event::Text(pieces))
            }
            CallbackEvent::Comment { value } => Some(Event::Comment {
                body: String::from_utf8_lossy(value).into_owned(),
                span: floor_boundary(self.source, span.start)
                    ..ceil_boundary(self.source, span.end.max(span.start)),
            }),
            CallbackEvent::Doctype { .. } | CallbackEvent::Error(_) => None,
        }
    }
}

/// Forwards everything to the `CallbackEmitter` and logs the chunks of decoded text with the
/// position at which each was emitted.
struct Tracer<'s> {
    inner: CallbackEmitter<Collector<'s>, Event, usize>,
}

impl ForwardingEmitter for Tracer<'_> {
    type Token = Event;

    fn inner(&mut self) -> &mut impl Emitter<Token = Event> {
        &mut self.inner
    }

    fn should_emit_errors(&mut self) -> bool {
        false
    }

    fn move_position(&mut self, offset: isize) {
        let c = self.inner.callback_mut();
        c.pos = c.pos.saturating_add_signed(offset);
        self.inner.move_position(offset);
    }

    fn emit_string(&mut self, s: &[u8]) {
        let c = self.inner.callback_mut();
        c.text.push(c.pos, s);
        self.inner.emit_string(s);
    }

    fn push_attribute_value(&mut self, s: &[u8]) {
        let c = self.inner.callback_mut();
        c.value.push(c.pos, s);
        self.inner.push_attribute_value(s);
    }

    fn init_attribute(&mut self) {
        // Flushes the previous attribute (whose value event takes its chunks) first; whatever is
        // left belongs to an empty value that produced no event.
        self.inner.init_attribute();
        self.inner.callback_mut().value.clear();
    }
}

// ---------------------------------------------------------------------------------------------
// Element tables.
// ---------------------------------------------------------------------------------------------

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "image"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose content is not prose (see the module documentation).
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "template"
            | "svg"
            | "math"
            | "code"
            | "pre"
            | "listing"
            | "xmp"
            | "plaintext"
            | "textarea"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
    )
}

/// Foreign elements, where a self-closing tag really closes (`<svg/>` has no content).
fn is_foreign(name: &str) -> bool {
    matches!(name, "svg" | "math")
}

/// Elements that may stay in `<head>`; any other start tag ends it, as in a browser.
fn head_allowed(name: &str) -> bool {
    matches!(
        name,
        "base"
            | "basefont"
            | "bgsound"
            | "link"
            | "meta"
            | "noframes"
            | "noscript"
            | "script"
            | "style"
            | "template"
            | "title"
    )
}

fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

const HEADINGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];

fn block_kind(name: &str) -> Option<BlockKind> {
    if let Some(level) = heading_level(name) {
        return Some(BlockKind::Heading(level));
    }
    Some(match name {
        "li" => BlockKind::ListItem,
        "td" | "th" => BlockKind::TableCell,
        "blockquote" => BlockKind::BlockQuote,
        "address" | "article" | "aside" | "button" | "caption" | "center" | "dd" | "details"
        | "dialog" | "dir" | "div" | "dl" | "dt" | "fieldset" | "figcaption" | "figure"
        | "footer" | "form" | "header" | "hgroup" | "legend" | "main" | "menu" | "nav" | "ol"
        | "optgroup" | "option" | "p" | "search" | "section" | "select" | "summary" | "table"
        | "tbody" | "tfoot" | "thead" | "tr" | "ul" => BlockKind::Paragraph,
        _ => return None,
    })
}

/// Start tags that close an open `<p>` (WHATWG "in body").
fn closes_p(name: &str) -> bool {
    heading_level(name).is_some()
        || matches!(
            name,
            "address"
                | "article"
                | "aside"
                | "blockquote"
                | "center"
                | "dd"
                | "details"
                | "dialog"
                | "dir"
                | "div"
                | "dl"
                | "dt"
                | "fieldset"
                | "figcaption"
                | "figure"
                | "footer"
                | "form"
                | "header"
                | "hgroup"
                | "hr"
                | "li"
                | "listing"
                | "main"
                | "menu"
                | "nav"
                | "ol"
                | "p"
                | "plaintext"
                | "pre"
                | "search"
                | "section"
                | "summary"
                | "table"
                | "ul"
                | "xmp"
        )
}

/// Elements that stop the search for an open `<p>` (WHATWG "button scope").
const BUTTON_SCOPE: &[&str] = &[
    "applet", "button", "caption", "marquee", "object", "table", "td", "template", "th",
];
/// Elements that stop the search for an open `<li>`, `<dd>` or `<dt>`.
const LIST_SCOPE: &[&str] = &[
    "article",
    "aside",
    "blockquote",
    "button",
    "caption",
    "details",
    "dl",
    "fieldset",
    "figure",
    "footer",
    "header",
    "main",
    "menu",
    "nav",
    "ol",
    "section",
    "table",
    "td",
    "template",
    "th",
    "ul",
];
const CELL_SCOPE: &[&str] = &["table", "template", "tr"];
const TABLE_SCOPE: &[&str] = &["table", "template"];

fn is_html_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r')
}

/// One of 64 buckets for an element name, from its length and its first, second and last bytes.
/// The multiplier was picked (by trying random ones) so that the names open on most pages
/// (`html`, `body`, `div`, `p`, `ul`, `a`, ...) and the scope boundaries that `last` is asked for
/// (`table`, `button`, `template`, ...) seldom share a bucket; a shared one only costs a hash.
fn name_bit(name: &str) -> usize {
    let bytes = name.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return 0;
    };
    let second = bytes.get(1).copied().unwrap_or(0);
    let key = u64::from(first)
        | u64::from(second) << 8
        | u64::from(last) << 16
        | (bytes.len() as u64) << 24;
    (key.wrapping_mul(0x9234_6319_289d_3b03) >> 58) as usize
}

/// The end of the word (a run of bytes that are not HTML whitespace) starting at `start`.
fn word_end(bytes: &[u8], start: usize, end: usize) -> usize {
    bytes[start..end]
        .iter()
        .position(|&b| is_html_space(b))
        .map_or(end, |k| start + k)
}

/// Whether `source[start..end]` (a word, so no HTML whitespace) ends in a whitespace character:
/// a vertical tab, or a Unicode space such as a no-break space.
fn ends_in_whitespace(source: &str, start: usize, end: usize) -> bool {
    match source.as_bytes()[end - 1] {
        b if b.is_ascii() => b == b'\x0B',
        _ => source[start..end].ends_with(char::is_whitespace),
    }
}

fn has_content(text: &str) -> bool {
    text.chars().any(|c| !c.is_whitespace())
}

// ---------------------------------------------------------------------------------------------
// Walker: the open-element stack and the prose.
// ---------------------------------------------------------------------------------------------

/// `Open::flags`: content is not prose (`script`, `pre`, ...).
const SKIP: u8 = 1;
/// The `<head>`: only the title and the meta description are prose.
const HEAD: u8 = 2;
/// A `<title>`: its text is prose even inside the head.
const TITLE: u8 = 4;
/// `svg`/`math`: self-closing tags inside really close.
const FOREIGN: u8 = 8;
/// An `<a href>` with an entry in `Walker::links`.
const LINK: u8 = 16;
/// A `<sup>` with an entry in `Walker::superscripts`: its text may be a footnote marker.
const SUP: u8 = 32;

/// An open element.
struct Open {
    /// Its name's index in `Walker::by_name` and `Walker::open_by_name`.
    name_id: usize,
    /// `name_bit` of its name.
    name_bit: u8,
    /// Whether it is a heading (`h1`-`h6`).
    heading: bool,
    /// Whether it opened a builder block (closed when the element is popped).
    block: bool,
    flags: u8,
}

impl Open {
    /// Whether popping it has an effect beyond the stack (a block, a skip region, a link, ...).
    fn significant(&self) -> bool {
        self.block || self.flags != 0
    }
}

/// An open `<a href>` and the prose range of its text so far.
struct OpenLink {
    url: String,
    text: Option<Range<usize>>,
}

struct Walker<'s> {
    source: &'s str,
    builder: ProseBuilder<'s>,
    stack: Vec<Open>,
    /// The element names seen on the page, each with its index in `open_by_name`. A name is
    /// hashed once per tag; popping an element needs no look-up.
    by_name: HashMap<Box<str>, usize>,
    /// Stack indices of the open elements of each name, innermost last.
    open_by_name: Vec<Vec<usize>>,
    /// How many open elements have a name with each `name_bit`: a zero answers `last` without
    /// hashing the name. Most look-ups are of scope boundaries (nine names for a `<p>`, twenty-one
    /// for an `<li>`) that are not open, and hashing with SipHash (kept against crafted names)
    /// cost 240 instructions a look-up.
    open_bits: [u32; 64],
    /// Stack indices of the significant open elements, innermost last.
    significant: Vec<usize>,
    links: Vec<OpenLink>,
    /// Prose ranges of the text of the open `<sup>` elements so far, innermost last.
    superscripts: Vec<Option<Range<usize>>>,
    /// `Prose::superscripts` and `Prose::anchors`, recorded for citation resolution.
    closed_superscripts: Vec<Range<usize>>,
    anchors: Vec<String>,
    /// Open elements with each flag.
    skip: usize,
    head: usize,
    title: usize,
    foreign: usize,
    /// Whether `<head>` was seen; a later one is ignored, as in a browser.
    head_seen: bool,
    /// Mirrors `ProseBuilder`'s "ends in whitespace or starts a fragment", so that a single space
    /// is pushed exactly only where it is not collapsed.
    at_space: bool,
}

impl<'s> Walker<'s> {
    fn new(source: &'s str) -> Self {
        Walker {
            source,
            builder: ProseBuilder::new(source),
            stack: Vec::new(),
            by_name: HashMap::new(),
            open_by_name: Vec::new(),
            open_bits: [0; 64],
            significant: Vec::new(),
            links: Vec::new(),
            superscripts: Vec::new(),
            closed_superscripts: Vec::new(),
            anchors: Vec::new(),
            skip: 0,
            head: 0,
            title: 0,
            foreign: 0,
            head_seen: false,
            at_space: true,
        }
    }

    fn finish(mut self) -> Prose {
        self.pop_to(0);
        let mut prose = self.builder.finish();
        let len = prose.text.len();
        // `finish` drops trailing block separators; a range is never past the text.
        prose.superscripts = take(&mut self.closed_superscripts)
            .into_iter()
            .filter(|r| r.end <= len)
            .collect();
        prose.anchors = take(&mut self.anchors);
        prose
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Text(pieces) => self.text(&pieces),
            Event::Start {
                name,
                attrs,
                self_closing,
            } => self.start_tag(&name, &attrs, self_closing),
            Event::End { name } => self.end_tag(&name),
            Event::Comment { body, span } => {
                if self.skip == 0 {
                    self.builder.add_comment(&body, span);
                }
            }
        }
    }

    fn live(&self) -> bool {
        self.skip == 0
    }

    // --- stack ---------------------------------------------------------------------------

    fn last(&self, name: &str) -> Option<usize> {
        if self.open_bits[name_bit(name)] == 0 {
            return None;
        }
        let id = *self.by_name.get(name)?;
        self.open_by_name[id].last().copied()
    }

    fn last_of(&self, names: &[&str]) -> Option<usize> {
        names.iter().filter_map(|n| self.last(n)).max()
    }

    /// An `Open` for an element named `name` (its name interned in `by_name`).
    fn open(&mut self, name: &str, block: bool, flags: u8) -> Open {
        let name_id = match self.by_name.get(name) {
            Some(&id) => id,
            None => {
                let id = self.open_by_name.len();
                self.by_name.insert(name.into(), id);
                self.open_by_name.push(Vec::new());
                id
            }
        };
        Open {
            name_id,
            name_bit: name_bit(name) as u8,
            heading: heading_level(name).is_some(),
            block,
            flags,
        }
    }

    fn push(&mut self, open: Open) {
        let idx = self.stack.len();
        self.open_bits[usize::from(open.name_bit)] += 1;
        if let Some(v) = self.open_by_name.get_mut(open.name_id) {
            v.push(idx);
        }
        if open.significant() {
            self.significant.push(idx);
        }
        if open.flags & SKIP != 0 {
            self.skip += 1;
        }
        if open.flags & HEAD != 0 {
            self.head += 1;
        }
        if open.flags & TITLE != 0 {
            self.title += 1;
        }
        if open.flags & FOREIGN != 0 {
            self.foreign += 1;
        }
        self.stack.push(open);
    }

    fn pop_one(&mut self) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        self.open_bits[usize::from(open.name_bit)] -= 1;
        if let Some(v) = self.open_by_name.get_mut(open.name_id) {
            v.pop();
        }
        if open.significant() {
            self.significant.pop();
        }
        if open.flags & SKIP != 0 {
            self.skip -= 1;
        }
        if open.flags & HEAD != 0 {
            self.head -= 1;
        }
        if open.flags & TITLE != 0 {
            self.title -= 1;
        }
        if open.flags & FOREIGN != 0 {
            self.foreign -= 1;
        }
        // A link whose text was never pushed (empty, or all inside skipped elements) is dropped.
        if open.flags & LINK != 0
            && let Some(OpenLink {
                url,
                text: Some(text),
            }) = self.links.pop()
        {
            self.builder.add_link(&url, text);
        }
        if open.flags & SUP != 0
            && let Some(Some(text)) = self.superscripts.pop()
        {
            self.closed_superscripts.push(text);
        }
        if open.block {
            self.builder.end_block();
            self.at_space = true;
        }
    }

    /// Pops elements until the stack has `len` entries.
    fn pop_to(&mut self, len: usize) {
        while self.stack.len() > len {
            self.pop_one();
        }
    }

    /// Closes the innermost open element named in `targets`, unless an element named in
    /// `boundaries` is open inside it (the element is then out of scope, as in a browser).
    fn close_in_scope(&mut self, targets: &[&str], boundaries: &[&str]) {
        let Some(target) = self.last_of(targets) else {
            return;
        };
        if self.last_of(boundaries).is_none_or(|b| b < target) {
            self.pop_to(target);
        }
    }

    fn close_head(&mut self) {
        if let Some(idx) = self.last("head") {
            self.pop_to(idx);
        }
        self.head_seen = true;
    }

    // --- prose ---------------------------------------------------------------------------

    /// Ends the current block and continues in a new fragment of the same kind (`<br>`).
    fn split(&mut self) {
        self.builder.start_block(BlockKind::Paragraph);
        self.builder.end_block();
        self.at_space = true;
    }

    fn start_block(&mut self, kind: BlockKind) {
        self.builder.start_block(kind);
        self.at_space = true;
    }

    fn end_block(&mut self) {
        self.builder.end_block();
        self.at_space = true;
    }

    fn push_pieces(&mut self, pieces: &[Piece]) {
        for piece in pieces {
            match piece {
                Piece::Exact(range) => self.push_exact(range.clone()),
                Piece::Decoded(text, range) => {
                    if text.bytes().all(is_html_space) {
                        self.space(range.clone());
                    } else {
                        let before = self.builder.len();
                        self.builder.push_decoded(text, range.clone());
                        self.pushed(before, text);
                    }
                }
            }
        }
    }

    /// Pushes `source[range]`, collapsing HTML whitespace runs (also across tags) to one space
    /// the way a browser renders them.
    fn push_exact(&mut self, range: Range<usize>) {
        #[cfg(test)]
        if tests::WORD_BY_WORD.with(|on| on.get()) {
            return self.push_exact_word_by_word(range);
        }
        let bytes = self.source.as_bytes();
        let mut i = range.start;
        while i < range.end {
            if is_html_space(bytes[i]) {
                i = self.push_whitespace_run(i, range.end);
                continue;
            }
            // Most text is words joined by single spaces. Pushing such a run whole builds what
            // pushing its words and spaces one at a time builds (each lone space stays exact, so
            // the pieces merge into one segment), with one call instead of two per word.
            let (run_end, last_word_end) = self.word_run(i, range.end);
            let Some(last_word_end) = last_word_end else {
                // The first word ends in Unicode whitespace (a no-break space): on its own.
                i = self.push_word(i, word_end(bytes, i, range.end));
                continue;
            };
            let before = self.builder.len();
            self.builder.push_source(i..run_end);
            // The run has no line break, so nothing was folded and prose offsets follow source
            // offsets. Open links cover its content: from the first word's first character that
            // is not whitespace to the end of the last word (which ends in such a character).
            let run = &self.source[i..run_end];
            let leading = run.len() - run.trim_start_matches(char::is_whitespace).len();
            self.extend_open_texts(before + leading, before + (last_word_end - i));
            self.at_space = run_end > last_word_end;
            i = run_end;
        }
    }

    /// From a word start at `start`, the end of the longest run `word ( word)*` (with an optional
    /// trailing lone space) whose words all end in a character that is not whitespace, and where
    /// its last word ends; `None` when the first word already ends in whitespace. Those are the
    /// words after which `push_exact_word_by_word` pushes a lone space exactly.
    fn word_run(&self, start: usize, end: usize) -> (usize, Option<usize>) {
        let bytes = self.source.as_bytes();
        let mut at = start;
        let mut last_word_end = None;
        loop {
            let word_end = word_end(bytes, at, end);
            if ends_in_whitespace(self.source, at, word_end) {
                break;
            }
            last_word_end = Some(word_end);
            at = word_end;
            // A lone space (not the start of a longer whitespace run) continues the run.
            if at < end && bytes[at] == b' ' && (at + 1 == end || !is_html_space(bytes[at + 1])) {
                at += 1;
                if at < end {
                    continue;
                }
            }
            break;
        }
        (at, last_word_end)
    }

    /// Pushes the HTML whitespace run starting at `start` (up to `end`) and returns its end.
    fn push_whitespace_run(&mut self, start: usize, end: usize) -> usize {
        let bytes = self.source.as_bytes();
        let mut i = start;
        while i < end && is_html_space(bytes[i]) {
            i += 1;
        }
        if i - start == 1 && bytes[start] == b' ' && !self.at_space && self.builder.in_block() {
            // A lone space stays an exact piece, so the runs on both sides merge.
            self.builder.push_source(start..i);
            self.at_space = true;
        } else {
            self.space(start..i);
        }
        i
    }

    /// Pushes the word `source[start..end]` and returns its end.
    fn push_word(&mut self, start: usize, end: usize) -> usize {
        let before = self.builder.len();
        self.builder.push_source(start..end);
        self.pushed(before, &self.source[start..end]);
        end
    }

    /// The reference for `push_exact`: one word or whitespace run at a time.
    #[cfg(test)]
    fn push_exact_word_by_word(&mut self, range: Range<usize>) {
        let bytes = self.source.as_bytes();
        let mut i = range.start;
        while i < range.end {
            if is_html_space(bytes[i]) {
                i = self.push_whitespace_run(i, range.end);
            } else {
                i = self.push_word(i, word_end(bytes, i, range.end));
            }
        }
    }

    /// One space standing for `source[range]`, unless the prose is at a space already or no block
    /// is open (leading whitespace of a document is not prose).
    fn space(&mut self, range: Range<usize>) {
        if self.at_space || !self.builder.in_block() {
            return;
        }
        self.builder.push_space(range);
        self.at_space = true;
    }

    /// Bookkeeping after `text` was pushed at prose offset `before`: whitespace state and the
    /// text ranges of open links (which cover content only, never surrounding spaces).
    fn pushed(&mut self, before: usize, text: &str) {
        self.at_space = text.ends_with(char::is_whitespace);
        // A word may start or end with a Unicode space (a no-break space is not HTML
        // whitespace): the range leaves it out. `text` was pushed as it is (no line break to
        // fold), so prose offsets follow its offsets.
        let content = text.trim_start_matches(char::is_whitespace);
        let start = before + (text.len() - content.len());
        let content = content.trim_end_matches(char::is_whitespace);
        if !content.is_empty() {
            let end = (start + content.len()).min(self.builder.len());
            self.extend_open_texts(start, end);
        }
    }

    /// Extends the text ranges of the open links and superscripts over the content at prose
    /// `before..after`.
    fn extend_open_texts(&mut self, before: usize, after: usize) {
        let open_texts = self
            .links
            .iter_mut()
            .map(|link| &mut link.text)
            .chain(self.superscripts.iter_mut());
        for text in open_texts {
            match text {
                Some(range) => range.end = after,
                None => *text = Some(before..after),
            }
        }
    }

    fn attr_block(&mut self, kind: BlockKind, pieces: &[Piece]) {
        if pieces.is_empty() {
            return;
        }
        self.start_block(kind);
        self.push_pieces(pieces);
        self.end_block();
    }

    // --- events --------------------------------------------------------------------------

    fn text(&mut self, pieces: &[Piece]) {
        if !self.live() {
            return;
        }
        if self.head > 0 && self.title == 0 {
            // Whitespace in `<head>` is layout; other text ends the head, as in a browser.
            if !pieces.iter().any(|p| has_content(p.text(self.source))) {
                return;
            }
            self.close_head();
        }
        self.push_pieces(pieces);
    }

    fn start_tag(&mut self, name: &str, attrs: &[Attr], self_closing: bool) {
        let live = self.live();
        if live {
            match name {
                // Never pushed, so their end tags are ignored, as a browser mostly does.
                "html" => return,
                "body" => {
                    self.close_head();
                    return;
                }
                "head" => {
                    if !self.head_seen && self.head == 0 {
                        self.head_seen = true;
                        let open = self.open(name, false, HEAD);
                        self.push(open);
                    }
                    return;
                }
                _ => {}
            }
            if self.head > 0 && !head_allowed(name) {
                self.close_head();
            }
            self.implied_end_tags(name);
            if self.head == 0 {
                // A link to a place on the page (a footnote marker, a back-reference) carries
                // the reference it points at as its tooltip: that is no claim, and read as a
                // block it would split the sentence from its marker.
                let in_page_link = || {
                    name == "a"
                        && attrs.iter().any(|a| {
                            a.name == "href" && pieces_text(self.source, &a.value).starts_with('#')
                        })
                };
                for attr in attrs {
                    if attr.name == "alt" || (attr.name == "title" && !in_page_link()) {
                        self.attr_block(BlockKind::AltText, &attr.value);
                    }
                }
            }
            if name == "meta" {
                self.meta(attrs);
            }
            if matches!(name, "br" | "hr") {
                self.split();
            }
        }
        // Browsers ignore `/>` on HTML elements (`<div/>` opens a div), but honour it in SVG and
        // MathML, whose content we skip anyway.
        if is_void(name) || (self_closing && (is_foreign(name) || self.foreign > 0)) {
            return;
        }
        let mut flags = 0;
        let mut block = None;
        if is_skipped(name) {
            flags |= SKIP;
        }
        if is_foreign(name) {
            flags |= FOREIGN;
        }
        if live {
            if name == "title" {
                flags |= TITLE;
                block = Some(BlockKind::Metadata);
            } else if self.head == 0 {
                block = block_kind(name);
            }
            if self.head == 0 {
                self.record_anchor(name, attrs);
            }
            if name == "sup" && self.head == 0 {
                self.superscripts.push(None);
                flags |= SUP;
            }
            if name == "a"
                && self.head == 0
                && let Some(href) = attrs.iter().find(|a| a.name == "href")
            {
                // Browsers strip leading and trailing ASCII whitespace from URLs.
                let url = pieces_text(self.source, &href.value);
                self.links.push(OpenLink {
                    url: url
                        .trim_matches(|c: char| c.is_ascii_whitespace())
                        .to_owned(),
                    text: None,
                });
                flags |= LINK;
            }
        }
        if let Some(kind) = block {
            self.start_block(kind);
        }
        let open = self.open(name, block.is_some(), flags);
        self.push(open);
    }

    /// The implied end tags of WHATWG's "in body" rules that change block structure: a new
    /// `<p>`, list item, cell, row or heading closes the open one; `<a>` closes an open `<a>`.
    fn implied_end_tags(&mut self, name: &str) {
        match name {
            "li" => self.close_in_scope(&["li"], LIST_SCOPE),
            "dd" | "dt" => self.close_in_scope(&["dd", "dt"], LIST_SCOPE),
            "td" | "th" => self.close_in_scope(&["td", "th"], CELL_SCOPE),
            "tr" => self.close_in_scope(&["tr"], TABLE_SCOPE),
            "thead" | "tbody" | "tfoot" => {
                self.close_in_scope(&["thead", "tbody", "tfoot"], TABLE_SCOPE)
            }
            "option" => self.close_in_scope(&["option"], &["select", "datalist", "optgroup"]),
            "optgroup" => self.close_in_scope(&["option", "optgroup"], &["select", "datalist"]),
            "a" => self.close_in_scope(&["a"], BUTTON_SCOPE),
            _ => {}
        }
        if closes_p(name) {
            self.close_in_scope(&["p"], BUTTON_SCOPE);
        }
        if heading_level(name).is_some() && self.stack.last().is_some_and(|top| top.heading) {
            self.pop_one();
        }
    }

    /// Records the fragment an element can be linked to: its `id`, or the `name` of an `<a>`
    /// (the older spelling of an anchor), so that `href="#ref1"` can be resolved.
    fn record_anchor(&mut self, name: &str, attrs: &[Attr]) {
        for attr in attrs {
            if names_anchor(name, attr.name) {
                let id = pieces_text(self.source, &attr.value);
                if !id.is_empty() {
                    self.anchors.push(id);
                }
            }
        }
    }

    fn meta(&mut self, attrs: &[Attr]) {
        let value = |n: &str| attrs.iter().find(|a| a.name == n).map(|a| &a.value);
        let is_description = value("name").is_some_and(|pieces| {
            pieces_text(self.source, pieces)
                .trim_matches(|c: char| c.is_ascii_whitespace())
                .eq_ignore_ascii_case("description")
        });
        if let (true, Some(content)) = (is_description, value("content")) {
            self.attr_block(BlockKind::Metadata, content);
        }
    }

    fn end_tag(&mut self, name: &str) {
        let live = self.live();
        let target = if heading_level(name).is_some() {
            // Any heading end tag closes the open heading, whatever its level.
            self.last_of(&HEADINGS)
        } else {
            self.last(name)
        };
        match (name, target) {
            // A browser reads `</br>` as `<br>`, and a stray `</p>` as an empty paragraph.
            ("br", _) => {
                if live {
                    self.split();
                }
            }
            ("p", t) if t.is_none_or(|t| self.last_of(BUTTON_SCOPE).is_some_and(|b| b > t)) => {
                if live {
                    self.split();
                }
            }
            (_, None) => {}
            (_, Some(t)) => {
                // Template content is isolated: an end tag inside it cannot close an outer element.
                if name != "template" && self.last("template").is_some_and(|tpl| tpl > t) {
                    return;
                }
                // An inline end tag does not close blocks opened inside it (`<b>x<p>y</b>z</p>`
                // keeps `z` in the paragraph), approximating the adoption agency algorithm.
                if !self.stack[t].significant() && self.significant.last().is_some_and(|&s| s > t) {
                    return;
                }
                self.pop_to(t);
            }
        }
    }
}

/// Whether attribute `attribute` of element `element` names a fragment target: an `id`, or the
/// `name` of an `<a>` (the older spelling of an anchor).
pub(crate) fn names_anchor(element: &str, attribute: &str) -> bool {
    attribute == "id" || (attribute == "name" && element == "a")
}

/// One start tag standing alone (`<a id="ref1" href="#x">`) as a browser reads it: whether it
/// closes itself (`<br/>`), and its attributes, names lowercased and values with character
/// references decoded; `None` if `tag` is not a start tag. For Markdown, which passes inline
/// tags through one by one.
pub(crate) fn read_start_tag(tag: &str) -> Option<(bool, Vec<(String, String)>)> {
    // Parse errors (a reference without its `;`, a repeated attribute) come as tokens of their
    // own before the tag; a browser reads the tag all the same.
    let token = html5gum::Tokenizer::new(tag)
        .flatten()
        .find(|t| !matches!(t, html5gum::Token::Error(_)))?;
    let html5gum::Token::StartTag(start) = token else {
        return None;
    };
    let attributes = start
        .attributes
        .iter()
        .map(|(name, value)| {
            (
                String::from_utf8_lossy(name).into_owned(),
                String::from_utf8_lossy(&value.value).into_owned(),
            )
        })
        .collect();
    Some((start.self_closing, attributes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::check_invariants;

    thread_local! {
        /// How often the chunk log did not add up to a token's value (see `ChunkLog::pieces`).
        pub(super) static FALLBACKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
        /// Makes `Walker::push_exact` push one word at a time, the reference its runs must match.
        pub(super) static WORD_BY_WORD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Extracts (without the `catch_unwind` guard, so that a panic fails the test) and checks the
    /// offset-map invariants, the link ranges, and that every decoded segment is one reference,
    /// one whitespace run, or one NUL.
    fn run(src: &str) -> Prose {
        let fallbacks = FALLBACKS.with(|n| n.get());
        let prose = extract_unguarded(src);
        assert_eq!(
            FALLBACKS.with(|n| n.get()),
            fallbacks,
            "chunk log fallback for {src:?}"
        );
        if let Err(e) = check_invariants(src, &prose) {
            panic!("invariants broken for {src:?}: {e}\n{prose:#?}");
        }
        for link in &prose.links {
            assert!(
                prose.text.get(link.prose.clone()).is_some(),
                "link range {:?} not inside prose {:?}",
                link.prose,
                prose.text
            );
        }
        for seg in prose.segments.iter().filter(|s| !s.exact) {
            let raw = &src[seg.source.clone()];
            let one_reference = raw.starts_with('&') && !raw[1..].contains(['&', '<']);
            assert!(
                one_reference || raw.bytes().all(is_html_space) || raw == "\0",
                "decoded segment {raw:?} in {src:?}"
            );
        }
        prose
    }

    fn blocks(prose: &Prose) -> Vec<(BlockKind, &str)> {
        prose
            .blocks
            .iter()
            .map(|b| (b.kind, &prose.text[b.range.clone()]))
            .collect()
    }

    fn texts(prose: &Prose) -> Vec<&str> {
        blocks(prose).into_iter().map(|(_, t)| t).collect()
    }

    /// The source text a prose substring maps back to.
    fn source_of<'a>(src: &'a str, prose: &Prose, needle: &str) -> &'a str {
        let at = prose.text.find(needle).expect("needle in prose");
        let range = prose.source_range(at..at + needle.len()).unwrap();
        &src[range]
    }

    #[test]
    fn entity_maps_exactly_and_inline_tags_keep_the_phrase() {
        let src = "<p>Our clinic&rsquo;s <b>proven</b> care</p>";
        let prose = run(src);
        assert_eq!(prose.text, "Our clinic\u{2019}s proven care");
        assert_eq!(source_of(src, &prose, "proven care"), "proven</b> care");
        assert_eq!(source_of(src, &prose, "\u{2019}"), "&rsquo;");
        assert_eq!(source_of(src, &prose, "clinic\u{2019}s"), "clinic&rsquo;s");
        assert_eq!(
            blocks(&prose),
            [(BlockKind::Paragraph, prose.text.as_str())]
        );
    }

    #[test]
    fn numeric_named_and_legacy_entities() {
        let src = "<p>Wait&#8230; results&#x2014;fast&nbsp;now &copy 2024 &amp; more</p>";
        let prose = run(src);
        assert_eq!(
            prose.text,
            "Wait\u{2026} results\u{2014}fast\u{a0}now \u{a9} 2024 & more"
        );
        assert_eq!(source_of(src, &prose, "\u{2026}"), "&#8230;");
        assert_eq!(source_of(src, &prose, "\u{2014}"), "&#x2014;");
        assert_eq!(source_of(src, &prose, "\u{a0}"), "&nbsp;");
        assert_eq!(source_of(src, &prose, "\u{a9}"), "&copy");
        assert_eq!(source_of(src, &prose, "& more"), "&amp; more");
        assert_eq!(source_of(src, &prose, "2024"), "2024");
    }

    #[test]
    fn bare_ampersand_and_unknown_entity() {
        let src = "<p>AT&T says &notanentity; and &bogus; &#59;</p>";
        let prose = run(src);
        // WHATWG: `&not` is a legacy entity even when more letters follow.
        assert_eq!(prose.text, "AT&T says \u{ac}anentity; and &bogus; ;");
        assert_eq!(source_of(src, &prose, "AT&T"), "AT&T");
        assert_eq!(source_of(src, &prose, "\u{ac}"), "&not");
        assert_eq!(source_of(src, &prose, "anentity;"), "anentity;");
        assert_eq!(source_of(src, &prose, "&bogus;"), "&bogus;");
        // A decoded `;` maps to the whole reference, not just its last byte.
        let at = prose.text.len() - 1;
        assert_eq!(&src[prose.source_range(at..at + 1).unwrap()], "&#59;");
    }

    #[test]
    fn crlf_and_whitespace_runs_collapse() {
        let src = "<p>no side\r\n   effects,\r\rreally\ttruly  now</p>\r\n<p>\r\n  lead</p>";
        let prose = run(src);
        assert_eq!(texts(&prose), ["no side effects, really truly now", "lead"]);
        assert_eq!(source_of(src, &prose, "side effects"), "side\r\n   effects");
        assert_eq!(source_of(src, &prose, "lead"), "lead");
    }

    #[test]
    fn crlf_inside_attribute_value() {
        let src = "<img alt=\"pain\r\nfree &amp; safe\">";
        let prose = run(src);
        assert_eq!(blocks(&prose), [(BlockKind::AltText, "pain free & safe")]);
        assert_eq!(source_of(src, &prose, "free"), "free");
    }

    #[test]
    fn multibyte_utf8() {
        let src = "<p>Café naïve — 治疗 <i>😀</i>&eacute;</p>";
        let prose = run(src);
        assert_eq!(prose.text, "Café naïve — 治疗 😀é");
        assert_eq!(source_of(src, &prose, "naïve — 治疗"), "naïve — 治疗");
        assert_eq!(source_of(src, &prose, "😀é"), "😀</i>&eacute;");
    }

    #[test]
    fn br_splits_blocks_of_the_same_kind() {
        let src = "<p>line one<br>line two<br/>three</p><ul><li>a<br>b</li></ul>";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (BlockKind::Paragraph, "line one"),
                (BlockKind::Paragraph, "line two"),
                (BlockKind::Paragraph, "three"),
                (BlockKind::ListItem, "a"),
                (BlockKind::ListItem, "b"),
            ]
        );
        let prose = run("top<br>level</br>text<hr>end");
        assert_eq!(texts(&prose), ["top", "level", "text", "end"]);
    }

    #[test]
    fn block_kinds() {
        let src = "<h2>Our promise</h2><p>Body</p><h6>Six</h6><table><tr><td>Cell</td><th>Head</th></tr></table>\
                   <blockquote>Quote</blockquote><ol><li>Item</li></ol>";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (BlockKind::Heading(2), "Our promise"),
                (BlockKind::Paragraph, "Body"),
                (BlockKind::Heading(6), "Six"),
                (BlockKind::TableCell, "Cell"),
                (BlockKind::TableCell, "Head"),
                (BlockKind::BlockQuote, "Quote"),
                (BlockKind::ListItem, "Item"),
            ]
        );
    }

    #[test]
    fn inline_elements_and_sup_do_not_break_phrases() {
        let src = "<p>clinically <strong>proven</strong> to <em>cure</em> <span class=x>pain</span>\
                   <sup>1</sup> <my-tag>fast</my-tag></p>";
        let prose = run(src);
        assert_eq!(texts(&prose), ["clinically proven to cure pain1 fast"]);
    }

    #[test]
    fn title_and_meta_description() {
        let src = "<!DOCTYPE html><html><head><meta charset=utf-8><title>Best &amp; safest clinic</title>\
                   <meta name=\"Description\" content=\"We cure &lt;everything&gt;\">\
                   <meta name=\"keywords\" content=\"not prose\"><link rel=icon title=\"not prose\">\
                   <style>p { color: red }</style></head><body><p>Hello</p></body></html>";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (BlockKind::Metadata, "Best & safest clinic"),
                (BlockKind::Metadata, "We cure <everything>"),
                (BlockKind::Paragraph, "Hello"),
            ]
        );
        let range = prose.source_range(prose.blocks[1].range.clone()).unwrap();
        assert_eq!(&src[range], "We cure &lt;everything&gt;");
        let range = prose.source_range(prose.blocks[0].range.clone()).unwrap();
        assert_eq!(&src[range], "Best &amp; safest clinic");
    }

    #[test]
    fn head_text_ends_the_head() {
        let prose = run("<head><title>T</title></head>  \n<body>Body text</body>");
        assert_eq!(texts(&prose), ["T", "Body text"]);
        let prose = run("<head><title>T</title>stray words<p>para");
        assert_eq!(texts(&prose), ["T", "stray words", "para"]);
    }

    #[test]
    fn alt_and_title_attributes_map_to_value_bytes() {
        let src = "<p>See <img src=\"a.png\" alt=\"Our &amp; proven cure\" title=t&eacute;> here \
                   <abbr title='Food &amp; Drug'>FDA</abbr></p><img alt=unquoted><img alt=\"\">";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (BlockKind::Paragraph, "See"),
                (BlockKind::AltText, "Our & proven cure"),
                (BlockKind::AltText, "t\u{e9}"),
                (BlockKind::Paragraph, "here"),
                (BlockKind::AltText, "Food & Drug"),
                (BlockKind::Paragraph, "FDA"),
                (BlockKind::AltText, "unquoted"),
            ]
        );
        let map = |i: usize| &src[prose.source_range(prose.blocks[i].range.clone()).unwrap()];
        assert_eq!(map(1), "Our &amp; proven cure");
        assert_eq!(map(2), "t&eacute;");
        assert_eq!(map(4), "Food &amp; Drug");
        assert_eq!(map(6), "unquoted");
    }

    #[test]
    fn duplicate_attribute_first_wins() {
        let prose = run("<img alt=\"first\" alt=\"second\">");
        assert_eq!(texts(&prose), ["first"]);
    }

    #[test]
    fn legacy_entity_in_attribute_follows_whatwg() {
        // In attributes, `&copy` followed by a letter or `=` stays literal.
        let src = "<img alt=\"&copyright &copy 2024 &amp\">";
        let prose = run(src);
        assert_eq!(texts(&prose), ["&copyright \u{a9} 2024 &"]);
        assert_eq!(source_of(src, &prose, "&copyright"), "&copyright");
    }

    #[test]
    fn skipped_elements() {
        let src = "<p>before</p>\
                   <script>var s = \"<p>miracle cure</p>\"; if (a < b) {}</script>\
                   <style>p::after { content: \"cure\" }</style>\
                   <template><p>cure template</p></template>\
                   <svg><title>cure svg</title><text>cure</text></svg>\
                   <p>use <code>cure()</code> here</p>\
                   <pre>cure\npre</pre>\
                   <noscript><p>cure noscript</p></noscript>\
                   <textarea>cure <b>text</b></textarea>\
                   <math><mi>cure</mi></math>\
                   <p>after</p>";
        let prose = run(src);
        assert_eq!(texts(&prose), ["before", "use here", "after"]);
        assert!(!prose.text.contains("cure"), "{:?}", prose.text);
    }

    #[test]
    fn self_closing_svg_has_no_content() {
        let prose = run("<p>a <svg/> b</p><p>c<svg><path/><path /></svg>d</p>");
        assert_eq!(texts(&prose), ["a b", "cd"]);
    }

    #[test]
    fn comments_and_directives() {
        let src = "<p>one <!-- just a note --> two</p>\n\
                   <!-- claimlint-disable cure-guarantee -- reviewed -->\n\
                   <p>three</p><script><!-- claimlint-disable ignored --></script>";
        let prose = run(src);
        assert_eq!(texts(&prose), ["one two", "three"]);
        assert_eq!(prose.directives.len(), 1);
        let d = &prose.directives[0];
        assert_eq!(d.text, "claimlint-disable cure-guarantee -- reviewed");
        assert_eq!(
            &src[d.span.clone()],
            "<!-- claimlint-disable cure-guarantee -- reviewed -->"
        );
    }

    #[test]
    fn unclosed_script_and_comment_at_eof() {
        let prose = run("<p>ok</p><script>var x = \"<p>miracle cure</p>");
        assert_eq!(texts(&prose), ["ok"]);
        let prose = run("<p>ok</p><!-- <p>miracle cure</p>");
        assert_eq!(texts(&prose), ["ok"]);
        assert!(prose.directives.is_empty());
        let prose = run("<p>ok</p><style>");
        assert_eq!(texts(&prose), ["ok"]);
        let prose = run("<p>ok <b");
        assert_eq!(texts(&prose), ["ok"]);
        let prose = run("<p>ok <img alt=\"cure");
        assert_eq!(texts(&prose), ["ok"]);
    }

    #[test]
    fn stray_and_missing_end_tags() {
        let prose = run("text</p>more</span> words</div>");
        assert_eq!(texts(&prose), ["text", "more words"]);
        let prose = run("<p>one<p>two<div>three");
        assert_eq!(texts(&prose), ["one", "two", "three"]);
        let prose = run("<ul><li>one<li>two</ul><dl><dt>term<dd>def</dl>");
        assert_eq!(
            blocks(&prose),
            [
                (BlockKind::ListItem, "one"),
                (BlockKind::ListItem, "two"),
                (BlockKind::Paragraph, "term"),
                (BlockKind::Paragraph, "def"),
            ]
        );
        let prose = run("<p><b>bold<p>para</b> still para</p>");
        assert_eq!(texts(&prose), ["bold", "para still para"]);
        let prose = run("<h1>Title</h2>body");
        assert_eq!(
            blocks(&prose),
            [
                (BlockKind::Heading(1), "Title"),
                (BlockKind::Paragraph, "body")
            ]
        );
    }

    #[test]
    fn lt_in_text_and_title_rcdata() {
        let src = "<title>a</b c&amp;d</title><p>1 < 2 and 3 <> 4</p>";
        let prose = run(src);
        assert_eq!(texts(&prose), ["a</b c&d", "1 < 2 and 3 <> 4"]);
        assert_eq!(source_of(src, &prose, "a</b c"), "a</b c");
    }

    #[test]
    fn links_record_their_text_range() {
        let src = "<p>See <a href=\" https://x.org/?a=1&amp;b=2 \"> our <b>study</b> </a> now. \
                   <a name=anchor>no href</a> <a href=/empty></a></p>";
        let prose = run(src);
        assert_eq!(prose.links.len(), 1);
        let link = &prose.links[0];
        assert_eq!(link.url, "https://x.org/?a=1&b=2");
        assert_eq!(&prose.text[link.prose.clone()], "our study");
        // An `<a>` inside an open `<a>` closes it first.
        let prose = run("<a href=1>one <a href=2>two</a>");
        let urls: Vec<_> = prose
            .links
            .iter()
            .map(|l| (l.url.as_str(), &prose.text[l.prose.clone()]))
            .collect();
        assert_eq!(urls, [("1", "one"), ("2", "two")]);
        // An unclosed link ends at EOF.
        let prose = run("<p><a href=u>open link");
        assert_eq!(&prose.text[prose.links[0].prose.clone()], "open link");
        // A no-break space typed into the source is not HTML whitespace, so it belongs to its
        // word; the link text still leaves it out (the prose trims it at the document's end).
        for src in [
            "<p>a <a href=u>\u{a0}our study\u{a0}</a> b",
            "<p><a href=u>our study\u{a0}",
        ] {
            let prose = run(src);
            assert_eq!(
                &prose.text[prose.links[0].prose.clone()],
                "our study",
                "{src:?}"
            );
        }
        let prose = run("<p>Cures 90% <sup>1\u{a0}</sup> of them");
        assert_eq!(&prose.text[prose.superscripts[0].clone()], "1");
    }

    #[test]
    fn superscripts_and_anchors_are_recorded_for_citations() {
        let src = "<p>Relief in trials<sup> <a href=\"#ref1\">1</a></sup> and m<sup>2</sup>.</p>\
                   <ol><li id=ref1>Smith J. 2019.</li></ol><a name=old>x</a><sup></sup>";
        let prose = run(src);
        let sups: Vec<&str> = prose
            .superscripts
            .iter()
            .map(|r| &prose.text[r.clone()])
            .collect();
        // The text range covers content only; an empty `<sup>` records nothing.
        assert_eq!(sups, ["1", "2"]);
        assert_eq!(prose.anchors, ["ref1", "old"]);
        assert_eq!(prose.links[0].url, "#ref1");
        // Nothing in the head is recorded.
        let prose = run("<head><title>T<sup>1</sup></title></head><p id=x>y</p>");
        assert_eq!(prose.anchors, ["x"]);
    }

    #[test]
    fn nul_and_replacement_characters() {
        let src = "<p>a\0b &#0; c</p><title>t\0</title>";
        let prose = run(src);
        assert_eq!(texts(&prose), ["a\0b \u{fffd} c", "t\u{fffd}"]);
    }

    #[test]
    fn deep_nesting_is_iterative() {
        let depth = 100_000;
        let mut src = "<div>".repeat(depth);
        src.push_str("deep text");
        src.push_str(&"</div>".repeat(depth));
        src.push_str(&"</span>".repeat(depth));
        src.push_str("after");
        let prose = run(&src);
        assert_eq!(texts(&prose), ["deep text", "after"]);
        let src = format!("{}x{}", "<b>".repeat(depth), "<p>y".repeat(depth / 10));
        let prose = run(&src);
        assert_eq!(prose.blocks.len(), depth / 10 + 1);
    }

    #[test]
    fn empty_and_whitespace_only() {
        for src in [
            "",
            "   ",
            "\r\n",
            "<p></p>",
            "<p>  \n </p>",
            "<!---->",
            "<",
            "&",
            "</",
        ] {
            let prose = run(src);
            assert!(prose.blocks.iter().all(|b| !b.range.is_empty()), "{src:?}");
        }
        assert_eq!(run("&").text, "&");
        assert_eq!(run("<").text, "<");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const FRAGMENTS: &[&str] = &[
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<div>",
            "</div>",
            "<li>",
            "<h2>",
            "</h2>",
            "<a href=\"u&amp;v\">",
            "</a>",
            "&amp;",
            "&copy",
            "&rsquo;",
            "&#8230;",
            "&#x2014;",
            "&nbsp;",
            "&not",
            "&#",
            "&",
            ";",
            "\r\n",
            "\r",
            "\n",
            " ",
            "  ",
            "\t",
            "é",
            "治",
            "😀",
            "text",
            "cure",
            "<br>",
            "</br>",
            "<hr/>",
            "<!--",
            "-->",
            "<!-- claimlint-disable x -->",
            "<script>",
            "</script>",
            "<style>",
            "</style>",
            "<title>",
            "</title>",
            "<head>",
            "</head>",
            "<template>",
            "</template>",
            "<svg/>",
            "<svg>",
            "</svg>",
            "<pre>",
            "</pre>",
            "<img ",
            "alt=\"x&amp;y\"",
            "title=t&copy;",
            "alt=",
            "\"",
            "'",
            "<meta name=description content=\"a &amp; b\">",
            ">",
            "<",
            "</",
            "/>",
            "=",
            "\0",
        ];

        /// Text without tags: character references, whitespace, multi-byte characters.
        const TEXT_FRAGMENTS: &[&str] = &[
            "&amp;",
            "&amp",
            "&copy",
            "&copyx",
            "&copy;",
            "&rsquo;",
            "&#8230;",
            "&#x2014;",
            "&#x",
            "&#",
            "&#0;",
            "&#xD800;",
            "&#128;",
            "&#9999999999;",
            "&nbsp;",
            "&not",
            "&notin;",
            "&notit;",
            "&",
            "#",
            ";",
            "x",
            "1",
            "AT&T",
            "\u{e9}",
            "\u{6cbb}",
            " ",
            "  ",
            "\r\n",
            "\r",
            "\n",
            "\t",
            "\0",
        ];

        /// What a browser shows for a text-only document: html5gum's decoded text with HTML
        /// whitespace runs collapsed (a run right after other whitespace, such as a no-break
        /// space, collapses into it, as `ProseBuilder` does) and the ends trimmed.
        fn reference(src: &str) -> String {
            let mut decoded = String::new();
            for token in html5gum::Tokenizer::new(src) {
                if let Ok(html5gum::Token::String(s)) = token {
                    decoded.push_str(&String::from_utf8_lossy(&s.value));
                }
            }
            let mut out = String::new();
            for c in decoded.chars() {
                if c.is_ascii() && is_html_space(c as u8) {
                    if !out.is_empty() && !out.ends_with(char::is_whitespace) {
                        out.push(' ');
                    }
                } else {
                    out.push(c);
                }
            }
            out.trim_end().to_owned()
        }

        /// Words, spaces and the markup that reads `at_space` or open link ranges: no-break
        /// spaces and vertical tabs at word ends, whitespace-only words, links, superscripts.
        const RUN_FRAGMENTS: &[&str] = &[
            "cure",
            "a",
            "\u{e9}",
            "\u{6cbb}",
            "\u{a0}",
            "x\u{a0}",
            "\u{a0}x",
            "\u{2003}",
            "\u{b}",
            "y\u{b}",
            "&nbsp;",
            "&amp;",
            " ",
            " ",
            " ",
            "  ",
            "\n",
            "\r\n",
            "\t",
            "<a href=u>",
            "</a>",
            "<sup>",
            "</sup>",
            "<b>",
            "</b>",
            "<p>",
            "</p>",
            "<br>",
            "<li>",
            "<head>",
            "<title>",
            "</title>",
            "<script>",
            "</script>",
            "<img alt=\"a b\u{a0} c\">",
        ];

        /// Up to `max` of `fragments`, concatenated.
        fn concatenated(
            fragments: &'static [&'static str],
            max: usize,
        ) -> impl Strategy<Value = String> {
            prop::collection::vec(prop::sample::select(fragments), 0..max).prop_map(|v| v.concat())
        }

        /// Extracts `src` pushing one word at a time (`WORD_BY_WORD`), the reference.
        fn run_word_by_word(src: &str) -> Prose {
            WORD_BY_WORD.with(|on| on.set(true));
            let prose = extract_unguarded(src);
            WORD_BY_WORD.with(|on| on.set(false));
            prose
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1024))]

            #[test]
            fn generated_markup_keeps_invariants(src in concatenated(FRAGMENTS, 48)) {
                let prose = run(&src);
                // Exact segments copy source bytes, so no markup delimiter of a skipped element
                // can leak: the text of a `<script>` never reaches the prose.
                for block in &prose.blocks {
                    prop_assert!(!prose.text[block.range.clone()].is_empty());
                }
            }

            #[test]
            fn word_runs_build_what_single_words_build(src in concatenated(RUN_FRAGMENTS, 40)) {
                let runs = run(&src);
                let words = run_word_by_word(&src);
                prop_assert_eq!(format!("{runs:#?}"), format!("{words:#?}"));
            }

            #[test]
            fn text_decodes_like_html5gum(
                src in concatenated(TEXT_FRAGMENTS, 24)
            ) {
                let prose = run(&src);
                prop_assert_eq!(prose.text, reference(&src));
            }

            #[test]
            fn arbitrary_text_keeps_invariants(src in "\\PC{0,64}") {
                run(&src);
            }

            #[test]
            fn arbitrary_markup_like_text_keeps_invariants(src in "[<>/&;#a-z0-9 \"'=!\\-\r\n\u{e9}]{0,64}") {
                run(&src);
            }
        }
    }
}
