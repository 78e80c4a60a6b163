//! Members: accounts, names, profile visibility, disabling, the administrators' list, titles,
//! directories and the bulk import.

use atelier::model::{Email, Gender, GroupId, MemberId, ProfileVisibility, Role, TitleKind};
use atelier::store::{Db, ImportMember, NewMember, StoreError};
use time::Duration;

use super::{cached_name, new_member, on_both_backends, tree};

on_both_backends!(
    members_are_unique_by_address,
    names_and_profile_visibility_are_the_members_own,
    disabling_ends_sessions_and_tokens_and_keeps_the_first_date,
    the_last_enabled_national_administrator_is_known,
    accounts_page_and_filter_by_name_or_address,
    titles_keep_their_order,
    directory_pages_and_filters,
    imports_are_all_or_nothing,
);

async fn members_are_unique_by_address(db: Db) {
    assert_eq!(db.member_count().await.unwrap(), 0);
    let id = new_member(&db, "Jeanne@Exemple.fr", "Jeanne").await;
    let email = Email::parse("jeanne@exemple.fr").unwrap();
    let again = db
        .create_member(&NewMember {
            email: &email,
            name: "Autre",
            password_hash: Some("$argon2id$other"),
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict("email"))));
    let found = db.member_by_email(&email).await.unwrap().unwrap();
    assert_eq!(found.member_id, id);
    assert_eq!(
        (found.email.as_str(), found.name.as_str()),
        ("jeanne@exemple.fr", "Jeanne")
    );
    assert!(found.password_hash.is_none());
    assert!(found.disabled_at.is_none());
    let unknown = Email::parse("personne@exemple.fr").unwrap();
    assert!(db.member_by_email(&unknown).await.unwrap().is_none());
    db.set_password_hash(id, "$argon2id$fake").await.unwrap();
    assert_eq!(
        db.member(id)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$fake")
    );
    assert_eq!(db.member_count().await.unwrap(), 1);
    assert!(db.member(MemberId(424242)).await.unwrap().is_none());
}

async fn names_and_profile_visibility_are_the_members_own(db: Db) {
    let a = new_member(&db, "a@exemple.fr", "Anne").await;
    let b = new_member(&db, "b@exemple.fr", "Bruno").await;
    // The cached scope carries the name: a rename shows at once.
    assert_eq!(cached_name(&db, a).await, "Anne");
    db.set_member_name(a, "Anne-Marie").await.unwrap();
    assert_eq!(db.member(a).await.unwrap().unwrap().name, "Anne-Marie");
    assert_eq!(cached_name(&db, a).await, "Anne-Marie");
    assert_eq!(db.member(b).await.unwrap().unwrap().name, "Bruno");
    // Groups by default, for a known member and for an unknown one alike.
    assert_eq!(
        db.profile_visibility(a).await.unwrap(),
        ProfileVisibility::Groups
    );
    assert_eq!(
        db.profile_visibility(MemberId(999_999)).await.unwrap(),
        ProfileVisibility::Groups
    );
    db.set_profile_visibility(a, ProfileVisibility::Party)
        .await
        .unwrap();
    assert_eq!(
        db.profile_visibility(a).await.unwrap(),
        ProfileVisibility::Party
    );
    assert_eq!(
        db.profile_visibility(b).await.unwrap(),
        ProfileVisibility::Groups
    );
    db.set_profile_visibility(a, ProfileVisibility::Groups)
        .await
        .unwrap();
    assert_eq!(
        db.profile_visibility(a).await.unwrap(),
        ProfileVisibility::Groups
    );
    // Gender: undeclared by default (« ne pas préciser »), each member's own, withdrawn by none.
    assert_eq!(db.member_gender(a).await.unwrap(), None);
    assert_eq!(db.member_gender(MemberId(999_999)).await.unwrap(), None);
    db.set_member_gender(a, Some(Gender::Woman)).await.unwrap();
    assert_eq!(db.member_gender(a).await.unwrap(), Some(Gender::Woman));
    assert_eq!(db.member_gender(b).await.unwrap(), None, "only hers");
    db.set_member_gender(b, Some(Gender::Other)).await.unwrap();
    assert_eq!(db.member_gender(b).await.unwrap(), Some(Gender::Other));
    db.set_member_gender(a, None).await.unwrap();
    assert_eq!(db.member_gender(a).await.unwrap(), None, "withdrawn");
}

async fn disabling_ends_sessions_and_tokens_and_keeps_the_first_date(db: Db) {
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    db.create_api_token(a, "token-a", Duration::days(1))
        .await
        .unwrap();
    db.create_api_token(b, "token-b", Duration::days(1))
        .await
        .unwrap();
    let session = super::secrets::stored_session(&db, a).await;
    assert!(db.active_member_with_scope(a).await.unwrap().is_some());

    assert!(db.set_member_disabled(a, true).await.unwrap());
    let first = db
        .member(a)
        .await
        .unwrap()
        .unwrap()
        .disabled_at
        .expect("disabled");
    assert!(
        db.active_member_with_scope(a).await.unwrap().is_none(),
        "a disabled member is not active"
    );
    assert_eq!(db.api_token_member("token-a").await.unwrap(), None);
    assert_eq!(
        db.api_token_member("token-b").await.unwrap(),
        Some(b),
        "only theirs"
    );
    assert!(
        super::secrets::load(&db, &session).await.is_none(),
        "their sessions end"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert!(db.set_member_disabled(a, true).await.unwrap());
    assert_eq!(
        db.member(a).await.unwrap().unwrap().disabled_at,
        Some(first),
        "disabling twice keeps the first date"
    );

    assert!(db.set_member_disabled(a, false).await.unwrap());
    assert!(db.member(a).await.unwrap().unwrap().disabled_at.is_none());
    assert!(db.active_member_with_scope(a).await.unwrap().is_some());
    assert!(
        !db.set_member_disabled(MemberId(999_999), true)
            .await
            .unwrap()
    );
}

async fn the_last_enabled_national_administrator_is_known(db: Db) {
    let t = tree(&db).await;
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    let c = new_member(&db, "c@exemple.fr", "C").await;
    db.set_membership(a, t.national, Role::Admin).await.unwrap();
    assert!(
        !db.other_enabled_admin_exists(a).await.unwrap(),
        "a is the only one"
    );
    // An administrator of a section is not a national administrator.
    db.set_membership(c, t.section, Role::Admin).await.unwrap();
    assert!(!db.other_enabled_admin_exists(a).await.unwrap());
    db.set_membership(b, t.national, Role::Admin).await.unwrap();
    assert!(db.other_enabled_admin_exists(a).await.unwrap());
    assert!(db.other_enabled_admin_exists(b).await.unwrap());
    assert!(db.other_enabled_admin_exists(c).await.unwrap());
    db.set_member_disabled(b, true).await.unwrap();
    assert!(
        !db.other_enabled_admin_exists(a).await.unwrap(),
        "a disabled one does not count"
    );
    assert!(db.other_enabled_admin_exists(b).await.unwrap());
}

async fn accounts_page_and_filter_by_name_or_address(db: Db) {
    let t = tree(&db).await;
    let names = [
        "Zoé Martin",
        "Émile Petit",
        "Adèle Martin",
        "Marc 100% Martin",
        "Bob",
    ];
    let mut ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        ids.push(new_member(&db, &format!("m{i}@exemple.fr"), name).await);
    }
    db.set_membership(ids[4], t.national, Role::Admin)
        .await
        .unwrap();
    db.set_membership(ids[0], t.section, Role::Admin)
        .await
        .unwrap();
    let named = |rows: &[atelier::store::AccountRow]| -> Vec<String> {
        rows.iter().map(|r| r.name.clone()).collect()
    };
    // Everyone, by name (where « É » sorts depends on the database's collation).
    let (all, total) = db.accounts("", 10, 0).await.unwrap();
    assert_eq!(total, 5);
    let ascii: Vec<String> = named(&all)
        .into_iter()
        .filter(|n| n != "Émile Petit")
        .collect();
    assert_eq!(
        ascii,
        vec!["Adèle Martin", "Bob", "Marc 100% Martin", "Zoé Martin"]
    );
    let admins: Vec<(String, bool)> = all
        .iter()
        .filter(|r| r.is_admin)
        .map(|r| (r.name.clone(), r.member_id == ids[4]))
        .collect();
    assert_eq!(
        admins,
        vec![("Bob".to_owned(), true)],
        "national administrators only"
    );
    // Pages.
    let (page, total) = db.accounts("", 2, 0).await.unwrap();
    assert_eq!(
        (named(&page), total),
        (vec!["Adèle Martin".to_owned(), "Bob".to_owned()], 5)
    );
    let (page, _) = db.accounts("", 2, 4).await.unwrap();
    assert_eq!(page.len(), 1);
    let (page, total) = db.accounts("", 2, 10).await.unwrap();
    assert!(page.is_empty());
    assert_eq!(total, 5, "the count does not depend on the page");
    // Part of a name, in any case; part of an address.
    let (rows, total) = db.accounts("martin", 10, 0).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        named(&rows),
        vec!["Adèle Martin", "Marc 100% Martin", "Zoé Martin"]
    );
    let (rows, _) = db.accounts("m1@", 10, 0).await.unwrap();
    assert_eq!(named(&rows), vec!["Émile Petit"]);
    // « émile » finds « Émile » on both backends (names are capitalised).
    let (rows, _) = db.accounts("émile", 10, 0).await.unwrap();
    assert_eq!(named(&rows), vec!["Émile Petit"]);
    // Wildcards are taken literally.
    let (rows, total) = db.accounts("100%", 10, 0).await.unwrap();
    assert_eq!(
        (named(&rows), total),
        (vec!["Marc 100% Martin".to_owned()], 1)
    );
    let (rows, total) = db.accounts("_", 10, 0).await.unwrap();
    assert!(rows.is_empty() && total == 0, "`_` matches no account");
    // Disabled accounts are listed, with their date.
    db.set_member_disabled(ids[1], true).await.unwrap();
    let (rows, _) = db.accounts("petit", 10, 0).await.unwrap();
    assert!(rows[0].disabled_at.is_some());
}

async fn titles_keep_their_order(db: Db) {
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    db.set_titles(
        a,
        &[
            (TitleKind::Mandate, "adjointe au maire".into()),
            (TitleKind::Function, "trésorière".into()),
        ],
    )
    .await
    .unwrap();
    db.set_titles(b, &[(TitleKind::Function, "secrétaire fédéral".into())])
        .await
        .unwrap();
    let titles = db.titles_of(&[b, a]).await.unwrap();
    let labels: Vec<(MemberId, TitleKind, &str)> = titles
        .iter()
        .map(|t| (t.member_id, t.kind, t.label.as_str()))
        .collect();
    assert_eq!(
        labels,
        vec![
            (a, TitleKind::Mandate, "adjointe au maire"),
            (a, TitleKind::Function, "trésorière"),
            (b, TitleKind::Function, "secrétaire fédéral")
        ]
    );
    // Replacing reorders.
    db.set_titles(
        a,
        &[
            (TitleKind::Function, "trésorière".into()),
            (TitleKind::Mandate, "maire".into()),
        ],
    )
    .await
    .unwrap();
    let labels: Vec<String> = db
        .titles_of(&[a])
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.label)
        .collect();
    assert_eq!(labels, vec!["trésorière", "maire"]);
    db.set_titles(a, &[]).await.unwrap();
    assert_eq!(db.titles_of(&[a]).await.unwrap().len(), 0);
    assert_eq!(
        db.titles_of(&[b]).await.unwrap().len(),
        1,
        "only a's titles went"
    );
    assert!(db.titles_of(&[]).await.unwrap().is_empty());
}

async fn directory_pages_and_filters(db: Db) {
    let t = tree(&db).await;
    for (i, (name, role)) in [
        ("Zoé Martin", Role::Member),
        ("Adèle Petit", Role::Secretary),
        ("Marc Martin", Role::Member),
    ]
    .iter()
    .enumerate()
    {
        let id = new_member(&db, &format!("d{i}@exemple.fr"), name).await;
        db.set_membership(id, t.section, *role).await.unwrap();
    }
    // A member of the federation is not in the section's directory.
    let above = new_member(&db, "f@exemple.fr", "Fédéral").await;
    db.set_membership(above, t.federation, Role::Secretary)
        .await
        .unwrap();
    let (rows, total) = db.directory(t.section, "", 2, 0).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        rows.iter()
            .map(|r| (r.name.as_str(), r.role))
            .collect::<Vec<_>>(),
        vec![
            ("Adèle Petit", Role::Secretary),
            ("Marc Martin", Role::Member)
        ]
    );
    let (rows, total) = db.directory(t.section, "", 2, 2).await.unwrap();
    assert_eq!((rows.len(), total), (1, 3));
    assert_eq!(rows[0].name, "Zoé Martin");
    let (rows, total) = db.directory(t.section, "MARTIN", 10, 0).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(rows.len(), 2);
    let (_, total) = db.directory(t.section, "%", 10, 0).await.unwrap();
    assert_eq!(
        total, 3,
        "wildcards typed by people are taken literally (and dropped)"
    );
    let (rows, total) = db.directory(GroupId(999_999), "", 10, 0).await.unwrap();
    assert!(rows.is_empty() && total == 0);
}

async fn imports_are_all_or_nothing(db: Db) {
    let t = tree(&db).await;
    new_member(&db, "deja@exemple.fr", "Déjà Là").await;
    let row = |email: &str, group: GroupId, role: Role| ImportMember {
        email: Email::parse(email).unwrap(),
        name: email.to_owned(),
        group_id: group,
        role,
    };
    let rows: Vec<ImportMember> = (0..4500)
        .map(|i| row(&format!("m{i}@exemple.fr"), t.section, Role::Member))
        .chain([row("deja@exemple.fr", t.other, Role::Secretary)])
        .collect();
    let done = std::sync::atomic::AtomicU64::new(0);
    let counts = db
        .import_members(&rows, &|n| {
            done.store(n, std::sync::atomic::Ordering::Relaxed)
        })
        .await
        .unwrap();
    assert_eq!((counts.created, counts.updated), (4500, 1));
    assert_eq!(
        done.load(std::sync::atomic::Ordering::Relaxed),
        4501,
        "progress reaches the end"
    );
    assert_eq!(db.member_count().await.unwrap(), 4501);
    let existing = db
        .member_by_email(&Email::parse("deja@exemple.fr").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        existing.name, "Déjà Là",
        "an import keeps a known member's name"
    );
    assert_eq!(
        db.role_in(existing.member_id, t.other).await.unwrap(),
        Some(Role::Secretary)
    );
    assert_eq!(
        db.member_counts().await.unwrap()[&t.section],
        4500,
        "the counts are told"
    );
    // A row pointing at a group that does not exist fails the whole batch: nothing is written.
    let bad: Vec<ImportMember> = (0..2500)
        .map(|i| {
            let group = if i == 2400 {
                GroupId(987_654)
            } else {
                t.section
            };
            row(&format!("n{i}@exemple.fr"), group, Role::Member)
        })
        .collect();
    assert!(db.import_members(&bad, &|_| {}).await.is_err());
    assert_eq!(db.member_count().await.unwrap(), 4501);
    // Importing again updates roles and creates nobody.
    let again = [row("m0@exemple.fr", t.section, Role::Secretary)];
    let counts = db.import_members(&again, &|_| {}).await.unwrap();
    assert_eq!((counts.created, counts.updated), (0, 1));
    let m0 = db.member_by_email(&again[0].email).await.unwrap().unwrap();
    assert_eq!(
        db.role_in(m0.member_id, t.section).await.unwrap(),
        Some(Role::Secretary)
    );
}
