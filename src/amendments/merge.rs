//! Merging adopted amendments into their text (issue 13, « Merging, traceably »). Each merge is
//! one automerge change of the server's (`Hub::splice`: only the words that differ change, so
//! that everything anchored elsewhere stays anchored) whose message names the amendment
//! (« amendement 42 »; « amendements 3 et 5 » for a combined wording): the provenance view reads
//! those messages back from the document's history. The change, the amendments' move to
//! `merged`, their `amendment.merged` events and the version named after the merge are stored in
//! one transaction (`store::Merging`): a merge that fails leaves the text and every amendment as
//! they were.
//!
//! Never silently: an amendment whose passage changed since filing (outdated), was deleted
//! (orphaned), or overlaps another adopted amendment not merged yet is refused with a 409 saying
//! which and why; overlapping ones are resolved first (`conflicts`).

use std::collections::HashMap;

use crate::auth::Viewer;
use crate::collab::{Anchor, AnchorError, Hub, HubError, Passage, Splice};
use crate::error::{AppError, AppResult};
use crate::model::{AmendmentId, AmendmentStatus};
use crate::store::{AmendmentRow, Db, Merging};

use super::{AmendableText, Placement, placement};

/// The message of the change that merges these amendments (by number): what provenance reads.
pub fn merge_message(numbers: &[i64]) -> String {
    match numbers {
        [] => "amendement".to_owned(),
        [one] => format!("amendement {one}"),
        [first @ .., last] => {
            let first: Vec<String> = first.iter().map(i64::to_string).collect();
            format!("amendements {} et {last}", first.join(", "))
        }
    }
}

/// The amendments (by number) a change's message says it merged; `None` for any other message.
pub fn merged_numbers(message: &str) -> Option<Vec<i64>> {
    let rest = message
        .strip_prefix("amendements ")
        .or_else(|| message.strip_prefix("amendement "))?;
    let numbers: Option<Vec<i64>> = rest
        .split(" et ")
        .flat_map(|part| part.split(", "))
        .map(|n| n.parse::<i64>().ok().filter(|n| *n > 0))
        .collect();
    numbers.filter(|n| !n.is_empty())
}

/// The name of the version recorded after merging these amendments.
fn version_label(numbers: &[i64]) -> String {
    format!("Après l'intégration de l'{}", merge_message(numbers))
}

/// Only organisers (who screen amendments) merge them.
fn check_rights(ctx: &AmendableText) -> AppResult<()> {
    if ctx.rights.can_screen {
        Ok(())
    } else {
        Err(AppError::forbidden_because(
            "Seul·es les organisateur·rices du texte y intègrent les amendements adoptés.",
        ))
    }
}

/// Why `row` cannot be merged now (a 409 saying which and why), given every amendment of its
/// text (`all`) placed in the text as it is now. `ignoring` are overlapping amendments merged
/// together with it (a combined wording).
fn refusal(
    row: &AmendmentRow,
    placed: &Placement,
    all: &[AmendmentRow],
    ignoring: &[AmendmentId],
) -> Option<AppError> {
    let n = row.number;
    if row.status != AmendmentStatus::Adopted {
        return Some(AppError::conflict(format!(
            "L'amendement {n} est {} : seul un amendement adopté s'intègre au texte.",
            row.status.label()
        )));
    }
    let pending: Vec<String> = super::pending_subs(row, all)
        .iter()
        .map(|sub| sub.number.to_string())
        .collect();
    if !pending.is_empty() {
        return Some(AppError::conflict(format!(
            "L'amendement {n} a {} {} en attente de décision : statuez d'abord sur {}.",
            if pending.len() == 1 {
                "le sous-amendement"
            } else {
                "les sous-amendements"
            },
            pending.join(", "),
            if pending.len() == 1 { "lui" } else { "eux" },
        )));
    }
    if let Some(by) = row.superseded_by {
        let by = all
            .iter()
            .find(|r| r.amendment_id == by)
            .map_or_else(String::new, |r| format!(" {}", r.number));
        return Some(AppError::conflict(format!(
            "L'amendement {n} a été écarté au profit de l'amendement{by}, intégré à sa place : \
             il ne s'intègre plus."
        )));
    }
    if placed.orphaned {
        return Some(AppError::conflict(format!(
            "L'amendement {n} est orphelin : tout le passage qu'il amende a été supprimé du texte. \
             Il ne s'intègre plus."
        )));
    }
    if placed.outdated {
        return Some(AppError::conflict(format!(
            "L'amendement {n} est obsolète : le passage qu'il amende a changé depuis son dépôt \
             (« {} » est devenu « {} »). Il ne s'intègre pas tel quel.",
            row.original, placed.passage
        )));
    }
    let rivals: Vec<String> = all
        .iter()
        .filter(|other| placed.overlaps.contains(&other.amendment_id))
        .filter(|other| other.status == AmendmentStatus::Adopted && other.superseded_by.is_none())
        .filter(|other| !ignoring.contains(&other.amendment_id))
        .map(|other| other.number.to_string())
        .collect();
    if !rivals.is_empty() {
        return Some(AppError::conflict(format!(
            "L'amendement {n} chevauche {} {}, adopté{} aussi et pas encore intégré{} : \
             résolvez ce conflit dans la vue côte à côte avant d'intégrer.",
            if rivals.len() == 1 {
                "l'amendement"
            } else {
                "les amendements"
            },
            rivals.join(", "),
            if rivals.len() == 1 { "" } else { "s" },
            if rivals.len() == 1 { "" } else { "s" },
        )));
    }
    None
}

/// Why the splice of a merge failed, for the organiser. A failure to store means nothing was
/// stored: the merge's record and its change are one transaction.
async fn splice_failed(db: &Db, rows: &[&AmendmentRow], e: HubError) -> AppError {
    let numbers: Vec<i64> = rows.iter().map(|r| r.number).collect();
    let which = merge_message(&numbers);
    match e {
        HubError::Anchor(AnchorError::Changed) => AppError::conflict(format!(
            "Le passage de l'{which} vient de changer : il est obsolète, rien n'a été intégré."
        )),
        HubError::Anchor(AnchorError::Deleted) => AppError::conflict(format!(
            "Le passage de l'{which} vient d'être supprimé : rien n'a été intégré."
        )),
        HubError::TooLarge(max) => AppError::conflict(format!(
            "Intégrer l'{which} rendrait le texte plus long que sa longueur maximale \
             ({max} caractères) : rien n'a été intégré."
        )),
        HubError::Gone => AppError::not_found(),
        HubError::Store(message) => {
            // Someone moved one of them meanwhile (the record's condition), or storage failed.
            for row in rows {
                if let Ok(Some(now)) = db.amendment(row.amendment_id).await
                    && now.status != row.status
                {
                    return AppError::conflict(format!(
                        "Le statut de l'amendement {} vient de changer : rien n'a été intégré.",
                        row.number
                    ));
                }
            }
            AppError::Internal(anyhow::anyhow!(
                "merging the {which} could not be stored (nothing was): {message}"
            ))
        }
        other => AppError::conflict(format!("L'{which} n'a pas pu être intégré : {other}.")),
    }
}

fn anchor_of(row: &AmendmentRow) -> AppResult<Anchor> {
    Anchor::parse(&row.anchor).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "amendment {} has an unreadable anchor: {e}",
            row.amendment_id
        ))
    })
}

/// Every amendment of the text, placed in the text as it is now, and `ids` among them (404 for
/// one that is not of this text).
async fn placed(
    db: &Db,
    hub: &Hub,
    ctx: &AmendableText,
    ids: &[AmendmentId],
) -> AppResult<(Vec<AmendmentRow>, HashMap<AmendmentId, Placement>)> {
    let text = ctx.text.text.text_id;
    let all = db.amendments_of_text(text, None).await?;
    let (_, places) = placement::place_now(hub, text, &all).await?;
    if ids.iter().any(|id| !places.contains_key(id)) {
        return Err(AppError::not_found());
    }
    Ok((all, places))
}

fn place_of(places: &HashMap<AmendmentId, Placement>, id: AmendmentId) -> AppResult<&Placement> {
    places.get(&id).ok_or_else(AppError::not_found)
}

fn row_of(all: &[AmendmentRow], id: AmendmentId) -> AppResult<&AmendmentRow> {
    all.iter()
        .find(|r| r.amendment_id == id)
        .ok_or_else(AppError::not_found)
}

/// Merges an adopted amendment into its text (organisers): one change named after it, the
/// amendment `merged`, a version named. Refused (409) when it is not adopted, outdated,
/// orphaned, or overlaps another adopted amendment not merged yet.
pub async fn merge(
    db: &Db,
    hub: &Hub,
    viewer: &Viewer,
    ctx: &AmendableText,
    row: &AmendmentRow,
) -> AppResult<()> {
    keep_one(db, hub, viewer, ctx, row.amendment_id, &[]).await
}

/// Resolves a conflict by keeping one adopted amendment: it is merged, and the overlapping
/// adopted ones `set_aside` stay adopted but superseded by it — in the same transaction.
pub async fn keep_one(
    db: &Db,
    hub: &Hub,
    viewer: &Viewer,
    ctx: &AmendableText,
    kept: AmendmentId,
    set_aside: &[AmendmentId],
) -> AppResult<()> {
    check_rights(ctx)?;
    let mut ids = vec![kept];
    ids.extend(set_aside);
    let (all, places) = placed(db, hub, ctx, &ids).await?;
    // The rows as they are now (the caller's may be older).
    let row = row_of(&all, kept)?;
    for other in set_aside {
        let aside = row_of(&all, *other)?;
        if aside.status != AmendmentStatus::Adopted || aside.superseded_by.is_some() {
            return Err(AppError::conflict(format!(
                "L'amendement {} n'est pas (ou plus) adopté en attente d'intégration : il n'y a rien à écarter.",
                aside.number
            )));
        }
        if !place_of(&places, kept)?.overlaps.contains(other) {
            return Err(AppError::conflict(format!(
                "Les amendements {} et {} ne se chevauchent pas : intégrez-les l'un après l'autre.",
                row.number, aside.number
            )));
        }
    }
    if let Some(refused) = refusal(row, place_of(&places, kept)?, &all, set_aside) {
        return Err(refused);
    }
    let numbers = [row.number];
    let splice = Splice {
        // Spliced only if its passage is still the one filed against, checked in the same step
        // as the splice: a peer's typing between this check and the splice refuses it.
        passage: Passage::Anchored {
            anchor: anchor_of(row)?,
            if_unchanged: true,
        },
        replacement: row.replacement.clone(),
        message: merge_message(&numbers),
        author: Some(viewer.member_id),
        event: None,
        merging: Some(Merging {
            amendments: vec![kept],
            superseded: set_aside.to_vec(),
            actor: Some(viewer.member_id),
            label: version_label(&numbers),
        }),
    };
    match hub.splice(ctx.text.text.text_id, splice).await {
        Ok(_) => Ok(()),
        Err(e) => Err(splice_failed(db, &[row], e).await),
    }
}

/// The longest combined wording, in characters.
const MAX_COMBINED_CHARS: usize = super::MAX_WORDING_CHARS;

/// Resolves a conflict by a combined wording: the passage both overlapping adopted amendments
/// cover now is replaced by `wording` as one change whose message names both, and both are
/// `merged`. Each must be mergeable but for the other (not outdated nor orphaned, no third
/// rival).
pub async fn merge_combined(
    db: &Db,
    hub: &Hub,
    viewer: &Viewer,
    ctx: &AmendableText,
    pair: [AmendmentId; 2],
    wording: &str,
) -> AppResult<()> {
    check_rights(ctx)?;
    if wording.chars().count() > MAX_COMBINED_CHARS {
        return Err(AppError::invalid_field(
            "replacement",
            format!("La rédaction commune dépasse {MAX_COMBINED_CHARS} caractères."),
        ));
    }
    let (all, places) = placed(db, hub, ctx, &pair).await?;
    let rows = [row_of(&all, pair[0])?, row_of(&all, pair[1])?];
    if pair[0] == pair[1] || !place_of(&places, pair[0])?.overlaps.contains(&pair[1]) {
        return Err(AppError::conflict(format!(
            "Les amendements {} et {} ne se chevauchent pas : une rédaction commune ne se justifie pas.",
            rows[0].number, rows[1].number
        )));
    }
    for (row, other) in [(rows[0], pair[1]), (rows[1], pair[0])] {
        if let Some(refused) = refusal(row, place_of(&places, row.amendment_id)?, &all, &[other]) {
            return Err(refused);
        }
    }
    let (a, b) = (place_of(&places, pair[0])?, place_of(&places, pair[1])?);
    let union = a.start.min(b.start)..a.end.max(b.end);
    let (markdown, heads) = super::markdown_at(hub, ctx.text.text.text_id, None).await?;
    let units: Vec<u16> = markdown.encode_utf16().collect();
    let passage = units
        .get(union.clone())
        .map(String::from_utf16_lossy)
        .unwrap_or_default();
    // Both passages where they were placed: else the text moved between the two reads.
    let inside = |p: &Placement| {
        units.get(p.start..p.end).map(String::from_utf16_lossy) == Some(p.passage.clone())
    };
    if !inside(a) || !inside(b) {
        return Err(AppError::conflict(
            "Le texte vient de changer sous ces amendements : rechargez la page et réessayez.",
        ));
    }
    if passage == wording {
        return Err(AppError::invalid_field(
            "replacement",
            "La rédaction commune est identique au passage actuel.",
        ));
    }
    // Anchored at the state read, and spliced only if unchanged since.
    let anchor = hub
        .anchor(ctx.text.text.text_id, union, Some(heads))
        .await
        .map_err(crate::text::hub_error)?;
    let mut numbers = [rows[0].number, rows[1].number];
    numbers.sort_unstable();
    let splice = Splice {
        passage: Passage::Anchored {
            anchor,
            if_unchanged: true,
        },
        replacement: wording.to_owned(),
        message: merge_message(&numbers),
        author: Some(viewer.member_id),
        event: None,
        merging: Some(Merging {
            amendments: pair.to_vec(),
            superseded: Vec::new(),
            actor: Some(viewer.member_id),
            label: version_label(&numbers),
        }),
    };
    match hub.splice(ctx.text.text.text_id, splice).await {
        Ok(_) => Ok(()),
        Err(e) => Err(splice_failed(db, &rows, e).await),
    }
}

/// What merging every adopted amendment of a text did.
#[derive(Debug, Default)]
pub struct MergedAll {
    /// The numbers merged, in the order they were.
    pub merged: Vec<i64>,
    /// Those left adopted, with why (outdated, orphaned, overlapping…).
    pub refused: Vec<(i64, String)>,
}

/// Merges every adopted amendment of a text that can be, one change each, in the order of
/// their places in the text; the others stay adopted, with why.
pub async fn merge_all_adopted(
    db: &Db,
    hub: &Hub,
    viewer: &Viewer,
    ctx: &AmendableText,
) -> AppResult<MergedAll> {
    check_rights(ctx)?;
    let text = ctx.text.text.text_id;
    let all = db.amendments_of_text(text, None).await?;
    let (_, places) = placement::place_now(hub, text, &all).await?;
    let mut adopted: Vec<&AmendmentRow> = all
        .iter()
        .filter(|r| r.status == AmendmentStatus::Adopted && r.superseded_by.is_none())
        .collect();
    adopted.sort_by_key(|r| (places.get(&r.amendment_id).map(|p| p.start), r.number));
    let mut outcome = MergedAll::default();
    for row in adopted {
        match merge(db, hub, viewer, ctx, row).await {
            Ok(()) => outcome.merged.push(row.number),
            Err(AppError::Conflict(message)) => outcome.refused.push((row.number, message)),
            Err(e) => return Err(e),
        }
    }
    Ok(outcome)
}
