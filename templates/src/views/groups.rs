//! The views of groups' pages: a group, the organisation tree, the directory, the management
//! page, a group's pending invitations and the removal of a member.

use time::OffsetDateTime;

use crate::{
    ActivityItem, GroupCard, GroupKindView, RelatedWorkView, RoleView, TextListItem, VisibilityView,
};

/// A group's page.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub kind: GroupKindView,
    pub description: String,
    pub visibility: VisibilityView,
    /// (id, name)
    pub parent: Option<(String, String)>,
    /// The ancestors, root first, without the group itself: (id, name).
    pub breadcrumbs: Vec<(String, String)>,
    pub children: Vec<GroupCard>,
    pub member_count: i64,
    pub viewer_role: Option<RoleView>,
    pub can_manage: bool,
    pub can_see_directory: bool,
    pub can_join: bool,
    /// What happened lately in the group; the server fills it only for those who may see the
    /// directory (it names members).
    pub recent_activity: Vec<ActivityItem>,
    /// The group's texts (programme and wiki), most recently changed first.
    pub texts: Vec<TextListItem>,
    /// May create a text here (shows « Nouveau texte »).
    pub can_create_text: bool,
    /// For a theme: « On en parle aussi ailleurs », the work of other themes and groups most
    /// like this one's, among what the viewer may see.
    pub related: Vec<RelatedWorkView>,
}

/// A node of the organisation tree (national, federations, sections).
#[derive(Debug, Clone)]
pub struct TreeNode {
    pub card: GroupCard,
    pub children: Vec<TreeNode>,
}

/// The organisation page.
#[derive(Debug, Clone, Default)]
pub struct GroupsIndexView {
    pub tree: Vec<TreeNode>,
    pub themes: Vec<GroupCard>,
    pub working_groups: Vec<GroupCard>,
}

/// A member in a group's directory.
#[derive(Debug, Clone)]
pub struct DirectoryEntry {
    pub member_id: String,
    pub name: String,
    pub role: RoleView,
    pub functions: Vec<String>,
    pub mandates: Vec<String>,
}

/// A group's member directory, one page of it.
#[derive(Debug, Clone)]
pub struct DirectoryView {
    pub group_id: String,
    pub group_name: String,
    pub members: Vec<DirectoryEntry>,
    /// 1-based.
    pub page: u32,
    pub pages: u32,
    /// The search, as typed.
    pub query: String,
}

/// The management page of a group.
#[derive(Debug, Clone)]
pub struct ManageGroupView {
    pub group: GroupView,
    pub members: Vec<DirectoryEntry>,
    /// The roles the viewer may give here.
    pub assignable_roles: Vec<RoleView>,
    /// The kinds of sub-group the viewer may create here (none: no creation form).
    pub creatable_kinds: Vec<GroupKindView>,
    /// Invitations neither accepted nor withdrawn, newest first.
    pub invitations: Vec<crate::PendingInvitationView>,
}

/// A pending invitation on a group's management page.
#[derive(Debug, Clone)]
pub struct PendingInvitationView {
    pub id: String,
    pub email: String,
    pub role: RoleView,
    /// Who sent it (none when that account is gone).
    pub invited_by: Option<String>,
    pub sent_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub expired: bool,
    /// Whether the viewer may send it again or withdraw it (its role is within theirs).
    pub can_handle: bool,
}

/// One membership a removal also ends.
#[derive(Debug, Clone)]
pub struct EndedMembershipView {
    pub group_name: String,
    pub kind: GroupKindView,
    pub role: RoleView,
}

/// The confirmation page before removing someone from a group.
#[derive(Debug, Clone)]
pub struct RemoveMemberView {
    pub group_id: String,
    pub group_name: String,
    pub member_id: String,
    pub member_name: String,
    pub role: RoleView,
    /// The memberships in the groups below that end with it.
    pub below: Vec<EndedMembershipView>,
    /// The viewer removes themselves.
    pub is_self: bool,
}
