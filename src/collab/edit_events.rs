//! When a text's `text.edited` events are appended: with the first batch stored after a quiet
//! interval, then at most once per interval (`HubSettings::edit_event_every`, half a second)
//! while people type, and once after the last batch of a burst — so that a consumer that reads the text again on each event (the
//! search index) always ends on its final state, without an event per keystroke.
//!
//! A batch stored without the event marks its text as owing one, in the batch's own
//! transaction (`NewChunk::edited`). The document task pays the debt once the interval has
//! passed; should its server stop or die first, the debt stays in the database, and any
//! server's [`pay_forgotten`] pays it.

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::model::TextId;
use crate::store::Db;

/// One open text's edit events (in its document task).
pub(super) struct EditEvents {
    db: Db,
    text: TextId,
    every: Duration,
    /// When this task last appended `text.edited`.
    last: Option<Instant>,
    /// A batch was stored since, without the event.
    owed: bool,
}

impl EditEvents {
    pub(super) fn new(hub: &super::Hub, text: TextId) -> EditEvents {
        EditEvents {
            db: hub.inner.db.clone(),
            text,
            every: hub.inner.settings.edit_event_every,
            last: None,
            owed: false,
        }
    }

    /// Whether the batch about to be stored appends `text.edited` itself (else it owes one).
    /// Should the batch not be stored after all, nothing is lost: a debt the database does not
    /// hold is paid by appending nothing, and an event not appended was not owed.
    pub(super) fn announce(&mut self) -> bool {
        let now = self.last.is_none_or(|at| at.elapsed() >= self.every);
        if now {
            self.last = Some(Instant::now());
        }
        self.owed = !now;
        now
    }

    /// How long until the owed event is due (`Duration::MAX` when nothing is owed).
    pub(super) fn due_in(&self) -> Duration {
        match (self.owed, self.last) {
            (false, _) => Duration::MAX,
            (true, None) => Duration::ZERO,
            (true, Some(at)) => self.every.saturating_sub(at.elapsed()),
        }
    }

    /// Appends the owed event once due (at once with `now`: the task is leaving or stopping).
    pub(super) async fn pay(&mut self, now: bool) {
        if !self.owed || (!now && !self.due_in().is_zero()) {
            return;
        }
        // Tried again an interval later if it fails: the debt is in the database meanwhile.
        self.last = Some(Instant::now());
        match self.db.append_owed_edit_event(self.text).await {
            Ok(_) => self.owed = false,
            Err(e) => {
                tracing::warn!(text = %self.text, error = %e, "cannot append a text's edit event: will try again")
            }
        }
    }
}

/// How long a debt may wait before any server pays it: a live document task pays its own
/// within a second of the last batch.
const FORGOTTEN_AFTER: Duration = Duration::from_secs(5);

/// Pays, at start and every few seconds, the edit events owed by texts whose last batch is
/// older than [`FORGOTTEN_AFTER`]: those of a server that stopped or died before paying them.
pub fn pay_forgotten(db: Db) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(FORGOTTEN_AFTER * 2);
        loop {
            tick.tick().await;
            let before = crate::store::now() - FORGOTTEN_AFTER;
            let owing = match db.texts_owing_edit_events(before).await {
                Ok(owing) => owing,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read which texts owe an edit event");
                    continue;
                }
            };
            for text in owing {
                if let Err(e) = db.append_owed_edit_event(text).await {
                    tracing::warn!(text = %text, error = %e, "cannot append a text's edit event");
                }
            }
        }
    })
}
