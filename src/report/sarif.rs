//! The SARIF 2.1.0 report: one run whose driver lists every loaded rule (id, name, short and
//! full description, help with the balanced wording, default level and enabled flag, category)
//! and, last, the engine's `claimlint-directive`,
//! and one result per finding (rule, level, message, location, fingerprint, suppressions).
//! File errors become tool execution notifications.
//!
//! Positions: the run states `columnKind: "unicodeCodePoints"`; lines and columns come from
//! `SourceFile::line_col` (1-based, columns in Unicode scalar values, `endColumn` just after the
//! last matched character). `charOffset`/`charLength` count Unicode scalar values of the text
//! after any byte order mark. `byteOffset`/`byteLength` are exact offsets into the original file
//! (BOM counted) and are given for UTF-8 files only, since for UTF-16 files the tool's offsets are
//! into a transcoding and would not describe the same bytes.

use std::io::{self, Write};

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::{Value, json};

use super::json_stream::{ArrayWriter, write_nested};
use super::{FileError, Reporter, Summary, fingerprints, waiver_reason};
use crate::advice::{self, Subject};
use crate::finding::{Finding, Severity};
use crate::rules::{Rule, Ruleset};
use crate::source::{Encoding, SourceFile};
use crate::suppress::{DIRECTIVE_CATEGORY, DIRECTIVE_HELP, DIRECTIVE_RULE, DIRECTIVE_SUMMARY};

/// Where the SARIF 2.1.0 schema lives (OASIS errata 01, the version GitHub validates against).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of claimlint's entry in `partialFingerprints`; the suffix versions the hash recipe.
pub const FINGERPRINT_KEY: &str = "claimlintFingerprint/v1";

/// Writes the log as findings come: the head and each result in `report`, then the
/// invocation (which carries the file errors) in `finish`. The run's `results` come before its
/// `invocations` so that nothing after the head has to be known when the first result is written.
pub struct SarifReporter<'a> {
    rules: &'a Ruleset,
    /// Each rule's index in the driver's list, by id (the first rule of an id).
    rule_index: FxHashMap<&'a str, usize>,
    directive: super::DirectiveRule,
    /// The results array, once the log's head is written.
    results: Option<ArrayWriter>,
    notifications: Vec<Value>,
}

impl<'a> SarifReporter<'a> {
    pub fn new(rules: &'a Ruleset, directive: super::DirectiveRule) -> Self {
        let mut rule_index = FxHashMap::default();
        for (i, rule) in rules.rules.iter().enumerate() {
            rule_index.entry(rule.id.as_str()).or_insert(i);
        }
        SarifReporter {
            rules,
            rule_index,
            directive,
            results: None,
            notifications: Vec::new(),
        }
    }

    /// The results array, writing the log's head (schema, version, the tool and its rules)
    /// first if it is not written yet.
    fn results_array(&mut self, out: &mut dyn Write) -> io::Result<&mut ArrayWriter> {
        if self.results.is_none() {
            write!(
                out,
                "{{\n  \"$schema\": {},\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"tool\": ",
                Value::from(SCHEMA_URI)
            )?;
            write_nested(out, &self.tool(), 3)?;
            out.write_all(
                b",\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [",
            )?;
        }
        Ok(self.results.get_or_insert_with(|| ArrayWriter::new(3)))
    }

    /// The result for one finding. `waiver` is the reason it was waived, if it was: SARIF keeps
    /// waived findings and marks them with an in-source suppression.
    fn result<'f>(
        &self,
        file: &'f SourceFile,
        f: &'f Finding,
        fingerprint: &'f str,
        waiver: Option<&'f str>,
        chars: &mut CharCounter,
    ) -> SarifResult<'f> {
        let rule_index = match self.rule_index.get(f.rule.as_str()) {
            Some(&index) => Some(index),
            // The engine's own rule comes after the ruleset's in the driver's list.
            None if f.rule == DIRECTIVE_RULE => Some(self.rules.rules.len()),
            None => None,
        };
        SarifResult {
            level: level(f.severity),
            locations: [Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation::of(&file.path),
                    region: region(file, f, chars),
                },
            }],
            message: Text { text: &f.message },
            partial_fingerprints: Fingerprints { fingerprint },
            properties: ResultProperties {
                adjustments: f.adjustments.iter().map(|a| a.note.as_str()).collect(),
                category: &f.category,
                suggestion: f.suggestion.trim(),
            },
            rule_id: &f.rule,
            rule_index,
            // An empty list says "not suppressed"; a missing one would mean "unknown".
            suppressions: suppressions(waiver),
        }
    }

    /// The run's `tool`: claimlint and every loaded rule.
    fn tool(&self) -> Value {
        json!({ "driver": {
            "name": "claimlint",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": self
                .rules
                .rules
                .iter()
                .map(rule_descriptor)
                .chain([directive_descriptor(self.directive)])
                .collect::<Vec<_>>(),
        }})
    }
}

/// The `suppressions` of a result: none, or one in-source suppression with the waiver's reason.
fn suppressions(waiver: Option<&str>) -> Vec<Suppression<'_>> {
    waiver
        .map(|justification| Suppression {
            justification,
            kind: "inSource",
        })
        .into_iter()
        .collect()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

// A result as the log holds it, borrowing from its finding: no tree of `Value`s to build and
// drop per finding (that was most of the reporting thread's time). Fields are declared in
// sorted order, the order `json!` maps write their keys in, so results read as they always
// have.

#[derive(Serialize)]
struct SarifResult<'a> {
    level: &'static str,
    locations: [Location<'a>; 1],
    message: Text<'a>,
    #[serde(rename = "partialFingerprints")]
    partial_fingerprints: Fingerprints<'a>,
    properties: ResultProperties<'a>,
    #[serde(rename = "ruleId")]
    rule_id: &'a str,
    #[serde(rename = "ruleIndex", skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    suppressions: Vec<Suppression<'a>>,
}

#[derive(Serialize)]
struct Location<'a> {
    #[serde(rename = "physicalLocation")]
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
struct PhysicalLocation<'a> {
    #[serde(rename = "artifactLocation")]
    artifact_location: ArtifactLocation,
    region: Region<'a>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "claimlintFingerprint/v1")]
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    adjustments: Vec<&'a str>,
    category: &'a str,
    suggestion: &'a str,
}

#[derive(Serialize)]
struct Suppression<'a> {
    justification: &'a str,
    kind: &'static str,
}

/// The text region of a finding (see the module docs for the units).
#[derive(Serialize)]
struct Region<'a> {
    /// Only for UTF-8 files (see the module docs).
    #[serde(rename = "byteLength", skip_serializing_if = "Option::is_none")]
    byte_length: Option<usize>,
    #[serde(rename = "byteOffset", skip_serializing_if = "Option::is_none")]
    byte_offset: Option<usize>,
    #[serde(rename = "charLength")]
    char_length: usize,
    #[serde(rename = "charOffset")]
    char_offset: usize,
    #[serde(rename = "endColumn")]
    end_column: usize,
    #[serde(rename = "endLine")]
    end_line: usize,
    snippet: Text<'a>,
    #[serde(rename = "startColumn")]
    start_column: usize,
    #[serde(rename = "startLine")]
    start_line: usize,
}

fn region<'a>(file: &SourceFile, f: &'a Finding, chars: &mut CharCounter) -> Region<'a> {
    let (start_line, start_column) = file.line_col(f.span.start);
    let (end_line, end_column) = file.line_col(f.span.end);
    let utf8 = file.encoding == Encoding::Utf8;
    Region {
        byte_length: utf8.then(|| f.span.len()),
        byte_offset: utf8.then(|| file.file_offset(f.span.start)),
        char_length: file
            .text
            .get(f.span.clone())
            .map_or(0, |s| s.chars().count()),
        char_offset: chars.up_to(&file.text, f.span.start),
        end_column,
        end_line,
        snippet: Text { text: &f.matched },
        start_column,
        start_line,
    }
}

/// Counts the chars before offsets of one text, from where the last count stopped: a file's
/// findings come in offset order, so counting each `charOffset` from the start of the text
/// made a page of findings quadratic.
#[derive(Default)]
struct CharCounter {
    byte: usize,
    chars: usize,
}

impl CharCounter {
    /// The number of chars in `text[..offset]` (0 when `offset` is not a char boundary).
    fn up_to(&mut self, text: &str, offset: usize) -> usize {
        if offset < self.byte {
            *self = CharCounter::default();
        }
        match text.get(self.byte..offset) {
            Some(between) => {
                self.chars += between.chars().count();
                self.byte = offset;
                self.chars
            }
            None => 0,
        }
    }
}

/// An artifact location: a URI, and the base it is relative to when it is relative.
#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
    #[serde(rename = "uriBaseId", skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

impl ArtifactLocation {
    /// The location of a display path: relative paths are relative to the source root
    /// (`%SRCROOT%`, which GitHub maps to the checkout), absolute ones become `file://` URIs.
    /// Characters that are not allowed or not safe in a URI path are percent-encoded.
    fn of(path: &str) -> Self {
        let windows_drive =
            path.as_bytes().get(1) == Some(&b':') && path.as_bytes()[0].is_ascii_alphabetic();
        let (uri, uri_base_id) = if path.starts_with('/') {
            (format!("file://{}", percent_encode(path)), None)
        } else if windows_drive {
            (
                format!("file:///{}{}", &path[..2], percent_encode(&path[2..])),
                None,
            )
        } else {
            (percent_encode(path), Some("%SRCROOT%"))
        };
        ArtifactLocation { uri, uri_base_id }
    }
}

/// `ArtifactLocation::of` as a JSON value.
pub fn artifact_location(path: &str) -> Value {
    json!(ArtifactLocation::of(path))
}

/// Percent-encodes every byte except unreserved characters and `/`.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `safety-absolute` -> `SafetyAbsolute`: SARIF's `name` is an identifier-like form of the rule.
fn camel_case(id: &str) -> String {
    id.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A rule's `reportingDescriptor`. The help carries the balanced wording (its `{subject}` read as
/// "this treatment"; each result's `suggestion` property has the wording filled in for its page),
/// the evidence that would support the claim and the references, as plain text and Markdown.
fn rule_descriptor(rule: &Rule) -> Value {
    let docs = &rule.docs;
    let summary = one_line(&docs.summary);
    let why = one_line(&docs.why);
    // The rule's wording outside any page: no treatment or matched words to fill in yet.
    let instead = advice::fill(docs.instead.trim(), "[the claim]", &Subject::fallback());
    let hint = docs.citation_hint.as_deref().map(one_line);
    let mut text = format!("Write instead: {instead}");
    let mut markdown = format!("**Write instead:** {instead}");
    if let Some(hint) = hint.as_deref().filter(|h| !h.is_empty()) {
        text.push_str(&format!("\n\nEvidence that would support it: {hint}"));
        markdown.push_str(&format!("\n\n**Evidence that would support it:** {hint}"));
    }
    if !docs.references.is_empty() {
        text.push_str("\n\nReferences:");
        markdown.push_str("\n\n**References**\n");
        for r in docs.references.iter() {
            text.push_str(&format!("\n- {}", one_line(r)));
            markdown.push_str(&format!("\n- {}", one_line(r)));
        }
    }
    json!({
        "id": rule.id,
        "name": camel_case(&rule.id),
        "shortDescription": { "text": summary },
        "fullDescription": { "text": if why.is_empty() { summary.clone() } else { why } },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": level(rule.severity), "enabled": rule.enabled },
        "properties": { "category": rule.category, "tags": [rule.category] },
    })
}

/// The descriptor of `claimlint-directive`, the engine's rule for directive problems.
fn directive_descriptor(settings: super::DirectiveRule) -> Value {
    json!({
        "id": DIRECTIVE_RULE,
        "name": camel_case(DIRECTIVE_RULE),
        "shortDescription": { "text": one_line(DIRECTIVE_SUMMARY) },
        "fullDescription": { "text": one_line(DIRECTIVE_SUMMARY) },
        "help": { "text": one_line(DIRECTIVE_HELP), "markdown": one_line(DIRECTIVE_HELP) },
        "defaultConfiguration": {
            "level": level(settings.severity),
            "enabled": settings.enabled,
        },
        "properties": { "category": DIRECTIVE_CATEGORY, "tags": [DIRECTIVE_CATEGORY] },
    })
}

impl Reporter for SarifReporter<'_> {
    fn report(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        if findings.is_empty() {
            return Ok(());
        }
        let prints = fingerprints(file, findings);
        let mut chars = CharCounter::default();
        for (f, fingerprint) in findings.iter().zip(&prints) {
            let result = self.result(file, f, fingerprint, waiver_reason(f), &mut chars);
            self.results_array(out)?.push(out, &result)?;
        }
        Ok(())
    }

    fn error(&mut self, error: &FileError) {
        self.notifications.push(json!({
            "level": "error",
            "message": { "text": format!("{}: {}", error.path, error.message) },
            "locations": [{ "physicalLocation": {
                "artifactLocation": artifact_location(&error.path),
            }}],
        }));
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        self.results_array(out)?.close(out)?;
        let invocations = json!([{
            "executionSuccessful": summary.failed == 0,
            "toolExecutionNotifications": self.notifications,
        }]);
        out.write_all(b",\n      \"invocations\": ")?;
        write_nested(out, &invocations, 3)?;
        out.write_all(b"\n    }\n  ]\n}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_finding;

    /// A finding's result as JSON.
    fn result_json(reporter: &SarifReporter, file: &SourceFile, f: &Finding, print: &str) -> Value {
        json!(reporter.result(file, f, print, None, &mut CharCounter::default()))
    }

    /// A finding's region as JSON.
    fn region_json(file: &SourceFile, f: &Finding) -> Value {
        json!(region(file, f, &mut CharCounter::default()))
    }

    #[test]
    fn char_offsets_count_on_from_the_last_one_and_start_over_when_they_go_back() {
        let text = "é a ü b 中 c";
        let mut counter = CharCounter::default();
        for offset in [0, 3, 6, 6, 13, 4, 11, 3] {
            let expected = text.get(..offset).map_or(0, |s| s.chars().count());
            assert_eq!(counter.up_to(text, offset), expected, "at {offset}");
        }
    }

    #[test]
    fn region_counts_characters_after_the_bom_and_bytes_with_it() {
        let file = SourceFile::from_text("a.md", "é\r\nxx cure".into(), Encoding::Utf8, 3);
        let f = test_finding(&file, 7..11, Severity::Warning);
        let r = region_json(&file, &f);
        assert_eq!(r["startLine"], 2);
        assert_eq!(r["startColumn"], 4);
        assert_eq!(r["endColumn"], 8);
        assert_eq!(r["charOffset"], 6);
        assert_eq!(r["charLength"], 4);
        assert_eq!(r["byteOffset"], 10);
        assert_eq!(r["byteLength"], 4);
        let utf16 = SourceFile::from_text("b.txt", "a cure".into(), Encoding::Utf16Le, 2);
        let r = region_json(&utf16, &test_finding(&utf16, 2..6, Severity::Info));
        assert_eq!(r["charOffset"], 2);
        assert!(r.get("byteOffset").is_none());
    }

    #[test]
    fn waived_findings_carry_an_in_source_suppression() {
        assert_eq!(json!(suppressions(None)), json!([]));
        assert_eq!(
            json!(suppressions(Some("approved claim, ref 12"))),
            json!([{ "kind": "inSource", "justification": "approved claim, ref 12" }])
        );
    }

    #[test]
    fn uris_are_encoded_and_absolute_paths_are_file_uris() {
        assert_eq!(
            artifact_location("docs/a b#1.md"),
            json!({ "uri": "docs/a%20b%231.md", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(artifact_location("<stdin>")["uri"], "%3Cstdin%3E");
        assert_eq!(
            artifact_location("/tmp/é.md")["uri"],
            "file:///tmp/%C3%A9.md"
        );
        assert_eq!(artifact_location("C:/x/a.md")["uri"], "file:///C:/x/a.md");
    }

    #[test]
    fn directive_findings_point_at_a_descriptor_of_their_own() {
        let rules = Ruleset::load(&crate::rules::RulesetOptions::default()).unwrap();
        let file = SourceFile::from_text("a.md", "<!-- x -->".into(), Encoding::Utf8, 0);
        let mut f = test_finding(&file, 0..10, Severity::Warning);
        f.rule = DIRECTIVE_RULE.into();
        let reporter = SarifReporter::new(&rules, crate::report::DirectiveRule::default());
        let result = result_json(&reporter, &file, &f, "fp");
        let index = result["ruleIndex"].as_u64().expect("a rule index") as usize;
        let descriptor = &reporter.tool()["driver"]["rules"][index];
        assert_eq!(descriptor["id"], DIRECTIVE_RULE);
        assert_eq!(descriptor["properties"]["category"], DIRECTIVE_CATEGORY);
        assert_eq!(descriptor["defaultConfiguration"]["level"], "warning");
        // A ruleset rule keeps its own index.
        f.rule = rules.rules[3].id.clone();
        assert_eq!(result_json(&reporter, &file, &f, "fp")["ruleIndex"], 3);
        // The descriptor follows the run's settings (`[severity]`, `--disable`).
        let raised = SarifReporter::new(
            &rules,
            crate::report::DirectiveRule {
                severity: Severity::Error,
                enabled: false,
            },
        );
        let descriptor = &raised.tool()["driver"]["rules"][index];
        assert_eq!(descriptor["defaultConfiguration"]["level"], "error");
        assert_eq!(descriptor["defaultConfiguration"]["enabled"], false);
    }

    #[test]
    fn rule_names_are_camel_case() {
        assert_eq!(camel_case("safety-absolute"), "SafetyAbsolute");
        assert_eq!(camel_case("x"), "X");
    }

    /// The streamed log is the log the reporter used to build whole (the same values, with the
    /// run's keys in a streaming-friendly order), with no results and with some.
    #[test]
    fn streamed_log_holds_the_same_values_as_the_whole_log() {
        use crate::rules::RulesetOptions;
        let rules = Ruleset::load(&RulesetOptions {
            builtin: vec!["core".into()],
            ..RulesetOptions::default()
        })
        .unwrap();
        let file = SourceFile::from_text("a.md", "cure it. cure it".into(), Encoding::Utf8, 0);
        let findings = [
            test_finding(&file, 0..4, Severity::Error),
            test_finding(&file, 9..13, Severity::Warning),
        ];
        for with_findings in [false, true] {
            let mut reporter = SarifReporter::new(&rules, crate::report::DirectiveRule::default());
            let mut out = Vec::new();
            let mut results = Vec::new();
            if with_findings {
                reporter.report(&mut out, &file, &findings).unwrap();
                let prints = fingerprints(&file, &findings);
                results = findings
                    .iter()
                    .zip(&prints)
                    .map(|(f, p)| result_json(&reporter, &file, f, p))
                    .collect();
            }
            reporter.error(&FileError {
                path: "bad.md".into(),
                message: "unreadable".into(),
            });
            let summary = Summary {
                failed: 1,
                ..Summary::default()
            };
            reporter.finish(&mut out, &summary).unwrap();
            let log: Value = serde_json::from_slice(&out).unwrap();
            let expected = json!({
                "$schema": SCHEMA_URI,
                "version": "2.1.0",
                "runs": [{
                    "tool": reporter.tool(),
                    "invocations": [{
                        "executionSuccessful": false,
                        "toolExecutionNotifications": reporter.notifications,
                    }],
                    "columnKind": "unicodeCodePoints",
                    "results": results,
                }],
            });
            assert_eq!(log, expected);
            assert_eq!(
                log["runs"][0]["results"].as_array().unwrap().len(),
                2 * usize::from(with_findings)
            );
            assert_eq!(
                log["runs"][0]["tool"]["driver"]["rules"]
                    .as_array()
                    .unwrap()
                    .len(),
                rules.rules.len() + 1,
                "the ruleset's rules and claimlint-directive"
            );
        }
    }
}
