//! Several app servers on one PostgreSQL database: each stores its chunks and `NOTIFY`s (in the
//! same transaction, see `Db::append_chunk`); this listener hears the others and has the open
//! copy of that text fetch the new chunks, then sync its own peers.

use std::time::Duration;

use sqlx::postgres::PgListener;

use super::hub::Hub;
use crate::model::TextId;
use crate::store::{Backend, DOC_CHANNEL};

/// Starts listening if the database is PostgreSQL; a no-op on SQLite (one server per file).
pub fn spawn(hub: Hub) {
    let Backend::Postgres(pool) = hub.inner.db.backend().clone() else {
        return;
    };
    tokio::spawn(async move {
        loop {
            match PgListener::connect_with(&pool).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(DOC_CHANNEL).await {
                        tracing::warn!(error = %e, "cannot listen for other servers' changes");
                    } else {
                        // Anything stored while we were not listening is fetched now.
                        hub.refresh_all();
                        listen(&hub, &mut listener).await;
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

async fn listen(hub: &Hub, listener: &mut PgListener) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                if let Ok(id) = notification.payload().parse::<i64>() {
                    hub.changed_elsewhere(TextId(id));
                }
            }
            // The connection was lost and re-established: notifications may have been missed.
            Ok(None) => hub.refresh_all(),
            Err(e) => {
                tracing::warn!(error = %e, "lost the connection that listens for other servers' changes");
                return;
            }
        }
    }
}
