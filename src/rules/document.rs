//! Document-scope rules (fair balance, suicide safe messaging, off-label disclosure): the rule
//! fires when a trigger is present (one of its own patterns, a finding of a trigger category, or
//! a product promoted for a use the approvals data does not list) and nothing that satisfies it
//! appears anywhere in the document. The finding points at the trigger and says what is missing.
//!
//! Everything here works on the normalised text of one page (`Page`), in normalised offsets.

use std::collections::HashMap;
use std::ops::Range;

use super::data::{Data, DataLists};
use super::matcher::{CueHit, cues_within};
use super::{DocumentRule, Rule};

/// At most this many words between a denial and the term it denies ("no known side effects"),
/// or between a comparison cue and the product it compares against ("unlike oral ketamine").
const NEAR_WORDS: usize = 2;

/// What triggered a document rule's own pattern: a prose range.
#[derive(Clone, Debug)]
pub struct Trigger {
    pub prose: Range<usize>,
}

/// A block of the page: a heading (with its level) or body text.
#[derive(Clone, Debug)]
pub struct PageBlock {
    pub heading: Option<u8>,
    /// Indices into `Page::sentences`.
    pub sentences: Range<usize>,
}

/// One page as the document rules see it, in normalised offsets.
#[derive(Clone, Debug)]
pub struct Page<'a> {
    pub text: &'a str,
    /// Sentence ranges in order, each with the index of its block.
    pub sentences: Vec<(Range<usize>, usize)>,
    pub blocks: Vec<PageBlock>,
    /// Every cue of the page, ordered by start.
    pub cues: &'a [CueHit],
    /// The ranges of the page's sentence findings: words inside them satisfy nothing ("no side
    /// effects" names side effects but states none). Sorted and disjoint (see `merge_ranges`),
    /// so a lookup is a binary search.
    pub claimed: Vec<Range<usize>>,
}

/// A document rule that fires: where, and its message with the data placeholders filled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fired {
    pub range: Range<usize>,
    pub message: String,
}

/// A product promoted for a use it is not approved for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnapprovedUse {
    /// The product's name in the sentence.
    pub range: Range<usize>,
    /// Index into `Data::products`.
    pub product: usize,
    pub compounded: bool,
    /// The unapproved conditions as the sentence writes them; empty for a compounded form
    /// promoted without one.
    pub conditions: Vec<String>,
}

/// Decides whether a document rule fires. `own` is the rule's first pattern hit, `findings` the
/// categories and ranges of the page's sentence findings. Returns where to report and the message.
pub fn fires(
    rule: &Rule,
    data: &Data,
    lists: &DataLists,
    own: Option<Range<usize>>,
    findings: &[(&str, Range<usize>)],
    page: &Page,
) -> Option<Fired> {
    let doc = rule.document.as_ref()?;
    let by_category = findings
        .iter()
        .filter(|(category, _)| doc.trigger_categories.iter().any(|c| c == category))
        .map(|(_, r)| r.clone())
        .min_by_key(|r| r.start);
    let unapproved = if doc.unapproved_use {
        unapproved_use(data, lists, page)
    } else {
        None
    };
    // The earliest trigger; when the rule's own words lie inside a finding that triggers it,
    // they name what the message is about more exactly ("suicidal thoughts" rather than the
    // whole claim around it).
    let earliest = match (own, by_category) {
        (Some(o), Some(c)) if overlaps(&o, &c) => Some(o),
        (o, c) => [o, c].into_iter().flatten().min_by_key(|r| r.start),
    };
    if earliest.is_none() && unapproved.is_none() {
        return None;
    }
    if satisfied(doc, page) {
        return None;
    }
    // The data trigger says what is missing in detail, so it wins over a bare pattern hit.
    if let Some(u) = unapproved {
        return Some(Fired {
            message: unapproved_message(&doc.message, data, &u),
            range: u.range,
        });
    }
    let range = earliest?;
    Some(Fired {
        message: doc
            .message
            .replace("{condition}", &data.any_use)
            .replace("{approval}", "the page does not say it is approved for it"),
        range,
    })
}

/// Fills `{condition}` and `{approval}` for an unapproved use.
fn unapproved_message(template: &str, data: &Data, u: &UnapprovedUse) -> String {
    let condition = if u.conditions.is_empty() {
        data.any_use.clone()
    } else {
        join_and(&u.conditions)
    };
    let approval = if u.compounded {
        &data.compounded_approval
    } else {
        &data.products[u.product].approval
    };
    template
        .replace("{condition}", &condition)
        .replace("{approval}", approval)
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Whether the page states what the rule asks for, outside the sentence findings.
fn satisfied(doc: &DocumentRule, page: &Page) -> bool {
    // Each heading's section is read once, however many cues the heading holds.
    let mut sections: HashMap<usize, bool> = HashMap::new();
    let mut states_something = |b: usize| {
        *sections
            .entry(b)
            .or_insert_with(|| section_states_something(doc, page, b))
    };
    page.cues.iter().any(|c| {
        // The list first: a page has a cue every few words, and few are in these lists.
        let list = c.list();
        let may_satisfy = doc
            .satisfying_lists
            .get(list / 64)
            .is_some_and(|bits| bits >> (list % 64) & 1 == 1);
        if !may_satisfy {
            return false;
        }
        let direct = doc.satisfied_by.contains(&c.list());
        if (!direct && !doc.satisfied_by_heading.contains(&c.list())) || page.is_claimed(&c.range())
        {
            return false;
        }
        let heading = page
            .block_of(c.range().start)
            .filter(|&b| page.blocks[b].heading.is_some());
        if direct {
            if is_denied(doc, page, c) {
                return false;
            }
            // A heading promises a section; it counts when the section says something.
            return heading.is_none_or(&mut states_something);
        }
        heading.is_some_and(&mut states_something)
    })
}

/// How far before a cue a denial is looked for, in bytes: `NEAR_WORDS` words and the denial
/// itself fit many times over, and the look stays local on a page of thousands of cues.
const DENIAL_WINDOW_BYTES: usize = 256;

/// Whether a denial stands just before the cue ("no side effects", "without any side effects")
/// or right after it ("side-effect free").
fn is_denied(doc: &DocumentRule, page: &Page, cue: &CueHit) -> bool {
    let cue = cue.range();
    let from = cue.start.saturating_sub(DENIAL_WINDOW_BYTES);
    let first = page.cues.partition_point(|d| d.range().start < from);
    page.cues[first..]
        .iter()
        .take_while(|d| d.range().start <= cue.end + 1)
        .filter(|d| doc.denied_by.contains(&d.list()))
        .map(CueHit::range)
        .filter(|d| !overlaps(d, &cue))
        .any(|d| {
            if d.end <= cue.start {
                words_between(page.text, d.end..cue.start).is_some_and(|n| n <= NEAR_WORDS)
            } else {
                let gap = &page.text[cue.end..d.start.max(cue.end)];
                d.start >= cue.end && gap.len() <= 1 && gap.chars().all(|c| c == ' ' || c == '-')
            }
        })
}

/// The number of words in a gap inside one clause; `None` when punctuation that ends a clause
/// (or a line) lies in it.
fn words_between(text: &str, gap: Range<usize>) -> Option<usize> {
    let between = text.get(gap)?;
    if between.contains(['.', ',', ';', ':', '!', '?', '(', ')', '\n']) {
        return None;
    }
    Some(between.split_whitespace().count())
}

/// Whether the section under heading block `h` has a sentence that is neither a denial nor a
/// sentence finding.
fn section_states_something(doc: &DocumentRule, page: &Page, h: usize) -> bool {
    let level = page.blocks[h].heading.unwrap_or(0);
    page.blocks[h + 1..]
        .iter()
        .take_while(|b| b.heading.is_none_or(|l| l > level))
        .filter(|b| b.heading.is_none())
        .flat_map(|b| page.sentences[b.sentences.clone()].iter())
        .any(|(range, _)| {
            !page.is_claimed(range)
                && !page
                    .cues_in(range)
                    .iter()
                    .any(|c| doc.denied_by.contains(&c.list()))
        })
}

/// The first sentence that names a product with a condition it is not approved for (a
/// compounded form: any condition, or none), outside sentences that state risks, defer to a
/// clinician, describe research or report others' claims, and outside questions.
pub fn unapproved_use(data: &Data, lists: &DataLists, page: &Page) -> Option<UnapprovedUse> {
    // Only sentences that hold a product name can promote one: they are found from the page's
    // cues (in order, as the sentences are), not by reading every sentence's cues.
    let mut last = None;
    for cue in page.cues.iter().filter(|c| lists.names_a_product(c.list())) {
        let name = cue.range();
        let si = page.sentences.partition_point(|(r, _)| r.end <= name.start);
        let Some((range, _)) = page.sentences.get(si).filter(|(r, _)| contains(r, &name)) else {
            continue;
        };
        if last == Some(si) {
            continue;
        }
        last = Some(si);
        if let Some(found) = unapproved_in_sentence(data, lists, page, range) {
            return Some(found);
        }
    }
    None
}

/// A product mention in a sentence.
#[derive(Clone, Debug)]
struct Mention {
    product: usize,
    compounded: bool,
    range: Range<usize>,
}

fn unapproved_in_sentence(
    data: &Data,
    lists: &DataLists,
    page: &Page,
    sentence: &Range<usize>,
) -> Option<UnapprovedUse> {
    // Called only for a sentence that names a product (see `unapproved_use`).
    if page.text[sentence.clone()].trim_end().ends_with('?') {
        return None;
    }
    let cues = page.cues_in(sentence);
    let has = |list: usize| cues.iter().any(|c| c.list() == list);
    if lists.skip.iter().any(|&l| has(l)) {
        return None;
    }
    let mut mentions: Vec<Mention> = cues
        .iter()
        .filter_map(|c| {
            let named = lists.product_names.iter().position(|&l| l == c.list());
            let compounded = lists.compounded_names.iter().position(|&l| l == c.list());
            named.or(compounded).map(|product| Mention {
                product,
                compounded: compounded.is_some(),
                range: c.range(),
            })
        })
        .collect();
    if mentions.is_empty() {
        return None;
    }
    let not_conditions: Vec<Range<usize>> = cues
        .iter()
        .filter(|c| c.list() == lists.not_conditions)
        .map(|c| c.range())
        .collect();
    let mut conditions: Vec<(usize, Range<usize>)> = cues
        .iter()
        .filter_map(|c| {
            let i = lists.conditions.iter().position(|&l| l == c.list())?;
            Some((i, c.range()))
        })
        .filter(|(_, r)| !not_conditions.iter().any(|n| contains(n, r)))
        .collect();
    let all_conditions: Vec<Range<usize>> = conditions.iter().map(|(_, r)| r.clone()).collect();
    let negations: Vec<Range<usize>> = cues
        .iter()
        .filter(|c| c.list() == lists.not_a_use_after)
        .map(|c| c.range())
        .collect();
    conditions.retain(|(_, r)| {
        !within_longer(r, &all_conditions)
            && !negations.iter().any(|n| {
                n.end <= r.start && words_between(page.text, n.end..r.start).is_some_and(|w| w <= 1)
            })
    });

    let all_mentions: Vec<Range<usize>> = mentions.iter().map(|m| m.range.clone()).collect();
    // Comparison cues ("unlike ketamine") and negators ("we do not prescribe compounded
    // semaglutide") just before a product mean the page is not promoting it there.
    let comparisons: Vec<Range<usize>> = cues
        .iter()
        .filter(|c| c.list() == lists.comparison_cues || lists.negators.contains(&c.list()))
        .map(|c| c.range())
        .collect();
    mentions.retain(|m| {
        !within_longer(&m.range, &all_mentions)
            // "low testosterone" names a condition, not the product.
            && !all_conditions.iter().any(|c| contains(c, &m.range))
            && !has(lists.not_with[m.product])
    });
    // Keep one mention per range (a name can be in two products' lists).
    mentions.dedup_by(|a, b| a.range == b.range && a.product == b.product);
    // A list of names ("compounded semaglutide or tirzepatide") is compared or negated as one.
    let lists_of_names = group_mentions(page.text, &mentions, false);
    let not_promoted: Vec<bool> = lists_of_names
        .iter()
        .flat_map(|g| {
            let first = mentions[g.start].range.start;
            let cued = comparisons.iter().any(|c| {
                c.end <= first
                    && words_between(page.text, c.end..first).is_some_and(|n| n <= NEAR_WORDS)
            });
            std::iter::repeat_n(cued, g.len())
        })
        .collect();
    let mut index = 0;
    mentions.retain(|_| {
        index += 1;
        !not_promoted[index - 1]
    });
    if mentions.is_empty() {
        return None;
    }
    if has(lists.compounded_markers) {
        for m in &mut mentions {
            if !data.products[m.product].compounded_names.is_empty() {
                m.compounded = true;
            }
        }
    }
    let written = |r: &Range<usize>| {
        page.text[r.clone()]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    if let Some(m) = mentions.iter().find(|m| m.compounded) {
        return Some(UnapprovedUse {
            range: m.range.clone(),
            product: m.product,
            compounded: true,
            conditions: distinct(conditions.iter().map(|(_, r)| written(r))),
        });
    }
    // Each condition belongs to the products named last before it (or, when none is, the first
    // ones after it): "Spravato is approved for treatment-resistant depression, but IV ketamine
    // works faster for depression" promotes ketamine, not Spravato, for depression. Names a word
    // or two apart ("Spravato, or esketamine", "Ozempic and Wegovy") are one group.
    let groups = group_mentions(page.text, &mentions, true);
    let group_of = |at: usize| {
        groups
            .iter()
            .rposition(|g| mentions[g.start].range.start < at)
            .unwrap_or(0)
    };
    let covered = |c: usize, at: usize| {
        mentions[groups[group_of(at)].clone()]
            .iter()
            .any(|m| data.approves(m.product, c))
    };
    let any_covered = conditions.iter().any(|(c, r)| covered(*c, r.start));
    let unapproved: Vec<&(usize, Range<usize>)> = conditions
        .iter()
        .filter(|(c, r)| {
            // A symptom beside an approved use is part of that use ("energy" with hypogonadism).
            let symptom_of_approved_use = any_covered && data.conditions[*c].symptom;
            !covered(*c, r.start) && !symptom_of_approved_use
        })
        .collect();
    let (_, first_range) = unapproved.first()?;
    let group = group_of(first_range.start);
    let promoted = &mentions[groups[group].start];
    Some(UnapprovedUse {
        range: promoted.range.clone(),
        product: promoted.product,
        compounded: false,
        conditions: distinct(
            unapproved
                .iter()
                .filter(|(_, r)| group_of(r.start) == group)
                .map(|(_, r)| written(r)),
        ),
    })
}

/// Splits mentions (ordered by start) into runs of names at most `NEAR_WORDS` words apart, as
/// index ranges into `mentions`; with `across_commas`, a comma or parenthesis between names does
/// not split a run ("Spravato, or esketamine,"). Never empty when `mentions` is not.
fn group_mentions(text: &str, mentions: &[Mention], across_commas: bool) -> Vec<Range<usize>> {
    let mut groups: Vec<Range<usize>> = Vec::new();
    for (i, m) in mentions.iter().enumerate() {
        let joins = groups.last().is_some_and(|g| {
            let prev = &mentions[g.end - 1].range;
            let gap = &text[prev.end.min(m.range.start)..m.range.start];
            let splits: &[char] = if across_commas {
                &[';', ':', '.', '\n']
            } else {
                &[';', ':', '.', '\n', ',', '(', ')']
            };
            prev.end <= m.range.start && !gap.contains(splits) && {
                let gap = gap.replace(['(', ')', ',', '/'], " ");
                gap.split_whitespace().count() <= NEAR_WORDS
            }
        });
        match groups.last_mut() {
            Some(g) if joins => g.end = i + 1,
            _ => groups.push(i..i + 1),
        }
    }
    groups
}

/// Items in order, without repeats (compared case-insensitively).
fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&item)) {
            out.push(item);
        }
    }
    out
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Sorted, disjoint ranges covering the same offsets as `ranges` (touching ranges stay apart).
pub fn merge_ranges(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Whether another, longer range contains `r` ("depression" inside "treatment-resistant
/// depression").
fn within_longer(r: &Range<usize>, all: &[Range<usize>]) -> bool {
    all.iter()
        .any(|o| contains(o, r) && o.end - o.start > r.end - r.start)
}

impl Page<'_> {
    /// Whether a range overlaps a sentence finding.
    fn is_claimed(&self, r: &Range<usize>) -> bool {
        let i = self.claimed.partition_point(|c| c.end <= r.start);
        self.claimed.get(i).is_some_and(|c| overlaps(r, c))
    }

    /// The block holding an offset.
    fn block_of(&self, at: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|(r, _)| r.end <= at);
        self.sentences
            .get(i)
            .filter(|(r, _)| r.start <= at)
            .map(|&(_, b)| b)
    }

    /// The cues wholly inside a range.
    fn cues_in(&self, range: &Range<usize>) -> Vec<CueHit> {
        cues_within(self.cues, range.clone()).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;
    use crate::lint_str;
    use crate::rules::{Ruleset, RulesetOptions};

    fn only(rule: &str) -> Ruleset {
        Ruleset::load(&RulesetOptions {
            only: vec![rule.to_owned()],
            ..RulesetOptions::default()
        })
        .unwrap()
    }

    #[test]
    fn a_sentence_whose_only_product_is_compared_against_promotes_nothing() {
        let rs = only("off-label-disclosure");
        for text in [
            "Unlike ketamine, our program treats depression with talk therapy.",
            "We do not offer ketamine for depression.",
            "Instead of testosterone, try sleep for low energy.",
        ] {
            assert!(lint_str(&rs, text, Format::Plain).is_empty(), "{text}");
        }
    }

    /// A risks heading satisfies fair balance only with a section under it that says something,
    /// even when no sentence uses a risk word ("Safety" is a heading term, not a risk term).
    #[test]
    fn a_risks_heading_with_a_section_satisfies_fair_balance() {
        let rs = only("fair-balance");
        let claim = "Ketamine infusions offer fast relief from depression.\n\n";
        let lint_md = |text: &str| lint_str(&rs, text, Format::Markdown);
        let without = lint_md(claim);
        assert_eq!(without.len(), 1, "{without:?}");
        assert_eq!(without[0].rule, "fair-balance");
        let section =
            format!("{claim}## Safety\n\nA nurse watches you for two hours after each session.\n");
        assert!(lint_md(&section).is_empty(), "{:?}", lint_md(&section));
        // The same words as a sentence, not a heading, state no risk.
        let sentence = format!("{claim}Safety comes first.\n");
        assert_eq!(lint_md(&sentence).len(), 1);
        // A heading with nothing under it promises a section it never gives.
        let empty = format!("{claim}## Safety\n");
        assert_eq!(lint_md(&empty).len(), 1);
    }

    #[test]
    fn lists_read_naturally() {
        let s = |v: &[&str]| join_and(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["PTSD"]), "PTSD");
        assert_eq!(s(&["PTSD", "anxiety"]), "PTSD and anxiety");
        assert_eq!(
            s(&["depression", "PTSD", "anxiety"]),
            "depression, PTSD and anxiety"
        );
    }

    #[test]
    fn words_between_stops_at_clause_punctuation() {
        assert_eq!(words_between("no known side effects", 2..9), Some(1));
        assert_eq!(words_between("no. Side effects", 2..4), None);
        assert_eq!(words_between("unlike ketamine, TMS", 15..17), None);
    }

    #[test]
    fn names_a_word_or_two_apart_are_one_group() {
        let m = |start: usize, end: usize| Mention {
            product: 0,
            compounded: false,
            range: start..end,
        };
        let text = "Spravato, or esketamine; ketamine";
        let mentions = [m(0, 8), m(13, 23), m(25, 33)];
        assert_eq!(group_mentions(text, &mentions, true), [0..2, 2..3]);
        assert_eq!(group_mentions(text, &mentions, false), [0..1, 1..2, 2..3]);
    }

    #[test]
    fn the_off_label_message_names_product_condition_and_approval() {
        let text = "We offer ketamine infusions for PTSD and anxiety.";
        let f = lint_str(&only("off-label-disclosure"), text, Format::Plain);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(&text[f[0].span.clone()], "ketamine");
        assert!(f[0].document);
        assert_eq!(
            f[0].message,
            "`ketamine` is promoted for PTSD and anxiety, but ketamine is FDA-approved only as an \
             anesthetic; the page never says this use is off-label or not FDA-approved"
        );
    }

    #[test]
    fn the_first_promoting_sentence_is_reported_not_an_earlier_approved_one() {
        let text = "Spravato treats treatment-resistant depression. Ketamine treats PTSD.";
        let f = lint_str(&only("off-label-disclosure"), text, Format::Plain);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(&text[f[0].span.clone()], "Ketamine");
    }

    #[test]
    fn the_crisis_suggestion_lists_the_lines_of_the_data_file() {
        let rs = only("suicide-safe-messaging");
        let f = lint_str(&rs, "Symptoms include thoughts of suicide.", Format::Plain);
        assert_eq!(f.len(), 1, "{f:?}");
        for line in &rs.data.crisis_lines {
            assert!(f[0].suggestion.contains(&line.help), "{}", f[0].suggestion);
        }
        assert!(!f[0].suggestion.contains("{crisis-lines}"));
    }

    #[test]
    fn a_denied_risk_word_and_a_denying_risk_section_do_not_satisfy_fair_balance() {
        let rs = only("fair-balance");
        let fired = |text: &str, format| !lint_str(&rs, text, format).is_empty();
        assert!(fired("Fast relief with zero side effects.", Format::Plain));
        assert!(fired("Fast relief. Side-effect free.", Format::Plain));
        assert!(!fired(
            "Fast relief. Side effects include nausea.",
            Format::Plain
        ));
        let md =
            |section: &str| format!("# Fast relief\n\nBook now.\n\n## Side effects\n\n{section}\n");
        assert!(fired(&md("None at all."), Format::Markdown));
        assert!(!fired(
            &md("Some people feel sick for an hour."),
            Format::Markdown
        ));
    }

    #[test]
    fn merged_ranges_answer_overlap_like_the_originals() {
        let ranges = vec![10..14, 0..3, 12..20, 3..5, 30..31, 2..4];
        let merged = merge_ranges(ranges.clone());
        // 0..3, 2..4 and 3..5 overlap in a chain; 10..14 and 12..20 overlap.
        assert_eq!(merged, [0..5, 10..20, 30..31]);
        let page = Page {
            text: "",
            sentences: Vec::new(),
            blocks: Vec::new(),
            cues: &[],
            claimed: merged,
        };
        for probe in [
            0..1,
            4..6,
            5..10,
            9..11,
            19..30,
            20..30,
            25..35,
            31..40,
            7..8,
        ] {
            assert_eq!(
                page.is_claimed(&probe),
                ranges.iter().any(|c| overlaps(&probe, c)),
                "{probe:?}"
            );
        }
    }
}
