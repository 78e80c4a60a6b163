//! Relevance on real French text (`fixtures/README.md`): forms of a word meet, accents,
//! elisions and « œ » do not matter, phrases, exclusions, prefixes, typos (exact first),
//! friendly fields and facet counts — each checked against what the documents say.

mod support;

use std::collections::BTreeSet;

use atelier_search::{
    IndexDoc, Language, Notice, SearchIndex, SearchQuery, SearchResults, analyze, english_analyzer,
    french_analyzer, french_words,
};
use support::{alineas, body, english, indexed, keys, programme, query};

/// Every document of the corpus: (key, body).
fn corpus() -> Vec<(String, String)> {
    alineas()
        .into_iter()
        .chain(programme())
        .chain(english())
        .map(|d| (d.key, d.body))
        .collect()
}

fn search(index: &SearchIndex, text: &str) -> SearchResults {
    index
        .search(&SearchQuery {
            limit: 100,
            ..query(text)
        })
        .unwrap()
}

/// The hits in the best tier: those that matched as many words exactly as the best one (each
/// word matched exactly adds 1000 to the score, a typo far less).
fn top_tier(results: &SearchResults) -> BTreeSet<String> {
    let best = results
        .hits
        .first()
        .map_or(0.0, |h| (h.score / 1000.0).floor());
    results
        .hits
        .iter()
        .filter(|h| (h.score / 1000.0).floor() == best)
        .map(|h| h.key.clone())
        .collect()
}

/// The documents whose body, analysed as the index does in its language, holds the stem of
/// `word` in that language.
fn with_stem(word: &str) -> BTreeSet<String> {
    let mut fr = french_analyzer();
    let mut en = english_analyzer();
    let stem_fr = analyze(&mut fr, word);
    let stem_en = analyze(&mut en, word);
    let mut found = BTreeSet::new();
    for doc in alineas().into_iter().chain(programme()).chain(english()) {
        let (analyzer, stem) = match doc.language {
            Language::French => (&mut fr, &stem_fr),
            Language::English => (&mut en, &stem_en),
        };
        let [stem] = stem.as_slice() else {
            continue;
        };
        if analyze(analyzer, &doc.body).contains(stem) {
            found.insert(doc.key);
        }
    }
    found
}

/// The documents whose words as written (folded) satisfy `test`, given the word and the next
/// ones.
fn with_words(test: impl Fn(&[String]) -> bool) -> BTreeSet<String> {
    let mut words = french_words();
    corpus()
        .into_iter()
        .filter(|(_, body)| {
            let all = analyze(&mut words, body);
            (0..all.len()).any(|i| test(&all[i..]))
        })
        .map(|(key, _)| key)
        .collect()
}

/// Forms of the same word, with and without accents, elisions, « œ », in capitals: the same
/// documents by their exact words — those whose body holds the stem.
#[test]
fn forms_of_a_word_find_the_same_documents() {
    let index = indexed();
    let cases: &[(&str, &[&str])] = &[
        // Plural and singular.
        ("retraite", &["retraites", "Retraites"]),
        ("forêt", &["forêts", "foret", "FORETS"]),
        // Snowball joins the verb, its participle and the noun.
        (
            "financement",
            &["financer", "financé", "financera", "finances"],
        ),
        ("adopté", &["adoptées", "adopter", "adoptés", "adoptees"]),
        // Plurals Snowball leaves alone, joined by our rule.
        (
            "emploi",
            &["emplois", "l'emploi", "l’emploi", "d'emploi", "L’EMPLOI"],
        ),
        ("élu", &["élus", "elus", "ÉLUS"]),
        ("loi", &["lois", "LOI"]),
        // Accents (and the English paragraph about "energy", stemmed as « énergie » is in
        // English).
        ("énergie", &["energie", "ÉNERGIE", "énergies"]),
        // « œ ».
        ("oeuvre", &["œuvre", "Œuvre", "OEUVRE", "l'œuvre", "œuvres"]),
        // Elision with both apostrophes.
        ("organe", &["l'organe", "d’organes", "l’organe"]),
    ];
    for (word, forms) in cases {
        let expected = with_stem(word);
        assert!(!expected.is_empty(), "{word}: the corpus has it");
        for form in std::iter::once(word).chain(forms.iter()) {
            let results = search(&index, form);
            assert_eq!(top_tier(&results), expected, "{form:?} (like {word:?})");
        }
    }
}

#[test]
fn two_words_with_and_without_accents() {
    let index = indexed();
    let expected = top_tier(&search(&index, "sécurité sociale"));
    assert_eq!(expected, &with_stem("sécurité") & &with_stem("sociale"));
    for form in ["securite sociale", "SÉCURITÉ SOCIALES", "sociale sécurité"] {
        assert_eq!(top_tier(&search(&index, form)), expected, "{form}");
    }
}

/// A phrase finds the documents where its words follow each other (stop words between them
/// count as words), whatever their form.
#[test]
fn phrases_find_their_words_in_a_row() {
    let index = indexed();
    let folded = |words: &[String], i: usize| words.get(i).cloned().unwrap_or_default();
    let cases: Vec<(&str, BTreeSet<String>)> = vec![
        (
            "\"sécurité sociale\"",
            with_words(|w| folded(w, 0) == "securite" && folded(w, 1).starts_with("social")),
        ),
        (
            "« collectivités territoriales »",
            with_words(|w| {
                folded(w, 0).starts_with("collectivite") && folded(w, 1).starts_with("territorial")
            }),
        ),
        // The words analyzer drops « en »: "mise(s) oeuvre" in a row, once folded.
        (
            "\"mise en œuvre\"",
            with_words(|w| folded(w, 0).starts_with("mise") && folded(w, 1) == "oeuvre"),
        ),
    ];
    for (phrase, expected) in cases {
        assert!(!expected.is_empty(), "{phrase}");
        let results = search(&index, phrase);
        let found: BTreeSet<String> = results.hits.iter().map(|h| h.key.clone()).collect();
        assert_eq!(found, expected, "{phrase}");
        assert_eq!(results.reading, None, "{phrase}");
    }
    // The same words, not as a phrase, find more.
    assert!(search(&index, "mise œuvre").total > search(&index, "\"mise en œuvre\"").total);
    // An elided word and stop words in a phrase.
    let results = search(&index, "\"jusqu’à la première réunion\"");
    assert!(
        keys(&results).contains(&"alinea:14"),
        "{:?}",
        keys(&results)
    );
    assert!(body("alinea:14").contains("jusqu'à la première réunion"));
}

#[test]
fn exclusions_remove_what_holds_the_word() {
    let index = indexed();
    let all: BTreeSet<String> = keys(&search(&index, "assurance"))
        .into_iter()
        .map(str::to_owned)
        .collect();
    let maladie = with_stem("maladie");
    let expected: BTreeSet<String> = all.difference(&maladie).cloned().collect();
    assert!(
        expected.len() < all.len(),
        "the exclusion removes something"
    );
    for text in [
        "assurance -maladie",
        "assurance -maladies",
        "-maladie assurance",
        "assurance NOT maladie",
    ] {
        let found: BTreeSet<String> = keys(&search(&index, text))
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(found, expected, "{text}");
    }
    // An excluded phrase.
    let results = search(&index, "financement -\"sécurité sociale\"");
    assert!(results.total > 0);
    for hit in &results.hits {
        let folded = analyze(&mut french_words(), &body(&hit.key)).join(" ");
        assert!(!folded.contains("securite sociale"), "{}", hit.key);
    }
}

#[test]
fn prefixes_find_every_word_they_begin() {
    let index = indexed();
    for prefix in ["assur", "financem", "territ", "Forê"] {
        let folded = analyze(&mut french_words(), prefix).join("");
        let expected = with_words(|w| w[0].starts_with(&folded));
        assert!(!expected.is_empty(), "{prefix}");
        let results = search(&index, &format!("{prefix}*"));
        let found: BTreeSet<String> = keys(&results).into_iter().map(str::to_owned).collect();
        assert_eq!(found, expected, "{prefix}*");
        let hit = &results.hits[0];
        assert!(hit.snippet_html.contains("<mark>"), "{}", hit.snippet_html);
    }
    // Too short: read as a word, and said.
    let results = search(&index, "lo*");
    assert_eq!(results.reading.as_deref(), Some("lo"));
    assert_eq!(
        results.notices,
        [Notice::ShortPrefix {
            prefix: "lo".into()
        }]
    );
}

#[test]
fn typos_are_forgiven_and_ranked_below_exact_words() {
    let index = indexed();
    let financement = with_words(|w| w[0] == "financement");
    for typo in ["finacement", "financemnet", "fiancement"] {
        let results = search(&index, typo);
        let found: BTreeSet<String> = keys(&results).into_iter().map(str::to_owned).collect();
        assert!(found.is_superset(&financement), "{typo}: {found:?}");
        assert!(
            results.hits.iter().all(|h| h.score < 1000.0),
            "{typo}: no exact match"
        );
        let hit = &results.hits[0];
        assert!(
            hit.snippet_html.contains("<mark>financement</mark>")
                || hit.snippet_html.contains("<mark>finances</mark>"),
            "{typo}: {}",
            hit.snippet_html
        );
    }
    // Two words, one misspelled: the documents with both come first.
    let results = search(&index, "colectivités territoriales");
    let first = &results.hits[0];
    let folded = analyze(&mut french_words(), &body(&first.key)).join(" ");
    assert!(
        folded.contains("collectivites territoriales"),
        "{}",
        first.key
    );
    // Short words have no typo tolerance: « loi » is not « lui », « roi », « foi ».
    assert_eq!(
        top_tier(&search(&index, "loi")),
        keys(&search(&index, "loi"))
            .into_iter()
            .map(str::to_owned)
            .collect()
    );
}

/// The exact word first, then its misspellings, whichever document says it more often.
#[test]
fn exact_matches_always_rank_above_typos() {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.writer().unwrap();
    let doc = |key: &str, body: &str| IndexDoc {
        key: key.into(),
        kind: "comment".into(),
        body: body.into(),
        readers: vec!["public".into()],
        ..IndexDoc::default()
    };
    writer
        .upsert(&doc(
            "exact",
            "Le financement des retraites par la solidarité.",
        ))
        .unwrap();
    writer
        .upsert(&doc(
            "typos",
            "Le finacement, le finacement, toujours le finacement des retraites.",
        ))
        .unwrap();
    writer.commit().unwrap();
    let order = |text: &str| {
        keys(&index.search(&query(text)).unwrap())
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(order("financement"), ["exact", "typos"]);
    assert_eq!(order("finacement"), ["typos", "exact"]);
    assert_eq!(order("financement retraites"), ["exact", "typos"]);
    assert_eq!(order("finnacement retraites"), ["exact", "typos"]);
}

#[test]
fn friendly_fields_filter() {
    let index = indexed();
    let results = search(&index, "type:programme thème:sante");
    assert_eq!(results.total, 7, "the 7 paragraphs of the Santé programme");
    assert!(
        results
            .hits
            .iter()
            .all(|h| h.kind == "programme" && h.theme.as_deref() == Some("Santé"))
    );
    assert_eq!(results.reading, None);
    // Listed newest first: no words to rank by.
    assert!(results.hits.iter().all(|h| h.score == 0.0));

    let all = search(&index, "financement");
    let adopted = all
        .facets_status
        .iter()
        .find(|(s, _)| s == "adopted")
        .map_or(0, |(_, n)| *n);
    for text in [
        "statut:adopté financement",
        "status:adopted financement",
        "financement statut:adoptés",
    ] {
        let results = search(&index, text);
        assert_eq!(results.total as u64, adopted, "{text}");
        assert!(
            results
                .hits
                .iter()
                .all(|h| h.status.as_deref() == Some("adopted"))
        );
    }
    let results = search(&index, "-statut:adopté financement");
    assert_eq!(results.total as u64, all.total as u64 - adopted);

    let results = search(&index, "lieu:lyon financement");
    assert!(results.total > 0);
    assert!(results.hits.iter().all(|h| {
        h.place
            .as_deref()
            .is_some_and(|p| p.starts_with("/rhone/lyon"))
    }));

    let results = search(&index, "titre:santé");
    assert_eq!(results.total, 0, "paragraphs have no title of their own");

    // A value no document has, an unknown field: said, and read as best we can.
    let results = search(&index, "kind:amendement santé");
    assert_eq!(results.total, 0);
    assert_eq!(
        results.notices,
        [Notice::UnknownValue {
            field: "kind".into(),
            value: "amendement".into()
        }]
    );
    let results = search(&index, "nosuch:forêt");
    assert_eq!(results.reading.as_deref(), Some("nosuch forêt"));
    assert_eq!(
        results.notices,
        [Notice::UnknownField {
            field: "nosuch".into()
        }]
    );
    let results = search(&index, "\"forêt");
    assert_eq!(results.reading.as_deref(), Some("\"forêt\""));
    assert_eq!(results.notices, [Notice::UnbalancedQuote]);
    assert_eq!(results.total, search(&index, "\"forêt\"").total);
}

#[test]
fn facets_count_without_their_own_filter() {
    let index = indexed();
    let all = search(&index, "financement");
    let count = |facet: &[(String, u64)], value: &str| {
        facet
            .iter()
            .find(|(v, _)| v == value)
            .map_or(0, |(_, n)| *n)
    };
    let total: u64 = all.facets_kind.iter().map(|(_, n)| n).sum();
    assert_eq!(total, all.total as u64);

    // A theme: the total is that theme's count; the theme facet is unchanged; the others count
    // within the theme.
    let agriculture = SearchQuery {
        theme: Some("Agriculture".into()),
        limit: 100,
        ..query("financement")
    };
    let results = index.search(&agriculture).unwrap();
    assert_eq!(
        results.total as u64,
        count(&all.facets_theme, "Agriculture")
    );
    assert_eq!(results.facets_theme, all.facets_theme);
    let kinds: u64 = results.facets_kind.iter().map(|(_, n)| n).sum();
    assert_eq!(kinds, results.total as u64);
    assert!(
        results
            .hits
            .iter()
            .all(|h| h.theme.as_deref() == Some("Agriculture"))
    );
    let places: u64 = results
        .facets_place
        .iter()
        .filter(|(p, _)| p.matches('/').count() == 1)
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        places, results.total as u64,
        "every paragraph of a bill has a place"
    );

    // A place: its children are counted under it, and add up to it.
    let rhone = SearchQuery {
        place_prefix: Some("/rhone".into()),
        limit: 100,
        ..query("financement")
    };
    let results = index.search(&rhone).unwrap();
    let in_rhone = count(&all.facets_place, "/rhone");
    assert!(in_rhone > 0);
    assert_eq!(results.total as u64, in_rhone);
    let children: u64 = results
        .facets_place
        .iter()
        .filter(|(p, _)| p.starts_with("/rhone/"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(children, in_rhone);
    let order: Vec<&str> = results
        .facets_place
        .iter()
        .map(|(p, _)| p.as_str())
        .collect();
    let at = order.iter().position(|p| *p == "/rhone").unwrap();
    assert!(order[at + 1].starts_with("/rhone/"), "{order:?}");

    // Two filters: each facet ignores its own only.
    let both = SearchQuery {
        status: Some("drafting".into()),
        kind: Some("paragraph".into()),
        limit: 100,
        ..query("financement")
    };
    let results = index.search(&both).unwrap();
    let only_kind = index
        .search(&SearchQuery {
            kind: Some("paragraph".into()),
            ..query("financement")
        })
        .unwrap();
    let only_status = index
        .search(&SearchQuery {
            status: Some("drafting".into()),
            ..query("financement")
        })
        .unwrap();
    assert_eq!(results.facets_status, only_kind.facets_status);
    assert_eq!(results.facets_kind, only_status.facets_kind);
    assert_eq!(
        results.total as u64,
        count(&only_kind.facets_status, "drafting")
    );
}

#[test]
fn english_documents_in_english() {
    let index = indexed();
    let cases: &[(&str, &[&str])] = &[
        ("retirement ages", &["english:1"]),
        ("pension reform", &["english:1"]),
        ("schools teacher", &["english:2"]),
        ("the energy transition", &["english:3"]),
        ("funded", &["english:3"]),
        ("\"solar and wind farms\"", &["english:3"]),
    ];
    for (text, expected) in cases {
        assert_eq!(keys(&search(&index, text)), *expected, "{text}");
    }
    // « pension » is French too: both languages' documents.
    let found = search(&index, "pension");
    assert!(keys(&found).contains(&"english:1"));
    assert!(keys(&found).iter().any(|k| k.starts_with("alinea:")));
    // French stop words are no words to look for, even in English.
    let results = search(&index, "jusqu'à la");
    assert_eq!(results.total, 0);
    assert_eq!(results.notices, [Notice::NothingToSearch]);
}

#[test]
fn over_long_queries_are_cut_and_said() {
    let index = indexed();
    let long = "financement ".repeat(200);
    let results = search(&index, &long);
    assert!(results.total > 0);
    assert!(results.notices.contains(&Notice::Truncated {
        kept_chars: atelier_search::MAX_QUERY_CHARS
    }));
    assert!(results.notices.contains(&Notice::TooManyClauses {
        kept: atelier_search::MAX_CLAUSES
    }));
    let deep = index
        .search(&SearchQuery {
            offset: usize::MAX,
            limit: usize::MAX,
            ..query("financement")
        })
        .unwrap();
    assert!(deep.hits.is_empty());
    assert_eq!(deep.total, results.total);
}

#[test]
fn sorting_by_date_is_newest_first() {
    let index = indexed();
    let by_date = index
        .search(&SearchQuery {
            sort: atelier_search::Sort::Date,
            limit: 100,
            ..query("financement")
        })
        .unwrap();
    let dates: Vec<i64> = by_date.hits.iter().map(|h| h.date.unwrap_or(0)).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert_eq!(by_date.total, search(&index, "financement").total);
    assert!(by_date.hits[0].snippet_html.contains("<mark>"));
}
