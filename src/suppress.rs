//! Inline waivers: parses the `claimlint-*` directives the extractors collected from comments and
//! applies them to one file's findings. A waived finding stays in the list, marked with its
//! `Waiver` (kind, reason, directive span); problems with the directives themselves (no reason,
//! an unknown rule, nothing waived) become findings of their own rule, `claimlint-directive`.
//!
//! The forms (architecture.md §6):
//!
//! - `claimlint-disable-next-line RULES -- reason`: findings that start on the line after the
//!   line where the comment ends;
//! - `claimlint-disable RULES -- reason` ... `claimlint-enable RULES`: findings that start after
//!   the disable comment and before the matching enable (or the end of the file);
//! - `claimlint-disable-file RULES -- reason`: every finding in the file.
//!
//! RULES is one or more rule ids or categories, separated by commas and/or spaces, or `all`. A
//! reason after `--` is required: a waiver is evidence for a reviewer, so a directive without
//! one waives nothing (and is reported). `claimlint-enable` needs no reason; bare
//! `claimlint-enable` (or `claimlint-enable all`) ends every open block.

use std::ops::Range;

use crate::extract::Directive;
use crate::finding::{Finding, Severity, Waiver, WaiverKind};
use crate::rules::Ruleset;
use crate::source::SourceFile;

/// The rule id under which directive problems are reported. It is part of the engine, not of a
/// ruleset: it checks the waivers, not the copy.
pub const DIRECTIVE_RULE: &str = "claimlint-directive";

/// The category of `DIRECTIVE_RULE` findings.
pub const DIRECTIVE_CATEGORY: &str = "directive";

/// What `DIRECTIVE_RULE` reports, for rule listings such as SARIF's rule descriptors.
pub const DIRECTIVE_SUMMARY: &str = "Flags claimlint directives in comments that cannot do \
    what they say: an unknown rule or category, a waiver without a reason, a waiver that waives \
    nothing, a `claimlint-enable` with no open block.";

/// How to fix a `DIRECTIVE_RULE` finding, for rule listings.
pub const DIRECTIVE_HELP: &str = "Name rule ids or categories from `claimlint rules` (or \
    `all`) and give the reason after `--`, e.g. `<!-- claimlint-disable-next-line \
    efficacy-rate -- figure from our 2024 audit, ref 12 -->`; remove waivers that no longer \
    waive anything.";

/// The word that names every rule in a directive.
const ALL: &str = "all";

/// What a directive does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Waive(WaiverKind),
    /// `claimlint-enable`: ends `claimlint-disable` blocks.
    Enable,
}

/// A directive comment, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub action: Action,
    /// The rule ids, categories or `all` it names, as written.
    pub targets: Vec<String>,
    /// The text after `--`, trimmed; `None` when there is no `--` or nothing follows it.
    pub reason: Option<String>,
}

/// Why a directive comment could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// `claimlint-something` that is not one of the four keywords.
    UnknownKeyword(String),
}

/// Parses a directive comment body (`claimlint-disable-next-line a, b -- reason`). Returns
/// `Ok(None)` for a comment that merely starts with the word `claimlint` (`claimlint: reviewed`),
/// which is a note, not a directive.
pub fn parse(body: &str) -> Result<Option<Parsed>, ParseError> {
    let body = body.trim();
    let Some(rest) = body.strip_prefix("claimlint-") else {
        return Ok(None);
    };
    // Rule ids are kebab-case with single hyphens, so the first `--` always starts the reason.
    let (head, reason) = match rest.find("--") {
        Some(at) => (&rest[..at], Some(rest[at + 2..].trim())),
        None => (rest, None),
    };
    let mut words = head.split_whitespace();
    let keyword = words.next().unwrap_or("");
    let action = match keyword {
        "disable-next-line" => Action::Waive(WaiverKind::DisableNextLine),
        "disable" => Action::Waive(WaiverKind::Disable),
        "disable-file" => Action::Waive(WaiverKind::DisableFile),
        "enable" => Action::Enable,
        _ => return Err(ParseError::UnknownKeyword(format!("claimlint-{keyword}"))),
    };
    let targets = words
        .flat_map(|w| w.split(','))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Some(Parsed {
        action,
        targets,
        reason: reason.filter(|r| !r.is_empty()).map(str::to_owned),
    }))
}

/// One valid waiver directive.
struct Active {
    /// Index into the directive list (for reports).
    directive: usize,
    waiver: Waiver,
    targets: Vec<Target>,
}

/// A rule, category or `all` that a directive waives.
struct Target {
    name: String,
    /// Source byte range whose findings (by start offset) it waives. Each target has its own,
    /// because `claimlint-enable a` ends `a` but not `b` of `claimlint-disable a, b`.
    covers: Range<usize>,
    /// Whether it waived a finding.
    used: bool,
}

/// Applies the directives to `findings`: marks waived findings and adds a `claimlint-directive`
/// finding for every problem. The result is sorted like `lint`'s output.
pub fn apply(
    ruleset: &Ruleset,
    file: &SourceFile,
    directives: &[Directive],
    mut findings: Vec<Finding>,
) -> Vec<Finding> {
    let mut directives: Vec<&Directive> = directives.iter().collect();
    directives.sort_by_key(|d| d.span.start);
    let mut problems: Vec<Finding> = Vec::new();
    let mut problem = |d: &Directive, message: String, help: String| {
        problems.push(directive_finding(file, d, message, help));
    };
    let mut active: Vec<Active> = Vec::new();
    // Open `claimlint-disable` blocks: (index into `active`, index into its targets).
    let mut open: Vec<(usize, usize)> = Vec::new();
    let end_of_file = file.text.len();

    for (di, d) in directives.iter().enumerate() {
        let parsed = match parse(&d.text) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(ParseError::UnknownKeyword(k)) => {
                problem(
                    d,
                    format!("unknown directive `{k}`"),
                    "write `claimlint-disable-next-line`, `claimlint-disable` ... \
                     `claimlint-enable`, or `claimlint-disable-file`, then the rule ids and \
                     `-- reason`"
                        .to_owned(),
                );
                continue;
            }
        };
        let shown = one_line(&d.text);
        let known: Vec<String> = parsed
            .targets
            .iter()
            .filter(|t| {
                let ok = is_known(ruleset, t);
                if !ok {
                    let hint = match suggest(ruleset, t) {
                        Some(s) => format!("did you mean `{s}`? `claimlint rules` lists the rules"),
                        None => {
                            "name a rule id or category from `claimlint rules`, or `all`".to_owned()
                        }
                    };
                    problem(
                        d,
                        format!("`{t}` in `{shown}` is not a rule or category"),
                        hint,
                    );
                }
                ok
            })
            .cloned()
            .collect();

        let kind = match parsed.action {
            Action::Enable => {
                end_blocks(
                    &parsed.targets,
                    &known,
                    d,
                    &mut open,
                    &mut active,
                    &mut problem,
                );
                continue;
            }
            Action::Waive(kind) => kind,
        };
        if parsed.targets.is_empty() {
            problem(
                d,
                format!("`{shown}` names no rule"),
                format!(
                    "name the rule ids or categories it waives (or `all`), e.g. \
                     `claimlint-{} efficacy-rate -- figure from our 2024 audit`",
                    kind.name()
                ),
            );
            continue;
        }
        let Some(reason) = parsed.reason else {
            problem(
                d,
                format!("`{shown}` gives no reason, so it waives nothing"),
                "add the reason after `--`, e.g. `-- figure from our 2024 audit, ref 12`: a \
                 waiver is evidence for a reviewer"
                    .to_owned(),
            );
            continue;
        };
        if known.is_empty() {
            continue;
        }
        let covers = match kind {
            WaiverKind::DisableNextLine => {
                let next = file.lines.line_of(d.span.end.saturating_sub(1)) + 1;
                match file.lines.line_range(next, end_of_file) {
                    Some(r) => r,
                    None => end_of_file..end_of_file,
                }
            }
            // Ended by a matching `claimlint-enable`, if one follows.
            WaiverKind::Disable => d.span.end..end_of_file,
            WaiverKind::DisableFile => 0..end_of_file,
        };
        if kind == WaiverKind::Disable {
            open.extend((0..known.len()).map(|ti| (active.len(), ti)));
        }
        active.push(Active {
            directive: di,
            waiver: Waiver {
                kind,
                reason,
                span: d.span.clone(),
            },
            targets: known
                .into_iter()
                .map(|name| Target {
                    name,
                    covers: covers.clone(),
                    used: false,
                })
                .collect(),
        });
    }

    // Each finding is waived by the first directive with a target covering it and naming it
    // (and marks the first such target of every directive as used). The targets are swept along
    // the findings in order of their start, so a finding looks only at the targets covering it:
    // a page of claims each waived on the line before was quadratic.
    let mut starts: Vec<(usize, usize, usize)> = Vec::new(); // (cover start, directive, target)
    for (ai, a) in active.iter().enumerate() {
        for (ti, t) in a.targets.iter().enumerate() {
            if !t.covers.is_empty() {
                starts.push((t.covers.start, ai, ti));
            }
        }
    }
    starts.sort_unstable();
    let mut by_start: Vec<usize> = (0..findings.len()).collect();
    by_start.sort_by_key(|&i| findings[i].span.start);
    let mut next_start = 0;
    let mut covering: Vec<(usize, usize)> = Vec::new(); // (directive, target)
    let mut naming: Vec<(usize, usize)> = Vec::new();
    for i in by_start {
        let f = &mut findings[i];
        let at = f.span.start;
        while let Some(&(_, ai, ti)) = starts.get(next_start).filter(|s| s.0 <= at) {
            covering.push((ai, ti));
            next_start += 1;
        }
        covering.retain(|&(ai, ti)| active[ai].targets[ti].covers.end > at);
        naming.clear();
        naming.extend(covering.iter().copied().filter(|&(ai, ti)| {
            let t = &active[ai].targets[ti];
            t.name == ALL || t.name == f.rule || t.name == f.category
        }));
        naming.sort_unstable();
        let mut last_directive = None;
        for &(ai, ti) in &naming {
            if last_directive == Some(ai) {
                continue;
            }
            last_directive = Some(ai);
            active[ai].targets[ti].used = true;
            if f.waiver.is_none() {
                f.waiver = Some(active[ai].waiver.clone());
            }
        }
    }

    for a in &active {
        let unused: Vec<&str> = a
            .targets
            .iter()
            .filter(|t| !t.used && names_an_enabled_rule(ruleset, &t.name))
            .map(|t| t.name.as_str())
            .collect();
        if unused.is_empty() {
            continue;
        }
        let d = directives[a.directive];
        let list = unused
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let place = match a.waiver.kind {
            WaiverKind::DisableNextLine => "on the next line",
            WaiverKind::Disable => "in its block",
            WaiverKind::DisableFile => "in this file",
        };
        problem(
            d,
            format!(
                "`{}` waives no finding of {list} {place}",
                one_line(&d.text)
            ),
            "remove the directive (or the rules it no longer needs), so waivers stay a true \
             record of reviewed claims"
                .to_owned(),
        );
    }

    findings.extend(problems);
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule))
    });
    findings
}

/// `claimlint-enable`: ends the open blocks it names (all of them when it names none or `all`).
fn end_blocks(
    targets: &[String],
    known: &[String],
    d: &Directive,
    open: &mut Vec<(usize, usize)>,
    active: &mut [Active],
    problem: &mut impl FnMut(&Directive, String, String),
) {
    let mut close = |matches: &dyn Fn(&str) -> bool| -> bool {
        let mut closed = false;
        open.retain(|&(ai, ti)| {
            let target = &mut active[ai].targets[ti];
            if !matches(&target.name) {
                return true;
            }
            let covers = &mut target.covers;
            covers.end = covers.end.min(d.span.start).max(covers.start);
            closed = true;
            false
        });
        closed
    };
    if targets.is_empty() || targets.iter().any(|t| t == ALL) {
        if !close(&|_| true) {
            problem(
                d,
                format!("`{}` ends no `claimlint-disable` block", one_line(&d.text)),
                "remove it, or add the `claimlint-disable RULE -- reason` it should end above it"
                    .to_owned(),
            );
        }
        return;
    }
    for t in known {
        if !close(&|open: &str| open == t) {
            problem(
                d,
                format!("`claimlint-enable {t}` ends no `claimlint-disable {t}` block"),
                format!(
                    "remove it, or add `claimlint-disable {t} -- reason` above it (an enable ends \
                     a block that names the same rule or category)"
                ),
            );
        }
    }
}

/// Whether a directive target names a loaded rule or category (or is `all`).
fn is_known(ruleset: &Ruleset, target: &str) -> bool {
    target == ALL
        || ruleset
            .rules
            .iter()
            .any(|r| r.id == target || r.category == target)
}

/// Whether a target covers a rule this run checks. A directive for a rule the run turned off
/// (`--rule`, `disable = [...]`) waives nothing without being stale, so it is not reported.
fn names_an_enabled_rule(ruleset: &Ruleset, target: &str) -> bool {
    ruleset
        .enabled()
        .any(|r| target == ALL || r.id == target || r.category == target)
}

fn suggest<'a>(ruleset: &'a Ruleset, target: &str) -> Option<&'a str> {
    let names = ruleset
        .rules
        .iter()
        .flat_map(|r| [r.id.as_str(), r.category.as_str()]);
    crate::config::did_you_mean(target, names)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A `claimlint-directive` finding on the whole directive comment.
fn directive_finding(file: &SourceFile, d: &Directive, message: String, help: String) -> Finding {
    Finding {
        rule: DIRECTIVE_RULE.to_owned(),
        category: DIRECTIVE_CATEGORY.to_owned(),
        severity: Severity::Warning,
        span: d.span.clone(),
        matched: file.text.get(d.span.clone()).unwrap_or_default().to_owned(),
        message,
        suggestion: help,
        citation_hint: None,
        references: Default::default(),
        adjustments: Vec::new(),
        document: false,
        waiver: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;
    use crate::lint::lint_str;

    /// The core rules with only `cure-guarantee` and `hype` running, so document rules such as
    /// `fair-balance` stay out of the expectations.
    fn rules() -> Ruleset {
        Ruleset::load(&crate::RulesetOptions {
            only: vec!["cure-guarantee".into(), "hype".into()],
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn parses_every_form() {
        let p = parse("claimlint-disable-next-line efficacy-rate, hype -- audit 2024")
            .unwrap()
            .unwrap();
        assert_eq!(p.action, Action::Waive(WaiverKind::DisableNextLine));
        assert_eq!(p.targets, ["efficacy-rate", "hype"]);
        assert_eq!(p.reason.as_deref(), Some("audit 2024"));

        let p = parse("claimlint-disable a b,c--why").unwrap().unwrap();
        assert_eq!(p.action, Action::Waive(WaiverKind::Disable));
        assert_eq!(p.targets, ["a", "b", "c"]);
        assert_eq!(p.reason.as_deref(), Some("why"));

        let p = parse("claimlint-disable-file all --  ").unwrap().unwrap();
        assert_eq!(p.action, Action::Waive(WaiverKind::DisableFile));
        assert_eq!(p.reason, None, "an empty reason is no reason");

        let p = parse("claimlint-enable").unwrap().unwrap();
        assert_eq!(p.action, Action::Enable);
        assert!(p.targets.is_empty());
    }

    #[test]
    fn notes_and_unknown_keywords() {
        assert_eq!(parse("claimlint: reviewed by legal"), Ok(None));
        assert_eq!(
            parse("claimlint-disable-line x -- y"),
            Err(ParseError::UnknownKeyword("claimlint-disable-line".into()))
        );
    }

    fn waived(findings: &[Finding]) -> Vec<(&str, bool)> {
        findings
            .iter()
            .map(|f| (f.rule.as_str(), f.waiver.is_some()))
            .collect()
    }

    #[test]
    fn next_line_waives_only_the_next_line() {
        let text = "<!-- claimlint-disable-next-line cure-guarantee -- ref 12 -->\n\
                    We cure anxiety for good.\n\nWe cure anxiety for good.\n";
        let f = lint_str(&rules(), text, Format::Markdown);
        assert_eq!(
            waived(&f),
            [("cure-guarantee", true), ("cure-guarantee", false)]
        );
        let w = f[0].waiver.as_ref().unwrap();
        assert_eq!(w.reason, "ref 12");
        assert_eq!(w.kind, WaiverKind::DisableNextLine);
        assert_eq!(&text[w.span.clone()], text.lines().next().unwrap());
    }

    /// A finding under several directives takes the first one's waiver, and every directive
    /// naming it counts as used (none is reported as waiving nothing); a later finding under
    /// one of them only is waived by that one.
    #[test]
    fn overlapping_directives_all_count_and_the_first_waives() {
        let text = "<!-- claimlint-disable-file hype -- brand tone, ref 3 -->\n\
                    <!-- claimlint-disable cure-guarantee, hype -- quoted letter -->\n\n\
                    <!-- claimlint-disable-next-line all -- ref 12 -->\n\
                    We cure anxiety for good with a revolutionary tonic.\n\n\
                    <!-- claimlint-enable -->\n\n\
                    A revolutionary tonic.\n";
        let f = lint_str(&rules(), text, Format::Markdown);
        let reasons: Vec<(&str, &str)> = f
            .iter()
            .map(|f| {
                (
                    f.rule.as_str(),
                    f.waiver.as_ref().map_or("", |w| w.reason.as_str()),
                )
            })
            .collect();
        assert_eq!(
            reasons,
            [
                ("cure-guarantee", "quoted letter"),
                ("hype", "brand tone, ref 3"),
                ("hype", "brand tone, ref 3"),
            ]
        );
    }

    /// Thousands of claims, each waived on the line before it: each waiver covers its own.
    #[test]
    fn each_of_many_next_line_waivers_waives_its_own_line() {
        let text: String = (0..3_000)
            .map(|i| {
                let waive = if i % 3 == 0 { "cure-guarantee" } else { "hype" };
                format!("<!-- claimlint-disable-next-line {waive} -- ref {i} -->\nWe cure anxiety {i}.\n\n")
            })
            .collect();
        let f = lint_str(&rules(), &text, Format::Markdown);
        let claims: Vec<&Finding> = f.iter().filter(|f| f.rule == "cure-guarantee").collect();
        assert_eq!(claims.len(), 3_000);
        for (i, claim) in claims.iter().enumerate() {
            let waiver = claim.waiver.as_ref().map(|w| w.reason.clone());
            let expected = (i % 3 == 0).then(|| format!("ref {i}"));
            assert_eq!(waiver, expected, "claim {i}");
        }
        // The `hype` waivers name an enabled rule and waive nothing: each is reported.
        assert_eq!(f.iter().filter(|f| f.rule == DIRECTIVE_RULE).count(), 2_000);
    }

    #[test]
    fn block_ends_at_the_matching_enable() {
        let text = "<!-- claimlint-disable cure-guarantee -- quoted warning letter -->\n\n\
                    We cure anxiety for good.\n\n<!-- claimlint-enable cure-guarantee -->\n\n\
                    We cure anxiety for good.\n";
        let f = lint_str(&rules(), text, Format::Markdown);
        assert_eq!(
            waived(&f),
            [("cure-guarantee", true), ("cure-guarantee", false)]
        );
    }

    #[test]
    fn missing_reason_waives_nothing_and_is_reported() {
        let text = "<!-- claimlint-disable-file cure-guarantee -->\nWe cure anxiety for good.\n";
        let f = lint_str(&rules(), text, Format::Markdown);
        assert_eq!(
            waived(&f),
            [(DIRECTIVE_RULE, false), ("cure-guarantee", false)]
        );
        assert!(f[0].message.contains("gives no reason"), "{}", f[0].message);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn unknown_rule_is_reported_with_a_suggestion() {
        let text = "<!-- claimlint-disable-file cure-guarante -- x -->\nWe cure anxiety.\n";
        let f = lint_str(&rules(), text, Format::Markdown);
        let p = f.iter().find(|f| f.rule == DIRECTIVE_RULE).unwrap();
        assert_eq!(
            p.message,
            "`cure-guarante` in `claimlint-disable-file cure-guarante -- x` is not a rule or category"
        );
        assert!(
            p.suggestion.contains("`cure-guarantee`"),
            "{}",
            p.suggestion
        );
    }

    #[test]
    fn unused_waiver_and_stray_enable_are_reported() {
        let text = "<!-- claimlint-disable-next-line hype -- reviewed -->\nPlain words.\n\n\
                    <!-- claimlint-enable hype -->\n";
        let f = lint_str(&rules(), text, Format::Markdown);
        let messages: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`claimlint-disable-next-line hype -- reviewed` waives no finding of `hype` on the next line",
                "`claimlint-enable hype` ends no `claimlint-disable hype` block",
            ]
        );
    }

    #[test]
    fn unknown_keyword_is_reported_and_notes_are_not() {
        let text = "<!-- claimlint-disable-line hype -- x -->\n<!-- claimlint: checked -->\nHi.\n";
        let f = lint_str(&rules(), text, Format::Markdown);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message, "unknown directive `claimlint-disable-line`");
    }
}
