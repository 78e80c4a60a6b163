//! The live search index: `GET /api/v1/search` finds a new text and a live edit within a
//! second, never what a visitor may not see; `atelier reindex` is served without a restart; a
//! damaged, missing or removed index is rebuilt while the server answers.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use serde_json::{Value, json};

use crate::harness::{Api, Backend, TestApp};
use crate::sync_client::{Auth, SyncClient};
use atelier::model::{GroupKind, Role, Visibility};

/// How long a test waits for the live index to make a write searchable before it fails: what
/// these tests hold is that the running server indexes every write by itself, without a
/// reindex. How fast (within about a second: the index commits at most once a second) is
/// measured by the index-lag benchmark (BENCHMARKS.md, « The live index »), not by a timed test
/// that a loaded machine would make fail.
pub(crate) const FRESH: Duration = Duration::from_secs(15);
/// For what takes a rebuild first (at most a few hundred documents here).
pub(crate) const REBUILT: Duration = Duration::from_secs(20);

/// Polls the search until `q` finds something, or fails after `within` (measured from `since`).
pub(crate) async fn found_within(api: &Api, q: &str, since: Instant, within: Duration) -> Value {
    let path = format!("/api/v1/search?q={}", urlencode(q));
    loop {
        let response = api.get(&path).await;
        let status = response.status().as_u16();
        if status == 200 {
            let body: Value = response.json().await.expect("json");
            if body["total"].as_u64().unwrap_or(0) > 0 {
                return body;
            }
        } else {
            assert_eq!(
                status, 503,
                "only 'being rebuilt' may come before the answer"
            );
        }
        assert!(
            since.elapsed() < within,
            "{q:?} was not found within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(crate) fn urlencode(q: &str) -> String {
    serde_urlencoded::to_string([("", q)]).expect("encodes")[1..].to_owned()
}

pub(crate) async fn total(api: &Api, q: &str) -> u64 {
    let body = api
        .get_json(&format!("/api/v1/search?q={}", urlencode(q)), 200)
        .await;
    body["total"].as_u64().expect("total")
}

/// A writer in a public theme; their API client and the theme.
pub(crate) async fn writer_in_public_theme(app: &TestApp) -> (Api, atelier::model::GroupId) {
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    let writer = app.member("ecrit@exemple.fr", "Écrivaine").await;
    app.grant(writer, theme, Role::Member).await;
    (app.api_as("ecrit@exemple.fr").await, theme)
}

pub(crate) async fn create_text(
    api: &Api,
    group: atelier::model::GroupId,
    title: &str,
    md: &str,
) -> String {
    let response = api
        .post(
            "/api/v1/texts",
            json!({"group_id": group.to_string(), "title": title, "kind": "programme", "markdown": md}),
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

async fn a_new_text_and_a_live_edit_are_found_without_a_reindex(app: TestApp) {
    let (writer, theme) = writer_in_public_theme(&app).await;
    let visitor = app.api();
    let created = Instant::now();
    let id = create_text(
        &writer,
        theme,
        "Hôpitaux de proximité",
        "# Accès aux soins\n\nRouvrir les maternités fermées.\n\n- Un dispensaire par canton\n",
    )
    .await;
    let body = found_within(&visitor, "maternites", created, FRESH).await;
    assert_eq!(body["total"], 1, "{body}");
    let hit = &body["hits"][0];
    assert_eq!(hit["kind"], "paragraph");
    assert_eq!(hit["id"], id.as_str());
    assert_eq!(hit["title"], "Hôpitaux de proximité");
    assert!(
        hit["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("/texts/{id}#")),
        "{hit}"
    );
    assert_eq!(
        hit["snippet_html"], "Rouvrir les <mark>maternités</mark> fermées",
        "{hit}"
    );
    assert_eq!(body["facets"]["kind"]["paragraph"], 1, "{body}");
    assert_eq!(body["facets"]["group"][theme.to_string()], 1, "{body}");
    let title = found_within(&visitor, "proximite", created, FRESH).await;
    assert_eq!(title["hits"][0]["kind"], "text", "{title}");
    assert_eq!(title["hits"][0]["url"], format!("/texts/{id}"));

    // A live edit through the sync socket, found within a second of being acknowledged.
    let mut peer = SyncClient::connect(&app.url, &id, Auth::Bearer(writer.token()))
        .await
        .expect("connects");
    peer.wait_for_markdown("the text", |md| md.contains("maternités"))
        .await;
    peer.append("\nCréer des centres de santé intercommunaux.\n")
        .await;
    peer.wait_saved().await;
    let saved = Instant::now();
    let body = found_within(&visitor, "intercommunaux", saved, FRESH).await;
    assert_eq!(body["hits"][0]["id"], id.as_str(), "{body}");
    // And a word removed is no longer found: the text's documents are replaced whole.
    let md = peer.markdown();
    let byte = md.find("fermées").expect("the word");
    let at = md[..byte].encode_utf16().count();
    let (_, text) = peer.doc.get(automerge::ROOT, "markdown").unwrap().unwrap();
    peer.doc
        .splice_text(
            &text,
            at,
            "fermées".encode_utf16().count() as isize,
            "rouvertes",
        )
        .unwrap();
    peer.doc.commit();
    peer.send_sync().await;
    peer.wait_saved().await;
    let saved = Instant::now();
    found_within(&visitor, "rouvertes", saved, FRESH).await;
    assert_eq!(total(&visitor, "fermees").await, 0);
    peer.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_text_and_a_live_edit_are_found_without_a_reindex_on_sqlite() {
    a_new_text_and_a_live_edit_are_found_without_a_reindex(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_text_and_a_live_edit_are_found_without_a_reindex_on_postgres() {
    let app = TestApp::postgres().await.expect("postgres");
    a_new_text_and_a_live_edit_are_found_without_a_reindex(app).await;
}

async fn visitors_find_only_what_anyone_may_see(app: TestApp) {
    let national = app.national().await;
    let hidden = app
        .group(
            GroupKind::WorkingGroup,
            "Bureau",
            national,
            Visibility::Group,
        )
        .await;
    let members_only = app
        .group(GroupKind::Theme, "Stratégie", national, Visibility::Members)
        .await;
    let public = app
        .group(GroupKind::Theme, "Culture", national, Visibility::Public)
        .await;
    let admin = app.member("admin@exemple.fr", "Ada").await;
    app.grant(admin, national, Role::Admin).await;
    let api = app.api_as("admin@exemple.fr").await;
    create_text(
        &api,
        hidden,
        "Candidatures",
        "Liste confidentielle des candidats.\n",
    )
    .await;
    create_text(
        &api,
        members_only,
        "Tactique",
        "Alliances confidentielles.\n",
    )
    .await;
    let started = Instant::now();
    create_text(&api, public, "Musées", "Gratuité des musées.\n").await;
    // The public text came last: once it is found, the others have been handled.
    found_within(&api, "gratuite", started, FRESH).await;
    for word in [
        "confidentielle",
        "candidatures",
        "bureau",
        "alliances",
        "strategie",
    ] {
        // A visitor finds none of it; the administrator, who may see everything, finds it
        // (search_permissions.rs holds each role to what it may see).
        assert_eq!(total(&app.api(), word).await, 0, "{word} was found");
        assert!(total(&api, word).await > 0, "{word} was not found");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_find_only_what_anyone_may_see_on_sqlite() {
    visitors_find_only_what_anyone_may_see(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_find_only_what_anyone_may_see_on_postgres() {
    visitors_find_only_what_anyone_may_see(TestApp::postgres().await.expect("postgres")).await;
}

/// Waits until `q` finds nothing (a source hidden or renamed), or fails after `within`.
async fn gone_within(api: &Api, q: &str, since: Instant, within: Duration) {
    while total(api, q).await > 0 {
        assert!(
            since.elapsed() < within,
            "{q:?} was still found after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Groups are followed like texts (`group.created`, `group.changed`): a public group is found
/// once created; hidden, neither it nor its texts are; public again under another name, it is
/// found by that name only, with its texts.
async fn groups_are_found_as_they_are_created_and_changed(app: TestApp) {
    let national = app.national().await;
    let visitor = app.api();
    let created = Instant::now();
    let theme = app
        .group(
            GroupKind::Theme,
            "Agriculture",
            national,
            Visibility::Public,
        )
        .await;
    let body = found_within(&visitor, "agriculture", created, FRESH).await;
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["hits"][0]["kind"], "group", "{body}");
    assert_eq!(body["hits"][0]["url"], format!("/groups/{theme}"), "{body}");
    let admin = app.member("admin@exemple.fr", "Ada").await;
    app.grant(admin, national, Role::Admin).await;
    let api = app.api_as("admin@exemple.fr").await;
    let written = Instant::now();
    create_text(&api, theme, "Semences", "Des semences paysannes.\n").await;
    found_within(&visitor, "paysannes", written, FRESH).await;

    let db = &app.app.db;
    let hidden = Instant::now();
    db.update_group(
        theme,
        "Agroécologie",
        "Des fermes",
        Visibility::Members,
        None,
    )
    .await
    .expect("hidden");
    gone_within(&visitor, "agriculture", hidden, FRESH).await;
    gone_within(&visitor, "paysannes", hidden, FRESH).await;
    assert_eq!(total(&visitor, "agroecologie").await, 0);
    assert_eq!(
        total(&api, "semences").await,
        2,
        "its title and paragraph still found by the party's members"
    );

    let shown = Instant::now();
    db.update_group(
        theme,
        "Agroécologie",
        "Des fermes",
        Visibility::Public,
        None,
    )
    .await
    .expect("shown");
    let body = found_within(&visitor, "agroecologie", shown, FRESH).await;
    assert_eq!(body["hits"][0]["kind"], "group", "{body}");
    found_within(&visitor, "paysannes", shown, FRESH).await;
    assert_eq!(total(&visitor, "agriculture").await, 0, "the old name");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_are_found_as_they_are_created_and_changed_on_sqlite() {
    groups_are_found_as_they_are_created_and_changed(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_are_found_as_they_are_created_and_changed_on_postgres() {
    let app = TestApp::postgres().await.expect("postgres");
    groups_are_found_as_they_are_created_and_changed(app).await;
}

#[tokio::test]
async fn bad_parameters_are_refused_and_odd_syntax_is_read_best_effort() {
    let app = TestApp::start().await;
    let (writer, theme) = writer_in_public_theme(&app).await;
    let started = Instant::now();
    create_text(
        &writer,
        theme,
        "Prévention",
        "Dépistage gratuit (pour tous).\n",
    )
    .await;
    let api = app.api();
    found_within(&api, "depistage", started, FRESH).await;
    for query in [
        "",
        "?q=",
        "?q=%20%20",
        "?q=x&page=0",
        "?q=x&page=-3",
        "?q=x&kind=ballot",
    ] {
        let response = api.get(&format!("/api/v1/search{query}")).await;
        assert_eq!(response.status(), 422, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid", "{query}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    for odd in [
        "\"dépistage",
        "dépistage)",
        "(((",
        "title:",
        "nosuchfield:dépistage",
        "dépistage AND",
        "-dépistage",
        "*",
        "dépistage^",
        "[a TO",
    ] {
        let response = api
            .get(&format!("/api/v1/search?q={}", urlencode(odd)))
            .await;
        assert_eq!(response.status(), 200, "{odd}");
    }
    assert_eq!(total(&api, "\"depistage gratuit\"").await, 1);
    assert_eq!(total(&api, "depistage -gratuit").await, 0);
    app.stop().await;
}

pub(crate) fn atelier_cli(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args(args)
        .env("ATELIER_DATA_DIR", data_dir)
        .env_remove("ATELIER_DATABASE_URL")
        .env("ATELIER_LOG", "warn")
        .output()
        .expect("atelier runs")
}

/// The generation the pointer names, and the generations on disk.
pub(crate) fn generations(data_dir: &Path) -> (String, Vec<PathBuf>) {
    let root = data_dir.join("search-index");
    let current = std::fs::read_to_string(root.join("CURRENT"))
        .unwrap_or_default()
        .trim()
        .to_owned();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    (current, dirs)
}

pub(crate) async fn until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_while_the_server_runs_is_served_without_a_restart() {
    let app = TestApp::start().await;
    let (writer, theme) = writer_in_public_theme(&app).await;
    let started = Instant::now();
    create_text(&writer, theme, "Pharmacies", "Des officines rurales.\n").await;
    let visitor = app.api();
    found_within(&visitor, "officines", started, FRESH).await;
    let (before, _) = generations(&app.data_dir());
    assert!(before.starts_with("gen-"), "{before:?}");

    let output = atelier_cli(&app.data_dir(), &["reindex"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("documents"));
    let (after, _) = generations(&app.data_dir());
    assert_ne!(before, after, "a new generation is current");
    // The server still answers, from the new generation, without a restart; what is written
    // next goes there too, and the old generation is removed once nobody writes it.
    assert_eq!(total(&visitor, "officines").await, 1);
    let started = Instant::now();
    create_text(&writer, theme, "Urgences", "Des régulateurs médicaux.\n").await;
    found_within(&visitor, "regulateurs", started, REBUILT).await;
    until("the old generation is removed", REBUILT, || {
        !app.data_dir().join("search-index").join(&before).exists()
    })
    .await;
    let started = Instant::now();
    create_text(&writer, theme, "Prévention", "Des campagnes vaccinales.\n").await;
    found_within(&visitor, "vaccinales", started, FRESH).await;
    assert_eq!(total(&visitor, "officines").await, 1, "nothing is lost");
    assert_eq!(generations(&app.data_dir()).0, after);
    app.stop().await;
}

/// A theme with a text, written by a server that is then stopped; the data directory.
async fn stopped_server_with_a_text(data: &Path) {
    let app = TestApp::start_with(Backend::Sqlite, |c| c.data_dir = data.to_owned())
        .await
        .unwrap();
    let (writer, theme) = writer_in_public_theme(&app).await;
    let started = Instant::now();
    create_text(&writer, theme, "Cantines", "Des repas biologiques.\n").await;
    found_within(&app.api(), "biologiques", started, FRESH).await;
    app.stop().await;
}

async fn starts_answers_and_rebuilds(data: &Path) {
    let app = TestApp::start_with(Backend::Sqlite, |c| c.data_dir = data.to_owned())
        .await
        .unwrap();
    let health = app.api().get_json("/healthz", 200).await;
    assert_eq!(health["database"], true);
    let started = Instant::now();
    let body = found_within(&app.api(), "biologiques", started, REBUILT).await;
    assert_eq!(body["hits"][0]["title"], "Cantines");
    // And it goes on indexing.
    let writer = app.api_as("ecrit@exemple.fr").await;
    let theme = app.app.db.groups(Some(GroupKind::Theme)).await.unwrap()[0].group_id;
    let started = Instant::now();
    create_text(&writer, theme, "Goûters", "Des fruits de saison.\n").await;
    found_within(&app.api(), "saison", started, FRESH).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_or_missing_index_is_rebuilt_while_the_server_answers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    stopped_server_with_a_text(&data).await;

    // Garbage in every file of the current generation, and beside it.
    let (current, _) = generations(&data);
    let generation = data.join("search-index").join(&current);
    for entry in std::fs::read_dir(&generation).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::write(&path, "garbage, not an index file").unwrap();
        }
    }
    std::fs::write(generation.join("0123.idx"), [0xff; 64]).unwrap();
    starts_answers_and_rebuilds(&data).await;

    // No index at all.
    std::fs::remove_dir_all(data.join("search-index")).unwrap();
    starts_answers_and_rebuilds(&data).await;

    // A pointer to nowhere.
    std::fs::write(data.join("search-index").join("CURRENT"), "gen-dead\n").unwrap();
    starts_answers_and_rebuilds(&data).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_removed_under_the_running_server_is_rebuilt_and_indexing_goes_on() {
    let app = TestApp::start().await;
    let (writer, theme) = writer_in_public_theme(&app).await;
    let started = Instant::now();
    create_text(&writer, theme, "Médecins", "Des maisons médicales.\n").await;
    found_within(&app.api(), "maisons", started, FRESH).await;
    let (current, _) = generations(&app.data_dir());
    // The server may be writing a file there at that moment (a commit, a merge): removing
    // then finds the directory not empty, and is tried again, as an operator would.
    let generation = app.data_dir().join("search-index").join(&current);
    let mut attempts = 0;
    while let Err(e) = std::fs::remove_dir_all(&generation) {
        attempts += 1;
        assert!(
            attempts < 50 && e.kind() == std::io::ErrorKind::DirectoryNotEmpty,
            "{e}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The next commit fails; the failure is logged and retried, the index rebuilt from the
    // database, and the texts written meanwhile are found.
    let started = Instant::now();
    create_text(&writer, theme, "Infirmières", "Des tournées à domicile.\n").await;
    found_within(&app.api(), "tournees", started, REBUILT).await;
    assert_eq!(total(&app.api(), "maisons").await, 1);
    let started = Instant::now();
    create_text(
        &writer,
        theme,
        "Sages-femmes",
        "Des consultations prénatales.\n",
    )
    .await;
    found_within(&app.api(), "prenatales", started, FRESH).await;
    app.stop().await;
}
