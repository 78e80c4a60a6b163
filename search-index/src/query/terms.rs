//! The documents with any of a few exact terms: those a change named (its sources and keys),
//! those the fresh layer supersedes. tantivy's `TermSetQuery` builds a finite-state set of the
//! terms for every search, whose builder alone costs more than the search for a handful of
//! terms; here each term's postings are read and merged.

use std::sync::Arc;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

use super::kept::{DocList, for_each_posting};
use crate::schema::Fields;

/// Documents with any of `terms` (scores nothing).
#[derive(Clone, Debug)]
pub(crate) struct AnyTermQuery {
    terms: Arc<Vec<Term>>,
}

impl AnyTermQuery {
    pub fn new(terms: impl IntoIterator<Item = Term>) -> AnyTermQuery {
        AnyTermQuery {
            terms: Arc::new(terms.into_iter().collect()),
        }
    }

    /// The documents made from any of `sources`, or with any of `keys`.
    pub fn sources_and_keys<'a>(
        fields: &Fields,
        sources: impl IntoIterator<Item = &'a String>,
        keys: impl IntoIterator<Item = &'a String>,
    ) -> AnyTermQuery {
        let sources = sources
            .into_iter()
            .map(|s| Term::from_field_text(fields.source, s));
        let keys = keys
            .into_iter()
            .map(|k| Term::from_field_text(fields.doc_key, k));
        AnyTermQuery::new(sources.chain(keys))
    }
}

impl Query for AnyTermQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for AnyTermQuery {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = Vec::new();
        for term in self.terms.iter() {
            let inverted = reader.inverted_index(term.field())?;
            if let Some(info) = inverted.get_term_info(term)? {
                for_each_posting(&inverted, &info, |block| docs.extend_from_slice(block))?;
            }
        }
        docs.sort_unstable();
        docs.dedup();
        Ok(Arc::new(DocList::Listed(docs)).scorer(0.0))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} has none of the terms"
            )));
        }
        Ok(Explanation::new("any of the terms", 0.0))
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::DocSetCollector;
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, doc};

    use super::*;

    #[test]
    fn finds_the_documents_with_any_of_the_terms_each_once() {
        let mut schema = Schema::builder();
        let source = schema.add_text_field("source", STRING);
        let key = schema.add_text_field("key", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for n in 0..300 {
            writer
                .add_document(doc!(source => format!("text:{}", n / 10), key => format!("p:{n}")))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let query = AnyTermQuery::new([
            Term::from_field_text(source, "text:3"),
            Term::from_field_text(key, "p:35"),
            Term::from_field_text(key, "p:299"),
            Term::from_field_text(key, "p:9999"),
        ]);
        let found = searcher.search(&query, &DocSetCollector).unwrap();
        let mut keys: Vec<u32> = found.iter().map(|a| a.doc_id).collect();
        keys.sort();
        let expected: Vec<u32> = (30..40).chain([299]).collect();
        assert_eq!(keys, expected);
    }
}
