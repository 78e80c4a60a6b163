//! Atelier's search index: the tantivy schema, the French (and English) analyzers, opening the
//! on-disk index, a single-writer indexing handle, and queries.
//!
//! Knows nothing of HTTP or SQL. The index is derived data: the database is the source of truth
//! and `atelier reindex` rebuilds it.
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
//!         readers: vec!["public".into()],
//!         ..IndexDoc::default()
//!     })
//!     .unwrap();
//! writer.commit().unwrap();
//!
//! let results = index
//!     .search(&SearchQuery {
//!         text: "remboursement".into(),
//!         readers: vec!["public".into()],
//!         limit: 10,
//!         ..SearchQuery::default()
//!     })
//!     .unwrap();
//! assert_eq!(results.total, 1);
//! assert!(results.hits[0].snippet_html.contains("<mark>remboursements</mark>"));
//! ```

mod analyzers;
mod error;
mod fresh;
mod generations;
mod index;
mod query;
mod related;
mod schema;
mod writer;

pub use analyzers::{
    ENGLISH, FRENCH, FrenchTokenizer, PLAIN, analyze, english as english_analyzer,
    french as french_analyzer, plain as plain_analyzer,
};
pub use error::SearchError;
pub use generations::{Build, IndexHome};
pub use index::SearchIndex;
pub use query::syntax::{MAX_CLAUSES, MAX_QUERY_CHARS, MIN_PREFIX_CHARS, Notice};
pub use query::{Hit, MAX_DEPTH, MAX_LIMIT, MAX_READERS, SearchQuery, SearchResults, Sort};
pub use related::{Like, RelatedQuery};
pub use schema::{Language, SCHEMA_VERSION, SCHEMA_VERSION_FILE, names as field_names};
pub use writer::{IndexDoc, IndexWriterHandle};

/// Re-exported so that callers can name the analyzer type without depending on tantivy.
pub use tantivy::tokenizer::TextAnalyzer;
