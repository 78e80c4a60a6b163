//! The live index beyond texts (issue 14, point 4): an amendment and every change of its status
//! are found as they happen; two servers on one PostgreSQL database each keep their own index
//! by tailing the outbox; `atelier reindex` gives the very answers the live index gave, on the
//! relevance set; a server whose index is far behind the outbox, or ahead of it, rebuilds it.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::amendments::{ORIGINAL, range_of};
use crate::harness::{Api, Backend, TestApp};
use crate::search::{
    FRESH, REBUILT, create_text, found_within, generations, total, until, urlencode,
    writer_in_public_theme,
};
use crate::sync_client::{Auth, SyncClient};
use atelier::model::{GroupKind, Role, Visibility};

/// Polls `path` until `check` holds on its answer, or fails after `within`.
async fn answer_until(api: &Api, path: &str, within: Duration, check: impl Fn(&Value) -> bool) {
    let started = Instant::now();
    loop {
        let response = api.get(path).await;
        if response.status() == 200 {
            let body: Value = response.json().await.expect("json");
            if check(&body) {
                return;
            }
            assert!(
                started.elapsed() < within,
                "{path}: not as expected within {within:?}: {body}"
            );
        } else {
            assert_eq!(
                response.status(),
                503,
                "only 'being rebuilt' may come first"
            );
            assert!(started.elapsed() < within, "{path}: still rebuilding");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many searches the server answered so (`held`, `searched`): its own counts (the
/// metric is the process's, shared by the tests running beside).
fn answered(app: &TestApp, how: &str) -> u64 {
    let counts = app.app.search.answered();
    let counter = match how {
        "held" => &counts.held,
        _ => &counts.searched,
    };
    counter.load(std::sync::atomic::Ordering::Relaxed)
}

/// What a search answers that must not move: the total, the hits, the facets.
fn answer_of(body: &Value) -> (Value, Vec<Value>, Value) {
    let hits = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].clone())
        .collect();
    (body["total"].clone(), hits, body["facets"].clone())
}

/// The server keeps each answer while it holds: an edit of a text the query does not find
/// leaves it as it was (answered again without a search), an edit that adds what it finds
/// makes it searched again — both within a second, through the sync path.
async fn kept_answers_hold_across_edits_elsewhere_and_give_way_to_edits_that_touch_them(
    app: TestApp,
) {
    let (writer, theme) = writer_in_public_theme(&app).await;
    let visitor = app.api();
    let started = Instant::now();
    let mobility = create_text(&writer, theme, "Mobilités", "Des transports gratuits.\n").await;
    let health = create_text(&writer, theme, "Santé", "Rouvrir les maternités.\n").await;
    found_within(&visitor, "maternites", started, FRESH).await;
    let first = found_within(&visitor, "transports", started, FRESH).await;
    assert_eq!(first["total"], 1, "{first}");
    let path = "/api/v1/search?q=transports";
    let again = visitor.get_json(path, 200).await;
    assert_eq!(answer_of(&again), answer_of(&first));

    // An edit elsewhere: the answer holds, without a search.
    let mut peer = SyncClient::connect(&app.url, &health, Auth::Bearer(writer.token()))
        .await
        .expect("connects");
    peer.wait_for_markdown("the text", |md| md.contains("maternités"))
        .await;
    peer.append("\nOuvrir des centres de santé.\n").await;
    peer.wait_saved().await;
    found_within(&visitor, "centres", Instant::now(), FRESH).await;
    peer.close().await;
    let (held, searched) = (answered(&app, "held"), answered(&app, "searched"));
    let after = visitor.get_json(path, 200).await;
    assert_eq!(answer_of(&after), answer_of(&first), "{after}");
    assert_eq!(answered(&app, "searched"), searched, "searched again");
    assert_eq!(answered(&app, "held"), held + 1, "not held");

    // An edit that adds what the query finds: searched again, found at once.
    let mut peer = SyncClient::connect(&app.url, &mobility, Auth::Bearer(writer.token()))
        .await
        .expect("connects");
    peer.wait_for_markdown("the text", |md| md.contains("gratuits"))
        .await;
    peer.append("\nDes transports de nuit.\n").await;
    peer.wait_saved().await;
    found_within(&visitor, "nuit", Instant::now(), FRESH).await;
    peer.close().await;
    let searched = answered(&app, "searched");
    let after = visitor.get_json(path, 200).await;
    assert_eq!(after["total"], 2, "{after}");
    assert_eq!(answered(&app, "searched"), searched + 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_answers_hold_across_edits_elsewhere_and_give_way_to_edits_that_touch_them_on_sqlite()
{
    kept_answers_hold_across_edits_elsewhere_and_give_way_to_edits_that_touch_them(
        TestApp::start().await,
    )
    .await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_answers_hold_across_edits_elsewhere_and_give_way_to_edits_that_touch_them_on_postgres()
 {
    let app = TestApp::postgres().await.expect("postgres");
    kept_answers_hold_across_edits_elsewhere_and_give_way_to_edits_that_touch_them(app).await;
}

async fn an_amendment_and_its_status_are_found_as_they_change(backend: Backend) {
    let Some(f) = crate::amendments::start(backend, ORIGINAL).await else {
        return;
    };
    let visitor = f.app.api();
    let range = range_of(ORIGINAL, "Les bibliothèques ouvrent le dimanche.");
    let filed = Instant::now();
    let (status, draft) = f
        .file(
            &f.alice,
            json!({"start": range.start, "end": range.end,
                   "replacement": "Les médiathèques ouvrent le dimanche et en soirée.",
                   "rationale": "Les horaires des lycéens."}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    // A draft is its author's alone.
    let alice = found_within(&f.alice, "mediatheques", filed, FRESH).await;
    assert_eq!(alice["hits"][0]["kind"], "amendment", "{alice}");
    assert_eq!(alice["facets"]["status"]["draft"], 1, "{alice}");
    assert_eq!(total(&visitor, "mediatheques").await, 0);

    // Each change of status, found with the new status and no longer with the old one.
    let (code, body) = f.act(&f.alice, &draft["id"], "submit", json!({})).await;
    assert_eq!(code, 200, "{body}");
    let submitted = Instant::now();
    let found = found_within(&visitor, "mediatheques statut:submitted", submitted, FRESH).await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["hits"][0]["kind"], "amendment", "{found}");
    for (next, old) in [("admissible", "submitted"), ("adopted", "admissible")] {
        let (code, body) = f
            .act(&f.olga, &draft["id"], "status", json!({"status": next}))
            .await;
        assert_eq!(code, 200, "{next}: {body}");
        let path = format!("/api/v1/search?q=mediatheques&status={next}");
        answer_until(&visitor, &path, FRESH, |body| body["total"] == 1).await;
        let path = format!("/api/v1/search?q=mediatheques&status={old}");
        answer_until(&visitor, &path, FRESH, |body| body["total"] == 0).await;
        let path = "/api/v1/search?q=mediatheques";
        let counts = visitor.get_json(path, 200).await;
        assert_eq!(
            counts["facets"]["status"],
            json!({ next: 1 }),
            "one status at a time: {counts}"
        );
    }
    f.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amendment_and_its_status_are_found_as_they_change_on_sqlite() {
    an_amendment_and_its_status_are_found_as_they_change(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amendment_and_its_status_are_found_as_they_change_on_postgres() {
    an_amendment_and_its_status_are_found_as_they_change(Backend::Postgres).await;
}

/// Two app servers on one PostgreSQL database, each with its own data directory and so its own
/// index: what is written on one is found on the other, through the outbox alone.
#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_on_one_server_is_found_on_the_other() {
    let north = TestApp::postgres().await.expect("postgres");
    let database_url = north.config.database_url.clone().expect("postgres");
    let south = TestApp::start_with(Backend::Sqlite, |c| {
        c.database_url = Some(database_url.clone());
    })
    .await
    .expect("second server");
    assert_ne!(north.data_dir(), south.data_dir());
    let (writer, theme) = writer_in_public_theme(&north).await;
    let on_south = south.api();

    let created = Instant::now();
    let id = create_text(
        &writer,
        theme,
        "Transports",
        "Des trains de nuit entre les régions.\n",
    )
    .await;
    let body = found_within(&on_south, "regions", created, FRESH).await;
    assert_eq!(body["hits"][0]["id"], id.as_str(), "{body}");

    // A live edit on the north server's socket, found on the south server.
    let mut peer = SyncClient::connect(&north.url, &id, Auth::Bearer(writer.token()))
        .await
        .expect("connects");
    peer.wait_for_markdown("the text", |md| md.contains("trains de nuit"))
        .await;
    peer.append("\nDes autocars express entre les sous-préfectures.\n")
        .await;
    peer.wait_saved().await;
    let saved = Instant::now();
    let body = found_within(&on_south, "autocars", saved, FRESH).await;
    assert_eq!(body["hits"][0]["id"], id.as_str(), "{body}");
    peer.close().await;

    // And the other way round.
    let on_south_writer = Api {
        client: writer.client.clone(),
        url: south.url.clone(),
        token: writer.token.clone(),
    };
    let created = Instant::now();
    create_text(&on_south_writer, theme, "Vélo", "Des pistes cyclables.\n").await;
    found_within(&north.api(), "cyclables", created, FRESH).await;
    south.stop().await;
    north.stop().await;
}

/// The relevance set's documents (search-index/tests/fixtures), written through the API: the
/// programme's paragraphs, a text per theme; the bills' paragraphs, a text per bill in a
/// section; an amendment; and a private group's text.
async fn relevance_corpus(app: &TestApp) -> (Api, Api) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("search-index/tests/fixtures");
    let national = app.national().await;
    let writer = app.member("ecrit@exemple.fr", "Écrivaine").await;
    let writer_api = app.api_as("ecrit@exemple.fr").await;

    let mut themes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let programme = std::fs::read_to_string(fixtures.join("programme-sample.jsonl")).unwrap();
    for line in programme.lines() {
        let object: Value = serde_json::from_str(line).unwrap();
        themes
            .entry(object["theme"].as_str().unwrap().to_owned())
            .or_default()
            .push(object["text"].as_str().unwrap().to_owned());
    }
    for (name, paragraphs) in &themes {
        let theme = app
            .group(GroupKind::Theme, name, national, Visibility::Public)
            .await;
        app.grant(writer, theme, Role::Member).await;
        create_text(&writer_api, theme, name, &paragraphs.join("\n\n")).await;
    }

    let (_, section) = app.federation_and_section("Rhône", "Lyon").await;
    app.grant(writer, section, Role::Member).await;
    let mut bills: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let alineas = std::fs::read_to_string(fixtures.join("alineas-sample.jsonl")).unwrap();
    for line in alineas.lines() {
        let object: Value = serde_json::from_str(line).unwrap();
        let text = object["text"].as_str().unwrap().trim_matches('"');
        bills
            .entry(object["dossier"].as_str().unwrap().to_owned())
            .or_default()
            .push(text.to_owned());
    }
    for (bill, paragraphs) in &bills {
        create_text(&writer_api, section, bill, &paragraphs.join("\n\n")).await;
    }

    let private = app
        .group(GroupKind::Theme, "Stratégie", national, Visibility::Group)
        .await;
    app.grant(writer, private, Role::Member).await;
    create_text(
        &writer_api,
        private,
        "Alliances",
        "Le financement de la sécurité sociale des alliances confidentielles.\n",
    )
    .await;
    // Last, so that once it is found every earlier write is indexed (the outbox is in order).
    create_text(&writer_api, section, "Marqueur", "Un zéphyr final.\n").await;
    (app.api(), writer_api)
}

/// The relevance set's queries (search-index/tests/relevance.rs), with the API's filters.
const QUERIES: &[&str] = &[
    "sécurité sociale",
    "securite sociale",
    "mise œuvre",
    "\"mise en œuvre\"",
    "mise en oeuvre",
    "\"jusqu’à la première réunion\"",
    "assurance",
    "assurances maladies",
    "financement -\"sécurité sociale\"",
    "lo*",
    "colectivités territoriales",
    "loi",
    "lois de finances",
    "financement",
    "-statut:adopté financement",
    "lieu:lyon financement",
    "titre:santé",
    "santé",
    "l'école",
    "ecole",
    "énergies renouvelables",
    "pension",
    "jusqu'à la",
    "gouvernement&kind=paragraph",
    "santé&theme=Santé",
    "article&sort=date",
];

/// Every hit of every page (sorted: see below), and the first page's total and facets.
///
/// The order of hits may differ between two indexes holding the same documents: BM25 weighs a
/// word by how many documents hold it, and counts a replaced document until its segment is
/// merged, which a live index does at its own pace and a rebuilt one never needs. What may not
/// differ is which documents are found, their snippets, the totals and every facet count.
async fn answers(api: &Api, query: &str) -> (Value, Value, Vec<String>) {
    let (q, filters) = query.split_once('&').map_or((query, ""), |(q, f)| (q, f));
    let base = format!("/api/v1/search?q={}&{filters}", urlencode(q));
    let first = api.get_json(&base, 200).await;
    let mut hits = Vec::new();
    let pages = first["total"].as_u64().unwrap().div_ceil(20).max(1);
    for page in 1..=pages {
        let body = api.get_json(&format!("{base}&page={page}"), 200).await;
        hits.extend(
            body["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(Value::to_string),
        );
    }
    hits.sort();
    (first["total"].clone(), first["facets"].clone(), hits)
}

/// Waits until the served index has not changed for a second and a half (its writer commits at
/// most once a second). Every page of an answer is then read from one state: documents of
/// equal rank (a text's paragraphs share its date) are ordered by where the index holds them,
/// which a commit or a replay changes, so pages read across a change may repeat or skip some.
async fn settled(app: &TestApp) {
    let version = || app.app.search.current().map(|g| g.index.version());
    let mut seen = version();
    let mut since = Instant::now();
    let started = Instant::now();
    while since.elapsed() < Duration::from_millis(1_500) {
        assert!(started.elapsed() < REBUILT, "the index never settled");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = version();
        if now != seen {
            seen = now;
            since = Instant::now();
        }
    }
}

async fn reindex_gives_the_answers_the_live_index_gave(backend: Backend) {
    let app = TestApp::start_with(backend, |_| {}).await.unwrap();
    let (visitor, writer) = relevance_corpus(&app).await;
    let started = Instant::now();
    found_within(&visitor, "zephyr", started, FRESH).await;
    settled(&app).await;
    let mut live = Vec::new();
    for query in QUERIES {
        live.push((
            answers(&visitor, query).await,
            answers(&writer, query).await,
        ));
    }
    let found: u64 = live
        .iter()
        .map(|((total, _, _), _)| total.as_u64().unwrap())
        .sum();
    assert!(found > 500, "the set finds things: {found}");

    let (before, _) = generations(&app.data_dir());
    let mut cli = std::process::Command::new(env!("CARGO_BIN_EXE_atelier"));
    cli.arg("reindex")
        .env("ATELIER_DATA_DIR", app.data_dir())
        .env("ATELIER_LOG", "warn");
    match &app.config.database_url {
        Some(url) => cli.env("ATELIER_DATABASE_URL", url),
        None => cli.env_remove("ATELIER_DATABASE_URL"),
    };
    let output = cli.output().expect("atelier runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (after, _) = generations(&app.data_dir());
    assert_ne!(before, after);
    until("the server serves the rebuilt index", REBUILT, || {
        app.app.search.current().map(|g| g.name) == Some(after.clone())
    })
    .await;
    settled(&app).await;

    for (query, (for_visitor, for_writer)) in QUERIES.iter().zip(live) {
        assert_eq!(
            answers(&visitor, query).await,
            for_visitor,
            "{query:?} for a visitor"
        );
        assert_eq!(
            answers(&writer, query).await,
            for_writer,
            "{query:?} for a member of the private group"
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_gives_the_answers_the_live_index_gave_on_sqlite() {
    reindex_gives_the_answers_the_live_index_gave(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_gives_the_answers_the_live_index_gave_on_postgres() {
    reindex_gives_the_answers_the_live_index_gave(Backend::Postgres).await;
}

/// Copies a stopped server's index directory.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

async fn serve(data: &Path, behind: u64) -> TestApp {
    TestApp::start_with(Backend::Sqlite, |c| {
        c.data_dir = data.to_owned();
        c.search_rebuild_behind_events = behind;
    })
    .await
    .unwrap()
}

/// A server that was down while others wrote (here: an index copied from earlier) catches up
/// when a few events are missing, and rebuilds from the database when too many are; an index
/// made from another database (ahead of this one's outbox) is never served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_far_behind_or_ahead_of_the_outbox_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let old_index = dir.path().join("old-index");
    let app = serve(&data, 1_000).await;
    let (writer, theme) = writer_in_public_theme(&app).await;
    let started = Instant::now();
    create_text(&writer, theme, "Cantines", "Des repas biologiques.\n").await;
    found_within(&app.api(), "biologiques", started, FRESH).await;
    app.stop().await;
    copy_dir(&data.join("search-index"), &old_index);
    let (old, _) = generations(&data);

    // Written while this index was put aside: a handful of events.
    let app = serve(&data, 1_000).await;
    let writer = app.api_as("ecrit@exemple.fr").await;
    let started = Instant::now();
    for n in 0..4 {
        let title = format!("Goûters {n}");
        create_text(&writer, theme, &title, "Des fruits de saison.\n").await;
    }
    found_within(&app.api(), "saison", started, FRESH).await;
    let head = app.app.db.last_event_position().await.unwrap();
    app.stop().await;

    // Far enough behind for a threshold of one event: rebuilt (a new generation) and complete.
    std::fs::remove_dir_all(data.join("search-index")).unwrap();
    copy_dir(&old_index, &data.join("search-index"));
    let app = serve(&data, 1).await;
    answer_until(&app.api(), "/api/v1/search?q=saison", REBUILT, |b| {
        b["total"] == 4
    })
    .await;
    let (rebuilt, _) = generations(&data);
    assert_ne!(rebuilt, old, "rebuilt, not caught up");
    app.stop().await;

    // Within the default threshold: the same index caught up, event by event.
    std::fs::remove_dir_all(data.join("search-index")).unwrap();
    copy_dir(&old_index, &data.join("search-index"));
    let app = serve(&data, 1_000).await;
    answer_until(&app.api(), "/api/v1/search?q=saison", REBUILT, |b| {
        b["total"] == 4
    })
    .await;
    assert_eq!(generations(&data).0, old, "caught up, not rebuilt");
    app.stop().await;

    // An index ahead of the outbox: this index, beside a new database that never held the
    // « Cantines » text. Serving it would show a text that does not exist.
    let other = dir.path().join("other");
    copy_dir(&data.join("search-index"), &other.join("search-index"));
    let app = serve(&other, 1_000).await;
    assert!(app.app.db.last_event_position().await.unwrap() < head);
    let (writer, theme) = writer_in_public_theme(&app).await;
    let started = Instant::now();
    create_text(&writer, theme, "Piscines", "Des bassins chauffés.\n").await;
    found_within(&app.api(), "bassins", started, REBUILT).await;
    assert_eq!(
        total(&app.api(), "biologiques").await,
        0,
        "{:?}",
        generations(&other)
    );
    assert_ne!(generations(&other).0, old);
    app.stop().await;
}
