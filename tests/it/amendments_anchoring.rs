//! Amendments follow the text through concurrent edits made over the real sync path (issue 13,
//! « Anchoring »): two light clients type before, inside and after amended passages, delete a
//! passage's start, its end, all of it; the API then places each amendment where its passage
//! went, `outdated` (with the passage as it was and as it is) or `orphaned`, lists the
//! amendments whose current ranges overlap, and keeps every reference as it was at filing.

use std::time::Duration;

use serde_json::Value;

use crate::amendments::{Fixture, ORIGINAL, range_of, start};
use crate::harness::{Api, Backend};
use crate::sync_client::{Auth, SyncClient};

async fn peer(f: &Fixture, api: &Api) -> SyncClient {
    let mut client = SyncClient::connect(&f.app.url, &f.id, Auth::Bearer(api.token()))
        .await
        .expect("upgrade");
    client.wait_for_hello(false).await;
    client
        .until(Duration::from_secs(10), "the document arrives", |c| {
            !c.markdown().is_empty()
        })
        .await;
    client
}

/// The UTF-16 offset of `needle` in `text`, plus `plus` bytes of it.
fn at(text: &str, needle: &str, plus: usize) -> usize {
    let byte = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in {text:?}"));
    text[..byte + plus].encode_utf16().count()
}

async fn amendments_follow_concurrent_edits(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    // Filed while the text is amending, all submitted (live, so each counts in overlaps).
    let filed = [
        ("trains de nuit", "trains rapides"), // typed inside
        ("Nous voulons", "Nous exigeons"),    // typed at both edges
        (
            "La culture pour tous, même à Paris 😀.",
            "La culture partout.",
        ), // deleted whole
        ("Les bibliothèques ouvrent", "Les médiathèques ouvrent"), // start deleted
        ("ouvrent le dimanche", "ouvrent tous les jours"), // end deleted
        ("des trains", "des bus"),            // overlaps the first
    ];
    let mut ids = Vec::new();
    let mut references = Vec::new();
    for (passage, replacement) in filed {
        let amendment = f.file_on(&f.alice, passage, replacement).await;
        ids.push(amendment["id"].as_str().unwrap().to_owned());
        references.push(amendment["reference"].clone());
    }
    // An insertion point at the end of the last paragraph (a sentence to add).
    let end = at(ORIGINAL, "Fin du chapitre.", "Fin du chapitre.".len());
    let (status, point) = f
        .file(
            &f.bob,
            serde_json::json!({"start": end, "end": end, "replacement": " À suivre.", "submit": true}),
        )
        .await;
    assert_eq!(status, 201, "{point}");
    ids.push(point["id"].as_str().unwrap().to_owned());
    references.push(point["reference"].clone());
    assert_eq!(
        references,
        [
            "§ 2, ligne 2",
            "§ 2, ligne 2",
            "§ 3, ligne 3",
            "§ 4, ligne 4",
            "§ 4, ligne 4",
            "§ 2, ligne 2",
            "§ 5, ligne 5"
        ]
    );
    // Each reference is the numbered view of the text as filed: the passage is on the lines it
    // cites (each of these passages is on one line).
    let view = crate::amendments::numbered_view(&f, &f.id).await;
    for ((passage, _), reference) in filed.iter().zip(&references) {
        let line = view
            .iter()
            .find(|(_, _, text)| text.contains(passage))
            .unwrap_or_else(|| panic!("{passage:?} in {view:?}"));
        assert_eq!(
            reference,
            &crate::amendments::cited(&view, line.1, line.1).as_str()
        );
    }
    let before = f.list(&f.bob, "").await;
    let overlaps = |list: &[Value], i: usize| -> Vec<String> {
        list[i]["overlaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(overlaps(&before, 0), [ids[5].clone()]);
    assert_eq!(overlaps(&before, 3), [ids[4].clone()]);
    assert!(overlaps(&before, 1).is_empty() && overlaps(&before, 6).is_empty());

    // The organisers reopen the text for editing (amendments keep running on it); Alice and Bob
    // edit concurrently, each from the end of their own copy so that their offsets hold.
    f.set_text_status("drafting").await;
    let mut alice = peer(&f, &f.alice).await;
    let mut bob = peer(&f, &f.bob).await;
    let text = alice.markdown();
    alice
        .insert(at(&text, "Fin du chapitre.", 16), " Merci.")
        .await;
    alice.splice(at(&text, "Les bibliothèques", 0), 4, "").await;
    alice.insert(at(&text, " des trains", 0), " vraiment").await;
    alice.insert(at(&text, "Nous voulons", 0), "Déjà, ").await;
    let text = bob.markdown();
    bob.splice(at(&text, " dimanche.", 0), " dimanche".len(), "")
        .await;
    let culture = range_of(&text, "La culture pour tous, même à Paris 😀.");
    bob.splice(culture.start, culture.len(), "").await;
    bob.insert(at(&text, " de nuit", 0), " rapides").await;
    let merged = "# Culture\n\nDéjà, Nous voulons vraiment des trains rapides de nuit partout.\n\n\
        \n\nbibliothèques ouvrent le.\n\nFin du chapitre. Merci.\n";
    for client in [&mut alice, &mut bob] {
        client.wait_saved().await;
    }
    for client in [&mut alice, &mut bob] {
        client
            .wait_for_markdown("the peers converge", |m| m == merged)
            .await;
    }

    let now = f.list(&f.bob, "").await;
    let slice = |a: &Value| {
        let units: Vec<u16> = merged.encode_utf16().collect();
        let (s, e) = (
            a["start"].as_u64().unwrap() as usize,
            a["end"].as_u64().unwrap() as usize,
        );
        String::from_utf16(&units[s..e]).unwrap()
    };
    let state = |a: &Value| {
        (
            a["current"].as_str().unwrap().to_owned(),
            a["outdated"].as_bool().unwrap(),
            a["orphaned"].as_bool().unwrap(),
        )
    };
    for amendment in &now {
        assert_eq!(slice(amendment), amendment["current"].as_str().unwrap());
    }
    assert_eq!(
        state(&now[0]),
        ("trains rapides de nuit".into(), true, false)
    );
    assert_eq!(
        now[0]["original"], "trains de nuit",
        "as it was, and as it is"
    );
    assert_eq!(state(&now[1]), ("Nous voulons".into(), false, false));
    assert_eq!(state(&now[2]), (String::new(), false, true));
    assert_eq!(
        now[2]["start"].as_u64(),
        Some(at(merged, "\n\n\n\nbiblio", 2) as u64)
    );
    assert_eq!(
        state(&now[3]),
        ("bibliothèques ouvrent".into(), true, false)
    );
    assert_eq!(state(&now[4]), ("ouvrent le".into(), true, false));
    assert_eq!(state(&now[5]), ("des trains".into(), false, false));
    // The point stayed just after « chapitre. »: what Alice typed there came after it.
    assert_eq!(
        now[6]["start"].as_u64(),
        Some(at(merged, " Merci.", 0) as u64)
    );
    assert_eq!(state(&now[6]), (String::new(), false, false));
    // Overlaps are those of the current ranges: an orphan overlaps nothing.
    assert_eq!(overlaps(&now, 0), [ids[5].clone()]);
    assert_eq!(overlaps(&now, 5), [ids[0].clone()]);
    assert_eq!(overlaps(&now, 3), [ids[4].clone()]);
    assert_eq!(overlaps(&now, 4), [ids[3].clone()]);
    for i in [1, 2, 6] {
        assert!(overlaps(&now, i).is_empty(), "{}", now[i]);
    }
    // References never move; a single amendment's page says the same as the list.
    let cited: Vec<Value> = now.iter().map(|a| a["reference"].clone()).collect();
    assert_eq!(cited, references);
    let one = f
        .bob
        .get_json(&format!("/api/v1/amendments/{}", ids[0]), 200)
        .await;
    assert_eq!(one, now[0]);

    // Filed now, against the heads Alice saw before her last edits: the positions are hers.
    let heads = f
        .alice
        .get_json(&format!("/api/v1/texts/{}", f.id), 200)
        .await["heads"]
        .clone();
    alice.insert(0, "Préambule.\n\n").await;
    alice.wait_saved().await;
    let merci = range_of(merged, "Merci.");
    let (status, late) = f
        .file(
            &f.alice,
            serde_json::json!({"start": merci.start, "end": merci.end, "replacement": "Merci à tous.",
                               "heads": heads}),
        )
        .await;
    // The text is drafting again: filing waits for amending.
    assert_eq!(status, 409, "{late}");
    f.set_text_status("amending").await;
    let (status, late) = f
        .file(
            &f.alice,
            serde_json::json!({"start": merci.start, "end": merci.end, "replacement": "Merci à tous.",
                               "heads": heads}),
        )
        .await;
    assert_eq!(status, 201, "{late}");
    assert_eq!(late["original"], "Merci.");
    assert_eq!(late["current"], "Merci.");
    assert_eq!(
        late["reference"], "§ 4, ligne 4",
        "cited in the state it was written against"
    );
    let shifted = "Préambule.\n\n".encode_utf16().count();
    assert_eq!(late["start"].as_u64(), Some((merci.start + shifted) as u64));
    // The status changes closed their sockets (rights are checked again on reconnecting).
    drop((alice, bob));
    f.app.stop().await;
}

#[tokio::test]
async fn amendments_follow_concurrent_edits_on_sqlite() {
    amendments_follow_concurrent_edits(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn amendments_follow_concurrent_edits_on_postgres() {
    amendments_follow_concurrent_edits(Backend::Postgres).await;
}
