//! A member's way to the texts: the lists of texts to work on (home and welcome pages), the
//! page an accepted invitation lands on, and joining a text's theme from its editor to write it.
//!
//! Everything here reads from the store's caches (the tree, each group's latest texts, the
//! member's visits): a warm home page reads nothing from the database.

use axum::extract::State;
use axum::response::Response;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use crate::app::App;
use crate::auth::Viewer;
use crate::auth::permissions::{Access, TextRights, WriteBar};
use crate::error::AppResult;
use crate::http::page::{Page, flash, html, see_other};
use crate::http::paths::TextPath;
use crate::http::views::{Tree, text_kind_view, text_status_view};
use crate::model::{GroupKind, TextKind, TextStatus};
use crate::store::cache::TEXTS_KEPT;
use crate::store::{GroupRow, TextSummary, Visit};
use crate::text;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_welcome))
        .routes(routes!(submit_join_to_write))
}

/// The most texts a list of the home or welcome page shows.
const LISTED: usize = 20;

/// The member's visits, recording this view (at most every few minutes: `store::visits`);
/// answers from when news count (`None` during a first visit).
pub async fn visit_now(app: &App, viewer: &Viewer) -> AppResult<Option<OffsetDateTime>> {
    let now = crate::store::now();
    let visit: Visit = app.db.visit(viewer.member_id).await?;
    if visit.needs_recording(now) {
        app.db.record_visit(viewer.member_id, now).await?;
    }
    Ok(visit.since(now))
}

/// A group with the viewer's access to it, from the tree in memory.
pub struct Placed<'a> {
    pub group: &'a GroupRow,
    pub access: Access,
}

/// The groups the viewer holds a membership in, with their access there.
pub fn my_groups<'a>(tree: &'a Tree, viewer: &Viewer) -> Vec<Placed<'a>> {
    viewer
        .memberships()
        .filter_map(|(id, _)| tree.groups.iter().find(|g| g.group_id == id))
        .map(|group| Placed {
            group,
            access: Access::to_group(Some(viewer), group, &tree.chain(group.group_id)),
        })
        .collect()
}

/// The themes the viewer may see and join, and has not.
fn open_themes<'a>(tree: &'a Tree, viewer: &Viewer) -> Vec<Placed<'a>> {
    tree.groups
        .iter()
        .filter(|g| g.kind == GroupKind::Theme)
        .map(|group| Placed {
            group,
            access: Access::to_group(Some(viewer), group, &tree.chain(group.group_id)),
        })
        .filter(|placed| placed.access.can_join)
        .collect()
}

/// The latest texts of each group (from the cache), each with whether « Contribuer » is offered
/// there, latest change first.
async fn texts_in(
    app: &App,
    viewer: &Viewer,
    groups: &[Placed<'_>],
) -> AppResult<Vec<(TextSummary, bool)>> {
    let mut texts = Vec::new();
    for placed in groups {
        let contribute = TextRights::in_group(Some(viewer), &placed.access)
            .writing_within_reach(viewer, &placed.access);
        let latest = app
            .db
            .recent_texts(placed.group.group_id, TEXTS_KEPT as i64)
            .await?;
        texts.extend(latest.into_iter().map(|t| (t, contribute)));
    }
    texts.sort_by_key(|(t, _)| std::cmp::Reverse((t.updated_at, t.text_id)));
    Ok(texts)
}

fn is_drafted_programme(text: &TextSummary) -> bool {
    text.kind == TextKind::Programme && text.status == TextStatus::Drafting
}

fn work_item(text: &TextSummary, contribute: bool, since: Option<OffsetDateTime>) -> tpl::WorkItem {
    tpl::WorkItem {
        id: text.text_id.to_string(),
        title: text.title.clone(),
        group_name: text.group_name.clone(),
        kind: text_kind_view(text.kind),
        status: text_status_view(text.status),
        updated_at: text.updated_at,
        is_new: since.is_some_and(|s| text.updated_at > s),
        // Only a drafting text is written in the editor; the others change otherwise.
        can_contribute: contribute && text.status == TextStatus::Drafting,
    }
}

/// The home page's lists of work: the programme texts being drafted in the member's groups,
/// and, after a previous visit, every text of theirs changed since.
pub struct Work {
    pub drafting: Vec<tpl::WorkItem>,
    pub changed: Vec<tpl::WorkItem>,
}

pub async fn work(
    app: &App,
    viewer: &Viewer,
    tree: &Tree,
    since: Option<OffsetDateTime>,
) -> AppResult<Work> {
    let texts = texts_in(app, viewer, &my_groups(tree, viewer)).await?;
    let drafting = texts
        .iter()
        .filter(|(t, _)| is_drafted_programme(t))
        .take(LISTED)
        .map(|(t, contribute)| work_item(t, *contribute, since))
        .collect();
    let changed = match since {
        None => Vec::new(),
        Some(since) => texts
            .iter()
            .filter(|(t, _)| t.updated_at > since)
            .take(LISTED)
            .map(|(t, contribute)| work_item(t, *contribute, Some(since)))
            .collect(),
    };
    Ok(Work { drafting, changed })
}

/// Where an accepted invitation lands: the programme texts being drafted in the member's
/// section and themes, then in the themes open to them, each with « Lire » and « Contribuer ».
#[utoipa::path(get, path = "/welcome", tag = "pages", responses((status = 200, description = "HTML page"), (status = 303, description = "Not signed in: to the sign-in page")))]
async fn show_welcome(State(app): State<App>, page: Page) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    visit_now(&app, viewer).await?;
    let tree = Tree::load(&app).await?;
    let mine = my_groups(&tree, viewer);
    let drafted = |texts: Vec<(TextSummary, bool)>| -> Vec<tpl::WorkItem> {
        texts
            .iter()
            .filter(|(t, _)| is_drafted_programme(t))
            .take(LISTED)
            .map(|(t, contribute)| work_item(t, *contribute, None))
            .collect()
    };
    let view = tpl::WelcomeView {
        group_names: mine.iter().map(|p| p.group.name.clone()).collect(),
        drafting: drafted(texts_in(&app, viewer, &mine).await?),
        open_drafting: drafted(texts_in(&app, viewer, &open_themes(&tree, viewer)).await?),
    };
    Ok(html(tpl::welcome(&page.ctx, &view)))
}

/// The editor's « Rejoindre ce thème pour modifier »: joins the text's theme (or working group)
/// and comes back to the editor, where the member may now write. Refused, saying why, when
/// joining would not let them write (a section they are not in, a supporter…).
#[utoipa::path(post, path = "/texts/{id}/join", tag = "pages", params(("id" = String, Path, description = "Text id")),
    responses((status = 303, description = "Back to the text's editor"), (status = 403, description = "Joining would not let the reader write: why"), (status = 404, description = "No such text")))]
async fn submit_join_to_write(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = text::load_text(&app.db, Some(viewer), id).await?;
    let joins = ctx.write_bar == Some(WriteBar::JoinToWrite);
    text::join_to_write(&app.db, viewer, &ctx).await?;
    if joins {
        let message = tpl::t_args(
            page.lang(),
            "flash.joined_to_write",
            &[("group", &ctx.group.group.name)],
        );
        flash(&page.session, message).await?;
    }
    Ok(see_other(&format!("/texts/{}/edit", ctx.text.text_id)))
}
