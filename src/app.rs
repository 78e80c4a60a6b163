//! The application: its shared state, and `serve`, which runs it on a listener until told to
//! stop. Tests call `serve` with a listener on port 0.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use atelier_search::SearchIndex;

use crate::collab::{Hub, HubSettings};
use crate::config::Config;
use crate::mail::Mailer;
use crate::model::GroupId;
use crate::store::GroupRow;
use crate::store::{ConnectOptions, Db};

pub struct AppInner {
    pub db: Db,
    pub config: Config,
    pub mailer: Mailer,
    pub search: SearchIndex,
    pub metrics: PrometheusHandle,
    /// The open texts' documents (live co-editing).
    pub hub: Hub,
    member_counts: Expiring<MemberCounts>,
    groups: Expiring<Groups>,
}

/// A value reloaded when it is older than its time to live, or after `forget`.
struct Expiring<T> {
    ttl: Duration,
    slot: tokio::sync::Mutex<Option<(Instant, T)>>,
}

impl<T: Clone> Expiring<T> {
    fn new(ttl: Duration) -> Expiring<T> {
        Expiring {
            ttl,
            slot: tokio::sync::Mutex::new(None),
        }
    }

    /// The cached value, or a fresh one from `load` (one loader at a time: the others wait).
    async fn get_or_load<E>(&self, load: impl Future<Output = Result<T, E>>) -> Result<T, E> {
        let mut slot = self.slot.lock().await;
        if let Some((at, value)) = slot.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(value.clone());
        }
        let value = load.await?;
        *slot = Some((Instant::now(), value.clone()));
        Ok(value)
    }

    async fn forget(&self) {
        *self.slot.lock().await = None;
    }
}

/// Every group, by name.
pub type Groups = Arc<Vec<GroupRow>>;

/// How long the list of groups may be reused for lists and menus. Changes made on this server
/// invalidate it at once; other servers see them within this delay. Permission checks on a
/// group itself always read the database (`organisation::load_group`).
const GROUPS_TTL: Duration = Duration::from_secs(2);

/// The number of memberships in each group's subtree.
pub type MemberCounts = Arc<HashMap<GroupId, i64>>;

/// How long member counts may be reused. Counting every membership of a large party takes tens
/// of milliseconds; a count a few seconds old is fine on a group page. Writes on this server
/// invalidate at once; other servers catch up within this delay.
const MEMBER_COUNTS_TTL: Duration = Duration::from_secs(30);

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
    /// search index, the mailer. Each failure is one sentence saying what could not be opened.
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
        let search = SearchIndex::open_or_create(&config.search_index_dir())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
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
                ..HubSettings::default()
            },
        );
        Ok(App(Arc::new(AppInner {
            hub,
            db,
            config,
            mailer,
            search,
            metrics: metrics_handle(),
            member_counts: Expiring::new(MEMBER_COUNTS_TTL),
            groups: Expiring::new(GROUPS_TTL),
        })))
    }

    /// The number of memberships in each group's subtree, from a short-lived cache.
    pub async fn member_counts(&self) -> Result<MemberCounts, crate::store::StoreError> {
        self.member_counts
            .get_or_load(async { Ok(Arc::new(self.db.subtree_member_counts().await?)) })
            .await
    }

    /// Every group, from a short-lived cache.
    pub async fn groups(&self) -> Result<Groups, crate::store::StoreError> {
        self.groups
            .get_or_load(async { Ok(Arc::new(self.db.groups(None).await?)) })
            .await
    }

    /// Forgets the cached groups after a group was created or changed.
    pub async fn groups_changed(&self) {
        self.groups.forget().await;
    }

    /// Forgets the cached counts after a change of membership.
    pub async fn membership_changed(&self) {
        self.member_counts.forget().await;
    }
}

/// Serves the app on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let housekeeping = tokio::spawn(housekeeping(app.clone()));
    crate::collab::spawn_listener(app.hub.clone());
    let router = crate::http::router(app.clone());
    tracing::info!(%addr, backend = app.db.backend_name(), "atelier is listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    housekeeping.abort();
    app.hub.flush_all().await;
    app.db.close().await;
    Ok(())
}

/// Periodic clean-up: expired sessions and old login failures.
async fn housekeeping(app: App) {
    use tower_sessions::session_store::ExpiredDeletion;
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = app.db.delete_expired().await {
            tracing::warn!(error = %e, "cannot delete expired sessions");
        }
        if let Err(e) = app.db.prune_login_failures().await {
            tracing::warn!(error = %e, "cannot prune login failures");
        }
    }
}
