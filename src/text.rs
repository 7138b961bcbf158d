//! Text helpers over prose: sentence splitting and word boundaries.
//!
//! This module owns what a "sentence" and a "word" are for the rules engine. Sentences come from
//! UAX #29 (`crate::segment`) run per block, followed by a small English post-pass that
//! re-joins boundaries UAX #29 puts after abbreviations ("Dr.", "e.g.", "U.S.") and initials
//! ("J. Smith"), and adds the one boundary it never makes (after "…" before a capital). Words are
//! runs of letters and digits; an apostrophe between two of them stays inside the word, a hyphen
//! does not.
//!
//! Sentence rules, in the order they are applied at each UAX #29 boundary:
//!
//! 1. A boundary after a line break (`\n`, `\r`, U+0085, U+2028, U+2029) is hard: never re-joined.
//!    Blocks should only contain folded spaces, but a stray line break must not glue two lines.
//! 2. Let the *token* be the last whitespace-separated word before the boundary, without opening
//!    brackets or quotes. Only a token ending in a single `.` (not `..`) whose stem is letters and
//!    dots can re-join. The stem is compared case-insensitively without the final dot.
//! 3. A *joining* abbreviation (`dr`, `e.g`, `u.s`, …) always re-joins. The price is that one
//!    ending a sentence is missed ("Made in the U.S. Our team…" stays one sentence); keeping
//!    "the U.S. Food and Drug Administration" whole matters more in health copy.
//! 4. A *sentence-final* abbreviation (`etc`, `no`, `inc`, `ltd`, `co`, `corp`) often ends a
//!    sentence ("© Acme Inc. All rights reserved.", "Say no. Then…"), so it re-joins only when the
//!    next sentence does not start with a capital letter ("etc. and", "No. 5").
//! 5. Any other abbreviation-like stem (one letter, or containing a dot such as `a.m` or `d.c`)
//!    re-joins when the next piece starts with a lowercase letter or a digit.
//! 6. An initial (one capital letter) re-joins when it looks like part of a name: it starts the
//!    sentence, or follows a capitalised word, another initial or a joining abbreviation
//!    ("J. R. R. Tolkien", "John F. Kennedy", "Dr. J. Smith"). It does not re-join after a
//!    lowercase word or after a word that names things by letter ("vitamin D. It helps",
//!    "Hepatitis C. Ask"), which is the common case in health copy.
//!
//! Units (`mg`, `ml`, `hrs`, …) are deliberately not abbreviations: "Take 5 mg. Then rest." is two
//! sentences. (UAX #29 itself keeps "5 mg. 2 hours later" together because a lowercase word
//! follows the number; the post-pass does not split what UAX #29 joined, except after "…".)
//!
//! Ellipses: "..." followed by a lowercase word continues the sentence and followed by a capital
//! ends it (that is UAX #29's own behaviour); a single "…" character is made to behave the same.

use crate::extract::Prose;
use memchr::memmem;
use rustc_hash::FxHashSet;
use std::ops::Range;
use std::sync::LazyLock;

/// A sentence: a byte range of `Prose::text` and the index of its block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub range: Range<usize>,
    pub block: usize,
}

/// Abbreviations that do not end a sentence, compared case-insensitively without their final dot.
///
/// Two kinds: *joining* ones never end a sentence; *sentence-final* ones end it only before a
/// capitalised word (see the module documentation). Entries are normalised (trimmed, lowercased,
/// one trailing `.` removed), so `"Dr."`, `"dr"` and `"DR"` are the same entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Abbreviations {
    // Fx rather than SipHash: every word before a full stop is looked up. (A page's words are
    // only looked up, never inserted, so they cannot flood a bucket.) Bytes rather than
    // strings, so that a word lowercased on the stack is looked up without a UTF-8 check.
    joining: FxHashSet<Box<[u8]>>,
    sentence_final: FxHashSet<Box<[u8]>>,
}

/// Built-in joining abbreviations (English). Dotted ones are written without the final dot.
const DEFAULT_JOINING: &[&str] = &[
    "dr", "drs", "mr", "mrs", "ms", "prof", "st", "fig", "figs", "vs", "approx", "e.g", "i.e",
    "al", "jr", "sr", "u.s", "u.k", "ph.d", "m.d", "cf", "viz", "esp", "incl", "vol", "pp", "eq",
    "dept",
];

/// Built-in abbreviations that often end a sentence as well.
const DEFAULT_SENTENCE_FINAL: &[&str] = &["etc", "no", "inc", "ltd", "co", "corp"];

/// Words that name something by a capital letter ("vitamin D", "type A"), so that a following
/// "X." is a sentence end rather than an initial.
const LETTER_NAMING: &[&str] = &[
    "vitamin",
    "vitamins",
    "hepatitis",
    "type",
    "plan",
    "group",
    "grade",
    "class",
    "stage",
    "phase",
    "level",
    "section",
    "part",
    "appendix",
    "table",
    "figure",
    "option",
    "step",
    "schedule",
    "category",
    "tier",
    "size",
    "zone",
    "exhibit",
];

fn normalise(word: &str) -> Box<[u8]> {
    let w = word.trim();
    w.strip_suffix('.')
        .unwrap_or(w)
        .to_lowercase()
        .into_bytes()
        .into_boxed_slice()
}

impl Abbreviations {
    /// Joining abbreviations from a list such as `&["dr", "e.g.", "U.S."]`; no sentence-final ones.
    pub fn new<I, S>(words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Abbreviations {
            joining: words
                .into_iter()
                .map(|w| normalise(w.as_ref()))
                .filter(|w| !w.is_empty())
                .collect(),
            sentence_final: FxHashSet::default(),
        }
    }

    /// Adds abbreviations that may also end a sentence (re-joined only before a non-capital). A
    /// word given here is removed from the joining list.
    pub fn with_sentence_final<I, S>(mut self, words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for w in words {
            let w = normalise(w.as_ref());
            if !w.is_empty() {
                self.joining.remove(&w);
                self.sentence_final.insert(w);
            }
        }
        self
    }

    /// Whether `stem` (without the final dot, any case) is a joining abbreviation.
    pub fn is_joining(&self, stem: &str) -> bool {
        contains_lowercased(&self.joining, stem)
    }

    /// Whether `stem` (without the final dot, any case) is a sentence-final abbreviation.
    pub fn is_sentence_final(&self, stem: &str) -> bool {
        contains_lowercased(&self.sentence_final, stem)
    }
}

/// Whether `set` holds `stem` lowercased. The word before every full stop is looked up, so a
/// short ASCII one (nearly all) is lowercased on the stack: ASCII lowercasing is what
/// `to_lowercase` does to ASCII text, without the allocation.
fn contains_lowercased(set: &FxHashSet<Box<[u8]>>, stem: &str) -> bool {
    const ON_STACK: usize = 32;
    if stem.is_ascii() && stem.len() <= ON_STACK {
        let mut buffer = [0u8; ON_STACK];
        let lower = &mut buffer[..stem.len()];
        lower.copy_from_slice(stem.as_bytes());
        lower.make_ascii_lowercase();
        return set.contains(&*lower);
    }
    set.contains(stem.to_lowercase().as_bytes())
}

impl Default for Abbreviations {
    fn default() -> Self {
        Abbreviations::new(DEFAULT_JOINING).with_sentence_final(DEFAULT_SENTENCE_FINAL)
    }
}

/// Splits every block of `prose` into sentences, in order, with the built-in abbreviations.
pub fn split_sentences(prose: &Prose) -> Vec<Sentence> {
    split_sentences_with(prose, &Abbreviations::default())
}

/// Splits every block of `prose` into sentences, in order. Each range lies inside its block, is
/// trimmed of whitespace and is never empty; a block without final punctuation is still a sentence.
pub fn split_sentences_with(prose: &Prose, abbreviations: &Abbreviations) -> Vec<Sentence> {
    let mut out = Vec::new();
    // One pair of buffers for every block: a page has dozens of blocks, and allocating them
    // afresh for each was a sixth of a run's allocations.
    let mut bounds = Vec::new();
    let mut ranges = Vec::new();
    for (i, block) in prose.blocks.iter().enumerate() {
        // Blocks are checked elsewhere; a bad range is skipped rather than panicking here.
        let Some(text) = prose.text.get(block.range.clone()) else {
            continue;
        };
        let base = block.range.start;
        ranges.clear();
        split_block_into(text, abbreviations, &mut bounds, &mut ranges);
        out.extend(ranges.iter().map(|r| Sentence {
            range: base + r.start..base + r.end,
            block: i,
        }));
    }
    out
}

/// Splits one block of text into sentence byte ranges (relative to `text`), in order, trimmed and
/// non-empty.
pub fn split_block(text: &str, abbreviations: &Abbreviations) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    split_block_into(text, abbreviations, &mut Vec::new(), &mut out);
    out
}

/// `split_block`, appended to `out`, with `bounds` as scratch space.
fn split_block_into(
    text: &str,
    abbreviations: &Abbreviations,
    bounds: &mut Vec<usize>,
    out: &mut Vec<Range<usize>>,
) {
    bounds.clear();
    crate::segment::sentence_breaks_into(text, bounds);
    bounds.extend(ellipsis_bounds(text));
    bounds.sort_unstable();
    bounds.dedup();

    let mut start = 0;
    for &b in bounds.iter() {
        if start < b && !should_join(&text[start..b], &text[b..], abbreviations) {
            push_trimmed(out, text, start..b);
            start = b;
        }
    }
    push_trimmed(out, text, start..text.len());
}

/// The longest sentence, in bytes. A longer run without a sentence break is not prose (a list
/// of keywords, a table flattened into one line, generated text), and the context rules look at
/// every cue of a sentence for every claim in it, so it is cut at the last space before the limit
/// (or anywhere, with no space) to keep a page linear in its length. Real sentences in health
/// copy, disclaimers included, stay far below it.
pub const MAX_SENTENCE_BYTES: usize = 2000;

fn push_trimmed(out: &mut Vec<Range<usize>>, text: &str, range: Range<usize>) {
    let piece = &text[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let end = range.start + piece.trim_end().len();
    let mut start = range.start + lead;
    while end.saturating_sub(start) > MAX_SENTENCE_BYTES {
        let mut cut = start + MAX_SENTENCE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut = text[start..cut]
            .rfind(char::is_whitespace)
            .filter(|&i| i > 0)
            .map_or(cut, |i| start + i);
        let head = text[start..cut].trim_end();
        out.push(start..start + head.len());
        start = end - text[cut..end].trim_start().len();
    }
    if start < end {
        out.push(start..end);
    }
}

fn is_para_sep(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Opening brackets and quotes, skipped at the start of a token or of the next sentence.
fn is_opening(c: char) -> bool {
    matches!(
        c,
        '(' | '['
            | '{'
            | '"'
            | '\''
            | '\u{201C}'
            | '\u{2018}'
            | '\u{201E}'
            | '\u{AB}'
            | '\u{2039}'
            | '\u{BF}'
            | '\u{A1}'
    )
}

/// Closing quotes and brackets that may follow "…" before the space.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        ')' | ']' | '}' | '"' | '\'' | '\u{201D}' | '\u{2019}' | '\u{BB}' | '\u{203A}'
    )
}

/// Boundaries UAX #29 does not make: after "…" (U+2026), optional closing quotes and at least one
/// space, before an (optionally quoted) capital letter. Positions are at the start of that word.
fn ellipsis_bounds(text: &str) -> impl Iterator<Item = usize> + '_ {
    const ELLIPSIS: &str = "\u{2026}";
    // Built once: a searcher costs more to make than most blocks take to search.
    static FINDER: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(ELLIPSIS));
    FINDER.find_iter(text.as_bytes()).filter_map(move |i| {
        let after = &text[i + ELLIPSIS.len()..];
        let rest = after.trim_start_matches(is_closing);
        let next = rest.trim_start_matches(char::is_whitespace);
        if next.len() == rest.len() {
            return None;
        }
        let first = next.trim_start_matches(is_opening).chars().next()?;
        first.is_uppercase().then_some(text.len() - next.len())
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    Upper,
    Lower,
    Digit,
    Other,
}

fn next_kind(right: &str) -> Next {
    let c = right
        .trim_start_matches(|c: char| c.is_whitespace() || is_opening(c))
        .chars()
        .next();
    match c {
        Some(c) if c.is_uppercase() => Next::Upper,
        Some(c) if c.is_lowercase() => Next::Lower,
        Some(c) if c.is_numeric() => Next::Digit,
        _ => Next::Other,
    }
}

/// The stem of an abbreviation-shaped token ("Dr." → "Dr", "(e.g." → "e.g"): letters and inner
/// dots followed by exactly one final dot. `None` for anything else ("works...", "2020).").
fn abbreviation_stem(token: &str) -> Option<&str> {
    let token = token.trim_start_matches(is_opening);
    let stem = token.strip_suffix('.')?;
    let valid = stem.chars().next().is_some_and(char::is_alphabetic)
        && !stem.ends_with('.')
        && stem.chars().all(|c| c.is_alphabetic() || c == '.');
    valid.then_some(stem)
}

fn is_initial(stem: &str) -> bool {
    let mut chars = stem.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

/// Whether the word before an initial makes it part of a name.
fn name_context(prev: Option<&str>, abbreviations: &Abbreviations) -> bool {
    let Some(prev) = prev.map(|p| p.trim_start_matches(is_opening)) else {
        return true;
    };
    if let Some(stem) = abbreviation_stem(prev) {
        return is_initial(stem) || abbreviations.is_joining(stem);
    }
    let capitalised = prev.chars().next().is_some_and(char::is_uppercase);
    let wordlike = prev
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '\'' | '\u{2019}' | '-'));
    capitalised && wordlike && !LETTER_NAMING.contains(&prev.to_lowercase().as_str())
}

/// Whether the boundary between `left` (the sentence so far) and `right` (the rest of the block)
/// should be removed.
fn should_join(left: &str, right: &str, abbreviations: &Abbreviations) -> bool {
    let trimmed = left.trim_end();
    if left[trimmed.len()..].contains(is_para_sep) {
        return false;
    }
    let mut words = trimmed
        .rsplit(char::is_whitespace)
        .filter(|w| !w.is_empty());
    let Some(token) = words.next() else {
        return false;
    };
    let Some(stem) = abbreviation_stem(token) else {
        return false;
    };
    if abbreviations.is_joining(stem) {
        return true;
    }
    let next = next_kind(right);
    if abbreviations.is_sentence_final(stem) {
        return next != Next::Upper;
    }
    let abbreviation_like = stem.contains('.') || stem.chars().nth(1).is_none();
    if abbreviation_like && matches!(next, Next::Lower | Next::Digit) {
        return true;
    }
    is_initial(stem) && name_context(words.next(), abbreviations)
}

/// Whether `c` is a word character: a letter, a digit or a combining mark (so that decomposed
/// accents stay inside their word). Apostrophes are word characters only between two word
/// characters, which needs context, so `is_word_boundary` and `words` handle them; a hyphen is
/// never a word character ("cure-all" is two words).
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() || is_combining_mark(c)
    }
}

/// The common combining-mark blocks; enough for decomposed Latin, Greek and Cyrillic accents.
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Whether `text[start..end]` stands as whole words: the character before `start` and the one
/// after `end` are not word characters, where an apostrophe between two word characters counts as
/// one ("cure" is not bounded in "procured", "cures" or "cure's", but is in "cure." and
/// "cure-all"). Returns `false` for a range that is out of bounds or not on char boundaries.
pub fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let (Some(before), Some(inner), Some(after)) =
        (text.get(..start), text.get(start..end), text.get(end..))
    else {
        return false;
    };
    let mut back = before.chars().rev();
    let left_ok = match back.next() {
        None => true,
        Some(c) if is_word_char(c) => false,
        Some(c) if is_apostrophe(c) => {
            !(back.next().is_some_and(is_word_char)
                && inner.chars().next().is_some_and(is_word_char))
        }
        Some(_) => true,
    };
    let mut fwd = after.chars();
    let right_ok = match fwd.next() {
        None => true,
        Some(c) if is_word_char(c) => false,
        Some(c) if is_apostrophe(c) => {
            !(fwd.next().is_some_and(is_word_char)
                && inner.chars().next_back().is_some_and(is_word_char))
        }
        Some(_) => true,
    };
    left_ok && right_ok
}

/// The words of `text` with their byte offsets: maximal runs of word characters, with apostrophes
/// between two word characters kept inside ("don't", "B12’s"). Hyphens and all other punctuation
/// separate words. Every word yielded satisfies `is_word_boundary`.
pub fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    Words { text, pos: 0 }
}

struct Words<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = &self.text[self.pos..];
        let (offset, _) = rest.char_indices().find(|&(_, c)| is_word_char(c))?;
        let start = self.pos + offset;
        let mut end = start;
        let mut chars = self.text[start..].chars().peekable();
        while let Some(c) = chars.next() {
            // An apostrophe stays inside only when a word character follows it.
            let inside = is_word_char(c)
                || (is_apostrophe(c) && chars.peek().is_some_and(|&n| is_word_char(n)));
            if !inside {
                break;
            }
            end += c.len_utf8();
        }
        self.pos = end;
        Some((start, &self.text[start..end]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::extract::{BlockKind, ProseBuilder};
    use proptest::prelude::*;

    #[test]
    fn abbreviation_lookups_lowercase_as_to_lowercase_does() {
        let set: FxHashSet<Box<[u8]>> = ["dr", "e.g", "u.s", "straße", "ǆ"]
            .into_iter()
            .map(|w| w.as_bytes().into())
            .collect();
        let long = "A".repeat(40);
        for stem in [
            "Dr",
            "DR",
            "dr",
            "E.G",
            "U.S",
            "us",
            "",
            "STRASSE",
            "Straße",
            "ǅ",
            "Ǆ",
            long.as_str(),
        ] {
            assert_eq!(
                contains_lowercased(&set, stem),
                set.contains(stem.to_lowercase().as_bytes()),
                "{stem}"
            );
        }
    }

    /// Sentences of one block of text, with the default abbreviations.
    fn split(text: &str) -> Vec<&str> {
        split_block(text, &Abbreviations::default())
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn abbreviation_dr_before_name_does_not_end_sentence() {
        assert_eq!(
            split("Dr. Smith said ketamine works. It is 70% effective, e.g. in trials."),
            [
                "Dr. Smith said ketamine works.",
                "It is 70% effective, e.g. in trials."
            ]
        );
    }

    #[test]
    fn abbreviation_eg_before_capital_does_not_end_sentence() {
        assert_eq!(
            split("Use a gentle cleanser, e.g. Cetaphil or CeraVe. It helps."),
            [
                "Use a gentle cleanser, e.g. Cetaphil or CeraVe.",
                "It helps."
            ]
        );
    }

    #[test]
    fn abbreviation_ie_before_capital_does_not_end_sentence() {
        assert_eq!(
            split("Our patients, i.e. Adults over 18, improved. Kids did not."),
            [
                "Our patients, i.e. Adults over 18, improved.",
                "Kids did not."
            ]
        );
    }

    #[test]
    fn abbreviation_vs_does_not_end_sentence() {
        assert_eq!(
            split("Results in 4 hrs. vs. Placebo in 9 hrs. We win."),
            ["Results in 4 hrs. vs. Placebo in 9 hrs.", "We win."]
        );
    }

    #[test]
    fn abbreviation_us_does_not_end_sentence() {
        assert_eq!(
            split("The U.S. Food and Drug Administration has not evaluated this. Ask us."),
            [
                "The U.S. Food and Drug Administration has not evaluated this.",
                "Ask us."
            ]
        );
    }

    #[test]
    fn abbreviation_case_and_brackets_are_ignored() {
        assert_eq!(
            split("Ask (DR. Jones) or PROF. Lee today. Then rest."),
            ["Ask (DR. Jones) or PROF. Lee today.", "Then rest."]
        );
    }

    #[test]
    fn design_doc_examples_split_as_verified() {
        // The rows of the comparison table in design/crates.md.
        assert_eq!(
            split("U.S. patients (approx. 80%) improved. See Fig. 2 for details."),
            [
                "U.S. patients (approx. 80%) improved.",
                "See Fig. 2 for details."
            ]
        );
        assert_eq!(
            split("Results in 4 hrs. vs. placebo. Our patients, i.e. adults, improved."),
            [
                "Results in 4 hrs. vs. placebo.",
                "Our patients, i.e. adults, improved."
            ]
        );
        assert_eq!(
            split("It is 100% safe...and effective. Prof. Jones agrees."),
            ["It is 100% safe...and effective.", "Prof. Jones agrees."]
        );
        assert_eq!(
            split("\u{201C}It changed my life.\u{201D} Jane D., patient"),
            ["\u{201C}It changed my life.\u{201D}", "Jane D., patient"]
        );
    }

    #[test]
    fn fig_before_number_does_not_end_sentence() {
        assert_eq!(
            split("See Fig. 2. It shows the effect."),
            ["See Fig. 2.", "It shows the effect."]
        );
    }

    #[test]
    fn decimal_dose_is_one_sentence() {
        assert_eq!(split("Take 2.5 mg daily."), ["Take 2.5 mg daily."]);
        assert_eq!(
            split("Take 2.5 mg daily. Results vary by patient."),
            ["Take 2.5 mg daily.", "Results vary by patient."]
        );
    }

    #[test]
    fn unit_before_capital_ends_sentence() {
        assert_eq!(
            split("Take 5 mg. Then rest for 2 hrs. Repeat."),
            ["Take 5 mg.", "Then rest for 2 hrs.", "Repeat."]
        );
    }

    #[test]
    fn percentage_with_decimal_is_one_sentence() {
        assert_eq!(
            split("In trials, 70.5% of patients improved. Results vary."),
            ["In trials, 70.5% of patients improved.", "Results vary."]
        );
    }

    #[test]
    fn ellipsis_before_lowercase_continues_sentence() {
        assert_eq!(split("It works... really."), ["It works... really."]);
        assert_eq!(
            split("It is 100% safe...and effective."),
            ["It is 100% safe...and effective."]
        );
        assert_eq!(
            split("It works\u{2026} really."),
            ["It works\u{2026} really."]
        );
    }

    #[test]
    fn ellipsis_before_capital_ends_sentence() {
        assert_eq!(split("It works... Really."), ["It works...", "Really."]);
        assert_eq!(
            split("It works\u{2026} Really. And \u{2026}\u{201D} \u{201C}Yes."),
            [
                "It works\u{2026}",
                "Really.",
                "And \u{2026}\u{201D}",
                "\u{201C}Yes."
            ]
        );
    }

    #[test]
    fn closing_quote_ends_sentence_after_it() {
        assert_eq!(
            split("\u{201C}It changed my life.\u{201D} Jane said so."),
            ["\u{201C}It changed my life.\u{201D}", "Jane said so."]
        );
    }

    #[test]
    fn question_and_exclamation_end_sentences() {
        assert_eq!(
            split("It works!Really? Yes. Tired? Try it!"),
            ["It works!", "Really?", "Yes.", "Tired?", "Try it!"]
        );
    }

    #[test]
    fn et_al_citation_does_not_end_sentence() {
        assert_eq!(
            split("(Smith et al., 2020). It is safe."),
            ["(Smith et al., 2020).", "It is safe."]
        );
        assert_eq!(
            split("Smith et al. (2020) found it safe. Ask us."),
            ["Smith et al. (2020) found it safe.", "Ask us."]
        );
    }

    #[test]
    fn etc_before_capital_ends_sentence() {
        assert_eq!(
            split("Use oils, creams, etc. Then rinse."),
            ["Use oils, creams, etc.", "Then rinse."]
        );
    }

    #[test]
    fn etc_before_lowercase_or_digit_continues_sentence() {
        assert_eq!(
            split("Oils, creams, etc. are fine. Rated No. 1. Buy."),
            ["Oils, creams, etc. are fine.", "Rated No. 1.", "Buy."]
        );
    }

    #[test]
    fn sentence_final_company_abbreviation_ends_sentence() {
        assert_eq!(
            split("\u{A9} 2024 Acme Inc. All rights reserved."),
            ["\u{A9} 2024 Acme Inc.", "All rights reserved."]
        );
    }

    #[test]
    fn initials_in_a_name_do_not_end_sentence() {
        assert_eq!(
            split("J. R. R. Tolkien wrote it. John F. Kennedy agreed. Dr. J. Smith too."),
            [
                "J. R. R. Tolkien wrote it.",
                "John F. Kennedy agreed.",
                "Dr. J. Smith too."
            ]
        );
    }

    #[test]
    fn letter_after_vitamin_ends_sentence() {
        assert_eq!(
            split("Rich in vitamin D. It helps. Vitamin C. Great."),
            ["Rich in vitamin D.", "It helps.", "Vitamin C.", "Great."]
        );
    }

    #[test]
    fn line_feed_is_a_hard_break() {
        assert_eq!(
            split("Dr.\nSmith agrees\nfully"),
            ["Dr.", "Smith agrees", "fully"]
        );
        assert_eq!(split("one\r\ntwo"), ["one", "two"]);
    }

    #[test]
    fn whitespace_only_line_has_no_sentences() {
        assert!(split("   ").is_empty());
        assert!(split(" \n \t ").is_empty());
        assert!(split("").is_empty());
    }

    #[test]
    fn block_without_final_punctuation_is_one_sentence() {
        assert_eq!(
            split("  Clinically proven results  "),
            ["Clinically proven results"]
        );
    }

    #[test]
    fn multibyte_text_splits_on_char_boundaries() {
        assert_eq!(
            split("Café crème soigne. Ça marche\u{A0}! Été."),
            ["Café crème soigne.", "Ça marche\u{A0}!", "Été."]
        );
    }

    #[test]
    fn custom_abbreviations_replace_the_default_list() {
        // A slice, as a configuration file gives it.
        let joining: &[&str] = &["Approx."];
        let abbr = Abbreviations::new(joining).with_sentence_final(["ETC"]);
        assert!(abbr.is_joining("APPROX"));
        assert!(abbr.is_sentence_final("etc"));
        assert!(!abbr.is_joining("dr"));
        let text = "Dr. Smith says approx. Half improve, etc. Truly.";
        let got: Vec<_> = split_block(text, &abbr)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            got,
            ["Dr.", "Smith says approx. Half improve, etc.", "Truly."]
        );
    }

    #[test]
    fn sentence_final_entry_moves_out_of_joining_list() {
        let abbr = Abbreviations::new(["dr", "etc"]).with_sentence_final(vec!["etc".to_owned()]);
        assert!(!abbr.is_joining("etc"));
        assert!(abbr.is_sentence_final("etc"));
    }

    #[test]
    fn prose_blocks_split_separately_with_block_indexes() {
        let src = "Our promise\n\n- No side effects\n\nDr. Smith agrees. It works!";
        let mut b = ProseBuilder::new(src);
        b.start_block(BlockKind::Heading(1));
        b.push_source(0..11);
        b.end_block();
        b.start_block(BlockKind::ListItem);
        b.push_source(15..30);
        b.end_block();
        b.start_block(BlockKind::Paragraph);
        b.push_source(32..src.len());
        b.end_block();
        let prose = b.finish();
        let got: Vec<_> = split_sentences(&prose)
            .into_iter()
            .map(|s| (&prose.text[s.range], s.block))
            .collect();
        assert_eq!(
            got,
            [
                ("Our promise", 0),
                ("No side effects", 1),
                ("Dr. Smith agrees.", 2),
                ("It works!", 2)
            ]
        );
    }

    #[test]
    fn overlong_runs_are_cut_at_spaces_below_the_limit() {
        let words = "cure ".repeat(1000);
        let pieces = split(words.trim_end());
        assert!(pieces.len() >= 3, "{}", pieces.len());
        for p in &pieces {
            assert!(p.len() <= MAX_SENTENCE_BYTES && p.starts_with("cure") && p.ends_with("cure"));
        }
        assert_eq!(
            pieces.concat().len() + pieces.len() - 1,
            words.trim_end().len()
        );
        // No space at all: cut on a character boundary.
        let run = "\u{e9}".repeat(MAX_SENTENCE_BYTES);
        let pieces = split(&run);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].len(), MAX_SENTENCE_BYTES);
        // A long but real sentence is untouched.
        let long = format!("{}.", "word ".repeat(350).trim_end());
        assert_eq!(split(&long), [long.as_str()]);
    }

    #[test]
    fn empty_prose_has_no_sentences() {
        assert!(split_sentences(&Prose::default()).is_empty());
    }

    #[test]
    fn word_inside_longer_word_is_not_bounded() {
        let t = "procured and curated";
        assert!(!is_word_boundary(t, 3, 7)); // "cure" in "procured"
        assert!(!is_word_boundary(t, 13, 17)); // "cura" in "curated"
        assert!(!is_word_boundary("curated", 0, 4));
    }

    #[test]
    fn word_before_plural_suffix_is_not_bounded() {
        assert!(!is_word_boundary("it cures", 3, 7));
    }

    #[test]
    fn word_before_punctuation_is_bounded() {
        assert!(is_word_boundary("a cure.", 2, 6));
        assert!(is_word_boundary("cure", 0, 4));
        assert!(is_word_boundary("(cure)", 1, 5));
    }

    #[test]
    fn hyphen_is_a_word_boundary() {
        assert!(is_word_boundary("a cure-all", 2, 6));
        assert!(is_word_boundary("a cure-all", 7, 10));
    }

    #[test]
    fn multibyte_neighbour_is_not_a_boundary() {
        let t = "écure";
        assert!(!is_word_boundary(t, 'é'.len_utf8(), t.len()));
        assert!(!is_word_boundary("cureé", 0, 4));
        // A decomposed accent stays with its letter.
        assert!(!is_word_boundary("cure\u{301}", 0, 4));
        assert!(is_word_boundary(
            "«cure»",
            '«'.len_utf8(),
            '«'.len_utf8() + 4
        ));
    }

    #[test]
    fn apostrophe_between_letters_is_not_a_boundary() {
        assert!(!is_word_boundary("the cure's power", 4, 8));
        assert!(!is_word_boundary("the cure\u{2019}s power", 4, 8));
        assert!(is_word_boundary("'cure'", 1, 5));
        assert!(is_word_boundary("cures' effect", 0, 5));
    }

    #[test]
    fn invalid_range_is_not_a_boundary() {
        assert!(!is_word_boundary("cure", 0, 9));
        assert!(!is_word_boundary("écure", 1, 3));
        assert!(!is_word_boundary("cure", 3, 1));
    }

    #[test]
    fn word_char_classification() {
        assert!(is_word_char('a') && is_word_char('Z') && is_word_char('7') && is_word_char('é'));
        assert!(!is_word_char('-') && !is_word_char('\'') && !is_word_char(' '));
        assert!(!is_word_char('_') && !is_word_char('\u{2019}'));
    }

    #[test]
    fn words_keep_inner_apostrophes_and_split_hyphens() {
        let got: Vec<_> = words("Don't use a cure-all; B12\u{2019}s 'best' écure.").collect();
        assert_eq!(
            got,
            [
                (0, "Don't"),
                (6, "use"),
                (10, "a"),
                (12, "cure"),
                (17, "all"),
                (22, "B12\u{2019}s"),
                (31, "best"),
                (37, "écure"),
            ]
        );
        assert_eq!(words("  -- ").count(), 0);
    }

    /// Checks the sentence invariants for one block of `text`.
    fn check_block(text: &str, abbr: &Abbreviations) -> Result<(), TestCaseError> {
        let mut last = 0;
        for r in split_block(text, abbr) {
            prop_assert!(r.start >= last, "out of order: {r:?}");
            prop_assert!(r.start < r.end, "empty: {r:?}");
            let s = text.get(r.clone());
            prop_assert!(s.is_some(), "not on char boundaries: {r:?}");
            let s = s.unwrap();
            prop_assert_eq!(s, s.trim(), "not trimmed: {:?}", r);
            last = r.end;
        }
        prop_assert!(last <= text.len());
        Ok(())
    }

    fn check_words(text: &str) -> Result<(), TestCaseError> {
        let mut last = 0;
        for (at, w) in words(text) {
            prop_assert!(at >= last && !w.is_empty());
            prop_assert_eq!(&text[at..at + w.len()], w);
            prop_assert!(is_word_boundary(text, at, at + w.len()), "{w:?} at {at}");
            last = at + w.len();
        }
        Ok(())
    }

    fn fragments() -> impl Strategy<Value = String> {
        let alphabet = prop::sample::select(vec![
            ". ",
            "Dr. ",
            "2.5 mg",
            "e.g. ",
            "word",
            "?",
            "!",
            "\u{201C}",
            "\u{201D}",
            "...",
            "\n",
            "é",
            " ",
            "Etc. ",
            "J. ",
            "\u{2026} ",
            "U.S. ",
            "It",
            "'",
            "-",
        ]);
        prop::collection::vec(alphabet, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn arbitrary_text_gives_valid_sentences(text in any::<String>()) {
            check_block(&text, &Abbreviations::default())?;
            check_words(&text)?;
        }

        #[test]
        fn fragment_text_gives_valid_sentences(text in fragments()) {
            check_block(&text, &Abbreviations::default())?;
            check_block(&text, &Abbreviations::new(Vec::<String>::new()))?;
            check_words(&text)?;
        }

        #[test]
        fn prose_sentences_stay_inside_their_blocks(parts in prop::collection::vec(fragments(), 0..6)) {
            let src = parts.join("\n\n");
            let mut b = ProseBuilder::new(&src);
            let mut at = 0;
            for p in &parts {
                b.start_block(BlockKind::Paragraph);
                b.push_source(at..at + p.len());
                b.end_block();
                at += p.len() + 2;
            }
            let prose = b.finish();
            let mut last = 0;
            for s in split_sentences(&prose) {
                let block = &prose.blocks[s.block];
                prop_assert!(s.range.start >= last && s.range.start < s.range.end);
                prop_assert!(block.range.start <= s.range.start && s.range.end <= block.range.end);
                let text = &prose.text[s.range.clone()];
                prop_assert_eq!(text, text.trim());
                last = s.range.end;
            }
            // The page's split, which reuses its buffers from block to block, is each block's
            // own split.
            let expected: Vec<(Range<usize>, usize)> = prose
                .blocks
                .iter()
                .enumerate()
                .flat_map(|(i, block)| {
                    let base = block.range.start;
                    split_block(&prose.text[block.range.clone()], &Abbreviations::default())
                        .into_iter()
                        .map(move |r| (base + r.start..base + r.end, i))
                })
                .collect();
            let got: Vec<_> = split_sentences(&prose).into_iter().map(|s| (s.range, s.block)).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
