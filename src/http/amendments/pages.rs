//! Amendments: their pages. An amendment's own page shows its diff, rationale, authors,
//! supporters, status history and where its passage stands now; its forms (submit, withdraw,
//! support, screen) post back here, go through the same service as the API
//! (`crate::amendments`), and return to the page: with the confirmation, or with the refusal
//! and its reason (`after_action`). Each form is shown only to who may use it;
//! the service decides again on every post.

use std::collections::HashMap;

use atelier_templates as tpl;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::amendments::{self, AmendableText};
use crate::app::App;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::http::extract::FormData;
use crate::http::page::{Page, flash, html, html_with_status, see_other};
use crate::http::paths::{AmendmentPath, TextPath};
use crate::http::related::{self, Elsewhere};
use crate::http::views::{amendment_status_view, header_view};
use crate::model::{AmendmentId, AmendmentStatus, MemberId};
use crate::organisation;
use crate::store::{AmendmentRow, AmendmentRules};
use time::{OffsetDateTime, UtcOffset};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_amendment))
        .routes(routes!(submit_amendment))
        .routes(routes!(withdraw_amendment))
        .routes(routes!(support_amendment))
        .routes(routes!(unsupport_amendment))
        .routes(routes!(set_amendment_status))
        .routes(routes!(list_amendments))
}

/// What the screening form held when it comes back with errors.
#[derive(Default)]
struct Screening {
    errors: FieldErrors,
    reason: String,
    status: Option<AmendmentStatus>,
}

pub(super) fn href(id: AmendmentId) -> String {
    format!("/amendments/{id}")
}

/// The page's view: the amendment placed among its text's (overlaps are those of the whole
/// text), names only for who may see the group's directory (as history and presence do).
async fn page_view(
    app: &App,
    ctx: &AmendableText,
    row: &AmendmentRow,
    screening: Screening,
) -> AppResult<tpl::AmendmentPageView> {
    let viewer = ctx.text.viewer.as_ref();
    let text_id = ctx.text.text.text_id;
    let amendments = app.amendments.of_text(&app.db, &app.hub, text_id).await?;
    let all = amendments.rows();
    let places = &amendments.places;
    let place = places
        .get(&row.amendment_id)
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("an amendment was not placed")))?;
    let names = ctx.text.group.access.can_see_directory;
    let supporters = app.db.amendment_supporters(row.amendment_id).await?;
    let history = app.db.amendment_history(row.amendment_id).await?;
    let revisions = app.db.amendment_revisions(row.amendment_id).await?;

    // The members named on the page, looked up once each.
    let mut known: HashMap<MemberId, Option<String>> = HashMap::new();
    if names {
        let wanted = row
            .author_id
            .into_iter()
            .chain(history.iter().filter_map(|h| h.actor_id))
            .chain(revisions.iter().filter_map(|r| r.author_id));
        for id in wanted {
            if let std::collections::hash_map::Entry::Vacant(e) = known.entry(id) {
                e.insert(app.db.member(id).await?.map(|m| m.name));
            }
        }
    }
    let name_of = |id: Option<MemberId>| id.and_then(|id| known.get(&id).cloned().flatten());

    let on_behalf_of = match row.on_behalf_of {
        Some(group) => organisation::load_group(&app.db, viewer, group)
            .await
            .ok()
            .map(|g| g.group.name),
        None => None,
    };
    let overlaps = all
        .iter()
        .filter(|other| place.overlaps.contains(&other.amendment_id))
        .filter(|other| {
            crate::auth::AmendmentRights::may_see(viewer, other.author_id, other.status)
        })
        .map(|other| tpl::AmendmentLinkView {
            id: other.amendment_id.to_string(),
            number: other.number,
            reference: other.reference.clone(),
        })
        .collect();
    let place_view = if place.orphaned {
        tpl::AmendmentPlaceView::Orphaned
    } else if place.outdated {
        tpl::AmendmentPlaceView::Outdated {
            then: row.original.clone(),
            now: place.passage,
        }
    } else {
        tpl::AmendmentPlaceView::InPlace
    };

    // The organiser merges an adopted amendment, once its conflicts with other adopted ones
    // that overlap it are resolved side by side.
    let can_merge = ctx.rights.can_screen
        && row.status == AmendmentStatus::Adopted
        && row.superseded_by.is_none();
    let conflicts = all
        .iter()
        .filter(|other| can_merge && place.overlaps.contains(&other.amendment_id))
        .filter(|other| other.status == AmendmentStatus::Adopted && other.superseded_by.is_none())
        .map(|other| tpl::AmendmentLinkView {
            id: other.amendment_id.to_string(),
            number: other.number,
            reference: other.reference.clone(),
        })
        .collect();
    // Every wording, each with what changed from the one before (the same word diff as the
    // amendment's own).
    let mut revision_views = Vec::with_capacity(revisions.len());
    for (i, revision) in revisions.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &revisions[p]);
        let diff_html = match previous {
            Some(previous) => Some(
                crate::text::diff(previous.replacement.clone(), revision.replacement.clone())
                    .await?
                    .html,
            ),
            None => None,
        };
        revision_views.push(tpl::AmendmentRevisionView {
            number: i + 1,
            author: name_of(revision.author_id),
            at: revision.created_at,
            diff_html,
            rationale_changed: previous.is_some_and(|p| p.rationale != revision.rationale),
            from_sub: revision.from_amendment_id.and_then(|sub| {
                all.iter()
                    .find(|other| other.amendment_id == sub)
                    .map(|other| tpl::AmendmentLinkView {
                        id: other.amendment_id.to_string(),
                        number: other.number,
                        reference: other.reference.clone(),
                    })
            }),
        });
    }
    // Supports given to an earlier wording are kept (see `amendments::revise`) and said so.
    // Times are stored to the second: a support of the very second of the rewording is counted
    // as maybe given to the earlier wording (the page rather says too much than too little).
    let supporters_before_rewording = match revisions.last() {
        Some(latest) if revisions.len() > 1 => supporters
            .iter()
            .filter(|s| s.created_at <= latest.created_at)
            .count(),
        _ => 0,
    };
    // Its sub-amendments the viewer may see, each as the change it makes to this wording.
    let mut subs = Vec::new();
    for sub in all.iter().filter(|r| r.parent_id == Some(row.amendment_id)) {
        if !crate::auth::AmendmentRights::may_see(viewer, sub.author_id, sub.status) {
            continue;
        }
        let diff_html = match amendments::applied(sub, &row.replacement) {
            Some(wording) if sub.status != AmendmentStatus::Merged => {
                crate::text::diff(row.replacement.clone(), wording)
                    .await?
                    .html
            }
            // Outdated, or already written into this wording: its own passage's change.
            _ => app.amendments.diff_html(sub).await?.to_string(),
        };
        subs.push(tpl::SubAmendmentView {
            id: sub.amendment_id.to_string(),
            number: sub.number,
            reference: sub.reference.clone(),
            status: amendment_status_view(sub.status),
            diff_html,
            outdated: sub.status.is_live() && amendments::place_sub(sub, &row.replacement).outdated,
        });
    }
    let parent = row.parent_id.and_then(|parent| {
        all.iter()
            .find(|other| other.amendment_id == parent)
            .map(|other| tpl::AmendmentLinkView {
                id: other.amendment_id.to_string(),
                number: other.number,
                reference: other.reference.clone(),
            })
    });
    let mine = viewer.is_some_and(|v| row.author_id == Some(v.member_id));
    let supporting = viewer.is_some_and(|v| supporters.iter().any(|s| s.member_id == v.member_id));
    let submitted = row.status == AmendmentStatus::Submitted;
    let actions = tpl::AmendmentActionsView {
        can_submit: mine
            && row.status == AmendmentStatus::Draft
            && amendments::closed_because(ctx, crate::store::now()).is_none(),
        can_withdraw: mine && row.status.may_move_to(AmendmentStatus::Withdrawn),
        can_support: ctx.rights.can_support && !mine && submitted && !supporting,
        can_unsupport: supporting && submitted,
        can_revise: viewer.is_some_and(|v| amendments::may_revise(v, row).is_ok()),
        can_file_sub: ctx.rights.can_file
            && amendments::open_to_subs(row).is_ok()
            && amendments::closed_because(ctx, crate::store::now()).is_none(),
        screen_moves: if ctx.rights.can_screen {
            row.status
                .moves()
                .iter()
                .filter(|s| s.set_by_organisers())
                .map(|s| amendment_status_view(*s))
                .collect()
        } else {
            Vec::new()
        },
        can_merge,
        conflicts,
    };
    // Women among the supporters are counted for organisers only, who screen against the
    // text's minimums; members see the number of supporters and nothing of anyone's gender.
    let parity = if ctx.rights.can_screen {
        let counts = app.db.amendment_support_counts(row.amendment_id).await?;
        Some(tpl::ParityView {
            women: counts.women,
            min_supporters: ctx.rules.min_supporters,
            min_women: ctx.rules.min_women,
        })
    } else {
        None
    };
    Ok(tpl::AmendmentPageView {
        header: header_view(&ctx.text),
        id: row.amendment_id.to_string(),
        number: row.number,
        reference: row.reference.clone(),
        status: amendment_status_view(row.status),
        diff_html: app.amendments.diff_html(row).await?.to_string(),
        rationale: row.rationale.clone(),
        author: name_of(row.author_id),
        on_behalf_of,
        mine,
        supporter_count: supporters.len(),
        parity,
        supporters: if names {
            supporters.into_iter().map(|s| s.name).collect()
        } else {
            Vec::new()
        },
        history: history
            .into_iter()
            .map(|h| tpl::AmendmentStatusChangeView {
                to: amendment_status_view(h.to_status),
                actor: name_of(h.actor_id),
                reason: h.reason,
                at: h.created_at,
            })
            .collect(),
        revisions: revision_views,
        supporters_before_rewording,
        place: place_view,
        overlaps,
        parent,
        subs,
        superseded_by: row.superseded_by.and_then(|by| {
            all.iter()
                .find(|other| other.amendment_id == by)
                .map(|other| tpl::AmendmentLinkView {
                    id: other.amendment_id.to_string(),
                    number: other.number,
                    reference: other.reference.clone(),
                })
        }),
        actions,
        errors: screening.errors,
        reason: screening.reason,
        chosen_status: screening.status.map(amendment_status_view),
        related: Vec::new(),
        similar: Vec::new(),
    })
}

/// For its author, a draft's similar amendments (« Des amendements proches existent déjà »),
/// the no-JavaScript side of the in-place editor's list; nothing for anything else.
async fn draft_similar(
    app: &App,
    viewer: Option<&crate::auth::Viewer>,
    row: &AmendmentRow,
) -> Vec<tpl::SimilarAmendmentView> {
    match viewer {
        Some(viewer)
            if row.status == AmendmentStatus::Draft && row.author_id == Some(viewer.member_id) =>
        {
            super::similar::similar_views(
                app,
                viewer,
                &row.replacement,
                &row.rationale,
                Some(row.amendment_id),
            )
            .await
        }
        _ => Vec::new(),
    }
}

/// « On en parle aussi ailleurs »: what is most like this amendment in other groups and
/// themes, among what the viewer may see.
fn related_query(ctx: &AmendableText, row: &AmendmentRow) -> atelier_search::RelatedQuery {
    let key = format!("amendment:{}", row.amendment_id);
    related::query(
        ctx.text.viewer.as_ref(),
        atelier_search::Like::Key(key.clone()),
        &related::WORK,
        Elsewhere::than(key, &ctx.text.group),
        related::RELATED,
    )
}

/// An amendment's page.
#[utoipa::path(get, path = "/amendments/{id}", tag = "pages", params(("id" = String, Path, description = "Amendment id")),
    responses((status = 200, description = "HTML page"), (status = 404, description = "No such amendment, or hidden")))]
async fn show_amendment(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Response> {
    let (ctx, row) = amendments::load_amendment(&app.db, page.viewer.as_ref(), id).await?;
    // The index's answers beside the page's own reads: neither waits for the other.
    let (view, related, similar) = tokio::join!(
        page_view(&app, &ctx, &row, Screening::default()),
        related::work(&app, related_query(&ctx, &row)),
        draft_similar(&app, page.viewer.as_ref(), &row),
    );
    let mut view = view?;
    view.related = related;
    // Only where « Déposer » is: before a draft is submitted, by its author.
    if view.actions.can_submit {
        view.similar = similar;
    }
    Ok(html(tpl::amendment_page(&page.ctx, &view)))
}

/// After an action: its confirmation flashed, back to the amendment's page.
pub(super) async fn back_to_amendment(
    page: &Page,
    id: AmendmentId,
    done: &str,
) -> AppResult<Response> {
    flash(&page.session, tpl::t(page.lang(), done)).await?;
    Ok(see_other(&href(id)))
}

/// After an action form (no JavaScript): done, its confirmation flashed; refused by the service
/// (403, 409, 422), the reason flashed in the member's language's frame — both back to the
/// amendment's page (303), where the member sees what happened and what they may do now,
/// rather than a bare error page. The JSON API keeps its statuses; anything else (a hidden
/// amendment's 404, a failure) stays an error.
pub(super) async fn after_action(
    page: &Page,
    id: AmendmentId,
    outcome: AppResult<()>,
    done: &str,
) -> AppResult<Response> {
    match outcome {
        Ok(()) => back_to_amendment(page, id, done).await,
        Err(e @ (AppError::Forbidden(_) | AppError::Conflict(_) | AppError::Invalid(_))) => {
            // A generic refusal is said in the member's language; a specific one is the
            // service's own sentence (French, as every service message).
            let reason = e
                .specific_message()
                .unwrap_or_else(|| tpl::t(page.lang(), "flash.action_forbidden"));
            let message = tpl::t_args(page.lang(), "flash.action_refused", &[("reason", &reason)]);
            flash(&page.session, message).await?;
            Ok(see_other(&href(id)))
        }
        Err(e) => Err(e),
    }
}

/// Its author submits a draft.
#[utoipa::path(post, path = "/amendments/{id}/submit", tag = "pages", params(("id" = String, Path, description = "Amendment id")),
    responses((status = 303, description = "Back to the amendment, done or refused (not its author, not a draft, the text closed) with why in the flash")))]
async fn submit_amendment(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (ctx, row) = amendments::load_amendment(&app.db, Some(viewer), id).await?;
    let outcome = amendments::submit(&app.db, viewer, &ctx, &row).await;
    after_action(&page, id, outcome, "flash.amendment_submitted").await
}

/// Its author withdraws it.
#[utoipa::path(post, path = "/amendments/{id}/withdraw", tag = "pages", params(("id" = String, Path, description = "Amendment id")),
    responses((status = 303, description = "Back to the amendment, done or refused (not its author, too late) with why in the flash")))]
async fn withdraw_amendment(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (_, row) = amendments::load_amendment(&app.db, Some(viewer), id).await?;
    let outcome = amendments::withdraw(&app.db, viewer, &row).await;
    after_action(&page, id, outcome, "flash.amendment_withdrawn").await
}

/// A party member co-signs it.
#[utoipa::path(post, path = "/amendments/{id}/support", tag = "pages", params(("id" = String, Path, description = "Amendment id")),
    responses((status = 303, description = "Back to the amendment, done or refused (not a party member, one's own, supported already, not submitted) with why in the flash")))]
async fn support_amendment(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (ctx, row) = amendments::load_amendment(&app.db, Some(viewer), id).await?;
    let outcome = amendments::support(&app.db, viewer, &ctx, &row).await;
    after_action(&page, id, outcome, "flash.amendment_supported").await
}

/// A supporter withdraws their support while it is submitted.
#[utoipa::path(post, path = "/amendments/{id}/unsupport", tag = "pages", params(("id" = String, Path, description = "Amendment id")),
    responses((status = 303, description = "Back to the amendment, done or refused (not a supporter, no longer submitted) with why in the flash")))]
async fn unsupport_amendment(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (_, row) = amendments::load_amendment(&app.db, Some(viewer), id).await?;
    let outcome = amendments::withdraw_support(&app.db, viewer, &row).await;
    after_action(&page, id, outcome, "flash.amendment_unsupported").await
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
}

/// An organiser screens it or records its outcome; a missing reason or an unknown status comes
/// back as the page with the error next to its field.
#[utoipa::path(post, path = "/amendments/{id}/status", tag = "pages", params(("id" = String, Path, description = "Amendment id")),
    responses((status = 303, description = "Back to the amendment, done or refused (not an organiser, a move its life does not allow, too few supporters) with why in the flash"),
              (status = 422, description = "The page again, with the form's errors")))]
async fn set_amendment_status(
    State(app): State<App>,
    page: Page,
    AmendmentPath(id): AmendmentPath,
    FormData(form): FormData<StatusForm>,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let (ctx, row) = amendments::load_amendment(&app.db, Some(viewer), id).await?;
    let status = AmendmentStatus::parse(&form.status);
    let outcome = match status {
        Some(to) => {
            amendments::set_status(&app.db, viewer, &ctx, &row, to, Some(&form.reason)).await
        }
        None if !ctx.rights.can_screen => Err(AppError::forbidden()),
        None => Err(AppError::invalid_field(
            "status",
            tpl::t(page.lang(), "amendment.status_unknown"),
        )),
    };
    match outcome {
        // The form's own mistakes (a missing reason, an unknown status) come back next to
        // their fields; refusals (not an organiser, a move the amendment's life does not
        // allow, too few supporters or women) are flashed on the page.
        Err(AppError::Invalid(errors)) => {
            let screening = Screening {
                errors,
                reason: form.reason,
                status,
            };
            let view = page_view(&app, &ctx, &row, screening).await?;
            Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::amendment_page(&page.ctx, &view),
            ))
        }
        outcome => after_action(&page, id, outcome, "flash.amendment_status_changed").await,
    }
}

#[derive(Deserialize, IntoParams, Default)]
pub struct ListParams {
    /// Only the amendments in this status.
    status: Option<String>,
    /// Only those of this author (a member id).
    author: Option<String>,
    /// Only those filed on this paragraph (the « § n » of their reference).
    paragraph: Option<String>,
}

/// A text's amendments the viewer may see (their own drafts among them), filtered, sorted by
/// where they are in the text now (then by number). A filter that does not parse filters
/// nothing: the page shows every amendment rather than an error for a hand-edited address.
#[utoipa::path(get, path = "/texts/{id}/amendments", tag = "pages",
    params(("id" = String, Path, description = "Text id"), ListParams),
    responses((status = 200, description = "HTML page"), (status = 404, description = "No such text, or hidden")))]
async fn list_amendments(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let ctx = amendments::load(&app.db, page.viewer.as_ref(), id).await?;
    let view = list_view(&app, &ctx, &params, None).await?;
    Ok(html(tpl::amendment_list_page(&page.ctx, &view)))
}

/// The list's view, filtered by `params`; `rules_form` is the organisers' rules form as typed
/// (with its errors), else as stored — shown only to who may set the rules.
pub(super) async fn list_view(
    app: &App,
    ctx: &AmendableText,
    params: &ListParams,
    rules_form: Option<tpl::AmendmentRulesFormView>,
) -> AppResult<tpl::AmendmentListView> {
    let id = ctx.text.text.text_id;
    let viewer = ctx.text.viewer.as_ref();
    let amendments = app.amendments.of_text(&app.db, &app.hub, id).await?;
    let all = amendments.rows();
    let places = &amendments.places;
    let mut supporters: HashMap<AmendmentId, usize> = HashMap::new();
    for (amendment, _) in app.db.text_amendment_supporters(id).await? {
        *supporters.entry(amendment).or_default() += 1;
    }
    let mut visible: Vec<&AmendmentRow> = all
        .iter()
        .filter(|row| crate::auth::AmendmentRights::may_see(viewer, row.author_id, row.status))
        .collect();
    // A sub-amendment goes right under its parent: sorted by its parent's place and number,
    // then after it by its own number.
    let numbers: HashMap<AmendmentId, i64> =
        visible.iter().map(|r| (r.amendment_id, r.number)).collect();
    visible.sort_by_key(|row| {
        let (anchor_id, sub) = match row.parent_id {
            Some(parent) if numbers.contains_key(&parent) => (parent, row.number),
            _ => (row.amendment_id, 0),
        };
        let start = places.get(&anchor_id).map_or(usize::MAX, |p| p.start);
        let number = numbers.get(&anchor_id).copied().unwrap_or(row.number);
        (start, number, sub)
    });
    let total = visible.len();

    // Names as on an amendment's page: for who may see the group's directory.
    let names = ctx.text.group.access.can_see_directory;
    let mut author_names: HashMap<MemberId, String> = HashMap::new();
    let mut section_names: HashMap<crate::model::GroupId, Option<String>> = HashMap::new();
    for row in &visible {
        if let Some(group) = row.on_behalf_of
            && !section_names.contains_key(&group)
        {
            let name = organisation::load_group(&app.db, viewer, group)
                .await
                .ok()
                .map(|g| g.group.name);
            section_names.insert(group, name);
        }
        if names
            && let Some(author) = row.author_id
            && !author_names.contains_key(&author)
            && let Some(member) = app.db.member(author).await?
        {
            author_names.insert(author, member.name);
        }
    }
    let status = params.status.as_deref().and_then(AmendmentStatus::parse);
    let author = params
        .author
        .as_deref()
        .and_then(|a| a.parse::<MemberId>().ok())
        .filter(|_| names);
    let paragraph = params
        .paragraph
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok());
    let rows = visible
        .iter()
        .filter(|row| status.is_none_or(|s| s == row.status))
        .filter(|row| author.is_none_or(|a| row.author_id == Some(a)))
        .filter(|row| paragraph.is_none_or(|p| row.paragraph == p))
        .map(|row| tpl::AmendmentRowView {
            id: row.amendment_id.to_string(),
            number: row.number,
            reference: row.reference.clone(),
            status: amendment_status_view(row.status),
            author: row
                .on_behalf_of
                .and_then(|g| section_names.get(&g).cloned().flatten())
                .or_else(|| row.author_id.and_then(|a| author_names.get(&a).cloned())),
            supporters: supporters.get(&row.amendment_id).copied().unwrap_or(0),
            sub: row.parent_id.is_some(),
        })
        .collect();
    let mut authors: Vec<(String, String)> = author_names
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    authors.sort_by(|a, b| a.1.cmp(&b.1));
    let view = tpl::AmendmentListView {
        header: header_view(&ctx.text),
        rows,
        authors,
        status: status.map(amendment_status_view),
        author: author.map(|a| a.to_string()),
        paragraph,
        total,
        can_merge_all: ctx.rights.can_screen
            && visible
                .iter()
                .any(|r| r.status == AmendmentStatus::Adopted && r.superseded_by.is_none()),
        rules_form: ctx
            .text
            .can_manage
            .then(|| rules_form.unwrap_or_else(|| rules_form_view(&ctx.rules))),
    };
    Ok(view)
}

/// How the rules form shows a bound of the window (and reads it back: `rules.rs`).
pub(super) const SHOWN: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");

/// A bound of the window as the form shows it: « AAAA-MM-JJ HH:MM » in UTC.
fn shown(at: Option<OffsetDateTime>) -> String {
    at.and_then(|t| t.to_offset(UtcOffset::UTC).format(SHOWN).ok())
        .unwrap_or_default()
}

/// The organisers' form of the text's rules (`rules.rs` takes it), with the rules as stored.
fn rules_form_view(rules: &AmendmentRules) -> tpl::AmendmentRulesFormView {
    tpl::AmendmentRulesFormView {
        opens_at: shown(rules.opens_at),
        closes_at: shown(rules.closes_at),
        min_supporters: rules.min_supporters.to_string(),
        min_women: rules.min_women.to_string(),
        rationale_required: rules.rationale_required,
        filers: rules.filers.code().to_owned(),
        errors: FieldErrors::new(),
    }
}
