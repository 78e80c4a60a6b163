//! Who may read what, said as the search index's grants: each indexed document carries the
//! grants that open it (its *readers*), each searcher the grants they hold, and a document is
//! found only when the two share one. The index then holds everything, private groups and
//! drafts included, and the permission is part of the query itself, so that totals, facets and
//! every page are right for the one who asks (issue 14).
//!
//! The grants restate `permissions::Access::to_group`'s rule for seeing a group — checked equal
//! to it, for every viewer and group of a small party, by this module's tests:
//! - `public`: anyone, signed in or not;
//! - `party`: the party's members (role member or above somewhere);
//! - `in:G`: who belongs to group G (a membership in it or in a group below it);
//! - `down:G`: who holds in G a role that carries down (secretary and above) to the groups
//!   below it;
//! - `member:M`: member M alone (their drafts).

use crate::model::{GroupId, MemberId, Visibility};
use crate::store::GroupRow;

use super::Viewer;

/// The grant everyone holds.
pub const PUBLIC: &str = "public";

/// The grants that open a group's documents (its page, its texts, their amendments but drafts)
/// to a reader; `chain` is the group's ancestors, root first, the group last.
pub fn of_group(group: &GroupRow, chain: &[GroupId]) -> Vec<String> {
    let id = group.group_id;
    let mut readers = match group.visibility {
        Visibility::Public => return vec![PUBLIC.to_owned()],
        Visibility::Members => vec!["party".to_owned(), format!("in:{id}")],
        Visibility::Group => vec![format!("in:{id}")],
    };
    let above = chain.split_last().map_or(&[][..], |(_, above)| above);
    readers.extend(above.iter().map(|a| format!("down:{a}")));
    readers
}

/// The grants that open a draft: its author's alone.
pub fn of_member(member: MemberId) -> Vec<String> {
    vec![format!("member:{member}")]
}

/// Whether a grant is one member's own (`member:M`): what it opens, no one else sees. The
/// other grants a member holds are shared with many (`public`, their groups'), so their
/// searches are split along this line (`indexing::LiveIndex::search`).
pub fn is_own(grant: &str) -> bool {
    grant.starts_with("member:")
}

/// The grants `viewer` holds (`None`: a visitor, who holds `public` alone).
pub fn held_by(viewer: Option<&Viewer>) -> Vec<String> {
    let mut grants = vec![PUBLIC.to_owned()];
    let Some(viewer) = viewer else {
        return grants;
    };
    if viewer.is_party_member() {
        grants.push("party".to_owned());
    }
    grants.push(format!("member:{}", viewer.member_id));
    let mut belongs: Vec<GroupId> = viewer.belongs().collect();
    belongs.sort();
    belongs.dedup();
    grants.extend(belongs.iter().map(|g| format!("in:{g}")));
    let mut down: Vec<GroupId> = viewer
        .memberships()
        .filter(|(_, role)| role.inherits_down())
        .map(|(group, _)| group)
        .collect();
    down.sort();
    down.dedup();
    grants.extend(down.iter().map(|g| format!("down:{g}")));
    grants
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Access;
    use crate::model::{GroupKind, Role};
    use crate::store::ScopeRow;

    /// A party: national (1) ← federations 2, 3; sections 4, 5 under 2, 6 under 3; a working
    /// group 7 under section 4.
    fn parent(g: i64) -> Option<i64> {
        match g {
            2 | 3 => Some(1),
            4 | 5 => Some(2),
            6 => Some(3),
            7 => Some(4),
            _ => None,
        }
    }

    fn chain(g: i64) -> Vec<GroupId> {
        let mut chain = vec![GroupId(g)];
        let mut current = g;
        while let Some(p) = parent(current) {
            chain.push(GroupId(p));
            current = p;
        }
        chain.reverse();
        chain
    }

    fn viewer(memberships: &[(i64, Role)]) -> Viewer {
        let scope = memberships
            .iter()
            .flat_map(|&(via, role)| {
                chain(via).into_iter().map(move |ancestor| ScopeRow {
                    via_group_id: GroupId(via),
                    ancestor_id: ancestor,
                    role,
                })
            })
            .collect();
        Viewer::new(
            MemberId(9),
            "Olympe".into(),
            "olympe@exemple.fr".into(),
            scope,
        )
    }

    fn group(id: i64, visibility: Visibility) -> GroupRow {
        GroupRow {
            group_id: GroupId(id),
            kind: GroupKind::Section,
            name: "g".into(),
            description: String::new(),
            parent_id: parent(id).map(GroupId),
            visibility,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn shares(a: &[String], b: &[String]) -> bool {
        a.iter().any(|grant| b.contains(grant))
    }

    #[test]
    fn the_grants_say_what_access_says_for_every_viewer_and_group() {
        let roles = [
            Role::Supporter,
            Role::Member,
            Role::Secretary,
            Role::Organiser,
            Role::Admin,
        ];
        // Every viewer holding nothing, one role somewhere, or two roles in two groups.
        let mut viewers: Vec<Option<Viewer>> = vec![None, Some(viewer(&[]))];
        for g in 1..=7 {
            for role in roles {
                viewers.push(Some(viewer(&[(g, role)])));
                for other in 1..=7 {
                    if other != g {
                        viewers.push(Some(viewer(&[(g, role), (other, Role::Supporter)])));
                    }
                }
            }
        }
        let mut checked = 0;
        for v in &viewers {
            let held = held_by(v.as_ref());
            for g in 1..=7 {
                for visibility in [Visibility::Public, Visibility::Members, Visibility::Group] {
                    let group = group(g, visibility);
                    let chain = chain(g);
                    let access = Access::to_group(v.as_ref(), &group, &chain);
                    assert_eq!(
                        shares(&held, &of_group(&group, &chain)),
                        access.can_view,
                        "viewer {v:?}, group {g} ({visibility:?})"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1_000, "{checked}");
    }

    #[test]
    fn a_draft_is_its_authors_alone() {
        let author = viewer(&[(4, Role::Admin)]);
        assert!(shares(&held_by(Some(&author)), &of_member(MemberId(9))));
        let other = Viewer::new(MemberId(10), "x".into(), "x@exemple.fr".into(), Vec::new());
        assert!(!shares(&held_by(Some(&other)), &of_member(MemberId(9))));
        assert!(!shares(&held_by(None), &of_member(MemberId(9))));
    }
}
