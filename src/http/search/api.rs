//! `GET /api/v1/search` in the shape of API.md, answered from the live index (which
//! holds only what anyone may see, so the answer is the same for every caller).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_search::{MAX_DEPTH, MAX_QUERY_CHARS, SearchQuery, SearchResults};

use crate::app::App;
use crate::error::{AppError, AppResult, ErrorBody, FieldErrors};
use crate::indexing::Unavailable;
use crate::model::GroupId;

/// Hits per page.
const PAGE_SIZE: usize = 20;

/// The kinds of document the index holds (`kind=`).
const KINDS: &[&str] = &["group", "text", "paragraph"];

/// How long a client should wait before asking again while the index is rebuilt.
const REBUILDING_RETRY_SECONDS: u64 = 5;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(search))
}

/// Every parameter is read as text and parsed here, so that a bad one gets a sentence naming
/// it rather than the framework's rejection.
#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// What to look for: words (all required), "a phrase", -excluded. Required.
    q: Option<String>,
    /// Only this kind of document: group, text (titles) or paragraph.
    kind: Option<String>,
    /// Only documents of this group (its id).
    group: Option<String>,
    /// Only documents dated on or after: a date (2026-12-01) or an RFC 3339 time.
    from: Option<String>,
    /// Only documents dated on or before: a date (the whole day counts) or an RFC 3339 time.
    to: Option<String>,
    /// The page, from 1 (20 hits a page).
    page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchOut {
    /// Documents matching the query and every filter.
    total: usize,
    /// The page answered.
    page: usize,
    hits: Vec<HitOut>,
    facets: FacetsOut,
}

#[derive(Serialize, ToSchema)]
pub struct HitOut {
    /// group, text or paragraph
    kind: String,
    /// The id of what the hit belongs to: the group, or the text (for its paragraphs too).
    id: String,
    /// Plain text (a paragraph shows its text's title).
    title: String,
    /// An excerpt, HTML-escaped, the matched words in `<mark>`.
    snippet_html: String,
    /// Where the hit opens: a paragraph's URL ends with its anchor.
    url: String,
}

/// Counts of matching documents per value; each facet ignores its own filter.
#[derive(Serialize, ToSchema)]
pub struct FacetsOut {
    kind: BTreeMap<String, u64>,
    /// Keyed by group id.
    group: BTreeMap<String, u64>,
}

/// Searches group pages, texts' titles and paragraphs that anyone may see.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchOut), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "The index is being rebuilt: ask again soon")))]
async fn search(State(app): State<App>, Query(params): Query<SearchParams>) -> Response {
    let query = match parse(&params) {
        Ok(query) => query,
        Err(e) => return e.into_response(),
    };
    let page = query.offset / PAGE_SIZE + 1;
    match app.search.search(query).await {
        Ok(results) => Json(answer(results, page)).into_response(),
        Err(Unavailable::Rebuilding) => rebuilding(),
        Err(e) => AppError::Internal(e.into()).into_response(),
    }
}

/// 503 with a sentence, rather than an empty answer that would read as "nothing found".
fn rebuilding() -> Response {
    let body = ErrorBody {
        error: "rebuilding",
        message: "L'index de recherche est en cours de reconstruction : réessayez dans quelques \
                  secondes."
            .into(),
        fields: None,
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, REBUILDING_RETRY_SECONDS.to_string())],
        Json(body),
    )
        .into_response()
}

fn answer(results: SearchResults, page: usize) -> SearchOut {
    SearchOut {
        total: results.total,
        page,
        hits: results
            .hits
            .into_iter()
            .map(|hit| {
                let owner = if hit.source.is_empty() {
                    &hit.key
                } else {
                    &hit.source
                };
                HitOut {
                    id: owner
                        .split_once(':')
                        .map_or(owner.as_str(), |(_, id)| id)
                        .to_owned(),
                    kind: hit.kind,
                    title: hit.title,
                    snippet_html: hit.snippet_html,
                    url: hit.url,
                }
            })
            .collect(),
        facets: FacetsOut {
            kind: results.facets_kind.into_iter().collect(),
            group: results.facets_group.into_iter().collect(),
        },
    }
}

/// The query, or every bad parameter with a sentence (422).
fn parse(params: &SearchParams) -> AppResult<SearchQuery> {
    let mut errors = FieldErrors::new();
    let mut refuse = |field: &str, message: String| {
        errors.entry(field.to_owned()).or_insert(message);
    };
    let text = params.q.as_deref().unwrap_or("").trim();
    if text.is_empty() {
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
            format!("« {kind} » n'est pas un type de résultat : group, text ou paragraph."),
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
        let error = parse(&params(&[
            ("q", " "),
            ("kind", "ballot"),
            ("group", "x"),
            ("from", "hier"),
            ("page", "0"),
        ]))
        .unwrap_err();
        let fields = error.fields().unwrap();
        for field in ["q", "kind", "group", "from", "page"] {
            assert!(fields.contains_key(field), "{field}: {fields:?}");
        }
        let long = "mot ".repeat(MAX_QUERY_CHARS);
        assert!(parse(&params(&[("q", &long)])).is_err());
        assert!(parse(&params(&[("q", "a"), ("page", "-1")])).is_err());
        assert!(parse(&params(&[("q", "a"), ("page", "99999999999999999999")])).is_err());
    }

    #[test]
    fn dates_and_pages_become_the_query() {
        let query = parse(&params(&[
            ("q", "  santé "),
            ("from", "2026-12-01"),
            ("to", "2026-12-01"),
            ("page", "3"),
        ]))
        .unwrap();
        assert_eq!(query.text, "santé");
        assert_eq!(query.to.unwrap() - query.from.unwrap(), 86_399);
        assert_eq!(query.offset, 40);
        let query = parse(&params(&[
            ("q", "x"),
            ("from", "2026-12-01T10:00:00+01:00"),
        ]))
        .unwrap();
        assert_eq!(query.from, Some(1_796_115_600));
    }
}
