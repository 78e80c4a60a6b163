//! The index that requests read: the current generation, swapped without a restart when a
//! rebuild (`atelier reindex`, or a start without a usable index) switches to a new one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use atelier_search::{
    Hit, IndexHome, IndexVersion, Like, RelatedQuery, SearchIndex, SearchQuery, SearchResults,
};
use bytes::Bytes;
use moka::ops::compute::{CompResult, Op};

use crate::auth::readers;

/// The index being read, shared by the requests, the consumer that writes it and the watch on
/// the generations. `None` while it is being rebuilt. Cheap to clone.
#[derive(Clone)]
pub struct LiveIndex {
    current: Arc<RwLock<Option<Generation>>>,
    /// Related work found, kept until the index changes (see [`LiveIndex::related`]).
    related: moka::sync::Cache<RelatedKey, Arc<Vec<Hit>>>,
    /// Answers to searches, kept while they hold (see [`LiveIndex::search`]).
    answers: moka::sync::Cache<SearchKey, Kept>,
    /// How this index's searches were answered (the metric counts the process's).
    answered: Arc<Answered>,
}

/// How many searches were answered from what was kept (the index unchanged), held across a
/// change of the index, or searched.
#[derive(Debug, Default)]
pub struct Answered {
    pub kept: AtomicU64,
    pub held: AtomicU64,
    pub searched: AtomicU64,
}

/// How a search was answered.
#[derive(Clone, Copy, Debug)]
enum How {
    Kept,
    Held,
    Searched,
}

impl Answered {
    fn count(&self, how: How) {
        let (counter, label) = match how {
            How::Kept => (&self.kept, "kept"),
            How::Held => (&self.held, "held"),
            How::Searched => (&self.searched, "searched"),
        };
        counter.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("atelier_search_answers_total", "how" => label).increment(1);
    }
}

/// What a search answered: the query (the searcher's grants in it) on one generation.
/// Compared whole, as [`RelatedKey`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct SearchKey {
    generation: String,
    query: SearchQuery,
}

/// An answer, and the state of the index it is known to hold on.
#[derive(Clone)]
struct Kept {
    version: IndexVersion,
    answer: Arc<Answer>,
}

/// A search's answer as requests get it. A kept answer is sent many times, so what the API
/// makes of it (its JSON) is made once and kept with it.
pub struct Answer {
    pub results: SearchResults,
    rendered: OnceLock<Bytes>,
}

impl Answer {
    fn new(results: SearchResults) -> Arc<Answer> {
        Arc::new(Answer {
            results,
            rendered: OnceLock::new(),
        })
    }

    /// What `render` makes of the results, made the first time only (a failure is not kept):
    /// `render` must depend on nothing but the results and the query the answer is for.
    pub fn rendered<E>(
        &self,
        render: impl FnOnce(&SearchResults) -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        if let Some(made) = self.rendered.get() {
            return Ok(made.clone());
        }
        let made = render(&self.results)?;
        Ok(self.rendered.get_or_init(|| made).clone())
    }
}

/// Bytes of search answers kept (a page of 20 hits and its facets is a few kilobytes).
const ANSWERS_KEPT_BYTES: u64 = 32 * 1024 * 1024;

/// What related work was found for: the query (the reader's grants in it) on one state of one
/// generation. Compared whole, never by a hash alone: two readers' grants never share an entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct RelatedKey {
    generation: String,
    version: IndexVersion,
    query: RelatedQuery,
}

/// Bytes of related work kept, counting each entry's query (a reading view's is a few
/// kilobytes of the text) and hits.
const RELATED_KEPT_BYTES: u64 = 32 * 1024 * 1024;
/// What a hit weighs, about (its title, snippet and address).
const HIT_BYTES: usize = 1024;

impl Default for LiveIndex {
    fn default() -> LiveIndex {
        LiveIndex {
            current: Arc::default(),
            related: moka::sync::Cache::builder()
                .max_capacity(RELATED_KEPT_BYTES)
                .weigher(|key: &RelatedKey, hits: &Arc<Vec<Hit>>| {
                    let like = match &key.query.like {
                        Like::Key(text) | Like::Text(text) => text.len(),
                    };
                    let readers: usize = key.query.readers.iter().map(String::len).sum();
                    u32::try_from(like + readers + hits.len() * HIT_BYTES).unwrap_or(u32::MAX)
                })
                // What no reader asked for in a while makes room (the index moved on anyway).
                .time_to_idle(Duration::from_secs(600))
                .build(),
            answers: moka::sync::Cache::builder()
                .max_capacity(ANSWERS_KEPT_BYTES)
                .weigher(|key: &SearchKey, Kept { answer, .. }: &Kept| {
                    let answer = &answer.results;
                    let query = key.query.text.len()
                        + key.query.readers.iter().map(String::len).sum::<usize>();
                    let facets = 64
                        * (answer.facets_kind.len()
                            + answer.facets_group.len()
                            + answer.facets_theme.len()
                            + answer.facets_status.len()
                            + answer.facets_place.len()
                            + answer.facets_convention.len());
                    u32::try_from(query + facets + answer.hits.len() * HIT_BYTES)
                        .unwrap_or(u32::MAX)
                })
                .time_to_idle(Duration::from_secs(600))
                .build(),
            answered: Arc::default(),
        }
    }
}

/// An open generation: its name (as the pointer file says it) and the index.
#[derive(Clone, Debug)]
pub struct Generation {
    pub name: String,
    pub index: SearchIndex,
}

/// Why a search cannot be answered now.
#[derive(Debug, thiserror::Error)]
pub enum Unavailable {
    #[error("the search index is being rebuilt")]
    Rebuilding,
    #[error("{0}")]
    Failed(#[from] atelier_search::SearchError),
    /// A failure met by a search that several requests waited for.
    #[error("{0}")]
    Shared(Arc<atelier_search::SearchError>),
    #[error("the search failed: {0}")]
    Panicked(String),
}

impl LiveIndex {
    /// The current generation in `home`, if it opens and reflects this database's outbox
    /// (`outbox`: its last position; see [`unfit`]); otherwise an index being rebuilt (the
    /// consumer rebuilds it): a missing, damaged or foreign index never stops the server.
    pub fn open(home: &IndexHome, outbox: i64, rebuild_behind: u64) -> LiveIndex {
        let live = LiveIndex::default();
        match home.open_current() {
            Ok(Some((name, index))) => match unfit(&index, outbox, rebuild_behind) {
                Ok(None) => live.set(Some(Generation { name, index })),
                Ok(Some(why)) => tracing::warn!(
                    generation = %name,
                    "{why}: it is rebuilt in the background"
                ),
                Err(e) => tracing::warn!(
                    error = %e,
                    "the search index cannot be read: it is rebuilt in the background"
                ),
            },
            Ok(None) => tracing::info!(
                dir = %home.root().display(),
                "there is no search index yet: it is built in the background"
            ),
            Err(e) => tracing::warn!(
                error = %e,
                "the search index cannot be opened: it is rebuilt in the background"
            ),
        }
        live
    }

    pub fn current(&self) -> Option<Generation> {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub(super) fn set(&self, generation: Option<Generation>) {
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = generation;
    }

    /// Whether searches are answered (honestly "being rebuilt" counts: the server serves).
    pub fn healthy(&self) -> bool {
        self.current().is_none_or(|g| g.index.healthy())
    }

    /// How this index's searches were answered so far.
    pub fn answered(&self) -> &Answered {
        &self.answered
    }

    pub fn is_rebuilding(&self) -> bool {
        self.current().is_none()
    }

    /// Replaces the generation served, unless it is no longer `served` (someone else switched
    /// meanwhile). Whether it replaced it.
    pub(super) fn replace(&self, served: Option<&str>, generation: Generation) -> bool {
        let mut current = self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if current.as_ref().map(|g| g.name.as_str()) != served {
            return false;
        }
        *current = Some(generation);
        true
    }

    /// The documents most like a document or a text, among what `query.readers` open, on the
    /// blocking pool as a search. Kept by query until the index changes (its generation or its
    /// version): a page asks for the same on every view (a reading view's is about ten
    /// milliseconds on a large index, many times the rest of the page), and readers asking
    /// for the same at once wait for one search.
    pub async fn related(&self, query: RelatedQuery) -> Result<Arc<Vec<Hit>>, Unavailable> {
        let generation = self.current().ok_or(Unavailable::Rebuilding)?;
        let kept = self.related.clone();
        let answer = tokio::task::spawn_blocking(move || {
            let key = RelatedKey {
                generation: generation.name.clone(),
                version: generation.index.version(),
                query: query.clone(),
            };
            kept.try_get_with(key, || generation.index.related(&query).map(Arc::new))
        })
        .await;
        match answer {
            Ok(Ok(hits)) => Ok(hits),
            Ok(Err(e)) => Err(Unavailable::Shared(e)),
            Err(e) => Err(Unavailable::Panicked(e.to_string())),
        }
    }

    /// Runs a search on the blocking pool (a search of a large index takes milliseconds), or
    /// answers as it did for the same query while that answer holds: at a convention many ask
    /// for the same words at once, and each search counts every facet over all its matches.
    ///
    /// - A kept answer holds while the index does not change, and across changes that touch
    ///   no document the query matches ([`SearchIndex::still_answers`]): a member typing into
    ///   one text changes the index a few times a second, and few queries find that text.
    /// - A member's grants are mostly shared (public, their groups'), but one is their own
    ///   (their drafts): the search is made of two parts joined ([`SearchResults::joined`]),
    ///   what the shared grants open — kept, shared by every member holding the same — and
    ///   what their own grant alone opens, a few documents searched each time.
    /// - Readers asking for the same at once wait for one search.
    pub async fn search(&self, query: SearchQuery) -> Result<Arc<Answer>, Unavailable> {
        let generation = self.current().ok_or(Unavailable::Rebuilding)?;
        let kept = self.answers.clone();
        let answered = self.answered.clone();
        let answer = tokio::task::spawn_blocking(move || {
            let (own, shared): (Vec<String>, Vec<String>) = query
                .readers
                .iter()
                .cloned()
                .partition(|grant| readers::is_own(grant));
            let depth = query.offset + query.limit;
            if own.is_empty() || shared.is_empty() || depth > atelier_search::MAX_LIMIT {
                return kept_search(&kept, &answered, &generation, query);
            }
            let part = SearchQuery {
                offset: 0,
                limit: depth,
                ..query.clone()
            };
            let shared_part = kept_search(
                &kept,
                &answered,
                &generation,
                SearchQuery {
                    readers: shared.clone(),
                    ..part.clone()
                },
            )?;
            let own_part = generation.index.search(&SearchQuery {
                readers: own,
                except_readers: shared,
                ..part
            })?;
            if own_part.total == 0 && query.offset == 0 {
                // Their own grant opens nothing the query finds (most members, most
                // queries): the shared part is the whole answer, as it was kept.
                return Ok(shared_part);
            }
            Ok(Answer::new(SearchResults::joined(
                &shared_part.results,
                &own_part,
                &query,
            )))
        })
        .await;
        match answer {
            Ok(Ok(results)) => Ok(results),
            Ok(Err(e)) => Err(Unavailable::Shared(e)),
            // The search panicked: tantivy's bug, reported as the server's error.
            Err(e) => Err(Unavailable::Panicked(e.to_string())),
        }
    }
}

/// The answer kept for `query` if it holds now, else a new one (then kept). Readers asking
/// for the same at once wait for one check or search (`and_try_compute_with` runs one at a
/// time per key).
fn kept_search(
    kept: &moka::sync::Cache<SearchKey, Kept>,
    answered: &Answered,
    generation: &Generation,
    query: SearchQuery,
) -> Result<Arc<Answer>, Arc<atelier_search::SearchError>> {
    let index = &generation.index;
    let key = SearchKey {
        generation: generation.name.clone(),
        query,
    };
    if let Some(found) = kept.get(&key)
        && found.version == index.version()
    {
        answered.count(How::Kept);
        return Ok(found.answer);
    }
    let query = key.query.clone();
    let computed = kept.entry(key).and_try_compute_with(
        |found| -> Result<_, Arc<atelier_search::SearchError>> {
            if let Some(found) = found.map(|entry| entry.into_value()) {
                match index.still_answers(&query, found.version)? {
                    Some(version) if version == found.version => {
                        answered.count(How::Kept);
                        return Ok(Op::Nop);
                    }
                    Some(version) => {
                        answered.count(How::Held);
                        return Ok(Op::Put(Kept {
                            version,
                            answer: found.answer,
                        }));
                    }
                    None => {}
                }
            }
            answered.count(How::Searched);
            let (answer, version) = index.search_versioned(&query)?;
            Ok(Op::Put(Kept {
                version,
                answer: Answer::new(answer),
            }))
        },
    )?;
    match computed {
        CompResult::Inserted(entry)
        | CompResult::ReplacedWith(entry)
        | CompResult::Unchanged(entry) => Ok(entry.into_value().answer),
        // Neither removes nor leaves nothing: the closure puts or keeps.
        CompResult::StillNone(_) | CompResult::Removed(_) => {
            unreachable!("a kept search always leaves an answer")
        }
    }
}

/// Why a generation that opens must still be rebuilt rather than served and caught up, if it
/// must: it holds events this database's outbox (last position `outbox`) does not (it was made
/// from another database, or before a restore from a backup), so it would show what does not
/// exist; or it is more than `rebuild_behind` events behind (its server was down for long):
/// catching up replays each event's sources, a rebuild reads each source once.
pub(super) fn unfit(
    index: &SearchIndex,
    outbox: i64,
    rebuild_behind: u64,
) -> Result<Option<&'static str>, atelier_search::SearchError> {
    let at = index.position()?.unwrap_or(0);
    if at > outbox {
        return Ok(Some(
            "the search index reflects events this database does not hold",
        ));
    }
    if u64::try_from(outbox - at).unwrap_or(0) > rebuild_behind {
        return Ok(Some(
            "the search index is too far behind the outbox to catch up",
        ));
    }
    Ok(None)
}

/// How often the pointer to the current generation is read, to serve a new one (switched to by
/// `atelier reindex`) even when no event comes to wake the consumer.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Follows the pointer: when it names another generation than the one served, opens it and
/// serves it. The consumer moves its writer there at its next commit (`super::consumer`).
pub async fn follow_generations(live: LiveIndex, home: IndexHome) {
    let mut tick = tokio::time::interval(WATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let served = live.current().map(|g| g.name);
        let home = home.clone();
        let before = served.clone();
        let opened = tokio::task::spawn_blocking(move || -> Option<Generation> {
            let name = home.current().ok()??;
            if Some(&name) == before.as_ref() {
                return None;
            }
            match home.open_current() {
                Ok(Some((name, index))) => Some(Generation { name, index }),
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "the new search index cannot be opened");
                    None
                }
            }
        })
        .await;
        if let Ok(Some(generation)) = opened {
            let name = generation.name.clone();
            if live.replace(served.as_deref(), generation) {
                tracing::info!(generation = %name, "serving the rebuilt search index");
            }
        }
    }
}
