//! A group's pending invitations, for its managers: the JSON list, sending again and
//! withdrawing (API and the management page's buttons). Sending one is `accounts::invite`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use crate::accounts::invitations::{self, Handling};
use crate::app::App;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::CurrentMember;
use crate::http::page::{Page, flash, see_other};
use crate::http::paths::{GroupPath, InvitationPath};
use crate::http::views::role_view;
use crate::model::{GroupId, MemberId, Role};
use crate::organisation::{self, GroupContext};
use crate::store::PendingInvitationRow;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_invitations))
        .routes(routes!(resend_invitation))
        .routes(routes!(withdraw_invitation))
        .routes(routes!(submit_resend))
        .routes(routes!(submit_withdraw))
}

#[derive(Serialize, ToSchema)]
pub struct InviterOut {
    id: MemberId,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PendingInvitationOut {
    id: String,
    email: String,
    role: Role,
    /// Who sent it (null once that account is gone).
    invited_by: Option<InviterOut>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    expires_at: OffsetDateTime,
    /// Expired unanswered (kept on the list 30 days, to be sent again).
    expired: bool,
}

fn invitation_out(row: PendingInvitationRow, now: OffsetDateTime) -> PendingInvitationOut {
    PendingInvitationOut {
        id: row.invitation_id.to_string(),
        email: row.email,
        role: row.role,
        invited_by: row
            .invited_by
            .zip(row.inviter_name)
            .map(|(id, name)| InviterOut { id, name }),
        created_at: row.created_at,
        expired: row.expires_at <= now,
        expires_at: row.expires_at,
    }
}

/// The views of the management page's list.
pub(super) async fn pending_views(
    app: &App,
    ctx: &GroupContext,
) -> AppResult<Vec<tpl::PendingInvitationView>> {
    let now = OffsetDateTime::now_utc();
    Ok(invitations::pending(&app.db, ctx)
        .await?
        .into_iter()
        .map(|row| tpl::PendingInvitationView {
            id: row.invitation_id.to_string(),
            can_handle: ctx.access.can_handle_invitation(row.role),
            role: role_view(row.role),
            email: row.email,
            invited_by: row.inviter_name,
            sent_at: row.created_at,
            expired: row.expires_at <= now,
            expires_at: row.expires_at,
        })
        .collect())
}

/// The group's invitations neither accepted nor withdrawn, newest first (secretaries and above).
#[utoipa::path(get, path = "/api/v1/groups/{id}/invitations", tag = "groups", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [PendingInvitationOut]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_invitations(
    State(app): State<App>,
    current: CurrentMember,
    GroupPath(id): GroupPath,
) -> AppResult<Json<Vec<PendingInvitationOut>>> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), id).await?;
    let now = OffsetDateTime::now_utc();
    Ok(Json(
        invitations::pending(&app.db, &ctx)
            .await?
            .into_iter()
            .map(|row| invitation_out(row, now))
            .collect(),
    ))
}

/// A manager's handling of a pending invitation, through the API.
async fn handle_by_api(
    app: &App,
    current: &CurrentMember,
    (id, invitation): (GroupId, i64),
    handling: Handling,
) -> AppResult<Json<serde_json::Value>> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), id).await?;
    invitations::handle(
        &app.db,
        &app.mailer,
        &app.throttle,
        &current.viewer,
        &ctx,
        invitation,
        handling,
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}

/// Sends a pending invitation again: a new link valid 14 days; the old link ends.
#[utoipa::path(post, path = "/api/v1/groups/{id}/invitations/{invitation_id}/resend", tag = "groups", params(("id" = String, Path), ("invitation_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Mailed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, description = "No such pending invitation", body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn resend_invitation(
    State(app): State<App>,
    current: CurrentMember,
    GroupPath(id): GroupPath,
    InvitationPath(invitation): InvitationPath,
) -> AppResult<Json<serde_json::Value>> {
    handle_by_api(&app, &current, (id, invitation), Handling::Resend).await
}

/// Withdraws a pending invitation: its link then says it was withdrawn.
#[utoipa::path(delete, path = "/api/v1/groups/{id}/invitations/{invitation_id}", tag = "groups", params(("id" = String, Path), ("invitation_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Withdrawn"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, description = "No such pending invitation", body = ErrorBody)))]
async fn withdraw_invitation(
    State(app): State<App>,
    current: CurrentMember,
    GroupPath(id): GroupPath,
    InvitationPath(invitation): InvitationPath,
) -> AppResult<Json<serde_json::Value>> {
    handle_by_api(&app, &current, (id, invitation), Handling::Withdraw).await
}

/// A manager's handling of a pending invitation, from the management page's buttons.
async fn handle_by_page(
    app: &App,
    page: &Page,
    (id, invitation): (GroupId, i64),
    handling: Handling,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), id).await?;
    invitations::handle(
        &app.db,
        &app.mailer,
        &app.throttle,
        viewer,
        &ctx,
        invitation,
        handling,
    )
    .await?;
    let done = match handling {
        Handling::Resend => "flash.invitation_resent",
        Handling::Withdraw => "flash.invitation_withdrawn",
    };
    flash(&page.session, tpl::t(page.lang(), done)).await?;
    Ok(see_other(&format!("/groups/{}/manage", ctx.group.group_id)))
}

/// The management page's "send again" button.
#[utoipa::path(post, path = "/groups/{id}/invitations/{invitation_id}/resend", tag = "pages", params(("id" = String, Path), ("invitation_id" = String, Path)), responses((status = 303, description = "Back to the management page")))]
async fn submit_resend(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
    InvitationPath(invitation): InvitationPath,
) -> AppResult<Response> {
    handle_by_page(&app, &page, (id, invitation), Handling::Resend).await
}

/// The management page's "withdraw" button.
#[utoipa::path(post, path = "/groups/{id}/invitations/{invitation_id}/withdraw", tag = "pages", params(("id" = String, Path), ("invitation_id" = String, Path)), responses((status = 303, description = "Back to the management page")))]
async fn submit_withdraw(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
    InvitationPath(invitation): InvitationPath,
) -> AppResult<Response> {
    handle_by_page(&app, &page, (id, invitation), Handling::Withdraw).await
}
