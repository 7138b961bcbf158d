//! UAX #29 sentence boundaries in one pass. `unicode-segmentation` implements rule SB8 by
//! scanning ahead from every position after a full stop, which is quadratic on a full stop
//! followed by a long run of brackets, spaces or digits (a minute for 100,000 `]`); here that
//! look-ahead is one backward pass, so a block costs time linear in its length.
//!
//! Character classes come from `char`'s Unicode properties (lowercase, uppercase, alphabetic,
//! numeric, whitespace) plus short lists for terminators, closing punctuation, continuation
//! punctuation, format characters and combining marks. They match the Unicode tables for
//! everything health copy holds (the tests compare with `unicode-segmentation` on a mix of Latin,
//! CJK, combining marks, quotes and brackets); rare scripts' own terminators may differ.

use crate::swar;

/// A character's Sentence_Break class (UAX #29 table 4), as far as the rules need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Cr,
    Lf,
    Sep,
    Extend,
    Format,
    Sp,
    Lower,
    Upper,
    OLetter,
    Numeric,
    ATerm,
    STerm,
    Close,
    SContinue,
    Other,
}

impl Class {
    fn is_para_sep(self) -> bool {
        matches!(self, Class::Cr | Class::Lf | Class::Sep)
    }

    fn is_sa_term(self) -> bool {
        matches!(self, Class::ATerm | Class::STerm)
    }
}

fn class(c: char) -> Class {
    match u8::try_from(c) {
        Ok(b) if b.is_ascii() => ASCII_CLASSES[usize::from(b)],
        _ => class_of_any(c),
    }
}

/// `class_of_any` for each ASCII character, in a table: `class` runs for every character of a
/// sentence's end and of each look-ahead, and the long match below was 2% of a run.
static ASCII_CLASSES: [Class; 128] = {
    let mut table = [Class::Other; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'\r' => Class::Cr,
            b'\n' => Class::Lf,
            b'.' => Class::ATerm,
            b'!' | b'?' => Class::STerm,
            b',' | b'-' | b':' | b';' => Class::SContinue,
            b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Class::Close,
            b' ' | b'\t' | 0x0B | 0x0C => Class::Sp,
            b'a'..=b'z' => Class::Lower,
            b'A'..=b'Z' => Class::Upper,
            b'0'..=b'9' => Class::Numeric,
            _ => Class::Other,
        };
        b += 1;
    }
    table
};

/// The class of any character, from the lists and `char`'s Unicode properties.
fn class_of_any(c: char) -> Class {
    match c {
        '\r' => Class::Cr,
        '\n' => Class::Lf,
        '\u{85}' | '\u{2028}' | '\u{2029}' => Class::Sep,
        '.' | '\u{2024}' | '\u{FE52}' | '\u{FF0E}' => Class::ATerm,
        '!'
        | '?'
        | '\u{589}'
        | '\u{61D}'..='\u{61F}'
        | '\u{6D4}'
        | '\u{700}'..='\u{702}'
        | '\u{7F9}'
        | '\u{964}'
        | '\u{965}'
        | '\u{104A}'
        | '\u{104B}'
        | '\u{1362}'
        | '\u{1367}'
        | '\u{1368}'
        | '\u{166E}'
        | '\u{1803}'
        | '\u{1809}'
        | '\u{1944}'
        | '\u{1945}'
        | '\u{203C}'
        | '\u{203D}'
        | '\u{2047}'..='\u{2049}'
        | '\u{2E2E}'
        | '\u{2E3C}'
        | '\u{3002}'
        | '\u{A4FF}'
        | '\u{A60E}'
        | '\u{A60F}'
        | '\u{A6F3}'
        | '\u{A6F7}'
        | '\u{FE56}'
        | '\u{FE57}'
        | '\u{FF01}'
        | '\u{FF1F}'
        | '\u{FF61}' => Class::STerm,
        ',' | '-' | ':' | ';' | '\u{55D}' | '\u{60C}' | '\u{60D}' | '\u{7F8}' | '\u{1802}'
        | '\u{1808}' | '\u{2013}' | '\u{2014}' | '\u{3001}' | '\u{FE10}' | '\u{FE11}'
        | '\u{FE13}' | '\u{FE31}' | '\u{FE32}' | '\u{FE50}' | '\u{FE51}' | '\u{FE55}'
        | '\u{FE58}' | '\u{FE63}' | '\u{FF0C}' | '\u{FF0D}' | '\u{FF1A}' | '\u{FF1B}'
        | '\u{FF64}' => Class::SContinue,
        '"'
        | '\''
        | '('
        | ')'
        | '['
        | ']'
        | '{'
        | '}'
        | '\u{AB}'
        | '\u{BB}'
        | '\u{F3A}'..='\u{F3D}'
        | '\u{169B}'
        | '\u{169C}'
        | '\u{2018}'..='\u{201F}'
        | '\u{2039}'
        | '\u{203A}'
        | '\u{2045}'
        | '\u{2046}'
        | '\u{207D}'
        | '\u{207E}'
        | '\u{208D}'
        | '\u{208E}'
        | '\u{2308}'..='\u{230B}'
        | '\u{2329}'
        | '\u{232A}'
        | '\u{275B}'..='\u{2760}'
        | '\u{2768}'..='\u{2775}'
        | '\u{27C5}'
        | '\u{27C6}'
        | '\u{27E6}'..='\u{27EF}'
        | '\u{2983}'..='\u{2998}'
        | '\u{29D8}'..='\u{29DB}'
        | '\u{29FC}'
        | '\u{29FD}'
        | '\u{2E00}'..='\u{2E0D}'
        | '\u{2E1C}'
        | '\u{2E1D}'
        | '\u{2E20}'..='\u{2E29}'
        | '\u{3008}'..='\u{3011}'
        | '\u{3014}'..='\u{301B}'
        | '\u{301D}'..='\u{301F}'
        | '\u{FD3E}'
        | '\u{FD3F}'
        | '\u{FE17}'
        | '\u{FE18}'
        | '\u{FE35}'..='\u{FE44}'
        | '\u{FE47}'
        | '\u{FE48}'
        | '\u{FE59}'..='\u{FE5E}'
        | '\u{FF08}'
        | '\u{FF09}'
        | '\u{FF3B}'
        | '\u{FF3D}'
        | '\u{FF5B}'
        | '\u{FF5D}'
        | '\u{FF5F}'
        | '\u{FF60}'
        | '\u{FF62}'
        | '\u{FF63}' => Class::Close,
        '\u{AD}'
        | '\u{600}'..='\u{605}'
        | '\u{61C}'
        | '\u{6DD}'
        | '\u{70F}'
        | '\u{200B}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' => Class::Format,
        '\u{300}'..='\u{36F}'
        | '\u{483}'..='\u{489}'
        | '\u{591}'..='\u{5BD}'
        | '\u{610}'..='\u{61A}'
        | '\u{64B}'..='\u{65F}'
        | '\u{900}'..='\u{903}'
        | '\u{93A}'..='\u{94F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}'
        | '\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{302A}'..='\u{302F}'
        | '\u{3099}'
        | '\u{309A}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{E0100}'..='\u{E01EF}' => Class::Extend,
        c if c.is_whitespace() => Class::Sp,
        c if c.is_lowercase() => Class::Lower,
        c if c.is_uppercase() => Class::Upper,
        c if c.is_alphabetic() => Class::OLetter,
        c if c.is_numeric() => Class::Numeric,
        _ => Class::Other,
    }
}

/// Where a `SATerm Close* Sp* ParaSep?` run, ending at the current position, has got to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Close,
    Sp,
    ParaSep,
}

/// The byte offsets at which UAX #29 starts a new sentence in `text`, in order, excluding 0
/// and `text.len()`.
pub fn sentence_breaks(text: &str) -> Vec<usize> {
    let mut breaks = Vec::new();
    sentence_breaks_into(text, &mut breaks);
    breaks
}

/// `sentence_breaks`, appended to `breaks` (a caller splitting many blocks reuses one vector).
pub fn sentence_breaks_into(text: &str, breaks: &mut Vec<usize>) {
    let bytes = text.as_bytes();
    // The classes of the last two units (a unit is a character with the Extend and Format
    // characters after it, SB5), and the terminator run ending at the last one.
    let mut prev: Option<Class> = None;
    let mut prev2: Option<Class> = None;
    let mut run: Option<(Class, Phase)> = None;
    let mut ahead = LowerAhead::default();
    let mut at = 0;
    while at < bytes.len() {
        // Outside a terminator run and not after a separator, no sentence starts before the
        // next terminator, separator or non-ASCII character: skip plain ASCII (most of any
        // text) eight bytes at a time, without classifying it.
        if run.is_none() && !prev.is_some_and(Class::is_para_sep) {
            let skip = plain_ascii_run_end(bytes, at) - at;
            if skip > 0 {
                let end = at + skip;
                prev2 = if skip >= 2 {
                    Some(ascii_class(bytes[end - 2]))
                } else {
                    prev
                };
                prev = Some(ascii_class(bytes[end - 1]));
                at = end;
                continue;
            }
        }
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        let cur = class(c);
        // Extend or Format at the start or after a paragraph separator stands alone.
        let attaches =
            matches!(cur, Class::Extend | Class::Format) && prev.is_some_and(|p| !p.is_para_sep());
        if !attaches {
            if let Some(p) = prev
                && is_break(p, prev2, cur, run, || ahead.lower_at(text, at))
            {
                breaks.push(at);
            }
            run = advance(run, cur);
            prev2 = prev;
            prev = Some(cur);
        }
        at += c.len_utf8();
    }
}

/// Where the run of `is_plain_ascii` bytes from `at` ends, eight bytes at a time where it can
/// (a sentence is mostly such bytes).
fn plain_ascii_run_end(bytes: &[u8], mut at: usize) -> usize {
    while at + 8 <= bytes.len() {
        let word = swar::load(bytes, at);
        let stop = (word & swar::HIGH) | swar::equal_any(word, [b'.', b'!', b'?', b'\r', b'\n']);
        if let Some(k) = swar::first_marked(stop) {
            return at + k;
        }
        at += 8;
    }
    while at < bytes.len() && is_plain_ascii(bytes[at]) {
        at += 1;
    }
    at
}

/// An ASCII byte that is neither a terminator nor a paragraph separator.
fn is_plain_ascii(b: u8) -> bool {
    b.is_ascii() && !matches!(b, b'.' | b'!' | b'?' | b'\r' | b'\n')
}

/// The class of an ASCII byte (what `class` gives for it).
fn ascii_class(b: u8) -> Class {
    class(char::from(b))
}

/// For SB8: whether the first character at or after a position that is a letter, a paragraph
/// separator or a terminator is a lowercase letter. The answer found by one scan holds for every
/// position up to the character that decided it, so asking at increasing positions costs time
/// linear in the text, however long a run of brackets, spaces or digits follows a full stop.
#[derive(Default)]
struct LowerAhead {
    /// The offset of the deciding character of the last scan (the text's length if none).
    until: Option<usize>,
    lower: bool,
}

impl LowerAhead {
    fn lower_at(&mut self, text: &str, at: usize) -> bool {
        if self.until.is_none_or(|until| at > until) {
            let decided = text[at..].char_indices().find_map(|(i, c)| match class(c) {
                Class::Lower => Some((at + i, true)),
                Class::OLetter | Class::Upper | Class::Cr | Class::Lf | Class::Sep => {
                    Some((at + i, false))
                }
                c if c.is_sa_term() => Some((at + i, false)),
                _ => None,
            });
            let (until, lower) = decided.unwrap_or((text.len(), false));
            self.until = Some(until);
            self.lower = lower;
        }
        self.lower
    }
}

/// The terminator run after a unit of class `cur`, given the run before it.
fn advance(run: Option<(Class, Phase)>, cur: Class) -> Option<(Class, Phase)> {
    match (run, cur) {
        (_, c) if c.is_sa_term() => Some((c, Phase::Close)),
        (Some((t, Phase::Close)), Class::Close) => Some((t, Phase::Close)),
        (Some((t, Phase::Close | Phase::Sp)), Class::Sp) => Some((t, Phase::Sp)),
        (Some((t, Phase::Close | Phase::Sp)), c) if c.is_para_sep() => Some((t, Phase::ParaSep)),
        _ => None,
    }
}

/// Whether a sentence starts at a unit of class `cur` (SB3 to SB11, in order), after units of
/// classes `prev2` and `prev`. `run` is the terminator run ending at the previous unit;
/// `lower_ahead` answers SB8's look-ahead from this unit, asked only when that rule applies.
fn is_break(
    prev: Class,
    prev2: Option<Class>,
    cur: Class,
    run: Option<(Class, Phase)>,
    lower_ahead: impl FnOnce() -> bool,
) -> bool {
    // SB3, SB4.
    if prev == Class::Cr && cur == Class::Lf {
        return false;
    }
    if prev.is_para_sep() {
        return true;
    }
    // SB6, SB7.
    if prev == Class::ATerm && cur == Class::Numeric {
        return false;
    }
    if prev == Class::ATerm
        && cur == Class::Upper
        && matches!(prev2, Some(Class::Upper | Class::Lower))
    {
        return false;
    }
    let Some((term, phase)) = run else {
        return false;
    };
    let open = matches!(phase, Phase::Close | Phase::Sp);
    // SB8, SB8a, SB9, SB10.
    if term == Class::ATerm && open && lower_ahead() {
        return false;
    }
    if open && (cur == Class::SContinue || cur.is_sa_term()) {
        return false;
    }
    if phase == Phase::Close && (cur == Class::Close || cur == Class::Sp || cur.is_para_sep()) {
        return false;
    }
    if open && (cur == Class::Sp || cur.is_para_sep()) {
        return false;
    }
    // SB11.
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_table_gives_what_the_full_match_gives() {
        for b in 0u8..128 {
            assert_eq!(
                ASCII_CLASSES[usize::from(b)],
                class_of_any(char::from(b)),
                "{b:#x}"
            );
        }
    }
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    fn reference(text: &str) -> Vec<usize> {
        text.split_sentence_bound_indices()
            .map(|(i, s)| i + s.len())
            .filter(|&b| b < text.len())
            .collect()
    }

    #[test]
    fn splits_like_uax29_on_examples() {
        for text in [
            "Hello world. This is it.",
            "e.g. the U.S. Army. Dr. Smith",
            "It works 3.5 times.\nNew line",
            "\"Stop!\" he said. (Really.) Yes.",
            "Wait... what? No\u{2026} Yes",
            "abc.\u{301} Def",
            "\u{301}. A",
            "done.)  \r\n  next",
            "Is it? (yes) ok. 5 mg. 2 hours",
            "\u{4E2D}\u{6587}\u{3002}\u{4E2D}\u{6587}",
        ] {
            assert_eq!(sentence_breaks(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn a_full_stop_before_many_brackets_is_linear() {
        // unicode-segmentation needs about a minute for this; one pass is instant. The check is
        // on the result: one break, before the final word.
        let text = format!("Go.{} Next", "]".repeat(200_000));
        assert_eq!(sentence_breaks(&text), [text.len() - 4]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn matches_unicode_segmentation(pieces in proptest::collection::vec(
            prop::sample::select(vec![
                "a", "b", "B", "Dr", "3", ".", ".", "!", "?", " ", " ", "\n", "\r", "\t", ")",
                "(", "\"", "'", ",", ";", "-", ":", "\u{2026}", "\u{e9}", "\u{c9}", "\u{201c}",
                "\u{201d}", "\u{2019}", "\u{301}", "\u{ad}", "\u{2029}", "\u{3002}", "\u{df}",
                "\u{4e2d}", "\u{a0}", "\u{2014}", "%", "$", "\u{ff01}", "\u{200d}",
            ]),
            0..40,
        )) {
            let text: String = pieces.concat();
            prop_assert_eq!(sentence_breaks(&text), reference(&text), "{:?}", text);
        }
    }
}
