//! Wiki links: `[[Page title]]` points to a page of the same group, `[[theme/Page title]]` to a
//! page of another group, named as it is named (accents and case do not matter). A link is kept
//! as (group, slug), so it becomes a backlink of the page as soon as that page exists.

use std::collections::{HashMap, HashSet};

use crate::app::App;
use crate::auth::Viewer;
use crate::error::AppResult;
use crate::markup::{self, WikiResolution, WikiTarget};
use crate::model::{GroupId, TextId};
use crate::organisation;
use crate::store::{Db, GroupRow, StoreResult, TextSummary};

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
    candidates.sort_by_key(|g| g.kind != crate::model::GroupKind::Theme);
    candidates.first().map(|g| g.group_id)
}

/// Where a wiki page lives on the site: this redirects to the page, or offers to create it.
pub fn page_href(group: GroupId, title: &str) -> String {
    format!("/groups/{group}/wiki/{}", markup::slugify(title))
}

/// Stores the derived Markdown of a text and the wiki links in it. Links are resolved against
/// every group, hidden ones included: this runs without a viewer (the document task stores
/// what anyone typed), so what is stored is filtered for each viewer when it is read
/// (`backlinks`, `link_title`).
pub async fn store_derived(db: &Db, text: TextId, markdown_source: &str) -> StoreResult<()> {
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
        app: &App,
        viewer: Option<&Viewer>,
        own: GroupId,
        markdown_source: &str,
    ) -> AppResult<Resolver> {
        let db = &app.db;
        let targets = markup::wiki_links(markdown_source);
        let groups = if targets.iter().any(|t| t.theme.is_some()) {
            let visible = organisation::visible_group_ids(app, viewer).await?;
            app.db
                .all_groups()
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
    app: &App,
    viewer: Option<&Viewer>,
    group: GroupId,
    slug: &str,
) -> AppResult<Vec<TextSummary>> {
    let links = app.db.backlinks(group, slug).await?;
    if links.is_empty() {
        return Ok(links);
    }
    let visible = organisation::visible_group_ids(app, viewer).await?;
    Ok(links
        .into_iter()
        .filter(|t| visible.contains(&t.group_id))
        .collect())
}

/// The title a link the viewer may see gave the page `slug` of `group` (which does not exist
/// yet): a link in a hidden text must not reveal how it wrote the title.
pub async fn link_title(
    app: &App,
    viewer: Option<&Viewer>,
    group: GroupId,
    slug: &str,
) -> AppResult<Option<String>> {
    let titles = app.db.wiki_link_titles(group, slug).await?;
    if titles.is_empty() {
        return Ok(None);
    }
    let visible = organisation::visible_group_ids(app, viewer).await?;
    Ok(titles
        .into_iter()
        .find(|(from, _)| visible.contains(from))
        .map(|(_, title)| title))
}
