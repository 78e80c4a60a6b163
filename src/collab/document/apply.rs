//! Applying a batch: the peers' sync messages and the server's own edits, off the async runtime,
//! then storing the new changes (the peers' in one chunk, each server edit in its own) before
//! anyone is answered.
//!
//! Peers' messages are vetted (`vet`, `incoming`) before automerge parses them, their changes are
//! applied in one call, and a batch that could make the text longer than its longest is applied
//! message by message on a copy kept aside. A change under another member's actor id, from a
//! read-only peer or touching the document's root is refused, closing that peer only.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::CommitOptions;
use automerge::{Change, ChangeHash, ReadDoc};

use crate::collab::close;
use crate::collab::doc;
use crate::collab::hub::{HubError, Spliced};
use crate::collab::incoming::{new_changes, too_large};
use crate::model::MemberId;
use crate::store::{ActorOwner, ChunkEvent, DocPart, Merging, NewChunk, StoreError};

use super::{Core, EditReply, EditRequest, Task};

/// What applying a batch did.
#[derive(Default)]
struct Applied {
    /// Peers to disconnect: (peer, close code, reason).
    refused: Vec<(u64, u16, String)>,
    /// The peers' changes made, by member (for the history).
    authors: HashMap<Option<MemberId>, i32>,
    /// A change broke the document's shape: it must be reloaded.
    poisoned: bool,
    /// What to store, in order: the peers' changes, then each server edit on its own, so that
    /// the history tells its author and message (its cause) apart from the peers' typing.
    chunks: Vec<Chunk>,
    /// Each server edit's reply, its outcome, and the chunk that holds it (none if it changed
    /// nothing).
    edit_replies: Vec<(EditReply, Result<Spliced, HubError>, Option<usize>)>,
    /// Peers whose messages carried changes: they wait for our heads as an acknowledgement.
    acknowledge: HashSet<u64>,
    /// The snapshot to store instead of the current parts, when compaction is due.
    snapshot: Option<Vec<u8>>,
    /// Actor ids first used in this batch, to bind before the chunks are stored.
    actors: Vec<ActorOwner>,
}

/// Changes to store as one chunk (`NewChunk`): who made how many, the heads after them, and the
/// message and event of a server edit.
struct Chunk {
    bytes: Vec<u8>,
    authors: Vec<(Option<MemberId>, i32)>,
    heads: Vec<ChangeHash>,
    message: Option<String>,
    events: Vec<ChunkEvent>,
    /// A merge recorded with the chunk, and the text after it (the version it names).
    merging: Option<(Merging, String)>,
}

impl Task {
    /// Applies sync messages and edits off the runtime, stores the result, then answers peers.
    pub(super) async fn apply(&mut self, syncs: Vec<(u64, Vec<u8>)>, edits: Vec<EditRequest>) {
        let Some(core) = self.core.take() else { return };
        let compact = self.chunks_since_snapshot >= self.hub.inner.settings.compact_after_chunks;
        let outcome = tokio::task::spawn_blocking(move || {
            let mut core = core;
            let result =
                std::panic::catch_unwind(AssertUnwindSafe(|| core.apply(syncs, edits, compact)));
            result.ok().map(|applied| (core, applied))
        })
        .await
        .ok()
        .flatten();
        let Some((core, mut applied)) = outcome else {
            // A panic inside automerge: this copy cannot be trusted. Peers reconnect and resync
            // against a copy reloaded from what was stored.
            tracing::error!(text = %self.text, "applying changes panicked: reloading the document");
            return;
        };
        self.core = Some(core);
        for (peer, code, reason) in std::mem::take(&mut applied.refused) {
            let member = self
                .core
                .as_ref()
                .and_then(|c| c.peers.get(&peer))
                .map(|p| p.info.member);
            crate::collab::refusals::note(self.text, member, code, &reason);
            self.remove_peer(peer, Some((code, reason)));
        }
        if applied.poisoned {
            tracing::warn!(text = %self.text, "a change broke the document's shape: reloading it");
            self.close_all("Le document a été rechargé ; reconnexion.");
            self.core = None;
            for (reply, _, _) in applied.edit_replies {
                let _ = reply.send(Err(HubError::Refused("the document was reloaded".into())));
            }
            return;
        }
        let (stored, failure) = self.store(&applied).await;
        if let Some(e) = failure {
            tracing::error!(text = %self.text, error = %e, "cannot store changes: peers will resend them");
            self.close_all("Le serveur n'a pas pu enregistrer ; reconnexion.");
            self.core = None;
            for (reply, result, chunk) in applied.edit_replies {
                // An edit whose chunk was stored before the failure is durable all the same.
                let durable = chunk.is_some_and(|chunk| chunk < stored);
                let _ = reply.send(if durable {
                    result
                } else {
                    Err(HubError::Store(e.to_string()))
                });
            }
            return;
        }
        if let Some(snapshot) = applied.snapshot.take() {
            self.compact(snapshot).await;
        }
        for (reply, result, _) in applied.edit_replies {
            let _ = reply.send(result);
        }
        self.answer_peers(&applied.acknowledge);
    }

    /// Stores the batch's chunks in order; how many were stored, and what stopped the others.
    async fn store(&mut self, applied: &Applied) -> (usize, Option<StoreError>) {
        if applied.chunks.is_empty() {
            return (0, None);
        }
        // Bound before the chunks are stored, so before anyone else can see these actor ids. One
        // bound meanwhile by another server to someone else: this copy must not be stored.
        let db = self.hub.inner.db.clone();
        match db.bind_text_actors(self.text, &applied.actors).await {
            Ok(taken) if taken.is_empty() => {}
            Ok(_) => return (0, Some(StoreError::Conflict("actor"))),
            Err(e) => return (0, Some(e)),
        }
        // One `text.edited` for the batch at most (`edit_events`), with its last chunk: a consumer
        // that reads the text on the event then reads it with every chunk of the batch. The
        // chunks before it mark the text as owing the event, the last one settles it.
        let edited = self.edit_events.announce();
        let last = applied.chunks.len() - 1;
        for (stored, chunk) in applied.chunks.iter().enumerate() {
            let heads = doc::heads_to_json(&chunk.heads);
            let new = NewChunk {
                text: self.text,
                bytes: &chunk.bytes,
                authors: &chunk.authors,
                heads: &heads,
                message: chunk.message.as_deref(),
                edited: edited && stored == last,
                events: &chunk.events,
            };
            let appended = match &chunk.merging {
                None => db.append_chunk(&new).await,
                Some((merging, markdown)) => db.append_merge_chunk(&new, merging, markdown).await,
            };
            match appended {
                Ok(id) => {
                    self.parts.push(DocPart::Chunk(id));
                    self.chunks_since_snapshot += 1;
                    self.dirty_since.get_or_insert_with(Instant::now);
                }
                Err(e) => return (stored, Some(e)),
            }
        }
        (applied.chunks.len(), None)
    }

    async fn compact(&mut self, snapshot: Vec<u8>) {
        let replaced = self.parts.clone();
        match self
            .hub
            .inner
            .db
            .compact_doc(self.text, &snapshot, &replaced)
            .await
        {
            Ok(id) => {
                self.parts = vec![DocPart::Snapshot(id)];
                self.chunks_since_snapshot = 0;
            }
            Err(e) => {
                tracing::warn!(text = %self.text, error = %e, "compaction failed; will retry")
            }
        }
    }
}

impl Core {
    fn apply(
        &mut self,
        syncs: Vec<(u64, Vec<u8>)>,
        edits: Vec<EditRequest>,
        compact: bool,
    ) -> Applied {
        let mut applied = Applied::default();
        self.receive(syncs, &mut applied);
        if applied.poisoned {
            return applied;
        }
        let peers_changes = self.doc.save_incremental();
        if !peers_changes.is_empty() {
            applied.chunks.push(Chunk {
                bytes: peers_changes,
                authors: applied.authors.drain().collect(),
                heads: self.doc.get_heads(),
                message: None,
                events: Vec::new(),
                merging: None,
            });
        }
        for edit in edits {
            let (result, chunk) = match self.server_edit(&edit.edit) {
                Ok(range) => {
                    let chunk = self.commit_server_edit(&edit, &mut applied.chunks);
                    let spliced = Spliced {
                        heads: self.doc.get_heads(),
                        start: range.start,
                        end: range.end,
                    };
                    // A merge that changed nothing would record nothing: it did not happen.
                    if chunk.is_none() && edit.merging.is_some() {
                        let refused = HubError::Refused("the merge changes nothing".into());
                        (Err(refused), None)
                    } else {
                        (Ok(spliced), chunk)
                    }
                }
                Err(e) => (Err(e), None),
            };
            applied.edit_replies.push((edit.reply, result, chunk));
        }
        applied.actors = self.actors.take_new();
        if compact {
            applied.snapshot = Some(self.doc.save());
        }
        applied
    }

    /// Commits a server edit as one change with its message, and makes it a chunk of its own;
    /// which one (none if the edit changed nothing).
    fn commit_server_edit(&mut self, edit: &EditRequest, chunks: &mut Vec<Chunk>) -> Option<usize> {
        self.doc.commit_with(
            CommitOptions::default()
                .with_message(edit.message.clone())
                .with_time(doc::unix_now()),
        )?;
        if let Some(change) = self.doc.get_last_local_change() {
            self.encoded.remember(&change);
        }
        // The version a merge names is the text right after its change (a copy, off the runtime).
        let merging = edit.merging.clone().map(|merging| {
            let markdown = self.doc.text(&self.markdown).unwrap_or_default();
            (merging, markdown)
        });
        chunks.push(Chunk {
            bytes: self.doc.save_incremental(),
            authors: vec![(edit.author, 1)],
            heads: self.doc.get_heads(),
            message: Some(edit.message.clone()),
            events: edit.event.iter().cloned().collect(),
            merging,
        });
        Some(chunks.len() - 1)
    }

    /// Applies the peers' sync messages. Applying changes costs time linear in the document per
    /// call, however many changes the call carries, so the changes of every message in the batch
    /// are applied in one call; each message then updates its peer's sync state without them.
    fn receive(&mut self, syncs: Vec<(u64, Vec<u8>)>, applied: &mut Applied) {
        let mut accepted = Vec::with_capacity(syncs.len());
        let mut changes = Vec::new();
        let mut batch_hashes = HashSet::new();
        // How much the batch could lengthen the text at most: a change adds at most one
        // character per operation, or its string values, which its bytes hold.
        let length_before = self.doc.length(&self.markdown);
        let mut growth = 0usize;
        for (peer_id, bytes) in syncs {
            let Some(peer) = self.peers.get(&peer_id) else {
                continue;
            };
            let message = match sync::Message::decode(&bytes) {
                Ok(m) => m,
                Err(e) => {
                    applied.refused.push((
                        peer_id,
                        close::MALFORMED,
                        format!("Message de synchronisation illisible : {e}"),
                    ));
                    continue;
                }
            };
            if peer.info.readonly && !message.changes.is_empty() {
                applied.refused.push((
                    peer_id,
                    close::READ_ONLY,
                    "Lecture seule : vos modifications ne sont pas acceptées.".into(),
                ));
                continue;
            }
            let member = Some(peer.info.member);
            let parsed = new_changes(&mut self.doc, &message, &self.limits).and_then(|parsed| {
                match parsed.iter().all(|c| self.actors.claim(c.actor_id(), member)) {
                    true => Ok(parsed),
                    false => Err((
                        close::ACTOR_TAKEN,
                        "Modification refusée : elle est signée de l'identifiant d'un autre membre."
                            .into(),
                    )),
                }
            });
            match parsed {
                Ok(parsed) => {
                    growth += parsed
                        .iter()
                        .map(|c| c.len() + c.raw_bytes().len())
                        .sum::<usize>();
                    // Two messages of a batch may carry the same change: count and apply it once.
                    let parsed: Vec<Change> = parsed
                        .into_iter()
                        .filter(|change| batch_hashes.insert(change.hash()))
                        .collect();
                    let hashes: Vec<ChangeHash> = parsed.iter().map(Change::hash).collect();
                    changes.extend(parsed);
                    accepted.push((peer_id, message, hashes));
                }
                Err((code, reason)) => applied.refused.push((peer_id, code, reason)),
            }
        }
        // A batch that could make the text too long is applied message by message below, each
        // message undone if it does; so is a batch that does not apply as a whole (a change
        // that reuses a sequence number, say), so that only the culprit is refused.
        let careful = length_before.saturating_add(growth) > self.limits.max_text_length;
        for change in &changes {
            self.encoded.remember(change);
        }
        let together = changes.is_empty() || (!careful && self.doc.apply_changes(changes).is_ok());
        // Once the changes are in, only a peer's last message of the batch is received: it
        // supersedes the earlier ones' heads, needs and haves. A message asking for a reset is
        // received anyway.
        let last_of_peer: HashMap<u64, usize> = accepted
            .iter()
            .enumerate()
            .map(|(at, (peer, _, _))| (*peer, at))
            .collect();
        for (at, (peer_id, mut message, hashes)) in accepted.into_iter().enumerate() {
            let Some(peer) = self.peers.get_mut(&peer_id) else {
                continue;
            };
            let carried_changes = !message.changes.is_empty();
            if carried_changes {
                applied.acknowledge.insert(peer_id);
            }
            if !hashes.is_empty() {
                *applied.authors.entry(Some(peer.info.member)).or_default() += hashes.len() as i32;
            }
            let resets = message.heads.is_empty()
                || message
                    .flags
                    .is_some_and(|f| f.contains(sync::MessageFlags::SYNC_RESET));
            if together {
                if last_of_peer[&peer_id] != at && !resets {
                    continue;
                }
                // What automerge's receive does, without walking the whole history.
                message.changes = sync::ChunkList::empty();
                crate::collab::sync_state::receive_applied(&mut self.doc, &mut peer.state, message);
                continue;
            }
            // Only in that rare case is the document copied, to be put back.
            let before = (careful && !hashes.is_empty())
                .then(|| (self.doc.clone(), self.doc.length(&self.markdown)));
            let received = self
                .doc
                .sync()
                .receive_sync_message(&mut peer.state, message);
            let refusal = match received {
                Err(e) => Some((
                    close::MALFORMED,
                    format!("Message de synchronisation refusé : {e}"),
                )),
                Ok(()) => before.and_then(|(copy, length)| {
                    let now = self.doc.length(&self.markdown);
                    (now > self.limits.max_text_length && now > length).then(|| {
                        self.doc = copy;
                        too_large(&self.limits)
                    })
                }),
            };
            if let Some((code, reason)) = refusal {
                applied.refused.push((peer_id, code, reason));
                applied.acknowledge.remove(&peer_id);
                if let Some(count) = applied.authors.get_mut(&Some(peer.info.member)) {
                    *count -= hashes.len() as i32;
                }
            }
        }
        applied.authors.retain(|_, count| *count > 0);
        // `new_changes` keeps peers away from the root; this guards the invariant regardless.
        if doc::markdown_obj(&self.doc).as_ref() != Some(&self.markdown) {
            applied.poisoned = true;
        }
    }
}
