//! The store test-suite, run against both backends: on SQLite always, on PostgreSQL when
//! `ATELIER_TEST_DATABASE_URL` is set (those cases are `#[ignore]`d with the reason). Each case is
//! written once, as `async fn(Db)` (or `async fn(Db, Raw)` when it must read the database behind
//! the store's back). Every public method of `Db` is called here with its results checked
//! (`coverage.rs` fails when one is not), and `schema.rs` compares the two backends' schemas.

use atelier::model::{Email, GroupId, GroupKind, MemberId, TextKind, Visibility};
use atelier::store::{Db, NewMember, NewText};

mod activity;
mod amendments;
mod coverage;
mod database;
mod debates;
mod events;
mod groups;
mod invitations;
mod members;
mod schema;
mod secrets;
mod text_history;
mod texts;

/// Declares `<name>::on_sqlite` and `<name>::on_postgres` for suite cases: `fn(Db)` cases, or,
/// after `raw:`, `fn(Db, Raw)` cases.
macro_rules! on_both_backends {
    (raw: $($name:ident),+ $(,)?) => {
        $( crate::store_suite::on_both_backends!(@case $name, app =>
            super::$name(app.app.db.clone(), crate::store_suite::Raw::open(&app).await)); )+
    };
    ($($name:ident),+ $(,)?) => {
        $( crate::store_suite::on_both_backends!(@case $name, app => super::$name(app.app.db.clone())); )+
    };
    (@case $name:ident, $app:ident => $call:expr) => {
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                let $app = crate::harness::TestApp::start().await;
                $call.await;
                $app.stop().await;
            }

            #[tokio::test]
            #[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
            async fn on_postgres() {
                if let Some($app) = crate::harness::TestApp::postgres().await {
                    $call.await;
                    $app.stop().await;
                }
            }
        }
    };
}
pub(crate) use on_both_backends;

/// The test's own connection to the database the store uses, to read or arrange what no store
/// method shows (what is stored, not what the caches answer; rows dated in the past).
pub struct Raw {
    pub url: String,
    pool: Pool,
}

enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    pub async fn open(app: &crate::harness::TestApp) -> Raw {
        Raw::connect(&app.config.database_url()).await
    }

    pub async fn connect(url: &str) -> Raw {
        let pool = if url.starts_with("postgres") {
            Pool::Postgres(sqlx::PgPool::connect(url).await.expect("connect"))
        } else {
            Pool::Sqlite(sqlx::SqlitePool::connect(url).await.expect("open"))
        };
        Raw {
            url: url.to_owned(),
            pool,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// Runs a statement; answers the rows it touched.
    pub async fn execute(&self, sql: &str) -> u64 {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected(),
            Pool::Postgres(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected(),
        }
    }

    /// The one integer a query answers.
    pub async fn count(&self, sql: &str) -> i64 {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Pool::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        }
    }

    /// Every row of a query whose columns are all text (cast them), as strings.
    pub async fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        fn read<R: sqlx::Row>(row: &R) -> Vec<Option<String>>
        where
            usize: sqlx::ColumnIndex<R>,
            for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        {
            (0..row.len()).map(|i| row.try_get(i).unwrap()).collect()
        }
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::query(sql)
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(read)
                .collect(),
            Pool::Postgres(pool) => sqlx::query(sql)
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(read)
                .collect(),
        }
    }

    pub async fn close(self) {
        match self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

pub async fn new_member(db: &Db, email: &str, name: &str) -> MemberId {
    let email = Email::parse(email).unwrap();
    db.create_member(&NewMember {
        email: &email,
        name,
        password_hash: None,
    })
    .await
    .unwrap()
}

/// The name in a member's (cached) scope, as the headers and presence show it.
pub async fn cached_name(db: &Db, member: MemberId) -> String {
    let scope = db.active_member_with_scope(member).await.unwrap();
    scope.expect("an active member").0
}

pub struct Tree {
    pub national: GroupId,
    pub federation: GroupId,
    pub section: GroupId,
    pub other: GroupId,
}

/// Parti > Nord > {Lille (public), Roubaix (group only)}.
pub async fn tree(db: &Db) -> Tree {
    let national = db.ensure_national_group("Parti").await.unwrap();
    assert_eq!(
        db.ensure_national_group("Autre").await.unwrap(),
        national,
        "one national group"
    );
    let group = |kind, name: &'static str, parent, visibility| async move {
        db.create_group(kind, name, "", Some(parent), visibility, None)
            .await
            .unwrap()
    };
    let federation = group(GroupKind::Federation, "Nord", national, Visibility::Public).await;
    let section = group(GroupKind::Section, "Lille", federation, Visibility::Public).await;
    let other = group(GroupKind::Section, "Roubaix", federation, Visibility::Group).await;
    Tree {
        national,
        federation,
        section,
        other,
    }
}

/// A text with an empty document, created by `author`.
pub async fn new_text(
    db: &Db,
    group: GroupId,
    slug: &str,
    author: Option<MemberId>,
) -> atelier::model::TextId {
    db.create_text(&NewText {
        group,
        kind: TextKind::Programme,
        title: slug,
        slug,
        markdown: "",
        document: b"doc",
        heads: "[]",
        author,
    })
    .await
    .unwrap()
}
