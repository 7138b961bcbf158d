//! The invariants every fuzz input must keep, shared by the fuzz targets (`fuzz/fuzz_targets/`)
//! and by the tests that replay saved inputs and run the same checks on generated ones
//! (`tests/fuzz_regressions.rs`, which loads this file as a module), so a crash the fuzzer finds
//! and its regression test check exactly the same thing. Each check returns the first violation;
//! a panic inside claimlint is a violation too (the fuzzer and the tests both catch it).

// Each target uses some of these checks; the tests use all of them.
#![allow(dead_code)]

use std::sync::OnceLock;

use claimlint::config::{ConfigFile, Overrides, RawConfig, Settings};
use claimlint::extract::{self, Format};
use claimlint::walk::{self, Loaded};
use claimlint::{LintOptions, Ruleset, RulesetOptions};

/// The three formats, picked by an input's first byte in the whole-lint target.
pub const FORMATS: [Format; 3] = [Format::Markdown, Format::Html, Format::Plain];

/// The default rulesets, compiled once per process.
pub fn default_rules() -> &'static Ruleset {
    static RULES: OnceLock<Ruleset> = OnceLock::new();
    RULES.get_or_init(|| Ruleset::default_rules().expect("the embedded rulesets load"))
}

/// Extraction of `bytes` (when they are UTF-8) in `format`: the offset map stays in bounds, on
/// char boundaries and in order, and every block maps back inside the source.
pub fn check_extraction(bytes: &[u8], format: Format) -> Result<(), String> {
    let Ok(source) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    let prose = extract::extract(source, format);
    extract::check_invariants(source, &prose)?;
    for block in &prose.blocks {
        if let Some(range) = prose.source_range(block.range.clone())
            && source.get(range.clone()).is_none()
        {
            return Err(format!(
                "block {block:?} maps outside the source: {range:?}"
            ));
        }
    }
    for directive in &prose.directives {
        if source.get(directive.span.clone()).is_none() {
            return Err(format!("directive span outside the source: {directive:?}"));
        }
    }
    Ok(())
}

/// The whole pipeline on `bytes` as a file in `format`: every finding's span is in bounds, on
/// char boundaries, in order, and its source bytes are the reported `matched` text.
pub fn check_lint(bytes: &[u8], format: Format) -> Result<(), String> {
    let file = match walk::decode("fuzz-input", bytes.to_vec()) {
        Ok(Loaded::Text(file)) => file,
        // Binary, skipped or undecodable bytes are reported, not linted.
        Ok(_) | Err(_) => return Ok(()),
    };
    let findings = claimlint::lint_with(default_rules(), &file, format, &LintOptions::default());
    let mut last = (0, 0);
    for f in &findings {
        let Some(source) = file.text.get(f.span.clone()) else {
            return Err(format!(
                "span {:?} of `{}` is out of bounds or splits a character",
                f.span, f.rule
            ));
        };
        if source != f.matched {
            return Err(format!(
                "`{}`: source bytes {source:?} differ from matched {:?}",
                f.rule, f.matched
            ));
        }
        if (f.span.start, f.span.end) < last {
            return Err(format!("findings out of order at {:?}", f.span));
        }
        last = (f.span.start, f.span.end);
        let (line, column) = file.line_col(f.span.start);
        if line == 0 || line > file.lines.len() || column == 0 {
            return Err(format!("line/column {line}:{column} outside the file"));
        }
    }
    check_human_report(&file, &findings)
}

/// The human report of `findings`, in colour and without: every diagnostic renders (long lines
/// cut around its labels) and heads its snippet with the finding's own line and column.
pub fn check_human_report(
    file: &claimlint::source::SourceFile,
    findings: &[claimlint::Finding],
) -> Result<(), String> {
    use claimlint::report::provenance::RunInfo;
    use claimlint::report::{DirectiveRule, RenderOne, ReportOptions, human::HumanRenderer};
    let rules = default_rules();
    let run = RunInfo::for_tests(rules);
    for color in [false, true] {
        let renderer = HumanRenderer::new(ReportOptions {
            color,
            rules,
            run: &run,
            directive: DirectiveRule::default(),
        });
        for f in findings {
            let Some(bytes) = renderer.render_one(file, f) else {
                return Err(format!("`{}` at {:?} did not render", f.rule, f.span));
            };
            let text = String::from_utf8_lossy(&bytes);
            let (line, column) = file.line_col(f.span.start);
            let locus = format!("{}:{line}:{column}\n", file.path);
            if !color && !text.contains(&locus) {
                return Err(format!(
                    "`{}` at {:?}: no `{locus}` in {text}",
                    f.rule, f.span
                ));
            }
        }
    }
    Ok(())
}

/// `bytes` as a `claimlint.toml`: parsing and resolving never panic, and an error points inside
/// the file.
pub fn check_config(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => return span_inside(e.span(), text),
    };
    let config = ConfigFile {
        path: "/fuzz/claimlint.toml".into(),
        display: "claimlint.toml".into(),
        text: text.to_owned(),
        raw,
    };
    match Settings::resolve(
        Some(config),
        std::path::Path::new("/fuzz"),
        &Overrides::default(),
    ) {
        Ok(settings) => {
            let _ = settings.to_toml();
            Ok(())
        }
        Err(e) => {
            let _ = e.to_string();
            Ok(())
        }
    }
}

/// `bytes` as a user rule file next to the default rulesets: loading never panics and an error
/// in the file points inside it. The file is written to a temporary directory, because user
/// rulesets are loaded by path.
pub fn check_ruleset(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("fuzz-rule.toml");
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let opts = RulesetOptions {
        paths: vec![path],
        ..RulesetOptions::default()
    };
    match Ruleset::load(&opts) {
        Ok(rules) => {
            // A ruleset that loads must also lint its own text without breaking.
            let file = claimlint::SourceFile::from_text(
                "r.md",
                text.to_owned(),
                claimlint::source::Encoding::Utf8,
                0,
            );
            let _ = claimlint::lint(&rules, &file, Format::Markdown);
            Ok(())
        }
        Err(claimlint::RulesetError::Source(e)) => {
            let _ = e.render(false);
            match e.line_col() {
                Some((line, _)) if line > text.lines().count() + 1 => Err(format!(
                    "error line {line} is past the end of the file: {e}"
                )),
                _ => Ok(()),
            }
        }
        Err(e) => {
            let _ = e.to_string();
            Ok(())
        }
    }
}

fn span_inside(span: Option<std::ops::Range<usize>>, text: &str) -> Result<(), String> {
    match span {
        Some(s) if s.start > text.len() || s.end > text.len() => Err(format!(
            "error span {s:?} outside a {}-byte file",
            text.len()
        )),
        _ => Ok(()),
    }
}
