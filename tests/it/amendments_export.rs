//! A text's amendments as CSV and JSON files (issue 13, point 7), through the real server: a
//! text with amendments of several statuses and a draft, exported for its author, a member of
//! its group, a party member of another group and a visitor; the CSV parsed back with the `csv`
//! crate (byte-order mark, columns, cells that would start a formula neutralised, lines and
//! quotes inside cells kept), the JSON too; drafts only their author's, names only for the
//! group's members (never an email); a hidden text is not found; the list page links to both.

use serde_json::{Value, json};

use crate::amendments::{Fixture, ORIGINAL, range_of, start};
use crate::harness::{Api, Backend};
use atelier::model::{GroupKind, Role, Visibility};

const FORMULA: &str = "=HYPERLINK(\"https://exemple.org\";\"clic\")";
const MULTILINE: &str = "Parce que « tous »,\nc'est \"tout le monde\".\n\nEt @partout.";

const COLUMNS: [&str; 17] = [
    "number",
    "reference",
    "status",
    "status_label",
    "author",
    "on_behalf_of",
    "supporter_count",
    "supporters",
    "original",
    "replacement",
    "rationale",
    "outdated",
    "orphaned",
    "overlaps",
    "parent",
    "created_at",
    "id",
];

async fn file(f: &Fixture, who: &Api, passage: &str, body: Value) -> String {
    let range = range_of(ORIGINAL, passage);
    let mut body = body;
    body["start"] = json!(range.start);
    body["end"] = json!(range.end);
    let (status, answer) = f.file(who, body).await;
    assert_eq!(status, 201, "{answer}");
    answer["id"].as_str().expect("id").to_owned()
}

async fn act(f: &Fixture, who: &Api, id: &str, action: &str, body: Value) {
    let (status, answer) = f.act(who, &json!(id), action, body).await;
    assert_eq!(status, 200, "{action} {id}: {answer}");
}

/// A CSV export: its headers checked, then its records as maps of column to cell.
async fn csv_export(f: &Fixture, who: &Api) -> Vec<std::collections::HashMap<String, String>> {
    let response = who
        .get(&format!("/api/v1/texts/{}/amendments.csv", f.id))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"amendements-culture.csv\"; filename*=UTF-8''amendements-culture.csv"
    );
    let bytes = response.bytes().await.expect("body");
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("a UTF-8 byte-order mark first, for Excel");
    assert!(
        body.windows(2).any(|w| w == b"\r\n"),
        "records end with CRLF"
    );
    let mut reader = csv::Reader::from_reader(body);
    let headers: Vec<String> = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers, COLUMNS);
    reader
        .records()
        .map(|record| {
            let record = record.expect("a well-formed record");
            assert_eq!(record.len(), COLUMNS.len());
            headers
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

async fn json_export(f: &Fixture, who: &Api) -> Vec<Value> {
    let response = who
        .get(&format!("/api/v1/texts/{}/amendments.json", f.id))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok()),
        Some(
            "attachment; filename=\"amendements-culture.json\"; filename*=UTF-8''amendements-culture.json"
        )
    );
    let body: Value = response.json().await.expect("json");
    body.as_array().expect("a list").clone()
}

fn numbers_of_csv(rows: &[std::collections::HashMap<String, String>]) -> Vec<&str> {
    rows.iter().map(|r| r["number"].as_str()).collect()
}

fn numbers_of_json(rows: &[Value]) -> Vec<i64> {
    rows.iter().map(|r| r["number"].as_i64().unwrap()).collect()
}

async fn exports_of_a_text(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    // 1: Alice's, supported by Bob, admissible then adopted; its rationale looks like a formula.
    let adopted = file(
        &f,
        &f.alice,
        "trains de nuit",
        json!({"replacement": "trains de jour", "rationale": FORMULA, "submit": true}),
    )
    .await;
    act(&f, &f.bob, &adopted, "support", json!({})).await;
    for status in ["admissible", "adopted"] {
        act(&f, &f.olga, &adopted, "status", json!({ "status": status })).await;
    }
    // 2: Bob's, submitted, supported by Alice; a rationale over lines, with quotes.
    let submitted = file(
        &f,
        &f.bob,
        "La culture pour tous",
        json!({"replacement": "-La culture pour chacune et chacun", "rationale": MULTILINE, "submit": true}),
    )
    .await;
    act(&f, &f.alice, &submitted, "support", json!({})).await;
    // 3: filed by Olga for the theme, found inadmissible.
    let for_the_theme = file(
        &f,
        &f.olga,
        "Les bibliothèques",
        json!({"replacement": "Les médiathèques", "rationale": "Le mot d'aujourd'hui.",
               "submit": true, "on_behalf_of": f.theme.to_string()}),
    )
    .await;
    act(
        &f,
        &f.olga,
        &for_the_theme,
        "status",
        json!({"status": "inadmissible", "reason": "Hors sujet."}),
    )
    .await;
    // 4: Alice's private draft.
    file(
        &f,
        &f.alice,
        "Fin du chapitre.",
        json!({"replacement": "Fin.", "rationale": "Plus court."}),
    )
    .await;
    // 5: Bob's, submitted, overlapping the first.
    file(
        &f,
        &f.bob,
        "nuit partout",
        json!({"replacement": "nuit, partout", "rationale": "Une virgule.", "submit": true}),
    )
    .await;

    // The author sees her draft; the CSV parsed back holds every field.
    let rows = csv_export(&f, &f.alice).await;
    assert_eq!(numbers_of_csv(&rows), ["1", "2", "3", "4", "5"]);
    let listed = f.list(&f.alice, "").await;
    let first = &rows[0];
    assert_eq!(first["id"], adopted);
    assert_eq!(first["reference"], listed[0]["reference"].as_str().unwrap());
    assert!(first["reference"].starts_with("§ 2"), "{first:?}");
    assert_eq!(first["status"], "adopted");
    assert_eq!(first["status_label"], "adopté");
    assert_eq!(first["author"], "Alice Rédactrice");
    assert_eq!(first["on_behalf_of"], "");
    assert_eq!(first["supporter_count"], "1");
    assert_eq!(first["supporters"], "Bob Rédacteur");
    assert_eq!(first["original"], "trains de nuit");
    assert_eq!(first["replacement"], "trains de jour");
    assert_eq!(
        first["rationale"],
        format!("'{FORMULA}"),
        "a formula is shown, never run"
    );
    assert_eq!(
        (first["outdated"].as_str(), first["orphaned"].as_str()),
        ("false", "false")
    );
    assert_eq!(first["overlaps"], "5");
    assert_eq!(
        first["created_at"],
        listed[0]["created_at"].as_str().unwrap()
    );
    let second = &rows[1];
    assert_eq!(second["status"], "submitted");
    assert_eq!(second["author"], "Bob Rédacteur");
    assert_eq!(second["supporters"], "Alice Rédactrice");
    assert_eq!(
        second["rationale"], MULTILINE,
        "lines and quotes kept inside the cell"
    );
    assert_eq!(second["replacement"], "'-La culture pour chacune et chacun");
    assert_eq!(second["overlaps"], "");
    let third = &rows[2];
    assert_eq!(
        (third["status"].as_str(), third["status_label"].as_str()),
        ("inadmissible", "irrecevable")
    );
    assert_eq!(third["on_behalf_of"], "Culture", "the section filed for");
    assert_eq!(third["author"], "Olga Organisatrice");
    assert_eq!(third["supporter_count"], "0");
    assert_eq!(rows[3]["status"], "draft");
    assert_eq!(rows[3]["replacement"], "Fin.");
    assert_eq!(rows[4]["overlaps"], "1");

    // The JSON holds the same rows, the values as they are.
    let json_rows = json_export(&f, &f.alice).await;
    assert_eq!(numbers_of_json(&json_rows), [1, 2, 3, 4, 5]);
    let first = &json_rows[0];
    assert_eq!(first["id"], adopted.as_str());
    assert_eq!(first["status"], "adopted");
    assert_eq!(first["author"], "Alice Rédactrice");
    assert_eq!(first["on_behalf_of"], Value::Null);
    assert_eq!(first["supporter_count"], 1);
    assert_eq!(first["supporters"], json!(["Bob Rédacteur"]));
    assert_eq!(first["rationale"], FORMULA, "the JSON is for programs");
    assert_eq!(first["overlaps"], json!([5]));
    assert_eq!(
        (&first["outdated"], &first["orphaned"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(json_rows[1]["rationale"], MULTILINE);
    assert_eq!(json_rows[2]["on_behalf_of"], "Culture");
    for row in &json_rows {
        assert!(
            !row.to_string().contains("@exemple.fr"),
            "never an email: {row}"
        );
    }

    // A member of the group: every amendment but another's draft, with names.
    let rows = csv_export(&f, &f.bob).await;
    assert_eq!(numbers_of_csv(&rows), ["1", "2", "3", "5"]);
    assert_eq!(rows[0]["author"], "Alice Rédactrice");
    assert_eq!(
        numbers_of_json(&json_export(&f, &f.bob).await),
        [1, 2, 3, 5]
    );

    // A party member of another group and a visitor read the text (its theme is public): not
    // the draft, supporters counted but nobody named, the section filed for named.
    let carla = f.app.api_as("carla@exemple.fr").await;
    for outsider in [&carla, &f.app.api()] {
        let rows = csv_export(&f, outsider).await;
        assert_eq!(numbers_of_csv(&rows), ["1", "2", "3", "5"]);
        assert_eq!(
            (rows[0]["author"].as_str(), rows[0]["supporters"].as_str()),
            ("", "")
        );
        assert_eq!(rows[0]["supporter_count"], "1");
        assert_eq!(rows[2]["on_behalf_of"], "Culture");
        let json_rows = json_export(&f, outsider).await;
        assert_eq!(numbers_of_json(&json_rows), [1, 2, 3, 5]);
        assert_eq!(json_rows[0]["author"], Value::Null);
        assert_eq!(json_rows[0]["supporters"], json!([]));
        assert_eq!(json_rows[0]["supporter_count"], 1);
        assert!(
            !json_rows.iter().any(|r| r.to_string().contains("Rédact")),
            "no member named: {json_rows:?}"
        );
    }

    // The list page links to both files.
    let (status, html) = f
        .app
        .browser()
        .get_text(&format!("/texts/{}/amendments", f.id))
        .await;
    assert_eq!(status, 200);
    for extension in ["csv", "json"] {
        assert!(
            html.contains(&format!(
                "href=\"/api/v1/texts/{}/amendments.{extension}\"",
                f.id
            )),
            "a link to the {extension} file: {html}"
        );
    }

    // A hidden text is not found, nor an unknown one; its organiser exports it.
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
    for extension in ["csv", "json"] {
        for (who, id, status) in [
            (&carla, secret.as_str(), 404),
            (&f.app.api(), secret.as_str(), 404),
            (&f.bob, "999999", 404),
            (&f.bob, "abc", 404),
            (&f.olga, secret.as_str(), 200),
        ] {
            let path = format!("/api/v1/texts/{id}/amendments.{extension}");
            let response = who.get(&path).await;
            assert_eq!(response.status().as_u16(), status, "{path}");
            if status == 404 {
                let body: Value = response.json().await.expect("a JSON error");
                assert_eq!(body["error"], "not_found", "{path}: {body}");
            }
        }
    }
    f.app.stop().await;
}

#[tokio::test]
async fn a_texts_amendments_export_as_csv_and_json_on_sqlite() {
    exports_of_a_text(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn a_texts_amendments_export_as_csv_and_json_on_postgres() {
    exports_of_a_text(Backend::Postgres).await;
}
