//! Groups: federations, sections, themes and working groups — their JSON routes (`api.rs`),
//! their pages (`pages.rs`: group, theme, directory, management), what both show (`detail.rs`,
//! `directory.rs`), their pending invitations and the removal of a member.

mod api;
mod detail;
mod directory;
mod invitations;
mod pages;
mod removal;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(api::router())
        .merge(pages::router())
        .merge(invitations::router())
        .merge(removal::router())
}
