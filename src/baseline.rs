//! Baselines: a JSON file recording the findings a team has accepted for now, by a location-free
//! fingerprint, so `check --baseline FILE` reports only new ones (harper's `LintContext`, ESLint's
//! suppressions file). The fingerprint is the path, the rule, the matched words (lowercased,
//! whitespace collapsed) and up to three neighbouring words on each side from the same line.
//! Line numbers are left out, so inserting or deleting lines above a finding keeps it
//! baselined, while rewording the claim (its words or its neighbours) makes it new.
//!
//! Entries are a multiset: two identical claims in one file are one entry with `count: 2`, and
//! a third copy is new. Entries are readable so a reviewer can see what was accepted.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic::AtomicFile;
use crate::diagnostic::SourceError;
use crate::finding::Finding;
use crate::source::SourceFile;

/// The version of the baseline file's shape.
pub const VERSION: u32 = 1;

/// How many neighbouring words on each side belong to a fingerprint.
const NEIGHBOURS: usize = 3;

/// A finding's location-free identity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    pub path: String,
    pub rule: String,
    /// The matched words, lowercased, whitespace collapsed.
    pub matched: String,
    /// Up to three words before the match on its line, normalised.
    pub before: String,
    /// Up to three words after the match on its line, normalised.
    pub after: String,
}

/// One line of the baseline file: a fingerprint and how many findings have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    #[serde(flatten)]
    pub fingerprint: Fingerprint,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

/// Why a baseline could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read the baseline {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot write the baseline {}: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Not a baseline file: points at the line and column where reading stopped.
    #[error("{0}")]
    Corrupt(SourceError),
}

/// The fingerprint of `finding` in `file`.
pub fn fingerprint(file: &SourceFile, finding: &Finding) -> Fingerprint {
    let text = &file.text;
    let start = finding.span.start.min(text.len());
    let end = finding.span.end.clamp(start, text.len());
    let line_start = file
        .lines
        .line_range(file.lines.line_of(start), text.len())
        .map_or(0, |r| r.start);
    let line_end = file
        .lines
        .line_range(
            file.lines.line_of(end.saturating_sub(1).max(start)),
            text.len(),
        )
        .map_or(text.len(), |r| r.end);
    // Only the neighbouring words are split off, lazily from the match outwards: a minified
    // page is one line, and splitting all of it per finding was quadratic.
    let mut before: Vec<String> = words(text.get(line_start..start).unwrap_or_default())
        .rev()
        .take(NEIGHBOURS)
        .collect();
    before.reverse();
    let after: Vec<String> = words(text.get(end..line_end).unwrap_or_default())
        .take(NEIGHBOURS)
        .collect();
    Fingerprint {
        path: file.path.clone(),
        rule: finding.rule.clone(),
        matched: finding
            .matched
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
        before: before.join(" "),
        after: after.join(" "),
    }
}

/// Lowercased words (letters, digits, apostrophes): markup punctuation and spacing drop out.
fn words(text: &str) -> impl DoubleEndedIterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// A loaded (or newly recorded) baseline, with how many of each fingerprint are still unmatched
/// in this run.
#[derive(Debug, Default)]
pub struct Baseline {
    /// Recorded count per fingerprint (sorted, so a written file is stable).
    recorded: BTreeMap<Fingerprint, usize>,
    /// What this run has not matched yet.
    remaining: BTreeMap<Fingerprint, usize>,
    /// Paths this run linted (stale entries are only judged for these and for missing files).
    linted: HashSet<String>,
}

impl Baseline {
    /// Reads a baseline file. A file that is not a baseline is an error at its line and column.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|error| BaselineError::Read {
            path: path.to_owned(),
            error,
        })?;
        Baseline::parse(&path.display().to_string(), &text)
    }

    /// Parses baseline JSON; `name` is used in errors.
    pub fn parse(name: &str, text: &str) -> Result<Baseline, BaselineError> {
        let file: BaselineFile = serde_json::from_str(text).map_err(|e| {
            let offset = offset_of(text, e.line(), e.column());
            let message = e.to_string();
            // serde_json appends " at line L column C"; SourceError says where itself.
            let message = match message.rfind(" at line ") {
                Some(at) => message[..at].to_owned(),
                None => message,
            };
            BaselineError::Corrupt(
                SourceError::new(name, text, Some(offset..offset), message)
                    .with_note("a baseline is written by `claimlint check --write-baseline FILE`"),
            )
        })?;
        if file.version != VERSION {
            let at = text.find("\"version\"").unwrap_or(0);
            return Err(BaselineError::Corrupt(SourceError::new(
                name,
                text,
                Some(at..at + "\"version\"".len()),
                format!(
                    "unsupported baseline version {} (this claimlint reads version {VERSION})",
                    file.version
                ),
            )));
        }
        let mut baseline = Baseline::default();
        for entry in file.findings {
            *baseline.recorded.entry(entry.fingerprint).or_default() += entry.count;
        }
        baseline.remaining = baseline.recorded.clone();
        Ok(baseline)
    }

    /// Records findings (for `--write-baseline`). Waived findings are left out: their waiver
    /// already records them.
    pub fn record(&mut self, file: &SourceFile, findings: &[Finding]) {
        for f in findings.iter().filter(|f| f.waiver.is_none()) {
            *self.recorded.entry(fingerprint(file, f)).or_default() += 1;
        }
        self.remaining = self.recorded.clone();
    }

    /// Removes the findings of `file` that the baseline records (each entry matches as many
    /// findings as its count) and returns how many it removed. Waived findings are kept.
    pub fn filter(&mut self, file: &SourceFile, findings: &mut Vec<Finding>) -> usize {
        self.linted.insert(file.path.clone());
        let before = findings.len();
        findings.retain(|f| {
            if f.waiver.is_some() {
                return true;
            }
            match self.remaining.get_mut(&fingerprint(file, f)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
        before - findings.len()
    }

    /// Entries no finding matched, with the unmatched count: those of files this run linted,
    /// and those of files that no longer exist (relative to `cwd`). Entries of other files are
    /// not judged, since a run over `docs/` says nothing about `blog/`.
    pub fn stale(&self, cwd: &Path) -> Vec<Entry> {
        self.remaining
            .iter()
            .filter(|(fp, n)| {
                **n > 0 && (self.linted.contains(&fp.path) || !cwd.join(&fp.path).exists())
            })
            .map(|(fp, n)| Entry {
                fingerprint: fp.clone(),
                count: *n,
            })
            .collect()
    }

    /// The number of findings recorded.
    pub fn len(&self) -> usize {
        self.recorded.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.recorded.is_empty()
    }

    /// Drops the stale entries (see `stale`) and returns how many findings they counted.
    pub fn prune(&mut self, cwd: &Path) -> usize {
        let stale = self.stale(cwd);
        let mut removed = 0;
        for e in stale {
            if let Some(n) = self.recorded.get_mut(&e.fingerprint) {
                *n -= e.count.min(*n);
                removed += e.count;
                if *n == 0 {
                    self.recorded.remove(&e.fingerprint);
                }
            }
            self.remaining.remove(&e.fingerprint);
        }
        removed
    }

    /// The baseline as JSON text.
    pub fn to_json(&self) -> String {
        let file = BaselineFile {
            version: VERSION,
            findings: self
                .recorded
                .iter()
                .map(|(fp, &count)| Entry {
                    fingerprint: fp.clone(),
                    count,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes the baseline atomically: a temporary file in the same directory, renamed over
    /// `path` once complete, so a failed run never leaves half a baseline.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let fail = |error: std::io::Error| BaselineError::Write {
            path: path.to_owned(),
            error,
        };
        let mut file = AtomicFile::create(path).map_err(|e| fail(e.source))?;
        file.write_all(self.to_json().as_bytes()).map_err(fail)?;
        file.commit().map_err(|e| fail(e.source))
    }
}

/// Byte offset of serde_json's 1-based line and column (a column of 0 means the line's start).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let index = crate::source::LineIndex::new(text);
    let Some(range) = index.line_range(line.saturating_sub(1), text.len()) else {
        return text.len();
    };
    let mut at = (range.start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::source::Encoding;

    fn file(text: &str) -> SourceFile {
        SourceFile::from_text("a.md", text.into(), Encoding::Utf8, 0)
    }

    fn finding_at(file: &SourceFile, word: &str, nth: usize) -> Finding {
        let start = file.text.match_indices(word).nth(nth).unwrap().0;
        crate::report::test_finding(file, start..start + word.len(), Severity::Error)
    }

    /// The neighbouring words are those of the whole line's words, as the first baselines
    /// recorded them (every baseline written since must keep matching).
    #[test]
    fn neighbours_are_the_last_and_first_words_of_the_line_around_the_match() {
        let texts = [
            "a b c d e cures f g h i j",
            "  x’y, 'z'--cures!! né ü 42  ",
            "cures",
            "one two\r\nthree four cures five\nsix",
            "<p>Über-clinic's \"cures\" — (really)</p> and more words after",
        ];
        for text in texts {
            let f = file(text);
            let finding = finding_at(&f, "cures", 0);
            let print = fingerprint(&f, &finding);
            let line = f
                .lines
                .line_range(f.lines.line_of(finding.span.start), text.len())
                .unwrap();
            let all = |t: &str| words(t).collect::<Vec<_>>();
            let before = all(&text[line.start..finding.span.start]);
            let after = all(&text[finding.span.end..line.end]);
            assert_eq!(
                print.before,
                before[before.len().saturating_sub(3)..].join(" "),
                "{text}"
            );
            assert_eq!(print.after, after[..after.len().min(3)].join(" "), "{text}");
        }
    }

    #[test]
    fn fingerprint_survives_lines_inserted_above() {
        let a = file("Intro.\n\nOur **clinic** cures anxiety for good, today.\n");
        let b = file(
            "New heading\n\nMore text.\n\nIntro.\n\nOur clinic  cures anxiety for good, today.\n",
        );
        let fa = fingerprint(&a, &finding_at(&a, "cures", 0));
        let fb = fingerprint(&b, &finding_at(&b, "cures", 0));
        assert_eq!(fa, fb);
        assert_eq!(fa.before, "our clinic");
        assert_eq!(fa.after, "anxiety for good");
        assert_eq!(fa.matched, "cures");
    }

    #[test]
    fn rewording_changes_the_fingerprint() {
        let a = file("Our clinic cures anxiety for good.\n");
        let b = file("Our clinic cures depression for good.\n");
        assert_ne!(
            fingerprint(&a, &finding_at(&a, "cures", 0)),
            fingerprint(&b, &finding_at(&b, "cures", 0))
        );
    }

    #[test]
    fn identical_claims_count_as_a_multiset() {
        let a = file("It cures.\nIt cures.\n");
        let mut base = Baseline::default();
        base.record(
            &a,
            &[finding_at(&a, "cures", 0), finding_at(&a, "cures", 1)],
        );
        assert_eq!(base.len(), 2);
        assert!(
            base.to_json().contains("\"count\": 2"),
            "{}",
            base.to_json()
        );
        let b = file("It cures.\nIt cures.\nIt cures.\n");
        let mut parsed = Baseline::parse("b.json", &base.to_json()).unwrap();
        let mut findings: Vec<Finding> = (0..3).map(|n| finding_at(&b, "cures", n)).collect();
        assert_eq!(parsed.filter(&b, &mut findings), 2);
        assert_eq!(findings.len(), 1, "the third copy is new");
    }

    #[test]
    fn corrupt_baseline_points_at_line_and_column() {
        let text = "{\n  \"version\": 1,\n  \"findings\": [\n    {\"path\": 3}\n  ]\n}\n";
        let Err(BaselineError::Corrupt(e)) = Baseline::parse("b.json", text) else {
            panic!("expected a corrupt-baseline error");
        };
        assert_eq!(e.line_col().map(|(l, _)| l), Some(4));
        assert!(e.to_string().starts_with("b.json:4:"), "{e}");
        assert!(!e.message.contains(" at line "), "{}", e.message);
    }

    #[test]
    fn wrong_version_is_an_error() {
        let text = "{\"version\": 9, \"findings\": []}";
        let Err(BaselineError::Corrupt(e)) = Baseline::parse("b.json", text) else {
            panic!("expected a corrupt-baseline error");
        };
        assert!(e.message.contains("version 9"), "{}", e.message);
    }

    #[test]
    fn stale_entries_are_judged_for_linted_files_and_pruned() {
        let a = file("It cures.\n");
        let mut base = Baseline::default();
        base.record(&a, &[finding_at(&a, "cures", 0)]);
        let mut parsed = Baseline::parse("b.json", &base.to_json()).unwrap();
        let cwd = std::env::temp_dir();
        let reworded = SourceFile::from_text("a.md", "It heals.\n".into(), Encoding::Utf8, 0);
        assert_eq!(parsed.filter(&reworded, &mut Vec::new()), 0);
        assert_eq!(parsed.stale(&cwd).len(), 1);
        assert_eq!(parsed.prune(&cwd), 1);
        assert!(parsed.is_empty());
    }
}
