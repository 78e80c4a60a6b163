//! Texts, their automerge documents (snapshots and chunks), their history, versions and wiki links.

use std::sync::Arc;

use super::rows::from_row;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::cache::TEXTS_KEPT;
use super::{
    Backend, BeginWrite, Change, Db, NewEvent, StoreResult, append_events, now, on_backend,
    on_unique, storable_text,
};
use crate::model::{EventKind, GroupId, MemberId, TextId, TextKind, TextStatus, VersionId};

#[derive(Debug, Clone)]
pub struct TextRow {
    pub text_id: TextId,
    pub group_id: GroupId,
    pub kind: TextKind,
    pub title: String,
    pub slug: String,
    pub status: TextStatus,
    pub created_by: Option<MemberId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}
from_row!(TextRow {
    text_id,
    group_id,
    kind,
    title,
    slug,
    status,
    created_by,
    created_at,
    updated_at
});

const TEXT_COLUMNS: &str = "t.text_id, t.group_id, t.kind, t.title, t.slug, t.status, t.created_by, t.created_at, t.updated_at";

/// What a new text is made of. `document` is the automerge save of its first state.
pub struct NewText<'a> {
    pub group: GroupId,
    pub kind: TextKind,
    pub title: &'a str,
    pub slug: &'a str,
    pub markdown: &'a str,
    pub document: &'a [u8],
    pub heads: &'a str,
    pub author: Option<MemberId>,
}

/// One stored piece of a text's document: a snapshot or an incremental chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocPart {
    Snapshot(i64),
    Chunk(i64),
}

/// A batch of changes to store: the incremental save, who made which changes, the heads after.
pub struct NewChunk<'a> {
    pub text: TextId,
    pub bytes: &'a [u8],
    pub authors: &'a [(Option<MemberId>, i32)],
    pub heads: &'a str,
    pub message: Option<&'a str>,
    /// Appends `text.edited` with the batch; otherwise the text owes one, which
    /// `Db::append_owed_edit_event` appends later (`collab::edit_events` coalesces them).
    pub edited: bool,
    /// What the server's own edits in the batch append with it (a restored version).
    pub events: &'a [ChunkEvent],
}

/// An event a server-side edit appends with the chunk that stores it; its subject is the
/// chunk's text, in its group.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkEvent {
    pub kind: EventKind,
    pub actor: Option<MemberId>,
    pub payload: Value,
}

#[derive(Debug, Clone)]
pub struct EditRow {
    /// The batch's place in the text's history (larger is later): the address of the state
    /// after it (`e<id>` in a diff's `from`/`to`).
    pub text_edit_id: i64,
    pub author_id: Option<MemberId>,
    pub author_name: Option<String>,
    pub changes: i32,
    pub heads: String,
    pub message: Option<String>,
    pub created_at: OffsetDateTime,
}
from_row!(EditRow {
    text_edit_id,
    author_id,
    author_name,
    changes,
    heads,
    message,
    created_at
});

#[derive(Debug, Clone)]
pub struct VersionRow {
    pub text_version_id: VersionId,
    pub text_id: TextId,
    pub label: String,
    pub heads: String,
    pub markdown: String,
    pub author_id: Option<MemberId>,
    pub author_name: Option<String>,
    pub created_at: OffsetDateTime,
}
from_row!(VersionRow {
    text_version_id,
    text_id,
    label,
    heads,
    markdown,
    author_id,
    author_name,
    created_at
});

/// A text that links to another, or was changed recently, with where it lives.
#[derive(Debug, Clone)]
pub struct TextSummary {
    pub text_id: TextId,
    pub group_id: GroupId,
    pub group_name: String,
    pub kind: TextKind,
    pub title: String,
    pub slug: String,
    pub status: TextStatus,
    pub updated_at: OffsetDateTime,
}
from_row!(TextSummary {
    text_id,
    group_id,
    group_name,
    kind,
    title,
    slug,
    status,
    updated_at
});

const SUMMARY: &str = "select t.text_id, t.group_id, g.name as group_name, t.kind, t.title, t.slug, t.status, t.updated_at \
     from text t join party_group g on g.group_id = t.group_id";

/// The PostgreSQL channel on which servers announce new chunks: the payload is the text id.
pub const DOC_CHANNEL: &str = "atelier_doc";

impl Db {
    /// Creates a text and its first snapshot in one transaction. `Conflict("slug")` when the group
    /// already has a text with that slug.
    pub async fn create_text(&self, new: &NewText<'_>) -> StoreResult<TextId> {
        let at = now();
        let (id, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: TextId = sqlx::query_scalar(
                "insert into text (group_id, kind, title, slug, markdown, created_by, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $7) returning text_id",
            )
            .bind(new.group)
            .bind(new.kind)
            .bind(new.title)
            .bind(new.slug)
            .bind(storable_text(new.markdown).as_ref())
            .bind(new.author)
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(on_unique("slug"))?;
            sqlx::query("insert into doc_snapshot (text_id, bytes, created_at) values ($1, $2, $3)")
                .bind(id)
                .bind(new.document)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "insert into text_edit (text_id, author_id, changes, heads, message, created_at) values ($1, $2, 1, $3, 'created', $4)",
            )
            .bind(id)
            .bind(new.author)
            .bind(new.heads)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let created = [NewEvent::text(
                EventKind::TextCreated,
                id,
                new.group,
                new.author,
                json!({"kind": new.kind.code(), "slug": new.slug, "title": new.title}),
            )];
            let last = append_events!(tx, &created, at);
            tx.commit().await?;
            (id, last)
        });
        self.appended(last);
        self.publish(Change::Texts(new.group)).await;
        Ok(id)
    }

    pub async fn text(&self, id: TextId) -> StoreResult<Option<TextRow>> {
        let sql = format!("select {TEXT_COLUMNS} from text t where t.text_id = $1");
        Ok(on_backend!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    pub async fn text_by_slug(&self, group: GroupId, slug: &str) -> StoreResult<Option<TextRow>> {
        let sql =
            format!("select {TEXT_COLUMNS} from text t where t.group_id = $1 and t.slug = $2");
        Ok(
            on_backend!(self, pool => sqlx::query_as(&sql).bind(group).bind(slug).fetch_optional(pool).await?),
        )
    }

    /// The texts of a group, programme texts first, then by title.
    pub async fn texts_of_group(&self, group: GroupId) -> StoreResult<Vec<TextRow>> {
        let sql = format!(
            "select {TEXT_COLUMNS} from text t where t.group_id = $1 order by t.kind, t.title, t.text_id"
        );
        Ok(on_backend!(self, pool => sqlx::query_as(&sql).bind(group).fetch_all(pool).await?))
    }

    /// The last stored Markdown of a text (derived; the document is the source of truth).
    pub async fn text_markdown(&self, id: TextId) -> StoreResult<Option<String>> {
        Ok(on_backend!(self, pool => {
            sqlx::query_scalar("select markdown from text where text_id = $1").bind(id).fetch_optional(pool).await?
        }))
    }

    /// Moves a text from status `from` to `to`, on behalf of `actor`. `false` when its status is
    /// no longer `from` (someone else moved it meanwhile): the move was checked against a state
    /// that has gone.
    pub async fn set_text_status(
        &self,
        id: TextId,
        from: TextStatus,
        to: TextStatus,
        actor: Option<MemberId>,
    ) -> StoreResult<bool> {
        const SQL: &str =
            "update text set status = $1 where text_id = $2 and status = $3 returning group_id";
        let (changed, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let changed: Option<GroupId> =
                sqlx::query_scalar(SQL).bind(to).bind(id).bind(from).fetch_optional(&mut *tx).await?;
            let mut last = 0;
            if let Some(group) = changed {
                let moved = [NewEvent::text(
                    EventKind::TextStatusChanged,
                    id,
                    group,
                    actor,
                    json!({"from": from.code(), "to": to.code()}),
                )];
                last = append_events!(tx, &moved, now());
            }
            tx.commit().await?;
            (changed, last)
        });
        self.appended(last);
        if let Some(group) = changed {
            self.publish(Change::TextStatus(id, group)).await;
        }
        Ok(changed.is_some())
    }

    /// Which snapshots and chunks the text's document is stored in, oldest first.
    pub async fn doc_parts(&self, text: TextId) -> StoreResult<Vec<DocPart>> {
        const SQL: &str = "select 0 as part, doc_snapshot_id as id from doc_snapshot where text_id = $1 \
             union all select 1, doc_chunk_id from doc_chunk where text_id = $1 order by 1, 2";
        let rows: Vec<(i32, i64)> =
            on_backend!(self, pool => sqlx::query_as(SQL).bind(text).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(part, id)| {
                if part == 0 {
                    DocPart::Snapshot(id)
                } else {
                    DocPart::Chunk(id)
                }
            })
            .collect())
    }

    /// The bytes of a stored part; `None` if compaction removed it meanwhile.
    pub async fn doc_part_bytes(&self, part: DocPart) -> StoreResult<Option<Vec<u8>>> {
        let (sql, id) = match part {
            DocPart::Snapshot(id) => (
                "select bytes from doc_snapshot where doc_snapshot_id = $1",
                id,
            ),
            DocPart::Chunk(id) => ("select bytes from doc_chunk where doc_chunk_id = $1", id),
        };
        Ok(on_backend!(self, pool => sqlx::query_scalar(sql).bind(id).fetch_optional(pool).await?))
    }

    /// Stores a batch of changes, records who made them, appends its events and (PostgreSQL)
    /// tells the other servers, all in one transaction: once this returns, the changes are
    /// durable.
    pub async fn append_chunk(&self, chunk: &NewChunk<'_>) -> StoreResult<i64> {
        self.append_chunk_recording(chunk, None).await
    }

    /// Stores a splice's chunk and, in the same transaction, the merge it makes (`Merging`:
    /// the amendments moved to `merged`, the version named after it with `markdown`, the text
    /// after the change, and their events). `Conflict("amendment")`, and nothing stored, when
    /// one of the amendments is no longer adopted.
    pub async fn append_merge_chunk(
        &self,
        chunk: &NewChunk<'_>,
        merging: &super::Merging,
        markdown: &str,
    ) -> StoreResult<i64> {
        self.append_chunk_recording(chunk, Some((merging, markdown)))
            .await
    }

    async fn append_chunk_recording(
        &self,
        chunk: &NewChunk<'_>,
        merging: Option<(&super::Merging, &str)>,
    ) -> StoreResult<i64> {
        let at = now();
        let (id, group, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "insert into doc_chunk (text_id, bytes, created_at) values ($1, $2, $3) returning doc_chunk_id",
            )
            .bind(chunk.text)
            .bind(chunk.bytes)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let mut last_edit = 0i64;
            for (author, changes) in chunk.authors {
                last_edit = sqlx::query_scalar(
                    "insert into text_edit (text_id, author_id, changes, heads, message, created_at) values ($1, $2, $3, $4, $5, $6) \
                     returning text_edit_id",
                )
                .bind(chunk.text)
                .bind(*author)
                .bind(*changes)
                .bind(chunk.heads)
                .bind(chunk.message)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
            }
            let group: GroupId = sqlx::query_scalar(
                "update text set updated_at = $1, edit_event_owed = $3 where text_id = $2 returning group_id",
            )
            .bind(at)
            .bind(chunk.text)
            .bind(!chunk.edited)
            .fetch_one(&mut *tx)
            .await?;
            if matches!(self.backend(), Backend::Postgres(_)) {
                // Delivered at commit, so listeners never see a chunk that is not there yet.
                sqlx::query("select pg_notify($1, $2)")
                    .bind(DOC_CHANNEL)
                    .bind(chunk.text.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            let mut events = chunk_events(chunk, group, last_edit);
            if let Some((merging, markdown)) = merging {
                let merged = super::amendments::record_merge!(
                    tx, merging, chunk.text, group, chunk.heads, markdown, last_edit, at
                );
                events.extend(merged);
            }
            let last = append_events!(tx, &events, at);
            tx.commit().await?;
            (id, group, last)
        });
        self.appended(last);
        // The group's list of texts is ordered by last edit. Only this server forgets it: the
        // others hear of the chunk on DOC_CHANNEL, and their lists catch up within the TTL.
        self.cache.forget(&Change::Texts(group));
        Ok(id)
    }

    /// Replaces the parts `replaced` (everything a document was loaded from) with one snapshot.
    /// Parts another server added meanwhile are not in `replaced`, so they stay.
    pub async fn compact_doc(
        &self,
        text: TextId,
        snapshot: &[u8],
        replaced: &[DocPart],
    ) -> StoreResult<i64> {
        Ok(on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "insert into doc_snapshot (text_id, bytes, created_at) values ($1, $2, $3) returning doc_snapshot_id",
            )
            .bind(text)
            .bind(snapshot)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
            for part in replaced {
                let (sql, part_id) = match *part {
                    DocPart::Snapshot(p) => ("delete from doc_snapshot where doc_snapshot_id = $1", p),
                    DocPart::Chunk(p) => ("delete from doc_chunk where doc_chunk_id = $1", p),
                };
                sqlx::query(sql).bind(part_id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            id
        }))
    }

    /// Stores the derived Markdown of a text and the wiki links found in it, in one transaction.
    pub async fn materialize_text(
        &self,
        text: TextId,
        markdown: &str,
        links: &[(GroupId, String, String)],
    ) -> StoreResult<()> {
        on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("update text set markdown = $1 where text_id = $2")
                .bind(storable_text(markdown).as_ref())
                .bind(text)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from wiki_link where from_text_id = $1").bind(text).execute(&mut *tx).await?;
            for (group, slug, title) in links {
                sqlx::query(
                    "insert into wiki_link (from_text_id, to_group_id, to_slug, to_title) values ($1, $2, $3, $4) \
                     on conflict do nothing",
                )
                .bind(text)
                .bind(*group)
                .bind(storable_text(slug).as_ref())
                .bind(storable_text(title).as_ref())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The latest stored batches of a text, newest first.
    pub async fn text_edits(&self, text: TextId, limit: i64) -> StoreResult<Vec<EditRow>> {
        self.text_edits_before(text, None, limit).await
    }

    /// The stored batches of a text before the batch `before` (all when `None`), newest first:
    /// the history's pages walk back through them by keyset, never by offset.
    pub async fn text_edits_before(
        &self,
        text: TextId,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<EditRow>> {
        const SQL: &str = "select e.text_edit_id, e.author_id, m.name as author_name, e.changes, e.heads, e.message, e.created_at \
             from text_edit e left join member m on m.member_id = e.author_id \
             where e.text_id = $1 and e.text_edit_id < $2 order by e.text_edit_id desc limit $3";
        let before = before.unwrap_or(i64::MAX);
        Ok(on_backend!(self, pool => {
            sqlx::query_as(SQL).bind(text).bind(before).bind(limit).fetch_all(pool).await?
        }))
    }

    /// One stored batch of a text, if it is this text's.
    pub async fn text_edit(&self, text: TextId, id: i64) -> StoreResult<Option<EditRow>> {
        const SQL: &str = "select e.text_edit_id, e.author_id, m.name as author_name, e.changes, e.heads, e.message, e.created_at \
             from text_edit e left join member m on m.member_id = e.author_id \
             where e.text_id = $1 and e.text_edit_id = $2";
        Ok(
            on_backend!(self, pool => sqlx::query_as(SQL).bind(text).bind(id).fetch_optional(pool).await?),
        )
    }

    /// Names a state of a text (`text.version_recorded`).
    pub async fn create_version(
        &self,
        text: TextId,
        label: &str,
        heads: &str,
        markdown: &str,
        author: Option<MemberId>,
    ) -> StoreResult<VersionId> {
        let at = now();
        let (id, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: VersionId = sqlx::query_scalar(
                "insert into text_version (text_id, label, heads, markdown, author_id, created_at) \
                 values ($1, $2, $3, $4, $5, $6) returning text_version_id",
            )
            .bind(text)
            .bind(label)
            .bind(heads)
            .bind(storable_text(markdown).as_ref())
            .bind(author)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let group: GroupId = sqlx::query_scalar("select group_id from text where text_id = $1")
                .bind(text)
                .fetch_one(&mut *tx)
                .await?;
            let recorded = [NewEvent::text(
                EventKind::TextVersionRecorded,
                text,
                group,
                author,
                json!({"version_id": id.0, "label": label}),
            )];
            let last = append_events!(tx, &recorded, at);
            tx.commit().await?;
            (id, last)
        });
        self.appended(last);
        Ok(id)
    }

    /// Appends the `text.edited` event a text owes (its last batches were stored too soon after
    /// its previous one), unless another server did meanwhile. `false` if none was owed.
    pub async fn append_owed_edit_event(&self, text: TextId) -> StoreResult<bool> {
        let at = now();
        let last = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let owed: Option<GroupId> = sqlx::query_scalar(
                "update text set edit_event_owed = false where text_id = $1 and edit_event_owed returning group_id",
            )
            .bind(text)
            .fetch_optional(&mut *tx)
            .await?;
            let mut last = 0;
            if let Some(group) = owed {
                let latest: Option<(i64, Option<MemberId>)> = sqlx::query_as(
                    "select text_edit_id, author_id from text_edit where text_id = $1 order by text_edit_id desc limit 1",
                )
                .bind(text)
                .fetch_optional(&mut *tx)
                .await?;
                let (last_edit, author) = latest.unwrap_or((0, None));
                let edited = [edited_event(text, group, author, last_edit)];
                last = append_events!(tx, &edited, at);
            }
            tx.commit().await?;
            last
        });
        self.appended(last);
        Ok(last > 0)
    }

    /// The texts owing a `text.edited` event whose last batch was stored before `stored_before`:
    /// what the server that stored it did not append (it stopped or crashed meanwhile).
    pub async fn texts_owing_edit_events(
        &self,
        stored_before: OffsetDateTime,
    ) -> StoreResult<Vec<TextId>> {
        const SQL: &str =
            "select text_id from text where edit_event_owed and updated_at < $1 order by text_id";
        Ok(
            on_backend!(self, pool => sqlx::query_scalar(SQL).bind(stored_before).fetch_all(pool).await?),
        )
    }

    /// The named versions of a text, newest first.
    pub async fn versions(&self, text: TextId) -> StoreResult<Vec<VersionRow>> {
        const SQL: &str = "select v.text_version_id, v.text_id, v.label, v.heads, v.markdown, v.author_id, \
             m.name as author_name, v.created_at from text_version v left join member m on m.member_id = v.author_id \
             where v.text_id = $1 order by v.text_version_id desc";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(text).fetch_all(pool).await?))
    }

    pub async fn version(&self, text: TextId, id: VersionId) -> StoreResult<Option<VersionRow>> {
        const SQL: &str = "select v.text_version_id, v.text_id, v.label, v.heads, v.markdown, v.author_id, \
             m.name as author_name, v.created_at from text_version v left join member m on m.member_id = v.author_id \
             where v.text_id = $1 and v.text_version_id = $2";
        Ok(
            on_backend!(self, pool => sqlx::query_as(SQL).bind(text).bind(id).fetch_optional(pool).await?),
        )
    }

    /// The texts whose Markdown links to the page `slug` of `group` ("what links here"), from
    /// every group: callers filter them for their viewer (`text::wiki::backlinks`).
    pub async fn backlinks(&self, group: GroupId, slug: &str) -> StoreResult<Vec<TextSummary>> {
        let sql = format!(
            "{SUMMARY} join wiki_link l on l.from_text_id = t.text_id \
             where l.to_group_id = $1 and l.to_slug = $2 order by t.title, t.text_id"
        );
        Ok(
            on_backend!(self, pool => sqlx::query_as(&sql).bind(group).bind(slug).fetch_all(pool).await?),
        )
    }

    /// The texts of a group most recently changed, newest first.
    pub async fn recent_texts(&self, group: GroupId, limit: i64) -> StoreResult<Vec<TextSummary>> {
        let limit = usize::try_from(limit).unwrap_or(0);
        if limit > TEXTS_KEPT {
            return self.load_recent_texts(group, limit).await;
        }
        // The order by last edit may lag by the cache's TTL: edits do not announce themselves.
        let latest = self
            .cache
            .read_through(&self.cache.texts, "texts", group, async {
                Ok(Arc::new(self.load_recent_texts(group, TEXTS_KEPT).await?))
            })
            .await?;
        Ok(latest.iter().take(limit).cloned().collect())
    }

    async fn load_recent_texts(
        &self,
        group: GroupId,
        limit: usize,
    ) -> StoreResult<Vec<TextSummary>> {
        let sql = format!(
            "{SUMMARY} where t.group_id = $1 order by t.updated_at desc, t.text_id desc limit $2"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Ok(
            on_backend!(self, pool => sqlx::query_as(&sql).bind(group).bind(limit).fetch_all(pool).await?),
        )
    }

    /// The titles the wiki links to a page (that may not exist yet) gave it, with the group of
    /// each linking text, so that the caller keeps only what its viewer may see.
    pub async fn wiki_link_titles(
        &self,
        group: GroupId,
        slug: &str,
    ) -> StoreResult<Vec<(GroupId, String)>> {
        const SQL: &str = "select t.group_id, l.to_title from wiki_link l join text t on t.text_id = l.from_text_id \
             where l.to_group_id = $1 and l.to_slug = $2 order by l.from_text_id";
        Ok(
            on_backend!(self, pool => sqlx::query_as(SQL).bind(group).bind(slug).fetch_all(pool).await?),
        )
    }
}

impl Db {
    /// Who changed the texts of a group: (text, author's name, the author's latest stored batch
    /// of that text — larger is more recent), most recent first within each text, for the
    /// recent-changes page. Changes whose author's account is gone are not listed.
    pub async fn recent_text_authors(
        &self,
        group: GroupId,
    ) -> StoreResult<Vec<(TextId, String, i64)>> {
        const SQL: &str = "select e.text_id, m.name, max(e.text_edit_id) as last_edit \
             from text_edit e join text t on t.text_id = e.text_id join member m on m.member_id = e.author_id \
             where t.group_id = $1 group by e.text_id, m.member_id, m.name \
             order by e.text_id, last_edit desc";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(group).fetch_all(pool).await?))
    }
}

/// The events a stored batch appends: its server-side edits' own, then `text.edited` if due.
fn chunk_events(chunk: &NewChunk<'_>, group: GroupId, last_edit: i64) -> Vec<NewEvent> {
    let mut events: Vec<NewEvent> = chunk
        .events
        .iter()
        .map(|e| NewEvent::text(e.kind, chunk.text, group, e.actor, e.payload.clone()))
        .collect();
    if chunk.edited {
        // Named only when one member made the whole batch; the batches say who typed what.
        let author = match chunk.authors {
            [(author, _)] => *author,
            _ => None,
        };
        events.push(edited_event(chunk.text, group, author, last_edit));
    }
    events
}

fn edited_event(
    text: TextId,
    group: GroupId,
    author: Option<MemberId>,
    last_edit: i64,
) -> NewEvent {
    NewEvent::text(
        EventKind::TextEdited,
        text,
        group,
        author,
        json!({"last_edit": last_edit}),
    )
}
