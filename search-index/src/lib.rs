//! Atelier's search index: the tantivy schema, the French (and English) analyzers, opening the
//! on-disk index, a single-writer indexing handle, searches and related work.
//!
//! Knows nothing of HTTP or SQL. The index is derived data: the database is the source of truth
//! and `atelier reindex` rebuilds it.
//!
//! # Writing
//!
//! One [`IndexDoc`] per thing found: its `key`, `kind`, `language` (French by default),
//! `title` and `body` as plain text, the `url` a hit opens, and the facets — `place`
//! ("/federation/section"), `group_id`, `theme`, `status`, `convention`, `author`, `date`.
//! **`readers` says who may find it**: grants, one of which the searcher must hold. The
//! vocabulary is the application's (Atelier's is in its `auth::readers`: `"public"` for anyone,
//! `"party"` for the party's members, `"in:G"` for who belongs to group G, `"down:G"` for who
//! holds a role in G that carries down to the groups below it, `"member:M"` for member M alone:
//! their drafts). A document without readers is found by no one. Adding a kind of document is
//! only choosing its `kind` and filling these fields. A rebuild ([`IndexHome::build`]) ends
//! merged into one segment ([`IndexWriterHandle::merge_all`]): searches cost a little per
//! segment.
//!
//! # Searching
//!
//! [`SearchQuery`]: what was typed, the searcher's grants (`readers` — an empty list finds
//! nothing), the page's filters (kind, group, theme, status, convention, author, language,
//! place prefix, date range), the order ([`Sort`]) and the page. The text is read leniently —
//! never an error:
//!
//! | typed | means |
//! |---|---|
//! | `retraites anticipées` | every word (in any form: « retraite », « retraités »; accents, elisions, « œ » ignored); from 5 letters a word also matches with a typo (1 edit; 2 from 9 letters), exact matches always ranked first |
//! | `"service public"`, `« service public »` | a phrase |
//! | `-nucléaire`, `-"a phrase"`, `NOT word` | excluded |
//! | `financ*` | every word beginning so (3 letters at least) |
//! | `kind:amendment`, `type:amendement`, `statut:adopté`, `thème:santé`, `convention:…`, `langue:en` | a filter on a keyword field (accents, case, plurals and French names of kinds and statuses accepted) |
//! | `auteur:dupont`, `lieu:lyon`, `titre:santé` | words of the author, of the place, of the title |
//!
//! [`SearchResults`] holds the total, the page of [`Hit`]s (with an HTML-escaped snippet,
//! matches in `<mark>`, typos and prefixes included), the facet counts — each ignoring its own
//! filter, places as a tree under the place filter —, `reading` (how the text was understood,
//! when it differs from what was typed: show « Recherche comprise comme : … ») and [`Notice`]s
//! (unknown field, unbalanced quote, cut…; `message_fr` / `message_en` say them). Grants
//! filter inside the query: totals, facets and every page only ever count what the searcher
//! may see.
//!
//! # Related work
//!
//! [`SearchIndex::related`] with a [`RelatedQuery`]: the documents most like a document (by
//! key; its own source is left out) or like some text being written, that the searcher may
//! see, of some kinds, not from excluded groups, themes or sources — « on en parle aussi
//! ailleurs », « des amendements proches existent déjà ».
//!
//! # Benchmark
//!
//! `cargo bench -j1 -p atelier-search --bench search` indexes a million paragraphs and runs
//! 1,000 queries with grants ([`corpus`] makes both; `-- --dump-corpus PATH --dump-queries
//! PATH` writes them as JSON Lines), then the same in SQLite FTS5 and, when
//! `ATELIER_BENCH_DATABASE_URL` is set, in PostgreSQL's French full-text search, side by side.
//!
//! # Example
//!
//! ```
//! use atelier_search::{IndexDoc, SearchIndex, SearchQuery};
//!
//! let index = SearchIndex::open_in_ram();
//! let mut writer = index.writer().unwrap();
//! writer
//!     .upsert(&IndexDoc {
//!         key: "paragraph:1:1".into(),
//!         kind: "paragraph".into(),
//!         title: "Santé".into(),
//!         body: "Augmentation des remboursements de l'assurance maladie.".into(),
//!         url: "/texts/1#p1".into(),
//!         theme: Some("Santé".into()),
//!         readers: vec!["public".into()],
//!         ..IndexDoc::default()
//!     })
//!     .unwrap();
//! writer.commit().unwrap();
//!
//! let results = index
//!     .search(&SearchQuery {
//!         text: "remboursemnts thème:sante".into(),
//!         readers: vec!["public".into(), "group:12".into()],
//!         limit: 10,
//!         ..SearchQuery::default()
//!     })
//!     .unwrap();
//! assert_eq!(results.total, 1);
//! assert!(results.hits[0].snippet_html.contains("<mark>remboursements</mark>"));
//! assert_eq!(results.facets_theme, [("Santé".to_owned(), 1)]);
//!
//! // No grant, nothing.
//! let hidden = SearchQuery { text: "remboursement".into(), ..SearchQuery::default() };
//! assert_eq!(index.search(&hidden).unwrap().total, 0);
//! ```

mod analyzers;
pub mod corpus;
mod error;
mod fresh;
mod generations;
mod index;
mod query;
mod related;
mod schema;
mod writer;

pub use analyzers::{
    ENGLISH, ENGLISH_WORDS, FRENCH, FRENCH_WORDS, FrenchTokenizer, PLAIN, analyze,
    english as english_analyzer, english_words, french as french_analyzer, french_words,
    plain as plain_analyzer,
};
pub use error::SearchError;
pub use generations::{Build, IndexHome};
pub use index::{IndexVersion, SearchIndex};
pub use query::syntax::{MAX_CLAUSES, MAX_QUERY_CHARS, MIN_PREFIX_CHARS, Notice};
pub use query::{Hit, MAX_DEPTH, MAX_LIMIT, MAX_READERS, SearchQuery, SearchResults, Sort};
pub use related::{Like, RelatedQuery};
pub use schema::{Language, SCHEMA_VERSION, SCHEMA_VERSION_FILE, names as field_names};
pub use writer::{IndexDoc, IndexWriterHandle};

/// Re-exported so that callers can name the analyzer type without depending on tantivy.
pub use tantivy::tokenizer::TextAnalyzer;
