//! What the server itself asks of a text's document, besides the peers' sync: reading it (past
//! states, anchoring passages, resolving anchors), off the async runtime after the batch's
//! changes are applied, and its own edits (replacing the whole text, splicing a passage), which
//! `apply` makes after the batch's peers' changes and stores before answering.
//!
//! Coming through the task's channel like the peers' messages, they are serialised with them: an
//! anchor is taken, and a splice made, on the text as the peers' changes left it.

use std::collections::HashMap;
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use automerge::ObjId as ExId;
use automerge::transaction::Transactable;
use automerge::{
    ActorId, AutoCommit, AutomergeError, ChangeHash, ReadDoc, ScalarValueRef, ValueRef,
};
use similar::{Algorithm, DiffTag, DiffableStr};
use tokio::sync::oneshot;

use crate::collab::anchor::{self, Anchor, AnchorError, Located};
use crate::collab::doc::ObjId;
use crate::collab::hub::{HubError, Passage, Provenance, Resolution};
use crate::model::TextId;

use super::{Core, Task};

/// How long a splice may look for the fewest words to change before it settles for more.
const SPLICE_DIFF_BUDGET: Duration = Duration::from_millis(100);

/// The Markdown at several states of the text, materialised off the runtime within `budget`.
pub(in crate::collab) struct StatesRequest {
    pub at: Vec<Vec<ChangeHash>>,
    pub budget: Duration,
    pub reply: oneshot::Sender<Result<Vec<Option<String>>, HubError>>,
}

/// Anchors `range` of the text as it is now, or as it was at `at`.
pub(in crate::collab) struct AnchorRequest {
    pub range: Range<usize>,
    pub at: Option<Vec<ChangeHash>>,
    pub reply: oneshot::Sender<Result<Anchor, HubError>>,
}

/// Where each of `anchors` is now.
pub(in crate::collab) struct ResolveRequest {
    pub anchors: std::sync::Arc<[Anchor]>,
    pub reply: oneshot::Sender<Result<Resolution, HubError>>,
}

/// Which passages of the text the server's own changes wrote (`Hub::provenance`).
pub(in crate::collab) struct ProvenanceRequest {
    pub reply: oneshot::Sender<Result<Provenance, HubError>>,
}

/// What a server-side edit does.
pub(in crate::collab) enum ServerEdit {
    /// Replaces the whole Markdown (a restored version) by the smallest diff.
    Replace(String),
    /// Replaces a passage (an adopted amendment).
    Splice {
        passage: Passage,
        replacement: String,
    },
}

/// A read of the document, answered from a blocking thread.
pub(super) enum Reading {
    States(StatesRequest),
    Anchor(AnchorRequest),
    Resolve(ResolveRequest),
    Provenance(ProvenanceRequest),
}

impl Reading {
    /// Answers from the document. A panic inside automerge while reading answers this request
    /// with an error; the document, which reading does not change, stays.
    fn answer(self, core: &mut Core, text: TextId) {
        let panicked = || {
            tracing::error!(text = %text, "reading a text's document panicked");
            HubError::Refused("no such state of the text".into())
        };
        match self {
            Reading::States(request) => {
                let answer = guarded(|| core.states(&request.at, request.budget));
                let _ = request.reply.send(answer.ok_or_else(panicked));
            }
            Reading::Anchor(request) => {
                let answer = guarded(|| core.anchor(request.range, request.at));
                let answer = answer
                    .ok_or_else(panicked)
                    .and_then(|a| a.map_err(HubError::from));
                let _ = request.reply.send(answer);
            }
            Reading::Resolve(request) => {
                let answer = guarded(|| core.resolve(&request.anchors));
                let _ = request
                    .reply
                    .send(answer.ok_or_else(panicked).and_then(|r| r));
            }
            Reading::Provenance(request) => {
                let answer = guarded(|| core.provenance());
                let _ = request.reply.send(answer.ok_or_else(panicked));
            }
        }
    }

    /// Answers that the document could not be read.
    pub(super) fn fail(self, error: HubError) {
        // A caller gone meanwhile needs no answer.
        let _ = match self {
            Reading::States(request) => request.reply.send(Err(error)).is_ok(),
            Reading::Anchor(request) => request.reply.send(Err(error)).is_ok(),
            Reading::Resolve(request) => request.reply.send(Err(error)).is_ok(),
            Reading::Provenance(request) => request.reply.send(Err(error)).is_ok(),
        };
    }
}

fn guarded<T>(read: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(AssertUnwindSafe(read)).ok()
}

impl Task {
    /// Answers reads off the runtime: reading a past state costs time linear in the document's
    /// history (its clock, then its text), and anchoring or resolving reads the whole text, so a
    /// history page's dozen states of a long text would hold a worker. The document is moved to a
    /// blocking thread and back, as when applying changes.
    pub(super) async fn read(&mut self, readings: Vec<Reading>) {
        let Some(mut core) = self.core.take() else {
            for reading in readings {
                reading.fail(HubError::Gone);
            }
            return;
        };
        let text = self.text;
        let back = tokio::task::spawn_blocking(move || {
            for reading in readings {
                reading.answer(&mut core, text);
            }
            core
        })
        .await;
        // Without it (the blocking pool is gone: shutting down) the replies were dropped.
        if let Ok(core) = back {
            self.core = Some(core);
        }
    }
}

impl Core {
    /// The Markdown at each of `at`, until `budget` has passed (`None` after, and for a state
    /// naming a change the document does not have: automerge would silently read it as the
    /// empty document).
    fn states(&self, at: &[Vec<ChangeHash>], budget: Duration) -> Vec<Option<String>> {
        let deadline = Instant::now().checked_add(budget);
        at.iter()
            .map(|heads| {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return None;
                }
                if heads.is_empty() || !self.doc.get_missing_deps(heads).is_empty() {
                    return None;
                }
                self.doc.text_at(&self.markdown, heads).ok()
            })
            .collect()
    }

    fn anchor(
        &mut self,
        range: Range<usize>,
        at: Option<Vec<ChangeHash>>,
    ) -> Result<Anchor, AnchorError> {
        let heads = at.unwrap_or_else(|| self.doc.get_heads());
        Anchor::take(&self.doc, &self.markdown, range, heads)
    }

    /// Where `anchors` are: from where their characters were last found, carried across the
    /// changes since when that can be proven (`anchor::Located`), else found in one pass.
    fn resolve(&mut self, anchors: &[Anchor]) -> Result<Resolution, HubError> {
        let heads = self.doc.get_heads();
        // The text as last read, when it is still the text; otherwise read in the pass itself.
        let units: Option<Vec<u16>> = match &self.read {
            Some((at, markdown)) if *at == heads => Some(markdown.encode_utf16().collect()),
            _ => None,
        };
        let (anchors, how) = Located::resolve(
            &mut self.located,
            anchors,
            (&self.doc, &self.markdown, heads.clone()),
            &self.encoded,
            units,
        );
        metrics::counter!("atelier_anchor_resolutions_total", "how" => how.label()).increment(1);
        Ok(Resolution { anchors, heads })
    }

    /// Which passages the server's own changes wrote, from the document's history itself: one
    /// pass over the changes' metadata keeps those made under an actor bound to no member
    /// (the server's: a peer cannot forge one by writing a message) that carry a message; one
    /// pass over the characters finds, for each, the change holding the operation that
    /// inserted it. Characters typed by members, and those a message-less change wrote, are in
    /// no span.
    fn provenance(&mut self) -> Provenance {
        let mut messages: Vec<String> = Vec::new();
        // For each server actor, its changes' operation counters (first, last) and message.
        let mut by_actor: HashMap<ActorId, Vec<(u64, u64, usize)>> = HashMap::new();
        for meta in self.doc.get_changes_meta(&[]) {
            let Some(message) = meta.message.as_deref() else {
                continue;
            };
            if meta.max_op < meta.start_op || !self.actors.is_servers(&meta.actor) {
                continue;
            }
            messages.push(message.to_owned());
            by_actor
                .entry(meta.actor.clone().into_owned())
                .or_default()
                .push((meta.start_op, meta.max_op, messages.len() - 1));
        }
        for changes in by_actor.values_mut() {
            changes.sort_unstable();
        }
        let mut markdown = String::new();
        let mut spans: Vec<(Range<usize>, usize)> = Vec::new();
        let mut at = 0usize;
        for item in self.doc.list_range(&self.markdown, ..) {
            let ValueRef::Scalar(ScalarValueRef::Str(text)) = &item.value else {
                continue;
            };
            let units = text.encode_utf16().count();
            markdown.push_str(text);
            let written = match item.id() {
                ExId::Id(counter, actor, _) => by_actor.get(&actor).and_then(|changes| {
                    let after = changes.partition_point(|c| c.0 <= counter);
                    let change = changes.get(after.checked_sub(1)?)?;
                    (counter <= change.1).then_some(change.2)
                }),
                ExId::Root => None,
            };
            if let Some(message) = written {
                match spans.last_mut() {
                    Some((range, last)) if *last == message && range.end == at => {
                        range.end = at + units;
                    }
                    _ => spans.push((at..at + units, message)),
                }
            }
            at += units;
        }
        Provenance {
            markdown,
            messages,
            spans,
        }
    }

    /// The Markdown now, in UTF-16 units.
    fn units(&self) -> Result<Vec<u16>, HubError> {
        Ok(self
            .doc
            .text(&self.markdown)
            .map_err(|e| HubError::Refused(e.to_string()))?
            .encode_utf16()
            .collect())
    }

    /// Makes a server-side edit, not yet committed; where its new text is. Held to the same
    /// longest text as peers, and made under the server's actor id, bound to no member. On an
    /// error the document is as it was.
    pub(super) fn server_edit(&mut self, edit: &ServerEdit) -> Result<Range<usize>, HubError> {
        let made = match edit {
            ServerEdit::Replace(markdown) => self.replace(markdown),
            ServerEdit::Splice {
                passage,
                replacement,
            } => self.splice(passage, replacement),
        };
        if made.is_err() {
            self.doc.rollback();
        }
        made
    }

    fn replace(&mut self, markdown: &str) -> Result<Range<usize>, HubError> {
        let length = markdown.encode_utf16().count();
        self.check_length(length)?;
        self.claim_server_actor();
        self.doc
            .update_text(&self.markdown, markdown)
            .map_err(|e| HubError::Refused(e.to_string()))?;
        Ok(0..length)
    }

    fn splice(&mut self, passage: &Passage, replacement: &str) -> Result<Range<usize>, HubError> {
        let units = self.units()?;
        let range = match passage {
            Passage::Range(range) => {
                anchor::check_range(&units, range)?;
                range.clone()
            }
            Passage::Anchored {
                anchor,
                if_unchanged,
            } => {
                let now = anchor.resolve(&self.doc, &self.markdown, &units)?;
                if now.deleted {
                    return Err(AnchorError::Deleted.into());
                }
                if *if_unchanged && now.changed {
                    return Err(AnchorError::Changed.into());
                }
                now.start..now.end
            }
        };
        let added = replacement.encode_utf16().count();
        self.check_length(units.len() - range.len() + added)?;
        self.claim_server_actor();
        let old = String::from_utf16_lossy(&units[range.clone()]);
        splice_words(
            &mut self.doc,
            &self.markdown,
            range.start,
            &old,
            replacement,
        )
        .map_err(|e| HubError::Refused(e.to_string()))?;
        Ok(range.start..range.start + added)
    }

    /// A server-side edit may not make the text longer than its longest (one already longer
    /// may shrink).
    fn check_length(&self, length: usize) -> Result<(), HubError> {
        if length > self.limits.max_text_length && length > self.doc.length(&self.markdown) {
            return Err(HubError::TooLarge(self.limits.max_text_length));
        }
        Ok(())
    }

    fn claim_server_actor(&mut self) {
        while !self.actors.claim(&self.doc.get_actor().clone(), None) {
            self.doc.set_actor(automerge::ActorId::random());
        }
    }
}

/// Turns the passage `old`, at `start` of `text`, into `new`, changing only the words that
/// differ: the characters kept keep their identity, so the anchors inside them and the history
/// of who wrote them survive. One change however many places differ (the caller commits).
fn splice_words(
    doc: &mut AutoCommit,
    text: &ObjId,
    start: usize,
    old: &str,
    new: &str,
) -> Result<(), AutomergeError> {
    let old_words = old.tokenize_words();
    let new_words = new.tokenize_words();
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &old_words,
        &new_words,
        Instant::now().checked_add(SPLICE_DIFF_BUDGET),
    );
    // Where each old word starts in the text, in UTF-16 units.
    let mut offsets = Vec::with_capacity(old_words.len() + 1);
    offsets.push(start);
    for word in &old_words {
        let last = offsets.last().copied().unwrap_or(start);
        offsets.push(last + word.encode_utf16().count());
    }
    // From the end, so that each splice leaves the offsets before it as they were.
    for op in ops.iter().rev() {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            continue;
        }
        let at = offsets[old_range.start];
        let deleted = offsets[old_range.end] - at;
        let inserted = new_words[new_range].concat();
        doc.splice_text(text, at, deleted as isize, &inserted)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collab::doc;

    #[test]
    fn a_splice_changes_only_the_words_that_differ() {
        let cases = [
            (
                "Nous voulons des trains.",
                "Nous voulons des trains de nuit.",
            ),
            ("Le chat dort.", "Le chien dort."),
            ("un deux trois", ""),
            ("", "tout neuf"),
            ("é😀 mot", "😀é mot 😀"),
            ("a  b\n\nc", "a b\nc d"),
        ];
        for (old, new) in cases {
            let text = format!("[{old}]");
            let (mut doc, _) = doc::create(&text).unwrap();
            let obj = doc::markdown_obj(&doc).unwrap();
            splice_words(&mut doc, &obj, 1, old, new).unwrap();
            doc.commit();
            assert_eq!(
                doc.text(&obj).unwrap(),
                format!("[{new}]"),
                "{old:?} → {new:?}"
            );
        }
    }

    #[test]
    fn words_kept_keep_their_characters() {
        let (mut doc, _) = doc::create("Le chat dort.").unwrap();
        let obj = doc::markdown_obj(&doc).unwrap();
        // A cursor on the "d" of "dort" still points at it after the splice.
        let cursor = doc.get_cursor(&obj, 8, None).unwrap();
        splice_words(&mut doc, &obj, 0, "Le chat dort.", "Le gros chien dort.").unwrap();
        doc.commit();
        let at = doc.get_cursor_position(&obj, &cursor, None).unwrap();
        assert_eq!(&doc.text(&obj).unwrap()[at..], "dort.");
    }
}
