//! The one place that decides who may see and do what in the organisation.
//!
//! Rules (also in ARCHITECTURE.md):
//! - A role held in a group applies there; roles from secretary up also apply to every group
//!   below it (a federation's secretary manages its sections). An admin of the national group is
//!   an admin everywhere.
//! - A member *belongs* to a group when they hold a membership in it or in a group below it (a
//!   section's member belongs to its federation and to the national party).
//! - Visibility: `public` groups are seen by anyone; `members` groups by the party's members
//!   (role member or above somewhere) and by those who belong; `group` groups only by those who
//!   belong or hold a role there. Others get 404: a private group's existence is private.
//! - A group's directory is seen by those who hold a role in it: its own members (not those of
//!   the groups below: a section's member does not browse the national party's list) and its
//!   secretaries and above. Political membership is sensitive data.
//! - A member's profile is seen by themselves, national admins, those who may see the directory
//!   of a group the member holds a membership in ("share a group"), and, if the member chose it,
//!   every party member. Anyone else gets 404, the same as for an id nobody has.
//! - Managing a group (roles, invitations, sub-groups, editing) takes secretary or above there;
//!   nobody grants a role above their own. The same bound holds for what managers do every
//!   week: they resend or withdraw only invitations whose role they could give, and remove only
//!   someone whose roles, there and in the groups below (which the removal also ends), they
//!   could give.
//! - The list of every account, and disabling or enabling one, is for national admins.
//! - A party member who may not write a group's texts but may join the group (a theme or a
//!   working group open to them) is offered to join it to write; a supporter is told that
//!   writing is for party members; anyone else that it is for the group's members.

use crate::model::{
    AmendmentStatus, Filers, GroupId, GroupKind, MemberId, ProfileVisibility, Role, Visibility,
};
use crate::store::{GroupRow, ScopeRow};

/// The signed-in member, with everything the rules need about their memberships.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub member_id: MemberId,
    pub name: String,
    pub email: String,
    scope: Vec<ScopeRow>,
}

impl Viewer {
    pub fn new(member_id: MemberId, name: String, email: String, scope: Vec<ScopeRow>) -> Viewer {
        Viewer {
            member_id,
            name,
            email,
            scope,
        }
    }

    /// The roles held directly, group by group.
    pub fn memberships(&self) -> impl Iterator<Item = (GroupId, Role)> + '_ {
        self.scope
            .iter()
            .filter(|row| row.via_group_id == row.ancestor_id)
            .map(|row| (row.via_group_id, row.role))
    }

    /// The role that applies in the group at the end of `chain` (root first, the group last).
    pub fn role_in(&self, chain: &[GroupId]) -> Option<Role> {
        let (group, above) = chain.split_last()?;
        self.memberships()
            .filter(|(via, role)| via == group || (above.contains(via) && role.inherits_down()))
            .map(|(_, role)| role)
            .max()
    }

    /// Whether the member holds a membership in this group or in a group below it.
    pub fn belongs_to(&self, group: GroupId) -> bool {
        self.scope.iter().any(|row| row.ancestor_id == group)
    }

    /// Every group the member belongs to (`belongs_to`), some more than once.
    pub fn belongs(&self) -> impl Iterator<Item = GroupId> + '_ {
        self.scope.iter().map(|row| row.ancestor_id)
    }

    /// A party member, as opposed to a supporter only.
    pub fn is_party_member(&self) -> bool {
        self.memberships().any(|(_, role)| role.is_party_member())
    }

    /// An admin of the national group: every right everywhere.
    pub fn is_admin(&self) -> bool {
        // The national group is the only one with no ancestor: its scope rows have via == ancestor
        // and nothing above. An admin membership whose group has no parent is a national admin.
        self.memberships()
            .any(|(via, role)| role == Role::Admin && self.is_root(via))
    }

    /// Who may list every account, and disable or enable one: national admins.
    pub fn can_administer_accounts(&self) -> bool {
        self.is_admin()
    }

    fn is_root(&self, group: GroupId) -> bool {
        // A group's scope rows reach ancestors other than itself only if it has a parent.
        !self
            .scope
            .iter()
            .any(|row| row.via_group_id == group && row.ancestor_id != group)
    }
}

/// What one viewer may see and do in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub role: Option<Role>,
    pub belongs: bool,
    pub can_view: bool,
    pub can_see_directory: bool,
    pub can_manage: bool,
    pub can_join: bool,
}

impl Access {
    /// Decides access to `group`, whose chain of ancestors (root first, the group last) is `chain`.
    pub fn to_group(viewer: Option<&Viewer>, group: &GroupRow, chain: &[GroupId]) -> Access {
        let Some(viewer) = viewer else {
            let public = group.visibility == Visibility::Public;
            return Access {
                role: None,
                belongs: false,
                can_view: public,
                can_see_directory: false,
                can_manage: false,
                can_join: false,
            };
        };
        let role = viewer.role_in(chain);
        let belongs = viewer.belongs_to(group.group_id) || role.is_some();
        let can_view = match group.visibility {
            Visibility::Public => true,
            Visibility::Members => belongs || viewer.is_party_member(),
            Visibility::Group => belongs,
        };
        let can_manage = role.is_some_and(|r| r >= Role::Secretary);
        let joinable_kind = matches!(group.kind, GroupKind::Theme | GroupKind::WorkingGroup);
        Access {
            role,
            belongs,
            can_view,
            can_see_directory: role.is_some(),
            can_manage,
            can_join: can_view
                && joinable_kind
                && group.visibility != Visibility::Group
                && !belongs,
        }
    }

    /// Whether this viewer may give `role` to someone in this group.
    pub fn can_grant(&self, role: Role) -> bool {
        self.can_manage && self.role.is_some_and(|mine| role <= mine)
    }

    /// Whether this viewer may send again or withdraw a pending invitation with `role`: the
    /// right to send it.
    pub fn can_handle_invitation(&self, role: Role) -> bool {
        self.can_grant(role)
    }

    /// Whether this viewer may remove from this group someone holding `roles` there and in the
    /// groups below it (a removal ends them all).
    pub fn can_remove(&self, roles: impl IntoIterator<Item = Role>) -> bool {
        self.can_manage && roles.into_iter().all(|role| self.can_grant(role))
    }

    /// Whether this viewer may create a group of `kind` under this one.
    pub fn can_create_child(&self, parent_kind: GroupKind, kind: GroupKind) -> bool {
        let needed = match kind {
            GroupKind::National => return false,
            GroupKind::Federation => Role::Admin,
            GroupKind::Theme => Role::Organiser,
            GroupKind::Section | GroupKind::WorkingGroup => Role::Secretary,
        };
        parent_kind.allowed_children().contains(&kind) && self.role.is_some_and(|r| r >= needed)
    }
}

/// Whether `viewer` may see the profile of `member`, who chose `visibility` and holds a
/// membership in each of `member_groups` (each with its chain of ids, root first, itself last).
pub fn can_see_profile(
    viewer: &Viewer,
    member: MemberId,
    visibility: ProfileVisibility,
    member_groups: &[(&GroupRow, Vec<GroupId>)],
) -> bool {
    viewer.member_id == member
        || viewer.is_admin()
        || (visibility == ProfileVisibility::Party && viewer.is_party_member())
        || member_groups
            .iter()
            .any(|(group, chain)| Access::to_group(Some(viewer), group, chain).can_see_directory)
}

/// What one viewer may do with the texts of one group (the rules of `crate::text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRights {
    /// Whoever may see a text's group may read its texts.
    pub can_read: bool,
    /// Member or above there (or a national admin): may create texts, name versions, and write
    /// while a text is drafting.
    pub contributor: bool,
    /// Organiser or above there (or a national admin): may change a text's status.
    pub can_manage: bool,
}

impl TextRights {
    /// The rights in the group to which `access` was decided for `viewer`.
    pub fn in_group(viewer: Option<&Viewer>, access: &Access) -> TextRights {
        let admin = viewer.is_some_and(Viewer::is_admin);
        TextRights {
            can_read: access.can_view,
            contributor: admin || access.role.is_some_and(|r| r >= Role::Member),
            can_manage: admin || access.role.is_some_and(|r| r >= Role::Organiser),
        }
    }
}

/// What stands between a reader and writing the drafting texts of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteBar {
    /// Joining the group (open to them, and they are a party member, so they would join as a
    /// member) lets them write: the editor offers the button.
    JoinToWrite,
    /// A supporter: supporters read; writing takes being a party member.
    Supporter,
    /// Writing is for the group's members, and the group does not open to them by a click (a
    /// section, a federation, a group by invitation, or they are in it as a supporter).
    NotInGroup,
}

impl TextRights {
    /// Why `viewer` may not write there (`access` decided for them); `None` for contributors.
    pub fn write_bar(&self, viewer: &Viewer, access: &Access) -> Option<WriteBar> {
        if self.contributor {
            None
        } else if !viewer.is_party_member() {
            Some(WriteBar::Supporter)
        } else if access.can_join {
            Some(WriteBar::JoinToWrite)
        } else {
            Some(WriteBar::NotInGroup)
        }
    }

    /// Whether writing there is theirs, or one click away (joining): « Contribuer » is offered.
    pub fn writing_within_reach(&self, viewer: &Viewer, access: &Access) -> bool {
        matches!(
            self.write_bar(viewer, access),
            None | Some(WriteBar::JoinToWrite)
        )
    }
}

/// What one viewer may do with the amendments of one text (issue 13; the rules of
/// `crate::amendments`). Reading follows the text: whoever may read it reads its amendments,
/// except drafts, which only their author sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmendmentRights {
    /// May file amendments: the members of the text's group (member or above there, or a
    /// national admin), or every party member when the text's rules open filing to the party.
    pub can_file: bool,
    /// May co-sign others' amendments: a party member who may read the text (supporters,
    /// « sympathisant·es », do not co-sign a party's motions).
    pub can_support: bool,
    /// May screen them and set their outcome: who may change the text's status.
    pub can_screen: bool,
}

impl AmendmentRights {
    /// The rights on the amendments of a text whose group's access was decided for `viewer`,
    /// filed by `filers`.
    pub fn on_text(viewer: Option<&Viewer>, access: &Access, filers: Filers) -> AmendmentRights {
        let text = TextRights::in_group(viewer, access);
        let party_member = viewer.is_some_and(Viewer::is_party_member);
        let can_file = viewer.is_some()
            && text.can_read
            && match filers {
                Filers::Group => text.contributor,
                Filers::Party => text.contributor || party_member,
            };
        AmendmentRights {
            can_file,
            can_support: text.can_read && (party_member || viewer.is_some_and(Viewer::is_admin)),
            can_screen: text.can_manage,
        }
    }

    /// Whether `viewer` may see an amendment by `author` in `status`: a draft is its author's.
    pub fn may_see(
        viewer: Option<&Viewer>,
        author: Option<MemberId>,
        status: AmendmentStatus,
    ) -> bool {
        status != AmendmentStatus::Draft || viewer.is_some_and(|v| author == Some(v.member_id))
    }

    /// Whether `viewer` may file on behalf of the group to which `access` was decided: its
    /// secretaries and above (a section's motion is its secretary's to file).
    pub fn may_file_for(access: &Access) -> bool {
        access.can_manage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NATIONAL: GroupId = GroupId(1);
    const FEDERATION: GroupId = GroupId(2);
    const SECTION: GroupId = GroupId(3);
    const OTHER_SECTION: GroupId = GroupId(4);

    fn scope(memberships: &[(GroupId, Role)]) -> Vec<ScopeRow> {
        let parent = |g: GroupId| match g.0 {
            2 => Some(NATIONAL),
            3 | 4 => Some(FEDERATION),
            _ => None,
        };
        let mut rows = Vec::new();
        for &(via, role) in memberships {
            let mut current = Some(via);
            while let Some(ancestor) = current {
                rows.push(ScopeRow {
                    via_group_id: via,
                    ancestor_id: ancestor,
                    role,
                });
                current = parent(ancestor);
            }
        }
        rows
    }

    fn viewer(memberships: &[(GroupId, Role)]) -> Viewer {
        Viewer::new(
            MemberId(7),
            "Louise Michel".into(),
            "louise@exemple.fr".into(),
            scope(memberships),
        )
    }

    fn group(id: GroupId, kind: GroupKind, visibility: Visibility) -> GroupRow {
        GroupRow {
            group_id: id,
            kind,
            name: "g".into(),
            description: String::new(),
            parent_id: None,
            visibility,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn management_roles_carry_down_plain_membership_does_not() {
        let secretary = viewer(&[(FEDERATION, Role::Secretary)]);
        assert_eq!(
            secretary.role_in(&[NATIONAL, FEDERATION, SECTION]),
            Some(Role::Secretary)
        );
        let member = viewer(&[(FEDERATION, Role::Member)]);
        assert_eq!(member.role_in(&[NATIONAL, FEDERATION, SECTION]), None);
        assert_eq!(member.role_in(&[NATIONAL, FEDERATION]), Some(Role::Member));
    }

    #[test]
    fn section_members_belong_upwards_not_sideways() {
        let member = viewer(&[(SECTION, Role::Member)]);
        assert!(
            member.belongs_to(SECTION)
                && member.belongs_to(FEDERATION)
                && member.belongs_to(NATIONAL)
        );
        assert!(!member.belongs_to(OTHER_SECTION));
    }

    #[test]
    fn private_groups_are_seen_only_by_those_who_belong() {
        let private = group(OTHER_SECTION, GroupKind::Section, Visibility::Group);
        let chain = [NATIONAL, FEDERATION, OTHER_SECTION];
        assert!(!Access::to_group(None, &private, &chain).can_view);
        assert!(
            !Access::to_group(Some(&viewer(&[(SECTION, Role::Member)])), &private, &chain).can_view
        );
        assert!(
            Access::to_group(
                Some(&viewer(&[(OTHER_SECTION, Role::Supporter)])),
                &private,
                &chain
            )
            .can_view
        );
        assert!(
            Access::to_group(
                Some(&viewer(&[(FEDERATION, Role::Secretary)])),
                &private,
                &chain
            )
            .can_view
        );
    }

    #[test]
    fn members_only_groups_exclude_supporters_and_anonymous() {
        let g = group(OTHER_SECTION, GroupKind::Section, Visibility::Members);
        let chain = [NATIONAL, FEDERATION, OTHER_SECTION];
        assert!(!Access::to_group(None, &g, &chain).can_view);
        assert!(
            !Access::to_group(Some(&viewer(&[(SECTION, Role::Supporter)])), &g, &chain).can_view
        );
        assert!(Access::to_group(Some(&viewer(&[(SECTION, Role::Member)])), &g, &chain).can_view);
    }

    #[test]
    fn nobody_grants_above_their_own_role() {
        let g = group(SECTION, GroupKind::Section, Visibility::Public);
        let access = Access::to_group(
            Some(&viewer(&[(SECTION, Role::Secretary)])),
            &g,
            &[NATIONAL, FEDERATION, SECTION],
        );
        assert!(access.can_grant(Role::Member) && access.can_grant(Role::Secretary));
        assert!(!access.can_grant(Role::Officer));
        assert!(access.can_create_child(GroupKind::Section, GroupKind::WorkingGroup));
        assert!(!access.can_create_child(GroupKind::Section, GroupKind::Section));
    }

    #[test]
    fn writing_texts_takes_member_and_their_status_organiser() {
        let g = group(SECTION, GroupKind::Section, Visibility::Public);
        let chain = [NATIONAL, FEDERATION, SECTION];
        let rights = |memberships: &[(GroupId, Role)]| {
            let v = viewer(memberships);
            TextRights::in_group(Some(&v), &Access::to_group(Some(&v), &g, &chain))
        };
        let supporter = rights(&[(SECTION, Role::Supporter)]);
        assert!(supporter.can_read && !supporter.contributor && !supporter.can_manage);
        let member = rights(&[(SECTION, Role::Member)]);
        assert!(member.contributor && !member.can_manage);
        assert!(rights(&[(SECTION, Role::Organiser)]).can_manage);
        let admin = rights(&[(NATIONAL, Role::Admin)]);
        assert!(admin.contributor && admin.can_manage);
        let anonymous = TextRights::in_group(None, &Access::to_group(None, &g, &chain));
        assert!(anonymous.can_read && !anonymous.contributor);
    }

    #[test]
    fn amendments_are_filed_by_the_group_or_the_party_and_screened_by_organisers() {
        let g = group(SECTION, GroupKind::Section, Visibility::Public);
        let chain = [NATIONAL, FEDERATION, SECTION];
        let rights = |memberships: &[(GroupId, Role)], filers| {
            let v = viewer(memberships);
            AmendmentRights::on_text(Some(&v), &Access::to_group(Some(&v), &g, &chain), filers)
        };
        let member = rights(&[(SECTION, Role::Member)], Filers::Group);
        assert!(member.can_file && member.can_support && !member.can_screen);
        let elsewhere = rights(&[(OTHER_SECTION, Role::Member)], Filers::Group);
        assert!(
            !elsewhere.can_file && elsewhere.can_support,
            "reads and co-signs"
        );
        assert!(rights(&[(OTHER_SECTION, Role::Member)], Filers::Party).can_file);
        let supporter = rights(&[(SECTION, Role::Supporter)], Filers::Party);
        assert!(!supporter.can_file && !supporter.can_support);
        assert!(rights(&[(SECTION, Role::Organiser)], Filers::Group).can_screen);
        assert!(rights(&[(NATIONAL, Role::Admin)], Filers::Group).can_screen);
        let anonymous =
            AmendmentRights::on_text(None, &Access::to_group(None, &g, &chain), Filers::Party);
        assert!(!anonymous.can_file && !anonymous.can_support && !anonymous.can_screen);
        let hidden = group(SECTION, GroupKind::Section, Visibility::Group);
        let outsider = viewer(&[(OTHER_SECTION, Role::Member)]);
        let access = Access::to_group(Some(&outsider), &hidden, &chain);
        let none = AmendmentRights::on_text(Some(&outsider), &access, Filers::Party);
        assert!(
            !none.can_file && !none.can_support,
            "a hidden text is nobody's to amend"
        );

        let author = viewer(&[(SECTION, Role::Member)]);
        let other = viewer(&[(NATIONAL, Role::Admin)]);
        assert!(AmendmentRights::may_see(
            Some(&author),
            Some(author.member_id),
            AmendmentStatus::Draft
        ));
        assert!(!AmendmentRights::may_see(
            Some(&other),
            Some(MemberId(99)),
            AmendmentStatus::Draft
        ));
        assert!(!AmendmentRights::may_see(
            None,
            Some(author.member_id),
            AmendmentStatus::Draft
        ));
        assert!(AmendmentRights::may_see(
            None,
            Some(author.member_id),
            AmendmentStatus::Submitted
        ));

        let secretary = viewer(&[(SECTION, Role::Secretary)]);
        assert!(AmendmentRights::may_file_for(&Access::to_group(
            Some(&secretary),
            &g,
            &chain
        )));
        assert!(!AmendmentRights::may_file_for(&Access::to_group(
            Some(&author),
            &g,
            &chain
        )));
    }

    #[test]
    fn joining_to_write_is_offered_to_party_members_of_groups_that_open_to_them() {
        let theme = group(GroupId(9), GroupKind::Theme, Visibility::Public);
        let theme_chain = [NATIONAL, GroupId(9)];
        let section = group(OTHER_SECTION, GroupKind::Section, Visibility::Public);
        let section_chain = [NATIONAL, FEDERATION, OTHER_SECTION];
        let bar = |memberships: &[(GroupId, Role)], g: &GroupRow, chain: &[GroupId]| {
            let v = viewer(memberships);
            let access = Access::to_group(Some(&v), g, chain);
            TextRights::in_group(Some(&v), &access).write_bar(&v, &access)
        };
        let member = [(SECTION, Role::Member)];
        assert_eq!(
            bar(&member, &theme, &theme_chain),
            Some(WriteBar::JoinToWrite)
        );
        assert_eq!(
            bar(&member, &section, &section_chain),
            Some(WriteBar::NotInGroup)
        );
        assert_eq!(
            bar(&[(SECTION, Role::Supporter)], &theme, &theme_chain),
            Some(WriteBar::Supporter)
        );
        // In the theme already, as a supporter, though a party member elsewhere: not by a click.
        assert_eq!(
            bar(
                &[(SECTION, Role::Member), (GroupId(9), Role::Supporter)],
                &theme,
                &theme_chain
            ),
            Some(WriteBar::NotInGroup)
        );
        assert_eq!(
            bar(&[(GroupId(9), Role::Member)], &theme, &theme_chain),
            None
        );
        assert_eq!(
            bar(&[(NATIONAL, Role::Admin)], &section, &section_chain),
            None
        );
    }

    #[test]
    fn directories_are_for_the_group_own_members_and_its_managers() {
        let chain = [NATIONAL, FEDERATION, SECTION];
        let g = group(SECTION, GroupKind::Section, Visibility::Public);
        let national = group(NATIONAL, GroupKind::National, Visibility::Public);
        let sees = |memberships: &[(GroupId, Role)], g: &GroupRow, chain: &[GroupId]| {
            Access::to_group(Some(&viewer(memberships)), g, chain).can_see_directory
        };
        assert!(sees(&[(SECTION, Role::Supporter)], &g, &chain));
        assert!(sees(&[(FEDERATION, Role::Secretary)], &g, &chain));
        assert!(!sees(&[(OTHER_SECTION, Role::Member)], &g, &chain));
        // Belonging to the party through a section does not open the party's whole list.
        assert!(!sees(&[(SECTION, Role::Member)], &national, &[NATIONAL]));
        assert!(sees(&[(NATIONAL, Role::Supporter)], &national, &[NATIONAL]));
    }

    #[test]
    fn profiles_are_seen_by_those_who_share_a_group_or_as_the_member_chose() {
        let target = MemberId(99);
        let section = group(SECTION, GroupKind::Section, Visibility::Public);
        let in_section = [(&section, vec![NATIONAL, FEDERATION, SECTION])];
        let sees =
            |memberships: &[(GroupId, Role)], visibility, groups: &[(&GroupRow, Vec<GroupId>)]| {
                can_see_profile(&viewer(memberships), target, visibility, groups)
            };
        let groups = ProfileVisibility::Groups;
        // Same section, its managers above, national admins.
        assert!(sees(&[(SECTION, Role::Supporter)], groups, &in_section));
        assert!(sees(&[(FEDERATION, Role::Secretary)], groups, &in_section));
        assert!(sees(&[(NATIONAL, Role::Admin)], groups, &[]));
        // Another section, a federation's plain member, a member of nothing: no.
        assert!(!sees(
            &[(OTHER_SECTION, Role::Officer)],
            groups,
            &in_section
        ));
        assert!(!sees(&[(FEDERATION, Role::Member)], groups, &in_section));
        assert!(!sees(&[], groups, &in_section));
        // Opened to the party: its members see it, supporters elsewhere still do not.
        let party = ProfileVisibility::Party;
        assert!(sees(&[(OTHER_SECTION, Role::Member)], party, &in_section));
        assert!(!sees(
            &[(OTHER_SECTION, Role::Supporter)],
            party,
            &in_section
        ));
        // One's own profile, whatever one chose.
        assert!(can_see_profile(&viewer(&[]), MemberId(7), groups, &[]));
    }

    #[test]
    fn managers_remove_and_handle_invitations_only_within_their_own_rights() {
        let g = group(SECTION, GroupKind::Section, Visibility::Public);
        let chain = [NATIONAL, FEDERATION, SECTION];
        let secretary = Access::to_group(Some(&viewer(&[(SECTION, Role::Secretary)])), &g, &chain);
        assert!(secretary.can_handle_invitation(Role::Member));
        assert!(!secretary.can_handle_invitation(Role::Organiser));
        assert!(secretary.can_remove([Role::Member, Role::Secretary]));
        // An organiser of one of the section's working groups is beyond a secretary.
        assert!(!secretary.can_remove([Role::Member, Role::Organiser]));
        let member = Access::to_group(Some(&viewer(&[(SECTION, Role::Member)])), &g, &chain);
        assert!(!member.can_remove([Role::Supporter]));
        assert!(!member.can_handle_invitation(Role::Supporter));
        assert!(viewer(&[(NATIONAL, Role::Admin)]).can_administer_accounts());
        assert!(!viewer(&[(FEDERATION, Role::Admin)]).can_administer_accounts());
    }

    #[test]
    fn national_admins_are_admins() {
        assert!(viewer(&[(NATIONAL, Role::Admin)]).is_admin());
        assert!(!viewer(&[(FEDERATION, Role::Admin)]).is_admin());
        assert!(!viewer(&[(NATIONAL, Role::Organiser)]).is_admin());
    }
}
