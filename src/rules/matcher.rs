//! The matcher: all phrases of all enabled rules, the required prefix literals and need words of
//! all rule regexes and the terms of the context cue lists (hedges, negators, lexicon terms)
//! found in one pass over each page (`Matcher::scan`, with the look-ups of `literals.rs`). A
//! regex runs only where one of its prefix literals (its `Gate`, see `gate.rs`) was found and
//! one of its need words lies within reach, anchored there and within the bound its caller
//! gives (`Matcher::hits`); the few regexes without a finite
//! prefix set run as an ordinary search over the text. Matching runs on a normalised copy of the prose
//! (`Normalized`) in which curly apostrophes, dashes and runs of spaces are folded, so phrase
//! variants need no regex; a sparse offset map takes every match back to prose offsets.

use rustc_hash::FxHashMap;
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use rayon::prelude::*;
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, hybrid, meta};
use regex_syntax::hir::Hir;

use super::builtin::{GATES, READING_BYTES, READINGS};
use super::gate::{self, Gate, Lead, Prefix, gate};
use super::literals::{Literal, Literals};
use super::regex_reading::{self, matcher_hir, rule_parser};
use super::{PatternSources, Rule, Ruleset};
use crate::swar;

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

/// A term of a term list found in the text, in normalised-text offsets. Twelve bytes rather
/// than twenty-four: a page of marketing copy has a cue every few words, and a big page's cues
/// were the largest part of its working set. (Offsets past 4 GiB are not recorded: see
/// `Matcher::scan`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CueHit {
    list: u32,
    start: u32,
    end: u32,
}

impl CueHit {
    /// `None` when an offset or the list index does not fit in 32 bits.
    pub fn new(list: usize, range: Range<usize>) -> Option<CueHit> {
        Some(CueHit {
            list: u32::try_from(list).ok()?,
            start: u32::try_from(range.start).ok()?,
            end: u32::try_from(range.end).ok()?,
        })
    }

    /// The term list the term belongs to (an index into the ruleset's lists).
    pub fn list(&self) -> usize {
        self.list as usize
    }

    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One rule regex and how it is woken.
#[derive(Debug)]
struct RuleRegex {
    rule: usize,
    pattern: usize,
    source: String,
    /// Compiled on first use: a short check wakes only a few regexes, and start-up should not pay
    /// for all of them. `None` only if compilation fails, which ruleset loading already rules out.
    /// An ungated regex searches the whole text with this; a gated one only falls back to it.
    compiled: OnceLock<Option<meta::Regex>>,
    /// An ungated regex without a prefilter, for the first texts of a run (see `searcher`).
    unfiltered: OnceLock<Option<meta::Regex>>,
    /// A gated regex's anchored matcher, compiled on first use like `compiled`.
    anchored: OnceLock<Option<AnchoredRegex>>,
    /// A match may start one byte before its prefix literal (see `gate::Lead`).
    lead: Lead,
    /// Run only anchored at its prefix literals. Such a regex gets no prefilter: a prefilter only
    /// speeds up unanchored searches, and building one (inner literals for a reverse search)
    /// was most of the cost of compiling the rule regexes.
    gated: bool,
    /// Whether the regex has need words (`gate::need_words`): it is run only where one of them
    /// lies within reach of the wake-up.
    has_needs: bool,
}

impl RuleRegex {
    /// Whether a gated regex may match on a page that woke it at `starts` and holds its need
    /// words at `needs`: not without a wake-up, nor without a need word when it has them.
    fn may_run(&self, starts: &[usize], needs: &[Range<usize>]) -> bool {
        !(starts.is_empty() || self.has_needs && needs.is_empty())
    }

    fn regex(&self) -> Option<&meta::Regex> {
        self.compiled
            .get_or_init(|| build_meta_regex(&self.source, !self.gated).ok())
            .as_ref()
    }

    fn anchored(&self) -> Option<&AnchoredRegex> {
        self.anchored
            .get_or_init(|| AnchoredRegex::new(&self.source).ok())
            .as_ref()
    }

    /// What an ungated regex searches a text with, once the run has scanned `scanned` bytes: its
    /// prefiltered compile, or, early in a run, one without a prefilter. The prefilter (inner
    /// literals for a reverse search) makes a search over many pages about 5% faster, but
    /// building it was an eighth of a one-paragraph check.
    fn searcher(&self, scanned: usize) -> Option<&meta::Regex> {
        self.searcher_cell(scanned)
            .get_or_init(|| build_meta_regex(&self.source, self.prefiltered(scanned)).ok())
            .as_ref()
    }

    /// Where `searcher` keeps the compile it uses (so whether it is compiled yet).
    fn searcher_cell(&self, scanned: usize) -> &OnceLock<Option<meta::Regex>> {
        if self.prefiltered(scanned) {
            &self.compiled
        } else {
            &self.unfiltered
        }
    }

    /// Whether `searcher` uses the prefiltered compile: once the run has scanned enough, or
    /// once it exists. (A gated regex's `regex` fallback never has one.)
    fn prefiltered(&self, scanned: usize) -> bool {
        !self.gated && (scanned >= PREFILTER_AFTER_BYTES || self.compiled.get().is_some())
    }
}

/// Bytes a run scans before its ungated regexes get a prefilter (see `RuleRegex::searcher`).
const PREFILTER_AFTER_BYTES: usize = 256 * 1024;

/// The caches of one lazy DFA, one per thread at a time.
type CachePool = Pool<hybrid::dfa::Cache, Box<dyn Fn() -> hybrid::dfa::Cache + Send + Sync>>;

/// A gated regex's matcher for anchored searches, which need only the end of a match: a forward
/// lazy DFA over a capture-free NFA. A `meta::Regex` also builds a reverse automaton, a one-pass
/// DFA and a backtracker for searches these never make: that was most of the cost of compiling
/// a regex on first use, and of its per-search overhead.
struct AnchoredRegex {
    dfa: hybrid::dfa::DFA,
    caches: CachePool,
    /// Whether the regex has a gap, so may get a `Tail`.
    has_gap: bool,
    /// The literals every match ends with, when the regex has a gap and a selective set (see
    /// `Tail`); built once a run has scanned `TAIL_AFTER_BYTES`.
    tail: OnceLock<Option<Tail>>,
    /// Compiled from the case-sensitive reading with its literals lowercased (see
    /// `regex_reading::lowercase_hir`), so it runs on the ASCII-lowercased text.
    on_lowercased: bool,
    /// The longest match the regex can make (`None`: unbounded).
    max_len: Option<usize>,
}

impl std::fmt::Debug for AnchoredRegex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnchoredRegex").finish_non_exhaustive()
    }
}

impl AnchoredRegex {
    fn new(pattern: &str) -> Result<AnchoredRegex, String> {
        let (hir, on_lowercased) = match precomputed_reading(pattern) {
            Some(reading) => reading,
            None => matcher_hir(pattern)?,
        };
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                    .which_captures(thompson::WhichCaptures::None),
            )
            .build_from_hir(&hir)
            .map_err(|e| e.to_string())?;
        let has_gap = gate::has_gap(&hir);
        let max_len = hir.properties().maximum_len();
        let dfa = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::Config::new()
                    .match_kind(regex_automata::MatchKind::LeftmostFirst)
                    .cache_capacity(2 * (1 << 20))
                    // Never give up on a thrashing cache: it then runs at about the speed of
                    // the NFA simulation a `meta::Regex` would fall back to.
                    .minimum_cache_clear_count(None),
            )
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        let for_caches = dfa.clone();
        Ok(AnchoredRegex {
            dfa,
            caches: Pool::new(Box::new(move || for_caches.create_cache())),
            has_gap,
            tail: OnceLock::new(),
            on_lowercased,
            max_len,
        })
    }

    /// The tail gate of this regex (compiled from `pattern`), once the run has scanned enough
    /// for it to pay: reading the tails and building their automaton was a sixth of a
    /// one-paragraph check, which wakes a gap regex a few times at most.
    fn tail(&self, pattern: &str, scanned: usize) -> Option<&Tail> {
        if !self.has_gap || (scanned < TAIL_AFTER_BYTES && self.tail.get().is_none()) {
            return None;
        }
        self.tail
            .get_or_init(|| {
                let (hir, on_lowercased) = match precomputed_reading(pattern) {
                    Some(reading) => reading,
                    None => matcher_hir(pattern).ok()?,
                };
                Tail::of(&hir, on_lowercased)
            })
            .as_ref()
    }
}

/// Bytes a run scans before gap regexes get their tail gates (see `AnchoredRegex::tail`).
const TAIL_AFTER_BYTES: usize = 256 * 1024;

/// A second gate for a woken regex: a match must end in one of its tail literals, so where
/// none lies between the wake-up and the furthest a match can reach, the regex is not run.
/// Worth it because a rule regex with a gap (`\bketamine\b[^.!?]{0,40}?\b(?:is|are) ...`)
/// walks a big lazy DFA byte by byte across the gap, missing the cache at most bytes, while
/// the tails' automaton is small enough to stay in it.
struct Tail {
    literals: AhoCorasick,
}

impl Tail {
    /// The tail gate of a regex read as `hir` (already lowercased when `on_lowercased`), or
    /// `None` when it has no gap or no selective tails.
    fn of(hir: &Hir, on_lowercased: bool) -> Option<Tail> {
        if !gate::has_gap(hir) {
            return None;
        }
        let tails = gate::tail_literals(hir, !on_lowercased)?;
        Tail::new(&tails)
    }

    /// The gate for these tail literals.
    fn new<T: AsRef<[u8]>>(tails: &[T]) -> Option<Tail> {
        let literals = AhoCorasick::builder()
            // Standard semantics report the occurrence that ends first (see `hits`).
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .prefilter(false)
            .build(tails)
            .ok()?;
        Some(Tail { literals })
    }
}

/// What one regex's walk over a text's wake-ups has learnt of its tail literals: the
/// first-ending occurrence at or after the last start searched from, and the last window
/// known to hold none. Starts come in order, so most wake-ups are answered without a search.
#[derive(Default)]
struct TailSeen {
    next: Option<(usize, usize)>,
    none_in: (usize, usize),
}

impl TailSeen {
    /// Whether a tail literal lies wholly inside `lowered[start..end]`.
    fn within(&mut self, tail: &Tail, lowered: &[u8], start: usize, end: usize) -> bool {
        if let Some((from, to)) = self.next
            && from >= start
        {
            // The first-ending occurrence from an earlier start is the first-ending one from
            // this start too.
            return to <= end;
        }
        if start >= self.none_in.0 && end <= self.none_in.1 {
            return false;
        }
        let input = aho_corasick::Input::new(lowered).range(start..end);
        match tail.literals.find(input) {
            Some(m) => {
                self.next = Some((m.start(), m.end()));
                true
            }
            None => {
                self.none_in = (start, end);
                false
            }
        }
    }
}

/// What the page scan keeps of the literals' occurrences, sorted by kind as they come. A type
/// of its own rather than a closure behind `dyn FnMut`: the scan calls it for millions of
/// occurrences, and a static call lets it be inlined into the look-ups.
struct ScanSink<'a> {
    matcher: &'a Matcher,
    /// The normalised text (the occurrences are in its lowercased copy, at the same offsets).
    text: &'a str,
    phrase_hits: Vec<Hit>,
    cues: Vec<CueHit>,
    /// Per regex: where its prefix literals occur.
    wake: Vec<Vec<usize>>,
    /// Per regex: where its need words occur.
    needs: Vec<Vec<Range<usize>>>,
}

impl ScanSink<'_> {
    /// Files an occurrence of scan literal `id` at `start..end`.
    #[inline]
    fn found(&mut self, id: usize, start: usize, end: usize) {
        let m = self.matcher;
        let text = self.text;
        if id >= m.need_base {
            // Kept as found: an occurrence `Literal` would not keep only makes the gate less
            // strict.
            for &r in &m.need_regexes[id - m.need_base] {
                self.needs[r].push(start..end);
            }
        } else if id >= m.cue_base {
            // A text past 4 GiB (far beyond any page, and `--max-filesize`'s default) keeps the
            // cues of its first 4 GiB.
            if is_bounded(text, start, end)
                && let Some(cue) = CueHit::new(m.cue_ids[id - m.cue_base], start..end)
            {
                self.cues.push(cue);
            }
        } else if let Some(&(rule, pattern)) = m.phrase_ids.get(id) {
            if is_bounded(text, start, end) {
                self.phrase_hits.push(Hit {
                    rule,
                    pattern,
                    range: start..end,
                });
            }
        } else if let Some(woken) = m.prefix_regexes.get(id - m.phrase_ids.len()) {
            let at_boundary = is_word_boundary(text.as_bytes(), start);
            let boundary_after = is_word_boundary(text.as_bytes(), end);
            for w in woken {
                if (at_boundary || !w.starts_at_boundary) && (boundary_after || !w.boundary_after) {
                    self.wake[w.regex].push(start);
                }
            }
        }
    }
}

/// Where a regex's need words occur in a text (sorted by start), and how far its wake-ups,
/// which come in order, have read them.
struct NeedSeen<'a> {
    occurrences: &'a [Range<usize>],
    next: usize,
}

impl NeedSeen<'_> {
    /// Whether a need word lies wholly inside `start..end`. Starts never decrease between
    /// calls, so occurrences before one are passed for good.
    fn within(&mut self, start: usize, end: usize) -> bool {
        while self
            .occurrences
            .get(self.next)
            .is_some_and(|o| o.start < start)
        {
            self.next += 1;
        }
        self.occurrences[self.next..]
            .iter()
            .take_while(|o| o.start < end)
            .any(|o| o.end <= end)
    }
}

thread_local! {
    /// `Matcher::scan`'s per-regex buckets of wake positions, kept between pages (see there).
    static WAKE_BUCKETS: std::cell::Cell<Vec<Vec<usize>>> = const { std::cell::Cell::new(Vec::new()) };
    /// `Matcher::scan`'s per-regex buckets of need word occurrences, kept likewise.
    static NEED_BUCKETS: std::cell::Cell<Vec<Vec<Range<usize>>>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The most wake positions a kept bucket may have room for (4 K positions, 32 KB): plenty for a
/// typical page, and a few MB per thread at worst across all regexes, whatever a huge page woke.
const MAX_KEPT_WAKES: usize = 1 << 12;

/// A regex a prefix literal wakes, with what decides whether an occurrence of the literal may
/// start a match (kept here, not looked up in the regex, for the millions of occurrences a big
/// tree has).
#[derive(Clone, Copy, Debug)]
struct Woken {
    regex: usize,
    /// The regex needs a word boundary right after the literal.
    boundary_after: bool,
    /// Every match starts at an ASCII word boundary (`\b...`), or, with a lead, one byte before
    /// one: a prefix literal found inside a word (the `i` of "this") cannot start a match, so the
    /// regex is not woken there.
    starts_at_boundary: bool,
}

#[derive(Debug)]
pub(crate) struct Matcher {
    /// Phrase spellings (ids `0..phrase_ids.len()`), then regex prefix literals, then cue terms
    /// (from `cue_base`): one pass over a page finds all three.
    scan: Literals,
    /// Literal id of the scan -> (rule, pattern), for phrase spellings.
    phrase_ids: Vec<(usize, usize)>,
    phrase_texts: Vec<String>,
    /// For scan id `phrase_ids.len() + k`: the regexes that literal `k` is a prefix of.
    prefix_regexes: Vec<Vec<Woken>>,
    regexes: Vec<RuleRegex>,
    /// Regexes without a usable prefix set, run over the whole text.
    ungated: Vec<usize>,
    /// The scan id of the first cue term.
    cue_base: usize,
    /// Scan id `cue_base + k` -> term list of cue term `k`.
    cue_ids: Vec<usize>,
    /// The scan id of the first need word.
    need_base: usize,
    /// Scan id `need_base + k` -> the regexes that need word `k`.
    need_regexes: Vec<Vec<usize>>,
}

/// What a page's walk found besides cues, for `Matcher::hits` to finish: the phrase hits, and
/// per gated regex the starts of its prefix literals (where it may match).
pub(crate) struct Wakes {
    phrase_hits: Vec<Hit>,
    /// The text ASCII-lowercased (same offsets), which the scan walked and most regexes run on.
    lowered: Vec<u8>,
    /// One bucket per regex: the thread's, reused page after page (see `Matcher::scan`).
    buckets: Vec<Vec<usize>>,
    /// Per regex with need words: where they occur (in any order), kept likewise.
    needs: Vec<Vec<Range<usize>>>,
}

/// The matcher's reading of an embedded regex, decoded from what `build.rs` stored (see
/// `regex_reading`); `None` for a user's regex.
fn precomputed_reading(pattern: &str) -> Option<(Hir, bool)> {
    let i = embedded_index(pattern)?;
    let (on_lowercased, start, end) = READINGS.get(i).copied().flatten()?;
    let hir = regex_reading::decode(READING_BYTES.get(start..end)?)?;
    Some((hir, on_lowercased))
}

/// A rule regex read with `rule_parser()`. Not cached: the trees of the rulesets' big alternations
/// take megabytes, and each regex is compiled once per process (a user ruleset's regexes are
/// parsed once more at load, to check them).
fn parse_rule_regex(pattern: &str) -> Result<Hir, String> {
    rule_parser().parse(pattern).map_err(|e| e.to_string())
}

fn size_error(limit: usize) -> String {
    format!("compiled regex exceeds size limit of {limit} bytes")
}

/// Compiles a rule regex exactly as `regex::bytes::RegexBuilder` does with the same options (so
/// `find_iter` behaves the same), with access to anchored searches. `prefilter` allows literal
/// prefilters, which change only speed, never matches.
fn build_meta_regex(pattern: &str, prefilter: bool) -> Result<meta::Regex, String> {
    let hir = parse_rule_regex(pattern)?;
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .match_kind(regex_automata::MatchKind::LeftmostFirst)
                .utf8_empty(false)
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .hybrid_cache_capacity(2 * (1 << 20))
                .auto_prefilter(prefilter),
        )
        .build_from_hir(&hir)
        .map_err(|e| match e.size_limit() {
            Some(limit) => size_error(limit),
            None => e.to_string(),
        })
}

/// Checks a rule regex: valid syntax, and its automaton (built as the matcher's, captures and
/// all) within the size limit. A user ruleset's error is reported at load, never in the middle
/// of a run; the full compile waits for the first search that needs the regex.
pub fn build_regex(pattern: &str) -> Result<(), String> {
    let hir = parse_rule_regex(pattern)?;
    thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .shrink(false),
        )
        .build_from_hir(&hir)
        .map(|_| ())
        .map_err(|e| match e.size_limit() {
            Some(limit) => size_error(limit),
            None => e.to_string(),
        })
}

/// The gate of a rule regex: precomputed by `build.rs` for the embedded rulesets' regexes (reading
/// them was most of start-up), read here for a user's.
fn gate_of(pattern: &str) -> Gate {
    let owned = |set: Option<&[(&[u8], bool)]>| {
        set.map(|set| {
            set.iter()
                .map(|&(bytes, boundary_after)| Prefix {
                    bytes: bytes.to_vec(),
                    boundary_after,
                })
                .collect()
        })
    };
    match embedded_index(pattern) {
        Some(i) => {
            let (_, starts_at_boundary, lead, prefixes, needs) = GATES[i];
            Gate {
                starts_at_boundary,
                lead,
                prefixes: owned(prefixes),
                needs: owned(needs),
            }
        }
        None => gate(pattern),
    }
}

/// Where an embedded regex's precomputed gate (`GATES`) and reading (`READINGS`) are: both
/// tables are sorted by source and share indices. `None` for a user's regex.
fn embedded_index(pattern: &str) -> Option<usize> {
    GATES
        .binary_search_by(|&(source, _, _, _, _)| source.cmp(pattern))
        .ok()
}

/// The spellings a phrase matches: normalised, plus spaced and joined forms of hyphenated words.
pub fn phrase_variants(phrase: &str) -> Vec<String> {
    let bytes = phrase.as_bytes();
    // Nearly every phrase is ASCII that `normalize` keeps as it is: lowercase it in one copy
    // (thousands of phrases and terms are read at every start-up).
    let base = if (0..bytes.len()).all(|i| is_kept_ascii(bytes, i)) {
        phrase.trim().to_ascii_lowercase()
    } else {
        normalize(&phrase.to_lowercase()).text.trim().to_owned()
    };
    let hyphen_forms = base
        .contains('-')
        .then(|| [base.replace('-', " "), base.replace('-', "")]);
    let mut out = vec![base];
    out.extend(hyphen_forms.into_iter().flatten());
    out.retain(|v| !v.is_empty());
    out.dedup();
    out
}

impl Matcher {
    pub(crate) fn new(rules: &[Rule], sources: &PatternSources, lists: &[TermList]) -> Matcher {
        let mut phrase_texts = Vec::new();
        let mut phrase_ids = Vec::new();
        for p in sources.phrases.iter().filter(|p| rules[p.rule].enabled) {
            for v in phrase_variants(&p.phrase) {
                phrase_texts.push(v);
                phrase_ids.push((p.rule, p.pattern));
            }
        }
        let mut regexes = Vec::new();
        let mut ungated = Vec::new();
        let mut prefix_index: FxHashMap<Vec<u8>, usize> = FxHashMap::default();
        let mut prefix_texts: Vec<Vec<u8>> = Vec::new();
        let mut prefix_regexes: Vec<Vec<Woken>> = Vec::new();
        let mut need_index: FxHashMap<Prefix, usize> = FxHashMap::default();
        let mut need_words: Vec<Prefix> = Vec::new();
        let mut need_regexes: Vec<Vec<usize>> = Vec::new();
        // A user ruleset's regexes are read for their prefixes here (build.rs read the embedded
        // ones), on every core: a few hundred big alternations take a while.
        let enabled: Vec<_> = sources
            .regexes
            .iter()
            .filter(|r| rules[r.rule].enabled)
            .collect();
        let gates: Vec<Gate> = enabled.par_iter().map(|r| gate_of(&r.regex)).collect();
        for (r, gate) in enabled.into_iter().zip(gates) {
            let index = regexes.len();
            let Gate {
                starts_at_boundary,
                lead,
                prefixes,
                needs,
            } = gate;
            let gated = prefixes.is_some();
            match prefixes {
                Some(prefixes) => {
                    for prefix in prefixes {
                        // Most literals are shared by several regexes: look up before copying.
                        let k = match prefix_index.get(prefix.bytes.as_slice()) {
                            Some(&k) => k,
                            None => {
                                let k = prefix_texts.len();
                                prefix_index.insert(prefix.bytes.clone(), k);
                                prefix_texts.push(prefix.bytes);
                                prefix_regexes.push(Vec::new());
                                k
                            }
                        };
                        prefix_regexes[k].push(Woken {
                            regex: index,
                            boundary_after: prefix.boundary_after,
                            starts_at_boundary,
                        });
                    }
                }
                None => ungated.push(index),
            }
            let has_needs = gated && needs.is_some();
            for word in needs.into_iter().flatten().filter(|_| gated) {
                let k = match need_index.get(&word) {
                    Some(&k) => k,
                    None => {
                        let k = need_words.len();
                        need_index.insert(word.clone(), k);
                        need_words.push(word);
                        need_regexes.push(Vec::new());
                        k
                    }
                };
                need_regexes[k].push(index);
            }
            regexes.push(RuleRegex {
                rule: r.rule,
                pattern: r.pattern,
                source: r.regex.clone(),
                compiled: OnceLock::new(),
                unfiltered: OnceLock::new(),
                anchored: OnceLock::new(),
                lead,
                gated,
                has_needs,
            });
        }
        // Phrases and cues count only between word boundaries (`is_bounded`); a prefix
        // literal wakes its regexes where they may start (see `scan`).
        let bounded = |bytes: Vec<u8>| Literal {
            bytes,
            at_word_start: true,
            may_end_in_word: false,
        };
        let mut literals: Vec<Literal> = phrase_texts
            .iter()
            .map(|p| bounded(p.as_bytes().to_vec()))
            .collect();
        for (bytes, woken) in prefix_texts.into_iter().zip(&prefix_regexes) {
            literals.push(Literal {
                bytes,
                at_word_start: woken.iter().all(|w| w.starts_at_boundary),
                may_end_in_word: woken.iter().any(|w| !w.boundary_after),
            });
        }
        let cue_base = literals.len();
        let mut cue_ids = Vec::new();
        for (i, list) in lists.iter().enumerate() {
            for term in &list.terms {
                for v in phrase_variants(term) {
                    literals.push(bounded(v.into_bytes()));
                    cue_ids.push(i);
                }
            }
        }
        // Need words count at word starts, and inside a longer word only where the regex
        // allows a word byte after them.
        let need_base = literals.len();
        literals.extend(need_words.into_iter().map(|word| Literal {
            bytes: word.bytes,
            at_word_start: true,
            may_end_in_word: !word.boundary_after,
        }));
        for literal in &mut literals {
            literal.bytes.make_ascii_lowercase();
        }
        Matcher {
            scan: Literals::new(literals),
            phrase_ids,
            phrase_texts,
            prefix_regexes,
            regexes,
            ungated,
            cue_base,
            cue_ids,
            need_base,
            need_regexes,
        }
    }

    /// Every phrase spelling of the enabled rules, sorted and deduplicated.
    pub(crate) fn phrase_list(&self) -> Vec<String> {
        let mut v = self.phrase_texts.clone();
        v.sort();
        v.dedup();
        v
    }

    /// All word-bounded rule hits in a normalised text, ordered by start: `scan`, then `hits`
    /// with no bound.
    pub(crate) fn find(&self, text: &str) -> Vec<Hit> {
        let (wakes, _) = self.scan(text);
        self.hits(text, wakes, |_, _, _| Some(text.len()))
    }

    /// One pass over a normalised text: the phrase hits and the regexes' wake positions (for
    /// `hits`), and every word-bounded cue.
    pub(crate) fn scan(&self, text: &str) -> (Wakes, CueIndex) {
        self.scan_with(text, |lowered, sink| {
            self.scan
                .for_each_match(lowered, |id, start, end| sink.found(id, start, end))
        })
    }

    /// `scan` with the literals' occurrences in the lowercased text given by `occurrences`
    /// (which passes each to `ScanSink::found`, in any order, and may add some that `Literal`
    /// says are not kept: they are dropped there).
    fn scan_with(
        &self,
        text: &str,
        occurrences: impl FnOnce(&[u8], &mut ScanSink),
    ) -> (Wakes, CueIndex) {
        // Buckets rather than one list of (regex, start) pairs, which needed a sort of millions
        // of pairs per megabyte. The buckets are the thread's, reused page after page: growing
        // them afresh was about 2% of a run (hundreds of thousands of reallocations).
        let mut wake = WAKE_BUCKETS.take();
        wake.iter_mut().for_each(Vec::clear);
        wake.resize_with(self.regexes.len(), Vec::new);
        let mut needs = NEED_BUCKETS.take();
        needs.iter_mut().for_each(Vec::clear);
        needs.resize_with(self.regexes.len(), Vec::new);
        let lowered = text.as_bytes().to_ascii_lowercase();
        let mut sink = ScanSink {
            matcher: self,
            text,
            phrase_hits: Vec::new(),
            // Prose has a cue every twenty bytes or so: room for half of that spares most of
            // the doublings (and their copies) without holding more than growth would.
            cues: Vec::with_capacity(text.len() / 40),
            wake,
            needs,
        };
        occurrences(&lowered, &mut sink);
        let ScanSink {
            phrase_hits,
            mut cues,
            wake,
            needs,
            ..
        } = sink;
        cues.sort_by_key(|c| (c.start, c.end, c.list));
        let wakes = Wakes {
            phrase_hits,
            lowered,
            buckets: wake,
            needs,
        };
        (wakes, CueIndex { hits: cues })
    }

    /// The rule hits of a scanned text, ordered by start: the phrase hits, and each gated regex
    /// run anchored where it was woken. `bound(rule, pattern, start)` says how far a match from
    /// `start` may reach (the end of its sentence), or `None` to skip the start: a pattern whose
    /// sentence fails its cue test cannot fire there, so its regex need not run. Ungated regexes
    /// search the whole text.
    pub(crate) fn hits(
        &self,
        text: &str,
        mut wakes: Wakes,
        mut bound: impl FnMut(usize, usize, usize) -> Option<usize>,
    ) -> Vec<Hit> {
        let mut hits = wakes.phrase_hits;
        // The first pages of a run wake dozens of regexes not compiled yet: compile those on
        // every core (for a one-paragraph check this is most of the time after start-up).
        // The ungated regexes search every text with something in it (a match is never empty:
        // an empty one would be no claim), so they join the first compile too.
        let mut wake = wakes.buckets;
        let ungated: &[usize] = if text.is_empty() { &[] } else { &self.ungated };
        let scanned = self.scan.scanned();
        // (A regex with need words and none on the page is not run, so not compiled either.)
        let uncompiled: Vec<&RuleRegex> = wake
            .iter()
            .zip(&self.regexes)
            .zip(&wakes.needs)
            .filter(|((starts, r), needs)| r.may_run(starts, needs) && r.anchored.get().is_none())
            .map(|((_, r), _)| r)
            .chain(
                ungated
                    .iter()
                    .map(|&i| &self.regexes[i])
                    .filter(|r| r.searcher_cell(scanned).get().is_none()),
            )
            .collect();
        if uncompiled.len() > 1 {
            on_every_core(&uncompiled, |r| {
                if r.gated {
                    r.anchored();
                } else {
                    r.searcher(scanned);
                }
            });
        }
        let haystack = text.as_bytes();
        for (r, starts) in wake.iter_mut().enumerate() {
            if !self.regexes[r].may_run(starts, &wakes.needs[r]) {
                continue;
            }
            // The word-by-word part of the scan reports starts in order, so they are nearly
            // sorted already.
            starts.sort_unstable();
            starts.dedup();
            let rule_regex = &self.regexes[r];
            let Some(anchored) = rule_regex.anchored() else {
                continue;
            };
            let (rule, pattern) = (rule_regex.rule, rule_regex.pattern);
            let mut cache = anchored.caches.get();
            // Regexes compiled for lowercased text run on the scan's copy (same offsets).
            let searched: &[u8] = if anchored.on_lowercased {
                &wakes.lowered
            } else {
                haystack
            };
            // The matches `find_iter` would report: the leftmost match at each candidate start,
            // searching again only from the end of the previous match. Every gated regex needs at
            // least one byte, so no empty match needs care.
            let mut resume = 0;
            let tail = anchored.tail(&rule_regex.source, scanned);
            let mut tail_seen = TailSeen::default();
            let mut needed = rule_regex.has_needs.then(|| {
                let occurrences = &mut wakes.needs[r];
                occurrences.sort_unstable_by_key(|o| o.start);
                NeedSeen {
                    occurrences,
                    next: 0,
                }
            });
            for &literal_start in starts.iter() {
                if literal_start < resume {
                    continue;
                }
                // A lead regex is run from the byte before the literal first: a match from
                // there comes first in the text, as `find_iter` would report it.
                let from_lead = (rule_regex.lead.is_some() && literal_start > resume)
                    .then(|| literal_start - 1);
                // Most wake-ups have no need word in reach of any match from them: those are
                // let go before their sentence is looked up (which costs more).
                if let Some(needed) = &mut needed {
                    let from = from_lead.unwrap_or(literal_start);
                    let reach = anchored
                        .max_len
                        .map_or(usize::MAX, |n| literal_start.saturating_add(n));
                    if !needed.within(from, reach) {
                        continue;
                    }
                }
                // The literal's sentence bounds the match, also one that starts on the byte
                // before it (a lead, as the space before "9 in 10": between two sentences).
                let Some(bound) = bound(rule, pattern, literal_start) else {
                    continue;
                };
                for start in from_lead.into_iter().chain([literal_start]) {
                    // The lowercased copy has the text's length, so one clamp serves both.
                    let bound = bound.clamp(start, searched.len());
                    // Two gates before the automaton runs: a need word, and for a gap regex a
                    // tail literal, must lie between the start and the furthest a match can
                    // reach.
                    let reach = anchored
                        .max_len
                        .map_or(bound, |n| bound.min(start.saturating_add(n)));
                    if let Some(needed) = &mut needed
                        && !needed.within(start, reach)
                    {
                        continue;
                    }
                    if let Some(tail) = tail
                        && !tail_seen.within(tail, &wakes.lowered, start, reach)
                    {
                        continue;
                    }
                    // The bound keeps the match inside its sentence; `\b` still sees the next
                    // byte.
                    let input = Input::new(searched)
                        .range(start..bound)
                        .anchored(Anchored::Yes);
                    let end = match anchored.dfa.try_search_fwd(&mut cache, &input) {
                        Ok(half) => half.map(|h| h.offset()),
                        // Not expected (no quit bytes, and the DFA never gives up); the full
                        // regex answers the same question the slow way.
                        Err(_) => rule_regex
                            .regex()
                            .and_then(|re| re.search(&input))
                            .map(|m| m.end()),
                    };
                    if let Some(end) = end {
                        resume = end;
                        push_regex_hit(&mut hits, text, rule_regex, start..end);
                        // A match of the lead byte alone leaves the literal's own start to try,
                        // as `find_iter` would.
                        if end > literal_start {
                            break;
                        }
                    }
                }
            }
        }
        // A regex shared by several rules (an overlay's copy) runs once for all of them.
        for (k, &i) in ungated.iter().enumerate() {
            let source = &self.regexes[i].source;
            if ungated[..k]
                .iter()
                .any(|&j| self.regexes[j].source == *source)
            {
                continue;
            }
            let Some(re) = self.regexes[i].searcher(scanned) else {
                continue;
            };
            let sharing: Vec<&RuleRegex> = ungated[k..]
                .iter()
                .map(|&j| &self.regexes[j])
                .filter(|r| r.source == *source)
                .collect();
            for m in re.find_iter(haystack) {
                for rule_regex in &sharing {
                    push_regex_hit(&mut hits, text, rule_regex, m.range());
                }
            }
        }
        // A bucket that grew on a huge page gives its memory back rather than keeping it.
        for bucket in wake.iter_mut().filter(|b| b.capacity() > MAX_KEPT_WAKES) {
            *bucket = Vec::new();
        }
        WAKE_BUCKETS.set(wake);
        let mut needs = wakes.needs;
        for bucket in needs.iter_mut().filter(|b| b.capacity() > MAX_KEPT_WAKES) {
            *bucket = Vec::new();
        }
        NEED_BUCKETS.set(needs);
        sort_hits(&mut hits);
        hits
    }
}

/// The hits of `hits` (ordered by start) wholly inside `range`, found by binary search.
pub(crate) fn cues_within(hits: &[CueHit], range: Range<usize>) -> impl Iterator<Item = &CueHit> {
    let first = hits.partition_point(|c| c.range().start < range.start);
    hits[first..]
        .iter()
        .take_while(move |c| c.range().start < range.end)
        .filter(move |c| c.range().end <= range.end)
}

/// The cue hits of one whole text, ordered by (start, end, list). An overlapping scan reports
/// every occurrence of every term, so the hits inside a range are exactly those a scan of just
/// that range finds: one scan serves every sentence of a document.
#[derive(Debug, Default)]
pub(crate) struct CueIndex {
    hits: Vec<CueHit>,
}

impl CueIndex {
    /// The hits wholly inside `range`, ordered by (start, end, list).
    pub(crate) fn within_iter(&self, range: Range<usize>) -> impl Iterator<Item = &CueHit> {
        cues_within(&self.hits, range)
    }

    pub(crate) fn all(&self) -> &[CueHit] {
        &self.hits
    }
}

/// All rule hits of a ruleset's enabled rules in a normalised text (see `normalize`), before
/// sentence context: the matching step of the pipeline on its own, for benchmarks and tools.
pub fn find_hits(ruleset: &Ruleset, text: &str) -> Vec<Hit> {
    ruleset.matcher.find(text)
}

/// Whether `\b` (ASCII, as the rule regexes read it) holds at `at`.
fn is_word_boundary(haystack: &[u8], at: usize) -> bool {
    let word = |i: usize| haystack.get(i).is_some_and(|&b| gate::is_word_byte(b));
    let before = at.checked_sub(1).is_some_and(word);
    before != word(at)
}

/// Records a regex match as a hit: without its lead, on character boundaries, narrowed to the
/// claim's words.
fn push_regex_hit(hits: &mut Vec<Hit>, text: &str, regex: &RuleRegex, mut range: Range<usize>) {
    // The byte a lead regex reads before its number only rules matches out ("4.9 out of 5"); the
    // claim is what follows ("9 in 10", not "-9 in 10"). A lead is one byte that is no word
    // byte, and the rest of every match starts with one (`gate::Lead::Dropped`).
    if regex.lead == Lead::Dropped
        && range.len() > 1
        && text
            .as_bytes()
            .get(range.start)
            .is_some_and(|&b| !gate::is_word_byte(b))
    {
        range.start += 1;
    }
    if !(text.is_char_boundary(range.start) && text.is_char_boundary(range.end)) {
        return;
    }
    let range = trim_context(text, range);
    if range.start < range.end {
        hits.push(Hit {
            rule: regex.rule,
            pattern: regex.pattern,
            range,
        });
    }
}

/// The order `hits` and `find` report hits in: by start, longest first, then rule and pattern.
fn sort_hits(hits: &mut [Hit]) {
    hits.sort_by_key(|h| {
        (
            h.range.start,
            std::cmp::Reverse(h.range.end),
            h.rule,
            h.pattern,
        )
    });
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
    // Most edges are ASCII on both sides (this runs for every phrase and cue occurrence): then
    // the four bytes around the range's ends answer without decoding or Unicode tables.
    let bytes = text.as_bytes();
    // (No byte, before the start or past the end, is an ASCII non-word byte.)
    let class = |at: Option<usize>| {
        at.and_then(|i| bytes.get(i))
            .map_or(0, |&b| BYTE_CLASS[usize::from(b)])
    };
    let before = class(start.checked_sub(1));
    let first = class(Some(start));
    let last = class(end.checked_sub(1));
    let after = class(Some(end));
    if (before | first | last | after) & NOT_ASCII == 0 {
        return (first & before & ASCII_WORD == 0) && (last & after & ASCII_WORD == 0);
    }
    let word = |c: char| c.is_alphanumeric();
    let first = char_at(text, start);
    let last = char_before(text, end);
    let before = char_before(text, start);
    let after = char_at(text, end);
    let left_ok = !first.is_some_and(word) || !before.is_some_and(word);
    let right_ok = !last.is_some_and(word) || !after.is_some_and(word);
    left_ok && right_ok
}

/// `is_bounded`'s classes of bytes: an ASCII letter or digit, or a byte that is not ASCII.
const ASCII_WORD: u8 = 1;
const NOT_ASCII: u8 = 2;
static BYTE_CLASS: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = if byte.is_ascii_alphanumeric() {
            ASCII_WORD
        } else if !byte.is_ascii() {
            NOT_ASCII
        } else {
            0
        };
        b += 1;
    }
    table
};

/// The character starting at byte `at`; an ASCII byte is read without decoding (most are, and
/// this runs for every phrase and cue occurrence). Panics, as slicing does, off a char boundary.
fn char_at(text: &str, at: usize) -> Option<char> {
    match text.as_bytes().get(at) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => text[at..].chars().next(),
    }
}

/// The character ending at byte `at` (see `char_at`).
fn char_before(text: &str, at: usize) -> Option<char> {
    match at.checked_sub(1).map(|i| text.as_bytes()[i]) {
        Some(b) if b.is_ascii() => Some(char::from(b)),
        _ => text[..at].chars().next_back(),
    }
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
        self.normalised_after(i, offset)
    }

    /// `from_prose` of each of `offsets`, in one walk over the breakpoints when they do not
    /// decrease (a page's sentence bounds) rather than a binary search each; an offset below
    /// the one before it is searched for.
    pub fn from_prose_ascending(&self, offsets: impl IntoIterator<Item = usize>) -> Vec<usize> {
        // How many breakpoints lie at or before the last offset.
        let mut passed = 0;
        offsets
            .into_iter()
            .map(|offset| {
                if passed > 0 && self.points[passed - 1].1 > offset {
                    return self.from_prose(offset);
                }
                while self.points.get(passed).is_some_and(|&(_, p)| p <= offset) {
                    passed += 1;
                }
                self.normalised_after(passed, offset)
            })
            .collect()
    }

    /// `from_prose` of `offset`, given that the first `i` breakpoints lie at or before it and
    /// the others after it.
    fn normalised_after(&self, i: usize, offset: usize) -> usize {
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
    let bytes = prose.as_bytes();
    let mut text = String::with_capacity(prose.len());
    let mut points = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // Most of any text is ASCII that stays as it is: copy it in runs.
        let run = i;
        i = kept_ascii_run_end(bytes, i);
        if i > run {
            text.push_str(&prose[run..i]);
            continue;
        }
        let Some(c) = prose[i..].chars().next() else {
            break;
        };
        let replacement = match c {
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '\u{2032}' => Some('\''),
            '\u{201c}' | '\u{201d}' => Some('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => Some('-'),
            c if is_space_like(c) => {
                // A run of spaces becomes one space.
                let end = i + prose[i..]
                    .chars()
                    .take_while(|&d| is_space_like(d))
                    .map(char::len_utf8)
                    .sum::<usize>();
                if end - i != 1 {
                    points.push((text.len(), i));
                    text.push(' ');
                    points.push((text.len(), end));
                } else {
                    text.push(' ');
                }
                i = end;
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
        i += c.len_utf8();
    }
    Normalized { text, points }
}

/// The characters `normalize` folds into one space when they run together.
fn is_space_like(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\u{2007}'
    )
}

/// Where the run of bytes from `i` that `is_kept_ascii` holds for ends, eight bytes at a time
/// where it can: copying prose runs byte by byte was about 10 instructions a byte.
fn kept_ascii_run_end(bytes: &[u8], mut i: usize) -> usize {
    // Each chunk also reads the eight bytes after each of its bytes: a space is kept only if
    // the next byte is not a space, a tab or non-ASCII.
    while i + 9 <= bytes.len() {
        let (here, next) = (swar::load(bytes, i), swar::load(bytes, i + 1));
        let ends_a_space = swar::equal_any(next, [b' ', b'\t']) | (next & swar::HIGH);
        let stop = (here & swar::HIGH)
            | swar::equal_bytes(here, b'\t')
            | (swar::equal_bytes(here, b' ') & ends_a_space);
        if let Some(k) = swar::first_marked(stop) {
            return i + k;
        }
        i += 8;
    }
    while i < bytes.len() && is_kept_ascii(bytes, i) {
        i += 1;
    }
    i
}

/// Whether the byte at `i` is ASCII that `normalize` copies unchanged: not a tab, and not a space
/// that another space-like character (or a non-ASCII byte, which may start one) follows.
fn is_kept_ascii(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\t' => false,
        b' ' => !bytes
            .get(i + 1)
            .is_some_and(|&next| next == b' ' || next == b'\t' || !next.is_ascii()),
        b => b.is_ascii(),
    }
}

/// Runs `work` on every item, on this thread and on helper threads, one per other thread of the
/// current rayon pool (the lint workers, or `RAYON_NUM_THREADS`). Not on the pool itself: a lint
/// worker that waited there for its share to be done would take up other lint jobs meanwhile,
/// on top of its own stack, as deep as the window of files in flight. Helpers are shared by the
/// whole process (when every worker compiles at once, as on the first pages, they would
/// otherwise number threads squared): a helper that is not available, or cannot start, leaves
/// its share to the others. A panic in a helper goes on from here with its own message.
fn on_every_core<T: Sync>(items: &[T], work: impl Fn(&T) + Sync) {
    /// Helper threads running now, in the whole process.
    static HELPERS: AtomicUsize = AtomicUsize::new(0);
    with_helpers(items, work, &HELPERS);
}

/// `on_every_core` with `helpers_running` counting the helper threads running (tests give their
/// own).
fn with_helpers<T: Sync>(items: &[T], work: impl Fn(&T) + Sync, helpers_running: &AtomicUsize) {
    /// Gives back a helper's place, however it ends.
    struct Place<'a>(&'a AtomicUsize);
    impl Drop for Place<'_> {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::Relaxed);
        }
    }
    let next = AtomicUsize::new(0);
    let take_and_work = || {
        while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
            work(item);
        }
    };
    let most = rayon::current_num_threads().saturating_sub(1);
    let wanted = most.min(items.len().saturating_sub(1));
    std::thread::scope(|scope| {
        let mut helpers = Vec::new();
        for _ in 0..wanted {
            if helpers_running.fetch_add(1, Ordering::Relaxed) >= most {
                helpers_running.fetch_sub(1, Ordering::Relaxed);
                break;
            }
            let place = Place(helpers_running);
            // A compile may recurse deep into a user's regex: the lint workers' stack size.
            let started = std::thread::Builder::new()
                .name("compile".into())
                .stack_size(16 << 20)
                .spawn_scoped(scope, move || {
                    let _place = place;
                    take_and_work();
                });
            match started {
                Ok(helper) => helpers.push(helper),
                // The closure (and the place with it) is dropped.
                Err(_) => break,
            }
        }
        take_and_work();
        // Joined here, so that a helper's panic keeps its payload (the scope's own join would
        // replace it with "a scoped thread panicked").
        for helper in helpers {
            if let Err(panic) = helper.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A helper's panic goes on from the caller with its own message, not the scope's "a scoped
    /// thread panicked" (the lint reports the message as the file's error).
    #[test]
    fn a_panic_in_a_compile_helper_keeps_its_message() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let items: Vec<usize> = (0..40).collect();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.install(|| {
                let helpers = AtomicUsize::new(0);
                with_helpers(
                    &items,
                    |_| {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        if std::thread::current().name() == Some("compile") {
                            panic!("a bug in a regex compile");
                        }
                    },
                    &helpers,
                )
            })
        }));
        let panic = result.expect_err("the helper's panic goes on");
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
        assert_eq!(message.as_deref(), Some("a bug in a regex compile"));
    }

    /// The compile of a page's regexes works each one once, on the calling worker and on
    /// threads of its own: never on the pool's other workers, which would take up lint jobs while
    /// they wait.
    #[test]
    fn on_every_core_works_each_item_once_off_the_pool() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .thread_name(|i| format!("pool-{i}"))
            .build()
            .unwrap();
        let counts: Vec<AtomicUsize> = (0..60).map(|_| AtomicUsize::new(0)).collect();
        let names = std::sync::Mutex::new(std::collections::BTreeSet::new());
        pool.install(|| {
            let caller = std::thread::current().name().map(str::to_owned);
            let helpers = AtomicUsize::new(0);
            with_helpers(
                &counts,
                |count| {
                    count.fetch_add(1, Ordering::Relaxed);
                    let here = std::thread::current().name().map(str::to_owned);
                    let who = if here == caller { "caller" } else { "other" };
                    names.lock().unwrap().insert((who, here));
                    std::thread::sleep(std::time::Duration::from_millis(1));
                },
                &helpers,
            );
            // Every helper gave its place back.
            assert_eq!(helpers.load(Ordering::Relaxed), 0);
            // With the process's helpers all busy elsewhere, the caller works alone.
            let busy = AtomicUsize::new(2);
            let threads = std::sync::Mutex::new(std::collections::HashSet::new());
            with_helpers(
                &counts,
                |_| {
                    threads.lock().unwrap().insert(std::thread::current().id());
                },
                &busy,
            );
            assert_eq!(threads.into_inner().unwrap().len(), 1);
            assert_eq!(busy.load(Ordering::Relaxed), 2);
        });
        assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1));
        let names = names.into_inner().unwrap();
        // 60 items of a millisecond leave the two helpers time to start.
        assert!(names.len() > 1, "{names:?}");
        for (who, name) in &names {
            assert!(
                *who == "caller" || name.as_deref() == Some("compile"),
                "{names:?}"
            );
        }
    }

    /// The matcher as it was before literal gating: one phrase automaton, a `RegexSet` over the
    /// whole text, then `find_iter` for each regex the set reports.
    struct RegexSetMatcher<'a> {
        matcher: &'a Matcher,
        phrases: AhoCorasick,
        set: regex::bytes::RegexSet,
        regexes: Vec<regex::bytes::Regex>,
    }

    impl<'a> RegexSetMatcher<'a> {
        fn new(matcher: &'a Matcher) -> Self {
            let sources: Vec<&str> = matcher.regexes.iter().map(|r| r.source.as_str()).collect();
            RegexSetMatcher {
                matcher,
                phrases: AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .build(&matcher.phrase_texts)
                    .unwrap(),
                set: regex::bytes::RegexSetBuilder::new(&sources)
                    .case_insensitive(true)
                    .unicode(false)
                    .size_limit(REGEX_SIZE_LIMIT * 16)
                    .build()
                    .unwrap(),
                regexes: sources
                    .iter()
                    .map(|s| {
                        regex::bytes::RegexBuilder::new(s)
                            .case_insensitive(true)
                            .unicode(false)
                            .size_limit(REGEX_SIZE_LIMIT)
                            .build()
                            .unwrap()
                    })
                    .collect(),
            }
        }

        fn find(&self, text: &str) -> Vec<Hit> {
            let mut hits = Vec::new();
            for m in self.phrases.find_overlapping_iter(text) {
                if is_bounded(text, m.start(), m.end()) {
                    let (rule, pattern) = self.matcher.phrase_ids[m.pattern().as_usize()];
                    hits.push(Hit {
                        rule,
                        pattern,
                        range: m.start()..m.end(),
                    });
                }
            }
            for i in self.set.matches(text.as_bytes()).iter() {
                for m in self.regexes[i].find_iter(text.as_bytes()) {
                    push_regex_hit(&mut hits, text, &self.matcher.regexes[i], m.range());
                }
            }
            sort_hits(&mut hits);
            hits
        }
    }

    /// Every built-in ruleset with every rule on, default-off ones included.
    fn all_rules() -> crate::rules::Ruleset {
        use crate::rules::{Ruleset, RulesetOptions, builtin};
        let builtin: Vec<String> = builtin::NAMES.iter().map(|n| n.to_string()).collect();
        let loaded = Ruleset::load(&RulesetOptions {
            builtin: builtin.clone(),
            ..RulesetOptions::default()
        })
        .unwrap();
        Ruleset::load(&RulesetOptions {
            builtin,
            enable: loaded.rules.iter().map(|r| r.id.clone()).collect(),
            ..RulesetOptions::default()
        })
        .unwrap()
    }

    /// Normalised prose of every fixture page, every rule example, and the ruleset files read as
    /// plain text (they hold every phrase and regex next to each other).
    fn corpus(ruleset: &crate::rules::Ruleset) -> Vec<(String, String)> {
        use crate::extract::{Format, extract};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("fixtures"), root.join("rulesets")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut out = Vec::new();
        for path in files {
            let format = match path.extension().and_then(|e| e.to_str()) {
                Some("md") => Format::Markdown,
                Some("html") => Format::Html,
                Some("txt" | "toml") => Format::Plain,
                _ => continue,
            };
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let prose = extract(&text, format);
            out.push((path.display().to_string(), normalize(&prose.text).text));
        }
        for rule in &ruleset.rules {
            for (i, example) in rule.examples.iter().enumerate() {
                let prose = extract(&example.text, example.format);
                out.push((
                    format!("{} example {i}", rule.id),
                    normalize(&prose.text).text,
                ));
            }
        }
        // Overlapping and back-to-back claims, where `find_iter` skips a match inside another.
        let twice = "Risk of addiction is low, risk of addiction is low. 90% of 90% of patients. \
                     100% guaranteed results guaranteed relief.";
        out.push(("overlaps".into(), twice.to_owned()));
        out
    }

    /// The regexes without prefixes search every text, but an empty page has nothing to find:
    /// a one-line check on empty input does not pay for compiling them.
    #[test]
    fn ungated_regexes_are_compiled_only_for_a_text_with_something_in_it() {
        // The embedded rulesets have no ungated regex left: a broad class up front (any byte
        // but a digit or a dot, letters included) is a user's.
        let ruleset = ruleset_of_regex(r"(?:^|[^0-9.])[0-9]+% cured").unwrap();
        let m = &ruleset.matcher;
        assert_eq!(m.ungated.len(), 1);
        let compiled = || {
            m.ungated
                .iter()
                .filter(|&&i| {
                    let r = &m.regexes[i];
                    r.compiled.get().is_some() || r.unfiltered.get().is_some()
                })
                .count()
        };
        assert!(m.find("").is_empty());
        assert_eq!(compiled(), 0);
        let found = m.find("Over 90% cured, and x5% cured too.");
        assert_eq!(compiled(), m.ungated.len());
        // Early in a run, without the prefilter (cheaper to build).
        assert!(
            m.ungated
                .iter()
                .all(|&i| m.regexes[i].compiled.get().is_none())
        );
        assert!(
            found
                .iter()
                .any(|h| m.ungated.iter().any(|&i| m.regexes[i].rule == h.rule)),
            "{found:?}"
        );
    }

    #[test]
    fn gated_regexes_find_exactly_what_a_regex_set_and_find_iter_find() {
        let ruleset = all_rules();
        let reference = RegexSetMatcher::new(&ruleset.matcher);
        let corpus = corpus(&ruleset);
        assert!(corpus.len() > 100, "{} texts", corpus.len());
        // Past the bytes after which gap regexes get their tail gates, so every text is
        // searched with them.
        ruleset.matcher.find(&" ".repeat(TAIL_AFTER_BYTES));
        let mut regex_hits = 0;
        for (name, text) in &corpus {
            let expected = reference.find(text);
            let found = ruleset.matcher.find(text);
            assert_eq!(found, expected, "{name}");
            regex_hits += found
                .iter()
                .filter(|h| {
                    ruleset
                        .matcher
                        .regexes
                        .iter()
                        .any(|r| r.rule == h.rule && r.pattern == h.pattern)
                })
                .count();
        }
        assert!(regex_hits > 100, "only {regex_hits} regex hits");
        let tails = ruleset
            .matcher
            .regexes
            .iter()
            .filter_map(|r| r.anchored.get()?.as_ref()?.tail.get()?.as_ref())
            .count();
        assert!(tails > 20, "only {tails} tail gates built");
        let with_needs = ruleset
            .matcher
            .regexes
            .iter()
            .filter(|r| r.has_needs)
            .count();
        assert!(
            with_needs > 100,
            "only {with_needs} regexes with need words"
        );
    }

    proptest::proptest! {
        /// Regexes with a lead (`(?:^|[^0-9A-Za-z_.,...])[0-9]{1,3} in ...`) run from the byte
        /// before their literal too; what they find is what `find_iter` finds, whatever stands
        /// before the number.
        #[test]
        fn lead_regexes_find_what_find_iter_finds(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "9", "12", "1.5", "4,9", " in ", " out of ", "10", "ten", "nine", "about ",
                " ", "\n", "(", "-", ".", ",", "x", "_", "\u{2014}", "\u{e9}", "patients",
                ". ",
            ]),
            1..10,
        )) {
            let (ruleset, reference) = (LEAD_RULES.0, &LEAD_RULES.1);
            let text = pieces.concat();
            let lead_rules: Vec<(usize, usize)> = ruleset
                .matcher
                .regexes
                .iter()
                .filter(|r| r.lead.is_some())
                .map(|r| (r.rule, r.pattern))
                .collect();
            proptest::prop_assert!(!lead_rules.is_empty());
            let of_leads = |hits: Vec<Hit>| -> Vec<Hit> {
                hits.into_iter()
                    .filter(|h| lead_rules.contains(&(h.rule, h.pattern)))
                    .collect()
            };
            proptest::prop_assert_eq!(
                of_leads(ruleset.matcher.find(&text)),
                of_leads(reference.find(&text)),
                "{:?}", text
            );
        }
    }

    /// A lead regex's finding leaves out a lead that only rules matches out. A lead from a short
    /// list of signs may be part of the claim ("+20%"), and one before a literal that another
    /// alternative may start with a sign (`$5`) could not be told from it: such matches keep
    /// the byte (for the second, a known limitation, asserted as it is).
    #[test]
    fn a_lead_byte_is_dropped_from_the_match_only_where_it_cannot_be_a_sign() {
        let text = "Odds: -9 in 10, $5 in 10, +20% in 10.";
        let ranges = |regex: &str| -> (Lead, Vec<&str>) {
            let ruleset = ruleset_of_regex(regex).unwrap();
            let m = &ruleset.matcher;
            let found = m.find(text);
            assert_eq!(found, RegexSetMatcher::new(m).find(text), "{regex}");
            let matched = found.iter().map(|h| &text[h.range.clone()]).collect();
            (m.regexes[0].lead, matched)
        };
        assert_eq!(
            ranges(r"(?:^|[^0-9A-Za-z_])[0-9]+ in 10"),
            (Lead::Dropped, vec!["9 in 10", "5 in 10"])
        );
        assert_eq!(
            ranges(r"(?:(?:^|[^0-9A-Za-z_])[0-9]+|\$[0-9]+) in 10"),
            (Lead::Kept, vec!["-9 in 10", "$5 in 10"])
        );
        assert_eq!(ranges(r"[-+][0-9]+%"), (Lead::Kept, vec!["+20%"]));
    }

    /// A one-rule ruleset with `regex` as its pattern, or `None` if it does not load.
    fn ruleset_of_regex(regex: &str) -> Option<Ruleset> {
        let rule = format!(
            "id = \"demo\"\nseverity = \"warning\"\nsummary = \"A demo.\"\nwhy = \"w\"\n\
             instead = \"i\"\n\n[[pattern]]\nkind = \"regex\"\nregex = '{regex}'\n\
             message = \"`{{matched}}` demo\"\n"
        );
        Ruleset::from_files(
            &[("x/demo.toml", rule.as_str()), ("x/ruleset.toml", "")],
            &crate::rules::RulesetOptions::default(),
        )
        .ok()
    }

    /// A small deterministic generator of regex and text pieces (xorshift), for the proptest
    /// below: proptest draws the seed.
    struct Pieces(u64);

    impl Pieces {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[(self.next() % from.len() as u64) as usize]
        }

        /// Alternatives of leads, numbers, words, optional and repeated parts, nested.
        fn regex(&mut self, depth: u32) -> String {
            const LEADS: &[&str] = &[
                r"[^0-9A-Za-z_]",
                r"(?:^|[^0-9A-Za-z_.,])",
                r"(?:(?m:^)|[^0-9A-Za-z_\n])",
                r"([^0-9A-Za-z_-])",
                r"[ (]",
                r"(?:\A|[-(])",
                r"[^0-9.]",
            ];
            const BODY: &[&str] = &[
                r"9",
                r"[0-9]{1,3}",
                r"[0-9]+",
                r"[0-9]{3,6}",
                r"ab",
                r"(?:ab|9)",
                r"x?",
                r"\b",
                r" in",
                r"(?:9|-)",
                r"(?:x|)",
                r"(9)",
                r"[a-z]",
                r" ",
                r"(?:b9)*",
                r"\B",
            ];
            let parts = 1 + self.next() % 3;
            let alternatives: Vec<String> = (0..1 + self.next() % 3)
                .map(|_| {
                    let mut alternative = String::new();
                    if !self.next().is_multiple_of(3) {
                        alternative.push_str(self.pick(LEADS));
                    }
                    for _ in 0..parts {
                        if depth > 0 && self.next().is_multiple_of(5) {
                            alternative.push_str(&format!("(?:{})", self.regex(depth - 1)));
                        } else {
                            alternative.push_str(self.pick(BODY));
                        }
                    }
                    alternative
                })
                .collect();
            let regex = alternatives.join("|");
            match self.next() % 6 {
                0 => format!("({regex})"),
                1 => format!("(?:{regex})x"),
                2 => format!("(?:{regex})+"),
                _ => regex,
            }
        }

        fn text(&mut self) -> String {
            const BYTES: &[&str] = &[
                "9", "a", "b", "x", " ", "-", "\n", "(", ".", "1", "123", "\u{e9}", "_", "Ab",
                "IN", " in", "\r\n", "B9",
            ];
            (0..1 + self.next() % 10)
                .map(|_| self.pick(BYTES))
                .collect()
        }
    }

    /// A rule regex as `find_iter` should read it: case-insensitive, as rule regexes are.
    fn reference_regex(regex: &str) -> regex::bytes::Regex {
        regex::bytes::RegexBuilder::new(regex)
            .case_insensitive(true)
            .unicode(false)
            .build()
            .unwrap()
    }

    /// The ranges the one-regex matcher `m` finds in `text`, and those `find_iter` of its
    /// `reference` finds, trimmed as hits are.
    fn found_and_expected(
        m: &Matcher,
        reference: &regex::bytes::Regex,
        text: &str,
    ) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
        let found = m.find(text).into_iter().map(|h| h.range).collect();
        let mut expected = Vec::new();
        for x in reference.find_iter(text.as_bytes()) {
            push_regex_hit(&mut expected, text, &m.regexes[0], x.range());
        }
        (found, expected.into_iter().map(|h| h.range).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Random regexes with leads (see `gate::Lead`) or literals cut short find, woken
        /// at their literals, what `find_iter` finds in random texts.
        #[test]
        fn random_lead_and_short_regexes_find_what_find_iter_finds(seed in 1..u64::MAX) {
            let mut pieces = Pieces(seed);
            let mut checked = 0;
            for _ in 0..40 {
                let regex = pieces.regex(2);
                let gate = gate(&regex);
                let short = gate
                    .prefixes
                    .as_ref()
                    .is_some_and(|p| p.iter().any(|p| p.bytes.len() < 8));
                if !(gate.lead.is_some() || short) {
                    continue;
                }
                let Some(ruleset) = ruleset_of_regex(&regex) else {
                    continue;
                };
                let reference = reference_regex(&regex);
                for _ in 0..20 {
                    let text = pieces.text();
                    let (found, expected) = found_and_expected(&ruleset.matcher, &reference, &text);
                    proptest::prop_assert_eq!(found, expected, "{:?} on {:?}", regex, text);
                }
                checked += 1;
            }
            proptest::prop_assert!(checked > 0, "no regex with a lead or short literals");
        }
    }

    impl Pieces {
        /// A first part, then parts with words after it: regexes with need words.
        fn need_regex(&mut self) -> String {
            const FIRST: &[&str] = &[
                r"\bpain",
                r"\b(?:pain|aches?)",
                r"\b[0-9]{1,3}",
                r"\bcures?",
                r"(?:^|[^0-9a-z])[0-9]+",
            ];
            const PARTS: &[&str] = &[
                r" ",
                r" ?",
                r"(?:will )?",
                r"never",
                r"(?:never|not)",
                r"backs?",
                r"\b",
                r"[a-z]{0,5}",
                r"[^.]{0,10}?",
                r"-",
                r"(?:the|your)",
                r"%",
                r"(?:in|within)",
                r"24",
                r"hours?",
                r"(?:x|fold)",
            ];
            let mut regex = self.pick(FIRST).to_owned();
            for _ in 0..2 + self.next() % 5 {
                regex.push_str(self.pick(PARTS));
            }
            regex
        }

        fn need_text(&mut self) -> String {
            const WORDS: &[&str] = &[
                "pain",
                "aches",
                "12",
                "7",
                " ",
                "never",
                "Never",
                "not",
                "back",
                "BACKS",
                "will ",
                "the",
                "-",
                "x",
                "nevermore",
                "%",
                "24",
                "hours",
                ".",
                "\n",
                "in",
                "within",
                "fold",
                "_",
                "\u{e9}",
                "cure",
                "cures",
            ];
            (0..1 + self.next() % 12)
                .map(|_| self.pick(WORDS))
                .collect()
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Random regexes with need words (see `gate::need_words`), run only where one lies in
        /// reach, find what `find_iter` finds in random texts: with the scan searching directly
        /// (a run's first kilobytes) and with its tables.
        #[test]
        fn random_regexes_with_need_words_find_what_find_iter_finds(seed in 1..u64::MAX) {
            let mut pieces = Pieces(seed);
            let mut checked = 0;
            // Most random regexes have need words; up to 20 of them are checked per case.
            for _ in 0..300 {
                if checked == 20 {
                    break;
                }
                let regex = pieces.need_regex();
                if gate(&regex).needs.is_none() {
                    continue;
                }
                let Some(ruleset) = ruleset_of_regex(&regex) else {
                    continue;
                };
                let m = &ruleset.matcher;
                let reference = reference_regex(&regex);
                proptest::prop_assert!(m.regexes[0].has_needs);
                for i in 0..20 {
                    if i == 10 {
                        m.find(&" ".repeat(super::super::literals::TABLES_AFTER_BYTES));
                    }
                    let text = pieces.need_text();
                    let (found, expected) = found_and_expected(m, &reference, &text);
                    proptest::prop_assert_eq!(found, expected, "{:?} on {:?}", regex, text);
                }
                checked += 1;
            }
            proptest::prop_assert!(checked > 0, "no regex with need words");
        }
    }

    /// The rulesets and their reference matcher, built once for the proptest's cases.
    #[allow(clippy::type_complexity)]
    static LEAD_RULES: std::sync::LazyLock<(
        &'static crate::rules::Ruleset,
        RegexSetMatcher<'static>,
    )> = std::sync::LazyLock::new(|| {
        let ruleset: &'static crate::rules::Ruleset = Box::leak(Box::new(all_rules()));
        (ruleset, RegexSetMatcher::new(&ruleset.matcher))
    });

    #[test]
    fn precomputed_gates_are_what_the_regexes_give() {
        let ruleset = all_rules();
        assert!(GATES.len() > 100);
        for &(source, _, _, _, _) in GATES {
            assert_eq!(gate_of(source), gate(source), "{source}");
        }
        // Every enabled embedded regex was found by build.rs.
        for r in &ruleset.matcher.regexes {
            assert!(
                GATES
                    .binary_search_by(|&(s, _, _, _, _)| s.cmp(&r.source))
                    .is_ok(),
                "{}",
                r.source
            );
        }
    }

    #[test]
    fn precomputed_readings_are_what_the_regexes_give() {
        assert_eq!(READINGS.len(), GATES.len());
        for &(source, _, _, _, _) in GATES {
            let (hir, on_lowercased) = matcher_hir(source).unwrap();
            let (stored, stored_on_lowercased) = precomputed_reading(source).unwrap();
            assert_eq!(stored, hir, "{source}");
            assert_eq!(stored_on_lowercased, on_lowercased, "{source}");
        }
        // A user's regex has none stored, and is read at run time.
        assert!(precomputed_reading(r"\bnot an embedded regex\b").is_none());
    }

    #[test]
    fn regexes_read_for_lowercased_text_match_as_the_case_insensitive_ones_do() {
        for (pattern, simple) in [
            (r"\bCures? (?:Pain|[A-Z]+)\b", true),
            (r"\b[a-z ]{2,9}\W[^.!?]{0,5}", true),
            (r"x[^a-z]", false),
            (r"x[^Q]", false),
            (r"x[a[^b]]", false),
            (r"x[^\w]", false),
            (r"(?-i:Foo)", false),
            (r"x[a-z&&[^q]]", false),
        ] {
            assert_eq!(
                regex_reading::lowercase_hir(pattern).is_some(),
                simple,
                "{pattern}"
            );
            let reference = regex::bytes::RegexBuilder::new(pattern)
                .case_insensitive(true)
                .unicode(false)
                .build()
                .unwrap();
            let anchored = AnchoredRegex::new(pattern).unwrap();
            assert_eq!(anchored.on_lowercased, simple, "{pattern}");
            for text in [
                "CURES PAIN now",
                "cures Arthritis. Yes",
                "Cure ABC-def!",
                "xQ xq x1 xA x_",
                "Foo foo FOO",
                "x5 xb xB",
            ] {
                let searched = if simple {
                    text.to_ascii_lowercase()
                } else {
                    text.to_owned()
                };
                let mut cache = anchored.caches.get();
                for start in 0..text.len() {
                    let input = Input::new(searched.as_bytes())
                        .range(start..)
                        .anchored(Anchored::Yes);
                    let end = anchored
                        .dfa
                        .try_search_fwd(&mut cache, &input)
                        .unwrap()
                        .map(|h| h.offset());
                    let expected = reference
                        .find_at(text.as_bytes(), start)
                        .filter(|m| m.start() == start)
                        .map(|m| m.end());
                    assert_eq!(end, expected, "{pattern} on {text:?} at {start}");
                }
            }
        }
    }

    /// The word-by-word look-ups (and the direct search of a run's first kilobytes) find every
    /// phrase, wake-up and cue that an Aho-Corasick automaton of all the scan's literals (which
    /// the scan used to walk) finds, and no other.
    #[test]
    fn the_scan_finds_what_an_automaton_of_all_its_literals_finds() {
        let ruleset = all_rules();
        let matcher = &ruleset.matcher;
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(matcher.scan.patterns())
            .unwrap();
        let sorted = |(wakes, cues): (Wakes, CueIndex)| {
            let mut phrases = wakes.phrase_hits;
            sort_hits(&mut phrases);
            let mut buckets = wakes.buckets;
            buckets.iter_mut().for_each(|b| b.sort_unstable());
            (phrases, buckets, cues.hits)
        };
        let mut compared = 0;
        for (name, text) in corpus(&ruleset) {
            let expected = sorted(matcher.scan_with(&text, |lowered, sink| {
                for m in automaton.find_overlapping_iter(lowered) {
                    sink.found(m.pattern().as_usize(), m.start(), m.end());
                }
            }));
            for directly in [false, true] {
                let got = sorted(matcher.scan_with(&text, |lowered, sink| {
                    matcher
                        .scan
                        .for_each_match_by(directly, lowered, |id, start, end| {
                            sink.found(id, start, end)
                        })
                }));
                assert!(got == expected, "{name}, directly: {directly}");
            }
            compared += expected.0.len() + expected.1.iter().map(Vec::len).sum::<usize>();
        }
        assert!(
            compared > 10_000,
            "the corpus has hits to compare: {compared}"
        );
    }

    /// The page scan's cues are exactly those an automaton of the cue terms alone finds: sharing
    /// the walk with phrases and prefixes loses and adds none.
    #[test]
    fn the_shared_scan_finds_the_cues_a_cue_only_scan_finds() {
        let ruleset = all_rules();
        let mut terms = Vec::new();
        let mut lists = Vec::new();
        for (i, list) in ruleset.term_lists.iter().enumerate() {
            for term in &list.terms {
                for v in phrase_variants(term) {
                    terms.push(v);
                    lists.push(i);
                }
            }
        }
        let cue_only = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&terms)
            .unwrap();
        let mut total = 0;
        for (name, text) in corpus(&ruleset) {
            let mut expected: Vec<CueHit> = cue_only
                .find_overlapping_iter(text.as_str())
                .filter(|m| is_bounded(&text, m.start(), m.end()))
                .map(|m| CueHit::new(lists[m.pattern().as_usize()], m.range()).unwrap())
                .collect();
            expected.sort_by_key(|c| (c.start, c.end, c.list));
            let (_, cues) = ruleset.matcher.scan(&text);
            assert_eq!(cues.all(), expected.as_slice(), "{name}");
            total += expected.len();
        }
        assert!(total > 10_000, "the corpus has cues to compare: {total}");
    }

    #[test]
    fn every_embedded_regex_compiles_within_the_size_limit() {
        // Loading skips this check for embedded rulesets (see `RuleFile::embedded`).
        let ruleset = all_rules();
        assert!(ruleset.matcher.regexes.len() > 100);
        for r in &ruleset.matcher.regexes {
            assert_eq!(build_regex(&r.source), Ok(()), "{}", r.source);
        }
    }

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

    /// `normalize` as it was before its ASCII fast path, one character at a time: the reference
    /// the property test holds it to.
    /// Folds curly quotes to straight ones, dashes to `-`, and runs of spaces, tabs and no-break
    /// spaces to one space. Line feeds (block separators) are kept, so nothing matches across blocks.
    fn normalize_reference(prose: &str) -> Normalized {
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

    proptest::proptest! {
        #[test]
        fn normalize_matches_the_character_by_character_reference(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "a", "B", " ", " ", "\t", "\n", "\u{a0}", "\u{2009}", "\u{202f}", "\u{2007}",
                "\u{2019}", "\u{201c}", "\u{2014}", "\u{2212}", "\u{e9}", "-", "'", ".", "x y",
            ]),
            0..30,
        )) {
            let prose: String = pieces.concat();
            let (fast, slow) = (normalize(&prose), normalize_reference(&prose));
            proptest::prop_assert_eq!(&fast.text, &slow.text);
            proptest::prop_assert_eq!(&fast.points, &slow.points);
        }

        /// The eight-at-a-time run end is where the byte-by-byte test first fails, from every
        /// start, with the special bytes anywhere in and around a chunk.
        #[test]
        fn kept_ascii_runs_end_where_the_byte_test_fails(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "plain words", "abcdefghijklmnop", " ", "  ", "\t", "\u{e9}", ".", "x", "\n",
            ]),
            0..20,
        )) {
            let bytes = pieces.concat().into_bytes();
            for start in 0..=bytes.len() {
                let mut end = start;
                while end < bytes.len() && is_kept_ascii(&bytes, end) {
                    end += 1;
                }
                proptest::prop_assert_eq!(kept_ascii_run_end(&bytes, start), end, "from {}", start);
            }
        }
    }

    proptest::proptest! {
        /// Wake-ups in order, each with its own window: the cached answers are the ones a
        /// fresh look at every window gives.
        #[test]
        fn tail_checks_answer_as_a_search_of_each_window_would(
            text in proptest::collection::vec(proptest::sample::select(b"abcx ".to_vec()), 0..60),
            mut windows in proptest::collection::vec((0usize..60, 0usize..30), 0..12),
        ) {
            let tails: &[&[u8]] = &[b"abc", b"bca", b"xxa", b"cab c"];
            let tail = Tail::new(tails).unwrap();
            windows.sort();
            let mut seen = TailSeen::default();
            for (start, len) in windows {
                let start = start.min(text.len());
                let end = (start + len).min(text.len());
                let expected = tails
                    .iter()
                    .any(|t| text[start..end].windows(t.len()).any(|w| w == *t));
                proptest::prop_assert_eq!(seen.within(&tail, &text, start, end), expected);
            }
        }
    }

    /// A match that ends right at its bound (the sentence end, in a lint) has its tail literal
    /// right at the end of the window, where an off-by-one would lose it.
    #[test]
    fn tail_gates_keep_matches_that_end_at_their_bound() {
        let ruleset = all_rules();
        let matcher = &ruleset.matcher;
        let reference = RegexSetMatcher::new(matcher);
        matcher.find(&" ".repeat(TAIL_AFTER_BYTES));
        let has_tail = |rule: usize, pattern: usize| {
            matcher.regexes.iter().any(|r| {
                (r.rule, r.pattern) == (rule, pattern)
                    && r.anchored()
                        .is_some_and(|a| a.tail(&r.source, TAIL_AFTER_BYTES).is_some())
            })
        };
        let mut checked = 0;
        for (name, text) in corpus(&ruleset) {
            for hit in reference.find(&text) {
                if !has_tail(hit.rule, hit.pattern) {
                    continue;
                }
                let (wakes, _) = matcher.scan(&text);
                let end = hit.range.end;
                let found = matcher.hits(&text, wakes, |rule, pattern, start| {
                    let this = (rule, pattern, start) == (hit.rule, hit.pattern, hit.range.start);
                    Some(if this { end } else { text.len() })
                });
                assert!(
                    found.contains(&hit),
                    "{name}: {hit:?} lost when bounded at its end"
                );
                checked += 1;
            }
        }
        assert!(checked > 50, "only {checked} matches of tail-gated regexes");
    }

    /// A user's regex with a case-sensitive Unicode class: its tails are lowercased like the
    /// text they are looked for in, so the gate never hides its match.
    #[test]
    fn a_case_sensitive_tail_still_finds_its_match() {
        let dir = tempfile::tempdir().unwrap();
        let rule = r#"
id = "demo-approval"
severity = "warning"
summary = "Says a regulator approved it (test rule)."
why = "Tests need a gap regex with a case-sensitive ending."
instead = "Say what was approved."

[[pattern]]
kind = "regex"
regex = '\bketamine\b[^.!?]{0,40}\b(?u-i:[FG]DA)\b'
message = "`{matched}`"

[[example]]
text = "Ketamine is approved by the FDA."
expect = ["demo-approval"]

[[example]]
text = "Ketamine is approved by the fda."
expect = []
"#;
        std::fs::write(dir.path().join("demo-approval.toml"), rule).unwrap();
        let ruleset = crate::rules::Ruleset::load(&crate::rules::RulesetOptions {
            paths: vec![dir.path().to_path_buf()],
            only: vec!["demo-approval".to_owned()],
            ..crate::rules::RulesetOptions::default()
        })
        .unwrap();
        let matcher = &ruleset.matcher;
        let text = "Ketamine is approved by the FDA.";
        let before = matcher.find(text);
        assert_eq!(before.len(), 1, "{before:?}");
        // Past the warm-up, the tail gate is built and used.
        matcher.find(&" ".repeat(TAIL_AFTER_BYTES));
        assert_eq!(matcher.find(text), before);
        let tail_built = matcher.regexes.iter().any(|r| {
            r.anchored()
                .and_then(|a| a.tail.get())
                .is_some_and(Option::is_some)
        });
        assert!(tail_built);
    }

    #[test]
    fn gap_regexes_get_a_tail_and_others_do_not() {
        let tail_of = |pattern: &str| {
            let (hir, on_lowercased) = matcher_hir(pattern).unwrap();
            Tail::of(&hir, on_lowercased)
        };
        // A gap and a finite ending: gated. Its reach is bounded by the longest match.
        let gap = r"\bketamine\b[^.!?]{0,40}?\b(?:is|are) (?:fda[- ]approved|cleared)\b";
        let gated = tail_of(gap).expect("a gap regex with literal endings has a tail");
        assert!(gated.literals.is_match("is fda-approved"));
        assert!(gated.literals.is_match("are cleared"));
        assert!(!gated.literals.is_match("ketamine is safe"));
        let anchored = AnchoredRegex::new(gap).unwrap();
        assert!(anchored.max_len.is_some_and(|n| (40..100).contains(&n)));
        // No gap: the automaton dies within a few bytes, so a tail search would cost more.
        assert!(tail_of(r"\b[0-9]{1,3} ?% (?:better|faster)\b").is_none());
        // A gap but an open ending, or endings too short to be selective: no tail.
        assert!(tail_of(r"\bcures?\b[^.]{0,40}[a-z]+").is_none());
        assert!(tail_of(r"\bit\b[^.]{0,40}\b(?:is|are)\b").is_none());
    }

    /// `is_bounded` decoding every neighbour, as it did before its ASCII fast path.
    fn is_bounded_reference(text: &str, start: usize, end: usize) -> bool {
        let word = |c: char| c.is_alphanumeric();
        let first = text[start..].chars().next();
        let last = text[..end].chars().next_back();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        (!first.is_some_and(word) || !before.is_some_and(word))
            && (!last.is_some_and(word) || !after.is_some_and(word))
    }

    proptest::proptest! {
        #[test]
        fn is_bounded_matches_the_decoding_reference(pieces in proptest::collection::vec(
            proptest::sample::select(vec!["a", "Z", "7", " ", "-", "%", "\u{e9}", "\u{3b1}", "\u{2014}", "\u{1d400}", "\u{a0}"]),
            0..12,
        )) {
            let text: String = pieces.concat();
            let cuts: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            for &start in &cuts {
                for &end in cuts.iter().filter(|&&e| e >= start) {
                    proptest::prop_assert_eq!(
                        is_bounded(&text, start, end),
                        is_bounded_reference(&text, start, end),
                        "{:?} {}..{}", text, start, end
                    );
                }
            }
        }
    }

    proptest::proptest! {
        /// The one-walk mapping of many offsets gives what `from_prose` gives for each, whether
        /// they ascend (sentence bounds) or not.
        #[test]
        fn offsets_mapped_in_one_walk_are_those_mapped_one_by_one(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["a", " ", "  \t ", "\u{2019}", "\u{2014}", "\n", "b c", "\u{a0}"]),
                0..30,
            ),
            mut offsets in proptest::collection::vec(0usize..200, 0..20),
            ascending in proptest::bool::ANY,
        ) {
            let prose: String = pieces.concat();
            let norm = normalize(&prose);
            let offsets_in: Vec<usize> = {
                offsets.iter_mut().for_each(|o| *o = (*o).min(prose.len()));
                if ascending {
                    offsets.sort_unstable();
                }
                offsets
            };
            let one_by_one: Vec<usize> = offsets_in.iter().map(|&o| norm.from_prose(o)).collect();
            proptest::prop_assert_eq!(norm.from_prose_ascending(offsets_in.iter().copied()), one_by_one);
        }
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

    /// The ASCII shortcut of `phrase_variants` gives what normalising gives, for every phrase
    /// and term of the embedded rulesets and a few odd spellings.
    #[test]
    fn phrase_variants_take_the_ascii_shortcut_only_where_normalising_keeps_the_text() {
        let slow = |phrase: &str| normalize(&phrase.to_lowercase()).text.trim().to_owned();
        let ruleset = all_rules();
        let mut phrases: Vec<String> = ruleset
            .matcher
            .phrase_texts
            .iter()
            .cloned()
            .chain(
                ruleset
                    .term_lists
                    .iter()
                    .flat_map(|l| l.terms.iter().cloned()),
            )
            .collect();
        phrases.extend(
            [
                "  Side-Effect FREE ",
                "no\tside effects",
                "two  spaces",
                "caf\u{e9} au lait",
                "it\u{2019}s safe",
                "\u{130}stanbul",
                "",
                "-",
            ]
            .map(String::from),
        );
        assert!(phrases.len() > 1000, "{}", phrases.len());
        for phrase in &phrases {
            let base = phrase_variants(phrase).first().cloned().unwrap_or_default();
            assert_eq!(base, slow(phrase), "{phrase:?}");
        }
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
