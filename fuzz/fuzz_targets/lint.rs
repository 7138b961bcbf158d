//! Fuzz target: the whole lint of arbitrary bytes, read as a file in the format the first byte
//! picks, keeps the finding-span invariants.
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let format = invariants::FORMATS[usize::from(first) % invariants::FORMATS.len()];
    if let Err(violation) = invariants::check_lint(rest, format) {
        panic!("{violation}");
    }
});
