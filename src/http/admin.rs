//! The administration page: the state of the party and where to manage it.

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use super::page::{Page, html};
use super::views::{Tree, kind_view};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::model::GroupKind;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(show_admin))
}

/// Administration (national administrators only).
#[utoipa::path(get, path = "/admin", tag = "pages", responses((status = 200, description = "HTML page"), (status = 403, description = "Not an administrator")))]
async fn show_admin(State(app): State<App>, page: Page) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    if !viewer.is_admin() {
        return Err(AppError::forbidden());
    }
    let tree = Tree::load(&app).await?;
    let managed = |kind| {
        tree.groups
            .iter()
            .filter(|g| g.kind == kind)
            .map(|g| tree.card(g, None))
            .collect::<Vec<_>>()
    };
    let view = tpl::AdminView {
        member_count: app.db.member_count().await?,
        group_counts: app
            .db
            .group_counts_by_kind()
            .await?
            .into_iter()
            .map(|(kind, n)| (kind_view(kind), n))
            .collect(),
        registration_mode: app.config.registration.code().to_owned(),
        national_id: app.db.national_group().await?.map(|id| id.to_string()),
        federations: managed(GroupKind::Federation),
        themes: managed(GroupKind::Theme),
        working_groups: managed(GroupKind::WorkingGroup),
    };
    Ok(html(tpl::admin_index(&page.ctx, &view)))
}
