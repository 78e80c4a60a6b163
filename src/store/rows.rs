//! Reading the store's row structs from query results, by column name, on both backends.
//!
//! Why not `#[derive(sqlx::FromRow)]`: the derive needs sqlx's `macros` feature, which builds
//! both database drivers (the SQLite C library included) a second time, for the compiler, on
//! every fresh build (see `migrations` for the other half).

/// Implements `sqlx::FromRow` for `$row` on SQLite and PostgreSQL rows: each field is read from
/// the column of the same name, as the derive does. A field missing from a query's columns is a
/// `ColumnNotFound` error at run time (the store suite runs every query on both backends).
macro_rules! from_row {
    ($row:ident { $($field:ident),+ $(,)? }) => {
        impl<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> for $row {
            fn from_row(row: &'r sqlx::sqlite::SqliteRow) -> sqlx::Result<Self> {
                use sqlx::Row as _;
                Ok(Self { $($field: row.try_get(stringify!($field))?),+ })
            }
        }
        impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for $row {
            fn from_row(row: &'r sqlx::postgres::PgRow) -> sqlx::Result<Self> {
                use sqlx::Row as _;
                Ok(Self { $($field: row.try_get(stringify!($field))?),+ })
            }
        }
    };
}
pub(crate) use from_row;
