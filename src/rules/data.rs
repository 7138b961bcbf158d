//! The fact tables of `rulesets/data/`, embedded in the binary: approved uses of products
//! (`approvals.toml`), the conditions vocabulary they refer to (`conditions.toml`) and crisis
//! lines by country (`crisis-lines.toml`). This module parses and validates them (errors point at
//! file, line and column), registers their phrases as term lists of the cue matcher, and expands
//! `{crisis-lines}` in rule text. Document rules read them through `Data` and `DataLists`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::TermRegistry;
use super::builtin;
use crate::diagnostic::SourceError;

/// Paths of the data files, as embedded.
pub const APPROVALS: &str = "rulesets/data/approvals.toml";
pub const CONDITIONS: &str = "rulesets/data/conditions.toml";
pub const CRISIS_LINES: &str = "rulesets/data/crisis-lines.toml";

/// The lexicon list that the crisis lines' phrases are added to.
pub const CRISIS_LIST: &str = "crisis-resources";

/// The placeholder in rule text that becomes the list of crisis lines.
pub const CRISIS_PLACEHOLDER: &str = "{crisis-lines}";

// ---------------------------------------------------------------------------------------------
// File schemas

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ApprovalsSpec {
    compounded_markers: Vec<String>,
    compounded_approval: String,
    any_use: String,
    promotion: PromotionSpec,
    #[serde(rename = "product")]
    products: Vec<ProductSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PromotionSpec {
    skip_sentences_with: Vec<Spanned<String>>,
    not_promoted_after: Vec<Spanned<String>>,
    not_a_use_after: Vec<String>,
    comparison_cues: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ProductSpec {
    id: Spanned<String>,
    names: Vec<String>,
    #[serde(default)]
    compounded_names: Vec<String>,
    approved: Vec<Spanned<String>>,
    approval: String,
    regulator: String,
    reference: String,
    #[serde(default)]
    not_with: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConditionsSpec {
    #[serde(default)]
    not_conditions: Vec<String>,
    #[serde(rename = "condition")]
    conditions: Vec<ConditionSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConditionSpec {
    id: Spanned<String>,
    #[serde(default)]
    broader: Option<Spanned<String>>,
    #[serde(default)]
    symptom: bool,
    phrases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CrisisSpec {
    #[serde(rename = "line")]
    lines: Vec<CrisisLine>,
}

// ---------------------------------------------------------------------------------------------
// Validated data

/// A drug, device or treatment and what it is approved or cleared for.
#[derive(Clone, Debug)]
pub struct Product {
    pub id: String,
    pub names: Vec<String>,
    /// Names that always mean a compounded form, which is approved for nothing.
    pub compounded_names: Vec<String>,
    /// Indices into `Data::conditions`.
    pub approved: Vec<usize>,
    /// What is approved, as the message says it.
    pub approval: String,
    pub regulator: String,
    pub reference: String,
    /// A sentence with one of these names the substance, not the product.
    pub not_with: Vec<String>,
}

/// A condition of the vocabulary.
#[derive(Clone, Debug)]
pub struct Condition {
    pub id: String,
    /// Index of the wider condition it belongs to.
    pub broader: Option<usize>,
    /// A symptom or wellness goal: unapproved only when no approved use is named beside it.
    pub symptom: bool,
    pub phrases: Vec<String>,
}

/// A crisis line or emergency route.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CrisisLine {
    pub region: String,
    pub name: String,
    pub help: String,
    pub phrases: Vec<String>,
    pub reference: String,
}

/// Everything in `rulesets/data/`, validated.
#[derive(Clone, Debug)]
pub struct Data {
    pub products: Vec<Product>,
    pub conditions: Vec<Condition>,
    pub crisis_lines: Vec<CrisisLine>,
    /// The approval clause for compounded forms.
    pub compounded_approval: String,
    /// Stands for the condition when a compounded form is promoted without one.
    pub any_use: String,
    compounded_markers: Vec<String>,
    not_conditions: Vec<String>,
    skip_sentences_with: Vec<Spanned<String>>,
    not_promoted_after: Vec<Spanned<String>>,
    not_a_use_after: Vec<String>,
    comparison_cues: Vec<String>,
    /// The approvals file, for errors found when its `@lists` are resolved.
    approvals_path: String,
    approvals_text: String,
}

/// Where the data's phrases are in the ruleset's term lists (indices into `Ruleset::term_lists`).
#[derive(Clone, Debug, Default)]
pub struct DataLists {
    /// Per product: its names, its compounded names, its `not-with` terms.
    pub product_names: Vec<usize>,
    pub compounded_names: Vec<usize>,
    pub not_with: Vec<usize>,
    /// Per condition: its phrases.
    pub conditions: Vec<usize>,
    pub not_conditions: usize,
    pub compounded_markers: usize,
    /// Any of these in a sentence: no product is promoted there.
    pub skip: Vec<usize>,
    /// A product named just after one of these is not promoted ("we do not prescribe ...").
    pub negators: Vec<usize>,
    /// A condition right after one of these is not a use ("needs no anesthesia").
    pub not_a_use_after: usize,
    pub comparison_cues: usize,
    /// By term list: whether it is one of `product_names` or `compounded_names`. Asked for
    /// every cue of every page with a document rule on unapproved uses.
    is_product_name: Vec<bool>,
}

impl DataLists {
    /// Whether term list `list` names a product (plainly or compounded).
    pub fn names_a_product(&self, list: usize) -> bool {
        self.is_product_name.get(list).copied().unwrap_or(false)
    }
}

/// A data file's name and text.
struct DataFile<'a> {
    path: &'a str,
    text: &'a str,
}

impl DataFile<'_> {
    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, SourceError> {
        toml::from_str(self.text)
            .map_err(|e| SourceError::new(self.path, self.text, e.span(), e.message().trim()))
    }

    fn error(&self, span: std::ops::Range<usize>, message: String) -> SourceError {
        SourceError::new(self.path, self.text, Some(span), message)
    }
}

impl Data {
    /// The data embedded in the binary.
    pub fn builtin() -> Result<Data, SourceError> {
        let get = |path: &'static str| -> Result<&'static str, SourceError> {
            builtin::DATA
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, text)| *text)
                .ok_or_else(|| SourceError::new(path, "", None, "data file is not embedded"))
        };
        Data::parse(
            (APPROVALS, get(APPROVALS)?),
            (CONDITIONS, get(CONDITIONS)?),
            (CRISIS_LINES, get(CRISIS_LINES)?),
        )
    }

    /// Parses and cross-checks the three files, each given as `(path, text)`.
    pub fn parse(
        approvals: (&str, &str),
        conditions: (&str, &str),
        crisis_lines: (&str, &str),
    ) -> Result<Data, SourceError> {
        let cond_file = DataFile {
            path: conditions.0,
            text: conditions.1,
        };
        let cond_spec: ConditionsSpec = cond_file.parse()?;
        let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
        for (i, c) in cond_spec.conditions.iter().enumerate() {
            check_id(&cond_file, &c.id, "condition")?;
            if by_id.insert(c.id.get_ref().clone(), i).is_some() {
                return Err(cond_file.error(
                    c.id.span(),
                    format!("duplicate condition id `{}`", c.id.get_ref()),
                ));
            }
            if c.phrases.is_empty() {
                return Err(cond_file.error(
                    c.id.span(),
                    format!("condition `{}` has no phrases", c.id.get_ref()),
                ));
            }
        }
        let mut conditions_out = Vec::new();
        for c in &cond_spec.conditions {
            let broader = match &c.broader {
                None => None,
                Some(b) => Some(*by_id.get(b.get_ref()).ok_or_else(|| {
                    cond_file.error(b.span(), format!("unknown condition `{}`", b.get_ref()))
                })?),
            };
            conditions_out.push(Condition {
                id: c.id.get_ref().clone(),
                broader,
                symptom: c.symptom,
                phrases: c.phrases.clone(),
            });
        }
        // A `broader` chain must end: a cycle would make "is this narrower" loop forever.
        for (i, c) in cond_spec.conditions.iter().enumerate() {
            let mut at = conditions_out[i].broader;
            let mut steps = 0;
            while let Some(j) = at {
                steps += 1;
                if j == i || steps > conditions_out.len() {
                    let span = c.broader.as_ref().map_or(c.id.span(), |b| b.span());
                    return Err(cond_file.error(
                        span,
                        format!("condition `{}` is broader than itself", c.id.get_ref()),
                    ));
                }
                at = conditions_out[j].broader;
            }
        }

        let app_file = DataFile {
            path: approvals.0,
            text: approvals.1,
        };
        let app_spec: ApprovalsSpec = app_file.parse()?;
        let mut products = Vec::new();
        let mut seen = BTreeMap::new();
        for p in app_spec.products {
            check_id(&app_file, &p.id, "product")?;
            if seen.insert(p.id.get_ref().clone(), ()).is_some() {
                return Err(app_file.error(
                    p.id.span(),
                    format!("duplicate product id `{}`", p.id.get_ref()),
                ));
            }
            if p.names.is_empty() {
                return Err(app_file.error(
                    p.id.span(),
                    format!("product `{}` has no names", p.id.get_ref()),
                ));
            }
            let approved = p
                .approved
                .iter()
                .map(|a| {
                    by_id.get(a.get_ref()).copied().ok_or_else(|| {
                        app_file.error(
                            a.span(),
                            format!(
                                "product `{}`: unknown condition `{}` (conditions are defined in {})",
                                p.id.get_ref(),
                                a.get_ref(),
                                cond_file.path
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            products.push(Product {
                id: p.id.into_inner(),
                names: p.names,
                compounded_names: p.compounded_names,
                approved,
                approval: p.approval,
                regulator: p.regulator,
                reference: p.reference,
                not_with: p.not_with,
            });
        }

        let crisis_file = DataFile {
            path: crisis_lines.0,
            text: crisis_lines.1,
        };
        let crisis: CrisisSpec = crisis_file.parse()?;

        Ok(Data {
            products,
            conditions: conditions_out,
            crisis_lines: crisis.lines,
            compounded_approval: app_spec.compounded_approval,
            any_use: app_spec.any_use,
            compounded_markers: app_spec.compounded_markers,
            not_conditions: cond_spec.not_conditions,
            skip_sentences_with: app_spec.promotion.skip_sentences_with,
            not_promoted_after: app_spec.promotion.not_promoted_after,
            not_a_use_after: app_spec.promotion.not_a_use_after,
            comparison_cues: app_spec.promotion.comparison_cues,
            approvals_path: approvals.0.to_owned(),
            approvals_text: approvals.1.to_owned(),
        })
    }

    /// Adds the crisis lines' phrases to the lexicon list `@crisis-resources`, before the lists
    /// are interned, so every rule that names that list recognises them.
    pub(crate) fn extend_lexicon(&self, lists: &mut BTreeMap<String, Vec<String>>) {
        let list = lists.entry(CRISIS_LIST.to_owned()).or_default();
        for line in &self.crisis_lines {
            list.extend(line.phrases.iter().cloned());
        }
    }

    /// Registers the approvals and conditions phrases as term lists. Names start with `#`, which
    /// a rule's `@list` or ad-hoc term can never produce, so they cannot collide.
    pub(super) fn register(&self, registry: &mut TermRegistry) -> Result<DataLists, SourceError> {
        let mut lists = DataLists::default();
        for p in &self.products {
            lists
                .product_names
                .push(registry.intern(format!("#product/{}", p.id), p.names.clone()));
            lists.compounded_names.push(registry.intern(
                format!("#product/{}/compounded", p.id),
                p.compounded_names.clone(),
            ));
            lists
                .not_with
                .push(registry.intern(format!("#product/{}/not-with", p.id), p.not_with.clone()));
        }
        for c in &self.conditions {
            lists
                .conditions
                .push(registry.intern(format!("#condition/{}", c.id), c.phrases.clone()));
        }
        lists.not_conditions =
            registry.intern("#not-conditions".into(), self.not_conditions.clone());
        lists.compounded_markers = registry.intern(
            "#compounded-markers".into(),
            self.compounded_markers.clone(),
        );
        lists.comparison_cues =
            registry.intern("#comparison-cues".into(), self.comparison_cues.clone());
        lists.not_a_use_after =
            registry.intern("#not-a-use-after".into(), self.not_a_use_after.clone());
        for &list in lists.product_names.iter().chain(&lists.compounded_names) {
            if lists.is_product_name.len() <= list {
                lists.is_product_name.resize(list + 1, false);
            }
            lists.is_product_name[list] = true;
        }
        let file = DataFile {
            path: &self.approvals_path,
            text: &self.approvals_text,
        };
        // An `@list` the loaded lexicon lacks (a test's small in-memory lexicon) is empty;
        // `every_data_list_reference_is_in_the_core_lexicon` guards the embedded data.
        let mut resolve = |term: &Spanned<String>, key: &str| match term.get_ref().strip_prefix('@')
        {
            Some(name) => Ok(registry.list(name)),
            None => registry
                .resolve(term.get_ref())
                .map_err(|m| file.error(term.span(), format!("{key}: {m}"))),
        };
        for term in &self.skip_sentences_with {
            lists.skip.push(resolve(term, "skip-sentences-with")?);
        }
        for term in &self.not_promoted_after {
            lists.negators.push(resolve(term, "not-promoted-after")?);
        }
        Ok(lists)
    }

    /// Whether `product` is approved for `condition`: the condition itself, a wider condition of
    /// an approved one (the page speaks generally: "Spravato for depression"), or a narrower form
    /// of an approved one ("TMS for treatment-resistant depression").
    pub fn approves(&self, product: usize, condition: usize) -> bool {
        self.products[product]
            .approved
            .iter()
            .any(|&a| a == condition || self.within(a, condition) || self.within(condition, a))
    }

    /// Whether `narrow` lies (strictly) under `wide` in the `broader` chain.
    fn within(&self, narrow: usize, wide: usize) -> bool {
        let mut at = self.conditions[narrow].broader;
        while let Some(c) = at {
            if c == wide {
                return true;
            }
            at = self.conditions[c].broader;
        }
        false
    }

    /// The crisis lines as one line of advice: "US: call or text 988 (...); UK and Ireland: ...".
    pub fn crisis_help(&self) -> String {
        self.crisis_lines
            .iter()
            .map(|l| format!("{}: {}", l.region, l.help))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Replaces `{crisis-lines}` in rule text.
    pub fn expand(&self, text: &str) -> String {
        if text.contains(CRISIS_PLACEHOLDER) {
            text.replace(CRISIS_PLACEHOLDER, &self.crisis_help())
        } else {
            text.to_owned()
        }
    }
}

fn check_id(file: &DataFile, id: &Spanned<String>, what: &str) -> Result<(), SourceError> {
    let s = id.get_ref();
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(file.error(
            id.span(),
            format!("{what} id `{s}` must be kebab-case (a-z, 0-9, -)"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_normalised(what: &str, list: &[String]) {
        for w in list {
            assert_eq!(w, &w.to_lowercase(), "{what}: {w:?} is not lowercase");
            assert_eq!(w, w.trim(), "{what}: {w:?} has outer spaces");
        }
        let mut sorted = list.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(list, &sorted[..], "{what}: not sorted and deduplicated");
    }

    #[test]
    fn the_embedded_data_loads() {
        let data = Data::builtin().expect("rulesets/data loads");
        let ids: Vec<&str> = data.products.iter().map(|p| p.id.as_str()).collect();
        for required in [
            "ketamine",
            "esketamine",
            "semaglutide",
            "tirzepatide",
            "testosterone",
            "stem-cells",
            "exosomes",
            "cbd",
            "nad",
            "hyperbaric-oxygen",
            "tms",
        ] {
            assert!(ids.contains(&required), "no product `{required}`");
        }
        let regions: Vec<&str> = data
            .crisis_lines
            .iter()
            .map(|l| l.region.as_str())
            .collect();
        for required in ["US", "UK and Ireland", "Canada", "Australia", "New Zealand"] {
            assert!(regions.contains(&required), "no crisis line for {required}");
        }
    }

    #[test]
    fn embedded_phrase_lists_are_lowercase_sorted_and_unique() {
        let data = Data::builtin().unwrap();
        for p in &data.products {
            assert_normalised(&format!("product {} names", p.id), &p.names);
            assert_normalised(&format!("product {} compounded", p.id), &p.compounded_names);
            assert_normalised(&format!("product {} not-with", p.id), &p.not_with);
            let mut approved: Vec<String> = p
                .approved
                .iter()
                .map(|&c| data.conditions[c].id.clone())
                .collect();
            let listed = approved.clone();
            approved.sort();
            assert_eq!(listed, approved, "product {} approved: not sorted", p.id);
        }
        for c in &data.conditions {
            assert_normalised(&format!("condition {}", c.id), &c.phrases);
        }
        for l in &data.crisis_lines {
            assert_normalised(&format!("crisis line {}", l.name), &l.phrases);
        }
        assert_normalised("compounded-markers", &data.compounded_markers);
        assert_normalised("not-conditions", &data.not_conditions);
        assert_normalised("comparison-cues", &data.comparison_cues);
        assert_normalised("not-a-use-after", &data.not_a_use_after);
        let skip: Vec<String> = data
            .skip_sentences_with
            .iter()
            .map(|s| s.get_ref().clone())
            .collect();
        assert_normalised("skip-sentences-with", &skip);
    }

    #[test]
    fn every_data_list_reference_is_in_the_core_lexicon() {
        let data = Data::builtin().unwrap();
        let lexicon = builtin::get("core")
            .unwrap()
            .iter()
            .find(|(p, _)| p.ends_with("lexicon.toml"))
            .map(|(_, t)| *t)
            .unwrap();
        let lexicon: crate::rules::spec::LexiconSpec = toml::from_str(lexicon).unwrap();
        for term in data
            .skip_sentences_with
            .iter()
            .chain(&data.not_promoted_after)
        {
            if let Some(name) = term.get_ref().strip_prefix('@') {
                assert!(
                    lexicon.lists.contains_key(name),
                    "{APPROVALS}: `@{name}` is not a list of rulesets/lexicon.toml"
                );
            }
        }
    }

    #[test]
    fn approval_covers_wider_and_narrower_conditions_but_not_siblings() {
        let data = Data::builtin().unwrap();
        let product = |id: &str| data.products.iter().position(|p| p.id == id).unwrap();
        let condition = |id: &str| data.conditions.iter().position(|c| c.id == id).unwrap();
        let esketamine = product("esketamine");
        assert!(data.approves(esketamine, condition("treatment-resistant-depression")));
        assert!(data.approves(esketamine, condition("depression")));
        assert!(!data.approves(esketamine, condition("ptsd")));
        let tms = product("tms");
        assert!(data.approves(tms, condition("treatment-resistant-depression")));
        assert!(!data.approves(tms, condition("anxiety")));
        let ketamine = product("ketamine");
        assert!(!data.approves(ketamine, condition("depression")));
        assert!(data.approves(ketamine, condition("anesthesia")));
        let testosterone = product("testosterone");
        assert!(data.approves(testosterone, condition("low-testosterone")));
        assert!(!data.approves(testosterone, condition("age-related-low-testosterone")));
        let ozempic = product("ozempic");
        assert!(data.approves(ozempic, condition("diabetes")));
        assert!(!data.approves(ozempic, condition("type-1-diabetes")));
        assert!(!data.approves(ozempic, condition("weight-management")));
    }

    #[test]
    fn crisis_help_lists_every_line_and_expands_in_rule_text() {
        let data = Data::builtin().unwrap();
        let help = data.expand("Add a crisis box: {crisis-lines}.");
        assert!(
            help.starts_with("Add a crisis box: US: call or text 988"),
            "{help}"
        );
        assert!(help.contains("116 123"), "{help}");
        assert!(help.contains("13 11 14"), "{help}");
        assert!(!help.contains("{crisis-lines}"));
        assert_eq!(data.expand("no placeholder"), "no placeholder");
    }

    const APPROVALS_OK: &str = r#"
compounded-markers = ["compounded"]
compounded-approval = "compounded drugs are not approved"
any-use = "an unapproved use"
[promotion]
skip-sentences-with = ["side effects"]
not-promoted-after = ["not"]
not-a-use-after = ["no"]
comparison-cues = ["unlike"]
[[product]]
id = "ketamine"
names = ["ketamine"]
approved = ["anesthesia"]
approval = "ketamine is approved as an anesthetic"
regulator = "FDA"
reference = "label"
"#;

    const CONDITIONS_OK: &str = r#"
[[condition]]
id = "anesthesia"
phrases = ["anesthesia"]
"#;

    const CRISIS_OK: &str = r#"
[[line]]
region = "US"
name = "988"
help = "call or text 988"
phrases = ["988"]
reference = "https://988lifeline.org"
"#;

    fn error_of(approvals: &str, conditions: &str, crisis: &str) -> String {
        let e = Data::parse(
            ("approvals.toml", approvals),
            ("conditions.toml", conditions),
            ("crisis-lines.toml", crisis),
        )
        .expect_err("bad data is an error");
        let (line, col) = e.line_col().expect("the error has a position");
        format!("{}:{line}:{col}: {}", e.path, e.message)
    }

    #[test]
    fn small_valid_files_parse() {
        let data =
            Data::parse(("a", APPROVALS_OK), ("c", CONDITIONS_OK), ("l", CRISIS_OK)).unwrap();
        assert_eq!(data.products[0].approved, [0]);
    }

    #[test]
    fn an_unknown_condition_points_at_its_line_and_column() {
        let bad = APPROVALS_OK.replace(
            r#"approved = ["anesthesia"]"#,
            r#"approved = ["anesthesa"]"#,
        );
        assert_eq!(
            error_of(&bad, CONDITIONS_OK, CRISIS_OK),
            "approvals.toml:13:13: product `ketamine`: unknown condition `anesthesa` (conditions are defined in conditions.toml)"
        );
    }

    #[test]
    fn a_misspelled_key_points_at_its_line() {
        let bad = CRISIS_OK.replace("help =", "hlep =");
        let e = error_of(APPROVALS_OK, CONDITIONS_OK, &bad);
        assert!(
            e.starts_with("crisis-lines.toml:5:1: unknown field `hlep`"),
            "{e}"
        );
    }

    #[test]
    fn a_broader_cycle_is_an_error() {
        let cyclic = r#"
[[condition]]
id = "a"
broader = "b"
phrases = ["a"]
[[condition]]
id = "b"
broader = "a"
phrases = ["b"]
"#;
        let e = error_of(
            &APPROVALS_OK.replace(r#"["anesthesia"]"#, r#"["a"]"#),
            cyclic,
            CRISIS_OK,
        );
        assert!(
            e.contains("conditions.toml:4:11: condition `a` is broader than itself"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_id_and_a_duplicate_id_are_errors() {
        let e = error_of(
            APPROVALS_OK,
            &CONDITIONS_OK.replace(r#"id = "anesthesia""#, r#"id = "Anesthesia""#),
            CRISIS_OK,
        );
        assert!(
            e.contains("conditions.toml:3:6: condition id `Anesthesia` must be kebab-case"),
            "{e}"
        );
        let twice = format!("{CONDITIONS_OK}{CONDITIONS_OK}");
        let e = error_of(APPROVALS_OK, &twice, CRISIS_OK);
        assert!(e.contains("duplicate condition id `anesthesia`"), "{e}");
    }
}
