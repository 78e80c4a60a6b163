//! Who learns what about texts, and when rights change: wiki links and backlinks never reveal a
//! text or group hidden from the reader; a change of role closes the live sockets so that they
//! are checked again; a text's status follows its life, one allowed move at a time.

use serde_json::{Value, json};

use crate::harness::{Api, Browser, TestApp};
use crate::sync_client::{Auth, SyncClient};
use atelier::model::{GroupId, GroupKind, Role, TextId, TextStatus, Visibility};

async fn create(api: &Api, group: GroupId, title: &str, kind: &str, markdown: &str) -> String {
    let response = api
        .post(
            "/api/v1/texts",
            json!({ "group_id": group.to_string(), "title": title, "kind": kind, "markdown": markdown }),
        )
        .await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "creating {title}: {body}");
    body["id"].as_str().expect("id").to_owned()
}

/// The opening `<a …>` tag of the link whose text is `label`.
fn anchor_of<'a>(html: &'a str, label: &str) -> &'a str {
    let end = html
        .find(&format!(">{label}</a>"))
        .unwrap_or_else(|| panic!("a link labelled {label} in {html}"));
    let start = html[..end].rfind("<a ").expect("the link's tag");
    &html[start..=end]
}

#[tokio::test]
async fn wiki_links_and_backlinks_never_reveal_a_hidden_group_or_its_texts() {
    let app = TestApp::start().await;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    let hidden = app
        .group(
            GroupKind::WorkingGroup,
            "Cellule secrète",
            national,
            Visibility::Group,
        )
        .await;
    let insider = app.member("dedans@exemple.fr", "Inès Dedans").await;
    app.grant(insider, theme, Role::Member).await;
    app.grant(insider, hidden, Role::Member).await;
    let outsider = app.member("dehors@exemple.fr", "Paul Dehors").await;
    app.grant(outsider, theme, Role::Member).await;
    let insider_api = app.api_as("dedans@exemple.fr").await;
    let outsider_api = app.api_as("dehors@exemple.fr").await;

    // A hidden page that links to a public page, and to a public page not written yet (with a
    // title only the hidden text spells that way).
    let secret = create(
        &insider_api,
        hidden,
        "Plan caché",
        "wiki",
        "Voir [[Santé/Accueil]] et [[Santé/Projet Confidentiel]].\n",
    )
    .await;
    // A public page linking to the hidden page, and to a group that does not exist at all.
    let public = create(
        &insider_api,
        theme,
        "Accueil",
        "wiki",
        "Voir [[Cellule secrète/Plan caché|le plan]] et [[Groupe inconnu/Plan caché|un plan]].\n",
    )
    .await;

    let insider_browser = app.browser();
    insider_browser.login("dedans@exemple.fr").await;
    let outsider_browser = app.browser();
    outsider_browser.login("dehors@exemple.fr").await;
    let visitor_browser = app.browser();
    let hidden_names = ["Plan caché", "Cellule secrète", "Projet Confidentiel"];

    // The rendered link: for those who may not see the group, exactly a link to a group that
    // does not exist; for its member, a link to the page.
    let visitor_api = app.api();
    for (who, api) in [("visitor", &visitor_api), ("outsider", &outsider_api)] {
        let text = api.get_json(&format!("/api/v1/texts/{public}"), 200).await;
        let html = text["html"].as_str().expect("html");
        assert_eq!(
            anchor_of(html, "le plan"),
            anchor_of(html, "un plan"),
            "{who}: {html}"
        );
        assert!(
            !html.contains(&format!("/groups/{hidden}")),
            "{who}: {html}"
        );
        api.get_json(&format!("/api/v1/texts/{secret}"), 404).await;
    }
    let text = insider_api
        .get_json(&format!("/api/v1/texts/{public}"), 200)
        .await;
    assert_eq!(
        anchor_of(text["html"].as_str().unwrap(), "le plan"),
        format!("<a href=\"/groups/{hidden}/wiki/plan-cache\" class=\"wikilink\">")
    );

    // "What links here" on the public page, and on the public page not written yet.
    let pages = [
        format!("/texts/{public}"),
        format!("/groups/{theme}/wiki/projet-confidentiel"),
    ];
    for path in &pages {
        for (who, browser) in [
            ("visitor", &visitor_browser),
            ("outsider", &outsider_browser),
        ] {
            let (_, body) = browser.get_text(path).await;
            for name in hidden_names {
                assert!(!body.contains(name), "{who} sees {name} on {path}: {body}");
            }
            assert!(!body.contains(&format!("/texts/{secret}")), "{who}: {body}");
        }
        let (_, body) = insider_browser.get_text(path).await;
        assert!(
            body.contains(&format!("/texts/{secret}")) && body.contains("Cellule secrète"),
            "the member sees the hidden backlink on {path}: {body}"
        );
    }
    let (_, body) = insider_browser
        .get_text(&format!("/groups/{theme}/wiki/projet-confidentiel"))
        .await;
    assert!(body.contains("Projet Confidentiel"), "{body}");

    // The hidden group's lists of texts stay hidden; the public one's do not list hidden texts.
    for path in [
        format!("/groups/{hidden}/changes"),
        format!("/groups/{hidden}"),
        format!("/groups/{hidden}/wiki/plan-cache"),
    ] {
        assert_eq!(outsider_browser.get(&path).await.status(), 404, "{path}");
        assert_eq!(visitor_browser.get(&path).await.status(), 404, "{path}");
    }
    for path in [
        format!("/groups/{theme}/changes"),
        format!("/groups/{theme}"),
    ] {
        let (status, body) = visitor_browser.get_text(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            body.contains("Accueil") && !body.contains("Plan caché"),
            "{body}"
        );
    }
    app.stop().await;
}

/// Signs in `email` in a browser and returns it.
async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    browser.login(email).await;
    browser
}

#[tokio::test]
async fn a_role_change_closes_live_sockets_and_they_come_back_with_the_new_rights() {
    let app = TestApp::start().await;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Logement", national, Visibility::Public)
        .await;
    let hidden = app
        .group(
            GroupKind::WorkingGroup,
            "Groupe discret",
            national,
            Visibility::Group,
        )
        .await;
    let writer = app.member("redactrice@exemple.fr", "Rosa Rédactrice").await;
    app.grant(writer, theme, Role::Member).await;
    app.grant(writer, hidden, Role::Member).await;
    let secretary = app.member("secretaire@exemple.fr", "Sam Secrétaire").await;
    app.grant(secretary, theme, Role::Secretary).await;
    app.grant(secretary, hidden, Role::Secretary).await;
    let writer_api = app.api_as("redactrice@exemple.fr").await;
    let secretary_api = app.api_as("secretaire@exemple.fr").await;
    let open = create(&writer_api, theme, "Loyers", "programme", "# Loyers\n").await;
    let secret = create(&writer_api, hidden, "Tactique", "wiki", "Discret.\n").await;

    // Demoted to supporter through the API: the socket closes, and comes back read-only.
    let mut socket = SyncClient::connect(&app.url, &open, Auth::Bearer(writer_api.token()))
        .await
        .expect("upgrade");
    socket
        .wait_for_markdown("the writer has the text", |m| m.contains("Loyers"))
        .await;
    let demoted = secretary_api
        .post(
            &format!("/api/v1/groups/{theme}/members"),
            json!({"member_id": writer.to_string(), "role": "supporter"}),
        )
        .await;
    assert_eq!(demoted.status(), 200);
    let (code, reason) = socket.wait_closed().await;
    assert_eq!(code, 4503, "{reason}");
    let mut again = SyncClient::connect(&app.url, &open, Auth::Bearer(writer_api.token()))
        .await
        .expect("a supporter still reads a public group's text");
    again
        .wait_for_markdown("the reader has the text", |m| m.contains("Loyers"))
        .await;
    again.append("Interdit.\n").await;
    let (code, reason) = again.wait_closed().await;
    assert_eq!(code, 4403, "a change from a reader is refused: {reason}");

    // Demoted through the management form of the pages: the same.
    app.grant(writer, theme, Role::Member).await;
    let mut socket = SyncClient::connect(&app.url, &open, Auth::Bearer(writer_api.token()))
        .await
        .expect("upgrade");
    socket.wait_for_hello(false).await;
    let manager = signed_in(&app, "secretaire@exemple.fr").await;
    let writer_id = writer.to_string();
    let response = manager
        .submit(
            &format!("/groups/{theme}/manage"),
            &format!("/groups/{theme}/members"),
            &[("member_id", &writer_id), ("role", "supporter")],
        )
        .await;
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{}",
        response.status()
    );
    assert_eq!(socket.wait_closed().await.0, 4503);

    // Removed from a group only its members see: the socket closes, and the upgrade is refused.
    let mut socket = SyncClient::connect(&app.url, &secret, Auth::Bearer(writer_api.token()))
        .await
        .expect("upgrade");
    socket
        .wait_for_markdown("the writer has the hidden text", |m| m.contains("Discret"))
        .await;
    let removed = secretary_api
        .delete(&format!("/api/v1/groups/{hidden}/members/{writer}"))
        .await;
    assert_eq!(removed.status(), 200);
    assert_eq!(socket.wait_closed().await.0, 4503);
    assert_eq!(
        SyncClient::connect(&app.url, &secret, Auth::Bearer(writer_api.token()))
            .await
            .err(),
        Some(404)
    );
    app.stop().await;
}

#[tokio::test]
async fn accepting_an_invitation_reopens_live_sockets_with_the_new_rights() {
    let app = TestApp::start().await;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Transports", national, Visibility::Public)
        .await;
    let secretary = app.member("secretaire@exemple.fr", "Sam Secrétaire").await;
    app.grant(secretary, theme, Role::Secretary).await;
    let secretary_api = app.api_as("secretaire@exemple.fr").await;
    let text = create(&secretary_api, theme, "Fret", "programme", "# Fret\n").await;
    app.member("lectrice@exemple.fr", "Léa Lectrice").await;
    let reader_api = app.api_as("lectrice@exemple.fr").await;

    // Not yet in the theme: she reads the public text live, read-only, while the secretary
    // writes it.
    let mut socket = SyncClient::connect(&app.url, &text, Auth::Bearer(reader_api.token()))
        .await
        .expect("a public text is readable");
    socket.wait_for_hello(true).await;
    let mut secretary_socket =
        SyncClient::connect(&app.url, &text, Auth::Bearer(secretary_api.token()))
            .await
            .expect("upgrade");
    secretary_socket.wait_for_hello(false).await;

    // Invited as a member, she accepts while signed in: her socket closes and comes back
    // able to write.
    let invited = secretary_api
        .post(
            &format!("/api/v1/groups/{theme}/invitations"),
            json!({"email": "lectrice@exemple.fr", "role": "member"}),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let link = app.last_mailed_link();
    let path = link.strip_prefix(&app.url).unwrap().to_owned();
    let browser = signed_in(&app, "lectrice@exemple.fr").await;
    let accepted = browser.submit(&path, &path, &[]).await;
    assert_eq!(accepted.status(), 303);
    let (code, reason) = socket.wait_closed().await;
    assert_eq!(code, 4503, "{reason}");
    let mut again = SyncClient::connect(&app.url, &text, Auth::Bearer(reader_api.token()))
        .await
        .expect("upgrade");
    again.wait_for_hello(false).await;
    again
        .wait_for_markdown("the new member has the text", |m| m.contains("Fret"))
        .await;
    again.append("Le rail d'abord.\n").await;
    again.wait_saved().await;
    // Only her sockets were closed: the secretary's goes on, and sees her edit.
    secretary_socket
        .wait_for_markdown("the secretary sees the new member's edit", |m| {
            m.contains("Le rail d'abord.")
        })
        .await;
    secretary_socket.append("Et le canal.\n").await;
    secretary_socket.wait_saved().await;
    app.stop().await;
}

#[tokio::test]
async fn a_group_made_private_closes_live_sockets_and_only_its_members_come_back() {
    let app = TestApp::start().await;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Défense", national, Visibility::Public)
        .await;
    let secretary = app.member("secretaire@exemple.fr", "Sam Secrétaire").await;
    app.grant(secretary, theme, Role::Secretary).await;
    let secretary_api = app.api_as("secretaire@exemple.fr").await;
    let text = create(
        &secretary_api,
        theme,
        "Doctrine",
        "programme",
        "# Doctrine\n",
    )
    .await;
    app.member("lecteur@exemple.fr", "Luc Lecteur").await;
    let reader_api = app.api_as("lecteur@exemple.fr").await;
    let mut reader = SyncClient::connect(&app.url, &text, Auth::Bearer(reader_api.token()))
        .await
        .expect("a public text is readable");
    reader.wait_for_hello(true).await;
    let mut writer = SyncClient::connect(&app.url, &text, Auth::Bearer(secretary_api.token()))
        .await
        .expect("upgrade");
    writer.wait_for_hello(false).await;

    // The secretary makes the theme visible to its members only, through its settings page.
    let browser = signed_in(&app, "secretaire@exemple.fr").await;
    let saved = browser
        .submit(
            &format!("/groups/{theme}/manage"),
            &format!("/groups/{theme}/edit"),
            &[
                ("name", "Défense"),
                ("description", ""),
                ("visibility", "group"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let (code, reason) = reader.wait_closed().await;
    assert_eq!(code, 4503, "{reason}");
    let (code, _) = writer.wait_closed().await;
    assert_eq!(code, 4503);
    assert_eq!(
        SyncClient::connect(&app.url, &text, Auth::Bearer(reader_api.token()))
            .await
            .err(),
        Some(404),
        "the reader may no longer even know the text"
    );
    let mut again = SyncClient::connect(&app.url, &text, Auth::Bearer(secretary_api.token()))
        .await
        .expect("the secretary comes back");
    again.wait_for_hello(false).await;
    app.stop().await;
}

#[tokio::test]
async fn a_status_moves_only_along_the_life_of_a_text() {
    use TextStatus::*;
    let app = TestApp::start().await;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Travail", national, Visibility::Public)
        .await;
    let organiser = app.member("orga@exemple.fr", "Olga Organisatrice").await;
    app.grant(organiser, theme, Role::Organiser).await;
    let api = app.api_as("orga@exemple.fr").await;
    let id = create(
        &api,
        theme,
        "Semaine de quatre jours",
        "programme",
        "# 32 h\n",
    )
    .await;
    let text_id = TextId(id.parse().expect("numeric id"));

    // (from, to, expected): every pair of statuses.
    let matrix = [
        (Drafting, Drafting, 200),
        (Drafting, Amending, 200),
        (Drafting, Adopted, 409),
        (Drafting, Archived, 409),
        (Amending, Drafting, 200),
        (Amending, Amending, 200),
        (Amending, Adopted, 200),
        (Amending, Archived, 409),
        (Adopted, Drafting, 409),
        (Adopted, Amending, 409),
        (Adopted, Adopted, 200),
        (Adopted, Archived, 200),
        (Archived, Drafting, 409),
        (Archived, Amending, 409),
        (Archived, Adopted, 200),
        (Archived, Archived, 200),
    ];
    let organiser_page = signed_in(&app, "orga@exemple.fr").await;
    let mut current = Drafting;
    for (from, to, expected) in matrix {
        // Put the text in `from` directly: the case tests one move, not the path to it.
        assert!(
            current == from
                || app
                    .app
                    .db
                    .set_text_status(text_id, current, from, None)
                    .await
                    .unwrap()
        );
        if to == from {
            // The text's page offers the organiser exactly the moves the table allows.
            let (code, page) = organiser_page.get_text(&format!("/texts/{id}")).await;
            assert_eq!(code, 200);
            for (_, other, expected) in matrix.iter().filter(|(f, t, _)| *f == from && *t != from) {
                let option = format!("<option value=\"{}\">", other.code());
                assert_eq!(
                    page.contains(&option),
                    *expected == 200,
                    "{from:?} page, {option}"
                );
            }
        }
        let response = api
            .post(
                &format!("/api/v1/texts/{id}/status"),
                json!({ "status": to.code() }),
            )
            .await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("json");
        assert_eq!(status, expected, "{from:?} → {to:?}: {body}");
        let stored = api.get_json(&format!("/api/v1/texts/{id}"), 200).await;
        if expected == 200 {
            assert_eq!(body["status"], to.code(), "{from:?} → {to:?}");
            assert_eq!(stored["status"], to.code());
            current = to;
        } else {
            assert_eq!(body["error"], "conflict", "{body}");
            assert_eq!(
                stored["status"],
                from.code(),
                "a refused move changes nothing"
            );
            // The message says where the text may go: every move the table allows from here.
            let message = body["message"].as_str().expect("message");
            for (_, allowed, _) in matrix
                .iter()
                .filter(|(f, t, e)| *f == from && *t != from && *e == 200)
            {
                assert!(message.contains(allowed.code()), "{message}");
            }
            current = from;
        }
    }
    app.stop().await;
}
