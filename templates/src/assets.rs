//! The URLs of the static assets: `/assets/<stem>.<hash>.<extension>`, the hash being that of
//! the file's content, computed at build time (`build.rs`). Pages link to these names only, so
//! the server can let browsers keep each file for a year without asking again: a new version
//! of a file has a new name. The server (`src/http/assets.rs` of the main crate) serves the
//! same files under these names, and under their plain names for pages older than a change.

pub use crate::content_hash::content_hash;

include!(concat!(env!("OUT_DIR"), "/asset_urls.rs"));
