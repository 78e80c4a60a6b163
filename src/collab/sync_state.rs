//! Receiving a peer's sync message whose changes are already in the document.
//!
//! The document task applies the changes of a whole batch in one call, then lets each message
//! update its peer's `sync::State`. automerge's `receive_sync_message` does that update by
//! trimming the hashes we sent the peer to those it has not seen, which it decides by visiting
//! every ancestor of the peer's heads: the whole history of the text, for every message of every
//! peer. With a hundred typists that walk was a third of the server's time.
//!
//! `receive_applied` makes the same update to the state without the walk. A change of actor A
//! with sequence number n is an ancestor of some heads exactly when the heads' vector clock has
//! reached n for A (an actor's changes form a chain), and automerge answers "which changes do
//! these heads lack" from clocks it caches every few changes. The unit tests hold this function
//! to automerge's own, state for state, over random sync sessions.

use std::collections::HashSet;

use automerge::sync::{self, Capability, MessageFlags};
use automerge::{AutoCommit, ChangeHash};

/// Updates `state` for `message`, a message whose changes (if any) the document already has.
pub(super) fn receive_applied(
    doc: &mut AutoCommit,
    state: &mut sync::State,
    message: sync::Message,
) {
    let sync::Message {
        heads,
        need,
        have,
        flags,
        ..
    } = message;
    state.in_flight = false;
    if let Some(flags) = flags {
        // Only peers that speak the second version of the protocol send flags.
        let mut capabilities = vec![Capability::MessageV2];
        if flags.contains(MessageFlags::SUPPORTS_SYNC_RESET) {
            capabilities.push(Capability::SyncReset);
        }
        state.their_capabilities = Some(capabilities);
        if flags.contains(MessageFlags::SYNC_RESET) {
            state.sent_hashes.clear();
        }
        state.peer_read_only = flags.contains(MessageFlags::READ_ONLY);
    }

    let known: Vec<ChangeHash> = heads
        .iter()
        .filter(|hash| doc.get_change_meta_by_hash(hash).is_some())
        .copied()
        .collect();
    // What we sent and the peer's heads now cover, it has: forget it.
    if !state.sent_hashes.is_empty() && !known.is_empty() {
        let unseen: HashSet<ChangeHash> = doc
            .get_changes_meta(&known)
            .into_iter()
            .map(|change| change.hash)
            .collect();
        state.sent_hashes.retain(|hash| unseen.contains(hash));
    }

    if heads == doc.get_heads() {
        state.last_sent_heads.clone_from(&heads);
    }
    if known.len() == heads.len() {
        state.shared_heads.clone_from(&heads);
        if heads.is_empty() {
            // The peer has lost everything: start again from nothing.
            state.last_sent_heads.clear();
            state.sent_hashes.clear();
        }
    } else {
        let mut shared: Vec<ChangeHash> =
            state.shared_heads.iter().chain(&known).copied().collect();
        shared.sort();
        shared.dedup();
        state.shared_heads = shared;
    }
    state.their_have = Some(have);
    state.their_heads = Some(heads);
    state.their_need = Some(need);
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ROOT, ReadDoc};

    /// A tiny deterministic generator, so that a failure replays.
    /// A tiny deterministic generator (shared with `fanout`'s tests).
    pub(in crate::collab) struct Dice(pub(in crate::collab) u64);

    impl Dice {
        pub(in crate::collab) fn roll(&mut self, sides: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % sides
        }
    }

    pub(in crate::collab) fn typed(doc: &mut AutoCommit, text: &automerge::ObjId, dice: &mut Dice) {
        let length = doc.length(text);
        let at = dice.roll(length as u64 + 1) as usize;
        doc.splice_text(text, at, 0, "é").unwrap();
        doc.commit();
    }

    /// A peer of the test: its document, its state, the server's state for it, and the messages
    /// on their way in each direction (delivered in order, at random times, so that they cross).
    pub(in crate::collab) struct Peer {
        pub(in crate::collab) doc: AutoCommit,
        pub(in crate::collab) state: sync::State,
        pub(in crate::collab) server_state: sync::State,
        pub(in crate::collab) to_server: std::collections::VecDeque<sync::Message>,
        pub(in crate::collab) to_peer: std::collections::VecDeque<sync::Message>,
    }

    /// A server and several peers edit and sync in random order; whenever the server receives
    /// a message, it first applies the message's changes, then updates the peer's state both
    /// with automerge's `receive_sync_message` (on a copy) and with `receive_applied`: the two
    /// states must be equal.
    #[test]
    fn matches_automerges_own_receive_over_random_sessions() {
        // How often the interesting cases came up: some sent hashes trimmed, some kept.
        let (mut trimmed, mut kept) = (0, 0);
        for seed in 1..=40u64 {
            let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut server = AutoCommit::new();
            let text = server.put_object(ROOT, "markdown", ObjType::Text).unwrap();
            server.splice_text(&text, 0, 0, "Bonjour").unwrap();
            server.commit();
            let mut peers: Vec<Peer> = (0..3)
                .map(|_| Peer {
                    doc: server.fork(),
                    state: sync::State::new(),
                    server_state: sync::State::new(),
                    to_server: Default::default(),
                    to_peer: Default::default(),
                })
                .collect();
            let mut checked = 0;
            for _ in 0..400 {
                let who = dice.roll(peers.len() as u64) as usize;
                let peer = &mut peers[who];
                match dice.roll(6) {
                    0 => typed(&mut peer.doc, &text, &mut dice),
                    1 => typed(&mut server, &text, &mut dice),
                    2 => {
                        let message = server.sync().generate_sync_message(&mut peer.server_state);
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
                        let Some(mut message) = peer.to_server.pop_front() else {
                            continue;
                        };
                        for entry in message.changes.iter() {
                            server.load_incremental(entry).unwrap();
                        }
                        message.changes = sync::ChunkList::empty();
                        let sent_before = peer.server_state.sent_hashes.len();
                        let mut theirs = peer.server_state.clone();
                        server
                            .sync()
                            .receive_sync_message(&mut theirs, message.clone())
                            .unwrap();
                        receive_applied(&mut server, &mut peer.server_state, message);
                        assert_eq!(peer.server_state, theirs, "seed {seed}");
                        trimmed += usize::from(theirs.sent_hashes.len() < sent_before);
                        kept += usize::from(!theirs.sent_hashes.is_empty());
                        checked += 1;
                    }
                }
            }
            assert!(
                checked > 20,
                "seed {seed}: only {checked} messages compared"
            );
        }
        assert!(trimmed > 50 && kept > 50, "trimmed {trimmed}, kept {kept}");
    }
}
