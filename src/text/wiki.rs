//! Wiki links: `[[Page title]]` points to a page of the same group, `[[theme/Page title]]` to a
//! page of another group, named as it is named (accents and case do not matter). A link is kept
//! as (group, slug), so it becomes a backlink of the page as soon as that page exists.

use std::collections::{HashMap, HashSet};

use crate::auth::Viewer;
use crate::collab::derived::target_group;
use crate::error::AppResult;
use crate::markup::{self, WikiResolution, WikiTarget};
use crate::model::GroupId;
use crate::organisation;
use crate::store::{Db, GroupRow, TextSummary};

/// Where a wiki page lives on the site: this redirects to the page, or offers to create it.
pub fn page_href(group: GroupId, title: &str) -> String {
    format!("/groups/{group}/wiki/{}", markup::slugify(title))
}

/// Resolves the wiki links of a text about to be rendered: which pages exist, for this viewer.
/// Only the groups the viewer may see are candidates: a link to a hidden group's page renders
/// as a link to a group nobody knows, so it tells neither that the group exists nor that the
/// page does.
pub struct Resolver {
    own: GroupId,
    groups: Vec<GroupRow>,
    existing: HashMap<GroupId, HashSet<String>>,
}

impl Resolver {
    /// `own` is the group of the text being rendered, which the viewer may see (they read it).
    pub async fn for_markdown(
        db: &Db,
        viewer: Option<&Viewer>,
        own: GroupId,
        markdown_source: &str,
    ) -> AppResult<Resolver> {
        Self::for_targets(db, viewer, own, &markup::wiki_links(markdown_source)).await
    }

    /// Like [`Resolver::for_markdown`], for the targets of a text already parsed.
    pub async fn for_targets(
        db: &Db,
        viewer: Option<&Viewer>,
        own: GroupId,
        targets: &[WikiTarget],
    ) -> AppResult<Resolver> {
        let groups = if targets.iter().any(|t| t.theme.is_some()) {
            let visible = organisation::visible_group_ids(db, viewer).await?;
            db.all_groups()
                .await?
                .iter()
                .filter(|g| visible.contains(&g.group_id))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let mut existing: HashMap<GroupId, HashSet<String>> = HashMap::new();
        for group in targets.iter().filter_map(|t| target_group(&groups, own, t)) {
            if let std::collections::hash_map::Entry::Vacant(slot) = existing.entry(group) {
                let slugs = db
                    .texts_of_group(group)
                    .await?
                    .into_iter()
                    .map(|t| t.slug)
                    .collect();
                slot.insert(slugs);
            }
        }
        Ok(Resolver {
            own,
            groups,
            existing,
        })
    }

    pub fn resolve(&self, target: &WikiTarget) -> WikiResolution {
        let Some(group) = target_group(&self.groups, self.own, target) else {
            // A theme nobody knows: the link leads to the list of groups.
            return WikiResolution::Missing {
                create_href: "/groups".into(),
            };
        };
        let slug = markup::slugify(&target.title);
        let href = page_href(group, &target.title);
        if self
            .existing
            .get(&group)
            .is_some_and(|slugs| slugs.contains(&slug))
        {
            WikiResolution::Existing { href }
        } else {
            WikiResolution::Missing {
                create_href: format!(
                    "/groups/{group}/texts/new?kind=wiki&title={}",
                    url::form_urlencoded::byte_serialize(target.title.as_bytes())
                        .collect::<String>()
                ),
            }
        }
    }
}

/// The texts the viewer may see that link to the page `slug` of `group` ("what links here").
/// The stored links come from every text; those in groups hidden from the viewer are left out,
/// so that neither their titles nor their groups' names show.
pub async fn backlinks(
    db: &Db,
    viewer: Option<&Viewer>,
    group: GroupId,
    slug: &str,
) -> AppResult<Vec<TextSummary>> {
    let links = db.backlinks(group, slug).await?;
    if links.is_empty() {
        return Ok(links);
    }
    let visible = organisation::visible_group_ids(db, viewer).await?;
    Ok(links
        .into_iter()
        .filter(|t| visible.contains(&t.group_id))
        .collect())
}

/// The title a link the viewer may see gave the page `slug` of `group` (which does not exist
/// yet): a link in a hidden text must not reveal how it wrote the title.
pub async fn link_title(
    db: &Db,
    viewer: Option<&Viewer>,
    group: GroupId,
    slug: &str,
) -> AppResult<Option<String>> {
    let titles = db.wiki_link_titles(group, slug).await?;
    if titles.is_empty() {
        return Ok(None);
    }
    let visible = organisation::visible_group_ids(db, viewer).await?;
    Ok(titles
        .into_iter()
        .find(|(from, _)| visible.contains(from))
        .map(|(_, title)| title))
}
