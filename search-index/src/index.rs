//! Opening the index.

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use tantivy::collector::Count;
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, Query};
use tantivy::{Index, IndexReader, IndexSettings, ReloadPolicy, TantivyDocument, TantivyError};

use crate::SearchError;
use crate::analyzers::{self, Analyzers};
pub use crate::fresh::IndexVersion;
use crate::fresh::{FreshView, FreshWriter, SharedView};
use crate::query::kept::KeptDocs;
use crate::query::layers::{Layer, SNAPSHOTS_FOR, SNAPSHOTS_KEPT, Snapshot, Snapshots};
use crate::query::readers::ReadersCache;
use crate::query::terms::AnyTermQuery;
use crate::schema::{self, Fields, SCHEMA_VERSION, SCHEMA_VERSION_FILE};
use crate::writer::{IndexWriterHandle, payload_position};

/// Memory budget of the (single) writer, shared among its indexing threads.
const WRITER_MEMORY_BYTES: usize = 50_000_000;

/// An open search index: the schema, the analyzers, a reader, and the way to get the writer.
///
/// Cheap to clone; clones share the reader (and the live writer's fresh layer), so a commit
/// (or a live writer's publication) is visible to every clone as soon as it returns.
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// The analyzers queries read their words with.
    pub(crate) analyzers: Analyzers,
    /// Each grant's documents, per segment (`crate::query::readers`).
    pub(crate) readers_cache: Arc<ReadersCache>,
    /// What misspellings and prefixes find, per segment (`crate::query::kept`).
    pub(crate) kept_docs: Arc<KeptDocs>,
    /// The directory, or "memory", for error messages.
    pub(crate) location: Arc<str>,
    /// What a live writer has published and not yet committed (`crate::fresh`).
    pub(crate) fresh: SharedView,
    /// The last states searched (`crate::query::layers::Snapshot`).
    pub(crate) snapshots: Arc<Snapshots>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if needed.
    ///
    /// Fails with [`SearchError::SchemaMismatch`] when `dir` holds an index built for another
    /// schema version (or one without the `atelier-schema-version` file).
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, SearchError> {
        let path = dir.display().to_string();
        let dir_error = |cause| SearchError::Directory {
            path: path.clone(),
            cause,
        };
        let open_error = |cause| SearchError::Open {
            path: path.clone(),
            cause,
        };
        fs::create_dir_all(dir).map_err(dir_error)?;
        let directory = MmapDirectory::open(dir).map_err(|e| open_error(e.into()))?;
        let (schema, fields) = schema::build();
        let version_file = dir.join(SCHEMA_VERSION_FILE);
        let exists = Index::exists(&directory).map_err(|e| open_error(e.into()))?;
        let index = if exists {
            let found = match fs::read_to_string(&version_file) {
                Ok(text) => text.trim().to_owned(),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    format!("unknown (no {SCHEMA_VERSION_FILE} file)")
                }
                Err(e) => return Err(dir_error(e)),
            };
            if found != SCHEMA_VERSION.to_string() {
                return Err(SearchError::SchemaMismatch {
                    path,
                    found,
                    expected: SCHEMA_VERSION,
                });
            }
            let index = Index::open(directory).map_err(open_error)?;
            if index.schema() != schema {
                return Err(SearchError::SchemaMismatch {
                    path,
                    found: format!("{found} (but a different schema)"),
                    expected: SCHEMA_VERSION,
                });
            }
            index
        } else {
            // The version is written first: a crash before the index exists leaves a version
            // file and no index, which the next start simply overwrites.
            write_version(&version_file).map_err(dir_error)?;
            Index::create(directory, schema, IndexSettings::default()).map_err(open_error)?
        };
        Self::from_index(index, fields, path)
    }

    /// Opens the index in `dir`, which must hold one (of this schema version): unlike
    /// [`SearchIndex::open_or_create`], a missing index is an error, not a new empty one.
    pub fn open_existing(dir: &Path) -> Result<SearchIndex, SearchError> {
        let has_index = dir.join("meta.json").is_file();
        if !has_index {
            return Err(SearchError::Missing {
                path: dir.display().to_string(),
            });
        }
        Self::open_or_create(dir)
    }

    /// An empty index in memory, for tests.
    pub fn open_in_ram() -> SearchIndex {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        match Self::from_index(index, fields, "memory".to_owned()) {
            Ok(index) => index,
            // Creating a reader over an empty RAM index has no way to fail in practice.
            Err(e) => panic!("{e}"),
        }
    }

    fn from_index(index: Index, fields: Fields, path: String) -> Result<SearchIndex, SearchError> {
        analyzers::register(index.tokenizers());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|cause| SearchError::Open {
                path: path.clone(),
                cause,
            })?;
        Ok(SearchIndex {
            index,
            reader: reader.clone(),
            fields,
            analyzers: Analyzers::new(),
            readers_cache: Arc::default(),
            kept_docs: Arc::default(),
            location: path.into(),
            fresh: SharedView::new(reader.clone()),
            snapshots: Arc::default(),
        })
    }

    /// The writer of this index. There is one per index at a time (tantivy holds a lock file):
    /// a second call while the first handle lives fails with [`SearchError::WriterLocked`].
    pub fn writer(&self) -> Result<IndexWriterHandle, SearchError> {
        self.open_writer(None)
    }

    /// The writer of a served index, kept up to date change by change: like
    /// [`SearchIndex::writer`], but what it writes is searchable as soon as it is published
    /// ([`IndexWriterHandle::publish`]), without waiting for a commit (see `fresh.rs`). For the
    /// live indexer, which publishes after each batch and commits at most once a second.
    pub fn live_writer(&self) -> Result<IndexWriterHandle, SearchError> {
        let fresh = FreshWriter::new(self.fresh.clone()).map_err(|cause| SearchError::Open {
            path: self.location.to_string(),
            cause,
        })?;
        self.open_writer(Some(fresh))
    }

    fn open_writer(&self, fresh: Option<FreshWriter>) -> Result<IndexWriterHandle, SearchError> {
        let writer = self
            .index
            .writer::<TantivyDocument>(WRITER_MEMORY_BYTES)
            .map_err(|cause| match cause {
                TantivyError::LockFailure(..) => SearchError::WriterLocked {
                    path: self.location.to_string(),
                    cause,
                },
                cause => SearchError::Open {
                    path: self.location.to_string(),
                    cause,
                },
            })?;
        Ok(IndexWriterHandle::new(
            writer,
            self.reader.clone(),
            self.fields,
            self.location.clone(),
            fresh,
        ))
    }

    /// The position recorded by the last commit ([`IndexWriterHandle::commit_at`]); `None` when
    /// no commit recorded one (an empty index).
    pub fn position(&self) -> Result<Option<i64>, SearchError> {
        let metas = self.index.load_metas().map_err(|cause| SearchError::Open {
            path: self.location.to_string(),
            cause,
        })?;
        Ok(metas.payload.as_deref().and_then(payload_position))
    }

    /// What searches see now, as a value that differs whenever that may differ: a commit (the
    /// disk reader reloaded) or a live writer's publication (the fresh layer), for keeping
    /// what was found until the index changes. A state seen by a search that starts after
    /// reading it is this one or a later one.
    pub fn version(&self) -> IndexVersion {
        let _view = self.fresh.read();
        self.fresh.version()
    }

    /// Number of documents visible to searches (committed, not deleted).
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the reader answers a trivial search (for `/healthz`).
    pub fn healthy(&self) -> bool {
        self.reader.searcher().search(&AllQuery, &Count).is_ok()
    }

    /// Where the index lives ("memory" for [`SearchIndex::open_in_ram`]).
    pub fn location(&self) -> &str {
        &self.location
    }
}

fn write_version(file: &Path) -> io::Result<()> {
    let tmp = file.with_extension("tmp");
    let mut out = fs::File::create(&tmp)?;
    writeln!(out, "{SCHEMA_VERSION}")?;
    out.sync_all()?;
    fs::rename(&tmp, file)
}

/// The states searches read (`crate::query::layers`).
impl SearchIndex {
    /// The state of the index now (the one kept for its version, or a new one, then kept).
    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        let view = self.fresh.read();
        let version = self.fresh.version();
        if let Some(kept) = self.snapshots.get(version) {
            return kept;
        }
        let snapshot = Arc::new(Snapshot {
            version,
            layers: self.layers_of(&view),
            taken: Instant::now(),
        });
        drop(view);
        let mut kept = self.snapshots.lock();
        while kept.len() >= SNAPSHOTS_KEPT
            || kept
                .front()
                .is_some_and(|s| s.taken.elapsed() > SNAPSHOTS_FOR)
        {
            kept.pop_front();
        }
        kept.push_back(snapshot.clone());
        snapshot
    }

    /// The disk index (less what the fresh layer supersedes) and the fresh layer, taken
    /// together under the view's lock (see `fresh.rs`).
    pub(crate) fn layers(&self) -> Vec<Layer> {
        let view = self.fresh.read();
        self.layers_of(&view)
    }

    fn layers_of(&self, view: &FreshView) -> Vec<Layer> {
        let f = &self.fields;
        let mut layers = Vec::with_capacity(2);
        if !view.everything {
            let hidden = view.shadows_anything().then(|| {
                Box::new(AnyTermQuery::sources_and_keys(
                    f,
                    &*view.sources,
                    &*view.keys,
                )) as Box<dyn Query>
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
}
