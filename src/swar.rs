//! Eight bytes at a time (SWAR: SIMD within a register) for the hot loops that skip plain
//! ASCII: which bytes of a `u64` are non-ASCII or equal a given byte, as a mask of high bits.

/// The high bit of every byte.
pub const HIGH: u64 = 0x8080_8080_8080_8080;

const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// The eight bytes of `bytes` from `at`, little-endian (byte `at` is the lowest). Panics past
/// the end, as slicing does.
pub fn load(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// The high bit of each byte of `word` that equals `byte` (exact per byte: no borrow runs from
/// one byte into the next, as in the shorter `haszero` trick).
pub fn equal_bytes(word: u64, byte: u8) -> u64 {
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// The high bit of each byte of `word` that equals one of `targets`, all ASCII: `equal_bytes`
/// for each, or-ed together, with the steps the tests share done once.
pub fn equal_any<const N: usize>(word: u64, targets: [u8; N]) -> u64 {
    let low = word & LOW7;
    // A byte's high bit in `(low ^ t) + LOW7` is set when its low seven bits are not `t`'s.
    let mut differs_from_all = HIGH;
    for target in targets {
        debug_assert!(
            target.is_ascii(),
            "equal_any compares with ASCII bytes only"
        );
        differs_from_all &= (low ^ (u64::from(target) * 0x0101_0101_0101_0101)) + LOW7;
    }
    // A byte that is not ASCII equals none of them.
    !(differs_from_all | word) & HIGH
}

/// The high bit of each byte of `word` that is an ASCII letter (either case) or digit.
pub fn alphanumeric(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Each byte's low seven bits with its high bit set: subtracting a byte value below 0x80
    // then never borrows from the next byte, and leaves the high bit set exactly when the low
    // seven bits are at least that value.
    let raised = word | HIGH;
    let at_least = |value: u8| raised.wrapping_sub(u64::from(value) * ONES);
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    // Setting bit 5 folds `A`-`Z` onto `a`-`z` (and nothing else onto them).
    let folded = raised | (0x20 * ONES);
    let letter = folded.wrapping_sub(u64::from(b'a') * ONES)
        & !folded.wrapping_sub(u64::from(b'z' + 1) * ONES);
    // A byte that is not ASCII is neither.
    (digit | letter) & !word & HIGH
}

/// The index of the lowest byte marked in a mask of high bits (`None` for an empty mask).
pub fn first_marked(mask: u64) -> Option<usize> {
    (mask != 0).then(|| (mask.trailing_zeros() / 8) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_mark_exactly_the_equal_bytes() {
        let bytes = b"a. b\t\x80 .x..";
        for at in 0..=bytes.len() - 8 {
            let word = load(bytes, at);
            for probe in [b'.', b' ', b'\t', b'a', 0x80, 0] {
                let expected: u64 = (0..8)
                    .filter(|&k| bytes[at + k] == probe)
                    .map(|k| 0x80u64 << (8 * k))
                    .sum();
                assert_eq!(equal_bytes(word, probe), expected, "{probe} at {at}");
            }
            let high: u64 = (0..8)
                .filter(|&k| bytes[at + k] >= 0x80)
                .map(|k| 0x80u64 << (8 * k))
                .sum();
            assert_eq!(word & HIGH, high);
        }
        assert_eq!(first_marked(0), None);
        // Every byte value at every place, among neighbours on both sides of each range.
        for byte in 0..=255u8 {
            for place in 0..8 {
                let mut bytes = [b'/', b'0', b'9', b':', b'@', b'Z', 0xC3, b'{'];
                bytes[place] = byte;
                let word = u64::from_le_bytes(bytes);
                let expected: u64 = (0..8)
                    .filter(|&k| bytes[k].is_ascii_alphanumeric())
                    .map(|k| 0x80u64 << (8 * k))
                    .sum();
                assert_eq!(alphanumeric(word), expected, "{byte:#x} at {place}");
            }
        }
        // Every byte value at every place, against a set of targets including the boundary
        // bytes 0 and 0x7F: equal_any is the or of equal_bytes.
        let targets = [b'.', b' ', 0, 0x7F, b'\n'];
        for byte in 0..=255u8 {
            for place in 0..8 {
                let mut bytes = [b'a', b'.', 0x80, 0xFF, b' ', 0x7F, 0, b'z'];
                bytes[place] = byte;
                let word = u64::from_le_bytes(bytes);
                let expected = targets.iter().fold(0, |m, &t| m | equal_bytes(word, t));
                assert_eq!(equal_any(word, targets), expected, "{byte:#x} at {place}");
            }
        }
        assert_eq!(first_marked(0x80 << 24), Some(3));
    }
}
