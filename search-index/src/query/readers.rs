//! The grants clause: the documents one of whose readers the searcher holds.
//!
//! Every search has it, and its grants are few and shared ("public" is in every one, a
//! group's in each of its members'), while what they match is most of the index: as term
//! queries, each search would walk "public"'s postings again, a third of the time of a search
//! that finds 300,000 paragraphs. Instead, each grant's documents in a segment are read once
//! into a bit set, kept (segments never change; deleted documents are left out when
//! collecting), and a search ORs its grants' sets.

use std::fmt;
use std::sync::Arc;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

use super::kept::{DocList, KeptDocs, set_postings};

/// How much memory the kept sets may take, in bytes (one bit a document, per grant and
/// segment, or 32 bits a document for a grant that opens few): past it, they are all dropped
/// and read again as needed.
const CACHE_BYTES: usize = 32 << 20;

/// The kept sets, shared by every clone of an index: kept as misspellings' are
/// (`super::kept`), within their own budget.
pub(crate) struct ReadersCache {
    kept: KeptDocs,
}

impl Default for ReadersCache {
    fn default() -> ReadersCache {
        ReadersCache {
            kept: KeptDocs::within(CACHE_BYTES),
        }
    }
}

impl fmt::Debug for ReadersCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReadersCache")
    }
}

impl ReadersCache {
    /// The documents of `reader` with `grant` among their readers.
    fn documents(
        &self,
        reader: &SegmentReader,
        field: Field,
        grant: &str,
    ) -> tantivy::Result<Arc<DocList>> {
        self.kept
            .get_or_read(reader.segment_id(), field, grant, || {
                let mut words = vec![0u64; (reader.max_doc() as usize).div_ceil(64)];
                let inverted = reader.inverted_index(field)?;
                if let Some(info) = inverted.get_term_info(&Term::from_field_text(field, grant))? {
                    set_postings(&inverted, &info, &mut words)?;
                }
                Ok(DocList::from_bits(words, reader.max_doc()))
            })
    }
}

/// Documents with any of `grants` among their readers (scores nothing).
#[derive(Clone, Debug)]
pub(crate) struct ReadersQuery {
    pub field: Field,
    pub grants: Vec<String>,
    pub cache: Arc<ReadersCache>,
}

impl Query for ReadersQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for ReadersQuery {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        if let [grant] = self.grants.as_slice() {
            return Ok(self.cache.documents(reader, self.field, grant)?.scorer(0.0));
        }
        // Many members hold the same grants (a section's): their union is kept too, by the
        // grants (sorted, each once), which cannot be taken for a grant (no grant has a line
        // break).
        let union = self.grants.join("\n");
        let set = self
            .cache
            .kept
            .get_or_read(reader.segment_id(), self.field, &union, || {
                let mut words = vec![0u64; (reader.max_doc() as usize).div_ceil(64)];
                for grant in &self.grants {
                    self.cache
                        .documents(reader, self.field, grant)?
                        .or_into(&mut words);
                }
                Ok(DocList::from_bits(words, reader.max_doc()))
            })?;
        Ok(set.scorer(0.0))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} has none of the grants"
            )));
        }
        Ok(Explanation::new("readers", 0.0))
    }
}
