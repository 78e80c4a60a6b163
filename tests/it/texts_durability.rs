//! What live editing promises beyond one happy server: an acknowledged change survives the
//! server being killed, and two servers on one PostgreSQL database serve the same text.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::harness::{Backend, TestApp, postgres_url};
use crate::sync_client::{Auth, SyncClient};
use atelier::model::{GroupKind, Role, Visibility};

/// A theme with one writer per email and a text; the writers' API tokens and the text id.
async fn theme_with_text(app: &TestApp, writers: &[&str]) -> (Vec<String>, String) {
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Culture", national, Visibility::Public)
        .await;
    let mut tokens = Vec::new();
    for email in writers {
        let id = app.member(email, &format!("Auteur {email}")).await;
        app.grant(id, theme, Role::Member).await;
        tokens.push(app.api_as(email).await.token().to_owned());
    }
    let api = app.api_as(writers[0]).await;
    let created = api
        .post(
            "/api/v1/texts",
            json!({"group_id": theme.to_string(), "title": "Culture", "kind": "programme", "markdown": "# Culture\n"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (tokens, id)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `atelier serve` as a real process on the data directory; returns it and its URL once it answers.
async fn spawn_server(data_dir: &std::path::Path) -> (Child, String) {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("ATELIER_DATA_DIR", data_dir)
        .env_remove("ATELIER_DATABASE_URL")
        .env("ATELIER_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("atelier serve starts");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{url}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return (child, url);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not answer on {url}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_change_survives_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let writers = ["un@exemple.fr", "deux@exemple.fr", "trois@exemple.fr"];
    let (tokens, text) = {
        let app = TestApp::start_with(Backend::Sqlite, |c| c.data_dir = data.clone())
            .await
            .unwrap();
        let made = theme_with_text(&app, &writers).await;
        app.stop().await;
        made
    };

    let (mut server, url) = spawn_server(&data).await;
    let mut typists = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let (url, token, text) = (url.clone(), token.clone(), text.clone());
        typists.push(tokio::spawn(async move {
            let mut client = SyncClient::connect(&url, &text, Auth::Bearer(&token))
                .await
                .expect("upgrade");
            client
                .wait_for_markdown("the text arrives", |m| m.starts_with("# Culture"))
                .await;
            // Words typed, and how many of them the server had acknowledged at the last look.
            let mut typed = Vec::new();
            let mut acknowledged = 0;
            // Bursts of typing; after each, a short wait for the acknowledgement (typing goes on
            // if it does not come: the kill may land anywhere).
            for n in 0..2000 {
                if client.closed.is_some() {
                    break;
                }
                let word = format!("[{i}:{n}]");
                client.append(&word).await;
                typed.push(word);
                if n % 5 == 4 {
                    let wait = tokio::time::Instant::now() + Duration::from_millis(500);
                    while !client.saved()
                        && client.closed.is_none()
                        && tokio::time::Instant::now() < wait
                    {
                        client.pump(Duration::from_millis(20)).await;
                    }
                    if client.saved() {
                        acknowledged = typed.len();
                    }
                }
            }
            typed.truncate(acknowledged);
            typed
        }));
    }
    // Let them type, then kill the server without warning.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    let mut acknowledged = Vec::new();
    for typist in typists {
        acknowledged.extend(typist.await.unwrap());
    }
    assert!(
        acknowledged.len() >= 6,
        "the typists had changes acknowledged: {acknowledged:?}"
    );

    let (mut server, url) = spawn_server(&data).await;
    let text_now: serde_json::Value = reqwest::Client::new()
        .get(format!("{url}/api/v1/texts/{text}"))
        .bearer_auth(&tokens[0])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let markdown = text_now["markdown"].as_str().unwrap();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|w| !markdown.contains(w.as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_database_serve_the_same_text() {
    let Some(first) = TestApp::postgres().await else {
        return;
    };
    let url = first.config.database_url.clone();
    assert!(url.as_deref().is_some_and(|u| u.starts_with("postgres")) && postgres_url().is_some());
    let second = TestApp::start_with(Backend::Sqlite, |c| c.database_url = url)
        .await
        .unwrap();
    let (tokens, text) = theme_with_text(&first, &["nord@exemple.fr", "sud@exemple.fr"]).await;

    let mut north = SyncClient::connect(&first.url, &text, Auth::Bearer(&tokens[0]))
        .await
        .unwrap();
    let mut south = SyncClient::connect(&second.url, &text, Auth::Bearer(&tokens[1]))
        .await
        .unwrap();
    north
        .wait_for_markdown("north has the text", |m| m.starts_with("# Culture"))
        .await;
    south
        .wait_for_markdown("south has the text", |m| m.starts_with("# Culture"))
        .await;

    north.append("\nÉcrit au nord.").await;
    north.wait_saved().await;
    south
        .until(
            Duration::from_secs(1),
            "south sees north's edit within a second",
            |c| c.markdown().contains("nord"),
        )
        .await;
    south.append("\nÉcrit au sud.").await;
    south.wait_saved().await;
    north
        .until(
            Duration::from_secs(1),
            "north sees south's edit within a second",
            |c| c.markdown().contains("sud"),
        )
        .await;
    assert_eq!(north.markdown(), south.markdown());
    north.close().await;
    south.close().await;
    second.stop().await;
    first.stop().await;
}
