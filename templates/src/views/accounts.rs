//! The views of the account pages: signing in, registering, an invitation.

use crate::RoleView;

/// The sign-in form.
#[derive(Debug, Clone, Default)]
pub struct LoginForm {
    /// As typed, to refill the field.
    pub email: String,
    /// Already-localised message (wrong credentials).
    pub error: Option<String>,
    /// Where to go after signing in (a local path).
    pub next: String,
    pub registration_open: bool,
}

/// The registration form.
#[derive(Debug, Clone, Default)]
pub struct RegisterForm {
    pub email: String,
    pub name: String,
    pub invitation_token: Option<String>,
    /// When invited: the address, shown read-only.
    pub invited_email: Option<String>,
}

/// An invitation to join a group.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub token: String,
    pub group_name: String,
    pub role: RoleView,
    /// Empty when unknown.
    pub inviter_name: String,
    /// The invited address.
    pub email: String,
    /// No account yet for this address: the page asks for a name and a password.
    pub needs_account: bool,
    /// An account exists but nobody is signed in: the page asks to sign in first.
    pub needs_login: bool,
    /// Someone is signed in with another address: the invitation is not theirs to accept.
    pub for_another_account: bool,
}
