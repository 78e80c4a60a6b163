//! Co-editing benchmarks (issue 3), each reported with a baseline measured in the same run:
//!
//! 1. **Trace replay.** The real keystroke trace `automerge-paper` (259,778 edits writing a
//!    104,852-character paper) typed by one client through the server's sync path: each edit is
//!    a change sent as the browser sends it (one sync message per keystroke, without waiting),
//!    until the server has acknowledged the last one. Baseline: the same edits applied directly
//!    to an automerge document in this process.
//! 2. **Typing load.** N clients (10, 50, 100, 200) on one 100,000-character text, each typing 2
//!    keystrokes a second into its own paragraph; the time from a keystroke to its arrival at
//!    every other client (p50, p99) and the server's CPU. Baseline: the same path with 2 clients
//!    (one typing), i.e. the floor of storing a change and fanning it out.
//! 3. **Memory.** 1,000 texts opened, then left idle until the hub evicts them: the server's
//!    resident memory before opening, once they are open, and after eviction.
//! 4. **Index lag.** A probe types a new word into a text of its own every 1.5 s and searches
//!    for it (`GET /api/v1/search`) until found: the time from the server's acknowledgement of
//!    the keystrokes to the first answer that finds them, while 100 typists type on the
//!    100,000-character text (whose every edited event makes the indexer re-read it whole), and
//!    the server's own `atelier_search_index_lag_seconds` (an event's append to the commit that
//!    makes it searchable). Baseline: the same probe on the idle server, in the same run.
//!
//! The typing clients are light on purpose: 100 browsers would each apply every other client's
//! keystrokes to their own copy of the text, which on this 2-core machine would starve the
//! server being measured. Each client decodes what the server sends (noting which keystrokes
//! arrived), acknowledges it with the server's heads, and sends real automerge changes written
//! as a browser that applied everything would write them: each keystroke depends on the heads
//! the client last saw and numbers its operation after every operation it has seen (see
//! `Keyboard`). `--branches` makes the clients type as if they never merged (each keystroke
//! depends only on the client's previous one), which leaves one branch per typist in the
//! document: a harsher load on the server's sync computations than real browsers make.
//! `--branches` goes with the other options, e.g. `-- --only typing --branches`.
//!
//! Run: `cargo bench --bench coediting` (`-- --quick` for a short run, `-- --only typing` for one
//! part: `replay`, `typing`, `memory` or `index`; `--clients N` for one typing load). It prints Markdown rows
//! for BENCHMARKS.md. Reads the trace from `../shared/data/traces/`.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use automerge::sync::{self, BloomFilter, ChunkList, Have, MessageVersion};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, Change, ChangeHash, ObjType, ROOT, ReadDoc};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use common::sync::{
    ENCODING, Socket, change_message, initial_sync, read_frames, send_change, sync_socket,
};
use common::{Server, atelier, cpu_time, ms, quantile, resident_bytes, run, start_server};

const TRACE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/traces/automerge-paper.json.gz"
);
const EMAIL: &str = "banc@exemple.fr";
const PASSWORD: &str = "banc d'essai de la co-édition";

/// A server with an admin account, a bearer token and a theme to put texts in.
struct Bench {
    server: Server,
    token: String,
    group: String,
    http: reqwest::Client,
}

impl Bench {
    async fn start(data: &Path, extra: &[&str]) -> Bench {
        run(atelier()
            .args(["member", "add", "--email", EMAIL, "--name", "Banc d'essai"])
            .args(["--password", PASSWORD, "--role", "admin", "--data-dir"])
            .arg(data));
        let (server, _) = start_server(data, extra);
        let http = reqwest::Client::new();
        let session: Value = http
            .post(format!("{}/api/v1/session", server.url))
            .json(&json!({"email": EMAIL, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = session["token"].as_str().expect("token").to_owned();
        let mut bench = Bench {
            server,
            token,
            group: String::new(),
            http,
        };
        let group = bench
            .post(
                "/api/v1/groups",
                json!({"kind": "theme", "name": "Banc d'essai"}),
            )
            .await;
        bench.group = group["id"].as_str().expect("group id").to_owned();
        bench
    }

    /// Stops the server and starts a new one on the same data (the token stays valid).
    fn restart(&mut self, data: &Path, extra: &[&str]) {
        let (server, _) = start_server(data, extra);
        self.server = server;
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.server.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        let response = self
            .http
            .get(format!("{}{path}", self.server.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response
    }

    async fn create_text(&self, title: &str, markdown: &str) -> String {
        let body =
            json!({"group_id": self.group, "title": title, "kind": "wiki", "markdown": markdown});
        let text = self.post("/api/v1/texts", body).await;
        text["id"].as_str().expect("text id").to_owned()
    }

    async fn markdown(&self, text: &str) -> String {
        let text: Value = self
            .get(&format!("/api/v1/texts/{text}"))
            .await
            .json()
            .await
            .unwrap();
        text["markdown"].as_str().expect("markdown").to_owned()
    }

    async fn open_documents(&self) -> u64 {
        let metrics = self.get("/metrics").await.text().await.unwrap();
        metrics
            .lines()
            .find_map(|l| l.strip_prefix("atelier_open_documents "))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0) as u64
    }

    async fn connect(&self, text: &str) -> Socket {
        sync_socket(&self.server.url, text, &self.token).await
    }
}

// ---- 1. Trace replay ----

/// One transaction of the trace: (position, characters deleted, text inserted) patches.
type Txn = Vec<(usize, usize, String)>;

fn load_trace() -> (Vec<Txn>, String) {
    let file = std::fs::File::open(TRACE)
        .unwrap_or_else(|e| panic!("cannot open the editing trace {TRACE}: {e}"));
    let trace: Value = serde_json::from_reader(flate2::read::GzDecoder::new(file)).unwrap();
    let txns = trace["txns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|txn| {
            txn["patches"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p[0].as_u64().unwrap() as usize,
                        p[1].as_u64().unwrap() as usize,
                        p[2].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .collect();
    (txns, trace["endContent"].as_str().unwrap().to_owned())
}

fn apply_txn(doc: &mut AutoCommit, text: &automerge::ObjId, txn: &Txn) {
    for (pos, del, ins) in txn {
        doc.splice_text(text, *pos, *del as isize, ins).unwrap();
    }
    doc.commit();
}

/// The baseline: the edits applied to a local document, one change per transaction.
fn replay_locally(txns: &[Txn]) -> (Duration, String) {
    let mut doc = AutoCommit::new_with_encoding(ENCODING);
    let text = doc.put_object(ROOT, "markdown", ObjType::Text).unwrap();
    doc.commit();
    let started = Instant::now();
    for txn in txns {
        apply_txn(&mut doc, &text, txn);
    }
    let took = started.elapsed();
    (took, doc.text(&text).unwrap())
}

/// The trace typed through the server: one sync message per edit, sent without waiting for
/// answers, until the server has acknowledged the last one. Each message carries the edit's
/// change and the client's heads, as a browser's does; the client builds it directly instead of
/// through `generate_sync_message`, whose bookkeeping (a Bloom filter of every change not yet
/// acknowledged, per message) would otherwise cost this process more than the server costs.
async fn replay_through_server(bench: &Bench, txns: &[Txn]) -> (Duration, String, String) {
    let id = bench.create_text("Trace automerge-paper", "").await;
    let (mut sink, stream) = bench.connect(&id).await.split();
    let mut frames = read_frames(stream);
    let mut doc = initial_sync(&mut sink, &mut frames).await;
    let text = doc.get(ROOT, "markdown").unwrap().expect("markdown").1;
    // A text created empty starts from its kind's template: clear it, as the trace starts empty.
    let template = doc.text(&text).unwrap().encode_utf16().count();
    doc.splice_text(&text, 0, template as isize, "").unwrap();
    let mut last = doc.commit().expect("a change");
    send_change(&mut sink, &mut doc, last).await;
    let started = Instant::now();
    for txn in txns {
        apply_txn(&mut doc, &text, txn);
        last = doc.get_heads()[0];
        send_change(&mut sink, &mut doc, last).await;
    }
    // Done when the server's heads (sent only once stored) include our last change.
    loop {
        let bytes = frames.recv().await.expect("the server's acknowledgement");
        if sync::Message::decode(&bytes).unwrap().heads.contains(&last) {
            break;
        }
    }
    let took = started.elapsed();
    let _ = sink.close().await;
    let markdown = bench.markdown(&id).await;
    (took, markdown, id)
}

/// What the history of a long text costs (issue 11): its first page of sessions, first with
/// the word counts to compute (the document read at the sessions' boundaries), then with them
/// remembered; and the rendered diff of the whole text, from the start to now. The stored
/// batches of the first page, summed.
async fn history_timings(bench: &Bench, id: &str) -> (Duration, Duration, Duration, u64) {
    let sessions = format!("/api/v1/texts/{id}/sessions");
    let started = Instant::now();
    let page: Value = bench.get(&sessions).await.json().await.unwrap();
    let cold = started.elapsed();
    let started = Instant::now();
    bench.get(&sessions).await.bytes().await.unwrap();
    let warm = started.elapsed();
    let started = Instant::now();
    bench
        .get(&format!("/texts/{id}/diff?from=start&to=now"))
        .await
        .bytes()
        .await
        .unwrap();
    let diff = started.elapsed();
    let batches = page["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["batches"].as_u64())
        .sum();
    (cold, warm, diff, batches)
}

// ---- 2. Typing load ----

/// Writes one client's keystrokes ("x" at the end of its paragraph) as automerge changes,
/// without applying the other clients' changes. The first keystroke is made by the client's
/// own copy of the document; the next ones are that change rewritten: the next sequence number,
/// the operation counted after every operation seen so far, inserted after the previous
/// keystroke, and depending on the heads the client last saw (a browser's next change depends
/// on everything it has applied) or, with `branches`, on its own previous keystroke only.
struct Keyboard {
    doc: AutoCommit,
    at: usize,
    branches: bool,
    template: Option<automerge::ExpandedChange>,
    /// The counter of our last operation, and our last change.
    last: Option<(u64, ChangeHash)>,
    max_op_seen: u64,
}

impl Keyboard {
    fn new(doc: AutoCommit, at: usize, branches: bool) -> Keyboard {
        Keyboard {
            doc,
            at,
            branches,
            template: None,
            last: None,
            max_op_seen: 0,
        }
    }

    /// Notes a change received from the server.
    fn saw(&mut self, change: &Change) {
        self.max_op_seen = self.max_op_seen.max(change.max_op());
    }

    fn key(&mut self, server_heads: &[ChangeHash]) -> Change {
        use automerge::legacy::{ElementId, Key, OpId};
        let Some(template) = &self.template else {
            let text = self.doc.get(ROOT, "markdown").unwrap().expect("markdown").1;
            self.doc.splice_text(&text, self.at, 0, "x").unwrap();
            self.doc.commit().expect("a change");
            let change = self.doc.get_last_local_change().expect("the change");
            self.max_op_seen = self.max_op_seen.max(change.max_op());
            self.last = Some((change.max_op(), change.hash()));
            self.template = Some(change.decode());
            return change;
        };
        let (previous_op, previous) = self.last.expect("a first keystroke");
        let mut next = template.clone();
        next.hash = None;
        next.seq += 1;
        let counter = self.max_op_seen.max(previous_op) + 1;
        next.start_op = std::num::NonZeroU64::new(counter).unwrap();
        next.operations[0].key = Key::Seq(ElementId::Id(OpId(previous_op, next.actor_id.clone())));
        next.deps = if self.branches {
            vec![previous]
        } else {
            let mut deps: Vec<ChangeHash> = server_heads.to_vec();
            deps.push(previous);
            deps.sort();
            deps.dedup();
            deps
        };
        let change = Change::from(next.clone());
        self.template = Some(next);
        self.max_op_seen = counter;
        self.last = Some((counter, change.hash()));
        change
    }
}

/// How the server ended typists' connections, when it did: printed if arrivals went missing.
static CLOSES: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn note_close(how: String) {
    CLOSES.lock().unwrap().push(how);
}

/// When each keystroke was sent, by change hash, and by which client.
type Sent = Arc<Mutex<HashMap<ChangeHash, (Instant, usize)>>>;

/// A light typing client (see the module's comment): its own branch of the document, real
/// changes out, the server's messages decoded and acknowledged without being applied.
async fn typist(
    bench: Arc<Bench>,
    text_id: String,
    mut keyboard: Keyboard,
    me: usize,
    typing: bool,
    schedule: (Instant, Duration, Instant),
    sent: Sent,
) -> Vec<Duration> {
    let (first_key, interval, stop) = schedule;
    let (mut sink, mut stream) = bench.connect(&text_id).await.split();
    let mut server_heads: Vec<ChangeHash> = Vec::new();
    let mut latencies = Vec::new();
    let mut next_key = first_key;
    let mut measuring = true;
    loop {
        let now = Instant::now();
        if now >= stop && measuring {
            measuring = false;
        }
        if !measuring && now >= stop + Duration::from_secs(2) {
            break;
        }
        let wait = if typing && measuring {
            next_key.saturating_duration_since(now)
        } else {
            Duration::from_millis(100)
        };
        tokio::select! {
            frame = stream.next() => {
                let Some(Ok(frame)) = frame else {
                    note_close(format!("{frame:?}").chars().take(120).collect());
                    break;
                };
                let bytes = match frame {
                    Message::Binary(bytes) => bytes,
                    Message::Close(close) => {
                        note_close(format!("{close:?}"));
                        break;
                    }
                    _ => continue,
                };
                let message = sync::Message::decode(&bytes).expect("a valid sync message");
                let arrived = Instant::now();
                {
                    let sent = sent.lock().unwrap();
                    for chunk in message.changes.iter() {
                        // The first message carries the whole document, not changes.
                        let Ok(change) = Change::from_bytes(chunk.to_vec()) else { continue };
                        keyboard.saw(&change);
                        if let Some((at, from)) = sent.get(&change.hash())
                            && *from != me
                        {
                            latencies.push(arrived - *at);
                        }
                    }
                }
                server_heads = message.heads.clone();
                // Acknowledge as a peer that applied everything: our heads are the server's.
                let ack = sync::Message {
                    heads: server_heads.clone(),
                    need: Vec::new(),
                    have: vec![Have { last_sync: server_heads.clone(), bloom: BloomFilter::default() }],
                    changes: ChunkList::empty(),
                    flags: None,
                    version: MessageVersion::V1,
                };
                if sink.send(Message::Binary(ack.encode().into())).await.is_err() {
                    break;
                }
            }
            _ = tokio::time::sleep(wait) => {
                if !(typing && measuring) || Instant::now() < next_key {
                    continue;
                }
                next_key += interval;
                let change = keyboard.key(&server_heads);
                let hash = change.hash();
                sent.lock().unwrap().insert(hash, (Instant::now(), me));
                let mut heads = server_heads.clone();
                heads.retain(|head| !change.deps().contains(head));
                heads.push(hash);
                let mut message = change_message(heads.clone(), change.raw_bytes().to_vec());
                message.have = vec![Have { last_sync: heads, bloom: BloomFilter::default() }];
                if sink.send(Message::Binary(message.encode().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = sink.close().await;
    latencies
}

struct LoadResult {
    p50: Duration,
    p99: Duration,
    arrivals: usize,
    cores: f64,
}

/// `clients` clients on one 100,000-character text for `length`, `typists` of them typing
/// `rate` keystrokes a second.
async fn typing_load(
    bench: &Arc<Bench>,
    clients: usize,
    typists: usize,
    rate: f64,
    length: Duration,
    branches: bool,
) -> LoadResult {
    let paragraph = format!("{}\n", "a".repeat(999));
    let markdown = paragraph.repeat(100);
    let id = bench
        .create_text(&format!("Charge de frappe {clients}"), &markdown)
        .await;
    // Every client starts from the server's document (one copy loaded here, forked per client).
    let (mut sink, stream) = bench.connect(&id).await.split();
    let mut base = initial_sync(&mut sink, &mut read_frames(stream)).await;
    let _ = sink.close().await;

    let sent: Sent = Arc::default();
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now() + Duration::from_secs(2);
    let stop = start + length;
    let mut tasks = Vec::new();
    for me in 0..clients {
        // Keystrokes spread evenly over the interval.
        let first = start + interval * me as u32 / clients as u32;
        tasks.push(tokio::spawn(typist(
            bench.clone(),
            id.clone(),
            // Each client types at the end of its own paragraph (of 1,000 characters).
            Keyboard::new(base.fork(), (me % 100) * 1000 + 999, branches),
            me,
            me < typists,
            (first, interval, stop),
            sent.clone(),
        )));
    }
    tokio::time::sleep_until(start.into()).await;
    let cpu_before = cpu_time(bench.server.pid());
    tokio::time::sleep_until(stop.into()).await;
    let cpu = cpu_time(bench.server.pid()) - cpu_before;
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort();
    let keystrokes = sent.lock().unwrap().len();
    let expected = keystrokes * (clients - 1);
    let closes = std::mem::take(&mut *CLOSES.lock().unwrap());
    assert!(
        all.len() * 100 >= expected * 99,
        "{} of {expected} keystroke arrivals seen: the server lost some; {} connections ended \
         early: {:?}",
        all.len(),
        closes.len(),
        closes.iter().take(5).collect::<Vec<_>>()
    );
    LoadResult {
        p50: quantile(&all, 0.5),
        p99: quantile(&all, 0.99),
        arrivals: all.len(),
        cores: cpu.as_secs_f64() / length.as_secs_f64(),
    }
}

// ---- 4. Index lag ----

/// Types `probes` new words into a text of its own, one every `every`, each searched for until
/// found: the time from the server's acknowledgement to the first search that finds it.
async fn index_probe(bench: &Bench, probes: usize, every: Duration, label: &str) -> Vec<Duration> {
    let id = bench
        .create_text(&format!("Sonde {label}"), "Une sonde.\n")
        .await;
    let (mut sink, stream) = bench.connect(&id).await.split();
    let mut frames = read_frames(stream);
    let mut doc = initial_sync(&mut sink, &mut frames).await;
    let text = doc.get(ROOT, "markdown").unwrap().expect("markdown").1;
    let mut lags = Vec::new();
    for i in 0..probes {
        let next = Instant::now() + every;
        let word = format!("sonde{label}{i}");
        let end = doc.text(&text).unwrap().encode_utf16().count();
        doc.splice_text(&text, end, 0, &format!("\n{word}\n"))
            .unwrap();
        let head = doc.commit().expect("a change");
        send_change(&mut sink, &mut doc, head).await;
        loop {
            let bytes = frames.recv().await.expect("the server's acknowledgement");
            if sync::Message::decode(&bytes).unwrap().heads.contains(&head) {
                break;
            }
        }
        let stored = Instant::now();
        let path = format!("/api/v1/search?q={word}");
        loop {
            let found: Value = bench.get(&path).await.json().await.unwrap();
            if found["total"].as_u64().unwrap_or(0) > 0 {
                break;
            }
            assert!(
                stored.elapsed() < Duration::from_secs(60),
                "{word} never found"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        lags.push(stored.elapsed());
        tokio::time::sleep_until(next.into()).await;
    }
    let _ = sink.close().await;
    lags.sort();
    lags
}

/// A quantile of the server's `atelier_search_index_lag_seconds` (a summary in `/metrics`).
async fn server_index_lag(bench: &Bench, quantile: &str) -> Option<Duration> {
    let metrics = bench.get("/metrics").await.text().await.unwrap();
    let prefix = format!("atelier_search_index_lag_seconds{{quantile=\"{quantile}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(Duration::from_secs_f64)
}

// ---- 3. Memory ----

fn programme_chapters() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/demo/programme");
    let mut chapters: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    chapters.sort();
    assert!(!chapters.is_empty(), "no chapters in {}", dir.display());
    chapters
}

async fn wait_for_open_documents(bench: &Bench, wanted: impl Fn(u64) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !wanted(bench.open_documents().await) {
        assert!(
            Instant::now() < deadline,
            "the open documents did not reach the expected count"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    // `--only replay|typing|memory` runs one part (to profile it); all three by default.
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|at| args.get(at + 1))
        .cloned();
    // `--clients N` types with N clients only (default: 10, 50, 100 and 200).
    let client_counts: Vec<usize> = args
        .iter()
        .position(|a| a == "--clients")
        .and_then(|at| args.get(at + 1))
        .map(|n| vec![n.parse().expect("--clients takes a number")])
        .unwrap_or_else(|| vec![10, 50, 100, 200]);
    let branches = args.iter().any(|a| a == "--branches");
    let number = |flag: &str| -> Option<f64> {
        args.iter()
            .position(|a| a == flag)
            .and_then(|at| args.get(at + 1))
            .map(|n| {
                n.parse()
                    .unwrap_or_else(|_| panic!("{flag} takes a number"))
            })
    };
    // `--rate K`: keystrokes a second per typist (default 2); `--typists N`: how many of the
    // clients type (default all), the others read.
    let rate = number("--rate").unwrap_or(2.0);
    let typists = number("--typists").map(|n| n as usize);
    let mode = if branches {
        " (clients that never merge)"
    } else {
        ""
    };
    let runs = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let dir = tempfile::tempdir().unwrap();
    // Every client of the bench is one member, and the replay sends 17,000 changes a second: the
    // per-member rates (`collab::flow`, meant for people) are raised so that they measure the
    // server's co-editing path, not the limiter's verdict.
    let settings = dir.path().join("bench.toml");
    std::fs::write(
        &settings,
        "peer_bytes_per_second = 1e12\npeer_changes_per_second = 1e12\npeer_changes_burst = 1e12\npeer_operations_per_second = 1e12\npeer_operations_burst = 1e12\n",
    )
    .unwrap();
    let settings = settings.to_str().expect("a UTF-8 temporary path");
    let bench = Arc::new(
        Bench::start(
            &dir.path().join("data"),
            &["--doc-idle-secs", "5", "--config", settings],
        )
        .await,
    );
    println!(
        "## Co-editing benchmarks{}\n",
        if quick { " (quick)" } else { "" }
    );
    println!("| measure | result | baseline (same run) | ratio |\n|---|---|---|---|");

    // 1. Trace replay.
    if runs("replay") {
        let (mut txns, end) = load_trace();
        let edits = if quick { 20_000 } else { txns.len() };
        txns.truncate(edits);
        let (local, local_text) = replay_locally(&txns);
        let (served, served_text, id) = replay_through_server(&bench, &txns).await;
        assert!(
            served_text == local_text,
            "the server's text ({} characters) differs from the local replay ({} characters)",
            served_text.len(),
            local_text.len()
        );
        assert!(
            quick || local_text == end,
            "the replay does not reproduce the trace's final text"
        );
        let rate = |d: Duration| edits as f64 / d.as_secs_f64();
        println!(
            "| trace replay ({edits} edits) through the sync WebSocket | {:.0} edits/s ({:.1} s) | applied directly to a document: {:.0} edits/s ({:.1} s) | {:.2}× the direct rate |",
            rate(served),
            served.as_secs_f64(),
            rate(local),
            local.as_secs_f64(),
            rate(served) / rate(local)
        );
        let (cold, warm, diff, batches) = history_timings(&bench, &id).await;
        println!(
            "| history of the replayed text: first page of sessions ({batches} stored batches) | {} with word counts to compute, {} once remembered | — | reported |",
            ms(cold),
            ms(warm)
        );
        println!(
            "| history of the replayed text: rendered diff from the start to now | {} | — | reported |",
            ms(diff)
        );
    }

    // 2. Typing load.
    if runs("typing") {
        let length = Duration::from_secs(if quick { 6 } else { 20 });
        let floor = typing_load(&bench, 2, 1, 2.0, length, branches).await;
        println!(
            "| typing{mode}, 2 clients (1 typing) on 100,000 characters | p50 {}, p99 {}, server {:.2} cores | — | 1 |",
            ms(floor.p50),
            ms(floor.p99),
            floor.cores
        );
        for clients in client_counts {
            let typing = typists.unwrap_or(clients).min(clients);
            let load = typing_load(&bench, clients, typing, rate, length, branches).await;
            let who = if typing == clients {
                format!("{clients} clients × {rate} keystrokes/s")
            } else {
                format!("{clients} clients, {typing} typing × {rate} keystrokes/s")
            };
            println!(
                "| typing{mode}, {who} on 100,000 characters ({} arrivals) | p50 {}, p99 {}, server {:.2} cores | 2 clients: p99 {} | {:.1}× the p99 |",
                load.arrivals,
                ms(load.p50),
                ms(load.p99),
                load.cores,
                ms(floor.p99),
                load.p99.as_secs_f64() / floor.p99.as_secs_f64()
            );
        }
    }

    // 4. Index lag: the probe alone, then beside 100 typists.
    if runs("index") {
        let probes = if quick { 8 } else { 30 };
        let every = Duration::from_millis(1500);
        let idle = index_probe(&bench, probes, every, "calme").await;
        let typing = typists.unwrap_or(100);
        let length = every * probes as u32 + Duration::from_secs(4);
        let load = tokio::spawn({
            let bench = bench.clone();
            async move { typing_load(&bench, typing, typing, rate, length, branches).await }
        });
        // The typists start two seconds after their text is made; the probe starts then.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let busy = index_probe(&bench, probes, every, "charge").await;
        let load = load.await.unwrap();
        let server_p99 = server_index_lag(&bench, "0.99").await;
        println!(
            "| index lag, acknowledged edit → found by search, beside {typing} typists × {rate} keystrokes/s ({probes} probes; typing p99 {}) | p50 {}, p99 {} | idle server: p50 {}, p99 {} | {:.1}× the p99 |",
            ms(load.p99),
            ms(quantile(&busy, 0.5)),
            ms(quantile(&busy, 0.99)),
            ms(quantile(&idle, 0.5)),
            ms(quantile(&idle, 0.99)),
            quantile(&busy, 0.99).as_secs_f64() / quantile(&idle, 0.99).as_secs_f64()
        );
        println!(
            "| index lag inside the server (event appended → searchable), whole run | p99 {} | — | reported |",
            server_p99.map_or("—".to_owned(), ms)
        );
    }

    // 3. Memory, on a server of its own: texts created, the server restarted (so that nothing
    // of their creation stays in its memory), then the texts opened, then left idle.
    drop(bench);
    if !runs("memory") {
        return;
    }
    let data = dir.path().join("memory");
    let mut bench = Bench::start(&data, &["--doc-idle-secs", "5"]).await;
    let chapters = programme_chapters();
    let count = if quick { 200 } else { 1000 };
    let mut ids = Vec::new();
    for i in 0..count {
        let chapter = &chapters[i % chapters.len()];
        ids.push(bench.create_text(&format!("Chapitre {i}"), chapter).await);
    }
    bench.restart(&data, &["--doc-idle-secs", "5"]);
    let pid = bench.server.pid();
    let before = resident_bytes(pid);
    for id in &ids {
        bench.get(&format!("/api/v1/texts/{id}")).await;
    }
    wait_for_open_documents(&bench, |n| n as usize >= count).await;
    let open = resident_bytes(pid);
    wait_for_open_documents(&bench, |n| n == 0).await;
    // Allocators hand freed memory back to the system after a short delay.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = resident_bytes(pid);
    // A second round tells memory kept for reuse from memory lost.
    for id in &ids {
        bench.get(&format!("/api/v1/texts/{id}")).await;
    }
    wait_for_open_documents(&bench, |n| n as usize >= count).await;
    let reopened = resident_bytes(pid);
    println!(
        "| resident memory, {count} texts open | {} (+{}) | before opening: {} | {:.2}× |",
        mib(open),
        mib(open.saturating_sub(before)),
        mib(before),
        open as f64 / before as f64
    );
    println!(
        "| resident memory after the idle texts were evicted | {} | before opening: {} | {:.2}× (keeps {:.0} % of the growth) |",
        mib(after),
        mib(before),
        after as f64 / before as f64,
        100.0 * after.saturating_sub(before) as f64 / open.saturating_sub(before).max(1) as f64
    );
    println!(
        "| resident memory, the same {count} texts opened again | {} | first opening: {} | {:.2}× |",
        mib(reopened),
        mib(open),
        reopened as f64 / open as f64
    );
}
