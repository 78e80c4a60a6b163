//! One task per consumer, following the outbox from its position (see the module above).

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::{Consumer, Event, Scope};
use crate::store::Db;

/// The runners' tuning; the defaults suit production, tests shorten them.
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    /// Events handed to a consumer at once, at most.
    pub batch: u32,
    /// How often the stream is polled for other processes' events (their notifications, when
    /// heard, wake the runners sooner).
    pub poll_every: Duration,
    /// The first delay before a failed batch is tried again; it doubles on every failure…
    pub first_retry: Duration,
    /// …up to this.
    pub last_retry: Duration,
    /// How long a cluster consumer's lease lasts unless renewed (renewed every third of it):
    /// the longest a dead server holds a cluster consumer up.
    pub lease: Duration,
}

impl Default for RunnerSettings {
    fn default() -> Self {
        RunnerSettings {
            batch: 256,
            poll_every: Duration::from_millis(500),
            first_retry: Duration::from_millis(100),
            last_retry: Duration::from_secs(60),
            lease: Duration::from_secs(30),
        }
    }
}

/// The running consumers of one process.
pub struct Runners {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Runners {
    /// Starts one task per consumer, and the poll that hears other processes' events.
    pub fn start(db: &Db, consumers: Vec<Box<dyn Consumer>>, settings: RunnerSettings) -> Runners {
        let (stop, stopped) = watch::channel(false);
        // Unique to this process: who holds a cluster consumer's lease.
        let holder = format!("{}-{:016x}", std::process::id(), rand::random::<u64>());
        let mut tasks: Vec<JoinHandle<()>> = consumers
            .into_iter()
            .map(|consumer| {
                let run = Run {
                    db: db.clone(),
                    consumer,
                    settings: settings.clone(),
                    holder: holder.clone(),
                    stop: stopped.clone(),
                    appended: db.follow_events(),
                };
                tokio::spawn(run.run())
            })
            .collect();
        if !tasks.is_empty() {
            tasks.push(tokio::spawn(poll(db.clone(), settings.poll_every, stopped)));
        }
        Runners { stop, tasks }
    }

    /// Stops every consumer: each commits what it handled and gives its lease up, within
    /// `bound` (then it is aborted: it resumes from its last commit next time).
    pub async fn stop(self, bound: Duration) {
        let _ = self.stop.send(true);
        let deadline = Instant::now() + bound;
        for task in self.tasks {
            let abort = task.abort_handle();
            if tokio::time::timeout_at(deadline, task).await.is_err() {
                tracing::warn!("an event consumer did not stop in time");
                abort.abort();
            }
        }
    }
}

/// Polls the stream's last position, at once when another server's notification was heard:
/// the runners then wake (this process's own events wake them without it).
async fn poll(db: Db, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = db.events_nudged() => {}
            changed = stop.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
        if *stop.borrow() {
            return;
        }
        if let Err(e) = db.poll_events().await {
            tracing::debug!(error = %e, "cannot read the latest event's position");
        }
    }
}

/// How a consumer's run ended.
enum Ended {
    Stopped,
    /// A cluster consumer's lease went to another server (this one stalled past it).
    LeaseLost,
}

struct Run {
    db: Db,
    consumer: Box<dyn Consumer>,
    settings: RunnerSettings,
    holder: String,
    stop: watch::Receiver<bool>,
    appended: watch::Receiver<i64>,
}

/// Where a consumer is: handled up to `position`, durable up to `committed`.
struct Progress {
    position: i64,
    committed: i64,
    /// The earliest next commit (`commit_every` after the last, or a retry's delay).
    next_commit: Instant,
    /// When a cluster consumer's lease is renewed next.
    next_renewal: Instant,
    failures: u32,
    /// After a batch failed, its events are tried one at a time up to here, so that the log
    /// names the very event that fails while the others go through.
    one_by_one_until: i64,
}

impl Run {
    fn name(&self) -> String {
        self.consumer.name().to_owned()
    }

    /// Asked to stop (or the `Runners` are gone).
    fn stopping(&self) -> bool {
        *self.stop.borrow() || self.stop.has_changed().is_err()
    }

    /// Waits `delay`, or less if asked to stop; `true` when stopping.
    async fn pause(&mut self, delay: Duration) -> bool {
        if self.stopping() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = self.stop.changed() => {}
        }
        self.stopping()
    }

    fn retry_delay(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
        self.settings
            .first_retry
            .saturating_mul(factor)
            .min(self.settings.last_retry)
    }

    async fn run(mut self) {
        let name = self.name();
        let mut failures = 0;
        let start = loop {
            match self.consumer.position().await {
                Ok(position) => break position,
                Err(e) => {
                    failures += 1;
                    let delay = self.retry_delay(failures);
                    tracing::warn!(consumer = %name, error = %e, retry_in = ?delay, "an event consumer cannot say where it resumes");
                    if self.pause(delay).await {
                        return;
                    }
                }
            }
        };
        match self.consumer.scope() {
            Scope::PerServer => {
                self.follow(start, false).await;
            }
            Scope::Cluster => loop {
                let Some(position) = self.claim(start).await else {
                    return;
                };
                tracing::info!(consumer = %name, position, "this server runs the event consumer");
                match self.follow(position, true).await {
                    Ended::Stopped => {
                        if let Err(e) = self.db.release_consumer(&name, &self.holder).await {
                            tracing::warn!(consumer = %name, error = %e, "cannot give up an event consumer's lease: another server takes over when it runs out");
                        }
                        return;
                    }
                    Ended::LeaseLost => {
                        tracing::warn!(consumer = %name, "another server took over the event consumer");
                    }
                }
            },
        }
    }

    /// Waits until this process holds the cluster consumer's lease; its stored position (`None`
    /// when stopping first).
    async fn claim(&mut self, start: i64) -> Option<i64> {
        let name = self.name();
        let every = self.settings.lease / 3;
        loop {
            match self
                .db
                .claim_consumer(&name, &self.holder, self.settings.lease, start)
                .await
            {
                Ok(Some(position)) => return Some(position),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(consumer = %name, error = %e, "cannot claim an event consumer's lease")
                }
            }
            if self.pause(every).await {
                return None;
            }
        }
    }

    /// Hands the consumer every event after `position`, in order, until stopped (or, for a
    /// cluster consumer, until its lease is lost).
    async fn follow(&mut self, position: i64, cluster: bool) -> Ended {
        let now = Instant::now();
        let mut progress = Progress {
            position,
            committed: position,
            next_commit: now,
            next_renewal: now + self.settings.lease / 3,
            failures: 0,
            one_by_one_until: 0,
        };
        loop {
            if self.stopping() {
                if progress.committed < progress.position {
                    self.commit(&mut progress, cluster).await;
                }
                return Ended::Stopped;
            }
            // Seen before reading: an event appended while we read wakes the wait below.
            self.appended.mark_unchanged();
            let limit = if progress.position < progress.one_by_one_until {
                1
            } else {
                self.settings.batch
            };
            let batch = match self.db.events_after(progress.position, limit).await {
                Ok(batch) => batch,
                Err(e) => {
                    progress.failures += 1;
                    let delay = self.retry_delay(progress.failures);
                    tracing::warn!(consumer = %self.name(), error = %e, retry_in = ?delay, "cannot read the events");
                    self.pause(delay).await;
                    continue;
                }
            };
            if batch.is_empty() {
                if progress.committed < progress.position
                    && Instant::now() >= progress.next_commit
                    && !self.commit(&mut progress, cluster).await
                {
                    return Ended::LeaseLost;
                }
                if cluster
                    && Instant::now() >= progress.next_renewal
                    && !self.renew(&mut progress).await
                {
                    return Ended::LeaseLost;
                }
                self.wait(&progress, cluster).await;
                continue;
            }
            self.handle(&batch, &mut progress).await;
            if progress.committed < progress.position
                && Instant::now() >= progress.next_commit
                && !self.commit(&mut progress, cluster).await
            {
                return Ended::LeaseLost;
            }
        }
    }

    /// Hands one batch to the consumer; on failure, arranges its retry.
    async fn handle(&mut self, batch: &[Event], progress: &mut Progress) {
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            return;
        };
        if first.position != progress.position + 1 {
            // Positions have no gaps: only a hand edit of the database (or a prune) makes one.
            tracing::warn!(consumer = %self.name(), after = progress.position, next = first.position, "events are missing from the outbox");
        }
        let outcome = AssertUnwindSafe(self.consumer.handle(batch))
            .catch_unwind()
            .await;
        let error = match outcome {
            Ok(Ok(())) => {
                progress.failures = 0;
                progress.position = last.position;
                metrics::gauge!("atelier_event_consumer_position", "consumer" => self.name())
                    .set(last.position as f64);
                return;
            }
            Ok(Err(e)) => format!("{e:#}"),
            Err(_) => "the consumer panicked".to_owned(),
        };
        metrics::counter!("atelier_event_consumer_failures_total", "consumer" => self.name())
            .increment(1);
        if batch.len() > 1 {
            // Find the culprit: the batch's events are tried one at a time, at once.
            progress.one_by_one_until = last.position;
            tracing::warn!(consumer = %self.name(), from = first.position, to = last.position, error = %error, "an event consumer failed on a batch: trying its events one by one");
            return;
        }
        progress.failures += 1;
        let delay = self.retry_delay(progress.failures);
        tracing::warn!(
            consumer = %self.name(),
            position = first.position,
            kind = %first.kind,
            attempt = progress.failures,
            retry_in = ?delay,
            error = %error,
            "an event consumer cannot handle an event: it will try again"
        );
        self.pause(delay).await;
    }

    /// Makes the progress durable; `false` when a cluster consumer's lease was lost.
    async fn commit(&mut self, progress: &mut Progress, cluster: bool) -> bool {
        let name = self.name();
        let position = progress.position;
        let committed = match self.consumer.commit(position).await {
            Ok(()) if cluster => {
                match self
                    .db
                    .renew_consumer(&name, &self.holder, position, self.settings.lease)
                    .await
                {
                    Ok(true) => Ok(()),
                    Ok(false) => return false,
                    Err(e) => Err(anyhow::Error::from(e)),
                }
            }
            other => other,
        };
        let now = Instant::now();
        match committed {
            Ok(()) => {
                progress.committed = position;
                progress.next_commit = now + self.consumer.commit_every();
                progress.next_renewal = now + self.settings.lease / 3;
            }
            Err(e) => {
                progress.failures += 1;
                let delay = self.retry_delay(progress.failures);
                tracing::warn!(consumer = %name, position, error = %e, retry_in = ?delay, "an event consumer cannot commit its position");
                progress.next_commit = now + delay;
            }
        }
        true
    }

    /// Extends the lease of a cluster consumer that has nothing to commit; `false` if lost.
    async fn renew(&mut self, progress: &mut Progress) -> bool {
        let name = self.name();
        match self
            .db
            .renew_consumer(&name, &self.holder, progress.committed, self.settings.lease)
            .await
        {
            Ok(renewed) => {
                progress.next_renewal = Instant::now() + self.settings.lease / 3;
                renewed
            }
            Err(e) => {
                tracing::warn!(consumer = %name, error = %e, "cannot renew an event consumer's lease");
                progress.next_renewal = Instant::now() + self.retry_delay(1);
                true
            }
        }
    }

    /// Caught up: waits for a new event, a commit or renewal falling due, or the stop.
    async fn wait(&mut self, progress: &Progress, cluster: bool) {
        let mut until = Instant::now() + self.settings.poll_every.max(Duration::from_secs(1));
        if progress.committed < progress.position {
            until = until.min(progress.next_commit);
        }
        if cluster {
            until = until.min(progress.next_renewal);
        }
        tokio::select! {
            changed = self.appended.changed() => {
                if changed.is_err() {
                    tokio::time::sleep_until(until).await;
                }
            }
            _ = self.stop.changed() => {}
            _ = tokio::time::sleep_until(until) => {}
        }
    }
}
