//! Members: one's own profile (`/api/v1/me`), creating members, profiles as others see them,
//! and disabling accounts.

mod api;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    api::router()
}
