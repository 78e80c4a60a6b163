//! Serving: `serve` runs the app on a listener until told to stop, with the background tasks
//! (`tasks`) beside the HTTP server. Tests call it with a listener on port 0.
//!
//! This is the top of the server's layers: it assembles the state (`app`), the routes (`http`)
//! and the tasks; nothing below imports from here.

mod tasks;

use std::net::SocketAddr;
use std::time::Duration;

use atelier_search::IndexHome;
use tokio::net::TcpListener;

use crate::app::App;
use crate::events::{Consumer, RunnerSettings, Runners};
use crate::indexing::IndexConsumer;
use tasks::Tasks;

/// The longest the open texts may take to store their Markdown at shutdown, and the database
/// to close: a stop is never held up for long, whatever the load it interrupts.
const SHUTDOWN_BOUND: Duration = Duration::from_secs(5);

/// Serves the app on `listener` until `shutdown` resolves, then finishes in-flight requests.
/// Live-editing sockets are closed at once with "server restarting" (their unacknowledged
/// messages are dropped: the peers send them again once reconnected).
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let index_home = IndexHome::new(app.config.search_index_dir());
    let tasks = Tasks::start(&app.db, &app.hub, &app.search, index_home);
    let consumers = Runners::start(&app.db, event_consumers(&app), RunnerSettings::default());
    let router = crate::http::router(app.clone());
    tracing::info!(%addr, backend = app.db.backend_name(), "atelier is listening");
    // Upgraded sockets are not the HTTP server's any more: its graceful shutdown does not wait
    // for them, the hub closes them.
    let hub = app.hub.clone();
    let shutdown = async move {
        shutdown.await;
        hub.shutdown();
    };
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    tasks.stop();
    // Before the documents go: a consumer may read them. Each commits what it handled.
    consumers.stop(SHUTDOWN_BOUND).await;
    app.hub.shutdown();
    if tokio::time::timeout(SHUTDOWN_BOUND, app.hub.flush_all())
        .await
        .is_err()
    {
        tracing::warn!(
            "the open texts' Markdown was not all stored in time: it is stored again on their next change"
        );
    }
    if tokio::time::timeout(SHUTDOWN_BOUND, app.db.close())
        .await
        .is_err()
    {
        tracing::warn!("the database did not close in time");
    }
    Ok(())
}

/// The outbox's consumers this server runs (`crate::events`), each in its own task.
fn event_consumers(app: &App) -> Vec<Box<dyn Consumer>> {
    vec![Box::new(IndexConsumer::new(
        app.db.clone(),
        app.hub.clone(),
        IndexHome::new(app.config.search_index_dir()),
        app.search.clone(),
        app.config.search_rebuild_behind_events,
    ))]
}
