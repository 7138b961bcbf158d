//! The JUnit XML report, for CI systems that show test results: `<testsuites>` holding one
//! `<testsuite>` per linted file (name = path) and one `<testcase>` per finding (name = rule and
//! position, classname = path) with a `<failure>` whose text is the finding, the matched words and
//! the balanced wording. A file without findings gets one passing test case, so clean files show
//! up as passes; a file that could not be linted gets a test case with an `<error>`. A waived
//! finding is a `<skipped>` test case carrying the waiver's reason.
//!
//! Everything is XML-escaped, and characters XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF)
//! are dropped, so any input yields well-formed XML.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::spool::{Piece, Spool};
use super::{FileError, Reporter, Summary, waiver_reason};
use crate::finding::Finding;
use crate::source::SourceFile;

/// How one test case ended.
#[derive(Debug)]
enum Outcome {
    Passed,
    Failed {
        message: String,
        kind: String,
        text: String,
    },
    Skipped {
        message: String,
    },
    Errored {
        message: String,
    },
}

#[derive(Debug)]
struct Case {
    name: String,
    line: Option<usize>,
    outcome: Outcome,
}

#[derive(Debug)]
struct Suite {
    path: String,
    cases: Vec<Case>,
}

/// Renders one suite per file (and per failed file) as it arrives, and holds them in a `Spool`
/// until the end, where the totals head them.
#[derive(Default)]
pub struct JunitReporter {
    spool: Spool,
    /// Each suite's XML, in arrival order.
    suites: Vec<Piece>,
    /// Tests, failures, errors and skipped cases of every suite so far.
    totals: [usize; 4],
    /// A suite that could not be stored (`error` cannot return the failure; `finish` does).
    failed: Option<io::Error>,
}

impl JunitReporter {
    fn add(&mut self, suite: &Suite) -> io::Result<()> {
        let counts = counts(&suite.cases);
        for (total, n) in self.totals.iter_mut().zip(counts) {
            *total += n;
        }
        let piece = self.spool.append(render_suite(suite).as_bytes())?;
        self.suites.push(piece);
        Ok(())
    }
}

fn case_for(file: &SourceFile, f: &Finding, waiver: Option<&str>) -> Case {
    let (line, column) = file.line_col(f.span.start);
    let outcome = match waiver {
        Some(reason) => Outcome::Skipped {
            message: format!("waived: {reason}"),
        },
        None => Outcome::Failed {
            message: f.message.clone(),
            kind: f.severity.name().to_owned(),
            text: format!(
                "{}:{line}:{column}: {} [{}] {}\nmatched: {}\nwrite instead: {}",
                file.path,
                f.severity,
                f.rule,
                f.message,
                f.matched,
                f.suggestion.trim()
            ),
        },
    };
    Case {
        name: format!("{} at line {line}, column {column}", f.rule),
        line: Some(line),
        outcome,
    }
}

impl Reporter for JunitReporter {
    fn report(
        &mut self,
        _out: &mut dyn Write,
        file: &SourceFile,
        findings: &[Finding],
    ) -> io::Result<()> {
        let mut cases: Vec<Case> = findings
            .iter()
            .map(|f| case_for(file, f, waiver_reason(f)))
            .collect();
        if cases.is_empty() {
            cases.push(Case {
                name: "no findings".to_owned(),
                line: None,
                outcome: Outcome::Passed,
            });
        }
        self.add(&Suite {
            path: file.path.clone(),
            cases,
        })
    }

    fn error(&mut self, error: &FileError) {
        let added = self.add(&Suite {
            path: error.path.clone(),
            cases: vec![Case {
                name: "lint".to_owned(),
                line: None,
                outcome: Outcome::Errored {
                    message: error.message.clone(),
                },
            }],
        });
        if let Err(e) = added {
            self.failed.get_or_insert(e);
        }
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let [tests, failures, errors, skipped] = self.totals;
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"claimlint\" tests=\"{tests}\" failures=\"{failures}\" \
             errors=\"{errors}\" skipped=\"{skipped}\">\n"
        )?;
        for piece in &self.suites {
            self.spool.copy_to(piece, out)?;
        }
        out.write_all(b"</testsuites>\n")
    }
}

/// Counts of a list of cases: tests, failures, errors, skipped.
fn counts<'a>(cases: impl IntoIterator<Item = &'a Case>) -> [usize; 4] {
    let mut n = [0; 4];
    for case in cases {
        n[0] += 1;
        match case.outcome {
            Outcome::Passed => {}
            Outcome::Failed { .. } => n[1] += 1,
            Outcome::Errored { .. } => n[2] += 1,
            Outcome::Skipped { .. } => n[3] += 1,
        }
    }
    n
}

/// One suite's XML, indented for its place in `<testsuites>`.
fn render_suite(suite: &Suite) -> String {
    let mut xml = String::new();
    let [tests, failures, errors, skipped] = counts(&suite.cases);
    let path = attr(&suite.path);
    // `write!` to a String cannot fail.
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{path}\" tests=\"{tests}\" failures=\"{failures}\" \
         errors=\"{errors}\" skipped=\"{skipped}\">"
    );
    for case in &suite.cases {
        let _ = write!(
            xml,
            "    <testcase name=\"{}\" classname=\"{path}\" file=\"{path}\"",
            attr(&case.name)
        );
        if let Some(line) = case.line {
            let _ = write!(xml, " line=\"{line}\"");
        }
        match &case.outcome {
            Outcome::Passed => xml.push_str("/>\n"),
            Outcome::Failed {
                message,
                kind,
                text: body,
            } => {
                let _ = writeln!(
                    xml,
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    attr(message),
                    attr(kind),
                    text(body)
                );
            }
            Outcome::Skipped { message } => {
                let _ = writeln!(
                    xml,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    attr(message)
                );
            }
            Outcome::Errored { message } => {
                let _ = writeln!(
                    xml,
                    ">\n      <error message=\"{}\" type=\"lint\">{}</error>\n    </testcase>",
                    attr(message),
                    text(message)
                );
            }
        }
    }
    xml.push_str("  </testsuite>\n");
    xml
}

/// Whether XML 1.0 allows the character at all (its `Char` production).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes element text.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A bare \r would be read back as \n (XML line-end normalisation).
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value; line breaks and tabs become references so that attribute-value
/// normalisation does not turn them into spaces.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::report::test_finding;
    use crate::source::Encoding;

    #[test]
    fn escapes_and_drops_characters_xml_forbids() {
        assert_eq!(text("a<b>&c\u{1}\u{FFFE}\rd"), "a&lt;b&gt;&amp;c&#13;d");
        assert_eq!(attr("\"x'\n\ty\u{0}"), "&quot;x&apos;&#10;&#9;y");
    }

    #[test]
    fn failing_skipped_passing_and_errored_cases() {
        let file = SourceFile::from_text("a&b.md", "it <cures>".into(), Encoding::Utf8, 0);
        let f = test_finding(&file, 3..10, Severity::Error);
        let clean = SourceFile::from_text("clean.md", "fine".into(), Encoding::Utf8, 0);
        let mut r = JunitReporter::default();
        let mut out = Vec::new();
        let mut waived = f.clone();
        waived.waiver = Some(crate::finding::Waiver {
            kind: crate::finding::WaiverKind::DisableNextLine,
            reason: "reviewed by legal".into(),
            span: 0..2,
        });
        r.report(&mut out, &file, &[f, waived]).unwrap();
        r.report(&mut out, &clean, &[]).unwrap();
        r.error(&FileError {
            path: "gone.md".into(),
            message: "not found".into(),
        });
        assert!(out.is_empty(), "nothing is written before the end");
        r.finish(&mut out, &Summary::default()).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains(
            "<testsuites name=\"claimlint\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\">"
        ));
        assert!(xml.contains("<testsuite name=\"a&amp;b.md\" tests=\"2\" failures=\"1\""));
        assert!(xml.contains(
            "<testcase name=\"demo at line 1, column 4\" classname=\"a&amp;b.md\" file=\"a&amp;b.md\" line=\"1\">"
        ));
        assert!(xml.contains("<failure message=\"m\" type=\"error\">a&amp;b.md:1:4: error [demo] m\nmatched: &lt;cures&gt;\n"));
        assert!(xml.contains("<skipped message=\"waived: reviewed by legal\"/>"));
        assert!(
            xml.contains(
                "<testcase name=\"no findings\" classname=\"clean.md\" file=\"clean.md\"/>"
            )
        );
        assert!(xml.contains("<error message=\"not found\" type=\"lint\">not found</error>"));
    }

    /// The suites wait in a spool: once it moves to a temporary file, the report is the same.
    #[test]
    fn suites_spooled_to_a_file_make_the_same_report() {
        let file = SourceFile::from_text("a.md", "it cures all".into(), Encoding::Utf8, 0);
        let findings: Vec<Finding> = (0..3)
            .map(|i| test_finding(&file, i * 3..i * 3 + 2, Severity::Warning))
            .collect();
        let report = |mut r: JunitReporter| {
            let mut out = Vec::new();
            for _ in 0..20 {
                r.report(&mut out, &file, &findings).unwrap();
            }
            r.finish(&mut out, &Summary::default()).unwrap();
            (String::from_utf8(out).unwrap(), r.spool)
        };
        let (in_memory, spool) = report(JunitReporter::default());
        assert!(!spool.on_disk());
        let (on_disk, spool) = report(JunitReporter {
            spool: Spool::with_limit(500),
            ..JunitReporter::default()
        });
        assert!(spool.on_disk());
        assert_eq!(in_memory, on_disk);
        assert!(in_memory.contains("tests=\"60\" failures=\"60\""));
    }
}
