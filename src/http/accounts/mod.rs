//! Accounts: signing in and out (the pages' sessions and the API's bearer tokens), open
//! registration, invitation links and password resets.

mod api;
mod pages;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(api::router())
        .merge(pages::router())
}
