//! Extraction: turns a Markdown, HTML or plain-text source into `Prose`, the text a reader sees,
//! with an offset map back to the exact source bytes. Every format builds its prose through
//! `ProseBuilder`, so the mapping rules (exact runs, decoded units, whitespace folding) live here once.

pub mod html;
pub mod markdown;
pub mod plain;

use std::ops::Range;

/// The markup language of a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Markdown,
    Html,
    Plain,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Markdown, Format::Html, Format::Plain];

    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Plain => "plain",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// What kind of block a run of prose came from. Blocks end sentences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    /// A heading, with its level (1-6); plain-text headings use 2.
    Heading(u8),
    ListItem,
    TableCell,
    BlockQuote,
    FootnoteDefinition,
    /// Image alt text or an HTML `alt`/`title` attribute.
    AltText,
    /// An HTML `<title>` or `<meta name="description">`.
    Metadata,
}

impl BlockKind {
    pub fn is_heading(self) -> bool {
        matches!(self, BlockKind::Heading(_))
    }
}

/// A run of prose from one block; `range` is a byte range of `Prose::text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub range: Range<usize>,
}

/// One piece of the offset map. `exact` pieces map byte for byte (`prose` and `source` have the same
/// length and the same bytes); inexact pieces (a decoded entity, a line break folded to a space) map
/// as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub prose: Range<usize>,
    pub source: Range<usize>,
    pub exact: bool,
}

/// A comment that starts with `claimlint` (a directive), kept for the suppression stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The comment body, trimmed, e.g. `claimlint-disable-next-line cure-guarantee -- reason`.
    pub text: String,
    /// The whole comment in the source.
    pub span: Range<usize>,
}

/// A hyperlink in the prose: its destination and the prose range of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    pub prose: Range<usize>,
}

/// A footnote reference (`[^1]` in Markdown) at a prose position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FootnoteRef {
    pub label: String,
    /// Prose offset where the reference stands (it adds no text).
    pub at: usize,
    /// Source bytes of the reference (`[^1]`).
    pub source: Range<usize>,
}

/// The prose of a document and how it maps back to the source.
#[derive(Clone, Debug, Default)]
pub struct Prose {
    pub text: String,
    /// Sorted by prose offset, non-overlapping. Block separators are not mapped.
    pub segments: Vec<Segment>,
    /// Sorted, non-overlapping, each inside `text`.
    pub blocks: Vec<Block>,
    pub directives: Vec<Directive>,
    pub links: Vec<Link>,
    pub footnote_refs: Vec<FootnoteRef>,
    /// Labels of footnote definitions present in the document.
    pub footnote_defs: Vec<String>,
    /// Prose ranges of the text of HTML `<sup>` elements (possible footnote markers).
    pub superscripts: Vec<Range<usize>>,
    /// Fragment targets defined in the document (HTML `id`s and `<a name>`s), for `href="#..."`.
    pub anchors: Vec<String>,
}

impl Prose {
    /// Maps a prose byte range to the source byte range it was read from.
    ///
    /// Returns `None` only for a range that touches no segment (such as a block separator).
    pub fn source_range(&self, range: Range<usize>) -> Option<Range<usize>> {
        let first = self.segment_at(range.start)?;
        let last = if range.end > range.start {
            self.segment_at(range.end - 1)?
        } else {
            first
        };
        let start = if first.exact {
            first.source.start + (range.start - first.prose.start)
        } else {
            first.source.start
        };
        let end = if range.end <= range.start {
            start
        } else if last.exact {
            last.source.start + (range.end - last.prose.start)
        } else {
            last.source.end
        };
        Some(start..end.max(start))
    }

    fn segment_at(&self, offset: usize) -> Option<&Segment> {
        let idx = self.segments.partition_point(|s| s.prose.end <= offset);
        self.segments.get(idx).filter(|s| s.prose.start <= offset)
    }

    /// The block containing a prose offset.
    pub fn block_at(&self, offset: usize) -> Option<usize> {
        let idx = self.blocks.partition_point(|b| b.range.end <= offset);
        (idx < self.blocks.len() && self.blocks[idx].range.start <= offset).then_some(idx)
    }
}

/// Extracts prose from `source` in `format`. Never fails: malformed markup is read leniently.
pub fn extract(source: &str, format: Format) -> Prose {
    match format {
        Format::Markdown => markdown::extract(source),
        Format::Html => html::extract(source),
        Format::Plain => plain::extract(source),
    }
}

/// Builds `Prose` from pieces of a source. Extractors call `start_block`/`end_block` around block
/// content and push text in source order. Whitespace runs that contain a line break become one
/// space (an inexact piece), because a sentence or phrase may run over a line break in the source.
pub struct ProseBuilder<'a> {
    source: &'a str,
    prose: Prose,
    /// Open blocks, innermost last. Content always belongs to the innermost one.
    stack: Vec<BlockKind>,
    /// Prose offset where the current fragment of the innermost block began.
    fragment_start: usize,
}

/// The first `\n` or `\r` in `bytes`. Many pushes are short (an HTML word between tags, a
/// Markdown inline), and for a few bytes `memchr2`'s set-up costs more than looking at each.
fn find_line_break(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 16 {
        bytes.iter().position(|&b| b == b'\n' || b == b'\r')
    } else {
        memchr::memchr2(b'\n', b'\r', bytes)
    }
}

impl<'a> ProseBuilder<'a> {
    pub fn new(source: &'a str) -> Self {
        ProseBuilder {
            source,
            // The prose is at most about as long as its source (markup dropped, entities
            // decoded): one allocation instead of a page's worth of doublings and copies.
            prose: Prose {
                text: String::with_capacity(source.len()),
                ..Prose::default()
            },
            stack: Vec::new(),
            fragment_start: 0,
        }
    }

    pub fn source(&self) -> &'a str {
        self.source
    }

    /// Current length of the prose text.
    pub fn len(&self) -> usize {
        self.prose.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prose.text.is_empty()
    }

    /// Opens a block. A block opened inside another one splits the outer one into fragments.
    pub fn start_block(&mut self, kind: BlockKind) {
        self.close_fragment();
        self.stack.push(kind);
        self.open_fragment();
    }

    /// Closes the innermost open block (does nothing when none is open).
    pub fn end_block(&mut self) {
        if self.stack.is_empty() {
            return;
        }
        self.close_fragment();
        self.stack.pop();
        self.open_fragment();
    }

    /// Whether a block is open.
    pub fn in_block(&self) -> bool {
        !self.stack.is_empty()
    }

    fn open_fragment(&mut self) {
        if !self.stack.is_empty() {
            self.fragment_start = self.prose.text.len();
        }
    }

    fn close_fragment(&mut self) {
        let Some(&kind) = self.stack.last() else {
            return;
        };
        // Trim a trailing folded space so that blocks end on content.
        let text = &self.prose.text[self.fragment_start..];
        if text.trim().is_empty() {
            self.truncate(self.fragment_start);
            return;
        }
        let end = self.fragment_start + text.trim_end().len();
        self.prose.blocks.push(Block {
            kind,
            range: self.fragment_start..end,
        });
        // Separate blocks with a blank line so that nothing matches across them.
        self.prose.text.push_str("\n\n");
        self.fragment_start = self.prose.text.len();
    }

    /// Cuts the prose back to `len` bytes, dropping or clipping the segments past it.
    fn truncate(&mut self, len: usize) {
        self.prose.text.truncate(len);
        while self
            .prose
            .segments
            .last()
            .is_some_and(|s| s.prose.start >= len)
        {
            self.prose.segments.pop();
        }
        if let Some(last) = self.prose.segments.last_mut()
            && last.prose.end > len
        {
            if last.exact {
                last.source.end -= last.prose.end - len;
            }
            last.prose.end = len;
        }
    }

    fn ensure_block(&mut self) {
        if self.stack.is_empty() {
            self.start_block(BlockKind::Paragraph);
        }
    }

    /// Whether the prose of the current fragment ends in whitespace (or is empty).
    fn at_space(&self) -> bool {
        self.prose.text.len() == self.fragment_start
            || self.prose.text.ends_with(|c: char| c.is_whitespace())
    }

    /// Appends `source[range]` as it is written, folding line-break whitespace runs to one space.
    pub fn push_source(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        let Some(text) = self.source.get(range.clone()) else {
            return;
        };
        self.ensure_block();
        let bytes = text.as_bytes();
        let mut run_start = 0; // start of the pending exact run, relative to `text`
        // Only a whitespace run holding a line break is folded: find the breaks (with memchr,
        // most of a text has none) and widen each to its run. The run cannot reach back past
        // `run_start`: the start of the text, or the end of the last run folded, which is not
        // whitespace.
        while let Some(found) = find_line_break(&bytes[run_start..]) {
            let line_break = run_start + found;
            let ws_start = bytes[run_start..line_break]
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .map_or(run_start, |k| run_start + k + 1);
            let ws_end = bytes[line_break..]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .map_or(bytes.len(), |k| line_break + k);
            self.push_exact(range.start + run_start..range.start + ws_start);
            self.push_space(range.start + ws_start..range.start + ws_end);
            run_start = ws_end;
        }
        self.push_exact(range.start + run_start..range.end);
    }

    fn push_exact(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        let p = self.prose.text.len();
        self.prose.text.push_str(&self.source[range.clone()]);
        let prose = p..self.prose.text.len();
        // Merge with a directly preceding exact piece that is contiguous in both texts.
        if let Some(last) = self.prose.segments.last_mut()
            && last.exact
            && last.prose.end == p
            && last.source.end == range.start
        {
            last.prose.end = prose.end;
            last.source.end = range.end;
            return;
        }
        self.prose.segments.push(Segment {
            prose,
            source: range,
            exact: true,
        });
    }

    /// Appends text that was decoded from `source[range]` (an entity or escape). The whole decoded
    /// text maps to the whole source range.
    pub fn push_decoded(&mut self, text: &str, range: Range<usize>) {
        if text.is_empty() {
            return;
        }
        if self.source.get(range.clone()) == Some(text) {
            self.push_source(range);
            return;
        }
        self.ensure_block();
        // A decoded whitespace character (such as `&nbsp;` or a newline) reads as a space.
        if text.chars().all(char::is_whitespace) && text.contains(['\n', '\r']) {
            self.push_space(range);
            return;
        }
        let p = self.prose.text.len();
        self.prose.text.push_str(text);
        self.prose.segments.push(Segment {
            prose: p..self.prose.text.len(),
            source: range,
            exact: false,
        });
    }

    /// Appends one space that stands for `source[range]` (a line break, `<br>`, a tag that separates
    /// words). Nothing is appended when the prose already ends in whitespace.
    pub fn push_space(&mut self, range: Range<usize>) {
        self.ensure_block();
        if self.at_space() {
            return;
        }
        let p = self.prose.text.len();
        self.prose.text.push(' ');
        self.prose.segments.push(Segment {
            prose: p..p + 1,
            source: range,
            exact: false,
        });
    }

    /// Records a comment; those whose body starts with `claimlint` are kept as directives.
    pub fn add_comment(&mut self, body: &str, span: Range<usize>) {
        let body = body.trim();
        if body.starts_with("claimlint") {
            self.prose.directives.push(Directive {
                text: body.to_owned(),
                span,
            });
        }
    }

    /// Records a link whose text occupies `prose` in the prose buffer.
    pub fn add_link(&mut self, url: &str, prose: Range<usize>) {
        self.prose.links.push(Link {
            url: url.to_owned(),
            prose,
        });
    }

    pub fn add_footnote_ref(&mut self, label: &str, source: Range<usize>) {
        let at = self.prose.text.len();
        self.prose.footnote_refs.push(FootnoteRef {
            label: label.to_owned(),
            at,
            source,
        });
    }

    pub fn add_footnote_def(&mut self, label: &str) {
        self.prose.footnote_defs.push(label.to_owned());
    }

    pub fn finish(mut self) -> Prose {
        while !self.stack.is_empty() {
            self.end_block();
        }
        let keep = self.prose.blocks.last().map_or(0, |b| b.range.end);
        self.truncate(keep);
        self.prose
    }
}

/// Checks the offset-map invariants of `prose` against `source`; returns a description of the first
/// violation. Used by the tests of every extractor and by the fuzz and property tests.
pub fn check_invariants(source: &str, prose: &Prose) -> Result<(), String> {
    let mut last_prose = 0;
    let mut last_source = 0;
    for seg in &prose.segments {
        if seg.prose.start < last_prose || seg.prose.end <= seg.prose.start {
            return Err(format!("segment out of order or empty: {seg:?}"));
        }
        if seg.source.start < last_source || seg.source.end < seg.source.start {
            return Err(format!("source ranges out of order: {seg:?}"));
        }
        let Some(src) = source.get(seg.source.clone()) else {
            return Err(format!(
                "source range not on char boundaries or out of bounds: {seg:?}"
            ));
        };
        let Some(text) = prose.text.get(seg.prose.clone()) else {
            return Err(format!("prose range not on char boundaries: {seg:?}"));
        };
        if seg.exact && src != text {
            return Err(format!("exact segment differs: {text:?} vs source {src:?}"));
        }
        last_prose = seg.prose.end;
        last_source = seg.source.end;
    }
    let mut last_block = 0;
    for block in &prose.blocks {
        if block.range.start < last_block || block.range.end > prose.text.len() {
            return Err(format!("block out of order or bounds: {block:?}"));
        }
        if prose.text.get(block.range.clone()).is_none() {
            return Err(format!("block not on char boundaries: {block:?}"));
        }
        last_block = block.range.end;
    }
    // Link texts and superscripts are prose ranges, for the citation checks to read.
    let ranges = prose
        .links
        .iter()
        .map(|l| &l.prose)
        .chain(&prose.superscripts);
    for range in ranges {
        if prose.text.get(range.clone()).is_none() {
            return Err(format!(
                "link or superscript range {range:?} outside the prose or not on char boundaries"
            ));
        }
    }
    // Every non-whitespace prose byte inside a block is mapped.
    for block in &prose.blocks {
        for (i, c) in prose.text[block.range.clone()].char_indices() {
            let at = block.range.start + i;
            if !c.is_whitespace() && prose.segment_at(at).is_none() {
                return Err(format!("unmapped prose character {c:?} at {at}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_pieces_merge_and_map_back() {
        let src = "clinically **proven** care";
        let mut b = ProseBuilder::new(src);
        b.start_block(BlockKind::Paragraph);
        b.push_source(0..11);
        b.push_source(13..19);
        b.push_source(21..26);
        b.end_block();
        let prose = b.finish();
        assert_eq!(prose.text, "clinically proven care");
        check_invariants(src, &prose).unwrap();
        let at = prose.text.find("clinically proven").unwrap();
        let r = prose.source_range(at..at + 17).unwrap();
        assert_eq!(&src[r], "clinically **proven");
    }

    #[test]
    fn line_breaks_fold_to_one_inexact_space() {
        let src = "no side\r\n   effects";
        let mut b = ProseBuilder::new(src);
        b.push_source(0..src.len());
        let prose = b.finish();
        assert_eq!(prose.text, "no side effects");
        check_invariants(src, &prose).unwrap();
        assert_eq!(
            prose.source_range(0..prose.text.len()).unwrap(),
            0..src.len()
        );
        assert_eq!(prose.source_range(7..8).unwrap(), 7..12);
    }

    /// `push_source` as it was, byte by byte: each whitespace run holding a line break becomes
    /// one space.
    fn push_source_reference(b: &mut ProseBuilder, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        b.ensure_block();
        let bytes = &b.source.as_bytes()[range.clone()];
        let (mut run_start, mut i) = (0, 0);
        while i < bytes.len() {
            if bytes[i].is_ascii_whitespace() {
                let ws_start = i;
                let mut has_break = false;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    has_break |= bytes[i] == b'\n' || bytes[i] == b'\r';
                    i += 1;
                }
                if has_break {
                    b.push_exact(range.start + run_start..range.start + ws_start);
                    b.push_space(range.start + ws_start..range.start + i);
                    run_start = i;
                }
            } else {
                i += 1;
            }
        }
        b.push_exact(range.start + run_start..range.end);
    }

    proptest::proptest! {
        #[test]
        fn push_source_folds_line_breaks_as_the_byte_by_byte_version_did(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["word", " ", "\n", "\r\n", "\t", "  \n  ", "\u{e9}", "."]),
                0..16,
            ),
            cuts in proptest::collection::vec(0usize..64, 0..3),
        ) {
            let src: String = pieces.concat();
            // Consecutive ranges covering the text, cut at char boundaries.
            let mut bounds: Vec<usize> = cuts
                .iter()
                .map(|c| c % (src.len() + 1))
                .filter(|&c| src.is_char_boundary(c))
                .collect();
            bounds.extend([0, src.len()]);
            bounds.sort_unstable();
            let (mut fast, mut slow) = (ProseBuilder::new(&src), ProseBuilder::new(&src));
            for pair in bounds.windows(2) {
                fast.push_source(pair[0]..pair[1]);
                push_source_reference(&mut slow, pair[0]..pair[1]);
            }
            let (fast, slow) = (fast.finish(), slow.finish());
            proptest::prop_assert_eq!(&fast.text, &slow.text);
            proptest::prop_assert_eq!(&fast.segments, &slow.segments);
            proptest::prop_assert!(check_invariants(&src, &fast).is_ok());
        }
    }

    #[test]
    fn decoded_entity_maps_as_a_whole() {
        let src = "clinic&rsquo;s";
        let mut b = ProseBuilder::new(src);
        b.push_source(0..6);
        b.push_decoded("\u{2019}", 6..13);
        b.push_source(13..14);
        let prose = b.finish();
        assert_eq!(prose.text, "clinic\u{2019}s");
        check_invariants(src, &prose).unwrap();
        assert_eq!(prose.source_range(6..9).unwrap(), 6..13);
        assert_eq!(prose.source_range(0..prose.text.len()).unwrap(), 0..14);
    }

    #[test]
    fn nested_block_splits_the_outer_one() {
        let src = "a b c";
        let mut b = ProseBuilder::new(src);
        b.start_block(BlockKind::Paragraph);
        b.push_source(0..1);
        b.start_block(BlockKind::AltText);
        b.push_source(2..3);
        b.end_block();
        b.push_source(4..5);
        b.end_block();
        let prose = b.finish();
        let kinds: Vec<_> = prose.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Paragraph,
                BlockKind::AltText,
                BlockKind::Paragraph
            ]
        );
        assert_eq!(prose.text, "a\n\nb\n\nc");
        check_invariants(src, &prose).unwrap();
    }

    #[test]
    fn empty_blocks_leave_no_trace() {
        let src = "   ";
        let mut b = ProseBuilder::new(src);
        b.start_block(BlockKind::Heading(1));
        b.push_source(0..3);
        b.end_block();
        let prose = b.finish();
        assert!(prose.blocks.is_empty());
        assert!(prose.text.is_empty());
    }
}
