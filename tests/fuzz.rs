//! Fuzz targets, with bolero: `cargo test --test fuzz` runs each on its seeds and a bounded
//! number of random inputs (`BOLERO_RANDOM_ITERATIONS` raises it); `cargo bolero test` runs
//! them as coverage-guided fuzzers (RELIABILITY.md says how, and what the long runs found).
//!
//! - `sync_frames`: a peer's binary frame, decoded and vetted as the document task does
//!   (`collab::frames::receive_frame`), then applied: never a panic, never a change to the
//!   document's root.
//! - `markdown_rendering`: the renderer and its sanitiser, and the rendered diff of two texts:
//!   never a panic, never a script, an event handler or a scripting URL in the HTML.
//! - `api_json_bodies`: JSON bodies of the API through the real router, and the value parsers
//!   behind them: never a 5xx, and parsed values parse again to themselves.
//!
//! Seeds: `tests/fuzz-seeds/` (samples of `../shared/data`, with their attribution) and the
//! CommonMark spec examples of `tests/fixtures/`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use atelier::collab::{doc, frames};
use atelier::markup::{self, RenderOptions, WikiResolution, WikiTarget, rendered_diff};
use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ReadDoc};

/// Random inputs per target under `cargo test`: seconds, not minutes.
const TEST_ITERATIONS: usize = 300;
const MAX_LEN: usize = 8 * 1024;

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-seeds")
}

fn seed_texts() -> Vec<String> {
    let mut texts: Vec<String> = std::fs::read_dir(seeds_dir())
        .expect("tests/fuzz-seeds")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "jsonl"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    texts.sort();
    texts
}

/// A seed picked by the input's first byte, edited by the rest, three bytes an edit (what, where,
/// which byte): random inputs then explore around real frames and texts, which uniform random
/// bytes would almost never reach (a sync message starts with 0x42, then lengths).
fn mutate(seeds: &[Vec<u8>], input: &[u8]) -> Vec<u8> {
    let Some((pick, edits)) = input.split_first() else {
        return Vec::new();
    };
    let mut out = seeds[usize::from(*pick) % seeds.len()].clone();
    for edit in edits.chunks_exact(3) {
        let at = usize::from(u16::from_le_bytes([edit[1], edit[0] >> 2])) % (out.len() + 1);
        match edit[0] % 4 {
            0 if at < out.len() => out[at] = edit[2],
            1 => out.insert(at, edit[2]),
            2 if at < out.len() => {
                out.remove(at);
            }
            3 => out.truncate(at.max(out.len() / 2)),
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Sync frames

/// The document every frame is received against: a text as the server creates it.
fn base_document() -> &'static AutoCommit {
    static BASE: OnceLock<AutoCommit> = OnceLock::new();
    BASE.get_or_init(|| {
        doc::create("# Programme\n\nUn premier alinéa.\n")
            .expect("a document")
            .0
    })
}

/// What real peers send: every message of a client that loaded the base document, typed a
/// seed text (replacing, inserting, deleting) and synced with a server copy.
fn seed_frames() -> Vec<Vec<u8>> {
    use automerge::transaction::Transactable;
    let mut frames = Vec::new();
    for text in seed_texts().iter().take(4) {
        let base = base_document();
        let mut server = base.clone();
        let mut client = base.clone().fork();
        let markdown = doc::markdown_obj(&client).expect("markdown");
        let sample: String = text.chars().take(400).collect();
        client
            .splice_text(&markdown, 0, 0, &sample)
            .expect("insert");
        client.commit();
        client
            .update_text(&markdown, &sample[..sample.len() / 2])
            .expect("update");
        client.commit();
        let (mut to_server, mut to_client) = (sync::State::new(), sync::State::new());
        for _ in 0..10 {
            let from_client = client.sync().generate_sync_message(&mut to_server);
            if let Some(message) = &from_client {
                frames.push(message.clone().encode());
                server
                    .sync()
                    .receive_sync_message(&mut to_client, message.clone())
                    .expect("server receives");
            }
            let from_server = server.sync().generate_sync_message(&mut to_client);
            if let Some(message) = from_server.clone() {
                client
                    .sync()
                    .receive_sync_message(&mut to_server, message)
                    .expect("client receives");
            }
            if from_client.is_none() && from_server.is_none() {
                break;
            }
        }
    }
    frames
}

fn check_frame(frame: &[u8]) {
    let base = base_document();
    let mut doc = base.clone();
    let markdown = doc::markdown_obj(&doc);
    if frames::receive_frame(&mut doc, frame).is_ok() {
        assert_eq!(
            doc::markdown_obj(&doc),
            markdown,
            "a frame changed the document's root"
        );
        let text = markdown.as_ref().expect("markdown");
        doc.text(text).expect("the text reads");
        doc.save();
    }
}

#[test]
fn sync_frames() {
    let seeds = seed_frames();
    assert!(seeds.len() >= 4, "real frames to start from");
    // A frame that carries changes is applied, and the text is what the client typed.
    let mut doc = base_document().clone();
    let applied: usize = seeds
        .iter()
        .map(|frame| frames::receive_frame(&mut doc, frame).unwrap_or(0))
        .sum();
    assert!(applied > 0, "the seeds carry changes");
    for frame in &seeds {
        check_frame(frame);
    }
    write_corpus("sync_frames", &seeds);
    bolero::check!()
        .with_iterations(TEST_ITERATIONS)
        .with_max_len(MAX_LEN)
        .for_each(|input| {
            check_frame(input);
            check_frame(&mutate(&seeds, input));
        });
}

// ---------------------------------------------------------------------------------------------
// Markdown rendering

fn resolve(target: &WikiTarget) -> WikiResolution {
    WikiResolution::Missing {
        create_href: format!("/wiki/new?title={}", target.title.len()),
    }
}

/// The tags and attributes of HTML as ammonia serialises it: attribute values double-quoted,
/// `"` escaped inside them.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut at = 0;
    while let Some(open) = html[at..].find('<').map(|o| at + o) {
        let mut i = open + 1;
        let name_start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        let mut attributes = Vec::new();
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' || bytes[i] == b'/' {
                break;
            }
            let attr_start = i;
            while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b' ' | b'/') {
                i += 1;
            }
            let attr = html[attr_start..i].to_ascii_lowercase();
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') && bytes.get(i + 1) == Some(&b'"') {
                let end = html[i + 2..].find('"').map_or(bytes.len(), |e| i + 2 + e);
                value = html[i + 2..end].to_owned();
                i = end + 1;
            }
            attributes.push((attr, value));
        }
        out.push((name, attributes));
        at = (i + 1).min(bytes.len());
        if at >= bytes.len() {
            break;
        }
    }
    out
}

fn assert_safe(html: &str) {
    for (name, attributes) in tags(html) {
        assert!(
            !matches!(
                name.as_str(),
                "script"
                    | "iframe"
                    | "object"
                    | "embed"
                    | "style"
                    | "base"
                    | "form"
                    | "meta"
                    | "link"
            ),
            "a <{name}> in {html}"
        );
        for (attribute, value) in attributes {
            assert!(
                !attribute.starts_with("on"),
                "an event handler {attribute} in {html}"
            );
            assert!(
                attribute != "srcdoc" && attribute != "formaction",
                "{attribute} in {html}"
            );
            let value: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(!value.starts_with(scheme), "{attribute}={value} in {html}");
            }
        }
    }
}

fn check_markdown(input: &[u8]) {
    let markdown = String::from_utf8_lossy(input);
    let options = RenderOptions::new(&resolve);
    let rendered = markup::render(&markdown, &options);
    assert_safe(&rendered.html);
    assert_safe(&markup::render_numbered(&markdown, &options));
    assert_safe(&markup::render_commonmark_plain(&markdown));
    // The rendered diff between the text's first half and the whole (a history's comparison)
    // is as safe as each side.
    let middle = markdown
        .char_indices()
        .map(|(at, _)| at)
        .find(|at| *at >= markdown.len() / 2)
        .unwrap_or(markdown.len());
    let half = markup::render(&markdown[..middle], &options);
    let diff = rendered_diff(&half.html, &rendered.html, Duration::from_millis(200));
    assert_safe(&diff.html);
}

#[test]
fn the_safety_check_sees_what_it_looks_for() {
    for unsafe_html in [
        "<p>a</p><script>x</script>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<img src=\"x\" onerror=\"alert(1)\">",
        "<a href=\" JaVaScRiPt:x\">",
    ] {
        assert!(
            std::panic::catch_unwind(|| assert_safe(unsafe_html)).is_err(),
            "{unsafe_html} passed"
        );
    }
    assert_safe("<p title=\"onclick=x &quot;>\">onload=1</p><a href=\"https://exemple.fr\">x</a>");
}

#[test]
fn markdown_rendering() {
    let mut seeds: Vec<Vec<u8>> = seed_texts().into_iter().map(String::into_bytes).collect();
    let spec = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/commonmark-spec-0.31.2.json"),
    )
    .expect("the CommonMark fixture");
    let examples: Vec<serde_json::Value> = serde_json::from_str(&spec).expect("JSON");
    seeds.extend(
        examples
            .iter()
            .filter_map(|e| e["markdown"].as_str())
            .map(|m| m.as_bytes().to_vec()),
    );
    for seed in &seeds {
        check_markdown(seed);
    }
    write_corpus("markdown_rendering", &seeds);
    bolero::check!()
        .with_iterations(TEST_ITERATIONS)
        .with_max_len(MAX_LEN)
        .for_each(|input| {
            check_markdown(input);
            check_markdown(&mutate(&seeds, input));
        });
}

// ---------------------------------------------------------------------------------------------
// JSON bodies and values

struct Server {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    token: String,
    group: String,
    _dir: tempfile::TempDir,
}

/// The real router on a SQLite file, and a member's API token; built once per process.
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let (router, token, group) = runtime.block_on(async {
            let mut config = atelier::Config::defaults();
            config.data_dir = dir.path().join("data");
            let app = atelier::App::open(config).await.expect("app");
            let national = app.db.ensure_national_group("Parti").await.expect("group");
            let account = atelier::accounts::NewAccount::parse(
                "fuzz@exemple.fr",
                "Fuzz",
                Some("un mot de passe de test"),
            )
            .expect("account");
            let member = atelier::accounts::create_account(&app.db, account, None)
                .await
                .expect("member");
            app.db
                .set_membership(member, national, atelier::model::Role::Member)
                .await
                .expect("membership");
            let token = atelier::accounts::issue_api_token(&app.db, member)
                .await
                .expect("token");
            (atelier::http::router(app), token, national.to_string())
        });
        Server {
            runtime,
            router,
            token,
            group,
            _dir: dir,
        }
    })
}

fn check_json_body(input: &[u8]) {
    use tower::ServiceExt;
    let server = server();
    let paths = [
        "/api/v1/groups".to_owned(),
        format!("/api/v1/groups/{}/invitations", server.group),
        format!("/api/v1/groups/{}/members", server.group),
        "/api/v1/texts".to_owned(),
        "/api/v1/session".to_owned(),
    ];
    let path = &paths[input.first().map_or(0, |b| usize::from(*b) % paths.len())];
    let body = input.get(1..).unwrap_or_default().to_vec();
    let request = axum::http::Request::post(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", server.token))
        .body(axum::body::Body::from(body))
        .expect("request");
    let status = server
        .runtime
        .block_on(server.router.clone().oneshot(request))
        .expect("infallible")
        .status();
    assert!(!status.is_server_error(), "{path}: {status}");

    let text = String::from_utf8_lossy(input);
    use atelier::model::{DisplayName, Email, GroupName, Password};
    if let Ok(email) = Email::parse(&text) {
        assert_eq!(Email::parse(email.as_str()).ok(), Some(email));
    }
    if let Ok(name) = DisplayName::parse(&text) {
        assert_eq!(DisplayName::parse(name.as_str()).ok(), Some(name));
    }
    if let Ok(name) = GroupName::parse(&text) {
        assert_eq!(GroupName::parse(name.as_str()).ok(), Some(name));
    }
    let _ = Password::parse(&text);
}

#[test]
fn api_json_bodies() {
    // Seeds: each route with a valid body, and real text (alinéas of bills, JSON lines).
    let group = &server().group;
    let mut seeds: Vec<Vec<u8>> = [
        (0u8, r#"{"kind":"theme","name":"Culture","visibility":"public"}"#.to_owned()),
        (1, r#"{"email":"nouvelle@exemple.fr","role":"member"}"#.to_owned()),
        (2, r#"{"member_id":"1","role":"member"}"#.to_owned()),
        (3, format!(r##"{{"group_id":"{group}","title":"Titre","kind":"programme","markdown":"# Titre\n"}}"##)),
        (4, r#"{"email":"fuzz@exemple.fr","password":"faux"}"#.to_owned()),
    ]
    .into_iter()
    .map(|(route, body)| [vec![route], body.into_bytes()].concat())
    .collect();
    for (i, text) in seed_texts().iter().enumerate() {
        for line in text.lines().filter(|l| l.starts_with('{')).take(10) {
            seeds.push([vec![i as u8], line.as_bytes().to_vec()].concat());
        }
    }
    for seed in &seeds {
        check_json_body(seed);
    }
    write_corpus("api_json_bodies", &seeds);
    bolero::check!()
        .with_iterations(TEST_ITERATIONS)
        .with_max_len(MAX_LEN)
        .for_each(|input| {
            check_json_body(input);
            check_json_body(&mutate(&seeds, input));
        });
}

/// With `ATELIER_FUZZ_CORPUS=<dir>`, writes a target's seeds to `<dir>/<target>/`, where a long
/// `cargo bolero test` run starts from them (RELIABILITY.md).
fn write_corpus(target: &str, seeds: &[Vec<u8>]) {
    let Some(dir) = std::env::var_os("ATELIER_FUZZ_CORPUS") else {
        return;
    };
    let dir = Path::new(&dir).join(target);
    std::fs::create_dir_all(&dir).expect("corpus dir");
    for (i, seed) in seeds.iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:04}")), seed).expect("seed written");
    }
}
