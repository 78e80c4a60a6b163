//! Bad input gets a clear 4xx with a message, never a 500 or a half-written change.

use serde_json::{Value, json};

use crate::harness::TestApp;
use atelier::model::Role;

async fn admin_api(app: &TestApp) -> crate::harness::Api {
    let national = app.national().await;
    let admin = app.member("admin@exemple.fr", "Ada Admin").await;
    app.grant(admin, national, Role::Admin).await;
    app.api_as("admin@exemple.fr").await
}

async fn error_body(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    let body: Value = response.json().await.expect("errors are JSON on the API");
    assert!(
        body["error"].is_string() && body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body
}

#[tokio::test]
async fn malformed_and_invalid_json_are_400_and_422_with_fields() {
    let app = TestApp::start().await;
    let api = admin_api(&app).await;
    let raw = |body: &'static str| {
        api.client
            .post(format!("{}/api/v1/groups", app.url))
            .bearer_auth(api.token.clone().unwrap())
            .header("content-type", "application/json")
            .body(body)
    };
    error_body(raw("{\"kind\": ").send().await.unwrap(), 400).await;
    let body = error_body(raw("{\"name\": \"x\"}").send().await.unwrap(), 422).await;
    assert!(body["fields"]["kind"].is_string(), "{body}");
    let body = error_body(
        api.post("/api/v1/groups", json!({ "kind": "club", "name": "  " }))
            .await,
        422,
    )
    .await;
    assert!(
        body["fields"]["kind"].is_string() && body["fields"]["name"].is_string(),
        "every bad field at once: {body}"
    );
    let body = error_body(
        api.post(
            "/api/v1/groups",
            json!({ "kind": "theme", "name": "Logement", "visibility": "secret" }),
        )
        .await,
        422,
    )
    .await;
    assert!(body["fields"]["visibility"].is_string());
    let no_type = api
        .client
        .post(format!("{}/api/v1/groups", app.url))
        .bearer_auth(api.token.clone().unwrap())
        .body("{}")
        .send()
        .await
        .unwrap();
    error_body(no_type, 400).await;
    app.stop().await;
}

#[tokio::test]
async fn duplicates_unknown_ids_and_oversized_bodies() {
    let app = TestApp::start().await;
    let api = admin_api(&app).await;
    let body = error_body(
        api.post(
            "/api/v1/members",
            json!({ "email": "ADMIN@exemple.fr", "name": "Doublon" }),
        )
        .await,
        422,
    )
    .await;
    assert!(
        body["fields"]["email"].is_string(),
        "a duplicate address is a field error: {body}"
    );
    let body = error_body(
        api.post(
            "/api/v1/members",
            json!({ "email": "x", "name": "", "password": "court" }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["fields"].as_object().unwrap().len(), 3, "{body}");
    error_body(api.get("/api/v1/groups/123456").await, 404).await;
    error_body(api.get("/api/v1/groups/pas-un-nombre").await, 404).await;
    error_body(api.get("/api/v1/nothing-here").await, 404).await;
    error_body(
        api.post(
            "/api/v1/groups/123456/members",
            json!({ "member_id": "1", "role": "member" }),
        )
        .await,
        404,
    )
    .await;
    let national = app.national().await;
    let body = error_body(
        api.post(
            &format!("/api/v1/groups/{national}/members"),
            json!({ "member_id": "424242", "role": "member" }),
        )
        .await,
        422,
    )
    .await;
    assert!(body["fields"]["member_id"].is_string());
    let body = error_body(
        api.post(
            &format!("/api/v1/groups/{national}/members"),
            json!({ "member_id": "1", "role": "roi" }),
        )
        .await,
        422,
    )
    .await;
    assert!(body["fields"]["role"].is_string());
    let huge = json!({ "kind": "theme", "name": "x".repeat(2 * 1024 * 1024) });
    error_body(api.post("/api/v1/groups", huge).await, 413).await;
    app.stop().await;
}

#[tokio::test]
async fn pages_show_friendly_errors() {
    let app = TestApp::start().await;
    let (status, page) = app.browser().get_text("/nulle-part").await;
    assert_eq!(status, 404);
    assert!(
        page.contains("<main") && page.contains("lang=\"fr\""),
        "a French page, not JSON"
    );
    let (status, page) = app.browser().get_text("/groups/999999").await;
    assert_eq!(status, 404);
    assert!(page.contains("<main"));
    let r = app.browser().get("/admin").await;
    assert_eq!(r.status(), 303, "signed-out visitors are sent to sign in");
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=%2Fadmin")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let mut config = atelier::Config::defaults();
    config.data_dir = file.join("data");
    let error = atelier::App::open(config).await.err().expect("refused");
    assert!(
        error
            .to_string()
            .contains("cannot create the data directory"),
        "{error}"
    );

    let mut config = atelier::Config::defaults();
    config.data_dir = dir.path().join("data");
    config.database_url = Some("postgres://postgres@127.0.0.1:1/nothing".into());
    let error = atelier::App::open(config).await.err().expect("refused");
    assert!(
        error.to_string().contains("cannot connect to PostgreSQL"),
        "{error}"
    );

    let mut config = atelier::Config::defaults();
    config.data_dir = dir.path().join("data2");
    std::fs::create_dir_all(&config.data_dir).unwrap();
    std::fs::write(
        config.data_dir.join("atelier.db"),
        "this is not a database, just text that is long enough",
    )
    .unwrap();
    let error = atelier::App::open(config).await.err().expect("refused");
    assert!(error.to_string().contains("atelier.db"), "{error}");
}
