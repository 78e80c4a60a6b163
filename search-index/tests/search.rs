//! Search behaviour on real French text.
//!
//! The sentences below are taken from a real 2017 French presidential programme,
//! aloisdg/VIrepublique2017 (files politique.md, sante.md, energie.md, education.md),
//! licensed CC BY-SA 4.0 (see ../shared/data/README.md).

use atelier_search::{
    IndexDoc, Language, SCHEMA_VERSION_FILE, SearchError, SearchIndex, SearchQuery,
};

const ASSEMBLEE: &str = "Introduction de la démocratie directe dans les décisions de l'assemblée. \
    75% du vote des projets de loi de l'assemblée viennent des parlementaires. 25% du vote vient \
    de la participation directe du peuple.";
const SANTE: &str = "Fusion de toutes les assurances maladies dans un organisme géré par l'état. \
    Suppression de beaucoup de procédures administratives de santé.";
const CARTE: &str = "Création d'une carte d'identité électronique pour moderniser les systèmes \
    d'état. Cette carte servirait de preuve d'identification pour les services numériques \
    (impôts, santé...), le vote électronique.";
const ENERGIE: &str = "Mise en production de davantage de moyens de génération d'énergie \
    électrique écologiques pour remplacer les centrales nucléaires et les centrales thermiques.";
const STOCKAGE: &str = "Investissements importants dans les technologies de stockage d'énergie. \
    Il s'agit d'une des choses qui retient le plus la transition énergétique.";
const LYCEE: &str = "Augmentations importantes des places d'internats dans les lycées.";

fn doc(key: &str, kind: &str, title: &str, body: &str) -> IndexDoc {
    IndexDoc {
        key: key.to_owned(),
        kind: kind.to_owned(),
        title: title.to_owned(),
        body: body.to_owned(),
        url: format!("/{}", key.replace(':', "/")),
        readers: vec!["public".to_owned()],
        ..IndexDoc::default()
    }
}

/// Six paragraphs and two amendments, in two federations, dated one day apart.
fn corpus() -> Vec<IndexDoc> {
    let day = 86_400;
    let base = 1_700_000_000;
    let mut docs = vec![
        doc("paragraph:1:1", "paragraph", "Institutions", ASSEMBLEE),
        doc("paragraph:2:1", "paragraph", "Santé", SANTE),
        doc("paragraph:1:2", "paragraph", "Institutions", CARTE),
        doc("paragraph:3:1", "paragraph", "Énergie", ENERGIE),
        doc("paragraph:3:2", "paragraph", "Énergie", STOCKAGE),
        doc("paragraph:4:1", "paragraph", "Éducation", LYCEE),
        doc(
            "amendment:7",
            "amendment",
            "Amendement sur l'énergie",
            "Remplacer « centrales nucléaires » par « centrales solaires ».",
        ),
        doc(
            "amendment:8",
            "amendment",
            "Amendement sur la santé",
            "Ajouter la santé mentale aux procédures administratives.",
        ),
    ];
    for (i, d) in docs.iter_mut().enumerate() {
        d.date = Some(base + i as i64 * day);
        let (place, group) = if i % 2 == 0 {
            ("/rhone/lyon-3", "12")
        } else {
            ("/gironde/bordeaux", "34")
        };
        d.place = Some(place.to_owned());
        d.group_id = Some(group.to_owned());
        d.status = Some("draft".to_owned());
        d.author = Some("member:1".to_owned());
    }
    docs
}

fn indexed() -> SearchIndex {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.writer().unwrap();
    for d in corpus() {
        writer.upsert(&d).unwrap();
    }
    writer.commit().unwrap();
    index
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        readers: vec!["public".to_owned()],
        limit: 20,
        ..SearchQuery::default()
    }
}

fn keys(index: &SearchIndex, q: &SearchQuery) -> Vec<String> {
    let mut keys: Vec<String> = index
        .search(q)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.key)
        .collect();
    keys.sort();
    keys
}

#[test]
fn unaccented_query_finds_accented_text() {
    let index = indexed();
    for q in ["assemblee", "Assemblée", "ASSEMBLEE", "l'assemblée"] {
        assert_eq!(keys(&index, &query(q)), ["paragraph:1:1"], "query {q:?}");
    }
}

#[test]
fn sante_finds_sante_title_first() {
    let index = indexed();
    let results = index.search(&query("santé")).unwrap();
    let mut found: Vec<&str> = results.hits.iter().map(|h| h.key.as_str()).collect();
    // Both documents with "Santé" in the title come before the one mentioning it in passing.
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found.pop(), Some("paragraph:1:2"));
    found.sort();
    assert_eq!(found, ["amendment:8", "paragraph:2:1"]);
    assert_eq!(keys(&index, &query("sante")), keys(&index, &query("santé")));
    assert_eq!(results.total, 3);
}

#[test]
fn plural_and_singular_meet() {
    let index = indexed();
    // "Investissements" in the text.
    assert_eq!(keys(&index, &query("investissement")), ["paragraph:3:2"]);
    // "centrales nucléaires" in the text.
    assert_eq!(
        keys(&index, &query("centrale nucléaire")),
        ["amendment:7", "paragraph:3:1"]
    );
    // "lycées" and "internats" in the text.
    assert_eq!(keys(&index, &query("lycee internat")), ["paragraph:4:1"]);
}

#[test]
fn stop_words_match_nothing_and_do_not_widen_a_query() {
    let index = indexed();
    let results = index.search(&query("la les de des du à a est")).unwrap();
    assert_eq!(results.total, 0);
    assert!(results.hits.is_empty());
    assert_eq!(
        keys(&index, &query("de la santé")),
        keys(&index, &query("santé"))
    );
}

#[test]
fn words_are_all_required() {
    let index = indexed();
    assert_eq!(keys(&index, &query("santé mentale")), ["amendment:8"]);
    assert!(keys(&index, &query("santé uranium")).is_empty());
}

#[test]
fn snippets_highlight_the_original_words_and_escape_html() {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.writer().unwrap();
    let mut d = doc("comment:1", "comment", "Avis", "");
    d.body = format!("<script>alert(1)</script> {SANTE}");
    writer.upsert(&d).unwrap();
    writer.commit().unwrap();

    let hit = &index.search(&query("sante")).unwrap().hits[0];
    assert!(
        hit.snippet_html.contains("<mark>santé</mark>"),
        "{}",
        hit.snippet_html
    );
    assert!(
        !hit.snippet_html.contains("<script>"),
        "{}",
        hit.snippet_html
    );
    assert!(hit.score > 0.0);
    assert_eq!(hit.url, "/comment/1");

    // A hit on the title alone shows the start of the body, escaped.
    let hit = &index.search(&query("avis")).unwrap().hits[0];
    assert!(
        hit.snippet_html.starts_with("&lt;script&gt;"),
        "{}",
        hit.snippet_html
    );
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.writer().unwrap();
    writer
        .upsert(&doc(
            "paragraph:1:1",
            "paragraph",
            "Institutions",
            ASSEMBLEE,
        ))
        .unwrap();
    writer.commit().unwrap();
    assert_eq!(index.doc_count(), 1);

    writer
        .upsert(&doc("paragraph:1:1", "paragraph", "Institutions", LYCEE))
        .unwrap();
    writer.commit().unwrap();
    assert_eq!(index.doc_count(), 1);
    assert!(keys(&index, &query("assemblée")).is_empty());
    assert_eq!(keys(&index, &query("lycée")), ["paragraph:1:1"]);

    // Upserting twice before one commit also leaves one document.
    writer
        .upsert(&doc("text:2", "text", "Santé", SANTE))
        .unwrap();
    writer
        .upsert(&doc("text:2", "text", "Santé", SANTE))
        .unwrap();
    writer.commit().unwrap();
    assert_eq!(index.doc_count(), 2);

    writer.delete("paragraph:1:1");
    writer.delete("no-such-key");
    writer.commit().unwrap();
    assert_eq!(index.doc_count(), 1);
    assert!(keys(&index, &query("lycée")).is_empty());

    // Uncommitted changes are invisible, and a rollback drops them.
    writer.delete("text:2");
    assert_eq!(index.doc_count(), 1);
    writer.rollback().unwrap();
    writer.commit().unwrap();
    assert_eq!(index.doc_count(), 1);
}

#[test]
fn clear_then_reindex() {
    let index = indexed();
    let mut writer = index.writer().unwrap();
    writer.clear().unwrap();
    writer
        .upsert(&doc("paragraph:4:1", "paragraph", "Éducation", LYCEE))
        .unwrap();
    writer.commit().unwrap();
    assert_eq!(index.doc_count(), 1);
    assert_eq!(keys(&index, &query("lycée")), ["paragraph:4:1"]);
    assert!(keys(&index, &query("santé")).is_empty());
}

#[test]
fn empty_key_is_refused() {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.writer().unwrap();
    let err = writer.upsert(&doc("", "comment", "t", "b")).unwrap_err();
    assert!(matches!(err, SearchError::EmptyKey { .. }), "{err}");
}

#[test]
fn kind_filter_and_kind_facets() {
    let index = indexed();
    let mut q = query("santé");
    q.kind = Some("amendment".to_owned());
    let results = index.search(&q).unwrap();
    assert_eq!(results.total, 1);
    assert_eq!(results.hits[0].key, "amendment:8");
    assert_eq!(results.hits[0].kind, "amendment");
    // The facets ignore the kind filter, so the other kinds can be offered.
    assert_eq!(
        results.facets_kind,
        [("paragraph".to_owned(), 2), ("amendment".to_owned(), 1)]
    );

    let all = index.search(&query("")).unwrap();
    assert_eq!(all.total, 8);
    assert_eq!(
        all.facets_kind,
        [("paragraph".to_owned(), 6), ("amendment".to_owned(), 2)]
    );

    q.kind = Some("debate".to_owned());
    assert_eq!(index.search(&q).unwrap().total, 0);
}

#[test]
fn date_filter_is_inclusive() {
    let index = indexed();
    let day = 86_400;
    let base = 1_700_000_000;
    let mut q = query("");
    q.from = Some(base + day);
    q.to = Some(base + 3 * day);
    assert_eq!(
        keys(&index, &q),
        ["paragraph:1:2", "paragraph:2:1", "paragraph:3:1"]
    );
    q.text = "santé".to_owned();
    assert_eq!(keys(&index, &q), ["paragraph:1:2", "paragraph:2:1"]);
    q.to = None;
    q.from = Some(base + 7 * day);
    assert_eq!(keys(&index, &q), ["amendment:8"]);
    q.from = None;
    q.to = Some(base - 1);
    assert!(keys(&index, &q).is_empty());

    // Documents without a date are left out by a date filter, kept otherwise.
    let mut writer = index.writer().unwrap();
    writer
        .upsert(&doc("group:1", "group", "Santé", ""))
        .unwrap();
    writer.commit().unwrap();
    assert!(!keys(&index, &q).contains(&"group:1".to_owned()));
    assert!(keys(&index, &query("santé")).contains(&"group:1".to_owned()));
}

#[test]
fn group_and_place_filters() {
    let index = indexed();
    let mut q = query("santé");
    q.group_id = Some("34".to_owned());
    assert_eq!(keys(&index, &q), ["amendment:8", "paragraph:2:1"]);
    q.group_id = None;
    q.place_prefix = Some("/rhone".to_owned());
    assert_eq!(keys(&index, &q), ["paragraph:1:2"]);
    q.place_prefix = Some("/rhone/lyon-3".to_owned());
    assert_eq!(keys(&index, &q), ["paragraph:1:2"]);
    q.place_prefix = Some("/rhone/lyon".to_owned());
    assert!(keys(&index, &q).is_empty());
    q.place_prefix = Some("/".to_owned());
    assert_eq!(
        keys(&index, &q),
        ["amendment:8", "paragraph:1:2", "paragraph:2:1"]
    );
    q.place_prefix = Some("gironde/".to_owned());
    assert_eq!(keys(&index, &q), ["amendment:8", "paragraph:2:1"]);
}

#[test]
fn listing_without_text_is_newest_first_and_pages() {
    let index = indexed();
    let mut q = query("   ");
    q.limit = 3;
    let page = index.search(&q).unwrap();
    assert_eq!(page.total, 8);
    let found: Vec<&str> = page.hits.iter().map(|h| h.key.as_str()).collect();
    assert_eq!(found, ["amendment:8", "amendment:7", "paragraph:4:1"]);
    assert_eq!(page.hits[0].date, Some(1_700_000_000 + 7 * 86_400));
    assert_eq!(page.hits[0].status.as_deref(), Some("draft"));
    q.offset = 6;
    let found: Vec<String> = index
        .search(&q)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.key)
        .collect();
    assert_eq!(found, ["paragraph:2:1", "paragraph:1:1"]);

    q.limit = 0;
    let counts = index.search(&q).unwrap();
    assert_eq!(counts.total, 8);
    assert!(counts.hits.is_empty());
    assert_eq!(counts.facets_kind.len(), 2);
}

#[test]
fn hostile_queries_do_not_error() {
    let index = indexed();
    let long = "santé ".repeat(2_000);
    let hostile = [
        "\"unbalanced",
        "santé\"",
        "field:",
        "title:",
        "url:santé",
        "nosuchfield:santé",
        "AND OR",
        "AND",
        "OR santé AND",
        "NOT",
        "-",
        "+",
        "-santé",
        "*",
        "santé*",
        "((((santé",
        "santé))))",
        "[a TO",
        "date:[2020 TO nope]",
        "date:>",
        "body:\"santé",
        "santé^",
        "santé^abc",
        "santé~",
        "\"santé\"~x",
        "\\",
        "\u{0}",
        "😀 🏛️",
        "kind:amendment OR",
        "IN [",
        long.as_str(),
    ];
    for text in hostile {
        for kind in [None, Some("paragraph".to_owned())] {
            let q = SearchQuery {
                text: text.to_owned(),
                readers: vec!["public".to_owned()],
                kind,
                offset: usize::MAX,
                limit: usize::MAX,
                ..SearchQuery::default()
            };
            let results = index.search(&q);
            assert!(results.is_ok(), "{text:?}: {:?}", results.err());
        }
    }
    // Field syntax on indexed fields is honoured.
    assert_eq!(
        keys(&index, &query("kind:amendment santé")),
        ["amendment:8"]
    );
    // A bare negation finds nothing rather than everything else.
    assert_eq!(index.search(&query("-santé")).unwrap().total, 0);
    // A negation beside a positive term works.
    assert_eq!(
        keys(&index, &query("santé -mentale")),
        ["paragraph:1:2", "paragraph:2:1"]
    );
}

#[test]
fn english_documents_are_read_in_english() {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.writer().unwrap();
    writer
        .upsert(&IndexDoc {
            language: Language::English,
            ..doc(
                "wiki:1",
                "text",
                "Reforms",
                "The reforms of the health system",
            )
        })
        .unwrap();
    writer.commit().unwrap();
    assert_eq!(keys(&index, &query("reform")), ["wiki:1"]);
    assert_eq!(keys(&index, &query("systems")), ["wiki:1"]);
    assert_eq!(keys(&index, &query("the health systems")), ["wiki:1"]);
    let hit = &index.search(&query("system")).unwrap().hits[0];
    assert_eq!(hit.language, Language::English);
    assert_eq!(hit.title, "Reforms");
    assert!(
        hit.snippet_html.contains("<mark>system</mark>"),
        "{}",
        hit.snippet_html
    );
}

#[test]
fn clones_see_commits_at_once() {
    let index = SearchIndex::open_in_ram();
    let clone = index.clone();
    let mut writer = index.writer().unwrap();
    writer
        .upsert(&doc("text:1", "text", "Santé", SANTE))
        .unwrap();
    assert_eq!(clone.doc_count(), 0);
    writer.commit().unwrap();
    assert_eq!(clone.doc_count(), 1);
    assert!(clone.healthy());
}

#[test]
fn one_writer_at_a_time() {
    let index = SearchIndex::open_in_ram();
    let writer = index.writer().unwrap();
    let err = index.writer().unwrap_err();
    assert!(matches!(err, SearchError::WriterLocked { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("the search index at memory already has a writer")
    );
    drop(writer);
    assert!(index.writer().is_ok());
}

#[test]
fn on_disk_index_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/search");
    {
        let index = SearchIndex::open_or_create(&path).unwrap();
        assert_eq!(index.doc_count(), 0);
        assert!(index.healthy());
        let mut writer = index.writer().unwrap();
        for d in corpus() {
            writer.upsert(&d).unwrap();
        }
        writer.commit().unwrap();
        // Uncommitted work is lost on close.
        writer
            .upsert(&doc("text:9", "text", "Perdu", LYCEE))
            .unwrap();
    }
    assert!(path.join(SCHEMA_VERSION_FILE).is_file());
    let index = SearchIndex::open_or_create(&path).unwrap();
    assert_eq!(index.doc_count(), 8);
    assert_eq!(keys(&index, &query("assemblee")), ["paragraph:1:1"]);
    // The writer lock was released with the first handle.
    let mut writer = index.writer().unwrap();
    writer.delete("paragraph:1:1");
    writer.commit().unwrap();
    assert_eq!(index.doc_count(), 7);
}

#[test]
fn schema_version_mismatch_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    drop(SearchIndex::open_or_create(&path).unwrap());

    std::fs::write(path.join(SCHEMA_VERSION_FILE), "0\n").unwrap();
    let err = SearchIndex::open_or_create(&path).unwrap_err();
    assert!(matches!(err, SearchError::SchemaMismatch { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("schema version 0"), "{message}");
    assert!(message.contains("atelier reindex"), "{message}");

    // An index without the version file (not made by Atelier, or made before it existed).
    std::fs::remove_file(path.join(SCHEMA_VERSION_FILE)).unwrap();
    let err = SearchIndex::open_or_create(&path).unwrap_err();
    assert!(matches!(err, SearchError::SchemaMismatch { .. }), "{err}");
    assert!(
        err.to_string().contains("no atelier-schema-version file"),
        "{err}"
    );
}

#[test]
fn unusable_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    let err = SearchIndex::open_or_create(&file).unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("the search index"), "{message}");
    assert!(message.contains("not-a-directory"), "{message}");
}

#[test]
fn handles_can_move_between_tasks() {
    fn shared<T: Send + Sync + Clone + 'static>() {}
    fn owned<T: Send + 'static>() {}
    shared::<SearchIndex>();
    owned::<atelier_search::IndexWriterHandle>();
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    error::<SearchError>();
}

#[test]
fn a_source_is_replaced_whole_and_its_paragraphs_show_their_label() {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.writer().unwrap();
    let paragraph = |n: u32, body: &str| IndexDoc {
        label: Some("Santé".into()),
        group_id: Some("4".into()),
        ..doc(&format!("paragraph:9:{n}"), "paragraph", "", body)
    };
    let title = IndexDoc {
        group_id: Some("4".into()),
        ..doc("text:9", "text", "Santé publique", "")
    };
    let first = [title.clone(), paragraph(1, SANTE), paragraph(2, LYCEE)];
    writer.replace_source("text:9", &first).unwrap();
    writer
        .upsert(&IndexDoc {
            group_id: Some("5".into()),
            ..doc("group:5", "group", "Lycées", LYCEE)
        })
        .unwrap();
    writer.commit_at(3).unwrap();
    assert_eq!(index.position().unwrap(), Some(3));
    let search = |text: &str, group: Option<&str>| {
        index
            .search(&SearchQuery {
                text: text.into(),
                readers: vec!["public".into()],
                group_id: group.map(str::to_owned),
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap()
    };
    let found = search("internats", None);
    assert_eq!(found.total, 2);
    assert_eq!(
        found.facets_group,
        [("4".to_owned(), 1), ("5".to_owned(), 1)]
    );
    let in_group = search("internats", Some("4"));
    assert_eq!(in_group.total, 1);
    assert_eq!(
        in_group.hits[0].title, "Santé",
        "the paragraph shows its label"
    );
    assert_eq!(in_group.hits[0].source, "text:9");
    assert_eq!(
        in_group.facets_group.len(),
        2,
        "the group facet ignores the group filter"
    );
    let by_title = search("publique", None);
    assert_eq!(by_title.total, 1, "paragraphs are not found by their label");
    assert_eq!(by_title.hits[0].snippet_html, "Santé <mark>publique</mark>");

    // The paragraph about boarding schools is gone from the text: replaced whole, twice
    // (idempotent).
    let second = [title, paragraph(1, SANTE)];
    writer.replace_source("text:9", &second).unwrap();
    writer.replace_source("text:9", &second).unwrap();
    writer.commit_at(4).unwrap();
    assert_eq!(search("internats", None).total, 1);
    assert_eq!(search("maladies", None).total, 1);
    writer.replace_source("text:9", &[]).unwrap();
    writer.commit().unwrap();
    assert_eq!(search("maladies", None).total, 0);
    assert_eq!(
        index.position().unwrap(),
        None,
        "a commit without a position"
    );
}

#[test]
fn author_place_and_language_fields() {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.writer().unwrap();
    let mut english = doc("wiki:1", "wiki", "Health", "Health care for everyone.");
    english.language = Language::English;
    english.author = Some("John Smith".into());
    let mut french = doc("paragraph:1:1", "paragraph", "Santé", SANTE);
    french.author = Some("Hélène Dupré".into());
    french.place = Some("/rhone/lyon-3".into());
    writer.upsert(&english).unwrap();
    writer.upsert(&french).unwrap();
    writer.commit().unwrap();
    for text in [
        "auteur:dupre",
        "author:\"Hélène Dupré\"",
        "par:hélène santé",
        "lieu:lyon",
        "place:rhone",
        "langue:français",
        "lang:fr",
    ] {
        assert_eq!(keys(&index, &query(text)), ["paragraph:1:1"], "{text}");
    }
    for text in ["author:smith", "language:en", "lang:anglais health"] {
        assert_eq!(keys(&index, &query(text)), ["wiki:1"], "{text}");
    }
    assert!(keys(&index, &query("auteur:martin")).is_empty());
    let results = index.search(&query("langue:klingon")).unwrap();
    assert_eq!(results.total, 0);
    assert_eq!(
        results.notices,
        [atelier_search::Notice::UnknownValue {
            field: "langue".into(),
            value: "klingon".into()
        }]
    );
    // The exact filters of the query (what the page's filters set).
    let q = SearchQuery {
        author: Some("Hélène Dupré".into()),
        ..query("")
    };
    assert_eq!(keys(&index, &q), ["paragraph:1:1"]);
    let q = SearchQuery {
        language: Some(Language::English),
        ..query("")
    };
    assert_eq!(keys(&index, &q), ["wiki:1"]);
    let hit = &index.search(&query("santé")).unwrap().hits[0];
    assert_eq!(hit.place.as_deref(), Some("/rhone/lyon-3"));
    assert_eq!(hit.author.as_deref(), Some("Hélène Dupré"));
}
