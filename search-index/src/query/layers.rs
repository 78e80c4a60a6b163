//! What a search reads: the disk index and the live writer's fresh layer (`crate::fresh`),
//! taken together as one state of the index, and the last states searched, kept a while.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, Occur, Query};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::fresh::IndexVersion;

/// One layer of the index a search reads.
pub(crate) struct Layer {
    pub searcher: Searcher,
    /// The documents superseded by the fresh layer, for the disk layer.
    pub hidden: Option<Box<dyn Query>>,
}

impl Layer {
    /// `query`, less the documents this layer must hide.
    pub fn restrict(&self, query: &dyn Query) -> Box<dyn Query> {
        match &self.hidden {
            None => query.box_clone(),
            Some(hidden) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, query.box_clone()),
                (Occur::MustNot, hidden.box_clone()),
            ])),
        }
    }
}

/// One state of the index: its version and its layers.
pub(crate) struct Snapshot {
    pub version: IndexVersion,
    pub layers: Vec<Layer>,
    pub taken: Instant,
}

/// The last states searched, so that an answer found on one of them can be checked against
/// the state now (`SearchIndex::still_answers`). A state kept keeps its segments, on disk and
/// in memory: a few, for a minute at most.
#[derive(Default)]
pub(crate) struct Snapshots(Mutex<VecDeque<Arc<Snapshot>>>);

/// How many states are kept, and how long.
pub(crate) const SNAPSHOTS_KEPT: usize = 32;
pub(crate) const SNAPSHOTS_FOR: Duration = Duration::from_secs(60);

impl Snapshots {
    pub fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Snapshot>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The state of `version`, if kept.
    pub fn get(&self, version: IndexVersion) -> Option<Arc<Snapshot>> {
        self.lock()
            .iter()
            .rev()
            .find(|s| s.version == version)
            .cloned()
    }
}

/// The BM25 statistics of several layers taken together, so that a document scores the same
/// whichever layer holds it.
pub(crate) struct Together<'a>(pub Vec<&'a Searcher>);

impl<'a> Together<'a> {
    pub fn of(layers: &'a [Layer]) -> Together<'a> {
        Together(layers.iter().map(|l| &l.searcher).collect())
    }
}

impl Bm25StatisticsProvider for Together<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.0.iter().map(|s| s.total_num_tokens(field)).sum()
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.0.iter().map(|s| s.total_num_docs()).sum()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.0.iter().map(|s| s.doc_freq(term)).sum()
    }
}
