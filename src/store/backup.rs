//! A consistent copy of the database, taken while servers run (`atelier backup`, `src/backup.rs`).
//!
//! SQLite: `VACUUM INTO` writes a transactionally consistent, compacted copy from a read
//! snapshot, without stopping writers (WAL mode). PostgreSQL: `pg_dump` in its custom format
//! (a consistent snapshot by construction), restored with `pg_restore`.

use std::path::Path;

use super::{Backend, Db};

impl Db {
    /// Writes a consistent copy of the database to `target`, a file that does not exist yet (the
    /// caller checks: a backup never overwrites). Errors are one sentence; a failed `pg_dump`
    /// leaves no file behind.
    pub async fn backup_to(&self, target: &Path) -> anyhow::Result<()> {
        match self.backend() {
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
                    .arg(&*self.url.0)
                    .output()
                    .await
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "cannot run pg_dump (install the PostgreSQL client tools): {e}"
                        )
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
}
