//! Citations end to end, with the shipped rules: a footnote marker lowers a figure or an
//! establishment claim only when it resolves to a reference on the same page (Markdown footnotes,
//! an HTML reference list, a plain-text numbered list); a marker that resolves to nothing leaves
//! the severity alone and says so; written citations, journals and agencies with a year, and study
//! links count; vague attribution does not. Cue spans must point at the exact marker bytes.

use std::sync::OnceLock;

use claimlint::rules::Effect;
use claimlint::{Finding, Format, Ruleset, Severity, lint_str};

/// Compiled once: building the core ruleset is the slow part of a test.
fn rules() -> &'static Ruleset {
    static RULES: OnceLock<Ruleset> = OnceLock::new();
    RULES.get_or_init(|| Ruleset::default_rules().expect("core loads"))
}

fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/citations/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The finding of `rule` whose matched words start with `matched`.
fn finding<'a>(findings: &'a [Finding], rule: &str, matched: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.rule == rule && f.matched.starts_with(matched))
        .unwrap_or_else(|| panic!("no {rule} finding on `{matched}` in {findings:#?}"))
}

/// The source bytes of a finding's citation cue, and its note.
fn cue<'a>(text: &'a str, f: &'a Finding) -> (&'a str, &'a str) {
    let adj = f
        .adjustments
        .iter()
        .find(|a| a.note.contains("citation") || a.note.contains("marker"))
        .unwrap_or_else(|| panic!("no citation note on {f:#?}"));
    let span = adj.span.clone().expect("the cue has a span");
    (&text[span], adj.note.as_str())
}

fn lint(text: &str, format: Format) -> Vec<Finding> {
    lint_str(rules(), text, format)
}

#[test]
fn markdown_footnotes_resolve_or_are_reported() {
    let text = fixture("footnotes.md");
    let f = lint(&text, Format::Markdown);

    let resolved = finding(&f, "efficacy-rate", "about 70% of patients");
    assert_eq!(resolved.severity, Severity::Info);
    assert_eq!(cue(&text, resolved).0, "[^1]");

    let unresolved = finding(&f, "efficacy-rate", "Over 80% of patients");
    assert_eq!(unresolved.severity, Severity::Error);
    let (bytes, note) = cue(&text, unresolved);
    assert_eq!(bytes, "[^9]");
    assert!(note.contains("does not resolve"), "{note}");

    let proof = finding(&f, "establishment-claim", "has been shown to");
    assert_eq!(proof.severity, Severity::Info);
    assert_eq!(cue(&text, proof).0, "[^2]");

    // Vague attribution is the claim, not its citation.
    let vague = finding(&f, "establishment-claim", "Research shows");
    assert_eq!(vague.severity, Severity::Warning);
    assert!(vague.adjustments.is_empty(), "{vague:#?}");
}

#[test]
fn a_footnote_link_with_a_title_still_cites() {
    // Footnote plugins give the marker's link the reference as its tooltip. Read as prose, the
    // tooltip split the sentence from its marker, which then resolved to nothing.
    let text = "<p>About 70% of patients responded.<sup><a href=\"#ref1\" \
                title=\"Smith J. Ketamine. 2019.\">1</a></sup></p>\n\
                <ol><li id=\"ref1\">Smith J. Ketamine. 2019.</li></ol>\n";
    let f = lint(text, Format::Html);
    let rate = finding(&f, "efficacy-rate", "About 70% of patients");
    assert_eq!(rate.severity, Severity::Info, "{f:#?}");
    assert_eq!(cue(text, rate).0, "1");
    // The title of a link that leaves the page is still read: claims hide in tooltips too.
    let outside = "<p><a href=\"/offer\" title=\"Cures anxiety for good\">Our offer</a></p>\n";
    let f = lint(outside, Format::Html);
    assert!(
        f.iter().any(|x| x.matched.contains("Cures anxiety")),
        "{f:#?}"
    );
}

#[test]
fn html_superscripts_resolve_by_anchor_or_reference_list() {
    let text = fixture("sup-references.html");
    let f = lint(&text, Format::Html);

    // `<sup><a href="#ref1">1</a></sup>` and `<li id="ref1">`: the cue is the digit itself.
    let by_anchor = finding(&f, "efficacy-rate", "About 58% of patients");
    assert_eq!(by_anchor.severity, Severity::Info);
    let (bytes, note) = cue(&text, by_anchor);
    assert_eq!(bytes, "1");
    assert!(
        text[..by_anchor.adjustments[0].span.clone().unwrap().start].ends_with("#ref1\">"),
        "the cue points inside the link"
    );
    assert!(note.contains("<sup>1</sup>"), "{note}");

    // `<sup>2</sup>` and the second `<li>` under "References".
    let by_position = finding(&f, "efficacy-rate", "More than 60% of patients");
    assert_eq!(by_position.severity, Severity::Info);
    assert_eq!(cue(&text, by_position).0, "2");

    // `href="#ref7"` with no such element and no seventh reference.
    let dangling = finding(&f, "efficacy-rate", "Over 90% of patients");
    assert_eq!(dangling.severity, Severity::Error);
    let (bytes, note) = cue(&text, dangling);
    assert_eq!(bytes, "7");
    assert!(note.contains("`<sup>7</sup>` does not resolve"), "{note}");

    // A journal named with a year.
    let journal = finding(&f, "establishment-claim", "has been clinically shown");
    assert_eq!(journal.severity, Severity::Info);
    assert_eq!(cue(&text, journal).0, "2019 study in JAMA Psychiatry");
}

#[test]
fn plain_text_numbered_references_resolve_markers() {
    let text = fixture("numbered-references.txt");
    let f = lint(&text, Format::Plain);

    let resolved = finding(&f, "efficacy-rate", "about 70% of patients");
    assert_eq!(resolved.severity, Severity::Info);
    assert_eq!(cue(&text, resolved).0, "[1]");

    let unresolved = finding(&f, "efficacy-rate", "Over 80% of patients");
    assert_eq!(unresolved.severity, Severity::Error);
    assert_eq!(cue(&text, unresolved).0, "[4]");

    // A superscript after the period cites the sentence it ends.
    let sup = f
        .iter()
        .find(|f| f.rule == "establishment-claim" && f.severity == Severity::Info)
        .expect("the cited proof claim");
    assert_eq!(cue(&text, sup).0, "\u{b2}");

    // `[2, 5]`: reference 5 does not exist, so the marker does not resolve as a whole.
    let partial = f
        .iter()
        .find(|f| f.rule == "establishment-claim" && f.severity == Severity::Warning)
        .expect("the half-cited proof claim");
    assert_eq!(cue(&text, partial).0, "[2, 5]");

    let review = f.iter().rfind(|f| f.rule == "establishment-claim").unwrap();
    assert_eq!(review.severity, Severity::Info);
    assert_eq!(cue(&text, review).0, "2022 Cochrane review");
}

#[test]
fn a_bibliographic_line_resolves_a_marker_without_a_heading() {
    // Edge case 10 of regulatory.md section 3.
    let cited = "About 70% responded in trials.[3]\n\n[3] Author A et al. JAMA Psychiatry. 2019.\n";
    let f = lint(cited, Format::Plain);
    let rate = finding(&f, "efficacy-rate", "About 70% responded");
    assert_eq!(rate.severity, Severity::Info, "{f:#?}");
    assert_eq!(cue(cited, rate).0, "[3]");

    let missing = "About 70% responded in trials.[3]\n";
    let f = lint(missing, Format::Plain);
    let rate = finding(&f, "efficacy-rate", "About 70% responded");
    assert_eq!(rate.severity, Severity::Error);
    assert_eq!(cue(missing, rate).0, "[3]");

    // A step label is neither a marker nor a reference.
    let steps = "About 70% responded in trials [1].\n\n[1] Book a consultation with our team.\n";
    let f = lint(steps, Format::Plain);
    assert_eq!(
        finding(&f, "efficacy-rate", "About 70%").severity,
        Severity::Error
    );
}

#[test]
fn markdown_number_links_and_inline_superscripts() {
    let text = "About 70% of patients responded [1](#ref1).\n\n\
                Over 80% of patients felt relief.<sup>2</sup>\n\n\
                ## Sources\n\n1. Smith J et al. 2019.\n2. Lee K. 2020.\n";
    let f = lint(text, Format::Markdown);
    let linked = finding(&f, "efficacy-rate", "About 70% of patients");
    assert_eq!(linked.severity, Severity::Info, "{f:#?}");
    assert_eq!(cue(text, linked).0, "1");
    let sup = finding(&f, "efficacy-rate", "Over 80% of patients");
    assert_eq!(sup.severity, Severity::Info, "{f:#?}");
    assert_eq!(cue(text, sup).0, "2");
}

#[test]
fn markdown_markers_resolve_to_ids_in_html() {
    // The references are HTML inside the Markdown, found only by their ids: an HTML block with
    // an `id`, an inline `<a id>` and an `<a name>`; the markers link to them with a Markdown
    // link and with inline HTML.
    let text = "About 70% of patients responded [1](#smith2019).\n\n\
                Over 80% of patients felt relief.<sup><a href=\"#lee2020\">2</a></sup>\n\n\
                Nearly 90% of patients improved [3](#kim2021).\n\n\
                <p id=\"smith2019\">Smith J et al. Ketamine for depression. 2019.</p>\n\n\
                - <a id=\"lee2020\"></a>Lee K. Infusion outcomes. 2020.\n\
                - <a name=\"kim2021\"></a>Kim S. Patient survey. 2021.\n";
    let f = lint(text, Format::Markdown);
    for (claim, marker) in [
        ("About 70% of patients", "1"),
        ("Over 80% of patients", "2"),
        ("Nearly 90% of patients", "3"),
    ] {
        let rate = finding(&f, "efficacy-rate", claim);
        assert_eq!(rate.severity, Severity::Info, "{claim}: {f:#?}");
        assert_eq!(cue(text, rate).0, marker, "{claim}");
    }
    // A marker linking to an id the page does not have still resolves to nothing.
    let missing =
        "About 70% of patients responded [1](#nowhere).\n\n<p id=\"other\">Smith J. 2019.</p>\n";
    let f = lint(missing, Format::Markdown);
    assert_ne!(
        finding(&f, "efficacy-rate", "About 70% of patients").severity,
        Severity::Info,
        "{f:#?}"
    );
}

#[test]
fn written_citations_and_named_studies_lower_figures() {
    for (text, cited) in [
        (
            "Over 70% of patients respond (Smith et al., 2019).",
            "(Smith et al., 2019)",
        ),
        (
            "Over 70% of patients respond (Smith & Jones 2020).",
            "(Smith & Jones 2020)",
        ),
        (
            "Over 70% of patients responded in a 2019 study in JAMA Psychiatry.",
            "2019 study in JAMA Psychiatry",
        ),
        (
            "Over 70% of patients responded, as published in The Lancet in 2021.",
            "The Lancet in 2021",
        ),
        (
            "Over 70% of patients respond, according to 2021 NIMH data.",
            "2021 NIMH",
        ),
    ] {
        let f = lint(text, Format::Plain);
        let rate = finding(&f, "efficacy-rate", "Over 70% of patients");
        assert_eq!(rate.severity, Severity::Info, "{text}: {f:#?}");
        assert_eq!(cue(text, rate).0, cited, "{text}");
    }
    // An agency and a year without a document is a date, not a source; a journal with no year
    // and a vague "published in" cite nothing.
    for text in [
        "Over 70% of patients respond to a drug the FDA approved in 2019.",
        "Over 70% of patients respond, as featured in JAMA.",
        "Over 70% of patients respond, as published in a leading journal.",
        "Over 70% of patients respond (March 2020).",
    ] {
        let f = lint(text, Format::Plain);
        let rate = finding(&f, "efficacy-rate", "Over 70% of patients");
        assert!(rate.severity > Severity::Info, "{text}: {f:#?}");
    }
}

#[test]
fn study_links_count_by_host_and_lookalikes_do_not() {
    let cited = "Over 70% of patients [respond](https://pubmed.ncbi.nlm.nih.gov/23982301/).";
    let f = lint(cited, Format::Markdown);
    let rate = finding(&f, "efficacy-rate", "Over 70% of patients");
    assert_eq!(rate.severity, Severity::Info);
    assert_eq!(cue(cited, rate).0, "respond");
    for url in [
        "https://fda.gov.example.com/study",
        "https://notfda.gov/study",
        "https://ourclinic.com/nih.gov",
    ] {
        let text = format!("Over 70% of patients [respond]({url}).");
        let f = lint(&text, Format::Markdown);
        let rate = finding(&f, "efficacy-rate", "Over 70% of patients");
        assert_eq!(rate.severity, Severity::Error, "{url}");
    }
}

#[test]
fn false_markers_in_doses_and_labels_do_not_resolve_or_report() {
    // "10²" is an exponent: no marker, so no note about a missing reference.
    let text = "Over 70% of patients respond to 10\u{b2} units.";
    let f = lint(text, Format::Plain);
    let rate = finding(&f, "efficacy-rate", "Over 70% of patients");
    assert_eq!(rate.severity, Severity::Error);
    assert!(rate.adjustments.is_empty(), "{rate:#?}");
}

#[test]
fn rules_lowered_or_removed_by_citations_say_what_source_would_support_them() {
    let rules = rules();
    for id in [
        "efficacy-rate",
        "unsourced-statistic",
        "establishment-claim",
    ] {
        let rule = rules.rule(id).unwrap();
        assert!(
            matches!(
                rule.context.citation,
                Effect::DowngradeToInfo | Effect::Suppress
            ),
            "{id}"
        );
    }
    for rule in &rules.rules {
        if matches!(
            rule.context.citation,
            Effect::DowngradeToInfo | Effect::Suppress
        ) {
            let hint = rule.docs.citation_hint.as_deref().unwrap_or("");
            assert!(!hint.trim().is_empty(), "{} has no citation-hint", rule.id);
        }
    }
    // And the finding carries it.
    let f = lint("Over 70% of patients respond [4].", Format::Plain);
    let rate = finding(&f, "efficacy-rate", "Over 70% of patients");
    assert!(
        rate.citation_hint
            .as_deref()
            .is_some_and(|h| h.contains("randomized")),
        "{rate:#?}"
    );
}

#[test]
fn the_core_lexicon_defines_every_citation_list() {
    let rules = rules();
    for name in claimlint::rules::citations::LISTS
        .iter()
        .chain(&["citation-cues", "citation-domains"])
    {
        let list = rules
            .term_lists
            .iter()
            .find(|l| l.name == format!("@{name}"))
            .unwrap_or_else(|| panic!("lexicon list `{name}` is missing"));
        assert!(!list.terms.is_empty(), "lexicon list `{name}` is empty");
    }
}
