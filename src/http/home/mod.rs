//! A member's way in: the home page with their work, the welcome page an accepted invitation
//! lands on, the language switch, and joining a text's group to write it.

mod pages;
mod workspace;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(pages::router())
        .merge(workspace::router())
}
