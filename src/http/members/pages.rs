//! Members' pages: a profile as its viewer may see it, one's own profile form, and the
//! administrators' buttons that disable or enable an account.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use super::profile::{ProfileUpdate, apply_profile_update, load_profile};
use crate::accounts;
use crate::app::App;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::http::extract::FormData;
use crate::http::page::{Page, flash, html, html_with_status, safe_next, see_other};
use crate::http::paths::MemberPath;
use crate::http::views;
use crate::model::{MemberId, ProfileVisibility};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_profile))
        .routes(routes!(update_profile))
        .routes(routes!(submit_disable))
        .routes(routes!(submit_enable))
}

/// A member's profile page.
#[utoipa::path(get, path = "/members/{id}", tag = "pages", params(("id" = String, Path)), responses((status = 200, description = "HTML page"), (status = 404, description = "No such member, or hidden from the viewer")))]
async fn show_profile(
    State(app): State<App>,
    page: Page,
    MemberPath(id): MemberPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
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
        // Private: read only for the member's own profile, never for anyone else's.
        gender: if viewer.member_id == id {
            app.db
                .member_gender(id)
                .await?
                .map(|g| g.code().to_owned())
                .unwrap_or_default()
        } else {
            String::new()
        },
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
    /// Absent (an older form) leaves it unchanged; empty is « ne pas préciser ».
    gender: Option<String>,
}

/// Saves the profile form.
#[utoipa::path(post, path = "/members/{id}/profile", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the profile")))]
async fn update_profile(
    State(app): State<App>,
    page: Page,
    MemberPath(id): MemberPath,
    FormData(form): FormData<ProfileForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    if id != viewer.member_id {
        return Err(AppError::forbidden());
    }
    let lines = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
    let update = ProfileUpdate {
        name: Some(form.name.clone()),
        functions: Some(lines(&form.functions)),
        mandates: Some(lines(&form.mandates)),
        profile_visibility: form.profile_visibility.clone(),
        gender: form.gender.clone().map(Some),
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
                gender: form.gender.unwrap_or_default(),
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

/// The profile page's "disable this account" button (administrators).
#[utoipa::path(post, path = "/members/{id}/disable", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the profile")))]
async fn submit_disable(
    State(app): State<App>,
    page: Page,
    MemberPath(id): MemberPath,
    FormData(form): FormData<BackTo>,
) -> AppResult<Response> {
    set_disabled_from_page(&app, &page, id, true, form.next.as_deref()).await
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
    MemberPath(id): MemberPath,
    FormData(form): FormData<BackTo>,
) -> AppResult<Response> {
    set_disabled_from_page(&app, &page, id, false, form.next.as_deref()).await
}

async fn set_disabled_from_page(
    app: &App,
    page: &Page,
    member: MemberId,
    disabled: bool,
    next: Option<&str>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    accounts::set_account_disabled(&app.db, viewer, member, disabled).await?;
    let message = if disabled {
        "flash.account_disabled"
    } else {
        "flash.account_enabled"
    };
    flash(&page.session, tpl::t(page.lang(), message)).await?;
    match next.filter(|n| !n.is_empty()) {
        Some(next) => Ok(see_other(&safe_next(Some(next)))),
        None => Ok(see_other(&format!("/members/{member}"))),
    }
}
