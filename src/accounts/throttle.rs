//! Slowing password guessing without locking anyone out: fit for a convention hall, where
//! thousands of members sign in from one address and some mistype, while an attacker may guess
//! from one address or rotate through many.
//!
//! Three counters of failures, each a leaky bucket that forgets one failure every so often and,
//! past a number of free failures, makes the next attempt wait a delay that doubles with every
//! further failure up to a ceiling (`config::Slowdown`):
//!
//! - **one account from one address** (the tightest): someone guessing one account from one
//!   place, or the owner mistyping, waits longer and longer; elsewhere nobody notices.
//! - **one account from every address where it has not signed in recently** (looser, with a
//!   lower ceiling): an attacker rotating addresses is held to well under one guess a second per
//!   account, whatever the number of addresses. The owner signing in from an address where they
//!   signed in before within `familiar_for` is not held by it — an attacker cannot lock the
//!   owner out; the owner from a new place waits at most the ceiling.
//! - **every account from one address, except where an account signed in before**: password
//!   spraying from one address slows down; the free allowance and the leak are high enough that
//!   a hall of 2,000 members behind one Wi-Fi, a tenth of them mistyping once, never notices.
//!
//! An attempt is charged as a failure *before* the password is checked and refunded when it
//! turns out right: concurrent guesses cannot all slip through while Argon2 works. A refused
//! attempt checks nothing and counts nothing (it costs the attacker only time). Every key is
//! counted alike whether or not the account exists: the answers reveal no account.
//!
//! The state lives in this server's memory: it costs no database write per attempt, and is lost
//! at restart (the limits are about rates, so a restart only forgives). Behind a load balancer
//! spreading requests over N servers, an attacker gets N times the rates; see ARCHITECTURE.md.
//! Time comes from the caller, so that tests replay a whole convention hall exactly.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::{Slowdown, ThrottleLimits};

/// Failures counted under one key: a level that leaks, and when the last failure was charged.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: f64,
    last: Instant,
}

impl Slowdown {
    /// How long after its last failure a key with `level` failures waits.
    fn delay(&self, level: f64) -> Duration {
        let over = level.round() as i64 - i64::from(self.free);
        if over < 0 {
            return Duration::ZERO;
        }
        let doublings = over.min(30) as u32;
        self.first_delay
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_delay)
    }

    fn leaked(&self, bucket: &Bucket, now: Instant) -> f64 {
        let forgotten = now.saturating_duration_since(bucket.last).as_secs_f64()
            / self.forget_one_every.as_secs_f64().max(1e-9);
        (bucket.level - forgotten).max(0.0)
    }
}

/// Leaky buckets under one kind of key. The map is swept of forgotten keys whenever it has
/// doubled since the last sweep, so that an attacker inventing keys costs bounded memory.
struct Buckets<K> {
    rule: Slowdown,
    map: HashMap<K, Bucket>,
    sweep_at: usize,
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    fn new(rule: Slowdown) -> Self {
        Buckets {
            rule,
            map: HashMap::new(),
            sweep_at: 1024,
        }
    }

    /// How long `key` must still wait (zero: it may try now).
    fn wait(&self, key: &K, now: Instant) -> Duration {
        self.map.get(key).map_or(Duration::ZERO, |bucket| {
            (bucket.last + self.rule.delay(bucket.level)).saturating_duration_since(now)
        })
    }

    fn charge(&mut self, key: &K, now: Instant) {
        let level = self
            .map
            .get(key)
            .map_or(0.0, |bucket| self.rule.leaked(bucket, now));
        self.map.insert(
            key.clone(),
            Bucket {
                level: level + 1.0,
                last: now,
            },
        );
        if self.map.len() >= self.sweep_at {
            let rule = self.rule;
            self.map.retain(|_, bucket| {
                rule.leaked(bucket, now) > 0.0 || bucket.last + rule.delay(bucket.level) > now
            });
            self.sweep_at = (self.map.len() * 2).max(1024);
        }
    }

    /// Takes back one charged failure (the password was right).
    fn refund(&mut self, key: &K) {
        if let Some(bucket) = self.map.get_mut(key) {
            bucket.level = (bucket.level - 1.0).max(0.0);
        }
    }

    fn forget(&mut self, key: &K) {
        self.map.remove(key);
    }
}

type Pair = (String, String);

struct State {
    pair: Buckets<Pair>,
    account: Buckets<String>,
    address: Buckets<String>,
    reset_mails: Buckets<String>,
    /// When each account last signed in from each address.
    familiar: HashMap<Pair, Instant>,
    familiar_sweep_at: usize,
}

/// The sign-in throttle of one server.
pub struct SigninThrottle {
    familiar_for: Duration,
    state: Mutex<State>,
}

/// An attempt let through and charged as a failure until `succeeded` says otherwise.
#[must_use]
pub struct Attempt {
    key: Pair,
    familiar: bool,
}

impl SigninThrottle {
    pub fn new(limits: &ThrottleLimits) -> SigninThrottle {
        SigninThrottle {
            familiar_for: limits.familiar_for,
            state: Mutex::new(State {
                pair: Buckets::new(limits.account_from_address),
                account: Buckets::new(limits.account),
                address: Buckets::new(limits.address),
                reset_mails: Buckets::new(limits.reset_mails),
                familiar: HashMap::new(),
                familiar_sweep_at: 1024,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is counters only: one left half-updated by a panic is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lets an attempt on `account` (a normalised address) from `address` through, charging it
    /// as a failure, or says how long to wait.
    pub fn begin(&self, account: &str, address: &str, now: Instant) -> Result<Attempt, Duration> {
        let key = (account.to_owned(), address.to_owned());
        let mut state = self.state();
        let familiar = state
            .familiar
            .get(&key)
            .is_some_and(|at| now.saturating_duration_since(*at) < self.familiar_for);
        let mut wait = state.pair.wait(&key, now);
        if !familiar {
            wait = wait
                .max(state.account.wait(&key.0, now))
                .max(state.address.wait(&key.1, now));
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        state.pair.charge(&key, now);
        if !familiar {
            state.account.charge(&key.0, now);
            state.address.charge(&key.1, now);
        }
        Ok(Attempt { key, familiar })
    }

    /// The password was right: the attempt's charges are refunded, this account's failures
    /// from this address forgotten, and the address becomes familiar for the account.
    pub fn succeeded(&self, attempt: Attempt, now: Instant) {
        let mut state = self.state();
        if !attempt.familiar {
            state.account.refund(&attempt.key.0);
            state.address.refund(&attempt.key.1);
        }
        state.pair.forget(&attempt.key);
        state.familiar.insert(attempt.key, now);
        if state.familiar.len() >= state.familiar_sweep_at {
            let keep_for = self.familiar_for;
            state
                .familiar
                .retain(|_, at| now.saturating_duration_since(*at) < keep_for);
            state.familiar_sweep_at = (state.familiar.len() * 2).max(1024);
        }
    }

    /// Whether a reset link may be mailed to `account` now (a few in a row, then further apart):
    /// nobody floods an inbox through us. Reset requests never count as sign-in failures.
    pub fn may_mail_reset(&self, account: &str, now: Instant) -> bool {
        self.charge_mail(account, now).is_ok()
    }

    /// Charges one mail to `account` under the same bound (invitations sent again share it), or
    /// answers how long to wait before the next.
    pub fn charge_mail(&self, account: &str, now: Instant) -> Result<(), Duration> {
        let mut state = self.state();
        let key = account.to_owned();
        let wait = state.reset_mails.wait(&key, now);
        if !wait.is_zero() {
            return Err(wait);
        }
        state.reset_mails.charge(&key, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
