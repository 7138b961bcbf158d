//! Plain-text extraction (work in progress).
use super::Prose;
pub fn extract(_source: &str) -> Prose {
    Prose::default()
}

/// `ProseBuilder::finish` truncates the trailing whitespace after the last block but can leave a
/// segment reaching past the end of the text; clip such segments so the offset map stays valid.
pub(super) fn clip_segments_to_text(prose: &mut Prose) {
    let len = prose.text.len();
    prose.segments.retain(|s| s.prose.start < len);
    if let Some(last) = prose.segments.last_mut() {
        if last.prose.end > len {
            if last.exact {
                last.source.end -= last.prose.end - len;
            }
            last.prose.end = len;
        }
    }
}
