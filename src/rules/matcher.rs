//! The matcher: all phrases of all enabled rules in one Aho-Corasick automaton, all regexes behind
//! one `RegexSet` prefilter, and a second automaton for the context cue lists (hedges, negators,
//! lexicon terms). Matching runs on a normalised copy of the prose (`Normalized`) in which curly
//! apostrophes, dashes and runs of spaces are folded, so phrase variants need no regex; a sparse
//! offset map takes every match back to prose offsets.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::{PatternSources, Rule};

/// Size limit for one compiled regex; a larger one is a ruleset error, not a slow run.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A named list of terms (a lexicon list such as `@hedges`, or one ad-hoc term).
#[derive(Clone, Debug)]
pub struct TermList {
    pub name: String,
    pub terms: Vec<String>,
}

/// A rule pattern that matched, in normalised-text offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub rule: usize,
    pub pattern: usize,
    pub range: Range<usize>,
}

/// A term of a term list found in the text, in normalised-text offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CueHit {
    pub list: usize,
    pub range: Range<usize>,
}

#[derive(Debug)]
pub(crate) struct Matcher {
    phrases: Option<AhoCorasick>,
    /// Pattern id of the phrase automaton -> (rule, pattern).
    phrase_ids: Vec<(usize, usize)>,
    phrase_texts: Vec<String>,
    regexes: Vec<(usize, usize, Regex)>,
    regex_set: Option<RegexSet>,
    cues: Option<AhoCorasick>,
    /// Pattern id of the cue automaton -> term list.
    cue_ids: Vec<usize>,
}

/// Compiles a rule regex the way the matcher runs it: case-insensitive, ASCII (Unicode off, which
/// keeps `\b` and classes fast), over bytes, with a size limit.
pub fn build_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

fn build_automaton(patterns: &[String]) -> Result<Option<AhoCorasick>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .ascii_case_insensitive(true)
        // The DFA is several times faster than the default NFA for a few hundred patterns and
        // costs little memory at this size.
        .kind(Some(AhoCorasickKind::DFA))
        .build(patterns)
        .or_else(|_| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .build(patterns)
        })
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The spellings a phrase matches: normalised, plus spaced and joined forms of hyphenated words.
pub fn phrase_variants(phrase: &str) -> Vec<String> {
    let base = normalize(&phrase.to_lowercase()).text.trim().to_owned();
    let mut out = vec![base.clone()];
    if base.contains('-') {
        out.push(base.replace('-', " "));
        out.push(base.replace('-', ""));
    }
    out.retain(|v| !v.is_empty());
    out.dedup();
    out
}

impl Matcher {
    pub(crate) fn new(
        rules: &[Rule],
        sources: &PatternSources,
        lists: &[TermList],
    ) -> Result<Matcher, String> {
        let mut phrase_texts = Vec::new();
        let mut phrase_ids = Vec::new();
        for p in sources.phrases.iter().filter(|p| rules[p.rule].enabled) {
            for v in phrase_variants(&p.phrase) {
                phrase_texts.push(v);
                phrase_ids.push((p.rule, p.pattern));
            }
        }
        let mut regexes = Vec::new();
        for r in sources.regexes.iter().filter(|r| rules[r.rule].enabled) {
            regexes.push((r.rule, r.pattern, build_regex(&r.regex)?));
        }
        let regex_set = if regexes.is_empty() {
            None
        } else {
            Some(
                RegexSetBuilder::new(regexes.iter().map(|(_, _, r)| r.as_str()))
                    .case_insensitive(true)
                    .unicode(false)
                    .size_limit(REGEX_SIZE_LIMIT * 16)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
        };
        let mut cue_texts = Vec::new();
        let mut cue_ids = Vec::new();
        for (i, list) in lists.iter().enumerate() {
            for term in &list.terms {
                for v in phrase_variants(term) {
                    cue_texts.push(v);
                    cue_ids.push(i);
                }
            }
        }
        Ok(Matcher {
            phrases: build_automaton(&phrase_texts)?,
            phrase_ids,
            phrase_texts,
            regexes,
            regex_set,
            cues: build_automaton(&cue_texts)?,
            cue_ids,
        })
    }

    /// Every phrase spelling of the enabled rules, sorted and deduplicated.
    pub(crate) fn phrase_list(&self) -> Vec<String> {
        let mut v = self.phrase_texts.clone();
        v.sort();
        v.dedup();
        v
    }

    /// All word-bounded rule hits in a normalised text, ordered by start.
    pub(crate) fn find(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        if let Some(ac) = &self.phrases {
            for m in ac.find_overlapping_iter(text) {
                if is_bounded(text, m.start(), m.end()) {
                    let (rule, pattern) = self.phrase_ids[m.pattern().as_usize()];
                    hits.push(Hit {
                        rule,
                        pattern,
                        range: m.start()..m.end(),
                    });
                }
            }
        }
        if let Some(set) = &self.regex_set {
            for i in set.matches(text.as_bytes()).iter() {
                let (rule, pattern, re) = &self.regexes[i];
                for m in re.find_iter(text.as_bytes()) {
                    if !(text.is_char_boundary(m.start()) && text.is_char_boundary(m.end())) {
                        continue;
                    }
                    let range = trim_context(text, m.start()..m.end());
                    if range.start < range.end {
                        hits.push(Hit {
                            rule: *rule,
                            pattern: *pattern,
                            range,
                        });
                    }
                }
            }
        }
        hits.sort_by_key(|h| {
            (
                h.range.start,
                std::cmp::Reverse(h.range.end),
                h.rule,
                h.pattern,
            )
        });
        hits
    }

    /// All word-bounded cue hits inside `range` of a normalised text, ordered by start.
    pub(crate) fn cues(&self, text: &str, range: Range<usize>) -> Vec<CueHit> {
        let Some(ac) = &self.cues else {
            return Vec::new();
        };
        let Some(slice) = text.get(range.clone()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in ac.find_overlapping_iter(slice) {
            let (s, e) = (range.start + m.start(), range.start + m.end());
            if is_bounded(text, s, e) {
                out.push(CueHit {
                    list: self.cue_ids[m.pattern().as_usize()],
                    range: s..e,
                });
            }
        }
        out.sort_by_key(|c| (c.range.start, c.range.end, c.list));
        out
    }
}

/// Narrows a regex match to the claim's words. Patterns that must check the character before a
/// number (`(?:^|[^0-9.])[0-9]+`) consume it; a finding should not start with that space or
/// bracket, nor end with spaces.
fn trim_context(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let opening = |c: char| {
        c.is_whitespace() || matches!(c, '(' | '[' | '"' | '\'' | '\u{201c}' | '\u{2018}')
    };
    let start = range.start + (slice.len() - slice.trim_start_matches(opening).len());
    let end = range.end - (slice.len() - slice.trim_end().len());
    start..end.max(start)
}

/// True when a match does not start or end inside a word ("cure" in "procured" is not a match).
/// An edge of the match that is itself not a word character ("100%") needs no boundary.
pub fn is_bounded(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_alphanumeric();
    let first = text[start..].chars().next();
    let last = text[..end].chars().next_back();
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let left_ok = !first.is_some_and(word) || !before.is_some_and(word);
    let right_ok = !last.is_some_and(word) || !after.is_some_and(word);
    left_ok && right_ok
}

/// Prose text with typographic variants folded, and the map back to prose offsets.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    pub text: String,
    /// Breakpoints `(normalised offset, prose offset)`; between breakpoints offsets advance together.
    points: Vec<(usize, usize)>,
}

impl Normalized {
    /// Prose offset of a normalised offset.
    pub fn to_prose(&self, offset: usize) -> usize {
        let i = self.points.partition_point(|&(n, _)| n <= offset);
        match i.checked_sub(1) {
            Some(i) => self.points[i].1 + (offset - self.points[i].0),
            None => offset,
        }
    }

    /// Normalised offset of a prose offset (an offset inside a folded run maps to the run's end).
    pub fn from_prose(&self, offset: usize) -> usize {
        let i = self.points.partition_point(|&(_, p)| p <= offset);
        match i.checked_sub(1) {
            Some(i) => {
                let (n, p) = self.points[i];
                let next = self.points.get(i + 1).map_or(usize::MAX, |&(n2, _)| n2);
                (n + (offset - p)).min(next)
            }
            None => offset,
        }
    }
}

/// Folds curly quotes to straight ones, dashes to `-`, and runs of spaces, tabs and no-break
/// spaces to one space. Line feeds (block separators) are kept, so nothing matches across blocks.
pub fn normalize(prose: &str) -> Normalized {
    let mut text = String::with_capacity(prose.len());
    let mut points = Vec::new();
    let mut iter = prose.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let replacement = match c {
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '\u{2032}' => Some('\''),
            '\u{201c}' | '\u{201d}' => Some('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => Some('-'),
            ' ' | '\t' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\u{2007}' => {
                // A run of spaces becomes one space.
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = iter.peek() {
                    if matches!(
                        d,
                        ' ' | '\t' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\u{2007}'
                    ) {
                        end = j + d.len_utf8();
                        iter.next();
                    } else {
                        break;
                    }
                }
                if end - i != 1 {
                    points.push((text.len(), i));
                    text.push(' ');
                    points.push((text.len(), end));
                } else {
                    text.push(' ');
                }
                continue;
            }
            _ => None,
        };
        match replacement {
            Some(r) if r.len_utf8() != c.len_utf8() => {
                points.push((text.len(), i));
                text.push(r);
                points.push((text.len(), i + c.len_utf8()));
            }
            Some(r) => text.push(r),
            None => text.push(c),
        }
    }
    Normalized { text, points }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_matches_drop_the_context_character_they_consumed() {
        let t = "say 4 out of 5 (9 in 10) ";
        assert_eq!(&t[trim_context(t, 3..14)], "4 out of 5");
        assert_eq!(&t[trim_context(t, 14..20)], "9 in");
        assert_eq!(&t[trim_context(t, 20..25)], "10)");
        assert_eq!(trim_context(t, 24..25), 25..25);
    }

    #[test]
    fn curly_apostrophes_and_dashes_fold_with_offsets() {
        let prose = "it\u{2019}s risk\u{2013}free";
        let n = normalize(prose);
        assert_eq!(n.text, "it's risk-free");
        let at = n.text.find("risk-free").unwrap();
        assert_eq!(
            &prose[n.to_prose(at)..n.to_prose(n.text.len())],
            "risk\u{2013}free"
        );
        assert_eq!(n.from_prose(prose.find("risk").unwrap()), at);
    }

    #[test]
    fn space_runs_fold_to_one() {
        let prose = "no  \t side effects";
        let n = normalize(prose);
        assert_eq!(n.text, "no side effects");
        assert_eq!(n.to_prose(n.text.len()), prose.len());
        assert_eq!(n.to_prose(3), prose.find("side").unwrap());
    }

    #[test]
    fn line_feeds_are_kept() {
        assert_eq!(normalize("a\n\nb").text, "a\n\nb");
    }

    #[test]
    fn hyphenated_phrases_get_spaced_and_joined_variants() {
        assert_eq!(
            phrase_variants("Non-Addictive"),
            ["non-addictive", "non addictive", "nonaddictive"]
        );
        assert_eq!(phrase_variants("no side effects"), ["no side effects"]);
    }

    #[test]
    fn boundaries_reject_word_fragments() {
        let t = "procured curated cures cure-all";
        assert!(!is_bounded(t, 3, 7)); // "cure" in procured
        assert!(!is_bounded(t, 9, 13)); // "cura" in curated
        assert!(is_bounded(t, 23, 27)); // "cure" before a hyphen
        assert!(is_bounded("100%safe", 0, 4)); // ends on a non-word character
        assert!(!is_bounded("écure", 2, 6));
    }

    #[test]
    fn bad_regex_is_an_error_and_huge_regex_hits_the_limit() {
        assert!(build_regex("(unclosed").is_err());
        let huge = format!(
            "({})",
            (0..20000)
                .map(|i| format!("w{i}x"))
                .collect::<Vec<_>>()
                .join("|")
        );
        let e = build_regex(&format!("{huge}{{100}}")).unwrap_err();
        assert!(e.contains("size limit") || e.contains("exceeds"), "{e}");
    }
}
