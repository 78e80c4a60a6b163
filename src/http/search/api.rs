//! `GET /api/v1/search` in the shape of API.md, answered from the live index, which holds
//! everything: the caller's grants (`auth::readers`) are part of the query, so the total, the
//! facets and every page count only what the caller may see.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_search::{MAX_DEPTH, MAX_QUERY_CHARS, SearchQuery, SearchResults, Sort};

use crate::app::App;
use crate::auth::readers;
use crate::error::{AppError, AppResult, ErrorBody, FieldErrors};
use crate::http::extract::MaybeMember;
use crate::http::related::{HitOut, rebuilding};
use crate::indexing::Unavailable;
use crate::model::GroupId;

/// Hits per page.
pub(super) const PAGE_SIZE: usize = 20;

/// Longest value of a filter (a theme's, a place's name…), in characters.
const MAX_FILTER_CHARS: usize = 200;

/// The kinds of document the index holds (`kind=`).
pub(super) const KINDS: &[&str] = &["group", "text", "wiki", "paragraph", "amendment", "debate"];

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(search))
}

/// Every parameter is read as text and parsed here, so that a bad one gets a sentence naming
/// it rather than the framework's rejection.
#[derive(Deserialize, IntoParams, Default)]
pub struct SearchParams {
    /// What to look for: words (all required, any of their forms, a typo forgiven), "a
    /// phrase", -excluded, prefix*, field:value (kind, status, theme, author, place…).
    /// Required.
    pub(super) q: Option<String>,
    /// Only this kind of document: group, text (titles) or paragraph.
    pub(super) kind: Option<String>,
    /// Only documents of this group (its id).
    pub(super) group: Option<String>,
    /// Only documents dated on or after: a date (2026-12-01) or an RFC 3339 time.
    pub(super) from: Option<String>,
    /// Only documents dated on or before: a date (the whole day counts) or an RFC 3339 time.
    pub(super) to: Option<String>,
    /// Only this theme (its name, as the facet gives it).
    pub(super) theme: Option<String>,
    /// Only this status (e.g. amending, adopted, submitted).
    pub(super) status: Option<String>,
    /// Only this place and the places below it (as the facet gives it: /1/4).
    pub(super) place: Option<String>,
    /// Only this convention (as the facet gives it).
    pub(super) convention: Option<String>,
    /// relevance (the default) or date (newest first).
    pub(super) sort: Option<String>,
    /// The page, from 1 (20 hits a page).
    pub(super) page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchOut {
    /// Documents matching the query and every filter, among those the caller may see.
    total: usize,
    /// The page answered.
    page: usize,
    hits: Vec<HitOut>,
    facets: FacetsOut,
    /// How the query was read, when it differs from what was typed.
    reading: Option<String>,
    /// What to tell about the query (an unknown field, an unclosed quote…), in French.
    notices: Vec<String>,
}

/// Counts of matching documents per value; each facet ignores its own filter.
#[derive(Serialize, ToSchema)]
pub struct FacetsOut {
    kind: BTreeMap<String, u64>,
    /// Keyed by group id.
    group: BTreeMap<String, u64>,
    theme: BTreeMap<String, u64>,
    status: BTreeMap<String, u64>,
    /// Keyed by place (/1/4: the national group, then a federation): every first level, and
    /// below the place filtered on.
    place: BTreeMap<String, u64>,
    convention: BTreeMap<String, u64>,
}

/// Searches groups, texts' titles, wiki pages, paragraphs, amendments and archived debates,
/// among what the caller may see (signed in by session or bearer token, or not).
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchOut), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "The index is being rebuilt: ask again soon")))]
async fn search(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    Query(params): Query<SearchParams>,
) -> Response {
    let query = match parse(&params, true) {
        Ok(query) => SearchQuery {
            readers: readers::held_by(viewer.as_ref()),
            ..query
        },
        Err(e) => return e.into_response(),
    };
    let page = query.offset / PAGE_SIZE + 1;
    match app.search.search(query).await {
        // The page is the query's, which the answer is kept for.
        Ok(found) => {
            let json = found.rendered(|results| {
                serde_json::to_vec(&answer(results.clone(), page)).map(Bytes::from)
            });
            match json {
                Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
                Err(e) => AppError::Internal(e.into()).into_response(),
            }
        }
        Err(Unavailable::Rebuilding) => rebuilding(),
        Err(e) => AppError::Internal(e.into()).into_response(),
    }
}

fn answer(results: SearchResults, page: usize) -> SearchOut {
    SearchOut {
        total: results.total,
        page,
        hits: results.hits.into_iter().map(HitOut::from).collect(),
        facets: FacetsOut {
            kind: results.facets_kind.into_iter().collect(),
            group: results.facets_group.into_iter().collect(),
            theme: results.facets_theme.into_iter().collect(),
            status: results.facets_status.into_iter().collect(),
            place: results.facets_place.into_iter().collect(),
            convention: results.facets_convention.into_iter().collect(),
        },
        reading: results.reading,
        notices: results.notices.iter().map(|n| n.message_fr()).collect(),
    }
}

/// The query, or every bad parameter with a sentence (422). The API requires words; the
/// page also lists what its filters select, newest first.
pub(super) fn parse(params: &SearchParams, words_required: bool) -> AppResult<SearchQuery> {
    let mut errors = FieldErrors::new();
    let mut refuse = |field: &str, message: String| {
        errors.entry(field.to_owned()).or_insert(message);
    };
    let text = params.q.as_deref().unwrap_or("").trim();
    if text.is_empty() && words_required {
        refuse("q", "Indiquez ce que vous cherchez.".into());
    } else if text.chars().count() > MAX_QUERY_CHARS {
        refuse(
            "q",
            format!("La recherche tient en {MAX_QUERY_CHARS} caractères au plus."),
        );
    }
    let kind = non_empty(&params.kind);
    if let Some(kind) = kind
        && !KINDS.contains(&kind)
    {
        refuse(
            "kind",
            format!(
                "« {kind} » n'est pas un type de résultat : {}.",
                KINDS.join(", ")
            ),
        );
    }
    let group = non_empty(&params.group);
    if let Some(group) = group
        && group.parse::<GroupId>().is_err()
    {
        refuse(
            "group",
            format!("« {group} » n'est pas un identifiant de groupe."),
        );
    }
    let mut date = |field: &str, raw: &Option<String>, end_of_day: bool| {
        let raw = non_empty(raw)?;
        let parsed = parse_date(raw, end_of_day);
        if parsed.is_none() {
            refuse(
                field,
                format!("« {raw} » n'est pas une date (2026-12-01, ou une heure RFC 3339)."),
            );
        }
        parsed
    };
    let from = date("from", &params.from, false);
    let to = date("to", &params.to, true);
    let sort = match non_empty(&params.sort) {
        None | Some("relevance") => Sort::Relevance,
        Some("date") => Sort::Date,
        Some(other) => {
            refuse(
                "sort",
                format!("« {other} » n'est pas un ordre : relevance ou date."),
            );
            Sort::Relevance
        }
    };
    let mut bounded = |field: &str, raw: &Option<String>| {
        let value = non_empty(raw)?;
        if value.chars().count() > MAX_FILTER_CHARS {
            refuse(
                field,
                format!("Ce filtre tient en {MAX_FILTER_CHARS} caractères au plus."),
            );
        }
        Some(value.to_owned())
    };
    let theme = bounded("theme", &params.theme);
    let status = bounded("status", &params.status);
    let place = bounded("place", &params.place);
    let convention = bounded("convention", &params.convention);
    let last_page = MAX_DEPTH / PAGE_SIZE;
    let page = match non_empty(&params.page) {
        None => 1,
        Some(raw) => match raw.parse::<usize>() {
            Ok(page) if (1..=last_page).contains(&page) => page,
            _ => {
                refuse("page", format!("La page est un nombre de 1 à {last_page}."));
                1
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    Ok(SearchQuery {
        text: text.to_owned(),
        kind: kind.map(str::to_owned),
        group_id: group.map(str::to_owned),
        from,
        to,
        theme,
        status,
        place_prefix: place,
        convention,
        sort,
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
        ..SearchQuery::default()
    })
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Unix seconds of a date (its first or last second, UTC) or of an RFC 3339 time.
fn parse_date(raw: &str, end_of_day: bool) -> Option<i64> {
    if let Ok(at) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Some(at.unix_timestamp());
    }
    let day = Date::parse(raw, format_description!("[year]-[month]-[day]")).ok()?;
    let start = day.midnight().assume_utc().unix_timestamp();
    Some(if end_of_day { start + 86_399 } else { start })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> SearchParams {
        let query = serde_urlencoded::to_string(pairs).unwrap();
        serde_urlencoded::from_str(&query).unwrap()
    }

    #[test]
    fn bad_parameters_are_named() {
        let error = parse(
            &params(&[
                ("q", " "),
                ("kind", "ballot"),
                ("group", "x"),
                ("from", "hier"),
                ("page", "0"),
                ("sort", "alphabet"),
            ]),
            true,
        )
        .unwrap_err();
        let fields = error.fields().unwrap();
        for field in ["q", "kind", "group", "from", "page", "sort"] {
            assert!(fields.contains_key(field), "{field}: {fields:?}");
        }
        let long = "mot ".repeat(MAX_QUERY_CHARS);
        assert!(parse(&params(&[("q", &long)]), true).is_err());
        assert!(parse(&params(&[("q", "a"), ("page", "-1")]), true).is_err());
        assert!(
            parse(
                &params(&[("q", "a"), ("page", "99999999999999999999")]),
                true
            )
            .is_err()
        );
    }

    #[test]
    fn dates_and_pages_become_the_query() {
        let query = parse(
            &params(&[
                ("q", "  santé "),
                ("from", "2026-12-01"),
                ("to", "2026-12-01"),
                ("page", "3"),
            ]),
            true,
        )
        .unwrap();
        assert_eq!(query.text, "santé");
        assert_eq!(query.to.unwrap() - query.from.unwrap(), 86_399);
        assert_eq!(query.offset, 40);
        let query = parse(
            &params(&[("q", "x"), ("from", "2026-12-01T10:00:00+01:00")]),
            true,
        )
        .unwrap();
        assert_eq!(query.from, Some(1_796_115_600));
    }
}
