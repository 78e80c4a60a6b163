//! The throttle replayed on an injected clock: a convention hall, and the attacks it must slow.

use std::time::{Duration, Instant};

use super::SigninThrottle;
use crate::config::ThrottleLimits;

fn throttle() -> SigninThrottle {
    SigninThrottle::new(&ThrottleLimits::new(5, 15))
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// Tries once; `Ok(())` when let through (and then right or wrong as told), else the wait.
fn try_once(
    throttle: &SigninThrottle,
    account: &str,
    address: &str,
    right: bool,
    at: Instant,
) -> Result<(), Duration> {
    let attempt = throttle.begin(account, address, at)?;
    if right {
        throttle.succeeded(attempt, at);
    }
    Ok(())
}

#[test]
fn a_hall_of_2000_members_behind_one_address_all_get_in() {
    // 2,000 members arrive over 10 minutes behind the hall's one address; every tenth mistypes
    // first and tries again 5 s later. Each check takes half a second (Argon2 on a busy
    // server), so that many attempts are in flight at once, charged until they succeed.
    #[derive(Clone, Copy)]
    enum Step {
        Begin { right: bool },
        Finish { right: bool },
    }
    let throttle = throttle();
    let start = Instant::now();
    let mut events: Vec<(Duration, usize, Step)> = Vec::new();
    for member in 0..2000 {
        let arrives = secs(member as f64 * 0.3);
        let mut tries = vec![(arrives, true)];
        if member % 10 == 0 {
            tries = vec![(arrives, false), (arrives + secs(5.0), true)];
        }
        for (at, right) in tries {
            events.push((at, member, Step::Begin { right }));
            events.push((at + secs(0.5), member, Step::Finish { right }));
        }
    }
    events.sort_by_key(|(at, member, _)| (*at, *member));
    let mut in_flight = std::collections::HashMap::new();
    let mut signed_in = 0;
    for (at, member, step) in events {
        let account = format!("membre{member}@exemple.fr");
        let now = start + at;
        match step {
            Step::Begin { right } => {
                let attempt = throttle
                    .begin(&account, "203.0.113.7", now)
                    .unwrap_or_else(|wait| {
                        panic!("member {member} (right: {right}) told to wait {wait:?}")
                    });
                in_flight.insert((member, right), attempt);
            }
            Step::Finish { right } => {
                let attempt = in_flight.remove(&(member, right)).expect("begun");
                if right {
                    throttle.succeeded(attempt, now);
                    signed_in += 1;
                }
            }
        }
    }
    assert_eq!(signed_in, 2000);
}

#[test]
fn an_attacker_rotating_addresses_gets_far_less_than_a_guess_a_second_and_the_owner_gets_in() {
    let throttle = throttle();
    let start = Instant::now();
    // The owner signed in from home last week.
    try_once(&throttle, "cible@exemple.fr", "198.51.100.1", true, start).unwrap();
    let mut guesses = 0;
    let mut last_minute = std::collections::VecDeque::new();
    // Ten minutes of guesses, one every 10 ms, each from a new address.
    for i in 0..60_000u32 {
        let now = start + secs(f64::from(i) * 0.01);
        let address = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
        if try_once(&throttle, "cible@exemple.fr", &address, false, now).is_ok() {
            guesses += 1;
            last_minute.push_back(now);
            while last_minute
                .front()
                .is_some_and(|t| now.duration_since(*t) > secs(60.0))
            {
                last_minute.pop_front();
            }
            assert!(last_minute.len() <= 60, "more than a guess a second at {i}");
        }
        if i % 6000 == 3000 {
            // Meanwhile the owner signs in from home at once, whatever the attacker does.
            try_once(&throttle, "cible@exemple.fr", "198.51.100.1", true, now)
                .expect("the owner is never held back by someone else's guesses");
        }
    }
    assert!(guesses <= 40, "{guesses} guesses in ten minutes");
    // From a new place, the owner waits at most the ceiling, then gets in.
    let later = start + secs(600.0);
    let wait = throttle
        .begin("cible@exemple.fr", "192.0.2.50", later)
        .err()
        .unwrap_or_default();
    assert!(wait <= secs(30.0), "{wait:?}");
    try_once(
        &throttle,
        "cible@exemple.fr",
        "192.0.2.50",
        true,
        later + wait,
    )
    .unwrap();
}

#[test]
fn one_address_guessing_one_account_waits_longer_and_longer_up_to_a_minute() {
    let throttle = throttle();
    let mut now = Instant::now();
    let mut waits = Vec::new();
    for _ in 0..12 {
        match try_once(&throttle, "a@exemple.fr", "192.0.2.1", false, now) {
            Ok(()) => waits.push(Duration::ZERO),
            Err(wait) => {
                waits.push(wait);
                now += wait;
                try_once(&throttle, "a@exemple.fr", "192.0.2.1", false, now).unwrap();
            }
        }
    }
    let seconds: Vec<u64> = waits.iter().map(|w| w.as_secs()).collect();
    assert_eq!(seconds, [0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 60, 60]);
    // Someone else from that address, and this account from elsewhere, are not held.
    try_once(&throttle, "b@exemple.fr", "192.0.2.1", true, now).unwrap();
    try_once(&throttle, "a@exemple.fr", "192.0.2.2", true, now).unwrap();
    // And the owner's own right password there, once the wait is over, clears the slate.
    let wait = throttle
        .begin("a@exemple.fr", "192.0.2.1", now)
        .err()
        .unwrap();
    try_once(&throttle, "a@exemple.fr", "192.0.2.1", true, now + wait).unwrap();
    try_once(&throttle, "a@exemple.fr", "192.0.2.1", false, now + wait).unwrap();
}

#[test]
fn spraying_from_one_address_slows_to_a_crawl_but_members_who_signed_in_there_pass() {
    let throttle = throttle();
    let start = Instant::now();
    try_once(&throttle, "habituee@exemple.fr", "192.0.2.9", true, start).unwrap();
    let mut guesses = 0;
    // Ten minutes of one guess every 10 ms, each on another account.
    for i in 0..60_000u32 {
        let now = start + secs(f64::from(i) * 0.01);
        let account = format!("membre{i}@exemple.fr");
        if try_once(&throttle, &account, "192.0.2.9", false, now).is_ok() {
            guesses += 1;
        }
    }
    // A hundred free, then about one every two seconds.
    assert!((100..=450).contains(&guesses), "{guesses}");
    let end = start + secs(600.0);
    try_once(&throttle, "habituee@exemple.fr", "192.0.2.9", true, end)
        .expect("a member who signed in from there before passes");
    let wait = throttle
        .begin("nouvelle@exemple.fr", "192.0.2.9", end)
        .err()
        .expect("a newcomer behind the sprayer waits");
    assert!(wait <= secs(10.0), "{wait:?}");
}

#[test]
fn concurrent_guesses_cannot_all_slip_through_while_passwords_are_checked() {
    let throttle = throttle();
    let now = Instant::now();
    let let_through = (0..100)
        .filter_map(|_| throttle.begin("a@exemple.fr", "192.0.2.1", now).ok())
        .count();
    assert_eq!(let_through, 5);
}

#[test]
fn reset_mails_are_spaced_out_per_account() {
    let throttle = throttle();
    let now = Instant::now();
    let sent: Vec<bool> = (0..5)
        .map(|_| throttle.may_mail_reset("a@exemple.fr", now))
        .collect();
    assert_eq!(sent, [true, true, true, false, false]);
    assert!(throttle.may_mail_reset("b@exemple.fr", now));
    assert!(throttle.may_mail_reset("a@exemple.fr", now + secs(61.0)));
    // Asking for links never slows signing in.
    try_once(&throttle, "a@exemple.fr", "192.0.2.1", true, now).unwrap();
}
