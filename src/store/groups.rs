//! The party's organisation: groups in a tree, and memberships with roles.

use std::collections::HashMap;
use std::sync::Arc;

use super::rows::from_row;
use time::OffsetDateTime;

use super::cache::MemberScope;
use serde_json::json;

use super::{BeginWrite, Change, Db, NewEvent, StoreResult, append_events, now, on_backend};
use crate::model::{EventKind, GroupId, GroupKind, MemberId, Role, Visibility};

#[derive(Debug, Clone)]
pub struct GroupRow {
    pub group_id: GroupId,
    pub kind: GroupKind,
    pub name: String,
    pub description: String,
    pub parent_id: Option<GroupId>,
    pub visibility: Visibility,
    pub created_at: OffsetDateTime,
}
from_row!(GroupRow {
    group_id,
    kind,
    name,
    description,
    parent_id,
    visibility,
    created_at
});

/// A member's membership, with the group it is in.
#[derive(Debug, Clone)]
pub struct MembershipRow {
    pub group_id: GroupId,
    pub role: Role,
    pub kind: GroupKind,
    pub name: String,
}
from_row!(MembershipRow {
    group_id,
    role,
    kind,
    name
});

/// One line of a member's scope: through a membership in `via_group_id` with `role`, the member
/// is in the subtree of `ancestor_id` (every ancestor of the group, the group included).
#[derive(Debug, Clone)]
pub struct ScopeRow {
    pub via_group_id: GroupId,
    pub ancestor_id: GroupId,
    pub role: Role,
}
from_row!(ScopeRow {
    via_group_id,
    ancestor_id,
    role
});

/// Gives member `$1` role `$3` in group `$2` (replacing any role they had there), at `$4`.
pub(crate) const UPSERT_MEMBERSHIP: &str = "insert into membership (member_id, group_id, role, created_at) \
     values ($1, $2, $3, $4) on conflict (member_id, group_id) do update set role = excluded.role";

const GROUP_COLUMNS: &str = "group_id, kind, name, description, parent_id, visibility, created_at";

/// `group.created`: what the group is, where, and who may see it.
fn created_event(
    id: GroupId,
    kind: GroupKind,
    name: &str,
    parent: Option<GroupId>,
    visibility: Visibility,
    actor: Option<MemberId>,
) -> NewEvent {
    NewEvent {
        kind: EventKind::GroupCreated,
        text_id: None,
        group_id: Some(id),
        member_id: None,
        actor_id: actor,
        payload: json!({
            "kind": kind.code(),
            "name": name,
            "parent_id": parent.map(|p| p.0),
            "visibility": visibility.code(),
        }),
    }
}

impl Db {
    /// Creates a group on behalf of `actor` (`group.created`).
    pub async fn create_group(
        &self,
        kind: GroupKind,
        name: &str,
        description: &str,
        parent: Option<GroupId>,
        visibility: Visibility,
        actor: Option<MemberId>,
    ) -> StoreResult<GroupId> {
        let at = now();
        let (id, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: GroupId = sqlx::query_scalar(
                "insert into party_group (kind, name, description, parent_id, visibility, created_at) \
                 values ($1, $2, $3, $4, $5, $6) returning group_id",
            )
            .bind(kind)
            .bind(name)
            .bind(description)
            .bind(parent)
            .bind(visibility)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let created = [created_event(id, kind, name, parent, visibility, actor)];
            let last = append_events!(tx, &created, at);
            tx.commit().await?;
            (id, last)
        });
        self.appended(last);
        self.publish(Change::GroupAdded).await;
        Ok(id)
    }

    /// Renames a group, and sets its description and visibility, on behalf of `actor`
    /// (`group.changed`; nothing for a group that does not exist).
    pub async fn update_group(
        &self,
        id: GroupId,
        name: &str,
        description: &str,
        visibility: Visibility,
        actor: Option<MemberId>,
    ) -> StoreResult<()> {
        let at = now();
        let last = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated: Option<GroupId> = sqlx::query_scalar(
                "update party_group set name = $1, description = $2, visibility = $3 where group_id = $4 \
                 returning group_id",
            )
            .bind(name)
            .bind(description)
            .bind(visibility)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let mut last = 0;
            if updated.is_some() {
                // The state after the change: a consumer reads the group again anyway, and the
                // audit of who changed what needs no more.
                let changed = [NewEvent {
                    kind: EventKind::GroupChanged,
                    text_id: None,
                    group_id: Some(id),
                    member_id: None,
                    actor_id: actor,
                    payload: json!({"name": name, "visibility": visibility.code()}),
                }];
                last = append_events!(tx, &changed, at);
            }
            tx.commit().await?;
            last
        });
        self.appended(last);
        self.publish(Change::Group(id)).await;
        Ok(())
    }

    pub async fn group(&self, id: GroupId) -> StoreResult<Option<GroupRow>> {
        const SQL: &str = "select group_id, kind, name, description, parent_id, visibility, created_at from party_group where group_id = $1";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await?))
    }

    /// Every group, by name, from the cache: the tree is small (hundreds of groups) and read by
    /// every page, for menus and for permission checks.
    pub async fn all_groups(&self) -> StoreResult<Arc<Vec<GroupRow>>> {
        self.cache
            .read_through(&self.cache.groups, "groups", (), async {
                Ok(Arc::new(self.groups(None).await?))
            })
            .await
    }

    /// Every group, or every group of one kind, by name, from the database.
    pub async fn groups(&self, kind: Option<GroupKind>) -> StoreResult<Vec<GroupRow>> {
        let sql = format!(
            "select {GROUP_COLUMNS} from party_group where $1 is null or kind = $1 order by name, group_id"
        );
        Ok(
            on_backend!(self, pool => sqlx::query_as(&sql).bind(kind.map(GroupKind::code)).fetch_all(pool).await?),
        )
    }

    pub async fn children(&self, id: GroupId) -> StoreResult<Vec<GroupRow>> {
        const SQL: &str = "select group_id, kind, name, description, parent_id, visibility, created_at \
                           from party_group where parent_id = $1 order by name, group_id";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_all(pool).await?))
    }

    /// The chain from the root down to this group (the group last); empty if it does not exist.
    pub async fn ancestors(&self, id: GroupId) -> StoreResult<Vec<GroupRow>> {
        let groups = self.all_groups().await?;
        let by_id: HashMap<GroupId, &GroupRow> = groups.iter().map(|g| (g.group_id, g)).collect();
        let mut chain = Vec::new();
        let mut current = by_id.get(&id);
        // The depth bound guards against a cycle, which the schema does not forbid.
        while let Some(group) = current
            && chain.len() < 32
        {
            chain.push((*group).clone());
            current = group.parent_id.and_then(|parent| by_id.get(&parent));
        }
        chain.reverse();
        Ok(chain)
    }

    /// The national group (the root of the tree), if the party has been set up.
    pub async fn national_group(&self) -> StoreResult<Option<GroupId>> {
        Ok(on_backend!(self, pool => {
            sqlx::query_scalar("select group_id from party_group where kind = 'national' order by group_id limit 1")
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The number of memberships in each group's subtree (a member of a section counts for its
    /// federation and for the national party), for every group at once, from the cache.
    pub async fn member_counts(&self) -> StoreResult<Arc<HashMap<GroupId, i64>>> {
        self.cache
            .read_through(&self.cache.member_counts, "member_counts", (), async {
                Ok(Arc::new(self.subtree_member_counts().await?))
            })
            .await
    }

    async fn subtree_member_counts(&self) -> StoreResult<HashMap<GroupId, i64>> {
        type Direct = Vec<(GroupId, i64)>;
        type Parents = Vec<(GroupId, Option<GroupId>)>;
        let (direct, parents): (Direct, Parents) = on_backend!(self, pool => {
            let direct = sqlx::query_as("select group_id, count(*) from membership group by group_id").fetch_all(pool).await?;
            let parents = sqlx::query_as("select group_id, parent_id from party_group").fetch_all(pool).await?;
            (direct, parents)
        });
        let parent_of: HashMap<GroupId, Option<GroupId>> = parents.into_iter().collect();
        let mut counts: HashMap<GroupId, i64> = parent_of.keys().map(|id| (*id, 0)).collect();
        for (group, n) in direct {
            let mut current = Some(group);
            let mut depth = 0;
            while let Some(id) = current
                && depth < 32
            {
                *counts.entry(id).or_default() += n;
                current = parent_of.get(&id).copied().flatten();
                depth += 1;
            }
        }
        Ok(counts)
    }

    /// The number of memberships in one group's subtree.
    pub async fn subtree_member_count(&self, id: GroupId) -> StoreResult<i64> {
        const SQL: &str = "with recursive sub(group_id, depth) as ( \
               select $1, 0 union all \
               select g.group_id, s.depth + 1 from party_group g join sub s on g.parent_id = s.group_id where s.depth < 32) \
             select count(*) from membership where group_id in (select group_id from sub)";
        Ok(on_backend!(self, pool => sqlx::query_scalar(SQL).bind(id).fetch_one(pool).await?))
    }

    /// Gives `member` this `role` in `group` (replacing any role they had there).
    pub async fn set_membership(
        &self,
        member: MemberId,
        group: GroupId,
        role: Role,
    ) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query(UPSERT_MEMBERSHIP)
            .bind(member)
            .bind(group)
            .bind(role)
            .bind(now())
            .execute(pool)
            .await?;
        });
        self.publish(Change::Member(member)).await;
        Ok(())
    }

    /// Removes a membership; answers whether there was one.
    pub async fn remove_membership(&self, member: MemberId, group: GroupId) -> StoreResult<bool> {
        let done = on_backend!(self, pool => {
            sqlx::query("delete from membership where member_id = $1 and group_id = $2")
                .bind(member)
                .bind(group)
                .execute(pool)
                .await?
                .rows_affected()
        });
        self.publish(Change::Member(member)).await;
        Ok(done > 0)
    }

    /// Removes a member from a group and from every group below it, in one transaction; answers
    /// the groups they left. Nothing happens (and the answer is empty) when they hold no
    /// membership in the group itself.
    pub async fn remove_from_subtree(
        &self,
        member: MemberId,
        group: GroupId,
    ) -> StoreResult<Vec<GroupId>> {
        const SQL: &str = "with recursive sub(group_id, depth) as ( \
               select $2, 0 union all \
               select g.group_id, s.depth + 1 from party_group g join sub s on g.parent_id = s.group_id where s.depth < 32) \
             delete from membership where member_id = $1 and group_id in (select group_id from sub) returning group_id";
        let left: Vec<GroupId> = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let held: Option<Role> = sqlx::query_scalar("select role from membership where member_id = $1 and group_id = $2")
                .bind(member)
                .bind(group)
                .fetch_optional(&mut *tx)
                .await?;
            if held.is_none() {
                return Ok(Vec::new());
            }
            let left = sqlx::query_scalar(SQL).bind(member).bind(group).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            left
        });
        self.publish(Change::Member(member)).await;
        Ok(left)
    }

    /// How many enabled members other than `member` hold secretary or above in the group itself.
    pub async fn other_managers_in(&self, group: GroupId, member: MemberId) -> StoreResult<i64> {
        Ok(on_backend!(self, pool => {
            sqlx::query_scalar(
                "select count(*) from membership ms join member m on m.member_id = ms.member_id \
                 where ms.group_id = $1 and ms.member_id <> $2 and m.disabled_at is null \
                 and ms.role in ('secretary', 'officer', 'organiser', 'admin')",
            )
            .bind(group)
            .bind(member)
            .fetch_one(pool)
            .await?
        }))
    }

    pub async fn role_in(&self, member: MemberId, group: GroupId) -> StoreResult<Option<Role>> {
        Ok(on_backend!(self, pool => {
            sqlx::query_scalar("select role from membership where member_id = $1 and group_id = $2")
                .bind(member)
                .bind(group)
                .fetch_optional(pool)
                .await?
        }))
    }

    pub async fn memberships_of(&self, member: MemberId) -> StoreResult<Vec<MembershipRow>> {
        Ok(on_backend!(self, pool => {
            sqlx::query_as(
                "select ms.group_id, ms.role, g.kind, g.name from membership ms join party_group g on g.group_id = ms.group_id \
                 where ms.member_id = $1 order by g.kind, g.name",
            )
            .bind(member)
            .fetch_all(pool)
            .await?
        }))
    }

    /// An active member (name, address) with their scope: every (membership, ancestor of its
    /// group) pair, which is what the permission checks need to decide, in memory, what the
    /// member may see and do anywhere in the tree. One query: this runs on every signed-in
    /// request, and its answer is cached. `None` for an unknown or disabled member.
    pub async fn active_member_with_scope(&self, member: MemberId) -> StoreResult<MemberScope> {
        let found = self
            .cache
            .read_through(&self.cache.members, "members", member, async {
                Ok(Arc::new(self.load_member_scope(member).await?))
            })
            .await?;
        Ok(MemberScope::clone(&found))
    }

    async fn load_member_scope(&self, member: MemberId) -> StoreResult<MemberScope> {
        const SQL: &str = "with recursive up(via_group_id, ancestor_id, role, depth) as ( \
               select group_id, group_id, role, 0 from membership where member_id = $1 \
               union all \
               select u.via_group_id, g.parent_id, u.role, u.depth + 1 from up u \
               join party_group g on g.group_id = u.ancestor_id where g.parent_id is not null and u.depth < 32) \
             select m.name, m.email, up.via_group_id, up.ancestor_id, up.role \
             from member m left join up on true where m.member_id = $1 and m.disabled_at is null";
        type Row = (
            String,
            String,
            Option<GroupId>,
            Option<GroupId>,
            Option<Role>,
        );
        let rows: Vec<Row> =
            on_backend!(self, pool => sqlx::query_as(SQL).bind(member).fetch_all(pool).await?);
        let Some((name, email, ..)) = rows.first().cloned() else {
            return Ok(None);
        };
        let scope = rows
            .into_iter()
            .filter_map(|(_, _, via, ancestor, role)| {
                Some(ScopeRow {
                    via_group_id: via?,
                    ancestor_id: ancestor?,
                    role: role?,
                })
            })
            .collect();
        Ok(Some((name, email, scope)))
    }

    /// Sections by lowercased name, for the member import.
    pub async fn sections_by_name(&self) -> StoreResult<HashMap<String, GroupId>> {
        let rows: Vec<(GroupId, String)> = on_backend!(self, pool => {
            sqlx::query_as("select group_id, name from party_group where kind = 'section'").fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, name)| (name.to_lowercase(), id))
            .collect())
    }

    pub async fn group_counts_by_kind(&self) -> StoreResult<Vec<(GroupKind, i64)>> {
        Ok(on_backend!(self, pool => {
            sqlx::query_as("select kind, count(*) from party_group group by kind order by kind").fetch_all(pool).await?
        }))
    }

    /// Creates the national group if there is none. Servers starting at once may all try: a
    /// unique index (migration 0011) makes every insert but the first do nothing, and each then
    /// reads the one that won.
    pub async fn ensure_national_group(&self, name: &str) -> StoreResult<GroupId> {
        let at = now();
        let (id, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let inserted = sqlx::query(
                "insert into party_group (kind, name, description, visibility, created_at) \
                 values ('national', $1, '', 'public', $2) on conflict (kind) where kind = 'national' do nothing",
            )
            .bind(name)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let id: GroupId =
                sqlx::query_scalar("select group_id from party_group where kind = 'national' order by group_id limit 1")
                    .fetch_one(&mut *tx)
                    .await?;
            // Only the server whose insert won records the creation.
            let created = if inserted == 1 {
                vec![created_event(id, GroupKind::National, name, None, Visibility::Public, None)]
            } else {
                Vec::new()
            };
            let last = append_events!(tx, &created, at);
            tx.commit().await?;
            (id, last)
        });
        self.appended(last);
        self.publish(Change::GroupAdded).await;
        Ok(id)
    }
}
