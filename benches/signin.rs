//! Signing in at a convention (issue 10), against the release server, with a same-run baseline:
//!
//! 1. 2,000 members sign in over 10 minutes, evenly spread, every tenth after a typo, all from
//!    **one address** (a hall's Wi-Fi); the baseline is the same crowd as fast as 16
//!    connections go, each from its own address (through a trusted proxy): nobody in the hall
//!    may be turned away, and their sign-in should take no longer than the baseline's.
//! 2. An attacker guessing one account as fast as 8 connections go, from a new address each
//!    time (a trusted proxy passes them on), while the owner signs in from home: checked guesses
//!    per second (goal: at most 1), and whether the owner got in.
//! 3. The same attacker rotating `X-Forwarded-For` against a server that trusts no proxy.
//!
//! Run: `cargo bench --bench signin` (`-- --quick`: 200 members, 10 s attacks). It prints
//! Markdown rows for BENCHMARKS.md.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{ms, quantile, start_server};
use serde_json::json;

const PASSWORD: &str = "un mot de passe de congrès";

/// The members, created once in the database with one shared password hash.
async fn members(data_dir: &Path, n: usize) -> Vec<String> {
    let mut config = atelier::config::Config::defaults();
    config.data_dir = data_dir.to_owned();
    let app = atelier::App::open(config).await.expect("app opens");
    let hash = atelier::auth::password::hash_blocking(PASSWORD).unwrap();
    let mut emails = Vec::new();
    for i in 0..n {
        let email = atelier::model::Email::parse(&format!("congres{i}@exemple.fr")).unwrap();
        app.db
            .create_member(&atelier::store::NewMember {
                email: &email,
                name: &format!("Congressiste {i}"),
                password_hash: Some(&hash),
            })
            .await
            .unwrap();
        emails.push(email.as_str().to_owned());
    }
    emails
}

async fn sign_in(
    client: &reqwest::Client,
    url: &str,
    email: &str,
    password: &str,
    forwarded: Option<&str>,
) -> u16 {
    let mut request = client
        .post(format!("{url}/api/v1/session"))
        .json(&json!({ "email": email, "password": password }));
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    request.send().await.map_or(0, |r| r.status().as_u16())
}

struct Crowd {
    signed_in: usize,
    refused: usize,
    wall: Duration,
    latencies: Vec<Duration>,
}

/// Every member signs in (every tenth mistyping first), 16 at a time, the i-th not before
/// `i * spacing`; `own_address` gives each one their own forwarded address.
async fn crowd(url: &str, emails: &[String], own_address: bool, spacing: Duration) -> Crowd {
    let next = Arc::new(AtomicUsize::new(0));
    let emails = Arc::new(emails.to_vec());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (next, emails, url) = (next.clone(), emails.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let (mut signed_in, mut refused, mut latencies) = (0, 0, Vec::new());
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(email) = emails.get(i) else { break };
                tokio::time::sleep_until((started + spacing * i as u32).into()).await;
                let forwarded = own_address.then(|| format!("10.{}.{}.1", i / 250, i % 250));
                let at = Instant::now();
                if i % 10 == 0 {
                    let typo = sign_in(&client, &url, email, "une faute", forwarded.as_deref());
                    refused += usize::from(typo.await != 401);
                }
                match sign_in(&client, &url, email, PASSWORD, forwarded.as_deref()).await {
                    201 => signed_in += 1,
                    _ => refused += 1,
                }
                latencies.push(at.elapsed());
            }
            (signed_in, refused, latencies)
        }));
    }
    let mut result = Crowd {
        signed_in: 0,
        refused: 0,
        wall: Duration::ZERO,
        latencies: Vec::new(),
    };
    for task in tasks {
        let (signed_in, refused, latencies) = task.await.unwrap();
        result.signed_in += signed_in;
        result.refused += refused;
        result.latencies.extend(latencies);
    }
    result.wall = started.elapsed();
    result.latencies.sort();
    result
}

/// Guesses on `account` for `length`, 8 at a time, each from a new forwarded address; the
/// number of guesses actually checked (answered 401, not 429).
async fn attack(url: &str, account: &str, length: Duration) -> usize {
    let checked = Arc::new(AtomicUsize::new(0));
    let tried = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + length;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (checked, tried) = (checked.clone(), tried.clone());
        let (url, account) = (url.to_owned(), account.to_owned());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while Instant::now() < until {
                let i = tried.fetch_add(1, Ordering::Relaxed);
                let forwarded =
                    format!("172.{}.{}.{}", 16 + (i >> 16) % 16, (i >> 8) & 255, i & 255);
                let guess = format!("devine{i}");
                if sign_in(&client, &url, &account, &guess, Some(&forwarded)).await == 401 {
                    checked.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    checked.load(Ordering::Relaxed)
}

fn crowd_row(what: &str, c: &Crowd) {
    println!(
        "| {what} | {}/{} | {} | {:.0}/s | {} | {} |",
        c.signed_in,
        c.latencies.len(),
        c.refused,
        c.latencies.len() as f64 / c.wall.as_secs_f64(),
        ms(quantile(&c.latencies, 0.5)),
        ms(quantile(&c.latencies, 0.99)),
    );
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // The hall's pace: 2,000 in 10 minutes (the quick run keeps the density: 200 in one).
    let (n, attack_for) = if quick {
        (200, Duration::from_secs(10))
    } else {
        (2000, Duration::from_secs(60))
    };
    let spacing = Duration::from_millis(300);
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let emails = members(&data_dir, n + 2).await;
    let (crowd_emails, targets) = emails.split_at(n);

    let (server, _) = start_server(&data_dir, &["--trusted-proxies", "127.0.0.1"]);
    let baseline = crowd(&server.url, crowd_emails, true, Duration::ZERO).await;
    let hall = crowd(&server.url, crowd_emails, false, spacing).await;
    println!("| crowd | signed in | refused | rate | p50 | p99 |");
    println!("|---|---|---|---|---|---|");
    crowd_row("each from its own address (baseline)", &baseline);
    crowd_row("all from one address (the hall)", &hall);

    // The owner signed in from home before; the attack runs; the owner signs in from home
    // halfway through.
    let client = reqwest::Client::new();
    let home = Some("198.51.100.1");
    assert_eq!(
        sign_in(&client, &server.url, &targets[0], PASSWORD, home).await,
        201
    );
    let owner = {
        let (url, account) = (server.url.clone(), targets[0].clone());
        tokio::spawn(async move {
            tokio::time::sleep(attack_for / 2).await;
            sign_in(&reqwest::Client::new(), &url, &account, PASSWORD, home).await
        })
    };
    let checked = attack(&server.url, &targets[0], attack_for).await;
    let owner = owner.await.unwrap();
    drop(server);
    println!();
    println!(
        "| attack on one account, {} s | guesses checked | per second | owner from home |",
        attack_for.as_secs()
    );
    println!("|---|---|---|---|");
    println!(
        "| rotating addresses through a trusted proxy | {checked} | {:.2} | {} |",
        checked as f64 / attack_for.as_secs_f64(),
        if owner == 201 { "signed in" } else { "refused" }
    );

    let (server, _) = start_server(&data_dir, &[]);
    let checked = attack(&server.url, &targets[1], attack_for).await;
    println!(
        "| rotating X-Forwarded-For, no trusted proxy | {checked} | {:.2} | |",
        checked as f64 / attack_for.as_secs_f64()
    );
}
