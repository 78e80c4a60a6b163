//! Groups' pages: the organisation, a group's (or theme's) page, its directory and its
//! management page with the forms it posts (roles, invitations, settings, sub-groups), joining.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use super::detail::group_detail;
use super::directory::{DirectoryQuery, directory, directory_entry};
use super::invitations::pending_views;
use crate::accounts;
use crate::app::App;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::http::extract::FormData;
use crate::http::page::{Page, flash, html, see_other};
use crate::http::paths::GroupPath;
use crate::http::related::{self, Elsewhere};
use crate::http::views;
use crate::model::{GroupId, GroupKind, Role};
use crate::organisation::{self, GroupContext, NewGroup, parse_role};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_groups, submit_new_group))
        .routes(routes!(show_group))
        .routes(routes!(show_directory, submit_member_role))
        .routes(routes!(show_manage_group))
        .routes(routes!(submit_group_edit))
        .routes(routes!(submit_invitation))
        .routes(routes!(submit_join))
}

/// The organisation: federations and sections, themes, working groups.
#[utoipa::path(get, path = "/groups", tag = "pages", responses((status = 200, description = "HTML page")))]
async fn show_groups(State(app): State<App>, page: Page) -> AppResult<Response> {
    let view = views::groups_index(&app, page.viewer.as_ref()).await?;
    Ok(html(tpl::groups_index(&page.ctx, &view)))
}

async fn group_view(
    app: &App,
    ctx: &GroupContext,
    viewer: Option<&Viewer>,
    lang: tpl::Lang,
) -> AppResult<tpl::GroupView> {
    let detail = group_detail(app, ctx, viewer).await?;
    // The activity names members: only for those who may see the directory.
    let activity = if ctx.access.can_see_directory {
        app.db
            .activity_in(ctx.group.group_id, 10)
            .await?
            .iter()
            .map(|a| views::activity_item(lang, a))
            .collect()
    } else {
        Vec::new()
    };
    let mut view = views::group_view(
        ctx,
        activity,
        detail.member_count,
        detail
            .children
            .iter()
            .map(|c| (c.id, c.kind, c.name.clone(), c.member_count))
            .collect(),
    );
    view.texts = app
        .db
        .recent_texts(ctx.group.group_id, 100)
        .await?
        .into_iter()
        .map(views::text_list_item)
        .collect();
    view.can_create_text = viewer.is_some_and(|v| crate::text::can_create_in(v, ctx));
    Ok(view)
}

/// A group's page (a theme's page for themes).
#[utoipa::path(get, path = "/groups/{id}", tag = "pages", params(("id" = String, Path)), responses((status = 200, description = "HTML page"), (status = 404, description = "No such group, or hidden")))]
async fn show_group(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
) -> AppResult<Response> {
    let ctx = organisation::load_group(&app.db, page.viewer.as_ref(), id).await?;
    let mut view = group_view(&app, &ctx, page.viewer.as_ref(), page.lang()).await?;
    if ctx.group.kind == GroupKind::Theme {
        view.related = related::work(&app, theme_related(&ctx, &view, page.viewer.as_ref())).await;
    }
    Ok(html(tpl::group_page(&page.ctx, &view)))
}

/// How many of a theme's texts' titles say what it is about, for its related work.
const THEME_TITLES: usize = 50;

/// « On en parle aussi ailleurs » on a theme's page: the work of other themes and groups most
/// like the theme — its name, its description and its texts' titles (the latest
/// [`THEME_TITLES`]) —, among what the viewer may see.
fn theme_related(
    ctx: &GroupContext,
    view: &tpl::GroupView,
    viewer: Option<&Viewer>,
) -> atelier_search::RelatedQuery {
    let mut like = format!("{}\n{}", ctx.group.name, ctx.group.description);
    for text in view.texts.iter().take(THEME_TITLES) {
        like.push('\n');
        like.push_str(&text.title);
    }
    related::query(
        viewer,
        atelier_search::Like::Text(related::bounded(&like).to_owned()),
        &related::WORK,
        Elsewhere::than(format!("group:{}", ctx.group.group_id), ctx),
        related::RELATED,
    )
}

/// A group's member directory.
#[utoipa::path(get, path = "/groups/{id}/members", tag = "pages", params(("id" = String, Path), DirectoryQuery), responses((status = 200, description = "HTML page")))]
async fn show_directory(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
    Query(query): Query<DirectoryQuery>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), id).await?;
    let out = directory(&app, &ctx, &query).await?;
    let view = tpl::DirectoryView {
        group_id: ctx.group.group_id.to_string(),
        group_name: ctx.group.name.clone(),
        members: out.members.into_iter().map(directory_entry).collect(),
        page: out.page,
        pages: out.pages,
        query: query.q.unwrap_or_default(),
    };
    Ok(html(tpl::directory(&page.ctx, &view)))
}

async fn manage_view(
    app: &App,
    ctx: &GroupContext,
    viewer: &Viewer,
    lang: tpl::Lang,
) -> AppResult<tpl::ManageGroupView> {
    let out = directory(
        app,
        ctx,
        &DirectoryQuery {
            q: None,
            page: Some(1),
        },
    )
    .await?;
    Ok(tpl::ManageGroupView {
        invitations: pending_views(app, ctx).await?,
        group: group_view(app, ctx, Some(viewer), lang).await?,
        members: out.members.into_iter().map(directory_entry).collect(),
        assignable_roles: Role::ALL
            .iter()
            .copied()
            .filter(|r| ctx.access.can_grant(*r))
            .map(views::role_view)
            .collect(),
        creatable_kinds: GroupKind::ALL
            .iter()
            .copied()
            .filter(|k| ctx.access.can_create_child(ctx.group.kind, *k))
            .map(views::kind_view)
            .collect(),
    })
}

/// Managing a group: roles, invitations, sub-groups, settings (secretaries and above).
#[utoipa::path(get, path = "/groups/{id}/manage", tag = "pages", params(("id" = String, Path)), responses((status = 200, description = "HTML page"), (status = 403, description = "Not a manager")))]
async fn show_manage_group(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), id).await?;
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let view = manage_view(&app, &ctx, viewer, page.lang()).await?;
    Ok(html(tpl::manage_group(
        &page.ctx,
        &view,
        &FieldErrors::new(),
    )))
}

/// Re-renders the management page with errors next to their fields, or applies `result`. The
/// page is shown to the group's managers only: anyone else gets the error alone.
async fn manage_outcome(
    app: &App,
    page: &Page,
    ctx: &GroupContext,
    result: AppResult<()>,
    done: &str,
) -> AppResult<Response> {
    match result {
        Err(e) if !ctx.access.can_manage => Err(e),
        Ok(()) => {
            flash(&page.session, tpl::t(page.lang(), done)).await?;
            Ok(see_other(&format!("/groups/{}/manage", ctx.group.group_id)))
        }
        Err(AppError::Invalid(fields)) => {
            let viewer = page.require_viewer()?;
            let view = manage_view(app, ctx, viewer, page.lang()).await?;
            let mut response = html(tpl::manage_group(&page.ctx, &view, &fields));
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e),
    }
}

/// Renames the fields of a validation error, for a page with several forms.
fn prefix_fields(error: AppError, prefix: &str) -> AppError {
    match error {
        AppError::Invalid(fields) => AppError::Invalid(
            fields
                .into_iter()
                .map(|(field, message)| (format!("{prefix}{field}"), message))
                .collect(),
        ),
        other => other,
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    member_id: Option<String>,
    /// Invites by address when no member_id is given.
    email: Option<String>,
    role: String,
}

/// Sets a member's role (form of the management page).
#[utoipa::path(post, path = "/groups/{id}/members", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the management page")))]
async fn submit_member_role(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
    FormData(form): FormData<RoleForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), id).await?;
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let member_id = form.member_id.as_deref().filter(|s| !s.is_empty());
    let Some(member_id) = member_id else {
        // By address: an invitation, whether the address has an account or not, and the same
        // answer either way (the account's owner accepts it signed in; anyone else creates the
        // account). Saying "no account with this address" would tell any manager who is a member.
        let result = match form.email.as_deref() {
            Some(email) => {
                accounts::invite(&app.db, &app.mailer, viewer, &ctx, email, &form.role).await
            }
            None => Err(AppError::invalid_field(
                "email",
                "Indiquez l'adresse e-mail du membre.",
            )),
        };
        return manage_outcome(&app, &page, &ctx, result, "flash.invitation_sent").await;
    };
    let result = async {
        let role = parse_role(&form.role)?;
        let member = member_id
            .parse()
            .map_err(|_| AppError::invalid_field("member_id", "Ce membre n'existe pas."))?;
        organisation::set_role(&app.db, viewer, &ctx, member, role).await
    }
    .await;
    manage_outcome(&app, &page, &ctx, result, "flash.role_saved").await
}

#[derive(Deserialize)]
pub struct EditForm {
    name: String,
    #[serde(default)]
    description: String,
    visibility: String,
}

/// Saves a group's name, description and visibility.
#[utoipa::path(post, path = "/groups/{id}/edit", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the management page")))]
async fn submit_group_edit(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
    FormData(form): FormData<EditForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), id).await?;
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let result = async {
        let parsed = NewGroup::parse(
            ctx.group.kind.code(),
            &form.name,
            Some(&form.description),
            None,
            Some(&form.visibility),
        )
        .map_err(AppError::invalid)?;
        app.db
            .update_group(
                ctx.group.group_id,
                parsed.name.as_str(),
                &parsed.description,
                parsed.visibility,
                Some(viewer.member_id),
            )
            .await?;
        Ok(())
    }
    .await;
    manage_outcome(&app, &page, &ctx, result, "flash.group_saved").await
}

#[derive(Deserialize)]
pub struct InvitationForm {
    email: String,
    role: String,
}

/// Sends an invitation (form of the management page).
#[utoipa::path(post, path = "/groups/{id}/invitations", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the management page")))]
async fn submit_invitation(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
    FormData(form): FormData<InvitationForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), id).await?;
    let result =
        accounts::invite(&app.db, &app.mailer, viewer, &ctx, &form.email, &form.role).await;
    // The invitation form's fields are named apart from the add-a-member form's on that page.
    let result = result.map_err(|e| prefix_fields(e, "invitation_"));
    manage_outcome(&app, &page, &ctx, result, "flash.invitation_sent").await
}

/// Joins a theme (form of the theme page).
#[utoipa::path(post, path = "/groups/{id}/join", tag = "pages", params(("id" = String, Path)), responses((status = 303, description = "Back to the group")))]
async fn submit_join(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = organisation::load_group(&app.db, Some(viewer), id).await?;
    organisation::join(&app.db, viewer, &ctx).await?;
    flash(&page.session, tpl::t(page.lang(), "flash.joined")).await?;
    Ok(see_other(&format!("/groups/{}", ctx.group.group_id)))
}

#[derive(Deserialize)]
pub struct NewGroupForm {
    kind: String,
    name: String,
    parent_id: Option<String>,
    visibility: Option<String>,
    #[serde(default)]
    description: String,
}

/// Creates a group (form of the management and admin pages).
#[utoipa::path(post, path = "/groups", tag = "pages", responses((status = 303, description = "To the new group")))]
async fn submit_new_group(
    State(app): State<App>,
    page: Page,
    FormData(form): FormData<NewGroupForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let parent = form
        .parent_id
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<GroupId>().map_err(|_| AppError::not_found()))
        .transpose()?;
    let created = async {
        let new = NewGroup::parse(
            &form.kind,
            &form.name,
            Some(&form.description),
            parent,
            form.visibility.as_deref(),
        )
        .map_err(AppError::invalid)?;
        organisation::create_group(&app.db, viewer, new).await
    }
    .await;
    match (created, parent) {
        (Ok(id), _) => {
            flash(&page.session, tpl::t(page.lang(), "flash.group_created")).await?;
            Ok(see_other(&format!("/groups/{id}")))
        }
        // From a group's management page: back to it, with the errors next to the sub-group form.
        (Err(e @ AppError::Invalid(_)), Some(parent)) => {
            let ctx = organisation::load_group(&app.db, Some(viewer), parent).await?;
            manage_outcome(&app, &page, &ctx, Err(prefix_fields(e, "new_")), "").await
        }
        (Err(e), _) => Err(e),
    }
}
