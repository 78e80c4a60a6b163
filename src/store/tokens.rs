//! Secrets handed to people: API bearer tokens, invitation links, password-reset links,
//! registration confirmations. Only a SHA-256 of each secret is stored; links are single-use
//! and expire.

use super::rows::from_row;
use time::{Duration, OffsetDateTime};

use super::{BeginWrite, Change, Db, StoreResult, now, on_backend};
use crate::model::{GroupId, MemberId, Role};

#[derive(Debug, Clone)]
pub struct InvitationRow {
    pub invitation_id: i64,
    pub email: String,
    pub group_id: GroupId,
    pub role: Role,
    pub invited_by: Option<MemberId>,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    /// `revoked` or `resent` once the group's managers withdrew it (`store::invitations`).
    pub withdrawn_reason: Option<String>,
}
from_row!(InvitationRow {
    invitation_id,
    email,
    group_id,
    role,
    invited_by,
    expires_at,
    used_at,
    withdrawn_reason
});

/// Why a single-use link was not honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    Unknown,
    Expired,
    AlreadyUsed,
    /// An invitation the group's managers withdrew.
    Withdrawn,
    /// An invitation sent again: a newer link replaced this one.
    Replaced,
}

/// A registration waiting for its address to be confirmed (`accounts::registration`).
#[derive(Debug, Clone)]
pub struct RegistrationRow {
    pub email: String,
    pub name: String,
    pub password_hash: String,
}
from_row!(RegistrationRow {
    email,
    name,
    password_hash
});

/// Why a registration link did not create its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationRefusal {
    Link(TokenUse),
    /// The address got an account since (another confirmed registration, an administrator).
    AccountExists,
}

/// Whether a link stored with these times is live now.
fn judge<T>(row: Option<(T, OffsetDateTime, Option<OffsetDateTime>)>) -> Result<T, TokenUse> {
    match row {
        None => Err(TokenUse::Unknown),
        Some((_, _, Some(_))) => Err(TokenUse::AlreadyUsed),
        Some((_, expires, None)) if expires <= now() => Err(TokenUse::Expired),
        Some((value, _, None)) => Ok(value),
    }
}

/// Ends a member's live reset links ($1: now, $2: the member) by expiring them.
const END_LIVE_RESETS: &str = "update password_reset set expires_at = $1 \
     where member_id = $2 and used_at is null and expires_at > $1";

impl Db {
    pub async fn create_api_token(
        &self,
        member: MemberId,
        token_hash: &str,
        lifetime: Duration,
    ) -> StoreResult<()> {
        let at = now();
        on_backend!(self, pool => {
            sqlx::query("insert into api_token (member_id, token_hash, created_at, expires_at) values ($1, $2, $3, $4)")
                .bind(member)
                .bind(token_hash)
                .bind(at)
                .bind(at + lifetime)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The member a live token belongs to.
    pub async fn api_token_member(&self, token_hash: &str) -> StoreResult<Option<MemberId>> {
        Ok(on_backend!(self, pool => {
            sqlx::query_scalar(
                "select t.member_id from api_token t join member m on m.member_id = t.member_id \
                 where t.token_hash = $1 and t.expires_at > $2 and m.disabled_at is null",
            )
            .bind(token_hash)
            .bind(now())
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn delete_api_token(&self, token_hash: &str) -> StoreResult<bool> {
        let n = on_backend!(self, pool => {
            sqlx::query("delete from api_token where token_hash = $1").bind(token_hash).execute(pool).await?.rows_affected()
        });
        Ok(n > 0)
    }

    pub async fn create_invitation(
        &self,
        token_hash: &str,
        email: &str,
        group: GroupId,
        role: Role,
        invited_by: Option<MemberId>,
        lifetime: Duration,
    ) -> StoreResult<()> {
        let at = now();
        on_backend!(self, pool => {
            sqlx::query(
                "insert into invitation (token_hash, email, group_id, role, invited_by, created_at, expires_at) \
                 values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(token_hash)
            .bind(email)
            .bind(group)
            .bind(role)
            .bind(invited_by)
            .bind(at)
            .bind(at + lifetime)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// A live invitation, or why it is not.
    pub async fn invitation(
        &self,
        token_hash: &str,
    ) -> StoreResult<Result<InvitationRow, TokenUse>> {
        let row: Option<InvitationRow> = on_backend!(self, pool => {
            sqlx::query_as(
                "select invitation_id, email, group_id, role, invited_by, expires_at, used_at, withdrawn_reason \
                 from invitation where token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        Ok(match row {
            None => Err(TokenUse::Unknown),
            Some(row) if row.used_at.is_some() => Err(TokenUse::AlreadyUsed),
            Some(row) if row.withdrawn_reason.as_deref() == Some("resent") => {
                Err(TokenUse::Replaced)
            }
            Some(row) if row.withdrawn_reason.is_some() => Err(TokenUse::Withdrawn),
            Some(row) if row.expires_at <= now() => Err(TokenUse::Expired),
            Some(row) => Ok(row),
        })
    }

    /// Marks an invitation used and gives its membership to `member`, atomically: of two
    /// concurrent acceptances, one wins and the other is told the link was already used.
    pub async fn accept_invitation(
        &self,
        invitation_id: i64,
        member: MemberId,
    ) -> StoreResult<Result<(), TokenUse>> {
        let at = now();
        let accepted = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let claimed: Option<(GroupId, Role)> = sqlx::query_as(
                "update invitation set used_at = $1 where invitation_id = $2 and used_at is null and expires_at > $1 \
                 and withdrawn_at is null returning group_id, role",
            )
            .bind(at)
            .bind(invitation_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((group, role)) = claimed else {
                return Ok(Err(TokenUse::AlreadyUsed));
            };
            // An invitation never lowers a role the member already holds there.
            let current: Option<Role> = sqlx::query_scalar("select role from membership where member_id = $1 and group_id = $2")
                .bind(member)
                .bind(group)
                .fetch_optional(&mut *tx)
                .await?;
            let role = current.map_or(role, |current| current.max(role));
            sqlx::query(super::groups::UPSERT_MEMBERSHIP)
            .bind(member)
            .bind(group)
            .bind(role)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        });
        if accepted.is_ok() {
            self.publish(Change::Member(member)).await;
        }
        Ok(accepted)
    }

    pub async fn create_password_reset(
        &self,
        member: MemberId,
        token_hash: &str,
        lifetime: Duration,
    ) -> StoreResult<()> {
        let at = now();
        on_backend!(self, pool => {
            // Only the newest link works: one mailed earlier (perhaps to a mailbox read by
            // someone else since) ends now, as expired.
            let mut tx = pool.begin_write().await?;
            sqlx::query(END_LIVE_RESETS).bind(at).bind(member).execute(&mut *tx).await?;
            sqlx::query(
                "insert into password_reset (token_hash, member_id, created_at, expires_at) values ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(member)
            .bind(at)
            .bind(at + lifetime)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Whose live reset link this is, or why it is not.
    pub async fn password_reset_member(
        &self,
        token_hash: &str,
    ) -> StoreResult<Result<MemberId, TokenUse>> {
        let row: Option<(MemberId, OffsetDateTime, Option<OffsetDateTime>)> = on_backend!(self, pool => {
            sqlx::query_as("select member_id, expires_at, used_at from password_reset where token_hash = $1")
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
        });
        Ok(judge(row))
    }

    /// Uses a reset link: sets the new password hash, marks the link used and ends every session
    /// and API token of the member, in one transaction. Of two concurrent uses, one wins.
    pub async fn complete_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> StoreResult<Result<MemberId, TokenUse>> {
        let at = now();
        let member = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let claimed: Option<MemberId> = sqlx::query_scalar(
                "update password_reset set used_at = $1 where token_hash = $2 and used_at is null and expires_at > $1 \
                 returning member_id",
            )
            .bind(at)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(member) = claimed else {
                return Ok(Err(TokenUse::AlreadyUsed));
            };
            // Any other live link of the member ends with this one.
            sqlx::query(END_LIVE_RESETS).bind(at).bind(member).execute(&mut *tx).await?;
            sqlx::query("update member set password_hash = $1 where member_id = $2")
                .bind(password_hash)
                .bind(member)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from session where member_id = $1").bind(member).execute(&mut *tx).await?;
            sqlx::query("delete from api_token where member_id = $1").bind(member).execute(&mut *tx).await?;
            tx.commit().await?;
            member
        });
        self.publish(Change::SessionsOf(member)).await;
        Ok(Ok(member))
    }

    pub async fn create_registration(
        &self,
        token_hash: &str,
        pending: &RegistrationRow,
        lifetime: Duration,
    ) -> StoreResult<()> {
        let at = now();
        on_backend!(self, pool => {
            sqlx::query(
                "insert into registration (token_hash, email, name, password_hash, created_at, expires_at) \
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(token_hash)
            .bind(&pending.email)
            .bind(&pending.name)
            .bind(&pending.password_hash)
            .bind(at)
            .bind(at + lifetime)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The address of a live registration link, or why it is not live.
    pub async fn registration_email(
        &self,
        token_hash: &str,
    ) -> StoreResult<Result<String, TokenUse>> {
        let row: Option<(String, OffsetDateTime, Option<OffsetDateTime>)> = on_backend!(self, pool => {
            sqlx::query_as("select email, expires_at, used_at from registration where token_hash = $1")
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
        });
        Ok(judge(row))
    }

    /// Uses a registration link: marks it used, creates the account and makes it a supporter of
    /// `national` (if there is one), in one transaction. Of two concurrent uses, one wins; if the
    /// address got an account meanwhile, nothing changes and the link stays unused.
    pub async fn complete_registration(
        &self,
        token_hash: &str,
        national: Option<GroupId>,
    ) -> StoreResult<Result<MemberId, RegistrationRefusal>> {
        let at = now();
        let member = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let claimed: Option<RegistrationRow> = sqlx::query_as(
                "update registration set used_at = $1 where token_hash = $2 and used_at is null and expires_at > $1 \
                 returning email, name, password_hash",
            )
            .bind(at)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(pending) = claimed else {
                return Ok(Err(RegistrationRefusal::Link(TokenUse::AlreadyUsed)));
            };
            let exists: Option<MemberId> = sqlx::query_scalar("select member_id from member where email = $1")
                .bind(&pending.email)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_some() {
                return Ok(Err(RegistrationRefusal::AccountExists));
            }
            let member: MemberId = sqlx::query_scalar(
                "insert into member (email, name, password_hash, created_at) values ($1, $2, $3, $4) returning member_id",
            )
            .bind(&pending.email)
            .bind(&pending.name)
            .bind(&pending.password_hash)
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(super::on_unique("email"))?;
            if let Some(group) = national {
                sqlx::query(super::groups::UPSERT_MEMBERSHIP)
                    .bind(member)
                    .bind(group)
                    .bind(Role::Supporter)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            member
        });
        self.publish(Change::Member(member)).await;
        Ok(Ok(member))
    }
}
