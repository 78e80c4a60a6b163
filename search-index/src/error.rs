//! The one error type of the crate.
//!
//! Every message is one sentence that names the index and says what went wrong, so that the
//! server can print it as is (for instance when it refuses to start). The underlying tantivy or
//! I/O error is part of the message rather than a separate `source()`, so that printing the
//! error chain does not repeat it.

/// An error from the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index directory could not be created, or its schema version file read or written.
    #[error("the search index directory {path} cannot be created or read: {cause}")]
    Directory {
        /// Where the index lives.
        path: String,
        /// What the file system said.
        cause: std::io::Error,
    },

    /// There is no index where one was expected.
    #[error("there is no search index at {path}")]
    Missing {
        /// Where the index was expected.
        path: String,
    },

    /// Tantivy could not open or create the index.
    #[error("the search index at {path} cannot be opened: {cause}")]
    Open {
        /// Where the index lives.
        path: String,
        /// What tantivy said.
        cause: tantivy::TantivyError,
    },

    /// The directory holds an index built for another schema.
    #[error(
        "the search index at {path} was built with schema version {found}, but this version of \
         Atelier needs schema version {expected}: delete that directory and run `atelier reindex` \
         to rebuild it"
    )]
    SchemaMismatch {
        /// Where the index lives.
        path: String,
        /// The version found on disk (or a description of what was found instead).
        found: String,
        /// The version this build expects.
        expected: u32,
    },

    /// Someone already holds the writer of this index.
    #[error(
        "the search index at {path} already has a writer: only one process, and one task in it, \
         may write to an index ({cause})"
    )]
    WriterLocked {
        /// Where the index lives.
        path: String,
        /// What tantivy said.
        cause: tantivy::TantivyError,
    },

    /// A document without a key was given to the writer.
    #[error("a document of kind {kind:?} without a key cannot be indexed")]
    EmptyKey {
        /// The kind of the rejected document.
        kind: String,
    },

    /// Adding, deleting or committing failed.
    #[error("the search index at {path} cannot be written: {cause}")]
    Write {
        /// Where the index lives.
        path: String,
        /// What tantivy said.
        cause: tantivy::TantivyError,
    },

    /// Running a query failed.
    #[error("the search index at {path} cannot answer the query: {cause}")]
    Query {
        /// Where the index lives.
        path: String,
        /// What tantivy said.
        cause: tantivy::TantivyError,
    },
}
