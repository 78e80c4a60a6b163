//! The views of a member's profile page.

use crate::{FormErrors, GroupCard, RoleView};

/// A member's profile.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub id: String,
    pub name: String,
    /// Only given to the member themself and to admins.
    pub email: Option<String>,
    pub functions: Vec<String>,
    pub mandates: Vec<String>,
    pub memberships: Vec<(GroupCard, RoleView)>,
    /// The viewer's own profile: shows the edit form.
    pub is_self: bool,
    /// The member opened their profile to every party member (else: those who share a group
    /// with them). Shown in the edit form only.
    pub visible_to_party: bool,
    /// What the member declared of their gender (`woman`, `man`, `other`; empty: « ne pas
    /// préciser »). Given for the member's own profile only: it is never shown to anyone else.
    pub gender: String,
    /// The account is disabled (shown to administrators).
    pub disabled: bool,
    /// An administrator looking at someone else's profile: may disable or enable the account.
    pub can_disable: bool,
    /// The edit form as the member sent it, with its errors (a 422): `None` shows the profile's
    /// own values.
    pub form: Option<ProfileFormView>,
}

/// What the member typed in the profile form, shown again next to its errors.
#[derive(Debug, Clone, Default)]
pub struct ProfileFormView {
    pub name: String,
    /// One title a line, as typed.
    pub functions: String,
    pub mandates: String,
    pub visible_to_party: bool,
    /// The gender chosen in the form (empty: « ne pas préciser »).
    pub gender: String,
    pub errors: FormErrors,
}
