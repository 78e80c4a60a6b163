//! Where a text's amendments are now: each anchor resolved through the live document (one read
//! of the text for all of them), whether its passage changed since filing (`outdated`: the
//! passage as it was and as it is), was deleted whole (`orphaned`), and which other amendments'
//! current ranges overlap it. Sub-amendments are placed in their parents' current wordings.

use std::collections::HashMap;
use std::sync::Arc;

use automerge::ChangeHash;

use crate::collab::{Anchor, Hub};
use crate::error::{AppError, AppResult};
use crate::model::{AmendmentId, TextId};
use crate::store::AmendmentRow;

/// An amendment's place in the text as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Its range in the current Markdown (UTF-16 units); where its passage was, if orphaned.
    pub start: usize,
    pub end: usize,
    /// The passage as it is now (the passage at filing is the amendment's `original`).
    pub passage: String,
    /// The passage's text changed since filing.
    pub outdated: bool,
    /// Every character of its passage was deleted.
    pub orphaned: bool,
    /// The other live amendments whose current ranges overlap it, by number.
    pub overlaps: Vec<AmendmentId>,
}

/// Places `rows` at the text's current state: the state, and each amendment's placement
/// (uncached: for the writes that must decide on the text as it is).
pub(super) async fn place_now(
    hub: &Hub,
    text: TextId,
    rows: &[AmendmentRow],
) -> AppResult<(Vec<ChangeHash>, HashMap<AmendmentId, Placement>)> {
    place_parsed(hub, text, rows, anchors(rows)?.into()).await
}

/// The anchors of `rows` but the sub-amendments' (which are placed in their parents'
/// wordings, not in the text: `place_sub`), in order.
pub(super) fn anchors(rows: &[AmendmentRow]) -> AppResult<Vec<Anchor>> {
    rows.iter()
        .filter(|row| row.parent_id.is_none())
        .map(|row| {
            Anchor::parse(&row.anchor).map_err(|e| {
                AppError::Internal(anyhow::anyhow!(
                    "amendment {} has an unreadable anchor: {e}",
                    row.amendment_id
                ))
            })
        })
        .collect()
}

/// `place_now` with `rows`' anchors already read (`anchors`).
pub(super) async fn place_parsed(
    hub: &Hub,
    text: TextId,
    rows: &[AmendmentRow],
    anchors: Arc<[Anchor]>,
) -> AppResult<(Vec<ChangeHash>, HashMap<AmendmentId, Placement>)> {
    let (subs, rows): (Vec<&AmendmentRow>, Vec<&AmendmentRow>) =
        rows.iter().partition(|row| row.parent_id.is_some());
    let resolution = hub
        .resolve(text, anchors)
        .await
        .map_err(crate::text::hub_error)?;
    let mut places: Vec<(AmendmentId, bool, Placement)> = Vec::with_capacity(rows.len());
    for (row, resolved) in rows.iter().zip(resolution.anchors) {
        let placement = match resolved {
            Ok(r) => Placement {
                start: r.start,
                end: r.end,
                passage: r.passage,
                outdated: r.changed && !r.deleted,
                orphaned: r.deleted,
                overlaps: Vec::new(),
            },
            // Anchored on this text by this server: a foreign anchor is a bug, not the reader's.
            Err(e) => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "amendment {} does not resolve: {e}",
                    row.amendment_id
                )));
            }
        };
        // A superseded amendment competes no more (merging set it aside).
        let live = row.status.is_live() && row.superseded_by.is_none();
        places.push((row.amendment_id, live, placement));
    }
    mark_overlaps(&mut places);
    let wordings: HashMap<AmendmentId, &str> = rows
        .iter()
        .map(|row| (row.amendment_id, row.replacement.as_str()))
        .collect();
    for sub in subs {
        let wording = sub
            .parent_id
            .and_then(|parent| wordings.get(&parent))
            .copied()
            .unwrap_or_default();
        places.push((sub.amendment_id, false, super::place_sub(sub, wording)));
    }
    Ok((
        resolution.heads,
        places
            .into_iter()
            .map(|(id, _, placement)| (id, placement))
            .collect(),
    ))
}

/// Whether two current ranges meet: two passages share a character; an insertion point lies
/// strictly inside a passage (at its edge it is outside: anchor.rs); two points are at the
/// same place (their texts would compete for the same spot).
fn meet(a: &Placement, b: &Placement) -> bool {
    match (a.start == a.end, b.start == b.end) {
        (false, false) => a.start < b.end && b.start < a.end,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (true, true) => a.start == b.start,
    }
}

/// Fills each placement's `overlaps`: sorted by start, each range is compared only with those
/// starting before it ends (n log n plus the overlaps, for a convention's thousands).
fn mark_overlaps(places: &mut [(AmendmentId, bool, Placement)]) {
    let mut order: Vec<usize> = (0..places.len())
        .filter(|&i| !places[i].2.orphaned)
        .collect();
    order.sort_by_key(|&i| (places[i].2.start, places[i].2.end));
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if places[j].2.start > places[i].2.end {
                break;
            }
            if meet(&places[i].2, &places[j].2) {
                found.push((i, j));
            }
        }
    }
    for (i, j) in found {
        if places[j].1 {
            let other = places[j].0;
            places[i].2.overlaps.push(other);
        }
        if places[i].1 {
            let other = places[i].0;
            places[j].2.overlaps.push(other);
        }
    }
    for place in places.iter_mut() {
        place.2.overlaps.sort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: i64, live: bool, range: std::ops::Range<usize>) -> (AmendmentId, bool, Placement) {
        (
            AmendmentId(id),
            live,
            Placement {
                start: range.start,
                end: range.end,
                passage: String::new(),
                outdated: false,
                orphaned: false,
                overlaps: Vec::new(),
            },
        )
    }

    #[test]
    fn overlaps_are_shared_characters_points_inside_or_points_together() {
        let mut places = vec![
            at(1, true, 0..10),
            at(2, true, 5..15),
            at(3, true, 10..12), // touches 1's end: no character in common
            at(4, true, 12..12), // a point at 3's end: outside it, inside 2
            at(5, true, 12..12), // the same point as 4
            at(6, false, 0..3),  // a draft inside 1
            at(7, true, 40..50),
        ];
        mark_overlaps(&mut places);
        let overlaps: Vec<Vec<i64>> = places
            .iter()
            .map(|p| p.2.overlaps.iter().map(|id| id.0).collect())
            .collect();
        assert_eq!(
            overlaps,
            [
                vec![2],
                vec![1, 3, 4, 5],
                vec![2],
                vec![2, 5],
                vec![2, 4],
                vec![1],
                vec![],
            ]
        );
    }
}
