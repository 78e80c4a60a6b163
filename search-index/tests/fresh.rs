//! The live writer's fresh layer: what it publishes is found before the commit, exactly as it
//! will be after it (same hits, counts, facets and scores), and what it replaced is not.

use atelier_search::{IndexDoc, SearchIndex, SearchQuery, SearchResults};

const SANTE: &str = "Fusion de toutes les assurances maladies dans un organisme géré par l'état.";
const ECOLE: &str = "Augmentations importantes des places d'internats dans les lycées.";
const ENERGIE: &str = "Remplacer les centrales nucléaires par des centrales solaires.";

fn doc(key: &str, kind: &str, body: &str, date: i64) -> IndexDoc {
    IndexDoc {
        key: key.to_owned(),
        kind: kind.to_owned(),
        title: format!("Titre de {key}"),
        body: body.to_owned(),
        group_id: Some(if date % 2 == 0 { "1" } else { "2" }.to_owned()),
        date: Some(1_700_000_000 + date),
        url: format!("/{key}"),
        readers: vec!["public".to_owned()],
        ..IndexDoc::default()
    }
}

fn search(index: &SearchIndex, text: &str) -> SearchResults {
    index
        .search(&SearchQuery {
            text: text.to_owned(),
            readers: vec!["public".to_owned()],
            limit: 50,
            ..SearchQuery::default()
        })
        .unwrap()
}

type Four = (SearchResults, SearchResults, SearchResults, SearchResults);

fn unscored(mut all: Four) -> Four {
    for results in [&mut all.0, &mut all.1, &mut all.2, &mut all.3] {
        for hit in &mut results.hits {
            hit.score = 0.0;
        }
    }
    all
}

fn keys(results: &SearchResults) -> Vec<String> {
    results.hits.iter().map(|h| h.key.clone()).collect()
}

/// An index with three committed documents, and its live writer.
fn served() -> (SearchIndex, atelier_search::IndexWriterHandle) {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.live_writer().unwrap();
    writer.upsert(&doc("text:1", "text", SANTE, 1)).unwrap();
    writer.upsert(&doc("text:2", "text", ECOLE, 2)).unwrap();
    writer
        .upsert(&doc("amendment:3", "amendment", ENERGIE, 3))
        .unwrap();
    writer.commit_at(3).unwrap();
    (index, writer)
}

#[test]
fn a_published_change_is_found_before_the_commit_and_the_same_after() {
    let (index, mut writer) = served();
    // A new document, and one whose body changed.
    writer
        .upsert(&doc(
            "text:4",
            "text",
            "Des centrales solaires sur chaque lycée.",
            4,
        ))
        .unwrap();
    writer
        .upsert(&doc(
            "text:2",
            "text",
            "Gratuité des cantines scolaires.",
            2,
        ))
        .unwrap();
    assert!(
        keys(&search(&index, "cantines")).is_empty(),
        "not yet published"
    );
    writer.publish().unwrap();

    let before = (
        search(&index, "cantines"),
        search(&index, "lycées"),
        search(&index, "centrales"),
        search(&index, ""),
    );
    assert_eq!(keys(&before.0), ["text:2"]);
    assert_eq!(keys(&before.1), ["text:4"], "text:2's old body is hidden");
    assert_eq!(before.2.total, 2);
    assert_eq!(
        before.3.total,
        4,
        "nothing found twice: {:?}",
        keys(&before.3)
    );
    assert_eq!(
        keys(&before.3),
        ["text:4", "amendment:3", "text:2", "text:1"],
        "newest first across both layers"
    );
    assert_eq!(
        before.3.facets_kind,
        [("text".to_owned(), 3), ("amendment".to_owned(), 1)]
    );

    writer.commit_at(5).unwrap();
    let after = (
        search(&index, "cantines"),
        search(&index, "lycées"),
        search(&index, "centrales"),
        search(&index, ""),
    );
    // Scores aside: a merge of the disk's segments, which tantivy may finish at any time after
    // a commit, forgets the replaced documents that BM25's statistics still counted.
    assert_eq!(
        unscored(after),
        unscored(before),
        "the commit changes nothing a search sees"
    );
    assert_eq!(index.position().unwrap(), Some(5));
}

#[test]
fn scores_do_not_depend_on_the_layer() {
    let (index, mut writer) = served();
    writer
        .upsert(&doc("text:4", "text", "Les centrales solaires, encore.", 4))
        .unwrap();
    writer.publish().unwrap();
    let fresh = search(&index, "centrales solaires");
    writer.commit().unwrap();
    let committed = search(&index, "centrales solaires");
    assert_eq!(keys(&fresh), keys(&committed));
    for (a, b) in fresh.hits.iter().zip(&committed.hits) {
        assert!(
            (a.score - b.score).abs() < 1e-4,
            "{} vs {}",
            a.score,
            b.score
        );
        assert_eq!(a.snippet_html, b.snippet_html);
    }
}

#[test]
fn deletions_and_replaced_sources_are_hidden_at_once() {
    let (index, mut writer) = served();
    writer
        .replace_source(
            "text:9",
            &[
                doc("paragraph:9:1", "paragraph", SANTE, 5),
                doc("paragraph:9:2", "paragraph", ECOLE, 6),
            ],
        )
        .unwrap();
    writer.commit().unwrap();
    assert_eq!(search(&index, "maladies").total, 2);

    writer.delete("text:1");
    writer
        .replace_source("text:9", &[doc("paragraph:9:1", "paragraph", ENERGIE, 5)])
        .unwrap();
    writer.publish().unwrap();
    assert!(keys(&search(&index, "maladies")).is_empty());
    // text:2, committed and untouched, still holds "lycées"; paragraph 9:2 is gone.
    assert_eq!(keys(&search(&index, "lycées")), ["text:2"]);
    assert_eq!(search(&index, "centrales").total, 2);

    writer.clear().unwrap();
    writer.upsert(&doc("text:7", "text", SANTE, 7)).unwrap();
    writer.publish().unwrap();
    assert_eq!(
        keys(&search(&index, "")),
        ["text:7"],
        "a clear hides every disk document"
    );
    writer.commit().unwrap();
    assert_eq!(keys(&search(&index, "")), ["text:7"]);
}

#[test]
fn pages_cut_across_layers_lose_and_repeat_nothing() {
    let (index, mut writer) = served();
    for i in 4..30 {
        writer
            .upsert(&doc(&format!("text:{i}"), "text", SANTE, i))
            .unwrap();
        if i == 15 {
            writer.commit().unwrap();
        }
    }
    writer.publish().unwrap();
    let mut seen = Vec::new();
    for page in 0..4 {
        let results = index
            .search(&SearchQuery {
                text: "maladies".to_owned(),
                readers: vec!["public".to_owned()],
                offset: page * 8,
                limit: 8,
                ..SearchQuery::default()
            })
            .unwrap();
        assert_eq!(results.total, 27);
        seen.extend(keys(&results));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 27);
}

#[test]
fn a_rollback_or_a_dropped_writer_unpublishes() {
    let (index, mut writer) = served();
    writer.delete("text:1");
    writer.publish().unwrap();
    assert!(keys(&search(&index, "maladies")).is_empty());
    writer.rollback().unwrap();
    assert_eq!(keys(&search(&index, "maladies")), ["text:1"]);

    writer.upsert(&doc("text:8", "text", SANTE, 8)).unwrap();
    writer.publish().unwrap();
    assert_eq!(search(&index, "maladies").total, 2);
    drop(writer);
    assert_eq!(keys(&search(&index, "maladies")), ["text:1"]);
    // The next writer starts empty-handed and works.
    let mut writer = index.live_writer().unwrap();
    writer.upsert(&doc("text:8", "text", SANTE, 8)).unwrap();
    writer.publish().unwrap();
    assert_eq!(search(&index, "maladies").total, 2);
}

#[test]
fn only_a_live_writer_publishes() {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.writer().unwrap();
    writer.upsert(&doc("text:1", "text", SANTE, 1)).unwrap();
    writer.publish().unwrap();
    assert_eq!(search(&index, "maladies").total, 0);
    writer.commit().unwrap();
    assert_eq!(search(&index, "maladies").total, 1);
}

/// The version changes with what searches see (a publication, a commit), and only then: what is
/// kept by version (the server's related work) is never older than the index.
#[test]
fn the_version_follows_what_searches_see() {
    let (index, mut writer) = served();
    let at_start = index.version();
    assert_eq!(index.version(), at_start, "nothing changed");
    writer.upsert(&doc("text:4", "text", SANTE, 4)).unwrap();
    assert_eq!(index.version(), at_start, "written, not yet published");
    writer.publish().unwrap();
    let published = index.version();
    assert_ne!(published, at_start);
    assert_eq!(index.clone().version(), published, "clones share it");
    writer.publish().unwrap();
    assert_eq!(index.version(), published, "nothing new to publish");
    writer.commit_at(4).unwrap();
    let committed = index.version();
    assert_ne!(committed, published);
    drop(writer);
    assert_ne!(index.version(), committed, "the fresh layer dropped");
    // A writer without a fresh layer changes it at its commit.
    let before = index.version();
    let mut plain = index.writer().unwrap();
    plain.upsert(&doc("text:5", "text", ECOLE, 5)).unwrap();
    assert_eq!(index.version(), before);
    plain.commit().unwrap();
    assert_ne!(index.version(), before);
}
