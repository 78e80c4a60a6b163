//! `abc*`: the documents with a word beginning so, each at a constant score — read once per
//! segment and kept (`super::kept`): a short prefix opens thousands of words.

use std::sync::Arc;

use tantivy::query::{
    EmptyScorer, EnableScoring, Explanation, FuzzyTermQuery, Query, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

use super::kept::{DocList, KeptDocs, set_postings};

/// The documents of `field` with a word beginning with `start`, scoring `score` (times the
/// boost, as a constant-score query does).
#[derive(Clone)]
pub(crate) struct PrefixQuery {
    pub field: Field,
    pub start: String,
    pub score: Score,
    pub kept: Arc<KeptDocs>,
}

impl std::fmt::Debug for PrefixQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrefixQuery({}*)", self.start)
    }
}

impl Query for PrefixQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl PrefixQuery {
    fn read(&self, reader: &SegmentReader) -> tantivy::Result<DocList> {
        // A distance of 0 with a prefix: exactly the words beginning so.
        let automaton =
            FuzzyTermQuery::new_prefix(Term::from_field_text(self.field, &self.start), 0, true)
                .automaton()?;
        let inverted = reader.inverted_index(self.field)?;
        let mut stream = inverted.terms().search(automaton).into_stream()?;
        let mut words = vec![0u64; (reader.max_doc() as usize).div_ceil(64)];
        while stream.advance() {
            set_postings(&inverted, stream.value(), &mut words)?;
        }
        Ok(DocList::from_bits(words, reader.max_doc()))
    }
}

impl Weight for PrefixQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let what = format!("* {}", self.start);
        let docs = self
            .kept
            .get_or_read(reader.segment_id(), self.field, &what, || self.read(reader))?;
        Ok(if docs.is_empty() {
            Box::new(EmptyScorer)
        } else {
            docs.scorer(boost * self.score)
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} has no word beginning with {}",
                self.start
            )));
        }
        Ok(Explanation::new("prefix", scorer.score()))
    }
}
