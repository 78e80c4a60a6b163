//! Queries.

use std::collections::BTreeMap;
use std::ops::Bound;

use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, Query,
    QueryParserError, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DateTime, DocAddress, DocId, Order, Score, Searcher, SegmentOrdinal, SegmentReader,
    TantivyDocument, Term,
};

use crate::SearchError;
use crate::index::SearchIndex;
use crate::schema::{Fields, names};
use crate::writer::place_facet;

/// Largest page a query may ask for.
pub const MAX_LIMIT: usize = 100;
/// Deepest a query may page (offset + limit); deeper pages cost memory for nothing.
pub const MAX_DEPTH: usize = 10_000;
/// Longest query text taken into account, in characters; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Length of a snippet, in characters.
const SNIPPET_CHARS: usize = 200;
/// What surrounds a matched word in a snippet.
const HIGHLIGHT: (&str, &str) = ("<mark>", "</mark>");

/// A search. `text` is user input in tantivy's query syntax, parsed leniently: anything it
/// cannot make sense of is dropped, never an error; only its first [`MAX_QUERY_CHARS`]
/// characters count. All words are required (AND by default); `-word` excludes, but a query of
/// exclusions (or stop words) alone finds nothing. An empty `text` lists every document that
/// passes the filters, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// What the member typed.
    pub text: String,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this group.
    pub group_id: Option<String>,
    /// Only this place and below: "/federation" or "/federation/section" ("/": anywhere, but
    /// only documents that have a place).
    pub place_prefix: Option<String>,
    /// Only documents dated at or after (unix seconds, inclusive).
    pub from: Option<i64>,
    /// Only documents dated at or before (unix seconds, inclusive).
    pub to: Option<i64>,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return, at most [`MAX_LIMIT`]. 0 returns no hits but still the total and facets.
    pub limit: usize,
}

/// One page of results.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchResults {
    /// Number of documents matching the query and all its filters.
    pub total: usize,
    /// The page asked for.
    pub hits: Vec<Hit>,
    /// Number of matching documents per kind, ignoring the query's own kind filter (so that the
    /// other kinds can be offered), most frequent first.
    pub facets_kind: Vec<(String, u64)>,
    /// The same per group, ignoring the query's own group filter.
    pub facets_group: Vec<(String, u64)>,
}

/// One hit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hit {
    /// The document's key.
    pub key: String,
    /// What the document was made from, e.g. "text:5" (empty: none).
    pub source: String,
    /// The document's kind.
    pub kind: String,
    /// Plain text: escape it.
    pub title: String,
    /// An excerpt of the body (or the title, when the body did not match), HTML-escaped,
    /// matched words in `<mark>`.
    pub snippet_html: String,
    /// Where the hit links to.
    pub url: String,
    /// BM25 score (0 when listing without text).
    pub score: f32,
    /// The document's date, unix seconds.
    pub date: Option<i64>,
    /// The document's status.
    pub status: Option<String>,
    /// The document's author.
    pub author: Option<String>,
}

impl SearchIndex {
    /// Runs `q`. User syntax errors are ignored; errors are tantivy failures only.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let query_error = |cause| SearchError::Query {
            path: self.location.to_string(),
            cause,
        };
        let f = &self.fields;
        let layers = self.layers();
        let text = match q.text.char_indices().nth(MAX_QUERY_CHARS) {
            Some((cut, _)) => &q.text[..cut],
            None => &q.text,
        }
        .trim();
        let listing = text.is_empty();
        let text_query: Box<dyn Query> = if listing {
            Box::new(AllQuery)
        } else {
            let (query, errors) = self.parser.parse_query_lenient(text);
            // When nothing but exclusions (or nothing but stop words) is left, the lenient
            // parser turns the query into "everything but …": a search box should find nothing.
            if errors
                .iter()
                .any(|e| matches!(e, QueryParserError::AllButQueryForbidden))
            {
                Box::new(EmptyQuery)
            } else {
                query
            }
        };

        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(place) = &q.place_prefix {
            let term = Term::from_facet(f.place, &place_facet(place));
            filters.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
        }
        if q.from.is_some() || q.to.is_some() {
            let bound = |secs: Option<i64>| match secs {
                Some(secs) => Bound::Included(Term::from_field_date_for_search(
                    f.date,
                    DateTime::from_timestamp_secs(secs),
                )),
                None => Bound::Unbounded,
            };
            filters.push(Box::new(RangeQuery::new(bound(q.from), bound(q.to))));
        }
        let kind = q.kind.as_deref().map(|kind| term_filter(f.kind, kind));
        let group = q.group_id.as_deref().map(|g| term_filter(f.group_id, g));
        // Each facet counts what matches every filter but its own, so that the other values
        // can be offered.
        let filtered = |extra: [Option<&Box<dyn Query>>; 2]| {
            with_filters(
                text_query.box_clone(),
                filters
                    .iter()
                    .chain(extra.into_iter().flatten())
                    .map(|f| f.box_clone()),
            )
        };
        let full = filtered([kind.as_ref(), group.as_ref()]);
        let for_kinds = filtered([None, group.as_ref()]);
        let for_groups = filtered([kind.as_ref(), None]);

        let limit = q.limit.min(MAX_LIMIT);
        let offset = q.offset.min(MAX_DEPTH.saturating_sub(limit));
        // Both layers are scored with the statistics of the two together, and each gives its
        // best `offset + limit`: the page is cut from their merge.
        let statistics = Together(layers.iter().map(|l| &l.searcher).collect());
        let mut total = 0;
        let mut kinds = BTreeMap::new();
        let mut groups = BTreeMap::new();
        let mut ranked = Vec::new();
        for (at, layer) in layers.iter().enumerate() {
            let full = layer.restrict(&*full);
            let (top, count) =
                self.top_and_count(layer, &statistics, &*full, listing, offset + limit)?;
            total += count;
            ranked.extend(
                top.into_iter()
                    .map(|(key, score, address)| (key, score, at, address)),
            );
            // More passes, simpler than one multi-collector pass per case; cheap at our sizes.
            for (query, counts, field) in [
                (&for_kinds, &mut kinds, names::KIND),
                (&for_groups, &mut groups, names::GROUP_ID),
            ] {
                let fruit = layer
                    .searcher
                    .search(&*layer.restrict(&**query), &TermCounts(field))
                    .map_err(query_error)?;
                for (value, count) in fruit {
                    *counts.entry(value).or_insert(0) += count;
                }
            }
        }
        // Highest first; a tie keeps the disk's order, then the fresh layer's.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));

        let mut snippets: Vec<Option<Snippets>> = layers.iter().map(|_| None).collect();
        let mut hits = Vec::with_capacity(limit);
        for (_, score, at, address) in ranked.into_iter().skip(offset).take(limit) {
            let searcher = &layers[at].searcher;
            if !listing && snippets[at].is_none() {
                let generator = |field| {
                    SnippetGenerator::create(searcher, &*full, field).map(|mut generator| {
                        generator.set_max_num_chars(SNIPPET_CHARS);
                        generator
                    })
                };
                snippets[at] = Some(Snippets {
                    body: generator(f.body).map_err(query_error)?,
                    title: generator(f.title).map_err(query_error)?,
                });
            }
            let doc: TantivyDocument = searcher.doc(address).map_err(query_error)?;
            hits.push(hit(f, &doc, score, snippets[at].as_ref()));
        }

        Ok(SearchResults {
            total,
            hits,
            facets_kind: most_frequent_first(kinds),
            facets_group: most_frequent_first(groups),
        })
    }

    /// What a search reads: the disk index (less what the fresh layer supersedes) and the fresh
    /// layer, taken together under the view's lock (see `fresh.rs`).
    fn layers(&self) -> Vec<Layer> {
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

    /// The best `depth` documents of a layer, each with what ranks it (its score, or its date
    /// when listing) and its score, and how many match.
    fn top_and_count(
        &self,
        layer: &Layer,
        statistics: &Together<'_>,
        query: &dyn Query,
        listing: bool,
        depth: usize,
    ) -> Result<(Vec<Ranked>, usize), SearchError> {
        let query_error = |cause| SearchError::Query {
            path: self.location.to_string(),
            cause,
        };
        let searcher = &layer.searcher;
        if depth == 0 {
            let total = searcher.search(query, &Count).map_err(query_error)?;
            return Ok((Vec::new(), total));
        }
        let top = TopDocs::with_limit(depth);
        if listing {
            let by_date = top.order_by_fast_field::<DateTime>(names::DATE, Order::Desc);
            let (top, total) = searcher
                .search(query, &(by_date, Count))
                .map_err(query_error)?;
            let top = top.into_iter().map(|(date, address)| {
                let date = date.map_or(f64::NEG_INFINITY, |d| d.into_timestamp_secs() as f64);
                (date, 0.0, address)
            });
            Ok((top.collect(), total))
        } else {
            let (top, total) = searcher
                .search_with_statistics_provider(query, &(top.order_by_score(), Count), statistics)
                .map_err(query_error)?;
            let top = top
                .into_iter()
                .map(|(score, address)| (f64::from(score), score, address));
            Ok((top.collect(), total))
        }
    }
}

/// A document found in a layer: what ranks it (its score, or its date when listing), its
/// score, and where it is.
type Ranked = (f64, Score, DocAddress);

/// One layer of the index a search reads.
struct Layer {
    searcher: Searcher,
    /// The documents superseded by the fresh layer, for the disk layer.
    hidden: Option<Box<dyn Query>>,
}

impl Layer {
    /// `query`, less the documents this layer must hide.
    fn restrict(&self, query: &dyn Query) -> Box<dyn Query> {
        match &self.hidden {
            None => query.box_clone(),
            Some(hidden) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, query.box_clone()),
                (Occur::MustNot, hidden.box_clone()),
            ])),
        }
    }
}

/// The BM25 statistics of several layers taken together, so that a document scores the same
/// whichever layer holds it.
struct Together<'a>(Vec<&'a Searcher>);

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

/// A filter clause: must match, adds nothing to the score.
fn term_filter(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn with_filters(
    query: Box<dyn Query>,
    filters: impl IntoIterator<Item = Box<dyn Query>>,
) -> Box<dyn Query> {
    let mut clauses = vec![(Occur::Must, query)];
    for filter in filters {
        let filter: Box<dyn Query> = Box::new(ConstScoreQuery::new(filter, 0.0));
        clauses.push((Occur::Must, filter));
    }
    if clauses.len() == 1 {
        clauses.remove(0).1
    } else {
        Box::new(BooleanQuery::new(clauses))
    }
}

/// The snippet generators of a query: the body's, and the title's for hits found by it.
struct Snippets {
    body: SnippetGenerator,
    title: SnippetGenerator,
}

fn highlighted(generator: &SnippetGenerator, text: &str) -> Option<String> {
    let mut snippet = generator.snippet(text);
    if snippet.highlighted().is_empty() {
        return None;
    }
    snippet.set_snippet_prefix_postfix(HIGHLIGHT.0, HIGHLIGHT.1);
    Some(snippet.to_html())
}

fn hit(f: &Fields, doc: &TantivyDocument, score: Score, snippets: Option<&Snippets>) -> Hit {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let body = text(f.body).unwrap_or_default();
    let title = text(f.title).unwrap_or_default();
    let snippet_html = snippets
        .and_then(|s| {
            highlighted(&s.body, &body).or_else(|| {
                // A document found by its title alone (a text's title has no body).
                body.is_empty()
                    .then(|| highlighted(&s.title, &title))
                    .flatten()
            })
        })
        .unwrap_or_else(|| leading_excerpt(&body));
    Hit {
        key: text(f.doc_key).unwrap_or_default(),
        source: text(f.source).unwrap_or_default(),
        kind: text(f.kind).unwrap_or_default(),
        title: text(f.label).unwrap_or(title),
        snippet_html,
        url: text(f.url).unwrap_or_default(),
        score,
        date: doc
            .get_first(f.date)
            .and_then(|v| v.as_datetime())
            .map(|d| d.into_timestamp_secs()),
        status: text(f.status),
        author: text(f.author),
    }
}

/// The start of `body`, escaped, cut at a word boundary, for hits whose body did not match.
fn leading_excerpt(body: &str) -> String {
    let mut end = body.len();
    if let Some((cut, _)) = body.char_indices().nth(SNIPPET_CHARS) {
        end = body[..cut].rfind(char::is_whitespace).unwrap_or(cut);
    }
    let mut html = escape_html(body[..end].trim_end());
    if end < body.len() {
        html.push('…');
    }
    html
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Sorts counts, most frequent first, then by value.
fn most_frequent_first(counts: BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

/// Counts matching documents per value of a string fast field (`kind`, `group_id`).
struct TermCounts(&'static str);

struct TermCountsSegment {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl Collector for TermCounts {
    type Fruit = BTreeMap<String, u64>;
    type Child = TermCountsSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TermCountsSegment> {
        let column = reader.fast_fields().str(self.0)?;
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(TermCountsSegment {
            column,
            counts: vec![0; terms],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<BTreeMap<String, u64>>,
    ) -> tantivy::Result<BTreeMap<String, u64>> {
        let mut merged = BTreeMap::new();
        for fruit in fruits {
            for (value, count) in fruit {
                *merged.entry(value).or_insert(0) += count;
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for TermCountsSegment {
    type Fruit = BTreeMap<String, u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(column) = &self.column {
            for ord in column.term_ords(doc) {
                if let Some(count) = self.counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        let Some(column) = self.column else {
            return counts;
        };
        for (ord, &count) in self.counts.iter().enumerate() {
            let mut value = String::new();
            if count > 0 && matches!(column.ord_to_str(ord as u64, &mut value), Ok(true)) {
                counts.insert(value, count);
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_at_a_word_and_escapes() {
        assert_eq!(leading_excerpt("a <b> & c"), "a &lt;b&gt; &amp; c");
        let long = "mot ".repeat(100);
        let excerpt = leading_excerpt(&long);
        assert!(excerpt.ends_with("mot…"), "{excerpt}");
        assert!(excerpt.chars().count() <= SNIPPET_CHARS + 1);
    }
}
