//! A text's history as a person reads it, over HTTP and the sync WebSocket, on SQLite and
//! PostgreSQL: edits grouped into sessions (two authors typing together, a pause, a handover),
//! each with the words it added and removed; diffs between any two points (sessions' ends, a
//! batch in the middle of a session, heads, the start), on the rendered text and on the source;
//! bad points answered with a 4xx.

use std::time::Duration;

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::harness::{Api, Backend, TestApp};
use crate::sync_client::{Auth, SyncClient};
use atelier::model::{GroupId, GroupKind, Role, Visibility};

struct Fixture {
    app: TestApp,
    theme: GroupId,
    rosa: Api,
    jean: Api,
    outsider: Api,
}

async fn fixture(backend: Backend) -> Option<Fixture> {
    let app = TestApp::start_with(backend, |_| {}).await?;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    for (email, name) in [
        ("rosa@exemple.fr", "Rosa Rédactrice"),
        ("jean@exemple.fr", "Jean Second"),
    ] {
        let id = app.member(email, name).await;
        app.grant(id, theme, Role::Member).await;
    }
    app.member("dehors@exemple.fr", "Paul Dehors").await;
    Some(Fixture {
        rosa: app.api_as("rosa@exemple.fr").await,
        jean: app.api_as("jean@exemple.fr").await,
        outsider: app.api_as("dehors@exemple.fr").await,
        theme,
        app,
    })
}

async fn create(api: &Api, group: GroupId, markdown: &str) -> String {
    let response = api
        .post(
            "/api/v1/texts",
            json!({ "group_id": group.to_string(), "title": "Hôpital", "kind": "programme", "markdown": markdown }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}

async fn peer(app: &TestApp, api: &Api, id: &str) -> SyncClient {
    let mut client = SyncClient::connect(&app.url, id, Auth::Bearer(api.token()))
        .await
        .expect("upgrade");
    client
        .until(Duration::from_secs(10), "the document arrives", |c| {
            !c.markdown().is_empty()
        })
        .await;
    client
}

/// Appends `text` and waits until the server has stored it: one batch, one history row.
async fn type_and_store(peer: &mut SyncClient, text: &str) {
    peer.append(text).await;
    peer.wait_saved().await;
}

/// The text's stored batches, oldest first: (point, message).
async fn batches(api: &Api, id: &str) -> Vec<(String, Option<String>)> {
    let history = api
        .get_json(&format!("/api/v1/texts/{id}/history"), 200)
        .await;
    let mut rows: Vec<(String, Option<String>)> = history
        .as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["point"].as_str().expect("point").to_owned(),
                e["message"].as_str().map(str::to_owned),
            )
        })
        .collect();
    rows.reverse();
    rows
}

/// Runs `$body` with `$db` a connection to the test's real database, whichever the backend.
macro_rules! with_db {
    ($app:expr, $db:ident => $body:block) => {{
        use sqlx::Connection;
        let url = $app.config.database_url();
        if url.starts_with("postgres") {
            let mut $db = sqlx::PgConnection::connect(&url).await.unwrap();
            $body
        } else {
            let mut $db = sqlx::SqliteConnection::connect(&url).await.unwrap();
            $body
        }
    }};
}

/// Dates stored batches as if typed at those times (the pauses of a real session take minutes).
/// Written to the real database, not through the server.
async fn set_times(app: &TestApp, times: &[(&str, OffsetDateTime)]) {
    const SQL: &str = "update text_edit set created_at = $1 where text_edit_id = $2";
    for (point, at) in times {
        let id: i64 = point.trim_start_matches('e').parse().expect("a batch id");
        with_db!(app, db => {
            sqlx::query(SQL).bind(at).bind(id).execute(&mut db).await.unwrap();
        });
    }
}

fn names(session: &Value) -> Vec<Option<&str>> {
    session["authors"]
        .as_array()
        .expect("authors")
        .iter()
        .map(|a| a["name"].as_str())
        .collect()
}

fn words(session: &Value) -> (i64, i64) {
    (
        session["words_added"].as_i64().expect("words counted"),
        session["words_removed"].as_i64().expect("words counted"),
    )
}

async fn diff(api: &Api, id: &str, from: &str, to: &str) -> (i64, i64, String) {
    let diff = api
        .get_json(&format!("/api/v1/texts/{id}/diff?from={from}&to={to}"), 200)
        .await;
    (
        diff["insertions"].as_i64().unwrap(),
        diff["deletions"].as_i64().unwrap(),
        diff["html"].as_str().unwrap().to_owned(),
    )
}

async fn sessions_and_any_two_points(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let id = create(&f.rosa, f.theme, "Titre\n").await;
    let mut rosa = peer(&f.app, &f.rosa, &id).await;
    let mut jean = peer(&f.app, &f.jean, &id).await;

    // Rosa and Jean type together, taking turns within seconds.
    type_and_store(&mut rosa, "Un ").await;
    jean.wait_for_markdown("Rosa's words", |m| m.ends_with("Un "))
        .await;
    type_and_store(&mut jean, "alpha ").await;
    rosa.wait_for_markdown("Jean's words", |m| m.ends_with("alpha "))
        .await;
    type_and_store(&mut rosa, "deux ").await;
    jean.wait_for_markdown("Rosa's words", |m| m.ends_with("deux "))
        .await;
    type_and_store(&mut jean, "beta ").await;
    rosa.wait_for_markdown("Jean's words", |m| m.ends_with("beta "))
        .await;
    // Ten minutes later, Rosa alone: one word out, one in.
    let (_, obj) = automerge::ReadDoc::get(&rosa.doc, automerge::ROOT, "markdown")
        .unwrap()
        .unwrap();
    let at = "Titre\nUn ".len();
    automerge::transaction::Transactable::splice_text(&mut rosa.doc, &obj, at, 6, "").unwrap();
    rosa.doc.commit();
    rosa.send_sync().await;
    rosa.wait_saved().await;
    type_and_store(&mut rosa, "fin").await;
    jean.wait_for_markdown("Rosa's end", |m| m.ends_with("fin"))
        .await;
    // Two minutes after her, Jean takes over.
    type_and_store(&mut jean, "\nMerci").await;
    assert_eq!(jean.markdown(), "Titre\nUn deux beta fin\nMerci");
    rosa.close().await;
    jean.close().await;

    let rows = batches(&f.rosa, &id).await;
    assert_eq!(rows.len(), 8, "{rows:?}");
    assert_eq!(rows[0].1.as_deref(), Some("created"));
    let t0 = OffsetDateTime::now_utc() - time::Duration::hours(1);
    let s = time::Duration::seconds;
    let times = [0, 10, 20, 30, 40, 640, 650, 650 + 120].map(|at| t0 + s(at));
    let dated: Vec<(&str, OffsetDateTime)> = rows
        .iter()
        .zip(times)
        .map(|((point, _), at)| (point.as_str(), at))
        .collect();
    set_times(&f.app, &dated).await;

    let page = f
        .rosa
        .get_json(&format!("/api/v1/texts/{id}/sessions"), 200)
        .await;
    let sessions = page["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 3, "{page}");
    assert_eq!(page["older"], Value::Null);
    // Newest first: Jean's handover, Rosa after her pause, then both typing together.
    let (merci, pause, together) = (&sessions[0], &sessions[1], &sessions[2]);
    assert_eq!(names(merci), [Some("Jean Second")]);
    assert_eq!(names(pause), [Some("Rosa Rédactrice")]);
    assert_eq!(
        names(together),
        [Some("Rosa Rédactrice"), Some("Jean Second")]
    );
    assert_eq!(together["from"], "start");
    assert_eq!(together["to"], rows[4].0);
    assert_eq!(pause["from"], rows[4].0);
    assert_eq!(pause["to"], rows[6].0);
    assert_eq!(merci["from"], rows[6].0);
    assert_eq!(merci["to"], rows[7].0);
    assert_eq!(together["batches"], 5);
    // Titre, Un, alpha, deux, beta; then alpha out and fin in; then Merci.
    assert_eq!(words(together), (5, 0));
    assert_eq!(words(pause), (1, 1));
    assert_eq!(words(merci), (1, 0));
    // Each session's points give its diff.
    let (added, removed, html) = diff(
        &f.rosa,
        &id,
        pause["from"].as_str().unwrap(),
        pause["to"].as_str().unwrap(),
    )
    .await;
    assert_eq!((added, removed), (1, 1));
    assert!(
        html.contains("<del>alpha") && html.contains("<ins>fin</ins>"),
        "{html}"
    );
    // The API gives the rendered diff too.
    let both = f
        .rosa
        .get_json(
            &format!("/api/v1/texts/{id}/diff?from=start&to={}", rows[4].0),
            200,
        )
        .await;
    assert!(
        both["rendered_html"]
            .as_str()
            .is_some_and(|h| h.starts_with("<p><ins>Titre")),
        "{both}"
    );

    // Any two points: a batch in the middle of a session, a session's end, heads, the start.
    let (added, removed, html) = diff(&f.rosa, &id, &rows[1].0, &rows[2].0).await;
    assert_eq!((added, removed), (1, 0), "Jean's alpha alone: {html}");
    assert!(html.contains("<ins>alpha"), "{html}");
    let (added, removed, _) = diff(&f.rosa, &id, &rows[2].0, "now").await;
    assert_eq!((added, removed), (4, 1), "deux beta fin Merci, alpha gone");
    let (added, removed, _) = diff(&f.rosa, &id, "start", &rows[0].0).await;
    assert_eq!((added, removed), (1, 0), "the text as created");
    let (added, removed, _) = diff(&f.rosa, &id, &rows[7].0, "now").await;
    assert_eq!((added, removed), (0, 0), "the last batch is now");
    let history = f
        .rosa
        .get_json(&format!("/api/v1/texts/{id}/history"), 200)
        .await;
    let first_heads: Vec<&str> = history.as_array().unwrap().last().unwrap()["heads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    let (added, removed, _) = diff(&f.rosa, &id, &first_heads.join(","), &rows[4].0).await;
    assert_eq!((added, removed), (4, 0), "heads are a point too");

    // A later page: the sessions before a batch.
    let before: i64 = rows[5].0.trim_start_matches('e').parse().unwrap();
    let older = f
        .rosa
        .get_json(&format!("/api/v1/texts/{id}/sessions?before={before}"), 200)
        .await;
    assert_eq!(older["sessions"].as_array().unwrap().len(), 1, "{older}");
    assert_eq!(older["sessions"][0]["to"], rows[4].0);

    // Someone who may read the text but not see the group's members: sessions without names.
    let anonymous = f
        .outsider
        .get_json(&format!("/api/v1/texts/{id}/sessions"), 200)
        .await;
    assert_eq!(names(&anonymous["sessions"][2]), [None, None]);
    assert_eq!(anonymous["sessions"][2]["authors"][0]["id"], Value::Null);

    // Bad points: 400 for what is no point, 404 for a point this text does not have.
    let other = create(&f.jean, f.theme, "Autre\n").await;
    let other_batch = &batches(&f.jean, &other).await[0].0;
    let unknown_heads = "ab".repeat(32);
    for (from, status) in [
        ("ezz", 400),
        ("e-3", 400),
        ("v9", 400),
        ("abc,def", 400),
        ("e999999", 404),
        (other_batch.as_str(), 404),
        (unknown_heads.as_str(), 404),
        ("424242", 404),
    ] {
        let response = f
            .rosa
            .get(&format!("/api/v1/texts/{id}/diff?from={from}&to=now"))
            .await;
        assert_eq!(response.status().as_u16(), status, "from={from}");
        let body: Value = response.json().await.expect("an error body");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    for before in ["abc", "e-1", "0"] {
        f.rosa
            .get_json(&format!("/api/v1/texts/{id}/sessions?before={before}"), 400)
            .await;
    }

    // The pages: sessions with their words and two radio columns; the diff on the rendered
    // text, the source one link away.
    let browser = f.app.browser();
    browser.login("rosa@exemple.fr").await;
    let (status, html) = browser.get_text(&format!("/texts/{id}/history")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<strong>Rosa Rédactrice, Jean Second</strong>"),
        "{html}"
    );
    assert!(html.contains("5 mots ajoutés, 0 supprimé"), "{html}");
    assert!(html.contains("1 mot ajouté, 1 supprimé"), "{html}");
    assert!(html.contains(&format!("name=\"from\" value=\"{}\"", rows[4].0)));
    assert!(html.contains(&format!(
        "href=\"/texts/{id}/diff?from={}&amp;to={}\"",
        rows[4].0, rows[6].0
    )));
    let (status, html) = browser
        .get_text(&format!("/texts/{id}/diff?from=start&to={}", rows[4].0))
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<div class=\"prose diff-rendered\">"),
        "{html}"
    );
    assert!(html.contains("<p><ins>Titre"), "{html}");
    assert!(
        html.contains("De « début (texte vide) » à « après la modification du"),
        "{html}"
    );
    let (status, html) = browser
        .get_text(&format!(
            "/texts/{id}/diff?from={}&to=now&view=source",
            rows[4].0
        ))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("<div class=\"diff\">"), "{html}");
    assert!(html.contains("<del>alpha"), "{html}");
    for bad in ["view=nope", "from=ezz", "from=e999999"] {
        let (status, _) = browser.get_text(&format!("/texts/{id}/diff?{bad}")).await;
        assert!(status == 400 || status == 404, "{bad}: {status}");
    }
    let (status, _) = browser
        .get_text(&format!("/texts/{id}/history?before=zz"))
        .await;
    assert_eq!(status, 400);
    f.app.stop().await;
}

/// Hours of typing without a pause: 5,100 stored batches (written straight into the database,
/// all at the text's first state). A page reads at most 5,000 batches: the session comes in two
/// parts, the newest flagged as continuing earlier, and each page answers quickly.
async fn a_long_session_is_paged(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let id = create(&f.rosa, f.theme, "Titre\n").await;
    let text: i64 = id.parse().unwrap();
    let first = &batches(&f.rosa, &id).await[0].0;
    let heads = f.rosa.get_json(&format!("/api/v1/texts/{id}"), 200).await["heads"].to_string();
    let t0 = OffsetDateTime::now_utc() - time::Duration::days(1);
    with_db!(f.app, db => {
        let mut tx = db.begin().await.unwrap();
        for n in 0..5_100_i64 {
            sqlx::query(
                "insert into text_edit (text_id, author_id, changes, heads, message, created_at) \
                 values ($1, null, 1, $2, null, $3)",
            )
            .bind(text)
            .bind(&heads)
            .bind(t0 + time::Duration::seconds(n))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    });
    let started = std::time::Instant::now();
    let page = f
        .rosa
        .get_json(&format!("/api/v1/texts/{id}/sessions"), 200)
        .await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "{took:?}");
    let sessions = page["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{page}");
    assert_eq!(sessions[0]["continues_earlier"], true);
    assert_eq!(sessions[0]["words_added"], 0, "{page}");
    // The page took the newest 5,000 rows: the rest starts 100 rows after the creation's.
    let older = page["older"].as_str().expect("an older page");
    let created: i64 = first.trim_start_matches('e').parse().unwrap();
    assert_eq!(older, (created + 101).to_string());
    let rest = f
        .rosa
        .get_json(&format!("/api/v1/texts/{id}/sessions?before={older}"), 200)
        .await;
    let sessions = rest["sessions"].as_array().unwrap();
    // The rest of the typing; the creation, a day apart, is its own session.
    assert_eq!(sessions.len(), 2, "{rest}");
    assert_eq!(sessions[0]["continues_earlier"], false);
    assert_eq!(sessions[1]["from"], "start");
    assert_eq!(sessions[1]["to"], first.as_str());
    assert_eq!(rest["older"], Value::Null);
    let (status, html) = {
        let browser = f.app.browser();
        browser.login("rosa@exemple.fr").await;
        browser.get_text(&format!("/texts/{id}/history")).await
    };
    assert_eq!(status, 200);
    assert!(
        html.contains("continues a session") || html.contains("suite d’une session"),
        "{html}"
    );
    assert!(
        html.contains(&format!("/texts/{id}/history?before={older}")),
        "{html}"
    );
    f.app.stop().await;
}

#[tokio::test]
async fn a_long_session_is_paged_on_sqlite() {
    a_long_session_is_paged(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn a_long_session_is_paged_on_postgres() {
    a_long_session_is_paged(Backend::Postgres).await;
}

#[tokio::test]
async fn history_sessions_and_any_two_points_on_sqlite() {
    sessions_and_any_two_points(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn history_sessions_and_any_two_points_on_postgres() {
    sessions_and_any_two_points(Backend::Postgres).await;
}
