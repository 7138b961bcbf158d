//! How the matcher reads a rule regex before compiling it (`matcher_hir`: a lowercased
//! case-sensitive reading when that means the same, else the case-insensitive one), and a compact
//! byte encoding of the result. `build.rs` includes this file and stores the encoded reading of
//! every embedded regex, so a run decodes it instead of parsing big alternations again: parsing
//! and translating was over half the cost of compiling the regexes a one-paragraph check wakes.

use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Look, Repetition,
};

/// The syntax every rule regex is read with: case-insensitive, ASCII (Unicode off, which keeps
/// `\b` and classes fast), over bytes.
pub fn rule_parser() -> regex_syntax::Parser {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .unicode(false)
        .utf8(false)
        .build()
}

/// What the matcher compiles for a rule regex, and whether it runs on ASCII-lowercased text:
/// `lowercase_hir` when it applies, else the case-insensitive reading.
pub fn matcher_hir(pattern: &str) -> Result<(Hir, bool), String> {
    match lowercase_hir(pattern) {
        Some(hir) => Ok((hir, true)),
        None => rule_parser()
            .parse(pattern)
            .map(|hir| (hir, false))
            .map_err(|e| e.to_string()),
    }
}

/// The regex for ASCII-lowercased text: its case-sensitive reading with literals and classes
/// lowercased (`gate::fold_ascii_case`). On lowercased text that matches exactly where the
/// case-insensitive regex matches the original, and it is several times cheaper to parse and
/// compile: a case-insensitive reading makes a two-letter class of every letter, which also keeps
/// the compiler from turning alternations of literals into a trie. `None` (read it
/// case-insensitively then) when the two could differ: a flag group such as `(?-i:...)`, or a
/// negated class naming letters (`[^a-z]` excludes capitals too when case-insensitive, but
/// lowercasing the case-sensitive class would let lowercase letters in).
pub fn lowercase_hir(pattern: &str) -> Option<Hir> {
    use regex_syntax::ast;
    let tree = ast::parse::Parser::new().parse(pattern).ok()?;
    if !folds_simply(&tree) {
        return None;
    }
    let hir = regex_syntax::hir::translate::TranslatorBuilder::new()
        .case_insensitive(false)
        .unicode(false)
        .utf8(false)
        .build()
        .translate(pattern, &tree)
        .ok()?;
    Some(super::gate::fold_ascii_case(&hir, false))
}

/// Whether a regex means the same case-insensitively as its lowercased case-sensitive reading
/// does on lowercased text (see `lowercase_hir`).
fn folds_simply(tree: &regex_syntax::ast::Ast) -> bool {
    use regex_syntax::ast::{Ast, GroupKind};
    match tree {
        Ast::Flags(_) => false,
        Ast::Group(group) => match &group.kind {
            GroupKind::NonCapturing(flags) if !flags.items.is_empty() => false,
            _ => folds_simply(&group.ast),
        },
        Ast::ClassBracketed(class) => bracketed_folds_simply(class),
        Ast::Repetition(rep) => folds_simply(&rep.ast),
        Ast::Alternation(alt) => alt.asts.iter().all(folds_simply),
        Ast::Concat(concat) => concat.asts.iter().all(folds_simply),
        _ => true,
    }
}

/// A bracketed class folds simply unless it, or a class nested in it, is negated and names a
/// letter (or a named class, `[^[:alpha:]]`, counted as naming one to be safe), or uses a set
/// operation.
fn bracketed_folds_simply(class: &regex_syntax::ast::ClassBracketed) -> bool {
    use regex_syntax::ast::{ClassSet, ClassSetItem};
    fn flatten<'a>(item: &'a ClassSetItem, out: &mut Vec<&'a ClassSetItem>) {
        match item {
            ClassSetItem::Union(union) => union.items.iter().for_each(|i| flatten(i, out)),
            other => out.push(other),
        }
    }
    // Set operations (`[a-z&&[^aeiou]]`) are rare enough to read case-insensitively always.
    let ClassSet::Item(top) = &class.kind else {
        return false;
    };
    let mut all = Vec::new();
    flatten(top, &mut all);
    let names_letters = all.iter().any(|item| match item {
        ClassSetItem::Literal(l) => l.c.is_ascii_alphabetic(),
        ClassSetItem::Range(r) => r.start.c <= 'z' && r.end.c >= 'A',
        ClassSetItem::Ascii(_) | ClassSetItem::Unicode(_) | ClassSetItem::Perl(_) => true,
        ClassSetItem::Empty(_) | ClassSetItem::Bracketed(_) | ClassSetItem::Union(_) => false,
    });
    if class.negated && names_letters {
        return false;
    }
    all.iter().all(|item| match item {
        ClassSetItem::Bracketed(inner) => bracketed_folds_simply(inner),
        _ => true,
    })
}

// --- encoding --------------------------------------------------------------------------------
//
// A tree in prefix order: a tag byte per node, then its fields; numbers are little-endian u32.
// Decoding rebuilds each node with regex-syntax's own constructors, which is how the tree was
// built in the first place, so the result is equal to the original (a test holds every embedded
// regex to that).

const EMPTY: u8 = 0;
const LITERAL: u8 = 1;
const CLASS_UNICODE: u8 = 2;
const CLASS_BYTES: u8 = 3;
const LOOK: u8 = 4;
const REPETITION: u8 = 5;
const CAPTURE: u8 = 6;
const CONCAT: u8 = 7;
const ALTERNATION: u8 = 8;

/// The bytes of `hir` (see `decode`). Only `build.rs` and the tests encode; a run decodes.
#[allow(dead_code)]
pub fn encode(hir: &Hir) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(hir, &mut out);
    out
}

#[allow(dead_code)]
fn put(out: &mut Vec<u8>, n: usize) {
    let n = u32::try_from(n).expect("a rule regex's numbers fit in 32 bits");
    out.extend_from_slice(&n.to_le_bytes());
}

#[allow(dead_code)]
fn encode_into(hir: &Hir, out: &mut Vec<u8>) {
    match hir.kind() {
        HirKind::Empty => out.push(EMPTY),
        HirKind::Literal(lit) => {
            out.push(LITERAL);
            put(out, lit.0.len());
            out.extend_from_slice(&lit.0);
        }
        HirKind::Class(Class::Unicode(class)) => {
            out.push(CLASS_UNICODE);
            put(out, class.ranges().len());
            for r in class.ranges() {
                put(out, r.start() as usize);
                put(out, r.end() as usize);
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            out.push(CLASS_BYTES);
            put(out, class.ranges().len());
            for r in class.ranges() {
                out.extend_from_slice(&[r.start(), r.end()]);
            }
        }
        HirKind::Look(look) => {
            out.push(LOOK);
            put(out, look.as_repr() as usize);
        }
        HirKind::Repetition(rep) => {
            out.push(REPETITION);
            put(out, rep.min as usize);
            match rep.max {
                Some(max) => {
                    out.push(1);
                    put(out, max as usize);
                }
                None => out.push(0),
            }
            out.push(u8::from(rep.greedy));
            encode_into(&rep.sub, out);
        }
        HirKind::Capture(cap) => {
            out.push(CAPTURE);
            put(out, cap.index as usize);
            match &cap.name {
                Some(name) => {
                    out.push(1);
                    put(out, name.len());
                    out.extend_from_slice(name.as_bytes());
                }
                None => out.push(0),
            }
            encode_into(&cap.sub, out);
        }
        HirKind::Concat(subs) => encode_list(CONCAT, subs, out),
        HirKind::Alternation(subs) => encode_list(ALTERNATION, subs, out),
    }
}

#[allow(dead_code)]
fn encode_list(tag: u8, subs: &[Hir], out: &mut Vec<u8>) {
    out.push(tag);
    put(out, subs.len());
    for sub in subs {
        encode_into(sub, out);
    }
}

/// The tree `encode` wrote, or `None` for bytes it did not write.
pub fn decode(bytes: &[u8]) -> Option<Hir> {
    let mut reader = Reader { bytes, at: 0 };
    let hir = reader.hir()?;
    (reader.at == bytes.len()).then_some(hir)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn number(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn count(&mut self) -> Option<usize> {
        self.number().map(|n| n as usize)
    }

    fn hir(&mut self) -> Option<Hir> {
        Some(match self.byte()? {
            EMPTY => Hir::empty(),
            LITERAL => {
                let n = self.count()?;
                Hir::literal(self.take(n)?)
            }
            CLASS_UNICODE => {
                let n = self.count()?;
                let mut ranges = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    let start = char::from_u32(self.number()?)?;
                    let end = char::from_u32(self.number()?)?;
                    ranges.push(ClassUnicodeRange::new(start, end));
                }
                Hir::class(Class::Unicode(ClassUnicode::new(ranges)))
            }
            CLASS_BYTES => {
                let n = self.count()?;
                let mut ranges = Vec::with_capacity(n.min(256));
                for _ in 0..n {
                    let r = self.take(2)?;
                    ranges.push(ClassBytesRange::new(r[0], r[1]));
                }
                Hir::class(Class::Bytes(ClassBytes::new(ranges)))
            }
            LOOK => Hir::look(Look::from_repr(self.number()?)?),
            REPETITION => {
                let min = self.number()?;
                let max = match self.byte()? {
                    0 => None,
                    _ => Some(self.number()?),
                };
                let greedy = self.byte()? != 0;
                let sub = Box::new(self.hir()?);
                Hir::repetition(Repetition {
                    min,
                    max,
                    greedy,
                    sub,
                })
            }
            CAPTURE => {
                let index = self.number()?;
                let name = match self.byte()? {
                    0 => None,
                    _ => {
                        let n = self.count()?;
                        Some(std::str::from_utf8(self.take(n)?).ok()?.into())
                    }
                };
                let sub = Box::new(self.hir()?);
                Hir::capture(Capture { index, name, sub })
            }
            tag @ (CONCAT | ALTERNATION) => {
                let n = self.count()?;
                let mut subs = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    subs.push(self.hir()?);
                }
                if tag == CONCAT {
                    Hir::concat(subs)
                } else {
                    Hir::alternation(subs)
                }
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_node_survives_the_round_trip() {
        for pattern in [
            r"\bcures? (?:pain|[a-z]+)\b",
            r"(?P<rate>[0-9]{1,3})(?:\.[0-9]+)? ?%",
            r"x{2,}?y*z+?(?:a|b|cd|)",
            r"(?u:\w+é)\s",
            r"^(?m)start$|(?s).",
            r"[^.!?]{0,40}?\bfda\b",
            r"",
        ] {
            let hir = rule_parser().parse(pattern).unwrap();
            assert_eq!(decode(&encode(&hir)).as_ref(), Some(&hir), "{pattern}");
        }
    }

    #[test]
    fn bytes_it_did_not_write_are_refused() {
        let hir = rule_parser().parse(r"\bab(c|d)+").unwrap();
        let bytes = encode(&hir);
        // Cut short, with bytes left over, or an unknown tag.
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(decode(&[bytes.as_slice(), &[0]].concat()), None);
        assert_eq!(decode(&[99]), None);
        assert_eq!(decode(&[]), None);
    }

    proptest::proptest! {
        /// Any bytes decode to a tree or to `None` (none panics), and a tree decoded from
        /// arbitrary bytes survives the round trip.
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(
            proptest::sample::select(vec![0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff, b'a']),
            0..64,
        )) {
            if let Some(hir) = decode(&bytes) {
                proptest::prop_assert_eq!(decode(&encode(&hir)), Some(hir));
            }
        }
    }
}
