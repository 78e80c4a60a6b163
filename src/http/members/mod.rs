//! Members: one's own profile (`/api/v1/me`), creating members, profiles as others see them,
//! and disabling accounts.

mod api;
mod pages;
mod profile;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(api::router())
        .merge(pages::router())
}
