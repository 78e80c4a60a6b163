//! A peer's sync frame, received as the document task receives it, for the fuzz targets
//! (`tests/fuzz.rs`): decoded, its changes vetted against the document, then applied.

use automerge::AutoCommit;
use automerge::sync;

/// Decodes `frame`, vets its new changes (`document::new_changes`: nothing that touches the
/// document's root) and applies them to `doc`; how many were applied, or why the frame is
/// refused.
pub fn receive_frame(doc: &mut AutoCommit, frame: &[u8]) -> Result<usize, String> {
    let message = sync::Message::decode(frame)
        .map_err(|e| format!("Message de synchronisation illisible : {e}"))?;
    let changes = super::document::new_changes(doc, &message)?;
    let applied = changes.len();
    doc.apply_changes(changes)
        .map_err(|e| format!("Modification refusée : {e}"))?;
    Ok(applied)
}
