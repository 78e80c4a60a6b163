//! The foundation's benchmarks, each reported with a baseline measured in the same run:
//!
//! 1. importing 236,341 members (the UMP's size in 2010) from CSV, end to end through the
//!    `atelier import members` command, against the floor of inserting the same rows into a bare
//!    table in one transaction (SQLite; PostgreSQL too when `ATELIER_BENCH_DATABASE_URL` is set);
//! 2. the server's cold start on that database, until `/healthz` answers, against the time to
//!    start the same binary for `--version`;
//! 3. a group page and a member's home page under 64 concurrent connections, against `/healthz`.
//!
//! Run: `cargo bench --bench foundation` (add `-- --quick` for a short run). It prints Markdown
//! rows for BENCHMARKS.md.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{atelier, load, median, ms, run, signed_in_members, start_server};

const MEMBERS: usize = 236_341;
const CONNECTIONS: usize = 64;

const FIRST: &[&str] = &[
    "Adèle",
    "Ahmed",
    "Alice",
    "Antoine",
    "Bastien",
    "Chloé",
    "Claire",
    "Damien",
    "Élodie",
    "Fatou",
    "Guillaume",
    "Hélène",
    "Jules",
    "Léa",
    "Mehdi",
    "Nadia",
    "Olivier",
    "Pauline",
    "Rachid",
    "Zoé",
];
const LAST: &[&str] = &[
    "Bernard", "Dubois", "Durand", "Fontaine", "Garnier", "Lambert", "Leroy", "Martin", "Moreau",
    "N'Diaye", "Nguyen", "Petit", "Robert", "Roux", "Simon",
];
const SECTIONS: &[&str] = &[
    "Lille-Centre",
    "Roubaix",
    "Tourcoing",
    "Villeneuve-d'Ascq",
    "Bordeaux-Centre",
    "Mérignac",
    "Pessac",
    "Talence",
    "Lyon 1er",
    "Villeurbanne",
    "Vénissieux",
    "Caluire-et-Cuire",
];

/// (email, name, section, role) rows, the same every run.
fn rows() -> Vec<(String, String, &'static str, &'static str)> {
    (0..MEMBERS)
        .map(|i| {
            let name = format!(
                "{} {}",
                FIRST[i % FIRST.len()],
                LAST[(i / FIRST.len()) % LAST.len()]
            );
            let role = match i % 100 {
                0..=14 => "supporter",
                99 => "secretary",
                _ => "member",
            };
            (
                format!("membre{i}@exemple.fr"),
                name,
                SECTIONS[i % SECTIONS.len()],
                role,
            )
        })
        .collect()
}

fn write_csv(path: &Path) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("csv"));
    writeln!(file, "email,name,section,role").unwrap();
    for (email, name, section, role) in rows() {
        writeln!(file, "{email},{name},{section},{role}").unwrap();
    }
}

/// The floor: the same rows into a bare table, one prepared statement, one transaction.
async fn sqlite_floor(dir: &Path) -> Duration {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    let options = SqliteConnectOptions::new()
        .filename(dir.join("floor.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::query("create table floor (id integer primary key, email text not null unique, name text not null)").execute(&pool).await.unwrap();
    let rows = rows();
    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    for (email, name, _, _) in &rows {
        sqlx::query("insert into floor (email, name) values ($1, $2)")
            .bind(email)
            .bind(name)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let elapsed = started.elapsed();
    pool.close().await;
    elapsed
}

async fn postgres_floor(url: &str) -> Duration {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    sqlx::query("create table floor (id bigint generated always as identity primary key, email text not null unique, name text not null)").execute(&pool).await.unwrap();
    let rows = rows();
    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    for batch in rows.chunks(2000) {
        let emails: Vec<&str> = batch.iter().map(|r| r.0.as_str()).collect();
        let names: Vec<&str> = batch.iter().map(|r| r.1.as_str()).collect();
        sqlx::query("insert into floor (email, name) select * from unnest($1::text[], $2::text[])")
            .bind(&emails)
            .bind(&names)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let elapsed = started.elapsed();
    pool.close().await;
    elapsed
}

fn import(data_dir: &Path, database_url: Option<&str>, csv: &Path) -> Duration {
    let with_db = |command: &mut Command| {
        command.arg("--data-dir").arg(data_dir);
        if let Some(url) = database_url {
            command.arg("--database-url").arg(url);
        }
    };
    let mut demo = atelier();
    demo.arg("demo");
    with_db(&mut demo);
    run(&mut demo);
    let mut command = atelier();
    command.args(["import", "members"]).arg(csv);
    with_db(&mut command);
    let started = Instant::now();
    run(&mut command);
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let dir = tempfile::tempdir().unwrap();
    let csv: PathBuf = dir.path().join("members.csv");
    write_csv(&csv);
    println!(
        "## Foundation benchmarks ({MEMBERS} members{})\n",
        if quick { ", quick" } else { "" }
    );
    println!("| measure | result | baseline (same run) | ratio |\n|---|---|---|---|");

    // 1. Import on SQLite.
    // `--pages-only DIR`: reuse the data directory of an earlier run (kept in DIR), to iterate
    // on page speed without importing again.
    let reuse = std::env::args()
        .skip_while(|a| a != "--pages-only")
        .nth(1)
        .map(PathBuf::from);
    let data = reuse.clone().unwrap_or_else(|| dir.path().join("data"));
    if !data.join("atelier.db").exists() {
        let floor = sqlite_floor(dir.path()).await;
        let took = import(&data, None, &csv);
        println!(
            "| import {MEMBERS} members, SQLite | {:.1} s | bare insert of the same rows: {:.1} s | {:.2}× |",
            took.as_secs_f64(),
            floor.as_secs_f64(),
            took.as_secs_f64() / floor.as_secs_f64()
        );
    }

    // 1b. Import on PostgreSQL.
    if let Ok(url) = std::env::var("ATELIER_BENCH_DATABASE_URL")
        .map_err(drop)
        .and_then(|u| if reuse.is_none() { Ok(u) } else { Err(()) })
    {
        let pg_dir = dir.path().join("pg-data");
        let floor_db = fresh_database(&url, "floor").await;
        let floor = postgres_floor(&floor_db).await;
        let import_db = fresh_database(&url, "import").await;
        let took = import(&pg_dir, Some(&import_db), &csv);
        println!(
            "| import {MEMBERS} members, PostgreSQL | {:.1} s | bare insert of the same rows: {:.1} s | {:.2}× |",
            took.as_secs_f64(),
            floor.as_secs_f64(),
            took.as_secs_f64() / floor.as_secs_f64()
        );
        drop_database(&url, &floor_db).await;
        drop_database(&url, &import_db).await;
    }

    // 2. Cold start on the large database.
    let rounds = if quick { 3 } else { 7 };
    let mut starts = Vec::new();
    for _ in 0..rounds {
        let (server, took) = start_server(&data, &[]);
        drop(server);
        starts.push(took);
    }
    let mut versions = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        run(atelier().arg("--version"));
        versions.push(started.elapsed());
    }
    let (start, version) = (median(starts), median(versions));
    println!(
        "| cold start to /healthz, {MEMBERS} members (median of {rounds}) | {} | `atelier --version`: {} | {:.1}× |",
        ms(start),
        ms(version),
        start.as_secs_f64() / version.as_secs_f64()
    );

    // 3. Pages under load.
    let members = signed_in_members(&data, "Lille-Centre", CONNECTIONS);
    let (server, _) = start_server(&data, &[]);
    let client = reqwest::Client::new();
    let groups: serde_json::Value = client
        .get(format!("{}/api/v1/groups?kind=section", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let section = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Lille-Centre")
        .expect("section")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let length = Duration::from_secs(if quick { 3 } else { 10 });
    let (base_rate, base_p50, base_p99) =
        load(&server.url, "/healthz", &[], CONNECTIONS, length).await;
    println!(
        "| GET /healthz, {CONNECTIONS} connections | {base_rate:.0} req/s, p50 {}, p99 {} | — | 1 |",
        ms(base_p50),
        ms(base_p99)
    );
    for (label, path, members) in [
        (
            "group page (section, 19,700 members), visitor",
            format!("/groups/{section}"),
            &[][..],
        ),
        (
            "group page (section), 64 signed-in members",
            format!("/groups/{section}"),
            &members[..],
        ),
        (
            "home page, 64 signed-in members",
            "/".to_owned(),
            &members[..],
        ),
    ] {
        let (rate, p50, p99) = load(&server.url, &path, members, CONNECTIONS, length).await;
        println!(
            "| {label}, {CONNECTIONS} connections | {rate:.0} req/s, p50 {}, p99 {} | /healthz: {base_rate:.0} req/s, p99 {} | {:.2}× the rate, {:.1}× the p99 |",
            ms(p50),
            ms(p99),
            ms(base_p99),
            rate / base_rate,
            p99.as_secs_f64() / base_p99.as_secs_f64()
        );
    }
    drop(server);
}

/// Drops a database `fresh_database` made (a benchmark leaves nothing behind).
async fn drop_database(admin_url: &str, url: &str) {
    use sqlx::Connection;
    let name = url.rsplit('/').next().unwrap_or_default();
    let mut conn = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::query(&format!("drop database if exists {name} with (force)"))
        .execute(&mut conn)
        .await
        .unwrap();
}

/// A new database on the benchmark's PostgreSQL server.
async fn fresh_database(admin_url: &str, what: &str) -> String {
    use sqlx::Connection;
    let name = format!("atelier_bench_{what}_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::query(&format!("drop database if exists {name} with (force)"))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(&format!("create database {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let mut url = url::Url::parse(admin_url).unwrap();
    url.set_path(&format!("/{name}"));
    url.to_string()
}
