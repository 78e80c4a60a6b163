//! Who may see what, inside the query: a document is found only by those holding one of its
//! readers — in totals, facets and every page alike — and related work obeys the same rule.

mod support;

use atelier_search::{IndexDoc, Like, RelatedQuery, SearchIndex, SearchQuery, SearchResults};
use support::{indexed, keys, query};

const PRIVATE: &str = "La section propose la gratuité des cantines scolaires financée par une \
    taxe sur les transactions financières.";
const DRAFT: &str = "Amendement : remplacer « cantines scolaires » par « cantines scolaires et \
    universitaires », financées par l'État.";
const PUBLIC: &str = "Les cantines scolaires servent des repas biologiques et locaux.";

fn doc(key: &str, kind: &str, body: &str, readers: &[&str], group: &str, place: &str) -> IndexDoc {
    IndexDoc {
        key: key.into(),
        source: format!("source:{key}"),
        kind: kind.into(),
        body: body.into(),
        group_id: Some(group.into()),
        theme: Some("Éducation".into()),
        status: Some(
            if kind == "amendment" {
                "draft"
            } else {
                "adopted"
            }
            .into(),
        ),
        place: Some(place.into()),
        date: Some(1_700_000_000),
        url: format!("/{key}"),
        readers: readers.iter().map(|r| (*r).to_owned()).collect(),
        ..IndexDoc::default()
    }
}

/// The relevance corpus, plus a private group's paragraph, a member's draft amendment and a
/// public paragraph, all about school canteens.
fn index_with_secrets(live: bool) -> (SearchIndex, Option<atelier_search::IndexWriterHandle>) {
    let index = indexed();
    let mut writer = if live {
        index.live_writer().unwrap()
    } else {
        index.writer().unwrap()
    };
    for d in [
        doc(
            "paragraph:private",
            "paragraph",
            PRIVATE,
            &["group:70"],
            "70",
            "/savoie/chambery",
        ),
        doc(
            "amendment:draft",
            "amendment",
            DRAFT,
            &["member:5"],
            "80",
            "/corse/ajaccio",
        ),
        doc(
            "paragraph:public",
            "paragraph",
            PUBLIC,
            &["public"],
            "90",
            "/nord/lille",
        ),
    ] {
        writer.upsert(&d).unwrap();
    }
    if live {
        writer.publish().unwrap();
        (index, Some(writer))
    } else {
        writer.commit().unwrap();
        (index, None)
    }
}

fn as_reader(text: &str, readers: &[&str]) -> SearchQuery {
    SearchQuery {
        readers: readers.iter().map(|r| (*r).to_owned()).collect(),
        ..query(text)
    }
}

/// Every key of every page, three hits a page.
fn all_pages(index: &SearchIndex, q: &SearchQuery) -> Vec<String> {
    let mut found = Vec::new();
    for page in 0.. {
        let results = index
            .search(&SearchQuery {
                offset: page * 3,
                limit: 3,
                ..q.clone()
            })
            .unwrap();
        if results.hits.is_empty() {
            break;
        }
        found.extend(results.hits.into_iter().map(|h| h.key));
    }
    found
}

fn facet_total(facet: &[(String, u64)]) -> u64 {
    facet.iter().map(|(_, n)| n).sum()
}

/// The total is what the pages hold, and what the kinds add up to (every document has one;
/// not every one has a status, a theme…).
fn assert_consistent(results: &SearchResults, pages: &[String]) {
    assert_eq!(results.total, pages.len());
    assert_eq!(facet_total(&results.facets_kind), results.total as u64);
    for facet in [
        &results.facets_group,
        &results.facets_theme,
        &results.facets_status,
    ] {
        assert!(facet_total(facet) <= results.total as u64);
    }
}

#[test]
fn what_a_searcher_may_not_see_is_nowhere() {
    for live in [false, true] {
        let (index, _writer) = index_with_secrets(live);
        for text in [
            "cantines scolaires",
            "",
            "cantine",
            "cantines -biologiques",
            "scol*",
        ] {
            let outsider = as_reader(text, &["public", "group:3", "member:9"]);
            let results = index.search(&outsider).unwrap();
            let pages = all_pages(&index, &outsider);
            assert_consistent(&results, &pages);
            assert!(
                !pages
                    .iter()
                    .any(|k| k == "paragraph:private" || k == "amendment:draft"),
                "{text:?} (live: {live}): {pages:?}"
            );
            assert!(
                !results
                    .facets_group
                    .iter()
                    .any(|(g, _)| g == "70" || g == "80")
            );
            assert!(!results.facets_kind.iter().any(|(k, _)| k == "amendment"));
            assert!(!results.facets_status.iter().any(|(s, _)| s == "draft"));
            assert!(
                !results
                    .facets_place
                    .iter()
                    .any(|(p, _)| p == "/savoie" || p == "/corse")
            );

            // The group's members see its paragraph; the author sees their draft.
            let member = as_reader(text, &["public", "group:70"]);
            let pages = all_pages(&index, &member);
            assert_consistent(&index.search(&member).unwrap(), &pages);
            assert!(pages.iter().any(|k| k == "paragraph:private"), "{text:?}");
            assert!(!pages.iter().any(|k| k == "amendment:draft"), "{text:?}");
            let author = as_reader(text, &["public", "member:5"]);
            let pages = all_pages(&index, &author);
            assert!(pages.iter().any(|k| k == "amendment:draft"), "{text:?}");
            assert!(!pages.iter().any(|k| k == "paragraph:private"), "{text:?}");
        }
        // Filters and facets with a grant: the private group's facet value is counted.
        let member = SearchQuery {
            group_id: Some("90".into()),
            ..as_reader("cantines", &["public", "group:70"])
        };
        let results = index.search(&member).unwrap();
        assert_eq!(keys(&results), ["paragraph:public"]);
        assert_eq!(
            results.facets_group,
            [("70".to_owned(), 1), ("90".to_owned(), 1)]
        );
    }
}

#[test]
fn no_grant_finds_nothing() {
    let (index, _) = index_with_secrets(false);
    for text in ["cantines", "", "type:paragraph"] {
        let results = index.search(&as_reader(text, &[])).unwrap();
        assert_eq!(results.total, 0, "{text:?}");
        assert!(results.hits.is_empty());
        assert!(results.facets_kind.is_empty());
        assert!(results.facets_place.is_empty());
    }
    // A document without readers is found by no one.
    let mut writer = index.writer().unwrap();
    writer
        .upsert(&doc(
            "paragraph:nobody",
            "paragraph",
            PUBLIC,
            &[],
            "90",
            "/nord",
        ))
        .unwrap();
    writer.commit().unwrap();
    let results = index
        .search(&as_reader("\"repas biologiques\"", &["public", "group:90"]))
        .unwrap();
    assert_eq!(keys(&results), ["paragraph:public"]);
    // The server's own checks see everything.
    let everything = SearchQuery {
        all_readers_for_internal_checks: true,
        ..as_reader("\"repas biologiques\"", &[])
    };
    let mut found = keys(&index.search(&everything).unwrap())
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    found.sort();
    assert_eq!(found, ["paragraph:nobody", "paragraph:public"]);
}

fn related(index: &SearchIndex, like: Like, readers: &[&str]) -> Vec<String> {
    index
        .related(&RelatedQuery {
            like,
            readers: readers.iter().map(|r| (*r).to_owned()).collect(),
            limit: 10,
            ..RelatedQuery::default()
        })
        .unwrap()
        .into_iter()
        .map(|h| h.key)
        .collect()
}

#[test]
fn related_work_comes_from_elsewhere_and_obeys_readers() {
    let (index, _) = index_with_secrets(false);
    // Another paragraph of the same source as the public one: not « elsewhere ».
    let mut writer = index.writer().unwrap();
    writer
        .upsert(&IndexDoc {
            source: "source:paragraph:public".into(),
            ..doc(
                "paragraph:public-2",
                "paragraph",
                "Les cantines scolaires et les repas des écoles.",
                &["public"],
                "90",
                "/nord/lille",
            )
        })
        .unwrap();
    writer.commit().unwrap();

    let like = || Like::Key("paragraph:public".into());
    let outsider = related(&index, like(), &["public"]);
    assert!(!outsider.is_empty());
    assert!(
        !outsider.iter().any(|k| k.starts_with("paragraph:public")),
        "{outsider:?}"
    );
    assert!(!outsider.contains(&"paragraph:private".to_owned()));
    assert!(!outsider.contains(&"amendment:draft".to_owned()));
    let member = related(&index, like(), &["public", "group:70"]);
    assert_eq!(
        member.first().map(String::as_str),
        Some("paragraph:private"),
        "{member:?}"
    );
    let author = related(&index, like(), &["public", "member:5"]);
    assert!(author.contains(&"amendment:draft".to_owned()), "{author:?}");
    assert!(related(&index, like(), &[]).is_empty(), "no grant, nothing");
    // A document one may not see has nothing related.
    assert!(related(&index, Like::Key("paragraph:private".into()), &["public"]).is_empty());
    assert!(
        !related(
            &index,
            Like::Key("paragraph:private".into()),
            &["group:70", "public"]
        )
        .is_empty()
    );

    // Kinds and excluded groups.
    let amendments = index
        .related(&RelatedQuery {
            like: like(),
            readers: vec!["public".into(), "member:5".into(), "group:70".into()],
            kinds: vec!["amendment".into()],
            limit: 10,
            ..RelatedQuery::default()
        })
        .unwrap();
    assert_eq!(
        amendments
            .iter()
            .map(|h| h.key.as_str())
            .collect::<Vec<_>>(),
        ["amendment:draft"]
    );
    assert!(
        amendments[0].snippet_html.contains("<mark>"),
        "{}",
        amendments[0].snippet_html
    );
    let elsewhere = index
        .related(&RelatedQuery {
            like: like(),
            readers: vec!["public".into(), "group:70".into()],
            exclude_groups: vec!["70".into()],
            limit: 10,
            ..RelatedQuery::default()
        })
        .unwrap();
    assert!(!elsewhere.is_empty());
    assert!(
        !elsewhere
            .iter()
            .any(|h| h.group_id.as_deref() == Some("70"))
    );

    // Some text being written: an amendment about canteens finds the others.
    let typed = related(
        &index,
        Like::Text("Des repas biologiques dans les cantines des écoles".into()),
        &["public"],
    );
    assert_eq!(
        typed.first().map(String::as_str),
        Some("paragraph:public"),
        "{typed:?}"
    );
    assert!(related(&index, Like::Key("no-such-key".into()), &["public"]).is_empty());
    assert!(related(&index, Like::Text("le la les".into()), &["public"]).is_empty());
}

#[test]
fn related_work_across_the_programme_and_the_bills() {
    let index = indexed();
    let found = index
        .related(&RelatedQuery {
            like: Like::Key("programme:sante:1".into()),
            readers: vec!["public".into()],
            limit: 5,
            ..RelatedQuery::default()
        })
        .unwrap();
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|h| h.source != "programme:sante"),
        "its own source is left out"
    );
    // « assurances maladies », « organisme », « procédures administratives »: the hits share
    // at least two of the paragraph's words.
    for hit in &found {
        assert!(
            hit.snippet_html.matches("<mark>").count() >= 1,
            "{}",
            hit.snippet_html
        );
    }
}
