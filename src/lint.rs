//! The linting pipeline for one document: extract prose, split sentences, match every rule at
//! once, apply sentence context, run document rules, and build findings that point at the exact
//! source bytes. Pure: it reads a `SourceFile` and returns findings; it never prints.

use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;

use crate::advice::{self, Subject};
use crate::extract::{self, BlockKind, Format, Prose};
use crate::finding::{Adjustment, Finding, Severity};
use crate::rules::citations::{PageCitations, SentenceCitations};
use crate::rules::context::{self, Change, CueSpan, SentenceContext, Verdict};
use crate::rules::document::{self, Trigger};
use crate::rules::matcher::{CueHit, CueIndex, Normalized, Wakes, normalize};
use crate::rules::{Effect, Ruleset, Scope};
use crate::source::{Encoding, SourceFile};
use crate::suppress;
use crate::text::{self, Sentence};

/// Lints a string as if it were a file named `<input>`.
pub fn lint_str(ruleset: &Ruleset, text: &str, format: Format) -> Vec<Finding> {
    let file = SourceFile::from_text("<input>", text.to_owned(), Encoding::Utf8, 0);
    lint(ruleset, &file, format)
}

/// Lints one decoded file, applying its inline directives. Findings are sorted by source
/// offset, then rule id.
pub fn lint(ruleset: &Ruleset, file: &SourceFile, format: Format) -> Vec<Finding> {
    lint_with(ruleset, file, format, &LintOptions::default())
}

/// Per-run choices of the pipeline that are not about rules.
#[derive(Clone, Copy, Debug)]
pub struct LintOptions {
    /// Apply `claimlint-*` directives in comments (off with `--no-inline-config`, for auditors).
    pub inline_config: bool,
    /// Report problems with those directives as `claimlint-directive` findings.
    pub directive_findings: bool,
    /// The severity of those findings (`[severity] claimlint-directive` in the config).
    pub directive_severity: Severity,
    /// Report only those findings (`--rule claimlint-directive`): the rules still run, to judge
    /// which waivers waive something.
    pub only_directive_findings: bool,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            inline_config: true,
            directive_findings: true,
            directive_severity: Severity::Warning,
            only_directive_findings: false,
        }
    }
}

/// `lint` with explicit options.
pub fn lint_with(
    ruleset: &Ruleset,
    file: &SourceFile,
    format: Format,
    options: &LintOptions,
) -> Vec<Finding> {
    let prose = extract::extract(&file.text, format);
    let sentences = text::split_sentences_with(&prose, &ruleset.abbreviations);
    let norm = normalize(&prose.text);
    // One walk finds phrases, regex wake-ups and every cue; the regexes run in `Document::run`.
    let (wakes, cue_index) = ruleset.matcher.scan(&norm.text);
    let bounds =
        norm.from_prose_ascending(sentences.iter().flat_map(|s| [s.range.start, s.range.end]));
    let doc = Document {
        ruleset,
        file,
        prose: &prose,
        norm: &norm,
        sentences: &sentences,
        sentence_ranges: bounds.chunks_exact(2).map(|b| b[0]..b[1]).collect(),
        risk_blocks: risk_blocks(ruleset, &prose, &norm, &cue_index),
        treatments: std::cell::OnceCell::new(),
        cue_index: &cue_index,
        capitalised_mid_sentence: std::cell::OnceCell::new(),
        citations: PageCitations::scan(ruleset, &file.text, &prose, &norm, &sentences, &cue_index),
    };
    let findings = doc.run(wakes);
    if options.inline_config {
        let mut findings = suppress::apply(ruleset, file, &prose.directives, findings);
        findings.retain_mut(|f| {
            if f.rule != suppress::DIRECTIVE_RULE {
                return !options.only_directive_findings;
            }
            f.severity = options.directive_severity;
            options.directive_findings
        });
        findings
    } else if options.only_directive_findings {
        Vec::new()
    } else {
        findings
    }
}

struct Document<'a> {
    ruleset: &'a Ruleset,
    file: &'a SourceFile,
    prose: &'a Prose,
    norm: &'a Normalized,
    sentences: &'a [Sentence],
    /// Each sentence's range in the normalised text.
    sentence_ranges: Vec<Range<usize>>,
    /// For each block: whether it stands under a risks / side effects heading.
    risk_blocks: Vec<bool>,
    /// Every treatment named in the document (normalised ranges), found on first use.
    treatments: std::cell::OnceCell<Vec<Range<usize>>>,
    /// Every cue of the text, from the page's one scan; sentences, headings, references, the
    /// page's treatments and the document rules all read it.
    cue_index: &'a CueIndex,
    /// Treatment names (ASCII-lowercased) written with a capital where they do not open a
    /// sentence: brand names, for `subject`.
    capitalised_mid_sentence: std::cell::OnceCell<FxHashSet<String>>,
    /// Footnote markers and references of the page, resolved once.
    citations: PageCitations<'a>,
}

/// The term lists each sentence has cues of, as bit sets worked out on a sentence's first use
/// and kept in one vector: a pattern's `with`/`without` test runs for every regex wake-up, so
/// it tests bits rather than searching, and a vector per sentence was 1% of a run in
/// allocations.
struct SentenceLists {
    /// Words of one sentence's set: one bit per term list.
    words: usize,
    /// Per sentence: where its set starts in `bits`, or `UNKNOWN`.
    slot: Vec<u32>,
    bits: Vec<u64>,
}

impl SentenceLists {
    const UNKNOWN: u32 = u32::MAX;

    fn new(sentences: usize, lists: usize) -> Self {
        SentenceLists {
            words: lists.div_ceil(64),
            slot: vec![Self::UNKNOWN; sentences],
            bits: Vec::new(),
        }
    }

    /// Sentence `si`'s set, from `lists` (the term lists of its cues) the first time.
    fn of<I: Iterator<Item = usize>>(
        &mut self,
        si: usize,
        lists: impl FnOnce() -> I,
    ) -> ListSet<'_> {
        let words = self.words;
        let start = match self.slot[si] {
            Self::UNKNOWN => {
                // Past 4 G words (a page of billions of bytes) the sets start over, so that a
                // slot always fits and is never `UNKNOWN`.
                if self.bits.len() >= Self::UNKNOWN as usize - words {
                    self.bits.clear();
                    self.slot.fill(Self::UNKNOWN);
                }
                let start = self.bits.len();
                self.bits.resize(start + words, 0);
                for list in lists() {
                    // A cue's list is always a ruleset list; a stray one is no cue at all.
                    if let Some(word) = self.bits[start..].get_mut(list / 64) {
                        *word |= 1 << (list % 64);
                    }
                }
                // Below `UNKNOWN`, as made sure above.
                self.slot[si] = start as u32;
                start
            }
            slot => slot as usize,
        };
        ListSet(&self.bits[start..start + words])
    }
}

/// The term lists a sentence has cues of (see `SentenceLists`).
struct ListSet<'a>(&'a [u64]);

impl ListSet<'_> {
    fn contains(&self, list: usize) -> bool {
        self.0
            .get(list / 64)
            .is_some_and(|word| word & (1 << (list % 64)) != 0)
    }

    /// A pattern's cue test: one of its `with` lists present (when it has any), none of its
    /// `without` lists.
    fn admits(&self, with: &[usize], without: &[usize]) -> bool {
        (with.is_empty() || with.iter().any(|&l| self.contains(l)))
            && !without.iter().any(|&l| self.contains(l))
    }
}

/// A chosen claim: one per rule per sentence.
struct Claim {
    rule: usize,
    pattern: usize,
    range: Range<usize>,
}

impl Document<'_> {
    fn run(&self, wakes: Wakes) -> Vec<Finding> {
        let rs = self.ruleset;
        // Per sentence: the lists its cues belong to, so a pattern's `with`/`without` test does
        // not walk every cue once per hit. (The cues themselves are copied out of the index only
        // for sentences with a claim to judge: a copy per sentence was megabytes on a big page.)
        let mut lists_in = SentenceLists::new(self.sentences.len(), rs.term_lists.len());
        let sentence_ranges = &self.sentence_ranges;
        // A regex match stays inside the sentence it starts in, and a pattern's regex does not
        // run in a sentence that fails its cue test (most wake-ups of a condition list are in
        // sentences without the verb the pattern needs). This runs for every wake-up (millions
        // in a big tree), so it only indexes: `first_in_block` holds the first sentence ending
        // after each 64-byte block starts, so a wake-up's sentence is a step or two away (a
        // binary search per wake-up was 9% of a run).
        const BLOCK: usize = 64;
        // (Sentence ends ascend, so one walk sets every block's entry.)
        let mut first_in_block = Vec::with_capacity(self.norm.text.len() / BLOCK + 1);
        let mut first = 0;
        for b in 0..=self.norm.text.len() / BLOCK {
            while sentence_ranges
                .get(first)
                .is_some_and(|r| r.end <= b * BLOCK)
            {
                first += 1;
            }
            first_in_block.push(first);
        }
        let hits = rs
            .matcher
            .hits(&self.norm.text, wakes, |rule, pattern, start| {
                let mut si = first_in_block.get(start / BLOCK).copied()?;
                while sentence_ranges.get(si).is_some_and(|r| r.end <= start) {
                    si += 1;
                }
                let sentence = sentence_ranges.get(si).filter(|r| r.start <= start)?;
                let pattern = &rs.rules[rule].patterns[pattern];
                if !(pattern.with.is_empty() && pattern.without.is_empty()) {
                    let present = lists_in.of(si, || self.sentence_lists(sentence.clone()));
                    if !present.admits(&pattern.with, &pattern.without) {
                        return None;
                    }
                }
                Some(sentence.end)
            });
        let mut claims: Vec<(usize, Claim)> = Vec::with_capacity(hits.len()); // (sentence, claim)
        let mut doc_triggers: FxHashMap<usize, Trigger> = FxHashMap::default();
        for hit in hits {
            let rule = &rs.rules[hit.rule];
            let Some(si) = self.sentence_of(&hit.range) else {
                continue;
            };
            let present = lists_in.of(si, || self.sentence_lists(sentence_ranges[si].clone()));
            let pattern = &rule.patterns[hit.pattern];
            if !present.admits(&pattern.with, &pattern.without) {
                continue;
            }
            if rule.scope == Scope::Document {
                doc_triggers.entry(hit.rule).or_insert_with(|| Trigger {
                    prose: self.norm.to_prose(hit.range.start)..self.norm.to_prose(hit.range.end),
                });
                continue;
            }
            // Overlapping hits of the same rule widen one claim; separate hits stay candidates.
            // The widened claim speaks with its most severe pattern, so a weak pattern ("rapid
            // relief", info) that starts first does not swallow a strong one it overlaps.
            // Hits come in text order, so this sentence's claims are the last ones: the look
            // back stops at the sentence start (a page of claims would otherwise be quadratic).
            if let Some((_, c)) = claims
                .iter_mut()
                .rev()
                .take_while(|(s, _)| *s == si)
                .find(|(_, c)| c.rule == hit.rule && hit.range.start < c.range.end)
            {
                c.range.end = c.range.end.max(hit.range.end);
                let base = |p: usize| rule.patterns[p].severity.unwrap_or(rule.severity);
                if base(hit.pattern) > base(c.pattern) {
                    c.pattern = hit.pattern;
                }
                continue;
            }
            claims.push((
                si,
                Claim {
                    rule: hit.rule,
                    pattern: hit.pattern,
                    range: hit.range,
                },
            ));
        }
        // Once per rule per sentence: of the candidates that survive context, keep the most severe
        // (the first one on a tie), so a negated first hit does not hide a later claim.
        let mut findings: Vec<(Finding, Range<usize>)> = Vec::with_capacity(claims.len());
        let mut kept: FxHashMap<(usize, usize), usize> = FxHashMap::default();
        // A sentence's cues, and what it cites, are worked out once per sentence, not once per
        // claim (claims come sentence by sentence); the cues go into one reused vector.
        let mut cues: Vec<CueHit> = Vec::new();
        let mut current: Option<(usize, SentenceCitations)> = None;
        for (si, claim) in claims {
            let sentence_cited = match &current {
                Some((s, cited)) if *s == si => cited,
                _ => {
                    cues.clear();
                    cues.extend(
                        self.cue_index
                            .within_iter(sentence_ranges[si].clone())
                            .cloned(),
                    );
                    let cited = self.citation(si, &cues);
                    &current.insert((si, cited)).1
                }
            };
            let Some(f) = self.judge(si, &claim, &cues, sentence_cited) else {
                continue;
            };
            match kept.get(&(si, claim.rule)) {
                Some(&i) if findings[i].0.severity >= f.0.severity => {}
                Some(&i) => findings[i] = f,
                None => {
                    kept.insert((si, claim.rule), findings.len());
                    findings.push(f);
                }
            }
        }
        self.drop_headings_repeated_in_their_body(&mut findings);
        findings.extend(self.document_findings(&findings, &doc_triggers));
        let mut findings: Vec<Finding> = findings.into_iter().map(|(f, _)| f).collect();
        findings.sort_by(|a, b| {
            (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule))
        });
        findings
    }

    /// A heading that makes the same claim as the text under it is reported once, on the body:
    /// the body sentence carries the claim's detail and the reader fixes the wording there.
    fn drop_headings_repeated_in_their_body(&self, findings: &mut Vec<(Finding, Range<usize>)>) {
        let blocks = &self.prose.blocks;
        let block_of = |r: &Range<usize>| self.prose.block_at(r.start);
        // For each heading block: the blocks of its section (up to the next heading).
        let section_end = |h: usize| {
            (h + 1..blocks.len())
                .find(|&i| blocks[i].kind.is_heading())
                .unwrap_or(blocks.len())
        };
        // The blocks each rule has findings in, sorted, so each heading asks with a binary search
        // rather than a pass over every finding.
        let mut blocks_of_rule: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (f, r) in findings.iter() {
            if let Some(b) = block_of(r) {
                blocks_of_rule.entry(f.rule.as_str()).or_default().push(b);
            }
        }
        for list in blocks_of_rule.values_mut() {
            list.sort_unstable();
        }
        let repeated: Vec<bool> = findings
            .iter()
            .map(|(f, r)| {
                let Some(b) = block_of(r).filter(|&b| blocks[b].kind.is_heading()) else {
                    return false;
                };
                let body = b + 1..section_end(b);
                blocks_of_rule.get(f.rule.as_str()).is_some_and(|list| {
                    let first = list.partition_point(|&gb| gb < body.start);
                    list.get(first).is_some_and(|gb| body.contains(gb))
                })
            })
            .collect();
        let mut i = 0;
        findings.retain(|_| {
            i += 1;
            !repeated[i - 1]
        });
    }

    /// The sentence that wholly contains a normalised range.
    fn sentence_of(&self, range: &Range<usize>) -> Option<usize> {
        let start = self.norm.to_prose(range.start);
        let end = self.norm.to_prose(range.end);
        let i = self.sentences.partition_point(|s| s.range.end <= start);
        let s = self.sentences.get(i)?;
        (s.range.start <= start && end <= s.range.end).then_some(i)
    }

    /// The treatment a finding is about: the one its sentence names nearest the claim (before it
    /// when there is one), else the first one the document names, else a neutral fallback.
    fn subject(&self, si: Option<usize>, claim_start: usize) -> Subject {
        let treatments = self.treatments.get_or_init(|| {
            let list = self.ruleset.cue_lists.treatments;
            let hits = self.cue_index.all();
            // Keep the longest hit at each start ("ketamine infusions" over "ketamine").
            let mut out: Vec<Range<usize>> = Vec::new();
            for hit in hits.iter().filter(|h| h.list() == list).map(CueHit::range) {
                match out.last_mut() {
                    Some(last) if hit.start < last.end => {
                        if hit.start == last.start && hit.end > last.end {
                            *last = hit;
                        }
                    }
                    _ => out.push(hit),
                }
            }
            out
        });
        let in_sentence = si.map(|si| self.sentence_norm_range(si)).and_then(|sr| {
            // Treatments are in text order: the sentence's are one run, found by binary search.
            let first = treatments.partition_point(|t| t.start < sr.start);
            let last = treatments.partition_point(|t| t.start < sr.end);
            let inside = || {
                treatments[first..last.max(first)]
                    .iter()
                    .filter(move |t| t.end <= sr.end)
            };
            inside()
                .rfind(|t| t.start <= claim_start)
                .or_else(|| inside().next())
        });
        let Some(chosen) = in_sentence.or_else(|| treatments.first()) else {
            return Subject::fallback();
        };
        let text = &self.norm.text;
        let opens_sentence = |r: &Range<usize>| {
            self.sentence_of(r).is_some_and(|si| {
                let sr = self.sentence_norm_range(si);
                text[sr.start..r.start]
                    .chars()
                    .all(|c| !c.is_alphanumeric())
            })
        };
        let written = &text[chosen.clone()];
        let at_start = opens_sentence(chosen);
        // Only a capital at a sentence start needs the page-wide look for a brand name: is the
        // name capitalised somewhere it does not open a sentence? Answered from a set built once
        // per page (a look over every treatment per finding was quadratic).
        let capitalised_elsewhere = at_start
            && written.starts_with(char::is_uppercase)
            && self
                .capitalised_mid_sentence
                .get_or_init(|| {
                    treatments
                        .iter()
                        .filter(|t| text[(*t).clone()].starts_with(char::is_uppercase))
                        .filter(|t| !opens_sentence(t))
                        .map(|t| text[t.clone()].to_ascii_lowercase())
                        .collect()
                })
                .contains(&written.to_ascii_lowercase());
        Subject::from_written(written, at_start, capitalised_elsewhere)
    }

    /// The lists of a sentence's cues (given its normalised range).
    fn sentence_lists(&self, sentence: Range<usize>) -> impl Iterator<Item = usize> + '_ {
        self.cue_index.within_iter(sentence).map(|c| c.list())
    }

    fn sentence_norm_range(&self, si: usize) -> Range<usize> {
        self.sentence_ranges[si].clone()
    }

    /// Applies context to a claim and builds its finding.
    fn judge(
        &self,
        si: usize,
        claim: &Claim,
        cues: &[CueHit],
        cited: &SentenceCitations,
    ) -> Option<(Finding, Range<usize>)> {
        let rs = self.ruleset;
        let rule = &rs.rules[claim.rule];
        let pattern = &rule.patterns[claim.pattern];
        let sentence = &self.sentences[si];
        let norm_range = self.sentence_norm_range(si);
        let sentence_text = &self.norm.text[norm_range.clone()];
        let ctx = SentenceContext {
            text: &self.norm.text,
            range: norm_range.clone(),
            cues,
            lists: rs.cue_lists,
            is_question: sentence_text.trim_end().ends_with('?'),
            in_risk_section: self
                .risk_blocks
                .get(sentence.block)
                .copied()
                .unwrap_or(false),
            citation: cited.cited.clone(),
        };
        let base = pattern.severity.unwrap_or(rule.severity);
        let (severity, mut changes) =
            match context::evaluate(&rule.context, base, &claim.range, &ctx) {
                Verdict::Suppressed(_) => return None,
                Verdict::Keep { severity, changes } => (severity, changes),
            };
        // A marker that resolves to nothing supports nothing: say so where citations matter.
        if rule.context.citation != Effect::Ignore
            && let Some(marker) = cited.unresolved.clone()
        {
            changes.push(Change {
                note: format!(
                    "the marker `{}` does not resolve to a reference on this page, so it does not \
                     lower the finding",
                    marker.text
                ),
                range: Some(marker.span),
            });
        }
        let prose_range =
            self.norm.to_prose(claim.range.start)..self.norm.to_prose(claim.range.end);
        let span = self.prose.source_range(prose_range.clone())?;
        let adjustments = changes
            .into_iter()
            .map(|c| Adjustment {
                note: c.note,
                span: c.range.and_then(|span| match span {
                    CueSpan::Source(r) => Some(r),
                    CueSpan::Norm(r) => self
                        .prose
                        .source_range(self.norm.to_prose(r.start)..self.norm.to_prose(r.end)),
                }),
            })
            .collect();
        let subject = self.subject(Some(si), claim.range.start);
        Some((
            Finding {
                adjustments,
                ..self.finding(claim.rule, &pattern.message, severity, span, &subject)
            },
            prose_range,
        ))
    }

    fn finding(
        &self,
        rule: usize,
        message: &str,
        severity: Severity,
        span: Range<usize>,
        subject: &Subject,
    ) -> Finding {
        let rule = &self.ruleset.rules[rule];
        let matched = self
            .file
            .text
            .get(span.clone())
            .unwrap_or_default()
            .to_owned();
        let shown = advice::single_spaced(&matched);
        Finding {
            rule: rule.id.clone(),
            category: rule.category.clone(),
            severity,
            span,
            message: advice::fill(message, &shown, subject),
            suggestion: advice::fill(&rule.docs.instead, &shown, subject),
            matched,
            citation_hint: rule.docs.citation_hint.clone(),
            references: rule.docs.references.clone(),
            adjustments: Vec::new(),
            document: false,
            waiver: None,
        }
    }

    /// What a sentence cites, and which of its footnote markers resolve to nothing on the page
    /// (see `rules::citations`).
    fn citation(&self, si: usize, cues: &[CueHit]) -> SentenceCitations {
        self.citations.for_sentence(si, cues)
    }

    fn document_findings(
        &self,
        findings: &[(Finding, Range<usize>)],
        triggers: &FxHashMap<usize, Trigger>,
    ) -> Vec<(Finding, Range<usize>)> {
        let rs = self.ruleset;
        let mut out = Vec::new();
        let mut page: Option<document::Page> = None;
        let to_norm = |p: &Range<usize>| self.norm.from_prose(p.start)..self.norm.from_prose(p.end);
        let by_category: Vec<(&str, Range<usize>)> = findings
            .iter()
            .map(|(f, p)| (f.category.as_str(), to_norm(p)))
            .collect();
        for (ri, rule) in rs.rules.iter().enumerate() {
            if !rule.enabled || rule.scope != Scope::Document {
                continue;
            }
            if rule.document.is_none() {
                continue;
            }
            let page = page.get_or_insert_with(|| self.page(findings));
            let own = triggers.get(&ri).map(|t| to_norm(&t.prose));
            let Some(fired) =
                document::fires(rule, &rs.data, &rs.data_lists, own, &by_category, page)
            else {
                continue;
            };
            let prose_range =
                self.norm.to_prose(fired.range.start)..self.norm.to_prose(fired.range.end);
            let Some(span) = self.prose.source_range(prose_range.clone()) else {
                continue;
            };
            let at = fired.range.start;
            let subject = self.subject(self.sentence_of(&(at..at)), at);
            out.push((
                Finding {
                    document: true,
                    ..self.finding(ri, &fired.message, rule.severity, span, &subject)
                },
                prose_range,
            ));
        }
        out
    }

    /// The page as document rules see it: sentences and blocks in normalised offsets, every cue,
    /// and the ranges of the sentence findings.
    fn page(&self, findings: &[(Finding, Range<usize>)]) -> document::Page<'_> {
        let mut blocks: Vec<document::PageBlock> = self
            .prose
            .blocks
            .iter()
            .map(|b| document::PageBlock {
                heading: match b.kind {
                    BlockKind::Heading(level) => Some(level),
                    _ => None,
                },
                sentences: 0..0,
            })
            .collect();
        let mut sentences = Vec::with_capacity(self.sentences.len());
        for (i, s) in self.sentences.iter().enumerate() {
            if let Some(b) = blocks.get_mut(s.block) {
                if b.sentences.is_empty() {
                    b.sentences = i..i;
                }
                b.sentences.end = i + 1;
            }
            sentences.push((self.sentence_norm_range(i), s.block));
        }
        document::Page {
            text: &self.norm.text,
            sentences,
            blocks,
            cues: self.cue_index.all(),
            claimed: document::merge_ranges(
                findings
                    .iter()
                    .map(|(_, p)| self.norm.from_prose(p.start)..self.norm.from_prose(p.end))
                    .collect(),
            ),
        }
    }
}

/// Marks the blocks that stand under a heading naming risks, side effects or safety.
fn risk_blocks(ruleset: &Ruleset, prose: &Prose, norm: &Normalized, cues: &CueIndex) -> Vec<bool> {
    let mut out = Vec::with_capacity(prose.blocks.len());
    // Open headings: (level, names a risk section).
    let mut stack: Vec<(u8, bool)> = Vec::new();
    for block in &prose.blocks {
        if let BlockKind::Heading(level) = block.kind {
            while stack.last().is_some_and(|&(l, _)| l >= level) {
                stack.pop();
            }
            let r = norm.from_prose(block.range.start)..norm.from_prose(block.range.end);
            let is_risk = cues
                .within_iter(r)
                .any(|c| c.list() == ruleset.cue_lists.risk_headings);
            stack.push((level, is_risk));
            out.push(is_risk);
        } else {
            out.push(stack.iter().any(|&(_, r)| r));
        }
    }
    out
}

#[cfg(test)]
mod engine_tests {
    //! End-to-end tests of the pipeline on a small in-memory ruleset, so that engine behaviour is
    //! tested independently of the shipped rule data.
    use super::*;
    use crate::rules::RulesetOptions;

    const LEXICON: &str = r#"
abbreviations = ["dr", "e.g"]
[lists]
hedges = ["may", "some patients"]
negators = ["no", "not"]
absolutes = ["always"]
citation-cues = ["et al"]
named-sources = ["according to"]
risk-headings = ["risks", "side effects"]
first-person = ["our patients"]
citation-domains = ["doi.org"]
outcome = ["relief", "respond"]
crisis = ["988"]
treatments = ["ketamine", "ketamine infusions", "spravato", "tms"]
"#;

    const CURE: &str = r#"
id = "cure-guarantee"
severity = "error"
summary = "Promises a cure."
why = "Cures need proof."
instead = "Say {subject} may help."
references = ["FTC"]
[[pattern]]
kind = "phrases"
phrases = ["cures depression", "permanent cure", "risk-free"]
message = "`{matched}` promises a cure"
"#;

    const RATE: &str = r#"
id = "efficacy-rate"
severity = "error"
summary = "A success rate."
why = "Rates need trials."
instead = "Cite the trial."
references = ["FTC"]
[context]
citation = "downgrade-to-info"
first-person = "downgrade"
hedge = "ignore"
[[pattern]]
kind = "regex"
regex = '\b\d{1,3}(\.\d+)?\s?%'
message = "`{matched}` is a success rate"
with = ["@outcome"]
"#;

    const SPEED: &str = r#"
id = "speed-claim"
severity = "warning"
summary = "Promises fast results."
why = "Onset claims need proof."
instead = "Say results vary."
references = ["FTC"]
[[pattern]]
kind = "phrases"
phrases = ["relief within minutes", "within minutes"]
message = "`{matched}` promises fast relief"
[[pattern]]
kind = "phrases"
phrases = ["rapid relief"]
severity = "info"
message = "`{matched}` is relative"
"#;

    const SUICIDE: &str = r#"
id = "suicide-safe-messaging"
severity = "warning"
scope = "document"
summary = "Mentions suicide without a crisis line."
why = "Safe messaging."
instead = "Add 988."
references = ["988"]
[document]
satisfied-by = ["@crisis"]
message = "`{matched}` is mentioned with no crisis resource on the page"
[[pattern]]
kind = "phrases"
phrases = ["suicidal thoughts"]
message = "`{matched}` mentioned"
"#;

    fn rules() -> Ruleset {
        Ruleset::from_files(
            &[
                ("lexicon.toml", LEXICON),
                ("cure-guarantee.toml", CURE),
                ("efficacy-rate.toml", RATE),
                ("speed-claim.toml", SPEED),
                ("suicide-safe-messaging.toml", SUICIDE),
            ],
            &RulesetOptions::default(),
        )
        .unwrap()
    }

    fn lint_plain(text: &str) -> Vec<Finding> {
        lint_str(&rules(), text, Format::Plain)
    }

    /// A regex that reads the byte before a number (a lead, see `gate::Lead`) runs from
    /// that byte, bounded by the number's sentence: the space before a sentence's first word
    /// belongs to no sentence.
    #[test]
    fn a_lead_regex_finds_a_number_that_opens_a_sentence_and_no_decimal() {
        const ODDS: &str = r#"
id = "odds"
severity = "warning"
summary = "Odds."
why = "w"
instead = "i"
[[pattern]]
kind = "regex"
regex = '(?:(?m:^)|[^0-9A-Za-z_.,\x80-\xff\n])[0-9]{1,3} in [0-9]{1,3}\b'
message = "`{matched}` odds"
"#;
        let rs = Ruleset::from_files(
            &[("lexicon.toml", LEXICON), ("odds.toml", ODDS)],
            &RulesetOptions::default(),
        )
        .unwrap();
        // After a sentence, at a paragraph's start (`^`), after a bracket; not after a point.
        let text = "Results vary. 9 in 10 felt better.\n\n7 in 10 did too.\n\nOnly 4.9 in 5 (3 in 4).\n\n\
             Odds: ~2 in 3. Or -1 in 2. Wow!5 in 6 agreed.";
        let found = lint_str(&rs, text, Format::Plain);
        let matched: Vec<&str> = found.iter().map(|f| f.matched.as_str()).collect();
        // The lead byte is read, not reported: "~2 in 3" is the claim "2 in 3".
        assert_eq!(
            matched,
            ["9 in 10", "7 in 10", "3 in 4", "2 in 3", "1 in 2", "5 in 6"]
        );
        // The `!` the regex read ends the sentence before; the finding is in the next one.
        let last = found.last().unwrap();
        assert_eq!(&text[last.span.clone()], "5 in 6");
    }

    /// Waiving a claim does not waive the page-level finding it triggers: a cited figure still
    /// leaves a page without risks unbalanced. The document rule is waived by its own name.
    #[test]
    fn a_waived_claim_still_triggers_its_document_rule() {
        let page = |directive_rules: &str| {
            format!(
                "<!-- claimlint-disable-next-line {directive_rules} -- figure from our 2024 audit \
                 -->\nOver 90% of patients feel better.\n"
            )
        };
        let core = Ruleset::default_rules().unwrap();
        let waived = |text: &str, rule: &str| -> Option<bool> {
            let found = lint_str(&core, text, Format::Markdown);
            found
                .iter()
                .find(|f| f.rule == rule)
                .map(|f| f.waiver.is_some())
        };
        let claim_only = page("efficacy-rate");
        assert_eq!(waived(&claim_only, "efficacy-rate"), Some(true));
        assert_eq!(waived(&claim_only, "fair-balance"), Some(false));
        let both = page("efficacy-rate, fair-balance");
        assert_eq!(waived(&both, "fair-balance"), Some(true));
    }

    #[test]
    fn phrase_matches_are_case_insensitive_and_word_bounded() {
        let f = lint_plain("Ketamine CURES Depression fast. It procures depression relief.");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].matched, "CURES Depression");
        assert_eq!(f[0].message, "`CURES Depression` promises a cure");
    }

    #[test]
    fn advice_names_the_treatment_of_the_sentence_or_the_page() {
        let suggestion = |t: &str| lint_plain(t)[0].suggestion.clone();
        // A capital that only opens the sentence is dropped; the longest name wins.
        assert_eq!(
            suggestion("Ketamine infusions are a permanent cure."),
            "Say ketamine infusions may help."
        );
        // The name nearest before the claim; acronyms kept as written.
        assert_eq!(
            suggestion("Unlike ketamine, TMS cures depression."),
            "Say TMS may help."
        );
        // A brand capitalised mid-sentence elsewhere keeps its capital.
        assert_eq!(
            suggestion("Spravato cures depression. Ask about Spravato today."),
            "Say Spravato may help."
        );
        // No name in the sentence: the page's first; none at all: a neutral fallback.
        assert_eq!(
            suggestion("We offer TMS. It cures depression."),
            "Say TMS may help."
        );
        assert_eq!(
            suggestion("It cures depression."),
            "Say this treatment may help."
        );
    }

    #[test]
    fn overlapping_hits_of_one_rule_speak_with_the_most_severe_pattern() {
        // "rapid relief" (info) starts first and overlaps "relief within minutes" (warning).
        let f = lint_plain("Rapid relief within minutes.");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].matched, "Rapid relief within minutes");
        assert_eq!(
            f[0].message,
            "`Rapid relief within minutes` promises fast relief"
        );
        assert_eq!(lint_plain("Rapid relief.")[0].severity, Severity::Info);
    }

    #[test]
    fn dash_and_space_variants_match_and_span_is_exact() {
        let text = "Our care is risk\u{2013}free and risk free.";
        let f = lint_plain(text);
        assert_eq!(f.len(), 1, "one finding per rule per sentence: {f:?}");
        assert_eq!(&text[f[0].span.clone()], "risk\u{2013}free");
    }

    #[test]
    fn phrase_over_a_line_break_and_double_space_matches() {
        let text = "It cures\r\n  depression.";
        let f = lint_plain(text);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].matched, "cures\r\n  depression");
    }

    #[test]
    fn negation_before_the_claim_removes_it() {
        assert!(lint_plain("Ketamine is not a permanent cure.").is_empty());
        assert_eq!(lint_plain("Ketamine is a permanent cure.").len(), 1);
    }

    #[test]
    fn regex_with_condition_needs_the_outcome_word() {
        assert!(lint_plain("Prices rose 20% this year.").is_empty());
        let f = lint_plain("Over 70% of people respond.");
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].rule.as_str(), f[0].severity),
            ("efficacy-rate", Severity::Error)
        );
    }

    /// A regex match stays inside the sentence it starts in: one that would run on from one
    /// paragraph into the next neither fires (it is no sentence's claim) nor hides the
    /// match that starts in that paragraph.
    #[test]
    fn a_regex_match_never_runs_past_its_sentence() {
        const APPROVAL: &str = r#"
id = "regulatory-status"
severity = "error"
summary = "Claims approval."
why = "Approval is specific."
instead = "Name the cleared use."
references = ["FDA"]
[[pattern]]
kind = "regex"
regex = '\btms\b[^.!?]{0,40}?\bfda cleared\b'
message = "`{matched}` claims clearance"
"#;
        let rules = Ruleset::from_files(
            &[
                ("lexicon.toml", LEXICON),
                ("regulatory-status.toml", APPROVAL),
            ],
            &RulesetOptions::default(),
        )
        .unwrap();
        let f = lint_str(&rules, "We offer TMS\n\nTMS is FDA cleared.", Format::Plain);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].matched, "TMS is FDA cleared");
        // Within one sentence the leftmost match still wins.
        let f = lint_str(&rules, "TMS and TMS are FDA cleared.", Format::Plain);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].matched, "TMS and TMS are FDA cleared");
    }

    #[test]
    fn a_pattern_with_cue_lists_fires_only_in_sentences_that_pass_them() {
        // The rate regex needs an `@outcome` word in its sentence; the wake-up in the first
        // sentence is skipped, the one in the second fires.
        let f = lint_plain("Prices rose 20% this year. Over 70% of people respond.");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].matched, "70%");
    }

    #[test]
    fn citation_lowers_a_rate_to_info_and_first_person_to_warning() {
        let f = lint_plain("Over 70% of people respond (Smith et al., 2019).");
        assert_eq!(f[0].severity, Severity::Info);
        assert!(
            f[0].adjustments[0].note.contains("citation"),
            "{:?}",
            f[0].adjustments
        );
        let f = lint_plain("Over 70% of our patients respond.");
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn a_resolved_markdown_footnote_lowers_a_rate_and_points_at_the_reference() {
        let text = "Over 70% of people respond.[^1]\n\n[^1]: Smith J. JAMA Psychiatry. 2019.\n";
        let f = lint_str(&rules(), text, Format::Markdown);
        assert_eq!(f[0].severity, Severity::Info, "{f:?}");
        let cue = f[0].adjustments[0].span.clone().unwrap();
        assert_eq!(&text[cue], "[^1]");
        assert!(f[0].adjustments[0].note.contains("`[^1]`"), "{f:?}");
    }

    #[test]
    fn hedge_lowers_and_absolute_raises_with_cue_spans() {
        let text = "Some patients feel relief within minutes.";
        let f = lint_plain(text);
        assert_eq!(f[0].severity, Severity::Info);
        let cue = f[0].adjustments[0].span.clone().unwrap();
        assert_eq!(&text[cue], "Some patients");
        let f = lint_plain("It always works within minutes.");
        assert_eq!(f[0].severity, Severity::Error);
    }

    #[test]
    fn a_negated_first_hit_does_not_hide_a_later_claim_of_the_same_rule() {
        let f = lint_plain("It is not a permanent cure, yet it cures depression.");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].matched, "cures depression");
    }

    #[test]
    fn words_inside_a_finding_do_not_satisfy_a_document_rule() {
        const SAFETY: &str = r#"
id = "safety-absolute"
severity = "error"
summary = "Denies risks."
why = "Every drug has risks."
instead = "Name the risks."
references = ["FTC"]
[[pattern]]
kind = "phrases"
phrases = ["no side effects"]
message = "`{matched}` denies risks"
"#;
        const FAIR: &str = r#"
id = "fair-balance"
severity = "warning"
scope = "document"
summary = "Benefits without risks."
why = "Fair balance."
instead = "Add risks."
references = ["FDA"]
[document]
satisfied-by = ["side effects"]
message = "`{matched}` with no risks on the page"
[[pattern]]
kind = "phrases"
phrases = ["fast relief"]
message = "`{matched}` is a benefit"
"#;
        let rs = Ruleset::from_files(
            &[
                ("lexicon.toml", LEXICON),
                ("safety-absolute.toml", SAFETY),
                ("fair-balance.toml", FAIR),
            ],
            &RulesetOptions::default(),
        )
        .unwrap();
        let rules_of = |text: &str| -> Vec<String> {
            lint_str(&rs, text, Format::Plain)
                .into_iter()
                .map(|f| f.rule)
                .collect()
        };
        assert_eq!(
            rules_of("Fast relief with no side effects."),
            ["fair-balance", "safety-absolute"]
        );
        assert_eq!(
            rules_of("Fast relief. Side effects include nausea."),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_heading_repeated_in_its_body_is_reported_once_on_the_body() {
        let text = "# Relief Within Minutes\n\nMost people feel relief within minutes.\n\n# Cost\n\nIt works within minutes.\n";
        let f = lint_str(&rules(), text, Format::Markdown);
        let lines: Vec<usize> = f
            .iter()
            .map(|f| text[..f.span.start].lines().count())
            .collect();
        assert_eq!(lines, [3, 7], "{f:?}");
        // A heading whose claim is not repeated below it is still reported.
        let f = lint_str(
            &rules(),
            "# Relief Within Minutes\n\nBook a visit.\n",
            Format::Markdown,
        );
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn questions_are_not_claims() {
        assert!(lint_plain("Does ketamine work within minutes?").is_empty());
    }

    #[test]
    fn claims_do_not_cross_sentences() {
        assert!(lint_plain("Nothing cures. Depression is common.").is_empty());
    }

    #[test]
    fn document_rule_fires_without_a_crisis_resource_and_points_at_the_trigger() {
        let text = "Relief for suicidal thoughts. Book now.";
        let f = lint_plain(text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "suicide-safe-messaging");
        assert!(f[0].document);
        assert_eq!(&text[f[0].span.clone()], "suicidal thoughts");
        assert!(lint_plain("Relief for suicidal thoughts. In a crisis, call 988.").is_empty());
    }

    #[test]
    fn markdown_emphasis_inside_a_phrase_still_matches_with_exact_span() {
        let text = "Ketamine *cures* **depression** today.";
        let f = lint_str(&rules(), text, Format::Markdown);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].matched, "cures* **depression");
    }

    #[test]
    fn only_option_limits_the_rules() {
        let rs = Ruleset::from_files(
            &[
                ("lexicon.toml", LEXICON),
                ("cure-guarantee.toml", CURE),
                ("speed-claim.toml", SPEED),
            ],
            &RulesetOptions {
                only: vec!["speed-claim".into()],
                ..RulesetOptions::default()
            },
        )
        .unwrap();
        let f = lint_str(&rs, "It cures depression within minutes.", Format::Plain);
        assert_eq!(
            f.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
            ["speed-claim"]
        );
    }
}
