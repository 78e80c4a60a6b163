//! « On en parle aussi ailleurs » (issue 14, point 6): an amendment's page shows the most
//! similar work of other groups — never its own text's, never what the reader may not see.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::amendments::{ORIGINAL, range_of, start};
use crate::harness::Backend;
use crate::search_permissions::page;
use crate::search_related_pages::parallel_groups;

const FRESH: Duration = Duration::from_secs(15);

async fn an_amendment_shows_related_work_from_elsewhere(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let (writer, elsewhere, _) = parallel_groups(&f).await;
    let range = range_of(ORIGINAL, "trains de nuit");
    let (status, filed) = f
        .file(
            &f.alice,
            json!({"start": range.start, "end": range.end,
                   "replacement": "trains de nuit avec couchettes et des autocars régionaux",
                   "rationale": "Des couchettes pour tous.", "submit": true}),
        )
        .await;
    assert_eq!(status, 201, "{filed}");
    let path = format!("/amendments/{}", filed["id"].as_str().expect("id"));
    let since = Instant::now();
    let html = loop {
        let (status, html) = page(&f.alice, &path).await;
        assert_eq!(status, 200, "{html}");
        if html.contains(&format!("href=\"/texts/{elsewhere}#")) {
            break html;
        }
        assert!(
            since.elapsed() < FRESH,
            "the other theme's paragraph is not shown: {html}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(html.contains("On en parle aussi ailleurs"), "{html}");
    assert!(
        !html.contains("confidentielle"),
        "a group Alice does not belong to stays hidden: {html}"
    );
    // Its own text is not « elsewhere ».
    let section = html
        .split("id=\"related-title\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the section");
    assert!(
        !section.contains(&format!("href=\"/texts/{}#", f.id)),
        "{section}"
    );
    // Tom, who is in the bureau, sees its note among the related work.
    let since = Instant::now();
    loop {
        let (status, html) = page(&writer, &path).await;
        assert_eq!(status, 200, "{html}");
        if html.contains("confidentielle") {
            break;
        }
        assert!(
            since.elapsed() < FRESH,
            "the bureau's note is not shown to its member: {html}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    f.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amendment_shows_related_work_from_elsewhere_on_sqlite() {
    an_amendment_shows_related_work_from_elsewhere(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amendment_shows_related_work_from_elsewhere_on_postgres() {
    an_amendment_shows_related_work_from_elsewhere(Backend::Postgres).await;
}
