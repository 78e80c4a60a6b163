//! The administration page: the state of the party and where to manage it.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use super::extract::CurrentMember;
use super::page::{Page, html};
use super::views::{Tree, kind_view};
use crate::app::App;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::model::{GroupKind, MemberId};
use crate::store::AccountRow;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_admin))
        .routes(routes!(list_accounts))
        .routes(routes!(show_accounts))
}

const ACCOUNTS_PAGE: i64 = 50;

#[derive(Deserialize, IntoParams)]
pub struct AccountsQuery {
    /// Part of a name or of an address.
    q: Option<String>,
    /// From 1.
    page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    id: MemberId,
    name: String,
    email: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    disabled: bool,
    /// An administrator of the national group.
    is_admin: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AccountsOut {
    total: i64,
    page: u32,
    pages: u32,
    accounts: Vec<AccountOut>,
}

/// One page of the accounts matching the query (administrators only).
async fn accounts(
    app: &App,
    viewer: &Viewer,
    query: &AccountsQuery,
) -> AppResult<(Vec<AccountRow>, i64, u32, u32)> {
    if !viewer.can_administer_accounts() {
        return Err(AppError::forbidden());
    }
    let q = query.q.as_deref().unwrap_or("");
    if q.chars().count() > 200 {
        return Err(AppError::invalid_field(
            "q",
            "La recherche tient en 200 caractères au plus.",
        ));
    }
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let (rows, total) = app
        .db
        .accounts(q, ACCOUNTS_PAGE, i64::from(page - 1) * ACCOUNTS_PAGE)
        .await?;
    let pages = u32::try_from((total + ACCOUNTS_PAGE - 1) / ACCOUNTS_PAGE)
        .unwrap_or(u32::MAX)
        .max(1);
    Ok((rows, total, page, pages))
}

/// Every account, by name, searched by part of a name or address (administrators only).
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(AccountsQuery), security(("bearer" = [])),
    responses((status = 200, body = AccountsOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_accounts(
    State(app): State<App>,
    current: CurrentMember,
    Query(query): Query<AccountsQuery>,
) -> AppResult<Json<AccountsOut>> {
    let (rows, total, page, pages) = accounts(&app, &current.viewer, &query).await?;
    Ok(Json(AccountsOut {
        total,
        page,
        pages,
        accounts: rows
            .into_iter()
            .map(|row| AccountOut {
                id: row.member_id,
                name: row.name,
                email: row.email,
                created_at: row.created_at,
                disabled: row.disabled_at.is_some(),
                is_admin: row.is_admin,
            })
            .collect(),
    }))
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
