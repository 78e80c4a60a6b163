//! Proposing an amendment in place, in headless Chromium (issue 13, point 1; the script is
//! `tests/browser/amend.mjs`): a member selects a passage of the reading view with the mouse,
//! types the new wording, sees the live word diff, is refused without the rationale the text
//! requires (the server's message in the form, what was typed kept), then submits; a second
//! member supports it on its page, the organiser screens it admissible and adopts it. Then the
//! keyboard-only path: Tab to a paragraph's « Amender », Enter, Escape and back, move the
//! passage's start by words, type, submit. What the server holds is checked through the API.

use serde_json::{Value, json};

use crate::amendments::{ORIGINAL, range_of, start};
use crate::browser::{node, session_cookie};
use crate::harness::Backend;

async fn proposing_in_place(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    // A rationale is required and one supporter makes an amendment admissible.
    let rules = f
        .olga
        .put(
            &format!("/api/v1/texts/{}/amendment_rules", f.id),
            json!({"min_supporters": 1, "rationale_required": true, "filers": "group"}),
        )
        .await;
    assert_eq!(rules.status().as_u16(), 200, "the organiser sets the rules");
    let env = [
        ("BASE_URL", f.app.url.clone()),
        ("TEXT_PATH", format!("/texts/{}", f.id)),
        (
            "COOKIE_AUTHOR",
            session_cookie(&f.app, "alice@exemple.fr").await,
        ),
        (
            "COOKIE_SUPPORTER",
            session_cookie(&f.app, "bob@exemple.fr").await,
        ),
        (
            "COOKIE_ORGANISER",
            session_cookie(&f.app, "olga@exemple.fr").await,
        ),
        ("SELECT_PARAGRAPH", "2".into()),
        ("SELECT_PHRASE", "trains de nuit".into()),
        ("SELECT_NEW", "trains de jour".into()),
        // After the emoji of § 3: UTF-16 offsets in the browser are the server's.
        ("KEYBOARD_PARAGRAPH", "4".into()),
        ("KEYBOARD_NEW", "ouvrent aussi le soir.".into()),
    ];
    let out = node("tests/browser/amend.mjs", &env).await;
    assert_eq!(out["ok"], true, "{out}");
    let preview = out["preview"].as_str().unwrap_or_default();
    assert!(
        preview.contains("<del>nuit</del>") && preview.contains("<ins>jour</ins>"),
        "the live diff: {out}"
    );
    assert!(
        out["amendment_page_diff"]
            .as_str()
            .is_some_and(|d| d.contains("<del>nuit</del><ins>jour</ins>")),
        "the page's diff is the preview's: {out}"
    );
    assert!(
        out["refused"]
            .as_str()
            .is_some_and(|r| r.contains("motifs") || r.contains("ationale")),
        "the server's refusal names the rationale: {out}"
    );

    // What the server holds: the passage selected, the wording typed, supported and adopted.
    let api_path = |page: &Value| {
        format!(
            "/api/v1{}",
            page.as_str().expect("an amendment page's path")
        )
    };
    let selected = f
        .alice
        .get_json(&api_path(&out["amendment_path"]), 200)
        .await;
    let range = range_of(ORIGINAL, "trains de nuit");
    assert_eq!(
        (selected["start"].as_u64(), selected["end"].as_u64()),
        (Some(range.start as u64), Some(range.end as u64)),
        "{selected}"
    );
    assert_eq!(selected["original"], "trains de nuit", "{selected}");
    assert_eq!(selected["replacement"], "trains de jour", "{selected}");
    assert_eq!(selected["status"], "adopted", "{selected}");
    assert_eq!(
        selected["supporters"],
        json!([f.bob_id.to_string()]),
        "{selected}"
    );
    // TODO(issue 13, merging): merge it (`POST /api/v1/amendments/{id}/merge`), then the
    // Markdown reads « trains de jour » and the provenance of that passage is this amendment.

    let typed = f
        .alice
        .get_json(&api_path(&out["keyboard_amendment_path"]), 200)
        .await;
    let range = range_of(ORIGINAL, "ouvrent le dimanche.");
    assert_eq!(out["keyboard_passage"], "ouvrent le dimanche.", "{out}");
    assert_eq!(
        (typed["start"].as_u64(), typed["end"].as_u64()),
        (Some(range.start as u64), Some(range.end as u64)),
        "{typed}"
    );
    assert_eq!(typed["replacement"], "ouvrent aussi le soir.", "{typed}");
    assert_eq!(typed["status"], "submitted", "{typed}");
    f.app.stop().await;
}

#[tokio::test]
async fn a_member_proposes_in_place_and_the_amendment_goes_to_adoption() {
    proposing_in_place(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn a_member_proposes_in_place_and_the_amendment_goes_to_adoption_on_postgres() {
    proposing_in_place(Backend::Postgres).await;
}
