//! A text's life beyond one editing session: leaving memory when idle and coming back from
//! storage, compaction of its stored chunks, many texts loading at once, templates, import and
//! export, named versions compared, wiki links across themes, a change that replaces the whole
//! document, and who changed what in a group.

use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT};
use serde_json::{Value, json};

use crate::harness::{Api, Backend, Browser, TestApp};
use crate::sync_client::{Auth, SyncClient};
use atelier::model::{GroupId, GroupKind, Role, Visibility};

/// A public theme with two writers (members) and a public second theme where the first writer
/// is a member too; their API clients.
struct Fixture {
    app: TestApp,
    theme: GroupId,
    other_theme: GroupId,
    writer: Api,
    second_writer: Api,
}

const WRITER: &str = "redactrice@exemple.fr";
const WRITER_NAME: &str = "Rosa Rédactrice";
const SECOND: &str = "second@exemple.fr";
const SECOND_NAME: &str = "Jean Second";

async fn fixture(app: TestApp) -> Fixture {
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    let other_theme = app
        .group(
            GroupKind::Theme,
            "Écologie et climat",
            national,
            Visibility::Public,
        )
        .await;
    let writer = app.member(WRITER, WRITER_NAME).await;
    app.grant(writer, theme, Role::Member).await;
    app.grant(writer, other_theme, Role::Member).await;
    let second = app.member(SECOND, SECOND_NAME).await;
    app.grant(second, theme, Role::Member).await;
    Fixture {
        writer: app.api_as(WRITER).await,
        second_writer: app.api_as(SECOND).await,
        theme,
        other_theme,
        app,
    }
}

async fn start(
    backend: Backend,
    adjust: impl FnOnce(&mut atelier::config::Config),
) -> Option<Fixture> {
    Some(fixture(TestApp::start_with(backend, adjust).await?).await)
}

/// Creates a text through the API; its id. `markdown: None` leaves the field out.
async fn create_with(api: &Api, group: GroupId, body: Value) -> String {
    let mut body = body;
    body["group_id"] = json!(group.to_string());
    let response = api.post("/api/v1/texts", body.clone()).await;
    let status = response.status().as_u16();
    let answer: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "creating {body}: {answer}");
    answer["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn create(
    api: &Api,
    group: GroupId,
    title: &str,
    kind: &str,
    markdown: &str,
) -> String {
    create_with(
        api,
        group,
        json!({ "title": title, "kind": kind, "markdown": markdown }),
    )
    .await
}

async fn markdown_of(api: &Api, id: &str) -> String {
    let text = api.get_json(&format!("/api/v1/texts/{id}"), 200).await;
    text["markdown"].as_str().expect("markdown").to_owned()
}

/// Waits (generously) until the hub holds `count` documents in memory.
async fn wait_open_count(app: &TestApp, count: usize, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app.app.hub.open_count() != count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}: {} documents in memory",
            app.app.hub.open_count()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A peer connected to `id`, once it has received the document.
async fn peer(app: &TestApp, api: &Api, id: &str) -> SyncClient {
    let mut client = SyncClient::connect(&app.url, id, Auth::Bearer(api.token()))
        .await
        .expect("upgrade");
    client
        .until(Duration::from_secs(10), "the document arrives", |c| {
            !c.markdown().is_empty()
        })
        .await;
    client
}

#[tokio::test]
async fn an_idle_text_leaves_memory_and_a_new_peer_gets_every_edit_from_storage() {
    let f = start(Backend::Sqlite, |c| c.doc_idle_seconds = 1)
        .await
        .unwrap();
    let id = create(&f.writer, f.theme, "Hôpital", "programme", "# Hôpital\n").await;
    assert_eq!(f.app.app.hub.open_count(), 0, "creating does not open");

    let mut alice = peer(&f.app, &f.writer, &id).await;
    for line in ["Des urgences ouvertes.\n", "Des lits 🛏️ en plus.\n"] {
        alice.append(line).await;
        alice.wait_saved().await;
    }
    // Connected peers keep the document in memory, however long they stay silent.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(f.app.app.hub.open_count(), 1);
    alice.close().await;
    wait_open_count(&f.app, 0, "the idle text leaves memory").await;

    let mut bob = peer(&f.app, &f.second_writer, &id).await;
    assert_eq!(f.app.app.hub.open_count(), 1, "the text is loaded again");
    bob.wait_for_markdown("bob gets every edit", |m| {
        m == "# Hôpital\nDes urgences ouvertes.\nDes lits 🛏️ en plus.\n"
    })
    .await;
    // And editing goes on on the reloaded copy.
    bob.append("Et des soignants.\n").await;
    bob.wait_saved().await;
    bob.close().await;
    assert!(
        markdown_of(&f.writer, &id)
            .await
            .ends_with("en plus.\nEt des soignants.\n")
    );
    f.app.stop().await;
}

/// Stored parts of a text's document: the snapshot ids, the number of chunks, the number of
/// history rows with an author. Read from the real database, not through the server.
async fn stored_parts(app: &TestApp, text: i64) -> (Vec<i64>, i64, i64) {
    use sqlx::Connection;
    const SNAPSHOTS: &str =
        "select doc_snapshot_id from doc_snapshot where text_id = $1 order by doc_snapshot_id";
    const CHUNKS: &str = "select count(*) from doc_chunk where text_id = $1";
    const EDITS: &str =
        "select count(*) from text_edit where text_id = $1 and author_id is not null";
    let url = app.config.database_url();
    if url.starts_with("postgres") {
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        let snapshots: Vec<i64> = sqlx::query_scalar(SNAPSHOTS)
            .bind(text)
            .fetch_all(&mut db)
            .await
            .unwrap();
        let chunks: i64 = sqlx::query_scalar(CHUNKS)
            .bind(text)
            .fetch_one(&mut db)
            .await
            .unwrap();
        let edits: i64 = sqlx::query_scalar(EDITS)
            .bind(text)
            .fetch_one(&mut db)
            .await
            .unwrap();
        (snapshots, chunks, edits)
    } else {
        assert!(
            app.data_dir().join("atelier.db").exists(),
            "the SQLite file is in the data directory"
        );
        let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let snapshots: Vec<i64> = sqlx::query_scalar(SNAPSHOTS)
            .bind(text)
            .fetch_all(&mut db)
            .await
            .unwrap();
        let chunks: i64 = sqlx::query_scalar(CHUNKS)
            .bind(text)
            .fetch_one(&mut db)
            .await
            .unwrap();
        let edits: i64 = sqlx::query_scalar(EDITS)
            .bind(text)
            .fetch_one(&mut db)
            .await
            .unwrap();
        (snapshots, chunks, edits)
    }
}

async fn compaction_keeps_every_edit(backend: Backend) {
    const COMPACT_AFTER: usize = 5;
    const EDITS: usize = 20;
    let Some(f) = start(backend, |c| {
        c.doc_compact_after_chunks = COMPACT_AFTER;
        c.doc_idle_seconds = 1;
    })
    .await
    else {
        return;
    };
    let id = create(&f.writer, f.theme, "Compactage", "wiki", "# Compactage\n").await;
    let text: i64 = id.parse().unwrap();
    let (created, chunks, _) = stored_parts(&f.app, text).await;
    assert_eq!(
        (created.len(), chunks),
        (1, 0),
        "a new text is one snapshot"
    );

    let mut alice = peer(&f.app, &f.writer, &id).await;
    for n in 0..EDITS {
        alice.append(&format!("[{n}]")).await;
        // Acknowledged one by one: each edit is its own stored chunk.
        alice.wait_saved().await;
    }
    alice.close().await;

    let (snapshots, chunks, authored) = stored_parts(&f.app, text).await;
    assert!(!snapshots.is_empty(), "the document is still stored");
    assert!(
        snapshots.iter().all(|s| !created.contains(s)),
        "the first snapshot was replaced by a compacted one: {snapshots:?} vs {created:?}"
    );
    assert!(
        chunks <= COMPACT_AFTER as i64,
        "{chunks} chunks are left for {EDITS} edits"
    );
    // Compaction keeps the history: who changed the text.
    assert!(authored > EDITS as i64, "{authored} history rows");

    // Loaded again from the compacted storage, the document has every edit.
    wait_open_count(&f.app, 0, "the text leaves memory").await;
    let expected: String = (0..EDITS).map(|n| format!("[{n}]")).collect();
    assert_eq!(
        markdown_of(&f.writer, &id).await,
        format!("# Compactage\n{expected}")
    );
    let mut bob = peer(&f.app, &f.second_writer, &id).await;
    bob.wait_for_markdown("bob gets every edit", |m| m.ends_with(&expected))
        .await;
    bob.append("[fin]").await;
    bob.wait_saved().await;
    bob.close().await;
    f.app.stop().await;
}

#[tokio::test]
async fn compaction_replaces_chunks_with_a_snapshot_and_keeps_every_edit_on_sqlite() {
    compaction_keeps_every_edit(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn compaction_replaces_chunks_with_a_snapshot_and_keeps_every_edit_on_postgres() {
    compaction_keeps_every_edit(Backend::Postgres).await;
}

/// Reads go through the hub, whose loads from the database are limited by a semaphore: many
/// texts loading at once must all be served (this does not observe the limit itself).
#[tokio::test]
async fn forty_texts_loading_at_once_all_answer_without_deadlock() {
    const TEXTS: usize = 40;
    let f = start(Backend::Sqlite, |_| {}).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..TEXTS {
        let id = create(
            &f.writer,
            f.theme,
            &format!("Fiche {n}"),
            "wiki",
            &format!("Fiche numéro {n}.\n"),
        )
        .await;
        ids.push((n, id));
    }
    assert_eq!(f.app.app.hub.open_count(), 0, "nothing is loaded yet");
    let reads = ids.iter().map(|(n, id)| {
        let api = &f.writer;
        async move {
            let response = tokio::time::timeout(
                Duration::from_secs(60),
                api.get(&format!("/api/v1/texts/{id}")),
            )
            .await
            .expect("a read answers");
            assert_eq!(response.status(), 200, "text {id}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(
                body["markdown"],
                format!("Fiche numéro {n}.\n"),
                "text {id}"
            );
        }
    });
    futures_util::future::join_all(reads).await;
    assert_eq!(f.app.app.hub.open_count(), TEXTS, "each text was loaded");
    f.app.stop().await;
}

#[tokio::test]
async fn a_text_created_without_markdown_starts_from_its_template() {
    use atelier::text::Template;
    let f = start(Backend::Sqlite, |_| {}).await.unwrap();
    // (kind, template asked for, Markdown given, the template expected, one of its headings)
    type Case = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Template,
        &'static str,
    );
    let cases: &[Case] = &[
        (
            "programme",
            None,
            None,
            Template::Chapter,
            "## Nos propositions",
        ),
        (
            "programme",
            Some("chapter"),
            None,
            Template::Chapter,
            "## Nos propositions",
        ),
        (
            "programme",
            Some("motion"),
            None,
            Template::Motion,
            "## Dispositif",
        ),
        (
            "programme",
            Some("motion"),
            Some("  \n"),
            Template::Motion,
            "## Dispositif",
        ),
        ("wiki", None, None, Template::Wiki, "## Voir aussi"),
        (
            "wiki",
            Some("wiki"),
            Some(""),
            Template::Wiki,
            "## Voir aussi",
        ),
    ];
    for (n, (kind, template, markdown, expected, heading)) in cases.iter().enumerate() {
        let title = format!("Modèle {n}");
        let mut body = json!({ "title": title, "kind": kind });
        if let Some(template) = template {
            body["template"] = json!(template);
        }
        if let Some(markdown) = markdown {
            body["markdown"] = json!(markdown);
        }
        let id = create_with(&f.writer, f.theme, body).await;
        let text = f.writer.get_json(&format!("/api/v1/texts/{id}"), 200).await;
        let case = format!("{kind} {template:?} {markdown:?}");
        assert_eq!(text["kind"], *kind, "{case}");
        let source = text["markdown"].as_str().unwrap();
        assert_eq!(source, expected.markdown(&title), "{case}");
        assert!(
            source.starts_with(&format!("# {title}\n")) && source.contains(heading),
            "{case}: {source}"
        );
    }
    f.app.stop().await;
}

/// A signed-in browser of the first writer.
async fn signed_in(f: &Fixture) -> Browser {
    let browser = f.app.browser();
    let response = browser.login(WRITER).await;
    assert_eq!(response.status(), 303, "sign-in");
    browser
}

/// Posts a file to a group's import form (also used by `nul_bytes`).
pub(crate) async fn import(
    browser: &Browser,
    group: GroupId,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let token = browser
        .csrf_token(&format!("/groups/{group}/texts/new"))
        .await;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("kind", "programme")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(file_name.to_owned())
                .mime_str("text/markdown")
                .unwrap(),
        );
    browser
        .client
        .post(format!("{}/groups/{group}/texts/import", browser.url))
        .multipart(form)
        .send()
        .await
        .expect("request")
}

const IMPORTED: &str = "# Santé publique

Des médecins généralistes dans chaque canton, et des hôpitaux de proximité.

| Région | Médecins pour 100 000 habitants |
|---|---|
| Île-de-France | 350 |
| Centre-Val de Loire | 240 |

<script>alert(\"piège\")</script>
";

#[tokio::test]
async fn import_export_and_the_pages_of_a_text_over_http() {
    let f = start(Backend::Sqlite, |_| {}).await.unwrap();
    let browser = signed_in(&f).await;

    // Files that are not an importable Markdown file: a clear error, no text.
    let big = "é".repeat(480 * 1024).into_bytes();
    let refused: &[(&str, Vec<u8>, &str)] = &[
        (
            "notes.txt",
            b"# Notes\n".to_vec(),
            "Seul un fichier Markdown (.md)",
        ),
        (
            "programme.docx",
            b"PK\x03\x04".to_vec(),
            "Seul un fichier Markdown (.md)",
        ),
        ("latin1.md", b"# Caf\xe9\n".to_vec(), "pas en UTF-8"),
        ("long.md", big, "Le fichier dépasse 900 Ko."),
    ];
    for (name, bytes, message) in refused {
        let response = import(&browser, f.theme, name, bytes.clone()).await;
        assert_eq!(response.status(), 422, "{name}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains(message),
            "{name}: {message} is not in the page"
        );
        assert!(
            !page.contains("text.import_"),
            "{name}: an untranslated key"
        );
    }
    // Over the request body limit: refused before the handler.
    let response = import(&browser, f.theme, "huge.md", vec![b'a'; 2 * 1024 * 1024]).await;
    assert_eq!(response.status(), 413);
    let texts = f
        .writer
        .get_json(&format!("/api/v1/groups/{}/texts", f.theme), 200)
        .await;
    assert_eq!(texts.as_array().unwrap().len(), 0, "{texts}");

    let response = import(&browser, f.theme, "sante.md", IMPORTED.as_bytes().to_vec()).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id = location
        .strip_prefix("/texts/")
        .expect("to the new text")
        .to_owned();
    let text = f.writer.get_json(&format!("/api/v1/texts/{id}"), 200).await;
    assert_eq!(text["markdown"], IMPORTED);
    assert_eq!(text["title"], "Santé publique", "the first heading");

    // The Markdown export is the exact source, as a file.
    let response = browser.get(&format!("/texts/{id}/export.md")).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown"),
        "{headers:?}"
    );
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment") && disposition.contains("sante-publique.md"),
        "{disposition}"
    );
    assert_eq!(response.text().await.unwrap(), IMPORTED);

    // The HTML export is a whole document, rendered and sanitised.
    let response = browser.get(&format!("/texts/{id}/export.html")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = response.text().await.unwrap();
    for expected in [
        "<!DOCTYPE html>",
        "<title>Santé publique</title>",
        "<table",
        "Île-de-France",
        "hôpitaux de proximité",
        "</html>",
    ] {
        assert!(page.contains(expected), "{expected} is missing: {page}");
    }
    assert!(!page.contains("<script"), "{page}");

    // A title no ASCII letter spells still gives a file (its name encoded as RFC 6266 says).
    let greek = f
        .writer
        .post(
            "/api/v1/texts",
            json!({"group_id": f.theme, "title": "Ελλάδα", "kind": "wiki", "markdown": "Κείμενο.\n"}),
        )
        .await;
    assert_eq!(greek.status(), 201);
    let greek: serde_json::Value = greek.json().await.unwrap();
    for extension in ["md", "html"] {
        let response = browser
            .get(&format!(
                "/texts/{}/export.{extension}",
                greek["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(response.status(), 200);
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            disposition,
            format!(
                "attachment; filename=\"document.{extension}\"; filename*=UTF-8''%CE%B5%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1.{extension}"
            )
        );
    }

    // Numbered lines, to cite "paragraph 2, line 2".
    let (status, page) = browser.get_text(&format!("/texts/{id}/lines")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<span class="line" data-line="1">Santé publique</span>"#)
            && page.contains(r#"data-paragraph="2""#),
        "{page}"
    );

    // The history shows a named version and who named it.
    let created = f
        .writer
        .post(
            &format!("/api/v1/texts/{id}/versions"),
            json!({"label": "Première lecture"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let (status, page) = browser.get_text(&format!("/texts/{id}/history")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Première lecture") && page.contains(WRITER_NAME),
        "{page}"
    );

    // The group's recent changes list the text and its author.
    let (status, page) = browser
        .get_text(&format!("/groups/{}/changes", f.theme))
        .await;
    assert_eq!(status, 200);
    let item = list_item(&page, &id);
    assert!(
        item.contains("Santé publique") && item.contains(WRITER_NAME),
        "{item}"
    );
    f.app.stop().await;
}

/// The `<li>` of the recent-changes list that links to text `id`.
fn list_item(page: &str, id: &str) -> String {
    let link = format!("href=\"/texts/{id}\"");
    let at = page
        .find(&link)
        .unwrap_or_else(|| panic!("no link to text {id}: {page}"));
    let start = page[..at].rfind("<li").expect("in a list item");
    let end = at + page[at..].find("</li>").expect("the item ends");
    page[start..end].to_owned()
}

/// The text inside every `<tag>…</tag>` of `html`, inner markup removed.
fn inside(html: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        let end = after.find(&close).expect("closed");
        let mut text = String::new();
        let mut in_tag = false;
        for c in after[..end].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        found.push(text);
        rest = &after[end..];
    }
    found
}

async fn name_version(api: &Api, id: &str, label: &str) -> String {
    let response = api
        .post(
            &format!("/api/v1/texts/{id}/versions"),
            json!({ "label": label }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_diff_between_two_named_versions() {
    let f = start(Backend::Sqlite, |_| {}).await.unwrap();
    let id = create(
        &f.writer,
        f.theme,
        "Énergie",
        "programme",
        "Le nucléaire reste la base.\n",
    )
    .await;
    let other = create(&f.writer, f.theme, "Autre", "wiki", "Autre texte.\n").await;
    let other_version = name_version(&f.writer, &other, "Ailleurs").await;
    let first = name_version(&f.writer, &id, "Avant").await;

    let mut alice = peer(&f.app, &f.writer, &id).await;
    let (_, obj) = automerge::ReadDoc::get(&alice.doc, ROOT, "markdown")
        .unwrap()
        .unwrap();
    alice.doc.splice_text(&obj, 3, 9, "renouvelable").unwrap();
    alice.doc.commit();
    alice.send_sync().await;
    alice.wait_saved().await;
    let second = name_version(&f.writer, &id, "Après").await;
    // A change after the second version: the diff must compare the versions, not now.
    alice.append("Et le solaire.\n").await;
    alice.wait_saved().await;
    alice.close().await;

    // (from, to, the words deleted, the words inserted)
    let cases = [
        (&first, &second, "nucléaire", "renouvelable"),
        (&second, &first, "renouvelable", "nucléaire"),
    ];
    for (from, to, deleted, inserted) in cases {
        let diff = f
            .writer
            .get_json(&format!("/api/v1/texts/{id}/diff?from={from}&to={to}"), 200)
            .await;
        let html = diff["html"].as_str().unwrap();
        assert_eq!(inside(html, "del"), [deleted], "{html}");
        assert_eq!(inside(html, "ins"), [inserted], "{html}");
        assert!(!html.contains("solaire"), "{html}");
        assert_eq!(
            (&diff["insertions"], &diff["deletions"]),
            (&json!(1), &json!(1))
        );
        assert_eq!(diff["truncated"], false);
    }
    let same = f
        .writer
        .get_json(
            &format!("/api/v1/texts/{id}/diff?from={first}&to={first}"),
            200,
        )
        .await;
    assert_eq!(
        (&same["insertions"], &same["deletions"]),
        (&json!(0), &json!(0))
    );

    // Versions that are not this text's: an error with a message.
    for (query, status) in [
        (format!("from={first}&to=424242"), 404),
        (format!("from=424242&to={second}"), 404),
        (format!("from={other_version}&to={second}"), 404),
        (format!("from={first}&to=v2"), 400),
    ] {
        let error = f
            .writer
            .get_json(&format!("/api/v1/texts/{id}/diff?{query}"), status)
            .await;
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{query}: {error}"
        );
    }
    f.app.stop().await;
}

#[tokio::test]
async fn a_wiki_link_to_another_theme_resolves_there_and_offers_creation_there() {
    let f = start(Backend::Sqlite, |_| {}).await.unwrap();
    let eco = f.other_theme;
    let target = create(&f.writer, eco, "Transports propres", "wiki", "Le train.\n").await;
    let index = create(
        &f.writer,
        f.theme,
        "Accueil santé",
        "wiki",
        "Voir [[Écologie et climat/Transports propres]] et [[Écologie et climat/Page absente]].\n",
    )
    .await;
    let page = f
        .writer
        .get_json(&format!("/api/v1/texts/{index}"), 200)
        .await;
    let html = page["html"].as_str().unwrap();
    assert!(
        html.contains(&format!(
            r#"<a href="/groups/{eco}/wiki/transports-propres" class="wikilink">"#
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            r#"<a href="/groups/{eco}/texts/new?kind=wiki&amp;title=Page+absente" class="wikilink missing">"#
        )),
        "{html}"
    );

    let browser = signed_in(&f).await;
    // The existing page's address leads to the text in the other theme.
    let response = browser
        .get(&format!("/groups/{eco}/wiki/transports-propres"))
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], format!("/texts/{target}"));
    // The missing one is offered for creation in the other theme, with its title.
    let (status, body) = browser
        .get_text(&format!(
            "/groups/{eco}/texts/new?kind=wiki&title=Page+absente"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Écologie et climat") && body.contains("value=\"Page absente\""),
        "{body}"
    );
    let (status, body) = browser
        .get_text(&format!("/groups/{eco}/wiki/page-absente"))
        .await;
    assert_eq!(status, 404);
    assert!(
        body.contains(&format!("/groups/{eco}/texts/new?kind=wiki&amp;title=")),
        "{body}"
    );
    // And the target page knows who links to it from the other theme.
    let (_, body) = browser.get_text(&format!("/texts/{target}")).await;
    assert!(body.contains(&format!("/texts/{index}")), "{body}");
    f.app.stop().await;
}

#[tokio::test]
async fn a_change_replacing_the_markdown_object_closes_its_peer_and_the_text_survives() {
    let f = start(Backend::Sqlite, |_| {}).await.unwrap();
    let original = "# Logement\n\nDes logements sociaux.\n";
    let id = create(&f.writer, f.theme, "Logement", "programme", original).await;
    let mut vandal = peer(&f.app, &f.writer, &id).await;
    let mut bystander = peer(&f.app, &f.second_writer, &id).await;

    // A valid automerge change that swaps the text object for a new one.
    let replacement = vandal
        .doc
        .put_object(ROOT, "markdown", ObjType::Text)
        .unwrap();
    vandal
        .doc
        .splice_text(&replacement, 0, 0, "Vandalisé.")
        .unwrap();
    vandal.doc.commit();
    assert_eq!(vandal.markdown(), "Vandalisé.");
    vandal.send_sync().await;
    let (code, reason) = vandal.wait_closed().await;
    assert_eq!(code, 4400, "{reason}");

    // Nothing of it was kept, and the other peer never saw it.
    assert_eq!(markdown_of(&f.writer, &id).await, original);
    assert_eq!(bystander.markdown(), original);
    // The other peer goes on editing. If the server reloaded the document to get rid of the
    // change, it asked its peers to reconnect (4503): the peer does, and edits again.
    bystander.append("Et des foyers.\n").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !bystander.saved() && bystander.closed.is_none() {
        assert!(tokio::time::Instant::now() < deadline, "no acknowledgement");
        bystander.pump(Duration::from_millis(200)).await;
    }
    if let Some((code, reason)) = bystander.closed.clone() {
        assert_eq!(code, 4503, "{reason}");
        let mut again = peer(&f.app, &f.second_writer, &id).await;
        again
            .wait_for_markdown("the reconnected peer has the text", |m| m == original)
            .await;
        again.append("Et des foyers.\n").await;
        again.wait_saved().await;
        bystander = again;
    }
    bystander.close().await;
    let now = markdown_of(&f.writer, &id).await;
    assert_eq!(now, format!("{original}Et des foyers.\n"));
    f.app.stop().await;
}

async fn recent_changes_say_who_changed_each_text(backend: Backend) {
    let Some(f) = start(backend, |_| {}).await else {
        return;
    };
    let shared = create(&f.writer, f.theme, "Texte partagé", "wiki", "Début.\n").await;
    let alone = create(&f.writer, f.theme, "Texte solitaire", "wiki", "Seul.\n").await;
    let mut jean = peer(&f.app, &f.second_writer, &shared).await;
    jean.append("Ajout de Jean.\n").await;
    jean.wait_saved().await;
    jean.close().await;

    // A visitor sees what changed, not who belongs to the theme and wrote it.
    let changes = format!("/groups/{}/changes", f.theme);
    let (status, page) = f.app.browser().get_text(&changes).await;
    assert_eq!(status, 200);
    let item = list_item(&page, &shared);
    assert!(
        !item.contains(SECOND_NAME) && !item.contains(WRITER_NAME),
        "{item}"
    );
    let member = f.app.browser();
    member.login(WRITER).await;
    let (status, page) = member.get_text(&changes).await;
    assert_eq!(status, 200);
    let item = list_item(&page, &shared);
    // Both authors, the latest first.
    let (jean_at, rosa_at) = (item.find(SECOND_NAME), item.find(WRITER_NAME));
    assert!(
        jean_at.is_some() && rosa_at.is_some() && jean_at < rosa_at,
        "{item}"
    );
    let item = list_item(&page, &alone);
    assert!(
        item.contains(WRITER_NAME) && !item.contains(SECOND_NAME),
        "{item}"
    );
    f.app.stop().await;
}

#[tokio::test]
async fn recent_changes_say_who_changed_each_text_on_sqlite() {
    recent_changes_say_who_changed_each_text(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn recent_changes_say_who_changed_each_text_on_postgres() {
    recent_changes_say_who_changed_each_text(Backend::Postgres).await;
}
