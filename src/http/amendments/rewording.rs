//! Rewording an amendment from its page, without JavaScript: the form (« Modifier la
//! rédaction ») for its author while it is a draft or submitted, posted through the same service
//! as `PATCH /api/v1/amendments/{id}` (`amendments::revise`: the same rights, checks and kept
//! revisions); refused input comes back as the form with the errors next to their fields.

use atelier_templates as tpl;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::pages::back_to_amendment;
use crate::amendments::{self, AmendableText};
use crate::app::App;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::http::extract::FormData;
use crate::http::page::{Page, html, html_with_status};
use crate::http::paths::AmendmentPath;
use crate::http::views::header_view;
use crate::store::AmendmentRow;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(show_revise_amendment, revise_amendment))
}

fn form_view(
    ctx: &AmendableText,
    row: &AmendmentRow,
    replacement: String,
    rationale: String,
    errors: FieldErrors,
) -> tpl::AmendmentReviseView {
    tpl::AmendmentReviseView {
        header: header_view(&ctx.text),
        id: row.amendment_id.to_string(),
        number: row.number,
        reference: row.reference.clone(),
        original: row.original.clone(),
        replacement,
        rationale,
        rationale_required: ctx.rules.rationale_required,
        errors,
    }
}

/// The form, prefilled with the wording and rationale as they are now.
#[utoipa::path(get, path = "/amendments/{id}/revise", tag = "pages", params(("id" = String, Path, description = "Amendment id")),
    responses((status = 200, description = "HTML page"), (status = 403, description = "Not its author"),
              (status = 404, description = "No such amendment, or hidden"), (status = 409, description = "No longer draft or submitted")))]
async fn show_revise_amendment(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (ctx, row) = amendments::load_amendment(&app.db, Some(viewer), id).await?;
    // Who may not reword it is told so before typing anything, as the service would after.
    amendments::may_revise(viewer, &row)?;
    let view = form_view(
        &ctx,
        &row,
        row.replacement.clone(),
        row.rationale.clone(),
        FieldErrors::new(),
    );
    Ok(html(tpl::amendment_revise_page(&page.ctx, &view)))
}

#[derive(Deserialize)]
struct ReviseForm {
    #[serde(default)]
    replacement: String,
    #[serde(default)]
    rationale: String,
}

/// Saves the new wording (a new revision), then back to the amendment's page.
#[utoipa::path(post, path = "/amendments/{id}/revise", tag = "pages", params(("id" = String, Path, description = "Amendment id")),
    responses((status = 303, description = "Back to the amendment"), (status = 403, description = "Not its author"),
              (status = 404, description = "No such amendment, or hidden"),
              (status = 409, description = "No longer draft or submitted"),
              (status = 422, description = "The form again, with its errors")))]
async fn revise_amendment(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
    FormData(form): FormData<ReviseForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (ctx, row) = amendments::load_amendment(&app.db, Some(viewer), id).await?;
    // Browsers send text areas' line breaks as CRLF; the wording is stored as typed otherwise
    // (the API's is taken as is), so a form sent back unchanged does not look like a change.
    let replacement = form.replacement.replace("\r\n", "\n");
    let rationale = form.rationale.replace("\r\n", "\n");
    match amendments::revise(&app.db, viewer, &ctx, &row, &replacement, &rationale).await {
        Ok(_) => back_to_amendment(&page, id, "flash.amendment_revised").await,
        Err(AppError::Invalid(errors)) => {
            let view = form_view(&ctx, &row, replacement, rationale, errors);
            Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::amendment_revise_page(&page.ctx, &view),
            ))
        }
        Err(e) => Err(e),
    }
}
