//! Fills a rule's advice templates for one finding: `{matched}` becomes the claim's words and
//! `{subject}` the treatment the sentence names ("Side effects of ketamine can include ..."), so
//! the balanced wording reads as written for this page rather than as a form letter.

/// What `{subject}` becomes when the sentence and the document name no treatment.
pub const FALLBACK_SUBJECT: &str = "this treatment";

/// A treatment named in the text, as it should read inside advice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    /// `written` is the treatment as the page writes it. A capital that is only there because the
    /// word opens a sentence ("Ketamine works ...") is dropped, unless the page also capitalises it
    /// mid-sentence (a brand name such as "Spravato"); acronyms (TMS, NAD+) are kept as written.
    pub fn from_written(
        written: &str,
        at_sentence_start: bool,
        capitalised_elsewhere: bool,
    ) -> Self {
        let written = single_spaced(written).into_owned();
        let mut chars = written.chars();
        let Some(first) = chars.next() else {
            return Subject(FALLBACK_SUBJECT.to_owned());
        };
        let rest_has_upper = chars.clone().any(char::is_uppercase);
        if at_sentence_start && first.is_uppercase() && !rest_has_upper && !capitalised_elsewhere {
            return Subject(first.to_lowercase().chain(chars).collect());
        }
        Subject(written)
    }

    pub fn fallback() -> Self {
        Subject(FALLBACK_SUBJECT.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Replaces `{matched}` and `{subject}` in a template. A placeholder that opens the text or a
/// sentence of it gets a capital letter ("{subject} can cause ..." -> "Ketamine can cause ...").
pub fn fill(template: &str, matched: &str, subject: &Subject) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    // memchr rather than `find('{')`: this runs twice for every finding, and `find`'s set-up
    // cost more than the short search.
    while let Some(i) = memchr::memchr(b'{', rest.as_bytes()) {
        let (before, tail) = rest.split_at(i);
        out.push_str(before);
        let value = if tail.starts_with("{matched}") {
            Some((matched, "{matched}".len(), false))
        } else if tail.starts_with("{subject}") {
            Some((subject.as_str(), "{subject}".len(), true))
        } else {
            None
        };
        match value {
            Some((value, len, capitalise)) => {
                if capitalise && opens_sentence(&out) {
                    let mut chars = value.chars();
                    if let Some(c) = chars.next() {
                        out.extend(c.to_uppercase());
                        out.push_str(chars.as_str());
                    }
                } else {
                    out.push_str(value);
                }
                rest = &tail[len..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Words as advice quotes them: line breaks and runs of whitespace folded to one space, none at
/// either end. Most matches need no folding, and are borrowed as they are (this runs for every
/// finding).
pub fn single_spaced(text: &str) -> std::borrow::Cow<'_, str> {
    let mut after_space = true;
    let folded_already = text.chars().all(|c| {
        let ok = !c.is_whitespace() || (c == ' ' && !after_space);
        after_space = c.is_whitespace();
        ok
    }) && (!after_space || text.is_empty());
    if folded_already {
        text.into()
    } else {
        text.split_whitespace().collect::<Vec<_>>().join(" ").into()
    }
}

/// True when text written so far ends where a new sentence begins.
fn opens_sentence(so_far: &str) -> bool {
    let trimmed = so_far.trim_end_matches([' ', '"', '\u{201c}', '(', '\n']);
    trimmed.is_empty() || trimmed.ends_with(['.', '!', '?', ':', '\u{2014}'])
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Text that needs no folding is borrowed; whatever the text, the result is its words
        /// joined by single spaces.
        #[test]
        fn single_spaced_folds_whitespace_and_borrows_text_that_needs_none(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["a", "bc", " ", "  ", "\n", "\t", "\u{a0}", "\u{e9}"]),
                0..8,
            )
        ) {
            let text = pieces.concat();
            let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let got = single_spaced(&text);
            proptest::prop_assert_eq!(
                matches!(got, std::borrow::Cow::Borrowed(_)),
                folded == text,
                "{:?}", text
            );
            proptest::prop_assert_eq!(got, folded);
        }
    }

    #[test]
    fn subject_drops_a_sentence_start_capital_only() {
        assert_eq!(
            Subject::from_written("Ketamine", true, false).as_str(),
            "ketamine"
        );
        assert_eq!(
            Subject::from_written("Spravato", true, true).as_str(),
            "Spravato"
        );
        assert_eq!(Subject::from_written("TMS", true, false).as_str(), "TMS");
        assert_eq!(
            Subject::from_written("NAD+ IV\ntherapy", false, false).as_str(),
            "NAD+ IV therapy"
        );
        assert_eq!(
            Subject::from_written("Ozempic", false, false).as_str(),
            "Ozempic"
        );
    }

    #[test]
    fn fill_replaces_placeholders_and_capitalises_at_sentence_start() {
        let s = Subject::from_written("ketamine", false, false);
        assert_eq!(
            fill(
                "{subject} can cause nausea. Side effects of {subject} vary.",
                "x",
                &s
            ),
            "Ketamine can cause nausea. Side effects of ketamine vary."
        );
        assert_eq!(
            fill("Replace `{matched}`.", "no side effects", &s),
            "Replace `no side effects`."
        );
        assert_eq!(
            fill("Ask about {subject}.", "x", &Subject::fallback()),
            "Ask about this treatment."
        );
        // Other braces are left alone.
        assert_eq!(fill("a {b} c {", "x", &s), "a {b} c {");
    }
}
