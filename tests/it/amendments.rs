//! Amendments through the API (issue 13, first step): filing, listing and reading, the
//! lifecycle with its events in the outbox, numbers gap-free and permanent, references from the
//! numbered view, every bad input of the issue that applies before merging (the real French
//! cases are in `amendments_french.rs`, the sync path in `amendments_anchoring.rs`).

use serde_json::{Value, json};

use crate::harness::{Api, Backend, TestApp};
use atelier::model::{EventKind, Filers, GroupId, GroupKind, MemberId, Role, TextId, Visibility};
use atelier::store::AmendmentRules;

pub const ORIGINAL: &str = "# Culture\n\nNous voulons des trains de nuit partout.\n\n\
    La culture pour tous, même à Paris 😀.\n\nLes bibliothèques ouvrent le dimanche.\n\nFin du chapitre.\n";

pub struct Fixture {
    pub app: TestApp,
    pub alice: Api,
    pub bob: Api,
    pub olga: Api,
    pub theme: GroupId,
    pub bob_id: MemberId,
    pub olga_id: MemberId,
    pub text: TextId,
    pub id: String,
}

/// A public theme with two members (Alice, Bob), a supporter (Sam), an organiser (Olga), a
/// party member of another theme (Carla), and Alice's text, put in `amending` by Olga.
pub async fn start(backend: Backend, markdown: &str) -> Option<Fixture> {
    start_with(backend, markdown, |_| {}).await
}

/// `start` with the server's settings adjusted.
pub async fn start_with(
    backend: Backend,
    markdown: &str,
    adjust: impl FnOnce(&mut atelier::config::Config),
) -> Option<Fixture> {
    let app = TestApp::start_with(backend, adjust).await?;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Culture", national, Visibility::Public)
        .await;
    let elsewhere = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    let mut ids = Vec::new();
    for (email, name, group, role) in [
        ("alice@exemple.fr", "Alice Rédactrice", theme, Role::Member),
        ("bob@exemple.fr", "Bob Rédacteur", theme, Role::Member),
        ("sam@exemple.fr", "Sam Sympathisant", theme, Role::Supporter),
        (
            "olga@exemple.fr",
            "Olga Organisatrice",
            theme,
            Role::Organiser,
        ),
        ("carla@exemple.fr", "Carla Santé", elsewhere, Role::Member),
    ] {
        let id = app.member(email, name).await;
        app.grant(id, group, role).await;
        ids.push(id);
    }
    let alice = app.api_as("alice@exemple.fr").await;
    let created = alice
        .post(
            "/api/v1/texts",
            json!({ "group_id": theme.to_string(), "title": "Culture", "kind": "programme", "markdown": markdown }),
        )
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let body: Value = created.json().await.expect("json");
    let id = body["id"].as_str().expect("id").to_owned();
    let f = Fixture {
        bob: app.api_as("bob@exemple.fr").await,
        olga: app.api_as("olga@exemple.fr").await,
        alice,
        theme,
        bob_id: ids[1],
        olga_id: ids[3],
        text: TextId(id.parse().expect("numeric id")),
        id,
        app,
    };
    f.set_text_status("amending").await;
    Some(f)
}

impl Fixture {
    pub async fn set_text_status(&self, status: &str) {
        let moved = self
            .olga
            .post(
                &format!("/api/v1/texts/{}/status", self.id),
                json!({ "status": status }),
            )
            .await;
        assert_eq!(moved.status().as_u16(), 200, "the text moves to {status}");
    }

    /// A new text of Alice's in the theme, put in `amending` by Olga: its id and its Markdown
    /// as stored.
    pub async fn amending_text(&self, title: &str, markdown: &str) -> (String, String) {
        let created = self
            .alice
            .post(
                "/api/v1/texts",
                json!({"group_id": self.theme.to_string(), "title": title,
                       "kind": "programme", "markdown": markdown}),
            )
            .await;
        assert_eq!(created.status().as_u16(), 201, "{title}");
        let created: Value = created.json().await.unwrap();
        let text = created["id"].as_str().expect("created").to_owned();
        let moved = self
            .olga
            .post(
                &format!("/api/v1/texts/{text}/status"),
                json!({"status": "amending"}),
            )
            .await;
        assert_eq!(moved.status().as_u16(), 200);
        let stored = self
            .alice
            .get_json(&format!("/api/v1/texts/{text}"), 200)
            .await;
        let markdown = stored["markdown"].as_str().unwrap().to_owned();
        (text, markdown)
    }

    pub async fn file(&self, who: &Api, body: Value) -> (u16, Value) {
        let response = who
            .post(&format!("/api/v1/texts/{}/amendments", self.id), body)
            .await;
        (
            response.status().as_u16(),
            response.json().await.expect("json"),
        )
    }

    /// Files `replacement` for the first occurrence of `passage` in ORIGINAL, submitted.
    pub async fn file_on(&self, who: &Api, passage: &str, replacement: &str) -> Value {
        let range = range_of(ORIGINAL, passage);
        let (status, body) = self
            .file(
                who,
                json!({"start": range.start, "end": range.end, "replacement": replacement,
                       "rationale": "Parce que.", "submit": true}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    pub async fn act(&self, who: &Api, id: &Value, action: &str, body: Value) -> (u16, Value) {
        let id = id.as_str().expect("a string id");
        let response = who
            .post(&format!("/api/v1/amendments/{id}/{action}"), body)
            .await;
        (
            response.status().as_u16(),
            response.json().await.expect("json"),
        )
    }

    pub async fn list(&self, who: &Api, query: &str) -> Vec<Value> {
        let list = who
            .get_json(&format!("/api/v1/texts/{}/amendments{query}", self.id), 200)
            .await;
        list.as_array().expect("a list").clone()
    }
}

/// The UTF-16 range of the first `needle` in `text`.
pub fn range_of(text: &str, needle: &str) -> std::ops::Range<usize> {
    let byte = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in {text:?}"));
    let start = text[..byte].encode_utf16().count();
    start..start + needle.encode_utf16().count()
}

/// The numbered view of a text as its page shows it (`/texts/{id}/lines`): each line's
/// paragraph, global number and text, in order.
pub async fn numbered_view(f: &Fixture, text: &str) -> Vec<(usize, usize, String)> {
    let page = f
        .app
        .get(&format!("/texts/{text}/lines"))
        .send()
        .await
        .expect("request");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    let mut lines = Vec::new();
    let mut paragraph = 0;
    let mut rest = html.as_str();
    let number = |s: &str| -> usize { s[..s.find('"').unwrap()].parse().unwrap() };
    loop {
        let next_paragraph = rest.find("data-paragraph=\"");
        let next_line = rest.find("data-line=\"");
        match (next_paragraph, next_line) {
            (Some(p), l) if l.is_none_or(|l| p < l) => {
                rest = &rest[p + "data-paragraph=\"".len()..];
                paragraph = number(rest);
            }
            (_, Some(l)) => {
                rest = &rest[l + "data-line=\"".len()..];
                let line = number(rest);
                let text = &rest[rest.find('>').unwrap() + 1..rest.find("</span>").unwrap()];
                let text = text
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&");
                lines.push((paragraph, line, text));
            }
            _ => break,
        }
    }
    lines
}

/// What the numbered view cites for a passage that spans the lines `first..=last` of it.
pub fn cited(view: &[(usize, usize, String)], first: usize, last: usize) -> String {
    let paragraph = |line: usize| view.iter().find(|l| l.1 == line).expect("a line").0;
    let (p, q) = (paragraph(first), paragraph(last));
    let paragraphs = if p == q {
        format!("§ {p}")
    } else {
        format!("§ {p} à {q}")
    };
    if first == last {
        format!("{paragraphs}, ligne {first}")
    } else {
        format!("{paragraphs}, lignes {first} à {last}")
    }
}

/// The two sides a word diff shows: without its insertions, and without its deletions.
pub fn sides(diff: &str) -> (String, String) {
    fn drop_elements(html: &str, tag: &str) -> String {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        let mut out = String::new();
        let mut rest = html;
        while let Some(at) = rest.find(&open) {
            out.push_str(&rest[..at]);
            let end = rest[at..].find(&close).expect("closed") + at + close.len();
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }
    (
        text_of(&drop_elements(diff, "ins")),
        text_of(&drop_elements(diff, "del")),
    )
}

async fn filing_reading_and_the_lifecycle(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let db = f.app.app.db.clone();
    let since = db.last_event_position().await.unwrap();
    let trains = range_of(ORIGINAL, "trains de nuit");
    let (status, draft) = f
        .file(
            &f.alice,
            json!({"start": trains.start, "end": trains.end, "replacement": "trains rapides",
                   "rationale": "Plus vite."}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!(
        (&draft["status"], &draft["number"], &draft["reference"]),
        (&json!("draft"), &json!(1), &json!("§ 2, ligne 2"))
    );
    assert_eq!(
        (draft["start"].as_u64(), draft["end"].as_u64()),
        (Some(trains.start as u64), Some(trains.end as u64))
    );
    assert_eq!(draft["original"], "trains de nuit");
    assert_eq!(draft["current"], "trains de nuit");
    assert_eq!(
        (&draft["outdated"], &draft["orphaned"]),
        (&json!(false), &json!(false))
    );
    let diff = draft["diff_html"].as_str().unwrap();
    assert!(diff.contains("<del>") && diff.contains("<ins>"), "{diff}");
    assert_eq!(
        sides(diff),
        ("trains de nuit".into(), "trains rapides".into())
    );
    let id = draft["id"].clone();
    let path = format!("/api/v1/amendments/{}", id.as_str().unwrap());

    // A draft is its author's: nobody else sees it, lists it or acts on it.
    assert_eq!(f.alice.get_json(&path, 200).await["id"], id);
    assert_eq!(f.bob.get(&path).await.status().as_u16(), 404);
    assert_eq!(f.app.api().get(&path).await.status().as_u16(), 404);
    assert!(f.list(&f.bob, "").await.is_empty());
    assert_eq!(f.list(&f.alice, "").await.len(), 1);
    assert_eq!(f.act(&f.bob, &id, "support", json!({})).await.0, 404);

    // Submitted, it is supported by others (once), not by its author nor by supporters.
    assert_eq!(f.act(&f.bob, &id, "submit", json!({})).await.0, 404);
    let (status, submitted) = f.act(&f.alice, &id, "submit", json!({})).await;
    assert_eq!((status, &submitted["status"]), (200, &json!("submitted")));
    assert_eq!(f.act(&f.alice, &id, "submit", json!({})).await.0, 409);
    let (status, own) = f.act(&f.alice, &id, "support", json!({})).await;
    assert_eq!(status, 409, "{own}");
    let (status, supported) = f.act(&f.bob, &id, "support", json!({})).await;
    assert_eq!(status, 200, "{supported}");
    assert_eq!(supported["supporters"], json!([f.bob_id.to_string()]));
    assert_eq!(
        f.act(&f.bob, &id, "support", json!({})).await.0,
        409,
        "twice"
    );
    let sam = f.app.api_as("sam@exemple.fr").await;
    assert_eq!(f.act(&sam, &id, "support", json!({})).await.0, 403);
    assert_eq!(
        f.app.api().get(&path).await.status().as_u16(),
        200,
        "public once submitted"
    );

    // Screening: an organiser's, with a reason for inadmissible, the text's minimum of
    // supporters for admissible; the author's moves are not set by hand.
    let screen = |status: &str| json!({ "status": status });
    assert_eq!(
        f.act(&f.bob, &id, "status", screen("admissible")).await.0,
        403
    );
    let (status, refused) = f.act(&f.olga, &id, "status", screen("inadmissible")).await;
    assert_eq!(
        (status, refused["fields"].get("reason").is_some()),
        (422, true),
        "{refused}"
    );
    for by_author in ["withdrawn", "submitted", "merged", "draft", "nonsense"] {
        let (status, body) = f.act(&f.olga, &id, "status", screen(by_author)).await;
        assert_eq!(
            (status, body["fields"].get("status").is_some()),
            (422, true),
            "{by_author}: {body}"
        );
    }
    assert_eq!(
        f.act(&f.olga, &id, "status", screen("adopted")).await.0,
        409,
        "not screened yet"
    );
    let rules = AmendmentRules {
        min_supporters: 2,
        ..AmendmentRules::default()
    };
    db.set_amendment_rules(f.text, &rules, None).await.unwrap();
    let (status, short) = f.act(&f.olga, &id, "status", screen("admissible")).await;
    assert_eq!(status, 409, "{short}");
    assert!(short["message"].as_str().unwrap().contains('2'), "{short}");
    db.set_amendment_rules(
        f.text,
        &AmendmentRules {
            min_supporters: 1,
            ..rules
        },
        None,
    )
    .await
    .unwrap();
    for step in ["admissible", "voting", "adopted"] {
        let (status, body) = f.act(&f.olga, &id, "status", screen(step)).await;
        assert_eq!((status, &body["status"]), (200, &json!(step)), "{body}");
    }
    assert_eq!(
        f.act(&f.alice, &id, "withdraw", json!({})).await.0,
        409,
        "adopted stays"
    );
    assert_eq!(
        f.act(&f.olga, &id, "status", screen("rejected")).await.0,
        409
    );

    // Numbers are permanent and gap-free: a withdrawn amendment keeps its number.
    let second = f.file_on(&f.bob, "Fin du chapitre.", "Fin.").await;
    assert_eq!(
        (&second["number"], &second["status"]),
        (&json!(2), &json!("submitted"))
    );
    let (status, withdrawn) = f.act(&f.bob, &second["id"], "withdraw", json!({})).await;
    assert_eq!((status, &withdrawn["status"]), (200, &json!("withdrawn")));
    assert_eq!(
        f.act(&f.alice, &second["id"], "withdraw", json!({}))
            .await
            .0,
        403
    );
    let third = f
        .file_on(&f.alice, "Les bibliothèques", "Les médiathèques")
        .await;
    assert_eq!(
        (&third["number"], &third["reference"]),
        (&json!(3), &json!("§ 4, ligne 4"))
    );

    let numbers = |list: Vec<Value>| -> Vec<i64> {
        list.iter().map(|a| a["number"].as_i64().unwrap()).collect()
    };
    assert_eq!(numbers(f.list(&f.bob, "").await), [1, 2, 3]);
    assert_eq!(numbers(f.list(&f.bob, "?status=adopted").await), [1]);
    assert_eq!(numbers(f.list(&f.bob, "?status=withdrawn").await), [2]);
    let bad = f
        .bob
        .get(&format!(
            "/api/v1/texts/{}/amendments?status=nonsense",
            f.id
        ))
        .await;
    assert_eq!(bad.status().as_u16(), 422);

    // Every step in the outbox, in order; the refusals appended nothing.
    let events = db.events_after(since, 1_000).await.unwrap();
    let steps: Vec<(EventKind, i64, Value)> = events
        .iter()
        .filter(|e| e.kind.as_str().starts_with("amendment."))
        .map(|e| {
            (
                e.kind,
                e.payload["number"].as_i64().unwrap(),
                e.payload.get("to").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    use EventKind::*;
    assert_eq!(
        steps,
        [
            (AmendmentFiled, 1, Value::Null),
            (AmendmentSubmitted, 1, Value::Null),
            (AmendmentSupported, 1, Value::Null),
            (AmendmentStatusChanged, 1, json!("admissible")),
            (AmendmentStatusChanged, 1, json!("voting")),
            (AmendmentStatusChanged, 1, json!("adopted")),
            (AmendmentFiled, 2, Value::Null),
            (AmendmentSubmitted, 2, Value::Null),
            (AmendmentWithdrawn, 2, Value::Null),
            (AmendmentFiled, 3, Value::Null),
            (AmendmentSubmitted, 3, Value::Null),
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e.text_id == Some(f.text) || e.text_id.is_none())
    );
    f.app.stop().await;
}

#[tokio::test]
async fn filing_reading_and_the_lifecycle_on_sqlite() {
    filing_reading_and_the_lifecycle(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn filing_reading_and_the_lifecycle_on_postgres() {
    filing_reading_and_the_lifecycle(Backend::Postgres).await;
}

async fn bad_input_is_refused_saying_why(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let db = f.app.app.db.clone();
    let length = ORIGINAL.encode_utf16().count();
    let body = |start: usize, end: usize, replacement: &str, rationale: &str| json!({"start": start, "end": end, "replacement": replacement, "rationale": rationale});
    let nous = range_of(ORIGINAL, "Nous voulons");
    let invalid = [
        (body(length + 1, length + 1, "x", ""), "start"),
        (body(3, length + 1, "x", ""), "end"),
        (body(10, 5, "x", ""), "end"),
        (
            body(nous.start, nous.end, "Nous voulons", ""),
            "replacement",
        ),
        // Inside the 😀: a boundary that splits a character.
        (
            body(
                range_of(ORIGINAL, "😀").start + 1,
                range_of(ORIGINAL, "😀").end,
                "x",
                "",
            ),
            "start",
        ),
        (
            json!({"start": 0, "end": 1, "replacement": "x", "heads": ["00".repeat(32)]}),
            "heads",
        ),
        (
            json!({"start": 0, "end": 1, "replacement": "x", "heads": ["pas une tête"]}),
            "heads",
        ),
        (
            json!({"start": 0, "end": 1, "replacement": "x".repeat(100_001)}),
            "replacement",
        ),
    ];
    for (request, field) in invalid {
        let (status, answer) = f.file(&f.alice, request.clone()).await;
        assert_eq!(status, 422, "{request}: {answer}");
        assert!(answer["fields"].get(field).is_some(), "{field}: {answer}");
    }
    // A rationale, when the text's rules require one.
    let required = AmendmentRules {
        rationale_required: true,
        ..AmendmentRules::default()
    };
    db.set_amendment_rules(f.text, &required, None)
        .await
        .unwrap();
    let (status, answer) = f
        .file(&f.alice, body(nous.start, nous.end, "Nous exigeons", "  "))
        .await;
    assert_eq!(
        (status, answer["fields"].get("rationale").is_some()),
        (422, true),
        "{answer}"
    );
    // Outside the window: 409 saying when.
    let now = time::OffsetDateTime::now_utc();
    for (rules, says) in [
        (
            AmendmentRules {
                opens_at: Some(now + time::Duration::days(2)),
                ..AmendmentRules::default()
            },
            "ouvre",
        ),
        (
            AmendmentRules {
                closes_at: Some(now - time::Duration::days(1)),
                ..AmendmentRules::default()
            },
            "clos",
        ),
    ] {
        db.set_amendment_rules(f.text, &rules, None).await.unwrap();
        let (status, answer) = f
            .file(&f.alice, body(nous.start, nous.end, "Nous exigeons", ""))
            .await;
        assert_eq!(status, 409, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(says),
            "{answer}"
        );
    }
    db.set_amendment_rules(f.text, &AmendmentRules::default(), None)
        .await
        .unwrap();
    // Rights: a party member of another theme files only when the text opens to the party; a
    // supporter never; a visitor must sign in; on behalf of a group, only its secretaries.
    let carla = f.app.api_as("carla@exemple.fr").await;
    let sam = f.app.api_as("sam@exemple.fr").await;
    let filing = body(nous.start, nous.end, "Nous exigeons", "");
    assert_eq!(f.file(&carla, filing.clone()).await.0, 403);
    assert_eq!(f.file(&sam, filing.clone()).await.0, 403);
    assert_eq!(f.file(&f.app.api(), filing.clone()).await.0, 401);
    let mut for_the_theme = filing.clone();
    for_the_theme["on_behalf_of"] = json!(f.theme.to_string());
    assert_eq!(f.file(&f.alice, for_the_theme.clone()).await.0, 403);
    let (status, on_behalf) = f.file(&f.olga, for_the_theme).await;
    assert_eq!(
        (status, &on_behalf["on_behalf_of"]),
        (201, &json!(f.theme.to_string()))
    );
    let party = AmendmentRules {
        filers: Filers::Party,
        ..AmendmentRules::default()
    };
    db.set_amendment_rules(f.text, &party, None).await.unwrap();
    assert_eq!(f.file(&carla, filing.clone()).await.0, 201);
    assert_eq!(f.file(&sam, filing.clone()).await.0, 403);
    // A hidden text is not found; unknown and junk ids neither.
    let national = f.app.national().await;
    let hidden = f
        .app
        .group(
            GroupKind::WorkingGroup,
            "Statuts",
            national,
            Visibility::Group,
        )
        .await;
    f.app.grant(f.olga_id, hidden, Role::Organiser).await;
    let secret = f.olga.create_text(hidden, "Secret").await;
    let (status, _) = {
        let response = carla
            .post(
                &format!("/api/v1/texts/{secret}/amendments"),
                filing.clone(),
            )
            .await;
        (response.status().as_u16(), ())
    };
    assert_eq!(status, 404);
    for path in [
        "/api/v1/amendments/999999",
        "/api/v1/amendments/abc",
        "/api/v1/texts/999999/amendments",
    ] {
        assert_eq!(f.alice.get(path).await.status().as_u16(), 404, "{path}");
    }
    // A text that is not in `amending`: 409 saying so.
    f.set_text_status("drafting").await;
    let (status, answer) = f.file(&f.alice, filing.clone()).await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("amending"),
        "{answer}"
    );
    // Only the two accepted filings were stored.
    let stored = db.amendments_of_text(f.text, None).await.unwrap();
    assert_eq!(stored.iter().map(|a| a.number).collect::<Vec<_>>(), [1, 2]);
    f.app.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_saying_why_on_sqlite() {
    bad_input_is_refused_saying_why(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn bad_input_is_refused_saying_why_on_postgres() {
    bad_input_is_refused_saying_why(Backend::Postgres).await;
}

/// Rewords an amendment through `PATCH /api/v1/amendments/{id}`: the status and the answer.
async fn revise(who: &Api, path: &str, replacement: &str, rationale: &str) -> (u16, Value) {
    let body = json!({"replacement": replacement, "rationale": rationale});
    let response = who.patch(path, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// The two routes beyond API.md's: rewording an amendment (`PATCH`), withdrawing one's support
/// (`DELETE …/support`).
async fn revisions_and_withdrawn_supports(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let db = f.app.app.db.clone();
    let filed = f.file_on(&f.bob, "trains de nuit", "trains rapides").await;
    let id = atelier::model::AmendmentId(filed["id"].as_str().unwrap().parse().unwrap());
    let path = format!("/api/v1/amendments/{id}");
    let (code, now) = revise(&f.bob, &path, "trains de jour", "Mieux.").await;
    assert_eq!(code, 200, "its author revises it while submitted: {now}");
    assert_eq!(
        (&now["replacement"], &now["rationale"]),
        (&json!("trains de jour"), &json!("Mieux."))
    );
    assert_eq!(
        sides(now["diff_html"].as_str().unwrap()).1,
        "trains de jour"
    );
    assert_eq!(revise(&f.olga, &path, "x", "").await.0, 403);
    let (code, body) = revise(&f.bob, &path, "trains de nuit", "").await;
    assert_eq!(code, 422, "{body}");
    assert!(body["fields"]["replacement"].is_string(), "{body}");
    let revisions = db.amendment_revisions(id).await.unwrap();
    assert_eq!(revisions.len(), 2);

    // Support given, withdrawn once; the second time there is none to withdraw.
    let (code, _) = f.act(&f.alice, &filed["id"], "support", json!({})).await;
    assert_eq!(code, 200);
    let support = format!("{path}/support");
    assert_eq!(f.alice.delete(&support).await.status(), 200);
    assert_eq!(f.alice.delete(&support).await.status(), 409);
    let now = f.bob.get_json(&path, 200).await;
    assert_eq!(now["supporters"], json!([]));

    // Screened, its wording is final.
    let (code, _) = f
        .act(
            &f.olga,
            &filed["id"],
            "status",
            json!({"status": "admissible"}),
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(revise(&f.bob, &path, "trains de soir", "").await.0, 409);
    let kinds: Vec<EventKind> = db
        .events_after(0, 1_000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .filter(|k| k.as_str().starts_with("amendment."))
        .collect();
    use EventKind::*;
    assert_eq!(
        kinds,
        [
            AmendmentFiled,
            AmendmentSubmitted,
            AmendmentRevised,
            AmendmentSupported,
            AmendmentSupportWithdrawn,
            AmendmentStatusChanged
        ]
    );
    f.app.stop().await;
}

#[tokio::test]
async fn revisions_and_withdrawn_supports_on_sqlite() {
    revisions_and_withdrawn_supports(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn revisions_and_withdrawn_supports_on_postgres() {
    revisions_and_withdrawn_supports(Backend::Postgres).await;
}

/// `PUT`s a text's amendment rules: the status and the answer.
async fn put_rules(path: &str, who: &Api, body: Value) -> (u16, Value) {
    let response = who.put(path, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// Organisers set a text's rules through `PUT /api/v1/texts/{id}/amendment_rules`; filing and
/// screening follow them; members may read them, not set them; nonsense is refused by field.
async fn rules_are_set_by_organisers_and_followed(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let path = format!("/api/v1/texts/{}/amendment_rules", f.id);
    let defaults = f.bob.get_json(&path, 200).await;
    assert_eq!(
        (&defaults["min_supporters"], &defaults["filers"]),
        (&json!(0), &json!("group"))
    );
    let (code, _) = put_rules(
        &path,
        &f.bob,
        json!({"filers": "party", "min_supporters": 1}),
    )
    .await;
    assert_eq!(code, 403, "a member does not set the rules");
    for (body, field) in [
        (
            json!({"filers": "group", "opens_at": "2030-01-02T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z"}),
            "closes_at",
        ),
        (
            json!({"filers": "group", "min_supporters": -1}),
            "min_supporters",
        ),
        (
            json!({"filers": "group", "min_supporters": 1_000_000}),
            "min_supporters",
        ),
        (
            json!({"filers": "group", "min_supporters": 2, "min_women": 3}),
            "min_women",
        ),
        (json!({"filers": "tout le monde"}), "filers"),
    ] {
        let (code, answer) = put_rules(&path, &f.olga, body.clone()).await;
        assert_eq!(code, 422, "{body}: {answer}");
        assert!(answer["fields"][field].is_string(), "{body}: {answer}");
    }

    // One supporter needed, and a rationale: an amendment without either is held back.
    let (code, set) = put_rules(
        &path,
        &f.olga,
        json!({"filers": "group", "min_supporters": 1, "rationale_required": true}),
    )
    .await;
    assert_eq!(code, 200, "{set}");
    assert_eq!(f.bob.get_json(&path, 200).await, set);
    let (code, refused) = f
        .file(
            &f.bob,
            json!({"start": 0, "end": 1, "replacement": "§", "submit": true}),
        )
        .await;
    assert_eq!(code, 422, "{refused}");
    assert!(refused["fields"]["rationale"].is_string(), "{refused}");
    let range = range_of(ORIGINAL, "trains de nuit");
    let (code, filed) = f
        .file(
            &f.bob,
            json!({"start": range.start, "end": range.end, "replacement": "trains de jour",
                   "rationale": "Plus sûr.", "submit": true}),
        )
        .await;
    assert_eq!(code, 201, "{filed}");
    let (code, early) = f
        .act(
            &f.olga,
            &filed["id"],
            "status",
            json!({"status": "admissible"}),
        )
        .await;
    assert_eq!(code, 409, "admissible needs one supporter: {early}");
    assert_eq!(
        f.act(&f.alice, &filed["id"], "support", json!({})).await.0,
        200
    );
    let (code, admitted) = f
        .act(
            &f.olga,
            &filed["id"],
            "status",
            json!({"status": "admissible"}),
        )
        .await;
    assert_eq!(code, 200, "{admitted}");

    // The window closed: filing is refused, saying why.
    let (code, _) = put_rules(
        &path,
        &f.olga,
        json!({"filers": "group", "closes_at": "2020-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(code, 200);
    let (code, closed) = f
        .file(
            &f.bob,
            json!({"start": range.start, "end": range.end, "replacement": "trains", "submit": true}),
        )
        .await;
    assert_eq!(code, 409, "{closed}");
    f.app.stop().await;
}

#[tokio::test]
async fn rules_are_set_by_organisers_and_followed_on_sqlite() {
    rules_are_set_by_organisers_and_followed(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn rules_are_set_by_organisers_and_followed_on_postgres() {
    rules_are_set_by_organisers_and_followed(Backend::Postgres).await;
}
