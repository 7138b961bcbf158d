//! The source lines one human diagnostic shows, as codespan's file database: the lines its labels
//! touch, each line wider than `LONG_LINE_CHARS` terminal columns cut to the labelled words and
//! some context around them (`…` marks a cut), with the real line and column numbers.
//!
//! Marketing copy is often one long line per paragraph, and minified HTML is one line per page.
//! Shown whole, such a line fills a screen per finding, and codespan writes every shown character
//! one at a time (a long line cost more than the lint itself). rustc cuts long lines the same way.

use std::ops::Range;

use codespan_reporting::files::{self, Files};

use crate::source::SourceFile;

/// A line of at most this many terminal columns is shown whole (a wide CJK character takes two,
/// a tab four).
pub const LONG_LINE_CHARS: usize = 120;

/// Context kept on each side of the labelled stretch of a cut line, at least: the budget of
/// `LONG_LINE_CHARS` is shared between the two sides, and a side that reaches its line's start
/// or end gives what it does not use to the other.
const MIN_CONTEXT_CHARS: usize = 30;

/// Labels on one line at most this many columns apart are shown with all the text between
/// them; further apart (a waiver's directive at the top of a minified page, its finding far
/// below), each is shown with its own context and a `…` between.
const SHOWN_GAP_CHARS: usize = LONG_LINE_CHARS;

/// A cut that would split a word moves to the nearest space within this many characters, so
/// the excerpt starts and ends on whole words.
const WORD_SNAP_CHARS: usize = 15;

/// Marks where a shown line was cut.
const CUT: &str = "…";

/// The lines around a set of spans of one file, shown as codespan's only file.
pub struct Excerpt<'a> {
    file: &'a SourceFile,
    /// The shown lines, each ending in `\n`.
    text: String,
    /// The 0-based number of the first shown line in the file.
    first_line: usize,
    /// The shown lines, first to last.
    shown: Vec<ShownLine>,
}

/// One line of the file in `Excerpt::text`.
struct ShownLine {
    /// Where the line starts in `Excerpt::text`.
    at: usize,
    /// The stretches of the line shown, in order (at least one; a `…` marks each cut).
    segments: Vec<Segment>,
    /// Bytes of the line in `Excerpt::text`, markers included, line break excluded.
    len: usize,
}

/// A stretch of a file line, shown in the excerpt.
struct Segment {
    /// The bytes of the file shown.
    window: Range<usize>,
    /// Where they start in `Excerpt::text`.
    at: usize,
}

impl<'a> Excerpt<'a> {
    /// The lines from the first to the last line that `spans` touch (byte ranges of
    /// `file.text`; out-of-range ends are clamped).
    pub fn new(file: &'a SourceFile, spans: &[Range<usize>]) -> Self {
        let text_len = file.text.len();
        // Spans of a finding are in bounds and on char boundaries; a stray one is moved onto
        // the nearest boundary rather than trusted with a slice.
        // Each with the lines of its start and its end.
        let lines = &file.lines;
        let spans: Vec<(Range<usize>, usize, usize)> = spans
            .iter()
            .map(|r| {
                let start = floor_char_boundary(&file.text, r.start);
                let end = floor_char_boundary(&file.text, r.end).max(start);
                (start..end, lines.line_of(start), lines.line_of(end))
            })
            .collect();
        let first_line = spans.iter().map(|s| s.1).min().unwrap_or(0);
        let last_line = spans.iter().map(|s| s.2).max().unwrap_or(0).max(first_line);
        let mut excerpt = Excerpt {
            file,
            text: String::new(),
            first_line,
            shown: Vec::with_capacity(last_line - first_line + 1),
        };
        for line in first_line..=last_line {
            let range = lines
                .line_range(line, text_len)
                .unwrap_or(text_len..text_len);
            let content = range.start..content_end(&file.text, range);
            // What of this line must be seen: a label on one line whole, a label over several
            // lines its start and its end.
            let mut stretches: Vec<(usize, usize)> = Vec::new();
            for &(ref span, start_line, end_line) in &spans {
                let stretch = if start_line == line && end_line == line {
                    (span.start, span.end)
                } else if start_line == line {
                    (span.start, span.start)
                } else if end_line == line {
                    (span.end, span.end)
                } else {
                    continue;
                };
                stretches.push((
                    stretch.0.clamp(content.start, content.end),
                    stretch.1.clamp(content.start, content.end),
                ));
            }
            excerpt.push_line(content, stretches);
        }
        excerpt
    }

    /// Appends one line: whole when short, else cut around `stretches` (or to its start when
    /// nothing on it needs to be seen, as in the middle of a label over several lines).
    fn push_line(&mut self, content: Range<usize>, stretches: Vec<(usize, usize)>) {
        let source = &self.file.text;
        let line = &source[content.clone()];
        // (Counted no further than needed: a minified page is one line of megabytes.)
        let windows = if columns_up_to(line, LONG_LINE_CHARS + 1) <= LONG_LINE_CHARS {
            vec![content.clone()]
        } else {
            cut_windows(source, content.clone(), stretches)
        };
        let at = self.text.len();
        let mut segments = Vec::with_capacity(windows.len());
        let mut shown_to = content.start;
        for window in windows {
            if window.start > shown_to {
                self.text.push_str(CUT);
            }
            segments.push(Segment {
                window: window.clone(),
                at: self.text.len(),
            });
            self.text.push_str(&source[window.clone()]);
            shown_to = window.end;
        }
        if shown_to < content.end {
            self.text.push_str(CUT);
        }
        let len = self.text.len() - at;
        self.text.push('\n');
        self.shown.push(ShownLine { at, segments, len });
    }

    /// Where a byte range of the file is in the excerpt.
    pub fn map(&self, span: &Range<usize>) -> Range<usize> {
        let start = self.map_point(span.start);
        start..self.map_point(span.end).max(start)
    }

    fn map_point(&self, offset: usize) -> usize {
        let offset = offset.min(self.file.text.len());
        let line = self.file.lines.line_of(offset);
        let Ok(shown) = self.shown_line(line) else {
            // Not a line of the excerpt (the caller maps only the spans it was built from).
            return if line < self.first_line {
                0
            } else {
                self.text.len()
            };
        };
        // The segment showing the offset (every label point is in one; any other offset goes
        // to the nearest shown byte before it).
        let segment = shown.segment_at(|s| s.window.start <= offset);
        segment.at + offset.clamp(segment.window.start, segment.window.end) - segment.window.start
    }

    /// The shown line holding `at`, a byte offset of the excerpt.
    fn shown_index(&self, at: usize) -> usize {
        self.shown.partition_point(|l| l.at <= at).saturating_sub(1)
    }

    /// The file offset shown at `at`, a byte offset of the excerpt (a `…` stands for the
    /// nearest shown byte).
    fn unmap(&self, at: usize) -> usize {
        let Some(shown) = self.shown.get(self.shown_index(at)) else {
            return 0;
        };
        let segment = shown.segment_at(|s| s.at <= at);
        (segment.window.start + at.saturating_sub(segment.at)).min(segment.window.end)
    }

    fn shown_line(&self, line_index: usize) -> Result<&ShownLine, files::Error> {
        line_index
            .checked_sub(self.first_line)
            .and_then(|i| self.shown.get(i))
            .ok_or(files::Error::LineTooLarge {
                given: line_index,
                max: self.first_line + self.shown.len().saturating_sub(1),
            })
    }
}

impl ShownLine {
    /// The last segment that `starts_by` accepts, else the first.
    fn segment_at(&self, starts_by: impl Fn(&Segment) -> bool) -> &Segment {
        let n = self.segments.partition_point(starts_by);
        &self.segments[n.saturating_sub(1)]
    }
}

/// The terminal columns of a char as codespan draws it: two for a wide (CJK) character, four
/// for a tab (its default tab width), none for a combining mark.
fn columns(c: char) -> usize {
    if c == '\t' {
        4
    } else {
        unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
    }
}

/// The columns `text` takes, counted no further than `limit`.
fn columns_up_to(text: &str, limit: usize) -> usize {
    let mut used = 0;
    for c in text.chars() {
        if used >= limit {
            break;
        }
        used += columns(c);
    }
    used.min(limit)
}

/// The char boundary at or before `offset`, within `text`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The end of a line's text, before its line break (`\n`, `\r\n` or a lone `\r`).
fn content_end(text: &str, line: Range<usize>) -> usize {
    let bytes = &text.as_bytes()[line.clone()];
    let trimmed = match bytes {
        [.., b'\r', b'\n'] => 2,
        [.., b'\n' | b'\r'] => 1,
        _ => 0,
    };
    line.end - trimmed
}

/// The parts of a long line shown around `stretches` (byte ranges that must be seen): one
/// window when they fit in the budget with some context, else one per group of stretches near
/// each other (labels far apart on a minified page: a waiver's directive and its finding).
fn cut_windows(
    text: &str,
    line: Range<usize>,
    mut stretches: Vec<(usize, usize)>,
) -> Vec<Range<usize>> {
    if stretches.is_empty() {
        stretches.push((line.start, line.start));
    }
    stretches.sort_unstable();
    let lo = stretches[0].0;
    let hi = stretches.iter().map(|s| s.1).max().unwrap_or(lo);
    let spread = columns_up_to(&text[lo..hi], LONG_LINE_CHARS + 1);
    if spread + 2 * MIN_CONTEXT_CHARS <= LONG_LINE_CHARS {
        let context = (LONG_LINE_CHARS - spread) / 2;
        return vec![cut_window(text, line, lo, hi, context)];
    }
    // Stretches up to `SHOWN_GAP_CHARS` apart share a window: the words between a claim and
    // its cue are usually the sentence that links them.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for (start, end) in stretches {
        match groups.last_mut() {
            Some((_, group_end))
                if start <= *group_end
                    || columns_up_to(&text[*group_end..start], SHOWN_GAP_CHARS + 1)
                        <= SHOWN_GAP_CHARS =>
            {
                *group_end = (*group_end).max(end);
            }
            _ => groups.push((start, end)),
        }
    }
    let mut windows: Vec<Range<usize>> = Vec::with_capacity(groups.len());
    for (start, end) in groups {
        let window = cut_window(text, line.clone(), start, end, MIN_CONTEXT_CHARS);
        // (A group near the line's start or end lends its unused context to its other side,
        // which may reach the next group's window: the two become one.)
        match windows.last_mut() {
            Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
            _ => windows.push(window),
        }
    }
    windows
}

/// The part of a long line shown around `lo..hi`: `context` chars on each side (a side cut short
/// by the line's start or end gives the rest to the other side), on char boundaries and, where a
/// space is near, on whole words.
fn cut_window(
    text: &str,
    line: Range<usize>,
    lo: usize,
    hi: usize,
    context: usize,
) -> Range<usize> {
    let before = columns_up_to(&text[line.start..lo], context);
    let after = columns_up_to(&text[hi..line.end], context);
    let mut start = back(text, line.start, lo, before + (context - after));
    let mut end = forward(text, hi, line.end, after + (context - before));
    // Whole words: a cut start moves forward past the next space, a cut end back to the last
    // one, when that space is near and outside the stretch.
    if start > line.start
        && !text[..start].ends_with(char::is_whitespace)
        && let Some((i, c)) = text[start..lo]
            .char_indices()
            .take(WORD_SNAP_CHARS)
            .find(|(_, c)| c.is_whitespace())
    {
        start += i + c.len_utf8();
    }
    if end < line.end
        && !text[end..].starts_with(char::is_whitespace)
        && let Some((i, _)) = text[hi..end]
            .char_indices()
            .rev()
            .take(WORD_SNAP_CHARS)
            .find(|(_, c)| c.is_whitespace())
    {
        end = hi + i;
    }
    start..end
}

/// The furthest offset before `at` whose chars up to `at` take at most `n` columns (at most
/// `line_start`).
fn back(text: &str, line_start: usize, at: usize, n: usize) -> usize {
    let (mut used, mut offset) = (0, at);
    for (i, c) in text[line_start..at].char_indices().rev() {
        used += columns(c);
        if used > n {
            break;
        }
        offset = line_start + i;
    }
    offset
}

/// The furthest offset after `at` whose chars from `at` take at most `n` columns (at most
/// `line_end`).
fn forward(text: &str, at: usize, line_end: usize, n: usize) -> usize {
    let (mut used, mut offset) = (0, at);
    for (i, c) in text[at..line_end].char_indices() {
        used += columns(c);
        if used > n {
            break;
        }
        offset = at + i + c.len_utf8();
    }
    offset
}

impl<'a> Files<'a> for Excerpt<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.file.path)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.text)
    }

    /// The line's number in the file, not in the excerpt.
    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.first_line + self.shown_index(byte_index))
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, files::Error> {
        Ok(line_index + 1)
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        let shown = self.shown_line(line_index)?;
        Ok(shown.at..shown.at + shown.len + 1)
    }

    /// The column in the file: counted in Unicode scalar values from the real line start, as
    /// every other output counts it.
    fn column_number(
        &'a self,
        (): (),
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        Ok(self.file.line_col(self.unmap(byte_index)).1)
    }
}

#[cfg(test)]
// One span in a slice of spans is what these tests mean, not a range of ranges.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use crate::source::Encoding;
    use proptest::prelude::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::from_text("a.txt", text.into(), Encoding::Utf8, 0)
    }

    fn lines_of<'a>(excerpt: &'a Excerpt<'_>) -> Vec<&'a str> {
        excerpt.text.lines().collect()
    }

    #[test]
    fn short_lines_are_shown_whole_with_real_numbers() {
        let f = file("intro\r\nfirst line\r\nit cures pain\r\nlast");
        let at = f.text.find("cures").unwrap();
        let e = Excerpt::new(&f, &[at..at + 5]);
        assert_eq!(lines_of(&e), ["it cures pain"]);
        let mapped = e.map(&(at..at + 5));
        assert_eq!(&e.text[mapped.clone()], "cures");
        assert_eq!(e.location((), mapped.start).unwrap().line_number, 3);
        assert_eq!(e.location((), mapped.start).unwrap().column_number, 4);
        assert_eq!(e.line_range((), 2).unwrap(), 0..14);
        assert!(e.line_range((), 3).is_err());
        assert!(e.line_range((), 1).is_err());
    }

    #[test]
    fn lone_cr_lines_are_numbered() {
        let f = file("one\rtwo cure\rthree");
        let e = Excerpt::new(&f, &[8..12]);
        assert_eq!(lines_of(&e), ["two cure"]);
        let mapped = e.map(&(8..12));
        assert_eq!(e.line_index((), mapped.start).unwrap(), 1);
        assert_eq!(e.location((), mapped.start).unwrap().column_number, 5);
    }

    #[test]
    fn a_long_line_is_cut_around_the_label_on_whole_words() {
        let words: Vec<String> = (0..60).map(|i| format!("word{i:02}")).collect();
        let text = format!("{} cures pain {}", words.join(" "), words.join(" "));
        let f = file(&text);
        let at = text.find("cures").unwrap();
        let e = Excerpt::new(&f, &[at..at + 5]);
        let shown = lines_of(&e)[0];
        assert!(shown.chars().count() <= LONG_LINE_CHARS + 2, "{shown}");
        assert!(
            shown.starts_with("…word") && shown.ends_with("…"),
            "{shown}"
        );
        // Whole words on both sides of the cut.
        let inner = shown.trim_start_matches('…').trim_end_matches('…');
        assert!(
            inner
                .split(' ')
                .all(|w| w.len() == 6 || w == "cures" || w == "pain")
        );
        let mapped = e.map(&(at..at + 5));
        assert_eq!(&e.text[mapped.clone()], "cures");
        let loc = e.location((), mapped.start).unwrap();
        assert_eq!((loc.line_number, loc.column_number), (1, at + 1));
    }

    #[test]
    fn a_label_near_the_start_gives_its_context_to_the_end() {
        let text = format!("It cures pain. {}", "More words here. ".repeat(20));
        let f = file(&text);
        let e = Excerpt::new(&f, &[3..8]);
        let shown = lines_of(&e)[0];
        assert!(shown.starts_with("It cures pain."), "{shown}");
        assert!(shown.ends_with('…'));
        let count = shown.chars().count();
        assert!(
            (100..=LONG_LINE_CHARS + 1).contains(&count),
            "{count}: {shown}"
        );
    }

    #[test]
    fn columns_count_characters_of_the_real_line() {
        let text = format!("{} é cures", "ü".repeat(200));
        let f = file(&text);
        let at = text.find("cures").unwrap();
        let e = Excerpt::new(&f, &[at..at + 5]);
        let mapped = e.map(&(at..at + 5));
        assert_eq!(&e.text[mapped.clone()], "cures");
        assert_eq!(e.location((), mapped.start).unwrap().column_number, 204);
        assert!(e.text.starts_with('…'));
    }

    #[test]
    fn a_label_over_two_long_lines_shows_its_start_and_its_end() {
        let filler = "filler text ".repeat(20);
        let text = format!("{filler}clinically\n proven {filler}");
        let f = file(&text);
        let start = text.find("clinically").unwrap();
        let end = text.find("proven").unwrap() + 6;
        let e = Excerpt::new(&f, &[start..end]);
        let shown = lines_of(&e);
        assert_eq!(shown.len(), 2);
        assert!(shown[0].ends_with("clinically"), "{}", shown[0]);
        assert!(shown[1].starts_with(" proven"), "{}", shown[1]);
        let mapped = e.map(&(start..end));
        assert_eq!(e.line_index((), mapped.start).unwrap(), 0);
        assert_eq!(e.line_index((), mapped.end).unwrap(), 1);
        assert_eq!(&e.text[mapped.end - 6..mapped.end], "proven");
    }

    #[test]
    fn lines_between_far_labels_are_cut_to_their_start() {
        let long = "x".repeat(500);
        let text = format!("waiver here\n{long}\n{long}\nit cures pain");
        let f = file(&text);
        let claim = text.find("cures").unwrap();
        let e = Excerpt::new(&f, &[claim..claim + 5, 0..6]);
        let shown = lines_of(&e);
        assert_eq!(shown.len(), 4);
        assert_eq!(shown[0], "waiver here");
        assert!(shown[1].starts_with("xxx") && shown[1].ends_with('…'));
        assert!(shown[1].chars().count() <= LONG_LINE_CHARS + 1);
        assert_eq!(shown[3], "it cures pain");
        assert_eq!(e.line_index((), e.map(&(claim..claim)).start).unwrap(), 3);
    }

    #[test]
    fn spans_at_the_end_of_the_file_map_inside_the_excerpt() {
        let f = file("it cures\n");
        let e = Excerpt::new(&f, &[3..9]);
        let mapped = e.map(&(3..9));
        assert!(mapped.end <= e.text.len());
        assert_eq!(e.line_index((), mapped.end).unwrap(), 1);
        let past = e.map(&(50..60));
        assert!(past.start <= e.text.len());
    }

    #[test]
    fn wide_characters_and_tabs_count_by_the_columns_they_take() {
        let cjk = format!(
            "{}治愈焦虑{}",
            "这是一个很长的句子。".repeat(20),
            "更多的文字。".repeat(20)
        );
        let f = file(&cjk);
        let at = cjk.find("治愈").unwrap();
        let e = Excerpt::new(&f, &[at..at + "治愈焦虑".len()]);
        let shown = lines_of(&e)[0];
        let width: usize = shown.chars().map(columns).sum();
        assert!(
            (100..=LONG_LINE_CHARS + 2).contains(&width),
            "{width}: {shown}"
        );
        assert!(shown.contains("治愈焦虑"));
        // Sixty tabs take 240 columns: the line is cut although it has 64 characters.
        let tabs = format!("{}cure", "\t".repeat(60));
        let f = file(&tabs);
        let e = Excerpt::new(&f, &[60..64]);
        assert!(lines_of(&e)[0].starts_with('…'));
        assert_eq!(
            e.location((), e.map(&(60..64)).start)
                .unwrap()
                .column_number,
            61
        );
    }

    #[test]
    fn labels_far_apart_on_one_line_are_shown_each_with_its_context() {
        let filler = "<p>Open every day of the week.</p>".repeat(60);
        let text = format!("<!-- waiver -->{filler}<p>It cures anxiety.</p>{filler}");
        let f = file(&text);
        let claim = text.find("cures").unwrap();
        let spans = [claim..claim + 13, 0..15];
        let e = Excerpt::new(&f, &spans);
        let shown = lines_of(&e)[0];
        assert!(shown.starts_with("<!-- waiver -->"), "{shown}");
        assert_eq!(shown.matches('…').count(), 2, "{shown}");
        assert!(shown.chars().count() < 200, "{shown}");
        for span in &spans {
            assert_eq!(&e.text[e.map(span)], &text[span.clone()]);
            let location = e.location((), e.map(span).start).unwrap();
            assert_eq!(location.column_number, f.line_col(span.start).1);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        /// Whatever the lines and spans: every span maps inside the excerpt, onto its own line
        /// and column, and a span on one line shows its own text.
        #[test]
        fn spans_keep_their_text_line_and_column(
            pieces in proptest::collection::vec(
                prop::sample::select(vec![
                    "word ", "cures ", "x", "\u{e9}", "\u{4e2d}", " ", "\n", "\r\n", "\r",
                    "a long stretch of words that goes on and on ",
                ]),
                0..80,
            ),
            cuts in proptest::collection::vec((0usize..4000, 0usize..60), 1..4),
        ) {
            let text: String = pieces.concat();
            let f = file(&text);
            let boundary = |at: usize| floor_char_boundary(&text, at % (text.len() + 1));
            let spans: Vec<Range<usize>> = cuts
                .iter()
                .map(|&(at, len)| {
                    let start = boundary(at);
                    start..boundary(start + len).max(start)
                })
                .collect();
            let e = Excerpt::new(&f, &spans);
            // (A point between the CR and the LF of a line break, where no finding starts,
            // shows at the end of its line's text, one column early.)
            let inside_crlf =
                |at: usize| at > 0 && text[..at].ends_with('\r') && text[at..].starts_with('\n');
            for span in &spans {
                if inside_crlf(span.start) {
                    continue;
                }
                let mapped = e.map(span);
                prop_assert!(mapped.start <= mapped.end && mapped.end <= e.text.len());
                prop_assert!(e.text.is_char_boundary(mapped.start));
                prop_assert!(e.text.is_char_boundary(mapped.end));
                let (line, column) = f.line_col(span.start);
                let location = e.location((), mapped.start).unwrap();
                prop_assert_eq!((location.line_number, location.column_number), (line, column));
                prop_assert_eq!(e.line_index((), mapped.end).unwrap() + 1, f.line_col(span.end).0);
                let real = &text[span.clone()];
                if !real.contains(['\n', '\r']) {
                    prop_assert_eq!(&e.text[mapped], real);
                }
            }
            // A line is cut to the budget, or to each label and the least context around it.
            let labelled: usize = spans.iter().map(|s| text[s.clone()].chars().count()).sum();
            let widest = LONG_LINE_CHARS
                .max(labelled + spans.len() * (SHOWN_GAP_CHARS + 4 * MIN_CONTEXT_CHARS + 1))
                + spans.len() + 1;
            prop_assert!(e.text.lines().all(|l| l.chars().count() <= widest), "{:?}", e.text);
            // And codespan renders the spans from it, headed by the primary label's location.
            use codespan_reporting::diagnostic::Label;
            let labels = spans
                .iter()
                .enumerate()
                .map(|(i, s)| match i {
                    0 => Label::primary((), e.map(s)),
                    _ => Label::secondary((), e.map(s)),
                })
                .collect();
            let diagnostic = codespan_reporting::diagnostic::Diagnostic::error().with_labels(labels);
            let config = codespan_reporting::term::Config::default();
            let rendered = codespan_reporting::term::emit_into_string(&config, &e, &diagnostic);
            prop_assert!(rendered.is_ok(), "{:?}", rendered);
            let (line, column) = f.line_col(spans[0].start);
            if !inside_crlf(spans[0].start) {
                let locus = format!("a.txt:{line}:{column}\n");
                prop_assert!(rendered.unwrap().contains(&locus));
            }
        }
    }
}
