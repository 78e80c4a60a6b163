//! Merging real French amendments (issue 13, « Tests »): each article before its amendments,
//! amended whole into the article after, adopted and merged, is exactly the article after, byte
//! for byte; likewise consecutive versions of the articles of eleven French bills
//! (`tests/fixtures/alineas-fr-article-pairs.jsonl.gz`).

use std::io::Read as _;

use serde_json::{Value, json};

use crate::amendments::{ORIGINAL, start};
use crate::harness::Backend;

fn fixture(name: &str) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("the fixture"))
        .read_to_string(&mut text)
        .expect("gzip");
    text.lines()
        .map(|line| serde_json::from_str(line).expect("json"))
        .collect()
}

/// (name, before, after) of each case.
fn cases(name: &str, key: &str) -> Vec<(String, String, String)> {
    fixture(name)
        .into_iter()
        .map(|case| {
            let field = |name: &str| case[name].as_str().expect(name).to_owned();
            (field(key), field("avant"), field("apres"))
        })
        .collect()
}

/// Each case a text of its own, amended whole into its after, adopted and merged: the text is
/// then exactly the after. `every` takes one case in so many.
async fn merged_whole(
    backend: Backend,
    cases: Vec<(String, String, String)>,
    every: usize,
) -> usize {
    let Some(f) = start(backend, ORIGINAL).await else {
        return 0;
    };
    let mut merged = 0;
    for (name, before, after) in cases.into_iter().step_by(every) {
        let (text, markdown) = f.amending_text(&name, &before).await;
        if markdown == after {
            continue;
        }
        let length = markdown.encode_utf16().count();
        let response = f
            .alice
            .post(
                &format!("/api/v1/texts/{text}/amendments"),
                json!({"start": 0, "end": length, "replacement": after, "rationale": "Texte adopté.",
                       "submit": true}),
            )
            .await;
        assert_eq!(response.status().as_u16(), 201, "{name}");
        let amendment: Value = response.json().await.unwrap();
        let id = amendment["id"].as_str().unwrap();
        for status in ["admissible", "adopted"] {
            let moved = f
                .olga
                .post(
                    &format!("/api/v1/amendments/{id}/status"),
                    json!({"status": status}),
                )
                .await;
            assert_eq!(moved.status().as_u16(), 200, "{name}: {status}");
        }
        let merge = f
            .olga
            .post(&format!("/api/v1/amendments/{id}/merge"), json!({}))
            .await;
        assert_eq!(merge.status().as_u16(), 200, "{name}");
        let now = f
            .alice
            .get_json(&format!("/api/v1/texts/{text}"), 200)
            .await;
        assert!(
            now["markdown"] == after.as_str(),
            "{name}: the text is not the article after"
        );
        merged += 1;
    }
    f.app.stop().await;
    merged
}

fn french() -> Vec<(String, String, String)> {
    let all = cases("amendements-fr-articles.jsonl.gz", "dossier");
    assert_eq!(all.len(), 154);
    all
}

/// Consecutive versions of a bill's article: named dossier, article and steps.
fn article_pairs() -> Vec<(String, String, String)> {
    let all: Vec<(String, String, String)> = fixture("alineas-fr-article-pairs.jsonl.gz")
        .into_iter()
        .map(|p| {
            let field = |name: &str| p[name].as_str().expect(name).to_owned();
            (
                format!(
                    "{} art. {} ({} → {})",
                    field("dossier"),
                    field("article"),
                    field("from"),
                    field("to")
                ),
                field("avant"),
                field("apres"),
            )
        })
        .collect();
    assert_eq!(all.len(), 1_148);
    all
}

#[tokio::test]
async fn every_french_article_merges_into_the_article_after_on_sqlite() {
    let merged = merged_whole(Backend::Sqlite, french(), 1).await;
    assert!(merged >= 150, "{merged} merged");
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn french_articles_merge_into_the_article_after_sample_on_postgres() {
    let merged = merged_whole(Backend::Postgres, french(), 8).await;
    assert!(merged >= 18, "{merged} merged");
}

/// One pair in 8 (144 of the 1,148): each pair is a text, an amendment and a merge.
#[tokio::test]
async fn consecutive_article_versions_merge_into_the_later_sample_on_sqlite() {
    let merged = merged_whole(Backend::Sqlite, article_pairs(), 8).await;
    assert!(merged >= 140, "{merged} merged");
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn consecutive_article_versions_merge_into_the_later_sample_on_postgres() {
    let merged = merged_whole(Backend::Postgres, article_pairs(), 40).await;
    assert!(merged >= 28, "{merged} merged");
}
