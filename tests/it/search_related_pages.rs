//! « On en parle aussi ailleurs » (issue 14, point 6) on a text's reading view, on a
//! paragraph's page and its JSON (`/api/v1/texts/{id}/paragraphs/{n}/related`) and on a
//! theme's page: a parallel group's similar paragraph appears; nothing from a private group
//! the reader does not belong to; nothing from the page's own text, group or theme.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::amendments::{Fixture, ORIGINAL, start};
use crate::harness::{Api, Backend};
use crate::search::create_text;
use crate::search_permissions::page;
use atelier::model::{GroupId, GroupKind, Role, Visibility};

const FRESH: Duration = Duration::from_secs(15);

/// The related section of a page (empty when there is none).
fn section(html: &str) -> &str {
    html.split("id=\"related-title\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or_default()
}

/// The page at `path` once its related section links to `wanted`.
async fn page_showing(who: &Api, path: &str, wanted: &str) -> String {
    let since = Instant::now();
    loop {
        let (status, html) = page(who, path).await;
        assert_eq!(status, 200, "{path}: {html}");
        if section(&html).contains(wanted) {
            return html;
        }
        assert!(
            since.elapsed() < FRESH,
            "{path} does not show {wanted}: {html}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Beside the fixture's theme « Culture » (Alice's text on night trains): a public theme
/// « Transports » with a text on the same subject, and a private working group's note on it
/// that only its member Tom may see. Tom's client, the public text's id.
pub(crate) async fn parallel_groups(f: &Fixture) -> (Api, String, GroupId) {
    let app = &f.app;
    let national = app.national().await;
    let transports = app
        .app
        .db
        .create_group(
            GroupKind::Theme,
            "Transports",
            "Trains de nuit, couchettes et autocars régionaux.",
            Some(national),
            Visibility::Public,
            None,
        )
        .await
        .expect("a theme");
    let bureau = app
        .group(
            GroupKind::WorkingGroup,
            "Bureau",
            national,
            Visibility::Group,
        )
        .await;
    let tom = app.member("transports@exemple.fr", "Tom Transports").await;
    app.grant(tom, transports, Role::Member).await;
    app.grant(tom, bureau, Role::Member).await;
    let tom = app.api_as("transports@exemple.fr").await;
    let elsewhere = create_text(
        &tom,
        transports,
        "Mobilités",
        "Des trains de nuit partout en Europe, avec des couchettes et des autocars régionaux.\n\n\
         Le fret ferroviaire double d'ici dix ans.\n",
    )
    .await;
    create_text(
        &tom,
        bureau,
        "Note interne",
        "Trains de nuit, couchettes, autocars régionaux : la note confidentielle.\n",
    )
    .await;
    (tom, elsewhere, transports)
}

async fn a_text_and_its_paragraphs_show_related_work_from_elsewhere(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let (tom, elsewhere, _) = parallel_groups(&f).await;
    // Another text of the same theme on the same subject: not « elsewhere ».
    let sibling = create_text(
        &f.alice,
        f.theme,
        "Culture et voyages",
        "Les trains de nuit et leurs couchettes, les autocars régionaux : voyager pour la culture.\n",
    )
    .await;
    let other = format!("href=\"/texts/{elsewhere}#");
    let own = format!("href=\"/texts/{}#", f.id);
    let same_theme = format!("href=\"/texts/{sibling}#");

    // The reading view.
    let text = format!("/texts/{}", f.id);
    let html = page_showing(&f.alice, &text, &other).await;
    assert!(html.contains("On en parle aussi ailleurs"), "{html}");
    assert!(!html.contains("confidentielle"), "{html}");
    assert!(!section(&html).contains(&own), "{}", section(&html));
    assert!(!section(&html).contains(&same_theme), "{}", section(&html));
    // Signed out, the public theme's work shows too.
    page_showing(&f.app.api(), &text, &other).await;

    // § 2 (« Nous voulons des trains de nuit partout »), as a page.
    let paragraph = format!("/texts/{}/paragraphs/2/related", f.id);
    let html = page_showing(&f.alice, &paragraph, &other).await;
    assert!(
        html.contains("Nous voulons des trains de nuit partout."),
        "{html}"
    );
    assert!(!html.contains("confidentielle"), "{html}");
    assert!(!section(&html).contains(&own), "{}", section(&html));
    assert!(!section(&html).contains(&same_theme), "{}", section(&html));
    // Tom, who is in the bureau, sees its note among the related work.
    let since = Instant::now();
    while !section(&page(&tom, &paragraph).await.1).contains("confidentielle") {
        assert!(
            since.elapsed() < FRESH,
            "the bureau's note is not shown to Tom"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // And as JSON, hits as the search's.
    let api = format!("/api/v1/texts/{}/paragraphs/2/related", f.id);
    let answer: Value = f.alice.get_json(&api, 200).await;
    assert_eq!(answer["paragraph"], 2, "{answer}");
    let hits = answer["hits"].as_array().expect("hits");
    assert!(
        hits.iter()
            .any(|h| h["kind"] == "paragraph" && h["id"] == elsewhere.as_str()),
        "{answer}"
    );
    for hit in hits {
        assert_ne!(hit["id"], f.id.as_str(), "its own text: {answer}");
        assert_ne!(hit["id"], sibling.as_str(), "its own theme: {answer}");
        assert!(
            !hit["snippet_html"]
                .as_str()
                .unwrap_or_default()
                .contains("confidentielle"),
            "{answer}"
        );
        for field in ["kind", "id", "title", "snippet_html", "url"] {
            assert!(hit[field].is_string(), "{field}: {answer}");
        }
    }
    let tom_hits = tom.get_json(&api, 200).await;
    assert!(
        tom_hits.to_string().contains("confidentielle"),
        "{tom_hits}"
    );

    // A paragraph the text does not have, a junk number, a hidden text: 404.
    for path in [
        format!("/texts/{}/paragraphs/99/related", f.id),
        format!("/texts/{}/paragraphs/0/related", f.id),
        format!("/texts/{}/paragraphs/deux/related", f.id),
        format!("/api/v1/texts/{}/paragraphs/99/related", f.id),
    ] {
        assert_eq!(page(&f.alice, &path).await.0, 404, "{path}");
    }
    f.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_and_its_paragraphs_show_related_work_from_elsewhere_on_sqlite() {
    a_text_and_its_paragraphs_show_related_work_from_elsewhere(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_and_its_paragraphs_show_related_work_from_elsewhere_on_postgres() {
    a_text_and_its_paragraphs_show_related_work_from_elsewhere(Backend::Postgres).await;
}

async fn a_theme_shows_related_work_of_other_themes(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let (tom, elsewhere, transports) = parallel_groups(&f).await;
    // The theme's own text, on the same subject: never « elsewhere » on its own page.
    let own = create_text(
        &tom,
        transports,
        "Trains de nuit",
        "Les couchettes des trains de nuit, et les autocars régionaux qui les prolongent.\n",
    )
    .await;
    // Its page finds the « Culture » theme's paragraph on night trains.
    let theme = format!("/groups/{transports}");
    let culture = format!("href=\"/texts/{}#", f.id);
    let html = page_showing(&f.alice, &theme, &culture).await;
    assert!(html.contains("On en parle aussi ailleurs"), "{html}");
    let related = section(&html);
    assert!(!related.contains(&format!("/texts/{own}#")), "{related}");
    assert!(
        !related.contains(&format!("/texts/{elsewhere}#")),
        "{related}"
    );
    assert!(!html.contains("confidentielle"), "{html}");
    // Tom, in the bureau, sees its note there.
    page_showing(&tom, &theme, "confidentielle").await;
    // A group that is not a theme has no such section.
    let (status, html) = page(&f.alice, &format!("/groups/{}", f.app.national().await)).await;
    assert_eq!(status, 200);
    assert!(!html.contains("id=\"related-title\""), "{html}");
    f.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_theme_shows_related_work_of_other_themes_on_sqlite() {
    a_theme_shows_related_work_of_other_themes(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_theme_shows_related_work_of_other_themes_on_postgres() {
    a_theme_shows_related_work_of_other_themes(Backend::Postgres).await;
}
