//! The administrators' JSON list of accounts, `GET /api/v1/members`.

use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::listing::{AccountsQuery, accounts};
use crate::app::App;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::CurrentMember;
use crate::model::MemberId;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(list_accounts))
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
