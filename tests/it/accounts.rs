//! Signing in and out, CSRF, throttling, invitations, password resets, registration modes.

use serde_json::{Value, json};

use crate::harness::{Backend, PASSWORD, TestApp};
use atelier::config::RegistrationMode;
use atelier::model::{GroupKind, Role, Visibility};

async fn api_sign_in_and_out(app: TestApp) {
    let member = app.member("jeanne@exemple.fr", "Jeanne Martin").await;
    let api = app.api_as("Jeanne@Exemple.fr ").await;
    let me = api.get_json("/api/v1/me", 200).await;
    assert_eq!(me["id"], json!(member.to_string()));
    assert_eq!(me["name"], "Jeanne Martin");
    assert_eq!(me["email"], "jeanne@exemple.fr");
    assert_eq!(api.delete("/api/v1/session").await.status(), 200);
    assert_eq!(
        api.get("/api/v1/me").await.status(),
        401,
        "a revoked token no longer works"
    );
    app.stop().await;
}

#[tokio::test]
async fn api_sign_in_and_out_on_sqlite() {
    api_sign_in_and_out(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn api_sign_in_and_out_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        api_sign_in_and_out(app).await;
    }
}

#[tokio::test]
async fn wrong_credentials_are_refused_alike() {
    let app = TestApp::start().await;
    app.member("jeanne@exemple.fr", "Jeanne").await;
    let api = app.api();
    for (email, password) in [
        ("jeanne@exemple.fr", "pas le bon mot de passe"),
        ("personne@exemple.fr", PASSWORD),
    ] {
        let response = api
            .post(
                "/api/v1/session",
                json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized");
        assert!(body["message"].as_str().unwrap().len() > 5);
    }
    let response = app.api().get("/api/v1/me").await;
    assert_eq!(response.status(), 401);
    let bad_token = atelier_api_with_token(&app, "not-a-token")
        .get("/api/v1/me")
        .await;
    assert_eq!(bad_token.status(), 401);
    app.stop().await;
}

fn atelier_api_with_token(app: &TestApp, token: &str) -> crate::harness::Api {
    let mut api = app.api();
    api.token = Some(token.to_owned());
    api
}

async fn throttling(app: TestApp) {
    app.member("jeanne@exemple.fr", "Jeanne").await;
    let api = app.api();
    for _ in 0..5 {
        let r = api
            .post(
                "/api/v1/session",
                json!({ "email": "jeanne@exemple.fr", "password": "mauvais mot de passe" }),
            )
            .await;
        assert_eq!(r.status(), 401);
    }
    // From this address, even the right password waits now (elsewhere it would not: see
    // `signin.rs`).
    let r = api
        .post(
            "/api/v1/session",
            json!({ "email": "jeanne@exemple.fr", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    // The browser form is throttled too, with a page.
    let browser = app.browser();
    let r = browser.login("jeanne@exemple.fr").await;
    assert_eq!(r.status(), 429);
    assert!(r.text().await.unwrap().contains("<main"));
    app.stop().await;
}

/// A wait far longer than the test, so that the machine's speed never matters.
fn long_wait(config: &mut atelier::config::Config) {
    config.throttle.account_from_address.first_delay = std::time::Duration::from_secs(3600);
}

#[tokio::test]
async fn repeated_failures_are_throttled_on_sqlite() {
    throttling(
        TestApp::start_with(Backend::Sqlite, long_wait)
            .await
            .unwrap(),
    )
    .await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn repeated_failures_are_throttled_on_postgres() {
    if let Some(app) = TestApp::start_with(Backend::Postgres, long_wait).await {
        throttling(app).await;
    }
}

#[tokio::test]
async fn browser_sign_in_out_with_csrf() {
    let app = TestApp::start().await;
    app.member("jeanne@exemple.fr", "Jeanne Martin").await;
    let browser = app.browser();

    // A sign-in form without the page's token is refused (login CSRF).
    let r = browser
        .submit_without_token(
            "/login",
            &[("email", "jeanne@exemple.fr"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 403);

    let r = browser
        .submit(
            "/login",
            "/login",
            &[
                ("email", "jeanne@exemple.fr"),
                ("password", "faux mot de passe"),
            ],
        )
        .await;
    assert_eq!(r.status(), 401);
    assert!(
        r.text().await.unwrap().contains("name=\"email\""),
        "the form comes back"
    );

    let r = browser.login("jeanne@exemple.fr").await;
    assert_eq!(r.status(), 303);
    let (status, home) = browser.get_text("/").await;
    assert_eq!(status, 200);
    assert!(
        home.contains("Jeanne Martin"),
        "the home page greets the member"
    );

    // A cookie-authenticated write without the token is refused and changes nothing.
    let r = browser.submit_without_token("/logout", &[]).await;
    assert_eq!(r.status(), 403);
    assert!(browser.get_text("/").await.1.contains("Jeanne Martin"));
    // The JSON API under the cookie needs the header.
    let r = browser
        .client
        .patch(format!("{}/api/v1/me", app.url))
        .json(&json!({ "name": "Jeanne M." }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let token = browser.csrf_token("/").await;
    let r = browser
        .client
        .patch(format!("{}/api/v1/me", app.url))
        .header("x-csrf-token", token)
        .json(&json!({ "name": "Jeanne M." }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let r = browser.submit("/", "/logout", &[]).await;
    assert_eq!(r.status(), 303);
    let (_, home) = browser.get_text("/").await;
    assert!(!home.contains("Jeanne M."), "signed out");
    app.stop().await;
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = TestApp::start().await;
    app.member("jeanne@exemple.fr", "Jeanne").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{}/login", app.url))
        .send()
        .await
        .unwrap();
    let before = page
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let token = crate::harness::extract_meta_csrf(&html).unwrap();
    let r = client
        .post(format!("{}/login", app.url))
        .header("cookie", &before)
        .form(&[
            ("email", "jeanne@exemple.fr"),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let after = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(
        before, after,
        "a fixed session id would let an attacker plant one"
    );
    // The old id gives no access.
    let r = client
        .get(format!("{}/api/v1/me", app.url))
        .header("cookie", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    app.stop().await;
}

async fn invitation_flow(app: TestApp) {
    let national = app.national().await;
    let federation = app
        .group(
            GroupKind::Federation,
            "Fédération du Nord",
            national,
            Visibility::Public,
        )
        .await;
    let section = app
        .group(
            GroupKind::Section,
            "Lille-Centre",
            federation,
            Visibility::Public,
        )
        .await;
    let secretary = app.member("secretaire@exemple.fr", "Karim").await;
    app.grant(secretary, section, Role::Secretary).await;
    let api = app.api_as("secretaire@exemple.fr").await;

    // A secretary cannot invite above their own role.
    let r = api
        .post(
            &format!("/api/v1/groups/{section}/invitations"),
            json!({ "email": "nouvelle@exemple.fr", "role": "admin" }),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = api
        .post(
            &format!("/api/v1/groups/{section}/invitations"),
            json!({ "email": "Nouvelle@Exemple.fr", "role": "member" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let link = app.last_mailed_link();
    let path = link.strip_prefix(&app.url).unwrap().to_owned();
    assert!(path.starts_with("/invitations/"));

    let browser = app.browser();
    let (status, page) = browser.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Lille-Centre"));
    // Mismatched passwords: the form comes back with the error next to the field.
    let r = browser
        .submit(
            &path,
            &path,
            &[
                ("name", "Nouvelle Adhérente"),
                ("password", PASSWORD),
                ("password_confirmation", "autre chose"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = browser
        .submit(
            &path,
            &path,
            &[
                ("name", "Nouvelle Adhérente"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let me: Value = {
        let api = app.api_as("nouvelle@exemple.fr").await;
        api.get_json("/api/v1/me", 200).await
    };
    assert_eq!(
        me["memberships"],
        json!([{ "group_id": section.to_string(), "role": "member" }])
    );

    // The link is single-use.
    let (status, _) = app.browser().get_text(&path).await;
    assert_eq!(status, 409);
    app.stop().await;
}

#[tokio::test]
async fn invitation_links_create_an_account_once_on_sqlite() {
    invitation_flow(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn invitation_links_create_an_account_once_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        invitation_flow(app).await;
    }
}

#[tokio::test]
async fn expired_and_unknown_invitations_are_refused() {
    let app = TestApp::start().await;
    let national = app.national().await;
    let token = atelier::secret::new_secret();
    app.app
        .db
        .create_invitation(
            &atelier::secret::hash_secret(&token),
            "x@exemple.fr",
            national,
            Role::Member,
            None,
            time::Duration::seconds(-1),
        )
        .await
        .unwrap();
    let browser = app.browser();
    assert_eq!(
        browser.get_text(&format!("/invitations/{token}")).await.0,
        409
    );
    assert_eq!(browser.get_text("/invitations/nimportequoi").await.0, 404);
    app.stop().await;
}

#[tokio::test]
async fn password_reset_is_single_use_and_ends_other_sessions() {
    let app = TestApp::start().await;
    app.member("jeanne@exemple.fr", "Jeanne").await;
    let other_device = app.browser();
    assert_eq!(other_device.login("jeanne@exemple.fr").await.status(), 303);

    let browser = app.browser();
    // Unknown addresses get the same answer, and no mail.
    let r = browser
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "personne@exemple.fr")],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(app.mails().is_empty());
    let r = browser
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "jeanne@exemple.fr")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let link = app.last_mailed_link();
    let path = link.strip_prefix(&app.url).unwrap().to_owned();

    let r = browser
        .submit(
            &path,
            &path,
            &[("password", "court"), ("password_confirmation", "court")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let new_password = "un tout nouveau mot de passe";
    let r = browser
        .submit(
            &path,
            &path,
            &[
                ("password", new_password),
                ("password_confirmation", new_password),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        browser.get_text("/").await.1.contains("Jeanne"),
        "signed in after the reset"
    );

    // The other device was signed out; the old password no longer works; the link is spent.
    let r = other_device
        .client
        .get(format!("{}/api/v1/me", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .api()
        .post(
            "/api/v1/session",
            json!({ "email": "jeanne@exemple.fr", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status(), 401);
    let r = app
        .api()
        .post(
            "/api/v1/session",
            json!({ "email": "jeanne@exemple.fr", "password": new_password }),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(app.browser().get_text(&path).await.0, 409);
    app.stop().await;
}

#[tokio::test]
async fn registration_follows_the_configured_mode() {
    let app = TestApp::start().await; // invite-only
    assert_eq!(app.browser().get_text("/register").await.0, 404);
    app.stop().await;

    let app = TestApp::start_with(Backend::Sqlite, |c| c.registration = RegistrationMode::Open)
        .await
        .unwrap();
    let national = app.national().await;
    let browser = app.browser();
    let (status, page) = browser.get_text("/register").await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"password_confirmation\""));
    let r = browser
        .submit(
            "/register",
            "/register",
            &[
                ("email", "pas une adresse"),
                ("name", ""),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("aria-invalid"),
        "errors are shown next to their fields"
    );
    let r = browser
        .submit(
            "/register",
            "/register",
            &[
                ("email", "nouveau@exemple.fr"),
                ("name", "Nouveau"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    // The account waits for its address to be confirmed (`registration.rs`).
    assert_eq!(r.status(), 200);
    let path = app.last_mailed_path();
    assert_eq!(browser.submit(&path, &path, &[]).await.status(), 303);
    assert_eq!(
        app.memberships("nouveau@exemple.fr").await,
        json!([{ "group_id": national.to_string(), "role": "supporter" }])
    );
    app.stop().await;
}

async fn disabling_an_account(app: TestApp) {
    use crate::sync_client::{Auth, SyncClient};
    let national = app.national().await;
    let admin = app.member("admin@exemple.fr", "Ada Admin").await;
    app.grant(admin, national, Role::Admin).await;
    let secretary = app.member("secretaire@exemple.fr", "Sam").await;
    let theme = app
        .group(GroupKind::Theme, "Numérique", national, Visibility::Public)
        .await;
    app.grant(secretary, theme, Role::Secretary).await;
    let member = app.member("partante@exemple.fr", "Paule Partante").await;
    app.grant(member, theme, Role::Member).await;
    let admin_api = app.api_as("admin@exemple.fr").await;
    let member_api = app.api_as("partante@exemple.fr").await;
    let browser = app.browser();
    assert_eq!(browser.login("partante@exemple.fr").await.status(), 303);
    let text = admin_api.create_text(theme, "Données publiques").await;
    let mut socket = SyncClient::connect(&app.url, &text, Auth::Bearer(member_api.token()))
        .await
        .expect("upgrade");
    socket.wait_for_hello(false).await;

    // Who may: administrators only, and not on their own account.
    let path = format!("/api/v1/members/{member}/disable");
    assert_eq!(app.api().post(&path, json!({})).await.status(), 401);
    let secretary_api = app.api_as("secretaire@exemple.fr").await;
    assert_eq!(secretary_api.post(&path, json!({})).await.status(), 403);
    let own = admin_api
        .post(&format!("/api/v1/members/{admin}/disable"), json!({}))
        .await;
    assert_eq!(own.status(), 422);
    assert_eq!(
        admin_api
            .post("/api/v1/members/999999/disable", json!({}))
            .await
            .status(),
        404
    );

    // Disabled: the token, the browser session and the live socket end at once, and she can no
    // longer sign in.
    assert_eq!(admin_api.post(&path, json!({})).await.status(), 200);
    assert_eq!(member_api.get("/api/v1/me").await.status(), 401);
    let (_, home) = browser.get_text("/").await;
    assert!(!home.contains("action=\"/logout\""), "signed out");
    let (code, reason) = socket.wait_closed().await;
    assert_eq!(code, 4503, "{reason}");
    assert_eq!(
        SyncClient::connect(&app.url, &text, Auth::Bearer(member_api.token()))
            .await
            .err(),
        Some(401)
    );
    let refused = app
        .api()
        .post(
            "/api/v1/session",
            json!({"email": "partante@exemple.fr", "password": PASSWORD}),
        )
        .await;
    // Told so (the password was right): not the answer of a wrong password.
    assert_eq!(refused.status(), 403);

    // The administrator sees it on her profile and enables it again from there: she signs in
    // with her password and finds her memberships.
    let admin_browser = app.browser();
    assert_eq!(admin_browser.login("admin@exemple.fr").await.status(), 303);
    let profile = format!("/members/{member}");
    let (_, page) = admin_browser.get_text(&profile).await;
    assert!(page.contains("Ce compte est désactivé"), "{page}");
    let enabled = admin_browser
        .submit(&profile, &format!("{profile}/enable"), &[])
        .await;
    assert_eq!(enabled.status(), 303);
    let (_, page) = admin_browser.get_text(&profile).await;
    assert!(page.contains("Le compte est réactivé"), "{page}");
    assert!(page.contains("Désactiver ce compte"), "{page}");
    let again = app.api_as("partante@exemple.fr").await;
    let me = again.get_json("/api/v1/me", 200).await;
    assert!(
        me["memberships"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["group_id"] == json!(theme.to_string()) && m["role"] == "member"),
        "{me}"
    );
    // Nobody but an administrator sees the buttons.
    let secretary_browser = app.browser();
    assert_eq!(
        secretary_browser
            .login("secretaire@exemple.fr")
            .await
            .status(),
        303
    );
    let (status, seen_by_secretary) = secretary_browser.get_text(&profile).await;
    assert_eq!(status, 200);
    assert!(seen_by_secretary.contains("Paule Partante"));
    assert!(!seen_by_secretary.contains("Désactiver ce compte"));
    let forbidden = secretary_browser
        .submit(&profile, &format!("{profile}/disable"), &[])
        .await;
    assert_eq!(forbidden.status(), 403);
    assert!(again.get("/api/v1/me").await.status().is_success());
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_disables_an_account_and_all_it_held_ends_at_once_on_sqlite() {
    disabling_an_account(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn an_administrator_disables_an_account_and_all_it_held_ends_at_once_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        disabling_an_account(app).await;
    }
}

async fn invitation_for_someone_else(app: TestApp) {
    let national = app.national().await;
    let (_, section) = app
        .federation_and_section("Fédération du Nord", "Lille")
        .await;
    let secretary = app.member("secretaire@exemple.fr", "Karim").await;
    app.grant(secretary, section, Role::Secretary).await;
    let supporter = app.member("sympathisant@exemple.fr", "Sam").await;
    app.grant(supporter, national, Role::Supporter).await;
    let r = app
        .api_as("secretaire@exemple.fr")
        .await
        .post(
            &format!("/api/v1/groups/{section}/invitations"),
            json!({ "email": "releve@exemple.fr", "role": "secretary" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let path = app.last_mailed_path();

    // The supporter got hold of the link: the page says it is not theirs, and offers nothing.
    let browser = app.browser();
    assert_eq!(browser.login("sympathisant@exemple.fr").await.status(), 303);
    let (status, page) = browser.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("adressée à releve@exemple.fr"), "{page}");
    assert!(!page.contains(&format!("action=\"{path}\"")), "{page}");
    // Posting anyway is refused, with the same sentence, and gives no role.
    let r = browser.submit(&path, &path, &[]).await;
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("adressée à releve@exemple.fr")
    );
    assert_eq!(
        app.memberships("sympathisant@exemple.fr").await,
        json!([{ "group_id": national.to_string(), "role": "supporter" }])
    );
    // The invitation is intact for the person it was sent to.
    let invited = app.browser();
    let r = invited
        .submit(
            &path,
            &path,
            &[
                ("name", "Relève"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.memberships("releve@exemple.fr").await,
        json!([{ "group_id": section.to_string(), "role": "secretary" }])
    );
    app.stop().await;
}

#[tokio::test]
async fn an_invitation_opened_by_another_member_gives_them_nothing_on_sqlite() {
    invitation_for_someone_else(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn an_invitation_opened_by_another_member_gives_them_nothing_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        invitation_for_someone_else(app).await;
    }
}
