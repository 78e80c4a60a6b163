//! Search: `GET /api/v1/search` and the `/search` page, answered from the live index
//! (`crate::indexing`) with the caller's grants in the query.

mod api;
mod pages;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(api::router())
        .merge(pages::router())
}
