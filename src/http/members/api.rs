//! Members' JSON routes: `GET` and `PATCH /api/v1/me`, `POST /api/v1/members`,
//! `GET /api/v1/members/{id}`, and disabling or enabling an account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::profile::{MemberOut, ProfileUpdate, apply_profile_update, load_profile, titles};
use crate::accounts::{self, NewAccount};
use crate::app::App;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::api::Created;
use crate::http::extract::{ApiJson, CurrentMember};
use crate::http::paths::MemberPath;
use crate::model::{Gender, GroupId, MemberId, ProfileVisibility, Role};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(get_me, update_me))
        .routes(routes!(create_member))
        .routes(routes!(get_member))
        .routes(routes!(disable_member))
        .routes(routes!(enable_member))
}

#[derive(Serialize, ToSchema)]
pub struct MembershipOut {
    pub group_id: GroupId,
    pub role: Role,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    id: MemberId,
    name: String,
    email: String,
    is_admin: bool,
    memberships: Vec<MembershipOut>,
    functions: Vec<String>,
    mandates: Vec<String>,
    /// Who may see this profile: `groups` (those who share a group, the default) or `party`.
    profile_visibility: ProfileVisibility,
    /// What the member declared of their gender (`woman`, `man`, `other`), null when they chose
    /// not to say. Private: only here, for the member themself; never in another's view.
    gender: Option<Gender>,
}

async fn me(app: &App, viewer: &Viewer) -> AppResult<Me> {
    let (functions, mandates) = titles(app, viewer.member_id).await?;
    Ok(Me {
        id: viewer.member_id,
        name: viewer.name.clone(),
        email: viewer.email.clone(),
        is_admin: viewer.is_admin(),
        memberships: viewer
            .memberships()
            .map(|(group_id, role)| MembershipOut { group_id, role })
            .collect(),
        functions,
        mandates,
        profile_visibility: app.db.profile_visibility(viewer.member_id).await?,
        gender: app.db.member_gender(viewer.member_id).await?,
    })
}

/// The signed-in member and their memberships.
#[utoipa::path(get, path = "/api/v1/me", tag = "members", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn get_me(State(app): State<App>, current: CurrentMember) -> AppResult<Json<Me>> {
    Ok(Json(me(&app, &current.viewer).await?))
}

/// Changes the signed-in member's name, functions, mandates, profile's visibility or declared
/// gender (their own only: there is no route to set another member's).
#[utoipa::path(patch, path = "/api/v1/me", tag = "members", request_body = ProfileUpdate, security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_me(
    State(app): State<App>,
    current: CurrentMember,
    ApiJson(update): ApiJson<ProfileUpdate>,
) -> AppResult<Json<Me>> {
    apply_profile_update(&app, &current.viewer, update).await?;
    let mut viewer = current.viewer;
    if let Some(row) = app.db.member(viewer.member_id).await? {
        viewer.name = row.name;
    }
    Ok(Json(me(&app, &viewer).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewMemberIn {
    email: String,
    name: String,
    /// Optional: without one, the member sets theirs through "forgotten password".
    password: Option<String>,
}

/// Creates an account (administrators only).
#[utoipa::path(post, path = "/api/v1/members", tag = "members", request_body = NewMemberIn, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_member(
    State(app): State<App>,
    current: CurrentMember,
    ApiJson(body): ApiJson<NewMemberIn>,
) -> AppResult<(StatusCode, Json<Created>)> {
    if !current.viewer.is_admin() {
        return Err(AppError::forbidden());
    }
    let account = NewAccount::parse(&body.email, &body.name, body.password.as_deref())
        .map_err(AppError::invalid)?;
    let id = accounts::create_account(&app.db, account, Some(current.viewer.member_id)).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// A member's profile, for those who may see it.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = MemberOut), (status = 401, body = ErrorBody), (status = 404, description = "No such member, or hidden from the caller", body = ErrorBody)))]
async fn get_member(
    State(app): State<App>,
    current: CurrentMember,
    MemberPath(id): MemberPath,
) -> AppResult<Json<MemberOut>> {
    Ok(Json(load_profile(&app, &current.viewer, id).await?.0))
}

/// Disables an account (administrators; not one's own): no more sign-in, and its sessions, API
/// tokens and live sockets end at once.
#[utoipa::path(post, path = "/api/v1/members/{id}/disable", tag = "members", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Done"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn disable_member(
    State(app): State<App>,
    current: CurrentMember,
    MemberPath(id): MemberPath,
) -> AppResult<Json<serde_json::Value>> {
    accounts::set_account_disabled(&app.db, &current.viewer, id, true).await?;
    Ok(Json(serde_json::json!({})))
}

/// Enables a disabled account again (administrators).
#[utoipa::path(post, path = "/api/v1/members/{id}/enable", tag = "members", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Done"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn enable_member(
    State(app): State<App>,
    current: CurrentMember,
    MemberPath(id): MemberPath,
) -> AppResult<Json<serde_json::Value>> {
    accounts::set_account_disabled(&app.db, &current.viewer, id, false).await?;
    Ok(Json(serde_json::json!({})))
}
