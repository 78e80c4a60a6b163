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

use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use tantivy::query::AllQuery;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analyzers;
use crate::schema::{self, Fields};

/// The fresh layer's writer memory: it holds about a second of changes (tantivy's minimum).
const FRESH_WRITER_MEMORY_BYTES: usize = 15_000_000;

/// A state of an index, as [`crate::SearchIndex::version`] gives it: comparable between versions of
/// the same open index only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IndexVersion {
    /// The disk reader's generation (one per reload).
    pub(crate) disk: u64,
    /// The fresh layer's changes.
    pub(crate) fresh: u64,
}

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

/// The lock around the view, which also orders the disk reader's reloads with it; how many
/// times the view was changed; and what each change changed (see
/// [`crate::SearchIndex::still_answers`]).
#[derive(Clone)]
pub(crate) struct SharedView {
    view: Arc<RwLock<FreshView>>,
    changes: Arc<AtomicU64>,
    /// The disk index's reader, whose generation is part of a version.
    disk: IndexReader,
    log: Arc<Mutex<VecDeque<Step>>>,
}

/// How many changes the log remembers: a few seconds of typing (each publication and each
/// commit is one).
const LOG_STEPS: usize = 256;

/// One change of what searches see: from one version to the next, and what it changed.
struct Step {
    from: IndexVersion,
    to: IndexVersion,
    changed: Changed,
}

/// What a change of the index changed: the documents with these sources or keys (as they
/// were before, and as they are after), or everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Changed {
    pub sources: BTreeSet<String>,
    pub keys: BTreeSet<String>,
    pub everything: bool,
}

impl Changed {
    fn everything() -> Changed {
        Changed {
            everything: true,
            ..Changed::default()
        }
    }

    fn add(&mut self, more: &Changed) {
        self.everything |= more.everything;
        self.sources.extend(more.sources.iter().cloned());
        self.keys.extend(more.keys.iter().cloned());
    }

    pub fn is_empty(&self) -> bool {
        !self.everything && self.sources.is_empty() && self.keys.is_empty()
    }
}

impl SharedView {
    pub fn new(disk: IndexReader) -> SharedView {
        SharedView {
            view: Arc::default(),
            changes: Arc::default(),
            disk,
            log: Arc::default(),
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, FreshView> {
        self.view
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Changes the view with `change` (which may also reload the disk reader), under the lock,
    /// and records the step and what it `changed`.
    pub fn change<R>(&self, changed: Changed, change: impl FnOnce(&mut FreshView) -> R) -> R {
        let mut view = self
            .view
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let from = self.version();
        let out = change(&mut view);
        self.changes.fetch_add(1, Ordering::SeqCst);
        let to = self.version();
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() == LOG_STEPS {
            log.pop_front();
        }
        log.push_back(Step { from, to, changed });
        out
    }

    /// The version of what searches see; read it under [`SharedView::read`] (or in a change).
    pub fn version(&self) -> IndexVersion {
        IndexVersion {
            disk: self.disk.searcher().generation().generation_id(),
            fresh: self.changes.load(Ordering::SeqCst),
        }
    }

    /// What changed from version `from` to version `to`, if the log still holds every step
    /// between them (the disk reader reloaded by another writer is no step: `None`).
    pub fn changed_between(&self, from: IndexVersion, to: IndexVersion) -> Option<Changed> {
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        let mut at = log.iter().position(|step| step.from == from)?;
        let mut changed = Changed::default();
        let mut version = from;
        while version != to {
            let step = log.get(at).filter(|step| step.from == version)?;
            changed.add(&step.changed);
            version = step.to;
            at += 1;
        }
        Some(changed)
    }
}

/// The live writer's second half: the in-memory index and what it shadows.
pub(crate) struct FreshWriter {
    layer: Layer,
    fields: Fields,
    sources: BTreeSet<String>,
    keys: BTreeSet<String>,
    everything: bool,
    /// What changed since the last publication (nothing: nothing to publish).
    touched: Changed,
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
            touched: Changed::default(),
            view,
        })
    }

    pub fn delete_source(&mut self, source: &str) {
        self.layer
            .writer
            .delete_term(Term::from_field_text(self.fields.source, source));
        self.sources.insert(source.to_owned());
        self.touched.sources.insert(source.to_owned());
    }

    pub fn delete_key(&mut self, key: &str) {
        self.layer
            .writer
            .delete_term(Term::from_field_text(self.fields.doc_key, key));
        self.keys.insert(key.to_owned());
        self.touched.keys.insert(key.to_owned());
    }

    pub fn clear(&mut self) -> tantivy::Result<()> {
        self.layer.writer.delete_query(Box::new(AllQuery))?;
        self.everything = true;
        self.touched.everything = true;
        Ok(())
    }

    pub fn add(&mut self, doc: TantivyDocument) -> tantivy::Result<()> {
        use tantivy::schema::Value;
        // A new document changes what searches see as much as a deleted one. Its source names
        // it with the others made from the same (a text's paragraphs: one source, however
        // long the text); its key, when it has no source.
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        match (text(self.fields.source), text(self.fields.doc_key)) {
            (Some(source), _) => {
                self.touched.sources.insert(source);
            }
            (None, Some(key)) => {
                self.touched.keys.insert(key);
            }
            (None, None) => self.touched.everything = true,
        }
        self.layer.writer.add_document(doc)?;
        Ok(())
    }

    /// Makes what was written since the last publication searchable (in memory only).
    pub fn publish(&mut self) -> tantivy::Result<()> {
        if self.touched.is_empty() {
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
        let touched = std::mem::take(&mut self.touched);
        self.view.change(touched, |shown| *shown = view);
        Ok(())
    }

    /// Empties the layer once the disk index holds all it held (published or not).
    /// `reload_disk` runs under the view's lock, so that no search sees the new disk index and
    /// the old layer apart, nor a moment where a change is in neither.
    pub fn committed(
        &mut self,
        reload_disk: impl FnOnce() -> tantivy::Result<()>,
    ) -> tantivy::Result<()> {
        // What was published is the same on disk; what was not is now seen.
        let touched = std::mem::take(&mut self.touched);
        self.view.change(touched, |view| {
            reload_disk()?;
            *view = FreshView::default();
            Ok::<_, tantivy::TantivyError>(())
        })?;
        self.renew()
    }

    /// Forgets the layer (the disk writer rolled back): searches read the disk alone.
    pub fn forget(&mut self) -> tantivy::Result<()> {
        self.view
            .change(Changed::everything(), |view| *view = FreshView::default());
        self.renew()
    }

    /// A new, empty layer. Simpler and surer than deleting a live index's documents under its
    /// merges: the old one's threads end with it (about once a second, milliseconds each).
    fn renew(&mut self) -> tantivy::Result<()> {
        self.layer = Layer::new()?;
        self.sources.clear();
        self.keys.clear();
        self.everything = false;
        self.touched = Changed::default();
        Ok(())
    }
}

impl Drop for FreshWriter {
    fn drop(&mut self) {
        // What the layer held is not committed: whoever reopens a writer replays it.
        self.view
            .change(Changed::everything(), |view| *view = FreshView::default());
    }
}
