//! The outbox: events appended in the very transactions of the writes they record, read back in
//! the order of their positions, and where the once-per-cluster consumers have got to.
//!
//! A position is gap-free and positions become visible in order, on both backends: each writing
//! transaction takes its numbers from the one row of `event_counter` (`append_events!`, last
//! before the commit). On PostgreSQL that row's lock holds every other writer of events until
//! the commit, so no reader ever sees position `n + 1` before `n`, and a rollback gives its
//! numbers back; a sequence would do neither. On SQLite, writers are serialised anyway
//! (`BEGIN IMMEDIATE`).
//!
//! Kept apart from the caches' `Change` announcements on purpose: those are lossy (a missed
//! `NOTIFY` means "forget everything", which is right for a cache and wrong for a mail or an
//! index) and are sent after the commit, whereas an event is committed with its write or not
//! at all, and stays until every consumer has read it.

use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;
use tokio::sync::{Notify, watch};

use super::{Db, StoreResult, now, on_backend};
use crate::model::{EventKind, GroupId, MemberId, TextId};

/// An event to append with a write: what happened, to what (the subject's typed ids), by whom,
/// and a small JSON payload (see [`EventKind`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub text_id: Option<TextId>,
    pub group_id: Option<GroupId>,
    /// The member the event is about, if any.
    pub member_id: Option<MemberId>,
    /// Who did it: `None` for the server itself or the command line.
    pub actor_id: Option<MemberId>,
    pub payload: Value,
}

impl NewEvent {
    /// An event about `text`, in its group.
    pub fn text(
        kind: EventKind,
        text: TextId,
        group: GroupId,
        actor: Option<MemberId>,
        payload: Value,
    ) -> NewEvent {
        NewEvent {
            kind,
            text_id: Some(text),
            group_id: Some(group),
            member_id: None,
            actor_id: actor,
            payload,
        }
    }
}

/// An event as stored, with its position in the outbox (1, 2, 3… with no gap).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub position: i64,
    pub kind: EventKind,
    pub text_id: Option<TextId>,
    pub group_id: Option<GroupId>,
    pub member_id: Option<MemberId>,
    pub actor_id: Option<MemberId>,
    pub at: OffsetDateTime,
    pub payload: Value,
}

struct EventRow {
    position: i64,
    kind: String,
    text_id: Option<TextId>,
    group_id: Option<GroupId>,
    member_id: Option<MemberId>,
    actor_id: Option<MemberId>,
    at: OffsetDateTime,
    payload: String,
}

super::rows::from_row!(EventRow {
    position,
    kind,
    text_id,
    group_id,
    member_id,
    actor_id,
    at,
    payload
});

impl From<EventRow> for Event {
    fn from(row: EventRow) -> Event {
        Event {
            position: row.position,
            // A newer server's kind: consumers pass over it rather than stop on it.
            kind: EventKind::parse(&row.kind).unwrap_or(EventKind::Unknown),
            text_id: row.text_id,
            group_id: row.group_id,
            member_id: row.member_id,
            actor_id: row.actor_id,
            at: row.at,
            payload: serde_json::from_str(&row.payload).unwrap_or(Value::Null),
        }
    }
}

pub(crate) const INSERT_EVENT: &str = "insert into event (position, kind, text_id, group_id, member_id, actor_id, at, payload) \
     values ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Appends `$events` (a `&[NewEvent]`) in the open write transaction `$tx`, at `$at`; evaluates
/// to the last position taken (0 for none), which the caller hands to `Db::appended` after the
/// commit. Call it last before the commit: on PostgreSQL the counter's row stays locked from
/// here to the commit, and every other transaction appending events waits for it.
macro_rules! append_events {
    ($tx:ident, $events:expr, $at:expr) => {{
        let events: &[$crate::store::NewEvent] = $events;
        let mut last: i64 = 0;
        if !events.is_empty() {
            let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
            last = sqlx::query_scalar(
                "update event_counter set last_position = last_position + $1 returning last_position",
            )
            .bind(count)
            .fetch_one(&mut *$tx)
            .await?;
            let mut position = last - count;
            for event in events {
                position += 1;
                sqlx::query($crate::store::events::INSERT_EVENT)
                    .bind(position)
                    .bind(event.kind.as_str())
                    .bind(event.text_id)
                    .bind(event.group_id)
                    .bind(event.member_id)
                    .bind(event.actor_id)
                    .bind($at)
                    .bind(event.payload.to_string())
                    .execute(&mut *$tx)
                    .await?;
            }
        }
        last
    }};
}
pub(crate) use append_events;

/// How this process hears of new events: at once for those it appended, through a nudge
/// (another server's notification was heard) or a poll for the others'.
#[derive(Debug)]
pub(crate) struct EventSignal {
    last: watch::Sender<i64>,
    nudge: Notify,
}

impl EventSignal {
    pub(crate) fn new() -> EventSignal {
        EventSignal {
            last: watch::Sender::new(0),
            nudge: Notify::new(),
        }
    }
}

/// Milliseconds since the Unix epoch: leases are compared exactly, on both backends.
fn unix_millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn lease_end(lease: Duration) -> i64 {
    let lease = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
    unix_millis(OffsetDateTime::now_utc()).saturating_add(lease)
}

impl Db {
    /// The events after `position`, oldest first, at most `limit`.
    pub async fn events_after(&self, position: i64, limit: u32) -> StoreResult<Vec<Event>> {
        const SQL: &str = "select position, kind, text_id, group_id, member_id, actor_id, at, payload \
             from event where position > $1 order by position limit $2";
        let rows: Vec<EventRow> = on_backend!(self, pool => {
            sqlx::query_as(SQL).bind(position).bind(i64::from(limit)).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(Event::from).collect())
    }

    /// The position of the latest committed event (0 before the first).
    pub async fn last_event_position(&self) -> StoreResult<i64> {
        Ok(on_backend!(self, pool => {
            sqlx::query_scalar("select last_position from event_counter").fetch_one(pool).await?
        }))
    }

    /// Every position this process learns of from now on: what it appends (at once, after the
    /// commit) and what `poll_events` finds.
    pub fn follow_events(&self) -> watch::Receiver<i64> {
        self.events.last.subscribe()
    }

    /// The latest position this process knows of (what `follow_events` last said), without a
    /// query: what is kept by state of the data can be kept until it moves.
    pub fn known_event_position(&self) -> i64 {
        *self.events.last.borrow()
    }

    /// Events up to `position` are committed: wakes the followers if that is news.
    pub(crate) fn appended(&self, position: i64) {
        self.events.last.send_if_modified(|last| {
            let news = position > *last;
            if news {
                *last = position;
            }
            news
        });
    }

    /// Reads the latest position, and wakes the followers if another process appended.
    pub async fn poll_events(&self) -> StoreResult<i64> {
        let position = self.last_event_position().await?;
        self.appended(position);
        Ok(position)
    }

    /// Another server may have appended events: whoever polls should look now.
    pub(crate) fn nudge_events(&self) {
        self.events.nudge.notify_one();
    }

    /// Resolves at the next nudge (one given while nobody waited is kept for the next wait).
    pub async fn events_nudged(&self) {
        self.events.nudge.notified().await;
    }

    /// Takes (or keeps) the lease of the once-per-cluster consumer `consumer` for `holder`, a
    /// name unique to the process; its stored position if held. A consumer never seen before
    /// starts at `start`. Held by someone else whose lease runs: `None`.
    pub async fn claim_consumer(
        &self,
        consumer: &str,
        holder: &str,
        lease: Duration,
        start: i64,
    ) -> StoreResult<Option<i64>> {
        let at = now();
        let until = lease_end(lease);
        let now_ms = unix_millis(OffsetDateTime::now_utc());
        Ok(on_backend!(self, pool => {
            sqlx::query(
                "insert into consumer_position (consumer, position, holder, lease_until, updated_at) \
                 values ($1, $2, null, 0, $3) on conflict (consumer) do nothing",
            )
            .bind(consumer)
            .bind(start)
            .bind(at)
            .execute(pool)
            .await?;
            sqlx::query_scalar(
                "update consumer_position set holder = $2, lease_until = $3, updated_at = $4 \
                 where consumer = $1 and (holder = $2 or holder is null or lease_until < $5) returning position",
            )
            .bind(consumer)
            .bind(holder)
            .bind(until)
            .bind(at)
            .bind(now_ms)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Stores how far `holder` got (never backwards) and extends its lease; `false` when the
    /// lease is someone else's now (this process stalled past it): the caller must stop.
    pub async fn renew_consumer(
        &self,
        consumer: &str,
        holder: &str,
        position: i64,
        lease: Duration,
    ) -> StoreResult<bool> {
        let until = lease_end(lease);
        let done = on_backend!(self, pool => {
            sqlx::query(
                "update consumer_position set position = case when position < $3 then $3 else position end, \
                 lease_until = $4, updated_at = $5 where consumer = $1 and holder = $2",
            )
            .bind(consumer)
            .bind(holder)
            .bind(position)
            .bind(until)
            .bind(now())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Gives the lease up (a clean stop): another server takes over without waiting it out.
    pub async fn release_consumer(&self, consumer: &str, holder: &str) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query(
                "update consumer_position set holder = null, lease_until = 0 where consumer = $1 and holder = $2",
            )
            .bind(consumer)
            .bind(holder)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Where a once-per-cluster consumer has got to, and who holds it.
    pub async fn consumer_position(
        &self,
        consumer: &str,
    ) -> StoreResult<Option<(i64, Option<String>)>> {
        Ok(on_backend!(self, pool => {
            sqlx::query_as("select position, holder from consumer_position where consumer = $1")
                .bind(consumer)
                .fetch_optional(pool)
                .await?
        }))
    }
}
