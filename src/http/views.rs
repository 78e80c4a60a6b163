//! From store rows to the templates' view structs, and the few lookups that build them.

use std::collections::HashMap;

use atelier_templates as tpl;

use crate::app::App;
use crate::auth::Viewer;
use crate::auth::permissions::WriteBar;
use crate::error::AppResult;
use crate::model::{GroupId, GroupKind, MemberId, Role, TextKind, TextStatus, Visibility};
use crate::organisation::{self, GroupContext};
use crate::store::{ActivityRow, GroupRow, TextSummary};

pub fn role_view(role: Role) -> tpl::RoleView {
    tpl::RoleView::from_code(role.code()).unwrap_or(tpl::RoleView::Member)
}

pub fn kind_view(kind: GroupKind) -> tpl::GroupKindView {
    tpl::GroupKindView::from_code(kind.code()).unwrap_or(tpl::GroupKindView::WorkingGroup)
}

pub fn visibility_view(visibility: Visibility) -> tpl::VisibilityView {
    tpl::VisibilityView::from_code(visibility.code()).unwrap_or(tpl::VisibilityView::Group)
}

pub fn text_kind_view(kind: TextKind) -> tpl::TextKindView {
    match kind {
        TextKind::Programme => tpl::TextKindView::Programme,
        TextKind::Wiki => tpl::TextKindView::Wiki,
    }
}

pub fn text_status_view(status: TextStatus) -> tpl::TextStatusView {
    match status {
        TextStatus::Drafting => tpl::TextStatusView::Drafting,
        TextStatus::Amending => tpl::TextStatusView::Amending,
        TextStatus::Adopted => tpl::TextStatusView::Adopted,
        TextStatus::Archived => tpl::TextStatusView::Archived,
    }
}

/// A text in a list (a group's page, its recent changes).
pub fn text_list_item(t: TextSummary) -> tpl::TextListItem {
    tpl::TextListItem {
        id: t.text_id.to_string(),
        title: t.title,
        kind: text_kind_view(t.kind),
        status: text_status_view(t.status),
        updated_at: t.updated_at,
    }
}

/// The editor's view of why a reader may not write.
pub fn write_bar_view(bar: WriteBar, group_kind: GroupKind) -> tpl::WriteBarView {
    match bar {
        WriteBar::JoinToWrite => tpl::WriteBarView::Join(kind_view(group_kind)),
        WriteBar::Supporter => tpl::WriteBarView::Supporter,
        WriteBar::NotInGroup => tpl::WriteBarView::NotInGroup,
    }
}

/// Every group with the chain of ids above it, computed in memory from one query: the tree is
/// small (hundreds of groups), the members are many.
pub struct Tree {
    pub groups: std::sync::Arc<Vec<crate::store::GroupRow>>,
    parent_of: HashMap<GroupId, Option<GroupId>>,
    pub member_counts: std::sync::Arc<HashMap<GroupId, i64>>,
}

impl Tree {
    pub async fn load(app: &App) -> AppResult<Tree> {
        let groups = app.db.all_groups().await?;
        let parent_of = groups.iter().map(|g| (g.group_id, g.parent_id)).collect();
        let member_counts = app.db.member_counts().await?;
        Ok(Tree {
            groups,
            parent_of,
            member_counts,
        })
    }

    /// Root first, `id` last.
    pub fn chain(&self, id: GroupId) -> Vec<GroupId> {
        let mut chain = vec![id];
        let mut current = id;
        while let Some(Some(parent)) = self.parent_of.get(&current) {
            if chain.contains(parent) || chain.len() > 32 {
                break;
            }
            chain.push(*parent);
            current = *parent;
        }
        chain.reverse();
        chain
    }

    pub fn visible<'a>(
        &'a self,
        viewer: Option<&'a Viewer>,
    ) -> impl Iterator<Item = &'a GroupRow> + 'a {
        self.groups
            .iter()
            .filter(move |g| organisation::visible(viewer, g, &self.chain(g.group_id)))
    }

    pub fn card(&self, group: &GroupRow, role: Option<Role>) -> tpl::GroupCard {
        tpl::GroupCard {
            id: group.group_id.to_string(),
            name: group.name.clone(),
            kind: kind_view(group.kind),
            member_count: self
                .member_counts
                .get(&group.group_id)
                .copied()
                .unwrap_or(0),
            role: role.map(role_view),
            description: group.description.clone(),
        }
    }
}

pub async fn visible_groups(
    app: &App,
    viewer: Option<&Viewer>,
    kind: Option<GroupKind>,
) -> AppResult<Vec<GroupRow>> {
    let tree = Tree::load(app).await?;
    Ok(tree
        .visible(viewer)
        .filter(|g| kind.is_none_or(|k| g.kind == k))
        .cloned()
        .collect())
}

pub async fn visible_children(
    app: &App,
    viewer: Option<&Viewer>,
    ctx: &GroupContext,
) -> AppResult<Vec<GroupRow>> {
    let mut chain = ctx.chain_ids();
    let groups = app.db.all_groups().await?;
    Ok(groups
        .iter()
        .filter(|child| {
            if child.parent_id != Some(ctx.group.group_id) {
                return false;
            }
            chain.push(child.group_id);
            let visible = organisation::visible(viewer, child, &chain);
            chain.pop();
            visible
        })
        .cloned()
        .collect())
}

/// The organisation page: the tree of federations and sections, then themes and working groups.
pub async fn groups_index(app: &App, viewer: Option<&Viewer>) -> AppResult<tpl::GroupsIndexView> {
    let tree = Tree::load(app).await?;
    let visible: Vec<&GroupRow> = tree.visible(viewer).collect();
    let role_of = |g: &GroupRow| viewer.and_then(|v| v.role_in(&tree.chain(g.group_id)));
    fn nodes(
        tree: &Tree,
        visible: &[&GroupRow],
        parent: Option<GroupId>,
        role_of: &dyn Fn(&GroupRow) -> Option<Role>,
    ) -> Vec<tpl::TreeNode> {
        visible
            .iter()
            .filter(|g| {
                g.parent_id == parent
                    && matches!(
                        g.kind,
                        GroupKind::National | GroupKind::Federation | GroupKind::Section
                    )
            })
            .map(|g| tpl::TreeNode {
                card: tree.card(g, role_of(g)),
                children: nodes(tree, visible, Some(g.group_id), role_of),
            })
            .collect()
    }
    let of_kind = |kind| {
        visible
            .iter()
            .filter(|g| g.kind == kind)
            .map(|g| tree.card(g, role_of(g)))
            .collect()
    };
    Ok(tpl::GroupsIndexView {
        tree: nodes(&tree, &visible, None, &role_of),
        themes: of_kind(GroupKind::Theme),
        working_groups: of_kind(GroupKind::WorkingGroup),
    })
}

/// A group's page view.
pub fn group_view(
    ctx: &GroupContext,
    recent_activity: Vec<tpl::ActivityItem>,
    member_count: i64,
    children: Vec<(GroupId, GroupKind, String, i64)>,
) -> tpl::GroupView {
    let ancestors = &ctx.chain[..ctx.chain.len().saturating_sub(1)];
    tpl::GroupView {
        id: ctx.group.group_id.to_string(),
        name: ctx.group.name.clone(),
        kind: kind_view(ctx.group.kind),
        description: ctx.group.description.clone(),
        visibility: visibility_view(ctx.group.visibility),
        parent: ancestors
            .last()
            .map(|p| (p.group_id.to_string(), p.name.clone())),
        breadcrumbs: ancestors
            .iter()
            .map(|g| (g.group_id.to_string(), g.name.clone()))
            .collect(),
        children: children
            .into_iter()
            .map(|(id, kind, name, member_count)| tpl::GroupCard {
                id: id.to_string(),
                name,
                kind: kind_view(kind),
                member_count,
                role: None,
                description: String::new(),
            })
            .collect(),
        member_count,
        viewer_role: ctx.access.role.map(role_view),
        can_manage: ctx.access.can_manage,
        can_see_directory: ctx.access.can_see_directory,
        can_join: ctx.access.can_join,
        recent_activity,
        texts: Vec::new(),
        can_create_text: false,
        related: Vec::new(),
    }
}

/// A member's memberships, as cards, keeping only the groups the viewer may see.
pub async fn visible_memberships(
    app: &App,
    viewer: Option<&Viewer>,
    member: MemberId,
) -> AppResult<Vec<(tpl::GroupCard, tpl::RoleView)>> {
    let tree = Tree::load(app).await?;
    let memberships = app.db.memberships_of(member).await?;
    Ok(memberships
        .into_iter()
        .filter_map(|m| {
            let group = tree.groups.iter().find(|g| g.group_id == m.group_id)?;
            organisation::visible(viewer, group, &tree.chain(group.group_id))
                .then(|| (tree.card(group, Some(m.role)), role_view(m.role)))
        })
        .collect())
}

/// One line of an activity list, in the reader's language.
pub fn activity_item(lang: tpl::Lang, row: &ActivityRow) -> tpl::ActivityItem {
    let key = format!("activity.{}", row.action);
    let text = tpl::t_args(
        lang,
        &key,
        &[
            ("actor", row.actor_name.as_deref().unwrap_or("—")),
            ("member", row.member_name.as_deref().unwrap_or("—")),
            ("group", row.group_name.as_deref().unwrap_or("—")),
            ("detail", row.detail.as_str()),
        ],
    );
    tpl::ActivityItem {
        when: tpl::format_datetime(lang, row.at),
        text,
        url: row.group_id.map(|id| format!("/groups/{id}")),
    }
}

/// What every page of a text (and of its amendments) shows at its top.
pub fn header_view(ctx: &crate::text::TextContext) -> tpl::TextHeaderView {
    tpl::TextHeaderView {
        id: ctx.text.text_id.to_string(),
        title: ctx.text.title.clone(),
        kind: text_kind_view(ctx.text.kind),
        status: text_status_view(ctx.text.status),
        group_id: ctx.text.group_id.to_string(),
        group_name: ctx.group.group.name.clone(),
        updated_at: ctx.text.updated_at,
        can_write: ctx.can_write,
        can_manage: ctx.can_manage,
        status_moves: crate::text::status_moves(ctx.text.status)
            .iter()
            .map(|s| text_status_view(*s))
            .collect(),
        contributor: ctx.contributor,
    }
}

pub fn amendment_status_view(status: crate::model::AmendmentStatus) -> tpl::AmendmentStatusView {
    tpl::AmendmentStatusView::from_code(status.code()).unwrap_or(tpl::AmendmentStatusView::Draft)
}
