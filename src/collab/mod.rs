//! Live co-editing. Every text is an automerge document; while someone has it open, one task
//! owns it (`document`), found through the `hub`. Peers speak the automerge sync protocol over
//! a WebSocket (binary frames) and exchange presence (JSON text frames, `presence`). Changes are
//! stored before peers are answered; with PostgreSQL, other servers hear of them (`store::listen`).

mod actors;
mod anchor;
pub mod close;
pub mod derived;
pub mod doc;
mod document;
pub mod edit_events;
mod fanout;
pub mod flow;
pub mod frames;
mod hub;
mod incoming;
pub mod presence;
mod refusals;
pub mod rights;
mod sync_state;
mod vet;

pub use anchor::{Anchor, AnchorError, ParseAnchorError, Resolved};
pub use flow::FlowSettings;
pub use hub::{
    DocView, Hub, HubError, HubSettings, Outgoing, Passage, PeerHandle, PeerInfo, Provenance,
    Resolution, Splice, Spliced,
};
pub use vet::Limits;
