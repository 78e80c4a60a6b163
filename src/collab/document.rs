//! The task that owns one open text: its automerge document and every peer's sync state.
//!
//! Commands arrive on a channel and are handled in batches: everything already queued is taken
//! at once, the sync messages are applied together off the async runtime (applying a change
//! costs time linear in the document, so coalescing keeps a busy text fast), the new changes are
//! stored in one chunk, and only then are the peers answered: a peer that sees its changes in
//! the server's heads knows they are durable.
//!
//! Hostile or broken input from one peer closes that peer's socket, never the document: a
//! message that does not decode, a change from a read-only peer, a change that removes or
//! replaces the `markdown` text object (the document is then reloaded from the database, and
//! the batch's other peers resync), a message beyond the bounds of `vet` or a text growing past
//! its longest, a change under another member's actor id (`actors`).

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, Change, ChangeHash, ReadDoc};
use tokio::sync::{mpsc, oneshot};

use super::actors::Bindings;
use super::close;
use super::doc::{self, ObjId};
use super::fanout;
use super::flow::{Credit, PeerFlow};
use super::hub::{DocView, Hub, HubError, Outgoing, PeerInfo};
use super::incoming::{new_changes, too_large};
use super::presence::{PeerSummary, Presence, Said, ToClient};
use super::vet::Limits;
use crate::model::{MemberId, TextId};
use crate::store::{DocPart, NewChunk};

/// The longest a busy text's task waits before its next batch (see `run`).
const MAX_PACING: std::time::Duration = std::time::Duration::from_millis(100);

/// Where the outcome of a server-side edit goes: the new heads, once stored.
pub(super) type EditReply = oneshot::Sender<Result<Vec<ChangeHash>, HubError>>;

pub(super) struct EditRequest {
    pub markdown: String,
    pub author: Option<MemberId>,
    pub message: String,
    pub reply: EditReply,
}

/// The Markdown at several states of the text, materialised off the runtime within `budget`.
pub(super) struct StatesRequest {
    pub at: Vec<Vec<ChangeHash>>,
    pub budget: std::time::Duration,
    pub reply: oneshot::Sender<Result<Vec<Option<String>>, HubError>>,
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
    Refresh,
    CloseAll(String),
    /// Closes one member's peers (their rights changed).
    CloseMember(MemberId, String),
    Flush(oneshot::Sender<()>),
}

struct Peer {
    info: PeerInfo,
    summary: Presence,
    state: sync::State,
    out: mpsc::Sender<Outgoing>,
    flow: std::sync::Arc<PeerFlow>,
    cursor: Option<(String, String)>,
}

impl Peer {
    /// Queues a message; `false` if the peer is gone or too far behind (in messages or bytes).
    fn send(&self, message: Outgoing) -> bool {
        let size = message.size();
        if !self.flow.queue_out(size) {
            return false;
        }
        if self.out.try_send(message).is_err() {
            self.flow.sent_out(size);
            return false;
        }
        true
    }
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
}

impl Core {
    /// The Markdown at each of `at`, until `budget` has passed (`None` after, and for a state
    /// naming a change the document does not have: automerge would silently read it as the
    /// empty document).
    fn states(&self, at: &[Vec<ChangeHash>], budget: std::time::Duration) -> Vec<Option<String>> {
        let deadline = Instant::now().checked_add(budget);
        at.iter()
            .map(|heads| {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return None;
                }
                if heads.is_empty() || !self.doc.get_missing_deps(heads).is_empty() {
                    return None;
                }
                self.doc.text_at(&self.markdown, heads).ok()
            })
            .collect()
    }
}

/// What applying a batch did.
#[derive(Default)]
struct Applied {
    /// Peers to disconnect: (peer, close code, reason).
    refused: Vec<(u64, u16, String)>,
    /// Changes made, by author (for the history).
    authors: HashMap<Option<MemberId>, i32>,
    /// A change broke the document's shape: it must be reloaded.
    poisoned: bool,
    /// The incremental save of the new changes (empty if none).
    chunk: Vec<u8>,
    heads: Vec<ChangeHash>,
    edit_replies: Vec<(EditReply, Result<(), HubError>)>,
    /// The messages of the server's own changes (e.g. "restored version 3").
    messages: Vec<String>,
    /// Peers whose messages carried changes: they wait for our heads as an acknowledgement.
    acknowledge: HashSet<u64>,
    /// The snapshot to store instead of the current parts, when compaction is due.
    snapshot: Option<Vec<u8>>,
    /// Actor ids first used in this batch, to bind before the chunk is stored.
    actors: Vec<crate::store::ActorOwner>,
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
    fn next_timer(&self, settings: &super::hub::HubSettings) -> std::time::Duration {
        let idle = settings
            .idle_after
            .saturating_sub(self.idle_since.elapsed());
        match self.dirty_since {
            Some(at) => idle.min(settings.materialize_every.saturating_sub(at.elapsed())),
            None => idle,
        }
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
        let mut states = Vec::new();
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
                Command::States(request) => states.push(request),
                Command::Refresh => refresh = true,
                Command::CloseAll(reason) => self.close_all(&reason),
                Command::CloseMember(member, reason) => self.close_member(member, &reason),
                Command::Flush(done) => {
                    self.materialize().await;
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
        if !states.is_empty() {
            self.states(states).await;
        }
    }

    /// Materialises past states off the runtime: reading a state costs time linear in the
    /// document's history (its clock, then its text), so a history page's dozen states of a long
    /// text would hold a worker. The document is moved to a blocking thread and back, as when
    /// applying changes; each request stops at its budget, later states answering `None`.
    async fn states(&mut self, requests: Vec<StatesRequest>) {
        let Some(core) = self.core.take() else {
            for request in requests {
                let _ = request.reply.send(Err(HubError::Gone));
            }
            return;
        };
        let outcome = tokio::task::spawn_blocking(move || {
            let core = core;
            let answers = std::panic::catch_unwind(AssertUnwindSafe(|| {
                requests
                    .iter()
                    .map(|request| core.states(&request.at, request.budget))
                    .collect::<Vec<_>>()
            }));
            (core, requests, answers)
        })
        .await;
        match outcome {
            Ok((core, requests, Ok(answers))) => {
                self.core = Some(core);
                for (request, answer) in requests.into_iter().zip(answers) {
                    let _ = request.reply.send(Ok(answer));
                }
            }
            Ok((core, requests, Err(_))) => {
                // Reading panicked inside automerge: the document was not changed, keep it.
                tracing::error!(text = %self.text, "reading past states panicked");
                self.core = Some(core);
                for request in requests {
                    let _ = request
                        .reply
                        .send(Err(HubError::Refused("no such state of the text".into())));
                }
            }
            // The blocking pool is gone (shutting down): the replies were dropped with it.
            Err(_) => {}
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

    fn join(
        &mut self,
        peer: u64,
        info: PeerInfo,
        summary: Presence,
        out: mpsc::Sender<Outgoing>,
        flow: std::sync::Arc<PeerFlow>,
    ) {
        let Some(core) = self.core.as_mut() else {
            return;
        };
        let names = info.sees_names;
        let others: Vec<PeerSummary> = core
            .peers
            .values()
            .map(|p| p.summary.seen(names).clone())
            .collect();
        let hello = ToClient::Hello {
            peer: summary.peer(),
            readonly: info.readonly,
            peers: others,
        }
        .to_json();
        let joined = Said::about(&summary, ToClient::Join);
        let mut state = sync::State::new();
        let first = core.doc.sync().generate_sync_message(&mut state);
        let new = Peer {
            info,
            summary,
            state,
            out,
            flow,
            cursor: None,
        };
        let mut ok = new.send(Outgoing::Presence(hello));
        if let Some(message) = first {
            ok &= new.send(Outgoing::Sync(message.encode()));
        }
        for other in core.peers.values() {
            other.send(Outgoing::Presence(joined.to(other.info.sees_names)));
            if let Some((anchor, head)) = &other.cursor {
                let cursor = ToClient::Cursor {
                    who: other.summary.seen(names),
                    anchor,
                    head,
                };
                ok &= new.send(Outgoing::Presence(cursor.to_json()));
            }
        }
        if ok {
            core.peers.insert(peer, new);
        }
    }

    fn remove_peer(&mut self, peer: u64, close: Option<(u16, String)>) {
        let Some(core) = self.core.as_mut() else {
            return;
        };
        let Some(gone) = core.peers.remove(&peer) else {
            return;
        };
        if let Some((code, reason)) = close {
            gone.send(Outgoing::Close(code, reason));
        }
        let left = ToClient::Leave {
            peer: gone.summary.peer(),
        }
        .to_json();
        for other in core.peers.values() {
            other.send(Outgoing::Presence(left.clone()));
        }
    }

    fn cursor(&mut self, peer: u64, anchor: String, head: String) {
        let Some(core) = self.core.as_mut() else {
            return;
        };
        let Some(sender) = core.peers.get_mut(&peer) else {
            return;
        };
        let message = Said::about(&sender.summary, |who| ToClient::Cursor {
            who,
            anchor: &anchor,
            head: &head,
        });
        sender.cursor = Some((anchor, head));
        for (id, other) in &core.peers {
            if *id != peer {
                other.send(Outgoing::Presence(message.to(other.info.sees_names)));
            }
        }
    }

    fn close_all(&mut self, reason: &str) {
        if let Some(core) = self.core.as_mut() {
            for (_, peer) in core.peers.drain() {
                peer.send(Outgoing::Close(close::RECONNECT, reason.to_owned()));
            }
        }
    }

    fn close_member(&mut self, member: MemberId, reason: &str) {
        let Some(core) = self.core.as_ref() else {
            return;
        };
        let theirs: Vec<u64> = core
            .peers
            .iter()
            .filter(|(_, peer)| peer.info.member == member)
            .map(|(id, _)| *id)
            .collect();
        for peer in theirs {
            self.remove_peer(peer, Some((close::RECONNECT, reason.to_owned())));
        }
    }

    fn view(&mut self, at: Option<&[ChangeHash]>) -> Result<DocView, HubError> {
        let core = self.core.as_mut().ok_or(HubError::Gone)?;
        let markdown = match at {
            Some(heads) => core.doc.text_at(&core.markdown, heads),
            None => core.doc.text(&core.markdown),
        }
        .map_err(|e| HubError::Refused(format!("no such state of the text: {e}")))?;
        let heads = match at {
            Some(heads) => heads.to_vec(),
            None => core.doc.get_heads(),
        };
        Ok(DocView { markdown, heads })
    }

    /// Applies sync messages and edits off the runtime, stores the result, then answers peers.
    async fn apply(&mut self, syncs: Vec<(u64, Vec<u8>)>, edits: Vec<EditRequest>) {
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
            super::refusals::note(self.text, member, code, &reason);
            self.remove_peer(peer, Some((code, reason)));
        }
        if applied.poisoned {
            tracing::warn!(text = %self.text, "a change broke the document's shape: reloading it");
            self.close_all("Le document a été rechargé ; reconnexion.");
            self.core = None;
            for (reply, _) in applied.edit_replies {
                let _ = reply.send(Err(HubError::Refused("the document was reloaded".into())));
            }
            return;
        }
        if !applied.chunk.is_empty()
            && let Err(e) = self.store(&applied).await
        {
            tracing::error!(text = %self.text, error = %e, "cannot store changes: peers will resend them");
            self.close_all("Le serveur n'a pas pu enregistrer ; reconnexion.");
            self.core = None;
            for (reply, _) in applied.edit_replies {
                let _ = reply.send(Err(HubError::Store(e.to_string())));
            }
            return;
        }
        if let Some(snapshot) = applied.snapshot.take() {
            self.compact(snapshot).await;
        }
        for (reply, result) in applied.edit_replies {
            let _ = reply.send(result.map(|()| applied.heads.clone()));
        }
        self.answer_peers(&applied.acknowledge);
    }

    async fn store(&mut self, applied: &Applied) -> Result<(), crate::store::StoreError> {
        let authors: Vec<(Option<MemberId>, i32)> =
            applied.authors.iter().map(|(a, n)| (*a, *n)).collect();
        let heads = doc::heads_to_json(&applied.heads);
        let joined = applied.messages.join("; ");
        let message = (!joined.is_empty()).then_some(joined.as_str());
        // Bound before the chunk is stored, so before anyone else can see these actor ids. One
        // bound meanwhile by another server to someone else: this copy must not be stored.
        let db = &self.hub.inner.db;
        if !db
            .bind_text_actors(self.text, &applied.actors)
            .await?
            .is_empty()
        {
            return Err(crate::store::StoreError::Conflict("actor"));
        }
        let id = self
            .hub
            .inner
            .db
            .append_chunk(&NewChunk {
                text: self.text,
                bytes: &applied.chunk,
                authors: &authors,
                heads: &heads,
                message,
            })
            .await?;
        self.parts.push(DocPart::Chunk(id));
        self.chunks_since_snapshot += 1;
        self.dirty_since.get_or_insert_with(Instant::now);
        Ok(())
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

    /// Sends each peer what it is missing (the answer to its message, and others' changes).
    fn answer_peers(&mut self, acknowledge: &HashSet<u64>) {
        let Some(core) = self.core.as_mut() else {
            return;
        };
        let mut slow = Vec::new();
        let mut round = fanout::Round::default();
        for (id, peer) in core.peers.iter_mut() {
            if acknowledge.contains(id) {
                // The protocol stays silent when the peer's last message already named our
                // heads, but a peer that sent changes waits for our heads to know they are
                // stored: forget what we last told it, so that we say it again.
                peer.state.last_sent_heads.clear();
            }
            if let Some(message) =
                fanout::generate(&mut core.doc, &mut peer.state, &core.encoded, &mut round)
                && !peer.send(Outgoing::Sync(message.encode()))
            {
                slow.push(*id);
            }
        }
        for peer in slow {
            self.remove_peer(
                peer,
                Some((
                    close::TOO_SLOW,
                    "Connexion trop lente ; reconnexion.".into(),
                )),
            );
        }
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
        match super::derived::store(&self.hub.inner.db, self.text, &markdown).await {
            Ok(()) => self.dirty_since = None,
            Err(e) => {
                tracing::warn!(text = %self.text, error = %e, "cannot store a text's Markdown")
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
        for edit in edits {
            let result = self.edit(&edit.markdown);
            if result.is_ok() {
                let committed = self.doc.commit_with(
                    CommitOptions::default()
                        .with_message(edit.message.clone())
                        .with_time(doc::unix_now()),
                );
                if committed.is_some() {
                    if let Some(change) = self.doc.get_last_local_change() {
                        self.encoded.remember(&change);
                    }
                    *applied.authors.entry(edit.author).or_default() += 1;
                    applied.messages.push(edit.message.clone());
                }
            }
            applied.edit_replies.push((edit.reply, result));
        }
        applied.actors = self.actors.take_new();
        applied.chunk = self.doc.save_incremental();
        applied.heads = self.doc.get_heads();
        if compact {
            applied.snapshot = Some(self.doc.save());
        }
        applied
    }

    /// A server-side edit (a restored version): held to the same longest text as peers, and made
    /// under the server's actor id, bound to no member.
    fn edit(&mut self, markdown: &str) -> Result<(), HubError> {
        let length = markdown.encode_utf16().count();
        if length > self.limits.max_text_length && length > self.doc.length(&self.markdown) {
            return Err(HubError::TooLarge(self.limits.max_text_length));
        }
        while !self.actors.claim(&self.doc.get_actor().clone(), None) {
            self.doc.set_actor(automerge::ActorId::random());
        }
        self.doc
            .update_text(&self.markdown, markdown)
            .map_err(|e| HubError::Refused(e.to_string()))
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
                super::sync_state::receive_applied(&mut self.doc, &mut peer.state, message);
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

/// Answers every waiting request of a batch that could not be handled.
fn fail_all(batch: Vec<Command>, error: &HubError) {
    for command in batch {
        match command {
            Command::Join { out, .. } => {
                let _ = out.try_send(Outgoing::Close(close::RECONNECT, error.to_string()));
            }
            Command::Read { reply, .. } => {
                let _ = reply.send(Err(HubError::Load(error.to_string())));
            }
            Command::Edit(edit) => {
                let _ = edit.reply.send(Err(HubError::Load(error.to_string())));
            }
            Command::States(request) => {
                let _ = request.reply.send(Err(HubError::Load(error.to_string())));
            }
            Command::Flush(done) => {
                let _ = done.send(());
            }
            _ => {}
        }
    }
}
