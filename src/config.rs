//! Settings, layered: built-in defaults, then an optional TOML file, then environment variables,
//! then command-line flags (clap reads the last two). Everything is resolved once, at start.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;

use serde::Deserialize;

/// Who may create an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum RegistrationMode {
    /// Accounts are created only by administrators (command line, import, API).
    Closed,
    /// Anyone holding an invitation link may create an account.
    InviteOnly,
    /// Anyone may create an account; it starts as a supporter of the national party.
    Open,
}

impl RegistrationMode {
    pub fn code(self) -> &'static str {
        match self {
            RegistrationMode::Closed => "closed",
            RegistrationMode::InviteOnly => "invite-only",
            RegistrationMode::Open => "open",
        }
    }
}

/// How hard SQLite syncs: `normal` survives a crash of the process (kill -9), `full` also
/// survives a power loss, at a cost on every write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSync {
    Normal,
    Full,
}

/// The resolved settings of one process.
#[derive(Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; when absent, `atelier.db` in the data directory.
    pub database_url: Option<String>,
    /// The address people reach this server at, for links in mails.
    pub base_url: String,
    pub registration: RegistrationMode,
    pub sqlite_sync: SqliteSync,
    /// `smtp://user:pass@host:587` (STARTTLS) or `smtps://…`; when absent, mails go to the log
    /// and to `mail/` in the data directory.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub session_days: i64,
    /// How sign-in attempts are slowed (`accounts::throttle`); built from `login_max_failures`
    /// and `login_window_minutes`, the rest fixed (tests adjust them).
    pub throttle: ThrottleLimits,
    /// Proxies whose `X-Forwarded-For` is believed; from anyone else the header is ignored.
    pub trusted_proxies: Vec<IpNet>,
    /// An open text nobody has used for this long leaves memory.
    pub doc_idle_seconds: u64,
    /// After this many stored chunks, a text's document is saved whole as one snapshot.
    pub doc_compact_after_chunks: usize,
    /// The longest a text may grow through live editing or a restored version, in characters
    /// (UTF-16 code units); the bounds on one sync message derive from it.
    pub doc_max_text_length: usize,
    /// What one member may send on live-editing sockets, all together (`collab::flow`).
    pub peer_rates: PeerRates,
    /// A search index more than this many events behind the outbox at start (a server that was
    /// down for long) is rebuilt from the database rather than caught up event by event.
    pub search_rebuild_behind_events: u64,
}

/// The longest a text may grow by default: 2 Mi characters, twenty times a national programme
/// (about 100,000).
pub const DEFAULT_MAX_TEXT_LENGTH: usize = 2 * 1024 * 1024;

/// Catching up replays each event's sources (a text's event re-reads and re-renders the text);
/// a rebuild reads every source once. Past about this many events (a convention weekend's worth
/// of edits and amendments) the rebuild is the shorter way, and it drops what replaying would
/// leave behind (deleted documents weighing on the ranking until merged).
pub const DEFAULT_REBUILD_BEHIND_EVENTS: u64 = 50_000;

/// A sustained rate (`collab::flow`) and the burst allowed above it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

/// What one member may send, all sockets together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeerRates {
    /// Bytes of WebSocket frames. The burst holds one largest sync message (an offline session).
    pub bytes: Rate,
    /// Changes applied to documents; a cursor move counts as one (it is sent to every peer).
    pub changes: Rate,
    /// Operations of those changes (a character typed or deleted is one).
    pub operations: Rate,
}

impl Default for PeerRates {
    fn default() -> Self {
        PeerRates {
            bytes: Rate {
                per_second: 1024.0 * 1024.0,
                burst: 8.0 * 1024.0 * 1024.0,
            },
            // A fast typist makes about 10 changes a second; an offline session sends its
            // changes at once.
            changes: Rate {
                per_second: 100.0,
                burst: 20_000.0,
            },
            // The burst is also the most operations one message may hold: a chapter of the demo
            // programme is 2,000 to 9,000 characters. Applying a change of 100,000 insertions
            // takes seconds (automerge 0.12, unoptimised build), during which the text answers
            // nobody; a sustained 2,000 a second is far above typing.
            operations: Rate {
                per_second: 2_000.0,
                burst: 20_000.0,
            },
        }
    }
}

/// The database URL carries a password: never print it.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_url.as_deref().map(redact_url))
            .field("base_url", &self.base_url)
            .field("registration", &self.registration)
            .field("sqlite_sync", &self.sqlite_sync)
            .field("smtp", &self.smtp_url.as_deref().map(redact_url))
            .finish_non_exhaustive()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "(unparsable url)".to_owned(),
    }
}

impl Config {
    pub fn defaults() -> Config {
        let addr: SocketAddr = ([127, 0, 0, 1], 8080).into();
        Config {
            addr,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            base_url: format!("http://{addr}"),
            registration: RegistrationMode::InviteOnly,
            sqlite_sync: SqliteSync::Normal,
            smtp_url: None,
            mail_from: "Atelier <atelier@localhost>".to_owned(),
            session_days: 30,
            throttle: ThrottleLimits::new(5, 15),
            trusted_proxies: Vec::new(),
            doc_idle_seconds: 60,
            doc_compact_after_chunks: 500,
            doc_max_text_length: DEFAULT_MAX_TEXT_LENGTH,
            peer_rates: PeerRates::default(),
            search_rebuild_behind_events: DEFAULT_REBUILD_BEHIND_EVENTS,
        }
    }

    /// The database to open: the configured URL, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("atelier.db").display()),
        }
    }

    pub fn search_index_dir(&self) -> PathBuf {
        self.data_dir.join("search-index")
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }
}

/// One counter of failures (see `accounts::throttle`): `free` failures in a row cost nothing;
/// after them, the next attempt waits `first_delay` after the last failure, each further one
/// twice as long, up to `max_delay`; one failure is forgotten every `forget_one_every`.
#[derive(Clone, Copy, Debug)]
pub struct Slowdown {
    pub free: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
    pub forget_one_every: Duration,
}

/// The sign-in throttle's counters.
#[derive(Clone, Copy, Debug)]
pub struct ThrottleLimits {
    /// One account from one address: `login_max_failures` free, forgotten over
    /// `login_window_minutes`, delays up to a minute.
    pub account_from_address: Slowdown,
    /// One account from addresses where it has not signed in lately (an attacker rotating
    /// addresses): ten free, then at most one guess every 30 s.
    pub account: Slowdown,
    /// Every account from one address (a convention hall's Wi-Fi): a hundred free, one forgotten
    /// every 2 s (a hall of 2,000 with a tenth mistyping makes one every 3 s), delays up to 10 s.
    pub address: Slowdown,
    /// Reset mails to one account: three, then further apart up to one an hour.
    pub reset_mails: Slowdown,
    /// How long an address where an account signed in stays familiar to it.
    pub familiar_for: Duration,
}

impl ThrottleLimits {
    pub fn new(max_failures: u32, window_minutes: u64) -> ThrottleLimits {
        let window = Duration::from_secs(window_minutes.max(1) * 60);
        ThrottleLimits {
            account_from_address: Slowdown {
                free: max_failures,
                first_delay: Duration::from_secs(2),
                max_delay: Duration::from_secs(60),
                forget_one_every: window / max_failures.max(1),
            },
            account: Slowdown {
                free: 10,
                first_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(30),
                forget_one_every: Duration::from_secs(30),
            },
            address: Slowdown {
                free: 100,
                first_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(10),
                forget_one_every: Duration::from_secs(2),
            },
            reset_mails: Slowdown {
                free: 3,
                first_delay: Duration::from_secs(60),
                max_delay: Duration::from_secs(3600),
                forget_one_every: Duration::from_secs(600),
            },
            familiar_for: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// The settings a TOML file may hold; every one optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub addr: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub base_url: Option<String>,
    pub registration: Option<RegistrationMode>,
    pub sqlite_sync: Option<SqliteSync>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub session_days: Option<i64>,
    pub login_max_failures: Option<u32>,
    pub login_window_minutes: Option<u64>,
    pub trusted_proxies: Option<Vec<String>>,
    pub doc_idle_seconds: Option<u64>,
    pub doc_compact_after_chunks: Option<usize>,
    pub doc_max_text_length: Option<usize>,
    pub search_rebuild_behind_events: Option<u64>,
    /// Live editing, per member: bytes of frames a second, and the burst above it.
    pub peer_bytes_per_second: Option<f64>,
    pub peer_bytes_burst: Option<f64>,
    /// Changes a second (a cursor move counts as one), and the burst.
    pub peer_changes_per_second: Option<f64>,
    pub peer_changes_burst: Option<f64>,
    /// Operations a second (a character typed or deleted is one), and the burst.
    pub peer_operations_per_second: Option<f64>,
    pub peer_operations_burst: Option<f64>,
}

impl FileSettings {
    pub fn read(path: &Path) -> anyhow::Result<FileSettings> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!("cannot read the settings file {}: {e}", path.display())
        })?;
        toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("the settings file {} is not valid: {e}", path.display()))
    }
}

/// What the command line and the environment said (clap merges those two).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct CommonArgs {
    /// A TOML settings file; flags and environment variables override it.
    #[arg(long, env = "ATELIER_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Where the SQLite database, the search index and outgoing mail live.
    #[arg(long, env = "ATELIER_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL; SQLite in the data directory otherwise.
    #[arg(
        long,
        env = "ATELIER_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
}

/// Flags only `serve` takes.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "ATELIER_ADDR")]
    pub addr: Option<SocketAddr>,
    /// The public address of the site, for links in mails.
    #[arg(long, env = "ATELIER_BASE_URL")]
    pub base_url: Option<String>,
    /// Who may create an account.
    #[arg(long, env = "ATELIER_REGISTRATION", value_enum)]
    pub registration: Option<RegistrationMode>,
    /// SQLite durability: normal (survives a crash) or full (survives a power loss).
    #[arg(long, env = "ATELIER_SQLITE_SYNC", value_enum)]
    pub sqlite_sync: Option<SqliteSync>,
    /// Send mail through this SMTP server (smtp:// with STARTTLS, or smtps://).
    #[arg(long, env = "ATELIER_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of outgoing mail.
    #[arg(long, env = "ATELIER_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Seconds after which an open text nobody uses leaves memory.
    #[arg(long, env = "ATELIER_DOC_IDLE_SECS")]
    pub doc_idle_secs: Option<u64>,
    /// Proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For is believed.
    #[arg(long, env = "ATELIER_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<String>>,
    /// The longest a text may grow, in characters (default 2097152).
    #[arg(long, env = "ATELIER_DOC_MAX_TEXT_LENGTH")]
    pub doc_max_text_length: Option<usize>,
}

impl Config {
    /// Layers the file (if any), then the environment and flags, over the defaults.
    pub fn resolve(common: &CommonArgs, serve: &ServeArgs) -> anyhow::Result<Config> {
        let file = match &common.config {
            Some(path) => FileSettings::read(path)?,
            None => FileSettings::default(),
        };
        let mut config = Config::defaults();
        config.peer_rates = peer_rates(&file, config.peer_rates)?;
        let addr_given = serve.addr.or(file.addr);
        config.addr = addr_given.unwrap_or(config.addr);
        config.data_dir = common
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or(config.data_dir);
        config.database_url = common.database_url.clone().or(file.database_url);
        config.base_url = serve
            .base_url
            .clone()
            .or(file.base_url)
            .unwrap_or_else(|| format!("http://{}", config.addr));
        config.base_url = config.base_url.trim_end_matches('/').to_owned();
        config.registration = serve
            .registration
            .or(file.registration)
            .unwrap_or(config.registration);
        config.sqlite_sync = serve
            .sqlite_sync
            .or(file.sqlite_sync)
            .unwrap_or(config.sqlite_sync);
        config.smtp_url = serve.smtp_url.clone().or(file.smtp_url);
        config.mail_from = serve
            .mail_from
            .clone()
            .or(file.mail_from)
            .unwrap_or(config.mail_from);
        config.session_days = file.session_days.unwrap_or(config.session_days);
        config.throttle = ThrottleLimits::new(
            file.login_max_failures.unwrap_or(5),
            file.login_window_minutes.unwrap_or(15),
        );
        config.trusted_proxies = parse_proxies(
            serve
                .trusted_proxies
                .clone()
                .or(file.trusted_proxies)
                .unwrap_or_default(),
        )?;
        config.doc_idle_seconds = serve
            .doc_idle_secs
            .or(file.doc_idle_seconds)
            .unwrap_or(config.doc_idle_seconds);
        config.doc_compact_after_chunks = file
            .doc_compact_after_chunks
            .unwrap_or(config.doc_compact_after_chunks);
        config.doc_max_text_length = serve
            .doc_max_text_length
            .or(file.doc_max_text_length)
            .unwrap_or(config.doc_max_text_length);
        if config.doc_max_text_length == 0 {
            anyhow::bail!("doc_max_text_length must be at least 1");
        }
        config.search_rebuild_behind_events = file
            .search_rebuild_behind_events
            .unwrap_or(config.search_rebuild_behind_events);
        if config.doc_compact_after_chunks == 0 {
            anyhow::bail!("doc_compact_after_chunks must be at least 1");
        }
        if let Some(url) = &config.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            anyhow::bail!(
                "the database URL must start with sqlite: or postgres:// (got {})",
                redact_url(url)
            );
        }
        Ok(config)
    }
}

/// `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`: addresses stand for themselves.
fn parse_proxies(given: Vec<String>) -> anyhow::Result<Vec<IpNet>> {
    given
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!(
                        "trusted proxy {s:?} is neither an address nor a CIDR block (10.0.0.0/8)"
                    )
                })
        })
        .collect()
}

/// The file's live-editing rates over the defaults; each must be a positive number.
fn peer_rates(file: &FileSettings, defaults: PeerRates) -> anyhow::Result<PeerRates> {
    let rate = |name: &str,
                per_second: Option<f64>,
                burst: Option<f64>,
                default: Rate|
     -> anyhow::Result<Rate> {
        let rate = Rate {
            per_second: per_second.unwrap_or(default.per_second),
            burst: burst.unwrap_or(default.burst),
        };
        if !(rate.per_second > 0.0 && rate.burst >= 1.0) {
            anyhow::bail!(
                "peer_{name}_per_second must be positive and peer_{name}_burst at least 1"
            );
        }
        Ok(rate)
    };
    Ok(PeerRates {
        bytes: rate(
            "bytes",
            file.peer_bytes_per_second,
            file.peer_bytes_burst,
            defaults.bytes,
        )?,
        changes: rate(
            "changes",
            file.peer_changes_per_second,
            file.peer_changes_burst,
            defaults.changes,
        )?,
        operations: rate(
            "operations",
            file.peer_operations_per_second,
            file.peer_operations_burst,
            defaults.operations,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@db/atelier"),
            "postgres://u:***@db/atelier"
        );
        let mut config = Config::defaults();
        config.database_url = Some("postgres://u:secret@db/atelier".into());
        assert!(!format!("{config:?}").contains("secret"));
    }

    #[test]
    fn flags_override_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("atelier.toml");
        std::fs::write(
            &path,
            "addr = \"127.0.0.1:9000\"\nregistration = \"open\"\n",
        )
        .unwrap();
        let common = CommonArgs {
            config: Some(path),
            ..Default::default()
        };
        let config = Config::resolve(&common, &ServeArgs::default()).unwrap();
        assert_eq!(config.addr.port(), 9000);
        assert_eq!(config.registration, RegistrationMode::Open);
        let serve = ServeArgs {
            addr: Some("127.0.0.1:9100".parse().unwrap()),
            ..Default::default()
        };
        assert_eq!(Config::resolve(&common, &serve).unwrap().addr.port(), 9100);
    }

    #[test]
    fn how_far_behind_an_index_is_rebuilt_comes_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("atelier.toml");
        let common = CommonArgs {
            config: Some(path.clone()),
            ..Default::default()
        };
        std::fs::write(&path, "").unwrap();
        let config = Config::resolve(&common, &ServeArgs::default()).unwrap();
        assert_eq!(
            config.search_rebuild_behind_events,
            DEFAULT_REBUILD_BEHIND_EVENTS
        );
        std::fs::write(&path, "search_rebuild_behind_events = 1000\n").unwrap();
        let config = Config::resolve(&common, &ServeArgs::default()).unwrap();
        assert_eq!(config.search_rebuild_behind_events, 1000);
    }

    #[test]
    fn live_editing_settings_come_from_the_file_and_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("atelier.toml");
        std::fs::write(
            &path,
            "doc_idle_seconds = 5\ndoc_compact_after_chunks = 20\ndoc_max_text_length = 5000\n",
        )
        .unwrap();
        let common = CommonArgs {
            config: Some(path.clone()),
            ..Default::default()
        };
        let config = Config::resolve(&common, &ServeArgs::default()).unwrap();
        assert_eq!(
            (
                config.doc_idle_seconds,
                config.doc_compact_after_chunks,
                config.doc_max_text_length
            ),
            (5, 20, 5000)
        );
        let serve = ServeArgs {
            doc_max_text_length: Some(7000),
            ..Default::default()
        };
        assert_eq!(
            Config::resolve(&common, &serve)
                .unwrap()
                .doc_max_text_length,
            7000
        );
        let serve = ServeArgs {
            doc_idle_secs: Some(2),
            ..Default::default()
        };
        assert_eq!(
            Config::resolve(&common, &serve).unwrap().doc_idle_seconds,
            2
        );
        std::fs::write(
            &path,
            "peer_operations_per_second = 1000\npeer_changes_burst = 50\n",
        )
        .unwrap();
        let rates = Config::resolve(&common, &ServeArgs::default())
            .unwrap()
            .peer_rates;
        assert_eq!(rates.operations.per_second, 1000.0);
        assert_eq!(rates.changes.burst, 50.0);
        assert_eq!(rates.bytes, PeerRates::default().bytes);
        std::fs::write(&path, "peer_bytes_per_second = 0\n").unwrap();
        let refused = Config::resolve(&common, &ServeArgs::default()).unwrap_err();
        assert!(refused.to_string().contains("peer_bytes"));
        std::fs::write(&path, "doc_compact_after_chunks = 0\n").unwrap();
        let refused = Config::resolve(&common, &ServeArgs::default()).unwrap_err();
        assert!(refused.to_string().contains("doc_compact_after_chunks"));
    }

    #[test]
    fn trusted_proxies_are_addresses_or_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("atelier.toml");
        std::fs::write(&path, "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n").unwrap();
        let common = CommonArgs {
            config: Some(path),
            ..Default::default()
        };
        let config = Config::resolve(&common, &ServeArgs::default()).unwrap();
        assert!(config.is_trusted_proxy("10.1.2.3".parse().unwrap()));
        assert!(config.is_trusted_proxy("::1".parse().unwrap()));
        assert!(!config.is_trusted_proxy("192.168.1.1".parse().unwrap()));
        let serve = ServeArgs {
            trusted_proxies: Some(vec!["192.168.0.0/16".into()]),
            ..Default::default()
        };
        let config = Config::resolve(&common, &serve).unwrap();
        assert!(config.is_trusted_proxy("192.168.1.1".parse().unwrap()));
        assert!(!config.is_trusted_proxy("10.1.2.3".parse().unwrap()));
        let serve = ServeArgs {
            trusted_proxies: Some(vec!["proxy.local".into()]),
            ..Default::default()
        };
        let refused = Config::resolve(&common, &serve).unwrap_err();
        assert!(refused.to_string().contains("proxy.local"));
    }

    #[test]
    fn unknown_settings_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("atelier.toml");
        std::fs::write(&path, "adress = \"x\"\n").unwrap();
        let common = CommonArgs {
            config: Some(path),
            ..Default::default()
        };
        assert!(Config::resolve(&common, &ServeArgs::default()).is_err());
    }
}
