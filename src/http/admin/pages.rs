//! The administration page, and the administrators' list of accounts with disabling and
//! enabling.

use axum::extract::{Query, State};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use super::listing::{AccountsQuery, accounts};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::page::{Page, html};
use crate::http::views::{Tree, kind_view};
use crate::model::GroupKind;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_admin))
        .routes(routes!(show_accounts))
}

/// The administrators' list of accounts, with disabling and enabling.
#[utoipa::path(get, path = "/admin/members", tag = "pages", params(AccountsQuery), responses((status = 200, description = "HTML page"), (status = 403, description = "Not an administrator")))]
async fn show_accounts(
    State(app): State<App>,
    page: Page,
    Query(query): Query<AccountsQuery>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (rows, total, current, pages) = accounts(&app, viewer, &query).await?;
    let view = tpl::AccountsView {
        query: query.q.unwrap_or_default(),
        total,
        page: current,
        pages,
        accounts: rows
            .into_iter()
            .map(|row| tpl::AccountEntry {
                id: row.member_id.to_string(),
                is_self: row.member_id == viewer.member_id,
                name: row.name,
                email: row.email,
                created_at: row.created_at,
                disabled: row.disabled_at.is_some(),
                is_admin: row.is_admin,
            })
            .collect(),
    };
    Ok(html(tpl::admin_accounts(&page.ctx, &view)))
}

/// Administration (national administrators only).
#[utoipa::path(get, path = "/admin", tag = "pages", responses((status = 200, description = "HTML page"), (status = 403, description = "Not an administrator")))]
async fn show_admin(State(app): State<App>, page: Page) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    if !viewer.is_admin() {
        return Err(AppError::forbidden());
    }
    let tree = Tree::load(&app).await?;
    let managed = |kind| {
        tree.groups
            .iter()
            .filter(|g| g.kind == kind)
            .map(|g| tree.card(g, None))
            .collect::<Vec<_>>()
    };
    let view = tpl::AdminView {
        member_count: app.db.member_count().await?,
        group_counts: app
            .db
            .group_counts_by_kind()
            .await?
            .into_iter()
            .map(|(kind, n)| (kind_view(kind), n))
            .collect(),
        registration_mode: app.config.registration.code().to_owned(),
        national_id: app.db.national_group().await?.map(|id| id.to_string()),
        federations: managed(GroupKind::Federation),
        themes: managed(GroupKind::Theme),
        working_groups: managed(GroupKind::WorkingGroup),
    };
    Ok(html(tpl::admin_index(&page.ctx, &view)))
}
