//! What live editing promises beyond one happy server: an acknowledged change survives the
//! server being killed, and two servers on one PostgreSQL database serve the same text and
//! follow each other's changes of rights.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::harness::{Backend, NO_POSTGRES, TestApp, fresh_postgres_database, postgres_url};
use crate::sync_client::{Auth, SyncClient};
use atelier::model::{GroupKind, Role, Visibility};

/// A theme with one writer per email and a text; the writers' API tokens and the text id.
pub(crate) async fn theme_with_text(app: &TestApp, writers: &[&str]) -> (Vec<String>, String) {
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
pub(crate) async fn spawn_server(data_dir: &std::path::Path) -> (Child, String) {
    spawn_server_on(data_dir, None).await
}

/// `atelier serve` on the data directory and, if given, a `--database-url`.
pub(crate) async fn spawn_server_on(
    data_dir: &std::path::Path,
    database_url: Option<&str>,
) -> (Child, String) {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_atelier"));
    command
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("ATELIER_DATA_DIR", data_dir)
        .env_remove("ATELIER_DATABASE_URL")
        .env("ATELIER_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    let mut child = command.spawn().expect("atelier serve starts");
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

/// A server process killed when the test ends, even by a panic.
pub(crate) struct Server(pub(crate) Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A database created for the test on the PostgreSQL server, dropped when the test ends.
struct FreshDatabase {
    url: String,
    admin: String,
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let (url, admin) = (self.url.clone(), self.admin.clone());
        // Drop runs inside the test's runtime: do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            use sqlx::Connection;
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let name = url.rsplit('/').next().unwrap_or_default().to_owned();
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("drop database if exists {name} with (force)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_database_serve_the_same_text() {
    let Some((url, admin)) = fresh_postgres_database().await else {
        panic!("{NO_POSTGRES}");
    };
    let database = FreshDatabase { url, admin };
    assert!(database.url.starts_with("postgres") && postgres_url().is_some());
    let dir = tempfile::tempdir().unwrap();
    // The members, the theme and the text, written to that database by an in-process server
    // (which migrates it); then two real `atelier serve` processes, each with its own data
    // directory (search index, mail), share it.
    let (tokens, text) = {
        let url = database.url.clone();
        let setup_dir = dir.path().join("setup");
        let app = TestApp::start_with(Backend::Sqlite, |c| {
            c.data_dir = setup_dir;
            c.database_url = Some(url);
        })
        .await
        .unwrap();
        let made = theme_with_text(&app, &["nord@exemple.fr", "sud@exemple.fr"]).await;
        app.stop().await;
        made
    };
    let (first, first_url) = spawn_server_on(&dir.path().join("nord"), Some(&database.url)).await;
    let _first = Server(first);
    let (second, second_url) = spawn_server_on(&dir.path().join("sud"), Some(&database.url)).await;
    let _second = Server(second);

    let mut north = SyncClient::connect(&first_url, &text, Auth::Bearer(&tokens[0]))
        .await
        .unwrap();
    let mut south = SyncClient::connect(&second_url, &text, Auth::Bearer(&tokens[1]))
        .await
        .unwrap();
    north
        .wait_for_markdown("north has the text", |m| m.starts_with("# Culture"))
        .await;
    south
        .wait_for_markdown("south has the text", |m| m.starts_with("# Culture"))
        .await;

    // Each server hears the other's stored changes (PostgreSQL notifications) and passes them on.
    north.append("\nÉcrit au nord.").await;
    north.wait_saved().await;
    south
        .wait_for_markdown("south sees north's edit", |m| m.contains("nord"))
        .await;
    south.append("\nÉcrit au sud.").await;
    south.wait_saved().await;
    north
        .wait_for_markdown("north sees south's edit", |m| m.contains("sud"))
        .await;
    assert_eq!(north.markdown(), south.markdown());
    assert_eq!(
        north.markdown(),
        "# Culture\n\nÉcrit au nord.\nÉcrit au sud."
    );
    // Either server reads the same text.
    for url in [&first_url, &second_url] {
        let now: serde_json::Value = reqwest::Client::new()
            .get(format!("{url}/api/v1/texts/{text}"))
            .bearer_auth(&tokens[0])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(now["markdown"].as_str(), Some(north.markdown().as_str()));
    }
    north.close().await;
    south.close().await;
}

/// A change of rights made on one server reaches the live sockets held by another: the store
/// announces it over PostgreSQL, and the other server closes the sockets concerned.
#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn rights_changed_on_one_server_reach_the_sockets_of_another() {
    let Some(north) = TestApp::postgres().await else {
        return;
    };
    let database_url = north.config.database_url.clone().expect("postgres");
    let south = TestApp::start_with(Backend::Sqlite, |c| c.database_url = Some(database_url))
        .await
        .expect("second server");
    let (tokens, text) = theme_with_text(&north, &["redacteur@exemple.fr"]).await;
    let reader = north.member("lectrice@exemple.fr", "Léa Lectrice").await;
    let reader_token = north.api_as("lectrice@exemple.fr").await.token().to_owned();

    // On the south server: she reads, a writer writes.
    let mut reading = SyncClient::connect(&south.url, &text, Auth::Bearer(&reader_token))
        .await
        .expect("a public text is readable");
    reading.wait_for_hello(true).await;
    let mut writing = SyncClient::connect(&south.url, &text, Auth::Bearer(&tokens[0]))
        .await
        .expect("upgrade");
    writing.wait_for_hello(false).await;
    writing
        .wait_for_markdown("the writer has the text", |m| m.starts_with("# Culture"))
        .await;

    // The north server makes her a member of the theme: her south socket comes back writable,
    // the writer's stays.
    let theme = north
        .app
        .db
        .all_groups()
        .await
        .unwrap()
        .iter()
        .find(|g| g.name == "Culture")
        .unwrap()
        .group_id;
    north.grant(reader, theme, Role::Member).await;
    let (code, reason) = reading.wait_closed().await;
    assert_eq!(code, 4503, "{reason}");
    let mut again = SyncClient::connect(&south.url, &text, Auth::Bearer(&reader_token))
        .await
        .expect("upgrade");
    again.wait_for_hello(false).await;
    writing.append("\nToujours là.").await;
    writing.wait_saved().await;

    // An organiser on the north server moves the text to amending: on the south server, every
    // socket closes and comes back read-only.
    let organiser = north.member("orga@exemple.fr", "Olga Organisatrice").await;
    north.grant(organiser, theme, Role::Organiser).await;
    let moved = north
        .api_as("orga@exemple.fr")
        .await
        .post(
            &format!("/api/v1/texts/{text}/status"),
            json!({"status": "amending"}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    for socket in [&mut again, &mut writing] {
        let (code, reason) = socket.wait_closed().await;
        assert_eq!(code, 4503, "{reason}");
    }
    let mut read_only = SyncClient::connect(&south.url, &text, Auth::Bearer(&tokens[0]))
        .await
        .expect("upgrade");
    read_only.wait_for_hello(true).await;
    south.stop().await;
    north.stop().await;
}
