//! The peers of a text: joining (the greeting, the document so far, who else is there), leaving,
//! their cursors, closing them, and sending each what it lacks once a batch is stored.

use std::collections::HashSet;

use automerge::sync::{self, SyncDoc};
use tokio::sync::mpsc;

use crate::collab::close;
use crate::collab::fanout;
use crate::collab::flow::PeerFlow;
use crate::collab::hub::{Outgoing, PeerInfo};
use crate::collab::presence::{PeerSummary, Presence, Said, ToClient};
use crate::model::MemberId;

use super::Task;

pub(super) struct Peer {
    pub(super) info: PeerInfo,
    pub(super) summary: Presence,
    pub(super) state: sync::State,
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

impl Task {
    pub(super) fn join(
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

    pub(super) fn remove_peer(&mut self, peer: u64, close: Option<(u16, String)>) {
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

    pub(super) fn cursor(&mut self, peer: u64, anchor: String, head: String) {
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

    pub(super) fn close_all(&mut self, reason: &str) {
        if let Some(core) = self.core.as_mut() {
            for (_, peer) in core.peers.drain() {
                peer.send(Outgoing::Close(close::RECONNECT, reason.to_owned()));
            }
        }
    }

    pub(super) fn close_member(&mut self, member: MemberId, reason: &str) {
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

    /// Sends each peer what it is missing (the answer to its message, and others' changes).
    pub(super) fn answer_peers(&mut self, acknowledge: &HashSet<u64>) {
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
}
