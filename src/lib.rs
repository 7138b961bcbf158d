//! claimlint: a fast, offline linter for health and medical marketing copy.
//!
//! The library reads documents and returns findings; it never prints and never exits. The
//! `claimlint` binary (`src/main.rs`) owns the command line, output and exit codes.
//!
//! ```
//! use claimlint::{Format, Ruleset, lint_str};
//! let rules = Ruleset::default_rules().unwrap();
//! let findings = lint_str(&rules, "Our infusions are 100% safe.", Format::Plain);
//! assert!(findings.iter().any(|f| f.rule == "safety-absolute"));
//! ```

pub mod advice;
pub mod atomic;
pub mod baseline;
pub mod config;
pub mod diagnostic;
pub mod extract;
pub mod finding;
pub mod git;
pub mod lint;
pub mod report;
pub mod rules;
pub mod segment;
pub mod source;
pub mod suppress;
pub mod swar;
pub mod text;
pub mod walk;

pub use extract::Format;
pub use finding::{Finding, Severity};
pub use lint::{LintOptions, lint, lint_str, lint_with};
pub use rules::{Ruleset, RulesetError, RulesetOptions};
pub use source::SourceFile;
