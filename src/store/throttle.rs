//! Failed logins, counted in the database so that the limit holds across app servers.

use time::Duration;

use super::{Db, StoreResult, now, on_backend};

impl Db {
    pub async fn record_login_failure(&self, email: &str, client_ip: &str) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query("insert into login_failure (email, client_ip, failed_at) values ($1, $2, $3)")
                .bind(email)
                .bind(client_ip)
                .bind(now())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Failures in the window for this address, and for this client.
    pub async fn recent_login_failures(
        &self,
        email: &str,
        client_ip: &str,
        window: Duration,
    ) -> StoreResult<(i64, i64)> {
        let since = now() - window;
        Ok(on_backend!(self, pool => {
            let by_email = sqlx::query_scalar("select count(*) from login_failure where email = $1 and failed_at > $2")
                .bind(email)
                .bind(since)
                .fetch_one(pool)
                .await?;
            let by_client = sqlx::query_scalar("select count(*) from login_failure where client_ip = $1 and failed_at > $2")
                .bind(client_ip)
                .bind(since)
                .fetch_one(pool)
                .await?;
            (by_email, by_client)
        }))
    }

    /// A successful login forgets that address's failures.
    pub async fn clear_login_failures(&self, email: &str) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query("delete from login_failure where email = $1").bind(email).execute(pool).await?;
        });
        Ok(())
    }

    /// Housekeeping: forgets failures older than a day.
    pub async fn prune_login_failures(&self) -> StoreResult<()> {
        on_backend!(self, pool => {
            sqlx::query("delete from login_failure where failed_at < $1").bind(now() - Duration::days(1)).execute(pool).await?;
        });
        Ok(())
    }
}
