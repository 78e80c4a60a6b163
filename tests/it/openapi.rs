//! The OpenAPI document lists every route, the contract's included, and every route it lists
//! is served.

use serde_json::Value;

use crate::harness::TestApp;
use atelier::model::Role;

/// The routes of API.md that the foundation provides: they must be documented exactly so.
const CONTRACT: &[(&str, &str)] = &[
    ("post", "/api/v1/session"),
    ("delete", "/api/v1/session"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/members"),
    ("get", "/api/v1/groups"),
    ("post", "/api/v1/groups"),
    ("get", "/api/v1/groups/{id}"),
    ("post", "/api/v1/groups/{id}/members"),
    ("get", "/healthz"),
    ("get", "/metrics"),
    ("get", "/api/openapi.json"),
    // Texts and live editing (issue 3).
    ("post", "/api/v1/texts"),
    ("get", "/api/v1/texts/{id}"),
    ("get", "/api/v1/texts/{id}/sync"),
    ("post", "/api/v1/texts/{id}/status"),
    ("post", "/api/v1/texts/{id}/versions"),
    ("get", "/api/v1/texts/{id}/versions"),
    ("get", "/api/v1/texts/{id}/diff"),
    // Amendments (issue 13).
    ("post", "/api/v1/texts/{id}/amendments"),
    ("get", "/api/v1/texts/{id}/amendments"),
    ("get", "/api/v1/amendments/{id}"),
    ("post", "/api/v1/amendments/{id}/submit"),
    ("post", "/api/v1/amendments/{id}/support"),
    ("post", "/api/v1/amendments/{id}/withdraw"),
    ("post", "/api/v1/amendments/{id}/status"),
    ("post", "/api/v1/amendments/{id}/merge"),
    ("post", "/api/v1/amendments/{id}/amendments"),
    // Exports (issue 13, point 7).
    ("get", "/api/v1/texts/{id}/amendments.csv"),
    ("get", "/api/v1/texts/{id}/amendments.json"),
];

#[tokio::test]
async fn the_document_lists_every_route_and_every_listed_route_is_served() {
    let app = TestApp::start().await;
    let national = app.national().await;
    let admin = app.member("admin@exemple.fr", "Ada").await;
    app.grant(admin, national, Role::Admin).await;
    let api = app.api_as("admin@exemple.fr").await;
    // A text, so that the text routes are also called on one that exists.
    let created = api
        .post(
            "/api/v1/texts",
            serde_json::json!({"group_id": national.to_string(), "title": "Charte", "kind": "wiki"}),
        )
        .await;
    let status = created.status();
    let text: Value = created.json().await.unwrap();
    assert_eq!(status, 201, "{text}");
    let text = text["id"].as_str().unwrap();
    let doc = api.get_json("/api/openapi.json", 200).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for (method, path) in CONTRACT {
        assert!(
            paths.get(*path).and_then(|p| p.get(*method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut checked = 0;
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let concrete = path
                .replace("{id}", &national.to_string())
                .replace("{member_id}", &admin.to_string())
                .replace("{name}", "atelier.css")
                .replace("{code}", "fr")
                .replace("{token}", "unknown-token");
            let request = no_redirects.request(
                method.to_uppercase().parse().unwrap(),
                format!("{}{concrete}", app.url),
            );
            let request = request
                .bearer_auth(api.token.clone().unwrap())
                .header("content-type", "application/json")
                .body("{}");
            let response = request.send().await.unwrap();
            assert!(
                response.headers().get("x-atelier-no-route").is_none(),
                "{method} {path} is documented but not served"
            );
            assert_ne!(
                response.status(),
                405,
                "{method} {path} is documented but not served"
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} routes checked");

    // The WebSocket route called as a plain GET (as the walk above does): the text's rights
    // first (404 for no such text), then our JSON error rather than the library's plain text.
    // (The walk signed the first client out: DELETE /api/v1/session.)
    let api = app.api_as("admin@exemple.fr").await;
    for (id, status, error) in [(text, 400, "bad_request"), ("999999", 404, "not_found")] {
        let response = api.get(&format!("/api/v1/texts/{id}/sync")).await;
        assert_eq!(response.status().as_u16(), status, "text {id}");
        let body: Value = response.json().await.expect("a JSON error");
        assert_eq!(body["error"], error, "{body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    let schemas: &Value = &doc["components"]["schemas"];
    assert!(schemas.get("ErrorBody").is_some());
    app.stop().await;
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let app = TestApp::start().await;
    let health = app.api().get_json("/healthz", 200).await;
    assert_eq!(health["database"], true);
    assert_eq!(health["search_index"], true);
    app.api().get("/groups").await;
    let metrics = app.api().get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("atelier_http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("route=\"/groups\""),
        "series are labelled by route pattern"
    );
    app.stop().await;
}
