//! The view structs: what each page needs, already loaded and checked by the server.
//!
//! Ids are strings and dates arrive pre-formatted (see [`crate::format_datetime`]); every string
//! that comes from a member is escaped when rendered.

use std::collections::BTreeMap;

use rust_i18n::t;

use crate::Lang;

/// Field name → message, already localised by the server. The field name is the key the page
/// uses for the field's id (`field-<key>`), usually the input's `name`.
pub type FormErrors = BTreeMap<String, String>;

/// What every page needs.
#[derive(Debug, Clone, Default)]
pub struct PageContext {
    pub lang: Lang,
    /// `None`: an anonymous visitor.
    pub viewer: Option<ViewerView>,
    pub csrf_token: Option<String>,
    /// The current path, for the language switch's `next`.
    pub path: String,
    /// An already-localised one-line message (after a successful form, say).
    pub flash: Option<String>,
}

/// The signed-in member.
#[derive(Debug, Clone, Default)]
pub struct ViewerView {
    pub id: String,
    pub name: String,
    pub is_admin: bool,
}

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code shared with the server and forms.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

coded_enum!(
    /// The kinds of group in the party's organisation.
    GroupKindView {
        National => "national",
        Federation => "federation",
        Section => "section",
        Theme => "theme",
        WorkingGroup => "working_group",
    }
);

coded_enum!(
    /// A member's role in a group, from the least to the most rights.
    RoleView {
        Supporter => "supporter",
        Member => "member",
        Secretary => "secretary",
        Officer => "officer",
        Organiser => "organiser",
        Admin => "admin",
    }
);

coded_enum!(
    /// Who can see a group.
    VisibilityView {
        Public => "public",
        Members => "members",
        Group => "group",
    }
);

coded_enum!(
    /// How accounts are created (the server's configuration).
    RegistrationModeView {
        Open => "open",
        InviteOnly => "invite-only",
        Closed => "closed",
    }
);

impl GroupKindView {
    /// "Fédération".
    pub fn label(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            GroupKindView::National => t!("kind.national", locale = l),
            GroupKindView::Federation => t!("kind.federation", locale = l),
            GroupKindView::Section => t!("kind.section", locale = l),
            GroupKindView::Theme => t!("kind.theme", locale = l),
            GroupKindView::WorkingGroup => t!("kind.working_group", locale = l),
        }
        .into_owned()
    }

    /// "Fédérations", for a heading over a list.
    pub fn plural_label(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            GroupKindView::National => t!("kind.national.plural", locale = l),
            GroupKindView::Federation => t!("kind.federation.plural", locale = l),
            GroupKindView::Section => t!("kind.section.plural", locale = l),
            GroupKindView::Theme => t!("kind.theme.plural", locale = l),
            GroupKindView::WorkingGroup => t!("kind.working_group.plural", locale = l),
        }
        .into_owned()
    }
}

impl RoleView {
    /// "Adhérent·e".
    pub fn label(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            RoleView::Supporter => t!("role.supporter", locale = l),
            RoleView::Member => t!("role.member", locale = l),
            RoleView::Secretary => t!("role.secretary", locale = l),
            RoleView::Officer => t!("role.officer", locale = l),
            RoleView::Organiser => t!("role.organiser", locale = l),
            RoleView::Admin => t!("role.admin", locale = l),
        }
        .into_owned()
    }
}

impl VisibilityView {
    /// "les adhérents", as in "Visible par : les adhérents".
    pub fn label(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            VisibilityView::Public => t!("visibility.public", locale = l),
            VisibilityView::Members => t!("visibility.members", locale = l),
            VisibilityView::Group => t!("visibility.group", locale = l),
        }
        .into_owned()
    }

    /// One sentence saying what the choice means, for forms.
    pub fn explanation(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            VisibilityView::Public => t!("visibility.public.hint", locale = l),
            VisibilityView::Members => t!("visibility.members.hint", locale = l),
            VisibilityView::Group => t!("visibility.group.hint", locale = l),
        }
        .into_owned()
    }
}

impl RegistrationModeView {
    pub fn label(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            RegistrationModeView::Open => t!("registration.open", locale = l),
            RegistrationModeView::InviteOnly => t!("registration.invite_only", locale = l),
            RegistrationModeView::Closed => t!("registration.closed", locale = l),
        }
        .into_owned()
    }
}

/// A group in a list.
#[derive(Debug, Clone)]
pub struct GroupCard {
    pub id: String,
    pub name: String,
    pub kind: GroupKindView,
    pub member_count: i64,
    /// The viewer's role in the group, if any.
    pub role: Option<RoleView>,
    pub description: String,
}

/// Something that happened in one of the viewer's groups.
#[derive(Debug, Clone)]
pub struct ActivityItem {
    /// Pre-formatted date.
    pub when: String,
    /// Already-localised sentence.
    pub text: String,
    pub url: Option<String>,
}

/// A member's workspace.
#[derive(Debug, Clone, Default)]
pub struct HomeView {
    pub my_groups: Vec<GroupCard>,
    pub my_themes: Vec<GroupCard>,
    pub recent_activity: Vec<ActivityItem>,
    /// Themes the viewer has not joined.
    pub suggested_themes: Vec<GroupCard>,
}

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
}

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
}
