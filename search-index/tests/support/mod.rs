//! The relevance corpus: a sample of real French bills and of a real programme
//! (`fixtures/README.md` says where they come from), indexed with facets and readers.

#![allow(dead_code)] // Each test binary uses part of it.

use std::path::PathBuf;

use atelier_search::corpus::parse_flat_object;
use atelier_search::{IndexDoc, Language, SearchIndex, SearchQuery, SearchResults};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Where each bill's paragraphs are said to come from: (dossier, group, place, theme).
const BILLS: &[(&str, &str, &str, &str)] = &[
    ("pjl07-365", "1", "/paris/paris-11", "Institutions"),
    ("pjl07-405", "2", "/paris/paris-20", "Économie"),
    ("pjl09-200", "3", "/bretagne/rennes", "Agriculture"),
    ("pjl11-350", "4", "/bretagne/brest", "Justice"),
    ("pjl12-135", "5", "/rhone/lyon-3", "Justice"),
    ("pjl12-688", "6", "/rhone/lyon-7", "Institutions"),
    ("pjl12-689", "6", "/rhone/lyon-7", "Institutions"),
    ("pjl15-034", "7", "/gironde/bordeaux", "Économie"),
    ("pjl16-580", "8", "/gironde/merignac", "Justice"),
    ("pjl16-581", "8", "/gironde/merignac", "Justice"),
    ("ppl11-290", "9", "/nord/lille", "Santé"),
];

/// The bills' paragraphs: key "alinea:N" (N: line in the fixture, from 1), public, drafts in
/// their first steps and adopted after, one day apart.
pub fn alineas() -> Vec<IndexDoc> {
    let mut docs = Vec::new();
    for (at, line) in fixture("alineas-sample.jsonl").lines().enumerate() {
        let object = parse_flat_object(line).expect("a flat JSON object");
        let (_, group, place, theme) = BILLS
            .iter()
            .find(|b| b.0 == object["dossier"])
            .expect("a known bill");
        let n = at + 1;
        docs.push(IndexDoc {
            key: format!("alinea:{n}"),
            source: format!("bill:{}", object["dossier"]),
            label: Some(format!(
                "{} — article {}",
                object["dossier"], object["article"]
            )),
            kind: "paragraph".into(),
            body: object["text"].clone(),
            place: Some((*place).into()),
            group_id: Some((*group).into()),
            theme: Some((*theme).into()),
            status: Some(
                if object["step"].starts_with("00") {
                    "drafting"
                } else {
                    "adopted"
                }
                .into(),
            ),
            date: Some(1_600_000_000 + n as i64 * 86_400),
            url: format!("/alineas/{n}"),
            readers: vec!["public".into()],
            ..IndexDoc::default()
        });
    }
    docs
}

/// The programme's paragraphs: key "programme:THEME:N", each with its theme, group 20,
/// national (no place), "programme" kind, public.
pub fn programme() -> Vec<IndexDoc> {
    let mut docs = Vec::new();
    for line in fixture("programme-sample.jsonl").lines() {
        let object = parse_flat_object(line).expect("a flat JSON object");
        let theme = &object["theme"];
        let slug = atelier_search::analyze(&mut atelier_search::plain_analyzer(), theme).join("-");
        docs.push(IndexDoc {
            key: format!("programme:{slug}:{}", object["n"]),
            source: format!("programme:{slug}"),
            label: Some(theme.clone()),
            kind: "programme".into(),
            body: object["text"].clone(),
            group_id: Some("20".into()),
            theme: Some(theme.clone()),
            status: Some("adopted".into()),
            date: Some(1_500_000_000),
            url: format!("/programme/{slug}"),
            readers: vec!["public".into()],
            ..IndexDoc::default()
        });
    }
    docs
}

/// A few English paragraphs (written for these tests).
pub fn english() -> Vec<IndexDoc> {
    let texts = [
        "Pension reform: the retirement age stays at sixty-two and pensions follow wages.",
        "Public schools get smaller classes and better paid teachers.",
        "Funding the energy transition: solar and wind farms replace coal power stations.",
    ];
    texts
        .iter()
        .enumerate()
        .map(|(i, body)| IndexDoc {
            key: format!("english:{}", i + 1),
            kind: "paragraph".into(),
            language: Language::English,
            title: "Our programme".into(),
            body: (*body).into(),
            group_id: Some("30".into()),
            theme: Some("International".into()),
            date: Some(1_700_000_000),
            url: format!("/en/{}", i + 1),
            readers: vec!["public".into()],
            ..IndexDoc::default()
        })
        .collect()
}

/// Every document above, committed.
pub fn indexed() -> SearchIndex {
    let index = SearchIndex::open_in_ram();
    let mut writer = index.writer().unwrap();
    for doc in alineas().iter().chain(&programme()).chain(&english()) {
        writer.upsert(doc).unwrap();
    }
    writer.commit().unwrap();
    index
}

/// A public search for `text`, 20 hits.
pub fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        readers: vec!["public".into()],
        limit: 20,
        ..SearchQuery::default()
    }
}

pub fn keys(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.key.as_str()).collect()
}

/// The body of a document of the corpus.
pub fn body(key: &str) -> String {
    alineas()
        .into_iter()
        .chain(programme())
        .chain(english())
        .find(|d| d.key == key)
        .map(|d| d.body)
        .unwrap_or_default()
}
