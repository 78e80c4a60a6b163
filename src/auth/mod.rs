//! Who is asking, and what they may do.
//!
//! `password` hashes with Argon2id off the async runtime; `secret` makes and hashes the random
//! secrets we hand out (tokens, links); `permissions` is the one place that decides who may see
//! or do what. (Turning a request into a `Viewer` is `http::extract`'s job.)

pub mod password;
pub mod permissions;
pub mod secret;

pub use permissions::{Access, Viewer, can_see_profile};
