//! The Markdown report, sized for a pull-request comment: a totals line, a table of files worst
//! first, and each file's findings as a list. It never exceeds `LIMIT_CHARS` characters (GitHub
//! rejects comments over 65,536); what does not fit is left out with a note saying how much.
//!
//! Input text is escaped (Markdown punctuation backslash-escaped, paths and rule ids in code
//! spans), so a document cannot inject links, images, HTML or mentions into the comment.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{FileError, Reporter, Summary, plural, single_line};
use crate::finding::{Finding, Severity};
use crate::source::SourceFile;

/// The most characters the report may have.
pub const LIMIT_CHARS: usize = 65_000;

/// At most this many rows in the files table; the rest are counted in a last row.
const TABLE_ROWS: usize = 50;

/// Room kept for the truncation note.
const NOTE_RESERVE: usize = 400;

/// One file's findings: counted, and rendered as list items while the comment may still show
/// them.
struct FileEntry {
    path: String,
    /// Findings not waived, by severity: info, warning, error.
    counts: [usize; 3],
    waived: usize,
    /// All the file's findings, waived ones included.
    findings: usize,
    /// The first items, as many as could fit in the comment (all of them, or none once the files
    /// listed before this one fill it).
    items: Vec<String>,
    /// The characters the file's part of the comment would take: heading, every item, the
    /// blank line after (counted from `items` when they are all there, else at least the budget).
    chars: usize,
}

impl FileEntry {
    fn worst(&self) -> Option<Severity> {
        super::worst_of(&self.counts)
    }

    /// The comment's order: worst file first, then by path.
    fn before(&self, other: &FileEntry) -> std::cmp::Ordering {
        super::worse_first((&self.counts, self.waived), (&other.counts, other.waived))
            .then_with(|| self.path.cmp(&other.path))
    }
}

/// Counts every file's findings and writes the report at the end. Only the items the comment
/// could still show are kept: a file's items go once the files before it fill the comment, so
/// memory stays bounded by the comment, not by the tree.
#[derive(Default)]
pub struct MarkdownReporter {
    files: Vec<FileEntry>,
    /// The files that keep items, in the comment's order (indexes into `files`).
    holders: Vec<usize>,
    errors: Vec<FileError>,
}

/// The characters a file's findings may use: the whole comment, less the truncation note.
const BUDGET_CHARS: usize = LIMIT_CHARS - NOTE_RESERVE;

/// The heading of a file's findings.
fn file_heading(path: &str) -> String {
    format!("### {}\n\n", code(path))
}

/// Backslash-escapes the ASCII punctuation Markdown and GitHub's extensions (tables,
/// strikethrough, mentions, math) give meaning to inside a line; CommonMark renders `\x` as `x`
/// for any ASCII punctuation `x`. Line breaks become spaces, so a value never starts a line (where
/// `-`, `.` and `#` would matter).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in single_line(text).chars() {
        if "\\`*_{}[]<>()#+!|~&@$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` as a code span: a backtick fence longer than any run of backticks inside, padded with
/// spaces when the text starts or ends with a backtick. `|` is escaped, which GitHub requires
/// even inside code spans in a table.
pub fn code(text: &str) -> String {
    let text = single_line(text).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.trim().is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A rule's message: escaped, with the `backquoted` words it quotes from the text as code spans.
fn message(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escape(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { escape(part) })
        .collect()
}

fn render_item(file: &SourceFile, f: &Finding) -> String {
    let (line, column) = file.line_col(f.span.start);
    let waiver = f.waiver.as_ref();
    let mut item = String::from("- ");
    match waiver {
        Some(_) => {
            let _ = write!(item, "\u{2298} ~~{}~~ **waived**", f.severity.name());
        }
        None => {
            let _ = write!(item, "{} **{}**", f.severity.icon(), f.severity.name());
        }
    }
    let _ = write!(item, " {} line {line}, column {column}", code(&f.rule));
    if !f.matched.trim().is_empty() {
        let _ = write!(item, ": \u{201C}{}\u{201D}", escape(f.matched.trim()));
    }
    let _ = write!(item, " \u{2014} {}", message(f.message.trim()));
    if !f.suggestion.trim().is_empty() {
        let _ = write!(
            item,
            "<br>**Balanced wording:** {}",
            escape(f.suggestion.trim())
        );
    }
    if let Some(w) = waiver {
        let reason = if w.reason.trim().is_empty() {
            "(no reason given)".to_owned()
        } else {
            escape(w.reason.trim())
        };
        let _ = write!(
            item,
            "<br>**Waived by** {}**:** {reason}",
            code(&format!("claimlint-{}", w.kind.name()))
        );
    }
    item.push('\n');
    item
}

impl Reporter for MarkdownReporter {
    fn report(
        &mut self,
        _out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        // A clean file is counted in the summary and listed nowhere: nothing to keep.
        if findings.is_empty() {
            return Ok(());
        }
        let mut counts = [0; 3];
        let mut waived = 0;
        for f in findings {
            if f.waiver.is_some() {
                waived += 1;
            } else {
                counts[f.severity.index()] += 1;
            }
        }
        let mut entry = FileEntry {
            path: file.path.clone(),
            counts,
            waived,
            findings: findings.len(),
            items: Vec::new(),
            chars: 0,
        };
        // Where it goes among the files that keep items, and whether those before it leave it
        // any room.
        let at = self
            .holders
            .partition_point(|&i| self.files[i].before(&entry).is_lt());
        let before: usize = self.holders[..at]
            .iter()
            .map(|&i| self.files[i].chars)
            .sum();
        if before < BUDGET_CHARS {
            entry.chars = file_heading(&entry.path).chars().count() + 1;
            for f in findings {
                if entry.chars >= BUDGET_CHARS {
                    break;
                }
                let item = render_item(file, f);
                entry.chars += item.chars().count();
                entry.items.push(item);
            }
            self.holders.insert(at, self.files.len());
        }
        self.files.push(entry);
        // Files after the point where the ones before them fill the comment are never shown.
        let mut used = 0;
        let mut keep = self.holders.len();
        for (n, &i) in self.holders.iter().enumerate() {
            if used >= BUDGET_CHARS {
                keep = n;
                break;
            }
            used += self.files[i].chars;
        }
        for i in self.holders.drain(keep..) {
            self.files[i].items = Vec::new();
        }
        Ok(())
    }

    fn error(&mut self, error: &FileError) {
        self.errors.push(error.clone());
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        out.write_all(self.render(summary).as_bytes())
    }
}

impl MarkdownReporter {
    fn render(&self, summary: &Summary) -> String {
        let mut doc = Budgeted::new(LIMIT_CHARS - NOTE_RESERVE);
        // The human summary line, which also counts waived findings.
        doc.push(&format!(
            "## claimlint: {}\n\n",
            escape(&super::human::summary_line(summary))
        ));
        for e in &self.errors {
            doc.push(&format!(
                "> **Not linted:** {}: {}\n\n",
                code(&e.path),
                escape(&e.message)
            ));
        }

        let mut with_findings: Vec<&FileEntry> = self.files.iter().collect();
        with_findings.sort_by(|a, b| a.before(b));
        if !with_findings.is_empty() {
            doc.push("| | File | Errors | Warnings | Infos | Waived |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
            let mut listed = 0;
            for f in &with_findings {
                let worst = f.worst().map_or("\u{2298}", Severity::icon);
                let row = format!(
                    "| {worst} | {} | {} | {} | {} | {} |\n",
                    code(&f.path),
                    f.counts[2],
                    f.counts[1],
                    f.counts[0],
                    f.waived
                );
                if listed == TABLE_ROWS || !doc.push(&row) {
                    break;
                }
                listed += 1;
            }
            if listed < with_findings.len() {
                let more = with_findings.len() - listed;
                doc.push(&format!(
                    "| | \u{2026} and {more} more {} | | | | |\n",
                    if more == 1 { "file" } else { "files" }
                ));
            }
            doc.push("\n");
        }

        // Findings, file by file, until the budget runs out (before the first file whose items
        // were let go, which the files before it fill).
        let total: usize = with_findings.iter().map(|f| f.findings).sum();
        let mut shown = 0;
        'files: for f in &with_findings {
            if !doc.push(&file_heading(&f.path)) {
                break;
            }
            for item in &f.items {
                if !doc.push(item) {
                    break 'files;
                }
                shown += 1;
            }
            if f.items.len() < f.findings {
                break;
            }
            doc.push("\n");
        }
        let mut text = doc.text;
        if shown < total {
            let left_files = with_findings
                .iter()
                .scan(0usize, |seen, f| {
                    let before = *seen;
                    *seen += f.findings;
                    Some(before + f.findings > shown)
                })
                .filter(|&cut| cut)
                .count();
            let _ = write!(
                text,
                "\n> **Truncated:** {} of {total} (in {}) are not shown, to keep this comment under {} characters. \
                 Run `claimlint check --format html` for the full report.\n",
                plural(total - shown, "finding", "findings"),
                plural(left_files, "file", "files"),
                thousands(LIMIT_CHARS)
            );
        }
        text
    }
}

/// `65,000`: a count with thousands separators.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Text that refuses additions past a character budget.
struct Budgeted {
    text: String,
    chars: usize,
    limit: usize,
}

impl Budgeted {
    fn new(limit: usize) -> Self {
        Budgeted {
            text: String::new(),
            chars: 0,
            limit,
        }
    }

    /// Appends `piece` if it fits; says whether it did.
    fn push(&mut self, piece: &str) -> bool {
        let n = piece.chars().count();
        if self.chars + n > self.limit {
            return false;
        }
        self.text.push_str(piece);
        self.chars += n;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_finding;
    use crate::source::Encoding;

    /// Which items are kept depends on the order files arrive in (a file is let go once the
    /// files before it fill the comment); the comment must not. Files of every rank arrive best
    /// first, worst first and interleaved, and all three comments are the same: full, with the
    /// worst files' findings and the truncation note.
    #[test]
    fn the_comment_does_not_depend_on_the_order_files_arrive_in() {
        let files: Vec<(SourceFile, Vec<Finding>)> = (0..120)
            .map(|i| {
                let text = "it cures all and more ".repeat(40);
                let file = SourceFile::from_text(format!("f{i:03}.md"), text, Encoding::Utf8, 0);
                let severity = [Severity::Info, Severity::Warning, Severity::Error][i % 3];
                let findings = (0..(i * 7) % 23 + 1)
                    .map(|k| test_finding(&file, k * 22 + 3..k * 22 + 8, severity))
                    .collect();
                (file, findings)
            })
            .collect();
        let comment = |order: &[usize]| {
            let mut r = MarkdownReporter::default();
            let mut summary = Summary::default();
            let mut out = Vec::new();
            for &i in order {
                r.report(&mut out, &files[i].0, &files[i].1).unwrap();
                summary.add_file(&files[i].1);
            }
            assert!(r.holders.len() < files.len(), "some files were let go");
            r.finish(&mut out, &summary).unwrap();
            String::from_utf8(out).unwrap()
        };
        let forward: Vec<usize> = (0..files.len()).collect();
        let backward: Vec<usize> = forward.iter().rev().copied().collect();
        let interleaved: Vec<usize> = (0..files.len()).map(|i| (i * 37) % files.len()).collect();
        let first = comment(&forward);
        assert_eq!(first, comment(&backward));
        assert_eq!(first, comment(&interleaved));
        // Cut only when full: no file was let go that the comment had room for.
        let length = first.chars().count();
        assert!(
            (LIMIT_CHARS - 1_000..=LIMIT_CHARS).contains(&length),
            "{length}"
        );
        assert!(first.contains("**Truncated:**"), "{first}");
        // The worst file (most errors) comes first.
        let worst = files
            .iter()
            .filter(|(_, f)| f[0].severity == Severity::Error)
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.path.cmp(&a.0.path)))
            .unwrap();
        let heading = first.find("### ").unwrap();
        assert!(first[heading..].starts_with(&file_heading(&worst.0.path)));
    }

    #[test]
    fn code_spans_outlast_backticks_inside() {
        assert_eq!(code("a.md"), "`a.md`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a|b"), "`a\\|b`");
    }

    #[test]
    fn backquoted_words_in_messages_become_code_spans() {
        assert_eq!(message("`a*b` is <odd>"), "`a*b` is \\<odd\\>");
        assert_eq!(message("one ` only"), "one \\` only");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(65_000), "65,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn escape_neutralises_markup_and_joins_lines() {
        assert_eq!(escape("<b>[x](y)\n@me"), "\\<b\\>\\[x\\]\\(y\\) \\@me");
    }
}
