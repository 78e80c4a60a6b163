//! Merging adopted amendments (issue 13, « Merging, traceably »): each one change of the document
//! whose message names it, its status `merged` with its event, a version named after it, the
//! other amendments re-anchored or outdated and their references unchanged; every refusal a 409
//! saying which and why (403/404 for rights); a failed merge leaves the text and every amendment
//! as they were; provenance read back from the document's history. The real French cases (and
//! consecutive versions of French bills' articles) merge into exactly the text after, byte for
//! byte. Conflicts resolved side by side are in `amendments_conflicts.rs`.

use serde_json::{Value, json};

use crate::amendments::{Fixture, ORIGINAL, start};
use crate::harness::Backend;
use crate::store_suite::Raw;
use atelier::collab::{Passage, Splice};
use atelier::model::EventKind;

impl Fixture {
    pub async fn markdown(&self) -> String {
        let text = self
            .alice
            .get_json(&format!("/api/v1/texts/{}", self.id), 200)
            .await;
        text["markdown"].as_str().expect("markdown").to_owned()
    }

    /// Olga screens an amendment admissible, then records it adopted.
    pub async fn adopt(&self, id: &Value) {
        for status in ["admissible", "adopted"] {
            let (code, body) = self
                .act(&self.olga, id, "status", json!({"status": status}))
                .await;
            assert_eq!(code, 200, "{status}: {body}");
        }
    }

    pub async fn amendment(&self, id: &Value) -> Value {
        let id = id.as_str().expect("an id");
        self.olga
            .get_json(&format!("/api/v1/amendments/{id}"), 200)
            .await
    }

    /// Replaces `range` of the text now as an organiser's edit would, through the document (a
    /// server edit, one change, stored before it returns).
    pub async fn edit(&self, range: std::ops::Range<usize>, replacement: &str) {
        self.app
            .app
            .hub
            .splice(
                self.text,
                Splice {
                    passage: Passage::Range(range),
                    replacement: replacement.to_owned(),
                    message: "retouche".into(),
                    author: Some(self.olga_id),
                    event: None,
                    merging: None,
                },
            )
            .await
            .expect("edited");
    }
}

/// The UTF-16 range of `needle` in `text`.
fn utf16_range(text: &str, needle: &str) -> std::ops::Range<usize> {
    crate::amendments::range_of(text, needle)
}

async fn merging_writes_the_amendment_as_one_named_change(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let db = f.app.app.db.clone();
    let trains = f
        .file_on(&f.alice, "trains de nuit", "trains de nuit et de jour")
        .await;
    let library = f
        .file_on(
            &f.bob,
            "Les bibliothèques ouvrent le dimanche.",
            "Les bibliothèques ouvrent tous les jours.",
        )
        .await;
    // On the passage the merge rewrites, submitted only (not a rival): outdated after it.
    let under = f.file_on(&f.bob, "nuit partout", "nuit, partout").await;
    f.adopt(&trains["id"]).await;
    let before = ORIGINAL.to_owned();
    let since = db.last_event_position().await.unwrap();

    let (code, merged) = f.act(&f.olga, &trains["id"], "merge", json!({})).await;
    assert_eq!(code, 200, "{merged}");
    assert_eq!(merged["status"], "merged");
    let expected = before.replace("trains de nuit", "trains de nuit et de jour");
    assert_eq!(f.markdown().await, expected);

    // The other amendments: the later one re-anchored, the one under the merge outdated, their
    // references as filed.
    let library_now = f.amendment(&library["id"]).await;
    let moved = utf16_range(&expected, "Les bibliothèques ouvrent le dimanche.");
    assert_eq!(
        (library_now["start"].as_u64(), library_now["end"].as_u64()),
        (Some(moved.start as u64), Some(moved.end as u64))
    );
    assert_eq!(library_now["outdated"], false);
    assert_eq!(library_now["reference"], library["reference"]);
    let under_now = f.amendment(&under["id"]).await;
    assert_eq!(under_now["outdated"], true, "{under_now}");
    assert_eq!(under_now["reference"], under["reference"]);

    // One change, named after the amendment, in the history; a version named after it.
    let edits = db.text_edits(f.text, 10).await.unwrap();
    assert_eq!(edits[0].message.as_deref(), Some("amendement 1"));
    assert_eq!(edits[0].author_id, Some(f.olga_id));
    let versions = f
        .alice
        .get_json(&format!("/api/v1/texts/{}/versions", f.id), 200)
        .await;
    assert_eq!(
        versions[0]["label"],
        "Après l'intégration de l'amendement 1"
    );
    let version_id = versions[0]["id"].clone();
    let stored = db
        .version(
            f.text,
            atelier::model::VersionId(version_id.as_str().unwrap().parse().unwrap()),
        )
        .await
        .unwrap()
        .expect("the version");
    assert_eq!(stored.markdown, expected);

    // Its events: the merge, then the version, in the change's transaction.
    let events = db.events_after(since, 100).await.unwrap();
    let merges: Vec<_> = events
        .iter()
        .filter(|e| e.kind == EventKind::AmendmentMerged)
        .collect();
    assert_eq!(merges.len(), 1);
    assert_eq!(
        merges[0].payload["amendment_id"].to_string(),
        trains["id"].as_str().unwrap()
    );
    assert_eq!(merges[0].payload["number"], 1);
    assert_eq!(merges[0].actor_id, Some(f.olga_id));
    assert!(events.iter().any(|e| {
        e.kind == EventKind::TextVersionRecorded
            && e.payload["version_id"]
                .as_i64()
                .map(|v| v.to_string())
                .as_deref()
                == version_id.as_str()
    }));

    // Provenance: the words the amendment wrote lead back to it; the rest to nobody.
    let provenance = f
        .bob
        .get_json(&format!("/api/v1/texts/{}/provenance", f.id), 200)
        .await;
    let paragraphs = provenance["paragraphs"].as_array().unwrap();
    let written: Vec<(u64, String, Value)> = paragraphs
        .iter()
        .flat_map(|p| {
            p["passages"].as_array().unwrap().iter().map(move |w| {
                (
                    p["number"].as_u64().unwrap(),
                    w["text"].as_str().unwrap().to_owned(),
                    w["amendment_ids"].clone(),
                )
            })
        })
        .collect();
    assert_eq!(
        written,
        [(2, " et de jour".to_owned(), json!([trains["id"]]))],
        "{provenance}"
    );
    assert_eq!(provenance["amendments"][0]["number"], 1);
    assert_eq!(
        provenance["amendments"][0]["reference"],
        trains["reference"]
    );
    assert_eq!(
        provenance["amendments"][0]["author_name"],
        "Alice Rédactrice"
    );
    let page = f
        .app
        .get(&format!("/texts/{}/provenance", f.id))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<mark class=\"provenance-merged\"> et de jour</mark>"),
        "{html}"
    );
    assert!(html.contains(&format!(
        "href=\"/amendments/{}\"",
        trains["id"].as_str().unwrap()
    )));

    // Merged once: never twice.
    let (code, again) = f.act(&f.olga, &trains["id"], "merge", json!({})).await;
    assert_eq!(code, 409, "{again}");
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("intégré au texte"),
        "{again}"
    );
    f.app.stop().await;
}

#[tokio::test]
async fn merging_writes_the_amendment_as_one_named_change_on_sqlite() {
    merging_writes_the_amendment_as_one_named_change(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn merging_writes_the_amendment_as_one_named_change_on_postgres() {
    merging_writes_the_amendment_as_one_named_change(Backend::Postgres).await;
}

/// Every amendment of the text with what a failed merge must not change.
async fn state(f: &Fixture) -> (String, Vec<(Value, Value, Value, Value)>, usize) {
    let list = f.list(&f.olga, "").await;
    let amendments = list
        .iter()
        .map(|a| {
            (
                a["id"].clone(),
                a["status"].clone(),
                json!([a["start"], a["end"], a["outdated"]]),
                a["reference"].clone(),
            )
        })
        .collect();
    let versions = f
        .olga
        .get_json(&format!("/api/v1/texts/{}/versions", f.id), 200)
        .await;
    (
        f.markdown().await,
        amendments,
        versions.as_array().unwrap().len(),
    )
}

async fn merges_are_refused_saying_which_and_why(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let submitted = f
        .file_on(&f.alice, "trains de nuit", "trains rapides")
        .await;
    let outdated = f
        .file_on(&f.alice, "La culture pour tous", "La culture partout")
        .await;
    let orphaned = f
        .file_on(
            &f.bob,
            "Les bibliothèques ouvrent le dimanche.",
            "Les bibliothèques ouvrent.",
        )
        .await;
    let one = f
        .file_on(&f.alice, "Fin du chapitre", "Fin de la partie")
        .await;
    let other = f
        .file_on(&f.bob, "du chapitre.", "du chapitre premier.")
        .await;
    for id in [&outdated["id"], &orphaned["id"], &one["id"], &other["id"]] {
        f.adopt(id).await;
    }
    let (code, draft) = f
        .file(
            &f.bob,
            json!({"start": 0, "end": 1, "replacement": "§", "rationale": ""}),
        )
        .await;
    assert_eq!(code, 201, "{draft}");
    // The organiser edits the text under one, and deletes another's whole passage.
    let now = f.markdown().await;
    f.edit(utf16_range(&now, "pour tous"), "pour toutes et tous")
        .await;
    let now = f.markdown().await;
    f.edit(
        utf16_range(&now, "Les bibliothèques ouvrent le dimanche.\n\n"),
        "",
    )
    .await;
    let unchanged = state(&f).await;

    let refusals = [
        (&submitted, 409, "recevable"),
        (&outdated, 409, "obsolète"),
        (&orphaned, 409, "orphelin"),
        (&one, 409, "chevauche l'amendement 5"),
        (&other, 409, "chevauche l'amendement 4"),
    ];
    for (amendment, status, says) in refusals {
        if amendment["id"] == submitted["id"] {
            // Not adopted: moved to admissible first, still not adopted.
            let (code, _) = f
                .act(
                    &f.olga,
                    &submitted["id"],
                    "status",
                    json!({"status": "admissible"}),
                )
                .await;
            assert_eq!(code, 200);
        }
        let (code, body) = f.act(&f.olga, &amendment["id"], "merge", json!({})).await;
        assert_eq!(code, status, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(says), "{message} should say {says}");
        assert!(
            message.contains(&format!("L'amendement {}", amendment["number"])),
            "{message} names it"
        );
    }
    // Rights: a member is refused (403); another's draft is hidden (404), as is an unknown one.
    let (code, body) = f.act(&f.alice, &one["id"], "merge", json!({})).await;
    assert_eq!(code, 403, "{body}");
    let (code, _) = f.act(&f.olga, &draft["id"], "merge", json!({})).await;
    assert_eq!(code, 404);
    let (code, _) = f.act(&f.olga, &json!("999999"), "merge", json!({})).await;
    assert_eq!(code, 404);
    let signed_out = f
        .app
        .api()
        .post(
            &format!("/api/v1/amendments/{}/merge", one["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(signed_out.status().as_u16(), 401);
    let mut after = state(&f).await;
    // The submitted one moved to admissible above, by hand: nothing else changed.
    for row in after.1.iter_mut() {
        if row.0 == submitted["id"] {
            row.1 = json!("submitted");
        }
    }
    assert_eq!(after, unchanged);

    // Merging all adopted: none can be, each says why.
    let all = f
        .olga
        .post(
            &format!("/api/v1/texts/{}/amendments/merge", f.id),
            json!({}),
        )
        .await;
    assert_eq!(all.status().as_u16(), 200);
    let all: Value = all.json().await.unwrap();
    assert_eq!(all["merged"], json!([]));
    assert_eq!(all["refused"].as_array().unwrap().len(), 4, "{all}");
    f.app.stop().await;
}

#[tokio::test]
async fn merges_are_refused_saying_which_and_why_on_sqlite() {
    merges_are_refused_saying_which_and_why(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn merges_are_refused_saying_which_and_why_on_postgres() {
    merges_are_refused_saying_which_and_why(Backend::Postgres).await;
}

/// Makes the database refuse to mark any amendment merged, as a failing write would.
async fn refuse_merged_status(raw: &Raw) {
    if raw.is_postgres() {
        raw.execute(
            "create function refuse_merged() returns trigger language plpgsql as \
             $$ begin raise exception 'the test refuses this write'; end $$",
        )
        .await;
        raw.execute(
            "create trigger refuse_merged before update of status on amendment for each row \
             when (new.status = 'merged') execute function refuse_merged()",
        )
        .await;
    } else {
        raw.execute(
            "create trigger refuse_merged before update of status on amendment \
             when new.status = 'merged' begin select raise(abort, 'the test refuses this write'); end",
        )
        .await;
    }
}

async fn a_failed_merge_leaves_everything_as_it_was(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let db = f.app.app.db.clone();
    let trains = f
        .file_on(&f.alice, "trains de nuit", "trains de nuit et de jour")
        .await;
    let library = f.file_on(&f.bob, "le dimanche", "tous les jours").await;
    f.adopt(&trains["id"]).await;
    f.adopt(&library["id"]).await;
    let unchanged = state(&f).await;
    let since = db.last_event_position().await.unwrap();

    // The status write fails: the change is not stored either.
    let raw = Raw::open(&f.app).await;
    refuse_merged_status(&raw).await;
    let (code, body) = f.act(&f.olga, &trains["id"], "merge", json!({})).await;
    assert_eq!(code, 500, "{body}");
    assert_eq!(state(&f).await, unchanged);
    let events = db.events_after(since, 100).await.unwrap();
    assert!(
        events.iter().all(|e| !matches!(
            e.kind,
            EventKind::AmendmentMerged | EventKind::TextVersionRecorded | EventKind::TextEdited
        )),
        "{events:?}"
    );
    assert!(
        db.text_edits(f.text, 10)
            .await
            .unwrap()
            .iter()
            .all(|e| e.message.as_deref() != Some("amendement 1")),
        "no change named after the amendment"
    );

    // Once the database accepts it again, the same merge goes through (the document was
    // reloaded from what was stored).
    if raw.is_postgres() {
        raw.execute("drop trigger refuse_merged on amendment").await;
    } else {
        raw.execute("drop trigger refuse_merged").await;
    }
    raw.close().await;
    let (code, body) = f.act(&f.olga, &trains["id"], "merge", json!({})).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        f.markdown().await,
        ORIGINAL.replace("trains de nuit", "trains de nuit et de jour")
    );
    f.app.stop().await;
}

#[tokio::test]
async fn a_failed_merge_leaves_everything_as_it_was_on_sqlite() {
    a_failed_merge_leaves_everything_as_it_was(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn a_failed_merge_leaves_everything_as_it_was_on_postgres() {
    a_failed_merge_leaves_everything_as_it_was(Backend::Postgres).await;
}

/// A merge whose splice is refused (the text would exceed its longest) changes nothing either.
async fn a_merge_too_long_for_the_text_changes_nothing(backend: Backend) {
    let Some(f) = crate::amendments::start_with(backend, ORIGINAL, |c| {
        c.doc_max_text_length = 400;
    })
    .await
    else {
        return;
    };
    let long = "Un chapitre bien plus long. ".repeat(10);
    let huge = f.file_on(&f.alice, "Fin du chapitre.", &long).await;
    f.adopt(&huge["id"]).await;
    let unchanged = state(&f).await;
    let (code, body) = f.act(&f.olga, &huge["id"], "merge", json!({})).await;
    assert_eq!(code, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("longueur maximale"),
        "{body}"
    );
    assert_eq!(state(&f).await, unchanged);
    f.app.stop().await;
}

#[tokio::test]
async fn a_merge_too_long_for_the_text_changes_nothing_on_sqlite() {
    a_merge_too_long_for_the_text_changes_nothing(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn a_merge_too_long_for_the_text_changes_nothing_on_postgres() {
    a_merge_too_long_for_the_text_changes_nothing(Backend::Postgres).await;
}

/// The passages of the text that merged amendments wrote: (text, amendment ids), in order.
async fn written(f: &Fixture) -> Vec<(String, Value)> {
    let provenance = f
        .bob
        .get_json(&format!("/api/v1/texts/{}/provenance", f.id), 200)
        .await;
    provenance["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["passages"].as_array().unwrap().clone())
        .map(|w| {
            (
                w["text"].as_str().unwrap().to_owned(),
                w["amendment_ids"].clone(),
            )
        })
        .collect()
}

/// Provenance is the document's own: the merge reaches the peers through the sync path, what
/// they type is theirs (a peer writing an amendment's name in its change's message claims
/// nothing), and deleting merged words takes them out of it.
async fn provenance_follows_the_document_through_the_sync_path(backend: Backend) {
    use crate::sync_client::{Auth, SyncClient};
    use automerge::transaction::{CommitOptions, Transactable};
    use automerge::{ROOT, ReadDoc};
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let trains = f
        .file_on(&f.alice, "trains de nuit", "trains de nuit et de jour")
        .await;
    f.adopt(&trains["id"]).await;
    let mut olga = SyncClient::connect(&f.app.url, &f.id, Auth::Bearer(f.olga.token()))
        .await
        .expect("upgrade");
    olga.wait_for_hello(false).await;
    olga.wait_for_markdown("the document", |m| !m.is_empty())
        .await;

    let (code, body) = f.act(&f.olga, &trains["id"], "merge", json!({})).await;
    assert_eq!(code, 200, "{body}");
    olga.wait_for_markdown("the merge", |m| m.contains("trains de nuit et de jour"))
        .await;
    assert_eq!(
        written(&f).await,
        [(" et de jour".to_owned(), json!([trains["id"]]))]
    );

    // A peer's change that names the amendment in its message: its words are not the
    // amendment's.
    let now = olga.markdown();
    let at = utf16_range(&now, " partout").start;
    let (_, text) = olga.doc.get(ROOT, "markdown").unwrap().unwrap();
    olga.doc.splice_text(&text, at, 0, " vraiment").unwrap();
    olga.doc
        .commit_with(CommitOptions::default().with_message("amendement 1".to_owned()));
    olga.send_sync().await;
    olga.wait_saved().await;
    // Deleting merged words: what remains of them is still the amendment's.
    let now = olga.markdown();
    olga.splice(utf16_range(&now, "de jour").start, 3, "").await;
    olga.wait_saved().await;
    assert_eq!(
        f.markdown().await,
        ORIGINAL.replace(
            "trains de nuit partout",
            "trains de nuit et jour vraiment partout"
        )
    );
    // (What remains of them is contiguous again: one run.)
    assert_eq!(
        written(&f).await,
        [(" et jour".to_owned(), json!([trains["id"]]))]
    );
    olga.close().await;
    f.app.stop().await;
}

#[tokio::test]
async fn provenance_follows_the_document_through_the_sync_path_on_sqlite() {
    provenance_follows_the_document_through_the_sync_path(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn provenance_follows_the_document_through_the_sync_path_on_postgres() {
    provenance_follows_the_document_through_the_sync_path(Backend::Postgres).await;
}

/// A national programme's length (100,000 characters, 500 paragraphs): a merge in its middle
/// is one passage of provenance, in its paragraph, and nothing else is.
#[tokio::test]
async fn provenance_of_a_long_text_names_only_the_merged_passage() {
    let paragraphs: Vec<String> = (1..=500)
        .map(|n| format!("Paragraphe {n:03} : {}", "mot ".repeat(48).trim_end()))
        .collect();
    let markdown = paragraphs.join("\n\n") + "\n";
    assert!(markdown.len() >= 100_000, "{}", markdown.len());
    let Some(f) = start(Backend::Sqlite, &markdown).await else {
        return;
    };
    let range = utf16_range(&markdown, "Paragraphe 250 : mot mot");
    let (code, amendment) = f
        .file(
            &f.alice,
            json!({"start": range.start, "end": range.end,
                   "replacement": "Paragraphe 250 : un mot neuf", "submit": true}),
        )
        .await;
    assert_eq!(code, 201, "{amendment}");
    f.adopt(&amendment["id"]).await;
    let (code, body) = f.act(&f.olga, &amendment["id"], "merge", json!({})).await;
    assert_eq!(code, 200, "{body}");
    let provenance = f
        .bob
        .get_json(&format!("/api/v1/texts/{}/provenance", f.id), 200)
        .await;
    let with_passages: Vec<(u64, Vec<String>)> = provenance["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["passages"].as_array().unwrap().is_empty())
        .map(|p| {
            (
                p["number"].as_u64().unwrap(),
                p["passages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| w["text"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        with_passages,
        [(250, vec!["un ".to_owned(), "neuf".to_owned()])]
    );
    assert_eq!(provenance["paragraphs"].as_array().unwrap().len(), 500);
    f.app.stop().await;
}
