//! Amendments benchmarks (issue 13), each reported with a baseline measured in the same run:
//!
//! 1. **A national convention's text.** 100,000 characters of real French bills
//!    (`alineas-fr.jsonl`), 2,000 amendments submitted on it by its members; once the event
//!    consumers (the search index) have caught up with the filings, under 64 connections, each
//!    a different signed-in member: the reading view with its margins, the amendment list, an
//!    amendment's page. Baseline: `/healthz` under the same load.
//! 2. **Re-anchoring.** After an edit of the text, placing its 2,000 amendments again (every
//!    anchor resolved, outdated and overlaps detected): the server's own
//!    `atelier_amendments_placement_seconds`, and the API's list of the amendments (which places
//!    them) against the API's read of the text (which does not), both just after an edit.
//! 3. **Word diff** of two 100,000-word versions (successive readings of real bills), in this
//!    process through `atelier::markup::word_diff`; baseline: splitting both into words, the
//!    floor of any word diff. And a pathological pair (two unrelated sequences of two words,
//!    Myers' worst case), which the deadline must cut.
//!
//! Run: `cargo bench --bench amendments` (`-- --quick` for a short run; `-- --only reading`,
//! `placement` or `diff` for one part). It prints Markdown rows for BENCHMARKS.md. Reads its
//! texts from `../shared/data/alineas-fr.jsonl`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::sync::type_and_wait;
use common::{
    MEMBERS_PASSWORD, atelier, load, ms, quantile, run, signed_in_members, start_server, weight,
};

const ALINEAS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/alineas-fr.jsonl"
);
const EMAIL: &str = "banc-amendements@exemple.fr";
const TEXT_CHARS: usize = 100_000;
const AMENDMENTS: usize = 2_000;
const CONNECTIONS: usize = 64;
const DIFF_WORDS: usize = 100_000;

/// The alineas, in file order: (dossier, step, text).
fn alineas() -> Vec<(String, String, String)> {
    let data = std::fs::read_to_string(ALINEAS).expect("../shared/data/alineas-fr.jsonl");
    data.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("a JSON line");
            let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            (field("dossier"), field("step"), field("text"))
        })
        .collect()
}

/// A programme-sized text: headings per bill and step, the alineas as paragraphs, cut at a
/// paragraph once past `TEXT_CHARS` characters.
fn convention_text() -> String {
    let mut text = String::new();
    let mut last = (String::new(), String::new());
    for (dossier, step, alinea) in alineas() {
        if (dossier.clone(), step.clone()) != last {
            text.push_str(&format!("## {dossier} — {step}\n\n"));
            last = (dossier, step);
        }
        text.push_str(alinea.trim());
        text.push_str("\n\n");
        if text.chars().count() >= TEXT_CHARS {
            break;
        }
    }
    text
}

/// Two successive versions of the same bills, each about `DIFF_WORDS` words.
fn successive_versions() -> (String, String) {
    // (dossier) → steps in order → their alineas.
    let mut bills: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    for (dossier, step, text) in alineas() {
        let steps = bills.entry(dossier).or_default();
        match steps.last_mut() {
            Some((last, texts)) if *last == step => texts.push(text),
            _ => steps.push((step, vec![text])),
        }
    }
    let (mut old, mut new) = (String::new(), String::new());
    for steps in bills.values() {
        for pair in steps.windows(2) {
            old.push_str(&pair[0].1.join("\n\n"));
            old.push_str("\n\n");
            new.push_str(&pair[1].1.join("\n\n"));
            new.push_str("\n\n");
            if words(&old).len() >= DIFF_WORDS && words(&new).len() >= DIFF_WORDS {
                return (old, new);
            }
        }
    }
    (old, new)
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// The organiser's API: a bearer token.
struct Api {
    url: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    async fn sign_in(url: &str, email: &str, password: &str) -> Api {
        let http = reqwest::Client::new();
        let session: Value = http
            .post(format!("{url}/api/v1/session"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Api {
            url: url.to_owned(),
            token: session["token"].as_str().expect("a token").to_owned(),
            http,
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// How long one GET takes, end to end.
    async fn time_get(&self, path: &str) -> Duration {
        let started = Instant::now();
        self.get(path).await;
        started.elapsed()
    }

    async fn metrics(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits until the event consumers (the search index above all) have caught up with the
    /// filings, their positions unchanged for two seconds (at most two minutes): the pages are
    /// measured on a settled server, not beside the index's backlog. How long it took.
    async fn settle(&self) -> Duration {
        let started = Instant::now();
        let positions = |metrics: String| -> Vec<String> {
            metrics
                .lines()
                .filter(|l| l.starts_with("atelier_event_consumer_position"))
                .map(str::to_owned)
                .collect()
        };
        let mut last = positions(self.metrics().await);
        let mut still = Instant::now();
        while started.elapsed() < Duration::from_secs(120) {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let now = positions(self.metrics().await);
            if now != last {
                last = now;
                still = Instant::now();
            } else if still.elapsed() >= Duration::from_secs(2) {
                break;
            }
        }
        started.elapsed()
    }

    async fn metric_quantile(&self, name: &str, quantile: &str) -> Option<Duration> {
        let metrics = self.metrics().await;
        let prefix = format!("{name}{{quantile=\"{quantile}\"}} ");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(Duration::from_secs_f64)
    }
}

/// The passages the amendments replace: a word or a few in the middle of a paragraph, spread
/// over every paragraph, some overlapping others (as a convention's do), in UTF-16 units.
fn passages(markdown: &str, count: usize) -> Vec<(usize, usize, String)> {
    let mut paragraphs = Vec::new();
    let mut at = 0;
    for block in markdown.split("\n\n") {
        let units = block.encode_utf16().count();
        if !block.starts_with('#') && block.split_whitespace().count() >= 6 {
            paragraphs.push((at, block));
        }
        at += units + 2;
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let (start, block) = paragraphs[i % paragraphs.len()];
        // The (i / paragraphs)-th pair of words of the paragraph, so that the second round
        // lands beside (and sometimes on) the first.
        let spans: Vec<(usize, usize)> = word_spans(block);
        let k = (i / paragraphs.len() * 2 + 1) % (spans.len() - 1);
        let (from, to) = (spans[k].0, spans[k + 1].1);
        let original: String =
            String::from_utf16_lossy(&block.encode_utf16().collect::<Vec<u16>>()[from..to]);
        out.push((start + from, start + to, format!("{original} (amendé {i})")));
    }
    out
}

/// Each word's range in UTF-16 units.
fn word_spans(block: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut at = 0;
    let mut start = None;
    for c in block.chars() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                spans.push((s, at));
            }
        } else if start.is_none() {
            start = Some(at);
        }
        at += c.len_utf16();
    }
    if let Some(s) = start {
        spans.push((s, at));
    }
    spans
}

/// A server with the convention's text and its amendments; returns it with the organiser's API,
/// the text's id, one amendment's id and the members.
async fn convention(
    data: &Path,
    amendments: usize,
) -> (common::Server, Api, String, String, Vec<String>) {
    run(atelier().arg("demo").arg("--data-dir").arg(data));
    run(atelier()
        .args(["member", "add", "--email", EMAIL, "--name", "Organisatrice"])
        .args([
            "--password",
            MEMBERS_PASSWORD,
            "--role",
            "admin",
            "--data-dir",
        ])
        .arg(data));
    let members = signed_in_members(data, "Lille-Centre", CONNECTIONS);
    let (server, _) = start_server(data, &[]);
    let api = Api::sign_in(&server.url, EMAIL, MEMBERS_PASSWORD).await;
    let group = api
        .post(
            "/api/v1/groups",
            json!({"kind": "theme", "name": "Convention nationale"}),
        )
        .await;
    let markdown = convention_text();
    let text = api
        .post(
            "/api/v1/texts",
            json!({"group_id": group["id"], "title": "Projet de programme", "kind": "programme", "markdown": markdown}),
        )
        .await;
    let text = text["id"].as_str().expect("a text id").to_owned();
    api.post(
        &format!("/api/v1/texts/{text}/status"),
        json!({"status": "amending"}),
    )
    .await;
    // Every member of the party may file (a national convention's text).
    api.send(
        reqwest::Method::PUT,
        &format!("/api/v1/texts/{text}/amendment_rules"),
        Some(json!({"filers": "party"})),
    )
    .await;
    // The members file them, as at a convention (a few dozen each).
    let mut filers = Vec::new();
    for email in &members {
        filers.push(Api::sign_in(&server.url, email, MEMBERS_PASSWORD).await);
    }
    let mut first = String::new();
    for (i, (start, end, replacement)) in passages(&markdown, amendments).into_iter().enumerate() {
        let filer = &filers[i % filers.len()];
        let filed = filer
            .post(
                &format!("/api/v1/texts/{text}/amendments"),
                json!({"start": start, "end": end, "replacement": replacement, "rationale": "Pour préciser la rédaction."}),
            )
            .await;
        let id = filed["id"].as_str().expect("an amendment id").to_owned();
        filer
            .post(&format!("/api/v1/amendments/{id}/submit"), json!({}))
            .await;
        if first.is_empty() {
            first = id;
        }
    }
    (server, api, text, first, members)
}

/// An organiser's edit near the start of the text (a few words typed at the start of its first
/// paragraph, through the sync socket as a browser types), then the time of one GET of `path`;
/// `runs` times.
async fn after_edits(api: &Api, text: &str, path: &str, runs: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let current = api.get(&format!("/api/v1/texts/{text}")).await;
        let markdown = current["markdown"].as_str().expect("markdown");
        let heading = markdown.find("\n\n").expect("a heading") + 2;
        let at = markdown[..heading].encode_utf16().count();
        type_and_wait(&api.url, text, &api.token, at, &format!("Édition {i}. ")).await;
        times.push(api.time_get(path).await);
    }
    times.sort();
    times
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|at| args.get(at + 1))
        .cloned();
    let runs = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let length = Duration::from_secs(if quick { 5 } else { 20 });
    let amendments = if quick { 200 } else { AMENDMENTS };

    println!(
        "## Amendments benchmarks ({amendments} amendments on a {TEXT_CHARS}-character text{})\n",
        if quick { ", quick" } else { "" }
    );
    println!("| measure | result | baseline (same run) | ratio |\n|---|---|---|---|");

    if runs("reading") || runs("placement") {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let started = Instant::now();
        let (server, api, text, amendment, members) = convention(&data, amendments).await;
        eprintln!(
            "{amendments} amendments filed in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let settled = api.settle().await;
        eprintln!(
            "the event consumers caught up {:.1} s later",
            settled.as_secs_f64()
        );

        if runs("reading") {
            let (base_rate, _, base_p99) =
                load(&server.url, "/healthz", &[], CONNECTIONS, length).await;
            for (label, path) in [
                ("reading view with its margins", format!("/texts/{text}")),
                ("amendment list", format!("/texts/{text}/amendments")),
                ("an amendment's page", format!("/amendments/{amendment}")),
            ] {
                let bytes = weight(&server.url, &path, &members[0]).await;
                let (rate, p50, p99) =
                    load(&server.url, &path, &members, CONNECTIONS, length).await;
                println!(
                    "| {label} ({} kB), {CONNECTIONS} connections | {rate:.0} req/s, p50 {}, p99 {} | /healthz: {base_rate:.0} req/s, p99 {} | {:.2}× the rate, {:.1}× the p99 |",
                    bytes / 1000,
                    ms(p50),
                    ms(p99),
                    ms(base_p99),
                    rate / base_rate,
                    p99.as_secs_f64() / base_p99.as_secs_f64()
                );
            }
            // The same members once they may no longer file (the text's group only): their
            // reading view has the margins but neither the filing controls nor the source
            // ranges, a lighter page for the same work.
            api.send(
                reqwest::Method::PUT,
                &format!("/api/v1/texts/{text}/amendment_rules"),
                Some(json!({"filers": "group"})),
            )
            .await;
            let path = format!("/texts/{text}");
            let bytes = weight(&server.url, &path, &members[0]).await;
            let (rate, p50, p99) = load(&server.url, &path, &members, CONNECTIONS, length).await;
            println!(
                "| reading view with its margins, readers who may not file ({} kB), {CONNECTIONS} connections | {rate:.0} req/s, p50 {}, p99 {} | /healthz: {base_rate:.0} req/s, p99 {} | {:.2}× the rate, {:.1}× the p99 |",
                bytes / 1000,
                ms(p50),
                ms(p99),
                ms(base_p99),
                rate / base_rate,
                p99.as_secs_f64() / base_p99.as_secs_f64()
            );
            api.send(
                reqwest::Method::PUT,
                &format!("/api/v1/texts/{text}/amendment_rules"),
                Some(json!({"filers": "party"})),
            )
            .await;
        }

        if runs("placement") {
            let n = if quick { 10 } else { 40 };
            let read = after_edits(&api, &text, &format!("/api/v1/texts/{text}"), n).await;
            let listed =
                after_edits(&api, &text, &format!("/api/v1/texts/{text}/amendments"), n).await;
            println!(
                "| list of the {amendments} amendments just after an edit (API, placing them all) | p50 {}, p99 {} | the text's read (API) after an edit: p50 {}, p99 {} | {:.1}× the p50 |",
                ms(quantile(&listed, 0.5)),
                ms(quantile(&listed, 0.99)),
                ms(quantile(&read, 0.5)),
                ms(quantile(&read, 0.99)),
                quantile(&listed, 0.5).as_secs_f64() / quantile(&read, 0.5).as_secs_f64()
            );
            let inside = |q| api.metric_quantile("atelier_amendments_placement_seconds", q);
            if let (Some(p50), Some(p99)) = (inside("0.5").await, inside("0.99").await) {
                println!(
                    "| placing {amendments} amendments inside the server (resolve, outdated, overlaps) | p50 {}, p99 {} | goal: 20 ms | {:.2}× the goal (p99) |",
                    ms(p50),
                    ms(p99),
                    p99.as_secs_f64() / 0.020
                );
            }
        }
        drop(server);
    }

    if runs("diff") {
        let (old, new) = successive_versions();
        let (old_words, new_words) = (words(&old).len(), words(&new).len());
        let deadline = Duration::from_millis(500);
        let repeat = if quick { 3 } else { 10 };
        let mut floor = Vec::new();
        let mut diffs = Vec::new();
        let mut changed = 0;
        for _ in 0..repeat {
            let started = Instant::now();
            let n = words(&old).len() + words(&new).len();
            std::hint::black_box(n);
            floor.push(started.elapsed());
            let started = Instant::now();
            let diff = atelier::markup::word_diff(&old, &new, deadline);
            diffs.push(started.elapsed());
            assert!(!diff.truncated, "a real pair must not need the deadline");
            changed = diff.insertions + diff.deletions;
        }
        floor.sort();
        diffs.sort();
        println!(
            "| word diff of two successive versions ({old_words} and {new_words} words, {changed} words changed) | median {} | splitting both into words: {} | {:.1}× |",
            ms(quantile(&diffs, 0.5)),
            ms(quantile(&floor, 0.5)),
            quantile(&diffs, 0.5).as_secs_f64() / quantile(&floor, 0.5).as_secs_f64()
        );
        // Myers' worst case: two unrelated sequences over two words, where nearly every
        // diagonal holds a short match and the edit distance is half the length.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut random_words = |n: usize| -> String {
            (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    if seed >> 63 == 0 { "oui " } else { "non " }
                })
                .collect()
        };
        let a = random_words(DIFF_WORDS);
        let b = random_words(DIFF_WORDS);
        let started = Instant::now();
        let diff = atelier::markup::word_diff(&a, &b, deadline);
        let took = started.elapsed();
        println!(
            "| pathological pair ({DIFF_WORDS} random words each of « oui » and « non »), deadline {} | {} (cut by the deadline: {}) | the deadline | {:.2}× |",
            ms(deadline),
            ms(took),
            if diff.truncated { "yes" } else { "no" },
            took.as_secs_f64() / deadline.as_secs_f64()
        );
    }
}
