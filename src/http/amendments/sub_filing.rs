//! Filing a sub-amendment without JavaScript, from the parent amendment's page: the form shows
//! the parent's wording cut in paragraphs (its blank lines) to choose from, or the whole, or any
//! `start`/`end` in UTF-16 units of it given in the address; it files through the same service as
//! `POST /api/v1/amendments/{id}/amendments` (`amendments::file_sub`).

use atelier_templates as tpl;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::amendments::{self, AmendableText, Filing};
use crate::app::App;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::http::extract::FormData;
use crate::http::page::{Page, flash, html, html_with_status, see_other};
use crate::http::paths::AmendmentPath;
use crate::http::views::header_view;
use crate::store::AmendmentRow;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(show_new_sub_amendment, file_sub_amendment))
}

/// The passages of `wording` one may choose: the whole, then each paragraph (runs of text
/// between blank lines) when there are several; UTF-16 ranges.
fn passages(wording: &str) -> Vec<tpl::SubPassageView> {
    let units = |s: &str| s.encode_utf16().count();
    let mut out = vec![tpl::SubPassageView {
        paragraph: None,
        start: 0,
        end: units(wording),
        text: wording.to_owned(),
    }];
    let mut paragraphs = Vec::new();
    let mut at = 0; // bytes
    for piece in wording.split("\n\n") {
        let trimmed = piece.trim_matches('\n');
        if !trimmed.is_empty() {
            let lead = piece.len() - piece.trim_start_matches('\n').len();
            let start = units(&wording[..at + lead]);
            paragraphs.push((start, start + units(trimmed), trimmed.to_owned()));
        }
        at += piece.len() + 2;
    }
    if paragraphs.len() > 1 {
        out.extend(
            paragraphs
                .into_iter()
                .enumerate()
                .map(|(i, (start, end, text))| tpl::SubPassageView {
                    paragraph: Some(i + 1),
                    start,
                    end,
                    text,
                }),
        );
    }
    out
}

/// The passage `start..end` of `wording`, when the range is within it (else the whole).
fn chosen(wording: &str, start: Option<usize>, end: Option<usize>) -> (usize, usize, String) {
    let units: Vec<u16> = wording.encode_utf16().collect();
    match (start, end) {
        (Some(start), Some(end)) if start <= end && end <= units.len() => {
            (start, end, String::from_utf16_lossy(&units[start..end]))
        }
        _ => (0, units.len(), wording.to_owned()),
    }
}

#[allow(clippy::too_many_arguments)]
fn form_view(
    ctx: &AmendableText,
    parent: &AmendmentRow,
    start: usize,
    end: usize,
    original: String,
    replacement: String,
    rationale: String,
    errors: FieldErrors,
) -> tpl::SubAmendmentFormView {
    tpl::SubAmendmentFormView {
        header: header_view(&ctx.text),
        parent_id: parent.amendment_id.to_string(),
        parent_number: parent.number,
        parent_reference: parent.reference.clone(),
        passages: passages(&parent.replacement),
        start,
        end,
        original,
        replacement,
        rationale,
        rationale_required: ctx.rules.rationale_required,
        errors,
    }
}

/// Who may not file is told so before typing anything (as the service would after).
fn check_may_file(ctx: &AmendableText, parent: &AmendmentRow) -> AppResult<()> {
    if !ctx.rights.can_file {
        return Err(AppError::forbidden_because(
            "Vous ne pouvez pas déposer d'amendement sur ce texte.",
        ));
    }
    if let Some(reason) = amendments::closed_because(ctx, crate::store::now()) {
        return Err(AppError::conflict(reason));
    }
    amendments::open_to_subs(parent)
}

#[derive(Deserialize, IntoParams)]
pub struct NewSubParams {
    /// The passage's start in the amendment's replacement (UTF-16 units); the whole without.
    start: Option<usize>,
    /// The passage's end.
    end: Option<usize>,
}

/// The form, on the passage chosen (the whole wording without), prefilled with it.
#[utoipa::path(get, path = "/amendments/{id}/amendments/new", tag = "pages",
    params(("id" = String, Path, description = "The parent amendment's id"), NewSubParams),
    responses((status = 200, description = "HTML page"), (status = 403, description = "May not file"),
              (status = 404, description = "No such amendment, or hidden"),
              (status = 409, description = "Not open to sub-amendments")))]
async fn show_new_sub_amendment(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
    Query(params): Query<NewSubParams>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (ctx, parent) = amendments::load_amendment(&app.db, Some(viewer), id).await?;
    check_may_file(&ctx, &parent)?;
    let (start, end, original) = chosen(&parent.replacement, params.start, params.end);
    let view = form_view(
        &ctx,
        &parent,
        start,
        end,
        original.clone(),
        original,
        String::new(),
        FieldErrors::new(),
    );
    Ok(html(tpl::sub_amendment_form_page(&page.ctx, &view)))
}

#[derive(Deserialize)]
struct NewSubForm {
    #[serde(default)]
    start: usize,
    #[serde(default)]
    end: usize,
    #[serde(default)]
    replacement: String,
    #[serde(default)]
    rationale: String,
    /// `submit` to submit at once, anything else keeps a draft.
    #[serde(default)]
    action: String,
}

/// Files the sub-amendment (a draft, or submitted), then shows its page; the form again with
/// the errors next to their fields when the input is refused.
#[utoipa::path(post, path = "/amendments/{id}/amendments/new", tag = "pages",
    params(("id" = String, Path, description = "The parent amendment's id")),
    responses((status = 303, description = "To the new sub-amendment"), (status = 403, description = "May not file"),
              (status = 404, description = "No such amendment, or hidden"),
              (status = 409, description = "Not open to sub-amendments"), (status = 422, description = "The form again, with errors")))]
async fn file_sub_amendment(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
    FormData(form): FormData<NewSubForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (ctx, parent) = amendments::load_amendment(&app.db, Some(viewer), id).await?;
    // Text areas send CRLF; the wording is compared with the parent's LF one.
    let replacement = form.replacement.replace("\r\n", "\n");
    let rationale = form.rationale.replace("\r\n", "\n");
    let filing = Filing {
        start: form.start,
        end: form.end,
        heads: None,
        replacement: replacement.clone(),
        rationale: rationale.clone(),
        submit: form.action == "submit",
        on_behalf_of: None,
    };
    match amendments::file_sub(&app.db, viewer, &ctx, &parent, filing).await {
        Ok(row) => {
            let key = if row.status == crate::model::AmendmentStatus::Draft {
                "flash.amendment_drafted"
            } else {
                "flash.amendment_submitted"
            };
            flash(&page.session, tpl::t(page.lang(), key)).await?;
            Ok(see_other(&format!("/amendments/{}", row.amendment_id)))
        }
        Err(AppError::Invalid(errors)) => {
            let (start, end, original) =
                chosen(&parent.replacement, Some(form.start), Some(form.end));
            let view = form_view(
                &ctx,
                &parent,
                start,
                end,
                original,
                replacement,
                rationale,
                errors,
            );
            Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::sub_amendment_form_page(&page.ctx, &view),
            ))
        }
        Err(e) => Err(e),
    }
}
