//! The fresh layer: what the live writer has handled since its last commit, searchable before
//! it is committed.
//!
//! A commit of the on-disk index writes files, fsyncs and reopens the searchers, so the live
//! writer commits at most once a second; a change would then wait up to a second, plus the
//! commit, before anyone finds it. Instead the live writer ([`crate::SearchIndex::live_writer`])
//! also writes every change into a small index in memory and publishes it after each batch
//! (a commit in memory: no file, no fsync, milliseconds). Searches read both layers: the disk
//! index minus what the fresh layer *shadows* (the sources and keys changed since the last
//! commit, and everything after a `clear`), and the fresh layer. Both are scored with the
//! statistics of the two together, so that a fresh document ranks as it will once committed.
//!
//! At each commit, the disk reader is reloaded and the fresh layer emptied under one lock:
//! a search sees either the old disk index with the fresh layer or the new one without it,
//! never a moment where a change is in neither. The fresh layer holds at most what comes in
//! between two commits (about a second of changes), and is dropped with its writer (what it
//! held uncommitted is then replayed by whoever reopens the writer).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tantivy::query::AllQuery;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analyzers;
use crate::schema::{self, Fields};

/// The fresh layer's writer memory: it holds about a second of changes (tantivy's minimum).
const FRESH_WRITER_MEMORY_BYTES: usize = 15_000_000;

/// What searches read of the fresh layer: shared by every clone of a [`crate::SearchIndex`].
#[derive(Clone, Default)]
pub(crate) struct FreshView {
    /// The fresh layer's searcher; `None` when nothing was published since the last commit.
    pub searcher: Option<Searcher>,
    /// Sources whose disk documents are stale (the fresh layer holds what they are now).
    pub sources: Arc<BTreeSet<String>>,
    /// Keys whose disk documents are stale.
    pub keys: Arc<BTreeSet<String>>,
    /// Every disk document is stale (a `clear` since the last commit).
    pub everything: bool,
}

impl FreshView {
    /// Whether a disk document must be hidden because the fresh layer supersedes it.
    pub fn shadows_anything(&self) -> bool {
        self.everything || !self.sources.is_empty() || !self.keys.is_empty()
    }
}

/// The lock around the view, which also orders the disk reader's reloads with it, and how many
/// times the view was written (see [`crate::SearchIndex::version`]).
#[derive(Clone, Default)]
pub(crate) struct SharedView(Arc<RwLock<FreshView>>, Arc<AtomicU64>);

impl SharedView {
    pub fn read(&self) -> RwLockReadGuard<'_, FreshView> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The view, to change it. Counted while the lock is held: whoever reads the count under
    /// the read lock reads the count of the view they see.
    pub fn write(&self) -> RwLockWriteGuard<'_, FreshView> {
        let view = self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.1.fetch_add(1, Ordering::SeqCst);
        view
    }

    /// How many times the view was written; read it under [`SharedView::read`].
    pub fn writes(&self) -> u64 {
        self.1.load(Ordering::SeqCst)
    }
}

/// The live writer's second half: the in-memory index and what it shadows.
pub(crate) struct FreshWriter {
    layer: Layer,
    fields: Fields,
    sources: BTreeSet<String>,
    keys: BTreeSet<String>,
    everything: bool,
    /// Something changed since the last publication.
    unpublished: bool,
    view: SharedView,
}

/// An index in memory, its writer and its reader.
struct Layer {
    writer: IndexWriter<TantivyDocument>,
    reader: IndexReader,
}

impl Layer {
    fn new() -> tantivy::Result<Layer> {
        let (schema, _) = schema::build();
        let index = Index::create_in_ram(schema);
        analyzers::register(index.tokenizers());
        let writer = index.writer_with_num_threads(1, FRESH_WRITER_MEMORY_BYTES)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Layer { writer, reader })
    }
}

impl FreshWriter {
    pub fn new(view: SharedView) -> tantivy::Result<FreshWriter> {
        Ok(FreshWriter {
            layer: Layer::new()?,
            fields: schema::build().1,
            sources: BTreeSet::new(),
            keys: BTreeSet::new(),
            everything: false,
            unpublished: false,
            view,
        })
    }

    pub fn delete_source(&mut self, source: &str) {
        self.layer
            .writer
            .delete_term(Term::from_field_text(self.fields.source, source));
        self.sources.insert(source.to_owned());
        self.unpublished = true;
    }

    pub fn delete_key(&mut self, key: &str) {
        self.layer
            .writer
            .delete_term(Term::from_field_text(self.fields.doc_key, key));
        self.keys.insert(key.to_owned());
        self.unpublished = true;
    }

    pub fn clear(&mut self) -> tantivy::Result<()> {
        self.layer.writer.delete_query(Box::new(AllQuery))?;
        self.everything = true;
        self.unpublished = true;
        Ok(())
    }

    pub fn add(&mut self, doc: TantivyDocument) -> tantivy::Result<()> {
        self.layer.writer.add_document(doc)?;
        self.unpublished = true;
        Ok(())
    }

    /// Makes what was written since the last publication searchable (in memory only).
    pub fn publish(&mut self) -> tantivy::Result<()> {
        if !self.unpublished {
            return Ok(());
        }
        self.layer.writer.commit()?;
        self.layer.reader.reload()?;
        let view = FreshView {
            searcher: Some(self.layer.reader.searcher()),
            sources: Arc::new(self.sources.clone()),
            keys: Arc::new(self.keys.clone()),
            everything: self.everything,
        };
        *self.view.write() = view;
        self.unpublished = false;
        Ok(())
    }

    /// Empties the layer once the disk index holds all it held (published or not).
    /// `reload_disk` runs under the view's lock, so that no search sees the new disk index and
    /// the old layer apart, nor a moment where a change is in neither.
    pub fn committed(
        &mut self,
        reload_disk: impl FnOnce() -> tantivy::Result<()>,
    ) -> tantivy::Result<()> {
        {
            let mut view = self.view.write();
            reload_disk()?;
            *view = FreshView::default();
        }
        self.renew()
    }

    /// Forgets the layer (the disk writer rolled back): searches read the disk alone.
    pub fn forget(&mut self) -> tantivy::Result<()> {
        *self.view.write() = FreshView::default();
        self.renew()
    }

    /// A new, empty layer. Simpler and surer than deleting a live index's documents under its
    /// merges: the old one's threads end with it (about once a second, milliseconds each).
    fn renew(&mut self) -> tantivy::Result<()> {
        self.layer = Layer::new()?;
        self.sources.clear();
        self.keys.clear();
        self.everything = false;
        self.unpublished = false;
        Ok(())
    }
}

impl Drop for FreshWriter {
    fn drop(&mut self) {
        // What the layer held is not committed: whoever reopens a writer replays it.
        *self.view.write() = FreshView::default();
    }
}
