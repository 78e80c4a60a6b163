//! A group as the API and the pages show it: its fields, member count and visible children.

use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::auth::Viewer;
use crate::error::AppResult;
use crate::http::views;
use crate::model::{GroupId, GroupKind, Role, Visibility};
use crate::organisation::GroupContext;

#[derive(Serialize, ToSchema)]
pub struct GroupSummary {
    pub id: GroupId,
    pub kind: GroupKind,
    pub name: String,
    pub parent_id: Option<GroupId>,
    pub visibility: Visibility,
    pub member_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct GroupDetail {
    pub id: GroupId,
    pub kind: GroupKind,
    pub name: String,
    pub description: String,
    pub parent_id: Option<GroupId>,
    pub visibility: Visibility,
    pub children: Vec<GroupSummary>,
    pub member_count: i64,
    /// The caller's role there, if any (inherited roles included).
    pub your_role: Option<Role>,
}

pub(super) async fn group_detail(
    app: &App,
    ctx: &GroupContext,
    viewer: Option<&Viewer>,
) -> AppResult<GroupDetail> {
    let children = views::visible_children(app, viewer, ctx).await?;
    let counts = app.db.member_counts().await?;
    let count = |id: &GroupId| counts.get(id).copied().unwrap_or(0);
    Ok(GroupDetail {
        id: ctx.group.group_id,
        kind: ctx.group.kind,
        name: ctx.group.name.clone(),
        description: ctx.group.description.clone(),
        parent_id: ctx.group.parent_id,
        visibility: ctx.group.visibility,
        member_count: count(&ctx.group.group_id),
        your_role: ctx.access.role,
        children: children
            .into_iter()
            .map(|g| GroupSummary {
                member_count: count(&g.group_id),
                id: g.group_id,
                kind: g.kind,
                name: g.name,
                parent_id: g.parent_id,
                visibility: g.visibility,
            })
            .collect(),
    })
}
