//! A text's rules for amendments from the pages: the organisers' form on the text's list of
//! amendments (the window, the minimums of supporters and of women, whether a rationale is
//! required, who may file), posted without JavaScript. It goes through the same service as the
//! API's `PUT …/amendment_rules` (`amendments::set_rules`), which records the change as an event.

use atelier_templates as tpl;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use time::{OffsetDateTime, PrimitiveDateTime};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::pages::{ListParams, SHOWN, list_view};
use crate::amendments;
use crate::app::App;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::http::extract::FormData;
use crate::http::page::{Page, flash, html_with_status, see_other};
use crate::http::paths::TextPath;
use crate::model::Filers;
use crate::store::AmendmentRules;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(set_rules))
}

#[derive(Deserialize)]
struct RulesForm {
    #[serde(default)]
    opens_at: String,
    #[serde(default)]
    closes_at: String,
    #[serde(default)]
    min_supporters: String,
    #[serde(default)]
    min_women: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    rationale_required: Option<String>,
    #[serde(default)]
    filers: String,
}

/// « AAAA-MM-JJ HH:MM » (or with a `T`, as a `datetime-local` sends it) in UTC, a bare day
/// (its midnight, UTC), or RFC 3339; empty is no bound.
fn parse_time(raw: &str) -> Result<Option<OffsetDateTime>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339) {
        return Ok(Some(at));
    }
    let spaced = raw.replacen('T', " ", 1);
    if let Ok(at) = PrimitiveDateTime::parse(&spaced, SHOWN) {
        return Ok(Some(at.assume_utc()));
    }
    let day = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw, day)
        .map(|d| Some(d.midnight().assume_utc()))
        .map_err(|_| ())
}

/// The form read into rules, every field checked (422 naming each one at fault).
fn parse(form: &RulesForm) -> AppResult<AmendmentRules> {
    let mut errors = FieldErrors::new();
    let mut bound = |field: &str, raw: &str| match parse_time(raw) {
        Ok(at) => at,
        Err(()) => {
            errors.insert(
                field.to_owned(),
                "Une date s'écrit AAAA-MM-JJ HH:MM (en UTC), ou reste vide.".to_owned(),
            );
            None
        }
    };
    let opens_at = bound("opens_at", &form.opens_at);
    let closes_at = bound("closes_at", &form.closes_at);
    let mut count = |field: &str, raw: &str| {
        let raw = raw.trim();
        if raw.is_empty() {
            return 0;
        }
        raw.parse::<i64>().unwrap_or_else(|_| {
            errors.insert(
                field.to_owned(),
                "Indiquez un nombre entier, 0 ou plus.".to_owned(),
            );
            0
        })
    };
    let min_supporters = count("min_supporters", &form.min_supporters);
    let min_women = count("min_women", &form.min_women);
    let filers = Filers::parse(form.filers.trim()).unwrap_or_else(|| {
        errors.insert(
            "filers".to_owned(),
            "Choisissez qui peut déposer : les membres du groupe ou tout le parti.".to_owned(),
        );
        Filers::Group
    });
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    Ok(AmendmentRules {
        opens_at,
        closes_at,
        min_supporters,
        min_women,
        rationale_required: form
            .rationale_required
            .as_deref()
            .is_some_and(|v| !v.is_empty()),
        filers,
    })
}

/// An organiser of the text sets its rules for amendments; back to the list, or the list again
/// with the form's errors next to their fields.
#[utoipa::path(post, path = "/texts/{id}/amendments/rules", tag = "pages",
    params(("id" = String, Path, description = "Text id")),
    responses((status = 303, description = "Back to the text's amendments"), (status = 403, description = "Not an organiser of the text"),
              (status = 404, description = "No such text, or hidden"), (status = 422, description = "The list again, with the form's errors")))]
async fn set_rules(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
    FormData(form): FormData<RulesForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = amendments::load(&app.db, Some(viewer), id).await?;
    if !ctx.text.can_manage {
        return Err(AppError::forbidden_because(
            "Seul·es les organisateur·rices du texte en fixent les règles d'amendement.",
        ));
    }
    let outcome = match parse(&form) {
        Ok(rules) => amendments::set_rules(&app.db, viewer, &ctx, &rules).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => {
            flash(
                &page.session,
                tpl::t(page.lang(), "flash.amendment_rules_saved"),
            )
            .await?;
            Ok(see_other(&format!("/texts/{id}/amendments")))
        }
        Err(AppError::Invalid(errors)) => {
            let typed = tpl::AmendmentRulesFormView {
                opens_at: form.opens_at,
                closes_at: form.closes_at,
                min_supporters: form.min_supporters,
                min_women: form.min_women,
                rationale_required: form.rationale_required.is_some_and(|v| !v.is_empty()),
                filers: form.filers,
                errors,
            };
            let view = list_view(&app, &ctx, &ListParams::default(), Some(typed)).await?;
            Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::amendment_list_page(&page.ctx, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn times_are_read_in_utc_in_the_forms_people_type() {
        let at = time::macros::datetime!(2027-01-10 08:30 UTC);
        for raw in [
            "2027-01-10 08:30",
            "2027-01-10T08:30",
            " 2027-01-10T08:30:00Z ",
            "2027-01-10T09:30:00+01:00",
        ] {
            assert_eq!(parse_time(raw), Ok(Some(at)), "{raw}");
        }
        assert_eq!(
            parse_time("2027-01-10"),
            Ok(Some(time::macros::datetime!(2027-01-10 00:00 UTC)))
        );
        assert_eq!(parse_time("  "), Ok(None));
        for bad in ["demain", "2027-13-01", "10/01/2027 08:30"] {
            assert_eq!(parse_time(bad), Err(()), "{bad}");
        }
    }
}
