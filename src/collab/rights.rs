//! Live sockets follow rights. A peer's rights are checked when its socket is upgraded; when the
//! store announces a change that may alter them (`store::Change`, made on this server, by another
//! one or by the command line), the peers concerned are asked to reconnect
//! (close code 4503) and are checked again. Their clients reconnect at once, with nothing lost.

use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use super::hub::Hub;
use crate::store::{Change, Db, StoreResult};

/// Follows the store's changes until the returned task is aborted.
pub fn follow(db: Db, hub: Hub) -> JoinHandle<()> {
    let mut changes = db.follow_changes();
    tokio::spawn(async move {
        loop {
            let change = match changes.recv().await {
                Ok(change) => change,
                // Changes were missed: anything may have changed.
                Err(RecvError::Lagged(_)) => Change::Everything,
                Err(RecvError::Closed) => return,
            };
            if let Err(e) = react(&db, &hub, &change).await {
                tracing::warn!(error = %e, "cannot re-check live sockets after a change");
            }
        }
    })
}

async fn react(db: &Db, hub: &Hub, change: &Change) -> StoreResult<()> {
    match change {
        // Roles decide writing and also seeing a group's directory, hence whether the member's
        // sockets are told co-editors' names (`PeerInfo::sees_names`): both are decided again.
        Change::Member(member) => hub.close_member(*member, "Les droits d'un membre ont changé."),
        // Sessions ended: a socket opened with one of them must not outlive it.
        Change::SessionsOf(member) => hub.close_member(*member, "Vos sessions ont été fermées."),
        Change::TextStatus(text, _) => hub.reauthorise(*text, "Le statut du texte a changé."),
        Change::Group(group) => {
            // Visibility carries down the tree: every open text below the group is re-checked.
            for text in hub.open_texts() {
                let Some(row) = db.text(text).await? else {
                    continue;
                };
                if db
                    .ancestors(row.group_id)
                    .await?
                    .iter()
                    .any(|g| g.group_id == *group)
                {
                    hub.reauthorise(text, "La visibilité d'un groupe a changé.");
                }
            }
        }
        Change::Everything => {
            for text in hub.open_texts() {
                hub.reauthorise(text, "Les droits ont peut-être changé.");
            }
        }
        Change::Session(_)
        | Change::Renamed(_)
        | Change::GroupAdded
        | Change::Activity(_)
        | Change::Texts(_)
        | Change::Visit(_) => {}
    }
    Ok(())
}
