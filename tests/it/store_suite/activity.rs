//! What happened and who came: the audit trail and its activity lists, members' visits.

use atelier::model::{GroupId, MemberId, Role};
use atelier::store::{AuditEvent, Db, Visit};
use time::Duration;

use super::{Raw, new_member, on_both_backends, tree};

on_both_backends!(activity_lists_are_the_latest_events_of_each_group);
on_both_backends!(raw: visits_are_written_at_most_every_few_minutes_and_close_the_previous_one);

async fn activity_lists_are_the_latest_events_of_each_group(db: Db) {
    let t = tree(&db).await;
    let actor = new_member(&db, "a@exemple.fr", "Agnès").await;
    let subject = new_member(&db, "s@exemple.fr", "Sami").await;
    let event = |action, group: Option<GroupId>, member: Option<MemberId>| AuditEvent {
        actor: Some(actor),
        action,
        group,
        member,
        detail: "",
    };
    assert!(!db.has_audit_action("demo_loaded").await.unwrap());
    db.record(event("demo_loaded", None, None)).await.unwrap();
    assert!(db.has_audit_action("demo_loaded").await.unwrap());
    assert!(
        !db.has_audit_action("demo").await.unwrap(),
        "the whole action, not a prefix"
    );
    assert!(db.activity_in(t.section, 10).await.unwrap().is_empty());
    db.record(event("member_added", Some(t.section), Some(subject)))
        .await
        .unwrap();
    db.record(AuditEvent {
        detail: "Nord",
        ..event("group_created", Some(t.federation), None)
    })
    .await
    .unwrap();
    db.record(event("role_changed", Some(t.section), Some(subject)))
        .await
        .unwrap();
    db.record(event("member_added", Some(t.other), None))
        .await
        .unwrap();
    // A group's events, newest first (same second: the latest recorded first), with the names.
    let section = db.activity_in(t.section, 10).await.unwrap();
    let actions: Vec<&str> = section.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["role_changed", "member_added"],
        "recorded events show at once"
    );
    let e = &section[0];
    assert_eq!(
        (
            e.actor_name.as_deref(),
            e.group_id,
            e.group_name.as_deref(),
            e.member_id,
            e.member_name.as_deref()
        ),
        (
            Some("Agnès"),
            Some(t.section),
            Some("Lille"),
            Some(subject),
            Some("Sami")
        )
    );
    assert_eq!(db.activity_in(t.section, 1).await.unwrap().len(), 1);
    assert!(db.activity_in(t.section, 0).await.unwrap().is_empty());
    assert_eq!(
        db.activity_in(t.section, 1000).await.unwrap().len(),
        2,
        "beyond the cache: read"
    );
    let federation = db.activity_in(t.federation, 10).await.unwrap();
    assert_eq!(federation[0].detail, "Nord");
    // A rename shows in the cached lists at once.
    db.set_member_name(subject, "Samir").await.unwrap();
    assert_eq!(
        db.activity_in(t.section, 10).await.unwrap()[0]
            .member_name
            .as_deref(),
        Some("Samir")
    );
    // The activity of a member's groups: each group's latest, merged newest first.
    db.set_membership(subject, t.section, Role::Member)
        .await
        .unwrap();
    db.set_membership(subject, t.federation, Role::Member)
        .await
        .unwrap();
    let mine: Vec<String> = db
        .activity_for(subject, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(mine, vec!["role_changed", "group_created", "member_added"]);
    assert_eq!(db.activity_for(subject, 2).await.unwrap().len(), 2);
    assert!(
        db.activity_for(actor, 10).await.unwrap().is_empty(),
        "in no group"
    );
    assert!(
        db.activity_for(MemberId(999_999), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Events older and newer: the order is by time, not by group.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    db.record(event("text_created", Some(t.federation), None))
        .await
        .unwrap();
    let latest = db.activity_for(subject, 1).await.unwrap();
    assert_eq!(latest[0].action, "text_created");
}

async fn visits_are_written_at_most_every_few_minutes_and_close_the_previous_one(db: Db, raw: Raw) {
    let member = new_member(&db, "visite@exemple.fr", "Victor Visite").await;
    let other = new_member(&db, "autre@exemple.fr", "Alice Autre").await;
    assert_eq!(db.visit(member).await.unwrap(), Visit::default());
    assert_eq!(db.visit(MemberId(999_999)).await.unwrap(), Visit::default());
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
    assert!(
        !db.visit(member)
            .await
            .unwrap()
            .needs_recording(t4 + Duration::minutes(1))
    );
    // What the database holds, not only this store's cache.
    let sql = format!(
        "select count(*) from member where member_id = {member} and last_seen_at is not null \
         and previous_visit_at is not null"
    );
    assert_eq!(raw.count(&sql).await, 1);
    assert_eq!(db.visit(other).await.unwrap(), Visit::default());
    // Two servers recording the same view at once: one write, the same answer.
    let t5 = t4 + Duration::hours(1);
    let (first, second) = tokio::join!(db.record_visit(member, t5), db.record_visit(member, t5));
    assert_eq!(first.unwrap(), seen(t5, Some(t4)));
    assert_eq!(second.unwrap(), seen(t5, Some(t4)));
    raw.close().await;
}
