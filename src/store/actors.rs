//! Which member each automerge actor id of a text belongs to (`doc_actor`; see `collab::actors`).

use super::{BeginWrite, Db, StoreResult, now, on_backend};
use crate::model::{MemberId, TextId};

/// An actor id and who it belongs to: a member, or `None` for the server's own edits.
pub type ActorOwner = (Vec<u8>, Option<MemberId>);

impl Db {
    /// Every actor id bound in a text, with its owner.
    pub async fn text_actors(&self, text: TextId) -> StoreResult<Vec<ActorOwner>> {
        const SQL: &str = "select actor, member_id from doc_actor where text_id = $1";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(text).fetch_all(pool).await?))
    }

    /// Binds actor ids to their owners where they are not bound yet. Returns the actor ids that
    /// were already bound to someone else (another server bound them first): the caller must not
    /// store changes made under them.
    pub async fn bind_text_actors(
        &self,
        text: TextId,
        actors: &[ActorOwner],
    ) -> StoreResult<Vec<Vec<u8>>> {
        if actors.is_empty() {
            return Ok(Vec::new());
        }
        let at = now();
        Ok(on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut taken = Vec::new();
            for (actor, owner) in actors {
                sqlx::query(
                    "insert into doc_actor (text_id, actor, member_id, created_at) values ($1, $2, $3, $4) \
                     on conflict (text_id, actor) do nothing",
                )
                .bind(text)
                .bind(actor)
                .bind(*owner)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                let bound: Option<MemberId> = sqlx::query_scalar(
                    "select member_id from doc_actor where text_id = $1 and actor = $2",
                )
                .bind(text)
                .bind(actor)
                .fetch_one(&mut *tx)
                .await?;
                if bound != *owner {
                    taken.push(actor.clone());
                }
            }
            tx.commit().await?;
            taken
        }))
    }
}
