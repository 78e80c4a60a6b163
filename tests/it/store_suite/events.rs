//! The outbox (`store::events`): the events the writes append in their transactions, their
//! gap-free order under concurrent writers, how a process hears of them (its own at once,
//! others' through a poll woken by their announcements), and the leases of the consumers run
//! once per cluster. The consumers' runners are tested in `tests/it/events.rs`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use atelier::model::{
    Email, EventKind, GroupId, GroupKind, MemberId, Role, TextId, TextKind, TextStatus, Visibility,
};
use atelier::store::{ChunkEvent, Db, Event, ImportMember, NewChunk, NewText, StoreError};
use serde_json::json;

use super::database::{Heard, open, within};
use super::{Raw, new_member, on_both_backends};

on_both_backends!(
    text_writes_append_their_events_in_their_transactions,
    group_writes_append_their_events_and_the_national_group_one_creation,
    positions_have_no_gap_and_appear_in_order_under_concurrent_writers,
    edit_events_owed_are_listed_and_paid_once,
    a_cluster_consumer_is_held_by_one_process_at_a_time,
);

on_both_backends!(raw: appends_are_heard_at_once_here_and_through_a_poll_elsewhere);

/// The events after `position`.
async fn after(db: &Db, position: i64) -> Vec<Event> {
    db.events_after(position, 100_000).await.unwrap()
}

fn kinds(events: &[Event]) -> Vec<EventKind> {
    events.iter().map(|e| e.kind).collect()
}

fn new_text<'a>(group: GroupId, slug: &'a str, author: MemberId) -> NewText<'a> {
    NewText {
        group,
        kind: TextKind::Programme,
        title: slug,
        slug,
        markdown: "",
        document: b"",
        heads: "[]",
        author: Some(author),
    }
}

fn chunk<'a>(text: TextId, authors: &'a [(Option<MemberId>, i32)], edited: bool) -> NewChunk<'a> {
    NewChunk {
        text,
        bytes: b"chunk",
        authors,
        heads: "[]",
        message: None,
        edited,
        events: &[],
    }
}

/// The national group, a member, and where the outbox is after them.
async fn base(db: &Db) -> (GroupId, MemberId, i64) {
    let group = db.ensure_national_group("Parti").await.unwrap();
    let member = new_member(db, "alice@exemple.fr", "Alice").await;
    (group, member, db.last_event_position().await.unwrap())
}

async fn text_writes_append_their_events_in_their_transactions(db: Db) {
    assert_eq!(db.last_event_position().await.unwrap(), 0, "none yet");
    let (group, alice, start) = base(&db).await;
    let text = db
        .create_text(&new_text(group, "alice", alice))
        .await
        .unwrap();
    let created = after(&db, start).await;
    assert_eq!(kinds(&created), [EventKind::TextCreated]);
    assert_eq!(created[0].position, start + 1);
    assert_eq!(
        (created[0].text_id, created[0].group_id, created[0].actor_id),
        (Some(text), Some(group), Some(alice))
    );
    assert_eq!(
        created[0].payload,
        json!({"kind": "programme", "slug": "alice", "title": "alice"})
    );

    // Writes that fail or change nothing append nothing.
    let again = db.create_text(&new_text(group, "alice", alice)).await;
    assert!(matches!(again, Err(StoreError::Conflict("slug"))));
    assert!(
        !db.set_text_status(text, TextStatus::Adopted, TextStatus::Archived, Some(alice))
            .await
            .unwrap()
    );
    let missing = db
        .create_version(TextId(999_999), "v", "[]", "", Some(alice))
        .await;
    assert!(missing.is_err(), "a version of no text is refused");
    assert!(
        db.append_chunk(&chunk(TextId(999_999), &[], true))
            .await
            .is_err()
    );
    assert_eq!(db.last_event_position().await.unwrap(), start + 1);

    assert!(
        db.set_text_status(
            text,
            TextStatus::Drafting,
            TextStatus::Amending,
            Some(alice)
        )
        .await
        .unwrap()
    );
    let version = db
        .create_version(text, "Première", "[]", "", Some(alice))
        .await
        .unwrap();
    let authors = [(Some(alice), 3)];
    db.append_chunk(&chunk(text, &authors, true)).await.unwrap();
    // Right after that event: the batch owes one instead, and appends none.
    db.append_chunk(&chunk(text, &authors, false))
        .await
        .unwrap();
    // A server edit's chunk carries its own event, with or without `text.edited`.
    let restored = [ChunkEvent {
        kind: EventKind::TextVersionRestored,
        actor: Some(alice),
        payload: json!({"version_id": version.0}),
    }];
    db.append_chunk(&NewChunk {
        events: &restored,
        ..chunk(text, &[(None, 1)], true)
    })
    .await
    .unwrap();

    let section = db
        .create_group(
            GroupKind::Section,
            "Lille",
            "",
            Some(group),
            Visibility::Public,
            Some(alice),
        )
        .await
        .unwrap();
    let rows: Vec<ImportMember> = (0..3)
        .map(|i| ImportMember {
            email: Email::parse(&format!("m{i}@exemple.fr")).unwrap(),
            name: format!("M {i}"),
            group_id: if i == 0 { group } else { section },
            role: Role::Member,
        })
        .collect();
    db.import_members(&rows, &|_| {}).await.unwrap();

    let events = after(&db, start).await;
    assert_eq!(
        kinds(&events),
        [
            EventKind::TextCreated,
            EventKind::TextStatusChanged,
            EventKind::TextVersionRecorded,
            EventKind::TextEdited,
            EventKind::TextVersionRestored,
            EventKind::TextEdited,
            EventKind::GroupCreated,
            EventKind::GroupMembersImported,
            EventKind::GroupMembersImported,
        ]
    );
    let positions: Vec<i64> = events.iter().map(|e| e.position).collect();
    assert_eq!(positions, (start + 1..=start + 9).collect::<Vec<i64>>());
    assert_eq!(
        events[1].payload,
        json!({"from": "drafting", "to": "amending"})
    );
    assert_eq!(events[1].actor_id, Some(alice));
    assert_eq!(
        events[2].payload,
        json!({"version_id": version.0, "label": "Première"})
    );
    let edits = db.text_edits(text, 10).await.unwrap();
    // Each edit event names its batch, and the member who made the whole of it (the server's
    // own edit has none); the restore's event is the restoring member's.
    assert_eq!(events[3].payload["last_edit"], edits[2].text_edit_id);
    assert_eq!(events[3].actor_id, Some(alice));
    assert_eq!(events[4].payload["version_id"], version.0);
    assert_eq!(events[4].actor_id, Some(alice));
    assert_eq!(events[5].payload["last_edit"], edits[0].text_edit_id);
    assert_eq!(events[5].actor_id, None);
    for event in &events[..6] {
        assert_eq!((event.text_id, event.group_id), (Some(text), Some(group)));
    }
    let imported: HashMap<Option<GroupId>, i64> = events[7..]
        .iter()
        .map(|e| (e.group_id, e.payload["rows"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        imported,
        HashMap::from([(Some(group), 1), (Some(section), 2)])
    );

    // Read in pages, in order; nothing after the last.
    let page = db.events_after(start + 2, 3).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.position).collect::<Vec<_>>(),
        [start + 3, start + 4, start + 5]
    );
    assert!(db.events_after(start + 9, 10).await.unwrap().is_empty());
    assert_eq!(db.last_event_position().await.unwrap(), start + 9);
}

async fn group_writes_append_their_events_and_the_national_group_one_creation(db: Db) {
    // Servers starting at once each ensure the national group: one creates it, one event.
    let (one, two) = tokio::join!(
        db.ensure_national_group("Parti"),
        db.ensure_national_group("Autre")
    );
    let national = one.unwrap();
    assert_eq!(two.unwrap(), national);
    assert_eq!(db.ensure_national_group("Parti").await.unwrap(), national);
    let name = db.group(national).await.unwrap().unwrap().name;
    let events = after(&db, 0).await;
    assert_eq!(kinds(&events), [EventKind::GroupCreated]);
    assert_eq!(
        (events[0].group_id, events[0].text_id, events[0].actor_id),
        (Some(national), None, None)
    );
    assert_eq!(
        events[0].payload,
        json!({"kind": "national", "name": name, "parent_id": null, "visibility": "public"})
    );

    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let section = db
        .create_group(
            GroupKind::Section,
            "Lille",
            "La section",
            Some(national),
            Visibility::Group,
            Some(alice),
        )
        .await
        .unwrap();
    db.update_group(
        section,
        "Lille-Centre",
        "Le centre",
        Visibility::Public,
        Some(alice),
    )
    .await
    .unwrap();
    // Nothing happened to a group that does not exist, nor under one.
    db.update_group(GroupId(999_999), "X", "", Visibility::Public, Some(alice))
        .await
        .unwrap();
    let orphan = db
        .create_group(
            GroupKind::Section,
            "Nulle part",
            "",
            Some(GroupId(999_999)),
            Visibility::Public,
            None,
        )
        .await;
    assert!(orphan.is_err(), "a group under no group is refused");

    let events = after(&db, 1).await;
    assert_eq!(
        kinds(&events),
        [EventKind::GroupCreated, EventKind::GroupChanged]
    );
    assert_eq!(
        events.iter().map(|e| e.position).collect::<Vec<_>>(),
        [2, 3]
    );
    for event in &events {
        assert_eq!(
            (event.group_id, event.text_id, event.actor_id),
            (Some(section), None, Some(alice))
        );
    }
    assert_eq!(
        events[0].payload,
        json!({"kind": "section", "name": "Lille", "parent_id": national.0, "visibility": "group"})
    );
    assert_eq!(
        events[1].payload,
        json!({"name": "Lille-Centre", "visibility": "public"})
    );
}

/// Many writers at once, some of whose writes fail, while a reader follows: the reader never
/// sees a position before the ones under it are visible (a sequence would let it, on
/// PostgreSQL), and the positions end up exactly those after the start, with no gap.
async fn positions_have_no_gap_and_appear_in_order_under_concurrent_writers(db: Db) {
    const WRITERS: usize = 16;
    const WRITES: usize = 12;
    let (group, author, start) = base(&db).await;
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let db = db.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut seen = start;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let batch = db.events_after(seen, 1000).await.unwrap();
                for event in &batch {
                    assert_eq!(event.position, seen + 1, "no gap, in commit order");
                    seen = event.position;
                }
                if finished && batch.is_empty() {
                    return seen;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    };
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let db = db.clone();
        writers.push(tokio::spawn(async move {
            let mut appended = 0;
            for i in 0..WRITES {
                // Two writers race for each slug: one of the two creations rolls back.
                let slug = format!("t{}-{i}", w / 2);
                match db.create_text(&new_text(group, &slug, author)).await {
                    Ok(text) => {
                        appended += 1;
                        let moved = db
                            .set_text_status(text, TextStatus::Drafting, TextStatus::Amending, None)
                            .await
                            .unwrap();
                        appended += usize::from(moved);
                    }
                    Err(StoreError::Conflict(_)) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            appended
        }));
    }
    let mut appended = 0;
    for writer in writers {
        appended += writer.await.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap();
    assert_eq!(appended, WRITERS / 2 * WRITES * 2, "one creation per slug");
    assert_eq!(seen, start + appended as i64);
    assert_eq!(db.last_event_position().await.unwrap(), seen);
}

async fn edit_events_owed_are_listed_and_paid_once(db: Db) {
    let (group, alice, _) = base(&db).await;
    let quiet = db
        .create_text(&new_text(group, "calme", alice))
        .await
        .unwrap();
    let busy = db
        .create_text(&new_text(group, "actif", alice))
        .await
        .unwrap();
    let other = db
        .create_text(&new_text(group, "autre", alice))
        .await
        .unwrap();
    assert!(
        !db.append_owed_edit_event(busy).await.unwrap(),
        "nothing is owed yet"
    );
    let authors = [(Some(alice), 1)];
    db.append_chunk(&chunk(quiet, &authors, true))
        .await
        .unwrap();
    db.append_chunk(&chunk(busy, &authors, false))
        .await
        .unwrap();
    db.append_chunk(&chunk(other, &[(None, 1), (Some(alice), 2)], false))
        .await
        .unwrap();
    db.append_chunk(&chunk(other, &authors, false))
        .await
        .unwrap();
    // Listed by when their last batch was stored: none is older than a minute ago.
    let past = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    assert!(db.texts_owing_edit_events(past).await.unwrap().is_empty());
    let far = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let mut owing = vec![busy, other];
    owing.sort();
    assert_eq!(db.texts_owing_edit_events(far).await.unwrap(), owing);

    // Two servers pay the same debt at once: one event.
    let before = db.last_event_position().await.unwrap();
    let (one, two) = tokio::join!(
        db.append_owed_edit_event(other),
        db.append_owed_edit_event(other)
    );
    assert_eq!(
        [one.unwrap(), two.unwrap()].iter().filter(|p| **p).count(),
        1
    );
    assert!(db.append_owed_edit_event(busy).await.unwrap());
    assert!(
        !db.append_owed_edit_event(busy).await.unwrap(),
        "a debt is paid once"
    );
    assert!(db.texts_owing_edit_events(far).await.unwrap().is_empty());
    let paid = after(&db, before).await;
    assert_eq!(kinds(&paid), [EventKind::TextEdited, EventKind::TextEdited]);
    // Each names the latest batch of its text, and its author.
    let latest = |text| {
        let db = db.clone();
        async move { db.text_edits(text, 1).await.unwrap()[0].text_edit_id }
    };
    assert_eq!(paid[0].text_id, Some(other));
    assert_eq!(paid[0].payload["last_edit"], latest(other).await);
    assert_eq!(paid[0].actor_id, Some(alice));
    assert_eq!(paid[1].text_id, Some(busy));
    assert_eq!(paid[1].payload["last_edit"], latest(busy).await);

    // A batch that appends its own edit event settles what the text owed.
    db.append_chunk(&chunk(busy, &authors, false))
        .await
        .unwrap();
    db.append_chunk(&chunk(busy, &authors, true)).await.unwrap();
    assert!(db.texts_owing_edit_events(far).await.unwrap().is_empty());
}

async fn a_cluster_consumer_is_held_by_one_process_at_a_time(db: Db) {
    const LEASE: Duration = Duration::from_secs(30);
    assert_eq!(db.consumer_position("mailer").await.unwrap(), None);
    // Two processes claim a consumer the cluster has never run, at once: one holds it, from
    // the position it was given to start at.
    let (a, b) = tokio::join!(
        db.claim_consumer("mailer", "a", LEASE, 5),
        db.claim_consumer("mailer", "b", LEASE, 5)
    );
    let (holder, other) = match (a.unwrap(), b.unwrap()) {
        (Some(5), None) => ("a", "b"),
        (None, Some(5)) => ("b", "a"),
        claims => panic!("one claim wins: {claims:?}"),
    };
    assert_eq!(
        db.consumer_position("mailer").await.unwrap(),
        Some((5, Some(holder.to_owned())))
    );
    assert_eq!(
        db.claim_consumer("mailer", other, LEASE, 0).await.unwrap(),
        None,
        "held, its lease running"
    );
    assert_eq!(
        db.claim_consumer("mailer", holder, LEASE, 0).await.unwrap(),
        Some(5),
        "the holder keeps it, where it was"
    );

    // The holder's progress is stored, never backwards; only the holder may renew.
    assert!(db.renew_consumer("mailer", holder, 9, LEASE).await.unwrap());
    assert!(db.renew_consumer("mailer", holder, 7, LEASE).await.unwrap());
    assert!(!db.renew_consumer("mailer", other, 20, LEASE).await.unwrap());
    assert_eq!(
        db.consumer_position("mailer").await.unwrap(),
        Some((9, Some(holder.to_owned())))
    );

    // Given up by someone else: nothing. By the holder: the other takes over at once.
    db.release_consumer("mailer", other).await.unwrap();
    assert_eq!(
        db.consumer_position("mailer")
            .await
            .unwrap()
            .unwrap()
            .1
            .as_deref(),
        Some(holder)
    );
    db.release_consumer("mailer", holder).await.unwrap();
    assert_eq!(
        db.consumer_position("mailer").await.unwrap(),
        Some((9, None))
    );
    assert_eq!(
        db.claim_consumer("mailer", other, Duration::ZERO, 0)
            .await
            .unwrap(),
        Some(9)
    );

    // A lease not renewed runs out (the process died): a third takes over, and the one that
    // stalled learns it on its next renewal.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        db.claim_consumer("mailer", "c", LEASE, 0).await.unwrap(),
        Some(9)
    );
    assert!(!db.renew_consumer("mailer", other, 12, LEASE).await.unwrap());
    assert_eq!(
        db.consumer_position("mailer").await.unwrap(),
        Some((9, Some("c".to_owned())))
    );
    // Each consumer is its own.
    assert_eq!(
        db.claim_consumer("digest", other, LEASE, 0).await.unwrap(),
        Some(0)
    );
    assert_eq!(
        db.consumer_position("digest").await.unwrap(),
        Some((0, Some(other.to_owned())))
    );
}

async fn appends_are_heard_at_once_here_and_through_a_poll_elsewhere(db: Db, raw: Raw) {
    let (group, alice, start) = base(&db).await;
    // This process's own appends are followed at once, after their commit.
    let mut own = db.follow_events();
    assert_eq!(*own.borrow_and_update(), start);
    db.create_text(&new_text(group, "ici", alice))
        .await
        .unwrap();
    assert!(own.has_changed().unwrap());
    assert_eq!(*own.borrow_and_update(), start + 1);
    // Known without a query (what is kept by state of the data is keyed on it).
    assert_eq!(db.known_event_position(), start + 1);
    // A write that appends nothing wakes nobody.
    assert!(
        !db.set_text_status(
            TextId(999_999),
            TextStatus::Drafting,
            TextStatus::Amending,
            None
        )
        .await
        .unwrap()
    );
    assert!(!own.has_changed().unwrap());

    // Another server, listening: another process's appends reach it through their
    // announcements (a nudge), and its poll reads where the outbox is.
    let server = open(&raw.url).await;
    let mut heard = server.follow_events();
    assert_eq!(
        server.known_event_position(),
        0,
        "nothing heard before a poll"
    );
    assert_eq!(server.poll_events().await.unwrap(), start + 1);
    assert_eq!(*heard.borrow_and_update(), start + 1);
    assert_eq!(server.known_event_position(), start + 1);
    let listening = server.listen_to_other_servers(Heard(std::sync::Mutex::new(None)));
    let cli = open(&raw.url).await.announcing();
    // Until the listener hears the command line (on SQLite it reads what is written after its
    // first look): writes, each followed by a nudge within two seconds once it listens.
    let mut tries = 0;
    within("the listener hears the command line", async {
        loop {
            tries += 1;
            let slug = format!("essai-{tries}");
            cli.create_text(&new_text(group, &slug, alice))
                .await
                .unwrap();
            let nudged = tokio::time::timeout(Duration::from_secs(2), server.events_nudged());
            if nudged.await.is_ok() {
                break;
            }
        }
    })
    .await;
    // A nudge given meanwhile (PostgreSQL's listener starts with one) is spent.
    let _ = tokio::time::timeout(Duration::from_millis(200), server.events_nudged()).await;
    assert!(
        !heard.has_changed().unwrap(),
        "another process's append is not followed before a poll"
    );
    cli.create_text(&new_text(group, "suivant", alice))
        .await
        .unwrap();
    let last = db.last_event_position().await.unwrap();
    assert_eq!(last, start + 2 + tries);
    within("the announcement", server.events_nudged()).await;
    assert_eq!(server.poll_events().await.unwrap(), last);
    assert!(heard.has_changed().unwrap());
    assert_eq!(*heard.borrow_and_update(), last);
    // A poll that finds nothing new wakes nobody.
    assert_eq!(server.poll_events().await.unwrap(), last);
    assert!(!heard.has_changed().unwrap());
    listening.abort();
    cli.close().await;
    server.close().await;
    raw.close().await;
}
