//! The HTML report for compliance reviewers: one self-contained page (inline CSS, script and SVG;
//! a Content-Security-Policy that allows nothing else) with the run's provenance, a summary, and
//! each document's text with its findings highlighted in place and explained beside it.
//!
//! Every piece of input (document text, paths, messages, waiver reasons) goes through `escape`;
//! the only markup in the output is written here. Sections are rendered as files arrive, so
//! document texts are not kept until the end; the rendered sections wait in a `Spool` (memory,
//! then a temporary file), so a report over a large tree needs bounded memory.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::OnceLock;

use super::provenance::{self, RunInfo};
use super::spool::{Piece, Spool};
use super::{FileError, ReportOptions, Reporter, Summary, plural};
use crate::finding::{Finding, Severity};
use crate::source::SourceFile;

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Above this many documents, sections start collapsed (a `<details>` each), so a report over
/// 1,000 documents opens fast; the summary table links to each one and following a link opens it.
pub const OPEN_SECTIONS_UP_TO: usize = 50;

/// The size budget a report keeps: a fixed part (styles, script, header), plus per document,
/// per finding, and per byte of document text (escaping and line markup). Held by a test on
/// generated input (tests/reports.rs).
pub const BUDGET_FIXED_BYTES: usize = 40_000;
pub const BUDGET_BYTES_PER_DOCUMENT: usize = 1_200;
pub const BUDGET_BYTES_PER_FINDING: usize = 2_000;
/// Per byte of document text, as a ratio (escaped text plus about 60 bytes of markup per line).
pub const BUDGET_TEXT_FACTOR: f64 = 2.0;

/// The budget for a report of `documents` documents, `findings` findings and `text_bytes` bytes of
/// document text.
pub fn size_budget(documents: usize, findings: usize, text_bytes: usize) -> usize {
    BUDGET_FIXED_BYTES
        + documents * BUDGET_BYTES_PER_DOCUMENT
        + findings * BUDGET_BYTES_PER_FINDING
        + (text_bytes as f64 * BUDGET_TEXT_FACTOR) as usize
}

/// One linted document, rendered.
struct Document {
    path: String,
    sha256: String,
    /// Findings not waived, by severity (`severity_index`).
    counts: [usize; 3],
    waived: usize,
    /// The inside of the document's section, rendered when the file arrived.
    body: Piece,
}

impl Document {
    fn worst(&self) -> Option<Severity> {
        super::worst_of(&self.counts)
    }
}

/// Renders each document's section as it arrives, holds the sections in a `Spool`, and writes
/// the page at the end (the summary before them needs every document).
pub struct HtmlReporter<'a> {
    run: &'a RunInfo,
    spool: Spool,
    documents: Vec<Document>,
    errors: Vec<FileError>,
    /// Findings not waived by category, by severity.
    categories: BTreeMap<String, [usize; 3]>,
}

impl<'a> HtmlReporter<'a> {
    pub fn new(opts: ReportOptions<'a>) -> Self {
        HtmlReporter {
            run: opts.run,
            spool: Spool::default(),
            documents: Vec::new(),
            errors: Vec::new(),
            categories: BTreeMap::new(),
        }
    }
}

impl Reporter for HtmlReporter<'_> {
    fn report(
        &mut self,
        _out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        let index = self.documents.len();
        let mut counts = [0; 3];
        let mut waived = 0;
        for f in findings {
            if waiver(f).is_some() {
                waived += 1;
            } else {
                counts[f.severity.index()] += 1;
                self.categories.entry(f.category.clone()).or_default()[f.severity.index()] += 1;
            }
        }
        let sha256 = provenance::source_sha256(file);
        let body = self
            .spool
            .append(render_document(index, file, &sha256, findings).as_bytes())?;
        self.documents.push(Document {
            path: file.path.clone(),
            sha256,
            counts,
            waived,
            body,
        });
        Ok(())
    }

    fn error(&mut self, error: &FileError) {
        self.errors.push(error.clone());
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        out.write_all(self.page_head(summary).as_bytes())?;
        self.sections(out)?;
        out.write_all(self.page_tail().as_bytes())
    }
}

/// How a finding was waived, as `(directive, reason)`, or `None`. The one place the HTML report
/// reads waivers.
fn waiver(f: &Finding) -> Option<(String, &str)> {
    f.waiver
        .as_ref()
        .map(|w| (format!("claimlint-{}", w.kind.name()), w.reason.as_str()))
}

const WAIVED_ICON: &str = "\u{2298}"; // ⊘
const CLEAN_ICON: &str = "\u{2713}"; // ✓

fn title_case(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Info => "Info",
    }
}

/// Escapes text for HTML text and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // NUL is not allowed in HTML text; show the replacement character a parser would.
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// A reference with its web addresses as links and the rest as text: only `http:` and `https:`
/// addresses become links, never another scheme (such as `javascript:`).
fn reference(out: &mut String, r: &str) {
    let r = r.trim();
    let mut rest = r;
    while let Some(at) = find_web_address(rest) {
        escape_into(out, &rest[..at]);
        let tail = &rest[at..];
        let len = tail
            .find(|c: char| c.is_whitespace() || c.is_control() || c == '"' || c == '<')
            .unwrap_or(tail.len());
        // Sentence punctuation after an address is not part of it.
        let url = tail[..len].trim_end_matches(['.', ',', ';', ':', ')', ']', '\'']);
        let _ = write!(
            out,
            "<a href=\"{0}\" rel=\"noopener noreferrer\">{0}</a>",
            escape(url)
        );
        rest = &tail[url.len()..];
    }
    escape_into(out, rest);
}

/// Where the first `http://` or `https://` address starts in `text`, at a word start.
fn find_web_address(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("http").map(|i| i + from) {
        let word_start = i == 0 || !text[..i].ends_with(|c: char| c.is_alphanumeric());
        if word_start && (lower[i..].starts_with("https://") || lower[i..].starts_with("http://")) {
            return Some(i);
        }
        from = i + 4;
    }
    None
}

/// A rule's message: escaped, with the `backquoted` words it quotes from the text as code.
fn message(out: &mut String, text: &str) {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // An odd number of backquotes: show them as written.
        escape_into(out, text);
        return;
    }
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            escape_into(out, part);
            out.push_str("</code>");
        } else {
            escape_into(out, part);
        }
    }
}

/// The largest char boundary of `text` at or before `at` (spans from the engine are always on
/// boundaries; this keeps a bad one from panicking).
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A finding's place in the text, in the terms rendering needs.
struct Placed {
    /// 1-based number within the document.
    number: usize,
    start: usize,
    end: usize,
    /// Where its numbered tag goes: after its last non-space character.
    tag_at: usize,
    severity: Severity,
    waived: bool,
}

fn finding_id(doc: usize, number: usize) -> String {
    format!("d{doc}-f{number}")
}

/// The inside of document `index`'s section: meta line, the text with highlights and line
/// numbers, and the finding cards.
fn render_document(index: usize, file: &SourceFile, sha256: &str, findings: &[Finding]) -> String {
    let text = &file.text;
    let placed: Vec<Placed> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let start = floor_boundary(text, f.span.start);
            let end = floor_boundary(text, f.span.end).max(start);
            let trimmed = text[start..end].trim_end().len();
            Placed {
                number: i + 1,
                start,
                end,
                tag_at: start + trimmed,
                severity: f.severity,
                waived: waiver(f).is_some(),
            }
        })
        .collect();
    let mut out = String::with_capacity(text.len() * 2 + findings.len() * 1_500 + 512);
    let lines = visible_lines(file);
    let _ = write!(
        out,
        "<p class=\"doc-meta\">SHA-256 <span class=\"hash\">{}</span> &middot; {} &middot; {}</p>",
        sha256,
        plural(lines, "line", "lines"),
        plural(text.len(), "byte", "bytes"),
    );
    out.push_str("<div class=\"panes\"><div class=\"source\"><p class=\"pane-title\">Text as reviewed, with line numbers</p><div class=\"code\">");
    // Lines that links point at (a finding's start, a waiver's directive) get an id.
    let anchors: Vec<usize> = placed
        .iter()
        .map(|p| p.start)
        .chain(
            findings
                .iter()
                .filter_map(|f| f.waiver.as_ref())
                .map(|w| floor_boundary(text, w.span.start)),
        )
        .collect();
    render_text(&mut out, index, file, &placed, &anchors, lines);
    out.push_str("</div></div><div class=\"explain\"><p class=\"pane-title\">Findings</p>");
    if findings.is_empty() {
        out.push_str("<p class=\"empty-doc\">No findings in this document.</p>");
    } else {
        out.push_str("<ol class=\"findings\">");
        for (f, p) in findings.iter().zip(&placed) {
            render_finding(&mut out, index, file, f, p);
        }
        out.push_str("</ol>");
    }
    out.push_str("</div></div>");
    out
}

/// Lines to show: a final line break does not start a line of its own.
fn visible_lines(file: &SourceFile) -> usize {
    let n = file.lines.len();
    if n > 1 && file.text.ends_with(['\n', '\r']) {
        n - 1
    } else {
        n
    }
}

/// The text, line by line, cut where findings start, end or take their tag.
fn render_text(
    out: &mut String,
    doc: usize,
    file: &SourceFile,
    placed: &[Placed],
    anchors: &[usize],
    lines: usize,
) {
    let text = &file.text;
    if text.is_empty() {
        out.push_str("<p class=\"empty-doc\">(empty file)</p>");
        return;
    }
    // The findings that may touch each line (from the line of their start to that of their end
    // or tag), in order, so a line does not look through every finding of its page.
    let mut near: Vec<Vec<&Placed>> = vec![Vec::new(); lines];
    let last = lines.saturating_sub(1);
    for p in placed {
        let first = file.lines.line_of(p.start).min(last);
        let through = file.lines.line_of(p.end.max(p.tag_at)).min(last);
        for line in &mut near[first..=through.max(first)] {
            line.push(p);
        }
    }
    for (line, near) in near.iter().enumerate() {
        let Some(range) = file.lines.line_range(line, text.len()) else {
            break;
        };
        let start = range.start;
        let content_end = start + text[range].trim_end_matches(['\n', '\r']).len();
        let next_start = file
            .lines
            .line_range(line + 1, text.len())
            .map_or(text.len(), |r| r.start);
        // Offsets up to this one belong to the line; the last line shown also takes the end of
        // the text (after a final line break, which starts no line of its own).
        let upper = if line + 1 == lines {
            text.len() + 1
        } else {
            next_start.max(start + 1)
        };
        // Findings touching this line; a tag sitting in the line break shows at the line's end.
        let here: Vec<&Placed> = near
            .iter()
            .copied()
            .filter(|p| p.start < upper && p.end.max(p.tag_at) >= start)
            .collect();
        let tag_pos = |p: &Placed| p.tag_at.min(content_end);
        let tag_here = |p: &Placed| p.tag_at >= start && p.tag_at < upper;
        let n = line + 1;
        if anchors.iter().any(|&a| a >= start && a < upper) {
            let _ = write!(out, "<div class=\"l\" id=\"d{doc}-L{n}\">");
        } else {
            out.push_str("<div class=\"l\">");
        }
        let _ = write!(out, "<span class=\"n\">{n}</span><span class=\"t\">");
        let mut cuts: Vec<usize> = vec![content_end];
        for p in &here {
            for at in [p.start, p.end] {
                if at > start && at < content_end {
                    cuts.push(at);
                }
            }
            if tag_here(p) {
                cuts.push(tag_pos(p));
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        // A line of a minified page can hold thousands of findings: each piece finds the ones
        // covering it among those starting by then (by start, with the furthest end so far, so
        // the look back stops where nothing earlier reaches), and each cut its tags in order.
        let mut by_start: Vec<&Placed> = here.iter().copied().filter(|p| p.start < p.end).collect();
        by_start.sort_by_key(|p| (p.start, p.number));
        let reach: Vec<usize> = by_start
            .iter()
            .scan(0, |furthest, p| {
                *furthest = p.end.max(*furthest);
                Some(*furthest)
            })
            .collect();
        let mut tags: Vec<&Placed> = here.iter().copied().filter(|p| tag_here(p)).collect();
        tags.sort_by_key(|p| (tag_pos(p), p.number));
        let mut next_tag = 0;
        let mut pos = start;
        for cut in cuts {
            if cut > pos {
                let started = by_start.partition_point(|p| p.start <= pos);
                let mut covering: Vec<&Placed> = (0..started)
                    .rev()
                    .take_while(|&i| reach[i] >= cut)
                    .map(|i| by_start[i])
                    .filter(|p| p.end >= cut)
                    .collect();
                covering.sort_by_key(|p| p.number);
                let piece = &text[pos..cut];
                if covering.is_empty() {
                    escape_into(out, piece);
                } else {
                    let ids: Vec<String> =
                        covering.iter().map(|p| finding_id(doc, p.number)).collect();
                    let _ = write!(
                        out,
                        "<mark class=\"hl {}\" data-f=\"{}\">",
                        mark_class(covering.iter().map(|p| (p.severity, p.waived))),
                        ids.join(" ")
                    );
                    escape_into(out, piece);
                    out.push_str("</mark>");
                }
                pos = cut;
            }
            while tags.get(next_tag).is_some_and(|p| tag_pos(p) < cut) {
                next_tag += 1;
            }
            while let Some(p) = tags.get(next_tag).filter(|p| tag_pos(p) == cut) {
                next_tag += 1;
                let class = if p.waived {
                    "waived"
                } else {
                    sev_class(p.severity)
                };
                let icon = if p.waived {
                    WAIVED_ICON
                } else {
                    p.severity.icon()
                };
                let _ = write!(
                    out,
                    "<a class=\"tag {class}\" href=\"#{id}\" title=\"{label} {num}\">{icon}{num}</a>",
                    id = finding_id(doc, p.number),
                    label = if p.waived {
                        "Waived finding"
                    } else {
                        title_case(p.severity)
                    },
                    num = p.number,
                );
            }
        }
        out.push_str("</span></div>");
    }
}

fn sev_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "sev-error",
        Severity::Warning => "sev-warning",
        Severity::Info => "sev-info",
    }
}

/// The class of a highlight covered by several findings: the worst one not waived, else waived.
fn mark_class(findings: impl Iterator<Item = (Severity, bool)>) -> &'static str {
    findings
        .filter(|(_, waived)| !waived)
        .map(|(s, _)| s)
        .max()
        .map_or("waived", sev_class)
}

fn render_finding(out: &mut String, doc: usize, file: &SourceFile, f: &Finding, p: &Placed) {
    let (line, column) = file.line_col(p.start);
    // The anchor of the line shown (after a final line break no line is shown).
    let anchor_line = line.min(visible_lines(file));
    let waived = waiver(f);
    let class = if waived.is_some() {
        format!("{} waived", sev_class(f.severity))
    } else {
        sev_class(f.severity).to_owned()
    };
    let _ = write!(
        out,
        "<li class=\"finding {class}\" id=\"{id}\" data-sev=\"{sev}\" data-cat=\"{cat}\" data-waived=\"{w}\">",
        id = finding_id(doc, p.number),
        sev = f.severity.name(),
        cat = escape(&f.category),
        w = if waived.is_some() { "yes" } else { "no" },
    );
    out.push_str("<div class=\"fhead\">");
    let _ = write!(
        out,
        "<span class=\"num\">{}</span><span class=\"badge {}\"><span aria-hidden=\"true\">{}</span> {}</span>",
        p.number,
        sev_class(f.severity),
        f.severity.icon(),
        title_case(f.severity)
    );
    if waived.is_some() {
        let _ = write!(
            out,
            "<span class=\"badge waived\"><span aria-hidden=\"true\">{WAIVED_ICON}</span> Waived</span>"
        );
    }
    let _ = write!(
        out,
        "<a class=\"loc\" href=\"#d{doc}-L{anchor_line}\">line {line}, column {column}</a><code class=\"rule\">{}</code>",
        escape(&f.rule),
    );
    if f.category != f.rule {
        let _ = write!(out, "<span class=\"cat\">{}</span>", escape(&f.category));
    }
    if f.document {
        out.push_str("<span class=\"cat\">(whole document)</span>");
    }
    out.push_str("</div>");
    if !f.matched.trim().is_empty() {
        out.push_str("<blockquote class=\"quote\">");
        escape_into(out, &super::single_line(f.matched.trim()));
        out.push_str("</blockquote>");
    }
    out.push_str("<p class=\"msg\">");
    message(out, f.message.trim());
    out.push_str("</p>");
    if !f.suggestion.trim().is_empty() {
        out.push_str("<p class=\"instead\"><span class=\"k\">Balanced wording</span>");
        escape_into(out, f.suggestion.trim());
        out.push_str("</p>");
    }
    if let Some(hint) = f.citation_hint.as_deref().map(str::trim)
        && !hint.is_empty()
    {
        out.push_str(
            "<p class=\"evidence\"><span class=\"k\">Evidence that would support it</span>",
        );
        escape_into(out, hint);
        out.push_str("</p>");
    }
    if !f.adjustments.is_empty() {
        out.push_str("<ul class=\"adjust\">");
        for a in &f.adjustments {
            out.push_str("<li>");
            escape_into(out, &a.note);
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    if !f.references.is_empty() {
        out.push_str("<div class=\"refs\"><span class=\"k\">References</span><ul class=\"refs\">");
        for r in f.references.iter() {
            out.push_str("<li>");
            reference(out, r);
            out.push_str("</li>");
        }
        out.push_str("</ul></div>");
    }
    if let Some((directive, reason)) = waived {
        let at = f.waiver.as_ref().map_or(0, |w| w.span.start);
        let (wline, _) = file.line_col(floor_boundary(&file.text, at));
        let _ = write!(
            out,
            "<p class=\"waiver\"><span class=\"k\">Waived by <code>{}</code> on <a href=\"#d{doc}-L{wline}\">line {wline}</a></span>",
            escape(&directive)
        );
        if reason.trim().is_empty() {
            out.push_str("(no reason given)");
        } else {
            escape_into(out, reason.trim());
        }
        out.push_str("</p>");
    }
    out.push_str("</li>");
}

/// `'sha256-<base64>'` of `text`, for the Content-Security-Policy.
fn csp_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

/// Standard base64 with padding (RFC 4648), for CSP hashes.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The policy: nothing from the network, no plugins, no forms; only this page's own style and
/// script (by hash, so injected markup could not run even if it got through escaping).
fn content_security_policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        format!(
            "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
            csp_hash(STYLE),
            csp_hash(SCRIPT)
        )
    })
}

impl HtmlReporter<'_> {
    /// The page up to the documents' sections.
    fn page_head(&self, summary: &Summary) -> String {
        let mut out = String::with_capacity(64_000 + self.documents.len() * 600);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"claimlint {}\">\n\
             <title>Health-claim review: {} &middot; claimlint</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
            content_security_policy(),
            escape(&self.run.version),
            plural(summary.files, "document", "documents"),
        );
        self.masthead(&mut out, summary);
        self.filters(&mut out);
        out.push_str("<main>\n");
        self.summary(&mut out, summary);
        out
    }

    /// The page after the documents' sections.
    fn page_tail(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "<section class=\"signoff\"><h2>Review sign-off</h2><table><tr><td>Reviewer</td><td>Role</td><td>Decision</td><td>Date</td></tr>\
             <tr><td></td><td></td><td></td><td></td></tr><tr><td></td><td></td><td></td><td></td></tr><tr><td></td><td></td><td></td><td></td></tr></table></section>\n",
        );
        let _ = write!(
            out,
            "<footer><p>Made offline by claimlint {} on {}. Findings mark wording that regulators (FTC, FDA, UK ASA) commonly challenge; \
             they are prompts for review, not legal advice. Hashes are SHA-256 of the exact bytes that were linted.</p></footer>\n</main>\n",
            escape(&self.run.version),
            escape(&self.run.generated)
        );
        let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
        out
    }

    fn masthead(&self, out: &mut String, summary: &Summary) {
        let run = self.run;
        let _ = write!(
            out,
            "<header class=\"masthead\"><div class=\"wrap\"><p class=\"kicker\">claimlint &middot; health and medical claims</p>\
             <h1>Health-claim review report</h1><p class=\"lede\">{} reviewed &middot; generated {}</p><dl class=\"provenance\">",
            plural(summary.files, "document", "documents"),
            escape(&run.generated)
        );
        let _ = write!(
            out,
            "<dt>Generated</dt><dd>{}</dd><dt>Tool</dt><dd>claimlint {}</dd><dt>Command</dt><dd><code>{}</code></dd><dt>Rulesets</dt><dd><ul>",
            escape(&run.generated),
            escape(&run.version),
            escape(&run.command_line)
        );
        for r in run.rulesets() {
            let _ = write!(
                out,
                "<li>{} &middot; SHA-256 <code>{}</code></li>",
                escape(&r.name),
                escape(&r.sha256)
            );
        }
        out.push_str("</ul></dd><dt>Config</dt><dd>");
        match &run.config {
            Some(c) => {
                let _ = write!(
                    out,
                    "{} &middot; SHA-256 <code>{}</code>",
                    escape(&c.name),
                    escape(&c.sha256)
                );
            }
            None => out.push_str("none (built-in defaults)"),
        }
        out.push_str("</dd></dl>");
        if !self.documents.is_empty() {
            let open = if self.documents.len() <= 20 {
                " open"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<details class=\"inputs\"{open}><summary>SHA-256 of the {} linted</summary><table>",
                plural(self.documents.len(), "file", "files")
            );
            for d in &self.documents {
                let _ = write!(
                    out,
                    "<tr><td><code>{}</code></td><td>{}</td></tr>",
                    d.sha256,
                    escape(&d.path)
                );
            }
            out.push_str("</table></details>");
        }
        out.push_str("</div></header>\n");
    }

    fn filters(&self, out: &mut String) {
        out.push_str(
            "<form id=\"filters\" class=\"filters\" hidden><div class=\"wrap\"><fieldset><legend>Show</legend>",
        );
        for s in Severity::ALL.into_iter().rev() {
            let _ = write!(
                out,
                "<label><input type=\"checkbox\" name=\"severity\" value=\"{}\" checked> <span aria-hidden=\"true\">{}</span> {}</label>",
                s.name(),
                s.icon(),
                title_case(s)
            );
        }
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" name=\"waived\" checked> <span aria-hidden=\"true\">{WAIVED_ICON}</span> Waived</label></fieldset>"
        );
        out.push_str("<label>Category <select name=\"category\"><option value=\"\">All</option>");
        for c in self.categories.keys() {
            let _ = write!(out, "<option>{}</option>", escape(c));
        }
        out.push_str(
            "</select></label><label>Document <select name=\"doc\"><option value=\"\">All</option>",
        );
        for d in &self.documents {
            let _ = write!(out, "<option>{}</option>", escape(&d.path));
        }
        out.push_str(
            "</select></label><label>Search <input type=\"search\" name=\"q\" placeholder=\"words, rule, message\"></label>\
             <button type=\"button\" id=\"reset\">Show all</button><output id=\"shown\"></output></div></form>\n",
        );
    }

    fn summary(&self, out: &mut String, summary: &Summary) {
        let waived: usize = self.documents.iter().map(|d| d.waived).sum();
        let with_findings = self
            .documents
            .iter()
            .filter(|d| d.worst().is_some())
            .count();
        out.push_str(
            "<section class=\"card summary\" id=\"summary\"><h2>Summary</h2><div class=\"totals\">",
        );
        for (s, n, label) in [
            (
                Severity::Error,
                summary.errors,
                plural_word(summary.errors, "error", "errors"),
            ),
            (
                Severity::Warning,
                summary.warnings,
                plural_word(summary.warnings, "warning", "warnings"),
            ),
            (
                Severity::Info,
                summary.infos,
                plural_word(summary.infos, "info", "infos"),
            ),
        ] {
            let _ = write!(
                out,
                "<div class=\"total {}\"><span class=\"n\" data-count=\"{}\">{n}</span><span class=\"lbl\"><span aria-hidden=\"true\">{}</span> {label}</span></div>",
                sev_class(s),
                match s {
                    Severity::Error => "errors",
                    Severity::Warning => "warnings",
                    Severity::Info => "infos",
                },
                s.icon(),
            );
        }
        let _ = write!(
            out,
            "<div class=\"total waived\"><span class=\"n\" data-count=\"waived\">{waived}</span><span class=\"lbl\"><span aria-hidden=\"true\">{WAIVED_ICON}</span> waived</span></div>\
             <div class=\"total docs\"><span class=\"n\" data-count=\"files\">{}</span><span class=\"lbl\">{}, {with_findings} with findings</span></div></div>",
            summary.files,
            plural_word(summary.files, "document", "documents"),
        );
        if waived > 0 {
            out.push_str(
                "<p class=\"note\">Waived findings were accepted by an inline <code>claimlint-disable</code> directive with a reason; \
                 they are shown with that reason and are not counted as errors, warnings or infos.</p>",
            );
        }
        if !self.errors.is_empty() {
            let _ = write!(
                out,
                "<div class=\"failed\"><strong>{} could not be linted</strong> and {} not reviewed:<ul>",
                plural(self.errors.len(), "file", "files"),
                if self.errors.len() == 1 { "is" } else { "are" }
            );
            for e in &self.errors {
                let _ = write!(
                    out,
                    "<li><code>{}</code>: {}</li>",
                    escape(&e.path),
                    escape(&e.message)
                );
            }
            out.push_str("</ul></div>");
        }
        self.chart(out);
        self.documents_table(out);
        out.push_str("</section>\n");
    }

    /// Findings by category as a horizontal stacked bar chart (inline SVG): colours and fill
    /// patterns per severity, and the counts written beside each bar.
    fn chart(&self, out: &mut String) {
        out.push_str("<div class=\"chart\"><h3>Findings by category</h3>");
        let mut rows: Vec<(&String, &[usize; 3])> = self
            .categories
            .iter()
            .filter(|(_, c)| c.iter().sum::<usize>() > 0)
            .collect();
        if rows.is_empty() {
            out.push_str("<p class=\"note\">No findings.</p></div>");
            return;
        }
        rows.sort_by(|a, b| {
            let total = |c: &[usize; 3]| c.iter().sum::<usize>();
            total(b.1)
                .cmp(&total(a.1))
                .then(b.1[2].cmp(&a.1[2]))
                .then(a.0.cmp(b.0))
        });
        let max = rows
            .iter()
            .map(|(_, c)| c.iter().sum::<usize>())
            .max()
            .unwrap_or(1)
            .max(1);
        const ROW: usize = 28;
        const LABEL: f64 = 220.0;
        const BAR: f64 = 400.0;
        let height = rows.len() * ROW + 8;
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"{height}\" viewBox=\"0 0 900 {height}\" role=\"img\" aria-labelledby=\"chart-title\">\
             <title id=\"chart-title\">Findings by category and severity</title><defs>\
             <pattern id=\"p-warning\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fdb022\"/><rect width=\"2\" height=\"6\" fill=\"#93370d\"/></pattern>\
             <pattern id=\"p-info\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"><rect width=\"6\" height=\"6\" fill=\"#b2ddff\"/><circle cx=\"3\" cy=\"3\" r=\"1.3\" fill=\"#175cd3\"/></pattern></defs>"
        );
        for (i, (category, counts)) in rows.iter().enumerate() {
            let y = i * ROW + 4;
            let _ = write!(
                out,
                "<text class=\"cat-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                LABEL - 10.0,
                y + 17,
                escape(category)
            );
            let mut x = LABEL;
            for s in Severity::ALL.into_iter().rev() {
                let n = counts[s.index()];
                if n == 0 {
                    continue;
                }
                let w = BAR * n as f64 / max as f64;
                let fill = match s {
                    Severity::Error => "#b42318",
                    Severity::Warning => "url(#p-warning)",
                    Severity::Info => "url(#p-info)",
                };
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"20\" fill=\"{fill}\" stroke=\"#101828\" stroke-width=\"0.5\"><title>{}: {}</title></rect>",
                    y + 2,
                    escape(category),
                    plural(n, s.name(), &format!("{}s", s.name()))
                );
                x += w;
            }
            let parts: Vec<String> = Severity::ALL
                .into_iter()
                .rev()
                .filter(|&s| counts[s.index()] > 0)
                .map(|s| format!("{} {}", s.icon(), counts[s.index()]))
                .collect();
            let _ = write!(
                out,
                "<text class=\"cat-count\" x=\"{:.1}\" y=\"{}\">{} ({})</text>",
                x + 8.0,
                y + 17,
                counts.iter().sum::<usize>(),
                parts.join(" \u{00B7} ")
            );
        }
        out.push_str("</svg>");
        let _ = write!(
            out,
            "<ul class=\"legend\"><li>{} Error: solid bar</li><li>{} Warning: striped bar</li><li>{} Info: dotted bar</li><li>waived findings are not charted</li></ul></div>",
            Severity::Error.icon(),
            Severity::Warning.icon(),
            Severity::Info.icon()
        );
    }

    /// Documents worst first: by worst severity, then by counts, then by path.
    fn documents_table(&self, out: &mut String) {
        if self.documents.is_empty() {
            out.push_str("<h3>Documents</h3><p class=\"note\">No documents were linted.</p>");
            return;
        }
        let mut order: Vec<usize> = (0..self.documents.len()).collect();
        order.sort_by(|&a, &b| {
            let (da, db) = (&self.documents[a], &self.documents[b]);
            super::worse_first((&da.counts, da.waived), (&db.counts, db.waived))
                .then(da.path.cmp(&db.path))
        });
        out.push_str(
            "<h3>Documents, worst first</h3><table class=\"docs\"><thead><tr><th>Document</th><th>Worst</th>\
             <th class=\"num\">Errors</th><th class=\"num\">Warnings</th><th class=\"num\">Infos</th><th class=\"num\">Waived</th></tr></thead><tbody>",
        );
        for i in order {
            let d = &self.documents[i];
            let _ = write!(
                out,
                "<tr data-doc=\"d{i}\"><td class=\"path\"><a href=\"#d{i}\">{}</a></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&d.path),
                status_badge(d),
                d.counts[2],
                d.counts[1],
                d.counts[0],
                d.waived
            );
        }
        out.push_str("</tbody></table>");
    }

    /// Each document's section, its body copied from the spool.
    fn sections(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let collapse = self.documents.len() > OPEN_SECTIONS_UP_TO;
        for (i, d) in self.documents.iter().enumerate() {
            let mut head = String::new();
            let open = if collapse || (d.worst().is_none() && d.waived == 0) {
                ""
            } else {
                " open"
            };
            let _ = write!(
                head,
                "<details class=\"doc\" id=\"d{i}\" data-path=\"{path}\"{open}><summary><h2>{path}</h2>{badge}",
                path = escape(&d.path),
                badge = status_badge(d)
            );
            let counts: Vec<String> = Severity::ALL
                .into_iter()
                .rev()
                .filter(|&s| d.counts[s.index()] > 0)
                .map(|s| {
                    let n = d.counts[s.index()];
                    plural(n, s.name(), &format!("{}s", s.name()))
                })
                .chain((d.waived > 0).then(|| format!("{} waived", d.waived)))
                .collect();
            if !counts.is_empty() {
                let _ = write!(head, "<span class=\"note\">{}</span>", counts.join(", "));
            }
            head.push_str("</summary><div class=\"doc-body\">");
            out.write_all(head.as_bytes())?;
            self.spool.copy_to(&d.body, out)?;
            out.write_all(b"</div></details>\n")?;
        }
        Ok(())
    }
}

/// The worst severity of a document as a badge (icon and word), or waived-only, or clean.
fn status_badge(d: &Document) -> String {
    match d.worst() {
        Some(s) => format!(
            "<span class=\"badge {}\"><span aria-hidden=\"true\">{}</span> {}</span>",
            sev_class(s),
            s.icon(),
            title_case(s)
        ),
        None if d.waived > 0 => format!(
            "<span class=\"badge waived\"><span aria-hidden=\"true\">{WAIVED_ICON}</span> Waived only</span>"
        ),
        None => format!(
            "<span class=\"badge clean\"><span aria-hidden=\"true\">{CLEAN_ICON}</span> No findings</span>"
        ),
    }
}

fn plural_word<'s>(n: usize, singular: &'s str, plural: &'s str) -> &'s str {
    if n == 1 { singular } else { plural }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_finding;
    use crate::source::Encoding;

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn only_web_addresses_become_links() {
        let mut out = String::new();
        reference(&mut out, "javascript:alert(1)");
        assert_eq!(out, "javascript:alert(1)");
        out.clear();
        reference(&mut out, "https://www.ftc.gov/x?a=1&b=2");
        assert_eq!(
            out,
            "<a href=\"https://www.ftc.gov/x?a=1&amp;b=2\" rel=\"noopener noreferrer\">https://www.ftc.gov/x?a=1&amp;b=2</a>"
        );
        out.clear();
        reference(
            &mut out,
            "Guidance (2022), https://ftc.gov/g. See javascript:x and xhttps://no",
        );
        assert_eq!(
            out,
            "Guidance (2022), <a href=\"https://ftc.gov/g\" rel=\"noopener noreferrer\">https://ftc.gov/g</a>. See javascript:x and xhttps://no"
        );
    }

    #[test]
    fn backquoted_words_in_messages_become_code() {
        let mut out = String::new();
        message(&mut out, "`<b>` is odd");
        assert_eq!(out, "<code>&lt;b&gt;</code> is odd");
        out.clear();
        message(&mut out, "one ` only");
        assert_eq!(out, "one ` only");
    }

    /// A minified page: thousands of findings on one line, some nested in others. Each gets its
    /// one tag, in order, and each mark names exactly the findings covering it.
    #[test]
    fn thousands_of_findings_on_one_line_each_keep_their_mark_and_tag() {
        let text = "<p>It cures all pain.</p>".repeat(2_000);
        let file = SourceFile::from_text("a.html", text, Encoding::Utf8, 0);
        let findings: Vec<Finding> = (0..2_000)
            .flat_map(|i| {
                let at = i * 25 + 6;
                [
                    test_finding(&file, at..at + 14, Severity::Warning),
                    test_finding(&file, at..at + 5, Severity::Error),
                ]
            })
            .collect();
        let body = render_document(0, &file, "", &findings);
        // The tags along the text (the findings' cards link to `#d0-fN` with `id=`, not `href=`):
        // each pair's inner finding (even number) ends first.
        let tags: Vec<usize> = body
            .split("<a class=\"tag ")
            .skip(1)
            .map(|t| {
                let number = t.split("href=\"#d0-f").nth(1).unwrap();
                number[..number.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        let expected: Vec<usize> = (0..2_000).flat_map(|i| [2 * i + 2, 2 * i + 1]).collect();
        assert_eq!(tags, expected);
        assert_eq!(
            body.matches("<mark class=\"hl sev-error\" data-f=\"d0-f1 d0-f2\">cures</mark>")
                .count(),
            1
        );
        assert_eq!(
            body.matches("data-f=\"d0-f3999 d0-f4000\">cures</mark>")
                .count(),
            1
        );
        assert_eq!(body.matches(" all pain</mark>").count(), 2_000);
    }

    #[test]
    fn overlapping_findings_split_into_marks_with_one_tag_each() {
        let file =
            SourceFile::from_text("a.md", "It cures all pain.\nNext".into(), Encoding::Utf8, 0);
        let findings = [
            test_finding(&file, 3..12, Severity::Warning),
            test_finding(&file, 3..8, Severity::Error),
        ];
        let body = render_document(0, &file, "", &findings);
        assert!(
            body.contains(
                "<mark class=\"hl sev-error\" data-f=\"d0-f1 d0-f2\">cures</mark>\
                 <a class=\"tag sev-error\" href=\"#d0-f2\" title=\"Error 2\">\u{2716}2</a>\
                 <mark class=\"hl sev-warning\" data-f=\"d0-f1\"> all</mark>"
            ),
            "{body}"
        );
        assert_eq!(body.matches("href=\"#d0-f1\"").count(), 1);
        assert!(body.contains("<div class=\"l\" id=\"d0-L1\">"));
        assert!(body.contains("<span class=\"n\">2</span><span class=\"t\">Next</span>"));
    }

    #[test]
    fn a_finding_across_a_line_break_is_marked_on_both_lines() {
        let file = SourceFile::from_text("a.md", "cures\r\nall\n".into(), Encoding::Utf8, 0);
        let body = render_document(0, &file, "", &[test_finding(&file, 0..10, Severity::Info)]);
        assert!(body.contains("<mark class=\"hl sev-info\" data-f=\"d0-f1\">cures</mark>"));
        assert!(
            body.contains("<mark class=\"hl sev-info\" data-f=\"d0-f1\">all</mark><a class=\"tag")
        );
        assert_eq!(
            body.matches("class=\"l\"").count(),
            2,
            "no empty third line"
        );
    }

    #[test]
    fn a_finding_at_the_very_end_keeps_its_tag_and_line() {
        let file = SourceFile::from_text("a.md", "cures\n".into(), Encoding::Utf8, 0);
        let body = render_document(0, &file, "", &[test_finding(&file, 6..6, Severity::Info)]);
        assert_eq!(body.matches("class=\"l\"").count(), 1, "{body}");
        assert!(body.contains("id=\"d0-L1\""), "{body}");
        assert!(
            body.contains("cures<a class=\"tag sev-info\" href=\"#d0-f1\""),
            "{body}"
        );
    }

    /// The sections wait in a spool: once it moves to a temporary file, the page is the same.
    #[test]
    fn sections_spooled_to_a_file_make_the_same_page() {
        let rules = crate::rules::Ruleset::default_rules().unwrap();
        let run = RunInfo::for_tests(&rules);
        let opts = ReportOptions {
            color: false,
            rules: &rules,
            run: &run,
            directive: super::super::DirectiveRule::default(),
        };
        let files: Vec<SourceFile> = (0..30)
            .map(|i| {
                let text = format!("Page {i}: it cures <all> & more.\nSecond line.\n");
                SourceFile::from_text(format!("p{i}.md"), text, Encoding::Utf8, 0)
            })
            .collect();
        let page = |mut r: HtmlReporter| {
            let mut out = Vec::new();
            let mut summary = Summary::default();
            for file in &files {
                let findings = [test_finding(file, 9..14, Severity::Error)];
                r.report(&mut out, file, &findings).unwrap();
                summary.add_file(&findings);
            }
            assert!(out.is_empty(), "nothing is written before the end");
            r.finish(&mut out, &summary).unwrap();
            (String::from_utf8(out).unwrap(), r.spool)
        };
        let (in_memory, spool) = page(HtmlReporter::new(opts));
        assert!(!spool.on_disk());
        let mut small = HtmlReporter::new(opts);
        small.spool = Spool::with_limit(2_000);
        let (on_disk, spool) = page(small);
        assert!(spool.on_disk());
        assert_eq!(in_memory, on_disk);
        assert_eq!(in_memory.matches("<details class=\"doc\"").count(), 30);
    }
}
