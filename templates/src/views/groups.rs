//! The views of the organisers' weekly pages: a group's pending invitations, removing a member,
//! and the administrators' list of accounts.

use time::OffsetDateTime;

use crate::{GroupKindView, RoleView};

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

/// One account on the administrators' list.
#[derive(Debug, Clone)]
pub struct AccountEntry {
    pub id: String,
    pub name: String,
    pub email: String,
    pub created_at: OffsetDateTime,
    pub disabled: bool,
    pub is_admin: bool,
    /// The viewer's own account: it cannot be disabled from here.
    pub is_self: bool,
}

/// The administrators' list of accounts, one page of it.
#[derive(Debug, Clone)]
pub struct AccountsView {
    pub query: String,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub accounts: Vec<AccountEntry>,
}
