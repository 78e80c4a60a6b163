//! Groups: the JSON routes of API.md and the group pages (group, theme, directory, management).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use super::extract::{ApiJson, CurrentMember, FormData, MaybeMember};
use super::members::Created;
use super::page::{Page, flash, html, see_other};
use super::views;
use crate::accounts;
use crate::app::App;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult, ErrorBody, FieldErrors};
use crate::model::{Email, GroupId, GroupKind, MemberId, Role, Visibility};
use crate::organisation::{self, GroupContext, NewGroup};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group))
        .routes(routes!(list_group_members, add_group_member))
        .routes(routes!(remove_group_member))
        .routes(routes!(create_invitation))
        .routes(routes!(join_group))
        .routes(routes!(show_groups, submit_new_group))
        .routes(routes!(show_group))
        .routes(routes!(show_directory, submit_member_role))
        .routes(routes!(show_manage_group))
        .routes(routes!(submit_group_edit))
        .routes(routes!(submit_invitation))
        .routes(routes!(submit_join))
}

fn parse_group_id(raw: &str) -> AppResult<GroupId> {
    raw.parse().map_err(|_| AppError::not_found())
}

#[derive(Serialize, ToSchema)]
pub struct GroupSummary {
    id: GroupId,
    kind: GroupKind,
    name: String,
    parent_id: Option<GroupId>,
    visibility: Visibility,
    member_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct GroupDetail {
    id: GroupId,
    kind: GroupKind,
    name: String,
    description: String,
    parent_id: Option<GroupId>,
    visibility: Visibility,
    children: Vec<GroupSummary>,
    member_count: i64,
    /// The caller's role there, if any (inherited roles included).
    your_role: Option<Role>,
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

async fn group_detail(
    app: &App,
    ctx: &GroupContext,
    viewer: Option<&Viewer>,
) -> AppResult<GroupDetail> {
    let children = views::visible_children(app, viewer, ctx).await?;
    let counts = app.db.member_counts().await?;
    let count = |id: &GroupId| counts.get(id).copied().unwrap_or(0);
    Ok(GroupDetail {
        id: ctx.group.group_id,
        kind: ctx.group.kind,
        name: ctx.group.name.clone(),
        description: ctx.group.description.clone(),
        parent_id: ctx.group.parent_id,
        visibility: ctx.group.visibility,
        member_count: count(&ctx.group.group_id),
        your_role: ctx.access.role,
        children: children
            .into_iter()
            .map(|g| GroupSummary {
                member_count: count(&g.group_id),
                id: g.group_id,
                kind: g.kind,
                name: g.name,
                parent_id: g.parent_id,
                visibility: g.visibility,
            })
            .collect(),
    })
}

/// A group with its children.
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "groups", params(("id" = String, Path)),
    responses((status = 200, body = GroupDetail), (status = 404, body = ErrorBody)))]
async fn get_group(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    Path(id): Path<String>,
) -> AppResult<Json<GroupDetail>> {
    let ctx = organisation::load_group(&app.db, viewer.as_ref(), parse_group_id(&id)?).await?;
    Ok(Json(group_detail(&app, &ctx, viewer.as_ref()).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct DirectoryQuery {
    /// Part of a name.
    q: Option<String>,
    /// From 1.
    page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct DirectoryEntryOut {
    pub member_id: MemberId,
    pub name: String,
    pub role: Role,
    pub functions: Vec<String>,
    pub mandates: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DirectoryOut {
    total: i64,
    page: u32,
    pages: u32,
    members: Vec<DirectoryEntryOut>,
}

const DIRECTORY_PAGE: i64 = 50;

async fn directory(
    app: &App,
    ctx: &GroupContext,
    query: &DirectoryQuery,
) -> AppResult<DirectoryOut> {
    if !ctx.access.can_see_directory {
        return Err(AppError::forbidden_because(
            "L'annuaire d'un groupe n'est visible que par ses membres.",
        ));
    }
    let page = query.page.unwrap_or(1).max(1);
    let (rows, total) = app
        .db
        .directory(
            ctx.group.group_id,
            query.q.as_deref().unwrap_or(""),
            DIRECTORY_PAGE,
            i64::from(page - 1) * DIRECTORY_PAGE,
        )
        .await?;
    let ids: Vec<MemberId> = rows.iter().map(|r| r.member_id).collect();
    let titles = app.db.titles_of(&ids).await?;
    let members = rows
        .into_iter()
        .map(|r| {
            let of = |kind| {
                titles
                    .iter()
                    .filter(|t| t.member_id == r.member_id && t.kind == kind)
                    .map(|t| t.label.clone())
                    .collect()
            };
            DirectoryEntryOut {
                functions: of(crate::model::TitleKind::Function),
                mandates: of(crate::model::TitleKind::Mandate),
                member_id: r.member_id,
                name: r.name,
                role: r.role,
            }
        })
        .collect();
    let pages = u32::try_from((total + DIRECTORY_PAGE - 1) / DIRECTORY_PAGE)
        .unwrap_or(u32::MAX)
        .max(1);
    Ok(DirectoryOut {
        total,
        page,
        pages,
        members,
    })
}

/// The group's directory: its direct members (visible to those who belong to the group).
#[utoipa::path(get, path = "/api/v1/groups/{id}/members", tag = "groups", params(("id" = String, Path), DirectoryQuery), security(("bearer" = [])),
    responses((status = 200, body = DirectoryOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_group_members(
    State(app): State<App>,
    current: CurrentMember,
    Path(id): Path<String>,
    Query(query): Query<DirectoryQuery>,
) -> AppResult<Json<DirectoryOut>> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), parse_group_id(&id)?).await?;
    Ok(Json(directory(&app, &ctx, &query).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RoleIn {
    member_id: MemberId,
    /// supporter, member, secretary, officer, organiser or admin
    role: String,
}

fn parse_role(raw: &str) -> AppResult<Role> {
    Role::parse(raw).ok_or_else(|| {
        AppError::invalid_field(
            "role",
            "Le rôle doit être supporter, member, secretary, officer, organiser ou admin.",
        )
    })
}

/// Gives a member a role in the group (adds them if needed).
#[utoipa::path(post, path = "/api/v1/groups/{id}/members", tag = "groups", params(("id" = String, Path)), request_body = RoleIn, security(("bearer" = [])),
    responses((status = 200, description = "Done"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_group_member(
    State(app): State<App>,
    current: CurrentMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoleIn>,
) -> AppResult<Json<serde_json::Value>> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), parse_group_id(&id)?).await?;
    organisation::set_role(&app.db,
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
    Path((id, member)): Path<(String, String)>,
) -> AppResult<Json<serde_json::Value>> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), parse_group_id(&id)?).await?;
    let member = member.parse().map_err(|_| AppError::not_found())?;
    organisation::remove_member(&app.db, &current.viewer, &ctx, member).await?;
    Ok(Json(serde_json::json!({})))
}

#[derive(Deserialize, ToSchema)]
pub struct InvitationIn {
    email: String,
    role: String,
}

async fn invite(
    app: &App,
    viewer: &Viewer,
    ctx: &GroupContext,
    email: &str,
    role: &str,
) -> AppResult<()> {
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let email = Email::parse(email).map_err(|e| AppError::invalid_field("email", e.to_string()))?;
    let role = parse_role(role)?;
    if !ctx.access.can_grant(role) {
        return Err(AppError::forbidden_because(
            "Vous ne pouvez pas inviter avec un rôle supérieur au vôtre.",
        ));
    }
    accounts::invite(
        app,
        viewer.member_id,
        &viewer.name,
        ctx.group.group_id,
        &ctx.group.name,
        &email,
        role,
    )
    .await
}

/// Invites someone by mail into the group with a role (secretaries and above).
#[utoipa::path(post, path = "/api/v1/groups/{id}/invitations", tag = "groups", params(("id" = String, Path)), request_body = InvitationIn, security(("bearer" = [])),
    responses((status = 201, description = "Mailed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_invitation(
    State(app): State<App>,
    current: CurrentMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<InvitationIn>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), parse_group_id(&id)?).await?;
    invite(&app, &current.viewer, &ctx, &body.email, &body.role).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({}))))
}

/// Joins a theme or working group open to the caller.
#[utoipa::path(post, path = "/api/v1/groups/{id}/join", tag = "groups", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Joined"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn join_group(
    State(app): State<App>,
    current: CurrentMember,
    Path(id): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    let ctx = organisation::load_group(&app.db, Some(&current.viewer), parse_group_id(&id)?).await?;
    organisation::join(&app.db, &current.viewer, &ctx).await?;
    Ok(Json(serde_json::json!({})))
}

// ---- Pages ----

/// The organisation: federations and sections, themes, working groups.
#[utoipa::path(get, path = "/groups", tag = "pages", responses((status = 200, description = "HTML page")))]
async fn show_groups(State(app): State<App>, page: Page) -> AppResult<Response> {
    let view = views::groups_index(&app, page.viewer.as_ref()).await?;
    Ok(html(tpl::groups_index(&page.ctx, &view)))
}

async fn group_view(
    app: &App,
    ctx: &GroupContext,
    viewer: Option<&Viewer>,
    lang: tpl::Lang,
) -> AppResult<tpl::GroupView> {
    let detail = group_detail(app, ctx, viewer).await?;
    // The activity names members: only for those who may see the directory.
    let activity = if ctx.access.can_see_directory {
        app.db
            .activity_in(ctx.group.group_id, 10)
            .await?
            .iter()
            .map(|a| views::activity_item(lang, a))
            .collect()
    } else {
        Vec::new()
    };
    let mut view = views::group_view(
        ctx,
        activity,
        detail.member_count,
        detail
            .children
            .iter()
            .map(|c| (c.id, c.kind, c.name.clone(), c.member_count))
            .collect(),
    );
    view.texts = app
        .db
        .recent_texts(ctx.group.group_id, 100)
        .await?
        .into_iter()
        .map(super::text_pages::list_item)
        .collect();
    view.can_create_text = viewer.is_some_and(|v| crate::text::can_create_in(v, ctx));
    Ok(view)
}

/// A group's page (a theme's page for themes).
#[utoipa::path(get, path = "/groups/{id}", tag = "pages", params(("id" = String, Path)), responses((status = 200, description = "HTML page"), (status = 404, description = "No such group, or hidden")))]
async fn show_group(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let ctx = organisation::load_group(&app.db, page.viewer.as_ref(), parse_group_id(&id)?).await?;
    let view = group_view(&app, &ctx, page.viewer.as_ref(), page.lang()).await?;
    Ok(html(tpl::group_page(&page.ctx, &view)))
}

/// A group's member directory.
#[utoipa::path(get, path = "/groups/{id}/members", tag = "pages", params(("id" = String, Path), DirectoryQuery), responses((status = 200, description = "HTML page")))]
async fn show_directory(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
    Query(query): Query<DirectoryQuery>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), parse_group_id(&id)?).await?;
    let out = directory(&app, &ctx, &query).await?;
    let view = tpl::DirectoryView {
        group_id: ctx.group.group_id.to_string(),
        group_name: ctx.group.name.clone(),
        members: out
            .members
            .into_iter()
            .map(views::directory_entry)
            .collect(),
        page: out.page,
        pages: out.pages,
        query: query.q.unwrap_or_default(),
    };
    Ok(html(tpl::directory(&page.ctx, &view)))
}

async fn manage_view(
    app: &App,
    ctx: &GroupContext,
    viewer: &Viewer,
    lang: tpl::Lang,
) -> AppResult<tpl::ManageGroupView> {
    let out = directory(
        app,
        ctx,
        &DirectoryQuery {
            q: None,
            page: Some(1),
        },
    )
    .await?;
    Ok(tpl::ManageGroupView {
        invitations: super::group_invitations::pending_views(app, ctx).await?,
        group: group_view(app, ctx, Some(viewer), lang).await?,
        members: out
            .members
            .into_iter()
            .map(views::directory_entry)
            .collect(),
        assignable_roles: Role::ALL
            .iter()
            .copied()
            .filter(|r| ctx.access.can_grant(*r))
            .map(views::role_view)
            .collect(),
        creatable_kinds: GroupKind::ALL
            .iter()
            .copied()
            .filter(|k| ctx.access.can_create_child(ctx.group.kind, *k))
            .map(views::kind_view)
            .collect(),
    })
}

/// Managing a group: roles, invitations, sub-groups, settings (secretaries and above).
#[utoipa::path(get, path = "/groups/{id}/manage", tag = "pages", params(("id" = String, Path)), responses((status = 200, description = "HTML page"), (status = 403, description = "Not a manager")))]
async fn show_manage_group(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), parse_group_id(&id)?).await?;
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let view = manage_view(&app, &ctx, viewer, page.lang()).await?;
    Ok(html(tpl::manage_group(
        &page.ctx,
        &view,
        &FieldErrors::new(),
    )))
}

/// Re-renders the management page with errors next to their fields, or applies `result`. The
/// page is shown to the group's managers only: anyone else gets the error alone.
async fn manage_outcome(
    app: &App,
    page: &Page,
    ctx: &GroupContext,
    result: AppResult<()>,
    done: &str,
) -> AppResult<Response> {
    match result {
        Err(e) if !ctx.access.can_manage => Err(e),
        Ok(()) => {
            flash(&page.session, tpl::t(page.lang(), done)).await?;
            Ok(see_other(&format!("/groups/{}/manage", ctx.group.group_id)))
        }
        Err(AppError::Invalid(fields)) => {
            let viewer = page.require_viewer()?;
            let view = manage_view(app, ctx, viewer, page.lang()).await?;
            let mut response = html(tpl::manage_group(&page.ctx, &view, &fields));
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e),
    }
}

/// Renames the fields of a validation error, for a page with several forms.
fn prefix_fields(error: AppError, prefix: &str) -> AppError {
    match error {
        AppError::Invalid(fields) => AppError::Invalid(
            fields
                .into_iter()
                .map(|(field, message)| (format!("{prefix}{field}"), message))
                .collect(),
        ),
        other => other,
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    member_id: Option<String>,
    /// Invites by address when no member_id is given.
    email: Option<String>,
    role: String,
}

/// Sets a member's role (form of the management page).
#[utoipa::path(post, path = "/groups/{id}/members", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the management page")))]
async fn submit_member_role(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
    FormData(form): FormData<RoleForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), parse_group_id(&id)?).await?;
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let member_id = form.member_id.as_deref().filter(|s| !s.is_empty());
    let Some(member_id) = member_id else {
        // By address: an invitation, whether the address has an account or not, and the same
        // answer either way (the account's owner accepts it signed in; anyone else creates the
        // account). Saying "no account with this address" would tell any manager who is a member.
        let result = match form.email.as_deref() {
            Some(email) => invite(&app, viewer, &ctx, email, &form.role).await,
            None => Err(AppError::invalid_field(
                "email",
                "Indiquez l'adresse e-mail du membre.",
            )),
        };
        return manage_outcome(&app, &page, &ctx, result, "flash.invitation_sent").await;
    };
    let result = async {
        let role = parse_role(&form.role)?;
        let member = member_id
            .parse()
            .map_err(|_| AppError::invalid_field("member_id", "Ce membre n'existe pas."))?;
        organisation::set_role(&app.db, viewer, &ctx, member, role).await
    }
    .await;
    manage_outcome(&app, &page, &ctx, result, "flash.role_saved").await
}

#[derive(Deserialize)]
pub struct EditForm {
    name: String,
    #[serde(default)]
    description: String,
    visibility: String,
}

/// Saves a group's name, description and visibility.
#[utoipa::path(post, path = "/groups/{id}/edit", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the management page")))]
async fn submit_group_edit(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
    FormData(form): FormData<EditForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), parse_group_id(&id)?).await?;
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let result = async {
        let parsed = NewGroup::parse(
            ctx.group.kind.code(),
            &form.name,
            Some(&form.description),
            None,
            Some(&form.visibility),
        )
        .map_err(AppError::invalid)?;
        app.db
            .update_group(
                ctx.group.group_id,
                parsed.name.as_str(),
                &parsed.description,
                parsed.visibility,
            )
            .await?;
        Ok(())
    }
    .await;
    manage_outcome(&app, &page, &ctx, result, "flash.group_saved").await
}

#[derive(Deserialize)]
pub struct InvitationForm {
    email: String,
    role: String,
}

/// Sends an invitation (form of the management page).
#[utoipa::path(post, path = "/groups/{id}/invitations", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the management page")))]
async fn submit_invitation(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
    FormData(form): FormData<InvitationForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), parse_group_id(&id)?).await?;
    let result = invite(&app, viewer, &ctx, &form.email, &form.role).await;
    // The invitation form's fields are named apart from the add-a-member form's on that page.
    let result = result.map_err(|e| prefix_fields(e, "invitation_"));
    manage_outcome(&app, &page, &ctx, result, "flash.invitation_sent").await
}

/// Joins a theme (form of the theme page).
#[utoipa::path(post, path = "/groups/{id}/join", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the group")))]
async fn submit_join(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), parse_group_id(&id)?).await?;
    organisation::join(&app.db, viewer, &ctx).await?;
    flash(&page.session, tpl::t(page.lang(), "flash.joined")).await?;
    Ok(see_other(&format!("/groups/{}", ctx.group.group_id)))
}

#[derive(Deserialize)]
pub struct NewGroupForm {
    kind: String,
    name: String,
    parent_id: Option<String>,
    visibility: Option<String>,
    #[serde(default)]
    description: String,
}

/// Creates a group (form of the management and admin pages).
#[utoipa::path(post, path = "/groups", tag = "pages", responses((status = 303, description = "To the new group")))]
async fn submit_new_group(
    State(app): State<App>,
    page: Page,
    FormData(form): FormData<NewGroupForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let parent = form
        .parent_id
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(parse_group_id)
        .transpose()?;
    let created = async {
        let new = NewGroup::parse(
            &form.kind,
            &form.name,
            Some(&form.description),
            parent,
            form.visibility.as_deref(),
        )
        .map_err(AppError::invalid)?;
        organisation::create_group(&app.db, viewer, new).await
    }
    .await;
    match (created, parent) {
        (Ok(id), _) => {
            flash(&page.session, tpl::t(page.lang(), "flash.group_created")).await?;
            Ok(see_other(&format!("/groups/{id}")))
        }
        // From a group's management page: back to it, with the errors next to the sub-group form.
        (Err(e @ AppError::Invalid(_)), Some(parent)) => {
            let ctx = organisation::load_group(&app.db, Some(viewer), parent).await?;
            manage_outcome(&app, &page, &ctx, Err(prefix_fields(e, "new_")), "").await
        }
        (Err(e), _) => Err(e),
    }
}
