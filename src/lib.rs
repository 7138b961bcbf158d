//! claimlint: a fast, offline linter for health and medical marketing copy.
pub mod extract;
pub mod source;
pub mod text;
