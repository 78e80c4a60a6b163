//! Rewording an amendment from its page (issue 13, point 1): the no-JavaScript form for its
//! author while it is a draft or submitted, the API's checks shown next to their fields, the
//! form refused to others and once screened, and every revision listed with what changed.

use serde_json::json;

use crate::amendments::{Fixture, ORIGINAL, start};
use crate::harness::{Backend, Browser};

async fn signed_in(f: &Fixture, email: &str) -> Browser {
    let browser = f.app.browser();
    let response = browser.login(email).await;
    assert_eq!(response.status().as_u16(), 303, "{email} signs in");
    browser
}

async fn post(browser: &Browser, from: &str, to: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let response = browser.submit(from, to, fields).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

async fn rewording_from_the_page(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let filed = f
        .file_on(&f.alice, "trains de nuit", "trains de jour")
        .await;
    let id = filed["id"].as_str().expect("id").to_owned();
    let path = format!("/amendments/{id}");
    let form = format!("{path}/revise");
    let (status, body) = f.act(&f.bob, &filed["id"], "support", json!({})).await;
    assert_eq!(status, 200, "{body}");

    let alice = signed_in(&f, "alice@exemple.fr").await;
    let bob = signed_in(&f, "bob@exemple.fr").await;
    let olga = signed_in(&f, "olga@exemple.fr").await;

    // Its author is offered « Modifier la rédaction »; nobody else.
    let (_, html) = alice.get_text(&path).await;
    assert!(
        html.contains(&format!("href=\"{form}\"")) && html.contains("Modifier la rédaction"),
        "{html}"
    );
    for other in [&bob, &olga] {
        let (_, html) = other.get_text(&path).await;
        assert!(!html.contains(&format!("href=\"{form}\"")), "{html}");
    }
    // The form holds the passage as filed and the wording as it is now.
    let (status, html) = alice.get_text(&form).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("<pre class=\"amendment-original\">trains de nuit</pre>"),
        "{html}"
    );
    assert!(html.contains(">trains de jour</textarea>"), "{html}");

    // Others may neither see the form nor post it.
    assert_eq!(bob.get_text(&form).await.0, 403);
    let (status, html) = post(
        &bob,
        &path,
        &form,
        &[("replacement", "trains de Bob"), ("rationale", "")],
    )
    .await;
    assert_eq!(status, 403, "{html}");

    // The API's checks, each next to its field: a wording identical to the passage…
    let (status, html) = post(
        &alice,
        &form,
        &form,
        &[
            ("replacement", "trains de nuit"),
            ("rationale", "Parce que."),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"field-replacement-error\""), "{html}");
    assert!(html.contains("identique au passage amendé"), "{html}");
    assert!(
        html.contains(">trains de nuit</textarea>"),
        "what was typed is kept"
    );
    // …and an empty rationale where the text requires one.
    let rules = f
        .olga
        .put(
            &format!("/api/v1/texts/{}/amendment_rules", f.id),
            json!({"filers": "group", "rationale_required": true}),
        )
        .await;
    assert_eq!(rules.status().as_u16(), 200);
    let (status, html) = post(
        &alice,
        &form,
        &form,
        &[("replacement", "trains du soir"), ("rationale", "  ")],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"field-rationale-error\""), "{html}");
    // Without the CSRF token, nothing.
    let response = alice
        .submit_without_token(
            &form,
            &[("replacement", "trains du soir"), ("rationale", "Ok.")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);

    // Reworded twice; every revision is listed with who and when, and what changed.
    let (status, html) = post(
        &alice,
        &form,
        &form,
        &[("replacement", "trains du soir"), ("rationale", "Le soir.")],
    )
    .await;
    assert_eq!(status, 303, "{html}");
    let (status, _) = post(
        &alice,
        &form,
        &form,
        &[
            ("replacement", "trains du soir et du matin"),
            ("rationale", "Le soir."),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = bob.get_text(&path).await;
    assert!(html.contains("Rédactions successives"), "{html}");
    for n in 1..=3 {
        assert!(
            html.contains(&format!("Rédaction {n}")),
            "revision {n}: {html}"
        );
    }
    let listed = &html[html.find("Rédactions successives").expect("listed")..];
    let listed = &listed[..listed
        .find("Historique du statut")
        .expect("then the history")];
    // By word, with the changed characters emphasised inside changed words.
    assert!(
        listed.contains("trains <del>d<mark>e</mark> <mark>j</mark>o<mark>u</mark>r</del><ins>"),
        "from the first to the second, « de jour » replaced: {listed}"
    );
    assert!(
        listed.contains("trains du soir<ins> et du matin</ins>"),
        "then « et du matin » added: {listed}"
    );
    assert!(
        html.contains("L'exposé des motifs a aussi changé."),
        "{html}"
    );
    assert!(html.contains("par Alice Rédactrice"), "who reworded it");
    // Bob's support is kept, and said to be of an earlier wording.
    assert!(html.contains("1 soutien"), "{html}");
    assert!(
        html.contains("1 soutien(s) ont été donnés avant la dernière modification"),
        "{html}"
    );
    // The API sees the same wording.
    let now = f
        .alice
        .get_json(&format!("/api/v1/amendments/{id}"), 200)
        .await;
    assert_eq!(now["replacement"], "trains du soir et du matin");
    assert_eq!(now["supporters"].as_array().map(Vec::len), Some(1));

    // Another's draft stays hidden.
    let (status, draft) = f
        .file(
            &f.bob,
            json!({"start": 0, "end": 9, "replacement": "# Cultures", "rationale": "Pluriel."}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    let bob_form = format!("/amendments/{}/revise", draft["id"].as_str().unwrap());
    assert_eq!(alice.get_text(&bob_form).await.0, 404);
    assert_eq!(
        bob.get_text(&bob_form).await.0,
        200,
        "a draft is reworded too"
    );

    // Once screened, the wording is frozen: no form, and posting is refused with the reason.
    let (status, body) = f
        .act(
            &f.olga,
            &filed["id"],
            "status",
            json!({"status": "admissible"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, html) = alice.get_text(&path).await;
    assert!(!html.contains(&format!("href=\"{form}\"")), "{html}");
    assert_eq!(alice.get_text(&form).await.0, 409);
    let (status, html) = post(
        &alice,
        &path,
        &form,
        &[("replacement", "trains de minuit"), ("rationale", "Tard.")],
    )
    .await;
    assert_eq!(status, 409, "{html}");
    assert!(html.contains("sa rédaction ne change plus"), "{html}");
}

#[tokio::test]
async fn rewording_from_the_page_on_sqlite() {
    rewording_from_the_page(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn rewording_from_the_page_on_postgres() {
    rewording_from_the_page(Backend::Postgres).await;
}
