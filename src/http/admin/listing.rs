//! The searchable, paginated list of accounts that the API and the administrators' page both
//! give (administrators only).

use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::App;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::store::AccountRow;

const ACCOUNTS_PAGE: i64 = 50;

#[derive(Deserialize, IntoParams)]
pub struct AccountsQuery {
    /// Part of a name or of an address.
    pub q: Option<String>,
    /// From 1.
    pub page: Option<u32>,
}

/// One page of the accounts matching the query (administrators only).
pub(super) async fn accounts(
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
