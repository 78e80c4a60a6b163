//! What is derived from a text's Markdown each time it is stored: the Markdown column (what the
//! pages, the exports and the index read without opening the document) and its wiki links.
//! The document task stores them after its changes, and a new text when it is created.

use crate::markup::{self, WikiTarget};
use crate::model::{GroupId, GroupKind, TextId};
use crate::store::{Db, GroupRow, StoreResult};

/// The group a link points to: the linking text's own, or the one named.
pub fn target_group(groups: &[GroupRow], own: GroupId, target: &WikiTarget) -> Option<GroupId> {
    let Some(name) = target.theme.as_deref() else {
        return Some(own);
    };
    let wanted = markup::slugify(name);
    // Themes first: "santé" is the theme before it is any section's name.
    let mut candidates: Vec<&GroupRow> = groups
        .iter()
        .filter(|g| markup::slugify(&g.name) == wanted)
        .collect();
    candidates.sort_by_key(|g| g.kind != GroupKind::Theme);
    candidates.first().map(|g| g.group_id)
}

/// Stores the derived Markdown of a text and the wiki links in it. Links are resolved against
/// every group, hidden ones included: this runs without a viewer (the document task stores
/// what anyone typed), so what is stored is filtered for each viewer when it is read
/// (`text::wiki::backlinks`, `text::wiki::link_title`).
pub async fn store(db: &Db, text: TextId, markdown_source: &str) -> StoreResult<()> {
    let Some(row) = db.text(text).await? else {
        return Ok(());
    };
    let targets = markup::wiki_links(markdown_source);
    let groups = if targets.iter().any(|t| t.theme.is_some()) {
        db.groups(None).await?
    } else {
        Vec::new()
    };
    let links: Vec<(GroupId, String, String)> = targets
        .iter()
        .filter_map(|t| {
            let group = target_group(&groups, row.group_id, t)?;
            let slug = markup::slugify(&t.title);
            (!slug.is_empty()).then(|| (group, slug, t.title.clone()))
        })
        .collect();
    db.materialize_text(text, markdown_source, &links).await
}
