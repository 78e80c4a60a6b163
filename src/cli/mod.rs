//! The command line (API.md's contract): `serve`, `migrate`, `demo`, `member add`,
//! `import members`, `import debates`, `export public`, `reindex`, `backup`. Every failure ends
//! with exit code 1 and one sentence.

mod data;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

use crate::app::App;
use crate::config::{CommonArgs, Config, ServeArgs};
use crate::model::{Email, Role};
use crate::store::{AuditEvent, Db};

#[derive(Parser)]
#[command(
    name = "atelier",
    version,
    about = "Atelier: a party's members write their programme together"
)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web server.
    Serve {
        #[command(flatten)]
        serve: ServeArgs,
        /// Loads the demo party first (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Applies pending database migrations, then exits.
    Migrate,
    /// Loads the demo party (idempotent), then exits.
    Demo,
    /// Manages members.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Imports data.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Exports data.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Rebuilds the search index from the database; running servers switch to it, no restart.
    Reindex,
    /// Writes a consistent copy of the database to FILE, while the server runs.
    Backup {
        /// The new file (never overwritten).
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum MemberCommand {
    /// Creates an account.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// At least 10 characters; omit it to let the member choose through "forgotten password".
        #[arg(long, env = "ATELIER_MEMBER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// A role in the national group (admin, organiser…).
        #[arg(long)]
        role: Option<String>,
    },
    /// Disables an account: no more sign-in; its sessions and API tokens end.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enables a disabled account again.
    Enable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Imports members from a CSV file with the columns email,name,section,role.
    Members {
        file: PathBuf,
        /// Imports the valid rows even if some are not (they are still reported).
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Imports archived debates from a JSON Lines file: one object a line with date, place,
    /// speaker, title, text, and optionally url and convention. Lines already imported are
    /// left out.
    Debates {
        file: PathBuf,
        /// Imports the valid lines even if some are not (they are still reported).
        #[arg(long)]
        skip_invalid: bool,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Writes every public item (texts, amendments, debates) as JSON Lines and CSV, with a
    /// data dictionary, for researchers: never a private item, a draft or an email.
    Public {
        /// The folder to write into (created if needed; its files of the same names are
        /// replaced once each is complete).
        #[arg(long, default_value = "open-data")]
        out: PathBuf,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    // Blocking work still running (applying a batch of changes, say) is not waited for: what it
    // would store was not acknowledged.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open_db(config: &Config) -> anyhow::Result<Db> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot create the data directory {}: {e}",
            config.data_dir.display()
        )
    })?;
    Db::connect(&crate::store::ConnectOptions {
        url: config.database_url(),
        sqlite_sync: config.sqlite_sync,
        max_connections: 4,
    })
    .await
    .map(Db::announcing)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let no_serve = ServeArgs::default();
    match cli.command {
        Command::Serve { serve, demo } => {
            let config = Config::resolve(&cli.common, &serve)?;
            run_server(config, demo).await
        }
        Command::Migrate => {
            let config = Config::resolve(&cli.common, &no_serve)?;
            open_db(&config).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Demo => {
            let config = Config::resolve(&cli.common, &no_serve)?;
            let db = open_db(&config).await?;
            load_demo(&db).await
        }
        Command::Member(MemberCommand::Add {
            email,
            name,
            password,
            role,
        }) => {
            let config = Config::resolve(&cli.common, &no_serve)?;
            let db = open_db(&config).await?;
            add_member(&db, &email, &name, password.as_deref(), role.as_deref()).await
        }
        Command::Member(MemberCommand::Disable { email }) => {
            let config = Config::resolve(&cli.common, &no_serve)?;
            let db = open_db(&config).await?;
            set_disabled(&db, &email, true).await
        }
        Command::Member(MemberCommand::Enable { email }) => {
            let config = Config::resolve(&cli.common, &no_serve)?;
            let db = open_db(&config).await?;
            set_disabled(&db, &email, false).await
        }
        Command::Import(ImportCommand::Members { file, skip_invalid }) => {
            let config = Config::resolve(&cli.common, &no_serve)?;
            let db = open_db(&config).await?;
            import_members(&db, &file, skip_invalid).await
        }
        Command::Import(ImportCommand::Debates { file, skip_invalid }) => {
            let config = Config::resolve(&cli.common, &no_serve)?;
            let db = open_db(&config).await?;
            data::import_debates(&db, &file, skip_invalid).await
        }
        Command::Export(ExportCommand::Public { out }) => {
            let config = Config::resolve(&cli.common, &no_serve)?;
            let db = open_db(&config).await?;
            data::export_public(&db, &out).await
        }
        Command::Reindex => {
            let config = Config::resolve(&cli.common, &no_serve)?;
            let db = open_db(&config).await?;
            let rebuilt = crate::indexing::reindex(&db, &config.search_index_dir()).await?;
            println!(
                "The search index is rebuilt: {} documents. Running servers switch to it within a second.",
                rebuilt.documents
            );
            Ok(())
        }
        Command::Backup { file } => {
            let config = Config::resolve(&cli.common, &no_serve)?;
            let db = open_db(&config).await?;
            crate::backup::backup(&db, &file).await?;
            println!("Backup written to {}.", file.display());
            Ok(())
        }
    }
}

async fn load_demo(db: &Db) -> anyhow::Result<()> {
    if crate::demo::load(db).await? {
        println!("The demo party is loaded.");
    } else {
        println!("The demo party was already loaded.");
    }
    Ok(())
}

async fn run_server(config: Config, demo: bool) -> anyhow::Result<()> {
    let addr = config.addr;
    let app = App::open(config).await?;
    if demo {
        crate::demo::load(&app.db).await?;
    }
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let url = format!("http://{}", listener.local_addr()?);
    println!("Atelier is running at {url}");
    if demo {
        println!("Demo accounts (password: {}):", crate::demo::DEMO_PASSWORD);
        for (email, name, role, place) in crate::demo::DEMO_ACCOUNTS {
            println!("  {email:<28} {name} — {role} ({place})");
        }
    }
    crate::server::serve(listener, app, shutdown_signal()).await
}

/// Ctrl-C or SIGTERM: finish what is in flight, then stop.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down");
}

/// Disables or enables the account of `email`. With PostgreSQL, running servers hear of it at
/// once; a server on the same SQLite file within a second (`store::listen`).
async fn set_disabled(db: &Db, email: &str, disabled: bool) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("email: {e}"))?;
    let member = db
        .member_by_email(&email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no account for {}", email.as_str()))?;
    db.set_member_disabled(member.member_id, disabled).await?;
    db.record(crate::store::AuditEvent {
        actor: None,
        action: if disabled {
            "account_disabled"
        } else {
            "account_enabled"
        },
        group: None,
        member: Some(member.member_id),
        detail: "command line",
    })
    .await?;
    println!(
        "The account of {} is {}.",
        email.as_str(),
        if disabled { "disabled" } else { "enabled" }
    );
    Ok(())
}

async fn add_member(
    db: &Db,
    email: &str,
    name: &str,
    password: Option<&str>,
    role: Option<&str>,
) -> anyhow::Result<()> {
    let account = crate::accounts::NewAccount::parse(email, name, password).map_err(|fields| {
        anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|(field, message)| format!("{field}: {message}"))
                .collect::<Vec<_>>()
                .join(" ")
        )
    })?;
    if password.is_some_and(str::is_empty) {
        anyhow::bail!("password: Le mot de passe ne peut pas être vide.");
    }
    let role = role
        .map(|r| {
            crate::import::parse_role(r).ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown role {r:?} (supporter, member, secretary, officer, organiser, admin)"
                )
            })
        })
        .transpose()?;
    let hash = match account.password {
        Some(p) => Some(crate::auth::password::hash(p).await?),
        None => None,
    };
    let email: &Email = &account.email;
    let id = db
        .create_member(&crate::store::NewMember {
            email,
            name: account.name.as_str(),
            password_hash: hash.as_deref(),
        })
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => {
                anyhow::anyhow!("an account already exists for {email}")
            }
            other => other.into(),
        })?;
    if let Some(role) = role {
        let national = db.ensure_national_group(crate::demo::NATIONAL_NAME).await?;
        db.set_membership(id, national, role).await?;
    }
    db.record(AuditEvent {
        actor: None,
        action: "member_created",
        group: None,
        member: Some(id),
        detail: role.map_or("", Role::code),
    })
    .await?;
    println!("Member {id} created: {email}.");
    Ok(())
}

async fn import_members(db: &Db, file: &std::path::Path, skip_invalid: bool) -> anyhow::Result<()> {
    let reader = std::fs::File::open(file)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", file.display()))?;
    let sections = db.sections_by_name().await?;
    let parsed = crate::import::parse_members_csv(std::io::BufReader::new(reader), &sections)?;
    for error in parsed.errors.iter().take(100) {
        eprintln!("{}: {error}", file.display());
    }
    if parsed.errors.len() > 100 {
        eprintln!("… and {} more invalid rows", parsed.errors.len() - 100);
    }
    if !parsed.errors.is_empty() && !skip_invalid {
        anyhow::bail!(
            "{} of {} rows are invalid: nothing was imported (fix them, or pass --skip-invalid to import the {} valid rows)",
            parsed.errors.len(),
            parsed.errors.len() + parsed.rows.len(),
            parsed.rows.len()
        );
    }
    let bar = indicatif::ProgressBar::new(parsed.rows.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} members ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let counts = db
        .import_members(&parsed.rows, &|done| bar.set_position(done))
        .await?;
    bar.finish_and_clear();
    db.record(AuditEvent {
        actor: None,
        action: "members_imported",
        group: None,
        member: None,
        detail: &format!("{} created, {} updated", counts.created, counts.updated),
    })
    .await?;
    println!(
        "Imported {} rows: {} new members, {} existing members updated{}.",
        parsed.rows.len(),
        counts.created,
        counts.updated,
        if parsed.errors.is_empty() {
            String::new()
        } else {
            format!("; {} invalid rows skipped", parsed.errors.len())
        }
    );
    Ok(())
}
