//! Plain-text extraction: splits a text file into paragraphs, list items and headings, and pushes
//! every piece through `ProseBuilder::push_source`, so the whole offset map is exact (apart from
//! the line breaks inside a block, which fold to one space).
//!
//! The rules, line by line (line ends may be LF, CRLF or a lone CR):
//!
//! - A blank line (empty or only whitespace) ends the current block.
//! - A line with no letter or digit (`-----`, `=====`, `***`) is a decorative separator: it ends
//!   the current block and adds no prose.
//! - A line starting with a bullet (`-`, `*`, `+`, `•`, `◦`, `▪`, `‣`, or 1-3 digits followed by
//!   `.` or `)`, then whitespace) starts a `ListItem` block holding only the text after the
//!   marker. Following lines continue the item when they are indented or start with a lowercase
//!   letter (a hard-wrapped item); anything else ends it.
//! - A heading (`Heading(2)`) is a short line — at most 80 characters and 12 words — that does not
//!   end in closing punctuation (`. ! ? : ; , …`, optionally followed by closing quotes or
//!   brackets) or a dash, is followed by a line break, and starts a block (nothing open, or the
//!   open block's last line ended a sentence). Because a hard-wrapped paragraph also has short
//!   unpunctuated lines, the line after a heading candidate decides: a blank line, the end of the
//!   file, a bullet or a separator confirms it; a line starting in lowercase refutes it (the
//!   sentence continues); otherwise the candidate is a heading when it is in Title Case or when the
//!   next line's first word would have fitted on it within the next line's width (a wrapped line
//!   is full, a heading is not). A heading is its own block, so it ends a sentence.
//! - Any other line starts a paragraph or continues the open one; inside a block, lines join with
//!   one space.

use std::ops::Range;

use super::{BlockKind, Prose, ProseBuilder};

/// Longest line, in characters, that may be a heading.
const HEADING_MAX_CHARS: usize = 80;
/// Most words a heading may have.
const HEADING_MAX_WORDS: usize = 12;

/// Extracts the prose of a plain-text document.
pub fn extract(source: &str) -> Prose {
    let lines = split_lines(source);
    let mut builder = ProseBuilder::new(source);
    let mut open: Option<Run> = None;
    for (idx, line) in lines.iter().enumerate() {
        let text = &source[line.content.clone()];
        if text.trim().is_empty() || !text.chars().any(char::is_alphanumeric) {
            flush(&mut builder, open.take());
            continue;
        }
        if let Some(start) = bullet_content(source, line) {
            flush(&mut builder, open.take());
            open = Some(Run::new(
                BlockKind::ListItem,
                source,
                start..line.content.end,
            ));
            continue;
        }
        let continues = match &open {
            None => false,
            Some(run) if run.kind == BlockKind::ListItem => {
                text.starts_with([' ', '\t']) || starts_lowercase(text)
            }
            // An open paragraph takes this line unless its last line ended a sentence and this
            // line is a heading.
            Some(run) => !(run.closed && is_heading(source, &lines, idx)),
        };
        if continues {
            if let Some(run) = open.as_mut() {
                run.extend(source, line.content.clone());
            }
            continue;
        }
        flush(&mut builder, open.take());
        if is_heading(source, &lines, idx) {
            flush(
                &mut builder,
                Some(Run::new(
                    BlockKind::Heading(2),
                    source,
                    line.content.clone(),
                )),
            );
        } else {
            open = Some(Run::new(BlockKind::Paragraph, source, line.content.clone()));
        }
    }
    flush(&mut builder, open);
    builder.finish()
}

/// One source line: its content (without the line end) and whether a line end follows.
struct Line {
    content: Range<usize>,
    has_break: bool,
}

fn split_lines(source: &str) -> Vec<Line> {
    // A BOM is stripped before extraction; if one slips through it is not prose.
    let start = if source.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let bytes = source.as_bytes();
    let mut lines = Vec::new();
    let mut line_start = start;
    // Line ends found with `memchr2`, not byte by byte: a text file is mostly long lines.
    while let Some(k) = memchr::memchr2(b'\n', b'\r', &bytes[line_start..]) {
        let end = line_start + k;
        lines.push(Line {
            content: line_start..end,
            has_break: true,
        });
        line_start = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
            end + 2
        } else {
            end + 1
        };
    }
    if line_start < bytes.len() {
        lines.push(Line {
            content: line_start..bytes.len(),
            has_break: false,
        });
    }
    lines
}

/// An open block: the source range it covers, trimmed, and whether its last line ended a sentence.
struct Run {
    kind: BlockKind,
    range: Range<usize>,
    closed: bool,
}

impl Run {
    fn new(kind: BlockKind, source: &str, range: Range<usize>) -> Run {
        let range = trim(source, range);
        let closed = ends_sentence(&source[range.clone()]);
        Run {
            kind,
            range,
            closed,
        }
    }

    fn extend(&mut self, source: &str, line: Range<usize>) {
        let line = trim(source, line);
        self.range.end = line.end;
        self.closed = ends_sentence(&source[line]);
    }
}

/// Pushes a finished block. The range spans whole lines, so `push_source` folds each line break
/// (with the indentation around it) into one space.
fn flush(builder: &mut ProseBuilder<'_>, run: Option<Run>) {
    let Some(run) = run else {
        return;
    };
    builder.start_block(run.kind);
    builder.push_source(run.range);
    builder.end_block();
}

/// `range` without leading and trailing whitespace.
fn trim(source: &str, range: Range<usize>) -> Range<usize> {
    let text = &source[range.clone()];
    let start = range.start + (text.len() - text.trim_start().len());
    start..start + text.trim().len()
}

/// If the line starts with a bullet marker followed by whitespace and text, where the text starts.
fn bullet_content(source: &str, line: &Line) -> Option<usize> {
    let text = &source[line.content.clone()];
    let body = text.trim_start_matches([' ', '\t']);
    let marker_len = if let Some(c) = body
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '*' | '+' | '•' | '◦' | '▪' | '‣'))
    {
        c.len_utf8()
    } else {
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        if !(1..=3).contains(&digits) || !matches!(body.as_bytes().get(digits), Some(b'.' | b')')) {
            return None;
        }
        digits + 1
    };
    let after = &body[marker_len..];
    let content = after.trim_start_matches([' ', '\t']);
    if content.len() == after.len() || content.trim().is_empty() {
        return None;
    }
    Some(line.content.end - content.len())
}

fn starts_lowercase(text: &str) -> bool {
    text.trim_start()
        .chars()
        .next()
        .is_some_and(char::is_lowercase)
}

/// Whether text ends a sentence or clause: closing punctuation, possibly inside closing quotes
/// or brackets.
fn ends_sentence(text: &str) -> bool {
    let text = text.trim_end().trim_end_matches([
        '"', '\'', '\u{201d}', '\u{2019}', '\u{bb}', ')', ']', '*', '_',
    ]);
    text.ends_with(['.', '!', '?', ':', ';', ',', '…'])
}

/// Whether the line may be a heading on its own merits: short and not ending a clause.
fn heading_candidate(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && text.chars().count() <= HEADING_MAX_CHARS
        && text.split_whitespace().count() <= HEADING_MAX_WORDS
        && !ends_sentence(text)
        && !text.ends_with(['-', '\u{2013}', '\u{2014}'])
}

/// Whether every significant word of the line starts with an uppercase letter (Title Case or all
/// caps), ignoring short function words after the first word.
fn title_case(text: &str) -> bool {
    const MINOR: &[&str] = &[
        "a", "an", "the", "and", "or", "nor", "but", "of", "in", "on", "at", "to", "for", "by",
        "with", "from", "as", "vs", "via", "per", "into",
    ];
    let mut any = false;
    for (i, word) in text.split_whitespace().enumerate() {
        let Some(first) = word.chars().find(|c| c.is_alphanumeric()) else {
            continue;
        };
        if !first.is_alphabetic() {
            continue;
        }
        if i > 0 && MINOR.contains(&word.to_lowercase().as_str()) {
            continue;
        }
        if !first.is_uppercase() {
            return false;
        }
        any = true;
    }
    any
}

fn is_heading(source: &str, lines: &[Line], idx: usize) -> bool {
    let line = &lines[idx];
    let text = &source[line.content.clone()];
    if !line.has_break || !heading_candidate(text) {
        return false;
    }
    let Some(next) = lines.get(idx + 1) else {
        return true;
    };
    let next_text = &source[next.content.clone()];
    if next_text.trim().is_empty()
        || !next_text.chars().any(char::is_alphanumeric)
        || bullet_content(source, next).is_some()
    {
        return true;
    }
    if starts_lowercase(next_text) {
        return false;
    }
    // A filled (hard-wrapped) line could not take the next line's first word; a heading could.
    let next_text = next_text.trim();
    let first_word = next_text.split_whitespace().next().unwrap_or("");
    let fits =
        text.trim().chars().count() + 1 + first_word.chars().count() <= next_text.chars().count();
    title_case(text) || fits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::check_invariants;

    fn run(source: &str) -> Prose {
        let prose = extract(source);
        check_invariants(source, &prose).unwrap();
        prose
    }

    fn source_of<'a>(source: &'a str, prose: &Prose, phrase: &str) -> &'a str {
        let at = prose
            .text
            .find(phrase)
            .unwrap_or_else(|| panic!("{phrase:?} not in {:?}", prose.text));
        let range = prose.source_range(at..at + phrase.len()).unwrap();
        &source[range]
    }

    fn blocks(prose: &Prose) -> Vec<(BlockKind, &str)> {
        prose
            .blocks
            .iter()
            .map(|b| (b.kind, &prose.text[b.range.clone()]))
            .collect()
    }

    use BlockKind::{Heading, ListItem, Paragraph};

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let src = "First para line one\nline two.\n\nSecond para.\n \t \nThird.";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (Paragraph, "First para line one line two."),
                (Paragraph, "Second para."),
                (Paragraph, "Third.")
            ]
        );
        assert_eq!(source_of(src, &prose, "one line"), "one\nline");
    }

    #[test]
    fn all_line_endings() {
        for src in [
            "Cures colds.\nno side\neffects.\n\nNext.",
            "Cures colds.\r\nno side\r\neffects.\r\n\r\nNext.",
            "Cures colds.\rno side\reffects.\r\rNext.",
        ] {
            let prose = run(src);
            assert_eq!(
                blocks(&prose),
                [
                    (Paragraph, "Cures colds. no side effects."),
                    (Paragraph, "Next.")
                ],
                "{src:?}"
            );
        }
        let src = "We have no side\r\neffects.";
        let prose = run(src);
        assert_eq!(source_of(src, &prose, "side effects"), "side\r\neffects");
        let at = prose.text.find(" effects").unwrap();
        assert_eq!(&src[prose.source_range(at..at + 1).unwrap()], "\r\n");
    }

    #[test]
    fn whole_text_maps_exactly() {
        let src = "  Indented start\n   and more.  \n";
        let prose = run(src);
        assert_eq!(prose.text, "Indented start and more.");
        assert!(prose.segments.iter().filter(|s| !s.exact).all(|s| {
            let text = &prose.text[s.prose.clone()];
            text == " "
        }));
        assert_eq!(
            source_of(src, &prose, "Indented start and more."),
            "Indented start\n   and more."
        );
    }

    #[test]
    fn title_case_heading_before_paragraph() {
        let src = "Why Choose Us\nWe cure everything fast.\n";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (Heading(2), "Why Choose Us"),
                (Paragraph, "We cure everything fast.")
            ]
        );
        assert_eq!(source_of(src, &prose, "Why Choose Us"), "Why Choose Us");
    }

    #[test]
    fn heading_before_blank_line_and_sentence_case() {
        let src = "Our approach to care\n\nIt works.\n\nWhy patients trust us\nBecause our doctors listen to every single patient.\n";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (Heading(2), "Our approach to care"),
                (Paragraph, "It works."),
                (Heading(2), "Why patients trust us"),
                (
                    Paragraph,
                    "Because our doctors listen to every single patient."
                )
            ]
        );
    }

    #[test]
    fn heading_after_a_finished_sentence() {
        let src = "We care about you.\nOur Services\nWe offer ketamine therapy.\n";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (Paragraph, "We care about you."),
                (Heading(2), "Our Services"),
                (Paragraph, "We offer ketamine therapy.")
            ]
        );
    }

    #[test]
    fn wrapped_lines_are_not_headings() {
        // Lowercase continuation, and a filled line before a capitalised word.
        let src = "Our treatment is\nproven to cure.\n\nOur clinic is located in\nNew York.\n";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (Paragraph, "Our treatment is proven to cure."),
                (Paragraph, "Our clinic is located in New York.")
            ]
        );
        assert_eq!(source_of(src, &prose, "is proven"), "is\nproven");
    }

    #[test]
    fn punctuated_long_or_unterminated_lines_are_not_headings() {
        let src = "Results vary:\nsee below.\n\nThis line is far too long to be a heading because it has more than twelve words in it\n\nLast line";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (Paragraph, "Results vary: see below."),
                (
                    Paragraph,
                    "This line is far too long to be a heading because it has more than twelve words in it"
                ),
                (Paragraph, "Last line")
            ]
        );
    }

    #[test]
    fn closing_quote_after_punctuation_ends_a_sentence() {
        assert!(ends_sentence("He said \u{201c}it works.\u{201d}"));
        assert!(ends_sentence("(see the study.)"));
        assert!(!ends_sentence("Ketamine (Spravato)"));
        let src = "\u{201c}Best Clinic Ever.\u{201d}\nSaid Jane\n";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (Paragraph, "\u{201c}Best Clinic Ever.\u{201d}"),
                (Heading(2), "Said Jane")
            ]
        );
    }

    #[test]
    fn bullets_are_list_items_without_markers() {
        let src = "Benefits\n- cures colds\n* no side effects\n• feel better\n+ plus\n1. first\n12) twelfth\n";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (Heading(2), "Benefits"),
                (ListItem, "cures colds"),
                (ListItem, "no side effects"),
                (ListItem, "feel better"),
                (ListItem, "plus"),
                (ListItem, "first"),
                (ListItem, "twelfth")
            ]
        );
        assert_eq!(source_of(src, &prose, "feel better"), "feel better");
        assert_eq!(source_of(src, &prose, "twelfth"), "twelfth");
    }

    #[test]
    fn list_items_continue_on_indented_or_lowercase_lines() {
        let src = "- Our product cures\n  All Diseases\n- it is\nproven safe\n- last\nNew paragraph here.\n";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (ListItem, "Our product cures All Diseases"),
                (ListItem, "it is proven safe"),
                (ListItem, "last"),
                (Paragraph, "New paragraph here.")
            ]
        );
        assert_eq!(source_of(src, &prose, "cures All"), "cures\n  All");
    }

    #[test]
    fn not_bullets() {
        let src = "-5 degrees is cold.\n1.5 mg daily works.\n2020 was a year.\n";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [(
                Paragraph,
                "-5 degrees is cold. 1.5 mg daily works. 2020 was a year."
            )]
        );
    }

    #[test]
    fn separator_lines_end_blocks() {
        let src = "Title\n=====\nBody text.\n-----\nMore text.";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (Heading(2), "Title"),
                (Paragraph, "Body text."),
                (Paragraph, "More text.")
            ]
        );
    }

    #[test]
    fn multibyte_utf8() {
        let src = "Café crème\n\nNaïve patients — all cured.\n";
        let prose = run(src);
        assert_eq!(
            blocks(&prose),
            [
                (Heading(2), "Café crème"),
                (Paragraph, "Naïve patients — all cured.")
            ]
        );
        assert_eq!(source_of(src, &prose, "— all"), "— all");
    }

    #[test]
    fn bom_and_empty_inputs() {
        let src = "\u{feff}Hello there.";
        let prose = run(src);
        assert_eq!(prose.text, "Hello there.");
        assert_eq!(source_of(src, &prose, "Hello"), "Hello");
        for src in ["", "\n", "\r\n\r\n", "   \t  ", "\u{feff}", "-", "- ", "*"] {
            let prose = run(src);
            assert!(prose.blocks.is_empty(), "{src:?}: {prose:?}");
        }
    }

    #[test]
    fn title_case_rules() {
        assert!(title_case("Why Choose Us"));
        assert!(title_case("Benefits of the Treatment"));
        assert!(title_case("FAQ"));
        assert!(!title_case("Our clinic is located in"));
        assert!(!title_case("123 456"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const FRAGMENTS: &[&str] = &[
            "# ", "- ", "* ", "• ", "1. ", "2) ", "12. ", "word", "Word", "WORD", " ", "  ", "\t",
            ".", "!", ",", ":", "\u{201d}", "\"", ")", "\n", "\r\n", "\r", "\n\n", "\r\n\r\n",
            " \n", "é", "—", "\u{a0}", "\u{feff}", "=====", "---\n", "&amp;", "**", "<b>", "|",
        ];

        fn text() -> impl Strategy<Value = String> {
            prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60)
                .prop_map(|parts| parts.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn generated_text_keeps_invariants(src in text()) {
                let prose = extract(&src);
                prop_assert!(check_invariants(&src, &prose).is_ok(),
                    "{:?}: {:?}", src, check_invariants(&src, &prose));
                // Every segment is exact except the spaces that stand for line breaks.
                for seg in &prose.segments {
                    prop_assert!(seg.exact || &prose.text[seg.prose.clone()] == " ");
                }
            }

            #[test]
            fn arbitrary_text_keeps_invariants(src in "\\PC{0,300}") {
                let prose = extract(&src);
                prop_assert!(check_invariants(&src, &prose).is_ok(),
                    "{:?}: {:?}", src, check_invariants(&src, &prose));
            }

            #[test]
            fn words_survive(words in prop::collection::vec("[a-z]{1,8}", 1..30)) {
                // Every word of a paragraph made of lowercase words appears in the prose.
                let src = words.join(" ");
                let prose = extract(&src);
                let seen: Vec<&str> = prose.text.split_whitespace().collect();
                prop_assert_eq!(seen, words.iter().map(String::as_str).collect::<Vec<_>>());
            }
        }
    }
}
