//! What every benchmark needs: the real `atelier` binary, a server started on a free port and
//! stopped on drop, and small formatting helpers. Benchmarks speak to the server as clients do.

#![allow(dead_code)] // each benchmark uses its own part of this module

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

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
