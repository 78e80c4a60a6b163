//! The party's organisation: loading a group with what the viewer may do there, creating groups,
//! giving roles. Shared by the API and the pages; every check goes through `auth::permissions`.

use std::collections::{HashMap, HashSet};

use crate::auth::{Access, Viewer, can_see_profile};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{GroupId, GroupKind, GroupName, MemberId, Role, Visibility};
use crate::store::{AuditEvent, Db, GroupRow, MemberRow, MembershipRow};

/// A role named on the wire (`supporter` … `admin`); a field error otherwise.
pub fn parse_role(raw: &str) -> AppResult<Role> {
    Role::parse(raw).ok_or_else(|| {
        AppError::invalid_field(
            "role",
            "Le rôle doit être supporter, member, secretary, officer, organiser ou admin.",
        )
    })
}

/// A group, its ancestors and the viewer's access to it.
pub struct GroupContext {
    pub group: GroupRow,
    /// Root first, the group itself last.
    pub chain: Vec<GroupRow>,
    pub access: Access,
}

impl GroupContext {
    pub fn chain_ids(&self) -> Vec<GroupId> {
        self.chain.iter().map(|g| g.group_id).collect()
    }
}

/// Loads a group the viewer may see; 404 when it does not exist or is hidden from them.
pub async fn load_group(db: &Db, viewer: Option<&Viewer>, id: GroupId) -> AppResult<GroupContext> {
    let chain = db.ancestors(id).await?;
    let group = chain.last().cloned().ok_or_else(AppError::not_found)?;
    let ids: Vec<GroupId> = chain.iter().map(|g| g.group_id).collect();
    let access = Access::to_group(viewer, &group, &ids);
    if !access.can_view {
        return Err(AppError::not_found());
    }
    Ok(GroupContext {
        group,
        chain,
        access,
    })
}

/// Whether the viewer may see `group` (for lists: filters out what `load_group` would hide).
pub fn visible(viewer: Option<&Viewer>, group: &GroupRow, chain: &[GroupId]) -> bool {
    Access::to_group(viewer, group, chain).can_view
}

/// The groups the viewer may see, from the short-lived list of groups: for lists that gather
/// things from several groups (backlinks, wiki links), which must not reveal hidden ones.
pub async fn visible_group_ids(db: &Db, viewer: Option<&Viewer>) -> AppResult<HashSet<GroupId>> {
    let groups = db.all_groups().await?;
    let parent_of: HashMap<GroupId, Option<GroupId>> =
        groups.iter().map(|g| (g.group_id, g.parent_id)).collect();
    Ok(groups
        .iter()
        .filter(|g| visible(viewer, g, &chain_of(&parent_of, g.group_id)))
        .map(|g| g.group_id)
        .collect())
}

/// A member whose profile the viewer may see (`auth::permissions::can_see_profile`); 404 for a
/// hidden one exactly as for an id nobody has, so that walking ids learns nothing.
pub async fn visible_member(db: &Db, viewer: &Viewer, id: MemberId) -> AppResult<MemberRow> {
    let row = db.member(id).await?.ok_or_else(AppError::not_found)?;
    if viewer.member_id == id || viewer.is_admin() {
        return Ok(row);
    }
    let visibility = db.profile_visibility(id).await?;
    let memberships = db.memberships_of(id).await?;
    let groups = db.all_groups().await?;
    let parent_of: HashMap<GroupId, Option<GroupId>> =
        groups.iter().map(|g| (g.group_id, g.parent_id)).collect();
    let member_groups: Vec<(&GroupRow, Vec<GroupId>)> = memberships
        .iter()
        .filter_map(|m| groups.iter().find(|g| g.group_id == m.group_id))
        .map(|g| (g, chain_of(&parent_of, g.group_id)))
        .collect();
    if can_see_profile(viewer, id, visibility, &member_groups) {
        Ok(row)
    } else {
        Err(AppError::not_found())
    }
}

/// The chain of ids above `id`, root first, `id` last, from a map of parents.
fn chain_of(parent_of: &HashMap<GroupId, Option<GroupId>>, id: GroupId) -> Vec<GroupId> {
    let mut chain = vec![id];
    let mut current = id;
    while let Some(Some(parent)) = parent_of.get(&current) {
        // A cycle cannot be stored, but a bound costs nothing and keeps a bad row from looping.
        if chain.contains(parent) || chain.len() > 32 {
            break;
        }
        chain.push(*parent);
        current = *parent;
    }
    chain.reverse();
    chain
}

/// What a new group needs, parsed.
pub struct NewGroup {
    pub kind: GroupKind,
    pub name: GroupName,
    pub description: String,
    pub parent: Option<GroupId>,
    pub visibility: Visibility,
}

impl NewGroup {
    pub fn parse(
        kind: &str,
        name: &str,
        description: Option<&str>,
        parent: Option<GroupId>,
        visibility: Option<&str>,
    ) -> Result<NewGroup, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = GroupKind::parse(kind).or_else(|| {
            errors.insert(
                "kind".into(),
                "Le type de groupe doit être federation, section, theme ou working_group.".into(),
            );
            None
        });
        let name = GroupName::parse(name)
            .map_err(|e| errors.insert("name".into(), e.to_string()))
            .ok();
        let visibility = match visibility.filter(|v| !v.is_empty()) {
            None => Some(Visibility::Public),
            Some(v) => Visibility::parse(v).or_else(|| {
                errors.insert(
                    "visibility".into(),
                    "La visibilité doit être public, members ou group.".into(),
                );
                None
            }),
        };
        let description = description.unwrap_or("").trim().to_owned();
        if description.chars().count() > 4000 {
            errors.insert(
                "description".into(),
                "La description ne peut pas dépasser 4000 caractères.".into(),
            );
        }
        match (kind, name, visibility) {
            (Some(kind), Some(name), Some(visibility)) if errors.is_empty() => Ok(NewGroup {
                kind,
                name,
                description,
                parent,
                visibility,
            }),
            _ => Err(errors),
        }
    }
}

/// Creates a group under its parent (the national group when none is given), if the viewer may.
pub async fn create_group(db: &Db, viewer: &Viewer, new: NewGroup) -> AppResult<GroupId> {
    if new.kind == GroupKind::National {
        return Err(AppError::invalid_field(
            "kind",
            "Il n'y a qu'un groupe national ; il existe déjà.",
        ));
    }
    let parent_id = match new.parent {
        Some(id) => id,
        None => db
            .national_group()
            .await?
            .ok_or_else(|| AppError::conflict("Le parti n'a pas encore de groupe national."))?,
    };
    let parent = load_group(db, Some(viewer), parent_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound => {
                AppError::invalid_field("parent_id", "Ce groupe parent n'existe pas.")
            }
            other => other,
        })?;
    if !parent.group.kind.allowed_children().contains(&new.kind) {
        return Err(AppError::invalid_field(
            "kind",
            format!(
                "On ne peut pas créer ce type de groupe sous « {} ».",
                parent.group.name
            ),
        ));
    }
    if !parent.access.can_create_child(parent.group.kind, new.kind) {
        return Err(AppError::forbidden());
    }
    let id = db
        .create_group(
            new.kind,
            new.name.as_str(),
            &new.description,
            Some(parent_id),
            new.visibility,
            Some(viewer.member_id),
        )
        .await?;
    db.record(AuditEvent {
        actor: Some(viewer.member_id),
        action: "group_created",
        group: Some(parent_id),
        member: None,
        detail: new.name.as_str(),
    })
    .await?;
    Ok(id)
}

/// Gives `member` a role in the group, if the viewer may grant it.
pub async fn set_role(
    db: &Db,
    viewer: &Viewer,
    ctx: &GroupContext,
    member: MemberId,
    role: Role,
) -> AppResult<()> {
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    if !ctx.access.can_grant(role) {
        return Err(AppError::forbidden_because(
            "Vous ne pouvez pas donner un rôle supérieur au vôtre.",
        ));
    }
    // Only someone the manager may already see: else a manager could walk ids, add whoever
    // answers to their group and read their profile. Unknown and hidden answer alike.
    match visible_member(db, viewer, member).await {
        Ok(_) => {}
        Err(AppError::NotFound) => {
            return Err(AppError::invalid_field(
                "member_id",
                "Ce membre n'existe pas.",
            ));
        }
        Err(e) => return Err(e),
    }
    // Nobody changes the role of someone whose current role there is above theirs.
    if let Some(current) = db.role_in(member, ctx.group.group_id).await?
        && !ctx.access.can_grant(current)
    {
        return Err(AppError::forbidden_because(
            "Ce membre a un rôle supérieur au vôtre dans ce groupe.",
        ));
    }
    // The store announces the change; the member's live sockets follow (`collab::rights`).
    db.set_membership(member, ctx.group.group_id, role).await?;
    db.record(AuditEvent {
        actor: Some(viewer.member_id),
        action: "role_set",
        group: Some(ctx.group.group_id),
        member: Some(member),
        detail: role.code(),
    })
    .await?;
    Ok(())
}

/// The memberships a removal from the group ends: the one in the group itself (first), and those
/// in the groups below it. Empty when the member holds none in the group itself.
///
/// Why the groups below: a section's working groups (a federation's sections) are the group's own
/// business, managed by its managers; whoever is no longer in the section has no place in them.
/// Roles elsewhere — the national themes a member joined, other sections — are not the group's to
/// end, and stay.
pub async fn removal_plan(
    db: &Db,
    ctx: &GroupContext,
    member: MemberId,
) -> AppResult<Vec<MembershipRow>> {
    let group = ctx.group.group_id;
    let memberships = db.memberships_of(member).await?;
    if !memberships.iter().any(|m| m.group_id == group) {
        return Ok(Vec::new());
    }
    let groups = db.all_groups().await?;
    let parent_of: HashMap<GroupId, Option<GroupId>> =
        groups.iter().map(|g| (g.group_id, g.parent_id)).collect();
    let mut plan: Vec<MembershipRow> = memberships
        .into_iter()
        .filter(|m| chain_of(&parent_of, m.group_id).contains(&group))
        .collect();
    plan.sort_by_key(|m| m.group_id != group);
    Ok(plan)
}

/// Removes someone from the group and from the groups below it (`removal_plan`), if the viewer
/// may remove them (`Access::can_remove`), or it is themselves leaving. Nobody removes the last
/// secretary (or above) of a group, themselves included: a group keeps someone to run it. A
/// manager's page asks for confirmation first, saying all that ends; the API's DELETE is that
/// confirmation. Answers the groups left.
pub async fn remove_member(
    db: &Db,
    viewer: &Viewer,
    ctx: &GroupContext,
    member: MemberId,
) -> AppResult<Vec<GroupId>> {
    let leaving = member == viewer.member_id;
    if !leaving && !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let plan = removal_plan(db, ctx, member).await?;
    let Some(here) = plan.first() else {
        return Err(AppError::not_found());
    };
    if !leaving && !ctx.access.can_remove(plan.iter().map(|m| m.role)) {
        return Err(AppError::forbidden_because(
            "Ce membre a un rôle supérieur au vôtre dans ce groupe ou dans un groupe en dessous.",
        ));
    }
    if here.role >= Role::Secretary && db.other_managers_in(ctx.group.group_id, member).await? == 0
    {
        return Err(AppError::conflict(
            "C'est la dernière personne à animer ce groupe (secrétaire ou plus) : confiez d'abord ce \
             rôle à quelqu'un d'autre.",
        ));
    }
    // The store announces the change; the member's live sockets follow (`collab::rights`).
    let left = db.remove_from_subtree(member, ctx.group.group_id).await?;
    if left.is_empty() {
        return Err(AppError::not_found());
    }
    let below = (left.len() - 1).to_string();
    db.record(AuditEvent {
        actor: Some(viewer.member_id),
        action: if leaving {
            "member_left"
        } else {
            "member_removed"
        },
        group: Some(ctx.group.group_id),
        member: Some(member),
        detail: &below,
    })
    .await?;
    Ok(left)
}

/// Joins a theme or working group open to the viewer.
pub async fn join(db: &Db, viewer: &Viewer, ctx: &GroupContext) -> AppResult<()> {
    if !ctx.access.can_join {
        return Err(AppError::forbidden_because(
            "Ce groupe ne s'ouvre que sur invitation.",
        ));
    }
    let role = if viewer.is_party_member() {
        Role::Member
    } else {
        Role::Supporter
    };
    db.set_membership(viewer.member_id, ctx.group.group_id, role)
        .await?;
    db.record(AuditEvent {
        actor: Some(viewer.member_id),
        action: "member_joined",
        group: Some(ctx.group.group_id),
        member: Some(viewer.member_id),
        detail: role.code(),
    })
    .await?;
    Ok(())
}
