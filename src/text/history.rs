//! A text's history as a person reads it: the points one may compare, the sessions its stored
//! batches group into, and the words each session added and removed.
//!
//! # Points
//!
//! A point is a state of the text anyone may address in a diff's `from` and `to`:
//! `now`; a named version by its id (`12`); the state after a stored batch (`e345`, the
//! `text_edit` row's id: a session ends at one); `start`, the empty text before the first
//! batch; or automerge heads, hex change hashes separated by commas. Versions keep their
//! Markdown; the other points are read from the document at their heads, only when a diff asks.
//!
//! # Sessions
//!
//! A session is a run of consecutive stored batches (`text_edit` rows, in the order they were
//! stored), so that its start and end are two points and its diff is exact. A new session
//! starts between two batches when the pause between them is longer than [`PAUSE`], or when
//! they are by different authors and more than [`HANDOVER`] apart: people typing together (their
//! batches seconds apart) make one session naming them all; someone taking over after a minute
//! starts their own. The rule looks at two neighbouring batches only, so sessions are the same
//! whichever end the history is read from, and a page of sessions reads only its own rows
//! (metadata: author, time, changes, heads), never the document.
//!
//! # Words added and removed
//!
//! They are computed lazily: for the sessions of the page being shown, the document is read at
//! their boundaries (one blocking job, [`STATES_BUDGET`]) and each session's start and end are
//! diffed word by word within a shared [`WORDS_BUDGET`]. Results are kept in this server's memory
//! (`WordCounts`), keyed by the heads of the session's two boundaries: the text at given heads
//! never changes, so nothing goes stale (a session still growing gets a new key). What the
//! budgets leave out is shown as unknown, and filled in on a later view. Counting at store time
//! instead would put a diff of the whole text on the typing path, and summing per-batch counts
//! is wrong (a word typed in five batches is one word).

use std::time::{Duration, Instant};

use automerge::ChangeHash;
use time::OffsetDateTime;

use super::{TextContext, hub_error};
use crate::collab::{Hub, doc};
use crate::error::{AppError, AppResult};
use crate::markup::{self, RenderedDiff};
use crate::model::{MemberId, TextId, VersionId};
use crate::store::{Db, EditRow};

/// The longest pause within one author's session.
pub const PAUSE: Duration = Duration::from_secs(5 * 60);

/// The longest gap after which another author's batch still joins the session.
pub const HANDOVER: Duration = Duration::from_secs(60);

/// Sessions on a page of the history.
pub const SESSIONS_PER_PAGE: usize = 20;

/// The most stored batches one page reads: a session longer than that (hours of typing without
/// a pause) is shown in parts, each one a page, flagged as continuing earlier.
pub const MAX_ROWS_PER_PAGE: usize = 5_000;

const ROWS_PER_READ: i64 = 500;

/// The time a page may spend reading past states of the document for its word counts.
pub const STATES_BUDGET: Duration = Duration::from_millis(800);

/// The time a page may spend diffing its sessions for their word counts.
pub const WORDS_BUDGET: Duration = Duration::from_millis(800);

/// A state of the text that a diff may compare (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Point {
    Now,
    /// The empty text, before the first batch.
    Start,
    Version(VersionId),
    /// The state after a stored batch (`text_edit` row).
    Edit(i64),
    Heads(Vec<ChangeHash>),
}

impl Point {
    /// Parses a point; a missing or empty one is `now`. 400 for what is no point at all.
    pub fn parse(raw: Option<&str>) -> AppResult<Point> {
        let raw = match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None | Some("now") | Some("current") => return Ok(Point::Now),
            Some("start") => return Ok(Point::Start),
            Some(raw) => raw,
        };
        let refused = || {
            AppError::bad_request(format!(
                "« {raw} » n'est pas un point de l'historique : un numéro de version, « e » suivi \
                 d'un numéro de modification, des têtes automerge, « start » ou « now »."
            ))
        };
        // Heads first: a hash may start with `e` or be all digits.
        let hashes: Vec<&str> = raw.split(',').map(str::trim).collect();
        let well_formed = hashes
            .iter()
            .all(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        if well_formed {
            return match doc::parse_heads(&hashes) {
                Some(heads) if !heads.is_empty() => Ok(Point::Heads(heads)),
                _ => Err(refused()),
            };
        }
        if raw.bytes().all(|b| b.is_ascii_digit()) {
            return raw.parse().map(Point::Version).map_err(|_| refused());
        }
        match raw.strip_prefix('e') {
            Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
                match id.parse::<i64>() {
                    Ok(id) if id > 0 => Ok(Point::Edit(id)),
                    _ => Err(refused()),
                }
            }
            _ => Err(refused()),
        }
    }

    /// The point as written in a URL.
    pub fn code(&self) -> String {
        match self {
            Point::Now => "now".into(),
            Point::Start => "start".into(),
            Point::Version(id) => id.to_string(),
            Point::Edit(id) => format!("e{id}"),
            Point::Heads(heads) => doc::heads_to_strings(heads).join(","),
        }
    }
}

/// What a resolved point is, for its label.
#[derive(Debug, Clone)]
pub enum PointLabel {
    Now,
    Start,
    Version(String),
    /// After a batch stored at that time.
    Edit(OffsetDateTime),
    Heads,
}

/// The Markdown at each point, with its label. 404 for a version, batch or change this text
/// does not have.
pub async fn resolve_points(
    db: &Db,
    hub: &Hub,
    ctx: &TextContext,
    points: &[Point],
) -> AppResult<Vec<(String, PointLabel)>> {
    let text = ctx.text.text_id;
    // First what the database holds, and the heads of what the document must materialise.
    let mut known: Vec<Option<(String, PointLabel)>> = Vec::with_capacity(points.len());
    let mut wanted: Vec<(usize, Vec<ChangeHash>, PointLabel)> = Vec::new();
    for (at, point) in points.iter().enumerate() {
        match point {
            Point::Now => {
                let view = hub.read(text, None).await.map_err(hub_error)?;
                known.push(Some((view.markdown.to_string(), PointLabel::Now)));
            }
            Point::Start => known.push(Some((String::new(), PointLabel::Start))),
            Point::Version(id) => {
                let version = db
                    .version(text, *id)
                    .await?
                    .ok_or_else(AppError::not_found)?;
                known.push(Some((version.markdown, PointLabel::Version(version.label))));
            }
            Point::Edit(id) => {
                let edit = db
                    .text_edit(text, *id)
                    .await?
                    .ok_or_else(AppError::not_found)?;
                let heads = doc::heads_from_json(&edit.heads).ok_or_else(AppError::not_found)?;
                wanted.push((at, heads, PointLabel::Edit(edit.created_at)));
                known.push(None);
            }
            Point::Heads(heads) => {
                wanted.push((at, heads.clone(), PointLabel::Heads));
                known.push(None);
            }
        }
    }
    if !wanted.is_empty() {
        let heads = wanted.iter().map(|(_, h, _)| h.clone()).collect();
        // A generous budget: a diff asked for explicitly is worth waiting for.
        let states = hub
            .read_states(text, heads, Duration::from_secs(10))
            .await
            .map_err(hub_error)?;
        for ((at, _, label), state) in wanted.into_iter().zip(states) {
            let markdown = state.ok_or_else(AppError::not_found)?;
            known[at] = Some((markdown, label));
        }
    }
    known
        .into_iter()
        .map(|k| k.ok_or_else(|| AppError::Internal(anyhow::anyhow!("a point was not resolved"))))
        .collect()
}

/// The differences between two states on the rendered text: both rendered (wiki links
/// resolved for the viewer), then compared within the diff deadline.
pub async fn rendered_comparison(
    db: &Db,
    ctx: &TextContext,
    old: &str,
    new: &str,
) -> AppResult<RenderedDiff> {
    let old = super::render(db, ctx, old).await?.html;
    let new = super::render(db, ctx, new).await?.html;
    tokio::task::spawn_blocking(move || markup::rendered_diff(&old, &new, super::DIFF_DEADLINE))
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

/// One author's part in a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionAuthor {
    /// `None`: the server (an import, a restoration).
    pub author_id: Option<MemberId>,
    pub name: Option<String>,
    /// Changes (automerge's) they made in the session.
    pub changes: i64,
}

/// A run of consecutive stored batches (see the module documentation).
#[derive(Debug, Clone)]
pub struct Session {
    /// The batch before the session (its start point), `None` when it starts the text.
    pub before: Option<i64>,
    pub first: i64,
    /// Its last batch: the session's end point.
    pub last: i64,
    pub started_at: OffsetDateTime,
    pub ended_at: OffsetDateTime,
    /// In order of first appearance.
    pub authors: Vec<SessionAuthor>,
    pub batches: usize,
    /// The server's own messages ("created", "restored version 3"), distinct.
    pub messages: Vec<String>,
    /// The page's bound cut the session: it started earlier (on the next page).
    pub continues_earlier: bool,
    before_heads: Option<String>,
    last_heads: String,
    /// The heads of the oldest row added so far.
    oldest_heads: String,
}

impl Session {
    pub fn from_point(&self) -> Point {
        self.before.map_or(Point::Start, Point::Edit)
    }

    pub fn to_point(&self) -> Point {
        Point::Edit(self.last)
    }

    fn new(row: &EditRow) -> Session {
        Session {
            before: None,
            first: row.text_edit_id,
            last: row.text_edit_id,
            started_at: row.created_at,
            ended_at: row.created_at,
            authors: Vec::new(),
            batches: 0,
            messages: Vec::new(),
            continues_earlier: false,
            before_heads: None,
            last_heads: row.heads.clone(),
            oldest_heads: row.heads.clone(),
        }
    }

    /// Adds an older row of the session. A batch of several authors is a row each, with the
    /// same heads, stored together: it counts once.
    fn add_older(&mut self, row: &EditRow) {
        if self.batches == 0 || self.oldest_heads != row.heads {
            self.batches += 1;
        }
        self.oldest_heads.clone_from(&row.heads);
        self.first = row.text_edit_id;
        self.started_at = row.created_at;
        match self
            .authors
            .iter_mut()
            .find(|a| a.author_id == row.author_id)
        {
            Some(author) => author.changes += i64::from(row.changes),
            None => self.authors.push(SessionAuthor {
                author_id: row.author_id,
                name: row.author_name.clone(),
                changes: i64::from(row.changes),
            }),
        }
        if let Some(message) = &row.message
            && !self.messages.contains(message)
        {
            self.messages.push(message.clone());
        }
    }

    /// Closes the session on the batch before it (`None`: it starts the text).
    fn close(&mut self, before: Option<&EditRow>) {
        self.before = before.map(|row| row.text_edit_id);
        self.before_heads = before.map(|row| row.heads.clone());
        // Authors were met newest first: list them in the order they started.
        self.authors.reverse();
        self.messages.reverse();
    }
}

/// Whether a session ends between two consecutive batches (`older` stored just before `newer`).
pub fn is_boundary(older: &EditRow, newer: &EditRow) -> bool {
    // Absolute: servers' clocks may disagree by a little, and a long gap either way is a pause.
    let gap = (newer.created_at - older.created_at).abs();
    gap > PAUSE || (older.author_id != newer.author_id && gap > HANDOVER)
}

/// A page of sessions, newest first, and where the next (older) page starts.
#[derive(Debug, Clone)]
pub struct SessionPage {
    pub sessions: Vec<Session>,
    /// `before` for the next page; `None` on the last one.
    pub older: Option<i64>,
}

/// Groups stored batches, newest first (as read), into closed sessions: at most `count`, over at
/// most `max_rows` batches. `exhausted`: `rows` reach the text's first batch. The rows after the
/// last closed session are left for the next page.
pub fn group_sessions(
    rows: &[EditRow],
    exhausted: bool,
    count: usize,
    max_rows: usize,
) -> SessionPage {
    let mut sessions = Vec::new();
    let mut current: Option<Session> = None;
    for (at, row) in rows.iter().enumerate() {
        let session = current.get_or_insert_with(|| Session::new(row));
        session.add_older(row);
        let older = rows.get(at + 1);
        let cut = at + 1 >= max_rows;
        let ends = match older {
            Some(older) => is_boundary(older, row) || cut,
            None => exhausted || cut,
        };
        if !ends {
            continue;
        }
        if older.is_none() && !exhausted {
            // Cut at the end of what was read: the batch before is on the next page.
            break;
        }
        let mut session = current.take().unwrap_or_else(|| Session::new(row));
        session.close(older);
        session.continues_earlier = older.is_some_and(|older| !is_boundary(older, row));
        sessions.push(session);
        if sessions.len() == count || cut {
            break;
        }
    }
    let older = sessions
        .last()
        .filter(|s| s.before.is_some())
        .map(|s| s.first);
    SessionPage { sessions, older }
}

/// A page of a text's sessions, newest first, starting before the batch `before` (`None`: from
/// the latest). Reads batches' metadata only, at most [`MAX_ROWS_PER_PAGE`] of them (plus one).
pub async fn session_page(db: &Db, text: TextId, before: Option<i64>) -> AppResult<SessionPage> {
    let mut rows: Vec<EditRow> = Vec::new();
    let mut cursor = before;
    loop {
        let batch = db.text_edits_before(text, cursor, ROWS_PER_READ).await?;
        let exhausted = batch.len() < usize::try_from(ROWS_PER_READ).unwrap_or(usize::MAX);
        cursor = batch.last().map(|row| row.text_edit_id);
        rows.extend(batch);
        // One row more than the page may take: the batch before its oldest session.
        if exhausted || rows.len() > MAX_ROWS_PER_PAGE {
            return Ok(group_sessions(
                &rows,
                exhausted,
                SESSIONS_PER_PAGE,
                MAX_ROWS_PER_PAGE,
            ));
        }
        let page = group_sessions(&rows, false, SESSIONS_PER_PAGE, MAX_ROWS_PER_PAGE);
        if page.sessions.len() == SESSIONS_PER_PAGE {
            return Ok(page);
        }
    }
}

/// Words added and removed between a session's start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    pub added: usize,
    pub removed: usize,
    /// The diff hit its deadline: the counts come from a coarser comparison.
    pub approximate: bool,
}

/// This server's memory of sessions' word counts, by text and boundaries' heads (the text at
/// given heads never changes, so nothing here goes stale).
#[derive(Clone)]
pub struct WordCounts(moka::sync::Cache<SessionKey, Words>);

/// A session of a text by its boundaries' heads (the state before it, `None` for the start, and
/// after it): change hashes name states that never change, where a batch's id could be reused by
/// SQLite after a deletion.
type SessionKey = (TextId, Option<String>, String);

impl Default for WordCounts {
    fn default() -> Self {
        WordCounts(
            moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(24 * 3600))
                .build(),
        )
    }
}

/// The words each session added and removed, computed for those not known yet within the
/// budgets (`None` for what they left out).
pub async fn session_words(
    hub: &Hub,
    word_counts: &WordCounts,
    text: TextId,
    sessions: &[Session],
) -> AppResult<Vec<Option<Words>>> {
    let memo = &word_counts.0;
    let key = |s: &Session| (text, s.before_heads.clone(), s.last_heads.clone());
    let missing: Vec<&Session> = sessions
        .iter()
        .filter(|s| memo.get(&key(s)).is_none())
        .collect();
    if !missing.is_empty() {
        // Each distinct boundary once: one session's end is often the next one's start.
        let mut boundaries: Vec<String> = Vec::new();
        for session in &missing {
            for heads in session.before_heads.iter().chain([&session.last_heads]) {
                if !boundaries.contains(heads) {
                    boundaries.push(heads.clone());
                }
            }
        }
        let parsed: Vec<Vec<ChangeHash>> = boundaries
            .iter()
            .map(|h| doc::heads_from_json(h).unwrap_or_default())
            .collect();
        let states = hub
            .read_states(text, parsed, STATES_BUDGET)
            .await
            .map_err(hub_error)?;
        let state_of = |heads: &str| {
            boundaries
                .iter()
                .position(|b| b == heads)
                .and_then(|at| states.get(at).cloned().flatten())
        };
        let mut pairs: Vec<(SessionKey, String, String)> = Vec::new();
        for session in &missing {
            let old = match &session.before_heads {
                None => Some(String::new()),
                Some(heads) => state_of(heads),
            };
            if let (Some(old), Some(new)) = (old, state_of(&session.last_heads)) {
                pairs.push((key(session), old, new));
            }
        }
        let counted = tokio::task::spawn_blocking(move || count_words(pairs))
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        for (key, words) in counted {
            memo.insert(key, words);
        }
    }
    Ok(sessions.iter().map(|s| memo.get(&key(s))).collect())
}

/// Diffs each pair until the shared budget is spent.
fn count_words<K>(pairs: Vec<(K, String, String)>) -> Vec<(K, Words)> {
    let deadline = Instant::now() + WORDS_BUDGET;
    let mut counted = Vec::new();
    for (key, old, new) in pairs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let result = markup::word_diff(&old, &new, left.min(super::DIFF_DEADLINE));
        counted.push((
            key,
            Words {
                added: result.insertions,
                removed: result.deletions,
                approximate: result.truncated,
            },
        ));
    }
    counted
}

/// Shared by the page and the API: a page of sessions and their word counts.
pub async fn sessions_with_words(
    db: &Db,
    hub: &Hub,
    word_counts: &WordCounts,
    ctx: &TextContext,
    before: Option<i64>,
) -> AppResult<(SessionPage, Vec<Option<Words>>)> {
    let page = session_page(db, ctx.text.text_id, before).await?;
    let words = session_words(hub, word_counts, ctx.text.text_id, &page.sessions).await?;
    Ok((page, words))
}

/// Parses a page's `before` cursor (a batch id); 400 otherwise.
pub fn parse_cursor(raw: Option<&str>) -> AppResult<Option<i64>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(raw) => raw
            .strip_prefix('e')
            .unwrap_or(raw)
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Some)
            .ok_or_else(|| {
                AppError::bad_request(format!("« {raw} » n'est pas un numéro de modification."))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, author: Option<i64>, seconds: i64) -> EditRow {
        EditRow {
            text_edit_id: id,
            author_id: author.map(MemberId),
            author_name: author.map(|a| format!("M{a}")),
            changes: 1,
            heads: format!("[\"h{id}\"]"),
            message: None,
            created_at: OffsetDateTime::UNIX_EPOCH + Duration::from_secs(seconds as u64),
        }
    }

    /// Rows oldest first, as written; grouped newest first, as read.
    fn group(rows: &[EditRow], count: usize, max_rows: usize) -> Vec<(Option<i64>, i64, i64)> {
        let newest_first: Vec<EditRow> = rows.iter().rev().cloned().collect();
        group_sessions(&newest_first, true, count, max_rows)
            .sessions
            .iter()
            .map(|s| (s.before, s.first, s.last))
            .collect()
    }

    #[test]
    fn interleaved_authors_typing_together_make_one_session() {
        let rows = [
            row(1, Some(1), 0),
            row(2, Some(2), 5),
            row(3, Some(1), 10),
            row(4, Some(2), 12),
        ];
        assert_eq!(group(&rows, 20, 100), vec![(None, 1, 4)]);
    }

    #[test]
    fn a_batch_of_two_authors_counts_once() {
        let mut second = row(2, Some(2), 5);
        second.heads = row(3, None, 0).heads;
        let rows = [row(1, Some(1), 0), second, row(3, Some(1), 5)];
        let newest_first: Vec<EditRow> = rows.iter().rev().cloned().collect();
        let page = group_sessions(&newest_first, true, 20, 100);
        assert_eq!(page.sessions[0].batches, 2);
        assert_eq!(page.sessions[0].authors.len(), 2);
    }

    #[test]
    fn a_pause_or_a_handover_starts_a_session() {
        let rows = [
            row(1, Some(1), 0),
            row(2, Some(1), 200),
            // A pause of more than five minutes.
            row(3, Some(1), 200 + 301),
            // Another author, more than a minute later.
            row(4, Some(2), 501 + 61),
            row(5, Some(2), 501 + 61 + 30),
        ];
        assert_eq!(
            group(&rows, 20, 100),
            vec![(Some(3), 4, 5), (Some(2), 3, 3), (None, 1, 2)]
        );
    }

    #[test]
    fn pages_and_bounds() {
        let rows: Vec<EditRow> = (1..=6).map(|i| row(i, Some(1), i * 1000)).collect();
        let newest_first: Vec<EditRow> = rows.iter().rev().cloned().collect();
        let page = group_sessions(&newest_first, true, 2, 100);
        assert_eq!(page.sessions.len(), 2);
        assert_eq!(page.older, Some(5));
        // Without the row before it, the oldest session read is not closed.
        let page = group_sessions(&newest_first[..2], false, 20, 100);
        assert_eq!(page.sessions.len(), 1);
        // One long session is cut at the page's bound.
        let typing: Vec<EditRow> = (1..=10).map(|i| row(i, Some(1), i)).collect();
        let newest_first: Vec<EditRow> = typing.iter().rev().cloned().collect();
        let page = group_sessions(&newest_first, true, 20, 4);
        assert_eq!(page.sessions.len(), 1);
        assert_eq!((page.sessions[0].first, page.sessions[0].last), (7, 10));
        assert!(page.sessions[0].continues_earlier);
        assert_eq!(page.older, Some(7));
    }

    #[test]
    fn points_parse() {
        assert_eq!(Point::parse(None).unwrap(), Point::Now);
        assert_eq!(Point::parse(Some("start")).unwrap(), Point::Start);
        assert_eq!(
            Point::parse(Some("12")).unwrap(),
            Point::Version(VersionId(12))
        );
        assert_eq!(Point::parse(Some("e34")).unwrap(), Point::Edit(34));
        // Hashes that look like a batch or a version are heads all the same.
        for hash in [
            "a".repeat(64),
            format!("e{}", "2".repeat(63)),
            "7".repeat(64),
        ] {
            let point = Point::parse(Some(&hash)).unwrap();
            assert!(matches!(point, Point::Heads(_)), "{hash}");
            assert_eq!(point.code(), hash, "heads round-trip");
        }
        for bad in [
            "v9",
            "e",
            "e-1",
            "e0",
            "x",
            "abc",
            "99999999999999999999999",
        ] {
            assert!(Point::parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
