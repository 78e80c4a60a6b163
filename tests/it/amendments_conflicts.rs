//! Overlapping adopted amendments are never merged silently (issue 13, « Merging »): the
//! organiser sees them side by side with the passage as it is now, and keeps one (merged; the
//! other stays adopted, superseded by it, and merges no more) or writes a combined wording
//! (merged as one change whose message names both; provenance leads to both).

use serde_json::{Value, json};

use crate::amendments::{Fixture, ORIGINAL, start};
use crate::harness::{Backend, Browser};
use atelier::model::EventKind;

async fn signed_in(f: &Fixture, email: &str) -> Browser {
    let browser = f.app.browser();
    let response = browser.login(email).await;
    assert_eq!(response.status().as_u16(), 303, "{email} signs in");
    browser
}

fn id(amendment: &Value) -> &str {
    amendment["id"].as_str().expect("an id")
}

async fn conflicts_are_resolved_side_by_side(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let db = f.app.app.db.clone();
    let one = f
        .file_on(
            &f.alice,
            "Les bibliothèques ouvrent",
            "Les médiathèques ouvrent",
        )
        .await;
    let two = f
        .file_on(&f.bob, "ouvrent le dimanche", "ouvrent le soir")
        .await;
    let three = f
        .file_on(
            &f.alice,
            "La culture pour tous",
            "La culture pour toutes et tous",
        )
        .await;
    let four = f
        .file_on(&f.bob, "pour tous, même à Paris", "pour tous, partout")
        .await;
    for amendment in [&one, &two, &three, &four] {
        f.adopt(&amendment["id"]).await;
    }
    let olga = signed_in(&f, "olga@exemple.fr").await;
    let alice = signed_in(&f, "alice@exemple.fr").await;

    // The amendment's page sends the organiser to the conflict, not to a merge.
    let (status, html) = olga.get_text(&format!("/amendments/{}", id(&one))).await;
    assert_eq!(status, 200);
    let conflict = format!("/amendments/{}/conflict/{}", id(&one), id(&two));
    assert!(html.contains(&format!("href=\"{conflict}\"")), "{html}");
    assert!(!html.contains(&format!("action=\"/amendments/{}/merge\"", id(&one))));

    // Side by side: both diffs and the passage they both amend, as it is now.
    let (status, html) = olga.get_text(&conflict).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("thèques</ins> ouvrent"), "{html}");
    assert!(
        html.contains("<del>dimanche</del><ins>soir</ins>"),
        "{html}"
    );
    assert!(
        html.contains("<blockquote class=\"amendment-passage\">Les bibliothèques ouvrent le dimanche</blockquote>"),
        "{html}"
    );
    assert_eq!(alice.get_text(&conflict).await.0, 403, "organisers only");

    // Keep one: it is merged, the other stays adopted, superseded, and merges no more.
    let since = db.last_event_position().await.unwrap();
    let response = olga
        .submit(&conflict, &conflict, &[("keep", id(&one))])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(f.amendment(&one["id"]).await["status"], "merged");
    let set_aside = f.amendment(&two["id"]).await;
    assert_eq!(set_aside["status"], "adopted");
    assert_eq!(set_aside["superseded_by"], one["id"]);
    assert!(
        f.markdown()
            .await
            .contains("Les médiathèques ouvrent le dimanche.")
    );
    let (_, html) = olga.get_text(&format!("/amendments/{}", id(&two))).await;
    assert!(html.contains("écarté au profit d'un amendement"), "{html}");
    assert!(html.contains(&format!("href=\"/amendments/{}\"", id(&one))));
    let (code, body) = f.act(&f.olga, &two["id"], "merge", json!({})).await;
    assert_eq!(code, 409);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("écarté au profit de l'amendement 1"),
        "{body}"
    );
    let kinds: Vec<EventKind> = db
        .events_after(since, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&EventKind::AmendmentMerged));
    assert!(kinds.contains(&EventKind::AmendmentSuperseded));

    // A combined wording: bad input comes back on the page.
    let conflict = format!("/amendments/{}/conflict/{}", id(&three), id(&four));
    let (status, html) = olga.get_text(&conflict).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("La culture pour tous, même à Paris"),
        "{html}"
    );
    let response = olga
        .submit(
            &conflict,
            &conflict,
            &[
                ("keep", "both"),
                ("replacement", "La culture pour tous, même à Paris"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422, "the passage as it is");
    let combined = "La culture pour toutes et tous, partout";
    let response = olga
        .submit(
            &conflict,
            &conflict,
            &[("keep", "both"), ("replacement", combined)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    for amendment in [&three, &four] {
        assert_eq!(f.amendment(&amendment["id"]).await["status"], "merged");
    }
    let text = f.markdown().await;
    assert!(
        text.contains("La culture pour toutes et tous, partout 😀."),
        "{text}"
    );
    let edits = db.text_edits(f.text, 10).await.unwrap();
    assert_eq!(edits[0].message.as_deref(), Some("amendements 3 et 4"));

    // Provenance: the combined words lead to both, the kept one's to it alone.
    let provenance = f
        .bob
        .get_json(&format!("/api/v1/texts/{}/provenance", f.id), 200)
        .await;
    let sources: Vec<Value> = provenance["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["passages"].as_array().unwrap().clone())
        .map(|w| w["amendment_ids"].clone())
        .collect();
    assert!(
        sources.contains(&json!([three["id"], four["id"]])),
        "{provenance}"
    );
    assert!(sources.contains(&json!([one["id"]])), "{provenance}");
    assert!(
        !sources
            .iter()
            .any(|s| s.as_array().unwrap().contains(&two["id"]))
    );
    f.app.stop().await;
}

#[tokio::test]
async fn conflicts_are_resolved_side_by_side_on_sqlite() {
    conflicts_are_resolved_side_by_side(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn conflicts_are_resolved_side_by_side_on_postgres() {
    conflicts_are_resolved_side_by_side(Backend::Postgres).await;
}

/// The pages' merge forms: an adopted amendment's page offers its organiser to merge it, a
/// text's list to merge every adopted amendment; members see neither.
async fn merging_from_the_pages(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let trains = f
        .file_on(&f.alice, "trains de nuit", "trains de nuit et de jour")
        .await;
    let library = f.file_on(&f.bob, "le dimanche", "tous les jours").await;
    let culture = f.file_on(&f.bob, "même à Paris", "même ailleurs").await;
    for amendment in [&trains, &library, &culture] {
        f.adopt(&amendment["id"]).await;
    }
    let olga = signed_in(&f, "olga@exemple.fr").await;
    let alice = signed_in(&f, "alice@exemple.fr").await;
    let path = format!("/amendments/{}", id(&trains));
    let merge = format!("{path}/merge");
    let (_, html) = olga.get_text(&path).await;
    assert!(html.contains(&format!("action=\"{merge}\"")), "{html}");
    let (_, html) = alice.get_text(&path).await;
    assert!(!html.contains(&format!("action=\"{merge}\"")));
    let response = alice.submit(&path, &merge, &[]).await;
    assert_eq!(response.status().as_u16(), 303, "refused, back to the page");
    let (_, html) = alice.get_text(&path).await;
    assert!(html.contains("Action refusée"), "saying so: {html}");
    assert_eq!(f.amendment(&trains["id"]).await["status"], "adopted");
    let response = olga.submit(&path, &merge, &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = olga.get_text(&path).await;
    assert!(
        html.contains("Amendement intégré au texte"),
        "the flash: {html}"
    );
    assert_eq!(f.amendment(&trains["id"]).await["status"], "merged");

    // Every adopted one at once, from the list.
    let list = format!("/texts/{}/amendments", f.id);
    let merge_all = format!("{list}/merge");
    let (_, html) = olga.get_text(&list).await;
    assert!(html.contains(&format!("action=\"{merge_all}\"")), "{html}");
    assert!(html.contains(&format!("href=\"/texts/{}/provenance\"", f.id)));
    let (_, html) = alice.get_text(&list).await;
    assert!(!html.contains(&format!("action=\"{merge_all}\"")));
    let response = olga.submit(&list, &merge_all, &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = olga.get_text(&list).await;
    assert!(html.contains("Amendements intégrés : 3, 2."), "{html}");
    assert_eq!(
        f.markdown().await,
        ORIGINAL
            .replace("trains de nuit", "trains de nuit et de jour")
            .replace("même à Paris", "même ailleurs")
            .replace("le dimanche", "tous les jours")
    );
    let (_, html) = olga.get_text(&list).await;
    assert!(
        !html.contains(&format!("action=\"{merge_all}\"")),
        "none adopted left"
    );
    f.app.stop().await;
}

#[tokio::test]
async fn merging_from_the_pages_on_sqlite() {
    merging_from_the_pages(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn merging_from_the_pages_on_postgres() {
    merging_from_the_pages(Backend::Postgres).await;
}
