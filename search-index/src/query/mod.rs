//! Searches: a query's text ([`syntax`], [`build`]), the searcher's grants, the filters, the
//! facets each without its own filter ([`facets`]), and the hits with their snippets.

pub(crate) mod build;
mod either;
pub(crate) mod facets;
mod guarded;
pub(crate) mod kept;
pub(crate) mod layers;
mod prefix;
pub(crate) mod readers;
pub(crate) mod snippets;
pub(crate) mod syntax;
pub(crate) mod terms;
mod typos;

use std::collections::BTreeMap;
use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, EmptyQuery, Occur, Query, RangeQuery};
use tantivy::{DateTime, DocAddress, Order, Score, TantivyDocument, Term};

use self::build::{Builder, all_of, keyword_query, unscored};
use self::facets::{Counts, Facet, FacetFilter, Faceted, Nothing, most_frequent_first, place_tree};
use self::layers::{Layer, Together};
use self::readers::ReadersQuery;
use self::snippets::{Snippets, hit};
use self::syntax::{MAX_QUERY_CHARS, Notice};
use self::terms::AnyTermQuery;
use crate::SearchError;
use crate::index::{IndexVersion, SearchIndex};
use crate::schema::{Fields, Language, names};
use crate::writer::place_facet;

/// Largest page a query may ask for.
pub const MAX_LIMIT: usize = 100;
/// Deepest a query may page (offset + limit); deeper pages cost memory for nothing.
pub const MAX_DEPTH: usize = 10_000;
/// Most grants a searcher's `readers` may hold; the rest are ignored.
pub const MAX_READERS: usize = 1_000;

/// How hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// Best match first (when there are words; newest first otherwise).
    #[default]
    Relevance,
    /// Newest first (documents without a date last).
    Date,
}

/// A search.
///
/// `text` is what the member typed, read leniently (never an error; see [`Notice`] and
/// [`SearchResults::reading`]): words (all required, each also found with a typo), "phrases", -exclusions,
/// prefixes*, and field:value for kind, status, author, theme, place, convention, title,
/// language (French names too). Only its first [`MAX_QUERY_CHARS`] characters count. An empty
/// `text` (or one with only field:value) lists what passes the filters, newest first.
///
/// `readers` are the searcher's grants: only documents one of whose
/// [`readers`](crate::IndexDoc::readers) is among them are found — in the total, the facets
/// and every page alike. **An empty list finds nothing.**
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    /// What the member typed.
    pub text: String,
    /// The searcher's grants, e.g. `["public", "members", "group:12", "member:5"]`.
    pub readers: Vec<String>,
    /// Leaves out the documents any of these grants open, whatever `readers` open: a search
    /// split in two parts, what grants shared by many open (an answer many can share) and
    /// what the searcher's own grants alone open, joined by [`SearchResults::joined`].
    pub except_readers: Vec<String>,
    /// Ignores `readers` and finds every document, whoever may see it. Only for the server's
    /// own checks (comparing a rebuilt index with the live one), never for a member's search.
    pub all_readers_for_internal_checks: bool,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this group.
    pub group_id: Option<String>,
    /// Only this theme (the value as indexed).
    pub theme: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only this convention (the value as indexed).
    pub convention: Option<String>,
    /// Only this author (the value as indexed).
    pub author: Option<String>,
    /// Only documents in this language.
    pub language: Option<Language>,
    /// Only this place and below: "/federation" or "/federation/section" ("/": anywhere, but
    /// only documents that have a place).
    pub place_prefix: Option<String>,
    /// Only documents dated at or after (unix seconds, inclusive).
    pub from: Option<i64>,
    /// Only documents dated at or before (unix seconds, inclusive).
    pub to: Option<i64>,
    /// The order of hits.
    pub sort: Sort,
    /// Hits to skip (bounded so that offset + limit ≤ [`MAX_DEPTH`]).
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
    /// The same per theme, ignoring the theme filter.
    pub facets_theme: Vec<(String, u64)>,
    /// The same per status, ignoring the status filter.
    pub facets_status: Vec<(String, u64)>,
    /// The same per convention, ignoring the convention filter.
    pub facets_convention: Vec<(String, u64)>,
    /// The same per place, ignoring the place filter, in tree order: every first-level place
    /// ("/rhone"), and under each place on the filter's path its children ("/rhone/lyon-3"),
    /// each level most frequent first. A document counts for its place and all above it.
    pub facets_place: Vec<(String, u64)>,
    /// How the text was read, when it differs from what was typed (to show: « Recherche
    /// comprise comme : … »).
    pub reading: Option<String>,
    /// What the page should say about the query (unknown field, cut, …).
    pub notices: Vec<Notice>,
    /// What joining two parts of a search needs (see [`SearchResults::joined`]).
    pub(crate) joinable: Joinable,
}

/// What joining two parts of a search needs, beside the answer: where each hit stands in the
/// order of the whole search, and each place's own count (`facets_place` adds the places
/// below to each). Not part of the answer: ignored when answers are compared.
#[derive(Clone, Debug, Default)]
pub(crate) struct Joinable {
    /// Per hit: what ranks it (its score or its date), then its layer and address, which
    /// break ties as a single search does.
    order: Vec<(f64, usize, DocAddress)>,
    places: BTreeMap<String, u64>,
}

impl PartialEq for Joinable {
    fn eq(&self, _: &Joinable) -> bool {
        true
    }
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
    /// The document's language.
    pub language: Language,
    /// Plain text: escape it.
    pub title: String,
    /// An excerpt of the body (or the title, when the body did not match), HTML-escaped,
    /// matched words (exact, with a typo or by prefix) in `<mark>`.
    pub snippet_html: String,
    /// Where the hit links to.
    pub url: String,
    /// What ranks the hit (higher first; 0 when ordered by date). Not comparable between
    /// queries: each word matched exactly adds a large constant to BM25.
    pub score: f32,
    /// The document's date, unix seconds.
    pub date: Option<i64>,
    /// The document's status.
    pub status: Option<String>,
    /// The document's author.
    pub author: Option<String>,
    /// The owning group.
    pub group_id: Option<String>,
    /// The document's theme.
    pub theme: Option<String>,
    /// The document's convention.
    pub convention: Option<String>,
    /// The document's place, "/federation/section".
    pub place: Option<String>,
}

/// Most documents changed since an answer was found for it to be checked rather than found
/// again (a text's paragraphs, edited, are one source).
const MAX_CHANGED: usize = 64;

/// A query, read and built ([`SearchIndex::prepare`]).
struct Prepared {
    /// Every clause the counts and pages share.
    query: Box<dyn Query>,
    built: build::Built,
    reading: Option<String>,
    notices: Vec<Notice>,
}

/// A document found in a layer: what ranks it (its score, or its date), its score, where.
type Ranked = (f64, Score, DocAddress);

/// The order of a search's hits: what ranks them, highest first; then the layer, then the
/// address.
fn by_rank(a: (f64, usize, DocAddress), b: (f64, usize, DocAddress)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
}

impl SearchResults {
    /// The answer to `q` from two answers to parts of it that share no document (the second
    /// searched with the first's grants as [`SearchQuery::except_readers`]), each asked from
    /// its first hit (`offset` 0) as deep as `q` pages (`limit` at least `q.offset + q.limit`),
    /// on the same state of the index: then it is exactly the answer of `q` searched whole.
    /// (On two states, a tie between one part's hit and the other's may go either way.)
    pub fn joined(a: &SearchResults, b: &SearchResults, q: &SearchQuery) -> SearchResults {
        let sum = |x: &[(String, u64)], y: &[(String, u64)]| {
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            for (value, count) in x.iter().chain(y) {
                *counts.entry(value.clone()).or_insert(0) += count;
            }
            most_frequent_first(counts)
        };
        let mut places = a.joinable.places.clone();
        for (place, count) in &b.joinable.places {
            *places.entry(place.clone()).or_insert(0) += count;
        }
        let mut ranked: Vec<(&Hit, (f64, usize, DocAddress))> = a
            .hits
            .iter()
            .zip(a.joinable.order.iter().copied())
            .chain(b.hits.iter().zip(b.joinable.order.iter().copied()))
            .collect();
        ranked.sort_by(|x, y| by_rank(x.1, y.1));
        let limit = q.limit.min(MAX_LIMIT);
        let offset = q.offset.min(MAX_DEPTH.saturating_sub(limit));
        let (hits, order) = ranked
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(hit, order)| (hit.clone(), order))
            .unzip();
        SearchResults {
            total: a.total + b.total,
            hits,
            facets_kind: sum(&a.facets_kind, &b.facets_kind),
            facets_group: sum(&a.facets_group, &b.facets_group),
            facets_theme: sum(&a.facets_theme, &b.facets_theme),
            facets_status: sum(&a.facets_status, &b.facets_status),
            facets_convention: sum(&a.facets_convention, &b.facets_convention),
            facets_place: place_tree(&places, q.place_prefix.as_deref()),
            reading: a.reading.clone(),
            notices: a.notices.clone(),
            joinable: Joinable { order, places },
        }
    }
}

impl SearchIndex {
    /// Runs `q`. User syntax never errs; errors are tantivy failures only.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.search_versioned(q).map(|(results, _)| results)
    }

    /// Runs `q`, and says on which state of the index ([`SearchIndex::version`]): for keeping
    /// the answer, and checking later that it still holds ([`SearchIndex::still_answers`]).
    pub fn search_versioned(
        &self,
        q: &SearchQuery,
    ) -> Result<(SearchResults, IndexVersion), SearchError> {
        let snapshot = self.snapshot();
        let results = self.search_on(&snapshot.layers, q)?;
        Ok((results, snapshot.version))
    }

    /// What the query of `q` is: its text read and built, and the clauses every count and page
    /// shares (the text, the grants, the filters that no facet ignores), as one query.
    fn prepare(&self, layers: &[Layer], q: &SearchQuery) -> Prepared {
        let f = &self.fields;
        let mut notices = Vec::new();
        let text = match q.text.char_indices().nth(MAX_QUERY_CHARS) {
            Some((cut, _)) => {
                notices.push(Notice::Truncated {
                    kept_chars: MAX_QUERY_CHARS,
                });
                &q.text[..cut]
            }
            None => &q.text,
        };
        let mut parsed = syntax::parse(text);
        let built = Builder::new(f, &self.analyzers, layers, &self.kept_docs).build(&parsed);
        notices.append(&mut parsed.notices);
        notices.extend(built.notices.iter().cloned());

        let mut common: Vec<Box<dyn Query>> = vec![built.query()];
        common.push(self.readers_filter(&q.readers, q.all_readers_for_internal_checks));
        if let Some(author) = &q.author {
            common.push(unscored(keyword_query(f.author, author)));
        }
        if let Some(language) = q.language {
            common.push(unscored(keyword_query(f.language, language.code())));
        }
        if q.from.is_some() || q.to.is_some() {
            let bound = |secs: Option<i64>| match secs {
                Some(secs) => Bound::Included(Term::from_field_date_for_search(
                    f.date,
                    DateTime::from_timestamp_secs(secs),
                )),
                None => Bound::Unbounded,
            };
            common.push(unscored(Box::new(RangeQuery::new(
                bound(q.from),
                bound(q.to),
            ))));
        }
        let mut query = all_of(common);
        if !q.except_readers.is_empty() {
            query = Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (
                    Occur::MustNot,
                    self.readers_filter(&q.except_readers, false),
                ),
            ]));
        }
        Prepared {
            query,
            built,
            reading: parsed.reading,
            notices,
        }
    }

    /// Whether the answer `q` had on the state of version `then` is its answer now: when no
    /// document changed since (added, replaced or deleted) matches the query — grants and
    /// filters included, the facets' own filters left out, as they count — neither as it was
    /// then nor as it is now, the same documents match, so the same total, facets and hits.
    /// Their scores and snippets are then's: the corpus's statistics moved by the few
    /// documents changed, so a fresh search could order two nearly equal hits the other way
    /// (as a merge of segments can) or show another passage of one. `Some(version now)` if so; `None`
    /// when it may differ, or cannot be told (that state is no longer kept, or the index
    /// was reloaded by another writer, or cleared).
    pub fn still_answers(
        &self,
        q: &SearchQuery,
        then: IndexVersion,
    ) -> Result<Option<IndexVersion>, SearchError> {
        let now = self.snapshot();
        if now.version == then {
            return Ok(Some(then));
        }
        let Some(changed) = self.fresh.changed_between(then, now.version) else {
            return Ok(None);
        };
        if changed.everything || changed.sources.len() + changed.keys.len() > MAX_CHANGED {
            return Ok(None);
        }
        if changed.is_empty() {
            return Ok(Some(now.version));
        }
        let Some(before) = self.snapshots.get(then) else {
            return Ok(None);
        };
        let changed: Box<dyn Query> = Box::new(AnyTermQuery::sources_and_keys(
            &self.fields,
            &changed.sources,
            &changed.keys,
        ));
        for state in [&before, &now] {
            let prepared = self.prepare(&state.layers, q);
            let query = all_of(vec![prepared.query, changed.box_clone()]);
            for layer in &state.layers {
                let found = layer
                    .searcher
                    .search(&*layer.restrict(&*query), &Count)
                    .map_err(|cause| self.query_error(cause))?;
                if found > 0 {
                    return Ok(None);
                }
            }
        }
        Ok(Some(now.version))
    }

    /// Runs `q` on `layers`.
    fn search_on(&self, layers: &[Layer], q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let f = &self.fields;
        let Prepared {
            query,
            built,
            reading,
            mut notices,
        } = self.prepare(layers, q);
        let listing = built.scored.is_none();
        let by_date = listing || q.sort == Sort::Date;
        // Each facet's own filter: checked while counting, not in the query (`Faceted`).
        let mut own: Vec<(Facet, FacetFilter)> = Vec::new();
        for (facet, value) in [
            (Facet::Kind, &q.kind),
            (Facet::Group, &q.group_id),
            (Facet::Theme, &q.theme),
            (Facet::Status, &q.status),
            (Facet::Convention, &q.convention),
        ] {
            if let Some(value) = value {
                own.push((facet, FacetFilter::Value(value.clone())));
            }
        }
        if let Some(place) = &q.place_prefix {
            let path = place_facet(place).encoded_str().to_owned();
            own.push((Facet::Place, FacetFilter::Place(path)));
        }

        let limit = q.limit.min(MAX_LIMIT);
        let offset = q.offset.min(MAX_DEPTH.saturating_sub(limit));
        let statistics = Together::of(layers);
        let mut total = 0;
        let mut counts = Counts::new();
        let mut ranked = Vec::new();
        for (at, layer) in layers.iter().enumerate() {
            let query = layer.restrict(&*query);
            let (top, count, fruit) =
                self.page_pass(layer, &statistics, &*query, by_date, offset + limit, &own)?;
            total += count;
            facets::add(&mut counts, fruit);
            ranked.extend(
                top.into_iter()
                    .map(|(rank, score, address)| (rank, score, at, address)),
            );
        }
        // Highest first; a tie keeps the disk's order, then the fresh layer's, each by address
        // (as tantivy breaks ties).
        ranked.sort_by(|a, b| by_rank((a.0, a.2, a.3), (b.0, b.2, b.3)));

        let snippets = (!listing)
            .then(|| Snippets::new(f, &self.analyzers, built.highlight.clone(), &statistics));
        let mut hits = Vec::with_capacity(limit);
        let mut order = Vec::with_capacity(limit);
        for (rank, score, at, address) in ranked.into_iter().skip(offset).take(limit) {
            let doc: TantivyDocument = layers[at]
                .searcher
                .doc(address)
                .map_err(|cause| self.query_error(cause))?;
            hits.push(hit(f, &doc, score, snippets.as_ref()));
            order.push((rank, at, address));
        }

        let mut take = |facet| most_frequent_first(counts.remove(&facet).unwrap_or_default());
        let facets_kind = take(Facet::Kind);
        let facets_group = take(Facet::Group);
        let facets_theme = take(Facet::Theme);
        let facets_status = take(Facet::Status);
        let facets_convention = take(Facet::Convention);
        let places = counts.remove(&Facet::Place).unwrap_or_default();
        notices.dedup();
        Ok(SearchResults {
            total,
            hits,
            facets_kind,
            facets_group,
            facets_theme,
            facets_status,
            facets_convention,
            facets_place: place_tree(&places, q.place_prefix.as_deref()),
            reading,
            notices,
            joinable: Joinable { order, places },
        })
    }

    pub(crate) fn query_error(&self, cause: tantivy::TantivyError) -> SearchError {
        SearchError::Query {
            path: self.location.to_string(),
            cause,
        }
    }

    /// The clause that keeps what the searcher may see: any of their grants among a
    /// document's readers. No grant: nothing.
    pub(crate) fn readers_filter(&self, readers: &[String], everything: bool) -> Box<dyn Query> {
        if everything {
            return Box::new(tantivy::query::AllQuery);
        }
        let mut grants: Vec<String> = readers.iter().take(MAX_READERS).cloned().collect();
        grants.sort();
        grants.dedup();
        if grants.is_empty() {
            return Box::new(EmptyQuery);
        }
        Box::new(ReadersQuery {
            field: self.fields.readers,
            grants,
            cache: self.readers_cache.clone(),
        })
    }

    /// The pass that pages and counts: the best `depth` documents of a layer (by score or by
    /// date) that pass the facets' own `filters`, how many do, and the facet counts.
    fn page_pass(
        &self,
        layer: &Layer,
        statistics: &Together<'_>,
        query: &dyn Query,
        by_date: bool,
        depth: usize,
        filters: &[(Facet, FacetFilter)],
    ) -> Result<(Vec<Ranked>, usize, Counts), SearchError> {
        let error = |cause| self.query_error(cause);
        let searcher = &layer.searcher;
        fn faceted<C>(inner: C, filters: &[(Facet, FacetFilter)]) -> Faceted<C> {
            Faceted {
                inner,
                filters: filters.to_vec(),
            }
        }
        if depth == 0 {
            let ((), total, counts) = searcher
                .search_with_statistics_provider(query, &faceted(Nothing, filters), statistics)
                .map_err(error)?;
            return Ok((Vec::new(), total, counts));
        }
        let top = TopDocs::with_limit(depth);
        if by_date {
            let by_date = top.order_by_fast_field::<DateTime>(names::DATE, Order::Desc);
            let (top, total, counts) = searcher
                .search_with_statistics_provider(query, &faceted(by_date, filters), statistics)
                .map_err(error)?;
            let top = top.into_iter().map(|(date, address)| {
                let date = date.map_or(f64::NEG_INFINITY, |d| d.into_timestamp_secs() as f64);
                (date, 0.0, address)
            });
            Ok((top.collect(), total, counts))
        } else {
            let (top, total, counts) = searcher
                .search_with_statistics_provider(
                    query,
                    &faceted(top.order_by_score(), filters),
                    statistics,
                )
                .map_err(error)?;
            let top = top
                .into_iter()
                .map(|(score, address)| (f64::from(score), score, address));
            Ok((top.collect(), total, counts))
        }
    }
}

/// The fields, for the modules of this one.
impl Fields {
    /// The language a stored document is in.
    pub(crate) fn language_of(&self, doc: &TantivyDocument) -> Language {
        use tantivy::schema::Value;
        doc.get_first(self.language)
            .and_then(|v| v.as_str())
            .and_then(Language::parse)
            .unwrap_or_default()
    }
}
