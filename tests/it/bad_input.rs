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
    // An amendment's body: malformed, then lacking its replacement.
    let national = app.national().await;
    let text = api.create_text(national, "Charte").await;
    let amend = |body: &'static str| {
        api.client
            .post(format!("{}/api/v1/texts/{text}/amendments", app.url))
            .bearer_auth(api.token.clone().unwrap())
            .header("content-type", "application/json")
            .body(body)
    };
    error_body(amend("{\"start\": ").send().await.unwrap(), 400).await;
    let body = error_body(
        amend("{\"start\": 0, \"end\": 1}").send().await.unwrap(),
        422,
    )
    .await;
    assert!(body["fields"]["replacement"].is_string(), "{body}");
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

/// What a page's `<main>` says (the rest carries the path, for the language switch).
fn main_of(page: &str) -> &str {
    let start = page.find("<main").expect("an HTML page");
    let end = page[start..].find("</main>").expect("a closed main") + start;
    &page[start..end]
}

/// An id in a path that does not parse is the 404 of an id that names nothing, on every kind of
/// id: JSON on the API, the error page elsewhere (`http::paths`). Junk that is not even UTF-8
/// once decoded answered axum's own 400 before the typed extractors; it is the same 404 now.
#[tokio::test]
async fn junk_ids_in_paths_are_the_404_of_an_unknown_id() {
    let app = TestApp::start().await;
    let api = admin_api(&app).await;
    let national = app.national().await;
    const UNKNOWN: &str = "424242";
    let junk = [
        "abc",
        "12abc",
        "-1x",
        "99999999999999999999999",
        "%FF",
        "%20",
    ];
    let api_paths = |id: &str| {
        vec![
            ("GET", format!("/api/v1/texts/{id}")),
            ("GET", format!("/api/v1/texts/{id}/history")),
            ("GET", format!("/api/v1/groups/{id}")),
            ("GET", format!("/api/v1/groups/{id}/texts")),
            ("GET", format!("/api/v1/texts/{id}/amendments")),
            ("POST", format!("/api/v1/texts/{id}/amendments/similar")),
            ("GET", format!("/api/v1/texts/{id}/paragraphs/1/related")),
            ("GET", format!("/api/v1/amendments/{id}")),
            ("POST", format!("/api/v1/amendments/{id}/support")),
            ("GET", format!("/api/v1/members/{id}")),
            ("POST", format!("/api/v1/members/{id}/disable")),
            ("DELETE", format!("/api/v1/groups/{national}/members/{id}")),
            (
                "POST",
                format!("/api/v1/groups/{national}/invitations/{id}/resend"),
            ),
        ]
    };
    let send = async |method: &str, path: &str| match method {
        "GET" => api.get(path).await,
        "POST" => api.post(path, json!({})).await,
        _ => api.delete(path).await,
    };
    for (at, (method, path)) in api_paths(UNKNOWN).into_iter().enumerate() {
        let unknown = error_body(send(method, &path).await, 404).await;
        for id in junk {
            let (method, junk_path) = api_paths(id).swap_remove(at);
            let body = error_body(send(method, &junk_path).await, 404).await;
            assert_eq!(body, unknown, "{method} {junk_path} answers as {path}");
        }
    }
    let browser = app.browser();
    browser.login("admin@exemple.fr").await;
    let page_paths = |id: &str| {
        vec![
            format!("/texts/{id}"),
            format!("/texts/{id}/history"),
            format!("/texts/{id}/paragraphs/1/related"),
            format!("/groups/{id}"),
            format!("/groups/{id}/wiki/une-page"),
            format!("/members/{id}"),
            format!("/groups/{national}/members/{id}/remove"),
        ]
    };
    for (at, path) in page_paths(UNKNOWN).into_iter().enumerate() {
        let (status, unknown) = browser.get_text(&path).await;
        assert_eq!(status, 404, "{path}");
        for id in junk {
            let junk_path = page_paths(id).swap_remove(at);
            let (status, page) = browser.get_text(&junk_path).await;
            assert_eq!(status, 404, "{junk_path}");
            assert_eq!(
                main_of(&page),
                main_of(&unknown),
                "{junk_path} answers as {path}"
            );
        }
    }
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
