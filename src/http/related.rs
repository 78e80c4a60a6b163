//! « On en parle aussi ailleurs » (issue 14, point 6): what the pages and routes that show
//! related work share — the query run once per page, with the reader's grants in it, and the
//! hits as views or as the JSON of `GET /api/v1/search`'s hits.
//!
//! A page never waits on the index: while it is being rebuilt, or if the search fails, the
//! page goes without its related work (an empty list), as it would with nothing related.

use std::sync::Arc;

use atelier_search::{Hit, Like, RelatedQuery};
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use atelier_templates as tpl;

use crate::app::App;
use crate::auth::{Viewer, readers};
use crate::error::ErrorBody;
use crate::indexing::Unavailable;
use crate::model::GroupKind;
use crate::organisation::GroupContext;

/// How many related works a page shows: a handful, so that the search stays cheap (it runs on
/// every view of the page) and the section short.
pub const RELATED: usize = 5;

/// The most a related search reads of its source's text, in characters. The words that say
/// what a text is about are weighed by tf·idf over these; analysing a whole convention's text
/// (hundreds of kilobytes) on every view would cost more than the rest of the page.
pub const MAX_LIKE_CHARS: usize = 6_000;

/// The kinds of document that count as work done elsewhere.
pub const WORK: [&str; 3] = ["paragraph", "amendment", "debate"];

/// `text` cut to at most [`MAX_LIKE_CHARS`] characters (on a character boundary).
pub fn bounded(text: &str) -> &str {
    match text.char_indices().nth(MAX_LIKE_CHARS) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// What to leave out of a related search, beside the grants the reader lacks: the page's own
/// work (its source, its group, its theme: « ailleurs » is elsewhere).
#[derive(Clone, Debug, Default)]
pub struct Elsewhere {
    /// Sources ("text:5", "amendment:7") whose documents are left out.
    pub sources: Vec<String>,
    /// Groups (their ids) whose documents are left out.
    pub groups: Vec<String>,
    /// Themes (their names, as the index holds them) whose documents are left out.
    pub themes: Vec<String>,
}

impl Elsewhere {
    /// Elsewhere than `source` and the group it belongs to, and than that group's theme (the
    /// theme it is, or is under: its working groups are its own work).
    pub fn than(source: String, group: &GroupContext) -> Elsewhere {
        Elsewhere {
            sources: vec![source],
            groups: vec![group.group.group_id.to_string()],
            themes: group
                .chain
                .iter()
                .rev()
                .find(|g| g.kind == GroupKind::Theme)
                .map(|g| g.name.clone())
                .into_iter()
                .collect(),
        }
    }
}

/// The related search of `like`, limited to `kinds`, among what `viewer` may see.
pub fn query(
    viewer: Option<&Viewer>,
    like: Like,
    kinds: &[&str],
    elsewhere: Elsewhere,
    limit: usize,
) -> RelatedQuery {
    RelatedQuery {
        like,
        readers: readers::held_by(viewer),
        kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
        exclude_sources: elsewhere.sources,
        exclude_groups: elsewhere.groups,
        exclude_themes: elsewhere.themes,
        limit,
        ..Default::default()
    }
}

/// The hits of `query` (kept until the index changes: `LiveIndex::related`); `Unavailable`
/// while the index is rebuilt or when the search failed.
pub async fn hits(app: &App, query: RelatedQuery) -> Result<Arc<Vec<Hit>>, Unavailable> {
    app.search.related(query).await
}

/// The related work for a page: its views, or nothing when the index cannot answer now.
pub async fn work(app: &App, query: RelatedQuery) -> Vec<tpl::RelatedWorkView> {
    match hits(app, query).await {
        Ok(hits) => hits.iter().map(work_view).collect(),
        Err(e) => {
            tracing::debug!(error = %e, "a page goes without its related work");
            Vec::new()
        }
    }
}

pub fn work_view(hit: &Hit) -> tpl::RelatedWorkView {
    tpl::RelatedWorkView {
        kind: hit.kind.clone(),
        title: hit.title.clone(),
        snippet_html: hit.snippet_html.clone(),
        url: hit.url.clone(),
    }
}

/// How long a client should wait before asking again while the index is rebuilt.
const REBUILDING_RETRY_SECONDS: u64 = 5;

/// The API's answer while the index is rebuilt: 503 with a sentence, rather than an empty
/// answer that would read as "nothing found".
pub fn rebuilding() -> Response {
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

/// A hit, as `GET /api/v1/search` and the related routes answer it.
#[derive(Serialize, ToSchema)]
pub struct HitOut {
    /// group, text, wiki, paragraph, amendment or debate
    pub kind: String,
    /// The id of what the hit belongs to: the group, the text (for its paragraphs too), the
    /// amendment or the debate.
    pub id: String,
    /// Plain text (a paragraph shows its text's title).
    pub title: String,
    /// An excerpt, HTML-escaped, the matched words in `<mark>`.
    pub snippet_html: String,
    /// Where the hit opens: a paragraph's URL ends with its anchor.
    pub url: String,
}

impl From<&Hit> for HitOut {
    fn from(hit: &Hit) -> HitOut {
        HitOut::from(hit.clone())
    }
}

impl From<Hit> for HitOut {
    fn from(hit: Hit) -> HitOut {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_LIKE_CHARS + 10);
        assert_eq!(bounded(&long).chars().count(), MAX_LIKE_CHARS);
        assert_eq!(bounded("court"), "court");
    }
}
