//! Search: `GET /api/v1/search`, answered from the live index (`crate::indexing`). Pages come
//! with the search issue.

mod api;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().merge(api::router())
}
