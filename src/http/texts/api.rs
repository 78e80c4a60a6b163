//! Texts: the JSON routes of API.md and the live sync WebSocket.

use axum::Json;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::App;
use crate::collab::{PeerInfo, doc};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::api::Created;
use crate::http::extract::{ApiJson, CurrentMember, MaybeMember};
use crate::http::paths::{GroupPath, TextPath, VersionPath};
use crate::model::{GroupId, MemberId, TextId, TextKind, TextStatus, VersionId};
use crate::text::history::{self, Point};
use crate::text::{self, NewTextInput, TextContext};

/// The largest WebSocket message accepted: a sync message carrying a whole offline session.
pub const MAX_SYNC_MESSAGE: usize = 8 * 1024 * 1024;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(create_text))
        .routes(routes!(get_text))
        .routes(routes!(get_markdown))
        .routes(routes!(sync_text))
        .routes(routes!(set_text_status))
        .routes(routes!(list_versions, create_version))
        .routes(routes!(restore_version))
        .routes(routes!(diff_text))
        .routes(routes!(text_history))
        .routes(routes!(text_sessions))
        .routes(routes!(list_group_texts))
}

#[derive(Deserialize, ToSchema)]
pub struct NewTextIn {
    group_id: GroupId,
    title: String,
    /// programme or wiki
    kind: String,
    /// The Markdown source; when empty, the text starts from the template of its kind.
    #[serde(default)]
    markdown: Option<String>,
    /// motion, chapter or wiki: the template used when no Markdown is given.
    #[serde(default)]
    template: Option<String>,
}

/// Creates a text in a group where the caller is a member.
#[utoipa::path(post, path = "/api/v1/texts", tag = "texts", request_body = NewTextIn, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_text(
    State(app): State<App>,
    current: CurrentMember,
    ApiJson(body): ApiJson<NewTextIn>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let input = NewTextInput::parse(
        &body.title,
        &body.kind,
        body.markdown.as_deref(),
        body.template.as_deref(),
    )
    .and_then(|input| input.within(app.config.doc_max_text_length))
    .map_err(AppError::invalid)?;
    let group =
        crate::organisation::load_group(&app.db, Some(&current.viewer), body.group_id).await?;
    if !text::can_create_in(&current.viewer, &group) {
        return Err(AppError::forbidden());
    }
    let id = text::create_text(
        &app.db,
        Some(current.viewer.member_id),
        body.group_id,
        &input,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

#[derive(Serialize, ToSchema)]
pub struct TextOut {
    id: TextId,
    group_id: GroupId,
    title: String,
    slug: String,
    kind: TextKind,
    status: TextStatus,
    markdown: String,
    /// The automerge heads of the document (hex change hashes).
    heads: Vec<String>,
    /// The reading view: sanitised HTML.
    html: String,
    can_write: bool,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    updated_at: time::OffsetDateTime,
}

async fn text_out(app: &App, ctx: &TextContext) -> AppResult<TextOut> {
    let view = app
        .hub
        .read(ctx.text.text_id, None)
        .await
        .map_err(text::hub_error)?;
    let rendered = app.renders.render(&app.db, ctx, &view).await?.rendered;
    Ok(TextOut {
        id: ctx.text.text_id,
        group_id: ctx.text.group_id,
        title: ctx.text.title.clone(),
        slug: ctx.text.slug.clone(),
        kind: ctx.text.kind,
        status: ctx.text.status,
        markdown: view.markdown.to_string(),
        heads: doc::heads_to_strings(&view.heads),
        html: rendered.html.clone(),
        can_write: ctx.can_write,
        updated_at: ctx.text.updated_at,
    })
}

/// A text: its Markdown, its heads and its rendered HTML.
#[utoipa::path(get, path = "/api/v1/texts/{id}", tag = "texts", params(("id" = String, Path, description = "Text id")),
    responses((status = 200, body = TextOut), (status = 404, body = ErrorBody)))]
async fn get_text(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    TextPath(id): TextPath,
) -> AppResult<Json<TextOut>> {
    let ctx = text::load_text(&app.db, viewer.as_ref(), id).await?;
    Ok(Json(text_out(&app, &ctx).await?))
}

/// The most heads a client may name (as many as concurrent branches: a handful).
const MAX_NAMED_HEADS: usize = 64;

#[derive(Deserialize, IntoParams)]
pub struct MarkdownQuery {
    /// A state of the text: its heads (hex change hashes) separated by commas; now without.
    heads: Option<String>,
}

/// A text's Markdown as it is now, or at the state its heads name: what the in-place amendment
/// editor reads when a member starts amending (the state the page showed them), rather than
/// every reading view carrying a copy. A named state never changes: the browser may keep it.
#[utoipa::path(get, path = "/api/v1/texts/{id}/markdown", tag = "texts",
    params(("id" = String, Path, description = "Text id"), MarkdownQuery),
    responses((status = 200, description = "text/markdown"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_markdown(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    TextPath(id): TextPath,
    Query(query): Query<MarkdownQuery>,
) -> AppResult<Response> {
    let ctx = text::load_text(&app.db, viewer.as_ref(), id).await?;
    let named = match query.heads.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(list) => {
            let hashes: Vec<&str> = list.split(',').map(str::trim).collect();
            if hashes.len() > MAX_NAMED_HEADS {
                return Err(AppError::invalid_field(
                    "heads",
                    format!("Un état du texte a au plus {MAX_NAMED_HEADS} têtes."),
                ));
            }
            Some(doc::parse_heads(&hashes).ok_or_else(|| {
                AppError::invalid_field(
                    "heads",
                    "Les têtes sont des empreintes hexadécimales séparées par des virgules.",
                )
            })?)
        }
    };
    let kept = if named.is_some() {
        "private, max-age=31536000, immutable"
    } else {
        "private, no-cache"
    };
    let (markdown, _) = text::markdown_at(&app.hub, ctx.text.text_id, named).await?;
    let mut response = Response::new(axum::body::Body::from(markdown));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/markdown; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(kept),
    );
    Ok(response)
}

/// Live editing (WebSocket). Binary frames: automerge sync messages, both ways; the server
/// answers a message only once the changes it carried are stored. Text frames: JSON presence
/// (`cursor` from the client; `hello`, `join`, `cursor`, `leave` from the server). Readers get a
/// read-only session: a change from them closes the socket (code 4403).
#[utoipa::path(get, path = "/api/v1/texts/{id}/sync", tag = "texts", params(("id" = String, Path, description = "Text id")),
    responses((status = 101, description = "Switching to the WebSocket protocol"),
              (status = 400, body = ErrorBody, description = "Not a WebSocket upgrade request"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn sync_text(
    State(app): State<App>,
    current: CurrentMember,
    TextPath(id): TextPath,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    check_origin(&headers)?;
    let ctx = text::load_text(&app.db, Some(&current.viewer), id).await?;
    // A plain GET (no upgrade): our error, after the rights check, rather than axum's text.
    let upgrade = upgrade.map_err(|_| {
        AppError::bad_request("Cette adresse attend une connexion WebSocket (Upgrade: websocket).")
    })?;
    let info = PeerInfo {
        member: current.viewer.member_id,
        name: current.viewer.name.clone(),
        readonly: !ctx.can_write,
        // Co-editors are named only to those who may see the group's directory; a change of
        // roles closes the member's sockets (`collab::rights`), so this is decided again.
        sees_names: ctx.names_authors(),
    };
    let text_id = ctx.text.text_id;
    Ok(upgrade
        .max_message_size(MAX_SYNC_MESSAGE)
        .max_frame_size(MAX_SYNC_MESSAGE)
        .on_upgrade(move |socket| super::sync_socket::serve_peer(app, text_id, info, socket)))
}

/// A browser page of another site must not open a socket with our visitor's cookie.
fn check_origin(headers: &HeaderMap) -> AppResult<()> {
    let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) else {
        return Ok(());
    };
    let origin_host = origin.split("://").nth(1).unwrap_or(origin);
    if origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(AppError::forbidden_because(
            "Cette connexion vient d'un autre site.",
        ))
    }
}

#[derive(Deserialize, ToSchema)]
pub struct StatusIn {
    /// drafting, amending, adopted or archived
    status: String,
}

/// Moves a text through its life (organisers).
#[utoipa::path(post, path = "/api/v1/texts/{id}/status", tag = "texts", request_body = StatusIn, security(("bearer" = [])),
    params(("id" = String, Path, description = "Text id")),
    responses((status = 200, body = TextOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "A move the text's life does not allow"), (status = 422, body = ErrorBody)))]
async fn set_text_status(
    State(app): State<App>,
    current: CurrentMember,
    TextPath(id): TextPath,
    ApiJson(body): ApiJson<StatusIn>,
) -> AppResult<Json<TextOut>> {
    let status = TextStatus::parse(&body.status).ok_or_else(|| {
        AppError::invalid_field(
            "status",
            "Le statut doit être drafting, amending, adopted ou archived.",
        )
    })?;
    let ctx = text::load_text(&app.db, Some(&current.viewer), id).await?;
    text::set_status(&app.db, &ctx, status).await?;
    let ctx = text::load_text(&app.db, Some(&current.viewer), id).await?;
    Ok(Json(text_out(&app, &ctx).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionIn {
    label: String,
}

#[derive(Serialize, ToSchema)]
pub struct VersionCreated {
    id: VersionId,
    heads: Vec<String>,
}

/// Names the text's current state.
#[utoipa::path(post, path = "/api/v1/texts/{id}/versions", tag = "texts", request_body = VersionIn, security(("bearer" = [])),
    params(("id" = String, Path, description = "Text id")),
    responses((status = 201, body = VersionCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_version(
    State(app): State<App>,
    current: CurrentMember,
    TextPath(id): TextPath,
    ApiJson(body): ApiJson<VersionIn>,
) -> AppResult<(StatusCode, Json<VersionCreated>)> {
    let ctx = text::load_text(&app.db, Some(&current.viewer), id).await?;
    let (id, heads) =
        text::create_version(&app.db, &app.hub, &current.viewer, &ctx, &body.label).await?;
    Ok((
        StatusCode::CREATED,
        Json(VersionCreated {
            id,
            heads: doc::heads_to_strings(&heads),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct VersionOut {
    id: VersionId,
    label: String,
    heads: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
    /// Only for those who may see the group's directory (null for anyone else).
    author_id: Option<MemberId>,
    /// Only for those who may see the group's directory (null for anyone else).
    author_name: Option<String>,
}

/// The named versions of a text, newest first.
#[utoipa::path(get, path = "/api/v1/texts/{id}/versions", tag = "texts", params(("id" = String, Path, description = "Text id")),
    responses((status = 200, body = [VersionOut]), (status = 404, body = ErrorBody)))]
async fn list_versions(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    TextPath(id): TextPath,
) -> AppResult<Json<Vec<VersionOut>>> {
    let ctx = text::load_text(&app.db, viewer.as_ref(), id).await?;
    let versions = app.db.versions(ctx.text.text_id).await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| VersionOut {
                id: v.text_version_id,
                label: v.label,
                heads: serde_json::from_str(&v.heads).unwrap_or_default(),
                created_at: v.created_at,
                author_id: v.author_id.filter(|_| ctx.names_authors()),
                author_name: v.author_name.filter(|_| ctx.names_authors()),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct HeadsOut {
    heads: Vec<String>,
}

/// Brings back a version's text as a new change (history is kept).
#[utoipa::path(post, path = "/api/v1/texts/{id}/versions/{version}/restore", tag = "texts", security(("bearer" = [])),
    params(("id" = String, Path, description = "Text id"), ("version" = String, Path, description = "Version id")),
    responses((status = 200, body = HeadsOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn restore_version(
    State(app): State<App>,
    current: CurrentMember,
    TextPath(id): TextPath,
    VersionPath(version_id): VersionPath,
) -> AppResult<Json<HeadsOut>> {
    let ctx = text::load_text(&app.db, Some(&current.viewer), id).await?;
    let version = app
        .db
        .version(ctx.text.text_id, version_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let heads = text::restore_version(&app.hub, &current.viewer, &ctx, &version).await?;
    Ok(Json(HeadsOut {
        heads: doc::heads_to_strings(&heads),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct DiffQuery {
    /// A point of the history: a version id, `e` and a stored batch's id (`e42`, as `history`
    /// and `sessions` give them), automerge heads (hex hashes separated by commas), `start` (the
    /// empty text) or `now` (the default).
    from: Option<String>,
    /// A point of the history, as `from`; `now` by default.
    to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DiffOut {
    /// Word-level diff: `<del>`/`<ins>`, with `<mark>` on the changed characters of a changed word.
    html: String,
    /// Words inserted and deleted.
    insertions: usize,
    deletions: usize,
    /// The inputs were too large to compare finely within the time allowed: a coarser diff.
    truncated: bool,
    /// The same differences on the rendered text (headings, emphasis, lists): sanitised HTML
    /// with `<ins>` and `<del>` around changed text.
    rendered_html: String,
}

/// The differences between any two points of a text's history, word by word.
#[utoipa::path(get, path = "/api/v1/texts/{id}/diff", tag = "texts", params(("id" = String, Path, description = "Text id"), DiffQuery),
    responses((status = 200, body = DiffOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn diff_text(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    TextPath(id): TextPath,
    Query(query): Query<DiffQuery>,
) -> AppResult<Json<DiffOut>> {
    let ctx = text::load_text(&app.db, viewer.as_ref(), id).await?;
    let from = Point::parse(query.from.as_deref())?;
    let to = Point::parse(query.to.as_deref())?;
    let mut sides = history::resolve_points(&app.db, &app.hub, &ctx, &[from, to])
        .await?
        .into_iter()
        .map(|(markdown, _)| markdown);
    let (Some(old), Some(new)) = (sides.next(), sides.next()) else {
        return Err(AppError::Internal(anyhow::anyhow!("two points, two sides")));
    };
    let rendered = history::rendered_comparison(&app.db, &ctx, &old, &new).await?;
    let diff = text::diff(old, new).await?;
    Ok(Json(DiffOut {
        html: diff.html,
        insertions: diff.insertions,
        deletions: diff.deletions,
        truncated: diff.truncated || rendered.truncated,
        rendered_html: rendered.html,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct EditOut {
    /// The state after this batch, as a diff's `from` or `to` (`e42`).
    point: String,
    /// Only for those who may see the group's directory (null for anyone else).
    author_id: Option<MemberId>,
    /// Only for those who may see the group's directory (null for anyone else).
    author_name: Option<String>,
    changes: i32,
    heads: Vec<String>,
    message: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    at: time::OffsetDateTime,
}

/// The recent changes of a text and who made them, newest first.
#[utoipa::path(get, path = "/api/v1/texts/{id}/history", tag = "texts", params(("id" = String, Path, description = "Text id")),
    responses((status = 200, body = [EditOut]), (status = 404, body = ErrorBody)))]
async fn text_history(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    TextPath(id): TextPath,
) -> AppResult<Json<Vec<EditOut>>> {
    let ctx = text::load_text(&app.db, viewer.as_ref(), id).await?;
    let edits = app.db.text_edits(ctx.text.text_id, 100).await?;
    Ok(Json(
        edits
            .into_iter()
            .map(|e| EditOut {
                point: Point::Edit(e.text_edit_id).code(),
                author_id: e.author_id.filter(|_| ctx.names_authors()),
                author_name: e.author_name.filter(|_| ctx.names_authors()),
                changes: e.changes,
                heads: serde_json::from_str(&e.heads).unwrap_or_default(),
                message: e.message,
                at: e.created_at,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct SessionAuthorOut {
    /// Null for the server's own changes, and for anyone who may not see the group's directory.
    id: Option<MemberId>,
    /// As `id`.
    name: Option<String>,
    /// Whether these are the server's own changes (an import, a restoration).
    server: bool,
    /// Automerge changes they made in the session.
    changes: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    /// The state before the session (`start` for the text's first), as a diff's `from`.
    from: String,
    /// The state after it, as a diff's `to`.
    to: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    started_at: time::OffsetDateTime,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    ended_at: time::OffsetDateTime,
    authors: Vec<SessionAuthorOut>,
    /// Stored batches in the session.
    batches: usize,
    /// Words added and removed from `from` to `to`; null while not computed yet (within the
    /// page's time budget: asking again fills them in).
    words_added: Option<usize>,
    words_removed: Option<usize>,
    /// The counts come from a coarser comparison (long texts).
    approximate: bool,
    /// The server's messages ("created", "restored version 3").
    messages: Vec<String>,
    /// The page's bound cut the session: it began earlier (on the next page).
    continues_earlier: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsOut {
    /// Newest first, twenty at most.
    sessions: Vec<SessionOut>,
    /// `before` for the next, older page; null on the last.
    older: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct SessionsQuery {
    /// The sessions before this stored batch (a previous page's `older`).
    before: Option<String>,
}

/// A text's edits grouped into sessions (by author and burst of typing), newest first, with the
/// words each added and removed and its two points for `diff`.
#[utoipa::path(get, path = "/api/v1/texts/{id}/sessions", tag = "texts", params(("id" = String, Path, description = "Text id"), SessionsQuery),
    responses((status = 200, body = SessionsOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn text_sessions(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    TextPath(id): TextPath,
    Query(query): Query<SessionsQuery>,
) -> AppResult<Json<SessionsOut>> {
    let ctx = text::load_text(&app.db, viewer.as_ref(), id).await?;
    let before = history::parse_cursor(query.before.as_deref())?;
    let (page, words) =
        history::sessions_with_words(&app.db, &app.hub, &app.word_counts, &ctx, before).await?;
    let names = ctx.names_authors();
    Ok(Json(SessionsOut {
        sessions: page
            .sessions
            .iter()
            .zip(words)
            .map(|(s, w)| SessionOut {
                from: s.from_point().code(),
                to: s.to_point().code(),
                started_at: s.started_at,
                ended_at: s.ended_at,
                authors: s
                    .authors
                    .iter()
                    .map(|a| SessionAuthorOut {
                        id: a.author_id.filter(|_| names),
                        name: a.name.clone().filter(|_| names),
                        server: a.author_id.is_none(),
                        changes: a.changes,
                    })
                    .collect(),
                batches: s.batches,
                words_added: w.map(|w| w.added),
                words_removed: w.map(|w| w.removed),
                approximate: w.is_some_and(|w| w.approximate),
                messages: s.messages.clone(),
                continues_earlier: s.continues_earlier,
            })
            .collect(),
        older: page.older.map(|id| id.to_string()),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct TextSummaryOut {
    id: TextId,
    title: String,
    slug: String,
    kind: TextKind,
    status: TextStatus,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    updated_at: time::OffsetDateTime,
}

/// The texts of a group.
#[utoipa::path(get, path = "/api/v1/groups/{id}/texts", tag = "texts", params(("id" = String, Path, description = "Group id")),
    responses((status = 200, body = [TextSummaryOut]), (status = 404, body = ErrorBody)))]
async fn list_group_texts(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    GroupPath(group_id): GroupPath,
) -> AppResult<Json<Vec<TextSummaryOut>>> {
    let ctx = crate::organisation::load_group(&app.db, viewer.as_ref(), group_id).await?;
    let texts = app.db.texts_of_group(ctx.group.group_id).await?;
    Ok(Json(
        texts
            .into_iter()
            .map(|t| TextSummaryOut {
                id: t.text_id,
                title: t.title,
                slug: t.slug,
                kind: t.kind,
                status: t.status,
                updated_at: t.updated_at,
            })
            .collect(),
    ))
}
