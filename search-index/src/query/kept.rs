//! The documents a word's misspellings or a prefix find in a segment, kept.
//!
//! Both read the postings of every word of the segment's dictionary that the automaton accepts
//! (« articel » → « article », « particle »…; « financ* » → every word so written) into one
//! set: the costliest part of most searches on a large index, and the same every time the word
//! is searched again — by another member, on the next page, by the check that a kept answer
//! still holds (`crate::SearchIndex::still_answers`). Segments never change (deleted documents
//! are left out when collecting), so what a segment gave is kept for it, by the segment's id.
//! A few documents are kept as a sorted list, many as one bit each, whichever is smaller.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::postings::TermInfo;
use tantivy::query::Scorer;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, InvertedIndexReader, Score, TERMINATED};

/// How much memory the kept sets may take, in bytes: past it, they are all dropped and read
/// again as needed (a segment's sets are its words' documents, bounded by its size).
const CACHE_BYTES: usize = 64 << 20;

/// What a set was read for: the segment, the words field, and what accepted the words (e.g.
/// `"~1 articel article"` for a misspelling, `"* financ"` for a prefix).
type Key = (SegmentId, Field, String);

/// The kept sets, shared by every clone of an index.
pub(crate) struct KeptDocs {
    kept: Mutex<Kept>,
    /// Bytes the sets may take.
    budget: usize,
}

impl Default for KeptDocs {
    fn default() -> KeptDocs {
        KeptDocs::within(CACHE_BYTES)
    }
}

#[derive(Default)]
struct Kept {
    sets: HashMap<Key, Arc<DocList>>,
    bytes: usize,
}

impl std::fmt::Debug for KeptDocs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeptDocs")
    }
}

impl KeptDocs {
    /// Sets kept within `budget` bytes.
    pub fn within(budget: usize) -> KeptDocs {
        KeptDocs {
            kept: Mutex::default(),
            budget,
        }
    }

    /// The set kept for `segment`, `field` and `what`, or the one `read` gives (then kept).
    /// Two searches reading the same set at once both read it: rare, and cheaper than making
    /// one wait under a lock.
    pub fn get_or_read(
        &self,
        segment: SegmentId,
        field: Field,
        what: &str,
        read: impl FnOnce() -> tantivy::Result<DocList>,
    ) -> tantivy::Result<Arc<DocList>> {
        let key = (segment, field, what.to_owned());
        if let Some(set) = self.lock().sets.get(&key) {
            return Ok(set.clone());
        }
        let set = Arc::new(read()?);
        let bytes = set.bytes() + what.len() + 64;
        let mut kept = self.lock();
        if kept.bytes + bytes > self.budget {
            kept.sets.clear();
            kept.bytes = 0;
        }
        if kept.sets.insert(key, set.clone()).is_none() {
            kept.bytes += bytes;
        }
        Ok(set)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Gives `each` the documents of a term (`info`), a block at a time.
pub(crate) fn for_each_posting(
    inverted: &InvertedIndexReader,
    info: &TermInfo,
    mut each: impl FnMut(&[DocId]),
) -> tantivy::Result<()> {
    let mut postings =
        inverted.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
    while !postings.docs().is_empty() {
        each(postings.docs());
        postings.advance();
    }
    Ok(())
}

/// Sets in `words` (one bit a document) the documents of a term (`info`).
pub(crate) fn set_postings(
    inverted: &InvertedIndexReader,
    info: &TermInfo,
    words: &mut [u64],
) -> tantivy::Result<()> {
    for_each_posting(inverted, info, |docs| {
        for &doc in docs {
            words[doc as usize / 64] |= 1 << (doc % 64);
        }
    })
}

/// A set of a segment's documents.
#[derive(Debug)]
pub(crate) enum DocList {
    /// Sorted, each once.
    Listed(Vec<DocId>),
    /// One bit a document.
    Bits {
        words: Arc<Vec<u64>>,
        max_doc: DocId,
    },
}

impl DocList {
    /// The documents set in `words` (one bit each, `max_doc` of them), as the smaller form.
    pub fn from_bits(words: Vec<u64>, max_doc: DocId) -> DocList {
        let count: usize = words.iter().map(|w| w.count_ones() as usize).sum();
        // A listed document takes 32 bits; a bit set, one bit a document of the segment.
        if count * 32 >= words.len() * 64 {
            return DocList::Bits {
                words: Arc::new(words),
                max_doc,
            };
        }
        let mut docs = Vec::with_capacity(count);
        for (at, &word) in words.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                let doc = (at * 64) as DocId + word.trailing_zeros();
                if doc < max_doc {
                    docs.push(doc);
                }
                word &= word - 1;
            }
        }
        DocList::Listed(docs)
    }

    pub fn is_empty(&self) -> bool {
        match self {
            DocList::Listed(docs) => docs.is_empty(),
            DocList::Bits { words, .. } => words.iter().all(|w| *w == 0),
        }
    }

    /// Sets the set's documents in `words` (one bit a document).
    pub fn or_into(&self, words: &mut [u64]) {
        match self {
            DocList::Listed(docs) => {
                for &doc in docs {
                    words[doc as usize / 64] |= 1 << (doc % 64);
                }
            }
            DocList::Bits { words: set, .. } => {
                for (word, more) in words.iter_mut().zip(set.iter()) {
                    *word |= more;
                }
            }
        }
    }

    pub fn bytes(&self) -> usize {
        match self {
            DocList::Listed(docs) => docs.len() * 4,
            DocList::Bits { words, .. } => words.len() * 8,
        }
    }

    /// The set as a scorer giving each document `score`.
    pub fn scorer(self: &Arc<DocList>, score: Score) -> Box<dyn Scorer> {
        match &**self {
            DocList::Listed(_) => Box::new(Scored {
                docs: Listed::new(self.clone()),
                score,
            }),
            DocList::Bits { words, max_doc } => Box::new(Scored {
                docs: Bits::new(words.clone(), *max_doc),
                score,
            }),
        }
    }
}

/// A listed set, walked.
struct Listed {
    list: Arc<DocList>,
    at: usize,
}

impl Listed {
    fn new(list: Arc<DocList>) -> Listed {
        Listed { list, at: 0 }
    }

    fn docs(&self) -> &[DocId] {
        match &*self.list {
            DocList::Listed(docs) => docs,
            DocList::Bits { .. } => &[],
        }
    }
}

impl DocSet for Listed {
    fn advance(&mut self) -> DocId {
        if self.at < self.docs().len() {
            self.at += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let docs = self.docs();
        if self.at < docs.len() && docs[self.at] < target {
            // Galloping: targets are usually near.
            let mut step = 1;
            let mut low = self.at;
            let mut high = self.at + 1;
            while high < docs.len() && docs[high] < target {
                low = high;
                step *= 2;
                high = (high + step).min(docs.len());
            }
            let high = high.min(docs.len());
            self.at = low + docs[low..high].partition_point(|&d| d < target);
        }
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs().get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs().len() - self.at) as u32
    }
}

/// A set of documents, each with the same score.
struct Scored<D> {
    docs: D,
    score: Score,
}

impl<D: DocSet> DocSet for Scored<D> {
    fn advance(&mut self) -> DocId {
        self.docs.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.docs.seek(target)
    }

    fn doc(&self) -> DocId {
        self.docs.doc()
    }

    fn size_hint(&self) -> u32 {
        self.docs.size_hint()
    }
}

impl<D: DocSet + 'static> Scorer for Scored<D> {
    fn score(&mut self) -> Score {
        self.score
    }
}

/// A set of documents, one bit each.
pub(crate) struct Bits {
    words: Arc<Vec<u64>>,
    max_doc: DocId,
    doc: DocId,
    len: u32,
}

impl Bits {
    pub(crate) fn new(words: Arc<Vec<u64>>, max_doc: DocId) -> Bits {
        let len = words.iter().map(|w| w.count_ones()).sum();
        let mut bits = Bits {
            words,
            max_doc,
            doc: 0,
            len,
        };
        bits.doc = bits.first_from(0);
        bits
    }

    /// The first document at or after `from`.
    fn first_from(&self, from: DocId) -> DocId {
        if from >= self.max_doc {
            return TERMINATED;
        }
        let mut at = from as usize / 64;
        let mut word = self.words.get(at).copied().unwrap_or(0) & (u64::MAX << (from % 64));
        loop {
            if word != 0 {
                let doc = (at * 64) as DocId + word.trailing_zeros();
                return if doc < self.max_doc { doc } else { TERMINATED };
            }
            at += 1;
            match self.words.get(at) {
                Some(next) => word = *next,
                None => return TERMINATED,
            }
        }
    }
}

impl DocSet for Bits {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.first_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc != TERMINATED && self.doc < target {
            self.doc = self.first_from(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.len
    }
}

impl Scorer for Bits {
    fn score(&mut self) -> Score {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(list: DocList) -> Vec<DocId> {
        let list = Arc::new(list);
        let mut scorer = list.scorer(1.0);
        let mut seen = Vec::new();
        while scorer.doc() != TERMINATED {
            seen.push(scorer.doc());
            scorer.advance();
        }
        seen
    }

    fn bits(docs: &[DocId], max_doc: DocId) -> Vec<u64> {
        let mut words = vec![0u64; (max_doc as usize).div_ceil(64)];
        for &doc in docs {
            words[doc as usize / 64] |= 1 << (doc % 64);
        }
        words
    }

    #[test]
    fn few_documents_are_listed_many_are_bits_and_both_walk_alike() {
        let few = [3, 64, 65, 900, 4_000];
        let list = DocList::from_bits(bits(&few, 10_000), 10_000);
        assert!(matches!(list, DocList::Listed(_)));
        assert_eq!(walk(list), few);
        let many: Vec<DocId> = (0..1_000).step_by(3).collect();
        let list = DocList::from_bits(bits(&many, 1_000), 1_000);
        assert!(matches!(list, DocList::Bits { .. }));
        assert_eq!(walk(list), many);
        assert!(DocList::from_bits(bits(&[], 100), 100).is_empty());
    }

    #[test]
    fn seeking_a_list_lands_on_the_first_at_or_after() {
        let docs: Vec<DocId> = (0..5_000).map(|d| d * 7).collect();
        let list = Arc::new(DocList::Listed(docs.clone()));
        let mut scorer = list.scorer(2.0);
        for target in [0, 1, 7, 8, 700, 701, 20_000, 34_993] {
            let expected = docs
                .iter()
                .copied()
                .find(|&d| d >= target)
                .unwrap_or(TERMINATED);
            assert_eq!(scorer.seek(target), expected, "seek({target})");
            assert_eq!(scorer.score(), 2.0);
        }
        assert_eq!(scorer.seek(34_994), TERMINATED);
        assert_eq!(scorer.advance(), TERMINATED);
    }

    #[test]
    fn bits_walk_and_seek() {
        let mut words = vec![0u64; 3];
        for doc in [0u32, 5, 63, 64, 130] {
            words[doc as usize / 64] |= 1 << (doc % 64);
        }
        let mut bits = Bits::new(Arc::new(words.clone()), 140);
        let mut seen = vec![bits.doc()];
        while bits.advance() != TERMINATED {
            seen.push(bits.doc());
        }
        assert_eq!(seen, [0, 5, 63, 64, 130]);
        let mut bits = Bits::new(Arc::new(words.clone()), 140);
        assert_eq!(bits.seek(6), 63);
        assert_eq!(bits.seek(63), 63);
        assert_eq!(bits.seek(65), 130);
        assert_eq!(bits.seek(131), TERMINATED);
        assert_eq!(bits.size_hint(), 5);
        // A bit past the last document does not count.
        let mut bits = Bits::new(Arc::new(words), 100);
        assert_eq!(bits.seek(70), TERMINATED);
        let empty = Bits::new(Arc::new(Vec::new()), 0);
        assert_eq!(empty.doc(), TERMINATED);
    }
}
