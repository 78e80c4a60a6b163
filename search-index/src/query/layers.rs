//! What a search reads: the disk index and the live writer's fresh layer (`crate::fresh`).

use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, Occur, Query, TermSetQuery};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::index::SearchIndex;

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

impl SearchIndex {
    /// The disk index (less what the fresh layer supersedes) and the fresh layer, taken
    /// together under the view's lock (see `fresh.rs`).
    pub(crate) fn layers(&self) -> Vec<Layer> {
        let f = &self.fields;
        let view = self.fresh.read();
        let mut layers = Vec::with_capacity(2);
        if !view.everything {
            let hidden = view.shadows_anything().then(|| {
                let sources = view
                    .sources
                    .iter()
                    .map(|s| Term::from_field_text(f.source, s));
                let keys = view
                    .keys
                    .iter()
                    .map(|k| Term::from_field_text(f.doc_key, k));
                Box::new(TermSetQuery::new(sources.chain(keys))) as Box<dyn Query>
            });
            layers.push(Layer {
                searcher: self.reader.searcher(),
                hidden,
            });
        }
        if let Some(searcher) = &view.searcher {
            layers.push(Layer {
                searcher: searcher.clone(),
                hidden: None,
            });
        }
        layers
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
