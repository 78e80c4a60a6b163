//! The home and welcome pages' views: a member's work, groups and themes.

use crate::{ActivityItem, GroupCard, TextKindView, TextStatusView};

/// A text to work on, in a member's lists (home and welcome pages), with what they may do.
#[derive(Debug, Clone)]
pub struct WorkItem {
    pub id: String,
    pub title: String,
    pub group_name: String,
    pub kind: TextKindView,
    pub status: TextStatusView,
    pub updated_at: time::OffsetDateTime,
    /// Changed since the member's previous visit.
    pub is_new: bool,
    /// « Contribuer »: the member may write it, or join its theme to write it.
    pub can_contribute: bool,
}

/// A member's workspace: their work first, then their groups, then themes to join.
#[derive(Debug, Clone, Default)]
pub struct HomeView {
    /// Programme texts being drafted in the member's groups and themes, latest change first.
    pub drafting: Vec<WorkItem>,
    /// The end of the member's previous visit; `None` during their first visit.
    pub since: Option<time::OffsetDateTime>,
    /// Texts of the member's groups and themes changed since then (any kind and status).
    pub changed: Vec<WorkItem>,
    pub my_groups: Vec<GroupCard>,
    pub my_themes: Vec<GroupCard>,
    /// Since `since` when there is one, else the latest.
    pub recent_activity: Vec<ActivityItem>,
    /// Themes the viewer has not joined.
    pub suggested_themes: Vec<GroupCard>,
}

/// Where an accepted invitation lands: the texts being drafted where the new member is, and in
/// the themes open to them.
#[derive(Debug, Clone, Default)]
pub struct WelcomeView {
    /// The groups the member holds a membership in.
    pub group_names: Vec<String>,
    /// Programme texts being drafted in those groups, latest change first.
    pub drafting: Vec<WorkItem>,
    /// Programme texts being drafted in themes the member has not joined but may join.
    pub open_drafting: Vec<WorkItem>,
}
