//! Amendments: the amendments filed on a text (numbered per text, gap-free), the
//! revisions of their wording, their supporters and the history of their statuses. Every write
//! appends its outbox event in its own transaction (`append_events!`, last before the commit).
//!
//! Nothing here is cached, so no write publishes a `Change`.

use serde_json::json;
use time::OffsetDateTime;

use super::rows::from_row;
use super::{BeginWrite, Db, NewEvent, StoreResult, append_events, now, on_backend, storable_text};
use crate::model::{AmendmentId, AmendmentStatus, EventKind, GroupId, MemberId, TextId};

/// An amendment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentRow {
    pub amendment_id: AmendmentId,
    pub text_id: TextId,
    pub number: i64,
    pub status: AmendmentStatus,
    /// `collab::Anchor`'s serialised form.
    pub anchor: String,
    /// The heads it was written against (a JSON array of hex hashes).
    pub heads: String,
    pub start_utf16: i64,
    pub end_utf16: i64,
    pub original: String,
    pub replacement: String,
    pub rationale: String,
    pub author_id: Option<MemberId>,
    pub on_behalf_of: Option<GroupId>,
    /// The amendment it amends, for a sub-amendment (then its range is in the parent's wording).
    pub parent_id: Option<AmendmentId>,
    /// For a sub-amendment, the revision of the parent's wording it was filed against.
    pub parent_revision_id: Option<i64>,
    pub paragraph: i64,
    pub first_line: i64,
    pub last_line: i64,
    /// « § n, lignes a à b » of the version it was filed against; « Sous-amendement 5 à
    /// l'amendement 2 » for a sub-amendment.
    pub reference: String,
    /// Adopted, but another adopted amendment overlapping it was merged in its place (it stays
    /// `adopted`: the vote is not rewritten; it is merged no more).
    pub superseded_by: Option<AmendmentId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}
from_row!(AmendmentRow {
    amendment_id,
    text_id,
    number,
    status,
    anchor,
    heads,
    start_utf16,
    end_utf16,
    original,
    replacement,
    rationale,
    author_id,
    on_behalf_of,
    parent_id,
    parent_revision_id,
    paragraph,
    first_line,
    last_line,
    reference,
    superseded_by,
    created_at,
    updated_at
});

const COLUMNS: &str = "amendment_id, text_id, number, status, anchor, heads, start_utf16, end_utf16, \
     original, replacement, rationale, author_id, on_behalf_of, parent_id, parent_revision_id, paragraph, \
     first_line, last_line, reference, superseded_by, created_at, updated_at";

/// How many amendments of a text were filed on one paragraph (the « § n » of their reference)
/// in one status — drafts counted per author, since only theirs see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParagraphCount {
    pub paragraph: i64,
    pub status: AmendmentStatus,
    /// The author, for drafts only.
    pub draft_author: Option<MemberId>,
    pub count: i64,
}
from_row!(ParagraphCount {
    paragraph,
    status,
    draft_author,
    count
});

/// What a new amendment is made of (the service anchored it and computed its reference).
#[derive(Debug, Clone)]
pub struct NewAmendment<'a> {
    pub text: TextId,
    /// `Draft`, or `Submitted` when filed and submitted at once.
    pub status: AmendmentStatus,
    pub anchor: &'a str,
    pub heads: &'a str,
    pub start: i64,
    pub end: i64,
    pub original: &'a str,
    pub replacement: &'a str,
    pub rationale: &'a str,
    pub author: Option<MemberId>,
    pub on_behalf_of: Option<GroupId>,
    pub parent: Option<AmendmentId>,
    /// The parent's revision a sub-amendment was filed against.
    pub parent_revision: Option<i64>,
    pub paragraph: i64,
    pub first_line: i64,
    pub last_line: i64,
    /// `{number}` in it becomes the amendment's number, known only in the filing's transaction
    /// (« Sous-amendement {number} à l'amendement 2 »).
    pub reference: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRow {
    pub amendment_revision_id: i64,
    pub replacement: String,
    pub rationale: String,
    pub author_id: Option<MemberId>,
    /// The sub-amendment whose adoption wrote this revision, if one did.
    pub from_amendment_id: Option<AmendmentId>,
    pub created_at: OffsetDateTime,
}
from_row!(RevisionRow {
    amendment_revision_id,
    replacement,
    rationale,
    author_id,
    from_amendment_id,
    created_at
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupporterRow {
    pub member_id: MemberId,
    pub name: String,
    pub created_at: OffsetDateTime,
}
from_row!(SupporterRow {
    member_id,
    name,
    created_at
});

/// One move of an amendment's status (`from_status` is none for its filing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChangeRow {
    pub from_status: Option<AmendmentStatus>,
    pub to_status: AmendmentStatus,
    pub actor_id: Option<MemberId>,
    pub reason: Option<String>,
    pub created_at: OffsetDateTime,
}
from_row!(StatusChangeRow {
    from_status,
    to_status,
    actor_id,
    reason,
    created_at
});

/// What a support changed: added, already there, or refused because the amendment is not
/// `submitted` (or does not exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    Added,
    Already,
    NotOpen,
}

/// Amendments a splice writes into their text, recorded by the very transaction that stores the
/// splice's change (`Db::append_merge_chunk`): each moves from `adopted` to `merged`, and the
/// state after the change is named (`label`). Should any of them no longer be adopted, nothing
/// is stored, the change included: a failed merge leaves the text and every amendment as they
/// were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merging {
    /// One amendment, or those whose combined wording the change writes.
    pub amendments: Vec<AmendmentId>,
    /// Adopted amendments overlapping them that the organiser set aside: they stay adopted,
    /// superseded by the first of `amendments` (`AmendmentRow::superseded_by`).
    pub superseded: Vec<AmendmentId>,
    /// The organiser who merges.
    pub actor: Option<MemberId>,
    /// The name of the version recorded after the change.
    pub label: String,
}

/// Records a merge in the open write transaction `$tx` of the chunk that holds its change (see
/// `Merging`): evaluates to the events to append (`amendment.merged` for each, `amendment.superseded`
/// for each set aside, then `text.version_recorded`); returns `Conflict("amendment")` from the enclosing body, so that
/// nothing is committed, when one of the amendments is no longer adopted.
macro_rules! record_merge {
    ($tx:ident, $merging:expr, $text:expr, $group:expr, $heads:expr, $markdown:expr, $last_edit:expr, $at:expr) => {{
        use $crate::model::{AmendmentStatus, EventKind, MemberId, VersionId};
        let merging: &$crate::store::Merging = $merging;
        let mut moved: Vec<(i64, i64, Option<MemberId>)> = Vec::new();
        for id in &merging.amendments {
            let row: Option<(i64, Option<MemberId>)> = sqlx::query_as(
                "update amendment set status = $1, updated_at = $2 \
                 where amendment_id = $3 and text_id = $4 and status = $5 returning number, author_id",
            )
            .bind(AmendmentStatus::Merged)
            .bind($at)
            .bind(*id)
            .bind($text)
            .bind(AmendmentStatus::Adopted)
            .fetch_optional(&mut *$tx)
            .await?;
            let Some((number, owner)) = row else {
                return Err($crate::store::StoreError::Conflict("amendment"));
            };
            sqlx::query(
                "insert into amendment_status_change (amendment_id, from_status, to_status, actor_id, reason, created_at) \
                 values ($1, $2, $3, $4, null, $5)",
            )
            .bind(*id)
            .bind(AmendmentStatus::Adopted)
            .bind(AmendmentStatus::Merged)
            .bind(merging.actor)
            .bind($at)
            .execute(&mut *$tx)
            .await?;
            moved.push((id.0, number, owner));
        }
        let mut set_aside: Vec<(i64, i64, Option<MemberId>)> = Vec::new();
        let kept = merging.amendments.first().copied();
        for id in &merging.superseded {
            let row: Option<(i64, Option<MemberId>)> = sqlx::query_as(
                "update amendment set superseded_by = $1, updated_at = $2 \
                 where amendment_id = $3 and text_id = $4 and status = $5 and superseded_by is null \
                 returning number, author_id",
            )
            .bind(kept)
            .bind($at)
            .bind(*id)
            .bind($text)
            .bind(AmendmentStatus::Adopted)
            .fetch_optional(&mut *$tx)
            .await?;
            let Some((number, owner)) = row else {
                return Err($crate::store::StoreError::Conflict("amendment"));
            };
            set_aside.push((id.0, number, owner));
        }
        let version: VersionId = sqlx::query_scalar(
            "insert into text_version (text_id, label, heads, markdown, author_id, created_at) \
             values ($1, $2, $3, $4, $5, $6) returning text_version_id",
        )
        .bind($text)
        .bind(&merging.label)
        .bind($heads)
        .bind($crate::store::storable_text($markdown).as_ref())
        .bind(merging.actor)
        .bind($at)
        .fetch_one(&mut *$tx)
        .await?;
        let numbers: Vec<i64> = moved.iter().map(|m| m.1).collect();
        let mut events: Vec<$crate::store::NewEvent> = moved
            .iter()
            .map(|(id, number, owner)| {
                $crate::store::NewEvent {
                    member_id: *owner,
                    ..$crate::store::NewEvent::text(
                        EventKind::AmendmentMerged,
                        $text,
                        $group,
                        merging.actor,
                        serde_json::json!({"amendment_id": id, "number": number, "numbers": numbers,
                                           "version_id": version.0, "last_edit": $last_edit}),
                    )
                }
            })
            .collect();
        for (id, number, owner) in &set_aside {
            events.push($crate::store::NewEvent {
                member_id: *owner,
                ..$crate::store::NewEvent::text(
                    EventKind::AmendmentSuperseded,
                    $text,
                    $group,
                    merging.actor,
                    serde_json::json!({"amendment_id": id, "number": number,
                                       "by_id": kept.map(|k| k.0), "by_number": numbers.first()}),
                )
            });
        }
        events.push($crate::store::NewEvent::text(
            EventKind::TextVersionRecorded,
            $text,
            $group,
            merging.actor,
            serde_json::json!({"version_id": version.0, "label": merging.label}),
        ));
        events
    }};
}
pub(super) use record_merge;

/// The event an amendment's move appends: its author's submit and withdraw have kinds of their
/// own, every other move is a status change.
fn move_kind(to: AmendmentStatus) -> EventKind {
    match to {
        AmendmentStatus::Submitted => EventKind::AmendmentSubmitted,
        AmendmentStatus::Withdrawn => EventKind::AmendmentWithdrawn,
        _ => EventKind::AmendmentStatusChanged,
    }
}

pub(super) fn amendment_event(
    kind: EventKind,
    text: TextId,
    group: GroupId,
    member: Option<MemberId>,
    actor: Option<MemberId>,
    payload: serde_json::Value,
) -> NewEvent {
    NewEvent {
        member_id: member,
        ..NewEvent::text(kind, text, group, actor, payload)
    }
}

impl Db {
    /// Files an amendment: its number is the text's next (gap-free: taken from the text's row,
    /// whose lock holds the next filer until the commit), its first revision and its first
    /// status are recorded, and `amendment.filed` (then `amendment.submitted` when filed
    /// submitted) appended, all in one transaction. `None` when the text does not exist.
    pub async fn file_amendment(
        &self,
        new: &NewAmendment<'_>,
    ) -> StoreResult<Option<AmendmentRow>> {
        let at = now();
        let insert = format!(
            "insert into amendment (text_id, number, status, anchor, heads, start_utf16, end_utf16, original, \
             replacement, rationale, author_id, on_behalf_of, parent_id, parent_revision_id, paragraph, \
             first_line, last_line, reference, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19) \
             returning {COLUMNS}"
        );
        let (row, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let numbered: Option<(i64, GroupId)> = sqlx::query_as(
                "update text set amendments_filed = amendments_filed + 1 where text_id = $1 \
                 returning amendments_filed, group_id",
            )
            .bind(new.text)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((number, group)) = numbered else {
                return Ok(None);
            };
            let row: AmendmentRow = sqlx::query_as(&insert)
                .bind(new.text)
                .bind(number)
                .bind(new.status)
                .bind(new.anchor)
                .bind(new.heads)
                .bind(new.start)
                .bind(new.end)
                .bind(storable_text(new.original).as_ref())
                .bind(new.replacement)
                .bind(new.rationale)
                .bind(new.author)
                .bind(new.on_behalf_of)
                .bind(new.parent)
                .bind(new.parent_revision)
                .bind(new.paragraph)
                .bind(new.first_line)
                .bind(new.last_line)
                .bind(new.reference.replace("{number}", &number.to_string()))
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(
                "insert into amendment_revision (amendment_id, replacement, rationale, author_id, created_at) \
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(row.amendment_id)
            .bind(new.replacement)
            .bind(new.rationale)
            .bind(new.author)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            // Filed submitted, it was a draft for no time: its history says both, as its events do.
            let mut moves = vec![(None, AmendmentStatus::Draft)];
            if new.status != AmendmentStatus::Draft {
                moves.push((Some(AmendmentStatus::Draft), new.status));
            }
            for (from, to) in moves {
                sqlx::query(
                    "insert into amendment_status_change (amendment_id, from_status, to_status, actor_id, reason, created_at) \
                     values ($1, $2, $3, $4, null, $5)",
                )
                .bind(row.amendment_id)
                .bind(from)
                .bind(to)
                .bind(new.author)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            let ids = json!({"amendment_id": row.amendment_id.0, "number": number});
            let mut events = vec![amendment_event(
                EventKind::AmendmentFiled,
                new.text,
                group,
                new.author,
                new.author,
                json!({"amendment_id": row.amendment_id.0, "number": number,
                       "status": AmendmentStatus::Draft.code(), "reference": row.reference,
                       "parent_id": new.parent.map(|p| p.0)}),
            )];
            if new.status == AmendmentStatus::Submitted {
                events.push(amendment_event(
                    EventKind::AmendmentSubmitted,
                    new.text,
                    group,
                    new.author,
                    new.author,
                    ids,
                ));
            }
            let last = append_events!(tx, &events, at);
            tx.commit().await?;
            (row, last)
        });
        self.appended(last);
        Ok(Some(row))
    }

    pub async fn amendment(&self, id: AmendmentId) -> StoreResult<Option<AmendmentRow>> {
        let sql = format!("select {COLUMNS} from amendment where amendment_id = $1");
        Ok(on_backend!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// A text's amendments, by number; only those in `status` when given.
    pub async fn amendments_of_text(
        &self,
        text: TextId,
        status: Option<AmendmentStatus>,
    ) -> StoreResult<Vec<AmendmentRow>> {
        let sql = match status {
            Some(_) => format!(
                "select {COLUMNS} from amendment where text_id = $1 and status = $2 order by number"
            ),
            None => format!("select {COLUMNS} from amendment where text_id = $1 order by number"),
        };
        Ok(on_backend!(self, pool => {
            let query = sqlx::query_as(&sql).bind(text);
            match status {
                Some(status) => query.bind(status).fetch_all(pool).await?,
                None => query.fetch_all(pool).await?,
            }
        }))
    }

    /// A text's amendments counted by paragraph and status (drafts by author): what a reading
    /// view's margins show, without reading the amendments themselves (a convention's text has
    /// thousands). Sub-amendments are not counted: they amend their parent, not a paragraph.
    pub async fn amendment_counts(&self, text: TextId) -> StoreResult<Vec<ParagraphCount>> {
        let sql = "select paragraph, status, \
                case when status = 'draft' then author_id end as draft_author, \
                count(*) as count \
            from amendment where text_id = $1 and parent_id is null \
            group by paragraph, status, case when status = 'draft' then author_id end";
        Ok(on_backend!(self, pool => sqlx::query_as(sql).bind(text).fetch_all(pool).await?))
    }

    /// How many amendments `author` has filed on `text`, whatever became of them.
    pub async fn amendments_filed_by(&self, text: TextId, author: MemberId) -> StoreResult<i64> {
        let sql = "select count(*) from amendment where text_id = $1 and author_id = $2";
        Ok(
            on_backend!(self, pool => sqlx::query_scalar(sql).bind(text).bind(author).fetch_one(pool).await?),
        )
    }

    /// Changes an amendment's wording while it is a draft or submitted, keeping the new one as a
    /// revision and appending `amendment.revised`. The new revision's id; `None` when the
    /// amendment is no longer revisable (or does not exist).
    pub async fn revise_amendment(
        &self,
        id: AmendmentId,
        replacement: &str,
        rationale: &str,
        author: Option<MemberId>,
    ) -> StoreResult<Option<i64>> {
        let at = now();
        let (revision, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let revised: Option<(TextId, i64, Option<MemberId>, GroupId)> = sqlx::query_as(
                "update amendment set replacement = $1, rationale = $2, updated_at = $3 \
                 where amendment_id = $4 and status in ('draft', 'submitted') \
                 returning text_id, number, author_id, \
                 (select group_id from text where text.text_id = amendment.text_id) as group_id",
            )
            .bind(replacement)
            .bind(rationale)
            .bind(at)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((text, number, owner, group)) = revised else {
                return Ok(None);
            };
            let revision: i64 = sqlx::query_scalar(
                "insert into amendment_revision (amendment_id, replacement, rationale, author_id, created_at) \
                 values ($1, $2, $3, $4, $5) returning amendment_revision_id",
            )
            .bind(id)
            .bind(replacement)
            .bind(rationale)
            .bind(author)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let event = [amendment_event(
                EventKind::AmendmentRevised,
                text,
                group,
                owner,
                author,
                json!({"amendment_id": id.0, "number": number, "revision_id": revision}),
            )];
            let last = append_events!(tx, &event, at);
            tx.commit().await?;
            (revision, last)
        });
        self.appended(last);
        Ok(Some(revision))
    }

    /// Moves an amendment from `from` to `to` on behalf of `actor` (with the organiser's
    /// `reason`), recording the move and appending its event (`amendment.submitted`,
    /// `amendment.withdrawn`, else `amendment.status_changed`). `false` when its status is no
    /// longer `from`: the move was checked against a state that has gone. The caller checks
    /// that the move is allowed (`AmendmentStatus::moves`).
    pub async fn move_amendment(
        &self,
        id: AmendmentId,
        from: AmendmentStatus,
        to: AmendmentStatus,
        actor: Option<MemberId>,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        let at = now();
        let (moved, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let moved: Option<(TextId, i64, Option<MemberId>, GroupId)> = sqlx::query_as(
                "update amendment set status = $1, updated_at = $2 where amendment_id = $3 and status = $4 \
                 returning text_id, number, author_id, \
                 (select group_id from text where text.text_id = amendment.text_id) as group_id",
            )
            .bind(to)
            .bind(at)
            .bind(id)
            .bind(from)
            .fetch_optional(&mut *tx)
            .await?;
            let mut last = 0;
            if let Some((text, number, owner, group)) = moved {
                sqlx::query(
                    "insert into amendment_status_change (amendment_id, from_status, to_status, actor_id, reason, created_at) \
                     values ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(from)
                .bind(to)
                .bind(actor)
                .bind(reason)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                let payload = match to {
                    AmendmentStatus::Submitted => json!({"amendment_id": id.0, "number": number}),
                    AmendmentStatus::Withdrawn => {
                        json!({"amendment_id": id.0, "number": number, "from": from.code()})
                    }
                    _ => json!({"amendment_id": id.0, "number": number, "from": from.code(),
                                "to": to.code(), "reason": reason}),
                };
                let event = [amendment_event(move_kind(to), text, group, owner, actor, payload)];
                last = append_events!(tx, &event, at);
            }
            tx.commit().await?;
            (moved.is_some(), last)
        });
        self.appended(last);
        Ok(moved)
    }

    /// Adds `member`'s support to a submitted amendment, appending `amendment.supported`.
    pub async fn support_amendment(
        &self,
        id: AmendmentId,
        member: MemberId,
    ) -> StoreResult<Support> {
        let at = now();
        let (support, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let open: Option<(TextId, i64, GroupId)> = sqlx::query_as(
                "select a.text_id, a.number, t.group_id from amendment a join text t on t.text_id = a.text_id \
                 where a.amendment_id = $1 and a.status = 'submitted'",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((text, number, group)) = open else {
                return Ok(Support::NotOpen);
            };
            let added = sqlx::query(
                "insert into amendment_supporter (amendment_id, member_id, created_at) values ($1, $2, $3) \
                 on conflict (amendment_id, member_id) do nothing",
            )
            .bind(id)
            .bind(member)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added == 0 {
                return Ok(Support::Already);
            }
            let count: i64 = sqlx::query_scalar(
                "select count(*) from amendment_supporter where amendment_id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let event = [amendment_event(
                EventKind::AmendmentSupported,
                text,
                group,
                Some(member),
                Some(member),
                json!({"amendment_id": id.0, "number": number, "supporters": count}),
            )];
            let last = append_events!(tx, &event, at);
            tx.commit().await?;
            (Support::Added, last)
        });
        self.appended(last);
        Ok(support)
    }

    /// Withdraws `member`'s support while the amendment is submitted, appending
    /// `amendment.support_withdrawn`. `false` when they did not support it or it is no longer
    /// submitted.
    pub async fn withdraw_support(&self, id: AmendmentId, member: MemberId) -> StoreResult<bool> {
        let at = now();
        let (removed, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let open: Option<(TextId, i64, GroupId)> = sqlx::query_as(
                "select a.text_id, a.number, t.group_id from amendment a join text t on t.text_id = a.text_id \
                 where a.amendment_id = $1 and a.status = 'submitted'",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((text, number, group)) = open else {
                return Ok(false);
            };
            let removed = sqlx::query(
                "delete from amendment_supporter where amendment_id = $1 and member_id = $2",
            )
            .bind(id)
            .bind(member)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if removed == 0 {
                return Ok(false);
            }
            let count: i64 = sqlx::query_scalar(
                "select count(*) from amendment_supporter where amendment_id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let event = [amendment_event(
                EventKind::AmendmentSupportWithdrawn,
                text,
                group,
                Some(member),
                Some(member),
                json!({"amendment_id": id.0, "number": number, "supporters": count}),
            )];
            let last = append_events!(tx, &event, at);
            tx.commit().await?;
            (true, last)
        });
        self.appended(last);
        Ok(removed)
    }

    /// An amendment's supporters, in the order they signed.
    pub async fn amendment_supporters(&self, id: AmendmentId) -> StoreResult<Vec<SupporterRow>> {
        const SQL: &str = "select s.member_id, m.name, s.created_at from amendment_supporter s \
             join member m on m.member_id = s.member_id where s.amendment_id = $1 \
             order by s.created_at, s.member_id";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_all(pool).await?))
    }

    /// The supporters of every amendment of a text, as (amendment, member) pairs in the order
    /// they signed (one query for a list of thousands).
    pub async fn text_amendment_supporters(
        &self,
        text: TextId,
    ) -> StoreResult<Vec<(AmendmentId, MemberId)>> {
        const SQL: &str = "select s.amendment_id, s.member_id from amendment_supporter s \
             join amendment a on a.amendment_id = s.amendment_id where a.text_id = $1 \
             order by s.amendment_id, s.created_at, s.member_id";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(text).fetch_all(pool).await?))
    }

    /// Everyone a text's amendments name — their authors and supporters —, each once with their
    /// name, by id: one query for an export of thousands rather than one per member.
    pub async fn text_amendment_people(
        &self,
        text: TextId,
    ) -> StoreResult<Vec<(MemberId, String)>> {
        const SQL: &str = "select m.member_id, m.name from member m where m.member_id in \
             (select a.author_id from amendment a where a.text_id = $1 and a.author_id is not null \
              union select s.member_id from amendment_supporter s \
              join amendment a on a.amendment_id = s.amendment_id where a.text_id = $1) \
             order by m.member_id";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(text).fetch_all(pool).await?))
    }

    /// Every wording an amendment had, the first first.
    pub async fn amendment_revisions(&self, id: AmendmentId) -> StoreResult<Vec<RevisionRow>> {
        const SQL: &str = "select amendment_revision_id, replacement, rationale, author_id, from_amendment_id, created_at \
             from amendment_revision where amendment_id = $1 order by amendment_revision_id";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_all(pool).await?))
    }

    /// An amendment's statuses, from its filing on.
    pub async fn amendment_history(&self, id: AmendmentId) -> StoreResult<Vec<StatusChangeRow>> {
        const SQL: &str = "select from_status, to_status, actor_id, reason, created_at \
             from amendment_status_change where amendment_id = $1 order by amendment_status_change_id";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_all(pool).await?))
    }
}
