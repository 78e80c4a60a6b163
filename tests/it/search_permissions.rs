//! Searching within one's permissions (issue 14, point 3): the index holds everything, private
//! groups and drafts included, and the searcher's grants are part of the query — so a private
//! group's paragraph or another member's draft never shows to an outsider, in a hit, a total or
//! a facet count, and shows to whoever may see it.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::amendments::{ORIGINAL, range_of, start};
use crate::harness::{Api, Backend};
use crate::search::{create_text, urlencode};
use atelier::model::{GroupKind, Role, Visibility};

/// How long a write may take to become searchable before the test fails (the index-lag
/// benchmark measures how fast; this holds that it happens at all).
const FRESH: Duration = Duration::from_secs(15);

async fn search(api: &Api, query: &str) -> Value {
    api.get_json(&format!("/api/v1/search?q={}", urlencode(query)), 200)
        .await
}

/// Waits until `who` finds `expected` documents for `q`.
async fn finds(who: &Api, q: &str, expected: u64) -> Value {
    let since = Instant::now();
    loop {
        let body = search(who, q).await;
        if body["total"].as_u64() == Some(expected) {
            return body;
        }
        assert!(
            since.elapsed() < FRESH,
            "{q:?}: expected {expected}, found {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A page as `who` gets it: its status and HTML.
pub(crate) async fn page(who: &Api, path: &str) -> (u16, String) {
    let response = who.get(path).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

async fn each_finds_what_they_may_see(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let app = &f.app;
    let national = app.national().await;
    // A working group only its members see (Bob is one), a theme the party's members see.
    let bureau = app
        .group(
            GroupKind::WorkingGroup,
            "Bureau",
            national,
            Visibility::Group,
        )
        .await;
    app.grant(f.bob_id, bureau, Role::Member).await;
    let strategy = app
        .group(GroupKind::Theme, "Stratégie", national, Visibility::Members)
        .await;
    let admin = app.member("admin@exemple.fr", "Ada").await;
    app.grant(admin, national, Role::Admin).await;
    let admin = app.api_as("admin@exemple.fr").await;
    create_text(
        &f.bob,
        bureau,
        "Candidatures",
        "Liste confidentielle des candidatures aux municipales.\n",
    )
    .await;
    create_text(
        &admin,
        strategy,
        "Tactique",
        "Alliances confidentielles pour les municipales.\n",
    )
    .await;
    // Alice's draft on her public text: hers alone until she submits it.
    let range = range_of(ORIGINAL, "trains de nuit");
    let (status, draft) = f
        .file(
            &f.alice,
            json!({"start": range.start, "end": range.end,
                   "replacement": "dirigeables postaux", "rationale": "Plus lents, plus beaux."}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!(draft["status"], "draft", "{draft}");

    let visitor = app.api();
    let carla = app.api_as("carla@exemple.fr").await; // a party member of another theme
    let sam = app.api_as("sam@exemple.fr").await; // a supporter, not a party member
    // The administrator sees every group's text (the draft is Alice's alone).
    let everything = finds(&admin, "municipales", 2).await;
    assert_eq!(everything["facets"]["kind"]["paragraph"], 2, "{everything}");
    // Bob, in the bureau and a party member: both.
    finds(&f.bob, "municipales", 2).await;
    finds(&f.bob, "candidatures", 2).await; // its title and its paragraph
    // Carla: the party members' theme, not the bureau.
    let carla_sees = finds(&carla, "confidentielles", 1).await;
    assert_eq!(carla_sees["hits"][0]["title"], "Tactique", "{carla_sees}");
    assert_eq!(carla_sees["facets"]["kind"]["paragraph"], 1, "{carla_sees}");
    assert_eq!(
        carla_sees["facets"]["group"]
            .as_object()
            .expect("groups")
            .keys()
            .collect::<Vec<_>>(),
        [&strategy.to_string()],
        "no count reveals the bureau: {carla_sees}"
    );
    assert_eq!(search(&carla, "candidatures").await["total"], 0);
    // A supporter and a visitor: neither.
    for who in [&sam, &visitor] {
        let body = search(who, "municipales").await;
        assert_eq!(body["total"], 0, "{body}");
        assert!(
            body["facets"]["kind"]
                .as_object()
                .is_none_or(|k| k.is_empty()),
            "{body}"
        );
    }
    // The draft: Alice finds it, nobody else does; submitted, everyone who reads the text does.
    let hers = finds(&f.alice, "dirigeables", 1).await;
    assert_eq!(hers["hits"][0]["kind"], "amendment", "{hers}");
    assert_eq!(
        hers["hits"][0]["url"],
        format!("/amendments/{}", draft["id"].as_str().unwrap())
    );
    for who in [&f.bob, &admin, &carla, &visitor] {
        assert_eq!(search(who, "dirigeables").await["total"], 0);
    }
    // Its author's name is not in the index: a visitor may not learn who filed it.
    assert!(
        !hers["hits"][0]["snippet_html"]
            .as_str()
            .unwrap_or("")
            .contains("Alice"),
        "{hers}"
    );
    let (status, submitted) = f.act(&f.alice, &draft["id"], "submit", json!({})).await;
    assert_eq!(status, 200, "{submitted}");
    let found = finds(&visitor, "dirigeables", 1).await;
    assert_eq!(found["facets"]["kind"]["amendment"], 1, "{found}");
    assert_eq!(found["facets"]["status"]["submitted"], 1, "{found}");
    // Filters and pages hold the same bounds: the bureau's text is on no page of Carla's.
    let filtered = carla
        .get_json(
            &format!("/api/v1/search?q=municipales&group={bureau}&page=1"),
            200,
        )
        .await;
    assert_eq!(filtered["total"], 0, "{filtered}");

    // The page behind every header's box says the same to each.
    let (status, html) = page(&carla, "/search?q=municipales").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("1 résultat") && html.contains(">Tactique</a>"),
        "{html}"
    );
    assert!(!html.contains("Candidatures"), "{html}");
    assert!(
        html.contains("<mark>municipales</mark>"),
        "the snippet marks the word: {html}"
    );
    // Facets are links that keep the query: the theme's, by name.
    assert!(
        html.contains("href=\"/search?q=municipales&amp;theme=Strat%C3%A9gie\""),
        "{html}"
    );
    let (_, html) = page(&visitor, "/search?q=dirigeables").await;
    assert!(
        html.contains("1 résultat") && !html.contains("Alice"),
        "an amendment's author is named only where names are shown: {html}"
    );
    assert_eq!(search(&visitor, "auteur:alice").await["total"], 0);
    let (_, html) = page(&visitor, "/search?q=municipales").await;
    assert!(
        html.contains("0 résultats") && !html.contains("Tactique"),
        "{html}"
    );
    // Every page has the box.
    assert!(
        html.contains("action=\"/search\" role=\"search\""),
        "{html}"
    );
    // A query's syntax is read as best it can be, and said so; a bad parameter is named.
    let (status, html) = page(&carla, "/search?q=%22alliances%20confidentielles").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(">Tactique</a>"), "{html}");
    assert!(
        html.contains("guillemet"),
        "the unclosed quote is said: {html}"
    );
    let (status, html) = page(&carla, "/search?q=municipales&page=0").await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("id=\"field-page-error\"") || html.contains("La page est un nombre"),
        "{html}"
    );
    let (status, html) = page(&visitor, "/search").await;
    assert_eq!(status, 200, "the box alone: {html}");
    f.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_finds_what_they_may_see_on_sqlite() {
    each_finds_what_they_may_see(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_finds_what_they_may_see_on_postgres() {
    each_finds_what_they_may_see(Backend::Postgres).await;
}
