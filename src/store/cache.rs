//! What the store keeps in memory between requests, and how every server forgets it.
//!
//! Every signed-in page needs the session, the member with their roles and the group tree; a
//! group page also needs the group's latest activity and texts. Read from the database on every
//! request, these small queries cost more in hand-offs to the database's threads than in SQL
//! (BENCHMARKS.md, "Reading the page figures"), so the store keeps them here, and forgets an
//! entry when what it was read from changes:
//!
//! - a write made by this process forgets at once, after its commit (`Db::publish`);
//! - on PostgreSQL the write is also announced with `NOTIFY` on [`CACHE_CHANNEL`], and every other
//!   server forgets on hearing it (`store::listen`); when that listening connection drops,
//!   everything is forgotten, as announcements may have been missed meanwhile;
//! - on SQLite, the command line writes its changes down (`change_announcement`) and the server
//!   running on the same file reads them every second (`store::listen`);
//! - what no announcement covers (a hand edit of the database, the order of texts by their last
//!   edit on another server) is seen within the entry's time to live: [`TTL`], or
//!   [`MEMBER_COUNTS_TTL`] for the member counts.
//!
//! A read racing with a write must not put back what the write replaced: every change bumps a
//! generation, and a read drops the entry it has just filled if the generation moved while it was
//! querying (`read_through`).

use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::sync::Cache;
use tokio::sync::broadcast;
use tower_sessions::session::Record;

use super::visits::Visit;
use super::{ActivityRow, GroupRow, ScopeRow, StoreResult, TextSummary};
use crate::model::{GroupId, MemberId, TextId};

/// The `NOTIFY` channel on which servers announce what they changed.
pub const CACHE_CHANNEL: &str = "atelier_cache";

/// The longest an entry lives: how late a change no announcement covers may be seen.
pub const TTL: Duration = Duration::from_secs(10);

/// Counting every membership of a large party takes tens of milliseconds, and a count a little
/// late is fine on a group page: member counts live longer.
pub const MEMBER_COUNTS_TTL: Duration = Duration::from_secs(30);

/// How many of a group's latest events and texts are kept; longer lists are read directly.
pub const ACTIVITY_KEPT: usize = 20;
pub const TEXTS_KEPT: usize = 100;

/// What a write changed: what the caches must forget, and (`collab::rights`) whose live
/// sockets must be checked again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// One session was written or deleted.
    Session(String),
    /// Every session of a member ended (password reset).
    SessionsOf(MemberId),
    /// A member's state or memberships (and so the groups' member counts).
    Member(MemberId),
    /// A member's name (it is in their cached scope and appears in activity lists).
    Renamed(MemberId),
    /// A group was added to the tree: nobody's rights change.
    GroupAdded,
    /// A group's name, description or visibility (rights in its subtree may change).
    Group(GroupId),
    /// Something happened in a group (its activity).
    Activity(GroupId),
    /// A group's list of texts.
    Texts(GroupId),
    /// When a member was last seen (`store::visits`).
    Visit(MemberId),
    /// A text's status (and so who may write it), in its group.
    TextStatus(TextId, GroupId),
    /// Anything: a bulk import ran, or announcements may have been missed.
    Everything,
}

impl Change {
    /// The text of a `NOTIFY` payload.
    pub fn encode(&self) -> String {
        match self {
            Change::Session(id) => format!("session {id}"),
            Change::SessionsOf(m) => format!("sessions-of {m}"),
            Change::Member(m) => format!("member {m}"),
            Change::Renamed(m) => format!("renamed {m}"),
            Change::GroupAdded => "group-added".to_owned(),
            Change::Group(g) => format!("group {g}"),
            Change::Activity(g) => format!("activity {g}"),
            Change::Texts(g) => format!("texts {g}"),
            Change::Visit(m) => format!("visit {m}"),
            Change::TextStatus(t, g) => format!("text-status {t} {g}"),
            Change::Everything => "everything".to_owned(),
        }
    }

    /// Reads a payload back; an unknown one (from a newer server, say) means `Everything`:
    /// forgetting too much only costs a few queries and reconnections.
    pub fn decode(text: &str) -> Change {
        let (kind, arg) = text.split_once(' ').unwrap_or((text, ""));
        let parsed = match kind {
            "session" if !arg.is_empty() => Some(Change::Session(arg.to_owned())),
            "sessions-of" => arg.parse().ok().map(Change::SessionsOf),
            "member" => arg.parse().ok().map(Change::Member),
            "renamed" => arg.parse().ok().map(Change::Renamed),
            "group-added" if arg.is_empty() => Some(Change::GroupAdded),
            "group" => arg.parse().ok().map(Change::Group),
            "activity" => arg.parse().ok().map(Change::Activity),
            "texts" => arg.parse().ok().map(Change::Texts),
            "visit" => arg.parse().ok().map(Change::Visit),
            "text-status" => arg
                .split_once(' ')
                .and_then(|(t, g)| Some(Change::TextStatus(t.parse().ok()?, g.parse().ok()?))),
            "everything" if arg.is_empty() => Some(Change::Everything),
            _ => None,
        };
        parsed.unwrap_or(Change::Everything)
    }
}

/// A member as the permission checks need them: name, address, scope; `None` when the member is
/// unknown or disabled.
pub type MemberScope = Option<(String, String, Vec<ScopeRow>)>;

pub(crate) struct Caches {
    /// Tells this process's announcements from the others' (a server ignores its own).
    pub origin: u64,
    generation: AtomicU64,
    pub sessions: Cache<String, Arc<Record>>,
    pub members: Cache<MemberId, Arc<MemberScope>>,
    pub groups: Cache<(), Arc<Vec<GroupRow>>>,
    pub member_counts: Cache<(), Arc<std::collections::HashMap<GroupId, i64>>>,
    pub activity: Cache<GroupId, Arc<Vec<ActivityRow>>>,
    pub texts: Cache<GroupId, Arc<Vec<TextSummary>>>,
    pub visits: Cache<MemberId, Visit>,
    /// Every change, made here or announced by another server, for whoever follows them.
    changes: broadcast::Sender<Change>,
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

fn cache<K, V>(capacity: u64, ttl: Duration) -> Cache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(capacity)
        .time_to_live(ttl)
        .build()
}

impl Caches {
    pub fn new() -> Caches {
        Caches {
            origin: rand::random(),
            generation: AtomicU64::new(0),
            // Bounded so that a flood of requests cannot grow memory without end; a convention
            // weekend has a few thousand people signed in.
            sessions: cache(100_000, TTL),
            members: cache(100_000, TTL),
            groups: cache(1, TTL),
            member_counts: cache(1, MEMBER_COUNTS_TTL),
            activity: cache(10_000, TTL),
            texts: cache(10_000, TTL),
            visits: cache(100_000, TTL),
            changes: broadcast::channel(1024).0,
        }
    }

    /// Forgets what `change` made stale, and tells those who follow the changes.
    pub fn apply(&self, change: Change) {
        self.forget(&change);
        // No follower is not an error: the CLI has none.
        let _ = self.changes.send(change);
    }

    /// Every change from now on; a follower that falls behind is told `Lagged` and must assume
    /// anything changed.
    pub fn follow(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Forgets what `change` made stale. The generation moves first, so that a read in flight
    /// cannot store what it read before the change (see `read_through`).
    pub fn forget(&self, change: &Change) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        match change {
            Change::Session(id) => self.sessions.invalidate(id),
            // Rare (a password reset): not worth an index of sessions by member.
            Change::SessionsOf(_) => self.sessions.invalidate_all(),
            Change::Member(member) => {
                self.members.invalidate(member);
                self.member_counts.invalidate_all();
            }
            // The name is in the member's cached scope (headers, presence) and in activity lists.
            Change::Renamed(member) => {
                self.members.invalidate(member);
                self.activity.invalidate_all();
            }
            Change::GroupAdded => {
                self.groups.invalidate_all();
                self.member_counts.invalidate_all();
            }
            // Group names appear in activity and text lists.
            Change::Group(_) => {
                self.groups.invalidate_all();
                self.activity.invalidate_all();
                self.texts.invalidate_all();
            }
            Change::Activity(group) => self.activity.invalidate(group),
            Change::Texts(group) | Change::TextStatus(_, group) => self.texts.invalidate(group),
            Change::Visit(member) => self.visits.invalidate(member),
            Change::Everything => {
                self.sessions.invalidate_all();
                self.members.invalidate_all();
                self.groups.invalidate_all();
                self.member_counts.invalidate_all();
                self.activity.invalidate_all();
                self.texts.invalidate_all();
                self.visits.invalidate_all();
            }
        }
        metrics::counter!("atelier_cache_forgets_total").increment(1);
    }

    /// The cached value, or `load`'s, which is kept unless a change came in while it was loading.
    pub async fn read_through<K, V>(
        &self,
        cache: &Cache<K, V>,
        name: &'static str,
        key: K,
        load: impl Future<Output = StoreResult<V>>,
    ) -> StoreResult<V>
    where
        K: Hash + Eq + Send + Sync + Clone + 'static,
        V: Clone + Send + Sync + 'static,
    {
        if let Some(value) = cache.get(&key) {
            return Ok(value);
        }
        metrics::counter!("atelier_cache_misses_total", "cache" => name).increment(1);
        let before = self.generation.load(Ordering::SeqCst);
        let value = load.await?;
        self.keep_unless_changed(cache, key, value.clone(), before);
        Ok(value)
    }

    /// The generation before a load, for `keep_unless_changed`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Stores `value`, then takes it back if a change came in since `before`: either the change's
    /// `forget` ran after the insert and removed it, or it ran before and this check sees it.
    pub fn keep_unless_changed<K, V>(&self, cache: &Cache<K, V>, key: K, value: V, before: u64)
    where
        K: Hash + Eq + Send + Sync + Clone + 'static,
        V: Clone + Send + Sync + 'static,
    {
        cache.insert(key.clone(), value);
        if self.generation.load(Ordering::SeqCst) != before {
            cache.invalidate(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_survives_its_notify_payload() {
        for change in [
            Change::Session("abc-DEF_123".to_owned()),
            Change::SessionsOf(MemberId(7)),
            Change::Member(MemberId(42)),
            Change::Renamed(MemberId(5)),
            Change::GroupAdded,
            Change::Group(GroupId(8)),
            Change::Activity(GroupId(3)),
            Change::Texts(GroupId(9)),
            Change::TextStatus(TextId(11), GroupId(2)),
            Change::Visit(MemberId(4)),
            Change::Everything,
        ] {
            assert_eq!(Change::decode(&change.encode()), change);
        }
        assert_eq!(Change::decode("member not-a-number"), Change::Everything);
        assert_eq!(Change::decode("something-new 1"), Change::Everything);
        assert_eq!(Change::decode(""), Change::Everything);
        assert_eq!(Change::decode("text-status 1"), Change::Everything);
    }

    #[tokio::test]
    async fn a_read_that_raced_with_a_change_is_not_kept() {
        let caches = Caches::new();
        // A read starts, the database changes and the change is forgotten, then the read ends
        // with what it saw before the change: it must not stay in the cache.
        let stale = caches
            .read_through(&caches.activity, "activity", GroupId(1), async {
                caches.forget(&Change::Activity(GroupId(1)));
                Ok(Arc::new(Vec::new()))
            })
            .await
            .unwrap();
        assert!(stale.is_empty());
        assert!(caches.activity.get(&GroupId(1)).is_none());
        // Without a change in between, the value is kept and served again.
        caches
            .read_through(&caches.activity, "activity", GroupId(1), async {
                Ok(Arc::new(Vec::new()))
            })
            .await
            .unwrap();
        assert!(caches.activity.get(&GroupId(1)).is_some());
        let served = caches
            .read_through(&caches.activity, "activity", GroupId(1), async {
                panic!("a cached value is not loaded again")
            })
            .await;
        assert!(served.is_ok());
    }

    #[test]
    fn forgetting_a_member_keeps_the_others() {
        let caches = Caches::new();
        caches.members.insert(
            MemberId(1),
            Arc::new(Some(("A".into(), "a@x".into(), vec![]))),
        );
        caches.members.insert(
            MemberId(2),
            Arc::new(Some(("B".into(), "b@x".into(), vec![]))),
        );
        caches.forget(&Change::Member(MemberId(1)));
        assert!(caches.members.get(&MemberId(1)).is_none());
        assert!(caches.members.get(&MemberId(2)).is_some());
        caches.forget(&Change::Everything);
        assert!(caches.members.get(&MemberId(2)).is_none());
    }
}
