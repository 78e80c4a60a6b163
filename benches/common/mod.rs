//! What every benchmark needs: the real `atelier` binary, a server started on a free port and
//! stopped on drop, and small formatting helpers. Benchmarks speak to the server as clients do.

#![allow(dead_code)] // each benchmark uses its own part of this module

pub mod sync;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test: this checkout's, or `ATELIER_BENCH_BIN` (another build, to measure
/// before and after a change in the same run).
pub fn atelier() -> Command {
    let binary = std::env::var_os("ATELIER_BENCH_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_atelier").into());
    let mut command = Command::new(binary);
    command
        .env("ATELIER_LOG", "warn")
        .env_remove("ATELIER_DATABASE_URL");
    command
}

/// Runs a command to completion; panics with its error output if it fails.
pub fn run(command: &mut Command) {
    let output = command.output().expect("atelier runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `atelier serve`, killed and reaped on drop.
pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `atelier serve` (with `extra` arguments) and returns it once `/healthz` answers, with
/// the time that took.
pub fn start_server(data_dir: &Path, extra: &[&str]) -> (Server, Duration) {
    let port = free_port();
    let started = Instant::now();
    let child = atelier()
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data_dir)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Owned by `Server` at once: dropped on any path, it is killed and waited for.
    let server = Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ =
                stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return (server, started.elapsed());
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// CPU time (user + system) a process has used so far, from `/proc`.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // Linux reports these in clock ticks of 1/100 s (USER_HZ) on every platform we run on.
    Duration::from_millis(ticks * 10)
}

/// Resident memory of a process, in bytes, from `/proc`.
pub fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(|kb| kb * 1024)
        .expect("VmRSS")
}

pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// The value at fraction `q` (0.5, 0.99) of sorted `values`.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

/// The password of the members benchmarks create to sign in with.
pub const MEMBERS_PASSWORD: &str = "atelier-demo";

/// One member per connection, each with a password and a membership in the section the pages
/// show (created with the real commands, or found there by a reused data directory): each
/// connection is a different person, as on a convention weekend, so no cache serves one member
/// to all.
pub fn signed_in_members(data_dir: &Path, section: &str, count: usize) -> Vec<String> {
    let emails: Vec<String> = (0..count)
        .map(|i| format!("delegue-{i}@exemple.fr"))
        .collect();
    let mut csv = String::from("email,name,section,role\n");
    for (i, email) in emails.iter().enumerate() {
        let out = atelier()
            .args(["member", "add", "--email", email, "--name"])
            .arg(format!("Délégué {i}"))
            .args(["--password", MEMBERS_PASSWORD, "--data-dir"])
            .arg(data_dir)
            .output()
            .unwrap();
        let refusal = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() || refusal.contains("already exists"),
            "member add: {refusal}"
        );
        csv.push_str(&format!("{email},Délégué {i},{section},member\n"));
    }
    let file = data_dir.join("delegates.csv");
    std::fs::write(&file, csv).unwrap();
    run(atelier()
        .args(["import", "members"])
        .arg(&file)
        .arg("--data-dir")
        .arg(data_dir));
    emails
}

/// A browser-like client (its own connection and cookie jar), signed in as `email` (whose
/// password is [`MEMBERS_PASSWORD`]) if given.
pub async fn client(url: &str, email: Option<&str>) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    if let Some(email) = email {
        let login = client
            .get(format!("{url}/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = login
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("csrf token")
            .to_owned();
        let form = [
            ("email", email),
            ("password", MEMBERS_PASSWORD),
            ("csrf_token", &token),
        ];
        let response = client
            .post(format!("{url}/login"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "sign-in");
    }
    client
}

/// The size in bytes of `path`'s body as `email` gets it (uncompressed: the load does not ask
/// for compression either), to say what a page weighs beside how fast it is served.
pub async fn weight(url: &str, path: &str, email: &str) -> usize {
    let client = client(url, Some(email)).await;
    let response = client.get(format!("{url}{path}")).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.bytes().await.unwrap().len()
}

/// Hammers `path` with `connections` keep-alive connections (each a browser signed in as one
/// of `members`, if any) for `length`; returns (req/s, p50, p99).
pub async fn load(
    url: &str,
    path: &str,
    members: &[String],
    connections: usize,
    length: Duration,
) -> (f64, Duration, Duration) {
    load_paths(url, &[path.to_owned()], members, connections, length).await
}

/// As [`load`], each connection going through `paths` in turn (connection `i` from the `i`-th),
/// so that every path is asked for by some connection at every moment.
pub async fn load_paths(
    url: &str,
    paths: &[String],
    members: &[String],
    connections: usize,
    length: Duration,
) -> (f64, Duration, Duration) {
    let mut clients = Vec::new();
    for i in 0..connections {
        let email = (!members.is_empty()).then(|| members[i % members.len()].as_str());
        clients.push(client(url, email).await);
    }
    let deadline = Instant::now() + length;
    let mut tasks = Vec::new();
    for (i, client) in clients.into_iter().enumerate() {
        let targets: Vec<String> = paths.iter().map(|p| format!("{url}{p}")).collect();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut next = i % targets.len();
            while Instant::now() < deadline {
                let target = &targets[next];
                next = (next + 1) % targets.len();
                let request = client.get(target);
                let started = Instant::now();
                let response = request.send().await.expect("request");
                assert!(
                    response.status().is_success(),
                    "{} answered {}",
                    target,
                    response.status()
                );
                response.bytes().await.expect("body");
                latencies.push(started.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort();
    let rate = all.len() as f64 / length.as_secs_f64();
    (rate, all[all.len() / 2], all[all.len() * 99 / 100])
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
