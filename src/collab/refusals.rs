//! What the logs say when a peer's message is refused: one WARN per member per minute.
//!
//! A refusal closes the peer, which may reconnect and send the same bad message again, as fast
//! as it likes: a WARN each time would let one member flood the logs. Every refusal is counted
//! in `atelier_sync_refused_total` (by close code); the log keeps the first of each minute.

use std::sync::LazyLock;
use std::time::Duration;

use crate::model::{MemberId, TextId};

/// How long a member's refusals stay out of the logs after one was written.
const QUIET: Duration = Duration::from_secs(60);

static RECENT: LazyLock<moka::sync::Cache<MemberId, ()>> = LazyLock::new(|| {
    moka::sync::Cache::builder()
        .max_capacity(100_000)
        .time_to_live(QUIET)
        .build()
});

/// Counts a refused message and logs it unless this member's last refusal was logged less than
/// a minute ago. The reason is ours (no content of the message), the member an id.
pub(super) fn note(text: TextId, member: Option<MemberId>, code: u16, reason: &str) {
    metrics::counter!("atelier_sync_refused_total", "code" => code.to_string()).increment(1);
    let first = member.is_none_or(|member| RECENT.entry(member).or_insert(()).is_fresh());
    if first {
        tracing::warn!(
            text = %text,
            member = member.map(|m| m.to_string()),
            code,
            reason,
            "a peer's sync message was refused (further refusals of this member are counted, \
             not logged, for a minute)"
        );
    }
}
