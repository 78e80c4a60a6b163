//! The store test-suite, run against both backends: on SQLite always, on PostgreSQL when
//! `ATELIER_TEST_DATABASE_URL` is set. Each test is written once, as `async fn(Db)`.

use std::collections::HashMap;

use atelier::model::{Email, GroupId, GroupKind, MemberId, Role, TextKind, TitleKind, Visibility};
use atelier::store::{Db, ImportMember, NewMember, NewText, StoreError, TokenUse};
use time::Duration;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};

/// Declares `<name>_on_sqlite` and `<name>_on_postgres` for a suite function.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn on_sqlite() {
                    let app = crate::harness::TestApp::start().await;
                    super::$name(app.app.db.clone()).await;
                    app.stop().await;
                }

                #[tokio::test]
                #[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
                async fn on_postgres() {
                    if let Some(app) = crate::harness::TestApp::postgres().await {
                        super::$name(app.app.db.clone()).await;
                        app.stop().await;
                    }
                }
            }
        )+
    };
}
pub(crate) use on_both_backends;

on_both_backends!(
    members_are_unique_by_address,
    the_tree_answers_ancestors_scope_and_counts,
    memberships_upsert_and_remove,
    titles_keep_their_order,
    sessions_round_trip_and_expire,
    api_tokens_expire_and_revoke,
    invitations_are_claimed_once,
    password_resets_are_claimed_once,
    a_newer_reset_link_ends_older_ones,
    imports_are_all_or_nothing,
    directory_pages_and_filters,
    actor_ids_are_bound_to_their_first_user_per_text,
    visits_are_written_at_most_every_few_minutes_and_close_the_previous_one,
);

async fn new_member(db: &Db, email: &str, name: &str) -> MemberId {
    let email = Email::parse(email).unwrap();
    db.create_member(&NewMember {
        email: &email,
        name,
        password_hash: None,
    })
    .await
    .unwrap()
}

struct Tree {
    national: GroupId,
    federation: GroupId,
    section: GroupId,
    other: GroupId,
}

async fn tree(db: &Db) -> Tree {
    let national = db.ensure_national_group("Parti").await.unwrap();
    assert_eq!(
        db.ensure_national_group("Autre").await.unwrap(),
        national,
        "one national group"
    );
    let federation = db
        .create_group(
            GroupKind::Federation,
            "Nord",
            "",
            Some(national),
            Visibility::Public,
        )
        .await
        .unwrap();
    let section = db
        .create_group(
            GroupKind::Section,
            "Lille",
            "",
            Some(federation),
            Visibility::Public,
        )
        .await
        .unwrap();
    let other = db
        .create_group(
            GroupKind::Section,
            "Roubaix",
            "",
            Some(federation),
            Visibility::Group,
        )
        .await
        .unwrap();
    Tree {
        national,
        federation,
        section,
        other,
    }
}

async fn members_are_unique_by_address(db: Db) {
    let id = new_member(&db, "Jeanne@Exemple.fr", "Jeanne").await;
    let email = Email::parse("jeanne@exemple.fr").unwrap();
    let again = db
        .create_member(&NewMember {
            email: &email,
            name: "Autre",
            password_hash: None,
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict("email"))));
    let found = db.member_by_email(&email).await.unwrap().unwrap();
    assert_eq!(found.member_id, id);
    assert_eq!(found.name, "Jeanne");
    assert!(found.password_hash.is_none());
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
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    db.set_membership(a, t.section, Role::Member).await.unwrap();
    db.set_membership(b, t.other, Role::Secretary)
        .await
        .unwrap();
    let (name, _, scope) = db
        .active_member_with_scope(a)
        .await
        .unwrap()
        .expect("active member");
    assert_eq!(name, "A");
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
    assert_eq!(db.subtree_member_count(t.federation).await.unwrap(), 2);
    let sections = db.sections_by_name().await.unwrap();
    assert_eq!(sections.get("lille"), Some(&t.section));
    assert_eq!(db.groups(Some(GroupKind::Section)).await.unwrap().len(), 2);
    db.update_group(t.section, "Lille-Centre", "Le centre", Visibility::Members)
        .await
        .unwrap();
    let section = db.group(t.section).await.unwrap().unwrap();
    assert_eq!(
        (section.name.as_str(), section.visibility),
        ("Lille-Centre", Visibility::Members)
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
    assert_eq!(db.memberships_of(a).await.unwrap().len(), 1);
    assert!(db.remove_membership(a, t.section).await.unwrap());
    assert!(!db.remove_membership(a, t.section).await.unwrap());
    assert_eq!(db.role_in(a, t.section).await.unwrap(), None);
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
    let titles = db.titles_of(&[a, b]).await.unwrap();
    let labels: Vec<&str> = titles.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(
        labels,
        vec!["adjointe au maire", "trésorière", "secrétaire fédéral"]
    );
    db.set_titles(a, &[]).await.unwrap();
    assert_eq!(db.titles_of(&[a]).await.unwrap().len(), 0);
    assert!(db.titles_of(&[]).await.unwrap().is_empty());
}

async fn sessions_round_trip_and_expire(db: Db) {
    let member = new_member(&db, "a@exemple.fr", "A").await;
    let mut record = Record {
        id: Id::default(),
        data: HashMap::new(),
        expiry_date: time::OffsetDateTime::now_utc() + Duration::hours(1),
    };
    record
        .data
        .insert("member_id".into(), serde_json::json!(member.to_string()));
    db.create(&mut record).await.unwrap();
    let loaded = db.load(&record.id).await.unwrap().expect("stored");
    assert_eq!(
        loaded.data["member_id"],
        serde_json::json!(member.to_string())
    );
    record.data.insert("csrf".into(), serde_json::json!("t"));
    db.save(&record).await.unwrap();
    assert_eq!(db.load(&record.id).await.unwrap().unwrap().data.len(), 2);
    assert_eq!(
        db.delete_sessions_of(member).await.unwrap(),
        1,
        "sessions are found by member"
    );
    assert!(db.load(&record.id).await.unwrap().is_none());
    let mut expired = Record {
        id: Id::default(),
        data: HashMap::new(),
        expiry_date: time::OffsetDateTime::now_utc() - Duration::seconds(1),
    };
    db.create(&mut expired).await.unwrap();
    assert!(
        db.load(&expired.id).await.unwrap().is_none(),
        "an expired session does not load"
    );
    db.delete(&expired.id).await.unwrap();
}

async fn api_tokens_expire_and_revoke(db: Db) {
    let member = new_member(&db, "a@exemple.fr", "A").await;
    db.create_api_token(member, "live", Duration::days(1))
        .await
        .unwrap();
    db.create_api_token(member, "dead", Duration::seconds(-1))
        .await
        .unwrap();
    assert_eq!(db.api_token_member("live").await.unwrap(), Some(member));
    assert_eq!(db.api_token_member("dead").await.unwrap(), None);
    assert!(db.delete_api_token("live").await.unwrap());
    assert_eq!(db.api_token_member("live").await.unwrap(), None);
}

async fn invitations_are_claimed_once(db: Db) {
    let t = tree(&db).await;
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    db.set_membership(a, t.section, Role::Secretary)
        .await
        .unwrap();
    db.create_invitation(
        "h1",
        "a@exemple.fr",
        t.section,
        Role::Member,
        None,
        Duration::days(1),
    )
    .await
    .unwrap();
    let invitation = db.invitation("h1").await.unwrap().unwrap();
    assert_eq!(invitation.role, Role::Member);
    db.accept_invitation(invitation.invitation_id, a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.role_in(a, t.section).await.unwrap(),
        Some(Role::Secretary),
        "an invitation never lowers a role"
    );
    assert!(matches!(
        db.invitation("h1").await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    ));
    assert!(matches!(
        db.invitation("nope").await.unwrap(),
        Err(TokenUse::Unknown)
    ));
    // Two acceptances at once: exactly one wins.
    db.create_invitation(
        "h2",
        "b@exemple.fr",
        t.other,
        Role::Member,
        None,
        Duration::days(1),
    )
    .await
    .unwrap();
    let id = db.invitation("h2").await.unwrap().unwrap().invitation_id;
    let (first, second) = tokio::join!(db.accept_invitation(id, b), db.accept_invitation(id, b));
    let wins = [first.unwrap(), second.unwrap()]
        .iter()
        .filter(|r| r.is_ok())
        .count();
    assert_eq!(wins, 1);
    db.create_invitation(
        "h3",
        "c@exemple.fr",
        t.other,
        Role::Member,
        None,
        Duration::seconds(-1),
    )
    .await
    .unwrap();
    assert!(matches!(
        db.invitation("h3").await.unwrap(),
        Err(TokenUse::Expired)
    ));
}

async fn password_resets_are_claimed_once(db: Db) {
    let a = new_member(&db, "a@exemple.fr", "A").await;
    db.create_password_reset(a, "r1", Duration::hours(1))
        .await
        .unwrap();
    db.create_api_token(a, "token", Duration::days(1))
        .await
        .unwrap();
    assert_eq!(db.password_reset_member("r1").await.unwrap(), Ok(a));
    assert_eq!(
        db.complete_password_reset("r1", "$new").await.unwrap(),
        Ok(a)
    );
    assert_eq!(
        db.complete_password_reset("r1", "$other").await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    );
    assert_eq!(
        db.member(a)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$new")
    );
    assert_eq!(
        db.api_token_member("token").await.unwrap(),
        None,
        "a reset revokes API tokens"
    );
    db.create_password_reset(a, "r2", Duration::seconds(-1))
        .await
        .unwrap();
    assert_eq!(
        db.password_reset_member("r2").await.unwrap(),
        Err(TokenUse::Expired)
    );
}

async fn a_newer_reset_link_ends_older_ones(db: Db) {
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    db.create_password_reset(a, "old", Duration::hours(1))
        .await
        .unwrap();
    db.create_password_reset(b, "other", Duration::hours(1))
        .await
        .unwrap();
    db.create_password_reset(a, "new", Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        db.password_reset_member("old").await.unwrap(),
        Err(TokenUse::Expired),
        "asking again ends the older link"
    );
    assert_eq!(db.password_reset_member("other").await.unwrap(), Ok(b));
    assert_eq!(
        db.complete_password_reset("old", "$stolen").await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    );
    assert_eq!(
        db.complete_password_reset("new", "$new").await.unwrap(),
        Ok(a)
    );
    assert_eq!(
        db.password_reset_member("other").await.unwrap(),
        Ok(b),
        "only the member's own links end"
    );
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
    // A row pointing at a group that does not exist fails the whole batch: nothing is written.
    let bad: Vec<ImportMember> = (0..2500)
        .map(|i| {
            row(
                &format!("n{i}@exemple.fr"),
                if i == 2400 {
                    GroupId(987_654)
                } else {
                    t.section
                },
                Role::Member,
            )
        })
        .collect();
    assert!(db.import_members(&bad, &|_| {}).await.is_err());
    assert_eq!(db.member_count().await.unwrap(), 4501);
}

async fn directory_pages_and_filters(db: Db) {
    let t = tree(&db).await;
    for (i, name) in ["Zoé Martin", "Adèle Petit", "Marc Martin"]
        .iter()
        .enumerate()
    {
        let id = new_member(&db, &format!("d{i}@exemple.fr"), name).await;
        db.set_membership(id, t.section, Role::Member)
            .await
            .unwrap();
    }
    let (rows, total) = db.directory(t.section, "", 2, 0).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        vec!["Adèle Petit", "Marc Martin"]
    );
    let (rows, total) = db.directory(t.section, "MARTIN", 10, 0).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(rows.len(), 2);
    let (_, total) = db.directory(t.section, "%", 10, 0).await.unwrap();
    assert_eq!(
        total, 3,
        "wildcards typed by people are taken literally (and dropped)"
    );
}

async fn actor_ids_are_bound_to_their_first_user_per_text(db: Db) {
    let national = db.ensure_national_group("Parti").await.unwrap();
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let bob = new_member(&db, "bob@exemple.fr", "Bob").await;
    let mut texts = Vec::new();
    for slug in ["un", "deux"] {
        let text = db
            .create_text(&NewText {
                group: national,
                kind: TextKind::Programme,
                title: slug,
                slug,
                markdown: "",
                document: b"",
                heads: "[]",
                author: Some(alice),
            })
            .await
            .unwrap();
        texts.push(text);
    }
    let (one, two) = (texts[0], texts[1]);
    let (a, b, server) = (vec![1u8; 16], vec![2u8; 16], vec![3u8; 16]);
    assert!(db.text_actors(one).await.unwrap().is_empty());
    let taken = db
        .bind_text_actors(one, &[(a.clone(), Some(alice)), (server.clone(), None)])
        .await
        .unwrap();
    assert!(taken.is_empty());
    // Binding again to the same owner changes nothing; to someone else, it is refused.
    let taken = db
        .bind_text_actors(
            one,
            &[
                (a.clone(), Some(alice)),
                (server.clone(), Some(bob)),
                (b.clone(), Some(bob)),
                (a.clone(), Some(bob)),
            ],
        )
        .await
        .unwrap();
    assert_eq!(taken, vec![server.clone(), a.clone()]);
    let mut bound = db.text_actors(one).await.unwrap();
    bound.sort();
    assert_eq!(
        bound,
        vec![(a.clone(), Some(alice)), (b, Some(bob)), (server, None)]
    );
    // Another text's actors are its own.
    assert!(db.text_actors(two).await.unwrap().is_empty());
    assert!(
        db.bind_text_actors(two, &[(a.clone(), Some(bob))])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(db.text_actors(two).await.unwrap(), vec![(a, Some(bob))]);
}

async fn visits_are_written_at_most_every_few_minutes_and_close_the_previous_one(db: Db) {
    use atelier::store::Visit;
    let member = new_member(&db, "visite@exemple.fr", "Victor Visite").await;
    let other = new_member(&db, "autre@exemple.fr", "Alice Autre").await;
    assert_eq!(db.visit(member).await.unwrap(), Visit::default());
    let t0 = atelier::store::now();
    let seen = |last, previous| Visit {
        last_seen_at: Some(last),
        previous_visit_at: previous,
    };
    // The first view opens the first visit.
    assert_eq!(db.record_visit(member, t0).await.unwrap(), seen(t0, None));
    // A view a minute later is not written; one ten minutes later is, in the same visit.
    let t1 = t0 + Duration::minutes(1);
    assert_eq!(db.record_visit(member, t1).await.unwrap(), seen(t0, None));
    let t2 = t0 + Duration::minutes(10);
    assert_eq!(db.record_visit(member, t2).await.unwrap(), seen(t2, None));
    // After two hours away, a new visit: the previous one ended at its last view.
    let t3 = t2 + Duration::hours(2);
    assert_eq!(
        db.record_visit(member, t3).await.unwrap(),
        seen(t3, Some(t2))
    );
    // Views during that visit keep where its news start.
    let t4 = t3 + Duration::minutes(20);
    assert_eq!(
        db.record_visit(member, t4).await.unwrap(),
        seen(t4, Some(t2))
    );
    assert_eq!(db.visit(member).await.unwrap().since(t4), Some(t2));
    // What the database holds, not only this store's cache.
    const SQL: &str = "select last_seen_at, previous_visit_at from member where member_id = $1";
    let stored: Visit = match db.backend() {
        atelier::store::Backend::Sqlite(pool) => sqlx::query_as(SQL)
            .bind(member)
            .fetch_one(pool)
            .await
            .unwrap(),
        atelier::store::Backend::Postgres(pool) => sqlx::query_as(SQL)
            .bind(member)
            .fetch_one(pool)
            .await
            .unwrap(),
    };
    assert_eq!(stored, seen(t4, Some(t2)));
    assert_eq!(db.visit(other).await.unwrap(), Visit::default());
}
