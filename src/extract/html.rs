//! HTML extraction (stub, replaced by the real extractor).
use super::Prose;
pub fn extract(_source: &str) -> Prose {
    Prose::default()
}
