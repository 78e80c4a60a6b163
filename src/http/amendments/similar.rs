//! « Des amendements proches existent déjà » (issue 14, point 6): while a member writes an
//! amendment, the amendments most like its wording and rationale — of the same text and of
//! others —, among those the member may see, so that they may support one rather than file a
//! duplicate. The in-place editor asks `POST /api/v1/texts/{id}/amendments/similar` as the
//! member types (`assets/editor/src/similar.js`); without JavaScript, a draft's own page lists
//! them above « Déposer » (`pages.rs`).

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_search::Like;
use atelier_templates as tpl;

use crate::amendments;
use crate::app::App;
use crate::auth::{AmendmentRights, Viewer};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, CurrentMember};
use crate::http::paths::TextPath;
use crate::http::related::{self, Elsewhere};
use crate::http::views::amendment_status_view;
use crate::indexing::Unavailable;
use crate::model::{AmendmentId, AmendmentStatus, TextId};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(find_similar_amendments))
}

/// How many similar amendments are listed.
const SIMILAR: usize = 5;

/// An amendment like the one being written, as the member may see it now.
pub struct Similar {
    pub id: AmendmentId,
    pub text_id: TextId,
    pub text_title: String,
    pub number: i64,
    pub reference: String,
    pub status: AmendmentStatus,
    pub snippet_html: String,
}

/// The amendments most like `replacement` and `rationale` that `viewer` may see, but `except`
/// (the draft being edited). Each is read again from the store, so that what is listed is its
/// number, reference and status now, and only if the viewer may still see it and its text.
pub async fn similar(
    app: &App,
    viewer: &Viewer,
    replacement: &str,
    rationale: &str,
    except: Option<AmendmentId>,
) -> Result<Vec<Similar>, Unavailable> {
    let like = format!("{}\n\n{}", replacement.trim(), rationale.trim());
    if like.trim().is_empty() {
        return Ok(Vec::new());
    }
    let query = related::query(
        Some(viewer),
        Like::Text(related::bounded(&like).to_owned()),
        &["amendment"],
        Elsewhere {
            sources: except
                .map(|id| format!("amendment:{id}"))
                .into_iter()
                .collect(),
            ..Elsewhere::default()
        },
        SIMILAR,
    );
    let hits = related::hits(app, query).await?;
    let mut texts: HashMap<TextId, Option<String>> = HashMap::new();
    let mut found = Vec::with_capacity(hits.len());
    for hit in hits.iter() {
        let Some(id) = hit
            .source
            .strip_prefix("amendment:")
            .and_then(|id| id.parse::<AmendmentId>().ok())
        else {
            continue;
        };
        // A failing store read leaves the amendment out: the list is a hint, never an error.
        let Ok(Some(row)) = app.db.amendment(id).await else {
            continue;
        };
        if !AmendmentRights::may_see(Some(viewer), row.author_id, row.status) {
            continue;
        }
        let title = match texts.get(&row.text_id) {
            Some(title) => title.clone(),
            None => {
                let title = crate::text::load_text(&app.db, Some(viewer), row.text_id)
                    .await
                    .ok()
                    .map(|ctx| ctx.text.title);
                texts.insert(row.text_id, title.clone());
                title
            }
        };
        let Some(text_title) = title else {
            continue;
        };
        found.push(Similar {
            id,
            text_id: row.text_id,
            text_title,
            number: row.number,
            reference: row.reference,
            status: row.status,
            snippet_html: hit.snippet_html.clone(),
        });
    }
    Ok(found)
}

/// For the pages: the views, or nothing when the index cannot answer now.
pub async fn similar_views(
    app: &App,
    viewer: &Viewer,
    replacement: &str,
    rationale: &str,
    except: Option<AmendmentId>,
) -> Vec<tpl::SimilarAmendmentView> {
    match similar(app, viewer, replacement, rationale, except).await {
        Ok(found) => found
            .into_iter()
            .map(|s| tpl::SimilarAmendmentView {
                id: s.id.to_string(),
                number: s.number,
                reference: s.reference,
                status: amendment_status_view(s.status),
                text_title: s.text_title,
                snippet_html: s.snippet_html,
            })
            .collect(),
        Err(e) => {
            tracing::debug!(error = %e, "a draft's page goes without similar amendments");
            Vec::new()
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SimilarIn {
    /// The wording being written (at most 100,000 characters, as when filing).
    #[serde(default)]
    replacement: String,
    /// The rationale being written (at most 100,000 characters).
    #[serde(default)]
    rationale: String,
    /// The draft being edited, left out of the answer.
    #[serde(default)]
    amendment_id: Option<AmendmentId>,
}

/// An amendment like the one being written.
#[derive(Serialize, ToSchema)]
pub struct SimilarAmendmentOut {
    id: AmendmentId,
    text_id: TextId,
    /// The title of its text.
    text_title: String,
    /// Permanent, per text.
    number: i64,
    /// « § n, lignes a à b », as filed.
    reference: String,
    status: AmendmentStatus,
    /// An excerpt of its wording or rationale, HTML-escaped, the shared words in `<mark>`.
    snippet_html: String,
    /// Its page.
    url: String,
}

#[derive(Serialize, ToSchema)]
pub struct SimilarOut {
    /// Best first; empty when nothing is alike (or nothing was written yet).
    amendments: Vec<SimilarAmendmentOut>,
}

/// The amendments most like a wording and a rationale being written on a text (of this text
/// and of others), among those the member may see: « des amendements proches existent déjà ».
#[utoipa::path(post, path = "/api/v1/texts/{id}/amendments/similar", tag = "amendments", request_body = SimilarIn,
    security(("bearer" = [])), params(("id" = String, Path, description = "Text id")),
    responses((status = 200, body = SimilarOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "A wording or a rationale longer than an amendment's"),
              (status = 503, body = ErrorBody, description = "The index is being rebuilt: ask again soon")))]
async fn find_similar_amendments(
    State(app): State<App>,
    current: CurrentMember,
    TextPath(id): TextPath,
    ApiJson(body): ApiJson<SimilarIn>,
) -> AppResult<Response> {
    let viewer = &current.viewer;
    // The text must be one the member may read (404 otherwise, as for filing).
    amendments::load(&app.db, Some(viewer), id).await?;
    let errors = amendments::length_errors(&body.replacement, &body.rationale);
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    match similar(
        &app,
        viewer,
        &body.replacement,
        &body.rationale,
        body.amendment_id,
    )
    .await
    {
        Ok(found) => Ok(Json(SimilarOut {
            amendments: found
                .into_iter()
                .map(|s| SimilarAmendmentOut {
                    url: format!("/amendments/{}", s.id),
                    id: s.id,
                    text_id: s.text_id,
                    text_title: s.text_title,
                    number: s.number,
                    reference: s.reference,
                    status: s.status,
                    snippet_html: s.snippet_html,
                })
                .collect(),
        })
        .into_response()),
        Err(Unavailable::Rebuilding) => Ok(related::rebuilding()),
        Err(e) => Err(AppError::Internal(e.into())),
    }
}
