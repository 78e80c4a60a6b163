//! Filing without JavaScript, at paragraph level: the form that amends a paragraph of the
//! numbered view (or adds one after it) and files through the same service as the API. The
//! form carries the document's heads it was read at, so that the paragraph's range is that of
//! the state the member saw even if the text moved meanwhile (the anchor then follows it). A
//! section's or federation's secretary chooses whom they file for: themself or that group.

use atelier_templates as tpl;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::amendments::{self, AmendableText, Filing, ParagraphPassage};
use crate::app::App;
use crate::collab::doc;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::http::extract::FormData;
use crate::http::page::{Page, flash, html, html_with_status, see_other};
use crate::http::paths::TextPath;
use crate::http::views::header_view;
use crate::model::GroupId;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(show_new_amendment, submit_new_amendment))
}

#[derive(Deserialize, IntoParams)]
pub struct NewParams {
    /// The paragraph (its « § n ») to amend, or to add a paragraph after.
    paragraph: usize,
    /// `1` to add a paragraph after it rather than replace it.
    #[serde(default)]
    add: Option<String>,
}

fn adding(add: Option<&str>) -> bool {
    add.is_some_and(|a| !a.is_empty() && a != "0")
}

/// The paragraph at the state `heads` names (now without): 404 when the text has no such
/// paragraph.
async fn passage(
    app: &App,
    ctx: &AmendableText,
    number: usize,
    heads: Option<Vec<automerge::ChangeHash>>,
) -> AppResult<(ParagraphPassage, String)> {
    let (markdown, heads) = amendments::markdown_at(&app.hub, ctx.text.text.text_id, heads).await?;
    let found = amendments::paragraph_passage(markdown, number)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((found, doc::heads_to_strings(&heads).join(",")))
}

/// Who may not file is told so before typing anything (as the service would after).
fn check_may_file(ctx: &AmendableText) -> AppResult<()> {
    if !ctx.rights.can_file {
        return Err(AppError::forbidden_because(
            "Vous ne pouvez pas déposer d'amendement sur ce texte.",
        ));
    }
    if let Some(reason) = amendments::closed_because(ctx, crate::store::now()) {
        return Err(AppError::conflict(reason));
    }
    Ok(())
}

/// What the member typed, sent back with the form's errors.
#[derive(Default)]
struct Typed {
    replacement: String,
    rationale: String,
    /// The group chosen to file for (its id as sent), empty for oneself.
    on_behalf_of: String,
}

fn form_view(
    ctx: &AmendableText,
    found: &ParagraphPassage,
    add: bool,
    heads: String,
    groups: &[(GroupId, String)],
    typed: Typed,
    errors: FieldErrors,
) -> tpl::AmendmentFormView {
    let Typed {
        replacement,
        rationale,
        on_behalf_of,
    } = typed;
    tpl::AmendmentFormView {
        header: header_view(&ctx.text),
        paragraph: found.number,
        add,
        original: found.markdown.clone(),
        heads,
        replacement,
        rationale,
        rationale_required: ctx.rules.rationale_required,
        on_behalf_choices: groups
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect(),
        on_behalf_of,
        errors,
    }
}

/// The form to amend a paragraph, prefilled with its Markdown (or empty, to add one after it).
#[utoipa::path(get, path = "/texts/{id}/amendments/new", tag = "pages",
    params(("id" = String, Path, description = "Text id"), NewParams),
    responses((status = 200, description = "HTML page"), (status = 403, description = "May not file"),
              (status = 404, description = "No such text or paragraph"), (status = 409, description = "The text is not open to amendments")))]
async fn show_new_amendment(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
    Query(params): Query<NewParams>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = amendments::load(&app.db, Some(viewer), id).await?;
    check_may_file(&ctx)?;
    let add = adding(params.add.as_deref());
    let (found, heads) = passage(&app, &ctx, params.paragraph, None).await?;
    let replacement = if add {
        String::new()
    } else {
        found.markdown.clone()
    };
    let groups = amendments::groups_to_file_for(&app.db, viewer).await?;
    let typed = Typed {
        replacement,
        ..Typed::default()
    };
    let view = form_view(&ctx, &found, add, heads, &groups, typed, FieldErrors::new());
    Ok(html(tpl::amendment_form_page(&page.ctx, &view)))
}

#[derive(Deserialize)]
struct NewForm {
    paragraph: usize,
    #[serde(default)]
    add: Option<String>,
    #[serde(default)]
    heads: String,
    #[serde(default)]
    replacement: String,
    #[serde(default)]
    rationale: String,
    /// `submit` to submit at once, anything else keeps a draft.
    #[serde(default)]
    action: String,
    /// The section or federation to file for (its id), empty for oneself.
    #[serde(default)]
    on_behalf_of: String,
}

/// Files the amendment (a draft, or submitted), then shows its page; the form again with the
/// errors next to their fields when the input is refused.
#[utoipa::path(post, path = "/texts/{id}/amendments/new", tag = "pages",
    params(("id" = String, Path, description = "Text id")),
    responses((status = 303, description = "To the new amendment"), (status = 403, description = "May not file"),
              (status = 409, description = "The text is not open to amendments"), (status = 422, description = "The form again, with errors")))]
async fn submit_new_amendment(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
    FormData(form): FormData<NewForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = amendments::load(&app.db, Some(viewer), id).await?;
    let add = adding(form.add.as_deref());
    let heads: Vec<String> = form
        .heads
        .split(',')
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect();
    // Heads the form did not carry (or garbled) mean "as it is now".
    let heads = (!heads.is_empty())
        .then(|| doc::parse_heads(&heads))
        .flatten();
    let (found, heads_text) = passage(&app, &ctx, form.paragraph, heads.clone()).await?;
    // Adding: an insertion point at the paragraph's end, the new one after a blank line.
    let (start, replacement) = if add {
        (found.end, format!("\n\n{}", form.replacement.trim_end()))
    } else {
        (found.start, form.replacement.trim_end().to_owned())
    };
    // Only a group the form offered: the member's own sections and federations as secretary.
    // A forged or stale id is refused next to the field, before anything is filed.
    let groups = amendments::groups_to_file_for(&app.db, viewer).await?;
    let chosen = form.on_behalf_of.trim();
    let on_behalf_of = if chosen.is_empty() {
        Ok(None)
    } else {
        chosen
            .parse::<GroupId>()
            .ok()
            .filter(|id| groups.iter().any(|(g, _)| g == id))
            .map(Some)
            .ok_or_else(|| {
                AppError::invalid_field(
                    "on_behalf_of",
                    "Vous déposez en votre nom, ou au nom d'une section ou fédération dont vous êtes secrétaire.",
                )
            })
    };
    let outcome = match on_behalf_of {
        Ok(on_behalf_of) => {
            let filing = Filing {
                start,
                end: found.end,
                heads,
                replacement,
                rationale: form.rationale.clone(),
                submit: form.action == "submit",
                on_behalf_of,
            };
            amendments::file(&app.db, &app.hub, viewer, &ctx, filing).await
        }
        Err(e) => Err(e),
    };
    match outcome {
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
            // The range is the form's own doing: its errors are the wording's.
            let errors = errors
                .into_iter()
                .map(|(field, message)| match field.as_str() {
                    "rationale" | "on_behalf_of" => (field, message),
                    _ => ("replacement".to_owned(), message),
                })
                .collect();
            let typed = Typed {
                replacement: form.replacement,
                rationale: form.rationale,
                on_behalf_of: form.on_behalf_of,
            };
            let view = form_view(&ctx, &found, add, heads_text, &groups, typed, errors);
            Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::amendment_form_page(&page.ctx, &view),
            ))
        }
        Err(e) => Err(e),
    }
}
