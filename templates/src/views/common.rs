//! What every page and several features share: the page's context (language, viewer, CSRF
//! token, flash), form errors, and the organisation's coded values (kinds of group, roles,
//! visibility, registration modes) with their labels; a group in a list; an activity item.

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
