//! Members: `GET /api/v1/me`, `PATCH /api/v1/me`, `POST /api/v1/members`,
//! `GET /api/v1/members/{id}`, and the profile pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use super::extract::{ApiJson, CurrentMember, FormData};
use super::page::{Page, flash, html, html_with_status, see_other};
use super::views;
use crate::accounts::{self, NewAccount};
use crate::app::App;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::model::{DisplayName, GroupId, MemberId, ProfileVisibility, Role, TitleKind};
use crate::organisation;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(get_me, update_me))
        .routes(routes!(create_member))
        .routes(routes!(get_member))
        .routes(routes!(show_profile))
        .routes(routes!(update_profile))
        .routes(routes!(disable_member))
        .routes(routes!(enable_member))
        .routes(routes!(submit_disable))
        .routes(routes!(submit_enable))
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
}

async fn titles(app: &App, member: MemberId) -> AppResult<(Vec<String>, Vec<String>)> {
    let rows = app.db.titles_of(&[member]).await?;
    let pick = |kind| {
        rows.iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.label.clone())
            .collect()
    };
    Ok((pick(TitleKind::Function), pick(TitleKind::Mandate)))
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
    })
}

/// The signed-in member and their memberships.
#[utoipa::path(get, path = "/api/v1/me", tag = "members", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn get_me(State(app): State<App>, current: CurrentMember) -> AppResult<Json<Me>> {
    Ok(Json(me(&app, &current.viewer).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileUpdate {
    name: Option<String>,
    /// Internal functions, e.g. "secrétaire fédéral"; replaces the list.
    functions: Option<Vec<String>>,
    /// Elected mandates, e.g. "adjointe au maire de Lille"; replaces the list.
    mandates: Option<Vec<String>>,
    /// `groups` (those who share a group with the member) or `party` (every party member).
    profile_visibility: Option<String>,
}

fn parse_titles(
    functions: &[String],
    mandates: &[String],
) -> Result<Vec<(TitleKind, String)>, AppError> {
    let mut titles = Vec::new();
    for (kind, labels, field) in [
        (TitleKind::Function, functions, "functions"),
        (TitleKind::Mandate, mandates, "mandates"),
    ] {
        for label in labels
            .iter()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
        {
            if label.chars().count() > 160 {
                return Err(AppError::invalid_field(
                    field,
                    "Chaque intitulé tient en 160 caractères au plus.",
                ));
            }
            titles.push((kind, label));
        }
    }
    if titles.len() > 40 {
        return Err(AppError::invalid_field(
            "functions",
            "Quarante intitulés au plus.",
        ));
    }
    Ok(titles)
}

async fn apply_profile_update(app: &App, viewer: &Viewer, update: ProfileUpdate) -> AppResult<()> {
    let name = update
        .name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()
        .map_err(|e| AppError::invalid_field("name", e.to_string()))?;
    let visibility = update
        .profile_visibility
        .as_deref()
        .map(|v| {
            ProfileVisibility::parse(v).ok_or_else(|| {
                AppError::invalid_field(
                    "profile_visibility",
                    "La visibilité du profil doit être groups ou party.",
                )
            })
        })
        .transpose()?;
    // Every field is checked before anything is written: a refused form changes nothing.
    let titles_update = if update.functions.is_some() || update.mandates.is_some() {
        let (old_functions, old_mandates) = titles(app, viewer.member_id).await?;
        let functions = update.functions.unwrap_or(old_functions);
        let mandates = update.mandates.unwrap_or(old_mandates);
        Some(parse_titles(&functions, &mandates)?)
    } else {
        None
    };
    if let Some(visibility) = visibility {
        app.db
            .set_profile_visibility(viewer.member_id, visibility)
            .await?;
    }
    if let Some(name) = name {
        app.db
            .set_member_name(viewer.member_id, name.as_str())
            .await?;
    }
    if let Some(titles) = titles_update {
        app.db.set_titles(viewer.member_id, &titles).await?;
    }
    Ok(())
}

/// Changes the signed-in member's name, functions or mandates.
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

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
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

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    id: MemberId,
    name: String,
    /// Only for the member themselves and administrators.
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    functions: Vec<String>,
    mandates: Vec<String>,
}

/// Profiles are for signed-in people who share a group with the member, or as the member chose
/// (`auth::permissions::can_see_profile`); a hidden one is a 404 like an unknown id.
async fn load_profile(
    app: &App,
    viewer: &Viewer,
    id: MemberId,
) -> AppResult<(MemberOut, crate::store::MemberRow)> {
    let row = organisation::visible_member(&app.db, viewer, id).await?;
    let (functions, mandates) = titles(app, id).await?;
    let email = (viewer.member_id == id || viewer.is_admin()).then(|| row.email.clone());
    Ok((
        MemberOut {
            id,
            name: row.name.clone(),
            email,
            functions,
            mandates,
        },
        row,
    ))
}

/// A member's profile, for those who may see it.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = MemberOut), (status = 401, body = ErrorBody), (status = 404, description = "No such member, or hidden from the caller", body = ErrorBody)))]
async fn get_member(
    State(app): State<App>,
    current: CurrentMember,
    Path(id): Path<String>,
) -> AppResult<Json<MemberOut>> {
    let id = id.parse().map_err(|_| AppError::not_found())?;
    Ok(Json(load_profile(&app, &current.viewer, id).await?.0))
}

/// A member's profile page.
#[utoipa::path(get, path = "/members/{id}", tag = "pages", params(("id" = String, Path)), responses((status = 200, description = "HTML page"), (status = 404, description = "No such member, or hidden from the viewer")))]
async fn show_profile(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let id: MemberId = id.parse().map_err(|_| AppError::not_found())?;
    let view = profile_view(&app, viewer, id, None).await?;
    Ok(html(tpl::profile(&page.ctx, &view)))
}

/// The profile page's view; `form` is the edit form as sent, with its errors.
async fn profile_view(
    app: &App,
    viewer: &Viewer,
    id: MemberId,
    form: Option<tpl::ProfileFormView>,
) -> AppResult<tpl::ProfileView> {
    let (profile, row) = load_profile(app, viewer, id).await?;
    let memberships = views::visible_memberships(app, Some(viewer), id).await?;
    Ok(tpl::ProfileView {
        id: profile.id.to_string(),
        name: profile.name,
        email: profile.email,
        functions: profile.functions,
        mandates: profile.mandates,
        memberships,
        is_self: viewer.member_id == id,
        visible_to_party: viewer.member_id == id
            && app.db.profile_visibility(id).await? == ProfileVisibility::Party,
        disabled: row.disabled_at.is_some(),
        can_disable: viewer.is_admin() && viewer.member_id != id,
        form,
    })
}

#[derive(Deserialize)]
pub struct ProfileForm {
    name: String,
    /// One title a line.
    #[serde(default)]
    functions: String,
    #[serde(default)]
    mandates: String,
    profile_visibility: Option<String>,
}

/// Saves the profile form.
#[utoipa::path(post, path = "/members/{id}/profile", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the profile")))]
async fn update_profile(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
    FormData(form): FormData<ProfileForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    if id != viewer.member_id.to_string() {
        return Err(AppError::forbidden());
    }
    let lines = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
    let update = ProfileUpdate {
        name: Some(form.name.clone()),
        functions: Some(lines(&form.functions)),
        mandates: Some(lines(&form.mandates)),
        profile_visibility: form.profile_visibility.clone(),
    };
    match apply_profile_update(&app, viewer, update).await {
        Ok(()) => {
            flash(&page.session, tpl::t(page.lang(), "flash.profile_saved")).await?;
            Ok(see_other(&format!("/members/{id}")))
        }
        // Like every other form: the page again, the errors next to their fields, and what was
        // typed kept.
        Err(AppError::Invalid(errors)) => {
            let form = tpl::ProfileFormView {
                name: form.name,
                functions: form.functions,
                mandates: form.mandates,
                visible_to_party: form.profile_visibility.as_deref() == Some("party"),
                errors,
            };
            let view = profile_view(&app, viewer, viewer.member_id, Some(form)).await?;
            Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::profile(&page.ctx, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

fn parse_member_id(id: &str) -> AppResult<MemberId> {
    id.parse().map_err(|_| AppError::not_found())
}

/// Disables an account (administrators; not one's own): no more sign-in, and its sessions, API
/// tokens and live sockets end at once.
#[utoipa::path(post, path = "/api/v1/members/{id}/disable", tag = "members", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Done"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn disable_member(
    State(app): State<App>,
    current: CurrentMember,
    Path(id): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    accounts::set_account_disabled(&app.db, &current.viewer, parse_member_id(&id)?, true).await?;
    Ok(Json(serde_json::json!({})))
}

/// Enables a disabled account again (administrators).
#[utoipa::path(post, path = "/api/v1/members/{id}/enable", tag = "members", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Done"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn enable_member(
    State(app): State<App>,
    current: CurrentMember,
    Path(id): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    accounts::set_account_disabled(&app.db, &current.viewer, parse_member_id(&id)?, false).await?;
    Ok(Json(serde_json::json!({})))
}

/// The profile page's "disable this account" button (administrators).
#[utoipa::path(post, path = "/members/{id}/disable", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the profile")))]
async fn submit_disable(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
    FormData(form): FormData<BackTo>,
) -> AppResult<Response> {
    set_disabled_from_page(&app, &page, &id, true, form.next.as_deref()).await
}

/// Where a button sends back to (the administrators' list of accounts); the profile otherwise.
#[derive(Deserialize)]
pub struct BackTo {
    next: Option<String>,
}

/// The profile page's "enable this account" button (administrators).
#[utoipa::path(post, path = "/members/{id}/enable", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the profile")))]
async fn submit_enable(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
    FormData(form): FormData<BackTo>,
) -> AppResult<Response> {
    set_disabled_from_page(&app, &page, &id, false, form.next.as_deref()).await
}

async fn set_disabled_from_page(
    app: &App,
    page: &Page,
    id: &str,
    disabled: bool,
    next: Option<&str>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let member = parse_member_id(id)?;
    accounts::set_account_disabled(&app.db, viewer, member, disabled).await?;
    let message = if disabled {
        "flash.account_disabled"
    } else {
        "flash.account_enabled"
    };
    flash(&page.session, tpl::t(page.lang(), message)).await?;
    match next.filter(|n| !n.is_empty()) {
        Some(next) => Ok(see_other(&super::home::safe_next(Some(next)))),
        None => Ok(see_other(&format!("/members/{member}"))),
    }
}
