//! Every answer tells the browser to run only our own scripts, never frame the page, never sniff
//! types and keep paths to itself; HSTS only when the base URL is https. The pages carry no
//! inline script for the policy to block (the browser tests check that the editor runs under it).

use atelier::App;
use atelier::config::Config;
use reqwest::header::HeaderMap;

use crate::harness::TestApp;

fn csp_directives(headers: &HeaderMap) -> Vec<String> {
    let policy = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    policy
        .split(';')
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn assert_protected(path: &str, headers: &HeaderMap) {
    let csp = csp_directives(headers);
    for wanted in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "connect-src 'self'",
    ] {
        assert!(
            csp.iter().any(|d| d == wanted),
            "{path}: no `{wanted}` in {csp:?}"
        );
    }
    let value = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(value("x-content-type-options"), "nosniff", "{path}");
    assert_eq!(value("referrer-policy"), "same-origin", "{path}");
    assert_eq!(value("x-frame-options"), "DENY", "{path}");
}

/// Every `<script>` of a page loads a file of ours; no element has an `on…=` handler.
fn assert_no_inline_script(path: &str, html: &str) {
    for (at, _) in html.match_indices("<script") {
        let tag = &html[at..at + html[at..].find('>').expect("a closed tag")];
        assert!(
            tag.contains(" src=\"/assets/"),
            "{path}: an inline script: {tag}"
        );
    }
    let lowercase = html.to_lowercase();
    for (at, _) in lowercase.match_indices(" on") {
        let name: String = lowercase[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let after = &lowercase[at + 1 + name.len()..];
        assert!(
            !(name.len() > 2
                && after.starts_with('=')
                && lowercase[..at].rfind('<') > lowercase[..at].rfind('>')),
            "{path}: an event handler attribute {name}"
        );
    }
}

#[tokio::test]
async fn pages_api_and_assets_carry_the_security_headers() {
    let app = TestApp::start().await;
    let (theme, text) = app.writer_with_text("autrice@exemple.fr", "Autrice").await;
    let browser = app.browser();
    assert_eq!(browser.login("autrice@exemple.fr").await.status(), 303);

    let pages = [
        "/".to_owned(),
        "/login".into(),
        format!("/groups/{theme}"),
        format!("/texts/{text}"),
        format!("/texts/{text}/edit"),
        "/nulle-part".into(),
    ];
    for path in &pages {
        let response = browser.get(path).await;
        let headers = response.headers().clone();
        let html = response.text().await.unwrap();
        assert_protected(path, &headers);
        assert_no_inline_script(path, &html);
    }
    for path in [
        "/api/v1/me",
        "/api/v1/groups",
        "/assets/atelier.css",
        "/assets/editor.js",
        "/healthz",
        "/api/openapi.json",
    ] {
        let response = app.get(path).send().await.unwrap();
        assert_protected(path, response.headers());
        assert!(
            response
                .headers()
                .get("strict-transport-security")
                .is_none(),
            "{path}: HSTS over http"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn hsts_is_sent_when_the_base_url_is_https() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::defaults();
    config.data_dir = dir.path().join("data");
    config.base_url = "https://atelier.exemple.fr".into();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = App::open(config).await.expect("app opens");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(atelier::serve(listener, app, async move {
        let _ = stopped.await;
    }));
    for path in ["/", "/login", "/api/v1/me", "/assets/atelier.css"] {
        let response = reqwest::get(format!("{url}{path}")).await.unwrap();
        assert_protected(path, response.headers());
        let hsts = response
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok());
        assert_eq!(hsts, Some("max-age=63072000; includeSubDomains"), "{path}");
    }
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
