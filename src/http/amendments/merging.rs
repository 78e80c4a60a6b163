//! Merging amendments from the pages, and provenance. An amendment's page posts `merge` here; a
//! text's list posts « merge every adopted amendment »; two overlapping adopted amendments are
//! shown side by side (`/amendments/{id}/conflict/{other}`), where the organiser keeps one or
//! writes a combined wording. « D'où vient ce passage ? » is `/texts/{id}/provenance`, its JSON
//! `GET /api/v1/texts/{id}/provenance`. All go through `crate::amendments`, as the API does.

use std::collections::HashMap;

use atelier_templates as tpl;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::pages::{after_action, href};
use crate::amendments::{self, AmendableText, TextProvenance};
use crate::app::App;
use crate::error::{AppError, AppResult, ErrorBody, FieldErrors};
use crate::http::extract::{FormData, MaybeMember};
use crate::http::page::{Page, flash, html, html_with_status, see_other};
use crate::http::paths::{AmendmentPath, OtherAmendmentPath, TextPath};
use crate::http::views::header_view;
use crate::model::{AmendmentId, GroupId, MemberId, TextId};
use crate::organisation;
use crate::store::AmendmentRow;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(merge_amendment))
        .routes(routes!(merge_all_adopted))
        .routes(routes!(show_conflict, resolve_conflict))
        .routes(routes!(show_provenance))
        .routes(routes!(get_provenance))
}

/// An organiser merges an adopted amendment into its text.
#[utoipa::path(post, path = "/amendments/{id}/merge", tag = "pages", params(("id" = String, Path, description = "Amendment id")),
    responses((status = 303, description = "Back to the amendment, merged or refused (not an organiser; not adopted, outdated, orphaned or overlapping another adopted amendment) with why in the flash")))]
async fn merge_amendment(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (ctx, row) = amendments::load_amendment(&app.db, Some(viewer), id).await?;
    let outcome = amendments::merge(&app.db, &app.hub, viewer, &ctx, &row).await;
    after_action(&page, id, outcome, "flash.amendment_merged").await
}

/// An organiser merges every adopted amendment of a text that can be; the flash says which
/// were left aside (their pages say why).
#[utoipa::path(post, path = "/texts/{id}/amendments/merge", tag = "pages", params(("id" = String, Path, description = "Text id")),
    responses((status = 303, description = "Back to the text's amendments"), (status = 403, description = "Not an organiser")))]
async fn merge_all_adopted(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = amendments::load(&app.db, Some(viewer), id).await?;
    let outcome = amendments::merge_all_adopted(&app.db, &app.hub, viewer, &ctx).await?;
    let list = |numbers: Vec<String>| {
        if numbers.is_empty() {
            "—".to_owned()
        } else {
            numbers.join(", ")
        }
    };
    let merged = list(outcome.merged.iter().map(i64::to_string).collect());
    let refused = list(outcome.refused.iter().map(|(n, _)| n.to_string()).collect());
    let message = tpl::t_args(
        page.lang(),
        "flash.amendments_merged",
        &[("merged", &merged), ("refused", &refused)],
    );
    flash(&page.session, message).await?;
    Ok(see_other(&format!("/texts/{id}/amendments")))
}

/// The two amendments of a conflict, the viewer an organiser, both adopted and of one text.
async fn conflict_pair(
    app: &App,
    page: &Page,
    id: AmendmentId,
    other: AmendmentId,
) -> AppResult<(AmendableText, AmendmentRow, AmendmentRow)> {
    let (ctx, row) = amendments::load_amendment(&app.db, page.viewer.as_ref(), id).await?;
    let (_, other) = amendments::load_amendment(&app.db, page.viewer.as_ref(), other).await?;
    if other.text_id != row.text_id || other.amendment_id == row.amendment_id {
        return Err(AppError::not_found());
    }
    if !ctx.rights.can_screen {
        return Err(AppError::forbidden_because(
            "Seul·es les organisateur·rices du texte résolvent les conflits entre amendements adoptés.",
        ));
    }
    Ok((ctx, row, other))
}

async fn conflict_view(
    app: &App,
    ctx: &AmendableText,
    left: &AmendmentRow,
    right: &AmendmentRow,
    combined: String,
    errors: FieldErrors,
) -> AppResult<tpl::ConflictView> {
    let text = ctx.text.text.text_id;
    let amendments = app.amendments.of_text(&app.db, &app.hub, text).await?;
    let places = &amendments.places;
    let (Some(a), Some(b)) = (
        places.get(&left.amendment_id),
        places.get(&right.amendment_id),
    ) else {
        return Err(AppError::not_found());
    };
    let markdown = amendments::markdown_at(&app.hub, text, None).await?.0;
    let units: Vec<u16> = markdown.encode_utf16().collect();
    let union = a.start.min(b.start)..a.end.max(b.end).min(units.len());
    let passage = units
        .get(union)
        .map(String::from_utf16_lossy)
        .unwrap_or_default();
    let side = |row: &AmendmentRow, diff_html: String| tpl::ConflictSideView {
        id: row.amendment_id.to_string(),
        number: row.number,
        reference: row.reference.clone(),
        diff_html,
        replacement: row.replacement.clone(),
    };
    Ok(tpl::ConflictView {
        header: header_view(&ctx.text),
        left: side(left, app.amendments.diff_html(left).await?.to_string()),
        right: side(right, app.amendments.diff_html(right).await?.to_string()),
        passage,
        combined,
        errors,
    })
}

/// Two overlapping adopted amendments side by side, with the passage as it is now.
#[utoipa::path(get, path = "/amendments/{id}/conflict/{other}", tag = "pages",
    params(("id" = String, Path, description = "Amendment id"), ("other" = String, Path, description = "The other amendment's id")),
    responses((status = 200, description = "HTML page"), (status = 403, description = "Not an organiser"),
              (status = 404, description = "No such amendments, or hidden")))]
async fn show_conflict(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
    OtherAmendmentPath(other): OtherAmendmentPath,
) -> AppResult<Response> {
    page.require_viewer()?;
    let (ctx, left, right) = conflict_pair(&app, &page, id, other).await?;
    let view = conflict_view(&app, &ctx, &left, &right, String::new(), FieldErrors::new()).await?;
    Ok(html(tpl::conflict_page(&page.ctx, &view)))
}

#[derive(Deserialize)]
struct ConflictForm {
    /// The id of the amendment kept, or `both` for the combined wording.
    #[serde(default)]
    keep: String,
    #[serde(default)]
    replacement: String,
}

/// The organiser resolves the conflict: keeps one amendment (merged; the other stays adopted,
/// superseded), or merges both as a combined wording.
#[utoipa::path(post, path = "/amendments/{id}/conflict/{other}", tag = "pages",
    params(("id" = String, Path, description = "Amendment id"), ("other" = String, Path, description = "The other amendment's id")),
    responses((status = 303, description = "To the amendment kept"), (status = 403, description = "Not an organiser"),
              (status = 409, description = "Not both adopted and overlapping, or one is outdated"),
              (status = 422, description = "The page again, with the form's errors")))]
async fn resolve_conflict(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
    OtherAmendmentPath(other): OtherAmendmentPath,
    FormData(form): FormData<ConflictForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (ctx, left, right) = conflict_pair(&app, &page, id, other).await?;
    let pair = [left.amendment_id, right.amendment_id];
    let (outcome, back) = if form.keep == "both" {
        let merged =
            amendments::merge_combined(&app.db, &app.hub, viewer, &ctx, pair, &form.replacement)
                .await;
        (merged, id)
    } else {
        let kept = pair
            .into_iter()
            .find(|p| p.to_string() == form.keep)
            .ok_or_else(|| AppError::invalid_field("keep", "Choisissez l'amendement à retenir."))?;
        let aside = if kept == id { other } else { id };
        let merged = amendments::keep_one(&app.db, &app.hub, viewer, &ctx, kept, &[aside]).await;
        (merged, kept)
    };
    match outcome {
        Ok(()) => {
            flash(
                &page.session,
                tpl::t(page.lang(), "flash.conflict_resolved"),
            )
            .await?;
            Ok(see_other(&href(back)))
        }
        Err(AppError::Invalid(errors)) => {
            let view = conflict_view(&app, &ctx, &left, &right, form.replacement, errors).await?;
            Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::conflict_page(&page.ctx, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Names for the provenance's amendments: the author's (for who may see the group's directory)
/// or the section's it was filed for; and each one's count of supporters.
async fn authors(
    app: &App,
    ctx: &AmendableText,
    rows: &[AmendmentRow],
) -> AppResult<HashMap<AmendmentId, (Option<String>, usize)>> {
    let viewer = ctx.text.viewer.as_ref();
    let names = ctx.text.group.access.can_see_directory;
    let mut supporters: HashMap<AmendmentId, usize> = HashMap::new();
    for (amendment, _) in app
        .db
        .text_amendment_supporters(ctx.text.text.text_id)
        .await?
    {
        *supporters.entry(amendment).or_default() += 1;
    }
    let mut out = HashMap::new();
    for row in rows {
        let name = match (row.on_behalf_of, row.author_id) {
            (Some(group), _) => organisation::load_group(&app.db, viewer, group)
                .await
                .ok()
                .map(|g| g.group.name),
            (None, Some(author)) if names => app.db.member(author).await?.map(|m| m.name),
            _ => None,
        };
        let count = supporters.get(&row.amendment_id).copied().unwrap_or(0);
        out.insert(row.amendment_id, (name, count));
    }
    Ok(out)
}

fn pieces(
    paragraph: &amendments::ParagraphProvenance,
    ids: &HashMap<i64, String>,
) -> Vec<tpl::ProvenancePieceView> {
    let units: Vec<u16> = paragraph.markdown.encode_utf16().collect();
    let slice = |r: std::ops::Range<usize>| String::from_utf16_lossy(&units[r]);
    let mut out = Vec::new();
    let mut at = 0;
    for passage in &paragraph.passages {
        if passage.start > at {
            out.push(tpl::ProvenancePieceView::Typed(slice(at..passage.start)));
        }
        out.push(tpl::ProvenancePieceView::Merged {
            text: passage.text.clone(),
            amendments: passage
                .numbers
                .iter()
                .filter_map(|n| ids.get(n).map(|id| (id.clone(), *n)))
                .collect(),
        });
        at = passage.end;
    }
    if at < units.len() {
        out.push(tpl::ProvenancePieceView::Typed(slice(at..units.len())));
    }
    out
}

/// « D'où vient ce passage ? »: the text's paragraphs with the passages merged amendments
/// wrote, each leading back to its amendment.
#[utoipa::path(get, path = "/texts/{id}/provenance", tag = "pages", params(("id" = String, Path, description = "Text id")),
    responses((status = 200, description = "HTML page"), (status = 404, description = "No such text, or hidden")))]
async fn show_provenance(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
) -> AppResult<Response> {
    let ctx = amendments::load(&app.db, page.viewer.as_ref(), id).await?;
    let found: TextProvenance = amendments::provenance(&app.db, &app.hub, &ctx).await?;
    let named = authors(&app, &ctx, &found.amendments).await?;
    let ids: HashMap<i64, String> = found
        .amendments
        .iter()
        .map(|a| (a.number, a.amendment_id.to_string()))
        .collect();
    let view = tpl::ProvenanceView {
        header: header_view(&ctx.text),
        paragraphs: found
            .paragraphs
            .iter()
            .map(|p| tpl::ProvenanceParagraphView {
                number: p.number,
                pieces: pieces(p, &ids),
            })
            .collect(),
        amendments: found
            .amendments
            .iter()
            .map(|a| {
                let (author, supporters) = named.get(&a.amendment_id).cloned().unwrap_or_default();
                tpl::ProvenanceAmendmentView {
                    id: a.amendment_id.to_string(),
                    number: a.number,
                    reference: a.reference.clone(),
                    author,
                    supporters,
                }
            })
            .collect(),
    };
    Ok(html(tpl::provenance_page(&page.ctx, &view)))
}

/// A passage merged amendments wrote.
#[derive(Serialize, ToSchema)]
pub struct WrittenOut {
    /// Its UTF-16 range in the paragraph's Markdown.
    start: usize,
    end: usize,
    text: String,
    /// The amendments the change that wrote it merged (ids).
    amendment_ids: Vec<AmendmentId>,
}

#[derive(Serialize, ToSchema)]
pub struct ParagraphOut {
    /// As the numbered view counts (« § n »).
    number: usize,
    markdown: String,
    /// Empty when no merged amendment wrote any of it.
    passages: Vec<WrittenOut>,
}

/// An amendment some passage leads back to.
#[derive(Serialize, ToSchema)]
pub struct SourceOut {
    id: AmendmentId,
    number: i64,
    reference: String,
    author_id: Option<MemberId>,
    /// Its author's name (for who may see the group's directory), or its section's.
    author_name: Option<String>,
    on_behalf_of: Option<GroupId>,
    supporters: usize,
    /// Its page.
    href: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProvenanceOut {
    text_id: TextId,
    paragraphs: Vec<ParagraphOut>,
    amendments: Vec<SourceOut>,
}

/// Where each passage of a text comes from: for every paragraph, the passages merged
/// amendments wrote, read from the document's own history.
#[utoipa::path(get, path = "/api/v1/texts/{id}/provenance", tag = "amendments",
    params(("id" = String, Path, description = "Text id")),
    responses((status = 200, body = ProvenanceOut), (status = 404, body = ErrorBody)))]
async fn get_provenance(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    TextPath(id): TextPath,
) -> AppResult<Json<ProvenanceOut>> {
    let ctx = amendments::load(&app.db, viewer.as_ref(), id).await?;
    let found = amendments::provenance(&app.db, &app.hub, &ctx).await?;
    let named = authors(&app, &ctx, &found.amendments).await?;
    let by_number: HashMap<i64, AmendmentId> = found
        .amendments
        .iter()
        .map(|a| (a.number, a.amendment_id))
        .collect();
    let names = ctx.text.group.access.can_see_directory;
    Ok(Json(ProvenanceOut {
        text_id: id,
        paragraphs: found
            .paragraphs
            .into_iter()
            .map(|p| ParagraphOut {
                number: p.number,
                markdown: p.markdown,
                passages: p
                    .passages
                    .into_iter()
                    .map(|w| WrittenOut {
                        start: w.start,
                        end: w.end,
                        text: w.text,
                        amendment_ids: w
                            .numbers
                            .iter()
                            .filter_map(|n| by_number.get(n).copied())
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        amendments: found
            .amendments
            .into_iter()
            .map(|a| {
                let (author_name, supporters) =
                    named.get(&a.amendment_id).cloned().unwrap_or_default();
                SourceOut {
                    id: a.amendment_id,
                    number: a.number,
                    reference: a.reference,
                    author_id: a.author_id.filter(|_| names),
                    author_name,
                    on_behalf_of: a.on_behalf_of,
                    supporters,
                    href: href(a.amendment_id),
                }
            })
            .collect(),
    }))
}
