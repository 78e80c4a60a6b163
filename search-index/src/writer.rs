//! The single writer of an index.

use std::sync::Arc;

use tantivy::query::AllQuery;
use tantivy::schema::Facet;
use tantivy::{DateTime, IndexReader, IndexWriter, TantivyDocument, Term};

use crate::SearchError;
use crate::fresh::FreshWriter;
use crate::schema::{Fields, Language};

/// A document of any kind, as the indexer hands it over.
///
/// **Who may see it** is `readers`: a list of grants, and a search ([`crate::SearchQuery`])
/// finds the document only if the searcher holds at least one of them. The vocabulary is the
/// application's; Atelier's is "public" (anyone, signed in or not), "members" (any signed-in
/// member), "group:ID" (the members of a group), "member:ID" (one member: their drafts).
/// A document with no readers is found by no one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexDoc {
    /// Unique key, e.g. "group:12" or "paragraph:5:3". Upserts replace by key.
    pub key: String,
    /// What the document was made from, e.g. "text:5" (empty: none). All the documents of a
    /// source are replaced together ([`IndexWriterHandle::replace_source`]).
    pub source: String,
    /// What a hit shows as its title, when the indexed `title` is not it (plain text).
    pub label: Option<String>,
    /// "group", "text", "paragraph", "amendment", "comment", "debate", …
    pub kind: String,
    /// The language `title` and `body` are written in (French by default).
    pub language: Language,
    /// Plain text (no Markdown, no HTML).
    pub title: String,
    /// Plain text (no Markdown, no HTML).
    pub body: String,
    /// Place in the party, "/federation-slug/section-slug" (a leading "/" is optional).
    pub place: Option<String>,
    /// The owning group.
    pub group_id: Option<String>,
    /// The theme, as members name it (« Santé »): `theme:santé` finds it, facets count it.
    pub theme: Option<String>,
    /// The convention (congress) the document belongs to, as members name it.
    pub convention: Option<String>,
    /// E.g. "draft", "adopted", "rejected".
    pub status: Option<String>,
    /// The author, as the server wants to show or filter it (`author:` matches its words).
    pub author: Option<String>,
    /// Unix seconds.
    pub date: Option<i64>,
    /// Where a hit links to.
    pub url: String,
    /// Who may see the document: grants such as "public", "group:12", "member:5" (see above).
    pub readers: Vec<String>,
}

/// The one writer of an index, to be owned by one task.
///
/// Changes become durable and visible to searches at [`IndexWriterHandle::commit`], which also
/// reloads the reader; a live writer's ([`crate::SearchIndex::live_writer`]) are visible before,
/// at [`IndexWriterHandle::publish`]. Dropping the handle discards uncommitted changes (and
/// unpublishes them) and releases the lock.
pub struct IndexWriterHandle {
    writer: IndexWriter<TantivyDocument>,
    reader: IndexReader,
    fields: Fields,
    location: Arc<str>,
    /// A live writer's fresh layer (`crate::fresh`).
    fresh: Option<FreshWriter>,
}

impl std::fmt::Debug for IndexWriterHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexWriterHandle")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl IndexWriterHandle {
    pub(crate) fn new(
        writer: IndexWriter<TantivyDocument>,
        reader: IndexReader,
        fields: Fields,
        location: Arc<str>,
        fresh: Option<FreshWriter>,
    ) -> Self {
        IndexWriterHandle {
            writer,
            reader,
            fields,
            location,
            fresh,
        }
    }

    fn write_error(&self, cause: tantivy::TantivyError) -> SearchError {
        SearchError::Write {
            path: self.location.to_string(),
            cause,
        }
    }

    /// Adds `doc`, replacing any document with the same key (once committed).
    pub fn upsert(&mut self, doc: &IndexDoc) -> Result<(), SearchError> {
        if doc.key.is_empty() {
            return Err(SearchError::EmptyKey {
                kind: doc.kind.clone(),
            });
        }
        self.delete(&doc.key);
        self.add(doc)
    }

    /// Replaces every document of `source` with `docs` (once committed): what was made from a
    /// text before it changed goes, whatever its keys were. Idempotent. `docs` empty removes
    /// the source from the index.
    pub fn replace_source(&mut self, source: &str, docs: &[IndexDoc]) -> Result<(), SearchError> {
        if source.is_empty() {
            return Err(SearchError::EmptyKey {
                kind: "source".to_owned(),
            });
        }
        self.writer
            .delete_term(Term::from_field_text(self.fields.source, source));
        if let Some(fresh) = &mut self.fresh {
            fresh.delete_source(source);
        }
        for doc in docs {
            if doc.key.is_empty() {
                return Err(SearchError::EmptyKey {
                    kind: doc.kind.clone(),
                });
            }
            // A key is unique whatever its source: a document that moved from another source
            // (none do yet) would otherwise be found twice.
            self.delete(&doc.key);
            self.add(&IndexDoc {
                source: source.to_owned(),
                ..doc.clone()
            })?;
        }
        Ok(())
    }

    fn add(&mut self, doc: &IndexDoc) -> Result<(), SearchError> {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.doc_key, &doc.key);
        if !doc.source.is_empty() {
            d.add_text(f.source, &doc.source);
        }
        if let Some(label) = &doc.label {
            d.add_text(f.label, label);
        }
        d.add_text(f.kind, &doc.kind);
        d.add_text(f.language, doc.language.code());
        let (title, body, words) = match doc.language {
            Language::French => (f.title, f.body, f.words),
            Language::English => (f.title_en, f.body_en, f.words_en),
        };
        d.add_text(title, &doc.title);
        d.add_text(body, &doc.body);
        d.add_text(words, &doc.title);
        d.add_text(words, &doc.body);
        if let Some(place) = &doc.place {
            d.add_facet(f.place, place_facet(place));
            d.add_text(f.place_text, place);
        }
        for (field, value) in [
            (f.group_id, &doc.group_id),
            (f.theme, &doc.theme),
            (f.convention, &doc.convention),
            (f.status, &doc.status),
            (f.author, &doc.author),
            (f.author_text, &doc.author),
        ] {
            if let Some(value) = value {
                d.add_text(field, value);
            }
        }
        for reader in &doc.readers {
            d.add_text(f.readers, reader);
        }
        if let Some(date) = doc.date {
            d.add_date(f.date, DateTime::from_timestamp_secs(date));
        }
        d.add_text(f.url, &doc.url);
        if let Some(fresh) = &mut self.fresh {
            let cause = fresh.add(d.clone()).err();
            if let Some(cause) = cause {
                return Err(self.write_error(cause));
            }
        }
        self.writer
            .add_document(d)
            .map_err(|e| self.write_error(e))?;
        Ok(())
    }

    /// Deletes the document with this key, if any (once committed).
    pub fn delete(&mut self, key: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.doc_key, key));
        if let Some(fresh) = &mut self.fresh {
            fresh.delete_key(key);
        }
    }

    /// Deletes every document (once committed), e.g. before a full reindex. Documents upserted
    /// after this call, before the commit, are kept.
    pub fn clear(&mut self) -> Result<(), SearchError> {
        // A delete operation, ordered with the adds, rather than `delete_all_documents`, which
        // drops segments out of band.
        self.writer
            .delete_query(Box::new(AllQuery))
            .map_err(|e| self.write_error(e))?;
        if let Some(fresh) = &mut self.fresh {
            let cause = fresh.clear().err();
            if let Some(cause) = cause {
                return Err(self.write_error(cause));
            }
        }
        Ok(())
    }

    /// Makes the changes since the last publication searchable at once, before they are
    /// committed (a live writer only: without a fresh layer, nothing to do). Cheap: in memory.
    pub fn publish(&mut self) -> Result<(), SearchError> {
        let cause = match &mut self.fresh {
            Some(fresh) => fresh.publish().err(),
            None => None,
        };
        match cause {
            Some(cause) => Err(self.write_error(cause)),
            None => Ok(()),
        }
    }

    /// Makes the changes since the last commit durable and visible to searches.
    pub fn commit(&mut self) -> Result<(), SearchError> {
        self.writer.commit().map_err(|e| self.write_error(e))?;
        self.reload().map_err(|e| self.write_error(e))
    }

    /// Reloads the reader after a commit; a live writer's fresh layer is emptied at the same
    /// time, the disk index now holding what it held.
    fn reload(&mut self) -> tantivy::Result<()> {
        let reader = &self.reader;
        match &mut self.fresh {
            Some(fresh) => fresh.committed(|| reader.reload()),
            None => reader.reload(),
        }
    }

    /// Like [`IndexWriterHandle::commit`], recording `position` in the same commit: the place in
    /// the feed of changes the index now reflects ([`crate::SearchIndex::position`]). The index
    /// and its position move together, so a crash between the two cannot exist.
    pub fn commit_at(&mut self, position: i64) -> Result<(), SearchError> {
        // The prepared commit borrows the writer: errors are made from a copy of the location.
        let location = self.location.clone();
        let write_error = |cause| SearchError::Write {
            path: location.to_string(),
            cause,
        };
        let mut prepared = self.writer.prepare_commit().map_err(write_error)?;
        prepared.set_payload(&position_payload(position));
        prepared.commit().map_err(write_error)?;
        self.reload().map_err(write_error)
    }

    /// Merges every committed segment into one and waits for it: the end of a bulk build
    /// (`atelier reindex`), as a search costs a little per segment (typos and prefixes are
    /// matched against each segment's dictionary). Searches see the merged segment at once.
    pub fn merge_all(&mut self) -> Result<(), SearchError> {
        let ids = self
            .reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect::<Vec<_>>();
        if ids.len() > 1 {
            self.writer
                .merge(&ids)
                .wait()
                .map_err(|e| self.write_error(e))?;
        }
        self.reload().map_err(|e| self.write_error(e))
    }

    /// Waits for the merges of segments the commits started, then releases the writer.
    /// Searches see the merged segments at once.
    pub fn wait_for_merges(self) -> Result<(), SearchError> {
        let location = self.location.clone();
        let write_error = |cause| SearchError::Write {
            path: location.to_string(),
            cause,
        };
        let IndexWriterHandle { writer, reader, .. } = self;
        writer.wait_merging_threads().map_err(write_error)?;
        reader.reload().map_err(write_error)
    }

    /// Discards the changes since the last commit.
    pub fn rollback(&mut self) -> Result<(), SearchError> {
        self.writer.rollback().map_err(|e| self.write_error(e))?;
        let cause = match &mut self.fresh {
            Some(fresh) => fresh.forget().err(),
            None => None,
        };
        match cause {
            Some(cause) => Err(self.write_error(cause)),
            None => Ok(()),
        }
    }
}

/// The commit payload that records a position: `{"position":12}`, so that more can be added.
fn position_payload(position: i64) -> String {
    format!("{{\"position\":{position}}}")
}

/// The position a commit payload records; `None` for a commit without one (or not ours).
pub(crate) fn payload_position(payload: &str) -> Option<i64> {
    let rest = payload.trim().strip_prefix("{\"position\":")?;
    rest.strip_suffix('}')?.trim().parse().ok()
}

/// "/fed/section", "fed/section" and "/fed/section/" all give the facet /fed/section.
pub(crate) fn place_facet(place: &str) -> Facet {
    Facet::from_path(place.split('/').filter(|s| !s.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_survives_its_payload() {
        for position in [0, 1, 12, i64::MAX] {
            assert_eq!(
                payload_position(&position_payload(position)),
                Some(position)
            );
        }
        assert_eq!(payload_position("garbage"), None);
        assert_eq!(payload_position(""), None);
    }
}
