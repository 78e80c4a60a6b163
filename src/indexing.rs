//! Filling the search index from the database. The index is derived data: `atelier reindex`
//! rebuilds it from scratch at any time. (Live indexing through the outbox comes with search.)

use std::path::Path;

use atelier_search::{IndexDoc, SearchIndex};

use crate::model::Visibility;
use crate::store::Db;

/// Rebuilds the index in a new directory, then swaps it in place of the old one, so that a
/// damaged or outdated index (another schema version) is replaced whole. Returns the number of
/// documents indexed.
pub async fn reindex(db: &Db, dir: &Path) -> anyhow::Result<u64> {
    let fresh = dir.with_extension("new");
    let old = dir.with_extension("old");
    for leftover in [&fresh, &old] {
        if leftover.exists() {
            std::fs::remove_dir_all(leftover)
                .map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", leftover.display()))?;
        }
    }
    let index = SearchIndex::open_or_create(&fresh).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut writer = index.writer().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut count = 0;
    // Only what anyone may see: the index answers everyone's queries.
    for group in db
        .groups(None)
        .await?
        .into_iter()
        .filter(|g| g.visibility == Visibility::Public)
    {
        let id = group.group_id.to_string();
        writer
            .upsert(&IndexDoc {
                key: format!("group:{id}"),
                kind: "group".to_owned(),
                title: group.name,
                body: group.description,
                group_id: Some(id.clone()),
                date: Some(group.created_at.unix_timestamp()),
                url: format!("/groups/{id}"),
                ..IndexDoc::default()
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        count += 1;
    }
    writer.commit().map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(writer);
    drop(index);
    if dir.exists() {
        std::fs::rename(dir, &old)
            .map_err(|e| anyhow::anyhow!("cannot move the old index aside: {e}"))?;
    }
    std::fs::rename(&fresh, dir)
        .map_err(|e| anyhow::anyhow!("cannot put the new index in place: {e}"))?;
    if old.exists() {
        std::fs::remove_dir_all(&old)
            .map_err(|e| anyhow::anyhow!("cannot remove the old index: {e}"))?;
    }
    Ok(count)
}
