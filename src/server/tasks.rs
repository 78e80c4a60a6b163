//! The server's background tasks, started beside the HTTP server and stopped with it: the
//! hourly housekeeping, hearing other servers' changes (`store::listen`), live sockets
//! following rights (`collab::rights`), the edit events owed by servers that went
//! (`collab::edit_events`), and the search index's generation followed when `atelier reindex`
//! switches it (`indexing::follow_generations`). The outbox's consumers are `events::Runners`,
//! stopped apart: they commit what they handled.

use std::time::Duration;

use tokio::task::JoinHandle;

use atelier_search::IndexHome;

use crate::collab::{Hub, edit_events, rights};
use crate::indexing::{LiveIndex, follow_generations};
use crate::store::Db;

/// The running tasks; `stop` ends them all.
pub struct Tasks(Vec<JoinHandle<()>>);

impl Tasks {
    pub fn start(db: &Db, hub: &Hub, search: &LiveIndex, index_home: IndexHome) -> Tasks {
        Tasks(vec![
            tokio::spawn(housekeeping(db.clone())),
            db.listen_to_other_servers(hub.clone()),
            rights::follow(db.clone(), hub.clone()),
            edit_events::pay_forgotten(db.clone()),
            tokio::spawn(follow_generations(search.clone(), index_home)),
        ])
    }

    pub fn stop(self) {
        for task in self.0 {
            task.abort();
        }
    }
}

/// Periodic clean-up: expired sessions and old change announcements.
async fn housekeeping(db: Db) {
    use tower_sessions::session_store::ExpiredDeletion;
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = db.delete_expired().await {
            tracing::warn!(error = %e, "cannot delete expired sessions");
        }
        if let Err(e) = db.prune_announcements().await {
            tracing::warn!(error = %e, "cannot prune old change announcements");
        }
    }
}
