//! What is kept of a text's amendments between requests: their placements (by state of the
//! text) and their diffs (by wording). Every page that shows an amendment places all of its
//! text's, for the overlaps, and a convention's text has thousands of them, read far more often
//! than the text or they change.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use automerge::ChangeHash;

use super::placement::{self, Placement};
use crate::collab::Hub;
use crate::error::AppResult;
use crate::model::{AmendmentId, TextId};
use crate::store::{AmendmentRow, AmendmentRules, Db, ParagraphCount};
use crate::text;

/// A text's rules for amendments and how many amendments each paragraph has.
#[derive(Debug)]
pub struct Overview {
    pub rules: AmendmentRules,
    pub counts: Vec<ParagraphCount>,
}

/// The memory the diffs may take.
const DIFFS_BYTES: u64 = 64 * 1024 * 1024;

/// Placements kept by state of the text and amendments: every page that shows an amendment
/// places all of its text's (for the overlaps), and a convention's text has thousands, while
/// the text and its amendments change far less often than they are read. A placement depends
/// on nothing but the document's state (its heads) and the amendments' anchors, statuses and
/// wordings (a sub-amendment's place is in its parent's), all in the key: nothing kept can go
/// stale, and old states age out. Cheap to clone.
#[derive(Clone)]
pub struct Kept {
    placements: moka::sync::Cache<u64, Arc<HashMap<AmendmentId, Placement>>>,
    /// Texts' amendments, with their digest, by the latest event this server knows of.
    rows: moka::sync::Cache<(TextId, i64), Arc<Rows>>,
    /// Amendments' word diffs, by a digest of their original and their wording.
    diffs: moka::sync::Cache<u64, Arc<String>>,
    /// Texts' rules and margins' counts, by the latest event this server knows of: every
    /// change of an amendment or of the rules appends one, so nothing kept is older than
    /// what this server has heard (another server's change, once its event is heard: within
    /// the outbox's delay, as search).
    overviews: moka::sync::Cache<(TextId, i64), Arc<Overview>>,
    /// The keys' digests, random per process: nobody can make two inputs meet on purpose.
    digests: RandomState,
}

impl Default for Kept {
    fn default() -> Self {
        Kept {
            placements: moka::sync::Cache::builder()
                .max_capacity(256)
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            rows: moka::sync::Cache::builder()
                .max_capacity(64)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            diffs: moka::sync::Cache::builder()
                .weigher(|_, html: &Arc<String>| u32::try_from(html.len()).unwrap_or(u32::MAX))
                .max_capacity(DIFFS_BYTES)
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            overviews: moka::sync::Cache::builder()
                .max_capacity(4096)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            digests: RandomState::new(),
        }
    }
}

impl Kept {
    /// A text's amendments (as `Db::amendments_of_text`) and where each is in the text as it
    /// is now, for the pages and lists that read them. Overlaps are counted among the
    /// amendments that still compete for the text (`AmendmentStatus::is_live`): a draft is
    /// listed in no one else's overlaps (it is private), but its own lists the live ones it
    /// meets. The rows are read once per event this server hears (every change of an amendment
    /// appends one); the placements are made once per state of the text and of its amendments.
    /// What must decide on the text as it is (merging, exports) reads and places afresh.
    pub async fn of_text(&self, db: &Db, hub: &Hub, text: TextId) -> AppResult<TextAmendments> {
        // Read before the rows: a change committed meanwhile is kept under an older position,
        // which the next reader, past it, does not use.
        let position = db.known_event_position();
        let rows = match self.rows.get(&(text, position)) {
            Some(rows) => rows,
            None => {
                let rows = db.amendments_of_text(text, None).await?;
                let rows = Arc::new(Rows {
                    digest: self.rows_digest(&rows),
                    anchors: placement::anchors(&rows)?.into(),
                    rows,
                });
                self.rows.insert((text, position), rows.clone());
                rows
            }
        };
        let now = hub.read(text, None).await.map_err(crate::text::hub_error)?;
        let places = match self
            .placements
            .get(&self.key(text, &now.heads, rows.digest))
        {
            Some(places) => places,
            None => {
                let started = std::time::Instant::now();
                let (heads, places) =
                    placement::place_parsed(hub, text, &rows.rows, rows.anchors.clone()).await?;
                metrics::histogram!("atelier_amendments_placement_seconds")
                    .record(started.elapsed().as_secs_f64());
                let places = Arc::new(places);
                // Kept under the state they were resolved at (the text may have moved since).
                self.placements
                    .insert(self.key(text, &heads, rows.digest), places.clone());
                places
            }
        };
        Ok(TextAmendments { rows, places })
    }

    /// A text's rules for amendments and its amendments counted by paragraph (what a reading
    /// view's margins show), read at most once per event for all of its readers.
    pub async fn overview(&self, db: &Db, text: TextId) -> AppResult<Arc<Overview>> {
        // Read before the rows: a change committed meanwhile is kept under an older position,
        // which the next reader, past it, does not use.
        let key = (text, db.known_event_position());
        if let Some(kept) = self.overviews.get(&key) {
            return Ok(kept);
        }
        let overview = Arc::new(Overview {
            rules: db.amendment_rules(text).await?,
            counts: db.amendment_counts(text).await?,
        });
        self.overviews.insert(key, overview.clone());
        Ok(overview)
    }

    /// The word diff of an amendment (`<del>`/`<ins>`, never colour alone), made off the
    /// runtime once per wording: lists and pages show the same diffs over and over.
    pub async fn diff_html(&self, row: &AmendmentRow) -> AppResult<Arc<String>> {
        let key = self
            .digests
            .hash_one((row.original.as_str(), row.replacement.as_str()));
        if let Some(html) = self.diffs.get(&key) {
            return Ok(html);
        }
        let html = Arc::new(
            text::diff(row.original.clone(), row.replacement.clone())
                .await?
                .html,
        );
        self.diffs.insert(key, html.clone());
        Ok(html)
    }

    fn key(&self, text: TextId, heads: &[ChangeHash], rows: u64) -> u64 {
        self.digests.hash_one((text, heads, rows))
    }

    /// What placements depend on in a text's amendments.
    fn rows_digest(&self, rows: &[AmendmentRow]) -> u64 {
        let mut hasher = self.digests.build_hasher();
        for row in rows {
            // A sub-amendment is placed in its parent's wording, which rewording changes.
            (
                row.amendment_id,
                &row.anchor,
                row.status,
                row.superseded_by,
                row.parent_id,
                &row.replacement,
            )
                .hash(&mut hasher);
        }
        hasher.finish()
    }
}

/// A text's amendments as read, with what placing them needs.
struct Rows {
    rows: Vec<AmendmentRow>,
    /// What their placements depend on (`rows_digest`).
    digest: u64,
    /// Their anchors, read once (sub-amendments' left out, as `placement::anchors`).
    anchors: Arc<[crate::collab::Anchor]>,
}

/// A text's amendments and where each is now.
#[derive(Clone)]
pub struct TextAmendments {
    rows: Arc<Rows>,
    pub places: Arc<HashMap<AmendmentId, Placement>>,
}

impl TextAmendments {
    /// Every amendment of the text, by number (drafts included: callers filter what the
    /// viewer may see).
    pub fn rows(&self) -> &[AmendmentRow] {
        &self.rows.rows
    }
}
