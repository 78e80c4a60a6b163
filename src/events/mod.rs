//! The outbox's readers: consumers that follow the ordered stream of events every write that
//! matters appends (`store::events`), each at its own pace.
//!
//! A consumer is either kept **per server** (it holds local state, like a search index: it
//! stores its position itself, with that state, so that both move together) or run **once per
//! cluster** (it acts on the world, like a mail sender: the framework stores its position in
//! `consumer_position`, and a lease makes one server run it at a time; a server that dies loses
//! the lease when it runs out). Either way a consumer resumes after a crash or a restart from
//! its durable position, sees every event at least once and in order, and must therefore be
//! idempotent: events after its last commit are handed to it again.
//!
//! [`Runners`] runs one task per consumer (`runner.rs`): it wakes when this process appends an
//! event, when another server's notification is heard, or on a short poll; it reads batches in
//! order, retries a batch that fails with a growing delay (logged with the event's position;
//! never skipped, and no other consumer waits for it), and stops cleanly on shutdown.

mod runner;

use std::time::Duration;

pub use crate::model::EventKind;
pub use crate::store::{Event, NewEvent};
pub use runner::{RunnerSettings, Runners};

/// Where a consumer runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// On every server, with its position kept by the consumer itself (`position`, `commit`).
    PerServer,
    /// On one server of the cluster at a time, with its position kept by the framework.
    Cluster,
}

/// A reader of the outbox. Its methods' errors are retried with backoff, never skipped.
#[async_trait::async_trait]
pub trait Consumer: Send + 'static {
    /// A stable name: the key of a cluster consumer's position, and the logs' and metrics' label.
    fn name(&self) -> &str;

    fn scope(&self) -> Scope;

    /// Where it resumes: the position of the last event it committed (0 for none). A cluster
    /// consumer is asked once, for where to start when the cluster has no position for it yet
    /// (0 to read the whole stream, `Db::last_event_position` to follow from now on).
    async fn position(&mut self) -> anyhow::Result<i64>;

    /// Handles the next events, in order (each batch follows the previous one). An error makes
    /// the runner try the same events again later; it must be idempotent.
    async fn handle(&mut self, batch: &[Event]) -> anyhow::Result<()>;

    /// Everything up to `position` is handled: make it durable. A per-server consumer stores
    /// the position with its own state; a cluster consumer flushes what it must (the framework
    /// stores the position after this returns).
    async fn commit(&mut self, position: i64) -> anyhow::Result<()>;

    /// The least time between two commits (an index commits at most once a second): batches
    /// handled meanwhile are committed together, and the last ones once this has passed.
    fn commit_every(&self) -> Duration {
        Duration::ZERO
    }
}
