//! Texts: the JSON routes and the live sync socket, the reading, editing and numbered pages,
//! and the history and comparison pages.

mod amend_links;
mod api;
mod history;
mod pages;
mod sync_socket;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(api::router())
        .merge(pages::router())
        .merge(history::router())
}
