//! Configuration: finding `claimlint.toml` or `.claimlint.toml` (walking up from the current
//! directory), parsing it strictly (kebab-case keys, unknown keys are errors that point at file,
//! line and column), and merging it with command-line overrides into `Settings`, the resolved
//! values a run uses. CLI flags win over the file; the file wins over built-in defaults.
//!
//! Values that name something (rule ids, globs, ruleset paths) are kept with their spans, so an
//! error found later, such as an unknown rule id when the rulesets load, still points at the line
//! of the config that caused it.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostic::SourceError;
use crate::extract::Format;
use crate::finding::Severity;
use crate::rules::{Ruleset, RulesetError, RulesetOptions};
use crate::walk::{self, GlobList, PathFilter, WalkOptions};

/// Config file names, in order of preference within one directory.
pub const CONFIG_NAMES: [&str; 2] = ["claimlint.toml", ".claimlint.toml"];

/// The starter config `claimlint init` writes. Every key is shown, commented out at its default.
pub const STARTER: &str = r#"# claimlint configuration. Paths and globs are relative to this file.
# Run `claimlint config` to see the effective settings, `claimlint rules` to list the rules.

# Built-in rulesets to load (an empty list means ["core"]).
# rulesets = ["core"]

# Your own rule files, or directories of rule files (*.toml).
# extra-rulesets = ["claimlint-rules/"]

# Turn rules or categories on (also rules that are off by default) or off.
# enable = []
# disable = []

# Which files to lint, in .gitignore syntax. .gitignore, .ignore and .claimlintignore also apply.
# include = ["content/", "*.html"]
# exclude = ["drafts/", "CHANGELOG.md"]

# Exit with code 1 when a finding at or above this severity is shown: error, warning, info, never.
# fail-on = "error"

# Hide findings below this severity: error, warning or info.
# min-severity = "info"

# Skip (with a note) files larger than this: bytes, or with a K, M or G suffix.
# max-filesize = "16M"

# Change the severity of a rule or category: "error", "warning" or "info".
# [severity]
# efficacy-rate = "warning"

# More extensions and their formats: "markdown", "html" or "plain". Built in: md, markdown and
# mdx are markdown; html and htm are html; txt is plain.
# [extensions]
# mdown = "markdown"
"#;

/// When a run fails (exit code 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    /// The lowest severity that fails the run, if any.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Info => "info",
            FailOn::Never => "never",
        }
    }
}

/// `claimlint.toml` as written. Every key is optional; spans are kept for later errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    pub rulesets: Option<Vec<Spanned<String>>>,
    pub extra_rulesets: Option<Vec<Spanned<String>>>,
    pub enable: Option<Vec<Spanned<String>>>,
    pub disable: Option<Vec<Spanned<String>>>,
    pub severity: Option<BTreeMap<Spanned<String>, Severity>>,
    pub include: Option<Vec<Spanned<String>>>,
    pub exclude: Option<Vec<Spanned<String>>>,
    pub extensions: Option<BTreeMap<Spanned<String>, Format>>,
    pub fail_on: Option<FailOn>,
    pub min_severity: Option<Severity>,
    pub max_filesize: Option<Spanned<FileSize>>,
}

/// A `max-filesize` value as written: a number of bytes or a string such as `"16M"`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum FileSize {
    Bytes(u64),
    Text(String),
}

/// A parsed config file.
#[derive(Debug)]
pub struct ConfigFile {
    /// Where it is.
    pub path: PathBuf,
    /// How messages name it (relative to the current directory when under it).
    pub display: String,
    pub text: String,
    pub raw: RawConfig,
}

impl ConfigFile {
    /// Reads and parses a config file.
    pub fn load(path: &Path, cwd: &Path) -> Result<ConfigFile, SettingsError> {
        let display = display_relative(cwd, path);
        let text = std::fs::read_to_string(path).map_err(|error| SettingsError::Io {
            path: display.clone(),
            error,
        })?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| {
            SourceError::new(
                display.as_str(),
                text.as_str(),
                e.span(),
                e.message().trim(),
            )
        })?;
        Ok(ConfigFile {
            path: path.to_path_buf(),
            display,
            text,
            raw,
        })
    }

    /// The directory its relative paths and globs start from.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    fn error(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> SourceError {
        SourceError::new(
            self.display.as_str(),
            self.text.as_str(),
            Some(span),
            message,
        )
    }
}

/// Finds the config file for `start`: the first directory, walking up, that holds
/// `claimlint.toml` or `.claimlint.toml`.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        CONFIG_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Values from the command line that override the config file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Built-in rulesets; replaces the config's `rulesets` when non-empty.
    pub rulesets: Vec<String>,
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    /// Run only these rules or categories.
    pub only: Vec<String>,
    pub fail_on: Option<FailOn>,
    pub min_severity: Option<Severity>,
    /// `--max-filesize`, in bytes.
    pub max_filesize: Option<u64>,
}

/// Why settings could not be resolved or rules loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read config file {path}: {}", walk::io_message(error))]
    Io { path: String, error: io::Error },
    /// An error in the config file (or a ruleset file), with its location.
    #[error("{0}")]
    Source(#[from] SourceError),
    #[error("{0}")]
    Ruleset(#[from] RulesetError),
    /// A bad command-line value.
    #[error("{0}")]
    Usage(String),
}

/// Resolved settings: the config file merged with overrides and defaults.
#[derive(Debug)]
pub struct Settings {
    pub config: Option<ConfigFile>,
    pub cwd: PathBuf,
    /// Directory the globs are relative to: the config file's, or the current one.
    pub root: PathBuf,
    pub rulesets: Vec<String>,
    /// User ruleset paths as they are opened (relative to the current directory when possible).
    pub extra_rulesets: Vec<PathBuf>,
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    pub only: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub extensions: BTreeMap<String, Format>,
    pub fail_on: FailOn,
    pub min_severity: Severity,
    /// Files larger than this many bytes are skipped with a note.
    pub max_filesize: u64,
    pub filter: PathFilter,
}

/// Whether a rule selection names the engine's directive rule (by id or category).
fn is_directive_rule(id: &str) -> bool {
    id == crate::suppress::DIRECTIVE_RULE || id == crate::suppress::DIRECTIVE_CATEGORY
}

fn strings(list: &Option<Vec<Spanned<String>>>) -> Vec<String> {
    list.iter().flatten().map(|s| s.get_ref().clone()).collect()
}

impl Settings {
    /// Merges a config file (if any) with command-line overrides.
    pub fn resolve(
        config: Option<ConfigFile>,
        cwd: &Path,
        o: &Overrides,
    ) -> Result<Settings, SettingsError> {
        let empty = RawConfig::default();
        let raw = config.as_ref().map_or(&empty, |c| &c.raw);
        let root = config
            .as_ref()
            .map_or_else(|| cwd.to_path_buf(), |c| walk::absolute(cwd, c.dir()));

        let rulesets = if o.rulesets.is_empty() {
            strings(&raw.rulesets)
        } else {
            o.rulesets.clone()
        };
        let extra_rulesets = strings(&raw.extra_rulesets)
            .iter()
            .map(|p| relative_to_cwd(cwd, &root.join(p)))
            .collect();
        // A flag beats the file: `--enable x` undoes `disable = ["x"]` and the other way round.
        let mut enable: Vec<String> = strings(&raw.enable)
            .into_iter()
            .filter(|id| !o.disable.contains(id))
            .collect();
        enable.extend(o.enable.iter().cloned());
        let mut disable: Vec<String> = strings(&raw.disable)
            .into_iter()
            .filter(|id| !o.enable.contains(id))
            .collect();
        disable.extend(o.disable.iter().cloned());
        let severity = raw
            .severity
            .iter()
            .flatten()
            .map(|(k, v)| (k.get_ref().clone(), *v))
            .collect();

        let mut extensions = walk::default_extensions();
        for (ext, format) in raw.extensions.iter().flatten() {
            let key = ext.get_ref().trim_start_matches('.').to_ascii_lowercase();
            if key.is_empty() || key.contains(['/', '\\', '*']) {
                let c = config.as_ref().expect("extensions come from a config file");
                return Err(c
                    .error(
                        ext.span(),
                        format!("`{}` is not a file extension", ext.get_ref()),
                    )
                    .with_note("write extensions without the dot, e.g. `mdown = \"markdown\"`")
                    .into());
            }
            extensions.insert(key, *format);
        }

        let include = strings(&raw.include);
        let exclude = strings(&raw.exclude);
        let filter = {
            let inc: Vec<&str> = include.iter().map(String::as_str).collect();
            let exc: Vec<&str> = exclude.iter().map(String::as_str).collect();
            PathFilter::new(&root, &inc, &exc).map_err(|e| {
                let c = config.as_ref().expect("globs come from a config file");
                let list = match e.list {
                    GlobList::Include => &raw.include,
                    GlobList::Exclude => &raw.exclude,
                };
                let span = list
                    .as_ref()
                    .and_then(|l| l.get(e.index))
                    .map(Spanned::span);
                SettingsError::from(SourceError::new(
                    c.display.as_str(),
                    c.text.as_str(),
                    span,
                    format!("invalid glob: {}", e.message),
                ))
            })?
        };

        let max_filesize = match (o.max_filesize, &raw.max_filesize) {
            (Some(bytes), _) => bytes,
            (None, None) => walk::DEFAULT_MAX_FILESIZE,
            (None, Some(size)) => match size.get_ref() {
                FileSize::Bytes(bytes) => *bytes,
                FileSize::Text(text) => walk::parse_size(text).map_err(|message| {
                    let c = config
                        .as_ref()
                        .expect("max-filesize comes from a config file");
                    SettingsError::from(c.error(size.span(), message))
                })?,
            },
        };

        Ok(Settings {
            cwd: cwd.to_path_buf(),
            root,
            rulesets,
            extra_rulesets,
            enable,
            disable,
            only: o.only.clone(),
            severity,
            include,
            exclude,
            extensions,
            fail_on: o.fail_on.or(raw.fail_on).unwrap_or_default(),
            min_severity: o
                .min_severity
                .or(raw.min_severity)
                .unwrap_or(Severity::Info),
            max_filesize,
            filter,
            config,
        })
    }

    /// The options for `Ruleset::load`.
    pub fn ruleset_options(&self) -> RulesetOptions {
        // The engine's directive rule is not in any ruleset: `directive_findings`,
        // `directive_severity` and `only_directives` answer for it. The loader knows its name,
        // so it may stand in a selection with other rules.
        let of_rulesets = |ids: &[String]| -> Vec<String> {
            ids.iter()
                .filter(|id| !is_directive_rule(id))
                .cloned()
                .collect()
        };
        RulesetOptions {
            builtin: self.rulesets.clone(),
            paths: self.extra_rulesets.clone(),
            enable: of_rulesets(&self.enable),
            disable: of_rulesets(&self.disable),
            only: if self.only_directives() {
                Vec::new()
            } else {
                self.only.clone()
            },
            severity: self.severity.clone(),
        }
    }

    /// Whether the rule selection is the directive rule alone (`--rule claimlint-directive`):
    /// the run then checks the waiver comments only, judged against the rules it would check
    /// otherwise (so a waiver that waives nothing is still found), and reports nothing else.
    pub fn only_directives(&self) -> bool {
        !self.only.is_empty() && self.only.iter().all(|id| is_directive_rule(id))
    }

    /// Whether problems with `claimlint-*` directives are reported (`claimlint-directive`, or
    /// its category `directive`, in `disable` turns them off; waivers still apply).
    pub fn directive_findings(&self) -> bool {
        // Selecting it wins over disabling it, as for any rule.
        self.only.iter().any(|id| is_directive_rule(id))
            || !self.disable.iter().any(|id| is_directive_rule(id))
    }

    /// The pipeline's options for this run: `inline_config` (off with `--no-inline-config`) and
    /// how problems with directives are reported.
    pub fn lint_options(&self, inline_config: bool) -> crate::lint::LintOptions {
        crate::lint::LintOptions {
            inline_config,
            directive_findings: self.directive_findings(),
            directive_severity: self.directive_severity(),
            only_directive_findings: self.only_directives(),
        }
    }

    /// The severity of `claimlint-directive` findings: `[severity]` for the rule id, else for its
    /// category `directive`, else warning.
    pub fn directive_severity(&self) -> Severity {
        self.severity
            .get(crate::suppress::DIRECTIVE_RULE)
            .or_else(|| self.severity.get(crate::suppress::DIRECTIVE_CATEGORY))
            .copied()
            .unwrap_or(Severity::Warning)
    }

    /// The options for walking files.
    pub fn walk_options(&self) -> WalkOptions {
        WalkOptions {
            cwd: self.cwd.clone(),
            extensions: self.extensions.clone(),
            filter: self.filter.clone(),
        }
    }

    /// Loads the rulesets. Errors caused by a config value point at that value.
    pub fn load_rules(&self) -> Result<Ruleset, SettingsError> {
        let opts = self.ruleset_options();
        match Ruleset::load(&opts) {
            Ok(r) => Ok(r),
            Err(RulesetError::UnknownRule { id, setting }) => {
                // Load again without the selections, only to suggest a close rule id.
                let plain = RulesetOptions {
                    builtin: opts.builtin.clone(),
                    paths: opts.paths.clone(),
                    ..RulesetOptions::default()
                };
                let known: Vec<String> = Ruleset::load(&plain)
                    .map(|r| {
                        r.rules
                            .iter()
                            .flat_map(|x| [x.id.clone(), x.category.clone()])
                            .collect()
                    })
                    .unwrap_or_default();
                let hint = match did_you_mean(&id, known.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "`claimlint rules` lists the rules".to_owned(),
                };
                Err(self.unknown_rule(&id, &setting, &hint))
            }
            Err(RulesetError::UnknownRuleset(name)) => {
                let message = RulesetError::UnknownRuleset(name.clone()).to_string();
                match self.config_span(|r| r.rulesets.as_ref(), &name) {
                    Some((c, span)) => Err(c.error(span, message).into()),
                    None => Err(SettingsError::Usage(format!("{message} (in --ruleset)"))),
                }
            }
            Err(RulesetError::Io { path, error }) => {
                let message = format!("cannot read ruleset {path}: {}", walk::io_message(&error));
                let c = self.config.as_ref();
                let span = c.and_then(|c| {
                    let list = c.raw.extra_rulesets.as_ref()?;
                    list.iter()
                        .find(|p| {
                            let opened = relative_to_cwd(&self.cwd, &self.root.join(p.get_ref()));
                            Path::new(&path).starts_with(&opened)
                        })
                        .map(|p| (c, p.span()))
                });
                match span {
                    Some((c, span)) => Err(c.error(span, message).into()),
                    None => Err(RulesetError::Io { path, error }.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The span of `value` in a list of the config file.
    fn config_span(
        &self,
        list: impl Fn(&RawConfig) -> Option<&Vec<Spanned<String>>>,
        value: &str,
    ) -> Option<(&ConfigFile, std::ops::Range<usize>)> {
        let c = self.config.as_ref()?;
        let item = list(&c.raw)?.iter().find(|s| s.get_ref() == value)?;
        Some((c, item.span()))
    }

    fn unknown_rule(&self, id: &str, setting: &str, hint: &str) -> SettingsError {
        let in_config = match setting {
            "enable" => self.config_span(|r| r.enable.as_ref(), id),
            "disable" => self.config_span(|r| r.disable.as_ref(), id),
            "severity" => self.config.as_ref().and_then(|c| {
                let (k, _) = c
                    .raw
                    .severity
                    .as_ref()?
                    .iter()
                    .find(|(k, _)| k.get_ref() == id)?;
                Some((c, k.span()))
            }),
            _ => None,
        };
        match in_config {
            Some((c, span)) => c
                .error(span, format!("unknown rule `{id}` in `{setting}`"))
                .with_note(hint)
                .into(),
            None => {
                let flag = match setting {
                    "enable" => "--enable",
                    "disable" => "--disable",
                    "severity" => "[severity]",
                    _ => "--rule",
                };
                SettingsError::Usage(format!("unknown rule `{id}` in {flag} ({hint})"))
            }
        }
    }

    /// The effective settings as TOML, for `claimlint config`.
    pub fn to_toml(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "kebab-case")]
        struct Effective<'a> {
            rulesets: Vec<String>,
            extra_rulesets: Vec<String>,
            enable: &'a [String],
            disable: &'a [String],
            include: &'a [String],
            exclude: &'a [String],
            fail_on: &'static str,
            min_severity: &'static str,
            max_filesize: u64,
            severity: BTreeMap<&'a str, &'static str>,
            extensions: BTreeMap<&'a str, &'static str>,
        }
        let rulesets = if self.rulesets.is_empty() {
            vec!["core".to_owned()]
        } else {
            self.rulesets.clone()
        };
        let effective = Effective {
            rulesets,
            // As written: relative to the config file, like the file itself says.
            extra_rulesets: self
                .config
                .as_ref()
                .map(|c| strings(&c.raw.extra_rulesets))
                .unwrap_or_default(),
            enable: &self.enable,
            disable: &self.disable,
            include: &self.include,
            exclude: &self.exclude,
            fail_on: self.fail_on.name(),
            min_severity: self.min_severity.name(),
            max_filesize: self.max_filesize,
            severity: self
                .severity
                .iter()
                .map(|(k, v)| (k.as_str(), v.name()))
                .collect(),
            extensions: self
                .extensions
                .iter()
                .map(|(k, v)| (k.as_str(), v.name()))
                .collect(),
        };
        let header = match &self.config {
            Some(c) => format!("# config file: {}\n", c.display),
            None => "# no config file: built-in defaults\n".to_owned(),
        };
        let body = toml::to_string(&effective).unwrap_or_else(|e| format!("# cannot show: {e}\n"));
        format!("{header}{body}")
    }
}

/// The closest candidate to a misspelled name, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|&(score, _)| score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// How to name a path in messages: relative to `cwd` when it lies under it, absolute otherwise.
pub fn display_relative(cwd: &Path, path: &Path) -> String {
    walk::display_path(&relative_to_cwd(cwd, path))
}

fn relative_to_cwd(cwd: &Path, path: &Path) -> PathBuf {
    let abs = walk::absolute(cwd, path);
    match abs.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => abs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RawConfig, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn starter_config_parses_and_sets_nothing() {
        let raw = parse(STARTER).unwrap();
        assert!(raw.enable.is_none() && raw.fail_on.is_none() && raw.extensions.is_none());
        // Uncommented, every example line must still be valid.
        let uncommented: String = STARTER
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| {
                l.starts_with('[') || l.split_once(" = ").is_some_and(|(k, _)| !k.contains(' '))
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let raw = parse(&uncommented).unwrap();
        assert_eq!(raw.fail_on, Some(FailOn::Error));
        assert_eq!(raw.extensions.unwrap().len(), 1);
    }

    #[test]
    fn misspelled_key_is_an_error_with_a_span() {
        let err = parse("fail-on = \"error\"\nexlude = [\"x\"]\n").unwrap_err();
        assert!(err.message().contains("exlude"), "{}", err.message());
        assert_eq!(err.span().map(|s| s.start), Some(18));
    }

    #[test]
    fn max_filesize_takes_bytes_or_a_suffix_and_the_flag_wins() {
        let resolve = |text: &str, flag: Option<u64>| {
            let config = ConfigFile {
                path: PathBuf::from("/site/claimlint.toml"),
                display: "claimlint.toml".into(),
                text: text.into(),
                raw: parse(text).unwrap(),
            };
            let o = Overrides {
                max_filesize: flag,
                ..Overrides::default()
            };
            Settings::resolve(Some(config), Path::new("/site"), &o)
        };
        assert_eq!(resolve("", None).unwrap().max_filesize, 16 << 20);
        assert_eq!(
            resolve("max-filesize = 1000\n", None).unwrap().max_filesize,
            1000
        );
        assert_eq!(
            resolve("max-filesize = \"2M\"\n", None)
                .unwrap()
                .max_filesize,
            2 << 20
        );
        assert_eq!(
            resolve("max-filesize = \"2M\"\n", Some(5))
                .unwrap()
                .max_filesize,
            5
        );
        let err = resolve("\nmax-filesize = \"lots\"\n", None).unwrap_err();
        let SettingsError::Source(err) = err else {
            panic!("expected a located error, got {err}")
        };
        assert_eq!(err.line_col(), Some((2, 16)), "{err}");
    }

    #[test]
    fn flags_override_the_file() {
        let text = "enable = [\"a\"]\ndisable = [\"b\"]\nfail-on = \"warning\"\nmin-severity = \"warning\"\n";
        let config = ConfigFile {
            path: PathBuf::from("/site/claimlint.toml"),
            display: "claimlint.toml".into(),
            text: text.into(),
            raw: parse(text).unwrap(),
        };
        let o = Overrides {
            enable: vec!["b".into()],
            disable: vec!["a".into()],
            fail_on: Some(FailOn::Never),
            ..Overrides::default()
        };
        let s = Settings::resolve(Some(config), Path::new("/site"), &o).unwrap();
        assert_eq!(s.enable, ["b"]);
        assert_eq!(s.disable, ["a"]);
        assert_eq!(s.fail_on, FailOn::Never);
        assert_eq!(s.min_severity, Severity::Warning);
    }

    #[test]
    fn extensions_add_to_the_defaults() {
        let text = "[extensions]\n\".MDOWN\" = \"markdown\"\ntxt = \"markdown\"\n";
        let config = ConfigFile {
            path: PathBuf::from("/site/claimlint.toml"),
            display: "claimlint.toml".into(),
            text: text.into(),
            raw: parse(text).unwrap(),
        };
        let s = Settings::resolve(Some(config), Path::new("/site"), &Overrides::default()).unwrap();
        assert_eq!(s.extensions["mdown"], Format::Markdown);
        assert_eq!(s.extensions["txt"], Format::Markdown);
        assert_eq!(s.extensions["html"], Format::Html);
    }

    #[test]
    fn suggestions_need_a_close_match() {
        let ids = ["safety-absolute", "cure-guarantee"];
        assert_eq!(did_you_mean("safety-absolut", ids), Some("safety-absolute"));
        assert_eq!(did_you_mean("xyz", ids), None);
    }

    #[test]
    fn discovery_walks_up() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(discover(&sub), None.or_else(|| discover(dir.path())));
        std::fs::write(dir.path().join(".claimlint.toml"), "").unwrap();
        assert_eq!(discover(&sub), Some(dir.path().join(".claimlint.toml")));
        std::fs::write(dir.path().join("a/claimlint.toml"), "").unwrap();
        assert_eq!(discover(&sub), Some(dir.path().join("a/claimlint.toml")));
    }
}
