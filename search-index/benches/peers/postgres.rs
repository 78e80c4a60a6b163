//! PostgreSQL's French full-text search, as the application would use it: the documents in a
//! table with `to_tsvector('french', body)` in a stored generated column under a GIN index,
//! ranked by `ts_rank_cd`; the readers a `text[]` checked with `&&` on each match — every
//! searcher holds "public", which four documents in five have, so no grant is selective
//! enough to start from and an index on them would only cost (the planner would not use it).
//! Typos: `pg_trgm` finds the words sharing enough trigrams with the misspelt one in a lexicon of
//! the corpus's words (GIN-indexed), `fuzzystrmatch`'s `levenshtein` and a `transposed`
//! function keep those within tantivy's distance (1 edit, 2 from 9 letters, a transposition
//! counting 1), and the tsquery looks for any of them.
//!
//! Loading: a fresh database (dropped at the end), one `COPY` of the documents (the lexicon
//! gathered meanwhile), then the indexes and `ANALYZE`. The queries run on one connection,
//! one after the other, without parallel workers (one thread, as tantivy's), each planned
//! with its own values (`plan_cache_mode`), as a word's frequency varies a thousandfold.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use atelier_search::corpus::{self, Alinea, BenchQuery, Paragraph};
use sqlx::{Connection, PgConnection, Row};

use super::{Answer, Filters, Measured, facets_sql, federation, measure};

/// Rows sent to `COPY` at a time.
const CHUNK: usize = 5_000;

const SCHEMA: &str = "
create extension if not exists pg_trgm;
create extension if not exists fuzzystrmatch;
create table docs (
    doc_id bigint not null,
    key text not null,
    source text not null,
    kind text not null,
    label text not null,
    body text not null,
    group_id text not null,
    theme text not null,
    federation text not null,
    place text not null,
    status text not null,
    author text not null,
    date bigint not null,
    readers text[] not null,
    body_fr tsvector generated always as (to_tsvector('french', body)) stored
);
create table lexicon (word text not null);
-- Whether b is a with two neighbouring letters swapped: one edit for tantivy's typos, two
-- for `levenshtein`.
create function transposed(a text, b text) returns boolean
language sql immutable parallel safe as $$
    select char_length(a) = char_length(b) and exists (
        select from generate_series(1, char_length(a) - 1) as i
        where overlay(a placing substr(a, i + 1, 1) || substr(a, i, 1) from i for 2) = b
    )
$$;";

/// In a fresh database beside `admin_url`'s (dropped at the end, whatever happens): loads
/// `n` paragraphs, runs `queries`, and says how it went.
pub async fn run(
    admin_url: &str,
    alineas: &[Alinea],
    n: usize,
    queries: &[BenchQuery],
) -> Result<Measured, sqlx::Error> {
    let name = format!("atelier_bench_search_{}", std::process::id());
    let mut admin = PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("drop database if exists {name} with (force)"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("create database {name}"))
        .execute(&mut admin)
        .await?;
    let measured = in_database(&database_url(admin_url, &name), alineas, n, queries).await;
    sqlx::query(&format!("drop database if exists {name} with (force)"))
        .execute(&mut admin)
        .await?;
    measured
}

/// `url` with its database replaced by `name`.
fn database_url(url: &str, name: &str) -> String {
    let (url, parameters) = url.split_once('?').unwrap_or((url, ""));
    let base = match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('/') {
            Some((host, _)) => format!("{scheme}://{host}"),
            None => format!("{scheme}://{rest}"),
        },
        None => url.to_owned(),
    };
    if parameters.is_empty() {
        format!("{base}/{name}")
    } else {
        format!("{base}/{name}?{parameters}")
    }
}

async fn in_database(
    url: &str,
    alineas: &[Alinea],
    n: usize,
    queries: &[BenchQuery],
) -> Result<Measured, sqlx::Error> {
    let mut conn = PgConnection::connect(url).await?;
    let steps = load(&mut conn, alineas, n).await?;
    let bytes: i64 = sqlx::query_scalar(
        "select (pg_total_relation_size('docs') + pg_total_relation_size('lexicon'))::bigint",
    )
    .fetch_one(&mut conn)
    .await?;
    for setting in [
        "set max_parallel_workers_per_gather = 0",
        "set plan_cache_mode = force_custom_plan",
        "set work_mem = '64MB'",
        // A word of 5 letters with two neighbours swapped scores 0.2 (2 trigrams of 10 kept).
        "set pg_trgm.similarity_threshold = 0.18",
    ] {
        sqlx::query(setting).execute(&mut conn).await?;
    }
    let statements: Vec<(&str, String)> = ["words", "phrase", "facets", "fuzzy", "prefix"]
        .into_iter()
        .map(|class| (class, query_sql(class)))
        .collect();
    let mut notes = vec![
        "`french` configuration: stems, but keeps accents (« ecole » does not find « école »)"
            .to_owned(),
        "words: all required (`plainto_tsquery`), without tantivy's typo tolerance".to_owned(),
        "typos: any of the lexicon's words with trigram similarity ≥ 0.18 (`%`) within 1 edit \
         (2 from 9 letters) or one transposition, as tantivy's (which also allows a \
         transposition and an edit from 9 letters)"
            .to_owned(),
        "prefixes: `to_tsquery('french', 'abc:*')` matches the prefix against stems".to_owned(),
        "session: no parallel workers (one thread), `work_mem` 64 MB, custom plans".to_owned(),
    ];
    let samples = measure(
        queries,
        async |query: &BenchQuery| {
            let sql = &statements
                .iter()
                .find(|(class, _)| *class == query.class)
                .expect("a known class")
                .1;
            answer(&mut conn, sql, query).await
        },
        &mut notes,
    )
    .await?;
    conn.close().await?;
    Ok(Measured {
        engine: "PostgreSQL",
        paragraphs: n,
        steps: Some(steps),
        bytes: bytes.max(0) as u64,
        samples,
        notes,
    })
}

async fn load(
    conn: &mut PgConnection,
    alineas: &[Alinea],
    n: usize,
) -> Result<Vec<(String, Duration)>, sqlx::Error> {
    sqlx::raw_sql(SCHEMA).execute(&mut *conn).await?;
    let start = Instant::now();
    let mut lexicon = HashSet::new();
    let mut copy = conn
        .copy_in_raw(
            "copy docs (doc_id, key, source, kind, label, body, group_id, theme, federation, \
             place, status, author, date, readers) from stdin",
        )
        .await?;
    let mut chunk = String::new();
    let report_every = (n / 10).max(1);
    for i in 0..n {
        let p = corpus::paragraph(alineas, i);
        copy_row(&mut chunk, i, &p);
        gather_words(&mut lexicon, &p.body);
        if (i + 1) % CHUNK == 0 || i + 1 == n {
            copy.send(chunk.as_bytes()).await?;
            chunk.clear();
        }
        if (i + 1) % report_every == 0 {
            eprintln!(
                "  PostgreSQL: {} paragraphs in {:.1} s",
                i + 1,
                start.elapsed().as_secs_f64()
            );
        }
    }
    copy.finish().await?;
    let mut copy = conn.copy_in_raw("copy lexicon (word) from stdin").await?;
    let mut words = String::new();
    for word in &lexicon {
        copy_field(&mut words, word);
        words.push('\n');
    }
    copy.send(words.as_bytes()).await?;
    copy.finish().await?;
    let copying = start.elapsed();

    // A bulk load's memory for building the indexes (the server's default is 64 MB).
    sqlx::query("set maintenance_work_mem = '512MB'")
        .execute(&mut *conn)
        .await?;
    let start = Instant::now();
    sqlx::query("create index docs_body_fr on docs using gin (body_fr)")
        .execute(&mut *conn)
        .await?;
    let indexing = start.elapsed();
    let start = Instant::now();
    sqlx::query("create index lexicon_trigrams on lexicon using gin (word gin_trgm_ops)")
        .execute(&mut *conn)
        .await?;
    let trigrams = start.elapsed();
    let start = Instant::now();
    sqlx::query("analyze").execute(&mut *conn).await?;
    let analyzing = start.elapsed();
    Ok(vec![
        (
            format!(
                "COPY (tsvectors made) and lexicon ({} words)",
                lexicon.len()
            ),
            copying,
        ),
        ("GIN index".into(), indexing),
        ("lexicon's trigram index".into(), trigrams),
        ("ANALYZE".into(), analyzing),
    ])
}

/// One row of `COPY … from stdin` (text format) for paragraph `i`.
fn copy_row(out: &mut String, i: usize, p: &Paragraph) {
    let _ = write!(out, "{i}");
    for field in [
        &p.key,
        &p.source,
        &p.kind,
        &p.label,
        &p.body,
        &p.group_id,
        &p.theme,
        federation(p),
        &p.place,
        &p.status,
        &p.author,
    ] {
        out.push('\t');
        copy_field(out, field);
    }
    let _ = write!(out, "\t{}\t{{", p.date);
    for (at, reader) in p.readers.iter().enumerate() {
        if at > 0 {
            out.push(',');
        }
        // An array element in double quotes: its quotes and backslashes escaped (and the
        // backslashes escaped again for COPY).
        let element = reader.replace('\\', "\\\\").replace('"', "\\\"");
        out.push('"');
        copy_field(out, &element);
        out.push('"');
    }
    out.push_str("}\n");
}

/// `text` escaped for COPY's text format.
fn copy_field(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// The words of `body`, lowercased, into the lexicon the typos are looked up in.
fn gather_words(lexicon: &mut HashSet<String>, body: &str) {
    for word in body.split(|c: char| !c.is_alphabetic()) {
        if word.chars().count() < 2 {
            continue;
        }
        if word.chars().any(char::is_uppercase) {
            let lower = word.to_lowercase();
            if !lexicon.contains(&lower) {
                lexicon.insert(lower);
            }
        } else if !lexicon.contains(word) {
            lexicon.insert(word.to_owned());
        }
    }
}

/// The statement for a class of queries: `$1` its text, `$2` the grants, `$3` – `$6` the
/// filters.
fn query_sql(class: &str) -> String {
    let tsquery = match class {
        "phrase" => "phraseto_tsquery('french', $1::text)",
        "prefix" => "to_tsquery('french', quote_literal($1::text) || ':*')",
        "fuzzy" => {
            "plainto_tsquery('french', $1::text) || coalesce((
                 select to_tsquery('french', string_agg(quote_literal(word), ' | '))
                 from lexicon
                 where word % $1::text and (transposed(word, $1::text)
                     or levenshtein_less_equal(word, $1::text, 2)
                         <= case when char_length($1::text) >= 9 then 2 else 1 end)
             ), ''::tsquery)"
        }
        _ => "plainto_tsquery('french', $1::text)",
    };
    let facets = facets_sql(|name| {
        match name {
            "theme" => "$3::text",
            "federation" => "$4::text",
            "place" => "$5::text",
            _ => "$6::text",
        }
        .to_owned()
    });
    format!(
        "with m as materialized (
             select d.key, d.kind, d.group_id, d.theme, d.status, d.federation, d.place,
                 ts_rank_cd(d.body_fr, q.query) as score
             from docs d, (select {tsquery} as query) q
             where d.body_fr @@ q.query and d.readers && $2::text[]
         )
         {facets}"
    )
}

async fn answer(
    conn: &mut PgConnection,
    sql: &str,
    query: &BenchQuery,
) -> Result<Answer, sqlx::Error> {
    let filters = Filters::of(query);
    let text = match (&query.phrase, &query.prefix) {
        (Some(phrase), _) => phrase.clone(),
        (None, Some(prefix)) => prefix.clone(),
        (None, None) => query.words.join(" "),
    };
    let rows = sqlx::query(sql)
        .bind(text)
        .bind(&query.readers)
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
