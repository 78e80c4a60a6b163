//! What the server sends to load the editor: content-hashed asset names cached for good, plain
//! names revalidated, brotli or gzip as the client accepts (made once, not per request), and
//! compressed pages — but not the WebSocket upgrade nor tiny answers.

use std::io::Read as _;

use futures_util::StreamExt as _;
use reqwest::header::HeaderMap;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::harness::TestApp;

const CHROMIUM_ACCEPTS: &str = "gzip, deflate, br, zstd";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &bytes[..], &mut out).expect("valid brotli");
    out
}

/// GET `path` with `Accept-Encoding` (if any): status, headers, the bytes as sent.
async fn fetch(app: &TestApp, path: &str, accept: Option<&str>) -> (u16, HeaderMap, Vec<u8>) {
    let mut request = app.get(path);
    if let Some(accept) = accept {
        request = request.header("accept-encoding", accept);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.bytes().await.expect("body").to_vec(),
    )
}

/// The `src`/`href`/`data-wasm-url` of the editor page that starts with `/assets/` and ends with
/// `suffix`.
/// The hashed URL the page links to for `file` (e.g. `editor.js`).
fn linked(html: &str, file: &str) -> String {
    let (stem, suffix) = file
        .rsplit_once('.')
        .expect("a file name with an extension");
    let prefix = format!("/assets/{stem}.");
    let suffix = format!(".{suffix}");
    html.match_indices("\"/assets/")
        .map(|(at, _)| {
            let rest = &html[at + 1..];
            rest[..rest.find('"').expect("a closing quote")].to_owned()
        })
        .find(|url| url.starts_with(&prefix) && url.ends_with(&suffix))
        .unwrap_or_else(|| panic!("the page links no {prefix}…{suffix}: {html}"))
}

async fn edit_page() -> (TestApp, String, String) {
    let app = TestApp::start().await;
    let (_, text) = app.writer_with_text("autrice@exemple.fr", "Autrice").await;
    let browser = app.browser();
    assert_eq!(browser.login("autrice@exemple.fr").await.status(), 303);
    let (status, html) = browser.get_text(&format!("/texts/{text}/edit")).await;
    assert_eq!(status, 200);
    (app, text, html)
}

#[tokio::test]
async fn the_editor_loads_from_hashed_names_cached_for_good_and_compressed() {
    let (app, _, html) = edit_page().await;
    let script = linked(&html, "editor.js");
    let wasm = linked(&html, "automerge.wasm");
    let css = linked(&html, "atelier.css");
    assert!(
        html.contains(&format!("data-wasm-url=\"{wasm}\"")),
        "the editor is told where its WebAssembly is"
    );
    assert!(
        html.contains(&format!("<link rel=\"preload\" href=\"{wasm}\"")),
        "the WebAssembly is preloaded"
    );

    for (url, content_type, built) in [
        (&script, "text/javascript; charset=utf-8", true),
        (&wasm, "application/wasm", true),
        (&css, "text/css; charset=utf-8", false),
    ] {
        let (status, headers, plain) = fetch(&app, url, None).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(header(&headers, "content-type"), content_type, "{url}");
        assert_eq!(
            header(&headers, "cache-control"),
            "public, max-age=31536000, immutable",
            "{url}"
        );
        assert_eq!(header(&headers, "vary"), "accept-encoding", "{url}");
        assert!(headers.get("content-encoding").is_none(), "{url}");

        // Chromium's header: brotli, the smallest.
        let (status, headers, brotli) = fetch(&app, url, Some(CHROMIUM_ACCEPTS)).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(header(&headers, "content-encoding"), "br", "{url}");
        assert_eq!(header(&headers, "content-type"), content_type, "{url}");
        assert_eq!(unbrotli(&brotli), plain, "{url}: brotli of the same file");

        let (_, headers, gzip) = fetch(&app, url, Some("gzip, deflate")).await;
        assert_eq!(header(&headers, "content-encoding"), "gzip", "{url}");
        assert_eq!(gunzip(&gzip), plain, "{url}: gzip of the same file");
        assert!(
            brotli.len() < gzip.len() && gzip.len() < plain.len(),
            "{url}"
        );
        if built {
            // The best settings, made by the editor's build: a third of the file or less.
            assert!(
                brotli.len() * 3 < plain.len(),
                "{url}: {} bytes",
                brotli.len()
            );
        }
        // The same bytes each time: made once, not per request.
        let (_, _, again) = fetch(&app, url, Some("br")).await;
        assert_eq!(again, brotli, "{url}");
    }

    // The editor's first load, as Chromium fetches it: well under the 1 MB of the goal, which
    // leaves room for the page and the stylesheet.
    let mut editor_bytes = 0;
    for url in [&script, &wasm] {
        editor_bytes += fetch(&app, url, Some(CHROMIUM_ACCEPTS)).await.2.len();
    }
    assert!(
        editor_bytes < 900_000,
        "editor.js + automerge.wasm: {editor_bytes} bytes"
    );
    app.stop().await;
}

#[tokio::test]
async fn plain_names_are_revalidated_and_unknown_names_are_404() {
    let (app, _, html) = edit_page().await;
    let script = linked(&html, "editor.js");
    let (status, headers, plain) = fetch(&app, "/assets/editor.js", None).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "cache-control"), "public, no-cache");
    let (_, _, hashed) = fetch(&app, &script, None).await;
    assert_eq!(plain, hashed, "the plain name serves the current file");
    let etag = header(&headers, "etag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");

    let unchanged = app
        .get("/assets/editor.js")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);
    assert!(unchanged.bytes().await.unwrap().is_empty());

    // Each coding is its own representation, with its own validator.
    let (_, brotli_headers, _) = fetch(&app, "/assets/editor.js", Some("br")).await;
    let brotli_etag = header(&brotli_headers, "etag").to_owned();
    assert_ne!(brotli_etag, etag);
    let other = app
        .get("/assets/editor.js")
        .header("if-none-match", &etag)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        200,
        "the identity tag does not validate brotli"
    );

    for missing in [
        "/assets/editor.0000000000000000.js",
        "/assets/editor.js.br",
        "/assets/automerge.wasm.gz",
        "/assets/nothing.css",
        "/assets/..%2FCargo.toml",
    ] {
        assert_eq!(fetch(&app, missing, None).await.0, 404, "{missing}");
    }
    app.stop().await;
}

#[tokio::test]
async fn pages_are_compressed_but_not_tiny_answers_nor_the_websocket() {
    let (app, text, _) = edit_page().await;
    let browser = app.browser();
    assert_eq!(browser.login("autrice@exemple.fr").await.status(), 303);
    for accept in [CHROMIUM_ACCEPTS, "gzip"] {
        let response = browser
            .client
            .get(format!("{}/texts/{text}", app.url))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap().to_vec();
        let html = match header(&headers, "content-encoding") {
            "br" if accept == CHROMIUM_ACCEPTS => unbrotli(&body),
            "gzip" if accept == "gzip" => gunzip(&body),
            other => panic!("{accept}: content-encoding {other:?}"),
        };
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("</html>"), "{html}");
        assert!(
            body.len() * 2 < html.len(),
            "{} → {}",
            html.len(),
            body.len()
        );
        assert!(header(&headers, "vary").contains("accept-encoding"));
    }

    // The JSON API too, when it is worth it; not a 40-byte health check.
    let (_, headers, _) = fetch(&app, "/api/openapi.json", Some(CHROMIUM_ACCEPTS)).await;
    assert_eq!(header(&headers, "content-encoding"), "br");
    let (status, headers, body) = fetch(&app, "/healthz", Some(CHROMIUM_ACCEPTS)).await;
    assert_eq!(status, 200);
    assert!(headers.get("content-encoding").is_none());
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("\"database\":true")
    );

    // The sync socket opens as before for a client that accepts compression.
    let token = app.api_as("autrice@exemple.fr").await.token().to_owned();
    let url = format!(
        "{}/api/v1/texts/{text}/sync",
        app.url.replacen("http", "ws", 1)
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
        .headers_mut()
        .insert("accept-encoding", CHROMIUM_ACCEPTS.parse().unwrap());
    let (mut socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the upgrade succeeds");
    assert_eq!(response.status(), 101);
    assert!(response.headers().get("content-encoding").is_none());
    let hello = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("a first message")
        .expect("a frame")
        .expect("no error");
    match hello {
        Message::Text(text) => assert!(text.contains("\"hello\""), "{text}"),
        other => panic!("expected the hello, got {other:?}"),
    }
    app.stop().await;
}
