//! Texts: the JSON routes and the live sync socket, the reading, editing and numbered pages,
//! the history and comparison pages, and related work elsewhere (a text's, a paragraph's).

mod amend_links;
mod api;
mod history;
mod pages;
mod related;
mod sync_socket;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(api::router())
        .merge(pages::router())
        .merge(history::router())
        .merge(related::router())
}
