//! The view structs: what each page needs, already loaded and checked by the server.
//!
//! Ids are strings; dates arrive pre-formatted (see [`crate::format_datetime`]) or, in the views
//! of texts, as `time::OffsetDateTime` that the pages format. Every string that comes from a
//! member is escaped when rendered, except the fields whose names end in `_html`: the server
//! sanitised them (ammonia) and the pages insert them as they are.

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
    /// The member opened their profile to every party member (else: those who share a group
    /// with them). Shown in the edit form only.
    pub visible_to_party: bool,
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
    pub errors: FormErrors,
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
    /// Someone is signed in with another address: the invitation is not theirs to accept.
    pub for_another_account: bool,
}

// ---- Texts: programme chapters, motions, wiki pages ----

coded_enum!(
    /// A programme text (chapters, motions: what conventions amend and adopt) or a wiki page.
    TextKindView {
        Programme => "programme",
        Wiki => "wiki",
    }
);

coded_enum!(
    /// Where a text is in its life: only `drafting` texts are edited freely.
    TextStatusView {
        Drafting => "drafting",
        Amending => "amending",
        Adopted => "adopted",
        Archived => "archived",
    }
);

impl TextKindView {
    /// "Programme", "Wiki".
    pub fn label(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            TextKindView::Programme => t!("text_kind.programme", locale = l),
            TextKindView::Wiki => t!("text_kind.wiki", locale = l),
        }
        .into_owned()
    }
}

impl TextStatusView {
    /// "En rédaction", "En amendement", "Adopté", "Archivé".
    pub fn label(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            TextStatusView::Drafting => t!("text_status.drafting", locale = l),
            TextStatusView::Amending => t!("text_status.amending", locale = l),
            TextStatusView::Adopted => t!("text_status.adopted", locale = l),
            TextStatusView::Archived => t!("text_status.archived", locale = l),
        }
        .into_owned()
    }

    /// One sentence saying what the status means for the text, for the status form.
    pub fn explanation(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            TextStatusView::Drafting => t!("text_status.drafting.hint", locale = l),
            TextStatusView::Amending => t!("text_status.amending.hint", locale = l),
            TextStatusView::Adopted => t!("text_status.adopted.hint", locale = l),
            TextStatusView::Archived => t!("text_status.archived.hint", locale = l),
        }
        .into_owned()
    }
}

/// What every page of a text shows at its top: title, kind, status, group, and what the viewer
/// may do.
#[derive(Debug, Clone)]
pub struct TextHeaderView {
    pub id: String,
    pub title: String,
    pub kind: TextKindView,
    pub status: TextStatusView,
    pub group_id: String,
    pub group_name: String,
    pub updated_at: time::OffsetDateTime,
    /// May edit the text now (a member of the group, and the text is drafting).
    pub can_write: bool,
    /// May change the text's status.
    pub can_manage: bool,
    /// The statuses the text may move to from its current one (the server refuses others).
    pub status_moves: Vec<TextStatusView>,
    /// Would be allowed to write if the text were drafting: may name versions.
    pub contributor: bool,
}

/// One heading of a text, for its table of contents.
#[derive(Debug, Clone)]
pub struct TocEntryView {
    /// 1 to 6, as in `<h1>`…`<h6>`.
    pub level: u8,
    pub text: String,
    /// The heading's id in the body, without `#`.
    pub anchor: String,
}

/// A link to a text (backlinks, lists).
#[derive(Debug, Clone)]
pub struct TextLinkView {
    pub id: String,
    pub title: String,
    pub group_name: String,
}

/// Reading a text.
#[derive(Debug, Clone)]
pub struct TextReadView {
    pub header: TextHeaderView,
    /// The text as HTML, sanitised by the server (ammonia); its headings should start at `<h2>`
    /// (the page's `<h1>` is the title) and carry the ids of [`TextReadView::toc`].
    pub body_html: String,
    pub toc: Vec<TocEntryView>,
    /// The texts whose wiki links point here.
    pub backlinks: Vec<TextLinkView>,
}

/// Why a signed-in reader may not write a text, when their role is the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteBarView {
    /// Joining the text's group lets them write: the editor offers the button (a form posting
    /// to `/texts/{id}/join`).
    Join(GroupKindView),
    /// A supporter: writing is for party members.
    Supporter,
    /// Writing is for the group's members, and the group does not open by a click.
    NotInGroup,
}

/// The live editor of a text.
#[derive(Debug, Clone)]
pub struct TextEditView {
    pub header: TextHeaderView,
    /// The editor shows the text live but refuses changes.
    pub readonly: bool,
    /// The editor's WebSocket address.
    pub sync_url: String,
    /// Why the reader may not write, when it is their role (`None` for contributors).
    pub write_bar: Option<WriteBarView>,
}

/// A text with numbered paragraphs and lines, to cite them in amendments.
#[derive(Debug, Clone)]
pub struct TextLinesView {
    pub header: TextHeaderView,
    /// Sanitised by the server: `section.numbered-block[data-paragraph]` holding
    /// `span.paragraph-number` and `span.line[data-line]`.
    pub numbered_html: String,
}

/// A named version of a text.
#[derive(Debug, Clone)]
pub struct VersionView {
    pub id: String,
    pub label: String,
    /// `None`: named by the server.
    pub author_name: Option<String>,
    pub created_at: time::OffsetDateTime,
}

/// Who took part in a session of edits.
#[derive(Debug, Clone)]
pub struct SessionAuthorView {
    /// `None`: the server (an import, a restoration), or an author the reader may not know.
    pub name: Option<String>,
    /// Whether this is the server's own change (else a member, named or not).
    pub server: bool,
    pub changes: i64,
}

/// A session of edits: consecutive batches by the same people without a long pause.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub authors: Vec<SessionAuthorView>,
    pub started_at: time::OffsetDateTime,
    pub ended_at: time::OffsetDateTime,
    /// Stored batches in the session.
    pub batches: usize,
    /// Words added and removed; `None` while not computed (a later view fills it in).
    pub words: Option<(usize, usize)>,
    /// The counts come from a coarser comparison (long texts).
    pub approximate: bool,
    /// The server's messages ("restored version 3").
    pub messages: Vec<String>,
    /// The session's start and end points, as written in a diff's `from` and `to`.
    pub from: String,
    pub to: String,
    /// The page's bound cut it: it began earlier (see the next page).
    pub continues_earlier: bool,
}

/// A text's history: named versions and sessions of edits.
#[derive(Debug, Clone)]
pub struct TextHistoryView {
    pub header: TextHeaderView,
    /// Newest first.
    pub versions: Vec<VersionView>,
    /// Newest first.
    pub sessions: Vec<SessionView>,
    /// This page starts before a batch (not the newest page).
    pub paged: bool,
    /// The `before` of the next, older page.
    pub older: Option<String>,
    /// An already-localised error on the version's name (the form's `label` field).
    pub label_error: Option<String>,
}

/// A point offered by the compare form: its code and its label.
#[derive(Debug, Clone)]
pub struct PointOption {
    pub code: String,
    pub label: String,
}

/// The differences between two states of a text.
#[derive(Debug, Clone)]
pub struct TextDiffView {
    pub header: TextHeaderView,
    pub from_label: String,
    pub to_label: String,
    /// Sanitised by the server: the rendered text with `<del>` and `<ins>` inside; `None` when
    /// the Markdown source diff is shown.
    pub rendered_html: Option<String>,
    /// Sanitised by the server: the Markdown source with `<del>`, `<ins>` and `<mark>` inside.
    pub source_html: Option<String>,
    /// Words added and removed.
    pub insertions: usize,
    pub deletions: usize,
    /// The comparison gave up word-level precision (texts too long).
    pub truncated: bool,
    /// For the compare form.
    pub versions: Vec<VersionView>,
    /// Points offered besides the versions and now (the compared ones when they are not
    /// versions).
    pub extra_points: Vec<PointOption>,
    /// The compared points, as written in `from` and `to`.
    pub from: String,
    pub to: String,
}

/// The form creating a text in a group, and importing one from a Markdown file.
#[derive(Debug, Clone, Default)]
pub struct NewTextView {
    pub group_id: String,
    pub group_name: String,
    /// As typed (or from `?title=`).
    pub title: String,
    /// `programme` or `wiki` (empty: programme).
    pub kind: String,
    /// `chapter`, `motion` or `wiki` (empty: chapter).
    pub template: String,
    pub markdown: String,
    /// Keys of the creation form: `title`, `kind`, `template`, `markdown`; of the import form:
    /// `file`, `import_title`, `import_kind`. Other keys show in the summary only.
    pub errors: BTreeMap<String, String>,
}

/// A wiki link to a page that does not exist yet.
#[derive(Debug, Clone)]
pub struct WikiMissingView {
    pub group_id: String,
    pub group_name: String,
    pub title: String,
    pub can_create: bool,
    pub backlinks: Vec<TextLinkView>,
}

/// A text in a list.
#[derive(Debug, Clone)]
pub struct TextListItem {
    pub id: String,
    pub title: String,
    pub kind: TextKindView,
    pub status: TextStatusView,
    pub updated_at: time::OffsetDateTime,
}

/// A group's texts, by last change.
#[derive(Debug, Clone)]
pub struct GroupChangesView {
    pub group_id: String,
    pub group_name: String,
    /// Most recently changed first.
    pub items: Vec<TextListItem>,
    /// Who made the latest changes of each listed text (by text id), most recent first.
    pub authors: std::collections::HashMap<String, Vec<String>>,
}
