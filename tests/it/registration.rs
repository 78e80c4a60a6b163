//! Open registration tells nothing about who has an account (issue 10, point 5): the form
//! answers the same for every address; a new address gets a single-use confirmation link that
//! creates the account, one that has an account gets a notice and nothing else changes.

use reqwest::header::HeaderMap;

use crate::harness::{Backend, Browser, PASSWORD, TestApp};
use crate::privacy::without_tokens;
use atelier::config::RegistrationMode;

pub async fn open_registration(backend: Backend) -> Option<TestApp> {
    TestApp::start_with(backend, |c| c.registration = RegistrationMode::Open).await
}

/// The headers an observer could tell two answers apart by (the date and the body's length
/// aside, which `body` covers), cookies by name only.
fn telling_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "content-length"))
        .map(|(name, value)| {
            let value = value.to_str().unwrap_or("?");
            let value = match name.as_str() {
                "set-cookie" => value.split('=').next().unwrap_or("").to_owned(),
                _ => value.to_owned(),
            };
            (name.to_string(), value)
        })
        .collect();
    kept.sort();
    kept
}

/// Registers `email` from a fresh browser: the status, the telling headers and the page (its
/// CSRF token aside).
pub async fn register(
    app: &TestApp,
    email: &str,
    name: &str,
) -> (Browser, (u16, Vec<(String, String)>, String)) {
    let browser = app.browser();
    let r = browser
        .submit(
            "/register",
            "/register",
            &[
                ("email", email),
                ("name", name),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    let status = r.status().as_u16();
    let headers = telling_headers(r.headers());
    let body = without_tokens(r.text().await.expect("body"));
    (browser, (status, headers, body))
}

fn mail_to(app: &TestApp, email: &str) -> String {
    let mails: Vec<String> = app
        .mails()
        .into_iter()
        .filter(|m| m.contains(&format!("To: {email}")))
        .collect();
    assert_eq!(mails.len(), 1, "one mail to {email}");
    mails.into_iter().next().unwrap()
}

fn confirmation_path(app: &TestApp, mail: &str) -> String {
    let start = mail
        .find(&format!("{}/register/confirm/", app.url))
        .expect("a confirmation link");
    let link = mail[start..].split_whitespace().next().unwrap();
    link.strip_prefix(&app.url).unwrap().to_owned()
}

async fn registering_answers_alike_and_confirms_by_mail(app: TestApp) {
    let national = app.national().await;
    let known = "jeanne@exemple.fr";
    let unknown = "nouvelle@exemple.fr";
    app.member(known, "Jeanne").await;

    let (_, known_answer) = register(&app, known, "Quelqu'un d'autre").await;
    let (browser, unknown_answer) = register(&app, unknown, "Nina Nouvelle").await;
    assert_eq!(known_answer, unknown_answer, "the same answer for both");
    assert_eq!(known_answer.0, 200);
    assert!(known_answer.2.contains("Vérifiez votre boîte e-mail"));

    // The known address is told someone tried, with ways in; no link creates anything.
    let notice = mail_to(&app, known);
    assert!(notice.contains(&format!("{}/login", app.url)));
    assert!(notice.contains(&format!("{}/password/forgot", app.url)));
    assert!(!notice.contains("/register/confirm/"));
    let me = app.api_as(known).await.get_json("/api/v1/me", 200).await;
    assert_eq!(me["name"], "Jeanne", "the account is unchanged");

    // The unknown address has no account until its link is used.
    let signin = serde_json::json!({ "email": unknown, "password": PASSWORD });
    let r = app.api().post("/api/v1/session", signin.clone()).await;
    assert_eq!(r.status(), 401, "no account before confirmation");
    let path = confirmation_path(&app, &mail_to(&app, unknown));
    let (status, page) = browser.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains(unknown), "the page names the address");
    let r = browser.submit(&path, &path, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let (_, home) = browser.get_text("/").await;
    assert!(home.contains("Nina Nouvelle"), "signed in");
    assert_eq!(
        app.memberships(unknown).await,
        serde_json::json!([{ "group_id": national.to_string(), "role": "supporter" }])
    );

    // The link served once.
    let (status, page) = browser.get_text(&path).await;
    assert_eq!(status, 409);
    assert!(page.contains("Ce lien a déjà servi"), "{page}");
    assert_eq!(
        app.browser().submit("/register", &path, &[]).await.status(),
        409
    );
    app.stop().await;
}

#[tokio::test]
async fn registering_answers_alike_and_confirms_by_mail_on_sqlite() {
    let app = open_registration(Backend::Sqlite).await.unwrap();
    registering_answers_alike_and_confirms_by_mail(app).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn registering_answers_alike_and_confirms_by_mail_on_postgres() {
    if let Some(app) = open_registration(Backend::Postgres).await {
        registering_answers_alike_and_confirms_by_mail(app).await;
    }
}

async fn dead_confirmation_links_are_refused(app: TestApp) {
    // Expired: stored as the form stores it, but already past its time.
    let token = atelier::secret::new_secret();
    let pending = atelier::store::RegistrationRow {
        email: "tardive@exemple.fr".into(),
        name: "Tardive".into(),
        password_hash: "pas un vrai hachage".into(),
    };
    app.app
        .db
        .create_registration(
            &atelier::secret::hash_secret(&token),
            &pending,
            time::Duration::seconds(-1),
        )
        .await
        .unwrap();
    let path = format!("/register/confirm/{token}");
    let browser = app.browser();
    let (status, page) = browser.get_text(&path).await;
    assert_eq!(status, 409);
    assert!(page.contains("Ce lien a expiré"), "{page}");
    assert_eq!(browser.submit("/register", &path, &[]).await.status(), 409);
    assert_eq!(
        browser.get_text("/register/confirm/nimportequoi").await.0,
        404
    );

    // Two registrations of one address: the first link used wins, the second says why not.
    let email = "double@exemple.fr";
    register(&app, email, "Première").await;
    let first = confirmation_path(&app, &app.mails()[0]);
    register(&app, email, "Seconde").await;
    let second = confirmation_path(&app, &app.mails()[1]);
    assert_eq!(browser.submit(&first, &first, &[]).await.status(), 303);
    let late = app.browser();
    let (status, page) = late.get_text(&second).await;
    assert_eq!(status, 200, "the link itself is live");
    assert!(page.contains(email), "the page names the address");
    let r = late.submit(&second, &second, &[]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Un compte existe déjà"));
    let me = app.api_as(email).await.get_json("/api/v1/me", 200).await;
    assert_eq!(me["name"], "Première");
    app.stop().await;
}

#[tokio::test]
async fn dead_confirmation_links_are_refused_on_sqlite() {
    let app = open_registration(Backend::Sqlite).await.unwrap();
    dead_confirmation_links_are_refused(app).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn dead_confirmation_links_are_refused_on_postgres() {
    if let Some(app) = open_registration(Backend::Postgres).await {
        dead_confirmation_links_are_refused(app).await;
    }
}
