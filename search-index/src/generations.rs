//! Where an index lives on disk: whole generations, and a pointer to the current one.
//!
//! ```text
//! search-index/CURRENT            "gen-18c2f…-4242": the current generation
//! search-index/gen-18c2f…-4242/   a complete tantivy index (and its schema version file)
//! search-index/build-18c31…-77/   a rebuild under way
//! ```
//!
//! A rebuild writes a whole index in a `build-…` directory, commits it, renames it `gen-…`,
//! then points `CURRENT` at it; the pointer is written aside and renamed over the old one, so a
//! reader of the pointer sees the old generation or the new one, never a half-written name.
//! Whoever has an index open notices that the pointer moved ([`IndexHome::current`]) and
//! reopens. A generation is in use while someone holds its writer lock (each server holds the
//! writer of the generation it serves): [`IndexHome::remove_unused`] removes only the
//! generations whose lock it can take.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tantivy::directory::{Directory, INDEX_WRITER_LOCK, MmapDirectory};

use crate::SearchError;
use crate::index::SearchIndex;
use crate::writer::IndexWriterHandle;

/// The pointer file's name.
const POINTER: &str = "CURRENT";
const GENERATION_PREFIX: &str = "gen-";
const BUILD_PREFIX: &str = "build-";

/// A build directory left unlocked this long is a build that died (a crash, a kill).
const ABANDONED_BUILD_AGE: Duration = Duration::from_secs(3600);

/// The directory that holds an index's generations.
#[derive(Clone, Debug)]
pub struct IndexHome {
    root: PathBuf,
}

/// A new generation being written; nobody reads it until [`Build::finish`] switches to it.
pub struct Build {
    name: String,
    dir: PathBuf,
    index: SearchIndex,
    writer: IndexWriterHandle,
    home: IndexHome,
}

impl IndexHome {
    pub fn new(root: impl Into<PathBuf>) -> IndexHome {
        IndexHome { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn directory_error(&self, cause: io::Error) -> SearchError {
        SearchError::Directory {
            path: self.root.display().to_string(),
            cause,
        }
    }

    /// The name of the current generation; `None` when there is none yet (or the pointer does
    /// not name one: a damaged pointer is a missing index, rebuilt like one).
    pub fn current(&self) -> Result<Option<String>, SearchError> {
        match fs::read_to_string(self.root.join(POINTER)) {
            Ok(text) => {
                let name = text.trim();
                Ok(is_generation_name(name).then(|| name.to_owned()))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.directory_error(e)),
        }
    }

    /// Opens the current generation: `Ok(None)` when there is none, an error when it cannot be
    /// opened (damaged, another schema version): both are rebuilt.
    pub fn open_current(&self) -> Result<Option<(String, SearchIndex)>, SearchError> {
        let Some(name) = self.current()? else {
            return Ok(None);
        };
        let index = SearchIndex::open_existing(&self.root.join(&name))?;
        Ok(Some((name, index)))
    }

    /// Removes the pointer if it still names `name` (a generation found unfit to serve, about
    /// to be rebuilt): until the rebuild switches to a new one, nobody opens it again. A
    /// pointer already moved elsewhere (by `atelier reindex`) is left alone.
    pub fn forget_current(&self, name: &str) -> Result<(), SearchError> {
        if self.current()?.as_deref() != Some(name) {
            return Ok(());
        }
        match fs::remove_file(self.root.join(POINTER)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(self.directory_error(e)),
        }
        fs::File::open(&self.root)
            .and_then(|dir| dir.sync_all())
            .map_err(|e| self.directory_error(e))
    }

    /// Starts a new generation, empty, with its writer.
    pub fn build(&self) -> Result<Build, SearchError> {
        fs::create_dir_all(&self.root).map_err(|e| self.directory_error(e))?;
        let name = new_generation_name();
        let dir = self.root.join(format!(
            "{BUILD_PREFIX}{}",
            &name[GENERATION_PREFIX.len()..]
        ));
        let index = SearchIndex::open_or_create(&dir)?;
        let writer = index.writer()?;
        Ok(Build {
            name,
            dir,
            index,
            writer,
            home: self.clone(),
        })
    }

    /// Points the pointer at generation `name`, atomically (written aside, then renamed).
    fn switch_to(&self, name: &str) -> io::Result<()> {
        let aside = self
            .root
            .join(format!("{POINTER}.{}.tmp", std::process::id()));
        let mut file = fs::File::create(&aside)?;
        writeln!(file, "{name}")?;
        file.sync_all()?;
        fs::rename(&aside, self.root.join(POINTER))?;
        // The rename is durable once the directory is.
        fs::File::open(&self.root)?.sync_all()
    }

    /// Removes the generations nobody uses: neither the current one, nor `keep`, nor one whose
    /// writer lock is held; abandoned builds; files left by older layouts. Returns how many
    /// entries were removed.
    pub fn remove_unused(&self, keep: Option<&str>) -> Result<usize, SearchError> {
        let current = self.current()?;
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(self.directory_error(e)),
        };
        let mut removed = 0;
        for entry in entries {
            let entry = entry.map_err(|e| self.directory_error(e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| self.directory_error(e))?;
            let unused = if kind.is_dir() {
                if is_generation_name(&name) {
                    Some(name.as_str()) != current.as_deref()
                        && Some(name.as_str()) != keep
                        && !is_locked(&path)
                } else {
                    name.starts_with(BUILD_PREFIX) && is_abandoned(&path)
                }
            } else {
                // The index of the layout before generations lived here, file by file.
                !name.starts_with(POINTER)
            };
            if unused {
                let result = if kind.is_dir() {
                    fs::remove_dir_all(&path)
                } else {
                    fs::remove_file(&path)
                };
                match result {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(self.directory_error(e)),
                }
            }
        }
        Ok(removed)
    }
}

impl Build {
    /// The generation's writer: add everything, then [`Build::finish`].
    pub fn writer(&mut self) -> &mut IndexWriterHandle {
        &mut self.writer
    }

    /// Commits the generation with `position` (the place in the feed of changes it reflects),
    /// merges it into one segment (searches cost a little per segment: on a million
    /// paragraphs, one segment answers in about half the time of a dozen), and makes it the
    /// current one. Returns its name.
    pub fn finish(mut self, position: i64) -> Result<String, SearchError> {
        self.writer.commit_at(position)?;
        self.writer.merge_all()?;
        let Build {
            name,
            dir,
            index,
            writer,
            home,
        } = self;
        // Released before the rename: nothing may write under the old path afterwards.
        drop(writer);
        drop(index);
        let directory_error = |e| home.directory_error(e);
        fs::rename(&dir, home.root.join(&name)).map_err(directory_error)?;
        home.switch_to(&name).map_err(directory_error)?;
        Ok(name)
    }
}

fn is_generation_name(name: &str) -> bool {
    name.strip_prefix(GENERATION_PREFIX).is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
    })
}

/// A name no other build takes: the time in nanoseconds and the process.
fn new_generation_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{GENERATION_PREFIX}{nanos:x}-{:x}", std::process::id())
}

/// Whether someone holds the writer of the index in `dir` (an unreadable directory counts as
/// held: it is left alone).
fn is_locked(dir: &Path) -> bool {
    let Ok(directory) = MmapDirectory::open(dir) else {
        return true;
    };
    directory.acquire_lock(&INDEX_WRITER_LOCK).is_err()
}

fn is_abandoned(dir: &Path) -> bool {
    let old = fs::metadata(dir)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| modified.elapsed().ok())
        .is_some_and(|age| age >= ABANDONED_BUILD_AGE);
    old && !is_locked(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IndexDoc, SearchQuery};

    fn doc(key: &str, title: &str) -> IndexDoc {
        IndexDoc {
            key: key.into(),
            kind: "group".into(),
            title: title.into(),
            url: format!("/{key}"),
            readers: vec!["public".into()],
            ..IndexDoc::default()
        }
    }

    fn titles(index: &SearchIndex, text: &str) -> Vec<String> {
        index
            .search(&SearchQuery {
                text: text.into(),
                readers: vec!["public".into()],
                limit: 10,
                ..SearchQuery::default()
            })
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.title)
            .collect()
    }

    #[test]
    fn a_build_becomes_current_with_its_position_and_old_ones_go_when_unused() {
        let dir = tempfile::tempdir().unwrap();
        let home = IndexHome::new(dir.path().join("index"));
        assert!(home.open_current().unwrap().is_none());

        let mut build = home.build().unwrap();
        build.writer().upsert(&doc("group:1", "Santé")).unwrap();
        let first = build.finish(7).unwrap();
        let (name, index) = home.open_current().unwrap().unwrap();
        assert_eq!(name, first);
        assert_eq!(index.position().unwrap(), Some(7));
        assert_eq!(titles(&index, "sante"), ["Santé"]);
        let writer = index.writer().unwrap();

        let mut build = home.build().unwrap();
        build.writer().upsert(&doc("group:2", "Écologie")).unwrap();
        let second = build.finish(9).unwrap();
        assert_ne!(first, second);
        assert_eq!(home.current().unwrap().as_deref(), Some(second.as_str()));
        // The first generation's writer is still held: it stays, and still answers.
        home.remove_unused(None).unwrap();
        assert!(home.root().join(&first).is_dir());
        assert_eq!(titles(&index, "sante"), ["Santé"]);
        drop(writer);
        home.remove_unused(None).unwrap();
        assert!(!home.root().join(&first).exists());
        let (_, index) = home.open_current().unwrap().unwrap();
        assert_eq!(index.position().unwrap(), Some(9));
        assert_eq!(titles(&index, "ecologie"), ["Écologie"]);
    }

    #[test]
    fn garbage_is_an_error_or_no_index_never_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("index");
        let home = IndexHome::new(&root);
        fs::create_dir_all(&root).unwrap();
        fs::write(root.join(POINTER), "../../etc").unwrap();
        assert!(home.open_current().unwrap().is_none(), "not a generation");
        fs::write(root.join(POINTER), "gen-1").unwrap();
        assert!(home.open_current().is_err(), "points at nothing");
        fs::create_dir_all(root.join("gen-1")).unwrap();
        fs::write(root.join("gen-1").join("meta.json"), "{ not json").unwrap();
        fs::write(
            root.join("gen-1").join(crate::schema::SCHEMA_VERSION_FILE),
            crate::schema::SCHEMA_VERSION.to_string(),
        )
        .unwrap();
        assert!(home.open_current().is_err(), "damaged");
        fs::write(root.join("meta.json"), "the layout before generations").unwrap();
        let built = home.build().unwrap().finish(0).unwrap();
        home.remove_unused(None).unwrap();
        assert!(!root.join("gen-1").exists());
        assert!(!root.join("meta.json").exists());
        assert!(root.join(built).is_dir());
    }
}
