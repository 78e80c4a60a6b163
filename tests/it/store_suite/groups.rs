//! The party's organisation: the group tree, memberships and roles, each member's scope.

use atelier::model::{GroupId, GroupKind, MemberId, Role, Visibility};
use atelier::store::Db;

use super::{new_member, on_both_backends, tree};

on_both_backends!(
    the_tree_answers_ancestors_scope_and_counts,
    groups_are_listed_by_kind_and_name,
    memberships_upsert_and_remove,
    leaving_a_group_leaves_the_groups_below,
    managers_other_than_oneself_are_counted,
    the_national_group_is_created_once_even_at_once,
);

async fn the_tree_answers_ancestors_scope_and_counts(db: Db) {
    let t = tree(&db).await;
    let chain: Vec<GroupId> = db
        .ancestors(t.section)
        .await
        .unwrap()
        .iter()
        .map(|g| g.group_id)
        .collect();
    assert_eq!(chain, vec![t.national, t.federation, t.section]);
    assert!(db.ancestors(GroupId(999_999)).await.unwrap().is_empty());
    let children: Vec<String> = db
        .children(t.federation)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(children, vec!["Lille", "Roubaix"]);
    assert!(db.children(t.section).await.unwrap().is_empty());
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    db.set_membership(a, t.section, Role::Member).await.unwrap();
    db.set_membership(b, t.other, Role::Secretary)
        .await
        .unwrap();
    let (name, email, scope) = db
        .active_member_with_scope(a)
        .await
        .unwrap()
        .expect("active member");
    assert_eq!((name.as_str(), email.as_str()), ("A", "a@exemple.fr"));
    let (_, _, no_scope) = db
        .active_member_with_scope(new_member(&db, "c@exemple.fr", "C").await)
        .await
        .unwrap()
        .unwrap();
    assert!(
        no_scope.is_empty(),
        "a member without memberships has an empty scope"
    );
    assert!(
        db.active_member_with_scope(MemberId(999_999))
            .await
            .unwrap()
            .is_none()
    );
    let mut reached: Vec<GroupId> = scope.iter().map(|s| s.ancestor_id).collect();
    reached.sort();
    assert_eq!(reached, vec![t.national, t.federation, t.section]);
    assert!(
        scope
            .iter()
            .all(|s| s.via_group_id == t.section && s.role == Role::Member)
    );
    let counts = db.member_counts().await.unwrap();
    assert_eq!(counts[&t.national], 2);
    assert_eq!(counts[&t.federation], 2);
    assert_eq!(counts[&t.section], 1);
    assert_eq!(counts[&t.other], 1);
    assert_eq!(db.subtree_member_count(t.federation).await.unwrap(), 2);
    assert_eq!(db.subtree_member_count(t.other).await.unwrap(), 1);
    assert_eq!(db.subtree_member_count(GroupId(999_999)).await.unwrap(), 0);
    // A new membership shows in the (cached) counts and scope at once.
    db.set_membership(a, t.other, Role::Member).await.unwrap();
    assert_eq!(db.member_counts().await.unwrap()[&t.national], 3);
    assert_eq!(
        db.active_member_with_scope(a)
            .await
            .unwrap()
            .unwrap()
            .2
            .len(),
        6
    );
}

async fn groups_are_listed_by_kind_and_name(db: Db) {
    assert_eq!(db.national_group().await.unwrap(), None);
    assert!(db.all_groups().await.unwrap().is_empty());
    assert!(db.group_counts_by_kind().await.unwrap().is_empty());
    let t = tree(&db).await;
    assert_eq!(db.national_group().await.unwrap(), Some(t.national));
    let theme = db
        .create_group(
            GroupKind::Theme,
            "Transition",
            "La planète",
            None,
            Visibility::Members,
            None,
        )
        .await
        .unwrap();
    let group = db.group(theme).await.unwrap().unwrap();
    assert_eq!(
        (
            group.kind,
            group.name.as_str(),
            group.description.as_str(),
            group.parent_id,
            group.visibility
        ),
        (
            GroupKind::Theme,
            "Transition",
            "La planète",
            None,
            Visibility::Members
        )
    );
    assert!(db.group(GroupId(999_999)).await.unwrap().is_none());
    // Every group, by name, from the cache: a new group shows at once.
    let names: Vec<String> = db
        .all_groups()
        .await
        .unwrap()
        .iter()
        .map(|g| g.name.clone())
        .collect();
    assert_eq!(
        names,
        vec!["Lille", "Nord", "Parti", "Roubaix", "Transition"]
    );
    let sections: Vec<GroupId> = db
        .groups(Some(GroupKind::Section))
        .await
        .unwrap()
        .iter()
        .map(|g| g.group_id)
        .collect();
    assert_eq!(sections, vec![t.section, t.other]);
    assert_eq!(db.groups(None).await.unwrap().len(), 5);
    assert!(
        db.groups(Some(GroupKind::WorkingGroup))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.group_counts_by_kind().await.unwrap(),
        vec![
            (GroupKind::Federation, 1),
            (GroupKind::National, 1),
            (GroupKind::Section, 2),
            (GroupKind::Theme, 1)
        ]
    );
    // Sections by lowercased name, for the import.
    let by_name = db.sections_by_name().await.unwrap();
    assert_eq!(by_name.len(), 2);
    assert_eq!(by_name.get("lille"), Some(&t.section));
    assert_eq!(by_name.get("roubaix"), Some(&t.other));
    // An update shows in the cached tree at once.
    db.update_group(
        t.section,
        "Lille-Centre",
        "Le centre",
        Visibility::Members,
        None,
    )
    .await
    .unwrap();
    let section = db.group(t.section).await.unwrap().unwrap();
    assert_eq!(
        (
            section.name.as_str(),
            section.description.as_str(),
            section.visibility
        ),
        ("Lille-Centre", "Le centre", Visibility::Members)
    );
    let cached = db.all_groups().await.unwrap();
    let cached = cached.iter().find(|g| g.group_id == t.section).unwrap();
    assert_eq!(cached.name, "Lille-Centre");
    assert_eq!(
        db.ancestors(t.section).await.unwrap()[2].visibility,
        Visibility::Members
    );
}

async fn memberships_upsert_and_remove(db: Db) {
    let t = tree(&db).await;
    let a = new_member(&db, "a@exemple.fr", "A").await;
    db.set_membership(a, t.section, Role::Member).await.unwrap();
    db.set_membership(a, t.section, Role::Secretary)
        .await
        .unwrap();
    assert_eq!(
        db.role_in(a, t.section).await.unwrap(),
        Some(Role::Secretary)
    );
    assert_eq!(
        db.role_in(a, t.federation).await.unwrap(),
        None,
        "roles are per group"
    );
    db.set_membership(a, t.national, Role::Supporter)
        .await
        .unwrap();
    let held: Vec<(GroupId, Role, GroupKind, String)> = db
        .memberships_of(a)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.group_id, m.role, m.kind, m.name))
        .collect();
    // By kind, then name.
    assert_eq!(
        held,
        vec![
            (
                t.national,
                Role::Supporter,
                GroupKind::National,
                "Parti".to_owned()
            ),
            (
                t.section,
                Role::Secretary,
                GroupKind::Section,
                "Lille".to_owned()
            ),
        ]
    );
    assert!(db.remove_membership(a, t.section).await.unwrap());
    assert!(!db.remove_membership(a, t.section).await.unwrap());
    assert_eq!(db.role_in(a, t.section).await.unwrap(), None);
    assert_eq!(db.memberships_of(a).await.unwrap().len(), 1);
    assert!(
        db.memberships_of(MemberId(999_999))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn leaving_a_group_leaves_the_groups_below(db: Db) {
    let t = tree(&db).await;
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    for group in [t.national, t.federation, t.section, t.other] {
        db.set_membership(a, group, Role::Member).await.unwrap();
    }
    db.set_membership(b, t.section, Role::Member).await.unwrap();
    // Not a member of the group itself: nothing happens.
    assert!(
        db.remove_from_subtree(b, t.federation)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(db.role_in(b, t.section).await.unwrap(), Some(Role::Member));
    let mut left = db.remove_from_subtree(a, t.federation).await.unwrap();
    left.sort();
    assert_eq!(left, vec![t.federation, t.section, t.other]);
    let kept: Vec<GroupId> = db
        .memberships_of(a)
        .await
        .unwrap()
        .iter()
        .map(|m| m.group_id)
        .collect();
    assert_eq!(kept, vec![t.national], "the group above stays");
    assert_eq!(
        db.role_in(b, t.section).await.unwrap(),
        Some(Role::Member),
        "others stay"
    );
    let scope = db.active_member_with_scope(a).await.unwrap().unwrap().2;
    assert!(
        scope.iter().all(|s| s.via_group_id == t.national),
        "the cached scope follows"
    );
}

async fn managers_other_than_oneself_are_counted(db: Db) {
    let t = tree(&db).await;
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    let c = new_member(&db, "c@exemple.fr", "C").await;
    db.set_membership(a, t.section, Role::Secretary)
        .await
        .unwrap();
    db.set_membership(c, t.section, Role::Member).await.unwrap();
    assert_eq!(db.other_managers_in(t.section, a).await.unwrap(), 0);
    assert_eq!(db.other_managers_in(t.section, c).await.unwrap(), 1);
    db.set_membership(b, t.section, Role::Organiser)
        .await
        .unwrap();
    assert_eq!(db.other_managers_in(t.section, a).await.unwrap(), 1);
    // A manager of the group above does not count, nor a disabled one.
    let d = new_member(&db, "d@exemple.fr", "D").await;
    db.set_membership(d, t.federation, Role::Admin)
        .await
        .unwrap();
    assert_eq!(db.other_managers_in(t.section, a).await.unwrap(), 1);
    db.set_member_disabled(b, true).await.unwrap();
    assert_eq!(db.other_managers_in(t.section, a).await.unwrap(), 0);
}

async fn the_national_group_is_created_once_even_at_once(db: Db) {
    let (first, second, third) = tokio::join!(
        db.ensure_national_group("Parti"),
        db.ensure_national_group("Autre"),
        db.ensure_national_group("Encore")
    );
    let ids = [first.unwrap(), second.unwrap(), third.unwrap()];
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(db.groups(Some(GroupKind::National)).await.unwrap().len(), 1);
    assert_eq!(db.national_group().await.unwrap(), Some(ids[0]));
}
