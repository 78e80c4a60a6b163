//! What organisers do every week (issue 11, point 5): a group's pending invitations (sent
//! again, withdrawn), removing a member (and what ends with it), and the administrators' list of
//! accounts (searched, paginated, disabling and enabling from it). On both backends.

use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};
use atelier::model::{GroupKind, Role, Visibility};

/// The pending invitations of a group, as its secretary's API sees them.
async fn pending(api: &crate::harness::Api, group: atelier::model::GroupId) -> Vec<Value> {
    api.get_json(&format!("/api/v1/groups/{group}/invitations"), 200)
        .await
        .as_array()
        .expect("a list")
        .clone()
}

async fn pending_invitations_are_sent_again_and_withdrawn(app: TestApp) {
    let national = app.national().await;
    let (_, section) = app
        .federation_and_section("Fédération du Nord", "Lille")
        .await;
    let secretary = app
        .member("secretaire@exemple.fr", "Karim Secrétaire")
        .await;
    app.grant(secretary, section, Role::Secretary).await;
    let member = app.member("membre@exemple.fr", "Mona Membre").await;
    app.grant(member, section, Role::Member).await;
    let admin = app.member("admin@exemple.fr", "Ada Admin").await;
    app.grant(admin, national, Role::Admin).await;
    let api = app.api_as("secretaire@exemple.fr").await;
    let invite = |email: &'static str, role: &'static str| {
        let api = &api;
        async move {
            let r = api
                .post(
                    &format!("/api/v1/groups/{section}/invitations"),
                    json!({ "email": email, "role": role }),
                )
                .await;
            assert_eq!(r.status(), 201);
        }
    };
    invite("premiere@exemple.fr", "member").await;
    let first_link = app.last_mailed_path();
    invite("seconde@exemple.fr", "supporter").await;
    let second_link = app.last_mailed_path();
    // An invitation above the secretary's role, sent by an administrator.
    let r = app
        .api_as("admin@exemple.fr")
        .await
        .post(
            &format!("/api/v1/groups/{section}/invitations"),
            json!({ "email": "organisatrice@exemple.fr", "role": "organiser" }),
        )
        .await;
    assert_eq!(r.status(), 201);

    // Listed newest first, with who sent them and until when.
    let list = pending(&api, section).await;
    let emails: Vec<&str> = list.iter().map(|i| i["email"].as_str().unwrap()).collect();
    assert_eq!(
        emails,
        [
            "organisatrice@exemple.fr",
            "seconde@exemple.fr",
            "premiere@exemple.fr"
        ]
    );
    assert_eq!(list[2]["role"], "member");
    assert_eq!(list[2]["invited_by"]["name"], "Karim Secrétaire");
    assert_eq!(list[2]["expired"], false);
    assert!(list[2]["expires_at"].as_str().unwrap() > list[2]["created_at"].as_str().unwrap());
    let id_of = |list: &[Value], email: &str| {
        list.iter()
            .find(|i| i["email"] == email)
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .expect("listed")
    };
    // Beyond the secretary's role: neither sent again nor withdrawn by them.
    let above = id_of(&list, "organisatrice@exemple.fr");
    let base = format!("/api/v1/groups/{section}/invitations");
    assert_eq!(
        api.post(&format!("{base}/{above}/resend"), json!({}))
            .await
            .status(),
        403
    );
    assert_eq!(api.delete(&format!("{base}/{above}")).await.status(), 403);
    // A plain member of the section sees no list and handles nothing.
    let member_api = app.api_as("membre@exemple.fr").await;
    assert_eq!(member_api.get(&base).await.status(), 403);
    let first = id_of(&list, "premiere@exemple.fr");
    assert_eq!(
        member_api
            .post(&format!("{base}/{first}/resend"), json!({}))
            .await
            .status(),
        403
    );

    // Sent again: a new link works, the old one says it was replaced.
    let mails_before = app.mails().len();
    assert_eq!(
        api.post(&format!("{base}/{first}/resend"), json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(app.mails().len(), mails_before + 1);
    let new_link = app.last_mailed_path();
    assert_ne!(new_link, first_link);
    let visitor = app.browser();
    let (status, page) = visitor.get_text(&first_link).await;
    assert_eq!(status, 409);
    assert!(page.contains("envoyée à nouveau"), "{page}");
    let (status, page) = visitor.get_text(&new_link).await;
    assert_eq!(status, 200, "{page}");
    // The old id is no longer pending; the new one is, sent by the secretary.
    assert_eq!(
        api.post(&format!("{base}/{first}/resend"), json!({}))
            .await
            .status(),
        404
    );
    let list = pending(&api, section).await;
    assert_eq!(list.len(), 3);
    let renewed = id_of(&list, "premiere@exemple.fr");
    assert_ne!(renewed, first);
    assert_eq!(list[0]["email"], "premiere@exemple.fr", "newest first");

    // Withdrawn: the link says so, and accepting it anyway gives nothing.
    let second = id_of(&list, "seconde@exemple.fr");
    assert_eq!(api.delete(&format!("{base}/{second}")).await.status(), 200);
    assert_eq!(api.delete(&format!("{base}/{second}")).await.status(), 404);
    let (status, page) = visitor.get_text(&second_link).await;
    assert_eq!(status, 409);
    assert!(page.contains("Cette invitation a été retirée"), "{page}");
    let r = visitor
        .submit(
            "/login",
            &second_link,
            &[
                ("name", "Seconde"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        app.api()
            .post(
                "/api/v1/session",
                json!({ "email": "seconde@exemple.fr", "password": PASSWORD })
            )
            .await
            .status(),
        401,
        "no account was created"
    );
    assert_eq!(pending(&api, section).await.len(), 2);

    // Sending again is bounded as reset mails are: three in a row, then a wait.
    let mut id = renewed;
    for _ in 0..2 {
        assert_eq!(
            api.post(&format!("{base}/{id}/resend"), json!({}))
                .await
                .status(),
            200
        );
        id = id_of(&pending(&api, section).await, "premiere@exemple.fr");
    }
    let refused = api.post(&format!("{base}/{id}/resend"), json!({})).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));

    // The management page lists them, with the buttons, and its forms work without JavaScript.
    let browser = app.browser();
    assert_eq!(browser.login("secretaire@exemple.fr").await.status(), 303);
    let manage = format!("/groups/{section}/manage");
    let (status, page) = browser.get_text(&manage).await;
    assert_eq!(status, 200);
    assert!(page.contains("Invitations en attente"), "{page}");
    assert!(page.contains("premiere@exemple.fr"));
    assert!(page.contains("par Karim Secrétaire"));
    assert!(page.contains(&format!(
        "action=\"/groups/{section}/invitations/{id}/withdraw\""
    )));
    assert!(
        !page.contains(&format!("/invitations/{above}/withdraw")),
        "no button for an invitation beyond the secretary's role"
    );
    let r = browser
        .submit(
            &manage,
            &format!("/groups/{section}/invitations/{id}/withdraw"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, page) = browser.get_text(&manage).await;
    assert!(page.contains("L’invitation a été retirée"), "the flash");
    assert!(!page.contains("premiere@exemple.fr"));
    // Without the CSRF token, nothing.
    let r = browser
        .submit_without_token(
            &format!("/groups/{section}/invitations/{above}/withdraw"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 403);

    // All of it is in the group's log.
    let actions: Vec<String> = app
        .app
        .db
        .activity_in(section, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert!(
        actions.contains(&"invitation_resent".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"invitation_withdrawn".to_owned()),
        "{actions:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn pending_invitations_are_sent_again_and_withdrawn_on_sqlite() {
    pending_invitations_are_sent_again_and_withdrawn(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn pending_invitations_are_sent_again_and_withdrawn_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        pending_invitations_are_sent_again_and_withdrawn(app).await;
    }
}

async fn removing_a_member_ends_their_roles_below_and_keeps_the_rest(app: TestApp) {
    let national = app.national().await;
    let (_, section) = app
        .federation_and_section("Fédération du Nord", "Lille")
        .await;
    let working_group = app
        .group(
            GroupKind::WorkingGroup,
            "Fête de la section",
            section,
            Visibility::Public,
        )
        .await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    let secretary = app
        .member("secretaire@exemple.fr", "Karim Secrétaire")
        .await;
    app.grant(secretary, section, Role::Secretary).await;
    let leaving = app.member("partant@exemple.fr", "Paul Partant").await;
    app.grant(leaving, section, Role::Member).await;
    app.grant(leaving, working_group, Role::Member).await;
    app.grant(leaving, theme, Role::Member).await;
    let strong = app.member("fort@exemple.fr", "Fanny Forte").await;
    app.grant(strong, section, Role::Member).await;
    app.grant(strong, working_group, Role::Organiser).await;
    // The member has a text of the working group open, live.
    use crate::sync_client::{Auth, SyncClient};
    let leaving_api = app.api_as("partant@exemple.fr").await;
    let text = leaving_api
        .create_text(working_group, "Programme de la fête")
        .await;
    let mut socket = SyncClient::connect(&app.url, &text, Auth::Bearer(leaving_api.token()))
        .await
        .expect("upgrade");
    socket.wait_for_hello(false).await;
    let browser = app.browser();
    assert_eq!(browser.login("secretaire@exemple.fr").await.status(), 303);
    let manage = format!("/groups/{section}/manage");
    let (_, page) = browser.get_text(&manage).await;
    let confirm = format!("/groups/{section}/members/{leaving}/remove");
    assert!(page.contains(&format!("href=\"{confirm}\"")), "{page}");

    // The confirmation says what ends (the working group too) and what stays.
    let (status, page) = browser.get_text(&confirm).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Retirer Paul Partant de « Lille » ?"),
        "{page}"
    );
    assert!(page.contains("Fête de la section"), "{page}");
    assert!(!page.contains("Santé"), "the theme is not listed as ending");
    assert!(page.contains("thèmes nationaux"));
    let r = browser.submit(&confirm, &confirm, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], manage.as_str());
    assert_eq!(
        app.memberships("partant@exemple.fr").await,
        json!([{ "group_id": theme.to_string(), "role": "member" }])
    );
    // Their live socket closes at once (its client reconnects with the rights left: a reader's).
    let (code, reason) = socket.wait_closed().await;
    assert_eq!(code, 4503, "{reason}");
    let (_, page) = browser.get_text(&format!("/groups/{section}")).await;
    assert!(
        page.contains("Karim Secrétaire a retiré Paul Partant de Lille"),
        "{page}"
    );
    // Again: not a member any more.
    assert_eq!(browser.get(&confirm).await.status(), 404);
    assert_eq!(browser.submit(&manage, &confirm, &[]).await.status(), 404);

    // An organiser of a working group below is beyond a secretary.
    let beyond = format!("/groups/{section}/members/{strong}/remove");
    assert_eq!(browser.get(&beyond).await.status(), 403);
    assert_eq!(browser.submit(&manage, &beyond, &[]).await.status(), 403);
    // A plain member removes nobody else.
    let member_browser = app.browser();
    assert_eq!(member_browser.login("fort@exemple.fr").await.status(), 303);
    let other = format!("/groups/{section}/members/{secretary}/remove");
    assert_eq!(member_browser.get(&other).await.status(), 403);

    // The last secretary cannot go, not even by themselves; the page asks before one leaves.
    let own = format!("/groups/{section}/members/{secretary}/remove");
    let (status, page) = browser.get_text(&own).await;
    assert_eq!(status, 200);
    assert!(page.contains("Quitter « Lille » ?"), "{page}");
    assert!(page.contains("Vous vous retirez vous-même"), "{page}");
    let r = browser.submit(&own, &own, &[]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("confiez d'abord ce rôle"));
    let api = app.api_as("secretaire@exemple.fr").await;
    assert_eq!(
        api.delete(&format!("/api/v1/groups/{section}/members/{secretary}"))
            .await
            .status(),
        409
    );
    // With a second secretary, leaving works, and lands home.
    app.grant(strong, section, Role::Secretary).await;
    let r = browser.submit(&own, &own, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    assert_eq!(app.app.db.role_in(secretary, section).await.unwrap(), None);
    app.stop().await;
}

#[tokio::test]
async fn removing_a_member_ends_their_roles_below_and_keeps_the_rest_on_sqlite() {
    removing_a_member_ends_their_roles_below_and_keeps_the_rest(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn removing_a_member_ends_their_roles_below_and_keeps_the_rest_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        removing_a_member_ends_their_roles_below_and_keeps_the_rest(app).await;
    }
}

async fn administrators_search_page_and_disable_accounts(app: TestApp) {
    let national = app.national().await;
    let admin = app.member("admin@exemple.fr", "Ada Admin").await;
    app.grant(admin, national, Role::Admin).await;
    let target = app.member("jean_dupont@exemple.fr", "Jean Dupont").await;
    app.member("jeanne@exemple.fr", "Jeanne Martin").await;
    app.member("zola@exemple.fr", "Jean-Émile Zola").await;
    // Enough accounts for two pages, without a password hash each.
    for i in 0..55 {
        let email = atelier::model::Email::parse(&format!("adherent{i:02}@exemple.fr")).unwrap();
        app.app
            .db
            .create_member(&atelier::store::NewMember {
                email: &email,
                name: &format!("Adhérent {i:02}"),
                password_hash: None,
            })
            .await
            .unwrap();
    }
    let api = app.api_as("admin@exemple.fr").await;
    let all = api.get_json("/api/v1/members", 200).await;
    assert_eq!(all["total"], 59);
    assert_eq!(all["pages"], 2);
    assert_eq!(all["accounts"].as_array().unwrap().len(), 50);
    assert_eq!(all["accounts"][0]["name"], "Ada Admin");
    assert_eq!(all["accounts"][0]["is_admin"], true);
    let second = api.get_json("/api/v1/members?page=2", 200).await;
    assert_eq!(second["accounts"].as_array().unwrap().len(), 9);
    // Accented capitals are found from lowercase, on SQLite too (which folds ASCII only).
    for q in ["%C3%A9mile", "jean-%C3%A9mile", "ZOLA"] {
        let found = api.get_json(&format!("/api/v1/members?q={q}"), 200).await;
        assert_eq!(found["total"], 1, "{q}");
        assert_eq!(found["accounts"][0]["name"], "Jean-Émile Zola");
    }
    // By part of a name, any case; by part of an address, `_` taken literally.
    let found = api.get_json("/api/v1/members?q=DUPONT", 200).await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["accounts"][0]["email"], "jean_dupont@exemple.fr");
    let found = api.get_json("/api/v1/members?q=jean", 200).await;
    assert_eq!(found["total"], 3);
    let found = api.get_json("/api/v1/members?q=n_d", 200).await;
    assert_eq!(found["total"], 1, "the underscore is not a wildcard");
    let found = api.get_json("/api/v1/members?q=%25", 200).await;
    assert_eq!(found["total"], 0, "nor is the percent sign");
    let r = api
        .get(&format!("/api/v1/members?q={}", "x".repeat(201)))
        .await;
    assert_eq!(r.status(), 422);

    // The page: search, pages, and the buttons (none on one's own account).
    let browser = app.browser();
    assert_eq!(browser.login("admin@exemple.fr").await.status(), 303);
    let (status, page) = browser.get_text("/admin").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/admin/members\""));
    let list = "/admin/members?q=dupont&page=1";
    let (status, page) = browser.get_text(list).await;
    assert_eq!(status, 200);
    assert!(page.contains("jean_dupont@exemple.fr"), "{page}");
    assert!(!page.contains("jeanne@exemple.fr"));
    let (_, page) = browser.get_text("/admin/members?page=2").await;
    assert!(page.contains("Adhérent 54"), "{page}");
    assert!(page.contains("rel=\"prev\""));
    let (_, page) = browser.get_text("/admin/members?q=ada").await;
    assert!(
        !page.contains(&format!("/members/{admin}/disable")),
        "{page}"
    );

    // Disabled from the list: back to the list, and the person cannot sign in any more, told so.
    let person = app.api_as("jean_dupont@exemple.fr").await;
    let r = browser
        .submit(
            list,
            &format!("/members/{target}/disable"),
            &[("next", list)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], list);
    let (_, page) = browser.get_text(list).await;
    assert!(page.contains("Désactivé"), "{page}");
    assert!(page.contains(&format!("action=\"/members/{target}/enable\"")));
    assert_eq!(
        person.get("/api/v1/me").await.status(),
        401,
        "its token ended"
    );
    let refused = app
        .api()
        .post(
            "/api/v1/session",
            json!({ "email": "jean_dupont@exemple.fr", "password": PASSWORD }),
        )
        .await;
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Ce compte est désactivé")
    );
    let someone = app.browser();
    let r = someone.login("jean_dupont@exemple.fr").await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Ce compte est désactivé"));
    // A wrong password still answers as for any wrong password.
    let r = someone
        .submit(
            "/login",
            "/login",
            &[
                ("email", "jean_dupont@exemple.fr"),
                ("password", "pas le bon mot de passe"),
            ],
        )
        .await;
    assert_eq!(r.status(), 401);
    let listed = api.get_json("/api/v1/members?q=dupont", 200).await;
    assert_eq!(listed["accounts"][0]["disabled"], true);

    // Enabled from the list; an off-site `next` is not followed.
    let r = browser
        .submit(
            list,
            &format!("/members/{target}/enable"),
            &[("next", "//ailleurs.example")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    assert_eq!(someone.login("jean_dupont@exemple.fr").await.status(), 303);
    // Not one's own account.
    let r = browser
        .submit(
            list,
            &format!("/members/{admin}/disable"),
            &[("next", list)],
        )
        .await;
    assert_eq!(r.status(), 422);
    app.stop().await;
}

#[tokio::test]
async fn administrators_search_page_and_disable_accounts_on_sqlite() {
    administrators_search_page_and_disable_accounts(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn administrators_search_page_and_disable_accounts_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        administrators_search_page_and_disable_accounts(app).await;
    }
}
