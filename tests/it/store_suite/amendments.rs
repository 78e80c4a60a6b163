//! Amendments: each text's rules, numbers gap-free per text (under concurrent filings too),
//! revisions kept, supporters unique and only while submitted, moves only from where the
//! amendment was, and every write's event in the outbox, in order.

use atelier::model::{AmendmentId, AmendmentStatus, EventKind, Filers, Gender, MemberId, TextId};
use atelier::store::{
    AmendmentRules, Db, Merging, NewAmendment, NewChunk, ParagraphCount, StoreError, Support,
    SupportCounts,
};

use super::{new_member, new_text, on_both_backends, tree};

on_both_backends!(
    rules_default_until_set_then_are_replaced,
    numbers_are_gap_free_per_text_even_when_filed_at_once,
    revisions_and_moves_are_kept_with_their_events,
    supporters_sign_once_and_only_while_submitted,
    counts_are_by_paragraph_and_status_with_drafts_by_author,
    a_merge_is_stored_with_its_change_or_not_at_all,
    an_adopted_sub_amendment_rewords_its_parent_or_nothing_changes,
);

fn filing(text: TextId, author: MemberId, status: AmendmentStatus) -> NewAmendment<'static> {
    NewAmendment {
        text,
        status,
        anchor: "1;s;s;0;0;0000000000000000;aa",
        heads: "[]",
        start: 3,
        end: 8,
        original: "passage\0",
        replacement: "nouveau passage",
        rationale: "parce que",
        author: Some(author),
        on_behalf_of: None,
        parent: None,
        parent_revision: None,
        paragraph: 2,
        first_line: 4,
        last_line: 5,
        reference: "§ 2, lignes 4 à 5",
    }
}

async fn rules_default_until_set_then_are_replaced(db: Db) {
    let t = tree(&db).await;
    let text = new_text(&db, t.section, "regles", None).await;
    assert_eq!(
        db.amendment_rules(text).await.unwrap(),
        AmendmentRules::default()
    );
    let opens = time::macros::datetime!(2027-01-10 08:00 UTC);
    let rules = AmendmentRules {
        opens_at: Some(opens),
        closes_at: Some(opens + time::Duration::days(30)),
        min_supporters: 20,
        min_women: 10,
        rationale_required: true,
        filers: Filers::Party,
    };
    let organiser = new_member(&db, "organiser-rules@exemple.fr", "Olga").await;
    let since = db.last_event_position().await.unwrap();
    assert!(
        db.set_amendment_rules(text, &rules, Some(organiser))
            .await
            .unwrap()
    );
    assert_eq!(db.amendment_rules(text).await.unwrap(), rules);
    // Who set them, when, and the rules: in the outbox with the write.
    let events = db.events_after(since, 100).await.unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(
        (event.kind, event.text_id, event.actor_id),
        (
            EventKind::TextAmendmentRulesSet,
            Some(text),
            Some(organiser)
        )
    );
    assert_eq!(
        event.payload,
        serde_json::json!({"opens_at": "2027-01-10T08:00:00Z", "closes_at": "2027-02-09T08:00:00Z",
                           "min_supporters": 20, "min_women": 10, "rationale_required": true,
                           "filers": "party"})
    );
    assert!(
        !db.set_amendment_rules(TextId(999_999), &rules, None)
            .await
            .unwrap(),
        "no such text"
    );
    let fewer = AmendmentRules {
        closes_at: None,
        min_supporters: 5,
        ..rules
    };
    db.set_amendment_rules(text, &fewer, None).await.unwrap();
    assert_eq!(db.amendment_rules(text).await.unwrap(), fewer);
    let other = new_text(&db, t.section, "autre", None).await;
    assert_eq!(
        db.amendment_rules(other).await.unwrap(),
        AmendmentRules::default(),
        "rules are per text"
    );
}

async fn numbers_are_gap_free_per_text_even_when_filed_at_once(db: Db) {
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let one = new_text(&db, t.section, "un", None).await;
    let two = new_text(&db, t.section, "deux", None).await;
    let first = db
        .file_amendment(&filing(one, alice, AmendmentStatus::Draft))
        .await
        .unwrap()
        .expect("the text exists");
    assert_eq!(first.number, 1);
    assert_eq!(
        (
            first.status,
            first.original.as_str(),
            first.reference.as_str()
        ),
        (
            AmendmentStatus::Draft,
            "passage\u{FFFD}",
            "§ 2, lignes 4 à 5"
        ),
        "NUL stored as U+FFFD"
    );
    assert_eq!(
        (
            first.start_utf16,
            first.end_utf16,
            first.paragraph,
            first.first_line,
            first.last_line
        ),
        (3, 8, 2, 4, 5)
    );
    // Twelve filed at once on the same text: every number once, none skipped.
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            db.file_amendment(&filing(one, alice, AmendmentStatus::Submitted))
                .await
                .unwrap()
                .unwrap()
                .number
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (2..=13).collect::<Vec<i64>>());
    let elsewhere = db
        .file_amendment(&filing(two, alice, AmendmentStatus::Draft))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(elsewhere.number, 1, "numbers are per text");
    assert!(
        db.file_amendment(&filing(TextId(999_999), alice, AmendmentStatus::Draft))
            .await
            .unwrap()
            .is_none()
    );
    let all = db.amendments_of_text(one, None).await.unwrap();
    assert_eq!(
        all.iter().map(|a| a.number).collect::<Vec<_>>(),
        (1..=13).collect::<Vec<i64>>()
    );
    let drafts = db
        .amendments_of_text(one, Some(AmendmentStatus::Draft))
        .await
        .unwrap();
    assert_eq!(drafts, vec![first.clone()]);
    assert_eq!(db.amendment(first.amendment_id).await.unwrap(), Some(first));
    assert_eq!(db.amendment(AmendmentId(999_999)).await.unwrap(), None);
}

async fn revisions_and_moves_are_kept_with_their_events(db: Db) {
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let olga = new_member(&db, "olga@exemple.fr", "Olga").await;
    let text = new_text(&db, t.section, "texte", None).await;
    let since = db.last_event_position().await.unwrap();
    let row = db
        .file_amendment(&filing(text, alice, AmendmentStatus::Draft))
        .await
        .unwrap()
        .unwrap();
    let id = row.amendment_id;
    let revision = db
        .revise_amendment(id, "autre rédaction", "", Some(alice))
        .await
        .unwrap()
        .expect("a draft is revisable");
    let revisions = db.amendment_revisions(id).await.unwrap();
    assert_eq!(
        revisions
            .iter()
            .map(|r| (r.replacement.as_str(), r.rationale.as_str(), r.author_id))
            .collect::<Vec<_>>(),
        [
            ("nouveau passage", "parce que", Some(alice)),
            ("autre rédaction", "", Some(alice))
        ]
    );
    assert_eq!(revisions[1].amendment_revision_id, revision);
    let now = db.amendment(id).await.unwrap().unwrap();
    assert_eq!(now.replacement, "autre rédaction");
    assert_eq!(now.original, row.original, "the original never changes");

    use AmendmentStatus::*;
    assert!(
        db.move_amendment(id, Draft, Submitted, Some(alice), None)
            .await
            .unwrap()
    );
    assert!(
        !db.move_amendment(id, Draft, Submitted, Some(alice), None)
            .await
            .unwrap(),
        "no longer a draft: nothing moves"
    );
    assert!(
        db.move_amendment(id, Submitted, Inadmissible, Some(olga), Some("hors sujet"))
            .await
            .unwrap()
    );
    assert!(
        db.revise_amendment(id, "trop tard", "", Some(alice))
            .await
            .unwrap()
            .is_none(),
        "screened: the wording is final"
    );
    assert!(
        db.move_amendment(id, Inadmissible, Withdrawn, Some(alice), None)
            .await
            .unwrap()
    );
    assert!(
        !db.move_amendment(AmendmentId(999_999), Draft, Submitted, None, None)
            .await
            .unwrap()
    );
    let history = db.amendment_history(id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| (h.from_status, h.to_status, h.actor_id, h.reason.as_deref()))
            .collect::<Vec<_>>(),
        [
            (None, Draft, Some(alice), None),
            (Some(Draft), Submitted, Some(alice), None),
            (
                Some(Submitted),
                Inadmissible,
                Some(olga),
                Some("hors sujet")
            ),
            (Some(Inadmissible), Withdrawn, Some(alice), None),
        ]
    );
    let events = db.events_after(since, 100).await.unwrap();
    assert_eq!(
        events
            .iter()
            .map(|e| (e.kind, e.text_id, e.group_id, e.member_id, e.actor_id))
            .collect::<Vec<_>>(),
        [
            (
                EventKind::AmendmentFiled,
                Some(text),
                Some(t.section),
                Some(alice),
                Some(alice)
            ),
            (
                EventKind::AmendmentRevised,
                Some(text),
                Some(t.section),
                Some(alice),
                Some(alice)
            ),
            (
                EventKind::AmendmentSubmitted,
                Some(text),
                Some(t.section),
                Some(alice),
                Some(alice)
            ),
            (
                EventKind::AmendmentStatusChanged,
                Some(text),
                Some(t.section),
                Some(alice),
                Some(olga)
            ),
            (
                EventKind::AmendmentWithdrawn,
                Some(text),
                Some(t.section),
                Some(alice),
                Some(alice)
            ),
        ]
    );
    for event in &events {
        assert_eq!(event.payload["amendment_id"], id.0);
        assert_eq!(event.payload["number"], 1);
    }
    assert_eq!(events[0].payload["reference"], "§ 2, lignes 4 à 5");
    assert_eq!(events[1].payload["revision_id"], revision);
    assert_eq!(
        (
            &events[3].payload["from"],
            &events[3].payload["to"],
            &events[3].payload["reason"]
        ),
        (
            &serde_json::json!("submitted"),
            &serde_json::json!("inadmissible"),
            &serde_json::json!("hors sujet")
        )
    );
    assert_eq!(events[4].payload["from"], "inadmissible");

    // Filed submitted at once: a draft for no time, in its history and its events.
    let since = db.last_event_position().await.unwrap();
    let direct = db
        .file_amendment(&filing(text, alice, Submitted))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((direct.number, direct.status), (2, Submitted));
    let history = db.amendment_history(direct.amendment_id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| (h.from_status, h.to_status))
            .collect::<Vec<_>>(),
        [(None, Draft), (Some(Draft), Submitted)]
    );
    let kinds: Vec<_> = db
        .events_after(since, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [EventKind::AmendmentFiled, EventKind::AmendmentSubmitted]
    );
}

async fn supporters_sign_once_and_only_while_submitted(db: Db) {
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let bob = new_member(&db, "bob@exemple.fr", "Bob").await;
    let carla = new_member(&db, "carla@exemple.fr", "Carla").await;
    let text = new_text(&db, t.section, "texte", None).await;
    let draft = db
        .file_amendment(&filing(text, alice, AmendmentStatus::Draft))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.support_amendment(draft.amendment_id, bob).await.unwrap(),
        Support::NotOpen
    );
    assert_eq!(
        db.support_amendment(AmendmentId(999_999), bob)
            .await
            .unwrap(),
        Support::NotOpen
    );
    let row = db
        .file_amendment(&filing(text, alice, AmendmentStatus::Submitted))
        .await
        .unwrap()
        .unwrap();
    let id = row.amendment_id;
    let since = db.last_event_position().await.unwrap();
    assert_eq!(db.support_amendment(id, bob).await.unwrap(), Support::Added);
    assert_eq!(
        db.support_amendment(id, bob).await.unwrap(),
        Support::Already
    );
    assert_eq!(
        db.support_amendment(id, carla).await.unwrap(),
        Support::Added
    );
    // Counted, with the women among them: Carla declared herself one, Bob declared nothing,
    // and the author (a woman too) is not a supporter.
    db.set_member_gender(alice, Some(Gender::Woman))
        .await
        .unwrap();
    db.set_member_gender(carla, Some(Gender::Woman))
        .await
        .unwrap();
    assert_eq!(
        db.amendment_support_counts(id).await.unwrap(),
        SupportCounts {
            supporters: 2,
            women: 1
        }
    );
    assert_eq!(
        db.amendment_support_counts(draft.amendment_id)
            .await
            .unwrap(),
        SupportCounts::default(),
        "none yet"
    );
    let supporters = db.amendment_supporters(id).await.unwrap();
    assert_eq!(
        supporters
            .iter()
            .map(|s| (s.member_id, s.name.as_str()))
            .collect::<Vec<_>>(),
        [(bob, "Bob"), (carla, "Carla")]
    );
    assert_eq!(
        db.text_amendment_supporters(text).await.unwrap(),
        [(id, bob), (id, carla)]
    );
    // The people named: the author (of both amendments, once) and the supporters, by id.
    let mut named = vec![
        (alice, "Alice".to_owned()),
        (bob, "Bob".to_owned()),
        (carla, "Carla".to_owned()),
    ];
    named.sort();
    assert_eq!(db.text_amendment_people(text).await.unwrap(), named);
    assert!(
        db.text_amendment_people(TextId(999_999))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(db.withdraw_support(id, bob).await.unwrap());
    assert!(
        !db.withdraw_support(id, bob).await.unwrap(),
        "withdrawn already"
    );
    assert!(
        !db.withdraw_support(id, alice).await.unwrap(),
        "never signed"
    );
    let events = db.events_after(since, 100).await.unwrap();
    assert_eq!(
        events
            .iter()
            .map(|e| (e.kind, e.member_id, e.payload["supporters"].as_i64()))
            .collect::<Vec<_>>(),
        [
            (EventKind::AmendmentSupported, Some(bob), Some(1)),
            (EventKind::AmendmentSupported, Some(carla), Some(2)),
            (EventKind::AmendmentSupportWithdrawn, Some(bob), Some(1)),
        ]
    );
    // Once screened, supports neither come nor go.
    assert!(
        db.move_amendment(
            id,
            AmendmentStatus::Submitted,
            AmendmentStatus::Admissible,
            None,
            None
        )
        .await
        .unwrap()
    );
    assert_eq!(
        db.support_amendment(id, bob).await.unwrap(),
        Support::NotOpen
    );
    assert!(!db.withdraw_support(id, carla).await.unwrap());
    assert_eq!(db.amendment_supporters(id).await.unwrap().len(), 1);
}

async fn counts_are_by_paragraph_and_status_with_drafts_by_author(db: Db) {
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let bob = new_member(&db, "bob@exemple.fr", "Bob").await;
    let text = new_text(&db, t.section, "un", None).await;
    let other = new_text(&db, t.section, "deux", None).await;
    assert_eq!(db.amendment_counts(text).await.unwrap(), vec![]);
    let file = |author, status, paragraph| {
        let db = db.clone();
        async move {
            db.file_amendment(&NewAmendment {
                paragraph,
                ..filing(text, author, status)
            })
            .await
            .unwrap()
            .unwrap()
        }
    };
    for (author, status, paragraph) in [
        (alice, AmendmentStatus::Submitted, 1),
        (bob, AmendmentStatus::Submitted, 1),
        (bob, AmendmentStatus::Submitted, 3),
        (alice, AmendmentStatus::Draft, 1),
        (alice, AmendmentStatus::Draft, 1),
        (bob, AmendmentStatus::Draft, 1),
    ] {
        file(author, status, paragraph).await;
    }
    db.file_amendment(&filing(other, alice, AmendmentStatus::Submitted))
        .await
        .unwrap();
    assert_eq!(db.amendments_filed_by(text, alice).await.unwrap(), 3);
    assert_eq!(db.amendments_filed_by(text, bob).await.unwrap(), 3);
    assert_eq!(db.amendments_filed_by(other, bob).await.unwrap(), 0);
    let mut counts = db.amendment_counts(text).await.unwrap();
    counts.sort_by_key(|c| (c.paragraph, c.status.code(), c.draft_author.map(|m| m.0)));
    let count = |paragraph, status, draft_author: Option<MemberId>, count| ParagraphCount {
        paragraph,
        status,
        draft_author,
        count,
    };
    assert_eq!(
        counts,
        vec![
            count(1, AmendmentStatus::Draft, Some(alice), 2),
            count(1, AmendmentStatus::Draft, Some(bob), 1),
            count(1, AmendmentStatus::Submitted, None, 2),
            count(3, AmendmentStatus::Submitted, None, 1),
        ]
    );
}

/// Files an amendment and moves it along to `adopted`.
async fn adopted(db: &Db, text: TextId, author: MemberId) -> AmendmentId {
    use AmendmentStatus::*;
    let id = db
        .file_amendment(&filing(text, author, Submitted))
        .await
        .unwrap()
        .unwrap()
        .amendment_id;
    for (from, to) in [(Submitted, Admissible), (Admissible, Adopted)] {
        assert!(db.move_amendment(id, from, to, None, None).await.unwrap());
    }
    id
}

async fn a_merge_is_stored_with_its_change_or_not_at_all(db: Db) {
    use AmendmentStatus::*;
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let olga = new_member(&db, "olga@exemple.fr", "Olga").await;
    let text = new_text(&db, t.section, "fusion", None).await;
    let kept = adopted(&db, text, alice).await;
    let aside = adopted(&db, text, alice).await;
    let submitted = db
        .file_amendment(&filing(text, alice, Submitted))
        .await
        .unwrap()
        .unwrap()
        .amendment_id;
    let authors = [(Some(olga), 1)];
    let chunk = NewChunk {
        text,
        bytes: b"change",
        authors: &authors,
        heads: "[\"h\"]",
        message: Some("amendement 1"),
        edited: true,
        events: &[],
    };
    let merging = |amendments: Vec<AmendmentId>, superseded: Vec<AmendmentId>| Merging {
        amendments,
        superseded,
        actor: Some(olga),
        label: "Après l'amendement 1".into(),
    };
    let since = db.last_event_position().await.unwrap();
    let edits = db.text_edits(text, 100).await.unwrap().len();

    // Not adopted: nothing is stored, the change included.
    let refused = db
        .append_merge_chunk(
            &chunk,
            &merging(vec![kept, submitted], vec![]),
            "texte après",
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict("amendment"))),
        "{refused:?}"
    );
    let refused = db
        .append_merge_chunk(&chunk, &merging(vec![kept], vec![submitted]), "texte après")
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict("amendment"))),
        "{refused:?}"
    );
    assert_eq!(db.last_event_position().await.unwrap(), since);
    assert_eq!(db.text_edits(text, 100).await.unwrap().len(), edits);
    assert!(db.versions(text).await.unwrap().is_empty());
    for id in [kept, aside] {
        let row = db.amendment(id).await.unwrap().unwrap();
        assert_eq!((row.status, row.superseded_by), (Adopted, None));
    }

    // Adopted: the change, both amendments' new states, the version and the events, together.
    db.append_merge_chunk(&chunk, &merging(vec![kept], vec![aside]), "texte après")
        .await
        .unwrap();
    assert_eq!(db.text_edits(text, 100).await.unwrap().len(), edits + 1);
    let merged = db.amendment(kept).await.unwrap().unwrap();
    assert_eq!((merged.status, merged.superseded_by), (Merged, None));
    let set_aside = db.amendment(aside).await.unwrap().unwrap();
    assert_eq!(
        (set_aside.status, set_aside.superseded_by),
        (Adopted, Some(kept))
    );
    let history = db.amendment_history(kept).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.from_status, last.to_status, last.actor_id),
        (Some(Adopted), Merged, Some(olga))
    );
    let versions = db.versions(text).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(
        (
            versions[0].label.as_str(),
            versions[0].markdown.as_str(),
            versions[0].heads.as_str()
        ),
        ("Après l'amendement 1", "texte après", "[\"h\"]")
    );
    let events = db.events_after(since, 100).await.unwrap();
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::TextEdited,
            EventKind::AmendmentMerged,
            EventKind::AmendmentSuperseded,
            EventKind::TextVersionRecorded
        ]
    );
    assert_eq!(events[1].payload["amendment_id"], kept.0);
    assert_eq!(
        events[1].payload["version_id"],
        versions[0].text_version_id.0
    );
    assert_eq!(events[2].payload["amendment_id"], aside.0);
    assert_eq!(events[2].payload["by_id"], kept.0);
    assert_eq!(events[1].member_id, Some(alice), "about its author");
    assert_eq!(events[1].actor_id, Some(olga), "by the organiser");

    // Merged already: a second merge of it is refused, nothing stored.
    let again = db
        .append_merge_chunk(&chunk, &merging(vec![kept], vec![]), "encore")
        .await;
    assert!(matches!(again, Err(StoreError::Conflict("amendment"))));
    assert_eq!(db.versions(text).await.unwrap().len(), 1);
}

async fn an_adopted_sub_amendment_rewords_its_parent_or_nothing_changes(db: Db) {
    use AmendmentStatus::*;
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let bob = new_member(&db, "bob@exemple.fr", "Bob").await;
    let olga = new_member(&db, "olga@exemple.fr", "Olga").await;
    let text = new_text(&db, t.section, "texte", None).await;
    let parent = db
        .file_amendment(&filing(text, alice, Submitted))
        .await
        .unwrap()
        .unwrap();
    let filed_against =
        db.amendment_revisions(parent.amendment_id).await.unwrap()[0].amendment_revision_id;
    let sub = db
        .file_amendment(&NewAmendment {
            anchor: "",
            start: 0,
            end: 7,
            original: "nouveau",
            replacement: "autre",
            author: Some(bob),
            parent: Some(parent.amendment_id),
            parent_revision: Some(filed_against),
            reference: "Sous-amendement {number} à l'amendement 1",
            ..filing(text, bob, Submitted)
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sub.number, 2, "numbered in the text");
    assert_eq!(sub.reference, "Sous-amendement 2 à l'amendement 1");
    assert_eq!(sub.parent_id, Some(parent.amendment_id));
    assert_eq!(sub.parent_revision_id, Some(filed_against));
    // Sub-amendments are not counted in the text's margins.
    let counts = db.amendment_counts(text).await.unwrap();
    assert_eq!(counts.iter().map(|c| c.count).sum::<i64>(), 1);

    // The parent no longer worded as expected, or the sub-amendment no longer in `from`:
    // nothing is written.
    assert_eq!(
        db.adopt_sub_amendment(sub.amendment_id, Submitted, "autre chose", "x", Some(olga))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.adopt_sub_amendment(
            sub.amendment_id,
            Admissible,
            "nouveau passage",
            "x",
            Some(olga)
        )
        .await
        .unwrap(),
        None
    );
    assert_eq!(
        db.amendment(sub.amendment_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        Submitted
    );
    assert_eq!(
        db.amendment_revisions(parent.amendment_id)
            .await
            .unwrap()
            .len(),
        1
    );
    // A text's amendment is no sub-amendment: nothing is written either.
    assert_eq!(
        db.adopt_sub_amendment(
            parent.amendment_id,
            Submitted,
            "nouveau passage",
            "x",
            Some(olga)
        )
        .await
        .unwrap(),
        None
    );

    let since = db.last_event_position().await.unwrap();
    let revision = db
        .adopt_sub_amendment(
            sub.amendment_id,
            Submitted,
            "nouveau passage",
            "autre passage",
            Some(olga),
        )
        .await
        .unwrap()
        .expect("adopted");
    let now = db.amendment(parent.amendment_id).await.unwrap().unwrap();
    assert_eq!(now.replacement, "autre passage");
    assert_eq!(
        now.status, Submitted,
        "the parent's own status is unchanged"
    );
    let revisions = db.amendment_revisions(parent.amendment_id).await.unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[1].amendment_revision_id, revision);
    assert_eq!(revisions[1].from_amendment_id, Some(sub.amendment_id));
    assert_eq!(revisions[1].author_id, Some(olga));
    assert_eq!(
        revisions[1].rationale, parent.rationale,
        "the rationale stays"
    );
    assert_eq!(
        db.amendment(sub.amendment_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        Merged
    );
    let history = db.amendment_history(sub.amendment_id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| (h.from_status, h.to_status))
            .collect::<Vec<_>>(),
        [
            (None, Draft),
            (Some(Draft), Submitted),
            (Some(Submitted), Adopted),
            (Some(Adopted), Merged)
        ]
    );
    let events = db.events_after(since, 100).await.unwrap();
    assert_eq!(
        events
            .iter()
            .map(|e| (e.kind, e.member_id))
            .collect::<Vec<_>>(),
        [
            (EventKind::AmendmentStatusChanged, Some(bob)),
            (EventKind::AmendmentMerged, Some(bob)),
            (EventKind::AmendmentRevised, Some(alice)),
        ]
    );
    assert_eq!(events[2].payload["from_number"], 2);
    assert_eq!(events[1].payload["parent_number"], 1);
    // Once merged, adopting it again writes nothing.
    assert_eq!(
        db.adopt_sub_amendment(
            sub.amendment_id,
            Submitted,
            "autre passage",
            "y",
            Some(olga)
        )
        .await
        .unwrap(),
        None
    );
}
