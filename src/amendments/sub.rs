//! Sub-amendments (issue 13, point 1): an amendment to a submitted (or admissible) amendment's
//! wording. It is filed like an amendment on a text — the same rights, window, bound per member
//! and wording checks, its own permanent number in the text — but its range is in UTF-16 units
//! of its parent's current replacement, not of the document: it is not anchored in the text and
//! never merged into it. It records the revision of its parent it was filed against; when its
//! parent is reworded since and its passage changed, it is outdated (`place_sub`). When an
//! organiser adopts it, it is written into its parent's wording (a new revision of the parent
//! naming it) and becomes `merged`; a parent is merged into the text only once none of its
//! sub-amendments awaits a decision (`pending_subs`). No sub-sub-amendments.

use super::{AmendableText, Filing, Placement, check_filer, slice_utf16};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::model::AmendmentStatus;
use crate::store::{AmendmentRow, Db, NewAmendment};

/// Whether amendments may be filed on `parent` now: it is itself no sub-amendment, and it is
/// submitted or admissible (409 saying why otherwise).
pub fn open_to_subs(parent: &AmendmentRow) -> AppResult<()> {
    if parent.parent_id.is_some() {
        return Err(AppError::conflict(format!(
            "L'amendement {} est lui-même un sous-amendement : on ne sous-amende pas un \
             sous-amendement.",
            parent.number
        )));
    }
    if !matches!(
        parent.status,
        AmendmentStatus::Submitted | AmendmentStatus::Admissible
    ) {
        return Err(AppError::conflict(format!(
            "L'amendement {} est {} : seul un amendement déposé ou recevable se sous-amende.",
            parent.number,
            parent.status.label()
        )));
    }
    Ok(())
}

/// The range checked against the parent's wording: 422 naming the field at fault.
fn check_range_in_wording(
    start: usize,
    end: usize,
    wording: &str,
) -> AppResult<std::ops::Range<usize>> {
    let units: Vec<u16> = wording.encode_utf16().collect();
    let length = units.len();
    if start > length {
        return Err(AppError::invalid_field(
            "start",
            format!(
                "Le début du passage est hors de la rédaction de l'amendement (qui compte {length} caractères)."
            ),
        ));
    }
    if end < start {
        return Err(AppError::invalid_field(
            "end",
            "La fin du passage précède son début.",
        ));
    }
    if end > length {
        return Err(AppError::invalid_field(
            "end",
            format!(
                "La fin du passage est hors de la rédaction de l'amendement (qui compte {length} caractères)."
            ),
        ));
    }
    // A boundary between the two halves of a surrogate pair would cut a character in two.
    let inside_pair = |at: usize| at < length && (0xDC00..0xE000).contains(&units[at]);
    if inside_pair(start) {
        return Err(AppError::invalid_field(
            "start",
            "Le début du passage coupe un caractère en deux.",
        ));
    }
    if inside_pair(end) {
        return Err(AppError::invalid_field(
            "end",
            "La fin du passage coupe un caractère en deux.",
        ));
    }
    Ok(start..end)
}

/// Files a sub-amendment on `parent` (a draft, or submitted at once): the checks of a filing on
/// the text (403, 409, 422), then those of the parent (409), then the range in the parent's
/// current wording (422). `filing.heads` does not apply (the range is in the wording as it is).
pub async fn file_sub(
    db: &Db,
    viewer: &Viewer,
    ctx: &AmendableText,
    parent: &AmendmentRow,
    filing: Filing,
) -> AppResult<AmendmentRow> {
    check_filer(db, viewer, ctx, &filing).await?;
    open_to_subs(parent)?;
    let revision = db
        .amendment_revisions(parent.amendment_id)
        .await?
        .last()
        .map(|r| r.amendment_revision_id);
    let range = check_range_in_wording(filing.start, filing.end, &parent.replacement)?;
    let original = slice_utf16(&parent.replacement, range.clone());
    if original == filing.replacement {
        return Err(AppError::invalid_field(
            "replacement",
            "La nouvelle rédaction est identique au passage sous-amendé.",
        ));
    }
    let wide = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let reference = format!(
        "Sous-amendement {{number}} à l'amendement {}",
        parent.number
    );
    db.file_amendment(&NewAmendment {
        text: parent.text_id,
        status: if filing.submit {
            AmendmentStatus::Submitted
        } else {
            AmendmentStatus::Draft
        },
        // Not anchored in the document: its range is in its parent's wording.
        anchor: "",
        heads: "[]",
        start: wide(range.start),
        end: wide(range.end),
        original: &original,
        replacement: &filing.replacement,
        rationale: &filing.rationale,
        author: Some(viewer.member_id),
        on_behalf_of: filing.on_behalf_of,
        parent: Some(parent.amendment_id),
        parent_revision: revision,
        // Cited where its parent is, so that filtering a list by paragraph finds it there.
        paragraph: parent.paragraph,
        first_line: parent.first_line,
        last_line: parent.last_line,
        reference: &reference,
    })
    .await?
    .ok_or_else(AppError::not_found)
}

/// Where a sub-amendment's passage is in its parent's wording as it is now. In place when the
/// wording still reads its passage where it was filed, or — the parent reworded around it —
/// when the passage occurs exactly once in the new wording (it moved, unchanged); an insertion
/// point stays in place while it is within the wording. Otherwise it is outdated: the passage
/// at its old range is shown as it is now. Its parent's rewordings are its « edits of the text ».
pub fn place_sub(sub: &AmendmentRow, wording: &str) -> Placement {
    let units: Vec<u16> = wording.encode_utf16().collect();
    let length = units.len();
    let start = usize::try_from(sub.start_utf16).unwrap_or(0).min(length);
    let end = usize::try_from(sub.end_utf16)
        .unwrap_or(0)
        .clamp(start, length);
    let original: Vec<u16> = sub.original.encode_utf16().collect();
    let here = |start: usize, end: usize| String::from_utf16_lossy(&units[start..end]);
    let placed = |start: usize, end: usize, outdated: bool| Placement {
        start,
        end,
        passage: here(start, end),
        outdated,
        orphaned: false,
        overlaps: Vec::new(),
    };
    if units.get(start..start + original.len()) == Some(&original[..]) && !original.is_empty() {
        return placed(start, start + original.len(), false);
    }
    if original.is_empty() {
        let within = usize::try_from(sub.start_utf16).is_ok_and(|s| s <= length);
        return placed(start, start, !within);
    }
    let mut found = units
        .windows(original.len())
        .enumerate()
        .filter(|(_, w)| *w == &original[..])
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(at), None) => placed(at, at + original.len(), false),
        _ => placed(start, end, true),
    }
}

/// The parent's wording with the sub-amendment written in, at its place: `None` when it is
/// outdated (it is not applied as is then).
pub fn applied(sub: &AmendmentRow, wording: &str) -> Option<String> {
    let place = place_sub(sub, wording);
    if place.outdated {
        return None;
    }
    let units: Vec<u16> = wording.encode_utf16().collect();
    let mut out = String::from_utf16_lossy(&units[..place.start]);
    out.push_str(&sub.replacement);
    out.push_str(&String::from_utf16_lossy(&units[place.end..]));
    Some(out)
}

/// The sub-amendments of `parent` among `all` that still await a decision: submitted,
/// admissible or voting (drafts are their authors' business; adopted ones are already written
/// into the parent).
pub fn pending_subs<'a>(parent: &AmendmentRow, all: &'a [AmendmentRow]) -> Vec<&'a AmendmentRow> {
    all.iter()
        .filter(|r| r.parent_id == Some(parent.amendment_id))
        .filter(|r| {
            matches!(
                r.status,
                AmendmentStatus::Submitted | AmendmentStatus::Admissible | AmendmentStatus::Voting
            )
        })
        .collect()
}

/// An organiser adopts a sub-amendment: written into its parent's wording (a new revision of the
/// parent, naming it), it is `merged`. Refused (409) when it is outdated, or its parent is no
/// longer submitted, admissible or voting; nothing changes then.
pub(super) async fn adopt_sub(
    db: &Db,
    viewer: &Viewer,
    sub: &AmendmentRow,
    parent: crate::model::AmendmentId,
) -> AppResult<()> {
    let parent = db
        .amendment(parent)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !matches!(
        parent.status,
        AmendmentStatus::Submitted | AmendmentStatus::Admissible | AmendmentStatus::Voting
    ) {
        return Err(AppError::conflict(format!(
            "L'amendement {} est {} : sa rédaction ne change plus, le sous-amendement {} ne s'y \
             intègre pas.",
            parent.number,
            parent.status.label(),
            sub.number
        )));
    }
    let Some(wording) = applied(sub, &parent.replacement) else {
        return Err(AppError::conflict(format!(
            "Le sous-amendement {} est obsolète : le passage de l'amendement {} qu'il amende a \
             changé depuis son dépôt. Il ne s'intègre pas tel quel.",
            sub.number, parent.number
        )));
    };
    db.adopt_sub_amendment(
        sub.amendment_id,
        sub.status,
        &parent.replacement,
        &wording,
        Some(viewer.member_id),
    )
    .await?
    .map(|_| ())
    .ok_or_else(|| {
        AppError::conflict(format!(
            "L'amendement {} ou son sous-amendement {} vient de changer ; rechargez la page et \
             réessayez.",
            parent.number, sub.number
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(start: i64, end: i64, original: &str, replacement: &str) -> AmendmentRow {
        let at = time::OffsetDateTime::UNIX_EPOCH;
        AmendmentRow {
            amendment_id: crate::model::AmendmentId(2),
            text_id: crate::model::TextId(1),
            number: 2,
            status: AmendmentStatus::Submitted,
            anchor: String::new(),
            heads: "[]".into(),
            start_utf16: start,
            end_utf16: end,
            original: original.into(),
            replacement: replacement.into(),
            rationale: String::new(),
            author_id: None,
            on_behalf_of: None,
            parent_id: Some(crate::model::AmendmentId(1)),
            parent_revision_id: None,
            paragraph: 1,
            first_line: 1,
            last_line: 1,
            reference: "Sous-amendement 2 à l'amendement 1".into(),
            superseded_by: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn a_passage_stays_moves_or_is_outdated() {
        // « de jour » in « trains de nuit et de jour » (UTF-16 18..25).
        let s = sub(18, 25, "de jour", "du matin");
        let here = place_sub(&s, "trains de nuit et de jour");
        assert_eq!((here.start, here.end, here.outdated), (18, 25, false));
        assert_eq!(
            applied(&s, "trains de nuit et de jour").as_deref(),
            Some("trains de nuit et du matin")
        );
        // Reworded before it: found once, moved (an emoji counts two units).
        let moved = place_sub(&s, "😀TGV de nuit et de jour");
        assert_eq!((moved.start, moved.end, moved.outdated), (17, 24, false));
        assert_eq!(
            applied(&s, "😀TGV de nuit et de jour").as_deref(),
            Some("😀TGV de nuit et du matin")
        );
        // Its passage reworded, or found twice: outdated, not applied.
        assert!(place_sub(&s, "trains de nuit et du soir").outdated);
        assert!(place_sub(&s, "de jour, trains de jour").outdated);
        assert_eq!(applied(&s, "trains de nuit et du soir"), None);
        // An insertion point within the wording stays; beyond its end it is outdated.
        let point = sub(6, 6, "", " rapides");
        assert!(!place_sub(&point, "trains de nuit").outdated);
        assert!(place_sub(&point, "TGV").outdated);
    }
}
