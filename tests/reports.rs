//! Tests of the reports for reviewers: HTML (self-contained, escaped, counts, waivers, size
//! budget at 1,000 documents), Markdown (the 65,000-character cap and its note, escaping) and CSV
//! (RFC 4180 quoting read back with the csv crate). The browser check is `.ci/report-check`.
//!
//! Run through the binary on `fixtures/reports/` where the real rules matter only for having
//! findings (counts are compared between formats, never hard-coded); the rest use the library
//! with findings made here, so they do not change when the rulesets grow.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use assert_cmd::Command;
use html5gum::{Token, Tokenizer, naive_next_state};
use serde_json::Value;

use claimlint::finding::{Waiver, WaiverKind};
use claimlint::report::provenance::RunInfo;
use claimlint::report::{self, DirectiveRule, Format, ReportOptions, Summary};
use claimlint::source::Encoding;
use claimlint::{Finding, Ruleset, Severity, SourceFile};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// `claimlint --isolated check --format FORMAT PATHS` from the repository root; stdout. Each
/// distinct run happens once per test binary (several tests read the same report).
fn check(format: &str, paths: &[&str]) -> String {
    static RUNS: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
    let key = format!("{format} {}", paths.join(" "));
    if let Some(out) = RUNS.lock().unwrap().get(&key) {
        return out.clone();
    }
    let output = Command::cargo_bin("claimlint")
        .unwrap()
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1796000000")
        .env("NO_COLOR", "1")
        .args(["--isolated", "check", "--format", format])
        .args(paths)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    let out = String::from_utf8(output.stdout).unwrap();
    RUNS.lock().unwrap().insert(key, out.clone());
    out
}

/// The default rules, loaded once (compiling them is the slow part of these tests).
fn rules() -> &'static Ruleset {
    static RULES: OnceLock<Ruleset> = OnceLock::new();
    RULES.get_or_init(|| Ruleset::default_rules().unwrap())
}

/// Runs a reporter over `(file, findings)` pairs with the default rules; the output.
fn render(format: Format, files: &[(SourceFile, Vec<Finding>)]) -> String {
    let rules = rules();
    let run = RunInfo::for_tests(rules);
    let mut reporter = report::reporter(
        format,
        ReportOptions {
            color: false,
            rules,
            run: &run,
            directive: DirectiveRule::default(),
        },
    );
    let mut out = Vec::new();
    let mut summary = Summary::default();
    for (file, findings) in files {
        reporter.report(&mut out, file, findings).unwrap();
        summary.add_file(findings);
    }
    reporter.finish(&mut out, &summary).unwrap();
    String::from_utf8(out).unwrap()
}

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile::from_text(path, text.to_owned(), Encoding::Utf8, 0)
}

/// A finding at the first occurrence of `words` in `file`.
fn finding_at(file: &SourceFile, words: &str, severity: Severity) -> Finding {
    let start = file.text.find(words).expect("words are in the text");
    Finding {
        rule: "cure-guarantee".into(),
        category: "cure".into(),
        severity,
        span: start..start + words.len(),
        matched: words.into(),
        message: format!("`{words}` promises a cure"),
        suggestion: "say what the evidence shows".into(),
        citation_hint: Some("a controlled human trial".into()),
        references: vec!["FTC guidance, https://www.ftc.gov/guidance.".into()].into(),
        adjustments: Vec::new(),
        document: false,
        waiver: None,
    }
}

fn waived(mut f: Finding, reason: &str) -> Finding {
    f.waiver = Some(Waiver {
        kind: WaiverKind::DisableNextLine,
        reason: reason.into(),
        span: 0..1,
    });
    f
}

/// The markup of an HTML page: each start tag with its attributes, script and style bodies read
/// as raw text (as a browser does).
fn start_tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut tokenizer = Tokenizer::new(html);
    let mut tags = Vec::new();
    while let Some(Ok(token)) = tokenizer.next() {
        if let Token::StartTag(tag) = token {
            let name = String::from_utf8_lossy(&tag.name).into_owned();
            // Script and style bodies are raw text. (The tokenizer records the start tag itself,
            // which is what lets it recognise the matching end tag.)
            if let Some(state) = naive_next_state(&tag.name) {
                tokenizer.set_state(state);
            }
            let attrs = tag
                .attributes
                .iter()
                .map(|(k, v)| {
                    (
                        String::from_utf8_lossy(k).into_owned(),
                        String::from_utf8_lossy(&v.value).into_owned(),
                    )
                })
                .collect();
            tags.push((name, attrs));
        }
    }
    tags
}

/// Asserts that the page's markup is only the report's own: known tags, no event handlers, links
/// only to fragments or web addresses, one style and one script.
fn assert_only_report_markup(html: &str) {
    const TAGS: &[&str] = &[
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "header",
        "div",
        "p",
        "h1",
        "h2",
        "h3",
        "dl",
        "dt",
        "dd",
        "ul",
        "li",
        "code",
        "details",
        "summary",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "form",
        "fieldset",
        "legend",
        "label",
        "input",
        "span",
        "select",
        "option",
        "button",
        "output",
        "main",
        "section",
        "svg",
        "title",
        "defs",
        "pattern",
        "rect",
        "circle",
        "text",
        "a",
        "mark",
        "ol",
        "blockquote",
        "strong",
        "footer",
        "script",
    ];
    let tags = start_tags(html);
    let mut counts = std::collections::BTreeMap::new();
    for (name, attrs) in &tags {
        assert!(TAGS.contains(&name.as_str()), "unexpected tag <{name}>");
        *counts.entry(name.as_str()).or_insert(0) += 1;
        for (key, value) in attrs {
            assert!(!key.starts_with("on"), "event handler {key}={value:?}");
            assert!(
                !["src", "srcdoc", "action", "formaction", "style"].contains(&key.as_str()),
                "attribute {key}={value:?} on <{name}>"
            );
            if key == "href" {
                assert!(
                    value.starts_with('#')
                        || value.starts_with("https://")
                        || value.starts_with("http://"),
                    "link {value:?}"
                );
            }
        }
    }
    assert_eq!(counts.get("script"), Some(&1), "one script, the report's");
    assert_eq!(counts.get("style"), Some(&1), "one style, the report's");
}

#[test]
fn html_report_is_one_self_contained_file_that_loads_nothing() {
    let html = check("html", &["fixtures/reports"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    let csp = start_tags(&html)
        .into_iter()
        .find(|(name, attrs)| {
            name == "meta"
                && attrs
                    .iter()
                    .any(|(k, v)| k == "http-equiv" && v == "Content-Security-Policy")
        })
        .expect("a CSP meta tag");
    let policy = &csp.1.iter().find(|(k, _)| k == "content").unwrap().1;
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(policy.contains("script-src 'sha256-"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(!html.contains("<link"), "no stylesheet links");
    assert_only_report_markup(&html);
    // Every link inside the page lands somewhere.
    let tags = start_tags(&html);
    let ids: BTreeSet<&str> = tags
        .iter()
        .flat_map(|(_, attrs)| attrs.iter())
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.as_str())
        .collect();
    let fragments: Vec<&str> = tags
        .iter()
        .flat_map(|(_, attrs)| attrs.iter())
        .filter(|(k, v)| k == "href" && v.starts_with('#'))
        .map(|(_, v)| &v[1..])
        .collect();
    assert!(
        fragments.len() > 50,
        "links to sections, lines and findings"
    );
    for fragment in fragments {
        assert!(ids.contains(fragment), "#{fragment} has no target");
    }
}

#[test]
fn html_header_proves_what_was_reviewed() {
    let html = check("html", &["fixtures/reports/batch/joint-support.md"]);
    let bytes = std::fs::read(root().join("fixtures/reports/batch/joint-support.md")).unwrap();
    let sha = claimlint::report::provenance::sha256_hex(&bytes);
    assert!(html.contains(&sha), "the input file's SHA-256");
    assert!(html.contains("2026-11-30 00:53:20 UTC"), "the date");
    assert!(html.contains(&format!("claimlint {}", env!("CARGO_PKG_VERSION"))));
    assert!(html.contains("<code>claimlint --isolated check --format html fixtures/reports/batch/joint-support.md</code>"));
    assert!(
        html.contains("core &middot; SHA-256 <code>"),
        "the ruleset and its hash"
    );
    assert!(html.contains("none (built-in defaults)"), "no config file");
}

#[test]
fn html_summary_counts_equal_the_json_summary() {
    let html = check("html", &["fixtures/reports"]);
    let json: Value = serde_json::from_str(&check("json", &["fixtures/reports"])).unwrap();
    for key in ["errors", "warnings", "infos", "files"] {
        let needle = format!("data-count=\"{key}\">{}<", json["summary"][key]);
        assert!(html.contains(&needle), "{needle}");
    }
    let findings = json["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "the fixtures have findings");
    assert_eq!(html.matches("<li class=\"finding ").count(), findings.len());
    let waived = findings.iter().filter(|f| !f["waiver"].is_null()).count();
    assert!(waived > 0, "sleep-clinic.html waives a finding");
    assert!(html.contains(&format!("data-count=\"waived\">{waived}<")));
}

#[test]
fn html_shows_waived_findings_with_their_reason() {
    let html = check("html", &["fixtures/reports/batch/sleep-clinic.html"]);
    assert!(html.contains("data-waived=\"yes\""));
    assert!(html.contains("Waived by <code>claimlint-disable-next-line</code>"));
    assert!(html.contains("trial cited in footnote 2 (Smith 2019); approved by MLR-118"));
}

#[test]
fn hostile_document_text_appears_as_text() {
    let html = check("html", &["fixtures/reports/hostile.md"]);
    assert_only_report_markup(&html);
    for escaped in [
        "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;",
        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
        "[Click here](javascript:alert(document.cookie))",
        "&lt;/style&gt;&lt;style&gt;body{display:none}&lt;/style&gt;",
        "&lt;iframe src=&quot;https://evil.example&quot;&gt;&lt;/iframe&gt;",
        "&#39; onmouseover=&#39;alert(2)&#39; &amp; more &amp;amp; entities.",
    ] {
        assert!(html.contains(escaped), "{escaped}");
    }
    assert!(!html.contains("href=\"javascript"));
}

#[test]
fn hostile_paths_messages_reasons_and_highlights_are_escaped() {
    let text = "<script>alert(1)</script> cures </style> all";
    let doc = file("<img src=x onerror=alert(1)>.md", text);
    let mut f = finding_at(&doc, "<script>alert(1)</script> cures", Severity::Error);
    f.message = "\"><svg onload=alert(1)> `<b>`".into();
    f.suggestion = "</style><script>x</script>".into();
    f.rule = "r\"><a href=javascript:x>".into();
    f.category = "c\" onclick=\"x".into();
    f.references = vec!["javascript:alert(1)".into(), "<a href=x>".into()].into();
    let g = waived(
        finding_at(&doc, "</style> all", Severity::Warning),
        "<img src=x onerror=alert(2)>",
    );
    let html = render(Format::Html, &[(doc.clone(), vec![f.clone(), g.clone()])]);
    assert_only_report_markup(&html);
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;.md"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("<mark class=\"hl sev-error\" data-f=\"d0-f1\">&lt;script&gt;alert(1)&lt;/script&gt; cures</mark>"));

    // In Markdown, the only HTML is the report's own `<br>`, and input makes no links or images.
    let markdown = render(Format::Markdown, &[(doc, vec![f, g])]);
    let mut options = pulldown_cmark::Options::empty();
    options.insert(pulldown_cmark::Options::ENABLE_TABLES);
    options.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    for event in pulldown_cmark::Parser::new_ext(&markdown, options) {
        match event {
            pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
                assert_eq!(&*h, "<br>", "{markdown}")
            }
            pulldown_cmark::Event::Start(
                tag @ (pulldown_cmark::Tag::Link { .. } | pulldown_cmark::Tag::Image { .. }),
            ) => panic!("{tag:?} in {markdown}"),
            _ => {}
        }
    }
    assert!(
        markdown.contains("\\<img src=x onerror=alert\\(2\\)\\>"),
        "{markdown}"
    );
}

#[test]
fn html_report_over_1000_documents_keeps_its_size_budget() {
    let rules = rules();
    let paragraph = "Our clinic offers assessments for adults with knee pain. \
        Some patients say the programme helped them walk further, and a small 2021 study of 40 people \
        found modest improvements after twelve weeks. Our supplement is the natural cure for arthritis \
        and is 100% safe. Talk to your doctor about risks, including stomach upset.\n\n";
    // Three page shapes, linted once each (linting is not what this measures).
    let shapes: Vec<(String, Vec<Finding>)> = (1..=3)
        .map(|n| {
            let text = format!("# Page\n\n{}", paragraph.repeat(n));
            let found = claimlint::lint_str(rules, &text, claimlint::Format::Markdown);
            (text, found)
        })
        .collect();
    let mut files = Vec::new();
    let mut text_bytes = 0;
    let mut findings = 0;
    for i in 0..1_000 {
        let (text, found) = &shapes[i % 3];
        text_bytes += text.len();
        findings += found.len();
        files.push((
            file(&format!("site/pages/page-{i:04}.md"), text),
            found.clone(),
        ));
    }
    assert!(
        findings >= 1_000,
        "the generated pages have findings ({findings})"
    );
    let html = render(Format::Html, &files);
    let budget = report::html::size_budget(files.len(), findings, text_bytes);
    assert!(
        html.len() <= budget,
        "{} bytes for 1,000 documents, {findings} findings, {text_bytes} text bytes; budget {budget}",
        html.len()
    );
    // Collapsed sections keep it fast to open; the summary table links to each one.
    assert_eq!(html.matches("<details class=\"doc\"").count(), 1_000);
    assert!(
        !html.contains("\" open><summary><h2>"),
        "sections start collapsed"
    );
    assert!(html.contains("<a href=\"#d999\">site/pages/page-0999.md</a>"));
}

#[test]
fn small_reports_open_their_sections_but_not_clean_ones() {
    let bad = file("a.md", "It cures all.");
    let good = file("b.md", "It may help.");
    let f = finding_at(&bad, "cures", Severity::Error);
    let html = render(Format::Html, &[(bad.clone(), vec![f]), (good, Vec::new())]);
    assert!(html.contains("<details class=\"doc\" id=\"d0\" data-path=\"a.md\" open>"));
    assert!(html.contains("<details class=\"doc\" id=\"d1\" data-path=\"b.md\"><summary>"));
    assert!(html.contains("No findings in this document."));
}

#[test]
fn markdown_report_stays_under_65000_characters_and_says_what_it_left_out() {
    let mut files = Vec::new();
    let mut total = 0;
    for i in 0..400 {
        let text = "It cures pain. It cures gout. It cures colds.".repeat(3);
        let doc = file(&format!("pages/page-{i:03}.md"), &text);
        let findings: Vec<Finding> = ["cures pain", "cures gout", "cures colds"]
            .iter()
            .map(|w| finding_at(&doc, w, Severity::Error))
            .collect();
        total += findings.len();
        files.push((doc, findings));
    }
    let markdown = render(Format::Markdown, &files);
    let chars = markdown.chars().count();
    assert!(chars <= 65_000, "{chars} characters");
    assert!(chars > 60_000, "it uses the room it has ({chars})");
    let shown = markdown.lines().filter(|l| l.starts_with("- ")).count();
    assert!(shown > 0 && shown < total);
    let note = format!("**Truncated:** {} findings of {total} ", total - shown);
    assert!(markdown.contains(&note), "{note}");
    assert!(
        markdown.contains("| \u{2026} and 350 more files |"),
        "{}",
        &markdown[..3000]
    );
}

#[test]
fn markdown_report_has_a_summary_table_and_findings_per_file() {
    let markdown = check("markdown", &["fixtures/reports"]);
    let json: Value = serde_json::from_str(&check("json", &["fixtures/reports"])).unwrap();
    assert!(markdown.starts_with("## claimlint: "));
    assert!(markdown.contains("| | File | Errors | Warnings | Infos | Waived |"));
    assert!(markdown.contains("### `fixtures/reports/batch/joint-support.md`"));
    let items = markdown.lines().filter(|l| l.starts_with("- ")).count();
    assert_eq!(items, json["findings"].as_array().unwrap().len());
    assert!(!markdown.contains("Truncated"));
    assert!(markdown.contains("**waived**"));
}

#[test]
fn csv_quotes_commas_quotes_and_line_breaks_and_reads_back() {
    let text = "Line one.\nIt \"cures\", truly,\r\nall ills.\n=cures";
    let doc = file("dir/a, \"b\".md", text);
    let tricky = finding_at(&doc, "\"cures\", truly,\r\nall", Severity::Error);
    let formula = finding_at(&doc, "=cures", Severity::Warning);
    let reason = "approved, see \"MLR-7\"\nsecond line";
    let csv_text = render(
        Format::Csv,
        &[(doc.clone(), vec![tricky.clone(), waived(formula, reason)])],
    );
    assert!(csv_text.starts_with('\u{FEFF}'), "a UTF-8 byte order mark");
    assert!(csv_text.contains("\r\n"), "CRLF records");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv_text.trim_start_matches('\u{FEFF}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, report::csv::HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], "dir/a, \"b\".md");
    assert_eq!((&rows[0][1], &rows[0][2]), ("2", "4"));
    assert_eq!(&rows[0][3], "error");
    assert_eq!(&rows[0][6], "\"cures\", truly,\r\nall");
    assert_eq!(&rows[0][7], tricky.message);
    assert_eq!((&rows[0][9], &rows[0][10]), ("no", ""));
    assert_eq!(&rows[1][6], "'=cures", "a formula is defused");
    assert_eq!((&rows[1][9], &rows[1][10]), ("yes", reason));
}

#[test]
fn csv_of_a_run_writes_a_row_per_finding() {
    let csv_text = check("csv", &["fixtures/reports"]);
    let json: Value = serde_json::from_str(&check("json", &["fixtures/reports"])).unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches('\u{FEFF}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(rows.len(), findings.len());
    for (row, f) in rows.iter().zip(findings) {
        assert_eq!(&row[0], f["path"].as_str().unwrap());
        assert_eq!(row[1], f["line"].to_string());
        assert_eq!(&row[5], f["rule"].as_str().unwrap());
    }
}

#[test]
fn csv_of_no_files_is_just_the_header() {
    let out = render(Format::Csv, &[]);
    assert_eq!(
        out,
        format!("\u{FEFF}{}\r\n", report::csv::HEADER.join(","))
    );
}
