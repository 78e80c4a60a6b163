//! A peer's sync frame, received as the server receives it, for the fuzz targets
//! (`tests/fuzz.rs`): charged by the socket (`flow::cost`), decoded, its changes vetted against
//! the document (`incoming::new_changes`), then applied.

use automerge::AutoCommit;
use automerge::sync;

use super::vet::Limits;

/// Charges, decodes and vets `frame` within the default bounds of one message, then applies its
/// new changes to `doc`; how many were applied, or why the frame is refused.
pub fn receive_frame(doc: &mut AutoCommit, frame: &[u8]) -> Result<usize, String> {
    let limits = Limits::for_text_length(crate::config::DEFAULT_MAX_TEXT_LENGTH);
    super::flow::cost(frame, &limits).map_err(|(_, reason)| reason)?;
    let message = sync::Message::decode(frame)
        .map_err(|e| format!("Message de synchronisation illisible : {e}"))?;
    let changes =
        super::incoming::new_changes(doc, &message, &limits).map_err(|(_, reason)| reason)?;
    let applied = changes.len();
    doc.apply_changes(changes)
        .map_err(|e| format!("Modification refusée : {e}"))?;
    Ok(applied)
}
