//! Archived debates (issue 14, point 7): `/debates` and `/debates/{id}` (`pages.rs`), and
//! `GET /api/v1/debates` and `GET /api/v1/debates/{id}` (`api.rs`), both from `listing.rs`
//! (the filters, a page of debates, the groups a debate may be shown placed in). Debates are
//! public and read-only; they come from `atelier import debates`.

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
