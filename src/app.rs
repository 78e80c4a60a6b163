//! The application's shared state: a plain struct of the parts every request may use (the
//! store, the settings, the mailer, the search index, the live documents, the sign-in
//! throttle, the history's word counts). Services take the parts they use, not the `App`;
//! only `http` and `server` (above every service) know it. `server::serve` runs it.

use std::ops::Deref;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use atelier_search::IndexHome;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

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
    /// Texts rendered, by state and by where their wiki links lead.
    pub renders: crate::text::Renders,
    pub amendments: crate::amendments::Kept,
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
        let search = LiveIndex::open(
            &IndexHome::new(config.search_index_dir()),
            db.last_event_position().await?,
            config.search_rebuild_behind_events,
        );
        let mailer = Mailer::new(
            config.smtp_url.as_deref(),
            &config.mail_from,
            config.mail_dir(),
            &config.base_url,
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
            renders: Default::default(),
            amendments: Default::default(),
            hub,
            db,
            config,
            mailer,
            search,
            metrics: metrics_handle(),
        })))
    }
}
