//! The browser side, for real: the official `@automerge/automerge` JS package (node) and two
//! headless Chromium pages (Debian's `chromium`, driven by playwright-core) editing one text
//! against the real server. The scripts live in `tests/node` and `tests/browser`; their npm
//! packages come from `assets/editor` (`npm ci`, done here once if needed; `.ci/run` does it too).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::harness::TestApp;
use atelier::model::{GroupKind, Role, Visibility};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Installs the editor's npm packages once (they are not committed).
fn node_packages() {
    static DONE: Mutex<bool> = Mutex::new(false);
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    if *done
        || root()
            .join("assets/editor/node_modules/playwright-core")
            .exists()
    {
        *done = true;
        return;
    }
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root().join("assets/editor"))
        .status()
        .expect("npm runs (Node.js 20 and npm are needed for the browser tests)");
    assert!(status.success(), "npm ci failed in assets/editor");
    *done = true;
}

fn chromium() -> String {
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&path).exists(),
        "{path} is missing: install Debian's chromium (`apt-get install chromium`; .ci/run does)"
    );
    path
}

/// Runs a node script with `env`; its one JSON line of output.
async fn node(script: &str, env: &[(&str, String)]) -> Value {
    node_packages();
    let output = tokio::process::Command::new("node")
        .arg(root().join(script))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("CHROMIUM", chromium())
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed: {stderr}\n{stdout}"
    );
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|_| panic!("{script} printed no JSON: {stdout}"))
}

/// Signs in through the form; the session cookie (`atelier_session=…`).
async fn session_cookie(app: &TestApp, email: &str) -> String {
    let response = app.browser().login(email).await;
    assert_eq!(response.status(), 303, "sign-in of {email}");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("atelier_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

struct Scene {
    app: TestApp,
    text: String,
}

/// A theme with two writers and a reader (a supporter), someone of another theme, and a text.
async fn scene() -> Scene {
    let app = TestApp::start().await;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Éducation", national, Visibility::Public)
        .await;
    for (email, name, role) in [
        ("alice@exemple.fr", "Alice Martin", Role::Member),
        ("bruno@exemple.fr", "Bruno Petit", Role::Member),
        ("lea@exemple.fr", "Léa Lectrice", Role::Supporter),
    ] {
        let id = app.member(email, name).await;
        app.grant(id, theme, role).await;
    }
    // A party member of another theme: reads the public text, may not see this theme's directory.
    let culture = app
        .group(GroupKind::Theme, "Culture", national, Visibility::Public)
        .await;
    let omar = app.member("omar@exemple.fr", "Omar Dehors").await;
    app.grant(omar, culture, Role::Member).await;
    let alice = app.api_as("alice@exemple.fr").await;
    let markdown = "# Éducation\n\nL'école de la République doit être gratuite et émancipatrice.\n";
    let created = alice
        .post(
            "/api/v1/texts",
            json!({"group_id": theme.to_string(), "title": "Éducation", "kind": "programme", "markdown": markdown}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let text = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Scene { app, text }
}

#[tokio::test]
async fn the_official_automerge_js_client_syncs_and_a_reader_is_refused() {
    let s = scene().await;
    let sync_url = format!(
        "{}/api/v1/texts/{}/sync",
        s.app.url.replacen("http", "ws", 1),
        s.text
    );
    let alice = s.app.api_as("alice@exemple.fr").await;
    let out = node(
        "tests/node/sync_client.mjs",
        &[
            ("SYNC_URL", sync_url.clone()),
            ("TOKEN", alice.token().to_owned()),
            ("APPEND", "Des classes de vingt élèves 🎒.\n".into()),
        ],
    )
    .await;
    assert_eq!(out["saved"], true, "{out}");
    let markdown = out["markdown"].as_str().unwrap();
    assert!(
        markdown.ends_with("Des classes de vingt élèves 🎒.\n"),
        "{out}"
    );
    let text = alice
        .get_json(&format!("/api/v1/texts/{}", s.text), 200)
        .await;
    assert_eq!(text["markdown"].as_str().unwrap(), markdown);

    let lea = s.app.api_as("lea@exemple.fr").await;
    let refused = node(
        "tests/node/sync_client.mjs",
        &[
            ("SYNC_URL", sync_url),
            ("TOKEN", lea.token().to_owned()),
            ("APPEND", "Vandalisme.".into()),
            ("EXPECT_CLOSE", "1".into()),
        ],
    )
    .await;
    assert_eq!(refused["closed"], true, "{refused}");
    assert_eq!(refused["code"], 4403, "{refused}");
    let text = alice
        .get_json(&format!("/api/v1/texts/{}", s.text), 200)
        .await;
    assert!(!text["markdown"].as_str().unwrap().contains("Vandalisme"));
    s.app.stop().await;
}

#[tokio::test]
async fn two_browsers_edit_one_text_live_and_a_reader_cannot() {
    let s = scene().await;
    let env = [
        ("BASE_URL", s.app.url.clone()),
        ("EDIT_PATH", format!("/texts/{}/edit", s.text)),
        ("COOKIE_A", session_cookie(&s.app, "alice@exemple.fr").await),
        ("COOKIE_B", session_cookie(&s.app, "bruno@exemple.fr").await),
        (
            "COOKIE_READER",
            session_cookie(&s.app, "lea@exemple.fr").await,
        ),
        ("NAME_A", "Alice Martin".into()),
        ("NAME_B", "Bruno Petit".into()),
        (
            "COOKIE_OUTSIDER",
            session_cookie(&s.app, "omar@exemple.fr").await,
        ),
        ("ANONYMOUS_FR", "Un·e participant·e".into()),
        ("ANONYMOUS_EN", "A participant".into()),
    ];
    let out = node("tests/browser/co_editing.mjs", &env).await;
    assert_eq!(out["ok"], true, "{out}");
    // Someone outside the group's directory sees the writers' carets, labelled in its language.
    let label = if out["outsider_lang"] == "en" {
        "A participant"
    } else {
        "Un·e participant·e"
    };
    let carets = out["outsider_sees_carets"].as_array().expect("carets");
    assert!(
        carets.len() >= 2 && carets.iter().all(|c| c == label),
        "{out}"
    );
    let text = s
        .app
        .api_as("alice@exemple.fr")
        .await
        .get_json(&format!("/api/v1/texts/{}", s.text), 200)
        .await;
    assert_eq!(
        text["markdown"], out["markdown"],
        "the server holds what the pages converged to"
    );
    s.app.stop().await;
}

#[tokio::test]
async fn edits_made_offline_merge_on_reconnect() {
    let s = scene().await;
    let env = [
        ("BASE_URL", s.app.url.clone()),
        ("EDIT_PATH", format!("/texts/{}/edit", s.text)),
        ("COOKIE_A", session_cookie(&s.app, "alice@exemple.fr").await),
        ("COOKIE_B", session_cookie(&s.app, "bruno@exemple.fr").await),
    ];
    let out = node("tests/browser/offline.mjs", &env).await;
    assert_eq!(out["ok"], true, "{out}");
    s.app.stop().await;
}

/// From a real invitation (created through the API, its link read from the mail the server
/// wrote) to typing in a programme text of a theme the newcomer has not joined: at most four
/// clicks (issue 11, point 4), and the server holds what was typed.
#[tokio::test]
async fn a_newcomer_types_in_a_programme_text_within_four_clicks_of_the_invitation() {
    let party = crate::welcome::party(crate::harness::Backend::Sqlite)
        .await
        .expect("sqlite is always there");
    let app = &party.app;
    let invited = app
        .api_as("secretaire@exemple.fr")
        .await
        .post(
            &format!("/api/v1/groups/{}/invitations", party.section),
            json!({ "email": "nina@exemple.fr", "role": "member" }),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let sentence = " Une phrase de Nina, nouvelle adhérente.";
    let out = node(
        "tests/browser/first_contribution.mjs",
        &[
            ("BASE_URL", app.url.clone()),
            ("INVITATION_PATH", app.last_mailed_path()),
            ("NAME", "Nina Nouvelle".into()),
            ("PASSWORD", crate::harness::PASSWORD.into()),
            ("TEXT_TITLE", "Hôpital public".into()),
            ("SENTENCE", sentence.into()),
        ],
    )
    .await;
    assert_eq!(out["ok"], true, "{out}");
    let clicks = out["clicks"].as_u64().expect("a count");
    assert!(clicks <= 4, "{clicks} clicks: {out}");
    assert_eq!(
        out["steps"],
        json!(["accept", "contribute", "join", "editor"]),
        "{out}"
    );
    let stored = party
        .admin
        .get_json(&format!("/api/v1/texts/{}", party.theme_text), 200)
        .await;
    assert!(
        stored["markdown"].as_str().unwrap().contains(sentence),
        "{stored}"
    );
    assert_eq!(stored["markdown"], out["markdown"]);
    party.app.stop().await;
}
