//! Sub-amendments in the store: adopting one writes it into its parent's wording (filing one is
//! `Db::file_amendment` with a parent). Beside `amendments.rs`, whose helpers it shares.

use serde_json::json;

use super::amendments::amendment_event;
use super::{BeginWrite, Db, StoreResult, append_events, now, on_backend};
use crate::model::{AmendmentId, AmendmentStatus, EventKind, GroupId, MemberId, TextId};

/// A sub-amendment moved by its adoption: its text, number, author, parent and group.
type SubMoved = (TextId, i64, Option<MemberId>, Option<AmendmentId>, GroupId);

impl Db {
    /// An organiser adopts a sub-amendment (`sub`, in status `from`): its parent's wording
    /// becomes `wording` — a new revision of the parent, recorded as coming from the
    /// sub-amendment —, and the sub-amendment moves to `adopted` then at once to `merged`, each
    /// move recorded; `amendment.status_changed` (the sub-amendment adopted), `amendment.merged`
    /// (it, with its parent) and `amendment.revised` (the parent, `from_amendment_id`) appended,
    /// all in one transaction. `None`, with nothing written, when the sub-amendment is no longer
    /// in `from`, or its parent no longer submitted, admissible or voting, or no longer worded
    /// `expected` (someone reworded it meanwhile).
    pub async fn adopt_sub_amendment(
        &self,
        sub: AmendmentId,
        from: AmendmentStatus,
        expected: &str,
        wording: &str,
        actor: Option<MemberId>,
    ) -> StoreResult<Option<i64>> {
        let at = now();
        let (revision, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let moved: Option<SubMoved> = sqlx::query_as(
                "update amendment set status = $1, updated_at = $2 \
                 where amendment_id = $3 and status = $4 and parent_id is not null \
                 returning text_id, number, author_id, parent_id, \
                 (select group_id from text where text.text_id = amendment.text_id) as group_id",
            )
            .bind(AmendmentStatus::Merged)
            .bind(at)
            .bind(sub)
            .bind(from)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((text, number, owner, Some(parent), group)) = moved else {
                return Ok(None);
            };
            let reworded: Option<(i64, Option<MemberId>, String)> = sqlx::query_as(
                "update amendment set replacement = $1, updated_at = $2 \
                 where amendment_id = $3 and status in ('submitted', 'admissible', 'voting') \
                 and replacement = $4 returning number, author_id, rationale",
            )
            .bind(wording)
            .bind(at)
            .bind(parent)
            .bind(expected)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((parent_number, parent_owner, rationale)) = reworded else {
                return Ok(None);
            };
            let revision: i64 = sqlx::query_scalar(
                "insert into amendment_revision (amendment_id, replacement, rationale, author_id, from_amendment_id, created_at) \
                 values ($1, $2, $3, $4, $5, $6) returning amendment_revision_id",
            )
            .bind(parent)
            .bind(wording)
            .bind(&rationale)
            .bind(actor)
            .bind(sub)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            for (from, to) in [(from, AmendmentStatus::Adopted), (AmendmentStatus::Adopted, AmendmentStatus::Merged)] {
                sqlx::query(
                    "insert into amendment_status_change (amendment_id, from_status, to_status, actor_id, reason, created_at) \
                     values ($1, $2, $3, $4, null, $5)",
                )
                .bind(sub)
                .bind(from)
                .bind(to)
                .bind(actor)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            let events = [
                amendment_event(
                    EventKind::AmendmentStatusChanged,
                    text,
                    group,
                    owner,
                    actor,
                    json!({"amendment_id": sub.0, "number": number, "from": from.code(),
                           "to": AmendmentStatus::Adopted.code(), "reason": null}),
                ),
                amendment_event(
                    EventKind::AmendmentMerged,
                    text,
                    group,
                    owner,
                    actor,
                    json!({"amendment_id": sub.0, "number": number, "numbers": [number],
                           "parent_id": parent.0, "parent_number": parent_number,
                           "revision_id": revision}),
                ),
                amendment_event(
                    EventKind::AmendmentRevised,
                    text,
                    group,
                    parent_owner,
                    actor,
                    json!({"amendment_id": parent.0, "number": parent_number, "revision_id": revision,
                           "from_amendment_id": sub.0, "from_number": number}),
                ),
            ];
            let last = append_events!(tx, &events, at);
            tx.commit().await?;
            (revision, last)
        });
        self.appended(last);
        Ok(Some(revision))
    }
}
