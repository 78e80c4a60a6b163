//! The audit trail, which also feeds the "recent activity" lists.

use std::sync::Arc;

use super::rows::from_row;
use time::OffsetDateTime;

use super::cache::ACTIVITY_KEPT;
use super::{Change, Db, StoreResult, now, on_backend};
use crate::model::{GroupId, MemberId};

#[derive(Debug, Clone)]
pub struct ActivityRow {
    pub audit_event_id: i64,
    pub at: OffsetDateTime,
    pub action: String,
    pub actor_name: Option<String>,
    pub group_id: Option<GroupId>,
    pub group_name: Option<String>,
    pub member_id: Option<MemberId>,
    pub member_name: Option<String>,
    pub detail: String,
}
from_row!(ActivityRow {
    audit_event_id,
    at,
    action,
    actor_name,
    group_id,
    group_name,
    member_id,
    member_name,
    detail
});

/// Something that happened, as recorded.
#[derive(Debug, Clone, Copy)]
pub struct AuditEvent<'a> {
    pub actor: Option<MemberId>,
    pub action: &'a str,
    pub group: Option<GroupId>,
    pub member: Option<MemberId>,
    pub detail: &'a str,
}

/// The latest events matching `$filter` (which binds `$1`), with the names they mention, newest
/// first, at most `$2`.
macro_rules! activity_query {
    ($filter:literal) => {
        concat!(
            "select e.audit_event_id, e.at, e.action, a.name as actor_name, e.group_id, g.name as group_name, e.member_id, ",
            "m.name as member_name, e.detail from audit_event e ",
            "left join member a on a.member_id = e.actor_id ",
            "left join party_group g on g.group_id = e.group_id ",
            "left join member m on m.member_id = e.member_id ",
            "where ",
            $filter,
            " order by e.at desc, e.audit_event_id desc limit $2"
        )
    };
}

impl Db {
    pub async fn record(&self, event: AuditEvent<'_>) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query(
                "insert into audit_event (at, actor_id, action, group_id, member_id, detail) values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(now())
            .bind(event.actor)
            .bind(event.action)
            .bind(event.group)
            .bind(event.member)
            .bind(event.detail)
            .execute(pool)
            .await?;
        });
        if let Some(group) = event.group {
            self.publish(Change::Activity(group)).await;
        }
        Ok(())
    }

    /// Whether this action was ever recorded (markers such as "demo_loaded").
    pub async fn has_audit_action(&self, action: &str) -> StoreResult<bool> {
        let found: Option<i64> = on_backend!(self, pool => {
            sqlx::query_scalar("select audit_event_id from audit_event where action = $1 limit 1").bind(action).fetch_optional(pool).await?
        });
        Ok(found.is_some())
    }

    /// The latest events in one group (from the cache, for the short lists pages show).
    pub async fn activity_in(&self, group: GroupId, limit: i64) -> StoreResult<Vec<ActivityRow>> {
        let limit = usize::try_from(limit).unwrap_or(0);
        if limit > ACTIVITY_KEPT {
            return self.load_activity_in(group, limit).await;
        }
        let latest = self
            .cache
            .read_through(&self.cache.activity, "activity", group, async {
                Ok(Arc::new(self.load_activity_in(group, ACTIVITY_KEPT).await?))
            })
            .await?;
        Ok(latest.iter().take(limit).cloned().collect())
    }

    async fn load_activity_in(
        &self,
        group: GroupId,
        limit: usize,
    ) -> StoreResult<Vec<ActivityRow>> {
        const SQL: &str = activity_query!("e.group_id = $1");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Ok(
            on_backend!(self, pool => sqlx::query_as(SQL).bind(group).bind(limit).fetch_all(pool).await?),
        )
    }

    /// The latest events in the groups a member belongs to: each group's latest events, merged
    /// (the same order as one query over them all: newest first, then the latest recorded).
    pub async fn activity_for(
        &self,
        member: MemberId,
        limit: i64,
    ) -> StoreResult<Vec<ActivityRow>> {
        let limit = usize::try_from(limit).unwrap_or(0);
        let Some((_, _, scope)) = self.active_member_with_scope(member).await? else {
            return Ok(Vec::new());
        };
        let mut events = Vec::new();
        for row in scope
            .iter()
            .filter(|row| row.via_group_id == row.ancestor_id)
        {
            let wanted = i64::try_from(limit).unwrap_or(i64::MAX);
            events.extend(self.activity_in(row.via_group_id, wanted).await?);
        }
        events.sort_by_key(|e| std::cmp::Reverse((e.at, e.audit_event_id)));
        events.truncate(limit);
        Ok(events)
    }
}
