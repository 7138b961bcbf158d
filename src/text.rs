//! Sentence splitting (stub, replaced by the real splitter).
use crate::extract::Prose;
use std::ops::Range;

/// A sentence: a byte range of `Prose::text` and the index of its block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub range: Range<usize>,
    pub block: usize,
}

/// Splits every block of `prose` into sentences, in order.
pub fn split_sentences(prose: &Prose) -> Vec<Sentence> {
    prose
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| Sentence {
            range: b.range.clone(),
            block: i,
        })
        .collect()
}
