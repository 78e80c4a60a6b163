//! The archived debates' JSON routes: `GET /api/v1/debates` (filtered, paginated) and
//! `GET /api/v1/debates/{id}`. Debates are public: anyone may read them, signed in or not.

use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates::Lang;

use super::listing::{DebatesQuery, list, visible_groups};
use crate::app::App;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::MaybeMember;
use crate::http::paths::DebatePath;
use crate::model::{DebateId, GroupId};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_debates))
        .routes(routes!(get_debate))
}

/// A debate in a list.
#[derive(Serialize, ToSchema)]
pub struct DebateSummaryOut {
    id: DebateId,
    /// The day it was held (YYYY-MM-DD), as the archive dated it.
    date: String,
    /// The moment it was held, when the archive gave one (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(with = "time::serde::rfc3339::option")]
    time: Option<OffsetDateTime>,
    /// Where it was held, as the archive named it.
    place: String,
    /// The party group of that name, when there is one the caller may see.
    group_id: Option<GroupId>,
    speaker: String,
    title: String,
    /// The text's first 300 characters.
    excerpt: String,
    /// The archive's original, if given.
    url: Option<String>,
    convention: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DebatesOut {
    /// Debates matching every filter.
    total: i64,
    page: u32,
    pages: u32,
    debates: Vec<DebateSummaryOut>,
}

/// A debate, whole.
#[derive(Serialize, ToSchema)]
pub struct DebateOut {
    id: DebateId,
    /// The day it was held (YYYY-MM-DD), as the archive dated it.
    date: String,
    /// The moment it was held, when the archive gave one (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(with = "time::serde::rfc3339::option")]
    time: Option<OffsetDateTime>,
    place: String,
    /// The party group of that name, when there is one the caller may see.
    group_id: Option<GroupId>,
    group_name: Option<String>,
    speaker: String,
    title: String,
    /// What was said, plain text.
    text: String,
    url: Option<String>,
    convention: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    imported_at: OffsetDateTime,
}

/// Archived debates, newest first, filtered by place, speaker, day range and group (each
/// optional); 20 a page.
#[utoipa::path(get, path = "/api/v1/debates", tag = "debates", params(DebatesQuery),
    responses((status = 200, body = DebatesOut), (status = 422, body = ErrorBody)))]
async fn list_debates(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    Query(query): Query<DebatesQuery>,
) -> AppResult<Json<DebatesOut>> {
    let listing = list(&app, viewer.as_ref(), &query, Lang::Fr).await?;
    Ok(Json(DebatesOut {
        total: listing.total,
        page: listing.filters.page,
        pages: listing.pages,
        debates: listing
            .rows
            .into_iter()
            .map(|d| DebateSummaryOut {
                id: d.debate_id,
                date: d.held_on,
                time: d.held_at,
                place: d.place,
                group_id: d.group_id.filter(|g| listing.groups.contains_key(g)),
                speaker: d.speaker,
                title: d.title,
                excerpt: d.excerpt,
                url: d.url,
                convention: d.convention,
            })
            .collect(),
    }))
}

/// An archived debate.
#[utoipa::path(get, path = "/api/v1/debates/{id}", tag = "debates",
    params(("id" = String, Path, description = "Debate id")),
    responses((status = 200, body = DebateOut), (status = 404, body = ErrorBody)))]
async fn get_debate(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    DebatePath(id): DebatePath,
) -> AppResult<Json<DebateOut>> {
    let debate = app.db.debate(id).await?.ok_or_else(AppError::not_found)?;
    let groups = visible_groups(&app, viewer.as_ref()).await?;
    let group = debate.group_id.and_then(|g| groups.get(&g));
    Ok(Json(DebateOut {
        id: debate.debate_id,
        date: debate.held_on,
        time: debate.held_at,
        place: debate.place,
        group_id: group.map(|g| g.group_id),
        group_name: group.map(|g| g.name.clone()),
        speaker: debate.speaker,
        title: debate.title,
        text: debate.body,
        url: debate.url,
        convention: debate.convention,
        imported_at: debate.imported_at,
    }))
}
