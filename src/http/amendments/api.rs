//! Amendments: the JSON routes of API.md, and three more it does not list (a text's rules for
//! amendments, `GET`/`PUT /api/v1/texts/{id}/amendment_rules`; rewording an amendment,
//! `PATCH /api/v1/amendments/{id}`; withdrawing one's support, `DELETE …/support`; merging
//! every adopted amendment of a text, `POST /api/v1/texts/{id}/amendments/merge`; filing a
//! sub-amendment, `POST /api/v1/amendments/{id}/amendments`).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::amendments::{self, AmendableText, Filing, Placement};
use crate::app::App;
use crate::collab::doc;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, CurrentMember, MaybeMember};
use crate::http::paths::{AmendmentPath, TextPath};
use crate::model::{AmendmentId, AmendmentStatus, Filers, GroupId, MemberId, TextId};
use crate::store::{AmendmentRow, AmendmentRules};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(file_amendment, list_amendments))
        .routes(routes!(get_rules, set_rules))
        .routes(routes!(get_amendment, revise_amendment))
        .routes(routes!(submit_amendment))
        .routes(routes!(support_amendment, withdraw_support))
        .routes(routes!(withdraw_amendment))
        .routes(routes!(set_amendment_status))
        .routes(routes!(merge_amendment))
        .routes(routes!(merge_all_adopted))
        .routes(routes!(file_sub_amendment))
}

#[derive(Deserialize, ToSchema)]
pub struct AmendmentIn {
    /// The passage's start, in UTF-16 code units of the Markdown (at `heads` when given).
    start: usize,
    /// The passage's end (equal to `start` to insert).
    end: usize,
    /// The new wording of the passage (empty to delete it).
    replacement: String,
    /// The rationale (« exposé des motifs »); required when the text's rules say so.
    #[serde(default)]
    rationale: String,
    /// The document's heads the positions refer to (hex change hashes); the current ones without.
    #[serde(default)]
    heads: Option<Vec<String>>,
    /// Submit at once instead of keeping a private draft.
    #[serde(default)]
    submit: bool,
    /// The group (a section, a federation) the amendment is filed for, by its secretary.
    #[serde(default)]
    on_behalf_of: Option<GroupId>,
}

/// An amendment, where it is now in its text, and its diff.
#[derive(Serialize, ToSchema)]
pub struct AmendmentOut {
    id: AmendmentId,
    text_id: TextId,
    /// Permanent, per text.
    number: i64,
    status: AmendmentStatus,
    /// « § n, lignes a à b » of the version it was filed against, never changed.
    reference: String,
    /// Where its passage is now, in UTF-16 units of the current Markdown.
    start: usize,
    end: usize,
    /// The passage when it was filed.
    original: String,
    /// The passage as it is now (differs from `original` when `outdated`).
    current: String,
    replacement: String,
    rationale: String,
    /// The passage changed since filing.
    outdated: bool,
    /// The whole passage was deleted since filing.
    orphaned: bool,
    /// The other amendments whose current ranges overlap this one's.
    overlaps: Vec<AmendmentId>,
    /// Adopted, but set aside when the organiser merged this overlapping one instead.
    superseded_by: Option<AmendmentId>,
    supporters: Vec<MemberId>,
    author_id: Option<MemberId>,
    on_behalf_of: Option<GroupId>,
    /// For a sub-amendment, the amendment it amends (its `start`, `end`, `original` and
    /// `current` are then in that amendment's replacement).
    parent_id: Option<AmendmentId>,
    /// For a sub-amendment, the revision of its parent's wording it was filed against.
    parent_revision_id: Option<i64>,
    /// The heads it was written against.
    heads: Vec<String>,
    /// The word diff of the original and the replacement: `<del>`/`<ins>`.
    diff_html: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    updated_at: time::OffsetDateTime,
}

async fn amendment_out(
    app: &App,
    row: AmendmentRow,
    place: Placement,
    supporters: Vec<MemberId>,
) -> AppResult<AmendmentOut> {
    let diff_html = app.amendments.diff_html(&row).await?.to_string();
    let heads = doc::heads_from_json(&row.heads)
        .map(|h| doc::heads_to_strings(&h))
        .unwrap_or_default();
    Ok(AmendmentOut {
        id: row.amendment_id,
        text_id: row.text_id,
        number: row.number,
        status: row.status,
        reference: row.reference,
        start: place.start,
        end: place.end,
        original: row.original,
        current: place.passage,
        replacement: row.replacement,
        rationale: row.rationale,
        outdated: place.outdated,
        orphaned: place.orphaned,
        overlaps: place.overlaps,
        superseded_by: row.superseded_by,
        supporters,
        author_id: row.author_id,
        on_behalf_of: row.on_behalf_of,
        parent_id: row.parent_id,
        parent_revision_id: row.parent_revision_id,
        heads,
        diff_html,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The amendments of a text the viewer may see (their own drafts among them) and `wanted`,
/// placed in the text as it is now. Every amendment is placed, so that overlaps are those of
/// the whole text; only those answered get their diff.
async fn visible_amendments(
    app: &App,
    ctx: &AmendableText,
    wanted: impl Fn(&AmendmentRow) -> bool,
) -> AppResult<Vec<AmendmentOut>> {
    let viewer = ctx.text.viewer.as_ref();
    let id = ctx.text.text.text_id;
    let amendments = app.amendments.of_text(&app.db, &app.hub, id).await?;
    let all = amendments.rows();
    let places = &amendments.places;
    let mut supporters: HashMap<AmendmentId, Vec<MemberId>> = HashMap::new();
    for (amendment, member) in app.db.text_amendment_supporters(id).await? {
        supporters.entry(amendment).or_default().push(member);
    }
    let mut out = Vec::new();
    for row in all {
        if !wanted(row) || !crate::auth::AmendmentRights::may_see(viewer, row.author_id, row.status)
        {
            continue;
        }
        let place = places
            .get(&row.amendment_id)
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("an amendment was not placed")))?;
        let signed = supporters.remove(&row.amendment_id).unwrap_or_default();
        out.push(amendment_out(app, row.clone(), place, signed).await?);
    }
    Ok(out)
}

/// One amendment, placed among its text's.
async fn one_amendment(app: &App, ctx: &AmendableText, id: AmendmentId) -> AppResult<AmendmentOut> {
    visible_amendments(app, ctx, |row| row.amendment_id == id)
        .await?
        .pop()
        .ok_or_else(AppError::not_found)
}

/// Files an amendment to a passage of a text in `amending`: a private draft, or submitted at
/// once with `submit`.
#[utoipa::path(post, path = "/api/v1/texts/{id}/amendments", tag = "amendments", request_body = AmendmentIn,
    security(("bearer" = [])), params(("id" = String, Path, description = "Text id")),
    responses((status = 201, body = AmendmentOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The text is not open to amendments"),
              (status = 422, body = ErrorBody)))]
async fn file_amendment(
    State(app): State<App>,
    current: CurrentMember,
    TextPath(id): TextPath,
    ApiJson(body): ApiJson<AmendmentIn>,
) -> AppResult<(StatusCode, Json<AmendmentOut>)> {
    let ctx = amendments::load(&app.db, Some(&current.viewer), id).await?;
    let heads = match &body.heads {
        None => None,
        Some(heads) => Some(doc::parse_heads(heads).ok_or_else(|| {
            AppError::invalid_field("heads", "Les têtes sont des empreintes hexadécimales.")
        })?),
    };
    let filing = Filing {
        start: body.start,
        end: body.end,
        heads,
        replacement: body.replacement,
        rationale: body.rationale,
        submit: body.submit,
        on_behalf_of: body.on_behalf_of,
    };
    let row = amendments::file(&app.db, &app.hub, &current.viewer, &ctx, filing).await?;
    let out = one_amendment(&app, &ctx, row.amendment_id).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// A text's rules for amendments.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RulesBody {
    /// When filing opens (RFC 3339); open from the start of `amending` without.
    #[serde(default, with = "time::serde::rfc3339::option")]
    opens_at: Option<time::OffsetDateTime>,
    /// When filing closes (RFC 3339); open until the text leaves `amending` without.
    #[serde(default, with = "time::serde::rfc3339::option")]
    closes_at: Option<time::OffsetDateTime>,
    /// Supporters an amendment needs to be admissible.
    #[serde(default)]
    min_supporters: i64,
    /// Of them, women (parity statutes): screening an amendment admissible is refused (409) until
    /// that many of its supporters declared themselves women on their own profile. The author
    /// does not count, for either minimum.
    #[serde(default)]
    min_women: i64,
    #[serde(default)]
    rationale_required: bool,
    /// `group` (the members of the text's group) or `party` (every member).
    filers: String,
}

impl From<&AmendmentRules> for RulesBody {
    fn from(rules: &AmendmentRules) -> RulesBody {
        RulesBody {
            opens_at: rules.opens_at,
            closes_at: rules.closes_at,
            min_supporters: rules.min_supporters,
            min_women: rules.min_women,
            rationale_required: rules.rationale_required,
            filers: rules.filers.code().to_owned(),
        }
    }
}

/// A text's rules for amendments, as anyone who may read the text sees them.
#[utoipa::path(get, path = "/api/v1/texts/{id}/amendment_rules", tag = "amendments",
    params(("id" = String, Path, description = "Text id")),
    responses((status = 200, body = RulesBody), (status = 404, body = ErrorBody)))]
async fn get_rules(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    TextPath(id): TextPath,
) -> AppResult<Json<RulesBody>> {
    let ctx = amendments::load(&app.db, viewer.as_ref(), id).await?;
    Ok(Json(RulesBody::from(&ctx.rules)))
}

/// An organiser of the text sets its rules for amendments; `text.amendment_rules_set` is appended
/// to the outbox with them.
#[utoipa::path(put, path = "/api/v1/texts/{id}/amendment_rules", tag = "amendments", request_body = RulesBody,
    security(("bearer" = [])), params(("id" = String, Path, description = "Text id")),
    responses((status = 200, body = RulesBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn set_rules(
    State(app): State<App>,
    current: CurrentMember,
    TextPath(id): TextPath,
    ApiJson(body): ApiJson<RulesBody>,
) -> AppResult<Json<RulesBody>> {
    let filers = Filers::parse(&body.filers).ok_or_else(|| {
        AppError::invalid_field("filers", "Les déposant·es sont « group » ou « party ».")
    })?;
    let rules = AmendmentRules {
        opens_at: body.opens_at,
        closes_at: body.closes_at,
        min_supporters: body.min_supporters,
        min_women: body.min_women,
        rationale_required: body.rationale_required,
        filers,
    };
    let ctx = amendments::load(&app.db, Some(&current.viewer), id).await?;
    amendments::set_rules(&app.db, &current.viewer, &ctx, &rules).await?;
    Ok(Json(RulesBody::from(&rules)))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only the amendments in this status.
    status: Option<String>,
}

/// A text's amendments by number (drafts only to their authors), each placed in the text as it
/// is now.
#[utoipa::path(get, path = "/api/v1/texts/{id}/amendments", tag = "amendments",
    params(("id" = String, Path, description = "Text id"), ListQuery),
    responses((status = 200, body = Vec<AmendmentOut>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_amendments(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    TextPath(id): TextPath,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<Vec<AmendmentOut>>> {
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => Some(AmendmentStatus::parse(code).ok_or_else(|| {
            AppError::invalid_field("status", "Ce statut d'amendement n'existe pas.")
        })?),
    };
    let ctx = amendments::load(&app.db, viewer.as_ref(), id).await?;
    Ok(Json(
        visible_amendments(&app, &ctx, |row| status.is_none_or(|s| s == row.status)).await?,
    ))
}

/// An amendment: where it is now, whether it is outdated, which others overlap it, its
/// supporters and its diff.
#[utoipa::path(get, path = "/api/v1/amendments/{id}", tag = "amendments",
    params(("id" = String, Path, description = "Amendment id")),
    responses((status = 200, body = AmendmentOut), (status = 404, body = ErrorBody)))]
async fn get_amendment(
    State(app): State<App>,
    MaybeMember(viewer): MaybeMember,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Json<AmendmentOut>> {
    let (ctx, _) = amendments::load_amendment(&app.db, viewer.as_ref(), id).await?;
    Ok(Json(one_amendment(&app, &ctx, id).await?))
}

/// Its author submits a draft.
#[utoipa::path(post, path = "/api/v1/amendments/{id}/submit", tag = "amendments", security(("bearer" = [])),
    params(("id" = String, Path, description = "Amendment id")),
    responses((status = 200, body = AmendmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn submit_amendment(
    State(app): State<App>,
    current: CurrentMember,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Json<AmendmentOut>> {
    let (ctx, row) = amendments::load_amendment(&app.db, Some(&current.viewer), id).await?;
    amendments::submit(&app.db, &current.viewer, &ctx, &row).await?;
    Ok(Json(one_amendment(&app, &ctx, id).await?))
}

/// A party member co-signs another's submitted amendment.
#[utoipa::path(post, path = "/api/v1/amendments/{id}/support", tag = "amendments", security(("bearer" = [])),
    params(("id" = String, Path, description = "Amendment id")),
    responses((status = 200, body = AmendmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "One's own amendment, supported already, or not submitted")))]
async fn support_amendment(
    State(app): State<App>,
    current: CurrentMember,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Json<AmendmentOut>> {
    let (ctx, row) = amendments::load_amendment(&app.db, Some(&current.viewer), id).await?;
    amendments::support(&app.db, &current.viewer, &ctx, &row).await?;
    Ok(Json(one_amendment(&app, &ctx, id).await?))
}

/// A supporter withdraws their support while the amendment is submitted.
#[utoipa::path(delete, path = "/api/v1/amendments/{id}/support", tag = "amendments", security(("bearer" = [])),
    params(("id" = String, Path, description = "Amendment id")),
    responses((status = 200, body = AmendmentOut), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not a supporter, or no longer submitted")))]
async fn withdraw_support(
    State(app): State<App>,
    current: CurrentMember,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Json<AmendmentOut>> {
    let (ctx, row) = amendments::load_amendment(&app.db, Some(&current.viewer), id).await?;
    amendments::withdraw_support(&app.db, &current.viewer, &row).await?;
    Ok(Json(one_amendment(&app, &ctx, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RevisionIn {
    /// The new wording of the passage.
    replacement: String,
    /// The rationale, as it is now.
    #[serde(default)]
    rationale: String,
}

/// Its author rewords a draft or submitted amendment; every revision is kept.
#[utoipa::path(patch, path = "/api/v1/amendments/{id}", tag = "amendments", request_body = RevisionIn,
    security(("bearer" = [])), params(("id" = String, Path, description = "Amendment id")),
    responses((status = 200, body = AmendmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "No longer draft or submitted"),
              (status = 422, body = ErrorBody)))]
async fn revise_amendment(
    State(app): State<App>,
    current: CurrentMember,
    AmendmentPath(id): AmendmentPath,
    ApiJson(body): ApiJson<RevisionIn>,
) -> AppResult<Json<AmendmentOut>> {
    let (ctx, row) = amendments::load_amendment(&app.db, Some(&current.viewer), id).await?;
    amendments::revise(
        &app.db,
        &current.viewer,
        &ctx,
        &row,
        &body.replacement,
        &body.rationale,
    )
    .await?;
    Ok(Json(one_amendment(&app, &ctx, id).await?))
}

/// Its author withdraws an amendment (until a vote starts).
#[utoipa::path(post, path = "/api/v1/amendments/{id}/withdraw", tag = "amendments", security(("bearer" = [])),
    params(("id" = String, Path, description = "Amendment id")),
    responses((status = 200, body = AmendmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn withdraw_amendment(
    State(app): State<App>,
    current: CurrentMember,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Json<AmendmentOut>> {
    let (ctx, row) = amendments::load_amendment(&app.db, Some(&current.viewer), id).await?;
    amendments::withdraw(&app.db, &current.viewer, &row).await?;
    Ok(Json(one_amendment(&app, &ctx, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AmendmentStatusIn {
    /// admissible, inadmissible, voting, adopted or rejected
    status: String,
    /// Why (required for inadmissible).
    #[serde(default)]
    reason: Option<String>,
}

/// An organiser screens an amendment or records its outcome.
#[utoipa::path(post, path = "/api/v1/amendments/{id}/status", tag = "amendments", request_body = AmendmentStatusIn,
    security(("bearer" = [])), params(("id" = String, Path, description = "Amendment id")),
    responses((status = 200, body = AmendmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "A move the amendment's life does not allow"),
              (status = 422, body = ErrorBody)))]
async fn set_amendment_status(
    State(app): State<App>,
    current: CurrentMember,
    AmendmentPath(id): AmendmentPath,
    ApiJson(body): ApiJson<AmendmentStatusIn>,
) -> AppResult<Json<AmendmentOut>> {
    let status = AmendmentStatus::parse(&body.status).ok_or_else(|| {
        AppError::invalid_field(
            "status",
            "Le statut doit être admissible, inadmissible, voting, adopted ou rejected.",
        )
    })?;
    let (ctx, row) = amendments::load_amendment(&app.db, Some(&current.viewer), id).await?;
    amendments::set_status(
        &app.db,
        &current.viewer,
        &ctx,
        &row,
        status,
        body.reason.as_deref(),
    )
    .await?;
    Ok(Json(one_amendment(&app, &ctx, id).await?))
}

/// An organiser merges an adopted amendment into its text: one change of the document whose
/// message names it, the amendment `merged`, a version named after it. Refused (409, saying
/// which and why) when it is not adopted, outdated, orphaned or overlaps another adopted
/// amendment not merged yet; nothing changes then.
#[utoipa::path(post, path = "/api/v1/amendments/{id}/merge", tag = "amendments", security(("bearer" = [])),
    params(("id" = String, Path, description = "Amendment id")),
    responses((status = 200, body = AmendmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not adopted, outdated, orphaned or overlapping another adopted amendment")))]
async fn merge_amendment(
    State(app): State<App>,
    current: CurrentMember,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Json<AmendmentOut>> {
    let (ctx, row) = amendments::load_amendment(&app.db, Some(&current.viewer), id).await?;
    amendments::merge(&app.db, &app.hub, &current.viewer, &ctx, &row).await?;
    Ok(Json(one_amendment(&app, &ctx, id).await?))
}

/// What merging every adopted amendment did.
#[derive(Serialize, ToSchema)]
pub struct MergedAllOut {
    /// The numbers merged, in order.
    merged: Vec<i64>,
    /// Those left adopted, with why.
    refused: Vec<RefusedOut>,
}

#[derive(Serialize, ToSchema)]
pub struct RefusedOut {
    number: i64,
    reason: String,
}

/// An organiser merges every adopted amendment of a text that can be, one change each; the
/// others (outdated, orphaned, overlapping) stay adopted, listed with why.
#[utoipa::path(post, path = "/api/v1/texts/{id}/amendments/merge", tag = "amendments", security(("bearer" = [])),
    params(("id" = String, Path, description = "Text id")),
    responses((status = 200, body = MergedAllOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn merge_all_adopted(
    State(app): State<App>,
    current: CurrentMember,
    TextPath(id): TextPath,
) -> AppResult<Json<MergedAllOut>> {
    let ctx = amendments::load(&app.db, Some(&current.viewer), id).await?;
    let outcome = amendments::merge_all_adopted(&app.db, &app.hub, &current.viewer, &ctx).await?;
    Ok(Json(MergedAllOut {
        merged: outcome.merged,
        refused: outcome
            .refused
            .into_iter()
            .map(|(number, reason)| RefusedOut { number, reason })
            .collect(),
    }))
}

/// Files a sub-amendment on a submitted or admissible amendment: the body of a filing on a text
/// (`heads` does not apply), its `start` and `end` in UTF-16 units of the amendment's current
/// replacement. 409 on an amendment not submitted nor admissible, or on a sub-amendment.
#[utoipa::path(post, path = "/api/v1/amendments/{id}/amendments", tag = "amendments", request_body = AmendmentIn,
    security(("bearer" = [])), params(("id" = String, Path, description = "The parent amendment's id")),
    responses((status = 201, body = AmendmentOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "The parent is not submitted nor admissible, is a sub-amendment, or the text is closed"),
              (status = 422, body = ErrorBody)))]
async fn file_sub_amendment(
    State(app): State<App>,
    current: CurrentMember,
    AmendmentPath(id): AmendmentPath,
    ApiJson(body): ApiJson<AmendmentIn>,
) -> AppResult<(StatusCode, Json<AmendmentOut>)> {
    let (ctx, parent) = amendments::load_amendment(&app.db, Some(&current.viewer), id).await?;
    let filing = Filing {
        start: body.start,
        end: body.end,
        heads: None,
        replacement: body.replacement,
        rationale: body.rationale,
        submit: body.submit,
        on_behalf_of: body.on_behalf_of,
    };
    let row = amendments::file_sub(&app.db, &current.viewer, &ctx, &parent, filing).await?;
    let out = one_amendment(&app, &ctx, row.amendment_id).await?;
    Ok((StatusCode::CREATED, Json(out)))
}
