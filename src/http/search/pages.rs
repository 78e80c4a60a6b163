//! `/search`: the search page behind every page's header box. The same parameters and the same
//! grants as `GET /api/v1/search` (`api::parse`), rendered with its facets as links that keep
//! the rest of the query in the address; a bad parameter is said next to its field (422), the
//! index being rebuilt is said as such (503), never a blank page.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_search::{SearchQuery, SearchResults};
use atelier_templates as tpl;

use super::api::{PAGE_SIZE, SearchParams, parse};
use crate::app::App;
use crate::auth::{Access, readers};
use crate::error::{AppError, AppResult};
use crate::http::page::{Page, html_with_status};
use crate::indexing::Unavailable;
use crate::model::GroupId;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(search_page))
}

/// The parameters as typed, for the form and every link.
fn typed(params: &SearchParams) -> tpl::SearchFiltersView {
    let value = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    tpl::SearchFiltersView {
        q: value(&params.q),
        kind: value(&params.kind),
        theme: value(&params.theme),
        place: value(&params.place),
        status: value(&params.status),
        convention: value(&params.convention),
        from: value(&params.from),
        to: value(&params.to),
        sort: value(&params.sort),
    }
}

/// Searches what the reader may see: texts, paragraphs, wiki pages, amendments, groups and
/// archived debates, with facets, sorting and pages.
#[utoipa::path(get, path = "/search", tag = "pages", params(SearchParams),
    responses((status = 200, description = "HTML page"),
        (status = 422, description = "A parameter is wrong: the page says which"),
        (status = 503, description = "The index is being rebuilt: the page says so")))]
async fn search_page(
    State(app): State<App>,
    page: Page,
    Query(params): Query<SearchParams>,
) -> AppResult<Response> {
    let filters = typed(&params);
    // The order alone asks nothing: only words or a filter do.
    let asked = filters
        != tpl::SearchFiltersView {
            sort: filters.sort.clone(),
            ..tpl::SearchFiltersView::default()
        };
    let mut view = tpl::SearchView {
        filters,
        asked,
        page: 1,
        pages: 1,
        ..tpl::SearchView::default()
    };
    if !asked {
        return Ok(html_with_status(
            StatusCode::OK,
            tpl::search_page(&page.ctx, &view),
        ));
    }
    let query = match parse(&params, false) {
        Ok(query) => SearchQuery {
            readers: readers::held_by(page.viewer.as_ref()),
            ..query
        },
        Err(AppError::Invalid(errors)) => {
            view.errors = errors;
            view.asked = false;
            return Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::search_page(&page.ctx, &view),
            ));
        }
        Err(e) => return Err(e),
    };
    let page_number = (query.offset / PAGE_SIZE + 1) as u32;
    let results = match app.search.search(query).await {
        Ok(results) => results,
        Err(Unavailable::Rebuilding) => {
            view.rebuilding = true;
            return Ok(html_with_status(
                StatusCode::SERVICE_UNAVAILABLE,
                tpl::search_page(&page.ctx, &view),
            ));
        }
        Err(e) => return Err(AppError::Internal(e.into())),
    };
    fill(&app, &page, &mut view, results.results.clone(), page_number).await?;
    Ok(html_with_status(
        StatusCode::OK,
        tpl::search_page(&page.ctx, &view),
    ))
}

async fn fill(
    app: &App,
    page: &Page,
    view: &mut tpl::SearchView,
    results: SearchResults,
    page_number: u32,
) -> AppResult<()> {
    let lang = page.lang();
    let pages = results
        .total
        .div_ceil(PAGE_SIZE)
        .clamp(1, atelier_search::MAX_DEPTH / PAGE_SIZE) as u32;
    view.total = results.total;
    view.page = page_number;
    view.pages = pages;
    view.reading = results.reading.clone();
    view.notices = results
        .notices
        .iter()
        .map(|n| match lang {
            tpl::Lang::Fr => n.message_fr(),
            tpl::Lang::En => n.message_en(),
        })
        .collect();
    view.hits = results
        .hits
        .into_iter()
        .map(|hit| tpl::SearchHitView {
            date: hit
                .date
                .and_then(|d| OffsetDateTime::from_unix_timestamp(d).ok())
                .map(|at| tpl::format_date(lang, at.date())),
            kind: hit.kind,
            title: hit.title,
            snippet_html: hit.snippet_html,
            url: hit.url,
            status: hit.status,
            author: hit.author,
        })
        .collect();
    let f = view.filters.clone();
    let plain = |field: &'static str, counts: Vec<(String, u64)>, chosen: &str| tpl::FacetView {
        field,
        values: counts
            .into_iter()
            .map(|(value, count)| tpl::FacetValueView {
                label: tpl::facet_label(lang, field, &value),
                selected: value == chosen,
                value,
                count,
                depth: 0,
            })
            .collect(),
    };
    let mut places = Vec::new();
    for (value, count) in results.facets_place {
        // A place is a path of group ids: it shows under its last group's name, when the
        // reader may see that group (a path may cross a group hidden from them).
        let Some(label) = place_name(app, page, &value).await? else {
            continue;
        };
        places.push(tpl::FacetValueView {
            selected: value == f.place,
            depth: value.matches('/').count().saturating_sub(1),
            label,
            value,
            count,
        });
    }
    view.facets = vec![
        plain("kind", results.facets_kind, &f.kind),
        plain("theme", results.facets_theme, &f.theme),
        tpl::FacetView {
            field: "place",
            values: places,
        },
        plain("status", results.facets_status, &f.status),
        plain("convention", results.facets_convention, &f.convention),
    ];
    Ok(())
}

/// The name of the group a place path ends with, if the reader may see it.
async fn place_name(app: &App, page: &Page, place: &str) -> AppResult<Option<String>> {
    let Some(id) = place
        .rsplit('/')
        .next()
        .and_then(|id| id.parse::<GroupId>().ok())
    else {
        return Ok(None);
    };
    let Some(group) = app.db.group(id).await? else {
        return Ok(None);
    };
    let chain: Vec<GroupId> = app
        .db
        .ancestors(id)
        .await?
        .iter()
        .map(|g| g.group_id)
        .collect();
    Ok(Access::to_group(page.viewer.as_ref(), &group, &chain)
        .can_view
        .then_some(group.name))
}
