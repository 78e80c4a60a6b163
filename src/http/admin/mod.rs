//! Administration: the administration page and the searchable, paginated list of accounts
//! (`/admin/members` and `GET /api/v1/members`, both from `listing.rs`).

mod api;
mod listing;
mod pages;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(api::router())
        .merge(pages::router())
}
