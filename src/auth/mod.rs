//! Who is asking, and what they may do.
//!
//! `password` hashes with Argon2id off the async runtime; `permissions` is the one place that
//! decides who may see or do what. (The random secrets we hand out, tokens and links, are
//! `crate::secret`'s, below the store, which hashes session ids with it. Turning a request
//! into a `Viewer` is `http::extract`'s job.)

pub mod password;
pub mod permissions;
pub mod readers;

pub use permissions::{Access, AmendmentRights, Viewer, can_see_profile};
