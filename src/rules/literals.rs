//! Finding the matcher's literals (phrase spellings, regex prefix literals, cue terms) in
//! ASCII-lowercased text: nearly all are looked up word by word in hash tables, and the few that
//! can start inside a word or with a sign (`$5`, `#1`) are found with `memchr` and `memmem`.
//!
//! Why not one automaton for all of them: walking an Aho-Corasick automaton of some 9,000
//! patterns costs 70-90 instructions a byte (its states miss the cache, and failure links are
//! followed through the shallow part of the trie), and most of what it finds ("i" inside every
//! word with an i) is then dropped for not starting or ending at a word boundary. A literal
//! that only counts at the start of a word can only be there if the text's word at that point
//! is its own first word (or, for a literal that may end inside a word, begins with it), which
//! one or a few table look-ups per word answer.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, MatchKind};
use memchr::memmem;

use crate::swar;

/// A literal to find, and which of its occurrences its caller keeps (it may be given others,
/// and filters them itself).
#[derive(Clone, Debug)]
pub(crate) struct Literal {
    /// ASCII lowercase, as the text searched is.
    pub bytes: Vec<u8>,
    /// Only occurrences where the byte before is not an ASCII letter or digit are kept.
    pub at_word_start: bool,
    /// Occurrences followed by an ASCII letter or digit are kept (a regex's prefix literal
    /// cut short: "pharmace" in "pharmaceutical"); otherwise such an occurrence of a literal
    /// that ends in a letter or digit is dropped.
    pub may_end_in_word: bool,
}

/// The literals, and the tables they are looked up in. The first few kilobytes a process scans
/// are searched directly, literal by literal (building the tables takes longer than a
/// one-paragraph check); then the tables are built.
#[derive(Debug)]
pub(crate) struct Literals {
    literals: Vec<Literal>,
    /// For the direct search: the ids of the literals by their first byte.
    by_first_byte: Vec<Vec<u32>>,
    /// `None` if they cannot be built (an automaton with more states than it can number, or a
    /// billion literals under one key): the direct search then does all the work.
    tables: OnceLock<Option<Tables>>,
    /// Bytes scanned so far, by every thread.
    scanned: AtomicUsize,
}

/// At most this many literals are searched (ids are `u32`, and a table's ranges count them in
/// `u32` too); a ruleset with more is not one anyone writes.
const MAX_LITERALS: usize = u32::MAX as usize;

/// Bytes searched directly, literal by literal, before the tables are built.
pub(crate) const TABLES_AFTER_BYTES: usize = 4 * 1024;

/// The literals sorted into tables by how they are found (ids index `Literals::literals`).
#[derive(Debug)]
struct Tables {
    /// Literals found at word starts that have no second word ("cure", "dr."), keyed by the
    /// hash of their first word (`word_hash`), which must be the text's whole word there; a
    /// slot also says which `by_pair` keys start with the word. Keys are hashes, not words (no
    /// allocation per literal at start-up): candidates are compared byte for byte.
    by_word: SlotTable,
    /// Literals found at word starts that have a second word, keyed by the hash of their first
    /// word, the separator and the first one or two bytes of the second word (`pair_key_len`).
    /// Filing "no side effects" under "no si" spares comparing it at
    /// every "no" of a page, and the many prefix literals cut short at eight bytes ("the anti")
    /// at every "the".
    by_pair: SlotTable,
    /// One-word literals that may end inside a word, keyed by the hash of their bytes: the
    /// text's word at a word start is looked up by each of its prefixes that has such a length.
    by_head: SlotTable,
    /// Every key of `by_word`: most of a page's words have no literal, and this filter (8 KB)
    /// stays in the cache where the hash tables would not.
    filter: HashFilter,
    /// Every key of `by_head`. A filter apart from `filter`: a word's prefixes are often words
    /// ("the" of "therapy"), which would pass that one.
    head_filter: HashFilter,
    /// Every key of `by_pair`: three in four pair keys a page asks for have no literal (the
    /// words after "the", "of", "is" are mostly not those of a phrase).
    pair_filter: HashFilter,
    /// For each first two bytes (`head_slot`), bit `k` is set when `by_head` has a literal of
    /// `k` bytes starting with them, so a word is looked up only at those lengths. One-byte
    /// literals are filed under their byte alone, and their bit is copied into every slot of
    /// two bytes starting with it: a word of two bytes or more reads one slot.
    head_lengths: Vec<u64>,
    /// The literals that can start anywhere.
    anywhere: Option<Anywhere>,
}

/// A literal filed in a table, with what rejects most candidates without reading the literal
/// (which costs a cache miss or two): its length and its first eight bytes.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    head: u64,
    id: u32,
    len: u32,
}

impl Candidate {
    fn new(id: u32, bytes: &[u8]) -> Candidate {
        Candidate {
            head: first_bytes(bytes),
            id,
            // Literals come from rule files and are far shorter than 4 GiB.
            len: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        }
    }

    /// Whether the literal starts `text`.
    fn starts(&self, text: &[u8], literals: &[Literal]) -> bool {
        let len = self.len as usize;
        if len > text.len() {
            return false;
        }
        // One load where the text has eight bytes (a copy of a variable length is a call).
        let head = if text.len() >= 8 {
            let kept = if len >= 8 {
                u64::MAX
            } else {
                (1 << (8 * len)) - 1
            };
            swar::load(text, 0) & kept
        } else {
            first_bytes(&text[..len])
        };
        head == self.head && (len <= 8 || text[8..len] == literals[self.id as usize].bytes[8..])
    }
}

/// Up to the first eight bytes of `bytes`, little-endian, zero-padded.
fn first_bytes(bytes: &[u8]) -> u64 {
    let mut buffer = [0u8; 8];
    let n = bytes.len().min(8);
    buffer[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(buffer)
}

/// A set of hashes that may answer "yes" for a hash not in it, never "no" for one in it: one
/// bit per `FILTER_BITS`-bit slice of a hash.
#[derive(Debug)]
struct HashFilter(Vec<u64>);

/// How many bits of a hash pick its bit in a `HashFilter`.
const FILTER_BITS: u32 = 16;

impl HashFilter {
    fn new(hashes: impl IntoIterator<Item = u64>) -> HashFilter {
        let mut filter = HashFilter(vec![0u64; (1 << FILTER_BITS) / 64]);
        for hash in hashes {
            let (word, bit) = HashFilter::bit(hash);
            filter.0[word] |= bit;
        }
        filter
    }

    /// A hash's bit: its word, and the bit in it.
    fn bit(hash: u64) -> (usize, u64) {
        let bit = (hash >> (64 - FILTER_BITS)) as usize;
        (bit / 64, 1 << (bit % 64))
    }

    /// False when `hash` is not in the set.
    fn may_hold(&self, hash: u64) -> bool {
        let (word, bit) = HashFilter::bit(hash);
        self.0[word] & bit != 0
    }
}

/// The literals that can start anywhere (`$5`, `#1`, and those of regexes without a leading
/// `\b`). The default rulesets have 70: those starting with a sign are found where that byte
/// is (`memchr`, which skips ahead), the few starting with a letter (`no. 1`) each by its own
/// substring search. An automaton of the 70 walked every byte (4% of a run), since a common
/// letter was among their first bytes. Past `MAX_FEW_ANYWHERE` literals, an automaton is used.
#[derive(Debug)]
enum Anywhere {
    Few {
        /// Literals starting with a rarer byte, grouped by it, each group sorted by
        /// `second_byte_key` (so a page of `$$$$` compares nothing).
        by_first_byte: Vec<(u8, Vec<(u16, u32)>)>,
        /// Literals starting with a letter, digit or space, each with its searcher.
        searched: Vec<(memmem::Finder<'static>, u32)>,
    },
    Many(AhoCorasick, Vec<u32>),
}

/// How `Anywhere::Few` sorts a literal by its second byte: 0 for none (a one-byte literal).
fn second_byte_key(second: Option<&u8>) -> u16 {
    second.map_or(0, |&b| u16::from(b) + 1)
}

/// The most literals that can start anywhere searched for without an automaton.
const MAX_FEW_ANYWHERE: usize = 128;

impl Anywhere {
    fn new(ids: Vec<u32>, literals: &[Literal]) -> Option<Anywhere> {
        if ids.len() > MAX_FEW_ANYWHERE {
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(ids.iter().map(|&id| &literals[id as usize].bytes))
                .ok()?;
            return Some(Anywhere::Many(automaton, ids));
        }
        let mut by_first_byte: Vec<(u8, Vec<(u16, u32)>)> = Vec::new();
        let mut searched = Vec::new();
        for id in ids {
            let bytes = &literals[id as usize].bytes;
            match bytes.first() {
                Some(&first) if is_word_byte(first) || first == b' ' => {
                    searched.push((memmem::Finder::new(bytes).into_owned(), id));
                }
                Some(&first) => {
                    let entry = (second_byte_key(bytes.get(1)), id);
                    match by_first_byte.iter_mut().find(|(b, _)| *b == first) {
                        Some((_, group)) => group.push(entry),
                        None => by_first_byte.push((first, vec![entry])),
                    }
                }
                // An empty literal occurs everywhere and is no claim: not searched.
                None => {}
            }
        }
        for (_, group) in &mut by_first_byte {
            group.sort_unstable();
        }
        Some(Anywhere::Few {
            by_first_byte,
            searched,
        })
    }

    /// Every occurrence of these literals in `lowered`, overlapping ones included.
    fn for_each_match(
        &self,
        literals: &[Literal],
        lowered: &[u8],
        found: &mut impl FnMut(usize, usize, usize),
    ) {
        match self {
            Anywhere::Few {
                by_first_byte,
                searched,
            } => {
                for (first, group) in by_first_byte {
                    // The group's one-byte literals sort first.
                    let one_byte = group.partition_point(|&(key, _)| key == 0);
                    for at in memchr::memchr_iter(*first, lowered) {
                        // The one-byte literals, and those whose second byte is the text's.
                        let longer = match lowered.get(at + 1) {
                            Some(second) => {
                                let key = second_byte_key(Some(second));
                                let from = group.partition_point(|&(k, _)| k < key);
                                &group[from..group.partition_point(|&(k, _)| k <= key)]
                            }
                            None => &[],
                        };
                        for &(_, id) in group[..one_byte].iter().chain(longer) {
                            let bytes = &literals[id as usize].bytes;
                            if lowered[at..].starts_with(bytes) {
                                found(id as usize, at, at + bytes.len());
                            }
                        }
                    }
                }
                for (finder, id) in searched {
                    let len = finder.needle().len();
                    let mut from = 0;
                    // One byte past each occurrence, not past its end: occurrences may overlap.
                    while let Some(at) = finder.find(&lowered[from..]) {
                        found(*id as usize, from + at, from + at + len);
                        from += at + 1;
                    }
                }
            }
            Anywhere::Many(automaton, ids) => {
                for m in automaton.find_overlapping_iter(lowered) {
                    found(ids[m.pattern().as_usize()] as usize, m.start(), m.end());
                }
            }
        }
    }
}

/// How much of a literal its `by_pair` key covers: up to the second bytes of its second word
/// (or its only one), and how many bytes of the second word that is. `None` for a literal with
/// no second word.
fn pair_key_len(bytes: &[u8]) -> Option<(usize, usize)> {
    let first = bytes.iter().position(|&b| !is_word_byte(b))?;
    let second = first + bytes[first..].iter().position(|&b| is_word_byte(b))?;
    let taken = word_len(&bytes[second..]).min(2);
    Some((second + taken, taken))
}

/// The length of the word `bytes` start with (0 if they start with no letter or digit).
fn word_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| !is_word_byte(b))
        .unwrap_or(bytes.len())
}

/// Whether a byte of lowercased text belongs to a word for the look-ups (ASCII letters and
/// digits; uppercase never occurs in lowercased text, but counts for any caller that passes it).
fn is_word_byte(byte: u8) -> bool {
    WORD_INDEX[usize::from(byte)] != NOT_A_WORD_BYTE
}

/// Each byte's place among the 36 word bytes (digits, then letters, either case), or
/// `NOT_A_WORD_BYTE`: one table answers both "is it a word byte" and "which `head_lengths` slot".
static WORD_INDEX: [u8; 256] = {
    let mut table = [NOT_A_WORD_BYTE; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = match byte {
            b'0'..=b'9' => byte - b'0',
            b'a'..=b'z' => byte - b'a' + 10,
            b'A'..=b'Z' => byte - b'A' + 10,
            _ => NOT_A_WORD_BYTE,
        };
        b += 1;
    }
    table
};

const NOT_A_WORD_BYTE: u8 = u8::MAX;

/// Slots of `Tables::head_lengths`: 36 letters and digits for the first byte, times the same
/// and "none" for the second.
const HEAD_SLOTS: usize = 36 * SLOTS_PER_FIRST_BYTE;

/// A first byte's row of `head_lengths`: a slot for each second byte, then the slot of "none"
/// (`NO_SECOND_BYTE`).
const SLOTS_PER_FIRST_BYTE: usize = 37;
const NO_SECOND_BYTE: usize = 36;

/// The `head_lengths` slot of a literal or word starting with `first` and `second` (two word
/// bytes, or one and `None`).
fn head_slot(first: u8, second: Option<u8>) -> usize {
    let index = |b: u8| usize::from(WORD_INDEX[usize::from(b)]).min(35);
    index(first) * SLOTS_PER_FIRST_BYTE + second.map_or(NO_SECOND_BYTE, index)
}

/// The hash a word or literal is filed under: its length, then its bytes eight at a time
/// (little-endian, the last ones padded with zeros), each mixed in by a multiply whose top bits
/// (the ones the tables read) depend on all the bits below. A word of up to eight bytes is one
/// mix, and the scan makes it from the bytes it has loaded already (`short_word_hash`).
fn word_hash(word: &[u8]) -> u64 {
    let mut chunks = word.chunks_exact(8);
    let mut hash = word.len() as u64;
    for chunk in &mut chunks {
        hash = mix(hash, swar::load(chunk, 0));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut padded = [0u8; 8];
        padded[..rest.len()].copy_from_slice(rest);
        hash = mix(hash, u64::from_le_bytes(padded));
    }
    hash
}

/// `word_hash` of a word of `len` bytes, 1 to 8, given as the low bytes of `bytes` (the
/// bytes above it are ignored).
fn short_word_hash(bytes: u64, len: usize) -> u64 {
    debug_assert!((1..=8).contains(&len));
    mix(len as u64, bytes & (u64::MAX >> (64 - 8 * len)))
}

/// One step of `word_hash`: FxHash's, with its multiplier.
fn mix(hash: u64, chunk: u64) -> u64 {
    (hash.rotate_left(26) ^ chunk).wrapping_mul(0xf135_7aea_2e62_a9c5)
}

/// The longest one-word literal that may end inside a word and is still looked up by its
/// prefix (bit `k` of a `head_lengths` entry); a longer one goes to the automaton.
const MAX_HEAD_LEN: usize = 63;

impl Literals {
    pub(crate) fn new(literals: Vec<Literal>) -> Literals {
        let mut by_first_byte = vec![Vec::new(); 256];
        for (id, literal) in literals.iter().enumerate().take(MAX_LITERALS) {
            let id = id as u32; // below `MAX_LITERALS`
            if let Some(&first) = literal.bytes.first() {
                by_first_byte[usize::from(first)].push(id);
            }
        }
        Literals {
            literals,
            by_first_byte,
            tables: OnceLock::new(),
            scanned: AtomicUsize::new(0),
        }
    }

    /// The literals' bytes, by id.
    #[cfg(test)]
    pub(crate) fn patterns(&self) -> impl Iterator<Item = &[u8]> {
        self.literals.iter().map(|l| l.bytes.as_slice())
    }

    /// Bytes scanned so far by this process, on every thread.
    pub(crate) fn scanned(&self) -> usize {
        self.scanned.load(Ordering::Relaxed)
    }

    /// Calls `found(literal, start, end)` for the occurrences of the literals in `lowered`, an
    /// ASCII-lowercased text: every occurrence its `Literal` says is kept, overlapping ones
    /// included, and possibly some others. The order is unspecified; callers sort.
    pub(crate) fn for_each_match(&self, lowered: &[u8], found: impl FnMut(usize, usize, usize)) {
        let before = self.scanned.fetch_add(lowered.len(), Ordering::Relaxed);
        let after = before.saturating_add(lowered.len());
        let tables = if after < TABLES_AFTER_BYTES && self.tables.get().is_none() {
            None
        } else {
            self.tables()
        };
        match tables {
            Some(tables) => tables.for_each_match(&self.literals, lowered, found),
            None => self.search_directly(lowered, found),
        }
    }

    /// `for_each_match` the one way or the other, whatever has been scanned.
    #[cfg(test)]
    pub(crate) fn for_each_match_by(
        &self,
        directly: bool,
        lowered: &[u8],
        found: impl FnMut(usize, usize, usize),
    ) {
        match self.tables() {
            Some(tables) if !directly => tables.for_each_match(&self.literals, lowered, found),
            _ => self.search_directly(lowered, found),
        }
    }

    fn tables(&self) -> Option<&Tables> {
        self.tables
            .get_or_init(|| Tables::new(&self.literals))
            .as_ref()
    }

    /// Every occurrence of every literal in a lowercased text, found by comparing at each
    /// position the literals that start with its byte: no set-up, but slow on long texts.
    fn search_directly(&self, lowered: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        for (at, &byte) in lowered.iter().enumerate() {
            for &id in &self.by_first_byte[usize::from(byte)] {
                let bytes = &self.literals[id as usize].bytes;
                if lowered[at..].starts_with(bytes) {
                    found(id as usize, at, at + bytes.len());
                }
            }
        }
    }
}

impl Tables {
    /// The tables of `literals`, or `None` if the automaton of those that can start anywhere
    /// (when there are many) cannot be built, or a slot would hold too many (`MAX_PER_SLOT`).
    fn new(literals: &[Literal]) -> Option<Tables> {
        let mut word_entries: Vec<(u64, u32)> = Vec::new();
        let mut pair_entries: Vec<(u64, u32)> = Vec::new();
        let mut pair_firsts: Vec<(u64, u8)> = Vec::new();
        let mut head_entries: Vec<(u64, u32)> = Vec::new();
        let mut head_lengths = vec![0u64; HEAD_SLOTS];
        let mut anywhere_ids = Vec::new();
        for (id, literal) in literals.iter().enumerate().take(MAX_LITERALS) {
            let id = id as u32; // below `MAX_LITERALS`
            let bytes = &literal.bytes;
            let first_word_len = word_len(bytes);
            let one_word = first_word_len == bytes.len();
            if !literal.at_word_start || first_word_len == 0 {
                anywhere_ids.push(id);
            } else if literal.may_end_in_word && one_word {
                if bytes.len() > MAX_HEAD_LEN {
                    anywhere_ids.push(id);
                } else {
                    head_lengths[head_slot(bytes[0], bytes.get(1).copied())] |= 1 << bytes.len();
                    head_entries.push((word_hash(bytes), id));
                }
            } else if let Some((key_len, taken)) = pair_key_len(bytes) {
                pair_entries.push((word_hash(&bytes[..key_len]), id));
                pair_firsts.push((word_hash(&bytes[..first_word_len]), 1 << (taken - 1)));
            } else {
                word_entries.push((word_hash(&bytes[..first_word_len]), id));
            }
        }
        for row in head_lengths.chunks_exact_mut(SLOTS_PER_FIRST_BYTE) {
            let one_byte = row[NO_SECOND_BYTE];
            for slot in &mut row[..NO_SECOND_BYTE] {
                *slot |= one_byte;
            }
        }
        let filter = HashFilter::new(
            word_entries
                .iter()
                .map(|&(hash, _)| hash)
                .chain(pair_firsts.iter().map(|&(hash, _)| hash)),
        );
        let head_filter = HashFilter::new(head_entries.iter().map(|&(hash, _)| hash));
        let pair_filter = HashFilter::new(pair_entries.iter().map(|&(hash, _)| hash));
        let by_word = SlotTable::new(word_entries, &pair_firsts, literals)?;
        let by_pair = SlotTable::new(pair_entries, &[], literals)?;
        let by_head = SlotTable::new(head_entries, &[], literals)?;
        let anywhere = if anywhere_ids.is_empty() {
            None
        } else {
            Some(Anywhere::new(anywhere_ids, literals)?)
        };
        Some(Tables {
            by_word,
            by_pair,
            by_head,
            filter,
            head_filter,
            pair_filter,
            head_lengths,
            anywhere,
        })
    }

    /// `Literals::for_each_match` with the tables.
    fn for_each_match(
        &self,
        literals: &[Literal],
        lowered: &[u8],
        mut found: impl FnMut(usize, usize, usize),
    ) {
        if let Some(anywhere) = &self.anywhere {
            anywhere.for_each_match(literals, lowered, &mut found);
        }
        let mut at = 0;
        while at < lowered.len() {
            // The next word: a run of letters and digits.
            let Some(skip) = lowered[at..].iter().position(|&b| is_word_byte(b)) else {
                break;
            };
            let start = at + skip;
            let rest = &lowered[start..];
            // The word's first eight bytes, when the text has them: the hashes of the word, of
            // its prefixes and of short pair keys are made from them.
            let head = (rest.len() >= 8).then(|| swar::load(rest, 0));
            let (len, hash) = word_and_hash(rest, head);
            at = start + len;
            let word = &rest[..len];
            // Candidates are those filed under the text's words here; a hash can be shared,
            // so all of each is compared. (A literal that goes on where the text's word does
            // not end is reported too, and dropped by the caller as not ending at a word end.)
            let mut check = |candidates: &[Candidate]| {
                report_starting(candidates, rest, start, literals, &mut found)
            };
            if self.filter.may_hold(hash)
                && let Some(entry) = self.by_word.get(hash)
            {
                self.by_word.each_candidate(entry, &mut check);
                let pair_keys = entry.pair_keys();
                if pair_keys != 0
                    && let Some(gap) = rest[len..].iter().position(|&b| is_word_byte(b))
                {
                    // Keys take one or two bytes of the second word (see `pair_key_len`).
                    let second = len + gap;
                    let two = rest.get(second + 1).is_some_and(|&b| is_word_byte(b));
                    for taken in [1, 2] {
                        if pair_keys & (1 << (taken - 1)) == 0 || (taken == 2 && !two) {
                            continue;
                        }
                        let key = match head {
                            Some(bytes) if second + taken <= 8 => {
                                short_word_hash(bytes, second + taken)
                            }
                            _ => prefix_hash(rest, second + taken),
                        };
                        if self.pair_filter.may_hold(key)
                            && let Some(entry) = self.by_pair.get(key)
                        {
                            self.by_pair.each_candidate(entry, &mut check);
                        }
                    }
                }
            }
            // The lengths of the head literals that the word can start with.
            let mut lengths = if len >= 2 {
                self.head_lengths[head_slot(word[0], Some(word[1]))]
                    & (u64::MAX >> (63 - len.min(MAX_HEAD_LEN)))
            } else {
                self.head_lengths[head_slot(word[0], None)]
            };
            while lengths != 0 {
                let k = lengths.trailing_zeros() as usize;
                lengths &= lengths - 1;
                let hash = match head {
                    Some(bytes) if k <= 8 => short_word_hash(bytes, k),
                    _ => prefix_hash(rest, k),
                };
                if !self.head_filter.may_hold(hash) {
                    continue;
                }
                let Some(entry) = self.by_head.get(hash) else {
                    continue;
                };
                self.by_head.each_candidate(entry, &mut check);
            }
        }
    }
}

/// The length of the word `text` starts with (at least one byte), and its `word_hash`. `head`
/// is the text's first eight bytes, if it has as many: a word that ends within them is found
/// and hashed from them.
fn word_and_hash(text: &[u8], head: Option<u64>) -> (usize, u64) {
    if let Some(first) = head {
        if let Some(len) = swar::first_marked(!swar::alphanumeric(first) & swar::HIGH) {
            return (len, short_word_hash(first, len));
        }
        let mut at = 8;
        while at + 8 <= text.len() {
            if let Some(k) =
                swar::first_marked(!swar::alphanumeric(swar::load(text, at)) & swar::HIGH)
            {
                at += k;
                return (at, prefix_hash(text, at));
            }
            at += 8;
        }
        let len = at + word_len(&text[at..]);
        return (len, prefix_hash(text, len));
    }
    let len = word_len(text);
    (len, word_hash(&text[..len]))
}

/// `word_hash(&text[..len])`, its last chunk loaded whole from `text` and masked when `text`
/// goes on that far, instead of copied.
fn prefix_hash(text: &[u8], len: usize) -> u64 {
    if text.len() < len.next_multiple_of(8) {
        return word_hash(&text[..len]);
    }
    let mut hash = len as u64;
    let mut at = 0;
    while at + 8 <= len {
        hash = mix(hash, swar::load(text, at));
        at += 8;
    }
    if at < len {
        hash = mix(
            hash,
            swar::load(text, at) & (u64::MAX >> (64 - 8 * (len - at))),
        );
    }
    hash
}

/// Reports each of `candidates` that starts `rest` (the text from `start` on). Inlined into
/// the scan's three look-ups: as a call it cost more than the comparisons it makes.
#[inline(always)]
fn report_starting(
    candidates: &[Candidate],
    rest: &[u8],
    start: usize,
    literals: &[Literal],
    found: &mut impl FnMut(usize, usize, usize),
) {
    for c in candidates {
        if c.starts(rest, literals) {
            found(c.id as usize, start, start + c.len as usize);
        }
    }
}

/// Literals filed by hash in an open-addressing table. A slot holds its key's first literal
/// (most keys have one), so a look-up that finds it reads one cache line where a hash map and
/// a vector of candidates read three.
#[derive(Debug)]
struct SlotTable {
    slots: Vec<Slot>,
    /// A key's home slot is its top bits: `key >> shift`.
    shift: u32,
    /// The candidates of each slot past its first.
    more: Vec<Candidate>,
}

/// A slot of a `SlotTable` (two to a 64-byte cache line).
#[derive(Clone, Copy, Debug)]
#[repr(C, align(32))]
struct Slot {
    /// `slot_key` of the hash filed here; 0 for an empty slot.
    key: u64,
    /// The first literal filed (meaningless when `count` is 0).
    first: Candidate,
    /// Where the others are in `SlotTable::more`.
    more_at: u32,
    /// How many literals are filed here, below `MAX_PER_SLOT` (a first word can have none of
    /// its own, only pairs), and from bit `PAIR_KEYS_SHIFT` on, for `Tables::by_word`: bit 0
    /// (1), `by_pair` has a literal with this first word keyed by one (two) bytes of its
    /// second word.
    count_and_pair_keys: u32,
}

/// Where `Slot::count_and_pair_keys` keeps the pair-key bits.
const PAIR_KEYS_SHIFT: u32 = 30;

/// More literals than one slot numbers: a table with a key this common is not built (the
/// literals are then searched directly), which no ruleset anyone writes comes near.
const MAX_PER_SLOT: usize = 1 << PAIR_KEYS_SHIFT;

impl Slot {
    /// How many literals are filed here.
    fn count(&self) -> usize {
        (self.count_and_pair_keys & (MAX_PER_SLOT as u32 - 1)) as usize
    }

    /// The pair-key bits (see `count_and_pair_keys`).
    fn pair_keys(&self) -> u32 {
        self.count_and_pair_keys >> PAIR_KEYS_SHIFT
    }
}

const EMPTY_SLOT: Slot = Slot {
    key: 0,
    first: Candidate {
        head: 0,
        id: 0,
        len: 0,
    },
    more_at: 0,
    count_and_pair_keys: 0,
};

/// The key a hash is filed under: never 0, which marks an empty slot (a hash of 0 shares its
/// slot with a hash of 1, and their literals are all compared, as any hash's are).
fn slot_key(hash: u64) -> u64 {
    hash.max(1)
}

impl SlotTable {
    /// The table of `entries` (`(hash, id)`), with pair-key bits or-ed into the slots of
    /// `extra`'s hashes (filed with no literal of their own if they have none). `None` if one
    /// key has `MAX_PER_SLOT` literals or more.
    fn new(
        entries: Vec<(u64, u32)>,
        extra: &[(u64, u8)],
        literals: &[Literal],
    ) -> Option<SlotTable> {
        let mut entries: Vec<(u64, u32)> = entries
            .into_iter()
            .map(|(hash, id)| (slot_key(hash), id))
            .collect();
        entries.sort_unstable();
        let mut keys: Vec<u64> = entries.iter().map(|&(key, _)| key).collect();
        keys.extend(extra.iter().map(|&(hash, _)| slot_key(hash)));
        keys.sort_unstable();
        keys.dedup();
        // At most seven in ten slots filled, so that probes stay short.
        let len = (keys.len() * 10 / 7 + 1).next_power_of_two().max(16);
        let shift = 64 - len.trailing_zeros();
        let mut table = SlotTable {
            slots: vec![EMPTY_SLOT; len],
            shift,
            more: Vec::new(),
        };
        let mut i = 0;
        while i < entries.len() {
            let key = entries[i].0;
            let group = entries[i..].partition_point(|&(k, _)| k == key);
            if group >= MAX_PER_SLOT {
                return None;
            }
            let ids = &entries[i..i + group];
            i += group;
            let slot = table.slot_for(key);
            let candidate = |id: u32| Candidate::new(id, &literals[id as usize].bytes);
            let slot = &mut table.slots[slot];
            slot.first = candidate(ids[0].1);
            // Literals number below `MAX_LITERALS` (a `u32`), each filed once.
            slot.more_at = table.more.len() as u32;
            slot.count_and_pair_keys = group as u32; // below `MAX_PER_SLOT`
            table
                .more
                .extend(ids[1..].iter().map(|&(_, id)| candidate(id)));
        }
        for &(hash, bits) in extra {
            let slot = table.slot_for(slot_key(hash));
            table.slots[slot].count_and_pair_keys |= u32::from(bits) << PAIR_KEYS_SHIFT;
        }
        Some(table)
    }

    /// The slot `key` is filed in, claimed for it if it is not filed yet.
    fn slot_for(&mut self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = (key >> self.shift) as usize;
        loop {
            let slot = &mut self.slots[at];
            if slot.key == key {
                return at;
            }
            if slot.key == 0 {
                slot.key = key;
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// The slot of `hash`, if anything is filed under it. (The probe loop is written out again
    /// rather than shared with `slot_for`: the shared version cost 0.8% of a run's
    /// instructions, this being the scan's innermost look-up.)
    #[inline]
    fn get(&self, hash: u64) -> Option<&Slot> {
        let key = slot_key(hash);
        let mask = self.slots.len() - 1;
        let mut at = (key >> self.shift) as usize;
        loop {
            let slot = &self.slots[at];
            if slot.key == key {
                return Some(slot);
            }
            if slot.key == 0 {
                return None;
            }
            at = (at + 1) & mask;
        }
    }

    /// Calls `check` with the slot's literals, first the one it holds, then the others.
    #[inline(always)]
    fn each_candidate(&self, slot: &Slot, check: &mut impl FnMut(&[Candidate])) {
        let count = slot.count();
        if count == 0 {
            return;
        }
        check(std::slice::from_ref(&slot.first));
        if count > 1 {
            let at = slot.more_at as usize;
            check(&self.more[at..at + count - 1]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The scan's shortcuts hash a word as `word_hash` does, whatever its length and wherever
    /// the text ends: from the first eight bytes, from loads masked past the end, or copied.
    #[test]
    fn the_scans_hashes_are_word_hash() {
        let text = b"pharmaceutically1 a bc no-side effects 0123456789abcdefghijklmnopq";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let rest = &text[start..end];
                for len in 1..=rest.len() {
                    let expected = word_hash(&rest[..len]);
                    assert_eq!(prefix_hash(rest, len), expected, "{start}..{end}, {len}");
                    if rest.len() >= 8 && len <= 8 {
                        let head = swar::load(rest, 0);
                        assert_eq!(short_word_hash(head, len), expected);
                    }
                }
                if rest.first().is_some_and(|&b| is_word_byte(b)) {
                    let head = (rest.len() >= 8).then(|| swar::load(rest, 0));
                    let len = word_len(rest);
                    assert_eq!(word_and_hash(rest, head), (len, word_hash(&rest[..len])));
                }
            }
        }
        // Lengths and contents both count: no two of these collide.
        let words: [&[u8]; 6] = [b"a", b"a\0", b"ab", b"ba", b"abcdefgh", b"abcdefgh\0"];
        let hashes: std::collections::BTreeSet<u64> = words.iter().map(|w| word_hash(w)).collect();
        assert_eq!(hashes.len(), words.len());
    }

    /// Every occurrence of every literal that its `Literal` says is kept, by brute force.
    fn kept_occurrences(literals: &[Literal], text: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for (id, literal) in literals.iter().enumerate() {
            let bytes = &literal.bytes;
            if bytes.is_empty() || bytes.len() > text.len() {
                continue;
            }
            for start in 0..=text.len() - bytes.len() {
                let end = start + bytes.len();
                if &text[start..end] == bytes.as_slice() && is_kept(literal, text, start, end) {
                    out.push((id, start, end));
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn is_kept(literal: &Literal, text: &[u8], start: usize, end: usize) -> bool {
        // The contract's own words (ASCII letters and digits), not the module's table.
        let word = |b: &u8| b.is_ascii_alphanumeric();
        let word_before = start > 0 && word(&text[start - 1]);
        let ends_in_word =
            literal.bytes.last().is_some_and(word) && text.get(end).is_some_and(word);
        let drops_start = literal.at_word_start && word_before;
        let drops_end = ends_in_word && !literal.may_end_in_word;
        !(drops_start || drops_end)
    }

    /// What `for_each_match` reports, the one way or the other: sorted, each checked to be a
    /// real occurrence.
    fn reported(literals: &Literals, directly: bool, text: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        literals.for_each_match_by(directly, text, |id, start, end| {
            assert_eq!(&text[start..end], literals.literals[id].bytes.as_slice());
            out.push((id, start, end));
        });
        out.sort_unstable();
        out
    }

    fn literal(bytes: &str, at_word_start: bool, may_end_in_word: bool) -> Literal {
        Literal {
            bytes: bytes.as_bytes().to_vec(),
            at_word_start,
            may_end_in_word,
        }
    }

    #[test]
    fn words_heads_and_signs_are_each_found_where_they_count() {
        let list = vec![
            literal("cure", true, false),         // 0: a whole word
            literal("side effects", true, false), // 1: two words
            literal("pharmace", true, true),      // 2: a prefix cut short
            literal("$5", true, false),           // 3: starts with a sign
            literal("mg", false, true),           // 4: anywhere
            literal("i", true, false),            // 5: the pronoun only
            literal("caf\u{e9}", true, false),    // 6: a word with an accent
            literal("cure", true, false),         // 7: the same literal twice
        ];
        let literals = Literals::new(list.clone());
        let text = "i cure, it procures no side effects; pharmaceutical $5 at 10mg caf\u{e9}";
        let at = |needle: &str| text.find(needle).unwrap();
        let mut expected = vec![
            (0, at("cure"), at("cure") + 4),
            (1, at("side"), at("side") + 12),
            (2, at("pharm"), at("pharm") + 8),
            (3, at("$5"), at("$5") + 2),
            (4, at("mg"), at("mg") + 2),
            (5, 0, 1),
            (6, at("caf"), at("caf") + 5),
            (7, at("cure"), at("cure") + 4),
        ];
        expected.sort_unstable();
        assert_eq!(kept_occurrences(&list, text.as_bytes()), expected);
        for directly in [false, true] {
            let kept: Vec<_> = reported(&literals, directly, text.as_bytes())
                .into_iter()
                .filter(|&(id, s, e)| is_kept(&list[id], text.as_bytes(), s, e))
                .collect();
            assert_eq!(kept, expected, "directly: {directly}");
        }
    }

    /// Keys that share a home slot, one homed in the last slot (its probe wraps to the first),
    /// and a hash of 0 (filed with 1) are each found with their own literals; absent keys are not.
    #[test]
    fn slot_tables_find_colliding_and_wrapping_keys() {
        let list: Vec<Literal> = (0..6)
            .map(|i| literal(&format!("w{i}"), true, false))
            .collect();
        let top = |slot: u64| slot << 60; // 16 slots: a home slot is a hash's top four bits
        let entries = vec![
            (top(3) | 5, 0),
            (top(3) | 6, 1),
            (top(3) | 6, 2), // two literals under one key
            (top(15) | 7, 3),
            (top(15) | 8, 4), // wraps around to slot 0
            (0, 5),
        ];
        let table = SlotTable::new(entries, &[(top(3) | 9, 0b10)], &list).unwrap();
        assert_eq!(table.slots.len(), 16);
        let ids = |hash: u64| -> Option<Vec<u32>> {
            let slot = table.get(hash)?;
            let mut ids = Vec::new();
            table.each_candidate(slot, &mut |c: &[Candidate]| {
                ids.extend(c.iter().map(|c| c.id))
            });
            Some(ids)
        };
        assert_eq!(ids(top(3) | 5), Some(vec![0]));
        assert_eq!(ids(top(3) | 6), Some(vec![1, 2]));
        assert_eq!(ids(top(15) | 7), Some(vec![3]));
        assert_eq!(ids(top(15) | 8), Some(vec![4]));
        assert_eq!(ids(0), Some(vec![5]));
        assert_eq!(ids(1), Some(vec![5]));
        // A key with only pair bits: found, with no literal of its own.
        assert_eq!(ids(top(3) | 9), Some(vec![]));
        assert_eq!(table.get(top(3) | 9).map(Slot::pair_keys), Some(0b10));
        for absent in [top(3) | 10, top(15) | 9, top(7), 2] {
            assert_eq!(ids(absent), None, "{absent:#x}");
        }
    }

    /// More literals under one key than 16 bits count ("ab cd" + 70,000 numbers, all filed
    /// under the pair key "ab cd") are all looked up, the last one too.
    #[test]
    fn a_key_holding_seventy_thousand_literals_finds_the_last() {
        let list: Vec<Literal> = (0..70_000)
            .map(|i| literal(&format!("ab cd{i:05}"), true, false))
            .collect();
        let literals = Literals::new(list);
        let text = b"ab cd69999 and ab cd00000";
        assert_eq!(
            reported(&literals, false, text),
            vec![(0, 15, 25), (69_999, 0, 10)]
        );
    }

    /// A candidate whose first eight bytes and table key match is still compared to its end:
    /// "no side eff." is filed where "no side effects" is, and is not it.
    #[test]
    fn long_literals_are_compared_past_their_first_eight_bytes() {
        let list = vec![literal("no side effects", true, false)];
        let literals = Literals::new(list.clone());
        let text = b"no side eff. no side effects";
        for directly in [false, true] {
            assert_eq!(reported(&literals, directly, text), vec![(0, 13, 28)]);
        }
    }

    /// Past `MAX_FEW_ANYWHERE` literals that can start anywhere, an automaton finds them, with
    /// the same answers; below, overlapping occurrences of one literal are all found too.
    #[test]
    fn many_and_few_literals_that_start_anywhere_are_all_found() {
        let text = "aaab $5$5 -a-b ba-ab aaa";
        let letters = ["a", "b", "$", "-", " ", "5"];
        let mut two: Vec<Literal> = Vec::new();
        for x in letters {
            for y in letters {
                two.push(literal(&format!("{x}{y}"), false, true));
            }
        }
        let mut three = two.clone();
        for x in letters {
            for y in letters {
                for z in ["a", "$", "5"] {
                    three.push(literal(&format!("{x}{y}{z}"), false, true));
                }
            }
        }
        assert!(two.len() <= MAX_FEW_ANYWHERE && three.len() > MAX_FEW_ANYWHERE);
        for list in [two, three] {
            let literals = Literals::new(list.clone());
            let expected = kept_occurrences(&list, text.as_bytes());
            assert!(expected.iter().any(|&(_, start, _)| start == 1), "overlaps");
            for directly in [false, true] {
                assert_eq!(reported(&literals, directly, text.as_bytes()), expected);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn every_kept_occurrence_is_reported(
            // Letters, a digit, signs, `_` and a non-ASCII letter (both non-word bytes), and
            // literals past eight bytes (compared beyond a candidate's head).
            specs in proptest::collection::vec(
                ("[abi1$ _\u{e9}-]{1,12}", any::<bool>(), any::<bool>()),
                1..12,
            ),
            // The text: literals (by index) with a little filler after each, so that they occur
            // often, at word starts and inside words.
            pieces in proptest::collection::vec((0usize..12, "[abi1$ _\u{e9}-]{0,3}"), 0..10),
            directly in any::<bool>(),
        ) {
            let list: Vec<Literal> = specs
                .iter()
                .map(|(bytes, start, end)| literal(bytes, *start, *end))
                .collect();
            let text: String = pieces
                .iter()
                .map(|(i, filler)| format!("{}{filler}", specs[i % specs.len()].0))
                .collect();
            let literals = Literals::new(list.clone());
            let got: Vec<_> = reported(&literals, directly, text.as_bytes())
                .into_iter()
                .filter(|&(id, s, e)| is_kept(&list[id], text.as_bytes(), s, e))
                .collect();
            prop_assert_eq!(got, kept_occurrences(&list, text.as_bytes()));
        }
    }
}
