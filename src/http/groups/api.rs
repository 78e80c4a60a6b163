//! Groups' JSON routes (API.md): listing, creating and reading groups, their directory, roles,
//! invitations by mail, joining.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::detail::{GroupDetail, GroupSummary, group_detail};
use super::directory::{DirectoryOut, DirectoryQuery, directory};
use crate::accounts;
use crate::app::App;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::api::Created;
use crate::http::extract::{ApiJson, CurrentMember, MaybeMember};
use crate::http::paths::{GroupMemberPath, GroupPath};
use crate::http::views;
use crate::model::{GroupId, GroupKind, MemberId};
use crate::organisation::{self, NewGroup, parse_role};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group))
        .routes(routes!(list_group_members, add_group_member))
        .routes(routes!(remove_group_member))
        .routes(routes!(create_invitation))
        .routes(routes!(join_group))
}

#[derive(Deserialize, IntoParams)]
pub struct KindFilter {
    /// national, federation, section, theme or working_group
    kind: Option<String>,
}

/// The groups the caller may see, optionally of one kind.
#[utoipa::path(get, path = "/api/v1/groups", tag = "groups", params(KindFilter),
    responses((status = 200, body = [GroupSummary]), (status = 422, body = ErrorBody)))]
async fn list_groups(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    Query(filter): Query<KindFilter>,
) -> AppResult<Json<Vec<GroupSummary>>> {
    let kind = match filter.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(GroupKind::parse(k).ok_or_else(|| {
            AppError::invalid_field("kind", format!("{k:?} n'est pas un type de groupe."))
        })?),
    };
    let groups = views::visible_groups(&app, viewer.as_ref(), kind).await?;
    let counts = app.db.member_counts().await?;
    Ok(Json(
        groups
            .into_iter()
            .map(|g| GroupSummary {
                member_count: counts.get(&g.group_id).copied().unwrap_or(0),
                id: g.group_id,
                kind: g.kind,
                name: g.name,
                parent_id: g.parent_id,
                visibility: g.visibility,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewGroupIn {
    kind: String,
    name: String,
    /// Defaults to the national group.
    parent_id: Option<GroupId>,
    /// public (default), members or group
    visibility: Option<String>,
    description: Option<String>,
}

/// Creates a group under a parent the caller manages.
#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", request_body = NewGroupIn, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_group(
    State(app): State<App>,
    current: CurrentMember,
    ApiJson(body): ApiJson<NewGroupIn>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let new = NewGroup::parse(
        &body.kind,
        &body.name,
        body.description.as_deref(),
        body.parent_id,
        body.visibility.as_deref(),
    )
    .map_err(AppError::invalid)?;
    let id = organisation::create_group(&app.db, &current.viewer, new).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// A group with its children.
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "groups", params(("id" = String, Path)),
    responses((status = 200, body = GroupDetail), (status = 404, body = ErrorBody)))]
async fn get_group(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    GroupPath(id): GroupPath,
) -> AppResult<Json<GroupDetail>> {
    let ctx = organisation::load_group(&app.db, viewer.as_ref(), id).await?;
    Ok(Json(group_detail(&app, &ctx, viewer.as_ref()).await?))
}

/// The group's directory: its direct members (visible to those who belong to the group).
#[utoipa::path(get, path = "/api/v1/groups/{id}/members", tag = "groups", params(("id" = String, Path), DirectoryQuery), security(("bearer" = [])),
    responses((status = 200, body = DirectoryOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_group_members(
    State(app): State<App>,
    current: CurrentMember,
    GroupPath(id): GroupPath,
    Query(query): Query<DirectoryQuery>,
) -> AppResult<Json<DirectoryOut>> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), id).await?;
    Ok(Json(directory(&app, &ctx, &query).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RoleIn {
    member_id: MemberId,
    /// supporter, member, secretary, officer, organiser or admin
    role: String,
}

/// Gives a member a role in the group (adds them if needed).
#[utoipa::path(post, path = "/api/v1/groups/{id}/members", tag = "groups", params(("id" = String, Path)), request_body = RoleIn, security(("bearer" = [])),
    responses((status = 200, description = "Done"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_group_member(
    State(app): State<App>,
    current: CurrentMember,
    GroupPath(id): GroupPath,
    ApiJson(body): ApiJson<RoleIn>,
) -> AppResult<Json<serde_json::Value>> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), id).await?;
    organisation::set_role(
        &app.db,
        &current.viewer,
        &ctx,
        body.member_id,
        parse_role(&body.role)?,
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}

/// Removes a member from the group (or lets a member leave).
#[utoipa::path(delete, path = "/api/v1/groups/{id}/members/{member_id}", tag = "groups", params(("id" = String, Path), ("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Done"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_group_member(
    State(app): State<App>,
    current: CurrentMember,
    GroupPath(id): GroupPath,
    GroupMemberPath(member): GroupMemberPath,
) -> AppResult<Json<serde_json::Value>> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), id).await?;
    organisation::remove_member(&app.db, &current.viewer, &ctx, member).await?;
    Ok(Json(serde_json::json!({})))
}

#[derive(Deserialize, ToSchema)]
pub struct InvitationIn {
    email: String,
    role: String,
}

/// Invites someone by mail into the group with a role (secretaries and above).
#[utoipa::path(post, path = "/api/v1/groups/{id}/invitations", tag = "groups", params(("id" = String, Path)), request_body = InvitationIn, security(("bearer" = [])),
    responses((status = 201, description = "Mailed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_invitation(
    State(app): State<App>,
    current: CurrentMember,
    GroupPath(id): GroupPath,
    ApiJson(body): ApiJson<InvitationIn>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), id).await?;
    accounts::invite(
        &app.db,
        &app.mailer,
        &current.viewer,
        &ctx,
        &body.email,
        &body.role,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({}))))
}

/// Joins a theme or working group open to the caller.
#[utoipa::path(post, path = "/api/v1/groups/{id}/join", tag = "groups", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Joined"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn join_group(
    State(app): State<App>,
    current: CurrentMember,
    GroupPath(id): GroupPath,
) -> AppResult<Json<serde_json::Value>> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), id).await?;
    organisation::join(&app.db, &current.viewer, &ctx).await?;
    Ok(Json(serde_json::json!({})))
}
