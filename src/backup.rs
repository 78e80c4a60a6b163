//! `atelier backup FILE`: a consistent copy of the database, taken while the server runs. The
//! copy itself is the store's (`Db::backup_to`: `VACUUM INTO` on SQLite, `pg_dump` on
//! PostgreSQL); this checks the target first.

use std::path::Path;

use crate::store::Db;

pub async fn backup(db: &Db, target: &Path) -> anyhow::Result<()> {
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
    db.backup_to(target).await
}
