//! Sending each peer the changes it lacks, with each change encoded once, not once per peer.
//!
//! automerge's `generate_sync_message` rebuilds every change it sends from the document's
//! operations, and does so for each peer: a batch of keystrokes on a text with N peers was
//! encoded N times, each time at a cost that grows with the text (the rebuild walks the
//! operations in the changes' range of counters). At 200 typists that was most of the server's
//! work, and peers fell behind until the server closed them as too slow.
//!
//! The document task keeps the bytes of the changes it has just applied (`Encoded`): peers sent
//! them, and a change's bytes are the change. `generate` then makes, for a peer in the steady
//! state (it has acknowledged before, needs nothing in particular, shares heads with us), the
//! very message automerge would make — same heads, same bloom filter of what we have, same
//! changes in the same order, same update of the peer's state — from those bytes. Anything else
//! (a peer's first exchange, a reset, a read-only state, a change not kept, a message that
//! would carry a third of the document) goes to automerge's own function. The unit tests hold
//! the two to the same messages and states over random sessions.

use std::collections::{HashMap, HashSet, VecDeque};

use automerge::sync::{self, BloomFilter, Capability, ChunkList, Have, MessageFlags, SyncDoc};
use automerge::{AutoCommit, Change, ChangeHash, ReadDoc};

/// How much of the recent changes' bytes the task keeps: enough for every peer to catch up on
/// the last batches; a peer further behind is served by automerge's own function.
const KEPT_BYTES: usize = 4 * 1024 * 1024;

/// The bytes of recently applied changes, by hash, oldest forgotten first.
#[derive(Default)]
pub(super) struct Encoded {
    bytes: HashMap<ChangeHash, Vec<u8>>,
    order: VecDeque<ChangeHash>,
    total: usize,
    /// How many changes were ever remembered (the last one's number).
    count: u64,
}

impl Encoded {
    /// Remembers a change applied to the document, or about to be: every change the task
    /// applies comes through here, so that what was applied since a moment can be told
    /// (`since`; loading what other servers stored does not, and says so to who asks).
    pub(super) fn remember(&mut self, change: &Change) {
        let hash = change.hash();
        if self.bytes.contains_key(&hash) {
            return;
        }
        let bytes = change.raw_bytes().to_vec();
        self.total += bytes.len();
        self.bytes.insert(hash, bytes);
        self.order.push_back(hash);
        self.count += 1;
        while self.total > KEPT_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(gone) = self.bytes.remove(&oldest) {
                self.total -= gone.len();
            }
        }
    }
}

impl Encoded {
    /// How many changes were remembered so far.
    pub(super) fn count(&self) -> u64 {
        self.count
    }

    /// The bytes of the changes remembered after the first `count`, in order; `None` if some
    /// of them were forgotten since.
    pub(super) fn since(&self, count: u64) -> Option<Vec<&[u8]>> {
        let first = self.count - self.order.len() as u64;
        if count < first || count > self.count {
            return None;
        }
        self.order
            .iter()
            .skip((count - first) as usize)
            .map(|hash| self.bytes.get(hash).map(Vec::as_slice))
            .collect()
    }
}

/// Bloom filters of what we have since some heads, shared by the peers of one round of answers
/// (most peers share our heads).
#[derive(Default)]
pub(super) struct Round {
    haves: HashMap<Vec<ChangeHash>, Have>,
}

/// The message for one peer, and the peer's state updated, as `generate_sync_message` would.
pub(super) fn generate(
    doc: &mut AutoCommit,
    state: &mut sync::State,
    encoded: &Encoded,
    round: &mut Round,
) -> Option<sync::Message> {
    match fast(doc, state, encoded, round) {
        Fast::Message(message) => message,
        Fast::Fallback => doc.sync().generate_sync_message(state),
    }
}

enum Fast {
    Message(Option<sync::Message>),
    Fallback,
}

fn fast(
    doc: &mut AutoCommit,
    state: &mut sync::State,
    encoded: &Encoded,
    round: &mut Round,
) -> Fast {
    // The steady state only: the peer told us what it has and needs nothing in particular, we
    // share heads with it, and nothing asks for a reset or a whole document.
    if state.read_only || state.peer_read_only || state.needs_reset {
        return Fast::Fallback;
    }
    let (Some(their_heads), Some(their_have), Some(their_need)) =
        (&state.their_heads, &state.their_have, &state.their_need)
    else {
        return Fast::Fallback;
    };
    if their_heads.is_empty()
        || !their_need.is_empty()
        || their_have.is_empty()
        || state.shared_heads.is_empty()
    {
        return Fast::Fallback;
    }
    // With every head of theirs known we need nothing from them (automerge's `need` is empty)…
    if !all_known(doc, their_heads) {
        return Fast::Fallback;
    }
    // …and a first `have` naming something we lack would be answered with a reset.
    if !all_known(doc, &their_have[0].last_sync) {
        return Fast::Fallback;
    }

    let to_send = hashes_to_send(doc, their_have);
    let hashes: Vec<ChangeHash> = to_send
        .into_iter()
        .filter(|hash| !state.sent_hashes.contains(hash))
        .collect();
    let v2 = state
        .their_capabilities
        .as_ref()
        .is_some_and(|caps| caps.contains(&Capability::MessageV2));
    let changes_in_doc = doc.stats().num_changes as usize;
    if v2 && hashes.len() > changes_in_doc / 3 {
        // automerge sends the whole document then.
        return Fast::Fallback;
    }
    let mut chunks: Vec<&[u8]> = Vec::with_capacity(hashes.len());
    for hash in &hashes {
        match encoded.bytes.get(hash) {
            Some(bytes) => chunks.push(bytes),
            None => return Fast::Fallback,
        }
    }

    let our_heads = doc.get_heads();
    let heads_unchanged = state.last_sent_heads == our_heads;
    let heads_equal = state.their_heads.as_ref() == Some(&our_heads);
    if heads_unchanged && state.have_responded {
        if heads_equal && hashes.is_empty() {
            return Fast::Message(None);
        }
        if state.in_flight {
            return Fast::Message(None);
        }
    }

    let our_have = match round.haves.get(&state.shared_heads) {
        Some(have) => have.clone(),
        None => {
            let since: Vec<ChangeHash> = doc
                .get_changes_meta(&state.shared_heads)
                .into_iter()
                .map(|change| change.hash)
                .collect();
            let have = Have {
                last_sync: state.shared_heads.clone(),
                bloom: BloomFilter::from_hashes(since.iter()),
            };
            round.haves.insert(state.shared_heads.clone(), have.clone());
            have
        }
    };

    let (changes, version) = if v2 {
        let chunks = match chunks.concat() {
            data if data.is_empty() => ChunkList::empty(),
            data => ChunkList::from(data),
        };
        (chunks, sync::MessageVersion::V2)
    } else {
        let chunks: Vec<Vec<u8>> = chunks.iter().map(|c| c.to_vec()).collect();
        (ChunkList::from(chunks), sync::MessageVersion::V1)
    };
    state.have_responded = true;
    state.last_sent_heads.clone_from(&our_heads);
    state.sent_hashes.extend(hashes.iter().copied());
    let mut flags = MessageFlags::new();
    flags.set(MessageFlags::SUPPORTS_SYNC_RESET);
    state.in_flight = true;
    Fast::Message(Some(sync::Message {
        heads: our_heads,
        need: Vec::new(),
        have: vec![our_have],
        changes,
        flags: Some(flags),
        version,
    }))
}

fn all_known(doc: &mut AutoCommit, hashes: &[ChangeHash]) -> bool {
    hashes
        .iter()
        .all(|hash| doc.get_change_meta_by_hash(hash).is_some())
}

/// What the peer lacks given its `have`s: the changes since their last syncs that none of their
/// bloom filters holds, and every change that depends on one of those (automerge's rule, in
/// the document's order).
fn hashes_to_send(doc: &mut AutoCommit, haves: &[Have]) -> Vec<ChangeHash> {
    let mut last_sync: Vec<ChangeHash> = haves
        .iter()
        .flat_map(|have| have.last_sync.iter().copied())
        .collect();
    last_sync.sort();
    last_sync.dedup();
    let since = doc.get_changes_meta(&last_sync);
    let mut dependents: HashMap<ChangeHash, Vec<ChangeHash>> = HashMap::new();
    let mut to_send = HashSet::new();
    for change in &since {
        for dep in &change.deps {
            dependents.entry(*dep).or_default().push(change.hash);
        }
        if haves
            .iter()
            .all(|have| !have.bloom.contains_hash(&change.hash))
        {
            to_send.insert(change.hash);
        }
    }
    let mut stack: Vec<ChangeHash> = to_send.iter().copied().collect();
    while let Some(hash) = stack.pop() {
        for dependent in dependents.get(&hash).into_iter().flatten() {
            if to_send.insert(*dependent) {
                stack.push(*dependent);
            }
        }
    }
    since
        .iter()
        .map(|change| change.hash)
        .filter(|hash| to_send.contains(hash))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collab::sync_state::tests::{Dice, Peer, typed};
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ROOT};

    /// A server and several peers edit and sync in random order (messages crossing); whenever
    /// the server answers a peer, `generate` and automerge's own function, each on its copy of
    /// the peer's state, must give the same message and the same state. The server keeps the
    /// bytes of most changes, not all, so that both paths of `generate` are taken.
    #[test]
    fn matches_automerges_own_messages_over_random_sessions() {
        let (mut fast_messages, mut fallbacks) = (0, 0);
        for seed in 1..=40u64 {
            let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut server = AutoCommit::new();
            let text = server.put_object(ROOT, "markdown", ObjType::Text).unwrap();
            server.splice_text(&text, 0, 0, "Bonjour").unwrap();
            server.commit();
            let mut encoded = Encoded::default();
            let mut peers: Vec<Peer> = (0..3)
                .map(|_| Peer {
                    doc: server.fork(),
                    state: sync::State::new(),
                    server_state: sync::State::new(),
                    to_server: Default::default(),
                    to_peer: Default::default(),
                })
                .collect();
            for _ in 0..400 {
                let who = dice.roll(peers.len() as u64) as usize;
                let peer = &mut peers[who];
                match dice.roll(6) {
                    0 => typed(&mut peer.doc, &text, &mut dice),
                    1 => {
                        typed(&mut server, &text, &mut dice);
                        if dice.roll(8) != 0 {
                            let change = server.get_last_local_change().unwrap();
                            encoded.remember(&change);
                        }
                    }
                    2 => {
                        let mut theirs = peer.server_state.clone();
                        let expected = server.sync().generate_sync_message(&mut theirs);
                        let mut ours = peer.server_state.clone();
                        let took_fast = matches!(
                            fast(&mut server, &mut ours, &encoded, &mut Round::default()),
                            Fast::Message(_)
                        );
                        let mut ours = peer.server_state.clone();
                        let message =
                            generate(&mut server, &mut ours, &encoded, &mut Round::default());
                        assert_eq!(
                            message.as_ref().map(|m| m.clone().encode()),
                            expected.as_ref().map(|m| m.clone().encode()),
                            "seed {seed}: the messages differ"
                        );
                        assert_eq!(ours, theirs, "seed {seed}: the states differ");
                        if took_fast {
                            fast_messages += 1;
                        } else {
                            fallbacks += 1;
                        }
                        peer.server_state = ours;
                        peer.to_peer.extend(message);
                    }
                    3 => {
                        let message = peer.doc.sync().generate_sync_message(&mut peer.state);
                        peer.to_server.extend(message);
                    }
                    4 => {
                        if let Some(message) = peer.to_peer.pop_front() {
                            peer.doc
                                .sync()
                                .receive_sync_message(&mut peer.state, message)
                                .unwrap();
                        }
                    }
                    _ => {
                        let Some(message) = peer.to_server.pop_front() else {
                            continue;
                        };
                        let before = server.get_heads();
                        server
                            .sync()
                            .receive_sync_message(&mut peer.server_state, message)
                            .unwrap();
                        for change in server.get_changes(&before) {
                            if dice.roll(8) != 0 {
                                encoded.remember(&change);
                            }
                        }
                    }
                }
            }
        }
        assert!(
            fast_messages > 500 && fallbacks > 100,
            "fast {fast_messages}, fallbacks {fallbacks}"
        );
    }

    #[test]
    fn the_kept_bytes_are_bounded_oldest_first() {
        let mut doc = AutoCommit::new();
        let text = doc.put_object(ROOT, "markdown", ObjType::Text).unwrap();
        let mut encoded = Encoded::default();
        // Varied characters: a change's bytes are deflated, and a run of one letter is nothing.
        let mut dice = Dice(7);
        let mut hashes = Vec::new();
        for _ in 0..100 {
            let paragraph: String = (0..64 * 1024)
                .map(|_| char::from(b'a' + dice.roll(26) as u8))
                .collect();
            doc.splice_text(&text, 0, 0, &paragraph).unwrap();
            doc.commit();
            let change = doc.get_last_local_change().unwrap();
            hashes.push(change.hash());
            encoded.remember(&change);
        }
        assert!(encoded.total <= KEPT_BYTES);
        assert!(encoded.bytes.contains_key(hashes.last().unwrap()));
        assert!(!encoded.bytes.contains_key(&hashes[0]));
        assert_eq!(encoded.bytes.len(), encoded.order.len());
    }
}
