//! Several app servers on one PostgreSQL database: what the others announce with `NOTIFY`.
//!
//! Two channels: [`DOC_CHANNEL`], on which a server announces the chunks it stored for a text
//! (`Db::append_chunk`, in the same transaction), and [`CACHE_CHANNEL`], on which it announces
//! what its writes made stale in the caches (`Db::publish`). One listening connection per server
//! hears both. The caches are the store's own business; the open texts are the hub's, which
//! hears about them through [`OtherServers`].
//!
//! On SQLite there is one server per file, but the command line may write to it while the
//! server runs: it writes its changes down (`change_announcement`), and the server reads them
//! every second.

use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::postgres::PgListener;
use tokio::task::JoinHandle;

use super::cache::{CACHE_CHANNEL, Change};
use super::{Backend, DOC_CHANNEL, Db, StoreResult, now, on_backend};
use crate::model::TextId;

/// What the rest of the server needs to hear from the other servers.
pub trait OtherServers: Send + Sync + 'static {
    /// Another server stored changes to this text.
    fn text_changed(&self, text: TextId);
    /// Announcements may have been missed (the listening connection was lost): catch up.
    fn announcements_missed(&self);
}

impl Db {
    /// Listens to what other processes change, until the returned task is aborted: the other
    /// servers on PostgreSQL; the command line on SQLite (one server per file).
    pub fn listen_to_other_servers(&self, others: impl OtherServers) -> JoinHandle<()> {
        let db = self.clone();
        let pool = match self.backend().clone() {
            Backend::Postgres(pool) => pool,
            Backend::Sqlite(pool) => {
                return tokio::spawn(async move { db.read_announcements(&pool).await });
            }
        };
        let others = Arc::new(others);
        tokio::spawn(async move {
            loop {
                match PgListener::connect_with(&pool).await {
                    Ok(mut listener) => {
                        if let Err(e) = listener.listen_all([DOC_CHANNEL, CACHE_CHANNEL]).await {
                            tracing::warn!(error = %e, "cannot listen for other servers' changes");
                        } else {
                            // Anything written while we were not listening is caught up now.
                            db.missed(&*others);
                            db.hear(&*others, &mut listener).await;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot connect to listen for other servers' changes")
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    }

    /// SQLite: reads, every second, the changes the command line wrote down
    /// (`change_announcement`, see `Db::announcing`).
    async fn read_announcements(&self, pool: &SqlitePool) {
        const EVERY: Duration = Duration::from_secs(1);
        let mut last: Option<i64> = None;
        loop {
            let read = async {
                let seen = match last {
                    Some(seen) => seen,
                    // From now on: what was announced before the server started is in the
                    // database it reads anyway.
                    None => sqlx::query_scalar(
                        "select coalesce(max(change_announcement_id), 0) from change_announcement",
                    )
                    .fetch_one(pool)
                    .await?,
                };
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "select change_announcement_id, payload from change_announcement \
                     where change_announcement_id > $1 order by change_announcement_id",
                )
                .bind(seen)
                .fetch_all(pool)
                .await?;
                Ok::<_, sqlx::Error>((seen, rows))
            };
            match read.await {
                Ok((seen, rows)) => {
                    last = Some(rows.last().map_or(seen, |(id, _)| *id));
                    if !rows.is_empty() {
                        self.nudge_events();
                    }
                    for (_, payload) in rows {
                        self.heard(&payload);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot read the command line's changes"),
            }
            tokio::time::sleep(EVERY).await;
        }
    }

    /// Forgets announcements older than a day: the server has long read them.
    pub async fn prune_announcements(&self) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query("delete from change_announcement where created_at < $1")
                .bind(now() - time::Duration::days(1))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// An announcement `"<origin> <change>"`, unless it is this process's own.
    fn heard(&self, payload: &str) {
        if let Some((origin, change)) = payload.split_once(' ')
            && origin.parse() != Ok(self.cache.origin)
        {
            self.cache.apply(Change::decode(change));
        }
    }

    fn missed(&self, others: &dyn OtherServers) {
        self.cache.apply(Change::Everything);
        self.nudge_events();
        others.announcements_missed();
    }

    async fn hear(&self, others: &dyn OtherServers, listener: &mut PgListener) {
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    // Whatever another server announced, it may have appended events with it.
                    self.nudge_events();
                    let payload = notification.payload();
                    if notification.channel() == DOC_CHANNEL {
                        if let Ok(id) = payload.parse::<i64>() {
                            others.text_changed(TextId(id));
                        }
                    } else {
                        self.heard(payload);
                    }
                }
                // The connection was lost and re-established: announcements may have been missed.
                Ok(None) => self.missed(others),
                Err(e) => {
                    tracing::warn!(error = %e, "lost the connection that listens for other servers' changes");
                    return;
                }
            }
        }
    }
}
