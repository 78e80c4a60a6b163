//! Members' visits: when each was last seen and when their previous visit ended, for the home
//! page's "since your last visit".
//!
//! A visit is a run of views with no gap longer than [`VISIT_GAP`]. The home and welcome pages
//! record the member as seen, but write at most every [`SEEN_REFRESH`]: reloading the home page
//! costs no write, and a warm home page reads nothing from the database (the visit is cached like
//! the member's scope). A view that comes more than `VISIT_GAP` after the last one seen starts a
//! new visit, and the old one's end becomes `previous_visit_at`: what the home page counts news
//! from, the same for the whole visit, so that reloading does not make the news vanish.

use super::rows::from_row;
use time::{Duration, OffsetDateTime};

use super::{Change, Db, StoreResult, on_backend};
use crate::model::MemberId;

/// The longest pause within one visit.
pub const VISIT_GAP: Duration = Duration::minutes(30);

/// How late the stored `last_seen_at` may be: a view is written down only when the last one
/// written is older than this.
pub const SEEN_REFRESH: Duration = Duration::minutes(5);

/// A member's visits as stored; both `None` before their first visit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Visit {
    pub last_seen_at: Option<OffsetDateTime>,
    pub previous_visit_at: Option<OffsetDateTime>,
}
from_row!(Visit {
    last_seen_at,
    previous_visit_at
});

impl Visit {
    /// From when a view at `at` counts news: the end of the previous visit; `None` during the
    /// member's first visit.
    pub fn since(&self, at: OffsetDateTime) -> Option<OffsetDateTime> {
        match self.last_seen_at {
            Some(last) if last < at - VISIT_GAP => Some(last),
            _ => self.previous_visit_at,
        }
    }

    /// Whether a view at `at` must be written down (see [`SEEN_REFRESH`]).
    pub fn needs_recording(&self, at: OffsetDateTime) -> bool {
        self.last_seen_at
            .is_none_or(|last| last < at - SEEN_REFRESH)
    }
}

impl Db {
    /// A member's visits, from the cache.
    pub async fn visit(&self, member: MemberId) -> StoreResult<Visit> {
        self.cache
            .read_through(&self.cache.visits, "visits", member, async {
                self.load_visit(member).await
            })
            .await
    }

    async fn load_visit(&self, member: MemberId) -> StoreResult<Visit> {
        const SQL: &str = "select last_seen_at, previous_visit_at from member where member_id = $1";
        let found: Option<Visit> =
            on_backend!(self, pool => sqlx::query_as(SQL).bind(member).fetch_optional(pool).await?);
        Ok(found.unwrap_or_default())
    }

    /// Records that the member was seen at `at`, unless a view was written down within
    /// [`SEEN_REFRESH`] (by this server or another): one conditional update, which also closes
    /// the previous visit when `at` starts a new one. Answers the visits as they now stand.
    pub async fn record_visit(&self, member: MemberId, at: OffsetDateTime) -> StoreResult<Visit> {
        // `set` expressions read the row as it was before the update, on both backends.
        const SQL: &str = "update member set \
               previous_visit_at = case when last_seen_at < $2 then last_seen_at else previous_visit_at end, \
               last_seen_at = $3 \
             where member_id = $1 and (last_seen_at is null or last_seen_at < $4) \
             returning last_seen_at, previous_visit_at";
        let updated: Option<Visit> = on_backend!(self, pool => {
            sqlx::query_as(SQL)
                .bind(member)
                .bind(at - VISIT_GAP)
                .bind(at)
                .bind(at - SEEN_REFRESH)
                .fetch_optional(pool)
                .await?
        });
        let Some(visit) = updated else {
            // Written down meanwhile (or no such member): what is stored now.
            self.cache.visits.invalidate(&member);
            return self.visit(member).await;
        };
        self.publish(Change::Visit(member)).await;
        // What the update returned is what is stored: keep it, unless another change came in.
        let before = self.cache.generation();
        self.cache
            .keep_unless_changed(&self.cache.visits, member, visit, before);
        Ok(visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pause_longer_than_the_gap_starts_a_new_visit() {
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let first = Visit::default();
        assert_eq!(first.since(t0), None);
        assert!(first.needs_recording(t0));
        let seen = Visit {
            last_seen_at: Some(t0),
            previous_visit_at: None,
        };
        // Within the visit: still the first one, and nothing to write for a few minutes.
        assert_eq!(seen.since(t0 + Duration::minutes(20)), None);
        assert!(!seen.needs_recording(t0 + Duration::minutes(4)));
        assert!(seen.needs_recording(t0 + Duration::minutes(6)));
        // After a long pause, news count from the end of the previous visit.
        assert_eq!(seen.since(t0 + Duration::hours(3)), Some(t0));
        let later = Visit {
            last_seen_at: Some(t0 + Duration::hours(3)),
            previous_visit_at: Some(t0),
        };
        assert_eq!(
            later.since(t0 + Duration::hours(3) + Duration::minutes(10)),
            Some(t0)
        );
    }
}
