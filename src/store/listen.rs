//! Several app servers on one PostgreSQL database: what the others announce with `NOTIFY`.
//!
//! Two channels: [`DOC_CHANNEL`], on which a server announces the chunks it stored for a text
//! (`Db::append_chunk`, in the same transaction), and [`CACHE_CHANNEL`], on which it announces
//! what its writes made stale in the caches (`Db::publish`). One listening connection per server
//! hears both. The caches are the store's own business; the open texts are the hub's, which
//! hears about them through [`OtherServers`].

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;

use super::cache::{CACHE_CHANNEL, Change};
use super::{Backend, DOC_CHANNEL, Db};
use crate::model::TextId;

/// What the rest of the server needs to hear from the other servers.
pub trait OtherServers: Send + Sync + 'static {
    /// Another server stored changes to this text.
    fn text_changed(&self, text: TextId);
    /// Announcements may have been missed (the listening connection was lost): catch up.
    fn announcements_missed(&self);
}

impl Db {
    /// Listens to the other servers if the database is PostgreSQL; a no-op on SQLite (one
    /// server per file).
    pub fn listen_to_other_servers(&self, others: impl OtherServers) {
        let Backend::Postgres(pool) = self.backend().clone() else {
            return;
        };
        let db = self.clone();
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
        });
    }

    fn missed(&self, others: &dyn OtherServers) {
        self.cache.apply(Change::Everything);
        others.announcements_missed();
    }

    async fn hear(&self, others: &dyn OtherServers, listener: &mut PgListener) {
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    let payload = notification.payload();
                    if notification.channel() == DOC_CHANNEL {
                        if let Ok(id) = payload.parse::<i64>() {
                            others.text_changed(TextId(id));
                        }
                    } else if let Some((origin, change)) = payload.split_once(' ')
                        && origin.parse() != Ok(self.cache.origin)
                    {
                        self.cache.apply(Change::decode(change));
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
