//! What a peer's sync message brings: its chunks vetted (`vet`) before automerge parses them,
//! then the changes the document lacks, each kept away from the document's root. Called by the
//! document task (`document::apply`) off the runtime, for every message of a batch.

use std::collections::HashSet;

use automerge::sync;
use automerge::{AutoCommit, Change, ChangeHash};

use super::close;
use super::vet::{self, BUNDLE, CHANGE, COMPRESSED_CHANGE, Limits, Refusal, split_chunks};

/// The changes a peer's message carries that the document does not have yet, parsed and vetted.
/// Peers edit the contents of the Markdown text: a change that touches the document's root
/// (replacing or deleting the text, or writing the server's own keys) is refused before it is
/// applied, so that it is known whose it was.
///
/// Nothing is parsed before `vet` has checked what each chunk declares against `limits`.
pub(super) fn new_changes(
    doc: &mut AutoCommit,
    message: &sync::Message,
    limits: &Limits,
) -> Result<Vec<Change>, (u16, String)> {
    let unreadable =
        |e: &dyn std::fmt::Display| (close::MALFORMED, format!("Modification illisible : {e}"));
    let mut new = Vec::new();
    let mut budget = vet::Budget::default();
    for entry in message.changes.iter() {
        for chunk in split_chunks(entry).map_err(|e| unreadable(&e))? {
            budget
                .vet_chunk(chunk, limits)
                .map_err(|refusal| match refusal {
                    Refusal::Unreadable(e) => unreadable(&e),
                    Refusal::TooLarge => too_large(limits),
                })?;
            let parsed = match chunk[8] {
                CHANGE | COMPRESSED_CHANGE => {
                    vec![Change::try_from(chunk).map_err(|e| unreadable(&e))?]
                }
                BUNDLE => automerge::Bundle::try_from(chunk)
                    .map_err(|e| unreadable(&e))?
                    .to_changes()
                    .map_err(|e| unreadable(&e))?,
                // A whole document: what a peer sends when it thinks we lack most of it.
                _ => automerge::Automerge::load(chunk)
                    .map_err(|e| unreadable(&e))?
                    .get_changes(&[]),
            };
            // Which of them the document lacks: a look-up in its change graph (fetching a change
            // by hash would rebuild it from the document's operations).
            let hashes: Vec<ChangeHash> = parsed.iter().map(Change::hash).collect();
            let missing: HashSet<ChangeHash> = doc.get_missing_deps(&hashes).into_iter().collect();
            for change in parsed {
                if !missing.contains(&change.hash()) {
                    continue;
                }
                if change
                    .decode()
                    .operations
                    .iter()
                    .any(|op| op.obj == automerge::legacy::ObjectId::Root)
                {
                    return Err((
                        close::MALFORMED,
                        "Modification refusée : seul le contenu du texte peut changer.".into(),
                    ));
                }
                new.push(change);
            }
        }
    }
    Ok(new)
}

/// Why a message or a change beyond the bounds is refused (a close reason: 123 bytes at most).
pub(super) fn too_large(limits: &Limits) -> (u16, String) {
    (
        close::TOO_LARGE,
        format!(
            "Modification trop volumineuse : un texte compte au plus {} caractères.",
            limits.max_text_length
        ),
    )
}

#[cfg(test)]
mod tests {
    use automerge::sync::{ChunkList, Message, MessageVersion};
    use automerge::{ObjType, ROOT};

    use super::*;
    use automerge::transaction::Transactable;

    use crate::collab::doc::{self, ObjId};

    fn message(entries: Vec<Vec<u8>>) -> Message {
        Message {
            heads: Vec::new(),
            need: Vec::new(),
            have: Vec::new(),
            changes: ChunkList::from(entries),
            flags: None,
            version: MessageVersion::V2,
        }
    }

    fn limits() -> Limits {
        Limits::for_text_length(1 << 20)
    }

    /// The server's document and a peer's copy of it.
    fn server_and_peer() -> (AutoCommit, AutoCommit, ObjId) {
        let (mut server, _) = doc::create("Bonjour").unwrap();
        let mut peer = server.fork();
        let text = doc::markdown_obj(&peer).unwrap();
        peer.splice_text(&text, 7, 0, " à tous").unwrap();
        peer.commit();
        peer.splice_text(&text, 0, 0, "» ").unwrap();
        peer.commit();
        (server, peer, text)
    }

    #[test]
    fn every_kind_of_entry_yields_the_new_changes_only() {
        let (mut server, mut peer, _) = server_and_peer();
        let changes = peer.get_changes(&server.get_heads());
        assert_eq!(changes.len(), 2);
        let one_per_entry = changes.iter().map(|c| c.raw_bytes().to_vec()).collect();
        // V2 messages put several changes back to back in one entry.
        let concatenated = changes
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect();
        // A whole document, as a peer sends when it believes the server has little of it.
        let document = peer.save();
        for entries in [one_per_entry, vec![concatenated], vec![document]] {
            let found = new_changes(&mut server, &message(entries), &limits()).unwrap();
            let mut hashes: Vec<ChangeHash> = found.iter().map(Change::hash).collect();
            let mut expected: Vec<ChangeHash> = changes.iter().map(Change::hash).collect();
            hashes.sort();
            expected.sort();
            assert_eq!(hashes, expected);
        }
    }

    #[test]
    fn broken_entries_are_refused_with_a_reason() {
        let (mut server, mut peer, _) = server_and_peer();
        let change = peer.get_changes(&server.get_heads())[0]
            .raw_bytes()
            .to_vec();
        let mut flipped = change.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        let mut unknown_type = change.clone();
        unknown_type[8] = 9;
        for entry in [
            change[..change.len() - 3].to_vec(),
            change[..5].to_vec(),
            flipped,
            unknown_type,
            vec![
                0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0x7f,
            ],
        ] {
            let refused = new_changes(&mut server, &message(vec![entry]), &limits()).unwrap_err();
            assert!(
                refused.1.starts_with("Modification illisible"),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn changes_to_the_root_are_refused() {
        let (mut server, _, _) = server_and_peer();
        let mut hostile = server.fork();
        hostile.put_object(ROOT, "markdown", ObjType::Text).unwrap();
        hostile.commit();
        let mut other_key = server.fork();
        other_key.put(ROOT, "title", "pirate").unwrap();
        other_key.commit();
        for mut peer in [hostile, other_key] {
            let change = peer.get_changes(&server.get_heads())[0]
                .raw_bytes()
                .to_vec();
            let refused = new_changes(&mut server, &message(vec![change]), &limits()).unwrap_err();
            assert!(
                refused.1.contains("seul le contenu du texte"),
                "{refused:?}"
            );
        }
    }
}
