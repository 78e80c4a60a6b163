//! Password hashing with Argon2id (the crate's defaults: 19 MiB, 2 passes), on the blocking pool:
//! a hash takes tens of milliseconds, far past what an async task may block.
//!
//! At most two hashes a core run at once (`HASHING`): each holds 19 MiB, and the blocking pool
//! would otherwise run hundreds side by side when a crowd (or an attacker spraying many
//! accounts from many addresses) signs in, gigabytes the sign-in throttle does not bound. The
//! others wait their turn; the two cores are busy anyway.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

use crate::model::Password;

/// The turns at hashing, and how many are taken (for the gauge and the tests).
struct Hashing {
    turns: Semaphore,
    running: AtomicUsize,
    #[cfg(test)]
    peak: AtomicUsize,
}

fn hashing() -> &'static Hashing {
    static HASHING: OnceLock<Hashing> = OnceLock::new();
    HASHING.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hashing {
            turns: Semaphore::new(2 * cores),
            running: AtomicUsize::new(0),
            #[cfg(test)]
            peak: AtomicUsize::new(0),
        }
    })
}

/// Runs one Argon2 computation on the blocking pool once a turn is free.
async fn with_turn<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let hashing = hashing();
    let _turn = hashing.turns.acquire().await?;
    let running = hashing.running.fetch_add(1, Ordering::AcqRel) + 1;
    #[cfg(test)]
    hashing.peak.fetch_max(running, Ordering::AcqRel);
    metrics::gauge!("atelier_password_hashes_running").set(running as f64);
    let outcome = tokio::task::spawn_blocking(work).await;
    let running = hashing.running.fetch_sub(1, Ordering::AcqRel) - 1;
    metrics::gauge!("atelier_password_hashes_running").set(running as f64);
    outcome?
}

pub async fn hash(password: Password) -> anyhow::Result<String> {
    with_turn(move || hash_blocking(password.expose())).await
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash a password: {e}"))
}

/// Whether `password` matches `stored`. With no stored hash (an account that never set a
/// password, or an unknown address) a dummy hash is checked anyway, so that the answer takes
/// the same time and does not tell which addresses have accounts.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    with_turn(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("a stored password hash is malformed: {e}"))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(matches && stored != DUMMY_HASH)
    })
    .await
}

/// The Argon2id hash of a random string nobody knows, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Kq8N3H6fJ0xk7oQw8cQ0o3oO1iTT9bXH0m2kNp0Q0yU";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash(Password::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("wrong horse battery".into(), Some(stored))
                .await
                .unwrap()
        );
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_crowd_of_checks_takes_turns_two_a_core() {
        let stored = hash(Password::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        let checks: Vec<_> = (0..40)
            .map(|i| {
                let stored = stored.clone();
                tokio::spawn(async move { verify(format!("guess {i}"), Some(stored)).await })
            })
            .collect();
        for check in checks {
            assert!(!check.await.unwrap().unwrap());
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let peak = hashing().peak.load(Ordering::Acquire);
        assert!(peak >= 1 && peak <= 2 * cores, "{peak} hashes at once");
    }
}
