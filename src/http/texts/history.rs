//! The history pages of a text: named versions (and naming one) and sessions of edits, and the
//! differences between any two points (`text::history`), on the rendered text or its Markdown
//! source.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use super::pages::load;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::extract::FormData;
use crate::http::page::{Page, flash, html, html_with_status, see_other};
use crate::http::paths::TextPath;
use crate::http::views::header_view;
use crate::text::history::{self, Point, PointLabel, Session, Words};
use crate::text::{self, TextContext};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_history))
        .routes(routes!(submit_version))
        .routes(routes!(show_diff))
}

fn version_views(
    versions: &[crate::store::VersionRow],
    names_authors: bool,
) -> Vec<tpl::VersionView> {
    versions
        .iter()
        .map(|v| tpl::VersionView {
            id: v.text_version_id.to_string(),
            label: v.label.clone(),
            author_name: v.author_name.clone().filter(|_| names_authors),
            created_at: v.created_at,
        })
        .collect()
}

fn session_view(session: &Session, words: Option<Words>, names_authors: bool) -> tpl::SessionView {
    tpl::SessionView {
        authors: session
            .authors
            .iter()
            .map(|a| tpl::SessionAuthorView {
                name: a.name.clone().filter(|_| names_authors),
                server: a.author_id.is_none(),
                changes: a.changes,
            })
            .collect(),
        started_at: session.started_at,
        ended_at: session.ended_at,
        batches: session.batches,
        words: words.map(|w| (w.added, w.removed)),
        approximate: words.is_some_and(|w| w.approximate),
        messages: session.messages.clone(),
        from: session.from_point().code(),
        to: session.to_point().code(),
        continues_earlier: session.continues_earlier,
    }
}

/// The history page's view: versions, and the page of sessions before the batch `before`.
pub(super) async fn history_view(
    app: &App,
    ctx: &TextContext,
    before: Option<i64>,
    label_error: Option<String>,
) -> AppResult<tpl::TextHistoryView> {
    let versions = app.db.versions(ctx.text.text_id).await?;
    let (page, words) =
        history::sessions_with_words(&app.db, &app.hub, &app.word_counts, ctx, before).await?;
    Ok(tpl::TextHistoryView {
        header: header_view(ctx),
        versions: version_views(&versions, ctx.names_authors()),
        sessions: page
            .sessions
            .iter()
            .zip(words)
            .map(|(s, w)| session_view(s, w, ctx.names_authors()))
            .collect(),
        paged: before.is_some(),
        older: page.older.map(|id| id.to_string()),
        label_error,
    })
}

#[derive(Deserialize, IntoParams)]
pub struct HistoryParams {
    /// Show the sessions before this stored batch (the `older` link of the previous page).
    before: Option<String>,
}

/// Named versions and sessions of edits, newest first, twenty a page.
#[utoipa::path(get, path = "/texts/{id}/history", tag = "pages", params(("id" = String, Path, description = "Text id"), HistoryParams),
    responses((status = 200, description = "HTML page"), (status = 400, description = "Not a page of the history"), (status = 404, description = "No such text")))]
async fn show_history(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
    Query(params): Query<HistoryParams>,
) -> AppResult<Response> {
    let ctx = load(&app, &page, id).await?;
    let before = history::parse_cursor(params.before.as_deref())?;
    let view = history_view(&app, &ctx, before, None).await?;
    Ok(html(tpl::text_history_page(&page.ctx, &view)))
}

#[derive(Deserialize)]
struct VersionForm {
    label: String,
}

#[utoipa::path(post, path = "/texts/{id}/versions", tag = "pages", params(("id" = String, Path, description = "Text id")),
    responses((status = 303, description = "Back to the history"), (status = 422, description = "The form again, with the error")))]
async fn submit_version(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
    FormData(form): FormData<VersionForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = load(&app, &page, id).await?;
    match text::create_version(&app.db, &app.hub, viewer, &ctx, &form.label).await {
        Ok(_) => {
            flash(&page.session, tpl::t(page.lang(), "flash.version_saved")).await?;
            Ok(see_other(&format!("/texts/{}/history", ctx.text.text_id)))
        }
        Err(AppError::Invalid(fields)) => {
            let view = history_view(&app, &ctx, None, fields.get("label").cloned()).await?;
            Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::text_history_page(&page.ctx, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct DiffParams {
    /// A point: a version id, `e` and a stored batch's id, automerge heads (hex hashes separated
    /// by commas), `start` or `now`. By default the latest named version (else now).
    from: Option<String>,
    /// A point, as `from`; by default `now`.
    to: Option<String>,
    /// `rendered` (the default: the text as read) or `source` (the Markdown).
    view: Option<String>,
}

fn point_label(lang: tpl::Lang, label: &PointLabel) -> String {
    match label {
        PointLabel::Now => tpl::t(lang, "history.point_now"),
        PointLabel::Start => tpl::t(lang, "history.point_start"),
        PointLabel::Version(label) => label.clone(),
        PointLabel::Edit(at) => tpl::t_args(
            lang,
            "history.point_edit",
            &[("date", &tpl::format_datetime(lang, *at))],
        ),
        PointLabel::Heads => tpl::t(lang, "history.point_heads"),
    }
}

/// The differences between two points of the history, on the rendered text (headings,
/// emphasis, lists) or on the Markdown source.
#[utoipa::path(get, path = "/texts/{id}/diff", tag = "pages", params(("id" = String, Path, description = "Text id"), DiffParams),
    responses((status = 200, description = "HTML page"), (status = 400, description = "Not a point of the history"), (status = 404, description = "No such text, version or state")))]
async fn show_diff(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
    Query(params): Query<DiffParams>,
) -> AppResult<Response> {
    let ctx = load(&app, &page, id).await?;
    let source = match params.view.as_deref().map(str::trim) {
        None | Some("") | Some("rendered") => false,
        Some("source") => true,
        Some(other) => {
            return Err(AppError::bad_request(format!(
                "« {other} » n'est pas une vue : « rendered » ou « source »."
            )));
        }
    };
    let versions = app.db.versions(ctx.text.text_id).await?;
    // Without a starting point, compare the latest named version with now.
    let from_raw = params
        .from
        .clone()
        .or_else(|| versions.first().map(|v| v.text_version_id.to_string()));
    let from = Point::parse(from_raw.as_deref())?;
    let to = Point::parse(params.to.as_deref())?;
    let mut sides = history::resolve_points(&app.db, &app.hub, &ctx, &[from.clone(), to.clone()])
        .await?
        .into_iter();
    let (Some((old, from_label)), Some((new, to_label))) = (sides.next(), sides.next()) else {
        return Err(AppError::Internal(anyhow::anyhow!("two points, two sides")));
    };
    let lang = page.lang();
    let (source_html, rendered_html, diff) = if source {
        let diff = text::diff(old, new).await?;
        (Some(diff.html.clone()), None, diff)
    } else {
        let rendered = history::rendered_comparison(&app.db, &ctx, &old, &new).await?;
        let mut diff = text::diff(old, new).await?;
        diff.truncated |= rendered.truncated;
        (None, Some(rendered.html), diff)
    };
    // The compared points that are not in the form's list (now and the versions) join it.
    let extra_points = [(&from, &from_label), (&to, &to_label)]
        .into_iter()
        .filter(|(point, _)| !matches!(point, Point::Now | Point::Version(_)))
        .map(|(point, label)| tpl::PointOption {
            code: point.code(),
            label: point_label(lang, label),
        })
        .fold(Vec::new(), |mut points: Vec<tpl::PointOption>, p| {
            if !points.iter().any(|q| q.code == p.code) {
                points.push(p);
            }
            points
        });
    let view = tpl::TextDiffView {
        header: header_view(&ctx),
        from_label: point_label(lang, &from_label),
        to_label: point_label(lang, &to_label),
        rendered_html,
        source_html,
        insertions: diff.insertions,
        deletions: diff.deletions,
        truncated: diff.truncated,
        versions: version_views(&versions, ctx.names_authors()),
        extra_points,
        from: from.code(),
        to: to.code(),
    };
    Ok(html(tpl::text_diff_page(&page.ctx, &view)))
}
