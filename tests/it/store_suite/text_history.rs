//! What is derived from texts and read back: the stored batches (history), named versions,
//! wiki links and backlinks, recently changed texts and who changed them.

use atelier::model::{GroupId, MemberId, TextId, VersionId};
use atelier::store::{Db, NewChunk};

use super::{new_member, new_text, on_both_backends, tree};

on_both_backends!(
    edits_are_paged_newest_first_by_keyset,
    versions_are_named_states_newest_first,
    wiki_links_make_backlinks_for_pages_yet_to_be_written,
    recent_texts_follow_the_last_edit,
);

fn chunk<'a>(text: TextId, authors: &'a [(Option<MemberId>, i32)], heads: &'a str) -> NewChunk<'a> {
    NewChunk {
        text,
        bytes: b"c",
        authors,
        heads,
        message: None,
        edited: true,
        events: &[],
    }
}

async fn edits_are_paged_newest_first_by_keyset(db: Db) {
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let bob = new_member(&db, "bob@exemple.fr", "Bob").await;
    let text = new_text(&db, t.section, "histoire", Some(alice)).await;
    let other = new_text(&db, t.section, "autre", Some(bob)).await;
    let created = db.text_edits(text, 10).await.unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(
        (
            created[0].author_id,
            created[0].author_name.as_deref(),
            created[0].message.as_deref()
        ),
        (Some(alice), Some("Alice"), Some("created"))
    );
    // One row per author of a batch, with the heads after it.
    db.append_chunk(&chunk(
        text,
        &[(Some(alice), 3), (Some(bob), 1)],
        "[\"h1\"]",
    ))
    .await
    .unwrap();
    db.append_chunk(&NewChunk {
        message: Some("Restored version 1"),
        ..chunk(text, &[(None, 1)], "[\"h2\"]")
    })
    .await
    .unwrap();
    let edits = db.text_edits(text, 10).await.unwrap();
    let seen: Vec<(Option<&str>, i32, &str, Option<&str>)> = edits
        .iter()
        .map(|e| {
            (
                e.author_name.as_deref(),
                e.changes,
                e.heads.as_str(),
                e.message.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (None, 1, "[\"h2\"]", Some("Restored version 1")),
            (Some("Bob"), 1, "[\"h1\"]", None),
            (Some("Alice"), 3, "[\"h1\"]", None),
            (Some("Alice"), 1, "[]", Some("created")),
        ]
    );
    assert!(
        edits
            .windows(2)
            .all(|w| w[0].text_edit_id > w[1].text_edit_id)
    );
    // Pages walk back by keyset.
    let page = db.text_edits(text, 2).await.unwrap();
    assert_eq!(page.len(), 2);
    let next = db
        .text_edits_before(text, Some(page[1].text_edit_id), 2)
        .await
        .unwrap();
    let ids: Vec<i64> = next.iter().map(|e| e.text_edit_id).collect();
    assert_eq!(ids, vec![edits[2].text_edit_id, edits[3].text_edit_id]);
    assert!(
        db.text_edits_before(text, Some(edits[3].text_edit_id), 2)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(db.text_edits_before(text, None, 10).await.unwrap().len(), 4);
    // One batch, only through its own text.
    let one = db
        .text_edit(text, edits[1].text_edit_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((one.author_id, one.changes), (Some(bob), 1));
    assert!(
        db.text_edit(other, edits[1].text_edit_id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(db.text_edit(text, i64::MAX).await.unwrap().is_none());
    assert_eq!(db.text_edits(other, 10).await.unwrap().len(), 1);
}

async fn versions_are_named_states_newest_first(db: Db) {
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let text = new_text(&db, t.section, "versions", Some(alice)).await;
    let other = new_text(&db, t.section, "autre", None).await;
    assert!(db.versions(text).await.unwrap().is_empty());
    let v1 = db
        .create_version(text, "Première", "[\"h1\"]", "# Un\0", Some(alice))
        .await
        .unwrap();
    let v2 = db
        .create_version(text, "Seconde", "[\"h2\"]", "# Deux", None)
        .await
        .unwrap();
    let listed: Vec<(VersionId, String, Option<String>)> = db
        .versions(text)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.text_version_id, v.label, v.author_name))
        .collect();
    assert_eq!(
        listed,
        vec![
            (v2, "Seconde".to_owned(), None),
            (v1, "Première".to_owned(), Some("Alice".to_owned()))
        ]
    );
    let first = db.version(text, v1).await.unwrap().unwrap();
    assert_eq!(
        (
            first.text_id,
            first.heads.as_str(),
            first.markdown.as_str(),
            first.author_id
        ),
        (text, "[\"h1\"]", "# Un\u{FFFD}", Some(alice))
    );
    assert!(
        db.version(other, v1).await.unwrap().is_none(),
        "a version of another text"
    );
    assert!(
        db.version(text, VersionId(999_999))
            .await
            .unwrap()
            .is_none()
    );
    assert!(db.versions(other).await.unwrap().is_empty());
}

async fn wiki_links_make_backlinks_for_pages_yet_to_be_written(db: Db) {
    let t = tree(&db).await;
    let from = new_text(&db, t.section, "source", None).await;
    let also = new_text(&db, t.other, "aussi", None).await;
    assert!(db.backlinks(t.section, "cible").await.unwrap().is_empty());
    let links = vec![
        (t.section, "cible".to_owned(), "La Cible".to_owned()),
        (t.section, "cible".to_owned(), "Doublon".to_owned()),
        (t.federation, "ailleurs".to_owned(), "Ailleurs".to_owned()),
    ];
    db.materialize_text(from, "Voir [[La Cible]]\0", &links)
        .await
        .unwrap();
    db.materialize_text(
        also,
        "[[Lille/cible]]",
        &[(t.section, "cible".to_owned(), "cible".to_owned())],
    )
    .await
    .unwrap();
    assert_eq!(
        db.text_markdown(from).await.unwrap().as_deref(),
        Some("Voir [[La Cible]]\u{FFFD}")
    );
    let back = db.backlinks(t.section, "cible").await.unwrap();
    let summaries: Vec<(TextId, GroupId, &str, &str)> = back
        .iter()
        .map(|s| {
            (
                s.text_id,
                s.group_id,
                s.group_name.as_str(),
                s.slug.as_str(),
            )
        })
        .collect();
    // By title: « aussi » before « source »; one line per linking text.
    assert_eq!(
        summaries,
        vec![
            (also, t.other, "Roubaix", "aussi"),
            (from, t.section, "Lille", "source")
        ]
    );
    // The titles the links gave the page, with each linking text's group (first one kept).
    assert_eq!(
        db.wiki_link_titles(t.section, "cible").await.unwrap(),
        vec![
            (t.section, "La Cible".to_owned()),
            (t.other, "cible".to_owned())
        ]
    );
    assert_eq!(
        db.backlinks(t.federation, "ailleurs").await.unwrap().len(),
        1
    );
    assert!(
        db.wiki_link_titles(t.section, "absente")
            .await
            .unwrap()
            .is_empty()
    );
    // Materialising again replaces the links.
    db.materialize_text(from, "plus de lien", &[])
        .await
        .unwrap();
    assert_eq!(db.backlinks(t.section, "cible").await.unwrap().len(), 1);
    assert!(
        db.backlinks(t.federation, "ailleurs")
            .await
            .unwrap()
            .is_empty()
    );
}

async fn recent_texts_follow_the_last_edit(db: Db) {
    let t = tree(&db).await;
    let alice = new_member(&db, "alice@exemple.fr", "Alice").await;
    let bob = new_member(&db, "bob@exemple.fr", "Bob").await;
    let one = new_text(&db, t.section, "un", Some(alice)).await;
    let two = new_text(&db, t.section, "deux", Some(bob)).await;
    let three = new_text(&db, t.section, "trois", None).await;
    new_text(&db, t.other, "ailleurs", None).await;
    let order = |texts: Vec<atelier::store::TextSummary>| -> Vec<TextId> {
        texts.iter().map(|t| t.text_id).collect()
    };
    // Same second: the latest created first.
    assert_eq!(
        order(db.recent_texts(t.section, 10).await.unwrap()),
        vec![three, two, one]
    );
    assert_eq!(
        order(db.recent_texts(t.section, 2).await.unwrap()),
        vec![three, two]
    );
    assert!(db.recent_texts(t.section, 0).await.unwrap().is_empty());
    // An edit a second later puts the text first, at once on this server.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    db.append_chunk(&chunk(one, &[(Some(bob), 2)], "[]"))
        .await
        .unwrap();
    assert_eq!(
        order(db.recent_texts(t.section, 10).await.unwrap()),
        vec![one, three, two]
    );
    // Longer lists than the cache keeps are read directly, in the same order.
    assert_eq!(
        order(db.recent_texts(t.section, 1000).await.unwrap()),
        vec![one, three, two]
    );
    let first = &db.recent_texts(t.section, 1).await.unwrap()[0];
    assert_eq!(
        (first.group_name.as_str(), first.title.as_str()),
        ("Lille", "un")
    );
    // Who changed each text: their latest batch, most recent first; authorless batches not.
    db.append_chunk(&chunk(one, &[(Some(alice), 1)], "[]"))
        .await
        .unwrap();
    db.append_chunk(&chunk(three, &[(None, 1)], "[]"))
        .await
        .unwrap();
    let authors = db.recent_text_authors(t.section).await.unwrap();
    let named: Vec<(TextId, &str)> = authors.iter().map(|(t, n, _)| (*t, n.as_str())).collect();
    assert_eq!(named, vec![(one, "Alice"), (one, "Bob"), (two, "Bob")]);
    assert!(
        authors[0].2 > authors[1].2,
        "Alice's batch is the later one"
    );
    assert!(db.recent_text_authors(t.other).await.unwrap().is_empty());
}
