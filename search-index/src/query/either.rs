//! Any of a few queries (a word in the title or the body; a query's French and English
//! readings), scored as the sum of those that match, as a boolean query of `Should` clauses
//! scores it. tantivy's union buffers a window of 4,096 documents and scores each of them
//! at every seek far ahead: right when a union is walked whole, costly when a small set leads
//! (a member's own documents, the documents a change touched), as each seek refills the
//! window. Here each seek moves each clause to the target, and nothing more.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// Most clauses for which [`AnyOfQuery`] is used rather than tantivy's union: each step of
/// the walk looks at every clause.
pub(crate) const MAX_CLAUSES: usize = 4;

#[derive(Debug)]
pub(crate) struct AnyOfQuery {
    pub queries: Vec<Box<dyn Query>>,
}

impl Clone for AnyOfQuery {
    fn clone(&self) -> AnyOfQuery {
        AnyOfQuery {
            queries: self.queries.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl Query for AnyOfQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .queries
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AnyOfWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in &self.queries {
            query.query_terms(visitor);
        }
    }
}

struct AnyOfWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for AnyOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        Ok(match scorers.len() {
            0 => Box::new(EmptyScorer),
            1 => scorers.remove(0),
            _ => Box::new(AnyOfScorer::new(scorers)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} matches none of the clauses"
            )));
        }
        Ok(Explanation::new("any of", scorer.score()))
    }
}

/// The union of a few scorers, each positioned on its own next document.
struct AnyOfScorer {
    scorers: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl AnyOfScorer {
    fn new(scorers: Vec<Box<dyn Scorer>>) -> AnyOfScorer {
        let doc = scorers.iter().map(|s| s.doc()).min().unwrap_or(TERMINATED);
        AnyOfScorer { scorers, doc }
    }

    fn settle(&mut self) -> DocId {
        self.doc = self
            .scorers
            .iter()
            .map(|s| s.doc())
            .min()
            .unwrap_or(TERMINATED);
        self.doc
    }
}

impl DocSet for AnyOfScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let at = self.doc;
        for scorer in &mut self.scorers {
            if scorer.doc() == at {
                scorer.advance();
            }
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for scorer in &mut self.scorers {
            if scorer.doc() < target {
                scorer.seek(target);
            }
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers
            .iter()
            .map(|s| s.size_hint())
            .fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.scorers.iter().map(|s| s.cost()).sum()
    }
}

impl Scorer for AnyOfScorer {
    fn score(&mut self) -> Score {
        // Summed in the clauses' order, as tantivy's union sums them.
        let at = self.doc;
        let mut score = 0.0;
        for scorer in &mut self.scorers {
            if scorer.doc() == at {
                score += scorer.score();
            }
        }
        score
    }
}
