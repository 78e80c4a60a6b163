//! The outbox (issue 12, point 1): events appended in their writes' transactions, gap-free and in
//! order; consumers that resume, retry, stay apart and, once per cluster, hand over.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atelier::collab::{Passage, Splice};
use atelier::events::{Consumer, Event, EventKind, RunnerSettings, Runners, Scope};
use atelier::model::{
    Email, GroupId, GroupKind, MemberId, Role, TextId, TextKind, TextStatus, Visibility,
};
use atelier::store::{ChunkEvent, ConnectOptions, Db, NewChunk, NewText};
use serde_json::json;
use tokio::time::Instant;

use crate::harness::{Backend, TestApp};
use crate::store_suite::on_both_backends;
use crate::sync_client::{Auth, SyncClient};

/// Declares `<name>::on_sqlite` and `<name>::on_postgres` for a test of a whole server,
/// written once as `async fn(Backend)`.
macro_rules! on_both_servers {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn on_sqlite() {
                    super::$name(crate::harness::Backend::Sqlite).await;
                }

                #[tokio::test]
                #[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
                async fn on_postgres() {
                    super::$name(crate::harness::Backend::Postgres).await;
                }
            }
        )+
    };
}

on_both_servers!(
    cluster_consumers_run_on_one_server_at_a_time,
    text_events_through_the_api,
    typing_appends_coalesced_edit_events,
    a_splice_appends_its_cause_and_the_edit,
);

on_both_backends!(
    a_consumer_resumes_from_its_durable_position_and_sees_every_event_in_order,
    a_failing_consumer_is_retried_with_backoff_and_holds_up_no_other,
);

/// A group, a member and a text (its document is not used here), and the outbox's position
/// before the text: the tests count the events from there (the group's own come before).
async fn text_in_group(db: &Db, slug: &str) -> (GroupId, MemberId, TextId, i64) {
    let group = db.ensure_national_group("Parti").await.unwrap();
    let base = db.last_event_position().await.unwrap();
    let email = Email::parse(&format!("{slug}@exemple.fr")).unwrap();
    let member = db
        .create_member(&atelier::store::NewMember {
            email: &email,
            name: slug,
            password_hash: None,
        })
        .await
        .unwrap();
    let text = db
        .create_text(&new_text(group, slug, member))
        .await
        .unwrap();
    (group, member, text, base)
}

fn new_text<'a>(group: GroupId, slug: &'a str, author: MemberId) -> NewText<'a> {
    NewText {
        group,
        kind: TextKind::Programme,
        title: slug,
        slug,
        markdown: "",
        document: b"",
        heads: "[]",
        author: Some(author),
    }
}

fn chunk<'a>(text: TextId, author: &'a [(Option<MemberId>, i32)], edited: bool) -> NewChunk<'a> {
    NewChunk {
        text,
        bytes: b"chunk",
        authors: author,
        heads: "[]",
        message: None,
        edited,
        events: &[],
    }
}

/// `n` events: the text's status moved back and forth.
async fn status_moves(db: &Db, text: TextId, n: usize) {
    for _ in 0..n {
        let from = db.text(text).await.unwrap().unwrap().status;
        let to = if from == TextStatus::Drafting {
            TextStatus::Amending
        } else {
            TextStatus::Drafting
        };
        assert!(db.set_text_status(text, from, to, None).await.unwrap());
    }
}

async fn all_events(db: &Db) -> Vec<Event> {
    db.events_after(0, 100_000).await.unwrap()
}

/// What the test consumers did, shared between their runs (as a disk would be).
#[derive(Default)]
struct Journal {
    /// (consumer's label, position) of every event handled successfully, in order.
    handled: Vec<(String, i64)>,
    /// When each failing attempt happened.
    failures: Vec<Instant>,
    /// The durable position of each per-server consumer.
    committed: HashMap<String, i64>,
    /// The consumers whose handling waits while they are here: stalled servers.
    stalled: std::collections::HashSet<String>,
    /// Where a consumer that committed nothing starts: the events before belong to other tests'
    /// setup (the national group's creation).
    start: i64,
}

/// A journal whose consumers start after `start`.
fn journal_from(start: i64) -> Shared {
    Arc::new(Mutex::new(Journal {
        start,
        ..Journal::default()
    }))
}

/// Positions `from..=to` counted from `base`.
fn counted(base: i64, from: i64, to: i64) -> Vec<i64> {
    (base + from..=base + to).collect()
}

type Shared = Arc<Mutex<Journal>>;

struct Recorder {
    name: String,
    label: String,
    scope: Scope,
    journal: Shared,
    /// Fails on this position, this many times.
    fail_at: Option<(i64, u32)>,
    /// Its commits fail: nothing it handles becomes durable (as if it crashed each time).
    commits_fail: bool,
}

impl Recorder {
    fn new(name: &str, label: &str, scope: Scope, journal: &Shared) -> Recorder {
        Recorder {
            name: name.to_owned(),
            label: label.to_owned(),
            scope,
            journal: journal.clone(),
            fail_at: None,
            commits_fail: false,
        }
    }
}

#[async_trait::async_trait]
impl Consumer for Recorder {
    fn name(&self) -> &str {
        &self.name
    }

    fn scope(&self) -> Scope {
        self.scope
    }

    async fn position(&mut self) -> anyhow::Result<i64> {
        let journal = self.journal.lock().unwrap();
        Ok(journal
            .committed
            .get(&self.label)
            .copied()
            .unwrap_or(journal.start))
    }

    async fn handle(&mut self, batch: &[Event]) -> anyhow::Result<()> {
        loop {
            let stalled = self.journal.lock().unwrap().stalled.contains(&self.label);
            if !stalled {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if let Some((at, left)) = &mut self.fail_at
            && *left > 0
            && batch.iter().any(|e| e.position == *at)
        {
            if batch.len() == 1 {
                *left -= 1;
                self.journal.lock().unwrap().failures.push(Instant::now());
            }
            anyhow::bail!("cannot handle event {at}");
        }
        let mut journal = self.journal.lock().unwrap();
        for event in batch {
            journal.handled.push((self.label.clone(), event.position));
        }
        Ok(())
    }

    async fn commit(&mut self, position: i64) -> anyhow::Result<()> {
        if self.commits_fail {
            anyhow::bail!("the disk is full");
        }
        self.journal
            .lock()
            .unwrap()
            .committed
            .insert(self.label.clone(), position);
        Ok(())
    }
}

fn quick() -> RunnerSettings {
    RunnerSettings {
        poll_every: Duration::from_millis(50),
        first_retry: Duration::from_millis(50),
        last_retry: Duration::from_millis(400),
        lease: Duration::from_secs(1),
        ..RunnerSettings::default()
    }
}

async fn until(journal: &Shared, what: &str, done: impl Fn(&Journal) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done(&journal.lock().unwrap()) {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `consumer`'s stored position is `position` (what a commit stores, after the
/// handling a journal shows).
async fn stored_position(db: &Db, consumer: &str, position: i64) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let stored = db.consumer_position(consumer).await.unwrap().map(|p| p.0);
        if stored == Some(position) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{consumer}'s stored position is {stored:?}, not {position}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn positions_of(journal: &Journal, label: &str) -> Vec<i64> {
    journal
        .handled
        .iter()
        .filter(|(l, _)| l == label)
        .map(|(_, p)| *p)
        .collect()
}

fn run(db: &Db, consumer: Recorder) -> Runners {
    Runners::start(db, vec![Box::new(consumer)], quick())
}

/// Like `run`, with a lease long enough that a renewal made late by a loaded machine (every
/// third of it) still lands in time: where the test holds that one server keeps the lease.
fn run_leased(db: &Db, consumer: Recorder) -> Runners {
    let settings = RunnerSettings {
        lease: Duration::from_secs(5),
        ..quick()
    };
    Runners::start(db, vec![Box::new(consumer)], settings)
}

/// Runs `consumer` until the journal holds `handled` events, then stops it.
async fn run_until_handled(db: &Db, consumer: Recorder, journal: &Shared, handled: usize) {
    let runners = run(db, consumer);
    until(journal, &format!("{handled} events handled"), |j| {
        j.handled.len() == handled
    })
    .await;
    runners.stop(Duration::from_secs(5)).await;
}

async fn a_consumer_resumes_from_its_durable_position_and_sees_every_event_in_order(db: Db) {
    let (_, _, text, base) = text_in_group(&db, "texte").await;
    let journal = journal_from(base);
    status_moves(&db, text, 4).await;
    let runners = run(&db, Recorder::new("index", "a", Scope::PerServer, &journal));
    until(&journal, "the first five events", |j| j.handled.len() == 5).await;
    status_moves(&db, text, 2).await;
    until(&journal, "the events appended meanwhile", |j| {
        j.handled.len() == 7
    })
    .await;
    runners.stop(Duration::from_secs(5)).await;
    assert_eq!(
        positions_of(&journal.lock().unwrap(), "a"),
        counted(base, 1, 7)
    );
    assert_eq!(journal.lock().unwrap().committed["a"], base + 7);

    // Stopped: what is written meanwhile waits for it, and it resumes after its position.
    status_moves(&db, text, 2).await;
    let index = || Recorder::new("index", "a", Scope::PerServer, &journal);
    run_until_handled(&db, index(), &journal, 9).await;
    assert_eq!(
        positions_of(&journal.lock().unwrap(), "a"),
        counted(base, 1, 9)
    );

    // A run whose commits never become durable (a crash before each): the next run gets the
    // same events again (at least once), in order.
    let mut failing = index();
    failing.commits_fail = true;
    status_moves(&db, text, 2).await;
    run_until_handled(&db, failing, &journal, 11).await;
    assert_eq!(journal.lock().unwrap().committed["a"], base + 9);
    run_until_handled(&db, index(), &journal, 13).await;
    let seen = positions_of(&journal.lock().unwrap(), "a");
    assert_eq!(&seen[9..], [base + 10, base + 11, base + 10, base + 11]);
    assert_eq!(journal.lock().unwrap().committed["a"], base + 11);
}

async fn a_failing_consumer_is_retried_with_backoff_and_holds_up_no_other(db: Db) {
    let (_, _, text, base) = text_in_group(&db, "texte").await;
    let journal = journal_from(base);
    status_moves(&db, text, 9).await;
    let mut failing = Recorder::new("mailer", "failing", Scope::PerServer, &journal);
    failing.fail_at = Some((base + 6, 4));
    let runners = Runners::start(
        &db,
        vec![
            Box::new(failing),
            Box::new(Recorder::new("index", "steady", Scope::PerServer, &journal)),
        ],
        quick(),
    );
    until(&journal, "the steady consumer has every event", |j| {
        positions_of(j, "steady").len() == 10
    })
    .await;
    {
        let journal = journal.lock().unwrap();
        assert!(
            positions_of(&journal, "failing").len() < 10,
            "the failing consumer is still held up"
        );
        assert!(
            positions_of(&journal, "failing")
                .iter()
                .all(|p| *p < base + 6)
        );
    }
    status_moves(&db, text, 1).await;
    until(&journal, "both have every event", |j| {
        positions_of(j, "steady").len() == 11 && positions_of(j, "failing").len() == 11
    })
    .await;
    runners.stop(Duration::from_secs(5)).await;
    let journal = journal.lock().unwrap();
    // Never skipped, in order, each once (the failures handled nothing).
    assert_eq!(positions_of(&journal, "failing"), counted(base, 1, 11));
    assert_eq!(positions_of(&journal, "steady"), counted(base, 1, 11));
    // Four failures, each retried after twice the previous delay (50, 100, 200 ms).
    assert_eq!(journal.failures.len(), 4);
    for (k, pair) in journal.failures.windows(2).enumerate() {
        let waited = pair[1] - pair[0];
        let delay = Duration::from_millis(50 << k);
        assert!(
            waited >= delay,
            "retry {k} came after {waited:?}, before {delay:?}"
        );
    }
}

/// A second handle on the test app's database: another server of the same cluster.
async fn another_server(app: &TestApp) -> Db {
    Db::connect(&ConnectOptions {
        url: app.config.database_url(),
        sqlite_sync: app.config.sqlite_sync,
        max_connections: 4,
    })
    .await
    .unwrap()
}

async fn cluster_consumers_run_on_one_server_at_a_time(backend: Backend) {
    let app = TestApp::start_with(backend, |_| {}).await.unwrap();
    let db = app.app.db.clone();
    let servers = [
        db.clone(),
        another_server(&app).await,
        another_server(&app).await,
    ];
    let (_, _, text, base) = text_in_group(&db, "texte").await;
    let journal = journal_from(base);
    let mailer = |label: &str| Recorder::new("mailer", label, Scope::Cluster, &journal);
    let mut one = Some(run_leased(&servers[0], mailer("one")));
    let mut two = Some(run_leased(&servers[1], mailer("two")));
    status_moves(&db, text, 2).await;
    until(&journal, "the three events", |j| j.handled.len() == 3).await;
    let holder = journal.lock().unwrap().handled[0].0.clone();
    assert!(
        journal
            .lock()
            .unwrap()
            .handled
            .iter()
            .all(|(l, _)| *l == holder),
        "one server runs it"
    );

    // The holder stops: the other takes over from the stored position.
    let (stopping, running, other) = if holder == "one" {
        (&mut one, &mut two, "two")
    } else {
        (&mut two, &mut one, "one")
    };
    stopping.take().unwrap().stop(Duration::from_secs(5)).await;
    status_moves(&db, text, 1).await;
    until(&journal, "the other server's turn", |j| {
        j.handled.len() == 4
    })
    .await;
    assert_eq!(
        journal.lock().unwrap().handled[3],
        (other.to_owned(), base + 4)
    );
    // The position is stored by the commit that follows the handling, a moment later.
    stored_position(&db, "mailer", base + 4).await;

    // A third server waits while the holder stalls (as a dead one would): once the lease has
    // run out, the third takes over; the stalled one, when it wakes, finds the lease gone and
    // gives way.
    let third = run_leased(&servers[2], mailer("three"));
    journal.lock().unwrap().stalled.insert(other.to_owned());
    status_moves(&db, text, 1).await;
    until(&journal, "event 5 by the third server", |j| {
        j.handled.contains(&("three".to_owned(), base + 5))
    })
    .await;
    journal.lock().unwrap().stalled.clear();
    tokio::time::sleep(Duration::from_millis(300)).await;
    status_moves(&db, text, 1).await;
    until(&journal, "event 6", |j| {
        j.handled.iter().any(|(_, p)| *p == base + 6)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    {
        let journal = journal.lock().unwrap();
        let sixth: Vec<&(String, i64)> = journal
            .handled
            .iter()
            .filter(|(_, p)| *p == base + 6)
            .collect();
        assert_eq!(
            sixth,
            [&("three".to_owned(), base + 6)],
            "{:?}",
            journal.handled
        );
    }
    running.take().unwrap().stop(Duration::from_secs(5)).await;
    third.stop(Duration::from_secs(5)).await;
    let (stored, holder) = db.consumer_position("mailer").await.unwrap().unwrap();
    assert_eq!((stored, holder), (base + 6, None), "given up cleanly");
    for server in &servers[1..] {
        server.close().await;
    }
    app.stop().await;
}

/// Through the API and the sync socket: each kind of text event, by whom.
async fn text_events_through_the_api(backend: Backend) {
    let app = TestApp::start_with(backend, |_| {}).await.unwrap();
    let db = app.app.db.clone();
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Culture", national, Visibility::Public)
        .await;
    let organiser = app
        .member("organisatrice@exemple.fr", "Organisatrice")
        .await;
    app.grant(organiser, theme, Role::Organiser).await;
    let api = app.api_as("organisatrice@exemple.fr").await;
    let id = api.create_text(theme, "Culture").await;
    let text = TextId(id.parse().unwrap());
    let version = post(
        &api,
        &format!("/api/v1/texts/{id}/versions"),
        json!({"label": "Première"}),
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut client = editor(&app, &api, &id).await;
    client.append("\nUne phrase.\n").await;
    client.wait_saved().await;
    let restore = format!("/api/v1/texts/{id}/versions/{version}/restore");
    post(&api, &restore, json!({}), 200).await;
    post(
        &api,
        &format!("/api/v1/texts/{id}/status"),
        json!({"status": "amending"}),
        200,
    )
    .await;

    // The restore's batch may come too soon after the typing's: then the edit event it owes
    // follows it, before or after the status's.
    let position_of = |events: &[Event], kind| {
        events
            .iter()
            .rev()
            .find(|e| e.kind == kind)
            .map(|e| e.position)
    };
    let events = wait_for_events(&db, |events| {
        position_of(events, EventKind::TextStatusChanged).is_some()
            && position_of(events, EventKind::TextEdited)
                > position_of(events, EventKind::TextVersionRestored)
    })
    .await;
    // The groups were created first (by the test's harness: by nobody).
    let (groups, events): (Vec<Event>, Vec<Event>) =
        events.into_iter().partition(|e| e.text_id.is_none());
    let created: Vec<(EventKind, Option<GroupId>)> =
        groups.iter().map(|e| (e.kind, e.group_id)).collect();
    assert_eq!(
        created,
        [
            (EventKind::GroupCreated, Some(national)),
            (EventKind::GroupCreated, Some(theme)),
        ]
    );
    let kinds: Vec<EventKind> = events
        .iter()
        .map(|e| e.kind)
        .filter(|k| *k != EventKind::TextEdited)
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::TextCreated,
            EventKind::TextVersionRecorded,
            EventKind::TextVersionRestored,
            EventKind::TextStatusChanged,
        ],
        "{events:#?}"
    );
    assert_eq!(events[2].kind, EventKind::TextEdited, "the typing's");
    for event in &events {
        assert_eq!(event.text_id, Some(text));
        assert_eq!(event.group_id, Some(theme));
        assert_eq!(event.actor_id, Some(organiser), "{event:?}");
    }
    let restored = events
        .iter()
        .find(|e| e.kind == EventKind::TextVersionRestored)
        .unwrap();
    assert_eq!(restored.payload["version_id"].to_string(), version);
    client.close().await;
    app.stop().await;
}

/// A live editor of the text "Culture", its document received.
async fn editor(app: &TestApp, api: &crate::harness::Api, id: &str) -> SyncClient {
    let mut client = SyncClient::connect(&app.url, id, Auth::Bearer(api.token()))
        .await
        .unwrap();
    client
        .wait_for_markdown("the text", |m| m.contains("Culture"))
        .await;
    client
}

/// Posts `body` to `path`; the JSON answer, once its status is checked.
async fn post(
    api: &crate::harness::Api,
    path: &str,
    body: serde_json::Value,
    status: u16,
) -> serde_json::Value {
    let response = api.post(path, body).await;
    assert_eq!(response.status(), status, "{path}");
    response.json().await.unwrap()
}

async fn wait_for_events(db: &Db, done: impl Fn(&[Event]) -> bool) -> Vec<Event> {
    wait_for_events_within(db, Duration::from_secs(10), done).await
}

async fn wait_for_events_within(
    db: &Db,
    limit: Duration,
    done: impl Fn(&[Event]) -> bool,
) -> Vec<Event> {
    let deadline = Instant::now() + limit;
    loop {
        let events = all_events(db).await;
        if done(&events) {
            return events;
        }
        assert!(Instant::now() < deadline, "timed out: {events:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Typing through the real socket: far fewer `text.edited` than stored batches, at most one per
/// interval, and one after the last keystroke naming the last batch.
async fn typing_appends_coalesced_edit_events(backend: Backend) {
    let app = TestApp::start_with(backend, |_| {}).await.unwrap();
    let db = app.app.db.clone();
    let (_, id) = app.writer_with_text("plume@exemple.fr", "Plume").await;
    let text = TextId(id.parse().unwrap());
    let api = app.api_as("plume@exemple.fr").await;
    let mut client = editor(&app, &api, &id).await;
    let started = Instant::now();
    for _ in 0..50 {
        client.append("a").await;
        client.pump(Duration::from_millis(40)).await;
    }
    client.wait_saved().await;
    let typing = started.elapsed();
    let edits = db.text_edits(text, 1000).await.unwrap();
    let batches = edits.len() - 1;
    let last_edit = edits[0].text_edit_id;
    let events = wait_for_events(&db, |events| {
        events
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::TextEdited)
            .is_some_and(|e| e.payload["last_edit"] == last_edit)
    })
    .await;
    let edited = events
        .iter()
        .filter(|e| e.kind == EventKind::TextEdited && e.text_id == Some(text))
        .count();
    let every = atelier::collab::HubSettings::default().edit_event_every;
    let bound = (typing.as_millis() / every.as_millis()) as usize + 3;
    assert!(
        batches >= 20,
        "the keystrokes were stored in {batches} batches"
    );
    assert!(
        edited <= bound && edited * 3 <= batches,
        "{edited} edit events for {batches} batches in {typing:?}"
    );
    client.close().await;
    app.stop().await;
}

/// A server stored a batch owing its edit event, then went before paying it: a running server
/// pays it (within its sweep's period).
#[tokio::test]
async fn an_edit_event_owed_by_a_server_that_went_is_paid_by_another() {
    let app = TestApp::start().await;
    let db = app.app.db.clone();
    let (_, author, text, _) = text_in_group(&db, "texte").await;
    let authors = [(Some(author), 1)];
    db.append_chunk(&chunk(text, &authors, false))
        .await
        .unwrap();
    let last_edit = db.text_edits(text, 1).await.unwrap()[0].text_edit_id;
    let events = wait_for_events_within(&db, Duration::from_secs(25), |events| {
        events.iter().any(|e| e.kind == EventKind::TextEdited)
    })
    .await;
    let paid: Vec<&Event> = events
        .iter()
        .filter(|e| e.kind == EventKind::TextEdited)
        .collect();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].payload["last_edit"], last_edit);
    assert_eq!(paid[0].actor_id, Some(author));
    let far = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    assert!(db.texts_owing_edit_events(far).await.unwrap().is_empty());
    app.stop().await;
}

/// A splice is a text edit like any: stored as its own batch, it appends what it carries (its
/// cause) and the text's `text.edited`, by the splice's author, naming its batch.
async fn a_splice_appends_its_cause_and_the_edit(backend: Backend) {
    let app = TestApp::start_with(backend, |_| {}).await.unwrap();
    let db = app.app.db.clone();
    let (_, id) = app.writer_with_text("plume@exemple.fr", "Plume").await;
    let text = TextId(id.parse().unwrap());
    let author = db
        .member_by_email(&Email::parse("plume@exemple.fr").unwrap())
        .await
        .unwrap()
        .unwrap()
        .member_id;
    let version = db
        .create_version(text, "Avant", "[]", "# Culture\n", Some(author))
        .await
        .unwrap();
    let base = db.last_event_position().await.unwrap();
    let splice = |replacement: &str, event| Splice {
        passage: Passage::Range(0..0),
        replacement: replacement.to_owned(),
        message: "passage restored".to_owned(),
        author: Some(author),
        event,
        merging: None,
    };
    let restored = ChunkEvent {
        kind: EventKind::TextVersionRestored,
        actor: Some(author),
        payload: json!({"version_id": version.0}),
    };
    let hub = &app.app.hub;
    hub.splice(text, splice("Préambule. ", Some(restored)))
        .await
        .unwrap();
    // Right after: its edit event is owed, then paid.
    hub.splice(text, splice("Avant-propos. ", None))
        .await
        .unwrap();
    let edits = db.text_edits(text, 10).await.unwrap();
    let (second, first) = (edits[0].text_edit_id, edits[1].text_edit_id);
    assert_eq!(edits[0].message.as_deref(), Some("passage restored"));
    let events = wait_for_events(&db, |events| {
        events
            .iter()
            .any(|e| e.kind == EventKind::TextEdited && e.payload["last_edit"] == second)
    })
    .await;
    let events: Vec<&Event> = events.iter().filter(|e| e.position > base).collect();
    let seen: Vec<(EventKind, serde_json::Value)> =
        events.iter().map(|e| (e.kind, e.payload.clone())).collect();
    assert_eq!(
        seen,
        [
            (
                EventKind::TextVersionRestored,
                json!({"version_id": version.0})
            ),
            (EventKind::TextEdited, json!({"last_edit": first})),
            (EventKind::TextEdited, json!({"last_edit": second})),
        ]
    );
    for event in events {
        assert_eq!((event.text_id, event.actor_id), (Some(text), Some(author)));
    }
    app.stop().await;
}
