//! The hub: finds or starts the task that owns an open text's document, and hands it commands.
//!
//! One task per open text (see `document`). The registry maps a text to its task's command
//! channel. A task leaves the registry when its text has been idle for `idle_after`; commands
//! that raced with its departure are handed back to the hub, which starts a new task for them,
//! so no command is ever dropped on the floor.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use automerge::ChangeHash;
use tokio::sync::{Semaphore, mpsc, oneshot, watch};

use super::anchor::{Anchor, AnchorError, Resolved};
use super::document::{
    self, AnchorRequest, Command, EditRequest, ProvenanceRequest, ResolveRequest, ServerEdit,
    StatesRequest,
};
use super::flow::{Budgets, Credit, FlowSettings, PeerFlow};
use super::presence::Presence;
use crate::config::DEFAULT_MAX_TEXT_LENGTH;
use crate::model::{MemberId, TextId};
use crate::store::{ChunkEvent, Db, Merging};

/// Tuning of the hub. The defaults suit a convention weekend on one server.
#[derive(Debug, Clone)]
pub struct HubSettings {
    /// A text nobody has used for this long leaves memory.
    pub idle_after: Duration,
    /// After this many stored chunks, the document is saved whole as one snapshot.
    pub compact_after_chunks: usize,
    /// How often the derived Markdown (lists, wiki links) is refreshed while people type.
    pub materialize_every: Duration,
    /// A text's `text.edited` events are this far apart at least (`edit_events`): what an
    /// edit may wait before a consumer (the search index) hears of it, while people type.
    pub edit_event_every: Duration,
    /// How many documents may be loading from the database at once.
    pub concurrent_loads: usize,
    /// Messages queued for one peer before it is considered too slow and disconnected.
    pub peer_queue: usize,
    /// Commands coalesced into one batch at most.
    pub max_batch: usize,
    /// The longest a text may grow, in characters (UTF-16 code units, as the editor counts):
    /// what peers and server-side edits may not exceed, and from which the bounds on one sync
    /// message are derived (`vet::Limits`).
    pub max_text_length: usize,
    /// The bounds of the queues between sockets and documents, and each member's rates.
    pub flow: FlowSettings,
}

/// How long reading one past state may take (`anchored_passage`).
const READ_BUDGET: Duration = Duration::from_secs(2);

impl Default for HubSettings {
    fn default() -> Self {
        HubSettings {
            idle_after: Duration::from_secs(60),
            compact_after_chunks: 500,
            materialize_every: Duration::from_secs(2),
            edit_event_every: Duration::from_millis(500),
            concurrent_loads: 4,
            peer_queue: 1024,
            max_batch: 512,
            max_text_length: DEFAULT_MAX_TEXT_LENGTH,
            flow: FlowSettings::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("the text's document could not be loaded: {0}")]
    Load(String),
    #[error("the text's document could not be stored: {0}")]
    Store(String),
    #[error("the text does not exist")]
    Gone,
    #[error("{0}")]
    Refused(String),
    #[error("the text would be longer than {0} characters")]
    TooLarge(usize),
    /// A passage that cannot be anchored, resolved or spliced.
    #[error(transparent)]
    Anchor(#[from] AnchorError),
}

/// Which passages of a text the server's own changes wrote, read from its document's history
/// (`Hub::provenance`): the Markdown now, the messages of those changes (their causes: "amendement
/// 42"), and the runs of characters each change inserted and that are still there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    pub markdown: String,
    pub messages: Vec<String>,
    /// (UTF-16 range of `markdown`, index in `messages`), in order, never overlapping.
    pub spans: Vec<(std::ops::Range<usize>, usize)>,
}

/// Who a peer is, as the WebSocket handler established before the upgrade.
#[derive(Debug, Clone)]
pub struct PeerInfo {
    pub member: MemberId,
    pub name: String,
    pub readonly: bool,
    /// Whether this peer may see the text's group directory: it is then told the names of
    /// co-editors who may too, and named to them; else it and they are anonymous participants
    /// to each other (see `presence`).
    pub sees_names: bool,
}

/// What the hub sends a peer.
#[derive(Debug)]
pub enum Outgoing {
    /// An automerge sync message.
    Sync(Vec<u8>),
    /// A presence message (JSON).
    Presence(String),
    /// Close the socket with this code and reason.
    Close(u16, String),
}

impl Outgoing {
    /// The bytes it holds, as counted against the peer's outbound queue.
    pub fn size(&self) -> usize {
        match self {
            Outgoing::Sync(bytes) => bytes.len(),
            Outgoing::Presence(json) => json.len(),
            Outgoing::Close(..) => 0,
        }
    }
}

/// A connected peer's side: send through it; what the hub sends comes on the receiver `join`
/// returned with it.
pub struct PeerHandle {
    pub peer: u64,
    pub summary: Presence,
    /// The bounds and rates of this socket's traffic (see `flow`).
    pub flow: Arc<PeerFlow>,
    hub: Hub,
    text: TextId,
}

impl PeerHandle {
    /// The bounds of one sync message on this server (what `flow::cost` reads against).
    pub fn limits(&self) -> super::vet::Limits {
        super::vet::Limits::for_text_length(self.hub.inner.settings.max_text_length)
    }

    /// Hands a sync message to the document, with the room it takes in the inbound queue.
    pub fn sync(&self, bytes: Vec<u8>, credit: Credit) {
        self.hub.send(
            self.text,
            Command::Sync {
                peer: self.peer,
                bytes,
                credit,
            },
        );
    }

    pub fn cursor(&self, anchor: String, head: String, credit: Credit) {
        self.hub.send(
            self.text,
            Command::Cursor {
                peer: self.peer,
                anchor,
                head,
                credit,
            },
        );
    }
}

impl Drop for PeerHandle {
    fn drop(&mut self) {
        self.hub.send(self.text, Command::Leave { peer: self.peer });
    }
}

/// The current state of a text's document.
#[derive(Debug, Clone)]
pub struct DocView {
    /// Shared with the document's copy: a convention's readers ask for it thousands of times
    /// between two changes.
    pub markdown: std::sync::Arc<str>,
    pub heads: Vec<ChangeHash>,
}

/// Where anchored passages are at a state of the text.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// The state they were resolved at (the text's heads then).
    pub heads: Vec<ChangeHash>,
    /// Each anchor's passage, in the order asked.
    pub anchors: Vec<Result<Resolved, AnchorError>>,
}

/// What a splice replaces.
#[derive(Debug, Clone)]
pub enum Passage {
    /// A range of the current Markdown, in UTF-16 units.
    Range(std::ops::Range<usize>),
    /// Wherever an anchored passage is now; with `if_unchanged`, only if its text is still what
    /// it was when anchored (else `AnchorError::Changed`, and nothing is spliced). A deleted
    /// passage is refused (`AnchorError::Deleted`); an insertion point receives the text.
    Anchored { anchor: Anchor, if_unchanged: bool },
}

/// A passage to replace as one change of the server's, whose message names its cause
/// ("amendment 42 adopted") and whose author is recorded in the history as an edit's.
#[derive(Debug, Clone)]
pub struct Splice {
    pub passage: Passage,
    pub replacement: String,
    pub message: String,
    pub author: Option<MemberId>,
    /// What the splice appends with the chunk that stores it, besides `text.edited`.
    pub event: Option<ChunkEvent>,
    /// The amendments it merges, recorded in the transaction that stores it (`store::Merging`):
    /// should that record fail, the change is not stored either and the document is reloaded
    /// from storage, so that nothing of the splice remains.
    pub merging: Option<Merging>,
}

/// What a server edit did, once stored: the heads after it, and where its text now is (the
/// replacement's range in UTF-16 units; the whole text for a replacement of the Markdown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spliced {
    pub heads: Vec<ChangeHash>,
    pub start: usize,
    pub end: usize,
}

/// What a server edit records besides its change.
struct EditMeta {
    author: Option<MemberId>,
    message: String,
    event: Option<ChunkEvent>,
    merging: Option<Merging>,
}

pub(super) struct HubInner {
    pub db: Db,
    pub settings: HubSettings,
    docs: Mutex<HashMap<TextId, mpsc::UnboundedSender<Command>>>,
    pub loads: Semaphore,
    next_peer: AtomicU64,
    budgets: Budgets,
    /// Set when the server is shutting down: sockets close, documents stop applying.
    closing: watch::Sender<bool>,
}

/// The registry of open documents. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    pub(super) inner: Arc<HubInner>,
}

impl Hub {
    pub fn new(db: Db, settings: HubSettings) -> Hub {
        Hub {
            inner: Arc::new(HubInner {
                db,
                loads: Semaphore::new(settings.concurrent_loads.max(1)),
                settings,
                docs: Mutex::new(HashMap::new()),
                next_peer: AtomicU64::new(1),
                budgets: Budgets::default(),
                closing: watch::Sender::new(false),
            }),
        }
    }

    /// Connects a peer to a text; the hub answers on the returned channel. The command channel
    /// of a text is unbounded as a channel but bounded in bytes: every message a peer sends takes
    /// room in that peer's inbound queue (`flow`) until it is applied.
    pub fn join(&self, text: TextId, info: PeerInfo) -> (PeerHandle, mpsc::Receiver<Outgoing>) {
        let peer = self.inner.next_peer.fetch_add(1, Ordering::Relaxed);
        let (out, outgoing) = mpsc::channel(self.inner.settings.peer_queue);
        let settings = &self.inner.settings.flow;
        let budget = self.inner.budgets.of(info.member, settings.rates);
        let flow = Arc::new(PeerFlow::new(settings.clone(), budget));
        let summary = Presence::new(peer, info.member, info.name.clone(), info.sees_names);
        self.send(
            text,
            Command::Join {
                peer,
                info,
                summary: summary.clone(),
                out,
                flow: flow.clone(),
            },
        );
        let handle = PeerHandle {
            peer,
            summary,
            flow,
            hub: self.clone(),
            text,
        };
        (handle, outgoing)
    }

    /// The server is shutting down: every socket closes with "server restarting", and documents
    /// drop the messages not yet applied (they were not acknowledged: the peers send them again
    /// once reconnected).
    pub fn shutdown(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Resolves when the server starts shutting down.
    pub async fn closing(&self) {
        let mut closing = self.inner.closing.subscribe();
        let _ = closing.wait_for(|closing| *closing).await;
    }

    pub fn is_closing(&self) -> bool {
        *self.inner.closing.borrow()
    }

    /// The document's Markdown and heads now, or at `at` (a past state).
    pub async fn read(
        &self,
        text: TextId,
        at: Option<Vec<ChangeHash>>,
    ) -> Result<DocView, HubError> {
        let (reply, answer) = oneshot::channel();
        self.send(text, Command::Read { at, reply });
        answer.await.map_err(|_| HubError::Gone)?
    }

    /// The text as every server has stored it: an open copy first fetches what other servers
    /// stored since it was loaded (their announcement may not have arrived yet), a closed one
    /// is loaded. For a reader that has heard of a change through the outbox, which another
    /// server appends in the transaction that stores the change.
    pub async fn read_stored_everywhere(&self, text: TextId) -> Result<DocView, HubError> {
        self.changed_elsewhere(text);
        self.read(text, None).await
    }

    /// The Markdown at each of several states (lists of heads), read off the runtime within
    /// `budget`: a state read after the budget, or naming a change the document lacks, is `None`.
    pub async fn read_states(
        &self,
        text: TextId,
        at: Vec<Vec<ChangeHash>>,
        budget: std::time::Duration,
    ) -> Result<Vec<Option<String>>, HubError> {
        let (reply, answer) = oneshot::channel();
        self.send(text, Command::States(StatesRequest { at, budget, reply }));
        answer.await.map_err(|_| HubError::Gone)?
    }

    /// Replaces the Markdown with `markdown` as one change (the smallest diff, so that concurrent
    /// edits elsewhere in the text survive), stored before this returns. The new heads.
    pub async fn replace(
        &self,
        text: TextId,
        markdown: String,
        author: Option<MemberId>,
        message: String,
        event: Option<ChunkEvent>,
    ) -> Result<Vec<ChangeHash>, HubError> {
        let edit = ServerEdit::Replace(markdown);
        let request = EditMeta {
            author,
            message,
            event,
            merging: None,
        };
        Ok(self.edit(text, edit, request).await?.heads)
    }

    /// Replaces a passage as one change of the server's (only the words that differ change, so
    /// that what is anchored in the others stays), with the splice's message and author; stored
    /// before this returns, then sent to the text's peers like any change. A splice that would
    /// make the text longer than its longest is refused (`TooLarge`) and nothing is stored.
    pub async fn splice(&self, text: TextId, splice: Splice) -> Result<Spliced, HubError> {
        let edit = ServerEdit::Splice {
            passage: splice.passage,
            replacement: splice.replacement,
        };
        let request = EditMeta {
            author: splice.author,
            message: splice.message,
            event: splice.event,
            merging: splice.merging,
        };
        self.edit(text, edit, request).await
    }

    async fn edit(
        &self,
        text: TextId,
        edit: ServerEdit,
        meta: EditMeta,
    ) -> Result<Spliced, HubError> {
        let (reply, answer) = oneshot::channel();
        let edit = EditRequest {
            edit,
            author: meta.author,
            message: meta.message,
            event: meta.event,
            merging: meta.merging,
            reply,
        };
        self.send(text, Command::Edit(edit));
        answer.await.map_err(|_| HubError::Gone)?
    }

    /// Anchors `range` (UTF-16 units) of the Markdown as it is now, or as it was at the heads
    /// `at` (those a client's positions refer to): see `anchor` for how the anchor follows edits.
    pub async fn anchor(
        &self,
        text: TextId,
        range: std::ops::Range<usize>,
        at: Option<Vec<ChangeHash>>,
    ) -> Result<Anchor, HubError> {
        let (reply, answer) = oneshot::channel();
        self.send(text, Command::Anchor(AnchorRequest { range, at, reply }));
        answer.await.map_err(|_| HubError::Gone)?
    }

    /// Where each anchored passage is now (in one read of the text): its range, its text, and
    /// whether it was deleted or changed since anchored. An anchor not taken on this text is
    /// `AnchorError::Foreign`.
    pub async fn resolve(
        &self,
        text: TextId,
        anchors: impl Into<std::sync::Arc<[Anchor]>>,
    ) -> Result<Resolution, HubError> {
        let anchors = anchors.into();
        let (reply, answer) = oneshot::channel();
        self.send(text, Command::Resolve(ResolveRequest { anchors, reply }));
        answer.await.map_err(|_| HubError::Gone)?
    }

    /// Which passages the server's own changes wrote, with their messages, from the document's
    /// history (one pass over its changes, one over its characters, off the runtime).
    pub async fn provenance(&self, text: TextId) -> Result<Provenance, HubError> {
        let (reply, answer) = oneshot::channel();
        self.send(text, Command::Provenance(ProvenanceRequest { reply }));
        answer.await.map_err(|_| HubError::Gone)?
    }

    /// The anchored passage as it was when anchored (from the Markdown at the anchor's heads).
    pub async fn anchored_passage(
        &self,
        text: TextId,
        anchor: &Anchor,
    ) -> Result<String, HubError> {
        let then = self
            .read_states(text, vec![anchor.heads().to_vec()], READ_BUDGET)
            .await?
            .pop()
            .flatten()
            .ok_or(AnchorError::Foreign)?;
        Ok(anchor.passage_in(&then).ok_or(AnchorError::Foreign)?)
    }

    /// Closes every peer of a text (its rights changed: they reconnect and are re-checked).
    pub fn reauthorise(&self, text: TextId, reason: &str) {
        if self.is_open(text) {
            self.send(text, Command::CloseAll(reason.to_owned()));
        }
    }

    /// Closes a member's peers on every open text (their rights changed: they reconnect and are
    /// re-checked). The other peers stay.
    pub fn close_member(&self, member: MemberId, reason: &str) {
        for text in self.open_texts() {
            // A text that closed meanwhile has no peers: `send` would start it again.
            if self.is_open(text) {
                self.send(text, Command::CloseMember(member, reason.to_owned()));
            }
        }
    }

    /// Another server stored changes to this text: an open copy fetches them.
    pub fn changed_elsewhere(&self, text: TextId) {
        if self.is_open(text) {
            self.send(text, Command::Refresh);
        }
    }

    /// Every open text fetches what it may have missed (after a lost notification connection).
    pub fn refresh_all(&self) {
        for text in self.open_texts() {
            self.send(text, Command::Refresh);
        }
    }

    /// Stores the derived Markdown of every open text (at shutdown).
    pub async fn flush_all(&self) {
        for text in self.open_texts() {
            let (reply, done) = oneshot::channel();
            self.send(text, Command::Flush(reply));
            let _ = done.await;
        }
    }

    pub fn open_count(&self) -> usize {
        self.inner.docs.lock().map(|docs| docs.len()).unwrap_or(0)
    }

    pub fn open_texts(&self) -> Vec<TextId> {
        self.inner
            .docs
            .lock()
            .map(|docs| docs.keys().copied().collect())
            .unwrap_or_default()
    }

    fn is_open(&self, text: TextId) -> bool {
        self.inner
            .docs
            .lock()
            .map(|docs| docs.contains_key(&text))
            .unwrap_or(false)
    }

    /// Hands a command to the text's task, starting one if needed.
    pub(super) fn send(&self, text: TextId, mut command: Command) {
        // Two rounds at most: a task that closed its channel after we took its sender has left
        // the registry, so the second round starts a fresh one.
        for _ in 0..2 {
            let sender = {
                let Ok(mut docs) = self.inner.docs.lock() else {
                    return;
                };
                let sender = docs
                    .entry(text)
                    .or_insert_with(|| {
                        let (tx, rx) = mpsc::unbounded_channel();
                        tokio::spawn(document::run(self.clone(), text, rx));
                        tx
                    })
                    .clone();
                report_open(docs.len());
                sender
            };
            match sender.send(command) {
                Ok(()) => return,
                Err(mpsc::error::SendError(back)) => {
                    command = back;
                    self.forget_if(text, &sender);
                }
            }
        }
        tracing::error!(text = %text, "a command to a text's document could not be delivered");
    }

    /// Removes the registry entry of `text` if it is still `sender` (the task is leaving).
    pub(super) fn forget_if(&self, text: TextId, sender: &mpsc::UnboundedSender<Command>) {
        if let Ok(mut docs) = self.inner.docs.lock()
            && docs.get(&text).is_some_and(|s| s.same_channel(sender))
        {
            docs.remove(&text);
            report_open(docs.len());
        }
    }

    /// Called by a task about to leave: removes it from the registry unless a command is waiting.
    /// Returns whether it left.
    pub(super) fn leave(&self, text: TextId, rx: &mut mpsc::UnboundedReceiver<Command>) -> bool {
        let Ok(mut docs) = self.inner.docs.lock() else {
            return false;
        };
        if !rx.is_empty() {
            return false;
        }
        docs.remove(&text);
        report_open(docs.len());
        rx.close();
        true
    }
}

/// Publishes how many texts are open in memory (`/metrics`), so operators see eviction work.
fn report_open(count: usize) {
    metrics::gauge!("atelier_open_documents").set(count as f64);
}

/// The other servers' announcements about texts (`store::listen`).
impl crate::store::OtherServers for Hub {
    fn text_changed(&self, text: TextId) {
        self.changed_elsewhere(text);
    }

    fn announcements_missed(&self) {
        self.refresh_all();
    }
}
