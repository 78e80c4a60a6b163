//! « Des amendements proches existent déjà » (issue 14, point 6): while filing, the amendments
//! most like the wording and rationale being written, through
//! `POST /api/v1/texts/{id}/amendments/similar` and on a draft's own page above « Déposer »:
//! a similar amendment is listed; one in a private group the filer cannot see is not; nor is
//! another member's draft; nor the draft being edited.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::amendments::{Fixture, ORIGINAL, range_of, start};
use crate::browser::{node, session_cookie};
use crate::harness::{Api, Backend};
use crate::search::create_text;
use crate::search_permissions::page;
use atelier::model::{GroupKind, Role, Visibility};

const FRESH: Duration = Duration::from_secs(15);

/// Files on the fixture's text (« trains de nuit »): its id.
async fn file(f: &Fixture, who: &Api, replacement: &str, rationale: &str, submit: bool) -> String {
    let range = range_of(ORIGINAL, "trains de nuit");
    let (status, filed) = f
        .file(
            who,
            json!({"start": range.start, "end": range.end, "replacement": replacement,
                   "rationale": rationale, "submit": submit}),
        )
        .await;
    assert_eq!(status, 201, "{filed}");
    filed["id"].as_str().expect("id").to_owned()
}

async fn similar(who: &Api, text: &str, body: Value) -> (u16, Value) {
    let response = who
        .post(&format!("/api/v1/texts/{text}/amendments/similar"), body)
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn ids(answer: &Value) -> Vec<String> {
    answer["amendments"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The fixture, Bob's submitted amendment and his draft, and Tom's amendment in a private
/// working group Alice does not belong to, all on night trains and couchettes.
struct Scene {
    f: Fixture,
    submitted: String,
    bobs_draft: String,
    private: String,
}

async fn scene(backend: Backend) -> Option<Scene> {
    let f = start(backend, ORIGINAL).await?;
    let submitted = file(
        &f,
        &f.bob,
        "trains de nuit avec des couchettes pour tous",
        "Les couchettes rendent le voyage de nuit accessible à tous.",
        true,
    )
    .await;
    let bobs_draft = file(
        &f,
        &f.bob,
        "trains de nuit avec des couchettes gratuites",
        "Des couchettes gratuites pour les voyages de nuit.",
        false,
    )
    .await;
    let app = &f.app;
    let national = app.national().await;
    let bureau = app
        .group(
            GroupKind::WorkingGroup,
            "Bureau",
            national,
            Visibility::Group,
        )
        .await;
    let tom = app.member("tom@exemple.fr", "Tom Bureau").await;
    app.grant(tom, bureau, Role::Organiser).await;
    let tom = app.api_as("tom@exemple.fr").await;
    let note = "Des trains de nuit partout.\n";
    let text = create_text(&tom, bureau, "Note", note).await;
    let moved = tom
        .post(
            &format!("/api/v1/texts/{text}/status"),
            json!({"status": "amending"}),
        )
        .await;
    assert_eq!(moved.status().as_u16(), 200);
    let range = range_of(note, "trains de nuit");
    let filed = tom
        .post(
            &format!("/api/v1/texts/{text}/amendments"),
            json!({"start": range.start, "end": range.end,
                   "replacement": "trains de nuit avec des couchettes confidentielles",
                   "rationale": "Des couchettes pour les voyages de nuit du bureau.", "submit": true}),
        )
        .await;
    assert_eq!(filed.status().as_u16(), 201);
    let filed: Value = filed.json().await.expect("json");
    let private = filed["id"].as_str().expect("id").to_owned();
    Some(Scene {
        f,
        submitted,
        bobs_draft,
        private,
    })
}

async fn filing_lists_similar_amendments_the_member_may_see(backend: Backend) {
    let Some(Scene {
        f,
        submitted,
        bobs_draft,
        private,
    }) = scene(backend).await
    else {
        return;
    };
    let writing = json!({"replacement": "des trains de nuit avec couchettes",
                         "rationale": "Voyager de nuit en couchettes, pour tous."});
    let since = Instant::now();
    let answer = loop {
        let (status, answer) = similar(&f.alice, &f.id, writing.clone()).await;
        assert_eq!(status, 200, "{answer}");
        if ids(&answer).contains(&submitted) {
            break answer;
        }
        assert!(
            since.elapsed() < FRESH,
            "Bob's amendment is not listed: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let listed = ids(&answer);
    assert!(!listed.contains(&bobs_draft), "another's draft: {answer}");
    assert!(!listed.contains(&private), "a private group's: {answer}");
    let first = &answer["amendments"][0];
    assert_eq!(first["id"], submitted.as_str(), "{answer}");
    assert_eq!(first["status"], "submitted", "{answer}");
    assert_eq!(first["number"], 1, "{answer}");
    assert_eq!(first["text_title"], "Culture", "{answer}");
    assert_eq!(first["url"], format!("/amendments/{submitted}"), "{answer}");
    assert!(
        first["reference"]
            .as_str()
            .is_some_and(|r| r.starts_with("§ 2")),
        "{answer}"
    );
    assert!(
        first["snippet_html"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>")),
        "{answer}"
    );

    // Bob sees his own draft, but not the one he is editing.
    let (_, answer) = similar(&f.bob, &f.id, writing.clone()).await;
    assert!(ids(&answer).contains(&bobs_draft), "{answer}");
    let mut editing = writing.clone();
    editing["amendment_id"] = json!(bobs_draft);
    let (_, answer) = similar(&f.bob, &f.id, editing).await;
    assert!(!ids(&answer).contains(&bobs_draft), "{answer}");
    assert!(ids(&answer).contains(&submitted), "{answer}");

    // Nothing written yet: nothing to compare, an empty list.
    let (status, answer) = similar(&f.alice, &f.id, json!({})).await;
    assert_eq!((status, ids(&answer).len()), (200, 0), "{answer}");

    // Bounded as filing is: 422 naming the field.
    let long = "a".repeat(100_001);
    let (status, answer) = similar(&f.alice, &f.id, json!({"replacement": long})).await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["fields"]["replacement"].is_string(), "{answer}");
    let (status, answer) = similar(&f.alice, &f.id, json!({"rationale": long})).await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["fields"]["rationale"].is_string(), "{answer}");
    // Signed out: 401; a text the member may not read: 404.
    let (status, _) = similar(&f.app.api(), &f.id, writing.clone()).await;
    assert_eq!(status, 401);
    let private_text = f
        .app
        .api_as("tom@exemple.fr")
        .await
        .get_json(&format!("/api/v1/amendments/{private}"), 200)
        .await["text_id"]
        .as_str()
        .expect("text id")
        .to_owned();
    let (status, _) = similar(&f.alice, &private_text, writing).await;
    assert_eq!(status, 404);
    f.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filing_lists_similar_amendments_the_member_may_see_on_sqlite() {
    filing_lists_similar_amendments_the_member_may_see(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filing_lists_similar_amendments_the_member_may_see_on_postgres() {
    filing_lists_similar_amendments_the_member_may_see(Backend::Postgres).await;
}

async fn a_draft_page_lists_similar_amendments_above_submit(backend: Backend) {
    let Some(Scene {
        f,
        submitted,
        bobs_draft,
        private,
    }) = scene(backend).await
    else {
        return;
    };
    let draft = file(
        &f,
        &f.alice,
        "trains de nuit avec couchettes",
        "Voyager de nuit en couchettes, pour tous.",
        false,
    )
    .await;
    let path = format!("/amendments/{draft}");
    let since = Instant::now();
    let html = loop {
        let (status, html) = page(&f.alice, &path).await;
        assert_eq!(status, 200, "{html}");
        if html.contains(&format!("href=\"/amendments/{submitted}\"")) {
            break html;
        }
        assert!(
            since.elapsed() < FRESH,
            "Bob's amendment is not listed: {html}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        html.contains("Des amendements proches existent déjà"),
        "{html}"
    );
    // Above « Déposer ».
    let list = html.find("id=\"similar-title\"").expect("the list");
    let submit = html
        .find(&format!("action=\"{path}/submit\""))
        .expect("« Déposer »");
    assert!(list < submit, "{html}");
    for hidden in [&bobs_draft, &private, &draft] {
        assert!(
            !html.contains(&format!("href=\"/amendments/{hidden}\"")),
            "{hidden}: {html}"
        );
    }
    // Once submitted, the list is gone: it was a hint before filing.
    let submitted_now = f
        .alice
        .post(&format!("/api/v1/amendments/{draft}/submit"), json!({}))
        .await;
    assert_eq!(submitted_now.status().as_u16(), 200);
    let (_, html) = page(&f.alice, &path).await;
    assert!(!html.contains("id=\"similar-title\""), "{html}");
    f.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_page_lists_similar_amendments_above_submit_on_sqlite() {
    a_draft_page_lists_similar_amendments_above_submit(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_page_lists_similar_amendments_above_submit_on_postgres() {
    a_draft_page_lists_similar_amendments_above_submit(Backend::Postgres).await;
}

/// In the in-place editor: typing a wording close to Bob's amendment lists it under the
/// preview, in an aria-live region, asked no sooner than 600 ms after typing stopped and never
/// twice at once (`tests/browser/similar.mjs`).
async fn the_editor_lists_similar_amendments_while_typing(backend: Backend) {
    let Some(Scene { f, submitted, .. }) = scene(backend).await else {
        return;
    };
    let typed = "trains de nuit avec couchettes pour tous";
    // The index has Bob's amendment before the browser starts.
    let since = Instant::now();
    while !ids(&similar(&f.alice, &f.id, json!({"replacement": typed}))
        .await
        .1)
    .contains(&submitted)
    {
        assert!(since.elapsed() < FRESH, "Bob's amendment is not indexed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let env = [
        ("BASE_URL", f.app.url.clone()),
        ("TEXT_PATH", format!("/texts/{}", f.id)),
        ("COOKIE", session_cookie(&f.app, "alice@exemple.fr").await),
        ("PARAGRAPH", "2".into()),
        ("TYPED", typed.into()),
        ("EXPECTED", format!("/amendments/{submitted}")),
    ];
    let out = node("tests/browser/similar.mjs", &env).await;
    assert_eq!(out["ok"], true, "{out}");
    assert_eq!(out["live"], "polite", "{out}");
    // In the page's language (the browser's: French or English).
    assert!(
        out["list"]
            .as_str()
            .is_some_and(|l| (l.contains("Des amendements proches existent déjà")
                && l.contains("Amendement 1 — § 2"))
                || (l.contains("Similar amendments already exist")
                    && l.contains("Amendment 1 — § 2"))),
        "{out}"
    );
    assert_eq!(out["link_target"], "_blank", "{out}");
    assert_eq!(out["most_in_flight"], 1, "{out}");
    assert!(
        out["waited_ms"].as_i64().is_some_and(|ms| ms >= 590),
        "asked before typing stopped: {out}"
    );
    f.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_lists_similar_amendments_while_typing_on_sqlite() {
    the_editor_lists_similar_amendments_while_typing(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_lists_similar_amendments_while_typing_on_postgres() {
    the_editor_lists_similar_amendments_while_typing(Backend::Postgres).await;
}
