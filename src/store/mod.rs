//! Storage: the one store interface of Atelier, with an implementation per backend (SQLite and
//! PostgreSQL).
//!
//! `Db` is the interface: every feature calls its methods and never sees a pool. Inside each
//! method, [`on_backend!`] expands the same body once per backend, each type-checked against its
//! own driver. Both dialects accept `$1` placeholders, `returning` and `on conflict`, so most SQL
//! is written once; where the dialects differ, the method matches on [`Backend`] explicitly and
//! the difference is visible where it happens. `Backend` is private to this module: nothing
//! outside the store sees a pool, and the same store test-suite (`tests/it/store_suite/`) runs
//! every public method against both.

mod actors;
mod amendment_rules;
mod amendments;
mod audit;
mod backup;
pub mod cache;
mod debates;
pub(crate) mod events;
mod groups;
mod invitations;
mod listen;
mod members;
mod migrations;
mod rows;
pub mod sessions;
mod sub_amendments;
mod texts;
mod tokens;
pub mod visits;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use actors::ActorOwner;
pub use amendment_rules::{AmendmentRules, SupportCounts};
pub use amendments::{
    AmendmentRow, Merging, NewAmendment, ParagraphCount, RevisionRow, StatusChangeRow, Support,
    SupporterRow,
};
pub use audit::{ActivityRow, AuditEvent};
pub use cache::{CACHE_CHANNEL, Change};
pub use debates::{
    DebateFilter, DebateRow, DebateSummary, DebatesImported, EXCERPT_CHARS, NewDebate,
};
pub(crate) use events::append_events;
pub use events::{Event, NewEvent};
pub use groups::{GroupRow, MembershipRow, ScopeRow};
pub use invitations::{EXPIRED_KEPT, PendingInvitationRow};
pub use listen::OtherServers;
pub use members::{
    AccountRow, DirectoryRow, ImportCounts, ImportMember, MemberRow, NewMember, TitleRow,
};
pub use texts::{
    ChunkEvent, DOC_CHANNEL, DocPart, EditRow, NewChunk, NewText, TextRow, TextSummary, VersionRow,
};
pub use tokens::{InvitationRow, RegistrationRefusal, RegistrationRow, TokenUse};
pub use visits::Visit;

use crate::config::{SqliteSync, redact_url};

/// A database error, or a refusal the caller should turn into a 4xx.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the payload names the constraint's column.
    #[error("{0} is already taken")]
    Conflict(&'static str),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// The caller's input failed midway through a write (a file that could not be read): the
    /// transaction was rolled back, nothing is written. The payload says why.
    #[error("{0}")]
    Aborted(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Maps a unique violation to `Conflict(what)`, keeping every other error as it is.
pub(crate) fn on_unique(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Sqlx(e),
    }
}

/// The pool of one backend. Private to the store: every feature goes through `Db`'s methods.
#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The URL the store was opened with (`pg_dump` needs it for a backup); its password never
/// shows in `Debug`.
#[derive(Clone)]
struct DatabaseUrl(Arc<str>);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// The store. Cheap to clone: a pool handle and the shared caches of its reads.
#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend,
    url: DatabaseUrl,
    cache: Arc<cache::Caches>,
    /// How this process hears of new events (`store::events`).
    events: Arc<events::EventSignal>,
    /// On SQLite, also write each change to `change_announcement` for a server running on the
    /// same file: set by the command line (`Db::announcing`).
    announce: bool,
}

/// Runs `$body` with `$pool` bound to the backend's pool; the body is compiled once per backend.
macro_rules! on_backend {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db.backend() {
            $crate::store::Backend::Sqlite($pool) => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_backend;

/// Starts a write transaction. SQLite needs `BEGIN IMMEDIATE`: a deferred transaction that reads
/// then writes fails with SQLITE_BUSY when another connection wrote in between, busy timeout or not.
pub(crate) trait BeginWrite {
    type Database: sqlx::Database;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Self::Database>>;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.begin().await
    }
}

/// How to open the database.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    pub url: String,
    pub sqlite_sync: SqliteSync,
    pub max_connections: u32,
}

impl Db {
    /// Opens the database and applies pending migrations. Errors are one sentence that says
    /// which database could not be opened and why.
    pub async fn connect(options: &ConnectOptions) -> anyhow::Result<Db> {
        let url = options.url.as_str();
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect = PgConnectOptions::from_str(url).map_err(|e| {
                anyhow::anyhow!("the database URL {} is not valid: {e}", redact_url(url))
            })?;
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(connect)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("cannot connect to PostgreSQL at {}: {e}", redact_url(url))
                })?;
            Db::on(Backend::Postgres(pool), url)
        } else {
            let connect = SqliteConnectOptions::from_str(url)
                .map_err(|e| anyhow::anyhow!("the database URL {url} is not valid: {e}"))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(match options.sqlite_sync {
                    SqliteSync::Normal => SqliteSynchronous::Normal,
                    SqliteSync::Full => SqliteSynchronous::Full,
                })
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-32000")
                .pragma("temp_store", "memory");
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(connect)
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the SQLite database {url}: {e}"))?;
            Db::on(Backend::Sqlite(pool), url)
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Opens the SQLite database file in `data_dir` (creating the directory).
    pub async fn open_sqlite_in(data_dir: &Path, sqlite_sync: SqliteSync) -> anyhow::Result<Db> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the data directory {}: {e}",
                data_dir.display()
            )
        })?;
        let url = format!("sqlite://{}", data_dir.join("atelier.db").display());
        Db::connect(&ConnectOptions {
            url,
            sqlite_sync,
            max_connections: 8,
        })
        .await
    }

    fn on(backend: Backend, url: &str) -> Db {
        Db {
            backend,
            url: DatabaseUrl(url.into()),
            cache: Arc::new(cache::Caches::new()),
            events: Arc::new(events::EventSignal::new()),
            announce: false,
        }
    }

    /// This store is not a server's (the command line): on SQLite its changes are written down
    /// for the server running on the same file, which reads them every second.
    pub fn announcing(mut self) -> Db {
        self.announce = true;
        self
    }

    /// Forgets, here and (PostgreSQL) on every other server, the cached reads a committed write
    /// made stale. Every write method calls it after its commit; see `store::cache`.
    pub(crate) async fn publish(&self, change: Change) {
        self.cache.apply(change.clone());
        let payload = format!("{} {}", self.cache.origin, change.encode());
        let sent = match &self.backend {
            Backend::Postgres(pool) => sqlx::query("select pg_notify($1, $2)")
                .bind(CACHE_CHANNEL)
                .bind(payload)
                .execute(pool)
                .await
                .map(drop),
            Backend::Sqlite(pool) if self.announce => {
                sqlx::query("insert into change_announcement (payload, created_at) values ($1, $2)")
                    .bind(payload)
                    .bind(now())
                    .execute(pool)
                    .await
                    .map(drop)
            }
            Backend::Sqlite(_) => Ok(()),
        };
        if let Err(e) = sent {
            // The write is committed; the servers will see it within the caches' TTL.
            tracing::warn!(error = %e, "cannot tell the servers about a change");
        }
    }

    /// Every change published from now on, here or (PostgreSQL) on another server.
    pub fn follow_changes(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.cache.follow()
    }

    fn backend(&self) -> &Backend {
        &self.backend
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Applies the migrations of this backend that are not applied yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let result: Result<(), sqlx::error::BoxDynError> = async {
            match &self.backend {
                Backend::Sqlite(pool) => Ok(migrations::SQLITE.migrator().await?.run(pool).await?),
                Backend::Postgres(pool) => {
                    Ok(migrations::POSTGRES.migrator().await?.run(pool).await?)
                }
            }
        }
        .await;
        result.map_err(|e| anyhow::anyhow!("cannot apply the database migrations: {e}"))
    }

    /// Answers when the database answers a trivial query.
    pub async fn ping(&self) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query("select 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Closes the pool, waiting for connections to return.
    pub async fn close(&self) {
        on_backend!(self, pool => pool.close().await)
    }
}

/// The current time, in UTC, to the second: one clock for every row we write.
/// Text as a text column can hold it: PostgreSQL refuses U+0000, which live editing can type (the
/// automerge document keeps it; what is derived from it and stored as text gets U+FFFD, the
/// replacement character Markdown renders it as anyway). Inputs with NUL are refused at the edge.
pub fn storable_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') {
        std::borrow::Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

pub fn now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}
