//! Honest errors for the pages' forms: a form over the size limit answers a page that keeps the
//! signed-in header and states the limit; the profile form's errors are shown like every other
//! form's, next to their fields, with what was typed kept. (The browser-side check, which keeps
//! an oversized form from leaving the page, is in `browser::an_oversized_form_is_kept_in_the_page`.)

use crate::harness::{Browser, TestApp};
use atelier::model::{GroupKind, Role, Visibility};

const WRITER: &str = "redactrice@exemple.fr";

async fn writer_in_a_theme(app: &TestApp) -> (Browser, atelier::model::GroupId, String) {
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    let writer = app.member(WRITER, "Rosa Rédactrice").await;
    app.grant(writer, theme, Role::Member).await;
    let browser = app.browser();
    assert_eq!(browser.login(WRITER).await.status(), 303);
    (browser, theme, writer.to_string())
}

#[tokio::test]
async fn a_form_over_the_size_limit_keeps_the_header_and_states_the_limit() {
    let app = TestApp::start().await;
    let (browser, theme, _) = writer_in_a_theme(&app).await;
    let new = format!("/groups/{theme}/texts/new");
    // 1.2 MB of text once encoded: over the 1 MiB the server reads.
    let markdown = "Des hôpitaux de proximité dans chaque canton. ".repeat(22_000);
    let response = browser
        .submit(
            &new,
            &new,
            &[("title", "Hôpitaux"), ("markdown", &markdown)],
        )
        .await;
    assert_eq!(response.status(), 413);
    let page = response.text().await.unwrap();
    assert!(page.contains("action=\"/logout\""), "the signed-in header");
    assert!(
        page.contains("Rosa Rédactrice"),
        "the member's name in the header"
    );
    assert!(
        page.contains("Ce formulaire dépasse 1\u{a0}Mo"),
        "the limit is stated: {page}"
    );
    assert!(page.contains("« Retour »"), "how to get the text back");
    assert!(
        page.contains("data-history-back") && page.contains("hidden"),
        "the back button, shown by the forms' script"
    );
    assert!(
        !page.contains("Des hôpitaux de proximité"),
        "the server has not echoed a truncated text"
    );
    // Nothing was created.
    let texts = app
        .api_as(WRITER)
        .await
        .get_json(&format!("/api/v1/groups/{theme}/texts"), 200)
        .await;
    assert_eq!(texts.as_array().map(Vec::len), Some(0), "{texts}");

    // In English, the same.
    assert_eq!(browser.get("/lang/en?next=/").await.status(), 303);
    let response = browser
        .submit(
            &new,
            &new,
            &[("title", "Hospitals"), ("markdown", &markdown)],
        )
        .await;
    assert_eq!(response.status(), 413);
    let page = response.text().await.unwrap();
    assert!(page.contains("This form is larger than 1 MB"), "{page}");
    assert!(page.contains("action=\"/logout\""));

    // A visitor who is not signed in gets the page too, without a header to keep.
    let visitor = app.browser();
    let response = visitor
        .submit("/login", "/login", &[("email", &markdown)])
        .await;
    assert_eq!(response.status(), 413);
    let page = response.text().await.unwrap();
    assert!(!page.contains("action=\"/logout\""));
    assert!(page.contains("Ce formulaire dépasse 1\u{a0}Mo"));

    // Every page tells the forms' script the server's limit, and what to say.
    let (_, home) = browser.get_text("/").await;
    assert!(home.contains(&format!(
        "data-form-max-bytes=\"{}\"",
        atelier::http::BODY_LIMIT
    )));
    let forms_js = atelier_templates::assets::FORMS_JS;
    assert!(home.contains(&format!("<script src=\"{forms_js}\" defer></script>")));
    let script = browser.get("/assets/forms.js").await;
    assert_eq!(script.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn the_profile_forms_errors_are_shown_next_to_their_fields() {
    let app = TestApp::start().await;
    let (browser, _, me) = writer_in_a_theme(&app).await;
    let profile = format!("/members/{me}");
    let response = browser
        .submit(
            &profile,
            &format!("{profile}/profile"),
            &[
                ("name", "   "),
                ("functions", "Trésorière\nSecrétaire"),
                ("mandates", "Conseillère municipale"),
                ("profile_visibility", "party"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    // The styled form page: signed-in header, error summary linking to the field, the error
    // next to it, the title saying there are errors.
    assert!(page.contains("action=\"/logout\""));
    assert!(page.contains("class=\"error-summary\""), "{page}");
    assert!(page.contains("href=\"#field-name\""), "{page}");
    assert!(page.contains("class=\"field-error\""), "{page}");
    assert!(page.contains("aria-invalid=\"true\""), "{page}");
    assert!(page.contains("<title>Erreur"), "{page}");
    // What was typed is kept.
    assert!(page.contains("Trésorière\nSecrétaire"), "{page}");
    assert!(page.contains("Conseillère municipale"), "{page}");
    assert!(
        page.contains(
            r#"id="field-profile_visibility-party" name="profile_visibility" value="party" checked"#
        ),
        "{page}"
    );
    // And nothing was written: a refused form changes nothing.
    let saved = app
        .api_as(WRITER)
        .await
        .get_json(&format!("/api/v1/members/{me}"), 200)
        .await;
    assert_eq!(saved["name"], "Rosa Rédactrice");
    assert_eq!(saved["functions"], serde_json::json!([]));

    // Too many titles: the error is on its field, and the name typed is kept.
    let many = vec!["Fonction"; 41].join("\n");
    let response = browser
        .submit(
            &profile,
            &format!("{profile}/profile"),
            &[("name", "Rosa R."), ("functions", &many)],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("href=\"#field-functions\""), "{page}");
    assert!(page.contains("value=\"Rosa R.\""), "{page}");
    let saved = app
        .api_as(WRITER)
        .await
        .get_json(&format!("/api/v1/members/{me}"), 200)
        .await;
    assert_eq!(saved["name"], "Rosa Rédactrice", "nothing written");
    app.stop().await;
}
