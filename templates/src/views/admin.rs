//! The views of the administration pages: the overview and the list of accounts.

use time::OffsetDateTime;

use crate::{GroupCard, GroupKindView};

/// The administration page.
#[derive(Debug, Clone)]
pub struct AdminView {
    pub member_count: i64,
    /// Number of groups of each kind.
    pub group_counts: Vec<(GroupKindView, i64)>,
    /// The server's registration mode code: "open", "invite-only" or "closed"
    /// (see [`RegistrationModeView`]).
    pub registration_mode: String,
    /// The national group, parent of federations, themes and national working groups; without
    /// it, no creation form.
    pub national_id: Option<String>,
    pub federations: Vec<GroupCard>,
    pub themes: Vec<GroupCard>,
    pub working_groups: Vec<GroupCard>,
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
