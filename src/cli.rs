//! The command line as clap sees it: subcommands, flags and their help text. These are the raw
//! ("low") arguments; `config::Settings::resolve` merges them with the config file into the
//! resolved settings a run uses (ripgrep's lowargs/hiargs split).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use claimlint::Severity;
use claimlint::config::{FailOn, Overrides};
use claimlint::report;

/// A fast, offline linter for health and medical marketing copy.
#[derive(Debug, Parser)]
#[command(name = "claimlint", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Use this config file instead of searching for claimlint.toml / .claimlint.toml.
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore every config file; use built-in defaults and command-line flags only.
    #[arg(long, global = true)]
    pub isolated: bool,

    /// When to use colour in output.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    /// Say more on stderr: the config file used, skipped binary files.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Load this built-in ruleset instead of the configured ones (repeatable); an overlay such
    /// as `uk-cap` brings in what it extends (`core`).
    #[arg(long = "ruleset", global = true, value_name = "NAME")]
    pub rulesets: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (the default path is `.`).
    Check(CheckArgs),
    /// List the rules of the loaded rulesets.
    Rules(RulesArgs),
    /// Explain one rule: why it matters, what to write instead, examples.
    Explain(ExplainArgs),
    /// Write a commented starter claimlint.toml in the current directory.
    Init,
    /// Print the effective settings as TOML, and which config file they came from.
    Config(ConfigArgs),
    /// Maintain a baseline file (see `check --baseline`).
    #[command(subcommand)]
    Baseline(BaselineCommand),
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Lint PATHS and remove the baseline's stale entries (findings that are gone, files that
    /// no longer exist); the file is rewritten atomically.
    Prune(PruneArgs),
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// The baseline file to prune.
    #[arg(long, value_name = "FILE")]
    pub baseline: PathBuf,

    /// Files or directories to lint (the default path is `.`); entries of other files that
    /// still exist are kept.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub rules: RuleArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Ignore `claimlint-*` directives in comments, as `check --no-inline-config` does.
    #[arg(long)]
    pub no_inline_config: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = report::Format::Human)]
    pub format: report::Format,

    /// Write the report to FILE instead of stdout (atomically: complete or not at all; no colour).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Name standard input in output and pick its format by this name's extension.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Don't show the progress bar (it only ever shows on a terminal, after a second).
    #[arg(long)]
    pub no_progress: bool,

    /// Ignore `claimlint-*` directives in comments: every finding counts (for auditors).
    #[arg(long)]
    pub no_inline_config: bool,

    /// Report only findings that this baseline file does not record, and say how many it did.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,

    /// Record today's findings in this baseline file (written atomically) and report none.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Lint only files changed since this git revision: committed since, staged, unstaged or
    /// untracked (not ignored).
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,

    /// Print counts per rule and per category instead of each finding (human format).
    #[arg(long, conflicts_with = "quiet")]
    pub statistics: bool,

    /// Print only the summary line (human format).
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub rules: RuleArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Flags that choose and adjust rules; shared by `check`, `rules`, `explain` and `config`.
/// (`--ruleset` is global, on `Cli`, so it may also come before the command.)
#[derive(Debug, Default, Args)]
pub struct RuleArgs {
    /// Turn on a rule or category, also one that is off by default (repeatable).
    #[arg(long, value_name = "RULE")]
    pub enable: Vec<String>,

    /// Turn off a rule or category (repeatable).
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,

    /// Run only this rule or category (repeatable).
    #[arg(long = "rule", value_name = "RULE")]
    pub only: Vec<String>,
}

/// Flags that decide what is shown and what fails the run.
#[derive(Debug, Default, Args)]
pub struct PolicyArgs {
    /// Exit with code 1 when a finding at or above this severity is shown [default: error].
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// Hide findings below this severity [default: info].
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_severity: Option<Level>,

    /// Skip (with a note) files larger than this: bytes, or K, M, G [default: 16M].
    #[arg(long, value_name = "SIZE", value_parser = claimlint::walk::parse_size)]
    pub max_filesize: Option<u64>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// `table` (aligned columns) or `md` (a Markdown table, as in the README).
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,

    /// Print every phrase spelling of the enabled rules instead, one per line, lowercased and
    /// sorted (for `rg -i -F -f`, e.g. to compare speed with a plain phrase scan).
    #[arg(long)]
    pub export_phrases: bool,

    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. `safety-absolute`.
    pub rule: String,

    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub rules: RuleArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Md,
}

/// A severity as a flag value (`Severity` lives in the library without clap derives).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl From<Level> for Severity {
    fn from(level: Level) -> Severity {
        match level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

impl RuleArgs {
    /// The command-line overrides, for `Settings::resolve` (`rulesets` is filled in from `Cli`).
    pub fn overrides(&self, policy: Option<&PolicyArgs>) -> Overrides {
        Overrides {
            rulesets: Vec::new(),
            enable: self.enable.clone(),
            disable: self.disable.clone(),
            only: self.only.clone(),
            fail_on: policy.and_then(|p| p.fail_on),
            min_severity: policy.and_then(|p| p.min_severity).map(Severity::from),
            max_filesize: policy.and_then(|p| p.max_filesize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
