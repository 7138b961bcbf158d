//! What the matcher knows of a rule regex before running it (its `Gate`): whether it starts at
//! a word boundary, the literals every match starts with (or, for a regex with a lead, starts
//! one byte before), which wake it, and the words every match holds after its first part
//! (`need_words`), without which a wake-up is let go; and, for a regex with a gap, the literals
//! every match ends with (`tail_literals`). Computed with `regex-syntax`
//! alone, so `build.rs` includes this file too and precomputes the gates of the embedded
//! rulesets; a user ruleset's regexes are read at load.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, HirKind, Look, Repetition};

/// At most this many prefix literals per regex; a regex with more (a broad class up front) is
/// cheaper to run as one search over the text than to wake at every position.
const MAX_PREFIXES: usize = 1000;

/// A literal that every match of some rule regex starts with, or one byte after the start for a
/// regex with a lead (see `Lead`) (ASCII lowercase, matched
/// ASCII-case-insensitively), and whether the regex asserts a word boundary (`\b`) right after
/// it: `\b(?:i|my)\b ...` starts with `i` and a boundary, so the `i` of "in" need not wake it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Prefix {
    pub bytes: Vec<u8>,
    pub boundary_after: bool,
}

/// How long a prefix literal may be: longer literals wake fewer regexes in vain, but every extra
/// byte multiplies how many literals a regex has (and the automaton's size and its start-up).
/// Measured on the benchmark corpus: 8 bytes ran 4% fewer instructions than 6 and about as
/// fast as 10, which added 15% to the prefix table (more page faults at start-up); 12 and 16 were
/// slower.
const PREFIX_LEN: usize = 8;

/// The shorter literal lengths tried, in turn, for a regex whose literals of `PREFIX_LEN` bytes
/// are too many (see `gate`). Never cut to one byte: a single letter would wake a regex at most
/// words.
const SHORT_PREFIX_LENS: [usize; 2] = [4, 2];

/// Stands for `\b` in the HIR that prefixes are extracted from. Rule regexes are read with
/// Unicode off and match text, which never holds the byte 0xFF (UTF-8 has no such byte).
const BOUNDARY_MARK: u8 = 0xFF;

/// What the matcher knows of a rule regex before it ever runs it: whether it starts with `\b`
/// (once a lead is stripped), and the literals every match starts with, or starts one byte
/// before with a lead (`None` when there is no useful finite set).
#[derive(Debug, PartialEq, Eq)]
pub struct Gate {
    pub starts_at_boundary: bool,
    /// Whether a match may also start one byte before a prefix literal (see `Lead`).
    pub lead: Lead,
    pub prefixes: Option<Vec<Prefix>>,
    /// For a regex with prefixes: words one of which every match holds after its first part
    /// (see `need_words`).
    pub needs: Option<Vec<Prefix>>,
}

/// A byte a regex reads before what starts with a word byte, one that is no word byte itself
/// (see `strip_leads`): the regex is then also run from the byte before each prefix literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lead {
    None,
    /// A lead that may be part of the claim: a sign from a short list (`[-+][0-9]+%`,
    /// `[#@][0-9]+`). A match keeps it.
    Kept,
    /// A lead that only rules matches out, as lookbehind would: a line start, or one byte of a
    /// class of many bytes, a negated one in practice (`(?:^|[^0-9A-Za-z_.,])[0-9]{1,3}`: no
    /// decimal, no part of a bigger number). Every match of the regex starts with a word byte or with its lead, so a
    /// first byte that is no word byte is the lead, and the finding leaves it out.
    Dropped,
}

impl Lead {
    /// Whether the regex has a lead at all (and is run from the byte before its literals).
    pub fn is_some(self) -> bool {
        self != Lead::None
    }
}

/// The gate of `pattern`, from a case-sensitive parse with its literals and classes lowercased
/// (`fold_ascii_case`). That folds to what a case-insensitive parse folds to (or, for a negated
/// class of letters, to a larger language, whose prefixes still hold), and is several times
/// cheaper: a case-insensitive parse makes a class of every letter (`[Cc][Uu][Rr][Ee]`), slow to
/// build and to fold. The case-insensitive parse waits for the regex's first search.
///
/// Not so for a regex that turns Unicode on while ignoring case (`(?u)`; rule regexes ignore
/// case unless told `-i`): Unicode case folding lets a letter match other characters (`k` the
/// Kelvin sign, `s` the long s) whose bytes no literal holds, so such a regex gets no gate and
/// searches every text.
pub fn gate(pattern: &str) -> Gate {
    let ungated = Gate {
        starts_at_boundary: false,
        lead: Lead::None,
        prefixes: None,
        needs: None,
    };
    if folds_unicode_case(pattern) {
        return ungated;
    }
    let Ok(hir) = prefix_parser().parse(pattern) else {
        return ungated;
    };
    // A lead is dropped from the finding (`matcher::push_regex_hit`) only where it only rules
    // matches out and where every match, once the lead is stripped, starts with a word byte:
    // a match that starts with no word byte then starts with its lead.
    let mut only_context = true;
    let (hir, lead) = match strip_leads(&hir, &mut only_context) {
        Some(stripped) => {
            let dropped = only_context && starts_with_word_byte(std::slice::from_ref(&stripped));
            (stripped, if dropped { Lead::Dropped } else { Lead::Kept })
        }
        None => (hir, Lead::None),
    };
    let starts_at_boundary = hir
        .properties()
        .look_set_prefix()
        .contains(regex_syntax::hir::Look::WordAscii);
    let prefixes = if hir.properties().minimum_len().is_none_or(|n| n == 0) {
        None
    } else {
        let folded = fold_ascii_case(&hir, true);
        // The extractor gives up on a concatenation whose cross product passes its total
        // limit, before cutting literals to length: an optional modifier list in front of a
        // condition list (`(?:chronic |severe )*(?:pain|anxiety)`) has a few dozen short
        // prefixes but a product in the thousands. A roomier second try, deduplicated after
        // the cut, catches those.
        //
        // A regex whose numbers multiply out past both (`[0-9]{3,6} (?:patients|clients)`)
        // gets shorter literals: four bytes, then two (`12`, `ov`). Waking at every number is
        // still far cheaper than searching every text, and an ungated regex is compiled in full
        // at the first page (4% of a one-paragraph check each).
        [
            (MAX_PREFIXES, PREFIX_LEN),
            (20 * MAX_PREFIXES, PREFIX_LEN),
            (20 * MAX_PREFIXES, SHORT_PREFIX_LENS[0]),
            (20 * MAX_PREFIXES, SHORT_PREFIX_LENS[1]),
        ]
        .into_iter()
        .find_map(|(limit, len)| extract_prefixes(&folded, limit, len))
    };
    let needs = prefixes.as_ref().and_then(|_| need_words(&hir));
    Gate {
        starts_at_boundary,
        lead,
        prefixes,
        needs,
    }
}

/// Whether `pattern` turns Unicode on anywhere without turning case-insensitivity off in the
/// same flags (`(?u)`, `(?iu:...)`, but not `(?u-i:...)`); an unreadable pattern counts as doing
/// so. Flags set elsewhere are not followed: at worst a regex that does not fold goes ungated.
fn folds_unicode_case(pattern: &str) -> bool {
    use regex_syntax::ast::{Ast, Flag, Flags, FlagsItemKind, GroupKind};
    fn turns_on(flags: &Flags) -> bool {
        let mut negated = false;
        let (mut unicode, mut no_case) = (false, false);
        for item in &flags.items {
            match item.kind {
                FlagsItemKind::Negation => negated = true,
                FlagsItemKind::Flag(Flag::Unicode) if !negated => unicode = true,
                FlagsItemKind::Flag(Flag::CaseInsensitive) if negated => no_case = true,
                _ => {}
            }
        }
        unicode && !no_case
    }
    fn walk(ast: &Ast) -> bool {
        match ast {
            Ast::Flags(set) => turns_on(&set.flags),
            Ast::Group(group) => {
                matches!(&group.kind, GroupKind::NonCapturing(flags) if turns_on(flags))
                    || walk(&group.ast)
            }
            Ast::Concat(concat) => concat.asts.iter().any(walk),
            Ast::Alternation(alternation) => alternation.asts.iter().any(walk),
            Ast::Repetition(repetition) => walk(&repetition.ast),
            _ => false,
        }
    }
    regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .map_or(true, |ast| walk(&ast))
}

/// The regex with each lead at the start of a match replaced by `\b`, or `None` if it has none.
/// A lead is a byte the regex reads before a number or word only to rule some out, as
/// lookbehind would: `(?:^|[^0-9A-Za-z_.,])[0-9]{1,3}` (no decimals, no part of a bigger number).
/// Its class holds no word byte and what follows starts with one, so a word boundary lies
/// between the two: every match of the regex starts at, or one byte before, a match of the
/// stripped one, which has prefix literals where the regex had none (a broad class up front).
/// `only_context` is cleared where a lead is a short list of signs (`[-+]`) rather than a class
/// of many bytes or a line start (see `Lead`).
fn strip_leads(hir: &Hir, only_context: &mut bool) -> Option<Hir> {
    match hir.kind() {
        HirKind::Concat(subs) => {
            let (first, rest) = subs.split_first()?;
            let mut stripped = if is_lead(first) && starts_with_word_byte(rest) {
                *only_context &= is_context_lead(first);
                vec![Hir::look(Look::WordAscii)]
            } else {
                vec![strip_leads(first, only_context)?]
            };
            stripped.extend(rest.iter().cloned());
            Some(Hir::concat(stripped))
        }
        HirKind::Alternation(subs) => {
            let stripped: Vec<Option<Hir>> = subs
                .iter()
                .map(|sub| strip_leads(sub, only_context))
                .collect();
            if stripped.iter().all(Option::is_none) {
                return None;
            }
            Some(Hir::alternation(
                stripped
                    .into_iter()
                    .zip(subs)
                    .map(|(s, sub)| s.unwrap_or_else(|| sub.clone()))
                    .collect(),
            ))
        }
        HirKind::Capture(cap) => strip_leads(&cap.sub, only_context),
        _ => None,
    }
}

/// How many words a need set (see `need_words`) may have: past that, the set is no longer
/// selective, and extracting it from a big alternation gets slow.
const MAX_NEEDS: usize = 64;

/// How many literals `need_words` extracts from the rest of a regex before taking their first
/// words (a list of words followed by a few optional ones multiplies out).
const MAX_NEED_LITERALS: usize = 1000;

/// How long a literal `need_words` extracts may be (a leading space, an optional "will " and
/// the word after them fit).
const NEED_LITERAL_LEN: usize = 24;

/// Words shorter than `MIN_NEED_LEN` that occur in nearly every sentence: two of them ("in the",
/// "out of") are no more selective than one.
const SHORT_COMMON_WORDS: &[&[u8]] = &[
    b"a", b"an", b"as", b"at", b"be", b"by", b"do", b"in", b"is", b"it", b"me", b"my", b"no",
    b"of", b"on", b"or", b"so", b"to", b"up", b"us", b"we",
];

/// Need words shorter than this ("is", "of") occur in nearly every sentence and gate nothing.
const MIN_NEED_LEN: usize = 3;

/// Words one of which every match of the regex `hir` (leads stripped, not folded) holds after
/// its first part, each at a word start: `\b(?:pain|anxiety) (?:will )?never come back` needs
/// "never" (or "come", or "back"). The matcher finds them in the page's one scan, and runs a
/// woken regex only where one of its need words lies within reach of the wake-up: most wake-ups
/// of a regex whose first part is a common word ("pain", a number) have none.
///
/// `boundary_after` says the regex puts no word byte right after the word (so an occurrence
/// inside a longer word does not count). `None` when no part after the first gives a finite set
/// of at most `MAX_NEEDS` selective words (see `need_words_at`); of several, the set whose
/// shortest word is longest, then the smallest set, then the last.
pub fn need_words(hir: &Hir) -> Option<Vec<Prefix>> {
    match hir.kind() {
        HirKind::Capture(cap) => need_words(&cap.sub),
        // Every branch must give its own: a match holds one of the union.
        HirKind::Alternation(branches) => {
            let mut words = Vec::new();
            for branch in branches {
                words.extend(need_words(branch)?);
            }
            tidy_need_words(words)
        }
        HirKind::Concat(subs) => {
            // Parts after the first one that consumes text: the wake-up's literal lies in that
            // one.
            let first = subs
                .iter()
                .position(|s| s.properties().minimum_len().is_some_and(|n| n > 0))?;
            let rank = |w: &[Prefix]| {
                let shortest = w.iter().map(|p| p.bytes.len()).min().unwrap_or(0);
                (shortest, std::cmp::Reverse(w.len()))
            };
            let best = (first + 1..subs.len())
                .filter(|&i| subs[i].properties().minimum_len().is_some_and(|n| n > 0))
                .filter_map(|i| need_words_at(&subs[..i], &subs[i..]))
                // The last of the best: `max_by_key` keeps the last of equals.
                .max_by_key(|words| rank(words));
            if best.is_some() {
                return best;
            }
            // The first part may be an alternation of whole phrasings (`\b(?:a ... b|c ... d)`,
            // its `\b` factored out by the parser): each branch, with what comes before and
            // after it, is a regex of its own.
            match subs[first].kind() {
                // (Not rebuilt as one alternation: `Hir::alternation` factors the common
                // start out again.)
                HirKind::Alternation(branches) if branches.len() <= MAX_SPLIT_BRANCHES => {
                    let mut words = Vec::new();
                    for branch in branches {
                        let mut parts = subs[..first].to_vec();
                        parts.push(branch.clone());
                        parts.extend_from_slice(&subs[first + 1..]);
                        words.extend(need_words(&Hir::concat(parts))?);
                    }
                    tidy_need_words(words)
                }
                HirKind::Capture(cap) => {
                    let mut parts = subs.to_vec();
                    parts[first] = (*cap.sub).clone();
                    match parts[first].kind() {
                        HirKind::Alternation(_) => need_words(&Hir::concat(parts)),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The most branches of a first-part alternation that `need_words` reads one by one.
const MAX_SPLIT_BRANCHES: usize = 16;

/// Words that occur in nearly every sentence of English: a need set holding one gates nothing.
const COMMON_WORDS: &[&[u8]] = &[
    b"about", b"all", b"also", b"and", b"any", b"are", b"been", b"but", b"can", b"for", b"from",
    b"has", b"have", b"her", b"his", b"how", b"into", b"its", b"may", b"more", b"most", b"not",
    b"one", b"our", b"out", b"than", b"that", b"the", b"their", b"them", b"they", b"this", b"was",
    b"were", b"what", b"when", b"which", b"who", b"will", b"with", b"you", b"your",
];

/// Whether a word of a need literal makes it selective: long enough, and not one of the
/// commonest words.
fn is_selective(word: &[u8]) -> bool {
    word.len() >= MIN_NEED_LEN && !COMMON_WORDS.contains(&word.to_ascii_lowercase().as_slice())
}

/// Whether a word is one of the commonest (`COMMON_WORDS`, `SHORT_COMMON_WORDS`).
fn is_function_word(word: &[u8]) -> bool {
    let word = word.to_ascii_lowercase();
    COMMON_WORDS.contains(&word.as_slice()) || SHORT_COMMON_WORDS.contains(&word.as_slice())
}

/// Need words sorted and deduplicated, or `None` for an empty set or too big a one.
fn tidy_need_words(mut words: Vec<Prefix>) -> Option<Vec<Prefix>> {
    words.sort();
    words.dedup();
    // A word with and without a boundary after it: only the weaker claim holds for both.
    words.dedup_by(|later, earlier| {
        let same = later.bytes == earlier.bytes;
        if same {
            earlier.boundary_after &= later.boundary_after;
        }
        same
    });
    (!words.is_empty() && words.len() <= MAX_NEEDS).then_some(words)
}

/// The need words of the rest of a concatenation, `after`, which follows `before`: the first
/// word of each literal every match of `after` starts with, where a word start is certain.
fn need_words_at(before: &[Hir], after: &[Hir]) -> Option<Vec<Prefix>> {
    let fold = |subs: &[Hir]| fold_ascii_case(&Hir::concat(subs.to_vec()), true);
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Prefix)
        .limit_total(MAX_NEED_LITERALS)
        .limit_literal_len(NEED_LITERAL_LEN);
    let starts = extractor.extract(&fold(after));
    let starts = starts.literals()?;
    // Whether every match of `before` ends with a byte that is no word byte, or asserts a
    // boundary at its end (a mark): then a word byte right after it starts a word.
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Suffix)
        .limit_total(MAX_NEEDS)
        .limit_literal_len(1);
    let ends = extractor.extract(&fold(before));
    let word_starts_after = ends.literals().is_some_and(|ends| {
        !ends.is_empty()
            && ends
                .iter()
                .all(|l| l.as_bytes().last().is_some_and(|&b| !is_word_byte(b)))
    });
    let mut words: Vec<Prefix> = Vec::new();
    for literal in starts {
        let bytes = literal.as_bytes();
        let marks = bytes.iter().take_while(|&&b| b == BOUNDARY_MARK).count();
        let rest = &bytes[marks..];
        let word_from = match rest.first() {
            // A word byte first: a word start if a boundary or a byte that is no word byte
            // comes before it.
            Some(&b) if is_word_byte(b) => {
                if marks == 0 && !word_starts_after {
                    return None;
                }
                marks
            }
            // Spaces or signs first: the word starts at the first word byte after them.
            Some(_) => marks + rest.iter().position(|&b| is_word_byte(b))?,
            None => return None,
        };
        // Words from there up to the first selective one: a short or common first word ("in",
        // "24", "the") takes the next with it ("in 24", "24 hours", "the absorption").
        // Two words of which one is no function word are selective together too ("if any").
        let mut end = word_from;
        let mut all_function_words = true;
        let mut words_taken = 0;
        loop {
            let word_len = bytes[end..]
                .iter()
                .position(|&b| !is_word_byte(b))
                .unwrap_or(bytes.len() - end);
            let word = &bytes[end..end + word_len];
            end += word_len;
            words_taken += 1;
            all_function_words &= is_function_word(word);
            if is_selective(word) || (words_taken >= 2 && !all_function_words) {
                break;
            }
            // The next word, after the marks and other bytes between the two.
            end += bytes[end..].iter().position(|&b| is_word_byte(b))?;
        }
        words.push(Prefix {
            // Without the marks, which stand for no byte of text.
            bytes: bytes[word_from..end]
                .iter()
                .filter(|&&b| b != BOUNDARY_MARK)
                .map(u8::to_ascii_lowercase)
                .collect(),
            // A boundary mark or a byte that is no word byte right after the last word; at
            // the end of the literal nothing is known.
            boundary_after: end < bytes.len(),
        });
    }
    tidy_need_words(words)
}

/// Whether a lead (see `is_lead`) only rules matches out: a line start, or a class of many
/// bytes (in practice a negated one, `[^0-9A-Za-z_.,\x80-\xff\n]`, which has 62), not a short
/// list of signs (`[-+]`).
fn is_context_lead(hir: &Hir) -> bool {
    let broad = |h: &Hir| match h.kind() {
        HirKind::Class(Class::Bytes(class)) => {
            class.ranges().iter().map(|r| r.len()).sum::<usize>() >= CONTEXT_CLASS_MIN
        }
        _ => false,
    };
    match hir.kind() {
        HirKind::Class(_) => broad(hir),
        HirKind::Alternation(subs) => subs.iter().all(|s| {
            broad(s)
                || matches!(
                    s.kind(),
                    HirKind::Look(Look::Start | Look::StartLF | Look::StartCRLF)
                )
        }),
        HirKind::Capture(cap) => is_context_lead(&cap.sub),
        _ => false,
    }
}

/// A lead class of at least this many bytes reads "anything but these" (see `is_context_lead`):
/// all of ASCII's punctuation is 32 bytes, and a list of signs a claim may start with is a few.
const CONTEXT_CLASS_MIN: usize = 32;

/// One byte that is no word byte (a class), or that or the start of a line (`(?:^|[^...])`).
fn is_lead(hir: &Hir) -> bool {
    let no_word_byte = |h: &Hir| match h.kind() {
        HirKind::Class(Class::Bytes(class)) => class
            .ranges()
            .iter()
            .all(|r| (r.start()..=r.end()).all(|b| !is_word_byte(b))),
        _ => false,
    };
    let line_start = |h: &Hir| {
        matches!(
            h.kind(),
            HirKind::Look(Look::Start | Look::StartLF | Look::StartCRLF)
        )
    };
    match hir.kind() {
        HirKind::Class(_) => no_word_byte(hir),
        HirKind::Alternation(subs) => {
            subs.iter().all(|s| no_word_byte(s) || line_start(s)) && subs.iter().any(no_word_byte)
        }
        HirKind::Capture(cap) => is_lead(&cap.sub),
        _ => false,
    }
}

/// Whether every match of the concatenation `subs` starts with an ASCII word byte.
fn starts_with_word_byte(subs: &[Hir]) -> bool {
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Prefix)
        .limit_literal_len(1)
        .limit_class(256);
    let seq = extractor.extract(&Hir::concat(subs.to_vec()));
    seq.literals().is_some_and(|literals| {
        !literals.is_empty()
            && literals
                .iter()
                .all(|l| l.as_bytes().first().is_some_and(|&b| is_word_byte(b)))
    })
}

/// ASCII letters, digits and `_`: what `\b` (ASCII) counts as a word.
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// At most this many tail literals per regex (see `tail_literals`).
const MAX_TAILS: usize = 256;

/// How long a tail literal may be: its last bytes are kept.
const TAIL_LEN: usize = 8;

/// Tail literals shorter than this ("is", "s") occur nearly everywhere and would gate nothing.
const MIN_TAIL_LEN: usize = 3;

/// Literals every match of a regex ends with (ASCII lowercase, matched against lowercased text),
/// from its tree (case-folded first with `fold`, for a tree not lowercased yet), or `None` when
/// there is no short, selective, finite set. A match can only end in one of them, so a wake-up
/// with none in reach cannot match.
pub fn tail_literals(hir: &Hir, fold: bool) -> Option<Vec<Vec<u8>>> {
    let folded;
    let hir = if fold {
        folded = fold_ascii_case(hir, false);
        &folded
    } else {
        hir
    };
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Suffix)
        .limit_total(MAX_TAILS)
        .limit_literal_len(TAIL_LEN);
    let mut tails: Vec<Vec<u8>> = extractor
        .extract(hir)
        .literals()?
        .iter()
        // Lowercased again: folding leaves a Unicode class alone, and a case-sensitive one
        // (`(?u-i:[FG]DA)`) gives its capitals as they are, which lowercased text never holds.
        .map(|l| l.as_bytes().to_ascii_lowercase())
        .collect();
    tails.sort();
    tails.dedup();
    let useless = tails.is_empty() || tails.iter().any(|t| t.len() < MIN_TAIL_LEN);
    (!useless).then_some(tails)
}

/// Whether the regex skips over text it does not name: a long or unbounded repetition of a
/// broad class (`[^.!?]{0,40}`, `[a-z ]{0,15}`, `(?:[a-z-]+ ){0,2}`; not `[0-9]+`). Its automaton
/// walks every byte of such a gap at each wake-up, which is when checking for a tail literal
/// first pays.
pub fn has_gap(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Repetition(rep) => {
            let long = rep.max.is_none_or(|max| max >= GAP_LEN);
            let broad = match rep.sub.kind() {
                HirKind::Class(Class::Bytes(class)) => {
                    let members: usize = class.ranges().iter().map(|r| r.len()).sum();
                    members >= GAP_CLASS_MIN
                }
                HirKind::Class(Class::Unicode(_)) => true,
                _ => false,
            };
            (long && broad) || has_gap(&rep.sub)
        }
        HirKind::Capture(cap) => has_gap(&cap.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(has_gap),
        _ => false,
    }
}

/// A repetition that may run this long or longer is a gap (see `has_gap`).
const GAP_LEN: u32 = 8;

/// A class of at least this many bytes is broad enough to skip words (`[a-z]` has 26; digits,
/// at 10, are a number, not a gap).
const GAP_CLASS_MIN: usize = 20;

/// The parser `gate` reads a rule regex with: `parser()` without case folding.
fn prefix_parser() -> regex_syntax::Parser {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(false)
        .unicode(false)
        .utf8(false)
        .build()
}

/// The prefixes that every match of `pattern` starts with, or `None` when there is no useful
/// finite set: a broad class or an optional part up front, or a regex that can match the empty
/// string.
#[cfg(test)]
fn prefix_literals(pattern: &str) -> Option<Vec<Prefix>> {
    gate(pattern).prefixes
}

/// The deduplicated prefixes of a case-folded HIR, or `None` when the set is infinite, holds
/// the empty literal, or has more than `MAX_PREFIXES` literals.
fn extract_prefixes(folded: &Hir, limit_total: usize, literal_len: usize) -> Option<Vec<Prefix>> {
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Prefix)
        .limit_total(limit_total)
        // Room for a leading and a trailing boundary mark around the literal's bytes of text.
        .limit_literal_len(literal_len + 2);
    let seq = extractor.extract(folded);
    let mut prefixes: Vec<Prefix> = seq
        .literals()?
        .iter()
        .map(|l| to_prefix(l.as_bytes(), literal_len))
        .collect();
    prefixes.sort();
    prefixes.dedup();
    // A literal with and without a boundary after it: only the weaker claim holds for both.
    prefixes.dedup_by(|later, earlier| {
        let same = later.bytes == earlier.bytes;
        if same {
            earlier.boundary_after &= later.boundary_after;
        }
        same
    });
    let useless = prefixes.is_empty()
        || prefixes.len() > MAX_PREFIXES
        || prefixes.iter().any(|p| p.bytes.is_empty());
    (!useless).then_some(prefixes)
}

/// A literal extracted with boundary marks as a prefix: marks at the start are dropped (the
/// regex's leading `\b` is checked apart, see `Gate::starts_at_boundary`), a mark between
/// a word byte and a non-word byte is dropped too (the bytes themselves make the boundary, so
/// `i\b ` is the literal `i `, which no "i" inside a word matches), and the text runs to any
/// other mark, which, right after at most `literal_len` bytes, becomes `boundary_after`.
fn to_prefix(literal: &[u8], literal_len: usize) -> Prefix {
    let start = literal.iter().take_while(|&&b| b == BOUNDARY_MARK).count();
    let mut bytes = Vec::with_capacity(literal_len);
    let mut boundary_after = false;
    let mut rest = literal[start..].iter().copied().peekable();
    while let Some(b) = rest.next() {
        if b != BOUNDARY_MARK {
            if bytes.len() == literal_len {
                break;
            }
            bytes.push(b.to_ascii_lowercase());
            continue;
        }
        let implied = match (bytes.last(), rest.peek()) {
            (Some(&before), Some(&after)) if after != BOUNDARY_MARK => {
                is_word_byte(before) != is_word_byte(after)
            }
            _ => false,
        };
        if !implied {
            boundary_after = true;
            break;
        }
    }
    Prefix {
        bytes,
        boundary_after,
    }
}

/// The HIR with every byte class and literal projected to ASCII lowercase (`Cure` and
/// `[Cc][Uu][Rr][Ee]` both become `cure`), so literal extraction does not multiply out every
/// casing. A match of the case-insensitive regex, lowercased, matches the folded HIR, so the
/// folded prefixes hold for the original.
/// With `marks`, each ASCII word boundary becomes the literal byte `BOUNDARY_MARK`, so
/// extracted literals show where the regex asserts one (`to_prefix` takes the marks out again).
pub fn fold_ascii_case(hir: &Hir, marks: bool) -> Hir {
    let fold = |sub: &Hir| fold_ascii_case(sub, marks);
    match hir.kind() {
        HirKind::Literal(lit) => Hir::literal(lit.0.to_ascii_lowercase()),
        HirKind::Class(Class::Bytes(class)) => Hir::class(Class::Bytes(lowercase_class(class))),
        // Built field by field: `..rep.clone()` would deep-copy the subtree at every level.
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            min: rep.min,
            max: rep.max,
            greedy: rep.greedy,
            sub: Box::new(fold(&rep.sub)),
        }),
        HirKind::Capture(cap) => Hir::capture(regex_syntax::hir::Capture {
            index: cap.index,
            name: cap.name.clone(),
            sub: Box::new(fold(&cap.sub)),
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(fold).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(fold).collect()),
        HirKind::Look(regex_syntax::hir::Look::WordAscii) if marks => Hir::literal([BOUNDARY_MARK]),
        // Unicode classes (only under an explicit `(?u)`), other look-arounds and the empty
        // regex stay.
        _ => hir.clone(),
    }
}

/// A byte class with its ASCII capitals replaced by their lowercase letters.
fn lowercase_class(class: &ClassBytes) -> ClassBytes {
    let ranges = class.ranges();
    // The common shapes first: no capital at all, and one letter in both cases (`[Cc]`, which a
    // case-insensitive parse makes of every letter).
    if ranges.iter().all(|r| r.end() < b'A' || r.start() > b'Z') {
        return class.clone();
    }
    if let [upper, lower] = ranges
        && upper.start() == upper.end()
        && lower.start() == lower.end()
        && upper.start().is_ascii_uppercase()
        && upper.start().to_ascii_lowercase() == lower.start()
    {
        return ClassBytes::new([*lower]);
    }
    let capitals = ClassBytes::new([ClassBytesRange::new(b'A', b'Z')]);
    let mut upper = class.clone();
    upper.intersect(&capitals);
    let mut lowered = class.clone();
    lowered.difference(&capitals);
    lowered.union(&ClassBytes::new(upper.iter().map(|r| {
        ClassBytesRange::new(r.start().to_ascii_lowercase(), r.end().to_ascii_lowercase())
    })));
    lowered
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prefixes as text and `boundary_after`, for comparing.
    fn bytes(p: Option<Vec<Prefix>>) -> Vec<(String, bool)> {
        p.unwrap()
            .into_iter()
            .map(|p| (String::from_utf8(p.bytes).unwrap(), p.boundary_after))
            .collect()
    }

    fn hir(pattern: &str) -> Hir {
        prefix_parser().parse(pattern).unwrap()
    }

    #[test]
    fn tail_literals_fold_case_keep_last_bytes_and_give_up_on_open_endings() {
        let tails = |p: &str| -> Option<Vec<String>> {
            tail_literals(&hir(p), true).map(|t| {
                t.into_iter()
                    .map(|t| String::from_utf8(t).unwrap())
                    .collect()
            })
        };
        assert_eq!(
            tails(r"\b(?:Better|FASTER)\b"),
            Some(vec!["better".into(), "faster".into()])
        );
        assert_eq!(
            tails(r"\bcures?\b"),
            Some(vec!["cure".into(), "cures".into()])
        );
        // Long endings keep their last TAIL_LEN bytes.
        assert_eq!(
            tails(r"approved by the food and drug administration"),
            Some(vec!["stration".into()])
        );
        // A case-sensitive Unicode class is not folded; its tails are lowercased all the same.
        assert_eq!(
            tails(r"(?u-i:[FG]DA)"),
            Some(vec!["fda".into(), "gda".into()])
        );
        // An open ending, an ending too short to be selective, a possibly empty match: none.
        assert_eq!(tails(r"cures? [a-z]+"), None);
        assert_eq!(tails(r"\b(?:is|am)\b"), None);
        assert_eq!(tails(r"(?:cure)?"), None);
    }

    #[test]
    fn gaps_are_long_repetitions_of_classes() {
        assert!(has_gap(&hir(r"a[^.!?]{0,40}?b")));
        assert!(has_gap(&hir(r"a(?:[a-z-]+ ){0,2}b")));
        assert!(has_gap(&hir(r"a(?:x|[a-z ]{0,15})b")));
        assert!(has_gap(&hir(r"a.*b")));
        assert!(!has_gap(&hir(r"\b[0-9]{1,3}(?:\.[0-9]+)? ?%")));
        assert!(!has_gap(&hir(r"(?:very ){0,20}good")));
        assert!(!has_gap(&hir(r"cures?")));
    }

    /// Need words as text, with `~` for one that may go on inside a longer word.
    fn needs(pattern: &str) -> Option<Vec<String>> {
        gate(pattern).needs.map(|words| {
            words
                .into_iter()
                .map(|w| {
                    let mut text = String::from_utf8(w.bytes).unwrap();
                    if !w.boundary_after {
                        text.push('~');
                    }
                    text
                })
                .collect()
        })
    }

    #[test]
    fn need_words_come_after_the_first_part_and_are_selective() {
        // Of "never", "come" and "back", the set whose shortest word is longest.
        assert_eq!(
            needs(r"\b(?:Pain|anxiety) (?:will )?never (?:come|comes) back\b"),
            Some(vec!["never".into()])
        );
        // Across a gap, after a boundary.
        assert_eq!(
            needs(r"\bketamine\b[^.!?]{0,40}?\b(?:cures|heals) (?:it|them)\b"),
            Some(vec!["cures".into(), "heals".into()])
        );
        // A common or short first word takes the next word with it.
        assert_eq!(
            needs(r"\b[0-9]{1,3} ?% (?:more energy|fewer headaches)\b"),
            Some(vec!["fewer".into(), "more energy".into()])
        );
        // Of "in 24"/"in 48" and "24 hours"/"48 hours", the longer.
        assert_eq!(
            needs(r"\b(?:relief|results) in (?:24|48) hours\b"),
            Some(vec!["24 hours".into(), "48 hours".into()])
        );
        // Two words, not both of them function words, are selective together.
        assert_eq!(
            needs(r"\b(?:risks|side effects),? if any\b"),
            Some(vec!["if any".into()])
        );
        // A word the regex lets go on: it may end inside a longer word.
        assert_eq!(needs(r"\bcures? depress"), Some(vec!["depress~".into()]));
        // Each phrasing of an alternation gives its own; the parser factors their `\b` out.
        assert_eq!(
            needs(r"\bpain (?:never|not) returns\b|\banxiety (?:is|was) gone\b"),
            Some(vec!["is gone".into(), "returns".into(), "was gone".into()])
        );
    }

    #[test]
    fn need_words_need_a_certain_word_start_and_a_part_that_is_always_there() {
        // "24hours" matches too: "hours" may start inside a word.
        assert_eq!(needs(r"\b[0-9]+ ?(?:hours|days)\b"), None);
        // Only optional parts after the first.
        assert_eq!(needs(r"\bcures?(?: fast| now)?\b"), None);
        // Nothing after the first part.
        assert_eq!(needs(r"\b(?:cures|heals)\b"), None);
        // No prefixes, no need words.
        assert_eq!(needs(r"[a-z]+ cures everything"), None);
        // Only common words, whatever follows them.
        assert_eq!(needs(r"\bcures (?:the|your)\b"), None);
        assert_eq!(needs(r"\bcures? in the\b"), None);
    }

    #[test]
    fn prefix_literals_fold_case_and_give_up_on_broad_starts() {
        assert_eq!(
            bytes(prefix_literals(r"\bCures? [a-z]+")),
            [("cure ".into(), false), ("cures ".into(), false)]
        );
        assert_eq!(
            bytes(prefix_literals(r"\b(?:NO|zero)-x")),
            [("no-x".into(), false), ("zero-x".into(), false)]
        );
        // Long alternatives are cut to their first bytes, which keeps the automaton small.
        assert_eq!(
            bytes(prefix_literals(r"\bguaranteed (?:results|relief)")),
            [("guarante".into(), false)]
        );
        // A word boundary asserted right after a short literal is kept; one past the cut is not.
        assert_eq!(
            bytes(prefix_literals(
                r"\b(?:I|my|i've|effective)\b[^.]{0,40}?\bbetter"
            )),
            [
                ("effectiv".into(), false),
                ("i".into(), true),
                ("i've".into(), true),
                ("my".into(), true)
            ]
        );
        // A boundary between a word byte and a space is in the bytes themselves: "i " does not
        // match the "i" of "in", so it wakes the regex far less often than "i" would.
        assert_eq!(
            bytes(prefix_literals(r"\b(?:i|we)\b (?:lost|shed)")),
            [
                ("i lost".into(), false),
                ("i shed".into(), false),
                ("we lost".into(), false),
                ("we shed".into(), false)
            ]
        );
        assert_eq!(
            bytes(prefix_literals(r"\b(?:i|we)\b [a-z]+")),
            [("i ".into(), false), ("we ".into(), false)]
        );
        // A boundary that no bytes can satisfy ends the literal (and no text can match it).
        assert_eq!(
            bytes(prefix_literals(r"\bcure\bs")),
            [("cure".into(), true)]
        );
        // Both with and without a boundary after the same bytes: the weaker claim wins.
        assert_eq!(
            bytes(prefix_literals(r"\b(?:cure\b|cures?)")),
            [("cure".into(), false), ("cures".into(), false)]
        );
        assert_eq!(
            bytes(prefix_literals(r"\b(?:pain\b|pain ?killer)")),
            [
                ("pain".into(), true),
                ("pain kil".into(), false),
                ("painkill".into(), false)
            ]
        );
        // The optional-modifiers-then-list shape (`(?:chronic |severe )*(?:pain|anxiety)\b`)
        // passes the extractor's first limit: 25 x 45 literals in the cross product.
        let word = |first: char, i: usize| {
            format!(
                "{first}{}{}",
                (b'a' + (i / 26) as u8) as char,
                (b'a' + (i % 26) as u8) as char
            )
        };
        let modifiers: Vec<String> = (0..24).map(|i| word('m', i)).collect();
        let conditions: Vec<String> = (0..45).map(|i| word('c', i)).collect();
        let pattern = format!(
            r"\b(?:(?:{}) )*(?:{})\b",
            modifiers.join("|"),
            conditions.join("|")
        );
        // The parser folds the modifiers' alternation into `ma[a-x]`, which the extractor
        // expands again (and the space after it joins each literal).
        let mut expected: Vec<(String, bool)> =
            conditions.iter().map(|c| (c.clone(), true)).collect();
        expected.extend(modifiers.iter().map(|m| (format!("{m} "), false)));
        assert_eq!(bytes(prefix_literals(&pattern)), expected);
        // Too many numbers for eight bytes or four: literals of at most two bytes (a digit
        // alone where the extractor stops at the class after it).
        let counts = prefix_literals(
            r"\b(?:over |about )?(?:[0-9]{1,3},[0-9]{3}|[0-9]{3,6}) (?:patients|clients)",
        )
        .unwrap();
        let counts: Vec<&[u8]> = counts.iter().map(|p| p.bytes.as_slice()).collect();
        assert!(counts.iter().all(|p| p.len() <= 2), "{counts:?}");
        for literal in [&b"ov"[..], b"ab", b"12", b"99", b"1"] {
            assert!(counts.contains(&literal), "{literal:?} in {counts:?}");
        }
        // A class of every letter stays ungated at any length.
        assert_eq!(prefix_literals(r"[a-z]{5}[0-9]{4}x"), None);
        assert_eq!(prefix_literals(r"(?:^|[^0-9.])[0-9]+%"), None);
        assert_eq!(prefix_literals(r"[a-z]+ly"), None);
        assert_eq!(prefix_literals(r"x?"), None);
    }

    #[test]
    fn a_byte_read_only_to_rule_out_a_number_is_a_lead() {
        // The lead (a line start, or one byte that is no word byte) becomes `\b`; the match
        // may then start a byte before the literals. The class names both cases: the gate
        // reads the regex case-sensitively, where `[^a-z]` holds capitals.
        let gate_of_lead =
            gate(r"(?:\bnine|(?:(?m:^)|[^0-9A-Za-z_.,\x80-\xff\n])[0-9]{1,2}) in ten");
        assert!(gate_of_lead.lead == Lead::Dropped && gate_of_lead.starts_at_boundary);
        let literals = bytes(gate_of_lead.prefixes);
        // (The extractor stops the numbers' literals at their first digit.)
        assert!(
            literals.contains(&("nine in ".into(), false)),
            "{literals:?}"
        );
        assert!(literals.contains(&("7".into(), false)), "{literals:?}");
        assert_eq!(gate(r"[^a-zA-Z0-9_][0-9]+%").lead, Lead::Dropped);
        // Leads the match keeps: a short list of signs, which may be part of the claim ("+20%",
        // ">500 mg", "#1"), and a lead before a literal another alternative may start with a
        // sign where (`$5`), which a lead could not be told from.
        for pattern in [
            r"[-+][0-9]+ ?%",
            r"(?:^|[<>])[0-9]+ ?mg",
            r"[#@][0-9]+ doctor",
            r"(?:(?:^|[^0-9A-Za-z_])[0-9]+|\$[0-9]+) in",
        ] {
            assert_eq!(gate(pattern).lead, Lead::Kept, "{pattern}");
        }
        // Not leads: a class with word bytes in it, a lead before what may start with no word
        // byte, a lead that is the whole match, a lead past the start, a line start alone.
        for pattern in [
            r"(?:^|[^0-9.])[0-9]+%",
            r"[^a-z0-9_][0-9]+%",
            r"(?:^|[^0-9A-Za-z_])\$[0-9]+",
            r"(?:^|[^0-9A-Za-z_])(?:[0-9]+|\$)",
            r"(?:^|[^0-9A-Za-z_])(?:[0-9]+)?-",
            r"(?:^|[^0-9A-Za-z_])[0-9]*",
            r"[^0-9A-Za-z_]",
            r"\bx[^0-9A-Za-z_][0-9]+",
            r"^[0-9]+ in",
        ] {
            assert_eq!(gate(pattern).lead, Lead::None, "{pattern}");
        }
        // Ignoring case under Unicode, `k` also matches the Kelvin sign, which starts with no
        // word byte (and no literal of the gate holds it): no gate at all.
        for pattern in [r"[^0-9A-Za-z_](?u:k)m", r"(?u)\bkm\b", r"(?iu:\bkm)"] {
            assert_eq!(gate(pattern).prefixes, None, "{pattern}");
            assert_eq!(gate(pattern).lead, Lead::None, "{pattern}");
        }
        assert!(gate(r"(?-u:\bkm\b)").prefixes.is_some());
        assert!(gate(r"\bkm (?u-i:[FG]DA)\b").prefixes.is_some());
    }

    #[test]
    fn lowercased_classes_keep_every_letter_once() {
        let class = |ranges: &[(u8, u8)]| {
            ClassBytes::new(ranges.iter().map(|&(a, b)| ClassBytesRange::new(a, b)))
        };
        assert_eq!(
            lowercase_class(&class(&[(b'A', b'C'), (b'a', b'c')])),
            class(&[(b'a', b'c')])
        );
        assert_eq!(
            lowercase_class(&class(&[(b'0', b'9'), (b'X', b'Z')])),
            class(&[(b'0', b'9'), (b'x', b'z')])
        );
        assert_eq!(
            lowercase_class(&class(&[(b'@', b'B')])),
            class(&[(b'@', b'@'), (b'a', b'b')])
        );
    }
}
