//! Sub-amendments (issue 13, point 1): filed through the API on a range of a submitted
//! amendment's replacement, with their own number and « Sous-amendement N à l'amendement M »;
//! the refusals (a range outside the parent's wording, a parent not submitted, a sub of a sub);
//! outdated when the parent is reworded under them; adopted, written into the parent's wording,
//! which then merges into the text with it; a parent never merged while a sub awaits a
//! decision; the export's `parent`; and the pages: nested, linked, filed without JavaScript.

use serde_json::{Value, json};

use crate::amendments::{Fixture, ORIGINAL, start};
use crate::harness::{Api, Backend, Browser};
use atelier::model::EventKind;

/// The UTF-16 range of `needle` in `text`.
fn range_in(text: &str, needle: &str) -> (usize, usize) {
    let byte = text.find(needle).expect("the passage");
    let start = text[..byte].encode_utf16().count();
    (start, start + needle.encode_utf16().count())
}

async fn file_sub(who: &Api, parent: &str, body: Value) -> (u16, Value) {
    let response = who
        .post(&format!("/api/v1/amendments/{parent}/amendments"), body)
        .await;
    (
        response.status().as_u16(),
        response.json().await.expect("json"),
    )
}

async fn status(f: &Fixture, id: &Value, to: &str) -> (u16, Value) {
    f.act(&f.olga, id, "status", json!({"status": to})).await
}

async fn sub_amendments_through_the_api(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let parent = f
        .file_on(&f.alice, "trains de nuit", "trains de nuit et de jour")
        .await;
    let p = parent["id"].as_str().unwrap().to_owned();
    let wording = "trains de nuit et de jour";

    // Bob files a sub-amendment on « de jour »: its own number, its reference, its parent.
    let (s, e) = range_in(wording, "de jour");
    let (code, sub) = file_sub(&f.bob,
        &p,
        json!({"start": s, "end": e, "replacement": "du matin", "rationale": "Tôt.", "submit": true}),
    )
    .await;
    assert_eq!(code, 201, "{sub}");
    assert_eq!(sub["number"], 2);
    assert_eq!(sub["reference"], "Sous-amendement 2 à l'amendement 1");
    assert_eq!(sub["parent_id"], p.as_str());
    assert_eq!(sub["original"], "de jour");
    assert_eq!(sub["status"], "submitted");
    assert_eq!(sub["outdated"], false);
    assert!(sub["parent_revision_id"].is_i64(), "{sub}");
    let s1 = sub["id"].clone();
    // Supported like any amendment.
    let (code, body) = f.act(&f.alice, &s1, "support", json!({})).await;
    assert_eq!(code, 200, "{body}");

    // Bad input: a range outside the parent's wording, an end before its start, the same words.
    for (body, field) in [
        (json!({"start": 0, "end": 999, "replacement": "x"}), "end"),
        (
            json!({"start": 999, "end": 999, "replacement": "x"}),
            "start",
        ),
        (json!({"start": 5, "end": 2, "replacement": "x"}), "end"),
        (
            json!({"start": s, "end": e, "replacement": "de jour"}),
            "replacement",
        ),
    ] {
        let (code, answer) = file_sub(&f.bob, &p, body.clone()).await;
        assert_eq!(code, 422, "{body}: {answer}");
        assert!(
            answer["fields"][field].is_string(),
            "{field} named: {answer}"
        );
    }
    // No sub-amendment of a sub-amendment.
    let (code, answer) = file_sub(
        &f.alice,
        s1.as_str().unwrap(),
        json!({"start": 0, "end": 2, "replacement": "au"}),
    )
    .await;
    assert_eq!(code, 409, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("sous-amendement"),
        "{answer}"
    );
    // Nor on a parent that is not submitted (Alice's own draft).
    let (code, draft) = f
        .file(
            &f.alice,
            json!({"start": 0, "end": 9, "replacement": "# Cultures", "rationale": "."}),
        )
        .await;
    assert_eq!(code, 201, "{draft}");
    let (code, answer) = file_sub(
        &f.alice,
        draft["id"].as_str().unwrap(),
        json!({"start": 0, "end": 1, "replacement": "##"}),
    )
    .await;
    assert_eq!(code, 409, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("brouillon"),
        "{answer}"
    );
    // Who may not file on the text may not file a sub-amendment (Carla, of another theme).
    let carla = f.app.api_as("carla@exemple.fr").await;
    let (code, _) = file_sub(
        &carla,
        &p,
        json!({"start": s, "end": e, "replacement": "du soir"}),
    )
    .await;
    assert_eq!(code, 403);

    // A second one on « trains »; then Alice rewords her amendment under it.
    let (code, sub2) = file_sub(
        &f.bob,
        &p,
        json!({"start": 0, "end": 6, "replacement": "bus", "submit": true}),
    )
    .await;
    assert_eq!(code, 201, "{sub2}");
    let s2 = sub2["id"].clone();
    let reworded = f
        .alice
        .patch(
            &format!("/api/v1/amendments/{p}"),
            json!({"replacement": "TGV de nuit et de jour", "rationale": "Parce que."}),
        )
        .await;
    assert_eq!(reworded.status().as_u16(), 200);
    let now = f
        .bob
        .get_json(&format!("/api/v1/amendments/{}", s2.as_str().unwrap()), 200)
        .await;
    assert_eq!(
        now["outdated"], true,
        "its passage « trains » is gone: {now}"
    );
    let now = f
        .bob
        .get_json(&format!("/api/v1/amendments/{}", s1.as_str().unwrap()), 200)
        .await;
    assert_eq!(now["outdated"], false, "« de jour » is still there: {now}");
    assert_eq!(now["current"], "de jour");

    // Adopting the first writes it into its parent's wording, as a revision naming it.
    assert_eq!(status(&f, &s1, "admissible").await.0, 200);
    let (code, adopted) = status(&f, &s1, "adopted").await;
    assert_eq!(code, 200, "{adopted}");
    assert_eq!(adopted["status"], "merged");
    let parent_now = f
        .bob
        .get_json(&format!("/api/v1/amendments/{p}"), 200)
        .await;
    assert_eq!(parent_now["replacement"], "TGV de nuit et du matin");
    let events = f.app.app.db.events_after(0, 1000).await.unwrap();
    let revised = events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::AmendmentRevised)
        .expect("the parent's revision");
    assert_eq!(revised.payload["from_number"], 2, "{:?}", revised.payload);
    assert!(events.iter().any(|e| e.kind == EventKind::AmendmentMerged
        && e.payload["number"] == 2
        && e.payload["parent_number"] == 1));
    // The outdated one is not adopted as is.
    assert_eq!(status(&f, &s2, "admissible").await.0, 200);
    let (code, answer) = status(&f, &s2, "adopted").await;
    assert_eq!(code, 409, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("obsolète"),
        "{answer}"
    );

    // The parent is not merged while its sub-amendment 4 awaits a decision.
    let pid = json!(p);
    assert_eq!(status(&f, &pid, "admissible").await.0, 200);
    assert_eq!(status(&f, &pid, "adopted").await.0, 200);
    let (code, answer) = f.act(&f.olga, &pid, "merge", json!({})).await;
    assert_eq!(code, 409, "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("sous-amendement 4"), "{message}");
    // Rejected, it no longer holds the parent back: the text gets the sub-amendment's words.
    assert_eq!(status(&f, &s2, "rejected").await.0, 200);
    let (code, answer) = f.act(&f.olga, &pid, "merge", json!({})).await;
    assert_eq!(code, 200, "{answer}");
    let text = f
        .bob
        .get_json(&format!("/api/v1/texts/{}", f.id), 200)
        .await;
    assert_eq!(
        text["markdown"],
        ORIGINAL.replace("trains de nuit", "TGV de nuit et du matin")
    );

    // The export says whose sub-amendment each is.
    let exported = f
        .bob
        .get_json(&format!("/api/v1/texts/{}/amendments.json", f.id), 200)
        .await;
    let rows = exported.as_array().expect("rows");
    let parent_of = |n: i64| {
        rows.iter()
            .find(|r| r["number"] == n)
            .map(|r| r["parent"].clone())
            .expect("exported")
    };
    assert_eq!(parent_of(1), Value::Null);
    assert_eq!(parent_of(2), json!(1));
    // (3 is Alice's draft, hidden from Bob.)
    assert_eq!(parent_of(4), json!(1));
    let csv = f
        .bob
        .get(&format!("/api/v1/texts/{}/amendments.csv", f.id))
        .await
        .text()
        .await
        .unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains(",overlaps,parent,created_at,"), "{header}");
    let second = csv.lines().find(|l| l.starts_with("2,")).expect("row 2");
    assert!(second.contains(",1,"), "{second}");
}

#[tokio::test]
async fn sub_amendments_through_the_api_on_sqlite() {
    sub_amendments_through_the_api(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn sub_amendments_through_the_api_on_postgres() {
    sub_amendments_through_the_api(Backend::Postgres).await;
}

async fn signed_in(f: &Fixture, email: &str) -> Browser {
    let browser = f.app.browser();
    let response = browser.login(email).await;
    assert_eq!(response.status().as_u16(), 303, "{email} signs in");
    browser
}

async fn sub_amendments_on_the_pages(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let wording = "trains de nuit.\n\nEt de jour";
    let parent = f.file_on(&f.alice, "trains de nuit", wording).await;
    let p = parent["id"].as_str().unwrap().to_owned();
    let parent_path = format!("/amendments/{p}");
    let form = format!("{parent_path}/amendments/new");
    let bob = signed_in(&f, "bob@exemple.fr").await;

    // The parent's page offers to sub-amend it; the form lets one choose a paragraph.
    let (_, html) = bob.get_text(&parent_path).await;
    assert!(html.contains("Sous-amendements"), "{html}");
    assert!(html.contains(&format!("href=\"{form}\"")), "{html}");
    let (code, html) = bob.get_text(&form).await;
    assert_eq!(code, 200, "{html}");
    assert!(
        html.contains("Toute la rédaction") && html.contains("Paragraphe 2"),
        "{html}"
    );
    let (s, e) = range_in(wording, "Et de jour");
    let chosen = format!("{form}?start={s}&end={e}");
    assert!(html.contains(&chosen.replace('&', "&amp;")), "{html}");
    let (_, html) = bob.get_text(&chosen).await;
    assert!(html.contains(">Et de jour</textarea>"), "prefilled: {html}");

    // Refused input comes back next to its field.
    let response = bob
        .submit(
            &chosen,
            &form,
            &[
                ("start", &s.to_string()),
                ("end", &e.to_string()),
                ("replacement", "Et de jour"),
                ("rationale", ""),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"field-replacement-error\""), "{html}");
    // Filed and submitted: to its page, which links to its parent.
    let response = bob
        .submit(
            &chosen,
            &form,
            &[
                ("start", &s.to_string()),
                ("end", &e.to_string()),
                ("replacement", "Et du matin"),
                ("rationale", "Tôt."),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let to = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, html) = bob.get_text(&to).await;
    assert!(
        html.contains("Sous-amendement 2 à l&#39;amendement 1")
            || html.contains("Sous-amendement 2 à l'amendement 1"),
        "{html}"
    );
    assert!(
        html.contains(&format!("href=\"{parent_path}\"")),
        "links to its parent: {html}"
    );
    assert!(
        !html.contains("/amendments/new\""),
        "no sub of a sub: {html}"
    );

    // Nested under its parent, as the change it makes to the parent's wording.
    let (_, html) = bob.get_text(&parent_path).await;
    let nested = &html[html.find("Sous-amendements").unwrap()..];
    assert!(nested.contains(&format!("href=\"{to}\"")), "{nested}");
    assert!(
        nested.contains("matin</ins>") && nested.contains("jour</del>"),
        "{nested}"
    );

    // Adopted, it rewrites its parent: the parent's page says which revision it wrote.
    let sub_id = json!(to.trim_start_matches("/amendments/"));
    assert_eq!(status(&f, &sub_id, "admissible").await.0, 200);
    let (code, body) = status(&f, &sub_id, "adopted").await;
    assert_eq!(code, 200, "{body}");
    let (_, html) = bob.get_text(&parent_path).await;
    let listed = &html[html.find("Rédactions successives").expect("two wordings")..];
    assert!(
        listed.contains("écrite par l&#39;adoption du")
            || listed.contains("écrite par l'adoption du"),
        "{listed}"
    );
    assert!(listed.contains(&format!("href=\"{to}\"")), "{listed}");
    assert!(listed.contains("matin</ins>"), "{listed}");

    // The list: the sub-amendment right under its parent.
    let (_, html) = bob.get_text(&format!("/texts/{}/amendments", f.id)).await;
    let at_parent = html
        .find(&format!("href=\"{parent_path}\""))
        .expect("the parent");
    let at_sub = html.find(&format!("href=\"{to}\"")).expect("the sub");
    assert!(at_parent < at_sub, "{html}");
    assert!(html.contains("amendment-row--sub"), "{html}");

    // A draft takes no sub-amendment: no link, and the form says why.
    let (_, draft) = f
        .file(
            &f.bob,
            json!({"start": 0, "end": 9, "replacement": "# Cultures", "rationale": "."}),
        )
        .await;
    let draft_path = format!("/amendments/{}", draft["id"].as_str().unwrap());
    let (_, html) = bob.get_text(&draft_path).await;
    assert!(
        !html.contains(&format!("{draft_path}/amendments/new")),
        "{html}"
    );
    assert_eq!(
        bob.get_text(&format!("{draft_path}/amendments/new"))
            .await
            .0,
        409
    );
}

#[tokio::test]
async fn sub_amendments_on_the_pages_on_sqlite() {
    sub_amendments_on_the_pages(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn sub_amendments_on_the_pages_on_postgres() {
    sub_amendments_on_the_pages(Backend::Postgres).await;
}
