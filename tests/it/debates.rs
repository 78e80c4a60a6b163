//! Archived debates (issue 14, point 7), through the real command line and the real server:
//! `atelier import debates` loads a file (and the same file again adds nothing); the debates
//! are listed and filtered by `GET /api/v1/debates` and `/debates`, shown by
//! `/debates/{id}` (text escaped, the original linked with rel=nofollow), and found through
//! `GET /api/v1/search`; a file with bad lines imports nothing, or, with `--skip-invalid`, the
//! good lines, each bad one reported with its line number.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{Api, Backend, TestApp};

/// How long the live index may take to make an import searchable before the test fails (the
/// server hears of a command line's writes by polling the outbox; speed is the benchmarks').
const FRESH: Duration = Duration::from_secs(15);

/// Runs the real `atelier` binary on the server's data directory and database.
async fn run(app: &TestApp, args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let (data, url) = (app.data_dir(), app.config.database_url.clone());
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_atelier"));
        command
            .args(&args)
            .env("ATELIER_DATA_DIR", data)
            .env_remove("ATELIER_DATABASE_URL")
            .env("ATELIER_LOG", "warn");
        if let Some(url) = url {
            command.env("ATELIER_DATABASE_URL", url);
        }
        command.output().expect("atelier runs")
    })
    .await
    .expect("joined")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, lines: &[&str]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").expect("written");
    path.to_str().expect("a UTF-8 path").to_owned()
}

const GOOD: [&str; 4] = [
    r#"{"date": "1999-03-14", "place": "Fédération de Paris", "speaker": "Louise Michel", "title": "Sur les retraites", "text": "Camarades, la retraite à soixante ans.\n\nC'est une conquête.", "convention": "Congrès de Tours"}"#,
    r#"{"date": "2004-11-20T18:30:00+01:00", "place": "Section de Lyon 3e", "speaker": "Jean Jaurès", "title": "L'école publique", "text": "L'école <script>alert(1)</script> pour tous, partout.", "url": "https://archives.exemple.fr/debats/42"}"#,
    r#"{"date": "2011-06-01", "place": "Section de Lyon 3e", "speaker": "Louise Michel", "title": "Les transports", "text": "Des tramways jusqu'aux faubourgs."}"#,
    r#"{"date": "2016-09-09", "place": "Section de Paris 11e", "speaker": "Émile Zola", "title": "La presse libre", "text": "J'accuse l'indifférence zythologique."}"#,
];

async fn get(api: &Api, path: &str) -> Value {
    api.get_json(path, 200).await
}

fn titles(body: &Value) -> Vec<String> {
    body["debates"]
        .as_array()
        .expect("debates")
        .iter()
        .map(|d| d["title"].as_str().expect("title").to_owned())
        .collect()
}

async fn a_good_file_is_imported_listed_shown_and_found(app: TestApp) {
    let (federation, section) = app
        .federation_and_section("Fédération de Paris", "Section de Paris 11e")
        .await;
    let file = write(app.dir.path(), "debats.jsonl", &GOOD);
    let output = run(&app, &["import", "debates", &file]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("Imported 4 debates from debats.jsonl"),
        "{stdout}"
    );
    assert!(
        stdout.contains("4 new, 0 already in the archives"),
        "{stdout}"
    );

    let api = app.api();
    let all = get(&api, "/api/v1/debates").await;
    assert_eq!(all["total"], 4, "{all}");
    assert_eq!(
        titles(&all),
        [
            "La presse libre",
            "Les transports",
            "L'école publique",
            "Sur les retraites"
        ],
        "newest first"
    );
    let paris = &all["debates"][3];
    assert_eq!(paris["date"], "1999-03-14");
    assert_eq!(paris["place"], "Fédération de Paris");
    assert_eq!(
        paris["group_id"],
        federation.to_string(),
        "resolved by its exact name"
    );
    assert_eq!(paris["convention"], "Congrès de Tours");
    assert_eq!(
        all["debates"][2]["group_id"],
        Value::Null,
        "no group of that name"
    );
    assert_eq!(all["debates"][2]["time"], "2004-11-20T17:30:00Z");

    // Filters, alone and together.
    let lyon = get(&api, "/api/v1/debates?place=lyon%203E").await;
    assert_eq!(titles(&lyon), ["Les transports", "L'école publique"]);
    let louise = get(&api, "/api/v1/debates?speaker=louise&from=2000-01-01").await;
    assert_eq!(titles(&louise), ["Les transports"]);
    let range = get(&api, "/api/v1/debates?from=1999-03-14&to=2004-11-20").await;
    assert_eq!(titles(&range), ["L'école publique", "Sur les retraites"]);
    let in_paris = get(&api, &format!("/api/v1/debates?group={federation}")).await;
    assert_eq!(
        titles(&in_paris),
        ["La presse libre", "Sur les retraites"],
        "the federation and its section"
    );
    assert_eq!(in_paris["debates"][0]["group_id"], section.to_string());
    let past = get(&api, "/api/v1/debates?page=2").await;
    assert_eq!(past["total"], 4);
    assert!(titles(&past).is_empty());
    // Bad filters: 422, each named.
    let response = api
        .get("/api/v1/debates?from=hier&to=2020-13-01&page=0&group=abc&speaker=")
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let body: Value = response.json().await.expect("json");
    for field in ["from", "to", "page", "group"] {
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
    assert!(
        body["fields"]["speaker"].is_null(),
        "an empty filter is no filter"
    );
    let backwards = api
        .get("/api/v1/debates?from=2020-01-02&to=2020-01-01")
        .await;
    assert_eq!(backwards.status().as_u16(), 422);

    // One debate, whole.
    let id = all["debates"][2]["id"].as_str().expect("id").to_owned();
    let one = get(&api, &format!("/api/v1/debates/{id}")).await;
    assert_eq!(
        one["text"],
        "L'école <script>alert(1)</script> pour tous, partout."
    );
    assert_eq!(one["url"], "https://archives.exemple.fr/debats/42");
    let paris_id = paris["id"].as_str().unwrap();
    let paris_one = get(&api, &format!("/api/v1/debates/{paris_id}")).await;
    assert_eq!(paris_one["group_name"], "Fédération de Paris");
    assert_eq!(
        api.get("/api/v1/debates/999999").await.status().as_u16(),
        404
    );
    assert_eq!(api.get("/api/v1/debates/abc").await.status().as_u16(), 404);

    // The pages.
    let browser = app.browser();
    let (status, page) = browser.get_text("/debates?place=lyon").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Les transports") && page.contains("école publique"),
        "{page}"
    );
    assert!(!page.contains("Sur les retraites"), "filtered out");
    assert!(
        page.contains("value=\"lyon\""),
        "the filter is kept in the form"
    );
    let (status, page) = browser.get_text(&format!("/debates/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped"
    );
    assert!(!page.contains("<script>alert(1)"), "never run");
    assert!(
        page.contains(
            "href=\"https://archives.exemple.fr/debats/42\" rel=\"nofollow noopener noreferrer\""
        ),
        "{page}"
    );
    let (_, paris_page) = browser.get_text(&format!("/debates/{paris_id}")).await;
    assert!(
        paris_page.contains("<p>Camarades, la retraite à soixante ans.</p>"),
        "paragraphs"
    );
    assert!(
        paris_page.contains(&format!("href=\"/groups/{federation}\"")),
        "its group linked"
    );
    let (status, bad) = browser.get_text("/debates?from=hier").await;
    assert_eq!(status, 422);
    assert!(
        bad.contains("2019-05-12"),
        "the field's error says the form"
    );
    assert_eq!(browser.get_text("/debates/999999").await.0, 404);

    // Searchable, as the live index hears of the import.
    let since = Instant::now();
    let found = loop {
        let response = api.get("/api/v1/search?q=zythologique").await;
        if response.status().as_u16() == 200 {
            let body: Value = response.json().await.expect("json");
            if body["total"].as_u64().unwrap_or(0) > 0 {
                break body;
            }
        }
        assert!(
            since.elapsed() < FRESH,
            "the debate was not found within {FRESH:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let hit = &found["hits"][0];
    assert_eq!(hit["kind"], "debate", "{found}");
    assert_eq!(hit["title"], "La presse libre");
    let zola = all["debates"][0]["id"].as_str().unwrap();
    assert_eq!(hit["url"], format!("/debates/{zola}"));
    assert_eq!(hit["id"], zola);
    assert_eq!(found["facets"]["group"][section.to_string()], 1, "{found}");

    // A rebuilt index holds them too (running servers switch to it without a restart).
    let reindexed = run(&app, &["reindex"]).await;
    assert!(reindexed.status.success(), "{}", text(&reindexed.stderr));
    let since = Instant::now();
    loop {
        let response = api.get("/api/v1/search?q=faubourgs").await;
        if response.status().as_u16() == 200 {
            let body: Value = response.json().await.expect("json");
            if body["total"] == 1 && body["hits"][0]["kind"] == "debate" {
                break;
            }
        }
        assert!(since.elapsed() < FRESH, "not found after the reindex");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The same file again adds nothing.
    let again = run(&app, &["import", "debates", &file]).await;
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("0 new, 4 already in the archives"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(get(&api, "/api/v1/debates").await["total"], 4);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_file_is_imported_listed_shown_and_found_on_sqlite() {
    a_good_file_is_imported_listed_shown_and_found(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_file_is_imported_listed_shown_and_found_on_postgres() {
    let app = TestApp::start_with(Backend::Postgres, |_| {})
        .await
        .expect("postgres");
    a_good_file_is_imported_listed_shown_and_found(app).await;
}

async fn a_file_with_bad_lines_imports_nothing_unless_told(app: TestApp) {
    let file = write(
        app.dir.path(),
        "mauvais.jsonl",
        &[
            GOOD[0],
            GOOD[1],
            r#"{"date": "2011-06-01", "place": "Lyon", "title": "Sans orateur", "text": "x"}"#,
            r#"{"date": "2011-06-01", "place": "Lyon", "#,
            r#"{"date": "1er juin 2011", "place": "Lyon", "speaker": "X", "title": "Date", "text": "x"}"#,
            GOOD[2],
        ],
    );
    let refused = run(&app, &["import", "debates", &file]).await;
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    for expected in [
        "mauvais.jsonl: line 3: speaker: missing",
        "mauvais.jsonl: line 4: not valid JSON",
        "mauvais.jsonl: line 5: date: \"1er juin 2011\" is not a date",
        "3 of 6 lines are invalid (lines 3, 4, 5): nothing was imported",
        "--skip-invalid",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected:?} missing from: {stderr}"
        );
    }
    let api = app.api();
    assert_eq!(
        get(&api, "/api/v1/debates").await["total"],
        0,
        "nothing imported"
    );

    let partial = run(&app, &["import", "debates", "--skip-invalid", &file]).await;
    assert!(partial.status.success(), "{}", text(&partial.stderr));
    assert!(
        text(&partial.stderr).contains("line 3: speaker: missing"),
        "still reported"
    );
    let stdout = text(&partial.stdout);
    assert!(
        stdout.contains("3 new") && stdout.contains("3 invalid lines skipped"),
        "{stdout}"
    );
    assert_eq!(get(&api, "/api/v1/debates").await["total"], 3);

    // No file, an empty one: a sentence, nothing written.
    let missing = run(&app, &["import", "debates", "/nonexistent.jsonl"]).await;
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("cannot open /nonexistent.jsonl"));
    let empty = write(app.dir.path(), "vide.jsonl", &[""]);
    let nothing = run(&app, &["import", "debates", &empty]).await;
    assert_eq!(nothing.status.code(), Some(1));
    assert!(
        text(&nothing.stderr).contains("holds no debate"),
        "{}",
        text(&nothing.stderr)
    );
    app.stop().await;
}

#[tokio::test]
async fn a_file_with_bad_lines_imports_nothing_unless_told_on_sqlite() {
    a_file_with_bad_lines_imports_nothing_unless_told(TestApp::start().await).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn a_file_with_bad_lines_imports_nothing_unless_told_on_postgres() {
    let app = TestApp::start_with(Backend::Postgres, |_| {})
        .await
        .expect("postgres");
    a_file_with_bad_lines_imports_nothing_unless_told(app).await;
}
