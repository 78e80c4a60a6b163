//! Amendments' pages (issue 13, second step), through the real server and a browser-like client
//! (cookies, CSRF): an amendment's page and its forms — submitting, supporting and withdrawing
//! support, screening with an error shown next to its field — each form shown only to who may
//! use it.

use serde_json::json;

use crate::amendments::{Fixture, ORIGINAL, range_of, start};
use crate::harness::{Backend, Browser};

async fn signed_in(f: &Fixture, email: &str) -> Browser {
    let browser = f.app.browser();
    let response = browser.login(email).await;
    assert_eq!(response.status().as_u16(), 303, "{email} signs in");
    browser
}

async fn page(browser: &Browser, path: &str) -> (u16, String) {
    browser.get_text(path).await
}

async fn post(browser: &Browser, from: &str, to: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let response = browser.submit(from, to, fields).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Olga, an organiser, editing the text live (as the organisers may while amendments run).
async fn olga_editing(f: &Fixture) -> crate::sync_client::SyncClient {
    use crate::sync_client::{Auth, SyncClient};
    let mut olga = SyncClient::connect(&f.app.url, &f.id, Auth::Bearer(f.olga.token()))
        .await
        .expect("upgrade");
    olga.wait_for_hello(false).await;
    olga.until(std::time::Duration::from_secs(10), "the document", |c| {
        !c.markdown().is_empty()
    })
    .await;
    olga
}

async fn the_amendment_page_and_its_forms(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    // Alice keeps a draft through the API (the same service as the pages' forms).
    let range = range_of(ORIGINAL, "trains de nuit");
    let (status, body) = f
        .file(
            &f.alice,
            json!({"start": range.start, "end": range.end, "replacement": "trains de jour",
                   "rationale": "Le jour aussi.\n\nEt la nuit."}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();
    let path = format!("/amendments/{id}");

    let alice = signed_in(&f, "alice@exemple.fr").await;
    let bob = signed_in(&f, "bob@exemple.fr").await;
    let olga = signed_in(&f, "olga@exemple.fr").await;

    // The draft: its author sees it, with the diff by word and the submit form; nobody else.
    let (status, html) = page(&alice, &path).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Amendement 1 — § 2, ligne 2"),
        "the number and reference: {html}"
    );
    assert!(html.contains("<del>nuit</del>"), "the deleted word: {html}");
    assert!(
        html.contains("<ins>jour</ins>"),
        "the inserted word: {html}"
    );
    assert!(
        html.contains("<p>Le jour aussi.</p>"),
        "the rationale, by paragraph"
    );
    assert!(html.contains("Brouillon"), "its status");
    assert!(
        html.contains(&format!("action=\"{path}/submit\"")),
        "the submit form"
    );
    assert!(
        !html.contains(&format!("action=\"{path}/support\"")),
        "no support of one's own"
    );
    assert!(
        !html.contains(&format!("action=\"{path}/status\"")),
        "no screening for a member"
    );
    assert_eq!(page(&bob, &path).await.0, 404, "another's draft is hidden");
    assert_eq!(
        f.app.browser().get_text(&path).await.0,
        404,
        "and from visitors"
    );
    // Only its author submits it, even by posting the form directly.
    assert_eq!(post(&bob, "/", &format!("{path}/submit"), &[]).await.0, 404);

    let (status, _) = post(&alice, &path, &format!("{path}/submit"), &[]).await;
    assert_eq!(status, 303, "submitted through the form");
    let (_, html) = page(&alice, &path).await;
    assert!(html.contains("Déposé"), "its new status: {html}");
    assert!(html.contains("Amendement déposé."), "the flash");
    assert!(
        !html.contains(&format!("action=\"{path}/submit\"")),
        "submitted once"
    );
    assert!(
        html.contains(&format!("action=\"{path}/withdraw\"")),
        "its author may withdraw it"
    );

    // Bob supports it, then takes his support back, then gives it again.
    let (_, html) = page(&bob, &path).await;
    assert!(
        html.contains("déposé par Alice Rédactrice"),
        "the author named: {html}"
    );
    assert!(html.contains("0 soutien"), "no supporter yet");
    assert!(
        html.contains(&format!("action=\"{path}/support\"")),
        "Bob may support it"
    );
    assert!(
        !html.contains(&format!("action=\"{path}/withdraw\"")),
        "but not withdraw it"
    );
    assert_eq!(
        post(&bob, &path, &format!("{path}/support"), &[]).await.0,
        303
    );
    let (_, html) = page(&bob, &path).await;
    assert!(html.contains("1 soutien"), "one supporter: {html}");
    assert!(html.contains("<li>Bob Rédacteur</li>"), "named");
    assert!(
        !html.contains(&format!("action=\"{path}/support\"")),
        "not twice"
    );
    assert!(html.contains(&format!("action=\"{path}/unsupport\"")));
    assert_eq!(
        post(&bob, &path, &format!("{path}/unsupport"), &[]).await.0,
        303
    );
    assert!(page(&bob, &path).await.1.contains("0 soutien"));
    assert_eq!(
        post(&bob, &path, &format!("{path}/support"), &[]).await.0,
        303
    );
    // Supporting twice by posting again is refused with the reason, on the page.
    let (status, html) = post(&bob, "/", &format!("{path}/support"), &[]).await;
    assert_eq!(status, 303, "{html}");
    assert!(page(&bob, &path).await.1.contains("soutenez déjà"));

    // Olga screens it: inadmissible needs a reason, shown next to the field.
    let (_, html) = page(&olga, &path).await;
    assert!(
        html.contains(&format!("action=\"{path}/status\"")),
        "the screening form"
    );
    assert!(html.contains("value=\"inadmissible\""));
    let (status, html) = post(
        &olga,
        &path,
        &format!("{path}/status"),
        &[("status", "inadmissible"), ("reason", "  ")],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("id=\"field-reason-error\""),
        "the error by its field: {html}"
    );
    assert!(html.contains("Une irrecevabilité se motive"), "{html}");
    assert!(
        html.contains("<option value=\"inadmissible\" selected>"),
        "the choice kept"
    );
    let (status, _) = post(
        &olga,
        &path,
        &format!("{path}/status"),
        &[("status", "inadmissible"), ("reason", "Hors sujet.")],
    )
    .await;
    assert_eq!(status, 303);
    // Bob may not screen, even by posting the form: refused, back to the page saying so.
    let (status, _) = post(
        &bob,
        &path,
        &format!("{path}/status"),
        &[("status", "admissible"), ("reason", "")],
    )
    .await;
    assert_eq!(status, 303);
    assert!(page(&bob, &path).await.1.contains("Action refusée"));

    // The history: each status with who and why; a visitor reads it without names nor forms.
    let (_, html) = page(&bob, &path).await;
    assert!(html.contains("Irrecevable"), "{html}");
    assert!(html.contains("Motif : Hors sujet."), "the reason");
    assert!(html.contains("par Olga Organisatrice"), "who screened it");
    assert!(
        !html.contains(&format!("action=\"{path}/unsupport\"")),
        "support closed once screened"
    );
    let (status, html) = f.app.browser().get_text(&path).await;
    assert_eq!(status, 200, "a public theme's amendments are public");
    assert!(
        !html.contains("Alice Rédactrice") && !html.contains("Olga Organisatrice"),
        "{html}"
    );
    assert!(html.contains("déposé par un·e membre"));
    assert!(
        !html.contains("<form method=\"post\" action=\"/amendments"),
        "no form for a visitor"
    );
    f.app.stop().await;
}

#[tokio::test]
async fn the_amendment_page_and_its_forms_on_sqlite() {
    the_amendment_page_and_its_forms(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn the_amendment_page_and_its_forms_on_postgres() {
    the_amendment_page_and_its_forms(Backend::Postgres).await;
}

async fn overlapping_amendments_link_each_other(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let first = f
        .file_on(&f.alice, "trains de nuit partout", "trains partout")
        .await;
    let second = f.file_on(&f.bob, "de nuit", "de jour").await;
    let (first, second) = (
        first["id"].as_str().expect("id").to_owned(),
        second["id"].as_str().expect("id").to_owned(),
    );
    let alice = signed_in(&f, "alice@exemple.fr").await;
    let (_, html) = page(&alice, &format!("/amendments/{first}")).await;
    assert!(
        html.contains(&format!("href=\"/amendments/{second}\"")),
        "the overlapping amendment linked: {html}"
    );
    assert!(!html.contains("a changé depuis le dépôt"), "not outdated");
    let (_, html) = page(&alice, &format!("/amendments/{second}")).await;
    assert!(
        html.contains(&format!("href=\"/amendments/{first}\"")),
        "both ways: {html}"
    );
    f.app.stop().await;
}

#[tokio::test]
async fn overlapping_amendments_link_each_other_on_sqlite() {
    overlapping_amendments_link_each_other(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn overlapping_amendments_link_each_other_on_postgres() {
    overlapping_amendments_link_each_other(Backend::Postgres).await;
}

async fn the_list_filters_and_sorts_by_position(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    // Filed out of the text's order: number 1 is further down than number 2.
    let later = f.file_on(&f.alice, "bibliothèques", "médiathèques").await;
    let earlier = f.file_on(&f.bob, "trains de nuit", "trains de jour").await;
    let (status, draft) = f
        .file(
            &f.alice,
            json!({"start": 0, "end": 1, "replacement": "##", "rationale": "Brouillon."}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    let (later, earlier, draft) = (
        later["id"].as_str().expect("id").to_owned(),
        earlier["id"].as_str().expect("id").to_owned(),
        draft["id"].as_str().expect("id").to_owned(),
    );
    let list = format!("/texts/{}/amendments", f.id);
    let bob = signed_in(&f, "bob@exemple.fr").await;
    let alice = signed_in(&f, "alice@exemple.fr").await;

    let (status, html) = page(&bob, &list).await;
    assert_eq!(status, 200, "{html}");
    let at = |html: &str, id: &str| html.find(&format!("href=\"/amendments/{id}\""));
    let (first, second) = (at(&html, &earlier), at(&html, &later));
    assert!(first.is_some() && second.is_some(), "both listed: {html}");
    assert!(first < second, "by position in the text, not by number");
    assert!(at(&html, &draft).is_none(), "another's draft is not listed");
    assert!(html.contains("2 amendement(s) affiché(s) sur 2."), "{html}");
    assert!(html.contains("<td>Alice Rédactrice</td>"), "authors named");
    // The reading view's margins count each paragraph's visible amendments, linking the list.
    let (_, text) = page(&bob, &format!("/texts/{}", f.id)).await;
    let paragraph = html_paragraph(&f, &earlier).await;
    let margin = format!("href=\"{list}?paragraph={paragraph}\">1 amendement<");
    assert!(
        text.contains(&margin),
        "the margin of § {paragraph}: {text}"
    );
    assert!(
        !text.contains(&format!("href=\"{list}?paragraph=1\"")),
        "Alice's draft is not counted for Bob"
    );
    let (_, text) = page(&alice, &format!("/texts/{}", f.id)).await;
    assert!(
        text.contains(&format!("href=\"{list}?paragraph=1\">1 amendement<")),
        "but for her"
    );
    // The reading view leads here.
    let (_, text) = page(&bob, &format!("/texts/{}", f.id)).await;
    assert!(
        text.contains(&format!("href=\"{list}\"")),
        "the reading view links the list"
    );

    // Her own draft is in Alice's list; filters by status, author, paragraph.
    let (_, html) = page(&alice, &list).await;
    assert!(at(&html, &draft).is_some(), "one's own draft is listed");
    let (_, html) = page(&alice, &format!("{list}?status=draft")).await;
    assert!(
        at(&html, &draft).is_some() && at(&html, &earlier).is_none(),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"draft\" selected>"),
        "the filter shown as chosen"
    );
    let (_, html) = page(&alice, &format!("{list}?author={}", f.bob_id)).await;
    assert!(
        at(&html, &earlier).is_some() && at(&html, &later).is_none(),
        "{html}"
    );
    let paragraph = html_paragraph(&f, &later).await;
    let (_, html) = page(&alice, &format!("{list}?paragraph={paragraph}")).await;
    assert!(
        at(&html, &later).is_some() && at(&html, &earlier).is_none(),
        "{html}"
    );
    assert!(
        html.contains(&format!("value=\"{paragraph}\"")),
        "the paragraph kept"
    );
    // A hand-edited filter that does not parse filters nothing.
    let (status, html) = page(&alice, &format!("{list}?status=nope&paragraph=x")).await;
    assert_eq!(status, 200);
    assert!(html.contains("3 amendement(s) affiché(s) sur 3."), "{html}");
    f.app.stop().await;
}

/// The paragraph an amendment was filed on, from its reference (« § n, … »).
async fn html_paragraph(f: &Fixture, id: &str) -> String {
    let body = f
        .alice
        .get_json(&format!("/api/v1/amendments/{id}"), 200)
        .await;
    let reference = body["reference"].as_str().expect("reference");
    reference
        .trim_start_matches("§ ")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[tokio::test]
async fn the_list_filters_and_sorts_by_position_on_sqlite() {
    the_list_filters_and_sorts_by_position(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn the_list_filters_and_sorts_by_position_on_postgres() {
    the_list_filters_and_sorts_by_position(Backend::Postgres).await;
}

async fn filing_a_paragraph_without_javascript(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let alice = signed_in(&f, "alice@exemple.fr").await;
    let sam = signed_in(&f, "sam@exemple.fr").await;
    let text = format!("/texts/{}", f.id);
    // The reading view: « Amender » on each paragraph, for who may file; not for a supporter.
    // The gaps' « Ajouter un paragraphe » are the in-place editor's (browser tests): without
    // it, adding is offered on the paragraph's form.
    let (_, html) = page(&alice, &text).await;
    let amend = format!("href=\"{text}/amendments/new?paragraph=2\"");
    assert!(html.contains(&amend), "the paragraph's control: {html}");
    assert!(
        html.contains("aria-label=\"Amender le § 2\""),
        "its label names the paragraph: {html}"
    );
    assert!(!html.contains("add=1"), "one control per paragraph: {html}");
    assert!(
        !page(&sam, &text).await.1.contains(&amend),
        "a supporter does not file"
    );
    // For the in-place editor (amend.js): each paragraph's source range in UTF-16 units (after
    // the emoji of § 3, two units), the Markdown and the heads; none of it for who may not file.
    for (n, passage) in [
        (2, "Nous voulons des trains de nuit partout."),
        (4, "Les bibliothèques ouvrent le dimanche."),
    ] {
        let range = range_of(ORIGINAL, passage);
        let attributes = format!(
            "data-paragraph=\"{n}\" data-src=\"{}-{}\"",
            range.start, range.end
        );
        assert!(html.contains(&attributes), "{attributes}: {html}");
    }
    assert!(
        html.contains("id=\"amend-source\"") && html.contains("src=\"/assets/amend."),
        "the editor's data and script: {html}"
    );
    let (_, supporter) = page(&sam, &text).await;
    assert!(
        !supporter.contains("amend-source") && !supporter.contains("data-src="),
        "{supporter}"
    );

    // The form: the paragraph's Markdown, prefilled.
    let form = format!("{text}/amendments/new?paragraph=2");
    let (status, html) = page(&alice, &form).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains(">Nous voulons des trains de nuit partout.</textarea>"),
        "{html}"
    );
    assert!(html.contains("Enregistrer le brouillon") && html.contains(">Déposer<"));
    // Adding a paragraph after it, without JavaScript, is one link away; and back.
    let adding = format!("{text}/amendments/new?paragraph=2&amp;add=1");
    assert!(
        html.contains(&format!(
            "href=\"{adding}\">Ajouter plutôt un paragraphe après le § 2<"
        )),
        "{html}"
    );
    let (status, add_form) = page(&alice, &adding.replace("&amp;", "&")).await;
    assert_eq!(status, 200, "{add_form}");
    assert!(
        add_form.contains("name=\"add\" value=\"1\"")
            && add_form.contains(&format!("href=\"{form}\">Modifier plutôt le § 2<")),
        "{add_form}"
    );
    let heads = html
        .split("name=\"heads\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the heads in the form")
        .to_owned();
    // An identical wording comes back with the error by its field.
    let to = format!("{text}/amendments/new");
    let (status, html) = post(
        &alice,
        &form,
        &to,
        &[
            ("paragraph", "2"),
            ("heads", &heads),
            ("replacement", "Nous voulons des trains de nuit partout."),
            ("rationale", ""),
            ("action", "submit"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"field-replacement-error\""), "{html}");
    // Submitted: its page shows the diff of the paragraph.
    let response = alice
        .submit(
            &form,
            &to,
            &[
                ("paragraph", "2"),
                ("heads", &heads),
                ("replacement", "Nous voulons des trains de jour partout.\n"),
                ("rationale", "Le jour."),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let (_, html) = page(&alice, &location).await;
    assert!(html.contains("Amendement 1 — § 2"), "{html}");
    assert!(
        html.contains("<del>nuit</del>") && html.contains("<ins>jour</ins>"),
        "{html}"
    );
    assert!(html.contains("Déposé"));
    // A paragraph added after § 3, kept as a draft; a supporter may not file.
    let (status, _) = post(
        &alice,
        &text,
        &to,
        &[
            ("paragraph", "3"),
            ("add", "1"),
            ("heads", ""),
            ("replacement", "Les musées sont gratuits."),
            ("rationale", "Aussi."),
            ("action", "draft"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let listed = f
        .alice
        .get_json(&format!("/api/v1/texts/{}/amendments", f.id), 200)
        .await;
    let added = &listed.as_array().expect("list")[1];
    assert_eq!(added["status"], "draft");
    assert_eq!(added["original"], "");
    assert_eq!(added["replacement"], "\n\nLes musées sont gratuits.");
    assert_eq!(page(&sam, &form).await.0, 403);
    assert_eq!(
        page(&alice, &format!("{text}/amendments/new?paragraph=99"))
            .await
            .0,
        404
    );
    f.app.stop().await;
}

#[tokio::test]
async fn filing_a_paragraph_without_javascript_on_sqlite() {
    filing_a_paragraph_without_javascript(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn filing_a_paragraph_without_javascript_on_postgres() {
    filing_a_paragraph_without_javascript(Backend::Postgres).await;
}

/// The organiser edits the text while amendments run (over the real sync path): an amendment
/// whose passage changed shows it as it was and as it is; one whose passage was deleted says it
/// no longer applies; one untouched shows neither.
async fn outdated_and_orphaned_amendments_say_so_on_their_page(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let mut ids = Vec::new();
    for (passage, replacement) in [
        ("trains de nuit", "trains de jour"),
        (
            "La culture pour tous, même à Paris 😀.",
            "La culture partout.",
        ),
        ("Fin du chapitre.", "Fin."),
    ] {
        let filed = f.file_on(&f.alice, passage, replacement).await;
        ids.push(filed["id"].as_str().unwrap().to_owned());
    }
    let mut olga = olga_editing(&f).await;
    let text = olga.markdown();
    let culture = range_of(&text, "La culture pour tous, même à Paris 😀.");
    olga.splice(culture.start, culture.len(), "").await;
    let inside = range_of(&text, " de nuit").start;
    olga.insert(inside, " rapides").await;
    olga.wait_saved().await;

    let bob = signed_in(&f, "bob@exemple.fr").await;
    let outdated = "Le passage amendé a changé depuis le dépôt de cet amendement.";
    let orphaned = "Le passage amendé a été entièrement supprimé du texte";
    let (status, changed) = page(&bob, &format!("/amendments/{}", ids[0])).await;
    assert_eq!(status, 200);
    assert!(changed.contains(outdated), "{changed}");
    assert!(changed.contains("trains de nuit") && changed.contains("trains rapides de nuit"));
    assert!(!changed.contains(orphaned));
    let (_, gone) = page(&bob, &format!("/amendments/{}", ids[1])).await;
    assert!(
        gone.contains(orphaned) && !gone.contains(outdated),
        "{gone}"
    );
    let (_, untouched) = page(&bob, &format!("/amendments/{}", ids[2])).await;
    assert!(!untouched.contains(outdated) && !untouched.contains(orphaned));
    olga.close().await;
    f.app.stop().await;
}

#[tokio::test]
async fn outdated_and_orphaned_amendments_say_so_on_their_page_on_sqlite() {
    outdated_and_orphaned_amendments_say_so_on_their_page(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn outdated_and_orphaned_amendments_say_so_on_their_page_on_postgres() {
    outdated_and_orphaned_amendments_say_so_on_their_page(Backend::Postgres).await;
}

/// The in-place editor reads the Markdown the page shows when the member starts amending
/// (the reading view no longer carries a copy): the page names the URL, which answers that
/// state byte for byte even after the text moved on, and may be kept by the browser; a
/// malformed or unknown state is refused naming `heads`.
async fn the_in_place_editor_reads_the_markdown_the_page_shows(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let alice = signed_in(&f, "alice@exemple.fr").await;
    let (_, html) = page(&alice, &format!("/texts/{}", f.id)).await;
    assert!(!html.contains("data-markdown=\""), "no copy in the page");
    let url = html
        .split("data-markdown-url=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the Markdown's address")
        .to_owned();
    assert!(url.starts_with(&format!("/api/v1/texts/{}/markdown?heads=", f.id)));
    let response = alice.get(&url).await;
    assert_eq!(response.status().as_u16(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        header(&response, "content-type"),
        "text/markdown; charset=utf-8"
    );
    assert!(header(&response, "cache-control").contains("immutable"));
    assert_eq!(response.text().await.unwrap(), ORIGINAL);

    // The text moves on: the named state is still what it was; now is the new text.
    let mut olga = olga_editing(&f).await;
    olga.insert(0, "Préambule.\n\n").await;
    olga.wait_saved().await;
    assert_eq!(alice.get(&url).await.text().await.unwrap(), ORIGINAL);
    let now = alice.get(&format!("/api/v1/texts/{}/markdown", f.id)).await;
    assert!(header(&now, "cache-control").contains("no-cache"));
    assert_eq!(
        now.text().await.unwrap(),
        format!("Préambule.\n\n{ORIGINAL}")
    );

    // Malformed, too many, or unknown heads: 422 on `heads`.
    let unknown = "ab".repeat(32);
    let too_many = vec![unknown.as_str(); 65].join(",");
    for heads in ["zz", "ab12", too_many.as_str(), unknown.as_str()] {
        let response = f
            .alice
            .get(&format!("/api/v1/texts/{}/markdown?heads={heads}", f.id))
            .await;
        assert_eq!(response.status().as_u16(), 422, "{heads}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["fields"]["heads"].is_string(), "{body}");
    }
    olga.close().await;
    f.app.stop().await;
}

#[tokio::test]
async fn the_in_place_editor_reads_the_markdown_the_page_shows_on_sqlite() {
    the_in_place_editor_reads_the_markdown_the_page_shows(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn the_in_place_editor_reads_the_markdown_the_page_shows_on_postgres() {
    the_in_place_editor_reads_the_markdown_the_page_shows(Backend::Postgres).await;
}
