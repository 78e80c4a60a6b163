//! The archived debates' pages: `/debates` (filters kept in the address, paginated) and
//! `/debates/{id}` (the text as plain paragraphs, escaped). Public: anyone may read them.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use time::Date;
use time::macros::format_description;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use super::listing::{DebatesQuery, list, visible_groups};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::page::{Page, html, html_with_status};
use crate::http::paths::DebatePath;
use crate::store::EXCERPT_CHARS;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_debates))
        .routes(routes!(show_debate))
}

fn parse_day(raw: &str) -> Option<Date> {
    Date::parse(raw, format_description!("[year]-[month]-[day]")).ok()
}

/// The filters as typed, for the form and the pages' links.
fn typed(query: &DebatesQuery) -> tpl::DebateFiltersView {
    let value = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    tpl::DebateFiltersView {
        place: value(&query.place),
        speaker: value(&query.speaker),
        from: value(&query.from),
        to: value(&query.to),
        group: value(&query.group),
    }
}

/// The archived debates, newest first, filtered by place, speaker and dates.
#[utoipa::path(get, path = "/debates", tag = "pages", params(DebatesQuery),
    responses((status = 200, description = "HTML page"), (status = 422, description = "A filter is wrong: the page says which")))]
async fn show_debates(
    State(app): State<App>,
    page: Page,
    Query(query): Query<DebatesQuery>,
) -> AppResult<Response> {
    let filters = typed(&query);
    let listing = match list(&app, page.viewer.as_ref(), &query, page.lang()).await {
        Ok(listing) => listing,
        Err(AppError::Invalid(errors)) => {
            let view = tpl::DebatesView {
                filters,
                errors,
                page: 1,
                pages: 1,
                ..tpl::DebatesView::default()
            };
            return Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::debates_page(&page.ctx, &view),
            ));
        }
        Err(e) => return Err(e),
    };
    let group_name = listing
        .filters
        .group
        .and_then(|g| listing.groups.get(&g))
        .map(|g| g.name.clone());
    let view = tpl::DebatesView {
        filters,
        group_name,
        errors: Default::default(),
        total: listing.total,
        page: listing.filters.page,
        pages: listing.pages,
        debates: listing
            .rows
            .into_iter()
            .map(|d| tpl::DebateEntry {
                id: d.debate_id.to_string(),
                title: d.title,
                held_on: parse_day(&d.held_on),
                held_on_raw: d.held_on,
                place: d.place,
                group: d
                    .group_id
                    .and_then(|g| listing.groups.get(&g))
                    .map(|g| (g.group_id.to_string(), g.name.clone())),
                speaker: d.speaker,
                convention: d.convention,
                truncated: d.excerpt.chars().count() >= EXCERPT_CHARS as usize,
                excerpt: d.excerpt.split_whitespace().collect::<Vec<_>>().join(" "),
            })
            .collect(),
    };
    Ok(html(tpl::debates_page(&page.ctx, &view)))
}

/// Paragraphs are separated by blank lines; the line breaks inside one are spaces.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.extend(line.split_whitespace());
        }
    }
    out
}

/// An archived debate.
#[utoipa::path(get, path = "/debates/{id}", tag = "pages",
    params(("id" = String, Path, description = "Debate id")),
    responses((status = 200, description = "HTML page"), (status = 404, description = "No such debate")))]
async fn show_debate(
    State(app): State<App>,
    page: Page,
    DebatePath(id): DebatePath,
) -> AppResult<Response> {
    let debate = app.db.debate(id).await?.ok_or_else(AppError::not_found)?;
    let groups = visible_groups(&app, page.viewer.as_ref()).await?;
    let group = debate
        .group_id
        .and_then(|g| groups.get(&g))
        .map(|g| (g.group_id.to_string(), g.name.clone()));
    let paragraphs = paragraphs(&debate.body);
    let time_utc = debate.held_at.map(|at| {
        let at = at.to_offset(time::UtcOffset::UTC);
        format!("{:02}:{:02}", at.hour(), at.minute())
    });
    let view = tpl::DebateView {
        id: debate.debate_id.to_string(),
        title: debate.title,
        held_on: parse_day(&debate.held_on),
        held_on_raw: debate.held_on,
        time_utc,
        place: debate.place,
        group,
        speaker: debate.speaker,
        convention: debate.convention,
        paragraphs,
        url: debate.url,
    };
    Ok(html(tpl::debate_page(&page.ctx, &view)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn blank_lines_separate_paragraphs() {
        assert_eq!(
            super::paragraphs("Un\ndeux.\n \n\nTrois <b>quatre</b>\n"),
            vec!["Un deux.", "Trois <b>quatre</b>"]
        );
        assert!(super::paragraphs("  \n").is_empty());
    }
}
