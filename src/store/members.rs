//! Members: accounts, their titles, the directory, and bulk import.

use super::rows::from_row;
use time::OffsetDateTime;

use super::{
    BeginWrite, Change, Db, NewEvent, StoreResult, append_events, now, on_backend, on_unique,
};
use crate::model::{
    Email, EventKind, Gender, GroupId, MemberId, ProfileVisibility, Role, TitleKind,
};

#[derive(Debug, Clone)]
pub struct MemberRow {
    pub member_id: MemberId,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub created_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
}
from_row!(MemberRow {
    member_id,
    email,
    name,
    password_hash,
    created_at,
    disabled_at
});

/// One line of the administrators' list of accounts.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub member_id: MemberId,
    pub name: String,
    pub email: String,
    pub created_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
    /// An administrator of the national group.
    pub is_admin: bool,
}
from_row!(AccountRow {
    member_id,
    name,
    email,
    created_at,
    disabled_at,
    is_admin
});

/// Whether the member `m` is a national administrator: an `admin` membership of the root group.
const IS_NATIONAL_ADMIN: &str = "exists (select 1 from membership ms join party_group g on g.group_id = ms.group_id \
     where ms.member_id = m.member_id and ms.role = 'admin' and g.parent_id is null)";

/// A `like` pattern matching `query` anywhere, lowercased, its wildcards escaped (with `\\`).
fn contains_pattern(query: &str) -> String {
    contains_pattern_as_typed(&query.to_lowercase())
}

/// The words of `query` lowercased with a capital first letter (« jean-émile » → « Jean-Émile »).
fn capitalise_words(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut start = true;
    for c in query.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c.is_whitespace() || matches!(c, '-' | '\'' | '’');
    }
    out
}

/// A `like` pattern matching `query` anywhere, as it is, its wildcards escaped (with `\\`).
fn contains_pattern_as_typed(query: &str) -> String {
    let mut pattern = String::from("%");
    for c in query.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[derive(Debug, Clone)]
pub struct TitleRow {
    pub member_id: MemberId,
    pub kind: TitleKind,
    pub label: String,
}
from_row!(TitleRow {
    member_id,
    kind,
    label
});

#[derive(Debug, Clone)]
pub struct DirectoryRow {
    pub member_id: MemberId,
    pub name: String,
    pub role: Role,
}
from_row!(DirectoryRow {
    member_id,
    name,
    role
});

#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
}

/// One valid row of a member import: a person and the section they belong to.
#[derive(Debug, Clone)]
pub struct ImportMember {
    pub email: Email,
    pub name: String,
    pub group_id: GroupId,
    pub role: Role,
}

/// What an import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    pub created: u64,
    pub updated: u64,
}

impl Db {
    /// Creates an account; `Conflict("email")` when the address already has one.
    pub async fn create_member(&self, new: &NewMember<'_>) -> StoreResult<MemberId> {
        let id: MemberId = on_backend!(self, pool => {
            sqlx::query_scalar(
                "insert into member (email, name, password_hash, created_at) values ($1, $2, $3, $4) returning member_id",
            )
            .bind(new.email.as_str())
            .bind(new.name)
            .bind(new.password_hash)
            .bind(now())
            .fetch_one(pool)
            .await
            .map_err(on_unique("email"))?
        });
        // An id is never reused, but an earlier read may have remembered it as unknown.
        self.publish(Change::Member(id)).await;
        Ok(id)
    }

    pub async fn member(&self, id: MemberId) -> StoreResult<Option<MemberRow>> {
        const SQL: &str = "select member_id, email, name, password_hash, created_at, disabled_at from member where member_id = $1";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await?))
    }

    pub async fn member_by_email(&self, email: &Email) -> StoreResult<Option<MemberRow>> {
        const SQL: &str = "select member_id, email, name, password_hash, created_at, disabled_at from member where email = $1";
        Ok(
            on_backend!(self, pool => sqlx::query_as(SQL).bind(email.as_str()).fetch_optional(pool).await?),
        )
    }

    pub async fn set_password_hash(&self, id: MemberId, hash: &str) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query("update member set password_hash = $1 where member_id = $2")
                .bind(hash)
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn set_member_name(&self, id: MemberId, name: &str) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query("update member set name = $1 where member_id = $2").bind(name).bind(id).execute(pool).await?;
        });
        self.publish(Change::Renamed(id)).await;
        Ok(())
    }

    /// Who may see the member's profile (`auth::permissions::can_see_profile`).
    pub async fn profile_visibility(&self, id: MemberId) -> StoreResult<ProfileVisibility> {
        const SQL: &str = "select profile_visibility from member where member_id = $1";
        let found: Option<ProfileVisibility> =
            on_backend!(self, pool => sqlx::query_scalar(SQL).bind(id).fetch_optional(pool).await?);
        Ok(found.unwrap_or(ProfileVisibility::Groups))
    }

    /// Read by the profile pages only, never cached: nothing to announce.
    pub async fn set_profile_visibility(
        &self,
        id: MemberId,
        visibility: ProfileVisibility,
    ) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query("update member set profile_visibility = $1 where member_id = $2").bind(visibility).bind(id).execute(pool).await?;
        });
        Ok(())
    }

    /// What the member declared of their gender (none: « ne pas préciser »). Private: read for
    /// the member themself only; everyone else gets counts (`Db::amendment_support_counts`).
    pub async fn member_gender(&self, id: MemberId) -> StoreResult<Option<Gender>> {
        const SQL: &str = "select gender from member where member_id = $1";
        let found: Option<Option<Gender>> =
            on_backend!(self, pool => sqlx::query_scalar(SQL).bind(id).fetch_optional(pool).await?);
        Ok(found.flatten())
    }

    /// The member's own declaration (none withdraws it). Never cached: nothing to announce.
    pub async fn set_member_gender(&self, id: MemberId, gender: Option<Gender>) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query("update member set gender = $1 where member_id = $2").bind(gender).bind(id).execute(pool).await?;
        });
        Ok(())
    }

    /// Disables an account (ending its sessions and API tokens, in the same transaction) or
    /// enables it again. `false` when there is no such member.
    pub async fn set_member_disabled(&self, id: MemberId, disabled: bool) -> StoreResult<bool> {
        let at = disabled.then(now);
        let found = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // `coalesce`: disabling twice keeps the first date.
            let found = sqlx::query(
                "update member set disabled_at = case when $1 then coalesce(disabled_at, $2) end where member_id = $3",
            )
            .bind(disabled)
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            if found && disabled {
                sqlx::query("delete from session where member_id = $1").bind(id).execute(&mut *tx).await?;
                sqlx::query("delete from api_token where member_id = $1").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            found
        });
        if found {
            self.publish(Change::Member(id)).await;
            if disabled {
                self.publish(Change::SessionsOf(id)).await;
            }
        }
        Ok(found)
    }

    /// A page of every account, by name, optionally filtered by part of a name or an address,
    /// and the number of matching accounts.
    pub async fn accounts(
        &self,
        query: &str,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<AccountRow>, i64)> {
        let pattern = contains_pattern(query);
        // Addresses are stored lowercased; names are compared lowercased. SQLite's `lower` and
        // `like` fold ASCII letters only: « émile » would miss « Émile ». Names are written with
        // capitals at the start of their words, so the query in that shape is tried too.
        let capitalised = contains_pattern_as_typed(&capitalise_words(query));
        const FILTER: &str = "(lower(m.name) like $1 escape '\\' or m.email like $1 escape '\\' \
             or m.name like $2 escape '\\')";
        let rows_sql = format!(
            "select m.member_id, m.name, m.email, m.created_at, m.disabled_at, {IS_NATIONAL_ADMIN} as is_admin \
             from member m where {FILTER} order by m.name, m.member_id limit $3 offset $4"
        );
        let count_sql = format!("select count(*) from member m where {FILTER}");
        on_backend!(self, pool => {
            let rows = sqlx::query_as(&rows_sql).bind(&pattern).bind(&capitalised).bind(limit).bind(offset).fetch_all(pool).await?;
            let total = sqlx::query_scalar(&count_sql).bind(&pattern).bind(&capitalised).fetch_one(pool).await?;
            Ok((rows, total))
        })
    }

    /// Whether an enabled national administrator other than `member` exists: the party never
    /// disables its last one.
    pub async fn other_enabled_admin_exists(&self, member: MemberId) -> StoreResult<bool> {
        let sql = format!(
            "select count(*) from member m where m.member_id <> $1 and m.disabled_at is null and {IS_NATIONAL_ADMIN}"
        );
        let n: i64 =
            on_backend!(self, pool => sqlx::query_scalar(&sql).bind(member).fetch_one(pool).await?);
        Ok(n > 0)
    }

    pub async fn member_count(&self) -> StoreResult<i64> {
        Ok(
            on_backend!(self, pool => sqlx::query_scalar("select count(*) from member").fetch_one(pool).await?),
        )
    }

    /// The titles (functions and mandates) of several members, in their order.
    pub async fn titles_of(&self, members: &[MemberId]) -> StoreResult<Vec<TitleRow>> {
        if members.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = members.iter().map(|m| m.0.to_string()).collect();
        // The ids are integers we formatted ourselves: safe to inline, and one query either way.
        let sql = format!(
            "select member_id, kind, label from member_title where member_id in ({}) order by member_id, position",
            ids.join(",")
        );
        Ok(on_backend!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// Replaces a member's titles with these, in this order, in one transaction.
    pub async fn set_titles(
        &self,
        member: MemberId,
        titles: &[(TitleKind, String)],
    ) -> StoreResult<()> {
        on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("delete from member_title where member_id = $1").bind(member).execute(&mut *tx).await?;
            for (position, (kind, label)) in titles.iter().enumerate() {
                sqlx::query("insert into member_title (member_id, kind, label, position) values ($1, $2, $3, $4)")
                    .bind(member)
                    .bind(*kind)
                    .bind(label)
                    .bind(position as i32)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A page of a group's directory (direct members), optionally filtered by name, and the
    /// number of matching members.
    pub async fn directory(
        &self,
        group: GroupId,
        query: &str,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<DirectoryRow>, i64)> {
        let pattern = format!("%{}%", query.trim().to_lowercase().replace(['%', '_'], ""));
        on_backend!(self, pool => {
            let rows = sqlx::query_as(
                "select m.member_id, m.name, ms.role from membership ms join member m on m.member_id = ms.member_id \
                 where ms.group_id = $1 and lower(m.name) like $2 order by m.name, m.member_id limit $3 offset $4",
            )
            .bind(group)
            .bind(&pattern)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar(
                "select count(*) from membership ms join member m on m.member_id = ms.member_id \
                 where ms.group_id = $1 and lower(m.name) like $2",
            )
            .bind(group)
            .bind(&pattern)
            .fetch_one(pool)
            .await?;
            Ok((rows, total))
        })
    }

    /// Imports members in one transaction: all or nothing. A new address creates an account
    /// (without password: the person sets one through "forgotten password" or an invitation);
    /// a known address gets the membership (its role updated), keeping its name.
    /// `progress` is called with the number of rows done, every few thousand rows.
    pub async fn import_members(
        &self,
        rows: &[ImportMember],
        progress: &(dyn Fn(u64) + Sync),
    ) -> StoreResult<ImportCounts> {
        const BATCH: usize = 2000;
        let at = now();
        let counts = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let before: i64 = sqlx::query_scalar("select count(*) from member").fetch_one(&mut *tx).await?;
            for (batch_index, batch) in rows.chunks(BATCH).enumerate() {
                let emails: Vec<&str> = batch.iter().map(|r| r.email.as_str()).collect();
                let names: Vec<&str> = batch.iter().map(|r| r.name.as_str()).collect();
                let members = tx.member_ids(&emails, &names, at).await?;
                let groups: Vec<i64> = batch.iter().map(|r| r.group_id.0).collect();
                let roles: Vec<&str> = batch.iter().map(|r| r.role.code()).collect();
                tx.upsert_memberships(&members, &groups, &roles, at).await?;
                progress(((batch_index * BATCH) + batch.len()) as u64);
            }
            let after: i64 = sqlx::query_scalar("select count(*) from member").fetch_one(&mut *tx).await?;
            let imported = imported_events(rows);
            let last = append_events!(tx, &imported, at);
            tx.commit().await?;
            let created = (after - before) as u64;
            (ImportCounts { created, updated: rows.len() as u64 - created }, last)
        });
        let (counts, last) = counts;
        self.appended(last);
        self.publish(Change::Everything).await;
        Ok(counts)
    }
}

/// One `group.members_imported` per group an import filled: a bulk import is one fact for
/// the groups' followers, not one per member (each would cost as much as the membership).
fn imported_events(rows: &[ImportMember]) -> Vec<NewEvent> {
    let mut per_group = std::collections::BTreeMap::<GroupId, u64>::new();
    for row in rows {
        *per_group.entry(row.group_id).or_default() += 1;
    }
    per_group
        .into_iter()
        .map(|(group, rows)| NewEvent {
            kind: EventKind::GroupMembersImported,
            text_id: None,
            group_id: Some(group),
            member_id: None,
            actor_id: None,
            payload: serde_json::json!({ "rows": rows }),
        })
        .collect()
}

/// Per-backend bulk statements of the import. PostgreSQL takes whole arrays (`unnest`), one round
/// trip a batch; SQLite is in-process, so a prepared statement a row is as fast.
trait ImportTx {
    /// Creates the members that are new (a known address keeps its name) and answers every
    /// row's member id, in the rows' order.
    async fn member_ids(
        &mut self,
        emails: &[&str],
        names: &[&str],
        at: OffsetDateTime,
    ) -> sqlx::Result<Vec<i64>>;
    /// Gives each member their role in their group (replacing a role they had there).
    async fn upsert_memberships(
        &mut self,
        members: &[i64],
        groups: &[i64],
        roles: &[&str],
        at: OffsetDateTime,
    ) -> sqlx::Result<()>;
}

impl ImportTx for sqlx::Transaction<'static, sqlx::Sqlite> {
    async fn member_ids(
        &mut self,
        emails: &[&str],
        names: &[&str],
        at: OffsetDateTime,
    ) -> sqlx::Result<Vec<i64>> {
        let mut ids = Vec::with_capacity(emails.len());
        for (email, name) in emails.iter().zip(names) {
            // The no-op update makes `returning` answer for a known address too.
            let id = sqlx::query_scalar(
                "insert into member (email, name, created_at) values ($1, $2, $3) \
                 on conflict (email) do update set email = excluded.email returning member_id",
            )
            .bind(email)
            .bind(name)
            .bind(at)
            .fetch_one(&mut **self)
            .await?;
            ids.push(id);
        }
        Ok(ids)
    }

    async fn upsert_memberships(
        &mut self,
        members: &[i64],
        groups: &[i64],
        roles: &[&str],
        at: OffsetDateTime,
    ) -> sqlx::Result<()> {
        for ((member, group), role) in members.iter().zip(groups).zip(roles) {
            sqlx::query(super::groups::UPSERT_MEMBERSHIP)
                .bind(member)
                .bind(group)
                .bind(role)
                .bind(at)
                .execute(&mut **self)
                .await?;
        }
        Ok(())
    }
}

impl ImportTx for sqlx::Transaction<'static, sqlx::Postgres> {
    async fn member_ids(
        &mut self,
        emails: &[&str],
        names: &[&str],
        at: OffsetDateTime,
    ) -> sqlx::Result<Vec<i64>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "insert into member (email, name, created_at) select e, n, $3 from unnest($1::text[], $2::text[]) as t(e, n) \
             on conflict (email) do update set email = excluded.email returning member_id, email",
        )
        .bind(emails)
        .bind(names)
        .bind(at)
        .fetch_all(&mut **self)
        .await?;
        let by_email: std::collections::HashMap<String, i64> =
            rows.into_iter().map(|(id, email)| (email, id)).collect();
        emails
            .iter()
            .map(|email| {
                by_email
                    .get(*email)
                    .copied()
                    .ok_or_else(|| sqlx::Error::RowNotFound)
            })
            .collect()
    }

    async fn upsert_memberships(
        &mut self,
        members: &[i64],
        groups: &[i64],
        roles: &[&str],
        at: OffsetDateTime,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "insert into membership (member_id, group_id, role, created_at) \
             select * , $4 from unnest($1::bigint[], $2::bigint[], $3::text[]) \
             on conflict (member_id, group_id) do update set role = excluded.role",
        )
        .bind(members)
        .bind(groups)
        .bind(roles)
        .bind(at)
        .execute(&mut **self)
        .await?;
        Ok(())
    }
}
