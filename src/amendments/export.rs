//! A text's amendments as a table (issue 13, point 7): what the CSV and JSON exports hold, one
//! row per amendment the viewer may see (drafts only their author's), by number. Names follow
//! the amendment's page: members' names (authors, supporters) only for who may see the group's
//! directory, the section filed for whenever the viewer may see that group, supporters always
//! counted; never an email.

use std::collections::HashMap;

use super::{AmendableText, placement};
use crate::auth::AmendmentRights;
use crate::collab::Hub;
use crate::error::{AppError, AppResult};
use crate::model::{AmendmentId, AmendmentStatus, GroupId, MemberId};
use crate::organisation;
use crate::store::Db;

/// One amendment of an export.
#[derive(Debug, Clone)]
pub struct ExportedAmendment {
    pub id: AmendmentId,
    /// Permanent, per text.
    pub number: i64,
    /// « Amendement n — § p, lignes a à b » is `number` and this « § p, lignes a à b ».
    pub reference: String,
    pub status: AmendmentStatus,
    /// Who filed it, when the viewer may see names.
    pub author: Option<String>,
    /// The section or federation it was filed for, when the viewer may see that group.
    pub on_behalf_of: Option<String>,
    pub supporter_count: usize,
    /// Their names in the order they signed; empty when the viewer may not see names.
    pub supporters: Vec<String>,
    pub original: String,
    pub replacement: String,
    pub rationale: String,
    /// The passage changed since filing.
    pub outdated: bool,
    /// The whole passage was deleted since filing.
    pub orphaned: bool,
    /// The numbers of the amendments (that the viewer may see) whose ranges overlap this one's.
    pub overlaps: Vec<i64>,
    /// For a sub-amendment, its parent's number.
    pub parent: Option<i64>,
    pub created_at: time::OffsetDateTime,
}

/// Every amendment of the text that the viewer may see, by number, with where each stands now.
/// A few queries whatever the count (the amendments, their supporters, the names), and one
/// resolution of every anchor.
pub async fn export(db: &Db, hub: &Hub, ctx: &AmendableText) -> AppResult<Vec<ExportedAmendment>> {
    let viewer = ctx.text.viewer.as_ref();
    let text = ctx.text.text.text_id;
    let all = db.amendments_of_text(text, None).await?;
    let (_, mut places) = placement::place_now(hub, text, &all).await?;
    let visible: HashMap<AmendmentId, i64> = all
        .iter()
        .filter(|row| AmendmentRights::may_see(viewer, row.author_id, row.status))
        .map(|row| (row.amendment_id, row.number))
        .collect();

    let names_shown = ctx.text.group.access.can_see_directory;
    let names: HashMap<MemberId, String> = if names_shown {
        db.text_amendment_people(text).await?.into_iter().collect()
    } else {
        HashMap::new()
    };
    let mut supporters: HashMap<AmendmentId, Vec<MemberId>> = HashMap::new();
    for (amendment, member) in db.text_amendment_supporters(text).await? {
        supporters.entry(amendment).or_default().push(member);
    }
    // The groups filed for, each looked up once with the viewer's access (a hidden one is not
    // named).
    let mut groups: HashMap<GroupId, Option<String>> = HashMap::new();

    // Every number, the hidden drafts' included: a visible sub-amendment's parent is never a
    // hidden draft (drafts take no sub-amendments).
    let numbers: HashMap<AmendmentId, i64> =
        all.iter().map(|r| (r.amendment_id, r.number)).collect();
    let mut out = Vec::with_capacity(visible.len());
    for row in all {
        if !visible.contains_key(&row.amendment_id) {
            continue;
        }
        let place = places
            .remove(&row.amendment_id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("an amendment was not placed")))?;
        let on_behalf_of = match row.on_behalf_of {
            Some(group) => {
                if let std::collections::hash_map::Entry::Vacant(e) = groups.entry(group) {
                    let name = organisation::load_group(db, viewer, group)
                        .await
                        .ok()
                        .map(|g| g.group.name);
                    e.insert(name);
                }
                groups.get(&group).cloned().flatten()
            }
            None => None,
        };
        let signed = supporters.remove(&row.amendment_id).unwrap_or_default();
        let mut overlaps: Vec<i64> = place
            .overlaps
            .iter()
            .filter_map(|other| visible.get(other).copied())
            .collect();
        overlaps.sort_unstable();
        out.push(ExportedAmendment {
            id: row.amendment_id,
            number: row.number,
            reference: row.reference,
            status: row.status,
            author: row.author_id.and_then(|a| names.get(&a).cloned()),
            on_behalf_of,
            supporter_count: signed.len(),
            supporters: signed
                .iter()
                .filter_map(|m| names.get(m).cloned())
                .collect(),
            original: row.original,
            replacement: row.replacement,
            rationale: row.rationale,
            outdated: place.outdated,
            orphaned: place.orphaned,
            overlaps,
            parent: row.parent_id.and_then(|p| numbers.get(&p).copied()),
            created_at: row.created_at,
        });
    }
    Ok(out)
}
