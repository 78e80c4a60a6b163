//! The task that owns one open text: its automerge document and every peer's sync state.
//!
//! Commands arrive on a channel and are handled in batches: everything already queued is taken
//! at once, the sync messages are applied together off the async runtime (applying a change
//! costs time linear in the document, so coalescing keeps a busy text fast), the new changes are
//! stored (the peers' in one chunk), and only then are the peers answered: a peer that sees its
//! changes in the server's heads knows they are durable.
//!
//! Hostile or broken input from one peer closes that peer's socket, never the document: a
//! message that does not decode, a change from a read-only peer, a change that removes or
//! replaces the `markdown` text object (the document is then reloaded from the database, and
//! the batch's other peers resync), a message beyond the bounds of `vet` or a text growing past
//! its longest, a change under another member's actor id (`actors`).
//!
//! This module is the task and its loop (loading, refreshing, storing the derived Markdown);
//! `apply` applies and vets a batch and stores it; `peers` is the peers and their messages; `ops`
//! is what the server itself asks of the document: reading past states, anchoring passages and
//! resolving anchors, replacing the text or splicing a passage.

mod apply;
mod ops;
mod peers;

use std::collections::HashMap;
use std::time::Instant;

use automerge::{AutoCommit, ChangeHash, ReadDoc};
use tokio::sync::{mpsc, oneshot};

use crate::collab::actors::Bindings;
use crate::collab::close;
use crate::collab::doc::{self, ObjId};
use crate::collab::fanout;
use crate::collab::flow::{Credit, PeerFlow};
use crate::collab::hub::{DocView, Hub, HubError, Outgoing, PeerInfo, Spliced};
use crate::collab::presence::Presence;
use crate::collab::vet::Limits;
use crate::model::{MemberId, TextId};
use crate::store::{ChunkEvent, DocPart, Merging};
use ops::Reading;
pub(super) use ops::{AnchorRequest, ProvenanceRequest, ResolveRequest, ServerEdit, StatesRequest};
use peers::Peer;

/// The longest a busy text's task waits before its next batch (see `run`).
const MAX_PACING: std::time::Duration = std::time::Duration::from_millis(100);

/// Where the outcome of a server-side edit goes: the heads after it and where its text is, once
/// stored.
pub(super) type EditReply = oneshot::Sender<Result<Spliced, HubError>>;

/// One of the server's own edits: one automerge change, under the server's actor id, stored as
/// its own batch with its author and message (its cause: "restored version 3").
pub(super) struct EditRequest {
    pub edit: ServerEdit,
    pub author: Option<MemberId>,
    pub message: String,
    /// What the edit appends with the chunk that stores it (`text.version_restored`).
    pub event: Option<ChunkEvent>,
    /// The amendments it merges, recorded with its chunk (`store::Merging`).
    pub merging: Option<Merging>,
    pub reply: EditReply,
}

pub(super) enum Command {
    Join {
        peer: u64,
        info: PeerInfo,
        summary: Presence,
        out: mpsc::Sender<Outgoing>,
        flow: std::sync::Arc<PeerFlow>,
    },
    Sync {
        peer: u64,
        bytes: Vec<u8>,
        credit: Credit,
    },
    Cursor {
        peer: u64,
        anchor: String,
        head: String,
        credit: Credit,
    },
    Leave {
        peer: u64,
    },
    Read {
        at: Option<Vec<ChangeHash>>,
        reply: oneshot::Sender<Result<DocView, HubError>>,
    },
    Edit(EditRequest),
    /// The Markdown at each of several past states (the history's sessions and diffs).
    States(StatesRequest),
    /// Anchors a passage (`anchor`).
    Anchor(AnchorRequest),
    /// Where anchored passages are now.
    Resolve(ResolveRequest),
    /// Which passages the server's own changes wrote.
    Provenance(ProvenanceRequest),
    Refresh,
    CloseAll(String),
    /// Closes one member's peers (their rights changed).
    CloseMember(MemberId, String),
    Flush(oneshot::Sender<()>),
}

/// The document with what is needed to apply messages to it, moved to a blocking thread and back.
struct Core {
    doc: AutoCommit,
    markdown: ObjId,
    peers: HashMap<u64, Peer>,
    limits: Limits,
    actors: Bindings,
    /// The bytes of the changes applied lately, sent to every peer without re-encoding them.
    encoded: fanout::Encoded,
    /// The Markdown at the heads it was read at: reading a long text out of automerge costs
    /// a walk of the whole sequence, and a convention's readers ask for it far more often than
    /// it changes. Any change moves the heads, so a stale copy is never served.
    read: Option<(Vec<ChangeHash>, std::sync::Arc<str>)>,
    /// Where the characters the text's anchors name were at the last placement, carried across
    /// the changes applied since (`anchor::Located`); dropped when changes come in that the
    /// task did not remember (fetched from another server).
    located: Option<crate::collab::anchor::Located>,
}

struct Task {
    hub: Hub,
    text: TextId,
    core: Option<Core>,
    /// Every stored part the in-memory document includes (what compaction may replace).
    parts: Vec<DocPart>,
    chunks_since_snapshot: usize,
    /// The derived Markdown in the database is older than the document.
    dirty_since: Option<Instant>,
    idle_since: Instant,
    edit_events: crate::collab::edit_events::EditEvents,
}

/// Runs the task of `text` until it has been idle long enough to leave memory.
pub(super) async fn run(hub: Hub, text: TextId, mut rx: mpsc::UnboundedReceiver<Command>) {
    let mut task = Task {
        hub: hub.clone(),
        text,
        core: None,
        parts: Vec::new(),
        chunks_since_snapshot: 0,
        dirty_since: None,
        idle_since: Instant::now(),
        edit_events: crate::collab::edit_events::EditEvents::new(&hub, text),
    };
    let settings = hub.inner.settings.clone();
    let mut last_batch_end = Instant::now();
    let mut last_batch_took = std::time::Duration::ZERO;
    loop {
        let timeout = task.next_timer(&settings);
        let first = tokio::select! {
            command = rx.recv() => command,
            _ = tokio::time::sleep(timeout) => None,
        };
        // Pacing: applying changes costs time linear in the text, per call, however many
        // changes the call carries. On a busy text, waiting after a batch half as long as it took
        // lets the next batch gather more messages: the document then uses at most about two
        // thirds of a core, and a keystroke waits at most half a batch more. A lone typist never
        // waits. (Waiting as long as the batch took halves the CPU but, at 100 typists on a
        // 100,000-character text, pushes the p99 past 200 ms: see BENCHMARKS.md.)
        if first.is_some() {
            let rest =
                (last_batch_end + last_batch_took / 2).saturating_duration_since(Instant::now());
            if !rest.is_zero() {
                tokio::time::sleep(rest.min(MAX_PACING)).await;
            }
        }
        let mut batch: Vec<Command> = first.into_iter().collect();
        while batch.len() < settings.max_batch {
            match rx.try_recv() {
                Ok(command) => batch.push(command),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            let started = Instant::now();
            task.idle_since = started;
            task.handle(batch).await;
            last_batch_end = Instant::now();
            last_batch_took = last_batch_end - started;
        }
        if task
            .dirty_since
            .is_some_and(|at| at.elapsed() >= settings.materialize_every)
        {
            task.materialize().await;
        }
        let idle = task.core.as_ref().is_none_or(|core| core.peers.is_empty())
            && task.idle_since.elapsed() >= settings.idle_after;
        task.edit_events.pay(idle).await;
        if idle {
            task.materialize().await;
            if hub.leave(text, &mut rx) {
                // Commands sent between the last look and the close: hand them to a new task.
                while let Ok(command) = rx.try_recv() {
                    hub.send(text, command);
                }
                return;
            }
        }
    }
}

impl Task {
    fn next_timer(&self, settings: &crate::collab::hub::HubSettings) -> std::time::Duration {
        let idle = settings
            .idle_after
            .saturating_sub(self.idle_since.elapsed());
        match self.dirty_since {
            Some(at) => idle.min(settings.materialize_every.saturating_sub(at.elapsed())),
            None => idle,
        }
        .min(self.edit_events.due_in())
        .max(std::time::Duration::from_millis(10))
    }

    async fn handle(&mut self, batch: Vec<Command>) {
        if self.core.is_none()
            && let Err(e) = self.load().await
        {
            tracing::error!(text = %self.text, error = %e, "cannot load a text's document");
            fail_all(batch, &e);
            return;
        }
        let mut syncs = Vec::new();
        let mut edits = Vec::new();
        let mut refresh = false;
        // What is read from the document, after the batch's changes are applied.
        let mut readings = Vec::new();
        // The room the batch's messages take in their peers' inbound queues: given back once
        // they are applied.
        let mut credits = Vec::new();
        // Shutting down: messages not applied yet were not acknowledged, so dropping them loses
        // nothing (the peers send them again once reconnected), and the flush comes sooner.
        let closing = self.hub.is_closing();
        for command in batch {
            match command {
                Command::Join {
                    peer,
                    info,
                    summary,
                    out,
                    flow,
                } => self.join(peer, info, summary, out, flow),
                Command::Leave { peer } => self.remove_peer(peer, None),
                Command::Cursor {
                    peer,
                    anchor,
                    head,
                    credit,
                } => {
                    self.cursor(peer, anchor, head);
                    credits.push(credit);
                }
                Command::Sync { .. } if closing => {}
                Command::Sync {
                    peer,
                    bytes,
                    credit,
                } => {
                    syncs.push((peer, bytes));
                    credits.push(credit);
                }
                Command::Edit(edit) => edits.push(edit),
                Command::Read { at, reply } => {
                    let _ = reply.send(self.view(at.as_deref()));
                }
                Command::States(request) => readings.push(Reading::States(request)),
                Command::Anchor(request) => readings.push(Reading::Anchor(request)),
                Command::Resolve(request) => readings.push(Reading::Resolve(request)),
                Command::Provenance(request) => readings.push(Reading::Provenance(request)),
                Command::Refresh => refresh = true,
                Command::CloseAll(reason) => self.close_all(&reason),
                Command::CloseMember(member, reason) => self.close_member(member, &reason),
                Command::Flush(done) => {
                    self.materialize().await;
                    self.edit_events.pay(true).await;
                    let _ = done.send(());
                }
            }
        }
        if refresh && let Err(e) = self.refresh().await {
            tracing::warn!(text = %self.text, error = %e, "cannot fetch changes stored by another server");
        }
        if !syncs.is_empty() || !edits.is_empty() || refresh {
            self.apply(syncs, edits).await;
        }
        drop(credits);
        if !readings.is_empty() {
            self.read(readings).await;
        }
    }

    /// Loads the document from every stored part, retrying if compaction removed a part meanwhile.
    async fn load(&mut self) -> Result<(), HubError> {
        let db = self.hub.inner.db.clone();
        let _permit = self
            .hub
            .inner
            .loads
            .acquire()
            .await
            .map_err(|e| HubError::Load(e.to_string()))?;
        for _ in 0..3 {
            let parts = db
                .doc_parts(self.text)
                .await
                .map_err(|e| HubError::Load(e.to_string()))?;
            if parts.is_empty() {
                return Err(HubError::Gone);
            }
            let mut bytes = Vec::with_capacity(parts.len());
            for part in &parts {
                match db
                    .doc_part_bytes(*part)
                    .await
                    .map_err(|e| HubError::Load(e.to_string()))?
                {
                    Some(b) => bytes.push(b),
                    None => break,
                }
            }
            if bytes.len() < parts.len() {
                continue;
            }
            let loaded = tokio::task::spawn_blocking(move || {
                let mut doc = doc::load(bytes.iter().map(Vec::as_slice))?;
                // The first incremental save after a load would otherwise hold the whole history.
                doc.save();
                Ok::<_, automerge::AutomergeError>(doc)
            })
            .await
            .map_err(|e| HubError::Load(e.to_string()))?
            .map_err(|e| HubError::Load(e.to_string()))?;
            let markdown = doc::markdown_obj(&loaded)
                .ok_or_else(|| HubError::Load("the document has no markdown text".into()))?;
            let actors = db
                .text_actors(self.text)
                .await
                .map_err(|e| HubError::Load(e.to_string()))?;
            self.chunks_since_snapshot = parts
                .iter()
                .filter(|p| matches!(p, DocPart::Chunk(_)))
                .count();
            self.parts = parts;
            self.core = Some(Core {
                doc: loaded,
                markdown,
                peers: HashMap::new(),
                limits: Limits::for_text_length(self.hub.inner.settings.max_text_length),
                actors: Bindings::new(actors),
                encoded: fanout::Encoded::default(),
                read: None,
                located: None,
            });
            return Ok(());
        }
        Err(HubError::Load(
            "the document kept changing while loading".into(),
        ))
    }

    /// Fetches the parts other servers stored since this copy was loaded.
    async fn refresh(&mut self) -> Result<(), HubError> {
        let db = self.hub.inner.db.clone();
        let stored = db
            .doc_parts(self.text)
            .await
            .map_err(|e| HubError::Load(e.to_string()))?;
        let mut new = Vec::new();
        for part in stored.into_iter().filter(|p| !self.parts.contains(p)) {
            if let Some(bytes) = db
                .doc_part_bytes(part)
                .await
                .map_err(|e| HubError::Load(e.to_string()))?
            {
                new.push((part, bytes));
            }
        }
        // Other servers bind the actor ids of the changes they store first.
        let actors = db
            .text_actors(self.text)
            .await
            .map_err(|e| HubError::Load(e.to_string()))?;
        let Some(core) = self.core.as_mut() else {
            return Ok(());
        };
        core.actors.extend(actors);
        if !new.is_empty() {
            core.located = None;
        }
        for (part, bytes) in new {
            core.doc
                .load_incremental(&bytes)
                .map_err(|e| HubError::Load(e.to_string()))?;
            self.parts.push(part);
        }
        // These changes are stored already: keep them out of this server's next chunk.
        core.doc.save_incremental();
        Ok(())
    }

    fn view(&mut self, at: Option<&[ChangeHash]>) -> Result<DocView, HubError> {
        let core = self.core.as_mut().ok_or(HubError::Gone)?;
        let heads = match at {
            Some(heads) => heads.to_vec(),
            None => core.doc.get_heads(),
        };
        if let Some((read_at, markdown)) = &core.read
            && *read_at == heads
        {
            return Ok(DocView {
                markdown: markdown.clone(),
                heads,
            });
        }
        let markdown: std::sync::Arc<str> = match at {
            Some(heads) => core.doc.text_at(&core.markdown, heads),
            None => core.doc.text(&core.markdown),
        }
        .map_err(|e| HubError::Refused(format!("no such state of the text: {e}")))?
        .into();
        if at.is_none() {
            core.read = Some((heads.clone(), markdown.clone()));
        }
        Ok(DocView { markdown, heads })
    }

    /// Stores the derived Markdown and wiki links, if the document changed since.
    async fn materialize(&mut self) {
        if self.dirty_since.is_none() {
            return;
        }
        let Some(core) = self.core.as_ref() else {
            return;
        };
        let Ok(markdown) = core.doc.text(&core.markdown) else {
            return;
        };
        match crate::collab::derived::store(&self.hub.inner.db, self.text, &markdown).await {
            Ok(()) => self.dirty_since = None,
            Err(e) => {
                tracing::warn!(text = %self.text, error = %e, "cannot store a text's Markdown")
            }
        }
    }
}

/// Answers every waiting request of a batch that could not be handled.
fn fail_all(batch: Vec<Command>, error: &HubError) {
    let load_failed = || HubError::Load(error.to_string());
    for command in batch {
        match command {
            Command::Join { out, .. } => {
                let _ = out.try_send(Outgoing::Close(close::RECONNECT, error.to_string()));
            }
            Command::Read { reply, .. } => {
                let _ = reply.send(Err(load_failed()));
            }
            Command::Edit(edit) => {
                let _ = edit.reply.send(Err(load_failed()));
            }
            Command::States(request) => Reading::States(request).fail(load_failed()),
            Command::Anchor(request) => Reading::Anchor(request).fail(load_failed()),
            Command::Resolve(request) => Reading::Resolve(request).fail(load_failed()),
            Command::Provenance(request) => Reading::Provenance(request).fail(load_failed()),
            Command::Flush(done) => {
                let _ = done.send(());
            }
            _ => {}
        }
    }
}
