//! Actor ids belong to members. Every automerge change is signed by its actor id, and each
//! actor's changes form a chain of sequence numbers: a writer who commits under someone else's
//! actor id takes the next numbers of that chain, and the owner's own offline edits are then
//! refused forever (« duplicate seq »). So the server binds each actor id of a text to the member
//! whose change first used it (`doc_actor`), and refuses changes under an actor bound to someone
//! else. The server's own edits (restored versions) use the server's actor, bound to no member.
//!
//! The document task holds the text's bindings (loaded with the document, and again when
//! another server's changes arrive), checks each new change against them in memory, and stores
//! the new bindings before the chunk that uses them: a binding is always stored before anyone
//! else can have seen the actor id.

use std::collections::HashMap;

use automerge::ActorId;

use crate::model::MemberId;
use crate::store::ActorOwner;

/// A text's bindings, and those made by the batch being applied (to store with its chunk).
#[derive(Debug, Default)]
pub(super) struct Bindings {
    owners: HashMap<Vec<u8>, Option<MemberId>>,
    new: Vec<ActorOwner>,
}

impl Bindings {
    pub(super) fn new(stored: Vec<ActorOwner>) -> Bindings {
        Bindings {
            owners: stored.into_iter().collect(),
            new: Vec::new(),
        }
    }

    /// Adds bindings stored by another server.
    pub(super) fn extend(&mut self, stored: Vec<ActorOwner>) {
        self.owners.extend(stored);
    }

    /// May `who` (a member, or `None` for the server) make changes under `actor`? An actor id
    /// nobody uses yet becomes theirs.
    pub(super) fn claim(&mut self, actor: &ActorId, who: Option<MemberId>) -> bool {
        let bytes = actor.to_bytes();
        match self.owners.get(bytes) {
            Some(owner) => *owner == who,
            None => {
                self.owners.insert(bytes.to_vec(), who);
                self.new.push((bytes.to_vec(), who));
                true
            }
        }
    }

    /// Whether `actor` is the server's (bound to no member): only its changes are the server's
    /// own edits, whose messages name their causes.
    pub(super) fn is_servers(&self, actor: &ActorId) -> bool {
        matches!(self.owners.get(actor.to_bytes()), Some(None))
    }

    /// The bindings made since the last call, to store before the chunk that uses them.
    pub(super) fn take_new(&mut self) -> Vec<ActorOwner> {
        std::mem::take(&mut self.new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actor_belongs_to_whoever_used_it_first() {
        let (alice, bob) = (Some(MemberId(1)), Some(MemberId(2)));
        let stored = ActorId::random();
        let mut bindings = Bindings::new(vec![(stored.to_bytes().to_vec(), alice)]);
        assert!(bindings.claim(&stored, alice));
        assert!(!bindings.claim(&stored, bob));
        assert!(!bindings.claim(&stored, None));
        let fresh = ActorId::random();
        assert!(bindings.claim(&fresh, bob));
        assert!(!bindings.claim(&fresh, alice));
        assert_eq!(bindings.take_new(), vec![(fresh.to_bytes().to_vec(), bob)]);
        assert!(bindings.take_new().is_empty());
    }
}
