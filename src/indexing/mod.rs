//! The search index, derived from the database: what is indexed and for whom (`documents`:
//! only what anyone may see), the index requests read (`live`), the full rebuild (`rebuild`:
//! `atelier reindex`, and a start without a usable index), and the outbox consumer that keeps
//! it up to date (`consumer`). The `atelier-search` crate holds the schema, the analyzers, the
//! writer, the queries and the generations on disk.

mod consumer;
mod documents;
mod live;
mod rebuild;

pub use consumer::IndexConsumer;
pub use documents::visible_to_anyone;
pub use live::{Answered, Generation, LiveIndex, Unavailable, follow_generations};
pub use rebuild::{Rebuilt, rebuild, reindex};
