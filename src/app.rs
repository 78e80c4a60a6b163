//! The application: its shared state, and `serve`, which runs it on a listener until told to
//! stop. Tests call `serve` with a listener on port 0.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use atelier_search::IndexHome;

use crate::accounts::throttle::SigninThrottle;
use crate::collab::{Hub, HubSettings};
use crate::config::Config;
use crate::indexing::LiveIndex;
use crate::mail::Mailer;
use crate::store::{ConnectOptions, Db};

pub struct AppInner {
    pub db: Db,
    pub config: Config,
    pub mailer: Mailer,
    /// The search index requests read (swapped when a rebuild switches generations).
    pub search: LiveIndex,
    pub metrics: PrometheusHandle,
    /// The open texts' documents (live co-editing).
    pub hub: Hub,
    /// Sign-in attempts and reset mails, slowed (this server's memory).
    pub throttle: SigninThrottle,
    /// The words each session of a text's history added and removed, once computed.
    pub word_counts: crate::text::history::WordCounts,
}

/// The shared state of every request. Cheap to clone.
#[derive(Clone)]
pub struct App(Arc<AppInner>);

impl Deref for App {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

/// The process-wide metrics recorder: installed once, whatever the number of apps (tests run
/// several in one process).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be set (an embedding program's): ours then stays empty.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

impl App {
    /// Opens everything the server needs: the data directory, the database (migrated), the
    /// search index, the mailer. Each failure is one sentence saying what could not be opened;
    /// a missing or damaged search index is not one (it is rebuilt once the server runs).
    pub async fn open(config: Config) -> anyhow::Result<App> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the data directory {}: {e}",
                config.data_dir.display()
            )
        })?;
        let db = Db::connect(&ConnectOptions {
            url: config.database_url(),
            sqlite_sync: config.sqlite_sync,
            max_connections: 16,
        })
        .await?;
        let search = LiveIndex::open(&IndexHome::new(config.search_index_dir()));
        let mailer = Mailer::new(
            config.smtp_url.as_deref(),
            &config.mail_from,
            config.mail_dir(),
        )?;
        let hub = Hub::new(
            db.clone(),
            HubSettings {
                idle_after: Duration::from_secs(config.doc_idle_seconds),
                compact_after_chunks: config.doc_compact_after_chunks,
                max_text_length: config.doc_max_text_length,
                flow: crate::collab::FlowSettings {
                    rates: config.peer_rates,
                    ..Default::default()
                },
                ..HubSettings::default()
            },
        );
        Ok(App(Arc::new(AppInner {
            throttle: SigninThrottle::new(&config.throttle),
            word_counts: Default::default(),
            hub,
            db,
            config,
            mailer,
            search,
            metrics: metrics_handle(),
        })))
    }
}

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
    let housekeeping = tokio::spawn(housekeeping(app.clone()));
    let listening = app.db.listen_to_other_servers(app.hub.clone());
    let rights = crate::collab::rights::follow(app.db.clone(), app.hub.clone());
    let generations = tokio::spawn(crate::indexing::follow_generations(
        app.search.clone(),
        IndexHome::new(app.config.search_index_dir()),
    ));
    let consumers = crate::events::Runners::start(
        &app.db,
        event_consumers(&app),
        crate::events::RunnerSettings::default(),
    );
    let edit_debts = crate::collab::edit_events::pay_forgotten(app.db.clone());
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
    housekeeping.abort();
    generations.abort();
    rights.abort();
    edit_debts.abort();
    // Before the documents go: a consumer may read them. Each commits what it handled.
    consumers.stop(SHUTDOWN_BOUND).await;
    listening.abort();
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
fn event_consumers(app: &App) -> Vec<Box<dyn crate::events::Consumer>> {
    vec![Box::new(crate::indexing::IndexConsumer::new(
        app.db.clone(),
        app.hub.clone(),
        IndexHome::new(app.config.search_index_dir()),
        app.search.clone(),
    ))]
}

/// Periodic clean-up: expired sessions and old change announcements.
async fn housekeeping(app: App) {
    use tower_sessions::session_store::ExpiredDeletion;
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = app.db.delete_expired().await {
            tracing::warn!(error = %e, "cannot delete expired sessions");
        }
        if let Err(e) = app.db.prune_announcements().await {
            tracing::warn!(error = %e, "cannot prune old change announcements");
        }
    }
}
