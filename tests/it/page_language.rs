//! What the text pages say after each action, in French and in English: a sentence in the
//! reader's language, never a raw key (`flash.version_saved`) nor the document's own English
//! ("created", "restored version 3"). `atelier-templates`' `every_key_used_is_defined` checks
//! that every key of the sources is in both languages; this test follows the keys to the pages.

use serde_json::Value;

use crate::harness::{Browser, TestApp};
use crate::texts_lifecycle::import;
use atelier::model::{GroupKind, Role, Visibility};

const ORGANISER: &str = "organisatrice@exemple.fr";

/// The flash message of `page` (the layout's `div.flash`), if any.
fn flash(page: &str) -> Option<&str> {
    let at = page.find("class=\"flash\"")?;
    let start = at + page[at..].find("<p>")? + 3;
    let end = start + page[start..].find("</p>")?;
    Some(&page[start..end])
}

/// Follows a 303 and returns the flash of the page it leads to.
async fn flash_after(browser: &Browser, response: reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "{}", response.url());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (status, page) = browser.get_text(&location).await;
    assert_eq!(status, 200, "{location}");
    flash(&page)
        .unwrap_or_else(|| panic!("no flash on {location}"))
        .to_owned()
}

/// A key would render as itself: lowercase words joined by dots and underscores.
fn assert_sentence(text: &str) {
    let key_like = !text.contains(' ') && text.contains('.');
    assert!(!key_like, "a raw key is shown: {text}");
}

async fn text_actions_speak_the_readers_language(lang: &str, expected: [&str; 7]) {
    let app = TestApp::start().await;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    let organiser = app.member(ORGANISER, "Olga Organisatrice").await;
    app.grant(organiser, theme, Role::Organiser).await;
    let browser = app.browser();
    assert_eq!(browser.login(ORGANISER).await.status(), 303);
    assert_eq!(
        browser.get(&format!("/lang/{lang}?next=/")).await.status(),
        303
    );
    let [
        created,
        imported,
        saved,
        restored,
        status,
        now,
        created_edit,
    ] = expected;

    // A new text from the form.
    let new = format!("/groups/{theme}/texts/new");
    let response = browser
        .submit(
            &new,
            &new,
            &[
                ("title", "Hôpitaux"),
                ("kind", "programme"),
                ("markdown", "# Hôpitaux\n\nUn hôpital par canton.\n"),
            ],
        )
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let message = flash_after(&browser, response).await;
    assert_sentence(&message);
    assert_eq!(message, created);
    let id = location
        .trim_start_matches("/texts/")
        .trim_end_matches("/edit")
        .to_owned();

    // An imported file.
    let response = import(
        &browser,
        theme,
        "sante.md",
        b"# Sant\xc3\xa9\n\nDes m\xc3\xa9decins.\n".to_vec(),
    )
    .await;
    let message = flash_after(&browser, response).await;
    assert_sentence(&message);
    assert_eq!(message, imported);

    // A named version, then restoring it.
    let history = format!("/texts/{id}/history");
    let response = browser
        .submit(
            &history,
            &format!("/texts/{id}/versions"),
            &[("label", "Premier jet")],
        )
        .await;
    let message = flash_after(&browser, response).await;
    assert_eq!(message, saved);
    let versions: Value = browser
        .get(&format!("/api/v1/texts/{id}/versions"))
        .await
        .json()
        .await
        .unwrap();
    let version = versions[0]["id"].as_str().expect("a version").to_owned();
    let response = browser
        .submit(
            &history,
            &format!("/texts/{id}/versions/{version}/restore"),
            &[],
        )
        .await;
    let message = flash_after(&browser, response).await;
    assert_eq!(message, restored);

    // The status.
    let response = browser
        .submit(
            &format!("/texts/{id}"),
            &format!("/texts/{id}/status"),
            &[("status", "amending")],
        )
        .await;
    let message = flash_after(&browser, response).await;
    assert_eq!(message, status);

    // The comparison with now names "now" in the reader's language.
    let (code, diff) = browser
        .get_text(&format!("/texts/{id}/diff?from={version}&to=now"))
        .await;
    assert_eq!(code, 200);
    assert!(diff.contains(now), "{now} not in the diff page");
    assert!(
        !diff.contains("history.point_now"),
        "a raw key on the diff page"
    );

    // The history says what the server's own changes were, in the reader's language.
    let (_, page) = browser.get_text(&history).await;
    assert!(
        page.contains(created_edit),
        "{created_edit} not in the history"
    );
    assert!(
        !page.contains("edit-message\">created<"),
        "the document's English shows in the history"
    );
    assert!(
        !page.contains("restored version"),
        "the document's English shows in the history"
    );
    app.stop().await;
}

#[tokio::test]
async fn text_actions_speak_french() {
    text_actions_speak_the_readers_language(
        "fr",
        [
            "Le texte a été créé : vous pouvez l’écrire, seul·e ou à plusieurs.",
            "Le fichier a été importé : c’est maintenant un texte d’Atelier.",
            "La version a été enregistrée.",
            "La version a été restaurée ; l’historique garde ce qui la précédait.",
            "Le statut du texte a été changé.",
            "« maintenant »",
            "création du texte",
        ],
    )
    .await;
}

#[tokio::test]
async fn text_actions_speak_english() {
    text_actions_speak_the_readers_language(
        "en",
        [
            "The text has been created: write it, alone or together.",
            "The file has been imported: it is now an Atelier text.",
            "The version has been saved.",
            "The version has been restored; the history keeps what came before.",
            "The text’s status has been changed.",
            "“now”",
            "text created",
        ],
    )
    .await;
}
