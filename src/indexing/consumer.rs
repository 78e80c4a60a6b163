//! The live index: the outbox consumer that keeps this server's search index up to date.
//!
//! One per server (it holds the index's only writer). Each event names what it made stale (a
//! text, a group); handling re-reads that source's current state and replaces its documents,
//! so handling an event twice, or late, changes nothing. Each batch handled is published at
//! once to the index's fresh layer in memory (`atelier_search::SearchIndex::live_writer`), so a
//! change is found within milliseconds of its event; a commit makes the changes durable and
//! records the outbox position in the same tantivy commit, so the index and its position never
//! disagree; commits come at most once a second (the runner batches what comes between).
//! After any failure the writer is dropped; the next use reopens it and replays, from the
//! outbox, what had been handled since the last commit.
//!
//! When `atelier reindex` has switched to a new generation, the next commit moves the writer
//! there and replays the events between that generation's position and the runner's (the
//! watch in `live` has already made requests read it). Without a usable index at start, the
//! consumer rebuilds one before it resumes, while the server answers "being rebuilt".

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use atelier_search::{IndexHome, IndexWriterHandle};
use time::OffsetDateTime;

use super::documents::{self, Reading, Source};
use super::live::{Generation, LiveIndex, unfit};
use super::rebuild::rebuild;
use crate::collab::Hub;
use crate::events::{Consumer, Event, EventKind, Scope};
use crate::model::{AmendmentId, DebateImportId};
use crate::store::Db;

/// The shortest time between two commits (each writes files, syncs them and reopens the
/// searchers): what is handled meanwhile is searchable from the fresh layer until then.
const COMMIT_EVERY: Duration = Duration::from_secs(1);

/// Events read at once while catching up after a switch of generation.
const CATCH_UP_BATCH: u32 = 500;

/// The writer of the generation being written.
struct Writing {
    generation: Generation,
    writer: IndexWriterHandle,
    /// The position the generation's last commit recorded when it was opened.
    opened_at: i64,
}

pub struct IndexConsumer {
    db: Db,
    hub: Hub,
    home: IndexHome,
    live: LiveIndex,
    /// `None` after a failure or a switch: reopened (and what was handled replayed) on use.
    writing: Option<Writing>,
    /// The position of the last event handled into the writer, committed or not.
    handled: Option<i64>,
    /// When each event handled since the last publication was appended: its lag is measured
    /// when it becomes searchable.
    pending: Vec<OffsetDateTime>,
    /// An index further behind the outbox than this when opened is rebuilt, not caught up.
    rebuild_behind: u64,
}

impl IndexConsumer {
    pub fn new(
        db: Db,
        hub: Hub,
        home: IndexHome,
        live: LiveIndex,
        rebuild_behind: u64,
    ) -> IndexConsumer {
        IndexConsumer {
            db,
            hub,
            home,
            live,
            writing: None,
            handled: None,
            pending: Vec::new(),
            rebuild_behind,
        }
    }

    /// Opens the current generation's writer if it is not open (at start, after a switch,
    /// after a failure), rebuilding the index first when there is no usable one, then replays
    /// what had been handled into the writer that was dropped. Returns the position the
    /// generation reflected when opened.
    async fn ensure_writing(&mut self) -> anyhow::Result<i64> {
        if let Some(writing) = &self.writing {
            return Ok(writing.opened_at);
        }
        let writing = self.open().await?;
        let from = writing.opened_at;
        self.writing = Some(writing);
        let mut at = from;
        let handled = self.handled.unwrap_or(from);
        while at < handled {
            let events: Vec<Event> = self
                .db
                .events_after(at, CATCH_UP_BATCH)
                .await?
                .into_iter()
                .take_while(|e| e.position <= handled)
                .collect();
            let Some(last) = events.last() else {
                break;
            };
            at = last.position;
            self.apply(&events).await?;
        }
        Ok(from)
    }

    /// Opens the current generation's writer; rebuilds first when there is no usable one: none,
    /// a damaged one, one too far behind the outbox, or one ahead of it (made from another
    /// database, or before the database was restored from a backup).
    async fn open(&mut self) -> anyhow::Result<Writing> {
        let home = self.home.clone();
        let opened = tokio::task::spawn_blocking(move || home.open_current()).await?;
        let opened = match opened {
            Ok(Some((name, index))) => Ok(self.usable(name, index).await?),
            unusable => unusable,
        };
        let generation = match opened {
            Ok(Some((name, index))) => Generation { name, index },
            unusable => {
                if let Err(e) = unusable {
                    tracing::warn!(error = %e, "the search index cannot be opened: rebuilding it");
                }
                self.live.set(None);
                let started = Instant::now();
                let rebuilt = rebuild(&self.db, &self.hub, &self.home).await?;
                tracing::info!(
                    generation = %rebuilt.generation,
                    documents = rebuilt.documents,
                    seconds = started.elapsed().as_secs_f64(),
                    "the search index is rebuilt"
                );
                let home = self.home.clone();
                match tokio::task::spawn_blocking(move || home.open_current()).await?? {
                    Some((name, index)) => Generation { name, index },
                    None => anyhow::bail!("the rebuilt search index is not current"),
                }
            }
        };
        // The served instance, if it is this generation: its reader is the one commits reload.
        let generation = match self.live.current() {
            Some(served) if served.name == generation.name => served,
            served => {
                self.live
                    .replace(served.as_ref().map(|g| g.name.as_str()), generation.clone());
                generation
            }
        };
        let writer = generation.index.live_writer()?;
        let opened_at = generation.index.position()?.unwrap_or(0);
        let home = self.home.clone();
        let keep = generation.name.clone();
        let removed = tokio::task::spawn_blocking(move || home.remove_unused(Some(&keep))).await?;
        if let Err(e) = removed {
            tracing::warn!(error = %e, "the previous search indexes could not all be removed");
        }
        Ok(Writing {
            generation,
            writer,
            opened_at,
        })
    }

    /// The generation if it may be caught up; `None` if it must be rebuilt ([`unfit`]): then
    /// the pointer is removed, so that nobody serves it meanwhile. Checked at every opening: at
    /// start, after a failure, after a switch.
    async fn usable(
        &self,
        name: String,
        index: atelier_search::SearchIndex,
    ) -> anyhow::Result<Option<(String, atelier_search::SearchIndex)>> {
        let outbox = self.db.last_event_position().await?;
        let Some(why) = unfit(&index, outbox, self.rebuild_behind)? else {
            return Ok(Some((name, index)));
        };
        tracing::warn!(generation = %name, "{why}: rebuilding it");
        let home = self.home.clone();
        tokio::task::spawn_blocking(move || home.forget_current(&name)).await??;
        Ok(None)
    }

    /// Replaces the documents of every source the events made stale, in the open writer.
    async fn apply(&mut self, events: &[Event]) -> anyhow::Result<()> {
        let mut sources = BTreeSet::new();
        // The texts whose document the events changed: read as every server stored them.
        let mut changed = BTreeSet::new();
        for event in events {
            sources.extend(self.stale_sources(event).await?);
            if let (
                EventKind::TextEdited | EventKind::TextVersionRestored | EventKind::AmendmentMerged,
                Some(text),
            ) = (event.kind, event.text_id)
            {
                changed.insert(text);
            }
        }
        for source in sources {
            let reading = match source {
                Source::Text(text) if changed.contains(&text) => Reading::Changed,
                _ => Reading::Cheapest,
            };
            let docs = documents::read_as(&self.db, &self.hub, source, reading).await?;
            let Some(writing) = self.writing.as_mut() else {
                anyhow::bail!("the search index writer is not open");
            };
            writing.writer.replace_source(&source.key(), &docs)?;
        }
        if let Some(last) = events.last() {
            self.handled = Some(self.handled.map_or(last.position, |h| h.max(last.position)));
        }
        self.pending.extend(events.iter().map(|e| e.at));
        Ok(())
    }

    /// What an event makes stale: its amendment; or its text; or its group, and the group's
    /// texts, their amendments and the debates placed in it (the group's visibility may have
    /// changed, and with it who may find them, or whether they carry its place); or an
    /// import's debates.
    async fn stale_sources(&self, event: &Event) -> anyhow::Result<Vec<Source>> {
        if matches!(
            event.kind,
            // Who belongs to a group is not indexed; a newer server's kinds are passed over.
            EventKind::GroupMembersImported | EventKind::Unknown
        ) {
            return Ok(Vec::new());
        }
        if event.kind == EventKind::DebatesImported {
            let Some(batch) = event.payload["debate_import_id"].as_i64() else {
                return Ok(Vec::new());
            };
            let ids = self.db.debate_ids_of_import(DebateImportId(batch)).await?;
            return Ok(ids.into_iter().map(Source::Debate).collect());
        }
        // An amendment's event makes that amendment stale, not its text (a convention's text
        // has thousands: re-reading the text for each would re-render it thousands of times).
        if let Some(amendment) = event.payload["amendment_id"].as_i64() {
            let mut sources = vec![Source::Amendment(AmendmentId(amendment))];
            // A merge also wrote into the text.
            if let (EventKind::AmendmentMerged, Some(text)) = (event.kind, event.text_id) {
                sources.push(Source::Text(text));
            }
            return Ok(sources);
        }
        if let Some(text) = event.text_id {
            return Ok(vec![Source::Text(text)]);
        }
        let Some(group) = event.group_id else {
            return Ok(Vec::new());
        };
        // Its texts' and amendments' readers, place and theme are the group's.
        let mut sources = vec![Source::Group(group)];
        for text in self.db.texts_of_group(group).await? {
            sources.push(Source::Text(text.text_id));
            for amendment in self.db.amendments_of_text(text.text_id, None).await? {
                sources.push(Source::Amendment(amendment.amendment_id));
            }
        }
        // The debates placed in it or below carry its place facet while anyone may see it.
        for debate in self.db.debate_ids_placed_in(group).await? {
            sources.push(Source::Debate(debate));
        }
        Ok(sources)
    }

    /// Drops the writer when `atelier reindex` switched to another generation: the next
    /// [`IndexConsumer::ensure_writing`] opens the new one and replays there what was handled.
    async fn follow_switch(&mut self) -> anyhow::Result<()> {
        let home = self.home.clone();
        let current = tokio::task::spawn_blocking(move || home.current()).await??;
        if let Some(writing) = &self.writing
            && current.as_deref() != Some(writing.generation.name.as_str())
        {
            tracing::info!(
                from = %writing.generation.name,
                to = ?current,
                "the search index was rebuilt elsewhere: following it"
            );
            self.close_writer().await;
        }
        Ok(())
    }

    /// Drops the writer (what it had not committed is lost: it is replayed on reopening). A
    /// writer's drop waits for its threads, so it happens off the async runtime.
    async fn close_writer(&mut self) {
        if let Some(writing) = self.writing.take() {
            let _ = tokio::task::spawn_blocking(move || drop(writing)).await;
        }
    }

    async fn commit_now(&mut self, position: i64) -> anyhow::Result<()> {
        self.follow_switch().await?;
        let opened_at = self.ensure_writing().await?;
        let Some(mut writing) = self.writing.take() else {
            anyhow::bail!("the search index writer is not open");
        };
        // A rebuilt generation may reflect more than the runner has handled.
        let position = position.max(opened_at);
        let (writing, result) = tokio::task::spawn_blocking(move || {
            let result = writing.writer.commit_at(position);
            (writing, result)
        })
        .await?;
        self.writing = Some(writing);
        result?;
        self.searchable();
        metrics::gauge!("atelier_search_index_position").set(position as f64);
        Ok(())
    }

    /// Makes what was handled searchable now, before it is committed (in memory: milliseconds).
    async fn publish(&mut self) -> anyhow::Result<()> {
        let Some(mut writing) = self.writing.take() else {
            anyhow::bail!("the search index writer is not open");
        };
        let (writing, result) = tokio::task::spawn_blocking(move || {
            let result = writing.writer.publish();
            (writing, result)
        })
        .await?;
        self.writing = Some(writing);
        result?;
        self.searchable();
        Ok(())
    }

    /// Records the lag of the events that just became searchable.
    fn searchable(&mut self) {
        let now = OffsetDateTime::now_utc();
        for at in self.pending.drain(..) {
            let lag = (now - at).as_seconds_f64().max(0.0);
            metrics::histogram!("atelier_search_index_lag_seconds").record(lag);
        }
    }
}

#[async_trait]
impl Consumer for IndexConsumer {
    fn name(&self) -> &str {
        "search-index"
    }

    fn scope(&self) -> Scope {
        Scope::PerServer
    }

    async fn position(&mut self) -> anyhow::Result<i64> {
        let opened_at = self.ensure_writing().await?;
        Ok(self.handled.unwrap_or(opened_at).max(opened_at))
    }

    async fn handle(&mut self, batch: &[Event]) -> anyhow::Result<()> {
        let result = match self.ensure_writing().await {
            Ok(_) => match self.apply(batch).await {
                Ok(()) => self.publish().await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        if result.is_err() {
            // Whatever state the writer is in, a fresh one replays what was handled.
            self.close_writer().await;
        }
        result
    }

    /// At most one commit a second: what is handled meanwhile is committed together.
    fn commit_every(&self) -> Duration {
        COMMIT_EVERY
    }

    async fn commit(&mut self, position: i64) -> anyhow::Result<()> {
        let result = self.commit_now(position).await;
        if result.is_err() {
            self.close_writer().await;
        }
        result
    }
}
