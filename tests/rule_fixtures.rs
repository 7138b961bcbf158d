//! Annotated fixtures: `fixtures/rules/<category>.md` holds longer Markdown for one category, and
//! every line that must produce findings ends with `<!-- expect: rule-a, rule-b -->`. The test lints
//! each file with the embedded default rulesets and requires the set of (line, rule) pairs of the
//! findings at warning or above to equal the markers exactly, so a miss and an extra hit both fail.
//! Findings at info are not graded (tone, or claims already supported); a line may say
//! `<!-- expect: rule-id:info -->` to require an info finding there. Document-level findings are
//! graded by the pages in `fixtures/docs/` (tests/documents.rs), not here.
//! The markers are HTML comments, which extraction drops, so they never reach the linter.

use std::collections::BTreeSet;
use std::path::PathBuf;

use claimlint::rules::Ruleset;
use claimlint::{Format, Severity, SourceFile, lint};

fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/rules exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

/// (line, rule, graded severity) triples the markers ask for. Lines are 1-based.
fn expectations(text: &str) -> BTreeSet<(usize, String, bool)> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find("<!-- expect:") else {
            continue;
        };
        let body = line[at + "<!-- expect:".len()..]
            .split("-->")
            .next()
            .expect("marker is closed");
        for item in body.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item.strip_suffix(":info") {
                Some(rule) => out.insert((i + 1, rule.to_owned(), true)),
                None => out.insert((i + 1, item.to_owned(), false)),
            };
        }
    }
    out
}

#[test]
fn annotated_fixtures_match_their_markers_exactly() {
    let rules = Ruleset::default_rules().expect("embedded rulesets load");
    let files = fixtures();
    assert!(!files.is_empty(), "no fixtures in fixtures/rules");
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let want = expectations(&text);
        let file = SourceFile::from_text(
            path.display().to_string(),
            text.clone(),
            claimlint::source::Encoding::Utf8,
            0,
        );
        let findings = lint(&rules, &file, Format::Markdown);
        let want_info: BTreeSet<(usize, String)> = want
            .iter()
            .filter(|(_, _, info)| *info)
            .map(|(l, r, _)| (*l, r.clone()))
            .collect();
        let mut got = BTreeSet::new();
        let mut got_info = BTreeSet::new();
        for f in findings.iter().filter(|f| !f.document) {
            let line = text[..f.span.start].matches('\n').count() + 1;
            if f.severity >= Severity::Warning {
                got.insert((line, f.rule.clone(), false));
            } else if want_info.contains(&(line, f.rule.clone())) {
                got_info.insert((line, f.rule.clone(), true));
            }
        }
        got.extend(got_info);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (line, rule, info) in want.difference(&got) {
            let level = if *info { "info" } else { "warning or error" };
            failures.push(format!("{name}:{line}: missing {rule} ({level})"));
        }
        for (line, rule, _) in got.difference(&want) {
            let f = findings
                .iter()
                .find(|f| {
                    &f.rule == rule && text[..f.span.start].matches('\n').count() + 1 == *line
                })
                .unwrap();
            failures.push(format!(
                "{name}:{line}: unexpected {rule} ({}) on `{}`",
                f.severity, f.matched
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) in annotated fixtures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn markers_are_parsed_with_lines_lists_and_info() {
    let text = "a\nb <!-- expect: cure-guarantee, hype:info -->\nc\n";
    let got: Vec<_> = expectations(text).into_iter().collect();
    assert_eq!(
        got,
        vec![
            (2, "cure-guarantee".to_owned(), false),
            (2, "hype".to_owned(), true)
        ]
    );
}
