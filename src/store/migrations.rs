//! The schema's migrations, embedded in the binary by `build.rs` (one list per backend), and the
//! `sqlx` migrator that applies them.
//!
//! Why not `sqlx::migrate!`: it needs sqlx's `macros` feature, which compiles both database
//! drivers a second time for the compiler. The migrator below is the same: versions and
//! descriptions read from the file names (`0001_foundation.sql` → 1, "foundation"), checksums
//! computed by `Migration::new` as the macro does, so databases migrated by either agree.

use std::borrow::Cow;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// The embedded migrations of one backend.
#[derive(Debug, Clone, Copy)]
pub(super) struct Embedded(&'static [(&'static str, &'static str)]);

pub(super) const SQLITE: Embedded = Embedded(embedded::SQLITE);
pub(super) const POSTGRES: Embedded = Embedded(embedded::POSTGRES);

impl Embedded {
    /// A migrator over these migrations; an error names a file whose name is not
    /// `NNNN_description.sql`.
    pub(super) async fn migrator(self) -> Result<Migrator, BoxDynError> {
        Ok(Migrator::new(self).await?)
    }

    fn migrations(self) -> Result<Vec<Migration>, BoxDynError> {
        self.0
            .iter()
            .map(|&(file, sql)| migration(file, sql))
            .collect()
    }
}

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> futures_util::future::BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move { self.migrations() })
    }
}

/// One migration from its file name and contents, as sqlx reads a migrations directory.
fn migration(file: &'static str, sql: &'static str) -> Result<Migration, BoxDynError> {
    let stem = file
        .strip_suffix(".sql")
        .ok_or_else(|| format!("migration {file:?} does not end in .sql"))?;
    let (version, description) = stem
        .split_once('_')
        .ok_or_else(|| format!("migration {file:?} is not named NNNN_description.sql"))?;
    let version: i64 = version
        .parse()
        .map_err(|_| format!("migration {file:?} does not start with its number"))?;
    // sqlx runs a migration outside a transaction when its first line says so.
    let no_tx = sql.starts_with("-- no-transaction");
    Ok(Migration::new(
        version,
        Cow::Owned(description.replace('_', " ")),
        MigrationType::Simple,
        Cow::Borrowed(sql),
        no_tx,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_embed_the_same_numbered_migrations() {
        let names = |list: Embedded| -> Vec<(i64, String)> {
            let migrations = list
                .migrations()
                .expect("every migration file is well named");
            migrations
                .iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect()
        };
        let sqlite = names(SQLITE);
        assert!(sqlite.len() >= 9, "the migrations are embedded: {sqlite:?}");
        assert_eq!(sqlite, names(POSTGRES));
        assert_eq!(sqlite[0], (1, "foundation".to_owned()));
        let versions: Vec<i64> = sqlite.iter().map(|(v, _)| *v).collect();
        assert!(
            versions.windows(2).all(|w| w[0] < w[1]),
            "in order, no repeat: {versions:?}"
        );
    }

    #[test]
    fn badly_named_files_are_refused_with_their_name() {
        let error = migration("foundation.sql", "").unwrap_err().to_string();
        assert!(error.contains("foundation.sql"), "{error}");
        let error = migration("01a_x.sql", "").unwrap_err().to_string();
        assert!(error.contains("01a_x.sql"), "{error}");
        assert!(migration("0001_x.txt", "").is_err());
    }

    /// Databases migrated before these lists existed (by `sqlx::migrate!`), and those migrated
    /// since, hold these checksums (the first 12 bytes, read from their `_sqlx_migrations`), by
    /// version: ours must be the same, or sqlx would refuse to start on them. A released
    /// migration never changes, nor disappears. (There is no 10: the outbox's migration was
    /// written as 0010 on a branch, and landed as 0012 after 0011 had been released.)
    #[test]
    fn released_migrations_keep_the_checksums_databases_hold() {
        let held: [(&Embedded, &[(i64, &str)]); 2] = [
            (
                &SQLITE,
                &[
                    (1, "fe552b73314399c9c8594fd2"),
                    (2, "ce5663af87e6b89e56e58ac8"),
                    (3, "2cbffbb7c6b7f0b595c58a6c"),
                    (4, "db83a06f8241a2b38dc690d3"),
                    (5, "5cf830306c9eb5eb39ace498"),
                    (6, "559df47fe41b3f46c110b557"),
                    (7, "0cd1a44fbd26ef653043efec"),
                    (8, "d39732f2366e4269bb8bcd18"),
                    (9, "ca21187f8c6f329c0d8904e0"),
                    (11, "f7e0af88cfe62c8cc763d327"),
                ],
            ),
            (
                &POSTGRES,
                &[
                    (1, "57b1e2e535345b3ab81bafae"),
                    (2, "af7565924a51f79372470184"),
                    (3, "0931e88ca56a4720e8d1da6d"),
                    (4, "4c379c94fd70b5b20d2ab370"),
                    (5, "688110423220228f1a93fe50"),
                    (6, "559df47fe41b3f46c110b557"),
                    (7, "7a86735a2789c701d7e378da"),
                    (8, "8d9aaf8331b4c92c59a2f8ec"),
                    (9, "f8c460962ea74c121dc29cf4"),
                    (11, "f7e0af88cfe62c8cc763d327"),
                ],
            ),
        ];
        for (list, checksums) in held {
            let migrations = list.migrations().expect("well named");
            for &(version, held) in checksums {
                let migration = migrations
                    .iter()
                    .find(|m| m.version == version)
                    .unwrap_or_else(|| panic!("released migration {version} is gone"));
                let ours: String = migration.checksum[..12]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                assert_eq!(
                    &ours, held,
                    "migration {} changed after its release",
                    migration.version
                );
            }
        }
    }
}
