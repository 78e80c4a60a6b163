//! A group's pending invitations, for its managers: listed with who sent them and until when,
//! sent again (a new link; the old one then says it was replaced) and withdrawn (the link then
//! says so). Sending one is `accounts::invite`.

use std::time::Instant;

use super::throttle::SigninThrottle;
use super::{INVITATION_LIFETIME, mail_invitation};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::mail::Mailer;
use crate::organisation::GroupContext;
use crate::secret::{hash_secret, new_secret};
use crate::store::{AuditEvent, Db, PendingInvitationRow};

/// The most a list shows: a group with more pending invitations has a problem a list won't fix.
pub const PENDING_SHOWN: i64 = 200;

/// The group's pending invitations (managers only), newest first.
pub async fn pending(db: &Db, ctx: &GroupContext) -> AppResult<Vec<PendingInvitationRow>> {
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    Ok(db
        .pending_invitations(ctx.group.group_id, PENDING_SHOWN)
        .await?)
}

/// A pending invitation of the group that the viewer may handle; 404 for one that is not
/// pending there (accepted, withdrawn, replaced, of another group).
async fn handled(db: &Db, ctx: &GroupContext, invitation: i64) -> AppResult<PendingInvitationRow> {
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let row = db
        .pending_invitation(ctx.group.group_id, invitation)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !ctx.access.can_handle_invitation(row.role) {
        return Err(AppError::forbidden_because(
            "Cette invitation donne un rôle supérieur au vôtre.",
        ));
    }
    Ok(row)
}

/// What a manager does with a pending invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// A new link, valid for the full lifetime, from the viewer; the old link ends (it then says
    /// it was replaced). The mails to one address are bounded as reset mails are (`throttle`).
    Resend,
    /// The link ends; it then says the invitation was withdrawn.
    Withdraw,
}

/// Sends a pending invitation again or withdraws it, if the viewer may (`handled`), and records
/// it in the group's log.
pub async fn handle(
    db: &Db,
    mailer: &Mailer,
    throttle: &SigninThrottle,
    viewer: &Viewer,
    ctx: &GroupContext,
    invitation: i64,
    handling: Handling,
) -> AppResult<()> {
    let row = handled(db, ctx, invitation).await?;
    let group = ctx.group.group_id;
    let token = match handling {
        Handling::Resend => {
            if let Err(wait) = throttle.charge_mail(&row.email, Instant::now()) {
                return Err(AppError::TooManyRequests {
                    retry_after_seconds: wait.as_secs_f64().ceil().max(1.0) as u64,
                });
            }
            let token = new_secret();
            db.replace_invitation(
                group,
                invitation,
                &hash_secret(&token),
                viewer.member_id,
                INVITATION_LIFETIME,
            )
            .await?
            .ok_or_else(AppError::not_found)?;
            Some(token)
        }
        Handling::Withdraw => {
            if !db.withdraw_invitation(group, invitation).await? {
                return Err(AppError::not_found());
            }
            None
        }
    };
    db.record(AuditEvent {
        actor: Some(viewer.member_id),
        action: match handling {
            Handling::Resend => "invitation_resent",
            Handling::Withdraw => "invitation_withdrawn",
        },
        group: Some(group),
        member: None,
        detail: row.role.code(),
    })
    .await?;
    match token {
        Some(token) => {
            mail_invitation(mailer, &viewer.name, &ctx.group.name, &row.email, &token).await
        }
        None => Ok(()),
    }
}
