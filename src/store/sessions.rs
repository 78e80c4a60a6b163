//! Browser sessions, kept in the database so that every app server sees them and a restart
//! logs nobody out. tower-sessions drives the cookie; this is its store. Only the SHA-256 of
//! each session id is stored (and cached, and announced): a copied row or a backup holds no id
//! a browser could present.

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use super::{Change, Db, StoreResult, now, on_backend};
use crate::model::MemberId;
use crate::secret::hash_secret;

/// The session key under which the signed-in member's id is kept.
pub const MEMBER_KEY: &str = "member_id";

fn backend_error(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// The key a session is stored, cached and announced under.
fn stored_key(id: &Id) -> String {
    hash_secret(&id.to_string())
}

fn member_of(record: &Record) -> Option<i64> {
    record.data.get(MEMBER_KEY).and_then(|v| {
        v.as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| v.as_i64())
    })
}

impl Db {
    async fn write_session(
        &self,
        record: &Record,
        insert_only: bool,
    ) -> Result<bool, session_store::Error> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let sql = if insert_only {
            "insert into session (session_hash, member_id, data, expires_at) values ($1, $2, $3, $4) \
             on conflict (session_hash) do nothing"
        } else {
            "insert into session (session_hash, member_id, data, expires_at) values ($1, $2, $3, $4) \
             on conflict (session_hash) do update set member_id = excluded.member_id, data = excluded.data, \
             expires_at = excluded.expires_at"
        };
        let key = stored_key(&record.id);
        let written = on_backend!(self, pool => {
            sqlx::query(sql)
                .bind(&key)
                .bind(member_of(record))
                .bind(data)
                .bind(record.expiry_date)
                .execute(pool)
                .await
                .map_err(backend_error)?
                .rows_affected()
        });
        self.publish(Change::Session(key)).await;
        Ok(written > 0)
    }

    /// Ends every session of a member (after a password reset, or when disabling them).
    pub async fn delete_sessions_of(&self, member: MemberId) -> StoreResult<u64> {
        let ended = on_backend!(self, pool => {
            sqlx::query("delete from session where member_id = $1").bind(member).execute(pool).await?.rows_affected()
        });
        self.publish(Change::SessionsOf(member)).await;
        Ok(ended)
    }
}

#[async_trait]
impl SessionStore for Db {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh id collides with an existing one once in 2^128; draw again if it ever does.
        while !self.write_session(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write_session(record, false).await.map(drop)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let key = stored_key(id);
        if let Some(record) = self.cache.sessions.get(&key) {
            return Ok((record.expiry_date > now()).then(|| Record::clone(&record)));
        }
        let before = self.cache.generation();
        let row: Option<(String, OffsetDateTime)> = on_backend!(self, pool => {
            sqlx::query_as("select data, expires_at from session where session_hash = $1 and expires_at > $2")
                .bind(&key)
                .bind(now())
                .fetch_optional(pool)
                .await
                .map_err(backend_error)?
        });
        // Unknown ids are not remembered: anyone can send as many as they like.
        let Some((data, expiry_date)) = row else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let record = Record {
            id: *id,
            data,
            expiry_date,
        };
        self.cache
            .keep_unless_changed(&self.cache.sessions, key, Arc::new(record.clone()), before);
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let key = stored_key(id);
        on_backend!(self, pool => {
            sqlx::query("delete from session where session_hash = $1")
                .bind(&key)
                .execute(pool)
                .await
                .map_err(backend_error)?;
        });
        self.publish(Change::Session(key)).await;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for Db {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_backend!(self, pool => {
            sqlx::query("delete from session where expires_at <= $1").bind(now()).execute(pool).await.map_err(backend_error)?;
        });
        Ok(())
    }
}
