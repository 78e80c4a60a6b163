//! SQLite FTS5, as the application would use it: the documents' bodies in an FTS5 table
//! (`unicode61`, accents removed: FTS5 has no French stemmer), ranked by `bm25()`, beside a
//! narrow table of their other fields with the same rowid (a match's fields are read without
//! its body: a third faster than from one wide table on the words found in most paragraphs);
//! the readers in a `readers (doc_id, reader)` table without rowid,
//! checked with `exists` for each match — every searcher holds "public", which four documents
//! in five have, so no grant is selective enough to start from. The database file is in WAL
//! with the application's pragmas (`src/store`), in a temporary directory.
//!
//! Loading: one transaction, prepared inserts of many rows each, then FTS5's `optimize` (its
//! b-trees merged into one, as tantivy's segments are) and `analyze`.

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use atelier_search::corpus::{self, Alinea, BenchQuery, json_string};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection};

use super::{Answer, Filters, Measured, facets_sql, federation, measure};

/// Rows a prepared insert carries (12 parameters each, well under SQLite's 32,766).
const BATCH: usize = 200;

const DOCS: &str = "docs (doc_id, key, source, kind, label, group_id, theme, federation, place, \
                    status, author, date)";

const SCHEMA: &str = "
create table docs (
    doc_id integer primary key,
    key text not null,
    source text not null,
    kind text not null,
    label text not null,
    group_id text not null,
    theme text not null,
    federation text not null,
    place text not null,
    status text not null,
    author text not null,
    date integer not null
);
create table readers (
    doc_id integer not null,
    reader text not null,
    primary key (doc_id, reader)
) without rowid;
create virtual table docs_fts using fts5(body, tokenize = 'unicode61 remove_diacritics 2');";

/// Loads `n` paragraphs in a database in `dir`, runs `queries`, and says how it went.
pub async fn run(
    alineas: &[Alinea],
    n: usize,
    queries: &[BenchQuery],
    dir: &Path,
) -> Result<Measured, sqlx::Error> {
    let path = dir.join("peer.db");
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("cache_size", "-32000")
        .pragma("temp_store", "memory");
    let mut conn = options.connect().await?;
    let steps = load(&mut conn, alineas, n).await?;
    sqlx::query("pragma wal_checkpoint(truncate)")
        .execute(&mut conn)
        .await?;
    let bytes = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);

    let sql = query_sql();
    let mut notes = vec![
        "no French stemming (« retraite » does not find « retraites »): `unicode61` with \
         accents removed, each word as written"
            .to_owned(),
        "typos: no fuzzy matching in FTS5, the misspelt word is searched as written".to_owned(),
        "words: all required, without tantivy's typo tolerance".to_owned(),
    ];
    let samples = measure(
        queries,
        async |query: &BenchQuery| answer(&mut conn, &sql, query).await,
        &mut notes,
    )
    .await?;
    conn.close().await?;
    Ok(Measured {
        engine: "SQLite FTS5",
        paragraphs: n,
        steps: Some(steps),
        bytes,
        samples,
        notes,
    })
}

async fn load(
    conn: &mut SqliteConnection,
    alineas: &[Alinea],
    n: usize,
) -> Result<Vec<(String, Duration)>, sqlx::Error> {
    sqlx::raw_sql(SCHEMA).execute(&mut *conn).await?;
    let start = Instant::now();
    let docs_sql = insert_sql(DOCS, 12, BATCH);
    let bodies_sql = insert_sql("docs_fts (rowid, body)", 2, BATCH);
    let mut tx = conn.begin().await?;
    let report_every = (n / 10).max(1);
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..n {
        batch.push(corpus::paragraph(alineas, i));
        if batch.len() == BATCH || i + 1 == n {
            let (sql, bodies) = if batch.len() == BATCH {
                (docs_sql.clone(), bodies_sql.clone())
            } else {
                (
                    insert_sql(DOCS, 12, batch.len()),
                    insert_sql("docs_fts (rowid, body)", 2, batch.len()),
                )
            };
            let first = i + 1 - batch.len();
            let mut insert = sqlx::query(&sql);
            for (at, p) in batch.iter().enumerate() {
                insert = insert
                    .bind((first + at) as i64)
                    .bind(&p.key)
                    .bind(&p.source)
                    .bind(&p.kind)
                    .bind(&p.label)
                    .bind(&p.group_id)
                    .bind(&p.theme)
                    .bind(federation(p))
                    .bind(&p.place)
                    .bind(&p.status)
                    .bind(&p.author)
                    .bind(p.date);
            }
            insert.execute(&mut *tx).await?;
            let mut insert_bodies = sqlx::query(&bodies);
            for (at, p) in batch.iter().enumerate() {
                insert_bodies = insert_bodies.bind((first + at) as i64).bind(&p.body);
            }
            insert_bodies.execute(&mut *tx).await?;
            let readers: Vec<(i64, &String)> = batch
                .iter()
                .enumerate()
                .flat_map(|(at, p)| p.readers.iter().map(move |r| ((first + at) as i64, r)))
                .collect();
            // Every paragraph has readers: never an empty insert.
            let sql = insert_sql("readers (doc_id, reader)", 2, readers.len());
            let mut insert_readers = sqlx::query(&sql);
            for (doc, reader) in readers {
                insert_readers = insert_readers.bind(doc).bind(reader);
            }
            insert_readers.execute(&mut *tx).await?;
            batch.clear();
        }
        if (i + 1) % report_every == 0 {
            eprintln!(
                "  SQLite: {} paragraphs in {:.1} s",
                i + 1,
                start.elapsed().as_secs_f64()
            );
        }
    }
    tx.commit().await?;
    let inserting = start.elapsed();
    let start = Instant::now();
    sqlx::query("insert into docs_fts (docs_fts) values ('optimize')")
        .execute(&mut *conn)
        .await?;
    let optimizing = start.elapsed();
    let start = Instant::now();
    sqlx::query("analyze").execute(&mut *conn).await?;
    let analyzing = start.elapsed();
    Ok(vec![
        ("rows and FTS5 index inserted, commit".into(), inserting),
        ("optimize (one b-tree)".into(), optimizing),
        ("analyze".into(), analyzing),
    ])
}

/// `insert into TABLE values (?, …), …`: `rows` rows of `columns`.
fn insert_sql(table: &str, columns: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    format!("insert into {table} values {}", vec![row; rows].join(", "))
}

/// The one statement every query runs: `?1` the FTS5 query, `?2` the grants (a JSON array),
/// `?3` – `?6` the filters. bm25 is lower for better matches: the score is its opposite.
fn query_sql() -> String {
    let facets = facets_sql(|name| {
        match name {
            "theme" => "?3",
            "federation" => "?4",
            "place" => "?5",
            _ => "?6",
        }
        .to_owned()
    });
    format!(
        "with m as materialized (
             select d.key, d.kind, d.group_id, d.theme, d.status, d.federation, d.place,
                 -f.rank as score
             from docs_fts f join docs d on d.doc_id = f.rowid
             where docs_fts match ?1
                 and exists (select 1 from readers r
                     where r.doc_id = d.doc_id and r.reader in (select value from json_each(?2)))
         )
         {facets}"
    )
}

/// The FTS5 query for `query`: its words (each quoted: all required), its phrase, its prefix
/// (`"abc" *`), or its misspelt word as written.
fn fts_query(query: &BenchQuery) -> String {
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    match (&query.phrase, &query.prefix) {
        (Some(phrase), _) => quote(phrase),
        (None, Some(prefix)) => format!("{} *", quote(prefix)),
        (None, None) => query
            .words
            .iter()
            .map(|w| quote(w))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

async fn answer(
    conn: &mut SqliteConnection,
    sql: &str,
    query: &BenchQuery,
) -> Result<Answer, sqlx::Error> {
    let filters = Filters::of(query);
    let grants = format!(
        "[{}]",
        query
            .readers
            .iter()
            .map(|r| json_string(r))
            .collect::<Vec<_>>()
            .join(",")
    );
    let rows = sqlx::query(sql)
        .bind(fts_query(query))
        .bind(grants)
        .bind(filters.theme)
        .bind(filters.federation)
        .bind(filters.place)
        .bind(filters.status)
        .fetch_all(conn)
        .await?;
    let mut answer = Answer::default();
    for row in rows {
        answer.add(
            row.try_get("facet")?,
            row.try_get("value")?,
            row.try_get("n")?,
        );
    }
    Ok(answer)
}
