//! Groups: federations, sections, themes and working groups — their JSON routes, their pages
//! (group, theme, directory, management), their pending invitations and the removal of a
//! member.

mod api;
mod invitations;
mod removal;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(api::router())
        .merge(invitations::router())
        .merge(removal::router())
}
