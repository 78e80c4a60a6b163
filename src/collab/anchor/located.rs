//! Where the characters anchors name are: found in one pass over the text, kept by the
//! document's task with the text they were found in, and carried across the next edits.
//!
//! Placing a convention's 2,000 amendments asks where 4,000 characters are. One pass over the
//! text's characters answers for all of them ([`Located::find`]), at about 90 ns a character
//! (10 ms for a national programme's 100,000), where looking each up alone costs 2 µs. An edit
//! would make the next placement pass again; instead the task carries what it found across the
//! edit ([`Located::advance`]) when it can prove where every character is:
//!
//! - The edit's changes are the ones the task applied since (it remembers them for its peers:
//!   `fanout::Encoded`), all in the document, and they explain its new heads.
//! - On the text they only insert characters and delete characters (typing does nothing else).
//!
//! Then the changes say which region of the new text they touched: from the first to the last
//! of the characters they inserted that are still there, and of the places of those they
//! deleted (where the next character still there is). Before that region no character was
//! inserted, and every character deleted came after the region's first character; characters
//! that stay keep their order; so the text before the region is the same characters before and
//! after the edit. Likewise after it. (The texts are compared there too, as a guard.) A found
//! character before the region keeps its position, one after it moves by the change in length,
//! and one in it is looked up alone (`Edge::position`), as a deleted one is. Anything else —
//! more operations than [`MAX_CARRIED_OPS`], changes the task does not remember (fetched from
//! another server), an operation other than typing on the text — passes again.

use std::panic::AssertUnwindSafe;

use automerge::legacy::{ElementId, Key, ObjectId, OpType};
use automerge::{AutoCommit, Change, ChangeHash, Cursor, ReadDoc, ScalarValue};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Anchor, AnchorError, CharKey, Edge, Resolved, is_high_surrogate};
use crate::collab::doc::ObjId;
use crate::collab::fanout::Encoded;

/// The most operations on the text carried across; past them (a restored version, a large
/// merge), passing again costs less than looking each one up.
const MAX_CARRIED_OPS: usize = 2_000;
/// The most characters looked up alone in one placement before passing again is cheaper (2 µs
/// each against about 10 ms for a pass over a long text).
const MAX_ALONE: usize = 512;

/// The characters some anchors name, where they were at `heads`.
pub(in crate::collab) struct Located {
    heads: Vec<ChangeHash>,
    /// The text at `heads`, in UTF-16 units.
    units: Vec<u16>,
    /// The characters looked for that are in the text, with their position and width.
    found: FxHashMap<CharKey, (usize, usize)>,
    /// Every character looked for: one not in `found` was deleted, or lost its position to an
    /// edit around it; it is looked up alone.
    wanted: FxHashSet<CharKey>,
    /// How many characters lost their position to edits.
    lost: usize,
    /// How many changes the task had remembered at `heads` (`fanout::Encoded::count`).
    remembered: u64,
}

/// How a resolution knew where the characters were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::collab) enum How {
    /// Found at these very heads before.
    Kept,
    /// Carried across the changes since.
    Carried,
    /// Found in a pass over the text.
    Found,
}

impl How {
    pub(in crate::collab) fn label(self) -> &'static str {
        match self {
            How::Kept => "kept",
            How::Carried => "carried",
            How::Found => "found",
        }
    }
}

impl Located {
    /// Where each of `anchors` is in the document now: from `kept` (what the last resolution
    /// found), carried across the changes `encoded` remembers since when the module's
    /// conditions hold, else found in one pass; `kept` is left with what this one knew.
    /// `heads` are the document's, `units` the text now if the caller has it.
    pub(in crate::collab) fn resolve(
        kept: &mut Option<Located>,
        anchors: &[Anchor],
        (doc, text, heads): (&AutoCommit, &ObjId, Vec<ChangeHash>),
        encoded: &Encoded,
        mut units: Option<Vec<u16>>,
    ) -> (Vec<Result<Resolved, AnchorError>>, How) {
        let remembered = encoded.count();
        let carried = match kept.take() {
            Some(located) if located.heads == heads => Some((located, How::Kept)),
            Some(located) => {
                let changes = encoded.since(located.remembered);
                located
                    .advance(doc, text, &heads, changes, remembered, &mut units)
                    .map(|located| (located, How::Carried))
            }
            None => None,
        };
        let (located, how) = match carried {
            Some((located, how)) if located.worth_keeping_for(anchors) => (located, how),
            _ => (
                Located::find(anchors, doc, text, heads, units, remembered),
                How::Found,
            ),
        };
        let placed = located.place(anchors, doc, text);
        *kept = Some(located);
        (placed, how)
    }

    /// Finds every character `anchors` name in one pass over the text at the document's
    /// current `heads`. `units` is the text when the caller has it; `None` reads it in the same
    /// pass (right after an edit nobody has read it, and reading it first would be a second
    /// pass over every character).
    fn find(
        anchors: &[Anchor],
        doc: &AutoCommit,
        text: &ObjId,
        heads: Vec<ChangeHash>,
        units: Option<Vec<u16>>,
        remembered: u64,
    ) -> Located {
        let wanted: FxHashSet<CharKey> = anchors
            .iter()
            .flat_map(|a| a.keys.iter())
            .flatten()
            .cloned()
            .collect();
        // Their counters alone, hashed cheaply: most characters are not wanted, and this set
        // turns them away without hashing their actor.
        let counters: FxHashSet<u64> = wanted.iter().map(|(counter, _)| *counter).collect();
        let mut found = FxHashMap::default();
        found.reserve(wanted.len());
        let reading = units.is_none();
        let mut read: Vec<u16> = Vec::new();
        if reading {
            read.reserve(doc.length(text));
        }
        let mut left = wanted.len();
        // Positions in UTF-16 units, counted here: a list item's own index counts characters.
        let mut at = 0;
        for item in doc.list_range(text, ..) {
            if left == 0 && !reading {
                break;
            }
            let width = match &item.value {
                automerge::ValueRef::Scalar(automerge::ScalarValueRef::Str(s)) => {
                    let before = read.len();
                    if reading {
                        read.extend(s.encode_utf16());
                        read.len() - before
                    } else {
                        s.encode_utf16().count()
                    }
                }
                _ => {
                    if reading {
                        // What `text()` shows for a non-character: the object replacement sign.
                        read.push(0xFFFC);
                    }
                    1
                }
            };
            if left > 0
                && let automerge::ObjId::Id(counter, actor, _) = item.id()
                && counters.contains(&counter)
            {
                let key = (counter, actor);
                if wanted.contains(&key) && !found.contains_key(&key) {
                    found.insert(key, (at, width));
                    left -= 1;
                }
            }
            at += width;
        }
        Located {
            heads,
            units: units.unwrap_or(read),
            found,
            wanted,
            lost: 0,
            remembered,
        }
    }

    /// Whether placing `anchors` from here would look up too many characters alone (those lost
    /// to edits, and those not looked for): then passing again is cheaper.
    fn worth_keeping_for(&self, anchors: &[Anchor]) -> bool {
        let unknown = anchors
            .iter()
            .flat_map(|a| a.keys.iter())
            .flatten()
            .filter(|key| !self.wanted.contains(*key))
            .count();
        self.lost + unknown <= MAX_ALONE
    }

    /// Where each of `anchors` is, as `Anchor::resolve` says, from the characters found (a
    /// character not found is looked up alone).
    fn place(
        &self,
        anchors: &[Anchor],
        doc: &AutoCommit,
        text: &ObjId,
    ) -> Vec<Result<Resolved, AnchorError>> {
        // Most anchors share a few states (those their amendments were filed at).
        let mut known: std::collections::HashMap<&[ChangeHash], bool> =
            std::collections::HashMap::new();
        let units = self.units.as_slice();
        anchors
            .iter()
            .map(|anchor| {
                let [start_key, end_key] = &*anchor.keys;
                let heads_known = *known.entry(anchor.heads.as_slice()).or_insert_with(|| {
                    !anchor.heads.is_empty() && doc.get_missing_deps(&anchor.heads).is_empty()
                });
                if !heads_known {
                    return Err(AnchorError::Foreign);
                }
                let found = |key: &Option<CharKey>| {
                    key.as_ref().and_then(|key| self.found.get(key).copied())
                };
                let position = |edge: &Edge, key| match (edge, found(key)) {
                    (Edge::Before(_), Some((at, _))) => Ok(at),
                    (Edge::After(_), Some((at, width))) => Ok(at + width),
                    // The text's start, a deleted character, or one an edit moved: alone.
                    _ => std::panic::catch_unwind(AssertUnwindSafe(|| {
                        edge.position(doc, text, &anchor.heads, units.len())
                    }))
                    .map_err(|_| AnchorError::Foreign)?,
                };
                Ok(anchor.placed(
                    position(&anchor.start, start_key)?,
                    position(&anchor.end, end_key)?,
                    units,
                ))
            })
            .collect()
    }

    /// Carries what was found across the changes applied since (`changes`: the bytes of those
    /// the task remembered, in order; `None` when it forgot some) to the document's `heads`,
    /// when the module's conditions hold; `None` otherwise (pass again). `units` is the text
    /// at `heads` if the caller has it; read here otherwise, and left there for the pass.
    fn advance(
        self,
        doc: &AutoCommit,
        text: &ObjId,
        heads: &[ChangeHash],
        changes: Option<Vec<&[u8]>>,
        remembered: u64,
        units: &mut Option<Vec<u16>>,
    ) -> Option<Located> {
        let typed = Typed::read(doc, text, &self.heads, heads, changes?)?;
        if units.is_none() {
            *units = Some(doc.text(text).ok()?.encode_utf16().collect());
        }
        let new = units.as_deref()?;
        let old = self.units.as_slice();
        // The region the changes touched in the new text: where each character they inserted
        // (still there) is, and where each they deleted was (where the next character still
        // there is now). Before it, no character was inserted, and every character deleted was
        // after the region's first one: the prefix holds the same characters before and after.
        // Likewise after it.
        let (mut start, mut end) = (usize::MAX, 0);
        for id in &typed.inserted {
            let at = position_of(doc, text, id)?;
            let still_there = matches!(
                doc.get(text, at),
                Ok(Some((_, automerge::ObjId::Id(counter, actor, _)))) if counter == id.0 && actor == id.1
            );
            if still_there {
                let width = if new.get(at).copied().is_some_and(is_high_surrogate) {
                    2
                } else {
                    1
                };
                start = start.min(at);
                end = end.max(at + width);
            }
        }
        for id in &typed.deleted {
            if typed.inserted.contains(id) {
                continue;
            }
            let at = position_of(doc, text, id)?;
            start = start.min(at);
            end = end.max(at);
        }
        let (prefix, new_end) = if start == usize::MAX {
            (new.len(), new.len())
        } else {
            (start, end)
        };
        let suffix = new.len().checked_sub(new_end)?;
        let old_end = old.len().checked_sub(suffix)?;
        // Said by the changes; checked by the texts, which must then agree (they always do:
        // this only guards against a mistake in the reasoning above).
        if old_end < prefix || old[..prefix] != new[..prefix] || old[old_end..] != new[new_end..] {
            return None;
        }
        let mut found = FxHashMap::default();
        found.reserve(self.found.len());
        let mut lost = self.lost;
        for (key, (at, width)) in self.found {
            if at + width <= prefix {
                found.insert(key, (at, width));
            } else if at >= old_end {
                found.insert(key, (at - old_end + new_end, width));
            } else {
                lost += 1;
            }
        }
        Some(Located {
            heads: heads.to_vec(),
            units: units.take()?,
            found,
            wanted: self.wanted,
            lost,
            remembered,
        })
    }
}

/// What some changes did to the text: the characters they inserted and those they deleted.
struct Typed {
    inserted: FxHashSet<CharKey>,
    deleted: Vec<CharKey>,
}

impl Typed {
    /// Reads `changes` (from the document at `before` to the document at `after`); `None` if
    /// they are not all in the document, do not explain its heads, do anything else to the
    /// text than insert and delete characters, or do too much.
    fn read(
        doc: &AutoCommit,
        text: &ObjId,
        before: &[ChangeHash],
        after: &[ChangeHash],
        changes: Vec<&[u8]>,
    ) -> Option<Typed> {
        let automerge::ObjId::Id(text_counter, text_actor, _) = text else {
            return None;
        };
        // Each change holds one operation at least: past the bound, reading them is wasted.
        if changes.len() > MAX_CARRIED_OPS {
            return None;
        }
        let changes: Vec<Change> = changes
            .into_iter()
            .map(|bytes| Change::from_bytes(bytes.to_vec()).ok())
            .collect::<Option<_>>()?;
        let hashes: Vec<ChangeHash> = changes.iter().map(Change::hash).collect();
        // All applied (one refused by the task stays remembered), and nothing else came in.
        if !doc.get_missing_deps(&hashes).is_empty()
            || !after
                .iter()
                .all(|head| before.contains(head) || hashes.contains(head))
        {
            return None;
        }
        let mut typed = Typed {
            inserted: FxHashSet::default(),
            deleted: Vec::new(),
        };
        let mut ops = 0;
        for change in &changes {
            let expanded = change.decode();
            for (n, op) in expanded.operations.iter().enumerate() {
                let ObjectId::Id(obj) = &op.obj else {
                    continue;
                };
                if obj.0 != *text_counter || obj.1 != *text_actor {
                    continue;
                }
                ops += 1;
                if ops > MAX_CARRIED_OPS {
                    return None;
                }
                match (&op.action, &op.key, op.insert) {
                    (OpType::Put(ScalarValue::Str(_)), Key::Seq(_), true) => {
                        let counter = expanded.start_op.get() + n as u64;
                        typed.inserted.insert((counter, expanded.actor_id.clone()));
                    }
                    (OpType::Delete, Key::Seq(ElementId::Id(id)), false) => {
                        typed.deleted.push((id.0, id.1.clone()));
                    }
                    _ => return None,
                }
            }
        }
        Some(typed)
    }
}

/// Where character `id` is in the text now (where the next character still there is, if it
/// was deleted); `None` if automerge cannot say (see `Edge::position` on its debug check).
fn position_of(doc: &AutoCommit, text: &ObjId, id: &CharKey) -> Option<usize> {
    let cursor = Cursor::try_from(format!("{}@{}", id.0, id.1)).ok()?;
    std::panic::catch_unwind(AssertUnwindSafe(|| {
        doc.get_cursor_position(text, &cursor, None)
    }))
    .ok()?
    .ok()
}

/// Where each of `anchors` is now, found in one pass: [`Located::find`] then
/// [`Located::place`], for a caller that keeps nothing.
#[cfg(test)]
pub(super) fn resolve_all(
    anchors: &[Anchor],
    doc: &AutoCommit,
    text: &ObjId,
    units: Option<&[u16]>,
) -> Vec<Result<Resolved, AnchorError>> {
    // The heads matter only to what is carried over later.
    Located::find(
        anchors,
        doc,
        text,
        Vec::new(),
        units.map(<[u16]>::to_vec),
        0,
    )
    .place(anchors, doc, text)
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};

    use super::super::char_start;
    use super::super::tests::{edit, markdown, take};
    use super::*;
    use crate::collab::doc;

    /// Resolving many anchors in one pass answers exactly what resolving each alone does,
    /// whatever became of their characters: random edits (insertions, deletions of their
    /// ends or of all of them, concurrent branches merged), points, the text's start, and
    /// anchors of another text among them.
    #[test]
    fn resolving_many_at_once_equals_resolving_each() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(13);
        let (mut doc, _) =
            doc::create("Le droit à l'éducation est garanti à chacun. 😀 Fin.\n\nSecond alinéa.")
                .unwrap();
        let (mut other, _) = doc::create("Un autre texte").unwrap();
        let foreign = take(&mut other, 0..3);
        let mut anchors = vec![foreign.clone()];
        for round in 0..40 {
            let text = markdown(&doc);
            let units: Vec<u16> = doc.text(&text).unwrap().encode_utf16().collect();
            // A few new anchors (ranges and points, whole characters) on the text as it is.
            for _ in 0..3 {
                let a = char_start(&units, rng.gen_range(0..=units.len()));
                let b = char_start(&units, rng.gen_range(a..=units.len()));
                anchors.push(take(&mut doc, a..b));
            }
            // An edit, sometimes on a branch merged back after another edit.
            let length = units.len();
            let at = char_start(&units, rng.gen_range(0..=length));
            let end = char_start(&units, rng.gen_range(at..=length.min(at + 12)));
            let inserted = ["", "x", "mot ", "é", "😀"][rng.gen_range(0..5)];
            if round % 4 == 3 {
                let mut branch = doc.fork();
                edit(&mut branch, at, (end - at) as isize, inserted);
                edit(&mut doc, 0, 0, "«");
                doc.merge(&mut branch).unwrap();
            } else {
                edit(&mut doc, at, (end - at) as isize, inserted);
            }
            let text = markdown(&doc);
            let units: Vec<u16> = doc.text(&text).unwrap().encode_utf16().collect();
            let each: Vec<_> = anchors
                .iter()
                .map(|a| a.resolve(&doc, &text, &units))
                .collect();
            assert_eq!(
                resolve_all(&anchors, &doc, &text, Some(&units)),
                each,
                "round {round}"
            );
            assert_eq!(
                resolve_all(&anchors, &doc, &text, None),
                each,
                "round {round}, reading the text in the same pass"
            );
        }
        assert_eq!(
            resolve_all(&[foreign], &doc, &markdown(&doc), Some(&[])),
            [Err(AnchorError::Foreign)]
        );
    }

    /// Remembers the changes `doc` has beyond `before`, as the task does for what it applies.
    fn remember(encoded: &mut Encoded, doc: &mut AutoCommit, before: &[ChangeHash]) {
        for change in doc.get_changes(before) {
            encoded.remember(&change);
        }
    }

    /// Carrying what was found across edits places every anchor exactly where a pass finds
    /// it, and where each alone is: typing, deleting and replacing anywhere (their passages'
    /// ends, all of them, astral characters), concurrent branches merged, changes not
    /// remembered (fetched from another server) and large edits — and it is what most typing
    /// does.
    #[test]
    fn carrying_across_edits_places_as_a_pass_does() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(14);
        let (mut doc, _) = doc::create(
            "Le droit à l'éducation est garanti à chacun. 😀 Fin.\n\nSecond alinéa, \
             assez long pour y taper.\n\nTroisième alinéa.",
        )
        .unwrap();
        let mut encoded = Encoded::default();
        let mut kept: Option<Located> = None;
        let mut anchors: Vec<Anchor> = Vec::new();
        let mut carried = 0;
        for round in 0..150 {
            let text = markdown(&doc);
            let units: Vec<u16> = doc.text(&text).unwrap().encode_utf16().collect();
            if round % 10 == 0 {
                for _ in 0..4 {
                    let a = char_start(&units, rng.gen_range(0..=units.len()));
                    let b = char_start(&units, rng.gen_range(a..=units.len().min(a + 20)));
                    anchors.push(take(&mut doc, a..b));
                }
            }
            let before = doc.get_heads();
            let at = char_start(&units, rng.gen_range(0..=units.len()));
            let end = char_start(&units, rng.gen_range(at..=units.len().min(at + 6)));
            let inserted = ["", "x", "mot ", "é", "😀", "\n\n"][rng.gen_range(0..6)];
            // Now and then the same words typed again where they were typed before: the texts
            // then share more than the edit left untouched.
            let (at, end, inserted) = if round % 10 == 4 {
                (0, 0, "Édition. ")
            } else {
                (at, end, inserted)
            };
            let mut forget = false;
            match round % 10 {
                // A branch merged back after another edit.
                7 => {
                    let mut branch = doc.fork();
                    edit(&mut branch, at, (end - at) as isize, inserted);
                    edit(&mut doc, 0, 0, "«");
                    doc.merge(&mut branch).unwrap();
                }
                // Changes the task did not remember.
                8 => {
                    edit(&mut doc, at, (end - at) as isize, inserted);
                    forget = true;
                }
                // A large edit: the whole text replaced but its first word.
                9 if round % 30 == 9 => {
                    let keep = units.len().min(3);
                    edit(
                        &mut doc,
                        keep,
                        (units.len() - keep) as isize,
                        "Réécrit.\n\nAutre.",
                    );
                }
                _ => edit(&mut doc, at, (end - at) as isize, inserted),
            }
            if forget {
                kept = None;
            } else {
                remember(&mut encoded, &mut doc, &before);
            }
            let text = markdown(&doc);
            let units: Vec<u16> = doc.text(&text).unwrap().encode_utf16().collect();
            let each: Vec<_> = anchors
                .iter()
                .map(|a| a.resolve(&doc, &text, &units))
                .collect();
            let heads = doc.get_heads();
            let now = (&doc, &text, heads.clone());
            let (placed, how) = Located::resolve(&mut kept, &anchors, now, &encoded, None);
            assert_eq!(placed, each, "round {round} ({how:?})");
            carried += usize::from(how == How::Carried);
            // Asked again at the same heads: what was kept.
            let heads = doc.get_heads();
            let now = (&doc, &text, heads.clone());
            let (again, how) = Located::resolve(&mut kept, &anchors, now, &encoded, Some(units));
            assert_eq!(how, How::Kept);
            assert_eq!(again, each, "round {round}, kept");
        }
        assert!(carried > 75, "carried {carried} times of 150");
    }
}
