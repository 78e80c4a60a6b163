//! The real French cases of `../shared/data/amendements-fr/` (issue 13, « Tests »): each article
//! before its amendments, amended whole into the article after, renders a diff of exactly the
//! two, cited by the numbered view's first and last lines.

use std::io::Read as _;

use serde_json::{Value, json};

use crate::amendments::{ORIGINAL, cited, numbered_view, sides, start};
use crate::harness::Backend;

/// The 154 real cases of `../shared/data/amendements-fr/`: each article before, and after its
/// amendments (`tests/fixtures/README.md`).
pub(crate) fn french_cases() -> Vec<(String, String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/amendements-fr-articles.jsonl.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("the fixture"))
        .read_to_string(&mut text)
        .expect("gzip");
    text.lines()
        .map(|line| {
            let case: Value = serde_json::from_str(line).expect("json");
            let field = |name: &str| case[name].as_str().expect(name).to_owned();
            (field("dossier"), field("avant"), field("apres"))
        })
        .collect()
}

/// Each case is a text of its own whose whole article is amended into the article after: the
/// diff shows exactly the two, the reference spans the article's every paragraph and line.
async fn french_articles_amended_whole(backend: Backend, cases: usize) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let all = french_cases();
    assert_eq!(all.len(), 154);
    for (dossier, before, after) in all.into_iter().take(cases) {
        let (text, markdown) = f.amending_text(&dossier, &before).await;
        let length = markdown.encode_utf16().count();
        let response = f
            .alice
            .post(
                &format!("/api/v1/texts/{text}/amendments"),
                json!({"start": 0, "end": length, "replacement": after, "rationale": "Texte adopté."}),
            )
            .await;
        let status = response.status().as_u16();
        let amendment: Value = response.json().await.unwrap();
        if markdown == after {
            assert_eq!(status, 422, "{dossier}: identical");
            continue;
        }
        assert_eq!(status, 201, "{dossier}: {amendment}");
        assert_eq!(amendment["original"], markdown.as_str(), "{dossier}");
        let diff = amendment["diff_html"].as_str().unwrap();
        assert!(
            diff.contains("<del>") || diff.contains("<ins>"),
            "{dossier}"
        );
        assert_eq!(sides(diff), (markdown.clone(), after.clone()), "{dossier}");
        // The whole article: from the first line of its numbered view to the last.
        let view = numbered_view(&f, &text).await;
        let expected = cited(&view, 1, view.last().expect("an article has lines").1);
        assert_eq!(amendment["reference"], expected.as_str(), "{dossier}");
    }
    f.app.stop().await;
}

#[tokio::test]
async fn french_articles_amended_whole_sample_on_sqlite() {
    french_articles_amended_whole(Backend::Sqlite, 6).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn french_articles_amended_whole_sample_on_postgres() {
    french_articles_amended_whole(Backend::Postgres, 6).await;
}

#[tokio::test]
async fn every_french_article_amended_whole_renders_its_diff() {
    french_articles_amended_whole(Backend::Sqlite, usize::MAX).await;
}
