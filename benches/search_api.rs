//! `GET /api/v1/search` under 64 connections on an index of a million paragraphs (issue 14):
//! the search as people reach it, through the server — sessions, grants, parsing, the blocking
//! pool, JSON — beside `/healthz` under the same load (one database round trip) as the baseline.
//!
//! The server runs on the demo party with 64 delegates of one section signed in. The index is
//! the search bench's corpus (`atelier_search::corpus`: `../shared/data/alineas-fr.jsonl`
//! replicated with variations), built as `atelier reindex` builds one and switched to while the
//! server runs (it follows within a second). The corpus's readers are made the server's grants:
//! its groups become the demo's groups (`in:G`), so that a delegate's grants open what they
//! would (public documents, their section's, their own). The paths are the search bench's
//! 1,000 queries (words, phrases, facets, typos, prefixes), each connection going through them
//! in turn, as visitors and as the signed-in delegates; then again while a delegate types into
//! a public text, four edits a second, each reaching the index (`text.edited`) and changing it —
//! so that the answers the server keeps per state of the index (`LiveIndex::search`) are
//! measured both when the index rests and when it moves.
//!
//! Run: `cargo bench -j1 --bench search_api [-- --quick]` (`--quick`: 100,000 paragraphs and
//! 3-second loads). Debug builds are meaningless.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use atelier_search::corpus::{self, BenchQuery};
use atelier_search::{IndexDoc, IndexHome};
use common::sync::type_and_wait;
use common::{
    MEMBERS_PASSWORD, atelier, load, load_paths, ms, run, signed_in_members, start_server,
};

const CONNECTIONS: usize = 64;
/// The search bench's seed: the very same queries.
const QUERY_SEED: u64 = 14;
const PER_TEXT: usize = 10;

/// The demo's groups' ids, from the API.
async fn group_ids(url: &str) -> Vec<String> {
    let groups: serde_json::Value = reqwest::get(format!("{url}/api/v1/groups"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    groups
        .as_array()
        .expect("a list")
        .iter()
        .map(|g| g["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The corpus's readers as the server's grants: its groups become the demo's.
fn as_grants(mut doc: IndexDoc, groups: &[String]) -> IndexDoc {
    doc.readers = doc
        .readers
        .iter()
        .map(|reader| match reader.strip_prefix("group:") {
            Some(n) => {
                let n: usize = n.parse().expect("a group number");
                format!("in:{}", groups[n % groups.len()])
            }
            None => reader.clone(),
        })
        .collect();
    doc
}

/// Builds the corpus's index as a new generation of `home` and switches to it; returns the
/// time it took.
fn build_index(home: &IndexHome, paragraphs: usize, groups: &[String]) -> Duration {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/alineas-fr.jsonl");
    let alineas = corpus::read_alineas(&data).expect("alineas-fr.jsonl reads");
    let started = Instant::now();
    let mut build = home.build().expect("a new generation");
    let mut text = Vec::with_capacity(PER_TEXT);
    for n in 0..paragraphs {
        text.push(as_grants(
            corpus::paragraph(&alineas, n).to_index_doc(),
            groups,
        ));
        if text.len() == PER_TEXT || n + 1 == paragraphs {
            let source = text[0].source.clone();
            build
                .writer()
                .replace_source(&source, &text)
                .expect("indexed");
            text.clear();
        }
    }
    // Position 0: the server replays the demo's events into it, as after any rebuild.
    build.finish(0).expect("switched to");
    started.elapsed()
}

/// The API path of a query of the mix.
fn path(query: &BenchQuery) -> String {
    let mut params = vec![("q", query.text.as_str())];
    for (name, value) in [
        ("theme", &query.theme),
        ("status", &query.status),
        ("place", &query.place_prefix),
    ] {
        if let Some(value) = value {
            params.push((name, value.as_str()));
        }
    }
    format!(
        "/api/v1/search?{}",
        serde_urlencoded::to_string(params).expect("encodes")
    )
}

/// Waits until the server answers from the new generation (it follows the pointer within a
/// second, then catches up the demo's events).
async fn until_served(url: &str, paragraphs: usize) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let response = client
            .get(format!("{url}/api/v1/search?q=article"))
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            let body: serde_json::Value = response.json().await.unwrap();
            if body["total"].as_u64().unwrap_or(0) as usize > paragraphs / 20 {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the server did not serve the new index"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A delegate's text in their section, and their token: the text the typist edits.
async fn typists_text(url: &str, email: &str) -> (String, String) {
    let http = reqwest::Client::new();
    let session: serde_json::Value = http
        .post(format!("{url}/api/v1/session"))
        .json(&serde_json::json!({"email": email, "password": MEMBERS_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().expect("a token").to_owned();
    let sections: serde_json::Value = http
        .get(format!("{url}/api/v1/groups?kind=section"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let section = sections
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Lille-Centre")
        .expect("the section")["id"]
        .clone();
    let created: serde_json::Value = http
        .post(format!("{url}/api/v1/texts"))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({"group_id": section, "title": "Motion de la section",
            "kind": "programme", "markdown": "Nous proposons une motion sur les transports.\n"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (created["id"].as_str().expect("a text").to_owned(), token)
}

/// How the server has answered searches so far: kept, held across changes, searched
/// (`atelier_search_answers_total`).
async fn answered(url: &str) -> [u64; 3] {
    let metrics = reqwest::get(format!("{url}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    ["kept", "held", "searched"].map(|how| {
        let line = format!("atelier_search_answers_total{{how=\"{how}\"}} ");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&line))
            .map_or(0, |n| n.trim().parse().unwrap_or(0))
    })
}

/// What the server did for the searches between two readings of [`answered`].
fn how_answered(before: [u64; 3], after: [u64; 3]) -> String {
    format!(
        "answers (shared parts for delegates) kept {}, held across a change {}, searched {}",
        after[0] - before[0],
        after[1] - before[1],
        after[2] - before[2]
    )
}

/// One row of the table: a load's figures beside `/healthz`'s (rate, p99) and the goal.
fn row(
    label: &str,
    (rate, p50, p99): (f64, Duration, Duration),
    (base_rate, base_p99): (f64, Duration),
) {
    println!(
        "| {label} | {rate:.0} req/s, p50 {}, p99 {} | /healthz: {base_rate:.0} req/s, p99 {} | {:.2}× the rate, {:.1}× the p99 | p99 < 50 ms: {} |",
        ms(p50),
        ms(p99),
        ms(base_p99),
        rate / base_rate,
        p99.as_secs_f64() / base_p99.as_secs_f64(),
        if p99 < Duration::from_millis(50) {
            "met"
        } else {
            "**not met**"
        }
    );
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/alineas-fr.jsonl");
    if !data.is_file() {
        println!("search API bench skipped: {} is missing", data.display());
        return;
    }
    let paragraphs = if quick { 100_000 } else { 1_000_000 };
    let length = Duration::from_secs(if quick { 3 } else { 10 });
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    run(atelier().arg("demo").arg("--data-dir").arg(&data_dir));
    let members = signed_in_members(&data_dir, "Lille-Centre", CONNECTIONS);
    let (server, _) = start_server(&data_dir, &[]);
    let groups = group_ids(&server.url).await;

    let home = IndexHome::new(data_dir.join("search-index"));
    let built = tokio::task::spawn_blocking({
        let groups = groups.clone();
        move || build_index(&home, paragraphs, &groups)
    })
    .await
    .unwrap();
    until_served(&server.url, paragraphs).await;
    println!(
        "index: {paragraphs} paragraphs built in {:.1} s and served; {} groups, {CONNECTIONS} connections, {} s each load",
        built.as_secs_f64(),
        groups.len(),
        length.as_secs()
    );

    let alineas = corpus::read_alineas(&data).unwrap();
    let paths: Vec<String> = corpus::query_mix(&alineas, QUERY_SEED, 1_000)
        .iter()
        .map(path)
        .collect();
    println!("| measure | result | baseline (same run) | ratio | goal |");
    println!("|---|---|---|---|---|");
    let (base_rate, base_p50, base_p99) =
        load(&server.url, "/healthz", &[], CONNECTIONS, length).await;
    println!(
        "| GET /healthz, {CONNECTIONS} connections | {base_rate:.0} req/s, p50 {}, p99 {} | — | 1 | |",
        ms(base_p50),
        ms(base_p99)
    );
    for (label, members) in [
        ("visitors", &[][..]),
        ("64 signed-in delegates", &members[..]),
    ] {
        let before = answered(&server.url).await;
        let (rate, p50, p99) = load_paths(&server.url, &paths, members, CONNECTIONS, length).await;
        println!(
            "<!-- {label}: {} -->",
            how_answered(before, answered(&server.url).await)
        );
        row(
            &format!("GET /api/v1/search, 1,000 queries, {label}, {CONNECTIONS} connections"),
            (rate, p50, p99),
            (base_rate, base_p99),
        );
    }
    // While the index moves: a delegate types four words a second into a public text.
    let (text, token) = typists_text(&server.url, &members[0]).await;
    let edits = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let typing = tokio::spawn({
        let url = server.url.clone();
        let edits = edits.clone();
        async move {
            loop {
                type_and_wait(&url, &text, &token, 0, "Mot ").await;
                edits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    });
    // Let the first edits reach the index.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = answered(&server.url).await;
    let (rate, p50, p99) = load_paths(&server.url, &paths, &[], CONNECTIONS, length).await;
    typing.abort();
    println!(
        "<!-- while typing: {} -->",
        how_answered(before, answered(&server.url).await)
    );
    let edits = edits.load(std::sync::atomic::Ordering::Relaxed);
    row(
        &format!(
            "the same, visitors, while a delegate types ({edits} edits over the load and the 2 s before it, each changing the index)"
        ),
        (rate, p50, p99),
        (base_rate, base_p99),
    );
    drop(server);
}
