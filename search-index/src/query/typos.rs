//! A plain word: its exact (stemmed) matches ranked by BM25 plus [`EXACT_BONUS`], and the
//! documents that only have it with a typo, at [`FUZZY_SCORE`].
//!
//! Two reasons not to build it from tantivy's pieces (a boolean query of the exact clause,
//! the exact clause again at a constant score for the bonus, and a `FuzzyTermQuery`): the
//! fuzzy query reads the postings of every word within the distance — the word itself, its
//! plural, its other forms, all of them exact matches, a third of the index for « articles »
//! — into a bit set; and the bonus clause reads the exact postings a second time. Here the
//! words within the distance that have the query's stem are skipped (the exact clause finds
//! their documents), so only real misspellings are read, and one scorer adds the bonus. What a
//! segment's misspellings find is kept for the segment (`super::kept`).

use std::fmt;
use std::sync::Arc;

use tantivy::query::{
    EmptyScorer, EnableScoring, Explanation, FuzzyTermQuery, Query, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

use super::kept::{DocList, KeptDocs, set_postings};
use crate::analyzers::analyze_at;

/// What a word matched exactly (not only through a typo) adds to a document's score.
pub(crate) const EXACT_BONUS: Score = 1_000.0;
/// What a word matched only through a typo scores.
pub(crate) const FUZZY_SCORE: Score = 0.5;

/// A word: its exact clause, and its misspellings.
pub(crate) struct WordQuery {
    pub exact: Box<dyn Query>,
    /// The words field (as written) to look for misspellings in.
    pub words: Field,
    /// The word as written (folded), and how many edits make a misspelling.
    pub written: String,
    pub distance: u8,
    /// The stem the exact clause looks for: words within the distance that have it are
    /// exact matches, not misspellings.
    pub stem: String,
    /// The analyzer that stems the words field's words.
    pub analyzer: TextAnalyzer,
    /// What misspellings found, per segment.
    pub kept: Arc<KeptDocs>,
}

impl Clone for WordQuery {
    fn clone(&self) -> WordQuery {
        WordQuery {
            exact: self.exact.box_clone(),
            words: self.words,
            written: self.written.clone(),
            distance: self.distance,
            stem: self.stem.clone(),
            analyzer: self.analyzer.clone(),
            kept: self.kept.clone(),
        }
    }
}

impl fmt::Debug for WordQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WordQuery")
            .field("exact", &self.exact)
            .field("written", &self.written)
            .field("distance", &self.distance)
            .field("stem", &self.stem)
            .finish_non_exhaustive()
    }
}

impl Query for WordQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(WordWeight {
            exact: self.exact.weight(enable_scoring)?,
            query: self.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.exact.query_terms(visitor);
    }
}

struct WordWeight {
    exact: Box<dyn Weight>,
    query: WordQuery,
}

impl WordWeight {
    /// The documents of this segment that have the word only misspelled (and maybe also
    /// exactly: the scorer sorts that out).
    fn misspelled(&self, reader: &SegmentReader) -> tantivy::Result<Box<dyn Scorer>> {
        let q = &self.query;
        let what = format!("~{} {} {}", q.distance, q.written, q.stem);
        let docs = q
            .kept
            .get_or_read(reader.segment_id(), q.words, &what, || self.read(reader))?;
        Ok(if docs.is_empty() {
            Box::new(EmptyScorer)
        } else {
            docs.scorer(FUZZY_SCORE)
        })
    }

    /// Reads the documents of the segment's misspellings.
    fn read(&self, reader: &SegmentReader) -> tantivy::Result<DocList> {
        let q = &self.query;
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(q.words, &q.written), q.distance, true)
                .automaton()?;
        let inverted = reader.inverted_index(q.words)?;
        let mut stream = inverted.terms().search(automaton).into_stream()?;
        let mut analyzer = q.analyzer.clone();
        let mut words = vec![0u64; (reader.max_doc() as usize).div_ceil(64)];
        while stream.advance() {
            let Ok(word) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let stems = analyze_at(&mut analyzer, word);
            if stems.len() == 1 && stems[0].1 == q.stem {
                continue;
            }
            set_postings(&inverted, stream.value(), &mut words)?;
        }
        Ok(DocList::from_bits(words, reader.max_doc()))
    }
}

impl Weight for WordWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(WordScorer::new(
            self.exact.scorer(reader, boost)?,
            self.misspelled(reader)?,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new(
            "word, exactly or misspelled",
            scorer.score(),
        ))
    }
}

/// The union of the exact scorer and the misspellings'.
struct WordScorer {
    exact: Box<dyn Scorer>,
    misspelled: Box<dyn Scorer>,
    doc: DocId,
}

impl WordScorer {
    fn new(exact: Box<dyn Scorer>, misspelled: Box<dyn Scorer>) -> WordScorer {
        let doc = exact.doc().min(misspelled.doc());
        WordScorer {
            exact,
            misspelled,
            doc,
        }
    }
}

impl DocSet for WordScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        if self.exact.doc() == self.doc {
            self.exact.advance();
        }
        if self.misspelled.doc() == self.doc {
            self.misspelled.advance();
        }
        self.doc = self.exact.doc().min(self.misspelled.doc());
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.exact.doc() < target {
            self.exact.seek(target);
        }
        if self.misspelled.doc() < target {
            self.misspelled.seek(target);
        }
        self.doc = self.exact.doc().min(self.misspelled.doc());
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.exact
            .size_hint()
            .saturating_add(self.misspelled.size_hint())
    }

    fn cost(&self) -> u64 {
        self.exact.cost().saturating_add(self.misspelled.cost())
    }
}

impl Scorer for WordScorer {
    fn score(&mut self) -> Score {
        if self.exact.doc() == self.doc {
            self.exact.score() + EXACT_BONUS
        } else {
            FUZZY_SCORE
        }
    }
}
