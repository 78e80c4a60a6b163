//! Texts and their automerge documents: creation, lookup, status, the stored parts (snapshots
//! and chunks), compaction, and the actor ids bound to members.

use atelier::model::{GroupId, TextId, TextKind, TextStatus};
use atelier::store::{Db, DocPart, NewChunk, NewText, StoreError};

use super::{new_member, new_text, on_both_backends, tree};

on_both_backends!(
    texts_are_unique_by_slug_in_their_group,
    a_status_moves_only_from_where_it_was,
    chunks_append_and_compaction_replaces_exactly_what_it_loaded,
    actor_ids_are_bound_to_their_first_user_per_text,
);

async fn texts_are_unique_by_slug_in_their_group(db: Db) {
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let new = |group, kind, title, slug, markdown| NewText {
        group,
        kind,
        title,
        slug,
        markdown,
        document: b"doc",
        heads: "[]",
        author: Some(alice),
    };
    let id = db
        .create_text(&new(
            t.section,
            TextKind::Wiki,
            "Zèbre",
            "zebre",
            "# Zèbre\0",
        ))
        .await
        .unwrap();
    let again = db
        .create_text(&new(t.section, TextKind::Programme, "Autre", "zebre", ""))
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("slug"))),
        "{again:?}"
    );
    let elsewhere = db
        .create_text(&new(t.other, TextKind::Wiki, "Zèbre", "zebre", ""))
        .await
        .unwrap();
    assert_ne!(elsewhere, id, "a slug is unique within its group only");
    let programme = db
        .create_text(&new(t.section, TextKind::Programme, "Santé", "sante", ""))
        .await
        .unwrap();
    let text = db.text(id).await.unwrap().unwrap();
    assert_eq!(
        (
            text.group_id,
            text.kind,
            text.title.as_str(),
            text.slug.as_str(),
            text.status
        ),
        (
            t.section,
            TextKind::Wiki,
            "Zèbre",
            "zebre",
            TextStatus::Drafting
        )
    );
    assert_eq!(text.created_by, Some(alice));
    assert_eq!(text.created_at, text.updated_at);
    assert!(db.text(TextId(999_999)).await.unwrap().is_none());
    // NUL cannot be stored as text (PostgreSQL): it becomes U+FFFD.
    assert_eq!(
        db.text_markdown(id).await.unwrap().as_deref(),
        Some("# Zèbre\u{FFFD}")
    );
    assert_eq!(db.text_markdown(TextId(999_999)).await.unwrap(), None);
    assert_eq!(
        db.text_by_slug(t.section, "zebre")
            .await
            .unwrap()
            .unwrap()
            .text_id,
        id
    );
    assert_eq!(
        db.text_by_slug(t.other, "zebre")
            .await
            .unwrap()
            .unwrap()
            .text_id,
        elsewhere
    );
    assert!(
        db.text_by_slug(t.federation, "zebre")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.text_by_slug(t.section, "absent")
            .await
            .unwrap()
            .is_none()
    );
    // Programme texts first, then by title.
    let listed: Vec<TextId> = db
        .texts_of_group(t.section)
        .await
        .unwrap()
        .iter()
        .map(|t| t.text_id)
        .collect();
    assert_eq!(listed, vec![programme, id]);
    assert!(
        db.texts_of_group(GroupId(999_999))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_status_moves_only_from_where_it_was(db: Db) {
    let t = tree(&db).await;
    let text = new_text(&db, t.section, "statut", None).await;
    assert!(
        db.set_text_status(text, TextStatus::Drafting, TextStatus::Amending, None)
            .await
            .unwrap()
    );
    assert_eq!(
        db.text(text).await.unwrap().unwrap().status,
        TextStatus::Amending
    );
    // Checked against a state that has gone: refused, nothing changes.
    assert!(
        !db.set_text_status(text, TextStatus::Drafting, TextStatus::Archived, None)
            .await
            .unwrap()
    );
    assert_eq!(
        db.text(text).await.unwrap().unwrap().status,
        TextStatus::Amending
    );
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
    // Two moves from the same state at once: one wins.
    let (first, second) = tokio::join!(
        db.set_text_status(text, TextStatus::Amending, TextStatus::Adopted, None),
        db.set_text_status(text, TextStatus::Amending, TextStatus::Drafting, None)
    );
    assert_eq!(
        [first.unwrap(), second.unwrap()]
            .iter()
            .filter(|won| **won)
            .count(),
        1
    );
    // The cached list of recent texts shows the status that won.
    let status = db.text(text).await.unwrap().unwrap().status;
    assert_eq!(
        db.recent_texts(t.section, 5).await.unwrap()[0].status,
        status
    );
}

async fn chunks_append_and_compaction_replaces_exactly_what_it_loaded(db: Db) {
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let text = new_text(&db, t.section, "doc", Some(alice)).await;
    let other = new_text(&db, t.section, "autre", None).await;
    let parts = db.doc_parts(text).await.unwrap();
    let [DocPart::Snapshot(first)] = parts[..] else {
        panic!("one snapshot: {parts:?}");
    };
    assert_eq!(
        db.doc_part_bytes(DocPart::Snapshot(first)).await.unwrap(),
        Some(b"doc".to_vec())
    );
    let chunk = |bytes: &'static [u8]| NewChunk {
        text,
        bytes,
        authors: &[],
        heads: "[\"h\"]",
        message: None,
        edited: true,
        events: &[],
    };
    let c1 = db.append_chunk(&chunk(b"one")).await.unwrap();
    let c2 = db.append_chunk(&chunk(b"two")).await.unwrap();
    assert!(c2 > c1);
    assert_eq!(
        db.doc_parts(text).await.unwrap(),
        vec![
            DocPart::Snapshot(first),
            DocPart::Chunk(c1),
            DocPart::Chunk(c2)
        ],
        "snapshots first, then chunks, oldest first"
    );
    assert_eq!(
        db.doc_parts(other).await.unwrap().len(),
        1,
        "another text's parts are its own"
    );
    assert_eq!(
        db.doc_part_bytes(DocPart::Chunk(c2)).await.unwrap(),
        Some(b"two".to_vec())
    );
    // A chunk stored after the document was loaded (by another server) survives compaction.
    let loaded = db.doc_parts(text).await.unwrap();
    let late = db.append_chunk(&chunk(b"late")).await.unwrap();
    let snapshot = db.compact_doc(text, b"onetwo", &loaded).await.unwrap();
    assert_eq!(
        db.doc_parts(text).await.unwrap(),
        vec![DocPart::Snapshot(snapshot), DocPart::Chunk(late)]
    );
    assert_eq!(
        db.doc_part_bytes(DocPart::Chunk(c1)).await.unwrap(),
        None,
        "compacted away"
    );
    assert_eq!(
        db.doc_part_bytes(DocPart::Snapshot(first)).await.unwrap(),
        None
    );
    assert_eq!(
        db.doc_part_bytes(DocPart::Snapshot(snapshot))
            .await
            .unwrap(),
        Some(b"onetwo".to_vec())
    );
    // Compacting the same parts again (a second server) deletes nothing more.
    let again = db.compact_doc(text, b"onetwo", &loaded).await.unwrap();
    assert_eq!(db.doc_parts(text).await.unwrap().len(), 3);
    assert!(
        db.doc_part_bytes(DocPart::Snapshot(again))
            .await
            .unwrap()
            .is_some()
    );
    // A chunk for a text that does not exist is refused, and nothing is stored.
    let missing = NewChunk {
        text: TextId(999_999),
        ..chunk(b"x")
    };
    assert!(db.append_chunk(&missing).await.is_err());
    assert!(db.doc_parts(TextId(999_999)).await.unwrap().is_empty());
}

async fn actor_ids_are_bound_to_their_first_user_per_text(db: Db) {
    let national = db.ensure_national_group("Parti").await.unwrap();
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let bob = new_member(&db, "bob@exemple.fr", "Bob").await;
    let one = new_text(&db, national, "un", Some(alice)).await;
    let two = new_text(&db, national, "deux", Some(alice)).await;
    let (a, b, server) = (vec![1u8; 16], vec![2u8; 16], vec![3u8; 16]);
    assert!(db.text_actors(one).await.unwrap().is_empty());
    assert!(db.bind_text_actors(one, &[]).await.unwrap().is_empty());
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
    assert_eq!(
        db.text_actors(two).await.unwrap(),
        vec![(a.clone(), Some(bob))]
    );
    // Two servers binding the same new actor id at once: one owner, the other is told.
    let c = vec![4u8; 16];
    let (alices, bobs) = ([(c.clone(), Some(alice))], [(c, Some(bob))]);
    let (first, second) = tokio::join!(
        db.bind_text_actors(two, &alices),
        db.bind_text_actors(two, &bobs)
    );
    let refused = first.unwrap().len() + second.unwrap().len();
    assert_eq!(refused, 1);
}
