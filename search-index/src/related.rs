//! Related work: the documents most like a given one (or a given text), from elsewhere.
//!
//! Tantivy's `MoreLikeThisQuery` would do, but its defaults (a word must be in 5 documents and
//! twice in the source) find nothing in a young party's small index, and it reads one
//! searcher's statistics where ours are two layers (`crate::fresh`). So the same idea, by
//! hand: the source's words weighed by tf·idf over both layers, the best [`MAX_TERMS`] kept,
//! and documents sharing at least two of them (one when there are few) ranked by BM25.

use std::collections::BTreeMap;

use tantivy::collector::TopDocs;
use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Score, TantivyDocument, Term};

use crate::SearchError;
use crate::analyzers::analyze_at;
use crate::index::SearchIndex;
use crate::query::build::{
    Highlight, Lang, TITLE_BOOST, any_of, keyword_query, term_query, unscored,
};
use crate::query::layers::Together;
use crate::query::snippets::{Snippets, hit};
use crate::query::{Hit, MAX_LIMIT};

/// Most words of the source a related search looks for.
const MAX_TERMS: usize = 25;
/// Words (stems) shorter than this say little.
const MIN_TERM_CHARS: usize = 3;
/// A word in more than this share of the documents says little (once there are enough
/// documents for shares to mean something).
const MAX_DOC_SHARE: f64 = 0.5;
const MIN_DOCS_FOR_SHARE: u64 = 20;
/// From this many words kept, a related document must share two of them.
const TWO_SHARED_FROM: usize = 4;

/// What to find documents like.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Like {
    /// The indexed document with this key (its own source is left out of the results). A
    /// document the searcher may not see has no related documents.
    Key(String),
    /// Some text, e.g. an amendment being written (read as French and as English).
    Text(String),
}

impl Default for Like {
    fn default() -> Like {
        Like::Text(String::new())
    }
}

/// A search for related work. As for [`crate::SearchQuery`], `readers` are the searcher's
/// grants and an empty list finds nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RelatedQuery {
    /// What to find documents like.
    pub like: Like,
    /// The searcher's grants.
    pub readers: Vec<String>,
    /// Ignores `readers` (the server's own checks only).
    pub all_readers_for_internal_checks: bool,
    /// Only these kinds (empty: any), e.g. `["paragraph", "amendment", "debate"]`.
    pub kinds: Vec<String>,
    /// Leave out documents made from these sources ("text:5"), beside the document's own.
    pub exclude_sources: Vec<String>,
    /// Leave out documents of these groups (the section the reader is in: « ailleurs »).
    pub exclude_groups: Vec<String>,
    /// Leave out documents of these themes.
    pub exclude_themes: Vec<String>,
    /// How many, at most [`MAX_LIMIT`].
    pub limit: usize,
}

/// The source of a related search: its text per language, and what to leave out.
struct Source {
    texts: Vec<(Lang, String)>,
    /// (key, source) of the document, when there is one.
    own: Option<(String, String)>,
}

impl SearchIndex {
    /// The documents most like `q.like`, best first, that the searcher may see, not from the
    /// document's own source nor from what `q` excludes. Snippets mark the shared words.
    pub fn related(&self, q: &RelatedQuery) -> Result<Vec<Hit>, SearchError> {
        let f = &self.fields;
        let layers = self.layers();
        let statistics = Together::of(&layers);
        let limit = q.limit.min(MAX_LIMIT);
        let readers = self.readers_filter(&q.readers, q.all_readers_for_internal_checks);
        let source = match &q.like {
            Like::Text(text) => Source {
                texts: Lang::BOTH.iter().map(|l| (*l, text.clone())).collect(),
                own: None,
            },
            Like::Key(key) => match self.document(&layers, key, &*readers)? {
                Some(source) => source,
                None => return Ok(Vec::new()),
            },
        };
        if limit == 0 {
            return Ok(Vec::new());
        }

        // The words of the source, weighed.
        let total_docs = statistics
            .total_num_docs()
            .map_err(|cause| self.query_error(cause))?;
        let mut weighed: Vec<(Score, Lang, String)> = Vec::new();
        for (lang, text) in &source.texts {
            let mut analyzer = match lang {
                Lang::Fr => self.analyzers.fr.clone(),
                Lang::En => self.analyzers.en.clone(),
            };
            let mut frequencies: BTreeMap<String, u32> = BTreeMap::new();
            for (_, token) in analyze_at(&mut analyzer, text) {
                if token.chars().count() >= MIN_TERM_CHARS {
                    *frequencies.entry(token).or_insert(0) += 1;
                }
            }
            let (_, body) = lang.fields(f);
            for (term, frequency) in frequencies {
                let df = statistics
                    .doc_freq(&Term::from_field_text(body, &term))
                    .map_err(|cause| self.query_error(cause))?;
                // Found in no other document than the source itself: it cannot relate.
                let own = u64::from(source.own.is_some());
                let too_common = total_docs >= MIN_DOCS_FOR_SHARE
                    && df as f64 > MAX_DOC_SHARE * total_docs as f64;
                if df <= own || too_common {
                    continue;
                }
                let idf = (1.0 + (total_docs as f64 - df as f64 + 0.5) / (df as f64 + 0.5)).ln();
                weighed.push(((f64::from(frequency) * idf) as Score, *lang, term));
            }
        }
        weighed.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
        weighed.truncate(MAX_TERMS);
        if weighed.is_empty() {
            return Ok(Vec::new());
        }
        let best = weighed[0].0.max(f32::EPSILON);
        let mut highlight = Highlight::default();
        let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (weight, lang, term) in &weighed {
            let (title, body) = lang.fields(f);
            let boost = weight / best;
            words.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    any_of(vec![
                        term_query(body, term),
                        Box::new(BoostQuery::new(term_query(title, term), TITLE_BOOST)),
                    ]),
                    boost,
                )),
            ));
            highlight.exact[*lang as usize].insert(term.clone());
        }
        let shared = if words.len() >= TWO_SHARED_FROM { 2 } else { 1 };
        let like = BooleanQuery::with_minimum_required_clauses(words, shared);

        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(like)), (Occur::Must, readers)];
        if !q.kinds.is_empty() {
            let kinds = q.kinds.iter().map(|k| keyword_query(f.kind, k)).collect();
            clauses.push((Occur::Must, unscored(any_of(kinds))));
        }
        let mut excluded: Vec<Box<dyn Query>> = Vec::new();
        if let Some((key, own_source)) = &source.own {
            excluded.push(keyword_query(f.doc_key, key));
            if !own_source.is_empty() {
                excluded.push(keyword_query(f.source, own_source));
            }
        }
        for (field, values) in [
            (f.source, &q.exclude_sources),
            (f.group_id, &q.exclude_groups),
            (f.theme, &q.exclude_themes),
        ] {
            excluded.extend(values.iter().map(|v| keyword_query(field, v)));
        }
        for query in excluded {
            clauses.push((Occur::MustNot, query));
        }
        let query = BooleanQuery::new(clauses);

        let mut ranked: Vec<(Score, usize, DocAddress)> = Vec::new();
        for (at, layer) in layers.iter().enumerate() {
            let top = layer
                .searcher
                .search_with_statistics_provider(
                    &*layer.restrict(&query),
                    &TopDocs::with_limit(limit).order_by_score(),
                    &statistics,
                )
                .map_err(|cause| self.query_error(cause))?;
            ranked.extend(top.into_iter().map(|(score, address)| (score, at, address)));
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let snippets = Snippets::new(f, &self.analyzers, highlight, &statistics);
        let mut hits = Vec::with_capacity(limit);
        for (score, at, address) in ranked.into_iter().take(limit) {
            let doc: TantivyDocument = layers[at]
                .searcher
                .doc(address)
                .map_err(|cause| self.query_error(cause))?;
            hits.push(hit(f, &doc, score, Some(&snippets)));
        }
        Ok(hits)
    }

    /// The stored document with this key, if the searcher may see it.
    fn document(
        &self,
        layers: &[crate::query::layers::Layer],
        key: &str,
        readers: &dyn Query,
    ) -> Result<Option<Source>, SearchError> {
        let f = &self.fields;
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.doc_key, key),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
            (Occur::Must, readers.box_clone()),
        ]);
        // The fresh layer last: it holds the newest copy.
        for layer in layers.iter().rev() {
            let top = layer
                .searcher
                .search(
                    &*layer.restrict(&query),
                    &TopDocs::with_limit(1).order_by_score(),
                )
                .map_err(|cause| self.query_error(cause))?;
            let Some((_, address)) = top.first() else {
                continue;
            };
            let doc: TantivyDocument = layer
                .searcher
                .doc(*address)
                .map_err(|cause| self.query_error(cause))?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let lang = Lang::of(f.language_of(&doc));
            let (title, body) = lang.fields(f);
            return Ok(Some(Source {
                texts: vec![(lang, format!("{}\n{}", text(title), text(body)))],
                own: Some((key.to_owned(), text(f.source))),
            }));
        }
        Ok(None)
    }
}
