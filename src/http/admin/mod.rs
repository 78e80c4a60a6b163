//! Administration: the administration page and the searchable, paginated list of accounts
//! (`/admin/members` and `GET /api/v1/members`).

mod pages;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    pages::router()
}
