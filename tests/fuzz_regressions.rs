//! The fuzz targets' invariants, run by `cargo test`: every saved input in `fuzz/regressions/<target>/`
//! (crashes the fuzzer found, and hand-made hostile seeds) is replayed through the same check its
//! target runs, and proptest drives the same checks with generated markup, so the invariants hold
//! even where nobody runs `cargo +nightly fuzz`. The checks live in `fuzz/invariants.rs`.

#[path = "../fuzz/invariants.rs"]
mod invariants;

use std::path::Path;

use claimlint::Format;
use proptest::prelude::*;

/// Replays `fuzz/regressions/<target>/*` through `check`; returns how many inputs ran.
fn replay(target: &str, check: impl Fn(&[u8]) -> Result<(), String>) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    inputs.sort();
    for path in &inputs {
        let bytes = std::fs::read(path).unwrap();
        if let Err(violation) = check(&bytes) {
            panic!("{}: {violation}", path.display());
        }
    }
    inputs.len()
}

/// The lint target's input: the first byte picks the format (as in fuzz_targets/lint.rs).
fn lint_input(data: &[u8]) -> Result<(), String> {
    match data.split_first() {
        Some((&first, rest)) => invariants::check_lint(
            rest,
            invariants::FORMATS[usize::from(first) % invariants::FORMATS.len()],
        ),
        None => Ok(()),
    }
}

/// The toml target's input: odd first byte a config, even a ruleset (as in fuzz_targets/toml.rs).
fn toml_input(data: &[u8]) -> Result<(), String> {
    match data.split_first() {
        Some((&first, rest)) if first % 2 == 1 => invariants::check_config(rest),
        Some((_, rest)) => invariants::check_ruleset(rest),
        None => Ok(()),
    }
}

#[test]
fn saved_markdown_inputs_keep_the_invariants() {
    let ran = replay("markdown", |b| {
        invariants::check_extraction(b, Format::Markdown)
    });
    assert!(ran > 0, "no saved inputs");
}

#[test]
fn saved_html_inputs_keep_the_invariants() {
    let ran = replay("html", |b| invariants::check_extraction(b, Format::Html));
    assert!(ran > 0, "no saved inputs");
}

#[test]
fn saved_lint_inputs_keep_the_invariants() {
    assert!(replay("lint", lint_input) > 0, "no saved inputs");
}

#[test]
fn saved_toml_inputs_keep_the_invariants() {
    assert!(replay("toml", toml_input) > 0, "no saved inputs");
}

#[test]
fn undecodable_and_unparsable_inputs_pass_through() {
    // Undecodable bytes are a per-file error, not linted; TOML that does not parse or resolve is
    // a located error: all pass the checks without panicking.
    assert!(invariants::check_lint(b"\xff cures cancer", Format::Plain).is_ok());
    assert!(toml_input(b"\x01max-filesize = \"lots\"").is_ok());
    assert!(toml_input(b"\x01[[[").is_ok());
}

/// Markup-heavy text: Markdown and HTML syntax, entities, claim words, multi-byte characters and
/// line breaks, so generated inputs reach the extractors' corners rather than plain words.
fn markup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("cures cancer".to_owned()),
        Just("100% safe".to_owned()),
        Just("no side effects".to_owned()),
        Just("clinically proven".to_owned()),
        Just(". ".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("> ".to_owned()),
        Just("- ".to_owned()),
        Just("1. ".to_owned()),
        Just("    ".to_owned()),
        Just("\t".to_owned()),
        Just("# ".to_owned()),
        Just("*".to_owned()),
        Just("_".to_owned()),
        Just("`".to_owned()),
        Just("```".to_owned()),
        Just("[".to_owned()),
        Just("](".to_owned()),
        Just(")".to_owned()),
        Just("[^1]".to_owned()),
        Just("[^1]: ".to_owned()),
        Just("|".to_owned()),
        Just("---".to_owned()),
        Just("<p>".to_owned()),
        Just("</p>".to_owned()),
        Just("<div>".to_owned()),
        Just("<br>".to_owned()),
        Just("<script>".to_owned()),
        Just("</script>".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just("<!-- claimlint-disable-next-line -->".to_owned()),
        Just("&amp;".to_owned()),
        Just("&#x1F600;".to_owned()),
        Just("&nbsp".to_owned()),
        Just("<sup>1</sup>".to_owned()),
        Just("<a href=\"#x\">".to_owned()),
        Just("é".to_owned()),
        Just("—".to_owned()),
        Just("\u{200B}".to_owned()),
        Just("𝄞".to_owned()),
        "[a-zA-Z ]{0,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn generated_markdown_keeps_the_offset_map(text in markup()) {
        prop_assert_eq!(invariants::check_extraction(text.as_bytes(), Format::Markdown), Ok(()));
    }

    #[test]
    fn generated_html_keeps_the_offset_map(text in markup()) {
        prop_assert_eq!(invariants::check_extraction(text.as_bytes(), Format::Html), Ok(()));
    }

    #[test]
    fn generated_bytes_keep_the_offset_map(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        for format in invariants::FORMATS {
            prop_assert_eq!(invariants::check_extraction(&bytes, format), Ok(()));
        }
    }
}

proptest! {
    // The whole pipeline is slower per case in a debug build.
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn generated_pages_keep_the_finding_spans(text in markup(), pick in 0usize..3) {
        prop_assert_eq!(invariants::check_lint(text.as_bytes(), invariants::FORMATS[pick]), Ok(()));
    }

    #[test]
    fn generated_configs_resolve_or_fail_cleanly(text in "[a-z\\-=\\[\\]\" .,0-9{}\n]{0,80}") {
        prop_assert_eq!(invariants::check_config(text.as_bytes()), Ok(()));
    }
}
