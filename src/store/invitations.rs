//! A group's pending invitations, as its managers see them: listed, sent again (a new link that
//! ends the old one) and withdrawn. Invitations are created and accepted in `tokens.rs`.

use super::rows::from_row;
use time::{Duration, OffsetDateTime};

use super::{BeginWrite, Db, StoreResult, now, on_backend};
use crate::model::{GroupId, MemberId, Role};

/// How long an expired, unanswered invitation stays on the list (to be sent again) before it is
/// left out.
pub const EXPIRED_KEPT: Duration = Duration::days(30);

/// An invitation not yet accepted nor withdrawn, with who sent it.
#[derive(Debug, Clone)]
pub struct PendingInvitationRow {
    pub invitation_id: i64,
    pub email: String,
    pub group_id: GroupId,
    pub role: Role,
    pub invited_by: Option<MemberId>,
    pub inviter_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}
from_row!(PendingInvitationRow {
    invitation_id,
    email,
    group_id,
    role,
    invited_by,
    inviter_name,
    created_at,
    expires_at
});

const PENDING_COLUMNS: &str = "i.invitation_id, i.email, i.group_id, i.role, i.invited_by, m.name as inviter_name, \
     i.created_at, i.expires_at from invitation i left join member m on m.member_id = i.invited_by";

impl Db {
    /// The group's invitations neither used nor withdrawn, newest first: the live ones and those
    /// expired within `EXPIRED_KEPT`. At most `limit`.
    pub async fn pending_invitations(
        &self,
        group: GroupId,
        limit: i64,
    ) -> StoreResult<Vec<PendingInvitationRow>> {
        let sql = format!(
            "select {PENDING_COLUMNS} where i.group_id = $1 and i.used_at is null and i.withdrawn_at is null \
             and i.expires_at > $2 order by i.created_at desc, i.invitation_id desc limit $3"
        );
        let since = now() - EXPIRED_KEPT;
        Ok(on_backend!(self, pool => {
            sqlx::query_as(&sql).bind(group).bind(since).bind(limit).fetch_all(pool).await?
        }))
    }

    /// One pending invitation of the group (expired ones included), if it is still pending.
    pub async fn pending_invitation(
        &self,
        group: GroupId,
        invitation: i64,
    ) -> StoreResult<Option<PendingInvitationRow>> {
        let sql = format!(
            "select {PENDING_COLUMNS} where i.group_id = $1 and i.invitation_id = $2 \
             and i.used_at is null and i.withdrawn_at is null"
        );
        Ok(on_backend!(self, pool => {
            sqlx::query_as(&sql).bind(group).bind(invitation).fetch_optional(pool).await?
        }))
    }

    /// Withdraws a pending invitation of the group: its link then says so. `false` when it was
    /// not pending (accepted, withdrawn, or not of this group) — a conditional update, so that an
    /// acceptance and a withdrawal racing cannot both win.
    pub async fn withdraw_invitation(&self, group: GroupId, invitation: i64) -> StoreResult<bool> {
        let n = on_backend!(self, pool => {
            sqlx::query(
                "update invitation set withdrawn_at = $1, withdrawn_reason = 'revoked' \
                 where invitation_id = $2 and group_id = $3 and used_at is null and withdrawn_at is null",
            )
            .bind(now())
            .bind(invitation)
            .bind(group)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }

    /// Replaces a pending invitation by a new one to the same address with the same role (sent
    /// by `sender`, with a fresh lifetime), in one transaction: the old link ends, as replaced.
    /// `None` when it was not pending.
    pub async fn replace_invitation(
        &self,
        group: GroupId,
        invitation: i64,
        token_hash: &str,
        sender: MemberId,
        lifetime: Duration,
    ) -> StoreResult<Option<i64>> {
        let at = now();
        Ok(on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let claimed: Option<(String, Role)> = sqlx::query_as(
                "update invitation set withdrawn_at = $1, withdrawn_reason = 'resent' \
                 where invitation_id = $2 and group_id = $3 and used_at is null and withdrawn_at is null \
                 returning email, role",
            )
            .bind(at)
            .bind(invitation)
            .bind(group)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((email, role)) = claimed else {
                return Ok(None);
            };
            let id: i64 = sqlx::query_scalar(
                "insert into invitation (token_hash, email, group_id, role, invited_by, created_at, expires_at) \
                 values ($1, $2, $3, $4, $5, $6, $7) returning invitation_id",
            )
            .bind(token_hash)
            .bind(&email)
            .bind(group)
            .bind(role)
            .bind(sender)
            .bind(at)
            .bind(at + lifetime)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Some(id)
        }))
    }
}
