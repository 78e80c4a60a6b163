//! Amendments: the JSON routes of API.md's « Amendments » (`api.rs`) and their pages
//! (`pages.rs`), and filing at paragraph level without JavaScript (`filing.rs`). Merging comes with a later step of issue 13.

mod api;
mod filing;
mod pages;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(api::router())
        .merge(pages::router())
        .merge(filing::router())
}
