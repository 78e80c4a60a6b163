//! Flow control between a peer's socket and its text's document.
//!
//! Every queue in between is bounded in bytes: what a peer sent and the document has not applied
//! yet (`PeerFlow::admit` waits for room, so the socket is not read meanwhile and TCP slows the
//! sender down), and what the document sent and the socket has not written yet (`queue_out`
//! refuses beyond the bound: the peer is too slow and is closed). Each member's rates — bytes,
//! changes and operations a second — are limited by token buckets shared by every socket of the
//! member, so reconnecting does not start afresh. A peer over its rates is slowed (its socket is
//! not read until the buckets refill), then closed if it stays held back for `max_slowed`.
//!
//! A message's cost in changes and operations is known only once it is parsed (a compressed
//! change of a few kilobytes may insert a hundred thousand characters, and applying it takes
//! seconds during which the text answers nobody): the socket parses it (`cost`, off the runtime
//! when large) before it reaches the document, and refuses it there. The buckets may go into
//! debt: one message may cost more than what is left, and the next waits until the debt is paid.
//! (Rate limiters such as `governor` refuse a cost they cannot pay at once instead, which would
//! refuse a long offline session outright.)

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::close;
use super::vet::{self, Limits, split_chunks};
use crate::config::{PeerRates, Rate};
use crate::model::MemberId;

/// The bounds of the queues between a socket and a document, and the rates.
#[derive(Debug, Clone)]
pub struct FlowSettings {
    /// Bytes of a peer's messages read from its socket and not yet applied.
    pub inbound_bytes: usize,
    /// Bytes queued for a peer and not yet written to its socket.
    pub outbound_bytes: usize,
    pub rates: PeerRates,
    /// How long a peer may be held back (over its rates, or waiting for its document) before it
    /// is closed; also the longest a write to a peer's socket may take.
    pub max_slowed: Duration,
}

impl Default for FlowSettings {
    fn default() -> Self {
        FlowSettings {
            // Hundreds of keystrokes, or a few compressed changes whose cost is not known yet.
            inbound_bytes: 256 * 1024,
            outbound_bytes: 16 * 1024 * 1024,
            rates: PeerRates::default(),
            max_slowed: Duration::from_secs(10),
        }
    }
}

/// Why a peer is closed: a WebSocket close code and its reason.
pub type Refusal = (u16, String);

#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: f64,
    rate: Rate,
}

impl Bucket {
    fn full(rate: Rate) -> Bucket {
        Bucket {
            level: rate.burst,
            rate,
        }
    }

    fn refill(&mut self, seconds: f64) {
        self.level = (self.level + self.rate.per_second * seconds).min(self.rate.burst);
    }

    /// How long until the bucket is out of debt.
    fn wait(&self) -> Duration {
        if self.level >= 0.0 || self.rate.per_second <= 0.0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(-self.level / self.rate.per_second)
    }
}

/// One member's token buckets: bytes, changes, operations.
#[derive(Debug)]
pub struct Budget {
    bytes: Bucket,
    changes: Bucket,
    operations: Bucket,
    at: Instant,
}

impl Budget {
    fn new(rates: PeerRates) -> Budget {
        Budget {
            bytes: Bucket::full(rates.bytes),
            changes: Bucket::full(rates.changes),
            operations: Bucket::full(rates.operations),
            at: Instant::now(),
        }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        let seconds = now.duration_since(self.at).as_secs_f64();
        self.at = now;
        for bucket in [&mut self.bytes, &mut self.changes, &mut self.operations] {
            bucket.refill(seconds);
        }
    }

    /// How long the member must wait before sending more.
    fn wait(&mut self) -> Duration {
        self.refill();
        self.bytes
            .wait()
            .max(self.changes.wait())
            .max(self.operations.wait())
    }

    fn is_full(&mut self) -> bool {
        self.refill();
        [self.bytes, self.changes, self.operations]
            .iter()
            .all(|b| b.level >= b.rate.burst)
    }
}

/// Every member's budget while they have sockets open, or have not yet paid their debt.
#[derive(Default)]
pub struct Budgets {
    members: Mutex<HashMap<MemberId, Arc<Mutex<Budget>>>>,
}

impl Budgets {
    /// The budget of `member`, shared with their other sockets.
    pub fn of(&self, member: MemberId, rates: PeerRates) -> Arc<Mutex<Budget>> {
        let Ok(mut members) = self.members.lock() else {
            return Arc::new(Mutex::new(Budget::new(rates)));
        };
        // Forget the members with no socket left whose buckets have refilled: a new budget
        // would be the same.
        members.retain(|_, budget| {
            Arc::strong_count(budget) > 1 || budget.lock().map_or(true, |mut b| !b.is_full())
        });
        members
            .entry(member)
            .or_insert_with(|| Arc::new(Mutex::new(Budget::new(rates))))
            .clone()
    }
}

/// Room taken in a peer's inbound queue; given back when dropped (once the message is applied).
pub struct Credit(#[allow(dead_code)] Option<OwnedSemaphorePermit>);

/// One socket's side of the flow: its queues' bounds and its member's budget.
pub struct PeerFlow {
    settings: FlowSettings,
    budget: Arc<Mutex<Budget>>,
    inbound: Arc<Semaphore>,
    outbound: AtomicUsize,
    /// Since when the peer has been held back without a break.
    slowed_since: Mutex<Option<Instant>>,
}

impl PeerFlow {
    pub fn new(settings: FlowSettings, budget: Arc<Mutex<Budget>>) -> PeerFlow {
        let inbound = Arc::new(Semaphore::new(settings.inbound_bytes.max(1)));
        PeerFlow {
            settings,
            budget,
            inbound,
            outbound: AtomicUsize::new(0),
            slowed_since: Mutex::new(None),
        }
    }

    pub fn max_slowed(&self) -> Duration {
        self.settings.max_slowed
    }

    /// Before the next frame is read: waits while the member is over their rates. A refusal once
    /// the peer has been held back for too long.
    pub async fn pace(&self) -> Result<(), Refusal> {
        loop {
            let wait = self.budget.lock().map_or(Duration::ZERO, |mut b| b.wait());
            if wait.is_zero() {
                return Ok(());
            }
            self.hold_back(wait)?;
            tokio::time::sleep(wait).await;
        }
    }

    /// A frame of `bytes` was read: charges it, then waits for room in the inbound queue (the
    /// document is behind). The credit goes with the message to the document.
    pub async fn admit(&self, bytes: usize, changes: u64) -> Result<Credit, Refusal> {
        if let Ok(mut budget) = self.budget.lock() {
            budget.bytes.level -= bytes as f64;
            budget.changes.level -= changes as f64;
        }
        // A message larger than the queue takes all of it: it waits until the queue is empty.
        let wanted = bytes.clamp(1, self.settings.inbound_bytes.max(1));
        let wanted = u32::try_from(wanted).unwrap_or(u32::MAX);
        if let Ok(permit) = self.inbound.clone().try_acquire_many_owned(wanted) {
            self.not_slowed();
            return Ok(Credit(Some(permit)));
        }
        let left = self.hold_back(Duration::ZERO)?;
        match tokio::time::timeout(left, self.inbound.clone().acquire_many_owned(wanted)).await {
            Ok(Ok(permit)) => Ok(Credit(Some(permit))),
            Ok(Err(_)) => Ok(Credit(None)),
            Err(_) => Err(too_fast()),
        }
    }

    /// A message of `changes` changes of `operations` operations was read from this peer (see
    /// `cost`): charges them, and refuses the message if it holds more than the member may apply at
    /// once (the bursts: applying one change costs time that grows faster than its size, and the
    /// text waits meanwhile), or if the member is already so far over their rates that they
    /// would wait longer than `max_slowed`. A refused message is charged all the same, so that
    /// its sender's next sockets are held back before anything is read from them.
    pub fn admit_cost(&self, changes: usize, operations: usize) -> Result<(), Refusal> {
        let Ok(mut budget) = self.budget.lock() else {
            return Ok(());
        };
        let over = budget.wait() > self.settings.max_slowed;
        let too_big = changes as f64 > budget.changes.rate.burst
            || operations as f64 > budget.operations.rate.burst;
        budget.changes.level -= changes as f64;
        budget.operations.level -= operations as f64;
        if too_big {
            return Err((
                close::TOO_BIG,
                "Modification trop grande pour l'édition en direct : ajoutez-la en plusieurs fois."
                    .into(),
            ));
        }
        if over {
            return Err(too_fast());
        }
        Ok(())
    }

    /// Reserves room for `bytes` in the outbound queue; `false` if the peer is that far behind.
    /// A message larger than the bound is let through when nothing else waits.
    pub fn queue_out(&self, bytes: usize) -> bool {
        if bytes == 0 {
            return true;
        }
        let before = self.outbound.fetch_add(bytes, Ordering::AcqRel);
        if before > 0 && before + bytes > self.settings.outbound_bytes {
            self.outbound.fetch_sub(bytes, Ordering::AcqRel);
            return false;
        }
        true
    }

    /// `bytes` of the outbound queue were written to the socket (or dropped).
    pub fn sent_out(&self, bytes: usize) {
        self.outbound.fetch_sub(bytes, Ordering::AcqRel);
    }

    /// Notes that the peer must wait `wait` more; how long it may still wait, or a refusal.
    fn hold_back(&self, wait: Duration) -> Result<Duration, Refusal> {
        let Ok(mut since) = self.slowed_since.lock() else {
            return Ok(wait);
        };
        let held = since.get_or_insert_with(Instant::now).elapsed();
        if held + wait > self.settings.max_slowed {
            return Err(too_fast());
        }
        Ok(self.settings.max_slowed - held)
    }

    fn not_slowed(&self) {
        if let Ok(mut since) = self.slowed_since.lock() {
            *since = None;
        }
    }
}

/// The changes and operations a sync message declares, counted by `vet` from what each chunk
/// says of itself: nothing is loaded or expanded, so a small frame that would inflate to a huge
/// document is refused here, as the document would refuse it (4413, saying why), without the
/// server building it. One that does not parse costs nothing here (the document refuses it,
/// saying why). Linear in the message's size: the caller runs it off the runtime for large
/// messages.
pub fn cost(bytes: &[u8], limits: &Limits) -> Result<(usize, usize), Refusal> {
    let Ok(message) = automerge::sync::Message::decode(bytes) else {
        return Ok((0, 0));
    };
    let mut budget = vet::Budget::default();
    let mut changes = 0u64;
    for entry in message.changes.iter() {
        let Ok(chunks) = split_chunks(entry) else {
            return Ok((0, 0));
        };
        for chunk in chunks {
            match budget.vet_chunk(chunk, limits) {
                Ok(declared) => changes = changes.saturating_add(declared),
                Err(vet::Refusal::Unreadable(_)) => return Ok((0, 0)),
                Err(vet::Refusal::TooLarge) => return Err(super::incoming::too_large(limits)),
            }
        }
    }
    let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    Ok((count(changes), count(budget.ops())))
}

fn too_fast() -> Refusal {
    (
        close::TOO_FAST,
        "Trop de modifications à la fois : reconnexion dans un instant.".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(rates: PeerRates, max_slowed: Duration) -> PeerFlow {
        let settings = FlowSettings {
            inbound_bytes: 100,
            outbound_bytes: 100,
            rates,
            max_slowed,
        };
        PeerFlow::new(settings, Arc::new(Mutex::new(Budget::new(rates))))
    }

    fn rate(per_second: f64, burst: f64) -> Rate {
        Rate { per_second, burst }
    }

    #[tokio::test]
    async fn a_peer_in_debt_is_slowed_then_refused() {
        let rates = PeerRates {
            bytes: rate(1e9, 1e9),
            changes: rate(1e9, 1e9),
            operations: rate(1000.0, 1000.0),
        };
        let flow = flow(rates, Duration::from_millis(500));
        // Within the burst: no wait.
        flow.pace().await.unwrap();
        flow.admit_cost(1, 1000).unwrap();
        flow.admit_cost(1, 100).unwrap();
        // 100 operations of debt at 1,000 a second: slowed by about 0.1 s.
        let started = Instant::now();
        flow.pace().await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(90));
        // More than the burst at once: refused for good (reconnecting cannot help).
        let (code, _) = flow.admit_cost(1, 1001).unwrap_err();
        assert_eq!(code, close::TOO_BIG);
        // That put the peer so far in debt that its next message is refused, and its socket is
        // not read any more.
        let (code, _) = flow.admit_cost(1, 1).unwrap_err();
        assert_eq!(code, close::TOO_FAST);
        let (code, _) = flow.pace().await.unwrap_err();
        assert_eq!(code, close::TOO_FAST);
    }

    #[tokio::test]
    async fn the_inbound_queue_is_bounded_in_bytes() {
        let flow = flow(PeerRates::default(), Duration::from_millis(200));
        let first = flow.admit(60, 1).await.unwrap();
        // A message larger than the queue waits for all of it.
        let refused = flow.admit(500, 1).await.err().unwrap();
        assert_eq!(refused.0, close::TOO_FAST);
        drop(first);
        assert!(flow.admit(500, 1).await.is_ok());
    }

    #[test]
    fn the_outbound_queue_is_bounded_in_bytes() {
        let flow = flow(PeerRates::default(), Duration::from_secs(1));
        // One message larger than the bound passes when nothing waits…
        assert!(flow.queue_out(150));
        // …but nothing more until it is written.
        assert!(!flow.queue_out(1));
        flow.sent_out(150);
        assert!(flow.queue_out(60));
        assert!(!flow.queue_out(60));
    }

    #[test]
    fn a_member_keeps_their_budget_across_sockets() {
        let budgets = Budgets::default();
        let rates = PeerRates::default();
        let member = MemberId(7);
        let first = budgets.of(member, rates);
        first.lock().unwrap().operations.level = -10.0;
        drop(first);
        // The socket closed, the debt stays.
        let again = budgets.of(member, rates);
        assert!(again.lock().unwrap().operations.level < 0.0);
    }
}
