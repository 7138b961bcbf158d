//! Fuzz target: arbitrary bytes as a `claimlint.toml` and as a user rule file. Odd first byte:
//! config; even: ruleset (written to a temporary file, as rulesets load by path).
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let result = if first % 2 == 1 {
        invariants::check_config(rest)
    } else {
        invariants::check_ruleset(rest)
    };
    if let Err(violation) = result {
        panic!("{violation}");
    }
});
