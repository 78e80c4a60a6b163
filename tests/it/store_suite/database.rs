//! The store as a whole: opening, migrating, answering, closing; what other processes change
//! (announcements, listening); backups.

use std::sync::Mutex;
use std::time::Duration;

use atelier::config::SqliteSync;
use atelier::model::TextId;
use atelier::store::{Change, ConnectOptions, Db, OtherServers};
use tokio::sync::mpsc;

use super::{Raw, cached_name, new_member, new_text, on_both_backends};

on_both_backends!(raw:
    the_database_answers_migrates_once_and_closes,
    other_processes_changes_are_heard_and_old_announcements_pruned,
    a_backup_is_a_consistent_copy,
);

/// Another handle on the database: another server, or the command line.
pub(super) async fn open(url: &str) -> Db {
    Db::connect(&ConnectOptions {
        url: url.to_owned(),
        sqlite_sync: SqliteSync::Normal,
        max_connections: 2,
    })
    .await
    .unwrap()
}

async fn the_database_answers_migrates_once_and_closes(db: Db, raw: Raw) {
    db.ping().await.unwrap();
    let expected = if raw.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(db.backend_name(), expected);
    let applied = "select count(*) from _sqlx_migrations where success";
    let before = raw.count(applied).await;
    assert!(before >= 9, "every migration is applied: {before}");
    db.migrate().await.unwrap();
    assert_eq!(
        raw.count(applied).await,
        before,
        "migrating again applies nothing"
    );
    // A second store on the same database (another server) migrates nothing either.
    let second = open(&raw.url).await;
    assert_eq!(raw.count(applied).await, before);
    second.ping().await.unwrap();
    second.close().await;
    assert!(
        second.ping().await.is_err(),
        "a closed store answers nothing"
    );
    db.ping().await.unwrap();
    raw.close().await;
}

/// What a server hears from the others, as the hub would.
pub(super) struct Heard(pub(super) Mutex<Option<mpsc::UnboundedSender<Option<TextId>>>>);

impl OtherServers for Heard {
    fn text_changed(&self, text: TextId) {
        if let Some(tx) = &*self.0.lock().unwrap() {
            let _ = tx.send(Some(text));
        }
    }
    fn announcements_missed(&self) {
        if let Some(tx) = &*self.0.lock().unwrap() {
            let _ = tx.send(None);
        }
    }
}

pub(super) async fn within<T>(what: &str, wait: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .unwrap_or_else(|_| panic!("{what} within 10 s"))
}

async fn other_processes_changes_are_heard_and_old_announcements_pruned(db: Db, raw: Raw) {
    let national = db.ensure_national_group("Parti").await.unwrap();
    let member = new_member(&db, "a@exemple.fr", "Avant").await;
    // This process's own writes are followed at once.
    let mut own = db.follow_changes();
    db.set_member_name(member, "Avant").await.unwrap();
    within("our own change", async {
        while own.recv().await.unwrap() != Change::Renamed(member) {}
    })
    .await;

    // Another server on the same database, listening; its cache holds the member.
    let server = open(&raw.url).await;
    let (tx, mut texts) = mpsc::unbounded_channel();
    let listening = server.listen_to_other_servers(Heard(Mutex::new(Some(tx))));
    let mut heard = server.follow_changes();
    if raw.is_postgres() {
        // Listening starts by forgetting everything: what came before is caught up.
        assert_eq!(within("listening", texts.recv()).await, Some(None));
    } else {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(cached_name(&server, member).await, "Avant");
    // The command line writes: the server hears it and forgets what it cached.
    let cli = open(&raw.url).await.announcing();
    cli.set_member_name(member, "Après").await.unwrap();
    within("the change", async {
        while heard.recv().await.unwrap() != Change::Renamed(member) {}
    })
    .await;
    assert_eq!(cached_name(&server, member).await, "Après");
    if raw.is_postgres() {
        // Chunks stored by another server are announced, for the open documents.
        let text = new_text(&cli, national, "annonce", None).await;
        cli.append_chunk(&atelier::store::NewChunk {
            text,
            bytes: b"c",
            authors: &[],
            heads: "[]",
            message: None,
            edited: true,
            events: &[],
        })
        .await
        .unwrap();
        assert_eq!(within("the chunk", texts.recv()).await, Some(Some(text)));
    } else {
        let written = raw.count("select count(*) from change_announcement").await;
        assert!(
            written >= 1,
            "the command line writes its changes down on SQLite"
        );
    }
    listening.abort();
    // Announcements older than a day go; newer ones stay.
    raw.execute(
        "insert into change_announcement (payload, created_at) values \
         ('0 old', '2000-01-01T00:00:00Z'), ('0 new', '2999-01-01T00:00:00Z')",
    )
    .await;
    db.prune_announcements().await.unwrap();
    let left = |payload: &str| {
        format!("select count(*) from change_announcement where payload = '{payload}'")
    };
    assert_eq!(raw.count(&left("0 old")).await, 0);
    assert_eq!(raw.count(&left("0 new")).await, 1);
    cli.close().await;
    server.close().await;
    raw.close().await;
}

async fn a_backup_is_a_consistent_copy(db: Db, raw: Raw) {
    new_member(&db, "a@exemple.fr", "A").await;
    new_member(&db, "b@exemple.fr", "B").await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join(if raw.is_postgres() {
        "copy.dump"
    } else {
        "copy.db"
    });
    db.backup_to(&target).await.unwrap();
    if raw.is_postgres() {
        let bytes = std::fs::read(&target).unwrap();
        assert!(bytes.starts_with(b"PGDMP"), "pg_dump's custom format");
    } else {
        let copy = Db::open_sqlite_in(&copy_dir(&target), SqliteSync::Normal)
            .await
            .unwrap();
        assert_eq!(copy.member_count().await.unwrap(), 2);
        copy.close().await;
    }
    // Into a folder that does not exist: an error, and no file.
    let nowhere = dir.path().join("absent").join("copy");
    let error = db.backup_to(&nowhere).await.unwrap_err().to_string();
    assert!(error.contains("failed"), "{error}");
    assert!(!nowhere.exists());
    raw.close().await;
}

/// A data directory holding `file` as its database.
fn copy_dir(file: &std::path::Path) -> std::path::PathBuf {
    let dir = file.with_extension("data");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(file, dir.join("atelier.db")).unwrap();
    dir
}

/// Opening: a URL that cannot be read, a data directory that cannot be made.
#[tokio::test]
async fn opening_fails_with_one_sentence() {
    let error = Db::connect(&ConnectOptions {
        url: "postgres://user:secret@[bad/x".to_owned(),
        sqlite_sync: SqliteSync::Normal,
        max_connections: 1,
    })
    .await
    .unwrap_err()
    .to_string();
    assert!(error.contains("is not valid"), "{error}");
    assert!(
        !error.contains("secret"),
        "the password never shows: {error}"
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    let error = Db::open_sqlite_in(&file.path().join("data"), SqliteSync::Normal)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("cannot create the data directory"),
        "{error}"
    );
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite_in(&dir.path().join("new"), SqliteSync::Full)
        .await
        .unwrap();
    assert!(dir.path().join("new/atelier.db").exists());
    assert_eq!(db.backend_name(), "sqlite");
    db.close().await;
}
