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
//!         ..IndexDoc::default()
//!     })
//!     .unwrap();
//! writer.commit().unwrap();
//!
//! let results = index
//!     .search(&SearchQuery { text: "remboursement".into(), limit: 10, ..SearchQuery::default() })
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
mod schema;
mod writer;

pub use analyzers::{
    ENGLISH, FRENCH, analyze, english as english_analyzer, french as french_analyzer,
};
pub use error::SearchError;
pub use generations::{Build, IndexHome};
pub use index::SearchIndex;
pub use query::{Hit, MAX_DEPTH, MAX_LIMIT, MAX_QUERY_CHARS, SearchQuery, SearchResults};
pub use schema::{SCHEMA_VERSION, SCHEMA_VERSION_FILE, names as field_names};
pub use writer::{IndexDoc, IndexWriterHandle};

/// Re-exported so that callers can name the analyzer type without depending on tantivy.
pub use tantivy::tokenizer::TextAnalyzer;
