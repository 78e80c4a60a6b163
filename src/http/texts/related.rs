//! « On en parle aussi ailleurs » for a text and for one of its paragraphs (issue 14, point 6):
//! the most similar paragraphs, amendments and debates of other groups and themes, among what
//! the reader may see. The text's is a section of its reading view (`pages.rs` asks for it
//! here); a paragraph's has a page, `GET /texts/{id}/paragraphs/{n}/related`, and the JSON
//! `GET /api/v1/texts/{id}/paragraphs/{n}/related`.
//!
//! Both look like the text as it is now (its current rendering, kept by `text::Renders`), not
//! like its indexed copy: the page never waits for the index to catch up with an edit.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_search::{Like, RelatedQuery};
use atelier_templates as tpl;

use crate::app::App;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::MaybeMember;
use crate::http::page::{Page, html};
use crate::http::paths::{ParagraphPath, TextPath};
use crate::http::related::{self, Elsewhere, HitOut, RELATED, WORK};
use crate::http::views::header_view;
use crate::indexing::Unavailable;
use crate::markup::{Paragraph, Rendered};
use crate::model::TextId;
use crate::text::{self, TextContext};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_paragraph_related))
        .routes(routes!(get_paragraph_related))
}

/// How many related works a paragraph's page and route answer (a page of its own: a few more
/// than a section of the reading view).
const PARAGRAPH_RELATED: usize = 10;

/// What a text is about, for the related search of its reading view: its title and headings
/// (which summarise the whole of it), then its paragraphs from the start, at most
/// `related::MAX_LIKE_CHARS` characters in all, so that a convention's long text costs no more
/// than a short one.
fn text_like(title: &str, rendered: &Rendered) -> String {
    let mut like = String::with_capacity(related::MAX_LIKE_CHARS + 256);
    like.push_str(title);
    let lines = rendered.toc.iter().map(|entry| entry.text.as_str()).chain(
        rendered
            .paragraphs
            .iter()
            .flat_map(|p| p.lines.iter().map(String::as_str)),
    );
    let mut chars = title.chars().count();
    for line in lines {
        if chars >= related::MAX_LIKE_CHARS {
            break;
        }
        like.push('\n');
        like.push_str(line);
        chars += line.chars().count() + 1;
    }
    related::bounded(&like).to_owned()
}

/// The related search of a text's reading view: like the text, elsewhere than its group and
/// theme.
pub(super) fn of_text(ctx: &TextContext, rendered: &Rendered) -> RelatedQuery {
    related::query(
        ctx.viewer.as_ref(),
        Like::Text(text_like(&ctx.text.title, rendered)),
        &WORK,
        Elsewhere::than(format!("text:{}", ctx.text.text_id), &ctx.group),
        RELATED,
    )
}

/// The paragraph `n` of the text as it is now (404 without it), and the related search for it.
async fn paragraph(
    app: &App,
    viewer: Option<&Viewer>,
    id: TextId,
    n: usize,
) -> AppResult<(TextContext, Paragraph, RelatedQuery)> {
    let ctx = text::load_text(&app.db, viewer, id).await?;
    let current = app
        .hub
        .read(ctx.text.text_id, None)
        .await
        .map_err(text::hub_error)?;
    let rendering = app.renders.render(&app.db, &ctx, &current).await?;
    let paragraph = rendering
        .rendered
        .paragraphs
        .iter()
        .find(|p| p.number == n)
        .cloned()
        .ok_or_else(AppError::not_found)?;
    let query = related::query(
        viewer,
        Like::Text(related::bounded(&paragraph.lines.join(" ")).to_owned()),
        &WORK,
        Elsewhere::than(format!("text:{}", ctx.text.text_id), &ctx.group),
        PARAGRAPH_RELATED,
    );
    Ok((ctx, paragraph, query))
}

/// A paragraph's related work: what other groups and themes wrote that is most like it.
#[utoipa::path(get, path = "/texts/{id}/paragraphs/{n}/related", tag = "pages",
    params(("id" = String, Path, description = "Text id"), ("n" = usize, Path, description = "The paragraph's number (« § n »)")),
    responses((status = 200, description = "HTML page"), (status = 404, description = "No such text or paragraph")))]
async fn show_paragraph_related(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
    ParagraphPath(n): ParagraphPath,
) -> AppResult<Response> {
    let (ctx, paragraph, query) = paragraph(&app, page.viewer.as_ref(), id, n).await?;
    let (related, rebuilding) = match related::hits(&app, query).await {
        Ok(hits) => (hits.iter().map(related::work_view).collect(), false),
        Err(e) => {
            tracing::debug!(error = %e, "a paragraph's related work is not available");
            (Vec::new(), matches!(e, Unavailable::Rebuilding))
        }
    };
    let view = tpl::ParagraphRelatedView {
        header: header_view(&ctx),
        number: paragraph.number,
        anchor: paragraph.anchor,
        text: paragraph.lines.join(" "),
        related,
        rebuilding,
    };
    Ok(html(tpl::paragraph_related_page(&page.ctx, &view)))
}

/// A paragraph's related work, as JSON.
#[derive(Serialize, ToSchema)]
pub struct ParagraphRelatedOut {
    /// The paragraph's number.
    paragraph: usize,
    /// The most similar paragraphs, amendments and debates of other groups and themes that
    /// the caller may see, best first.
    hits: Vec<HitOut>,
}

/// The paragraphs, amendments and debates of other groups and themes most like a paragraph of
/// a text, among what the caller may see (signed in or not).
#[utoipa::path(get, path = "/api/v1/texts/{id}/paragraphs/{n}/related", tag = "search",
    params(("id" = String, Path, description = "Text id"), ("n" = usize, Path, description = "The paragraph's number (« § n »)")),
    responses((status = 200, body = ParagraphRelatedOut), (status = 404, body = ErrorBody, description = "No such text or paragraph"),
        (status = 503, body = ErrorBody, description = "The index is being rebuilt: ask again soon")))]
async fn get_paragraph_related(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    TextPath(id): TextPath,
    ParagraphPath(n): ParagraphPath,
) -> AppResult<Response> {
    let (_, paragraph, query) = paragraph(&app, viewer.as_ref(), id, n).await?;
    match related::hits(&app, query).await {
        Ok(hits) => Ok(Json(ParagraphRelatedOut {
            paragraph: paragraph.number,
            hits: hits.iter().map(HitOut::from).collect(),
        })
        .into_response()),
        Err(Unavailable::Rebuilding) => Ok(related::rebuilding()),
        Err(e) => Err(AppError::Internal(e.into())),
    }
}
