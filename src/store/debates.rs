//! Archived debates (issue 14): imported in batches by `atelier import debates`, public and
//! read-only, listed with filters by place, speaker and day.
//!
//! A batch is written whole or not at all: its `debate_import` row, its debates and its
//! `debates.imported` event in one transaction. A debate is identified by a hash of its fields
//! (`content_hash`, unique): importing the same lines again adds nothing, and says how many were
//! already there.

use serde_json::json;
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use super::rows::from_row;
use super::{BeginWrite, Db, StoreResult, append_events, now, on_backend};
use crate::markup::slugify;
use crate::model::{DebateId, DebateImportId, EventKind, GroupId};
use crate::store::NewEvent;

/// A debate to import, its fields already checked (`crate::archives`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDebate {
    /// The day it was held, as the file dated it.
    pub held_on: Date,
    /// The moment, when the file gave a time with its offset.
    pub held_at: Option<OffsetDateTime>,
    pub place: String,
    pub speaker: String,
    pub title: String,
    /// The debate's text, plain.
    pub text: String,
    pub url: Option<String>,
    pub convention: Option<String>,
}

impl NewDebate {
    /// SHA-256 of every field, each preceded by its length (so that no two debates share an
    /// input by moving characters from one field to the next), in hexadecimal.
    pub fn content_hash(&self) -> String {
        let held_at = self.held_at.map(|at| at.unix_timestamp().to_string());
        let fields = [
            Some(day(self.held_on)),
            held_at,
            Some(self.place.clone()),
            Some(self.speaker.clone()),
            Some(self.title.clone()),
            Some(self.text.clone()),
            self.url.clone(),
            self.convention.clone(),
        ];
        let mut hasher = Sha256::new();
        for field in fields {
            match field {
                Some(value) => {
                    hasher.update(format!("{}:", value.len()).as_bytes());
                    hasher.update(value.as_bytes());
                }
                None => hasher.update(b"-:"),
            }
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// What the batch's bulk statements bind (keys and hash computed once).
    fn prepared(&self) -> PreparedDebate<'_> {
        PreparedDebate {
            debate: self,
            // In UTC on both backends (SQLite would keep the offset in its text).
            held_at: self.held_at.map(|at| at.to_offset(time::UtcOffset::UTC)),
            held_on: day(self.held_on),
            place_key: search_key(&self.place),
            speaker_key: search_key(&self.speaker),
            content_hash: self.content_hash(),
        }
    }
}

struct PreparedDebate<'a> {
    debate: &'a NewDebate,
    held_at: Option<OffsetDateTime>,
    held_on: String,
    place_key: String,
    speaker_key: String,
    content_hash: String,
}

/// `YYYY-MM-DD`: what `held_on` holds, and how it sorts.
fn day(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// What the place and speaker filters compare: lowercase, accents folded, punctuation and
/// spaces as single hyphens (« Fédération  de Paris » and « federation de paris » meet).
fn search_key(value: &str) -> String {
    slugify(value)
}

/// A `like` pattern matching `key` anywhere, its wildcards escaped (with `\`).
fn contains(key: &str) -> String {
    let mut pattern = String::from("%");
    for c in key.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebatesImported {
    /// The batch (none when nothing was written: no line to import).
    pub batch: Option<DebateImportId>,
    /// Debates added.
    pub imported: u64,
    /// Lines whose debate was already in the archives (or earlier in the same file).
    pub duplicates: u64,
}

/// A stored debate.
#[derive(Debug, Clone, PartialEq)]
pub struct DebateRow {
    pub debate_id: DebateId,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub held_at: Option<OffsetDateTime>,
    pub place: String,
    /// The group of that exact name, when exactly one existed at import.
    pub group_id: Option<GroupId>,
    pub speaker: String,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub convention: Option<String>,
    pub debate_import_id: DebateImportId,
    pub imported_at: OffsetDateTime,
}
from_row!(DebateRow {
    debate_id,
    held_on,
    held_at,
    place,
    group_id,
    speaker,
    title,
    body,
    url,
    convention,
    debate_import_id,
    imported_at
});

const COLUMNS: &str = "debate_id, held_on, held_at, place, group_id, speaker, title, body, url, \
     convention, debate_import_id, imported_at";

/// A debate in a list: its text cut to [`EXCERPT_CHARS`].
#[derive(Debug, Clone, PartialEq)]
pub struct DebateSummary {
    pub debate_id: DebateId,
    pub held_on: String,
    pub held_at: Option<OffsetDateTime>,
    pub place: String,
    pub group_id: Option<GroupId>,
    pub speaker: String,
    pub title: String,
    /// The text's first [`EXCERPT_CHARS`] characters.
    pub excerpt: String,
    pub url: Option<String>,
    pub convention: Option<String>,
}
from_row!(DebateSummary {
    debate_id,
    held_on,
    held_at,
    place,
    group_id,
    speaker,
    title,
    excerpt,
    url,
    convention
});

/// How much of a debate's text a list shows.
pub const EXCERPT_CHARS: i64 = 300;

/// Which debates a list shows; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct DebateFilter<'a> {
    /// Part of the place, as written (case, accents and punctuation do not matter).
    pub place: Option<&'a str>,
    /// Part of the speaker's name (likewise).
    pub speaker: Option<&'a str>,
    /// Held on this day or after.
    pub from: Option<Date>,
    /// Held on this day or before.
    pub to: Option<Date>,
    /// Placed in this group or a group below it.
    pub group: Option<GroupId>,
}

/// The filters of a list, binding `$1` to `$5`. The group's subtree is walked in SQL.
const FILTER: &str = "($1 is null or d.place_key like $1 escape '\\') \
     and ($2 is null or d.speaker_key like $2 escape '\\') \
     and ($3 is null or d.held_on >= $3) and ($4 is null or d.held_on <= $4) \
     and ($5 is null or d.group_id in (select group_id from below))";

/// The groups at and below the group bound to `param` (none when it is null), as `below`.
fn below(param: &str) -> String {
    format!(
        "with recursive below (group_id) as ( \
         select group_id from party_group where group_id = cast({param} as bigint) \
         union all select g.group_id from party_group g join below b on g.parent_id = b.group_id)"
    )
}

/// Rows written per statement on PostgreSQL, and at most this many bytes of text a batch.
const BATCH_ROWS: usize = 500;
const BATCH_BYTES: usize = 8 * 1024 * 1024;

impl Db {
    /// Imports `debates` as one batch named after `source`, in one transaction with its
    /// `debates.imported` event: all or nothing. A debate already in the archives (same fields)
    /// is counted as a duplicate and not added again. `skipped` (the invalid lines the caller
    /// left out) is recorded with the batch. An `Err` from `debates` (the caller could not
    /// read its input) rolls everything back: `StoreError::Aborted`. `progress` is told how
    /// many debates were read so far. Nothing to import writes nothing.
    pub async fn import_debates<I, E>(
        &self,
        source: &str,
        skipped: u64,
        debates: I,
        progress: &(dyn Fn(u64) + Sync),
    ) -> StoreResult<DebatesImported>
    where
        I: IntoIterator<Item = Result<NewDebate, E>>,
        E: std::fmt::Display,
    {
        let at = now();
        let mut debates = debates.into_iter().peekable();
        if debates.peek().is_none() {
            return Ok(DebatesImported {
                batch: None,
                imported: 0,
                duplicates: 0,
            });
        }
        let (done, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let batch: DebateImportId = sqlx::query_scalar(
                "insert into debate_import (source, imported, duplicates, skipped, imported_at) \
                 values ($1, 0, 0, $2, $3) returning debate_import_id",
            )
            .bind(source)
            .bind(i64::try_from(skipped).unwrap_or(i64::MAX))
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let (mut read, mut imported) = (0u64, 0u64);
            let mut pending: Vec<NewDebate> = Vec::new();
            let mut bytes = 0;
            loop {
                let next = match debates.next() {
                    Some(Ok(debate)) => Some(debate),
                    Some(Err(e)) => return Err(super::StoreError::Aborted(e.to_string())),
                    None => None,
                };
                let full = pending.len() >= BATCH_ROWS || bytes >= BATCH_BYTES;
                if (next.is_none() || full) && !pending.is_empty() {
                    imported += tx.insert_debates(batch, &pending, at).await?;
                    read += pending.len() as u64;
                    progress(read);
                    pending.clear();
                    bytes = 0;
                }
                let Some(debate) = next else { break };
                bytes += debate.text.len();
                pending.push(debate);
            }
            let duplicates = read - imported;
            sqlx::query("update debate_import set imported = $2, duplicates = $3 where debate_import_id = $1")
                .bind(batch)
                .bind(imported as i64)
                .bind(duplicates as i64)
                .execute(&mut *tx)
                .await?;
            let event = NewEvent {
                kind: EventKind::DebatesImported,
                text_id: None,
                group_id: None,
                member_id: None,
                actor_id: None,
                payload: json!({
                    "debate_import_id": batch.0,
                    "imported": imported,
                    "duplicates": duplicates,
                    "skipped": skipped,
                }),
            };
            let last = append_events!(tx, &[event], at);
            tx.commit().await?;
            (DebatesImported { batch: Some(batch), imported, duplicates }, last)
        });
        self.appended(last);
        Ok(done)
    }

    pub async fn debate(&self, id: DebateId) -> StoreResult<Option<DebateRow>> {
        let sql = format!("select {COLUMNS} from debate where debate_id = $1");
        Ok(on_backend!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        }))
    }

    /// One page of the debates matching `filter`, newest first (by day, then the latest
    /// imported), and how many match in all.
    pub async fn debates(
        &self,
        filter: &DebateFilter<'_>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<DebateSummary>, i64)> {
        let place = filter.place.map(search_key).map(|k| contains(&k));
        let speaker = filter.speaker.map(search_key).map(|k| contains(&k));
        let from = filter.from.map(day);
        let to = filter.to.map(day);
        let group = filter.group.map(|g| g.0);
        let below = below("$5");
        let rows_sql = format!(
            "{below} select d.debate_id, d.held_on, d.held_at, d.place, d.group_id, d.speaker, d.title, \
             substr(d.body, 1, {EXCERPT_CHARS}) as excerpt, d.url, d.convention from debate d \
             where {FILTER} order by d.held_on desc, d.debate_id desc limit $6 offset $7"
        );
        let count_sql = format!("{below} select count(*) from debate d where {FILTER}");
        on_backend!(self, pool => {
            let rows = sqlx::query_as(&rows_sql)
                .bind(&place).bind(&speaker).bind(&from).bind(&to).bind(group)
                .bind(limit).bind(offset)
                .fetch_all(pool).await?;
            let total = sqlx::query_scalar(&count_sql)
                .bind(&place).bind(&speaker).bind(&from).bind(&to).bind(group)
                .fetch_one(pool).await?;
            Ok((rows, total))
        })
    }

    /// The debates after `after` by id, at most `limit`: every debate, page by page (the full
    /// rebuild of the index, the open-data export).
    pub async fn debates_after(&self, after: DebateId, limit: i64) -> StoreResult<Vec<DebateRow>> {
        let sql = format!(
            "select {COLUMNS} from debate where debate_id > $1 order by debate_id limit $2"
        );
        Ok(on_backend!(self, pool => {
            sqlx::query_as(&sql).bind(after).bind(limit).fetch_all(pool).await?
        }))
    }

    /// The debates placed in `group` or a group below it, by id.
    pub async fn debate_ids_placed_in(&self, group: GroupId) -> StoreResult<Vec<DebateId>> {
        let below = below("$1");
        let sql = format!(
            "{below} select d.debate_id from debate d where d.group_id in (select group_id from below) \
             order by d.debate_id"
        );
        Ok(on_backend!(self, pool => {
            sqlx::query_scalar(&sql).bind(group).fetch_all(pool).await?
        }))
    }

    /// The debates an import added, by id.
    pub async fn debate_ids_of_import(&self, batch: DebateImportId) -> StoreResult<Vec<DebateId>> {
        Ok(on_backend!(self, pool => {
            sqlx::query_scalar("select debate_id from debate where debate_import_id = $1 order by debate_id")
                .bind(batch)
                .fetch_all(pool)
                .await?
        }))
    }
}

/// The bulk insert of a batch's debates, per backend: PostgreSQL takes whole arrays
/// (`unnest`), one round trip for the batch; SQLite is in-process, so a prepared statement a row
/// is as fast. Both leave out a debate whose hash is already stored, and answer how many they
/// added. The group is the one of that exact name, when there is exactly one.
trait DebateTx {
    async fn insert_debates(
        &mut self,
        batch: DebateImportId,
        debates: &[NewDebate],
        at: OffsetDateTime,
    ) -> sqlx::Result<u64>;
}

impl DebateTx for sqlx::Transaction<'static, sqlx::Sqlite> {
    async fn insert_debates(
        &mut self,
        batch: DebateImportId,
        debates: &[NewDebate],
        at: OffsetDateTime,
    ) -> sqlx::Result<u64> {
        let mut added = 0;
        for debate in debates {
            let p = debate.prepared();
            added += sqlx::query(
                "insert into debate (held_on, held_at, place, group_id, speaker, title, body, url, convention, \
                 place_key, speaker_key, content_hash, debate_import_id, imported_at) \
                 values ($1, $2, $3, (select case when count(*) = 1 then min(group_id) end from party_group where name = $3), \
                 $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) on conflict (content_hash) do nothing",
            )
            .bind(&p.held_on)
            .bind(p.held_at)
            .bind(&p.debate.place)
            .bind(&p.debate.speaker)
            .bind(&p.debate.title)
            .bind(&p.debate.text)
            .bind(&p.debate.url)
            .bind(&p.debate.convention)
            .bind(&p.place_key)
            .bind(&p.speaker_key)
            .bind(&p.content_hash)
            .bind(batch)
            .bind(at)
            .execute(&mut **self)
            .await?
            .rows_affected();
        }
        Ok(added)
    }
}

impl DebateTx for sqlx::Transaction<'static, sqlx::Postgres> {
    async fn insert_debates(
        &mut self,
        batch: DebateImportId,
        debates: &[NewDebate],
        at: OffsetDateTime,
    ) -> sqlx::Result<u64> {
        let prepared: Vec<PreparedDebate<'_>> = debates.iter().map(NewDebate::prepared).collect();
        let column = |f: fn(&PreparedDebate<'_>) -> Option<String>| -> Vec<Option<String>> {
            prepared.iter().map(f).collect()
        };
        let held_at: Vec<Option<OffsetDateTime>> = prepared.iter().map(|p| p.held_at).collect();
        let done = sqlx::query(
            "insert into debate (held_on, held_at, place, group_id, speaker, title, body, url, convention, \
             place_key, speaker_key, content_hash, debate_import_id, imported_at) \
             select t.held_on, t.held_at, t.place, \
             (select case when count(*) = 1 then min(g.group_id) end from party_group g where g.name = t.place), \
             t.speaker, t.title, t.body, t.url, t.convention, t.place_key, t.speaker_key, t.content_hash, $12, $13 \
             from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], \
             $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) \
             as t(held_on, held_at, place, speaker, title, body, url, convention, place_key, speaker_key, content_hash) \
             on conflict (content_hash) do nothing",
        )
        .bind(column(|p| Some(p.held_on.clone())))
        .bind(held_at)
        .bind(column(|p| Some(p.debate.place.clone())))
        .bind(column(|p| Some(p.debate.speaker.clone())))
        .bind(column(|p| Some(p.debate.title.clone())))
        .bind(column(|p| Some(p.debate.text.clone())))
        .bind(column(|p| p.debate.url.clone()))
        .bind(column(|p| p.debate.convention.clone()))
        .bind(column(|p| Some(p.place_key.clone())))
        .bind(column(|p| Some(p.speaker_key.clone())))
        .bind(column(|p| Some(p.content_hash.clone())))
        .bind(batch)
        .bind(at)
        .execute(&mut **self)
        .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn debate() -> NewDebate {
        NewDebate {
            held_on: time::macros::date!(2019 - 05 - 12),
            held_at: None,
            place: "Fédération de Paris".into(),
            speaker: "Louise Michel".into(),
            title: "Les retraites".into(),
            text: "Un texte.".into(),
            url: None,
            convention: None,
        }
    }

    #[test]
    fn the_hash_tells_every_field_apart() {
        let base = debate();
        assert_eq!(base.content_hash(), debate().content_hash());
        assert_eq!(base.content_hash().len(), 64);
        let mut moved = debate();
        moved.place = "Fédération de Paris L".into();
        moved.speaker = "ouise Michel".into();
        assert_ne!(base.content_hash(), moved.content_hash());
        let mut url = debate();
        url.url = Some(String::new());
        assert_ne!(
            base.content_hash(),
            url.content_hash(),
            "no url is not an empty url"
        );
    }

    #[test]
    fn filters_compare_folded_keys() {
        assert_eq!(search_key("Fédération  de PARIS"), "federation-de-paris");
        assert_eq!(contains("50%_a"), "%50\\%\\_a%");
    }
}
