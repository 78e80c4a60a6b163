//! `atelier backup FILE`: a consistent copy of the database, taken while the server runs.
//!
//! SQLite: `VACUUM INTO` writes a transactionally consistent, compacted copy from a read
//! snapshot, without stopping writers (WAL mode). PostgreSQL: `pg_dump` in its custom format
//! (a consistent snapshot by construction), restored with `pg_restore`.

use std::path::Path;

use crate::store::{Backend, Db};

pub async fn backup(db: &Db, database_url: &str, target: &Path) -> anyhow::Result<()> {
    if target.exists() {
        anyhow::bail!(
            "{} already exists: choose a new file name, a backup never overwrites",
            target.display()
        );
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        anyhow::bail!("the folder {} does not exist", parent.display());
    }
    match db.backend() {
        Backend::Sqlite(pool) => {
            let target = std::path::absolute(target)?;
            let target = target
                .to_str()
                .ok_or_else(|| anyhow::anyhow!("the backup path is not valid UTF-8"))?;
            sqlx::query("vacuum into $1")
                .bind(target)
                .execute(pool)
                .await
                .map_err(|e| anyhow::anyhow!("the backup failed: {e}"))?;
        }
        Backend::Postgres(_) => {
            let output = tokio::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(target)
                .arg(database_url)
                .output()
                .await
                .map_err(|e| {
                    anyhow::anyhow!("cannot run pg_dump (install the PostgreSQL client tools): {e}")
                })?;
            if !output.status.success() {
                let _ = std::fs::remove_file(target);
                anyhow::bail!(
                    "pg_dump failed: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
        }
    }
    Ok(())
}
