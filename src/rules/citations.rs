//! Citations on a page: which sentences cite a source. Footnote markers in every format (`[1]`,
//! `[1, 2]`, `[1-3]`, `¹²`, `^1`, HTML `<sup>1</sup>`, Markdown `[^1]`) cite only when they
//! resolve to a reference on the same page (a footnote definition, a numbered item under a
//! "References" heading, a bibliographic line starting with the label, or an element whose `id`
//! the marker links to); a marker that resolves to nothing is reported, never trusted. Written
//! citations (author-year, et al., DOI, PMID), a journal or agency named with a year, and links to
//! study, journal and agency pages cite on their own.
//!
//! `PageCitations::scan` reads a document once; the linter then asks it, per sentence, what the
//! sentence cites and which of its markers do not resolve.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::Ruleset;
use super::context::{self, Citation, CueSpan};
use super::matcher::{CueHit, CueIndex, Normalized};
use crate::extract::{BlockKind, Prose};
use crate::text::Sentence;

/// Lexicon lists this module reads, besides `citation-cues` and `citation-domains`.
pub const LISTS: &[&str] = &["journals", "agencies", "study-nouns", "reference-headings"];

/// Most words between a journal or agency and the year that dates it ("a 2019 study in JAMA").
const YEAR_WINDOW_WORDS: usize = 8;
/// Most words between an agency and the document noun that makes it a source ("CDC data").
const NOUN_WINDOW_WORDS: usize = 2;
/// Most labels a range marker (`[1-30]`) expands to; a longer range is read as its two ends.
const MAX_RANGE_LABELS: u32 = 30;

/// Words that make a bracketed number a label, not a marker: "Step [1]", "Phase [2]".
const LABEL_WORDS: &[&str] = &[
    "appendix", "box", "chapter", "class", "day", "exhibit", "fig", "figure", "grade", "item",
    "level", "month", "no", "number", "option", "page", "part", "phase", "point", "question",
    "round", "section", "session", "slide", "stage", "step", "table", "tier", "tip", "type",
    "version", "visit", "week",
];

/// What the sentence around a claim cites.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SentenceCitations {
    /// The citation that supports the sentence, if any.
    pub cited: Option<Citation>,
    /// A footnote marker in the sentence that resolves to no reference on the page.
    pub unresolved: Option<Citation>,
}

/// A footnote marker and whether the page resolves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// How to quote it (`[3]`, `¹`, `[^1]`, `<sup>2</sup>`).
    pub text: String,
    /// The exact marker: normalised text, or source bytes for markup that adds no prose.
    pub span: CueSpan,
    /// Where it stands in the prose (empty for a Markdown footnote reference).
    pub prose: Range<usize>,
    pub resolved: bool,
}

/// The citations of one document.
pub struct PageCitations<'a> {
    prose: &'a Prose,
    norm: &'a Normalized,
    sentences: &'a [Sentence],
    /// Every cue of the page (headings and entries are recognised by their terms).
    cues: &'a CueIndex,
    ruleset: &'a Ruleset,
    lists: Lists,
    /// Markers with the index of the sentence they belong to, in prose order.
    markers: Vec<(usize, Marker)>,
    /// The page's links by prose position.
    links: RangeIndex,
}

/// Ranges sorted by start with the running maximum of their ends, so the ones near a range are
/// found by binary search: a page with thousands of links and markers must not compare each
/// with each.
#[derive(Debug, Default)]
struct RangeIndex {
    /// Indices into the indexed list, by (start, index).
    order: Vec<usize>,
    starts: Vec<usize>,
    ends: Vec<usize>,
    /// `max_end[k]`: the largest end among the first `k + 1` ranges in start order.
    max_end: Vec<usize>,
}

impl RangeIndex {
    fn new<'r>(ranges: impl Iterator<Item = &'r Range<usize>>) -> RangeIndex {
        let mut items: Vec<(usize, usize, usize)> = ranges
            .enumerate()
            .map(|(i, r)| (r.start, i, r.end))
            .collect();
        items.sort_unstable();
        let mut max = 0;
        let max_end = items
            .iter()
            .map(|&(_, _, end)| {
                max = max.max(end);
                max
            })
            .collect();
        RangeIndex {
            order: items.iter().map(|&(_, i, _)| i).collect(),
            starts: items.iter().map(|&(s, _, _)| s).collect(),
            ends: items.iter().map(|&(_, _, e)| e).collect(),
            max_end,
        }
    }

    /// Indices, in start order, of every range with `start <= to` and `end >= from`: each range
    /// that overlaps or touches `from..to` (callers apply their exact test to these).
    fn near(&self, from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
        let first = self.max_end.partition_point(|&e| e < from);
        let last = self.starts.partition_point(|&s| s <= to).max(first);
        (first..last)
            .filter(move |&k| self.ends[k] >= from)
            .map(move |k| self.order[k])
    }
}

/// Indices of this module's lexicon lists in `Ruleset::term_lists` (`usize::MAX` when absent).
#[derive(Clone, Copy, Debug)]
struct Lists {
    cues: usize,
    journals: usize,
    agencies: usize,
    study_nouns: usize,
    reference_headings: usize,
}

impl Lists {
    fn of(ruleset: &Ruleset) -> Lists {
        let find = |name: &str| {
            ruleset
                .term_lists
                .iter()
                .position(|l| l.name.strip_prefix('@') == Some(name))
                .unwrap_or(usize::MAX)
        };
        Lists {
            cues: ruleset.cue_lists.citation_cues,
            journals: find("journals"),
            agencies: find("agencies"),
            study_nouns: find("study-nouns"),
            reference_headings: find("reference-headings"),
        }
    }
}

impl<'a> PageCitations<'a> {
    /// Finds the page's references and markers and resolves each marker. `source` is the text the
    /// prose was extracted from.
    pub(crate) fn scan(
        ruleset: &'a Ruleset,
        source: &str,
        prose: &'a Prose,
        norm: &'a Normalized,
        sentences: &'a [Sentence],
        cues: &'a CueIndex,
    ) -> PageCitations<'a> {
        let mut page = PageCitations {
            prose,
            norm,
            sentences,
            cues,
            ruleset,
            lists: Lists::of(ruleset),
            markers: Vec::new(),
            links: RangeIndex::new(prose.links.iter().map(|l| &l.prose)),
        };
        let references = page.references(source);
        let mut markers = page.find_markers(source, &references);
        markers.sort_by_key(|m| (m.prose.start, m.prose.end));
        page.markers = markers
            .into_iter()
            .filter_map(|m| page.sentence_of_marker(&m.prose).map(|si| (si, m)))
            .collect();
        page
    }

    /// Every marker of the page with its sentence, in prose order.
    pub fn markers(&self) -> impl Iterator<Item = (usize, &Marker)> {
        self.markers.iter().map(|(si, m)| (*si, m))
    }

    /// What sentence `si` cites; `cues` are the cue hits of its normalised range.
    pub fn for_sentence(&self, si: usize, cues: &[CueHit]) -> SentenceCitations {
        let mut out = SentenceCitations::default();
        let text = &self.norm.text;
        let pr = self.sentences[si].range.clone();
        let nr = self.norm.from_prose(pr.start)..self.norm.from_prose(pr.end);
        let marker_citation = |m: &Marker| Citation {
            text: m.text.clone(),
            span: m.span.clone(),
        };
        // Markers are in prose order, so a sentence's markers are one run of the list.
        let first = self.markers.partition_point(|(s, _)| *s < si);
        let own = self.markers[first..]
            .iter()
            .take_while(|(s, _)| *s == si)
            .map(|(_, m)| m);
        out.unresolved = own.clone().find(|m| !m.resolved).map(marker_citation);
        out.cited = own
            .clone()
            .find(|m| m.resolved)
            .map(marker_citation)
            .or_else(|| {
                context::written_citation(text, nr.clone()).map(|r| Citation::in_text(text, r))
            })
            .or_else(|| {
                cues.iter()
                    .find(|c| c.list() == self.lists.cues)
                    .map(|c| Citation::in_text(text, c.range()))
            })
            .or_else(|| {
                self.named_source_with_year(nr.clone(), cues)
                    .map(|r| Citation::in_text(text, r))
            })
            .or_else(|| self.study_link(&pr));
        out
    }

    /// A journal named with a year ("a 2019 study in JAMA Psychiatry"), or an agency named with a
    /// year and a document noun ("a 2021 CDC report"). Returns the range from the name to the year.
    fn named_source_with_year(&self, nr: Range<usize>, cues: &[CueHit]) -> Option<Range<usize>> {
        let text = &self.norm.text;
        let years: Vec<Range<usize>> = year_re()
            .find_iter(text.get(nr.clone())?)
            .map(|m| nr.start + m.start()..nr.start + m.end())
            .collect();
        if years.is_empty() {
            return None;
        }
        let near = |a: &Range<usize>, b: &Range<usize>, words: usize| {
            let gap = if a.end <= b.start {
                a.end..b.start
            } else if b.end <= a.start {
                b.end..a.start
            } else {
                return true;
            };
            text[gap].split_whitespace().count() <= words
        };
        let year_of = |r: &Range<usize>| years.iter().find(|y| near(r, y, YEAR_WINDOW_WORDS));
        // The longest name at the first place one is dated: "JAMA Psychiatry", not "JAMA".
        let dated = |list: usize, extra: &dyn Fn(&Range<usize>) -> bool| {
            let first = cues
                .iter()
                .find(|c| c.list() == list && year_of(&c.range()).is_some() && extra(&c.range()))?;
            let name = cues
                .iter()
                .filter(|c| c.list() == list && c.range().start == first.range().start)
                .map(|c| c.range())
                .max_by_key(|r| r.end)?;
            let year = year_of(&name).unwrap_or(&name);
            Some(name.start.min(year.start)..name.end.max(year.end))
        };
        dated(self.lists.journals, &|_| true).or_else(|| {
            dated(self.lists.agencies, &|agency| {
                cues.iter().any(|n| {
                    n.list() == self.lists.study_nouns
                        && near(agency, &n.range(), NOUN_WINDOW_WORDS)
                })
            })
        })
    }

    /// A link to a study, journal or agency page whose text lies in, or covers, the sentence.
    fn study_link(&self, pr: &Range<usize>) -> Option<Citation> {
        let domains = &self.ruleset.term_lists[self.ruleset.citation_domains].terms;
        let links = &self.prose.links;
        let link = self
            .links
            .near(pr.start, pr.end)
            .map(|i| &links[i])
            .find(|l| {
                let touches = if l.prose.is_empty() {
                    pr.start <= l.prose.start && l.prose.start <= pr.end
                } else {
                    l.prose.start < pr.end && pr.start < l.prose.end
                };
                touches && is_study_link(&l.url, domains)
            })?;
        if link.prose.is_empty() {
            // An autolink shows its URL, which is not prose: quote the URL, point at the sentence.
            let r = self.norm.from_prose(pr.start)..self.norm.from_prose(pr.end);
            return Some(Citation {
                text: link.url.clone(),
                span: CueSpan::Norm(r),
            });
        }
        let r = self.norm.from_prose(link.prose.start)..self.norm.from_prose(link.prose.end);
        Some(Citation::in_text(&self.norm.text, r))
    }

    // --- references ----------------------------------------------------------------------

    /// Labels of the references on the page, and which blocks are reference entries (their
    /// leading label is a definition, not a marker).
    fn references(&self, source: &str) -> References {
        let blocks = &self.prose.blocks;
        let mut refs = References {
            labels: self.prose.footnote_defs.iter().cloned().collect(),
            entry_blocks: vec![false; blocks.len()],
        };
        // The level of the open reference heading (7 for a paragraph that reads as one).
        let mut section: Option<u8> = None;
        let mut position = 0;
        for (bi, block) in blocks.iter().enumerate() {
            let nr = self.norm.from_prose(block.range.start)..self.norm.from_prose(block.range.end);
            let Some(text) = self.norm.text.get(nr.clone()) else {
                continue;
            };
            if let BlockKind::Heading(level) = block.kind {
                if section.is_some_and(|open| level <= open) {
                    section = None;
                }
                if self.is_reference_heading(nr) {
                    section = Some(level);
                    position = 0;
                }
                continue;
            }
            if block.kind == BlockKind::Paragraph && self.is_reference_heading(nr.clone()) {
                section = Some(7);
                position = 0;
                continue;
            }
            let label = leading_label(text).or_else(|| {
                (block.kind == BlockKind::ListItem)
                    .then(|| list_number(source, self.prose, block.range.start))
                    .flatten()
            });
            if section.is_some() {
                let label = match label {
                    Some(l) => Some(l),
                    // An `<ol>` item: its number is not prose; count it.
                    None if block.kind == BlockKind::ListItem => Some((position + 1).to_string()),
                    None => None,
                };
                if let Some(l) = label {
                    if let Ok(n) = l.parse::<usize>() {
                        position = n;
                    }
                    // Hard-wrapped plain text may join several entries into one paragraph.
                    for m in bracket_re().captures_iter(text) {
                        refs.labels.extend(expand_labels(&m[1]));
                    }
                    refs.labels.insert(l);
                    refs.entry_blocks[bi] = true;
                }
            } else if let Some(l) = leading_label(text)
                && self.is_bibliographic(bi, nr)
            {
                // "[3] Smith J et al. JAMA Psychiatry. 2019." at the end of a page.
                refs.labels.insert(l);
                refs.entry_blocks[bi] = true;
            }
        }
        refs
    }

    /// A short heading (or a paragraph standing alone as one) naming a reference list.
    fn is_reference_heading(&self, nr: Range<usize>) -> bool {
        let Some(text) = self.norm.text.get(nr.clone()) else {
            return false;
        };
        // At most four words; counting stops at the fifth (blocks can be long paragraphs).
        let short = text.split_whitespace().nth(4).is_none();
        let bare = text.trim().trim_end_matches(':').trim();
        short
            && self
                .cues
                .within_iter(nr.clone())
                .any(|c| {
                    c.list() == self.lists.reference_headings
                        // The heading is the term, maybe with a word before it ("Our sources").
                        && self.norm.text[c.range().end..nr.end].trim().trim_end_matches(':').is_empty()
                })
            && !bare.is_empty()
    }

    /// Whether a block outside a reference list reads like a reference entry: it has a year,
    /// "et al.", a DOI or PMID, a link, or a journal name.
    fn is_bibliographic(&self, bi: usize, nr: Range<usize>) -> bool {
        let text = &self.norm.text[nr.clone()];
        let block = &self.prose.blocks[bi].range;
        year_re().is_match(text)
            || context::written_citation(&self.norm.text, nr.clone()).is_some()
            || text.contains("http")
            || self.links.near(block.start, block.end).any(|i| {
                let start = self.prose.links[i].prose.start;
                block.start <= start && start <= block.end
            })
            || self
                .cues
                .within_iter(nr)
                .any(|c| c.list() == self.lists.journals)
    }

    // --- markers -------------------------------------------------------------------------

    fn find_markers(&self, source: &str, refs: &References) -> Vec<Marker> {
        let mut out: Vec<Marker> = Vec::new();
        let anchors: BTreeSet<&str> = self.prose.anchors.iter().map(String::as_str).collect();
        // Markdown footnote references add no prose; they resolve when their definition exists.
        for f in &self.prose.footnote_refs {
            out.push(Marker {
                text: source.get(f.source.clone()).unwrap_or_default().to_owned(),
                span: CueSpan::Source(f.source.clone()),
                prose: f.at..f.at,
                resolved: self.prose.footnote_defs.contains(&f.label),
            });
        }
        let resolves = |labels: &[String]| {
            !labels.is_empty() && labels.iter().all(|l| refs.labels.contains(l))
        };
        for (bi, block) in self.prose.blocks.iter().enumerate() {
            if refs.entry_blocks[bi] {
                continue;
            }
            let nr = self.norm.from_prose(block.range.start)..self.norm.from_prose(block.range.end);
            let text = &self.norm.text;
            for (range, labels) in written_markers(text, nr.clone()) {
                out.push(self.text_marker(range, resolves(&labels)));
            }
        }
        // HTML `<sup>1</sup>`: the digits stand glued to the word before them in the prose.
        for sup in &self.prose.superscripts {
            let nr = self.norm.from_prose(sup.start)..self.norm.from_prose(sup.end);
            if let Some((range, labels)) = superscript_marker(&self.norm.text, nr)
                && !out
                    .iter()
                    .any(|m| overlaps(&m.prose, &self.prose_range(&range)))
            {
                let mut m = self.text_marker(range, resolves(&labels));
                m.text = format!("<sup>{}</sup>", m.text);
                out.push(m);
            }
        }
        // Markdown passes inline `<sup>` through as a transparent tag: read the source before
        // a glued number to tell a superscript from "COVID19".
        if holds_sup_tag(source) {
            for (range, labels) in self.glued_numbers() {
                let pr = self.prose_range(&range);
                let Some(src) = self.prose.source_range(pr.clone()) else {
                    continue;
                };
                if opens_superscript(&source[..src.start])
                    && !out.iter().any(|m| overlaps(&m.prose, &pr))
                {
                    let mut m = self.text_marker(range, resolves(&labels));
                    m.text = format!("<sup>{}</sup>", m.text);
                    out.push(m);
                }
            }
        }
        // A marker that links somewhere: to an element on the page (`#ref1`), or to a study.
        let domains = &self.ruleset.term_lists[self.ruleset.citation_domains].terms;
        for m in &mut out {
            let link = self
                .links
                .near(m.prose.start, m.prose.end)
                .map(|i| &self.prose.links[i])
                .find(|l| overlaps(&l.prose, &m.prose));
            if let Some(l) = link {
                m.resolved |= match l.url.strip_prefix('#') {
                    Some(id) => anchors.contains(id),
                    None => is_study_link(&l.url, domains),
                };
            }
        }
        // `[1](#ref1)` in Markdown: the link text is a bare number. A link's marker is checked
        // against the markers found before the links and against the last one added here: links
        // rarely nest (only inline HTML `<a>` inside a Markdown link does), and a nested pair
        // comes in a row, so a bare number in both makes one marker.
        let found = RangeIndex::new(out.iter().map(|m| &m.prose));
        let found_count = out.len();
        for l in &self.prose.links {
            let Some(id) = l.url.strip_prefix('#') else {
                continue;
            };
            let nr = self.norm.from_prose(l.prose.start)..self.norm.from_prose(l.prose.end);
            let Some(t) = self.norm.text.get(nr.clone()) else {
                continue;
            };
            if !found
                .near(l.prose.start, l.prose.end)
                .any(|i| overlaps(&out[i].prose, &l.prose))
                && !out[found_count..]
                    .last()
                    .is_some_and(|m| overlaps(&m.prose, &l.prose))
                && let Some(labels) = number_labels(t.trim_matches(['[', ']']))
            {
                let resolved = anchors.contains(id) || resolves(&labels);
                out.push(self.text_marker(nr, resolved));
            }
        }
        out
    }

    fn text_marker(&self, range: Range<usize>, resolved: bool) -> Marker {
        Marker {
            text: self.norm.text[range.clone()].to_owned(),
            prose: self.prose_range(&range),
            span: CueSpan::Norm(range),
            resolved,
        }
    }

    fn prose_range(&self, nr: &Range<usize>) -> Range<usize> {
        self.norm.to_prose(nr.start)..self.norm.to_prose(nr.end)
    }

    /// Numbers glued to the end of a word or sentence ("trials1", "respond.2"), outside headings.
    fn glued_numbers(&self) -> Vec<(Range<usize>, Vec<String>)> {
        static RE: OnceLock<Regex> = OnceLock::new();
        let re = RE.get_or_init(|| {
            Regex::new(r"[A-Za-z)\].,;:]([0-9]{1,3}(?:[,-][0-9]{1,3})*)(?-u:\b)")
                .expect("built-in glued-number regex compiles")
        });
        let text = &self.norm.text;
        re.captures_iter(text)
            .filter_map(|c| {
                let m = c.get(1)?;
                Some((m.range(), number_labels(m.as_str())?))
            })
            .collect()
    }

    /// The sentence a marker belongs to. A marker that opens a sentence after another one in the
    /// same block ("responded in trials. [3] Costs vary") cites the sentence before it, as does a
    /// Markdown `[^1]` standing right after a sentence's final period.
    fn sentence_of_marker(&self, pr: &Range<usize>) -> Option<usize> {
        // The first sentence that ends at or after the marker's start.
        let i = self.sentences.partition_point(|s| s.range.end < pr.start);
        let previous_in_block = i.checked_sub(1).filter(|&p| {
            self.sentences
                .get(i)
                .is_some_and(|s| s.block == self.sentences[p].block)
        });
        match self.sentences.get(i) {
            None => i.checked_sub(1),
            Some(s) if s.range.start < pr.start => Some(i),
            Some(_) => previous_in_block.or(Some(i)),
        }
    }
}

/// The page's reference labels and which blocks are reference entries.
struct References {
    labels: BTreeSet<String>,
    entry_blocks: Vec<bool>,
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() || b.is_empty() {
        return a.start == b.start && a.end == b.end;
    }
    a.start < b.end && b.start < a.end
}

/// Years a citation can carry: 1950-2049.
fn year_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?-u:\b)(?:19[5-9][0-9]|20[0-4][0-9])[a-z]?(?-u:\b)")
            .expect("built-in year regex compiles")
    })
}

/// `[1]`, `[1, 2]`, `[1-3]`; the capture is the list inside the brackets.
fn bracket_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\[([0-9]{1,3}(?:\s*[,-]\s*[0-9]{1,3})*)\]")
            .expect("built-in bracket regex compiles")
    })
}

const SUPERSCRIPT_DIGITS: &str =
    "\u{2070}\u{b9}\u{b2}\u{b3}\u{2074}\u{2075}\u{2076}\u{2077}\u{2078}\u{2079}";

/// Whether `source` holds `<sup` or `<SUP`. Asked of every page: `str::contains` went about a
/// byte at a time, twice over the page, where `memmem`'s finders (built once) skip ahead.
fn holds_sup_tag(source: &str) -> bool {
    static FINDERS: OnceLock<[memchr::memmem::Finder<'static>; 2]> = OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        [
            memchr::memmem::Finder::new(b"<sup"),
            memchr::memmem::Finder::new(b"<SUP"),
        ]
    });
    finders
        .iter()
        .any(|finder| finder.find(source.as_bytes()).is_some())
}

/// Footnote markers written in text, with the labels each refers to: `[1]`, `[1, 2]`, `[1-3]`,
/// `[^note]`, `¹²`, `^1`. Labels that are not markers are skipped: a bracketed number that opens
/// its block or follows "Step", and superscript or caret digits after a number ("10²", "10^6")
/// or a unit ("m²").
pub fn written_markers(text: &str, range: Range<usize>) -> Vec<(Range<usize>, Vec<String>)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(concat!(
            r"\[([0-9]{1,3}(?:\s*[,-]\s*[0-9]{1,3})*)\]",
            r"|\[\^([A-Za-z0-9_-]{1,20})\]",
            r"|([\u{2070}\u{b9}\u{b2}\u{b3}\u{2074}-\u{2079}]+(?:[,\u{207b}-][\u{2070}\u{b9}\u{b2}\u{b3}\u{2074}-\u{2079}]+)*)",
            r"|\^([0-9]{1,3})(?-u:\b)",
        ))
        .expect("built-in marker regex compiles")
    });
    let Some(slice) = text.get(range.clone()) else {
        return Vec::new();
    };
    // Every marker holds `[`, `^` or a superscript digit (U+00B2, U+00B3, U+00B9 begin with the
    // byte 0xC2; U+2070-2079 with 0xE2). Most sentences hold none, and are answered without
    // running the regex.
    let bytes = slice.as_bytes();
    if memchr::memchr3(b'[', b'^', 0xC2, bytes).is_none() && memchr::memchr(0xE2, bytes).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in re.captures_iter(slice) {
        let Some(whole) = c.get(0) else { continue };
        let start = range.start + whole.start();
        let at = start..range.start + whole.end();
        let before = &text[range.start..start];
        let labels = if let Some(list) = c.get(1) {
            let opens_block = before.trim().is_empty();
            let word = before
                .trim_end()
                .rsplit(char::is_whitespace)
                .next()
                .unwrap_or("")
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            if opens_block
                || LABEL_WORDS.contains(&word.as_str())
                || text[at.end..].starts_with('(')
            {
                continue;
            }
            expand_labels(list.as_str())
        } else if let Some(label) = c.get(2) {
            vec![label.as_str().to_owned()]
        } else if let Some(sup) = c.get(3) {
            if follows_number_or_unit(before) {
                continue;
            }
            let ascii: String = sup
                .as_str()
                .chars()
                .map(
                    |ch| match SUPERSCRIPT_DIGITS.chars().position(|d| d == ch) {
                        Some(d) => char::from(b'0' + d as u8),
                        None => ',',
                    },
                )
                .collect();
            expand_labels(&ascii)
        } else if let Some(n) = c.get(4) {
            if before.ends_with(|ch: char| ch.is_ascii_digit()) {
                continue;
            }
            vec![n.as_str().to_owned()]
        } else {
            continue;
        };
        if !labels.is_empty() {
            out.push((at, labels));
        }
    }
    out
}

/// The marker in the text of an HTML `<sup>`: a bare or bracketed number list, not after a number
/// or unit ("10<sup>9</sup>", "m<sup>2</sup>"). Returns the digits' range and labels.
fn superscript_marker(text: &str, nr: Range<usize>) -> Option<(Range<usize>, Vec<String>)> {
    let inner = text.get(nr.clone())?;
    let trimmed = inner.trim();
    let start = nr.start + (inner.len() - inner.trim_start().len());
    let range = start..start + trimmed.len();
    if follows_number_or_unit(&text[..start]) {
        return None;
    }
    let labels = number_labels(trimmed.trim_start_matches('[').trim_end_matches(']'))?;
    Some((range, labels))
}

/// Whether digits after `before` read as an exponent: after a digit ("10²") or a word of one or
/// two letters ("m²", "CO2").
fn follows_number_or_unit(before: &str) -> bool {
    let Some(last) = before.chars().next_back() else {
        return true;
    };
    if last.is_ascii_digit() || last.is_whitespace() {
        return true;
    }
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .collect();
    (1..=2).contains(&word.chars().count())
}

/// Labels of a number list such as `1, 2` or `1-3`; `None` when it is not one.
fn number_labels(text: &str) -> Option<Vec<String>> {
    let t = text.trim();
    let ok = !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '-' | ' '))
        && t.split([',', '-'])
            .all(|n| (1..=3).contains(&n.trim().len()));
    ok.then(|| expand_labels(t)).filter(|l| !l.is_empty())
}

/// Expands `1, 3-5` to `1`, `3`, `4`, `5`.
fn expand_labels(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in list.split(',') {
        let mut ends = part.split('-').map(|n| n.trim().parse::<u32>());
        match (ends.next(), ends.next()) {
            (Some(Ok(a)), Some(Ok(b))) if a <= b && b - a < MAX_RANGE_LABELS => {
                out.extend((a..=b).map(|n| n.to_string()))
            }
            (Some(Ok(a)), Some(Ok(b))) => out.extend([a.to_string(), b.to_string()]),
            (Some(Ok(a)), None) => out.push(a.to_string()),
            _ => {}
        }
    }
    out
}

/// The label a reference entry starts with: `[3]`, `(3)`, `^3`, `³`, `3.`, `3)` or `[^note]:`.
fn leading_label(text: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(concat!(
            r"^\s*(?:\[([0-9]{1,3})\]|\(([0-9]{1,3})\)|\^([0-9]{1,3})|([0-9]{1,3})[.)]\s",
            r"|\[\^([A-Za-z0-9_-]{1,20})\]:?",
            r"|([\u{2070}\u{b9}\u{b2}\u{b3}\u{2074}-\u{2079}]{1,3}))",
        ))
        .expect("built-in label regex compiles")
    });
    // Every label starts (after spaces, as `\s` reads them) with a digit, `[`, `(`, `^` or a
    // superscript digit. Most blocks start with a letter, and are answered without the regex.
    let first = text.trim_start().chars().next()?;
    if !(first.is_ascii_digit()
        || matches!(first, '[' | '(' | '^')
        || SUPERSCRIPT_DIGITS.contains(first))
    {
        return None;
    }
    let c = re.captures(text)?;
    let (i, m) = c
        .iter()
        .enumerate()
        .skip(1)
        .find_map(|(i, m)| m.map(|m| (i, m)))?;
    if i == 6 {
        return m
            .as_str()
            .chars()
            .map(|ch| SUPERSCRIPT_DIGITS.chars().position(|d| d == ch))
            .map(|d| d.map(|d| char::from(b'0' + d as u8)))
            .collect();
    }
    Some(m.as_str().to_owned())
}

/// The number a list item was written with (`3.` or `3)` before it on its source line), which
/// Markdown and plain-text extraction leave out of the prose.
fn list_number(source: &str, prose: &Prose, at: usize) -> Option<String> {
    let src = prose.source_range(at..at + 1)?;
    let line_start = source[..src.start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let prefix = source[line_start..src.start].trim();
    let digits = prefix.strip_suffix(['.', ')'])?;
    (!digits.is_empty() && digits.len() <= 3 && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| digits.trim_start_matches('0').to_owned())
        .filter(|d| !d.is_empty())
}

/// Whether the source before a number ends in an opening `<sup>` tag, possibly followed by an
/// opening `<a>` and whitespace ("<sup><a href=\"#r1\">1").
fn opens_superscript(before: &str) -> bool {
    let mut rest = before.trim_end();
    for _ in 0..3 {
        let Some(tag) = rest
            .strip_suffix('>')
            .and_then(|r| r.rfind('<').map(|i| &r[i..]))
        else {
            return false;
        };
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "sup" => return true,
            "a" | "span" => rest = rest[..rest.len() - tag.len() - 1].trim_end(),
            _ => return false,
        }
    }
    false
}

/// Whether a link points at a study, journal, registry or agency page: its host is a listed
/// domain or a subdomain of one (`pubmed.ncbi.nlm.nih.gov` for `nih.gov`), and for a listed
/// `host/path` entry its path starts with that path. Lookalikes (`notnih.gov`,
/// `nih.gov.example.com`, `https://nih.gov@evil.example`) do not count.
pub fn is_study_link(url: &str, domains: &[String]) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let Some((_, rest)) = lower.split_once("//").or_else(|| {
        // A bare `www.nih.gov/...` or `doi.org/10...` written without a scheme.
        (!lower.starts_with(['#', '/', '.']) && !lower.contains(':')).then_some(("", &lower[..]))
    }) else {
        return false;
    };
    let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("").trim_end_matches('.');
    let host_is = |d: &str| host == d || host.strip_suffix(d).is_some_and(|p| p.ends_with('.'));
    domains.iter().any(|entry| match entry.split_once('/') {
        Some((d, prefix)) => {
            host_is(d)
                && path
                    .strip_prefix('/')
                    .and_then(|p| p.strip_prefix(prefix))
                    .is_some_and(|after| after.is_empty() || after.starts_with(['/', '?', '#']))
        }
        None => host_is(entry),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markers(t: &str) -> Vec<(&str, Vec<String>)> {
        written_markers(t, 0..t.len())
            .into_iter()
            .map(|(r, l)| (&t[r], l))
            .collect()
    }

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn sup_tags_are_found_in_lower_and_upper_case() {
        for (source, holds) in [
            ("a<sup>1</sup>", true),
            ("<SUP>2</SUP> at the start", true),
            ("a <sub>2</sub>, sup, <su p>, <Sup>", false),
            ("", false),
        ] {
            assert_eq!(holds_sup_tag(source), holds, "{source:?}");
        }
    }

    #[test]
    fn written_markers_of_every_kind() {
        assert_eq!(markers("It helped [2]."), [("[2]", labels(&["2"]))]);
        assert_eq!(
            markers("It helped [1, 4]."),
            [("[1, 4]", labels(&["1", "4"]))]
        );
        assert_eq!(
            markers("It helped [1-3]."),
            [("[1-3]", labels(&["1", "2", "3"]))]
        );
        assert_eq!(markers("It helped.\u{b9}"), [("\u{b9}", labels(&["1"]))]);
        assert_eq!(
            markers("It helped\u{b2}\u{b3}."),
            [("\u{b2}\u{b3}", labels(&["23"]))]
        );
        assert_eq!(markers("It helped^4."), [("^4", labels(&["4"]))]);
        assert_eq!(
            markers("It helped\u{2074}."),
            [("\u{2074}", labels(&["4"]))]
        );
        assert_eq!(markers("It helped[^a1]."), [("[^a1]", labels(&["a1"]))]);
    }

    #[test]
    fn numbers_that_are_not_markers() {
        for t in [
            "[1] Book a consultation.",
            "Step [1]: book a visit.",
            "See phase [2] of the plan.",
            "A dose of 10\u{b2} units.",
            "A room of 20 m\u{b2}.",
            "It costs 10^6 dollars.",
            "Call (555) 010-0100 in 2019 for $40.",
            "Take 2 [mg] daily.",
        ] {
            assert!(markers(t).is_empty(), "{t}: {:?}", markers(t));
        }
    }

    #[test]
    fn labels_expand_and_leading_labels_are_read() {
        assert_eq!(expand_labels("1, 3-5"), labels(&["1", "3", "4", "5"]));
        assert_eq!(expand_labels("1-500"), labels(&["1", "500"]));
        assert_eq!(number_labels("12"), Some(labels(&["12"])));
        assert_eq!(number_labels("2019"), None);
        assert_eq!(number_labels("a1"), None);
        assert_eq!(leading_label("[3] Smith J."), Some("3".into()));
        assert_eq!(leading_label("(3) Smith J."), Some("3".into()));
        assert_eq!(leading_label("\u{b3} Smith J."), Some("3".into()));
        assert_eq!(leading_label("\u{a0}\u{2075} Smith J."), Some("5".into()));
        assert_eq!(leading_label(" ^7 Smith J."), Some("7".into()));
        assert_eq!(leading_label("12. Smith J."), Some("12".into()));
        assert_eq!(leading_label("[^smith]: Smith J."), Some("smith".into()));
        assert_eq!(leading_label("2019 was a good year."), None);
        assert_eq!(leading_label("3.5 mg per dose."), None);
    }

    #[test]
    fn list_numbers_come_from_the_source_line() {
        let src = "1. Smith J. 2019.\n  12) Jones K. 2020.\n- Lee A. 2021.\n";
        let prose = crate::extract::plain::extract(src);
        let numbers: Vec<Option<String>> = prose
            .blocks
            .iter()
            .map(|b| list_number(src, &prose, b.range.start))
            .collect();
        assert_eq!(numbers, [Some("1".into()), Some("12".into()), None]);
    }

    #[test]
    fn superscript_tags_are_recognised_in_the_source() {
        assert!(opens_superscript("trials<sup>"));
        assert!(opens_superscript(
            "trials<SUP class=\"fn\"><a href=\"#r1\"> "
        ));
        assert!(!opens_superscript("trials<b>"));
        assert!(!opens_superscript("COVID"));
        assert!(!opens_superscript("x <sup>1</sup> and "));
    }

    #[test]
    fn study_links_by_host_subdomain_and_path() {
        let domains: Vec<String> = ["doi.org", "nih.gov", "fda.gov", "example.org/pmc"]
            .map(String::from)
            .to_vec();
        for url in [
            "https://doi.org/10.1001/x",
            "https://pubmed.ncbi.nlm.nih.gov/123/",
            "HTTPS://WWW.FDA.GOV/drugs",
            "http://fda.gov.:443/x",
            "//doi.org/10.1/x",
            "doi.org/10.1/x",
            "https://example.org/pmc/articles/1",
        ] {
            assert!(is_study_link(url, &domains), "{url}");
        }
        for url in [
            "https://notfda.gov/",
            "https://fda.gov.example.com/",
            "https://ourclinic.com/nih.gov",
            "https://nih.gov@evil.example/",
            "https://example.org/pmcx",
            "https://example.org/",
            "#ref1",
            "mailto:info@nih.gov",
        ] {
            assert!(!is_study_link(url, &domains), "{url}");
        }
    }

    #[test]
    fn range_index_finds_what_a_full_scan_finds() {
        let ranges = [5..9, 0..2, 3..3, 12..40, 14..15, 9..9, 20..22, 41..41];
        let index = RangeIndex::new(ranges.iter());
        for from in 0..45 {
            for to in from..45 {
                let mut near: Vec<usize> = index.near(from, to).collect();
                near.sort_unstable();
                let expected: Vec<usize> = (0..ranges.len())
                    .filter(|&i| ranges[i].start <= to && ranges[i].end >= from)
                    .collect();
                assert_eq!(near, expected, "{from}..{to}");
            }
        }
    }
}
