//! Removing a member from a group, from its management page: a confirmation page that says all
//! that ends (`organisation::removal_plan`), then the removal. The API's DELETE is in `api.rs`.

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::page::{Page, flash, html, see_other};
use crate::http::paths::{GroupMemberPath, GroupPath};
use crate::http::views::{kind_view, role_view};
use crate::organisation;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(show_remove_member, submit_remove_member))
}

/// Asks before removing a member from the group, saying what ends with it (managers, or the
/// member themselves).
#[utoipa::path(get, path = "/groups/{id}/members/{member_id}/remove", tag = "pages", params(("id" = String, Path), ("member_id" = String, Path)),
    responses((status = 200, description = "HTML page"), (status = 403, description = "Not a manager, or the member's roles are above the viewer's"), (status = 404, description = "Not a member of the group")))]
async fn show_remove_member(
    State(app): State<App>,
    page: Page,
    GroupPath(group): GroupPath,
    GroupMemberPath(member): GroupMemberPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), group).await?;
    let is_self = member == viewer.member_id;
    if !is_self && !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let plan = organisation::removal_plan(&app.db, &ctx, member).await?;
    let Some((here, below)) = plan.split_first() else {
        return Err(AppError::not_found());
    };
    if !is_self && !ctx.access.can_remove(plan.iter().map(|m| m.role)) {
        return Err(AppError::forbidden_because(
            "Ce membre a un rôle supérieur au vôtre dans ce groupe ou dans un groupe en dessous.",
        ));
    }
    let name = app
        .db
        .member(member)
        .await?
        .map(|row| row.name)
        .ok_or_else(AppError::not_found)?;
    let view = tpl::RemoveMemberView {
        group_id: ctx.group.group_id.to_string(),
        group_name: ctx.group.name.clone(),
        member_id: member.to_string(),
        member_name: name,
        role: role_view(here.role),
        below: below
            .iter()
            .map(|m| tpl::EndedMembershipView {
                group_name: m.name.clone(),
                kind: kind_view(m.kind),
                role: role_view(m.role),
            })
            .collect(),
        is_self,
    };
    Ok(html(tpl::remove_member_page(&page.ctx, &view)))
}

/// Removes the member (the confirmation page's button).
#[utoipa::path(post, path = "/groups/{id}/members/{member_id}/remove", tag = "pages", params(("id" = String, Path), ("member_id" = String, Path)),
    responses((status = 303, description = "Back to the management page (home, for oneself)"), (status = 403, description = "Not allowed"), (status = 409, description = "The group's last secretary")))]
async fn submit_remove_member(
    State(app): State<App>,
    page: Page,
    GroupPath(group): GroupPath,
    GroupMemberPath(member): GroupMemberPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), group).await?;
    organisation::remove_member(&app.db, viewer, &ctx, member).await?;
    if member == viewer.member_id {
        // Home, not the group: a private group is hidden from whoever left it.
        flash(&page.session, tpl::t(page.lang(), "flash.left_group")).await?;
        return Ok(see_other("/"));
    }
    flash(&page.session, tpl::t(page.lang(), "flash.member_removed")).await?;
    Ok(see_other(&format!("/groups/{group}/manage")))
}
