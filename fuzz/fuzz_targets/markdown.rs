//! Fuzz target: Markdown extraction of arbitrary bytes keeps the offset-map invariants.
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = invariants::check_extraction(data, claimlint::Format::Markdown) {
        panic!("{violation}");
    }
});
