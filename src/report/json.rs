//! The JSON report: one document, `{"version": 1, "findings": [...], "summary": {...}}`, the
//! stable contract of architecture.md. Fields may be added (`citation_hint`, `adjustments`,
//! `errors` are additions); none may change meaning.
//!
//! `start`/`end` are byte offsets into the original file (the BOM counted, via
//! `SourceFile::file_offset`), so `bytes[start..end]` is `matched`; lines and columns are 1-based,
//! columns in Unicode scalar values.

use std::io::{self, Write};
use std::sync::Arc;

use serde::{Serialize, Serializer};

use super::json_stream::{ArrayWriter, PrettyWriter, RenderedArrays, write_nested};
use super::{FileError, Reporter, Summary};
use crate::finding::Finding;
use crate::source::SourceFile;

/// The version of the JSON document's shape.
pub const VERSION: u32 = 1;

/// One finding as the JSON document (and each `jsonl` line) writes it.
#[derive(Debug, Serialize)]
pub(super) struct JsonFinding<'a> {
    path: &'a str,
    rule: &'a str,
    category: &'a str,
    severity: &'static str,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    matched: &'a str,
    message: &'a str,
    suggestion: &'a str,
    /// The rule's shared list: `RenderedArrays` keeps each list's JSON.
    #[serde(serialize_with = "strings")]
    references: &'a Arc<[String]>,
    citation_hint: Option<&'a str>,
    /// Notes of the context cues that changed the severity.
    adjustments: Vec<&'a str>,
    /// The inline directive that waived the finding; `null` when it was not waived.
    waiver: Option<JsonWaiver<'a>>,
}

/// A shared list of strings as a JSON array (serde's `Arc` support needs its `rc` feature).
fn strings<S: Serializer>(list: &&Arc<[String]>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(list.iter())
}

/// A waiver as JSON: the directive's kind, the reason after `--`, and where the directive is.
#[derive(Debug, Serialize)]
pub(super) struct JsonWaiver<'a> {
    kind: &'static str,
    reason: &'a str,
    line: usize,
    column: usize,
}

#[derive(Debug, Serialize)]
struct JsonSummary {
    files: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Findings waived by inline directives (listed, not counted above).
    waived: usize,
    /// Findings left out because the `--baseline` file records them.
    baselined: usize,
    /// The loaded rulesets in load order (`["core", "uk-cap"]`).
    rulesets: Vec<String>,
}

#[derive(Debug, Serialize)]
struct JsonError<'a> {
    path: &'a str,
    message: &'a str,
}

/// Writes the document as findings come: the head and each finding in `report`, the summary
/// and errors in `finish`. The bytes are those of pretty-printing the whole document at once.
#[derive(Debug)]
pub struct JsonReporter {
    /// The findings array, once the document's head is written.
    findings: Option<ArrayWriter>,
    errors: Vec<FileError>,
    /// Names of the loaded rulesets, for the summary.
    rulesets: Vec<String>,
    /// Each rule's `references` as JSON, written once and copied for its other findings.
    rendered_references: RenderedArrays,
}

impl Default for JsonReporter {
    fn default() -> Self {
        JsonReporter::new(Vec::new())
    }
}

impl JsonReporter {
    /// A reporter whose summary names the loaded rulesets.
    pub fn new(rulesets: Vec<String>) -> Self {
        JsonReporter {
            findings: None,
            errors: Vec::new(),
            rulesets,
            rendered_references: RenderedArrays::default(),
        }
    }

    /// The findings array, writing the document's head first if it is not written yet.
    /// (A function of the field, so that the reporter's other fields can be borrowed beside it.)
    fn findings_array<'w>(
        findings: &'w mut Option<ArrayWriter>,
        out: &mut dyn Write,
    ) -> io::Result<&'w mut ArrayWriter> {
        if findings.is_none() {
            write!(out, "{{\n  \"version\": {VERSION},\n  \"findings\": [")?;
        }
        Ok(findings.get_or_insert_with(|| ArrayWriter::new(1)))
    }
}

impl JsonFinding<'_> {
    /// Writes the finding as its `Serialize` would print it (see `PrettyWriter`), field by
    /// field in the same order.
    /// `rendered_references` keeps the JSON of each rule's references for its other findings.
    fn write(&self, w: &mut PrettyWriter, rendered_references: &mut RenderedArrays) {
        w.begin_object();
        for (key, value) in [
            ("path", self.path),
            ("rule", self.rule),
            ("category", self.category),
            ("severity", self.severity),
        ] {
            w.key(key);
            w.string(value);
        }
        for (key, value) in [
            ("start", self.start),
            ("end", self.end),
            ("line", self.line),
            ("column", self.column),
            ("end_line", self.end_line),
            ("end_column", self.end_column),
        ] {
            w.key(key);
            w.number(value);
        }
        for (key, value) in [
            ("matched", self.matched),
            ("message", self.message),
            ("suggestion", self.suggestion),
        ] {
            w.key(key);
            w.string(value);
        }
        w.key("references");
        w.shared_strings(self.references, rendered_references);
        w.key("citation_hint");
        match self.citation_hint {
            Some(hint) => w.string(hint),
            None => w.null(),
        }
        w.key("adjustments");
        w.strings(self.adjustments.iter().copied());
        w.key("waiver");
        match &self.waiver {
            Some(waiver) => {
                w.begin_object();
                w.key("kind");
                w.string(waiver.kind);
                w.key("reason");
                w.string(waiver.reason);
                w.key("line");
                w.number(waiver.line);
                w.key("column");
                w.number(waiver.column);
                w.end_object();
            }
            None => w.null(),
        }
        w.end_object();
    }
}

pub(super) fn to_json<'a>(file: &'a SourceFile, f: &'a Finding) -> JsonFinding<'a> {
    let (line, column) = file.line_col(f.span.start);
    let (end_line, end_column) = file.line_col(f.span.end);
    JsonFinding {
        path: &file.path,
        rule: &f.rule,
        category: &f.category,
        severity: f.severity.name(),
        start: file.file_offset(f.span.start),
        end: file.file_offset(f.span.end),
        line,
        column,
        end_line,
        end_column,
        matched: &f.matched,
        message: &f.message,
        suggestion: &f.suggestion,
        references: &f.references,
        citation_hint: f.citation_hint.as_deref(),
        adjustments: f.adjustments.iter().map(|a| a.note.as_str()).collect(),
        waiver: f.waiver.as_ref().map(|w| {
            let (line, column) = file.line_col(w.span.start);
            JsonWaiver {
                kind: w.kind.name(),
                reason: &w.reason,
                line,
                column,
            }
        }),
    }
}

impl Reporter for JsonReporter {
    fn report(
        &mut self,
        out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        if findings.is_empty() {
            return Ok(());
        }
        let array = Self::findings_array(&mut self.findings, out)?;
        for f in findings {
            let rendered = &mut self.rendered_references;
            array.push_written(out, |w| to_json(file, f).write(w, rendered))?;
        }
        Ok(())
    }

    fn error(&mut self, error: &FileError) {
        self.errors.push(error.clone());
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        Self::findings_array(&mut self.findings, out)?.close(out)?;
        let summary = JsonSummary {
            files: summary.files,
            findings: summary.findings(),
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
            waived: summary.waived,
            baselined: summary.baselined,
            rulesets: self.rulesets.clone(),
        };
        let errors: Vec<JsonError> = self
            .errors
            .iter()
            .map(|e| JsonError {
                path: &e.path,
                message: &e.message,
            })
            .collect();
        out.write_all(b",\n  \"summary\": ")?;
        write_nested(out, &summary, 1)?;
        out.write_all(b",\n  \"errors\": ")?;
        write_nested(out, &errors, 1)?;
        out.write_all(b"\n}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Adjustment, Severity};
    use crate::source::Encoding;

    fn finding(span: std::ops::Range<usize>, matched: &str) -> Finding {
        Finding {
            rule: "demo".into(),
            category: "demo".into(),
            severity: Severity::Warning,
            span,
            matched: matched.into(),
            message: "m".into(),
            suggestion: "s".into(),
            citation_hint: None,
            references: vec!["https://example.org".into()].into(),
            adjustments: vec![Adjustment {
                note: "lowered by the hedge `may`".into(),
                span: None,
            }],
            document: false,
            waiver: None,
        }
    }

    /// Every shape a finding's fields can take, written by hand and by serde_json.
    #[test]
    fn a_finding_writes_itself_as_its_serialize_prints_it() {
        use crate::finding::{Waiver, WaiverKind};
        let file = SourceFile::from_text(
            "dir/\"odd\"\\name.md",
            "é\r\nxx cure\tall\n\u{1}".to_owned(),
            Encoding::Utf8,
            3,
        );
        let plain = finding(7..11, "cure");
        let mut full = finding(7..16, "cure\tall");
        full.citation_hint = Some("a trial \"in humans\"".into());
        full.references = vec![String::new(), "two\nlines".into()].into();
        full.adjustments.push(Adjustment {
            note: "raised by `\\d`".into(),
            span: Some(0..1),
        });
        full.waiver = Some(Waiver {
            kind: WaiverKind::DisableNextLine,
            reason: "reviewed \u{1}".into(),
            span: 0..2,
        });
        let mut bare = finding(17..18, "\u{1}");
        bare.references = Default::default();
        bare.adjustments.clear();
        // A fresh store of rendered references escapes them; one store for all: the second write
        // of each finding at each depth copies what the first kept, and a list kept at one depth
        // is never copied at another.
        let mut rendered = RenderedArrays::default();
        for f in [plain, full, bare] {
            let json = to_json(&file, &f);
            for depth in [0, 2, 5, 2] {
                let mut by_serde = Vec::new();
                write_nested(&mut by_serde, &json, depth).unwrap();
                let by_serde = String::from_utf8(by_serde).unwrap();
                let mut by_hand = Vec::new();
                json.write(
                    &mut PrettyWriter::at(&mut by_hand, depth),
                    &mut RenderedArrays::default(),
                );
                assert_eq!(String::from_utf8(by_hand).unwrap(), by_serde);
                for _ in 0..2 {
                    let mut kept = Vec::new();
                    json.write(&mut PrettyWriter::at(&mut kept, depth), &mut rendered);
                    assert_eq!(String::from_utf8(kept).unwrap(), by_serde);
                }
            }
        }
    }

    #[test]
    fn findings_of_one_rule_share_its_rendered_references() {
        let file = SourceFile::from_text("a.md", "cure cure".to_owned(), Encoding::Utf8, 0);
        let mut first = finding(0..4, "cure");
        first.references = vec!["FTC \"net impression\"".to_owned()].into();
        let mut second = finding(5..9, "cure");
        second.references = first.references.clone();
        // A list with the same words but its own `Arc` is kept apart, and a finding whose list
        // differs gets its own bytes.
        let mut third = finding(5..9, "cure");
        third.references = vec!["FDA".to_owned()].into();
        let mut r = JsonReporter::default();
        let mut out = Vec::new();
        r.report(&mut out, &file, &[first, second, third]).unwrap();
        assert_eq!(r.rendered_references.len(), 2);
        r.finish(&mut out, &Summary::default()).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let references: Vec<_> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["references"].clone())
            .collect();
        assert_eq!(
            references,
            [
                serde_json::json!(["FTC \"net impression\""]),
                serde_json::json!(["FTC \"net impression\""]),
                serde_json::json!(["FDA"]),
            ]
        );
    }

    #[test]
    fn offsets_count_the_bom_and_columns_count_characters() {
        let text = "é\r\nxx cure".to_owned();
        let file = SourceFile::from_text("a.md", text, Encoding::Utf8, 3);
        let mut r = JsonReporter::default();
        let mut out = Vec::new();
        r.report(&mut out, &file, &[finding(7..11, "cure")])
            .unwrap();
        let summary = Summary {
            files: 1,
            warnings: 1,
            ..Summary::default()
        };
        r.finish(&mut out, &summary).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let f = &v["findings"][0];
        assert_eq!(v["version"], 1);
        assert_eq!(
            (f["start"].as_u64(), f["end"].as_u64()),
            (Some(10), Some(14))
        );
        assert_eq!(
            (f["line"].as_u64(), f["column"].as_u64()),
            (Some(2), Some(4))
        );
        assert_eq!(
            (f["end_line"].as_u64(), f["end_column"].as_u64()),
            (Some(2), Some(8))
        );
        assert_eq!(f["adjustments"][0], "lowered by the hedge `may`");
        assert_eq!(v["summary"]["findings"], 1);
        assert!(v["errors"].as_array().unwrap().is_empty());
    }

    /// The streamed document is byte for byte the whole document pretty-printed at once (the
    /// reporter's output before it streamed), with and without findings and errors.
    #[test]
    fn streamed_document_equals_the_document_printed_at_once() {
        #[derive(Serialize)]
        struct Whole<'a> {
            version: u32,
            findings: Vec<JsonFinding<'a>>,
            summary: JsonSummary,
            errors: Vec<JsonError<'a>>,
        }
        let a = SourceFile::from_text("a.md", "cure it. cure\"s".into(), Encoding::Utf8, 0);
        let b = SourceFile::from_text("b.md", "no claims".into(), Encoding::Utf8, 0);
        let c = SourceFile::from_text("c.md", "x cure".into(), Encoding::Utf8, 0);
        let files = [
            (&a, vec![finding(0..4, "cure"), finding(9..15, "cure\"s")]),
            (&b, vec![]),
            (&c, vec![finding(2..6, "cure")]),
        ];
        for (take, with_error) in [(0, false), (0, true), (1, false), (3, true)] {
            let mut r = JsonReporter::new(vec!["core".into()]);
            let mut out = Vec::new();
            let mut expected = Vec::new();
            for (file, findings) in &files[..take] {
                r.report(&mut out, file, findings).unwrap();
                expected.extend(findings.iter().map(|f| to_json(file, f)));
            }
            let error = FileError {
                path: "bad.md".into(),
                message: "cannot read \"bad.md\"".into(),
            };
            if with_error {
                r.error(&error);
            }
            let summary = Summary {
                files: take,
                warnings: expected.len(),
                failed: usize::from(with_error),
                ..Summary::default()
            };
            r.finish(&mut out, &summary).unwrap();
            let whole = Whole {
                version: VERSION,
                findings: expected,
                summary: JsonSummary {
                    files: take,
                    findings: summary.findings(),
                    errors: 0,
                    warnings: summary.warnings,
                    infos: 0,
                    waived: 0,
                    baselined: 0,
                    rulesets: vec!["core".into()],
                },
                errors: with_error
                    .then(|| JsonError {
                        path: &error.path,
                        message: &error.message,
                    })
                    .into_iter()
                    .collect(),
            };
            let printed = serde_json::to_string_pretty(&whole).unwrap() + "\n";
            assert_eq!(String::from_utf8(out).unwrap(), printed, "{take} files");
        }
    }
}
