//! Whole-document tests over the realistic pages in `fixtures/docs/`.
//!
//! - Pages named `balanced-*` are written the way careful clinics and leaflets write: off-label
//!   status stated, risks under a heading, crisis lines, hedged outcomes, cited figures. They must
//!   produce no finding at warning or above.
//! - Every other page is risky marketing copy; `fixtures/docs/expected.toml` lists, per page, the
//!   rules that must fire at warning or above, and specific claims that must be reported where
//!   they are written.
//! - Every finding on every fixture page (docs and the rest of `fixtures/`) must point at exactly
//!   the source bytes it reports, and never into `<script>`, `<style>`, comments, code fences or
//!   front matter.
//! - Line and column numbers on the CRLF, BOM and multi-byte pages are checked against positions
//!   counted independently from the raw bytes.
//!
//! Failures are collected per test and reported together, so one run shows every gap.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use claimlint::{Finding, Format, Ruleset, Severity, SourceFile, lint};
use serde::Deserialize;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The ids of `design/taxonomy.md`, to catch typos in `expected.toml`.
const TAXONOMY: &[&str] = &[
    "efficacy-rate",
    "unsourced-statistic",
    "safety-absolute",
    "addiction-denial",
    "risk-minimization",
    "cure-guarantee",
    "establishment-claim",
    "speed-claim",
    "comparative-superiority",
    "universality",
    "mechanism-overclaim",
    "testimonial-popularity",
    "regulatory-status",
    "suicidality-claim",
    "discourage-care",
    "fear-appeal",
    "evidence-mismatch",
    "hype",
    "pom-promotion",
    "fair-balance",
    "suicide-safe-messaging",
    "off-label-disclosure",
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn docs_dir() -> PathBuf {
    fixtures_dir().join("docs")
}

/// The format the CLI would pick from the file extension.
fn format_of(path: &Path) -> Format {
    match extension(path).as_str() {
        "md" | "markdown" | "mdx" => Format::Markdown,
        "html" | "htm" => Format::Html,
        _ => Format::Plain,
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn is_page(path: &Path) -> bool {
    matches!(
        extension(path).as_str(),
        "md" | "markdown" | "mdx" | "html" | "htm" | "txt"
    )
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned()
}

fn is_balanced(path: &Path) -> bool {
    file_name(path).starts_with("balanced-")
}

/// The pages directly in `fixtures/docs/`, sorted.
fn doc_pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(docs_dir())
        .expect("fixtures/docs exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_page(p))
        .collect();
    pages.sort();
    pages
}

/// Every page under `fixtures/`, recursively, sorted.
fn all_fixture_pages() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![fixtures_dir()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if is_page(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn rules() -> Ruleset {
    Ruleset::default_rules().expect("the default ruleset loads")
}

/// A page read from disk and linted.
struct Linted {
    name: String,
    bytes: Vec<u8>,
    file: SourceFile,
    findings: Vec<Finding>,
}

impl Linted {
    /// Reads and lints a page; `None` when the file is not UTF-8 (or not decodable), which
    /// byte-exact checks cannot compare.
    fn read(rules: &Ruleset, path: &Path) -> Option<Linted> {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let name = path
            .strip_prefix(fixtures_dir())
            .unwrap_or(path)
            .display()
            .to_string();
        let file = SourceFile::from_bytes(name.clone(), &bytes).ok()?;
        if file.encoding != claimlint::source::Encoding::Utf8 {
            return None;
        }
        let findings = lint(rules, &file, format_of(path));
        Some(Linted {
            name,
            bytes,
            file,
            findings,
        })
    }

    fn must_read(rules: &Ruleset, path: &Path) -> Linted {
        Linted::read(rules, path)
            .unwrap_or_else(|| panic!("{} is a UTF-8 fixture page", path.display()))
    }

    /// The finding's byte range in the original file.
    fn file_range(&self, f: &Finding) -> Range<usize> {
        self.file.file_offset(f.span.start)..self.file.file_offset(f.span.end)
    }

    /// One line per finding: `rule severity line:col "matched"`.
    fn describe(&self, f: &Finding) -> String {
        let (line, col) = self.file.line_col(f.span.start);
        let doc = if f.document { " (document)" } else { "" };
        format!(
            "{} {}{doc} at {}:{line}:{col} {:?}",
            f.rule, f.severity, self.name, f.matched
        )
    }

    fn describe_all<'a>(&self, findings: impl IntoIterator<Item = &'a Finding>) -> String {
        let mut s = String::new();
        for f in findings {
            let _ = writeln!(s, "      {}", self.describe(f));
        }
        if s.is_empty() {
            s.push_str("      (none)\n");
        }
        s
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Byte range of the `n`-th (1-based) occurrence of `needle` in `hay`.
fn nth_occurrence(hay: &[u8], needle: &[u8], n: usize) -> Option<Range<usize>> {
    if needle.is_empty() || n == 0 {
        return None;
    }
    let mut seen = 0;
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if &hay[i..i + needle.len()] == needle {
            seen += 1;
            if seen == n {
                return Some(i..i + needle.len());
            }
            i += needle.len();
        } else {
            i += 1;
        }
    }
    None
}

/// Case-insensitive (ASCII) search from `from`.
fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    (from..=hay.len().saturating_sub(needle.len())).find(|&i| {
        i + needle.len() <= hay.len() && hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
    })
}

/// 1-based line and column (in Unicode scalar values) of a byte offset into the original file
/// bytes, counted here without the library: `\n`, `\r\n` and a lone `\r` end a line, and a byte
/// order mark is not a column.
fn independent_line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut line_start = 0;
    for i in 0..offset {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => {
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
    }
    if line == 1 && bytes.starts_with(BOM) {
        line_start = BOM.len();
    }
    let column = std::str::from_utf8(&bytes[line_start..offset])
        .expect("offset on a char boundary")
        .chars()
        .count();
    (line, column + 1)
}

// ---------------------------------------------------------------------------------------------
// expected.toml

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    page: Vec<PageSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageSpec {
    file: String,
    must: Vec<String>,
    #[serde(default)]
    at: Vec<AtSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AtSpec {
    text: String,
    #[serde(default = "first")]
    occurrence: usize,
    rule: String,
    #[serde(default = "warning")]
    min: Severity,
}

fn first() -> usize {
    1
}

fn warning() -> Severity {
    Severity::Warning
}

fn expected() -> Expected {
    let path = docs_dir().join("expected.toml");
    let text = std::fs::read_to_string(&path).expect("fixtures/docs/expected.toml exists");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Problems in the fixtures themselves (not in the linter): unknown rule ids, missing files,
/// risky pages without an entry, `at` texts that do not occur.
fn fixture_problems(expected: &Expected) -> Vec<String> {
    let mut problems = Vec::new();
    let mut listed = BTreeSet::new();
    for page in &expected.page {
        if !listed.insert(page.file.clone()) {
            problems.push(format!("{} is listed twice", page.file));
        }
        let path = docs_dir().join(&page.file);
        if !path.is_file() {
            problems.push(format!("{} does not exist", page.file));
            continue;
        }
        if is_balanced(&path) {
            problems.push(format!(
                "{} is a balanced page; it has no expectations",
                page.file
            ));
        }
        if page.must.is_empty() {
            problems.push(format!("{} has an empty `must` list", page.file));
        }
        for rule in page.must.iter().chain(page.at.iter().map(|a| &a.rule)) {
            if !TAXONOMY.contains(&rule.as_str()) {
                problems.push(format!("{}: unknown rule id {rule:?}", page.file));
            }
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        for at in &page.at {
            if nth_occurrence(&bytes, at.text.as_bytes(), at.occurrence).is_none() {
                problems.push(format!(
                    "{}: occurrence {} of {:?} not found",
                    page.file, at.occurrence, at.text
                ));
            }
        }
    }
    for path in doc_pages() {
        let name = file_name(&path);
        if !is_balanced(&path) && !listed.contains(&name) {
            problems.push(format!(
                "{name} is a risky page without an entry in expected.toml"
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// a. balanced pages

#[test]
fn balanced_pages_have_no_warnings_or_errors() {
    let rules = rules();
    let balanced: Vec<PathBuf> = doc_pages().into_iter().filter(|p| is_balanced(p)).collect();
    assert!(
        balanced.len() >= 4,
        "expected at least 4 balanced pages in fixtures/docs, found {}",
        balanced.len()
    );
    let mut failures = String::new();
    for path in &balanced {
        let page = Linted::must_read(&rules, path);
        let loud: Vec<&Finding> = page
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .collect();
        if !loud.is_empty() {
            let _ = write!(
                failures,
                "  {} has {} finding(s) at warning or above:\n{}",
                page.name,
                loud.len(),
                page.describe_all(loud)
            );
        }
    }
    assert!(
        failures.is_empty(),
        "balanced pages must not produce warnings or errors:\n{failures}"
    );
}

// ---------------------------------------------------------------------------------------------
// b. risky pages

#[test]
fn risky_pages_have_their_expected_findings() {
    let expected = expected();
    let problems = fixture_problems(&expected);
    assert!(
        problems.is_empty(),
        "fixtures/docs/expected.toml is inconsistent with the pages:\n  {}",
        problems.join("\n  ")
    );
    assert!(
        expected.page.len() >= 8,
        "expected.toml should cover at least 8 risky pages"
    );

    let rules = rules();
    let mut failures = String::new();
    for spec in &expected.page {
        let page = Linted::must_read(&rules, &docs_dir().join(&spec.file));
        let loud: BTreeSet<&str> = page
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .map(|f| f.rule.as_str())
            .collect();
        let mut problems = Vec::new();
        let missing: Vec<&str> = spec
            .must
            .iter()
            .map(String::as_str)
            .filter(|r| !loud.contains(r))
            .collect();
        if !missing.is_empty() {
            problems.push(format!(
                "missing at warning or above: {}",
                missing.join(", ")
            ));
        }
        for at in &spec.at {
            let located = nth_occurrence(&page.bytes, at.text.as_bytes(), at.occurrence)
                .expect("checked by fixture_problems");
            let hit = page.findings.iter().any(|f| {
                f.rule == at.rule && f.severity >= at.min && overlaps(&page.file_range(f), &located)
            });
            if !hit {
                let (line, col) = independent_line_col(&page.bytes, located.start);
                let same_rule: Vec<&Finding> =
                    page.findings.iter().filter(|f| f.rule == at.rule).collect();
                problems.push(format!(
                    "no {} finding at {} or above on {:?} (line {line}, column {col}); \
                     its findings of that rule:\n{}",
                    at.rule,
                    at.min,
                    at.text,
                    page.describe_all(same_rule).trim_end()
                ));
            }
        }
        if !problems.is_empty() {
            let _ = write!(
                failures,
                "  {}:\n    {}\n    all findings:\n{}",
                page.name,
                problems.join("\n    "),
                page.describe_all(&page.findings)
            );
        }
    }
    assert!(
        failures.is_empty(),
        "risky pages are missing expected findings:\n{failures}"
    );
}

// ---------------------------------------------------------------------------------------------
// c. spans

#[test]
fn every_finding_points_at_its_exact_source_bytes() {
    let rules = rules();
    let pages = all_fixture_pages();
    assert!(
        pages.len() >= 12,
        "expected at least 12 fixture pages, found {}",
        pages.len()
    );
    let mut failures = String::new();
    let mut checked = 0;
    for path in &pages {
        let Some(page) = Linted::read(&rules, path) else {
            continue;
        };
        let text = &page.file.text;
        let mut previous_start = 0;
        for f in &page.findings {
            checked += 1;
            let mut problems = Vec::new();
            let span = &f.span;
            if span.start >= span.end {
                problems.push(format!("empty span {span:?}"));
            }
            if span.end > text.len() {
                problems.push(format!(
                    "span {span:?} past the end of the text ({})",
                    text.len()
                ));
            } else if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
                problems.push(format!("span {span:?} is not on char boundaries"));
            } else if text[span.clone()] != f.matched {
                problems.push(format!(
                    "text[{span:?}] is {:?}, not the matched text",
                    &text[span.clone()]
                ));
            }
            let fr = page.file_range(f);
            match page.bytes.get(fr.clone()) {
                Some(b) if b == f.matched.as_bytes() => {}
                Some(b) => problems.push(format!(
                    "file bytes {fr:?} are {:?}, not the matched text",
                    String::from_utf8_lossy(b)
                )),
                None => problems.push(format!("file range {fr:?} is outside the file")),
            }
            if span.start < previous_start {
                problems.push(format!(
                    "out of order: starts at {} after a finding starting at {previous_start}",
                    span.start
                ));
            }
            previous_start = span.start;
            if !problems.is_empty() {
                let _ = writeln!(
                    failures,
                    "  {} {} {:?} span {span:?}: {}",
                    page.name,
                    f.rule,
                    f.matched,
                    problems.join("; ")
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "findings that do not point at their source ({checked} checked):\n{failures}"
    );
}

// ---------------------------------------------------------------------------------------------
// d. ignored markup

/// A region of the original file bytes that is not prose.
struct Region {
    kind: &'static str,
    range: Range<usize>,
    /// The bytes inside the markers (what a naive linter would read).
    inner: Range<usize>,
}

/// `<script>`, `<style>` and `<!-- -->` regions, found by plain text search.
fn markup_regions(bytes: &[u8], out: &mut Vec<Region>) {
    for (kind, open, close) in [
        ("<script>", &b"<script"[..], &b"</script>"[..]),
        ("<style>", b"<style", b"</style>"),
        ("HTML comment", b"<!--", b"-->"),
    ] {
        let mut from = 0;
        while let Some(start) = find_ci(bytes, open, from) {
            let inner_start = if open == b"<!--" {
                start + open.len()
            } else {
                find_ci(bytes, b">", start).map_or(bytes.len(), |i| i + 1)
            };
            let inner_end = find_ci(bytes, close, inner_start).unwrap_or(bytes.len());
            let end = (inner_end + close.len()).min(bytes.len());
            out.push(Region {
                kind,
                range: start..end,
                inner: inner_start..inner_end,
            });
            from = end;
        }
    }
}

/// Line ranges (including the line break) of the original bytes.
fn lines(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.push(start..bytes.len());
    }
    out
}

fn line_text(bytes: &[u8], r: &Range<usize>) -> String {
    String::from_utf8_lossy(&bytes[r.clone()])
        .trim_end_matches(['\r', '\n'])
        .to_owned()
}

/// YAML front matter (`---` first line, after an optional BOM) and fenced code blocks.
fn markdown_regions(bytes: &[u8], out: &mut Vec<Region>) {
    let lines = lines(bytes);
    let body_start = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let mut i = 0;
    let front_close = lines
        .first()
        .filter(|first| line_text(bytes, &(body_start..first.end)) == "---")
        .and_then(|_| {
            (1..lines.len()).find(|&j| {
                let t = line_text(bytes, &lines[j]);
                t == "---" || t == "..."
            })
        });
    if let Some(close) = front_close {
        out.push(Region {
            kind: "front matter",
            range: body_start..lines[close].end,
            inner: lines[0].end..lines[close].start,
        });
        i = close + 1;
    }
    while i < lines.len() {
        let t = line_text(bytes, &lines[i]);
        let indent = t.len() - t.trim_start_matches(' ').len();
        let rest = t.trim_start_matches(' ');
        let fence_char = rest.chars().next().filter(|c| *c == '`' || *c == '~');
        let fence_len = fence_char.map_or(0, |c| rest.chars().take_while(|&x| x == c).count());
        if indent <= 3 && fence_len >= 3 {
            let c = fence_char.unwrap_or('`');
            let close = (i + 1..lines.len()).find(|&j| {
                let u = line_text(bytes, &lines[j]);
                let u = u.trim_start_matches(' ');
                u.chars().take_while(|&x| x == c).count() >= fence_len
                    && u.trim_start_matches(c).trim().is_empty()
            });
            let end_line = close.unwrap_or(lines.len() - 1);
            out.push(Region {
                kind: "code fence",
                range: lines[i].start..lines[end_line].end,
                inner: lines[i].end..lines[end_line].start.max(lines[i].end),
            });
            i = end_line + 1;
        } else {
            i += 1;
        }
    }
}

fn ignored_regions(path: &Path, bytes: &[u8]) -> Vec<Region> {
    let mut out = Vec::new();
    match format_of(path) {
        Format::Html => markup_regions(bytes, &mut out),
        Format::Markdown => {
            markdown_regions(bytes, &mut out);
            let mut html = Vec::new();
            markup_regions(bytes, &mut html);
            // Inline HTML shown inside a code fence is already covered by the fence.
            html.retain(|h| {
                !out.iter()
                    .any(|r| r.range.start <= h.range.start && h.range.end <= r.range.end)
            });
            out.extend(html);
        }
        Format::Plain => {}
    }
    out
}

#[test]
fn ignored_markup_never_produces_findings() {
    // Pages whose ignored regions are full of claim words, and the kinds each must contain.
    let required: &[(&str, &[&str])] = &[
        ("iv-drip-bar.html", &["<script>", "<style>"]),
        (
            "stem-cell-prp-clinic.md",
            &["front matter", "code fence", "HTML comment"],
        ),
        ("tms-depression-center.md", &["front matter"]),
        ("balanced-clinic-what-to-expect.html", &["<script>"]),
        ("balanced-depression-blog.md", &["front matter"]),
    ];
    let rules = rules();
    let mut failures = String::new();
    for (name, kinds) in required {
        let path = docs_dir().join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {name}: {e}"));
        let regions = ignored_regions(&path, &bytes);
        for kind in *kinds {
            if !regions.iter().any(|r| r.kind == *kind) {
                let _ = writeln!(failures, "  fixture {name} has no {kind} region");
            }
        }
        // The test only means something if the hidden text would be flagged as prose.
        let hidden: String = regions
            .iter()
            .map(|r| String::from_utf8_lossy(&bytes[r.inner.clone()]).into_owned())
            .collect::<Vec<_>>()
            .join("\n\n");
        if claimlint::lint_str(&rules, &hidden, Format::Plain).is_empty() {
            let _ = writeln!(
                failures,
                "  the ignored text of {name} gives no findings even as plain text, so this test \
                 proves nothing for it"
            );
        }
    }

    let mut pages = doc_pages();
    pages.extend(all_fixture_pages());
    pages.sort();
    pages.dedup();
    for path in &pages {
        let Some(page) = Linted::read(&rules, path) else {
            continue;
        };
        let regions = ignored_regions(path, &page.bytes);
        for f in &page.findings {
            let fr = page.file_range(f);
            for r in regions.iter().filter(|r| overlaps(&fr, &r.range)) {
                let (line, _) = independent_line_col(&page.bytes, r.range.start);
                let _ = writeln!(
                    failures,
                    "  {} (inside the {} that starts on line {line})",
                    page.describe(f),
                    r.kind
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "findings in text that is not prose:\n{failures}"
    );
}

// ---------------------------------------------------------------------------------------------
// e. line and column

/// Checks that the library's line/column for the start and end of the `rule` finding that
/// overlaps `needle` match positions counted from the raw bytes.
fn check_position(page: &Linted, needle: &str, rule: &str, failures: &mut String) {
    let Some(located) = nth_occurrence(&page.bytes, needle.as_bytes(), 1) else {
        let _ = writeln!(
            failures,
            "  fixture {} does not contain {needle:?}",
            page.name
        );
        return;
    };
    let Some(f) = page
        .findings
        .iter()
        .find(|f| f.rule == rule && overlaps(&page.file_range(f), &located))
    else {
        let _ = write!(
            failures,
            "  {}: no {rule} finding on {needle:?}; findings:\n{}",
            page.name,
            page.describe_all(&page.findings)
        );
        return;
    };
    let fr = page.file_range(f);
    for (what, text_offset, file_offset) in [
        ("start", f.span.start, fr.start),
        ("end", f.span.end, fr.end),
    ] {
        if file_offset > page.bytes.len()
            || std::str::from_utf8(&page.bytes[..file_offset]).is_err()
        {
            let _ = writeln!(
                failures,
                "  {}: {rule} {what} offset {file_offset} is not a char boundary of the file",
                page.name
            );
            continue;
        }
        let want = independent_line_col(&page.bytes, file_offset);
        let got = page.file.line_col(text_offset);
        if got != want {
            let _ = writeln!(
                failures,
                "  {}: {rule} {:?} {what}: library says line {}, column {}; counted from the \
                 bytes: line {}, column {}",
                page.name, f.matched, got.0, got.1, want.0, want.1
            );
        }
    }
}

#[test]
fn line_and_column_are_right_on_the_crlf_page() {
    let path = docs_dir().join("testosterone-trt-clinic.txt");
    let bytes = std::fs::read(&path).expect("CRLF fixture exists");
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    let lf = bytes.iter().filter(|&&b| b == b'\n').count();
    assert!(
        crlf > 20 && crlf == lf,
        "the fixture must use CRLF line endings throughout ({crlf} CRLF, {lf} LF)"
    );
    assert!(
        bytes.windows(16).any(|w| w == b"completely\r\nsafe"),
        "the fixture must wrap a claim across a CRLF"
    );
    let page = Linted::must_read(&rules(), &path);
    let mut failures = String::new();
    check_position(
        &page,
        "There is no risk of dependence",
        "addiction-denial",
        &mut failures,
    );
    // Hard-wrapped across a CRLF: the end of the finding is on the next line.
    check_position(&page, "TRT is completely", "safety-absolute", &mut failures);
    check_position(
        &page,
        "TRT is clinically proven",
        "establishment-claim",
        &mut failures,
    );
    assert!(
        failures.is_empty(),
        "positions on the CRLF page:\n{failures}"
    );
}

#[test]
fn line_and_column_are_right_on_the_bom_page() {
    let path = docs_dir().join("tms-depression-center.md");
    let bytes = std::fs::read(&path).expect("BOM fixture exists");
    assert!(
        bytes.starts_with(BOM),
        "the fixture must start with a UTF-8 BOM"
    );
    let page = Linted::must_read(&rules(), &path);
    assert_eq!(page.file.bom_len, 3);
    assert!(
        !page.file.text.starts_with('\u{feff}'),
        "the BOM is stripped from the text"
    );
    let mut failures = String::new();
    check_position(
        &page,
        "TMS cures depression permanently",
        "cure-guarantee",
        &mut failures,
    );
    check_position(
        &page,
        "TMS eliminates suicidal thoughts",
        "suicidality-claim",
        &mut failures,
    );
    check_position(
        &page,
        "has no side effects",
        "safety-absolute",
        &mut failures,
    );
    assert!(
        failures.is_empty(),
        "positions on the BOM page:\n{failures}"
    );
}

#[test]
fn columns_count_characters_on_the_multibyte_page() {
    let path = docs_dir().join("ozone-hyperbaric-spa-unicode.txt");
    let page = Linted::must_read(&rules(), &path);
    let mut failures = String::new();
    // Curly apostrophe and em dash earlier on the line: byte and character columns differ.
    check_position(
        &page,
        "100% safe — no side effects",
        "safety-absolute",
        &mut failures,
    );
    check_position(&page, "cures Lyme disease", "cure-guarantee", &mut failures);
    check_position(
        &page,
        "regrows damaged brain cells",
        "mechanism-overclaim",
        &mut failures,
    );
    assert!(
        failures.is_empty(),
        "positions on the multi-byte page:\n{failures}"
    );
}
