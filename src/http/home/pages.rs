//! The home page (a member's workspace, or the welcome page) and the language switch.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use super::workspace;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::page::{LANG_COOKIE, Page, html, safe_next};
use crate::http::views::{self, Tree};
use crate::model::GroupKind;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_home))
        .routes(routes!(switch_language))
}

/// Home: for a member, their work first (the texts being drafted in their groups and themes,
/// what changed since their last visit), then their groups and themes, then themes to join;
/// for a visitor, what Atelier is and how to get in.
#[utoipa::path(get, path = "/", tag = "pages", responses((status = 200, description = "HTML page")))]
async fn show_home(State(app): State<App>, page: Page) -> AppResult<Response> {
    let Some(viewer) = page.viewer.as_ref() else {
        let open = app.config.registration == crate::config::RegistrationMode::Open;
        return Ok(html(tpl::home_anonymous(&page.ctx, open)));
    };
    let since = workspace::visit_now(&app, viewer).await?;
    let tree = Tree::load(&app).await?;
    let work = workspace::work(&app, viewer, &tree, since).await?;
    let memberships: Vec<_> = viewer.memberships().collect();
    let card_of = |kind_is_theme: bool| {
        memberships
            .iter()
            .filter_map(|(id, role)| {
                let group = tree.groups.iter().find(|g| g.group_id == *id)?;
                ((group.kind == GroupKind::Theme) == kind_is_theme)
                    .then(|| tree.card(group, Some(*role)))
            })
            .collect::<Vec<_>>()
    };
    let my_groups = card_of(false);
    let my_themes = card_of(true);
    let suggested_themes = tree
        .visible(Some(viewer))
        .filter(|g| {
            g.kind == GroupKind::Theme && !memberships.iter().any(|(id, _)| *id == g.group_id)
        })
        .map(|g| tree.card(g, None))
        .collect();
    // After a previous visit, only what happened since; on a first visit, the latest news.
    let activity = app.db.activity_for(viewer.member_id, 20).await?;
    let view = tpl::HomeView {
        drafting: work.drafting,
        since,
        changed: work.changed,
        my_groups,
        my_themes,
        recent_activity: activity
            .iter()
            .filter(|a| since.is_none_or(|s| a.at > s))
            .map(|a| views::activity_item(page.lang(), a))
            .collect(),
        suggested_themes,
    };
    Ok(html(tpl::home(&page.ctx, &view)))
}

#[derive(Deserialize, IntoParams)]
pub struct Next {
    /// Where to go back to (a path on this site).
    next: Option<String>,
}

/// Chooses the interface language (fr or en) and goes back.
#[utoipa::path(get, path = "/lang/{code}", tag = "pages", params(("code" = String, Path, description = "fr or en"), Next),
    responses((status = 303, description = "Back to the page")))]
async fn switch_language(
    Path(code): Path<String>,
    Query(query): Query<Next>,
) -> AppResult<Response> {
    let lang = tpl::Lang::from_code(&code).ok_or_else(AppError::not_found)?;
    let back = safe_next(query.next.as_deref());
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response())
}
