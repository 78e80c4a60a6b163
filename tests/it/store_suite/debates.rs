//! Archived debates (`store::debates`): an import is one batch written whole with its event,
//! a debate already stored is not added twice, a place is resolved to the one group of that
//! exact name, and the lists filter by place, speaker, day and group, newest first.

use atelier::model::{DebateId, EventKind, GroupKind, Visibility};
use atelier::store::{Db, DebateFilter, NewDebate, StoreError};
use time::macros::{date, datetime};

use super::{Raw, on_both_backends, tree};

on_both_backends!(
    an_import_is_one_batch_with_its_event_and_adds_no_debate_twice,
    lists_filter_by_place_speaker_day_and_group_newest_first,
);

on_both_backends!(raw: an_import_whose_input_fails_writes_nothing);

fn debate(day: time::Date, place: &str, speaker: &str, title: &str) -> NewDebate {
    NewDebate {
        held_on: day,
        held_at: None,
        place: place.to_owned(),
        speaker: speaker.to_owned(),
        title: title.to_owned(),
        text: format!("{title} : le texte du débat.\n\nSecond paragraphe."),
        url: None,
        convention: None,
    }
}

/// The titles of the debates `filter` lists, after checking the total.
async fn filtered(db: &Db, filter: DebateFilter<'_>) -> Vec<String> {
    let (rows, total) = db.debates(&filter, 10, 0).await.unwrap();
    assert_eq!(total as usize, rows.len());
    rows.into_iter().map(|r| r.title).collect()
}

fn ok(debates: Vec<NewDebate>) -> impl Iterator<Item = Result<NewDebate, String>> {
    debates.into_iter().map(Ok)
}

async fn import(db: &Db, debates: Vec<NewDebate>) -> atelier::store::DebatesImported {
    db.import_debates("archives.jsonl", 0, ok(debates), &|_| {})
        .await
        .unwrap()
}

async fn an_import_is_one_batch_with_its_event_and_adds_no_debate_twice(db: Db) {
    let t = tree(&db).await;
    // Two groups named alike: a place of that name resolves to neither.
    for parent in [t.federation, t.national] {
        db.create_group(
            GroupKind::Section,
            "Homonyme",
            "",
            Some(parent),
            Visibility::Public,
            None,
        )
        .await
        .unwrap();
    }
    let before = db.last_event_position().await.unwrap();
    let mut with_time = debate(date!(2019 - 05 - 12), "Lille", "Louise Michel", "Retraites");
    with_time.held_at = Some(datetime!(2019-05-12 16:30 UTC));
    with_time.url = Some("https://archives.exemple.fr/42".into());
    with_time.convention = Some("Congrès de Tours".into());
    let debates = vec![
        with_time.clone(),
        debate(
            date!(2020 - 01 - 02),
            "Section de nulle part",
            "Jean Jaurès",
            "Écoles",
        ),
        debate(date!(2020 - 01 - 03), "Homonyme", "Jean Jaurès", "Hôpitaux"),
        // The same debate twice in one file: one is added.
        with_time.clone(),
    ];
    let seen = std::sync::Mutex::new(Vec::new());
    let done = db
        .import_debates("archives.jsonl", 2, ok(debates), &|n| {
            seen.lock().unwrap().push(n)
        })
        .await
        .unwrap();
    assert_eq!((done.imported, done.duplicates), (3, 1));
    let batch = done.batch.expect("a batch");
    assert_eq!(
        seen.into_inner().unwrap().last(),
        Some(&4),
        "progress counts every line read"
    );

    let events = db.events_after(before, 100).await.unwrap();
    assert_eq!(events.len(), 1, "one event per import");
    assert_eq!(events[0].kind, EventKind::DebatesImported);
    assert_eq!(events[0].payload["debate_import_id"], batch.0);
    assert_eq!(events[0].payload["imported"], 3);
    assert_eq!(events[0].payload["duplicates"], 1);
    assert_eq!(events[0].payload["skipped"], 2);

    let ids = db.debate_ids_of_import(batch).await.unwrap();
    assert_eq!(ids.len(), 3);
    let first = db.debate(ids[0]).await.unwrap().expect("stored");
    assert_eq!(first.held_on, "2019-05-12");
    assert_eq!(first.held_at, Some(datetime!(2019-05-12 16:30 UTC)));
    assert_eq!(
        first.group_id,
        Some(t.section),
        "« Lille » is the one group of that name"
    );
    assert_eq!(first.url.as_deref(), Some("https://archives.exemple.fr/42"));
    assert_eq!(first.convention.as_deref(), Some("Congrès de Tours"));
    assert_eq!(first.body, with_time.text);
    assert_eq!(first.debate_import_id, batch);
    for id in [ids[1], ids[2]] {
        let group = db.debate(id).await.unwrap().unwrap().group_id;
        assert_eq!(group, None, "no group of that name, or two");
    }
    assert_eq!(db.debate(DebateId(999_999)).await.unwrap(), None);

    // The same lines again: nothing new, a batch that says so.
    let again = import(&db, vec![with_time.clone()]).await;
    assert_eq!((again.imported, again.duplicates), (0, 1));
    assert!(
        db.debate_ids_of_import(again.batch.unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    // The hash is the whole debate's: one field differs, it is another debate.
    let mut other = with_time.clone();
    other.speaker = "Louise  Michel".into();
    assert_ne!(other.content_hash(), with_time.content_hash());
    assert_eq!(import(&db, vec![other]).await.imported, 1);
    // Nothing to import writes nothing.
    let position = db.last_event_position().await.unwrap();
    let nothing = import(&db, Vec::new()).await;
    assert_eq!((nothing.batch, nothing.imported), (None, 0));
    assert_eq!(db.last_event_position().await.unwrap(), position);
}

async fn lists_filter_by_place_speaker_day_and_group_newest_first(db: Db) {
    let t = tree(&db).await;
    let debates = vec![
        debate(date!(2018 - 03 - 01), "Lille", "Louise Michel", "Un"),
        debate(
            date!(2019 - 03 - 01),
            "Fédération du Nord",
            "Émile Zola",
            "Deux",
        ),
        debate(date!(2019 - 06 - 30), "Lille", "Jean Jaurès", "Trois"),
        debate(date!(2020 - 01 - 01), "Roubaix", "louise michel", "Quatre"),
        debate(date!(2021 - 01 - 01), "Nord", "Jean Jaurès", "Cinq"),
    ];
    import(&db, debates).await;
    let titles = |rows: &[atelier::store::DebateSummary]| {
        rows.iter().map(|r| r.title.clone()).collect::<Vec<_>>()
    };
    let (all, total) = db.debates(&DebateFilter::default(), 10, 0).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(
        titles(&all),
        ["Cinq", "Quatre", "Trois", "Deux", "Un"],
        "newest first"
    );
    assert!(all[0].excerpt.starts_with("Cinq : le texte"));

    // Case, accents and punctuation do not matter; a part of the name is enough.
    assert_eq!(
        filtered(
            &db,
            DebateFilter {
                speaker: Some("LOUISE-michel"),
                ..Default::default()
            }
        )
        .await,
        ["Quatre", "Un"]
    );
    assert_eq!(
        filtered(
            &db,
            DebateFilter {
                speaker: Some("emile"),
                ..Default::default()
            }
        )
        .await,
        ["Deux"]
    );
    assert_eq!(
        filtered(
            &db,
            DebateFilter {
                place: Some("nord"),
                ..Default::default()
            }
        )
        .await,
        ["Cinq", "Deux"]
    );
    assert_eq!(
        filtered(
            &db,
            DebateFilter {
                place: Some("100%"),
                ..Default::default()
            }
        )
        .await,
        Vec::<String>::new(),
        "wildcards are not wildcards"
    );
    assert_eq!(
        filtered(
            &db,
            DebateFilter {
                from: Some(date!(2019 - 03 - 01)),
                to: Some(date!(2019 - 06 - 30)),
                ..Default::default()
            }
        )
        .await,
        ["Trois", "Deux"],
        "both days included"
    );
    // A group: its debates and those of the groups below it.
    assert_eq!(
        filtered(
            &db,
            DebateFilter {
                group: Some(t.federation),
                ..Default::default()
            }
        )
        .await,
        ["Cinq", "Quatre", "Trois", "Un"],
        "« Nord » itself, and Lille and Roubaix below it (« Fédération du Nord » is no group's name)"
    );
    assert_eq!(
        filtered(
            &db,
            DebateFilter {
                group: Some(t.section),
                speaker: Some("jaures"),
                ..Default::default()
            }
        )
        .await,
        ["Trois"]
    );
    let mut placed = db.debate_ids_placed_in(t.federation).await.unwrap();
    placed.sort();
    assert_eq!(placed.len(), 4);
    assert_eq!(db.debate_ids_placed_in(t.other).await.unwrap().len(), 1);

    // Pages.
    let (page2, total) = db.debates(&DebateFilter::default(), 2, 2).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(titles(&page2), ["Trois", "Deux"]);
    let (past, _) = db.debates(&DebateFilter::default(), 2, 10).await.unwrap();
    assert!(past.is_empty());
    // Every debate, by id, page by page.
    let first = db.debates_after(DebateId(0), 3).await.unwrap();
    assert_eq!(first.len(), 3);
    let rest = db.debates_after(first[2].debate_id, 3).await.unwrap();
    assert_eq!(rest.len(), 2);
    assert!(first[2].debate_id < rest[0].debate_id);
    assert!(
        db.debates_after(rest[1].debate_id, 3)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn an_import_whose_input_fails_writes_nothing(db: Db, raw: Raw) {
    let position = db.last_event_position().await.unwrap();
    let lines = (0..1200).map(|n| {
        if n == 1100 {
            Err("the file changed".to_owned())
        } else {
            Ok(debate(
                date!(2019 - 01 - 01),
                "Lille",
                "Louise",
                &format!("Débat {n}"),
            ))
        }
    });
    let refused = db.import_debates("archives.jsonl", 0, lines, &|_| {}).await;
    assert!(
        matches!(&refused, Err(StoreError::Aborted(why)) if why == "the file changed"),
        "{refused:?}"
    );
    assert_eq!(
        raw.count("select count(*) from debate").await,
        0,
        "not even the first batches"
    );
    assert_eq!(raw.count("select count(*) from debate_import").await, 0);
    assert_eq!(db.last_event_position().await.unwrap(), position);
    raw.close().await;
}
