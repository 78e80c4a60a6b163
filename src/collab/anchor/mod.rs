//! Anchored passages: a range of a text's Markdown that follows the text through later edits,
//! held as automerge cursors on the passage's own characters (what amendments are anchored
//! with). Taken, resolved and spliced by the document's task (`document::ops`), which owns the
//! document; this module is the anchor itself, its stable serialised form and the rules of where
//! it lands.
//!
//! **Stickiness.** The start is *before the passage's first character* and the end *after its
//! last*; each moves with its character, wherever edits put it. So text typed exactly at either
//! boundary is outside the passage (an insertion just before it, or just after it, belongs to its
//! neighbours), and text typed anywhere between its first and last characters is inside. When
//! characters at an end are deleted, that end moves to where they were: the passage shrinks to
//! what is left of it. When every character of it is deleted the passage is empty and
//! `deleted` — unless text was typed inside it meanwhile: the passage is then that text (and
//! `changed`).
//!
//! **Insertion points.** An empty range (an amendment adding a paragraph) is a point just after
//! the character before it, or the text's very start (always 0). Text typed exactly at the point
//! goes after it, as if the point were the end of the passage before. A point is never deleted:
//! when the character before it is, the point stays where that character was.
//!
//! **Changed.** An anchor keeps a digest of its passage's text when it was taken: a resolution
//! says whether the passage's text differs now (its characters may have been retyped: what
//! counts is the text). The passage as it was is the text at the anchor's heads
//! (`Hub::anchored_passage`).
//!
//! Positions are UTF-16 code units of the Markdown, as browsers count (`doc::ENCODING`); a
//! boundary that would split a character in two (a surrogate pair) is refused.

use std::fmt;
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::str::FromStr;

use automerge::{ActorId, AutoCommit, ChangeHash, Cursor, ReadDoc};
use sha2::{Digest, Sha256};

use super::doc::ObjId;

mod located;

pub(in crate::collab) use located::Located;

/// The version of the serialised form (its first field).
const VERSION: &str = "1";
/// The longest serialised anchor read (a few cursors and heads fit in well under 1 KiB).
const MAX_SERIALISED: usize = 8 * 1024;
/// The most heads an anchor keeps (as many as concurrent branches when it was taken).
const MAX_HEADS: usize = 64;
/// The longest actor id in a cursor, in bytes (automerge's are 16).
const MAX_ACTOR_BYTES: usize = 64;

/// A passage of a text's Markdown, anchored so as to follow later edits. Its serialised form
/// (`to_string`, `parse`) is stable: it can be stored and read back later.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    start: Edge,
    end: Edge,
    /// The document's heads when it was taken (the passage's state then).
    heads: Vec<ChangeHash>,
    /// Where the passage was at those heads.
    taken: Range<usize>,
    /// The first bytes of the SHA-256 of the passage's text then.
    digest: [u8; 8],
    /// The characters its ends name, read once (`Edge::key`): resolving thousands of anchors
    /// looks them up in one pass over the text.
    /// Boxed: an anchor travels inside commands and passages, which stay small.
    keys: Box<[Option<CharKey>; 2]>,
}

/// A character of the text: its insertion's counter and actor.
type CharKey = (u64, ActorId);

/// One end of a passage.
#[derive(Debug, Clone, PartialEq)]
enum Edge {
    /// The text's very start (an insertion point at 0).
    TextStart,
    /// Just before a character, moving with it.
    Before(Cursor),
    /// Just after a character, moving with it.
    After(Cursor),
}

/// Where an anchored passage is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The passage's range in the current Markdown, in UTF-16 units (empty for an insertion point
    /// and for a deleted passage, which sits where its characters were).
    pub start: usize,
    pub end: usize,
    /// The passage's text now.
    pub passage: String,
    /// Every character of a non-empty passage was deleted (and nothing typed inside it).
    pub deleted: bool,
    /// The passage's text differs from what it was when anchored.
    pub changed: bool,
}

/// Why a passage cannot be anchored, resolved or spliced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorError {
    /// The range is not a passage of the text (outside it, reversed, or splitting a character).
    #[error("{0}")]
    Range(String),
    /// The heads to anchor at are not a state of this text.
    #[error("no such state of the text")]
    UnknownState,
    /// The anchor was not taken on this text (its heads or its characters are unknown here).
    #[error("the anchor does not name a passage of this text")]
    Foreign,
    /// Every character of the anchored passage was deleted.
    #[error("the anchored passage was deleted")]
    Deleted,
    /// The anchored passage's text changed since it was anchored.
    #[error("the anchored passage changed since it was anchored")]
    Changed,
}

/// A serialised anchor that cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an anchor: {0}")]
pub struct ParseAnchorError(&'static str);

impl Anchor {
    /// Anchors `range` (UTF-16 units) of the text object `text` as it was at `heads` (the
    /// document's current heads for the text as it is). Reading the text costs time linear in it:
    /// call off the async runtime.
    pub(super) fn take(
        doc: &AutoCommit,
        text: &ObjId,
        range: Range<usize>,
        heads: Vec<ChangeHash>,
    ) -> Result<Anchor, AnchorError> {
        // Automerge reads heads it lacks as an older state instead of refusing them.
        if heads.is_empty() || !doc.get_missing_deps(&heads).is_empty() {
            return Err(AnchorError::UnknownState);
        }
        let units: Vec<u16> = doc
            .text_at(text, &heads)
            .map_err(|_| AnchorError::Foreign)?
            .encode_utf16()
            .collect();
        check_range(&units, &range)?;
        let cursor = |at: usize| {
            doc.get_cursor(text, at, Some(heads.as_slice()))
                .map_err(|e| AnchorError::Range(format!("no character at {at}: {e}")))
        };
        let (start, end) = if !range.is_empty() {
            let last = char_start(&units, range.end - 1);
            (
                Edge::Before(cursor(range.start)?),
                Edge::After(cursor(last)?),
            )
        } else if range.start == 0 {
            (Edge::TextStart, Edge::TextStart)
        } else {
            let point = Edge::After(cursor(char_start(&units, range.start - 1))?);
            (point.clone(), point)
        };
        Ok(Anchor {
            keys: Box::new([start.key(), end.key()]),
            start,
            end,
            digest: digest(&units[range.clone()]),
            heads,
            taken: range,
        })
    }

    /// Reads an anchor's serialised form (`to_string`).
    pub fn parse(s: &str) -> Result<Anchor, ParseAnchorError> {
        s.parse()
    }

    /// The document's heads when the anchor was taken.
    pub fn heads(&self) -> &[ChangeHash] {
        &self.heads
    }

    /// Where the passage was when the anchor was taken, in the Markdown at `heads()`.
    pub fn taken(&self) -> Range<usize> {
        self.taken.clone()
    }

    /// The passage as it was, given the Markdown at the anchor's heads.
    pub fn passage_in(&self, markdown_then: &str) -> Option<String> {
        let units: Vec<u16> = markdown_then.encode_utf16().collect();
        units.get(self.taken.clone()).map(String::from_utf16_lossy)
    }

    /// Where the passage is in the document now; `units` is the text object's current text in
    /// UTF-16 units (read once for many anchors). A cursor automerge cannot place — an anchor
    /// forged or taken elsewhere — answers `Foreign`, never a panic.
    pub(super) fn resolve(
        &self,
        doc: &AutoCommit,
        text: &ObjId,
        units: &[u16],
    ) -> Result<Resolved, AnchorError> {
        if self.heads.is_empty() || !doc.get_missing_deps(&self.heads).is_empty() {
            return Err(AnchorError::Foreign);
        }
        // Automerge asserts that a cursor's character is in the object it is asked about: a
        // cursor naming a character of another object would panic. Nothing is changed while
        // reading, so the document stays sound.
        let placed = std::panic::catch_unwind(AssertUnwindSafe(|| {
            Ok::<_, AnchorError>((
                self.start.position(doc, text, &self.heads, units.len())?,
                self.end.position(doc, text, &self.heads, units.len())?,
            ))
        }))
        .map_err(|_| AnchorError::Foreign)??;
        Ok(self.placed(placed.0, placed.1, units))
    }

    /// The passage between its ends' current positions.
    fn placed(&self, start: usize, end: usize, units: &[u16]) -> Resolved {
        let start = start.min(units.len());
        let end = end.clamp(start, units.len());
        let now = &units[start..end];
        Resolved {
            start,
            end,
            passage: String::from_utf16_lossy(now),
            deleted: !self.taken.is_empty() && start == end,
            changed: digest(now) != self.digest,
        }
    }
}

impl Edge {
    /// The character a cursor names, as (counter, actor); `None` for the text's start.
    fn key(&self) -> Option<CharKey> {
        let (Edge::Before(cursor) | Edge::After(cursor)) = self else {
            return None;
        };
        let s = cursor.to_string();
        let (counter, actor) = s.split_once('@')?;
        Some((counter.parse().ok()?, actor.parse().ok()?))
    }

    /// Where this end is in the current text, whose `length` is given; `heads` are the
    /// anchor's, at which its characters were there.
    fn position(
        &self,
        doc: &AutoCommit,
        text: &ObjId,
        heads: &[ChangeHash],
        length: usize,
    ) -> Result<usize, AnchorError> {
        let placed = |cursor: &Cursor| {
            match std::panic::catch_unwind(AssertUnwindSafe(|| {
                doc.get_cursor_position(text, cursor, None)
            })) {
                Ok(found) => found.map_err(|_| AnchorError::Foreign),
                // Debug builds of automerge 0.12 check its fast lookup of a character against a
                // slow one that cannot place a character deleted after the text's last visible
                // one (the fast one answers the text's length, as release builds do): a
                // character of this text when anchored is then at the end. Anything else (a
                // cursor naming another object) is foreign.
                Err(_) => match doc.get_cursor_position(text, cursor, Some(heads)) {
                    Ok(_) => Ok(length),
                    Err(_) => Err(AnchorError::Foreign),
                },
            }
        };
        match self {
            Edge::TextStart => Ok(0),
            // Deleted, its character's place is where the next surviving one is: what was typed
            // inside the passage after it stays inside, what was typed before it stays out.
            Edge::Before(cursor) => placed(cursor),
            Edge::After(cursor) => {
                let at = placed(cursor)?;
                // Still there: after it. Deleted: where it was (see `Before`).
                match doc.get(text, at) {
                    Ok(Some((automerge::Value::Scalar(value), id)))
                        if id.to_string() == cursor.to_string() =>
                    {
                        let width = match value.as_ref() {
                            automerge::ScalarValue::Str(s) => s.encode_utf16().count(),
                            _ => 1,
                        };
                        Ok(at + width)
                    }
                    _ => Ok(at),
                }
            }
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Edge::TextStart => f.write_str("s"),
            Edge::Before(cursor) => write!(f, "b{cursor}"),
            Edge::After(cursor) => write!(f, "a{cursor}"),
        }
    }

    fn parse(s: &str) -> Result<Edge, ParseAnchorError> {
        if s == "s" {
            return Ok(Edge::TextStart);
        }
        let (side, cursor) = match (s.get(..1), s.get(1..)) {
            (Some("b"), Some(rest)) => (Edge::Before as fn(Cursor) -> Edge, rest),
            (Some("a"), Some(rest)) => (Edge::After as fn(Cursor) -> Edge, rest),
            _ => return Err(ParseAnchorError("an end is s, b… or a…")),
        };
        // Checked here rather than left to automerge's parser, which slices its input by bytes.
        let (counter, actor) = cursor
            .split_once('@')
            .ok_or(ParseAnchorError("a cursor is counter@actor"))?;
        let counter: u64 = counter
            .parse()
            .map_err(|_| ParseAnchorError("a cursor's counter is a number"))?;
        if actor.is_empty()
            || actor.len() % 2 != 0
            || actor.len() > 2 * MAX_ACTOR_BYTES
            || !actor.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(ParseAnchorError("a cursor's actor is hexadecimal"));
        }
        let cursor = Cursor::try_from(format!("{counter}@{}", actor.to_ascii_lowercase()))
            .map_err(|_| ParseAnchorError("a cursor automerge does not read"))?;
        Ok(side(cursor))
    }
}

/// `1;<start>;<end>;<taken start>;<taken end>;<digest>;<heads>`: ends as `s` (the text's start),
/// `b<counter>@<actor>` (before a character) or `a<counter>@<actor>` (after one); the digest in
/// 16 hex digits; the heads as hex hashes separated by commas.
impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{VERSION};")?;
        self.start.write(f)?;
        f.write_str(";")?;
        self.end.write(f)?;
        write!(f, ";{};{};", self.taken.start, self.taken.end)?;
        for byte in self.digest {
            write!(f, "{byte:02x}")?;
        }
        f.write_str(";")?;
        for (i, head) in self.heads.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{head}")?;
        }
        Ok(())
    }
}

impl FromStr for Anchor {
    type Err = ParseAnchorError;

    fn from_str(s: &str) -> Result<Anchor, ParseAnchorError> {
        if s.len() > MAX_SERIALISED {
            return Err(ParseAnchorError("too long"));
        }
        let fields: Vec<&str> = s.split(';').collect();
        let [version, start, end, from, to, digest, heads] = fields[..] else {
            return Err(ParseAnchorError("seven fields separated by ';'"));
        };
        if version != VERSION {
            return Err(ParseAnchorError("unknown version"));
        }
        let (start, end) = (Edge::parse(start)?, Edge::parse(end)?);
        let position = |s: &str| {
            s.parse::<usize>()
                .map_err(|_| ParseAnchorError("a position is a number"))
        };
        let taken = position(from)?..position(to)?;
        let consistent = match (&start, &end) {
            (Edge::Before(_), Edge::After(_)) => taken.start < taken.end,
            (Edge::TextStart, Edge::TextStart) => taken.start == 0 && taken.end == 0,
            (Edge::After(a), Edge::After(b)) => a == b && taken.start == taken.end,
            _ => false,
        };
        if !consistent {
            return Err(ParseAnchorError("its ends do not make a passage"));
        }
        let digest = parse_digest(digest).ok_or(ParseAnchorError("a digest is 16 hex digits"))?;
        let heads: Vec<ChangeHash> = heads
            .split(',')
            .map(|h| h.parse().map_err(|_| ParseAnchorError("heads are hashes")))
            .collect::<Result<_, _>>()?;
        if heads.len() > MAX_HEADS {
            return Err(ParseAnchorError("too many heads"));
        }
        Ok(Anchor {
            keys: Box::new([start.key(), end.key()]),
            start,
            end,
            heads,
            taken,
            digest,
        })
    }
}

fn parse_digest(hex: &str) -> Option<[u8; 8]> {
    if hex.len() != 16 || !hex.is_ascii() {
        return None;
    }
    let mut digest = [0u8; 8];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(digest)
}

/// The first 8 bytes of the SHA-256 of a passage (as UTF-8): enough to tell that it changed.
fn digest(units: &[u16]) -> [u8; 8] {
    let hash = Sha256::digest(String::from_utf16_lossy(units).as_bytes());
    let mut digest = [0u8; 8];
    digest.copy_from_slice(&hash[..8]);
    digest
}

/// Refuses a range that is not a passage of `units`: reversed, past its end, or with a boundary
/// between the two halves of a surrogate pair.
pub(super) fn check_range(units: &[u16], range: &Range<usize>) -> Result<(), AnchorError> {
    let length = units.len();
    if range.start > range.end || range.end > length {
        return Err(AnchorError::Range(format!(
            "{}..{} is not a range of a text of {length} characters",
            range.start, range.end
        )));
    }
    for at in [range.start, range.end] {
        if splits_a_character(units, at) {
            return Err(AnchorError::Range(format!(
                "{at} falls inside a character (a surrogate pair)"
            )));
        }
    }
    Ok(())
}

fn is_high_surrogate(unit: u16) -> bool {
    (0xD800..0xDC00).contains(&unit)
}

fn is_low_surrogate(unit: u16) -> bool {
    (0xDC00..0xE000).contains(&unit)
}

fn splits_a_character(units: &[u16], at: usize) -> bool {
    at > 0 && at < units.len() && is_low_surrogate(units[at]) && is_high_surrogate(units[at - 1])
}

/// Where the character holding unit `at` starts.
fn char_start(units: &[u16], at: usize) -> usize {
    if splits_a_character(units, at) {
        at - 1
    } else {
        at
    }
}

#[cfg(test)]
pub(super) mod tests {
    use automerge::transaction::Transactable;

    use super::*;
    use crate::collab::doc;

    pub(super) fn markdown(doc: &AutoCommit) -> ObjId {
        doc::markdown_obj(doc).unwrap()
    }

    pub(super) fn take(doc: &mut AutoCommit, range: Range<usize>) -> Anchor {
        let heads = doc.get_heads();
        Anchor::take(doc, &markdown(doc), range, heads).unwrap()
    }

    fn resolve(doc: &AutoCommit, anchor: &Anchor) -> Result<Resolved, AnchorError> {
        let text = markdown(doc);
        let units: Vec<u16> = doc.text(&text).unwrap().encode_utf16().collect();
        anchor.resolve(doc, &text, &units)
    }

    pub(super) fn edit(doc: &mut AutoCommit, at: usize, delete: isize, insert: &str) {
        let text = markdown(doc);
        doc.splice_text(&text, at, delete, insert).unwrap();
        doc.commit();
    }

    /// Where the passage is now, as (start, end, text, deleted, changed).
    fn place(doc: &AutoCommit, anchor: &Anchor) -> (usize, usize, String, bool, bool) {
        let r = resolve(doc, anchor).unwrap();
        (r.start, r.end, r.passage, r.deleted, r.changed)
    }

    #[test]
    fn a_passage_follows_edits_and_keeps_out_what_is_typed_at_its_boundaries() {
        let (mut doc, _) = doc::create("0123456789").unwrap();
        let anchor = take(&mut doc, 3..6);
        assert_eq!(place(&doc, &anchor), (3, 6, "345".into(), false, false));
        // Each edit (at, deleted, inserted), the text after it, where the passage is then, and
        // whether its text changed. An empty passage is a deleted one.
        let steps = [
            // Typed just before it, then just after it: outside.
            (3, 0, "<", "012<3456789", 4..7, false),
            (7, 0, ">", "012<345>6789", 4..7, false),
            // Typed inside: inside; typed back: unchanged again (what counts is the text).
            (5, 0, "+", "012<3+45>6789", 4..8, true),
            (5, 1, "", "012<345>6789", 4..7, false),
            // Its first, then its last character deleted: it shrinks to what is left.
            (4, 1, "", "012<45>6789", 4..6, true),
            (5, 1, "", "012<4>6789", 4..5, true),
            // All of it deleted: deleted, where it was; what is typed there is not it.
            (4, 1, "", "012<>6789", 4..4, true),
            (4, 0, "new", "012<new>6789", 7..7, true),
        ];
        for (at, deleted, inserted, text, range, changed) in steps {
            edit(&mut doc, at, deleted, inserted);
            assert_eq!(doc.text(markdown(&doc)).unwrap(), text);
            let passage = text[range.clone()].to_owned();
            let expected = (range.start, range.end, passage, range.is_empty(), changed);
            assert_eq!(place(&doc, &anchor), expected, "after {inserted:?} at {at}");
        }
    }

    #[test]
    fn concurrent_edits_around_and_inside_a_passage_merge_as_expected() {
        let (mut server, _) = doc::create("Le chat dort sur le tapis.").unwrap();
        let anchor = take(&mut server, 3..12); // "chat dort"
        let mut one = server.fork();
        let mut two = server.fork();
        edit(&mut one, 3, 0, "gros "); // at the start boundary: outside
        edit(&mut two, 12, 0, " bien"); // at the end boundary: outside
        edit(&mut two, 8, 4, "ronfle"); // inside: "dort" → "ronfle"
        server.merge(&mut one).unwrap();
        server.merge(&mut two).unwrap();
        assert_eq!(
            server.text(markdown(&server)).unwrap(),
            "Le gros chat ronfle bien sur le tapis."
        );
        assert_eq!(
            place(&server, &anchor),
            (8, 19, "chat ronfle".into(), false, true)
        );
        // One deletes the whole passage while the other types inside it: the typing survives,
        // and is the passage.
        let mut one = server.fork();
        let mut two = server.fork();
        edit(&mut one, 8, 11, "");
        edit(&mut two, 13, 0, "qui ");
        server.merge(&mut one).unwrap();
        server.merge(&mut two).unwrap();
        assert_eq!(place(&server, &anchor), (8, 12, "qui ".into(), false, true));
    }

    #[test]
    fn an_insertion_point_stays_after_the_character_before_it() {
        let (mut doc, _) = doc::create("abcdef").unwrap();
        let point = take(&mut doc, 3..3);
        let start = take(&mut doc, 0..0);
        assert_eq!(place(&doc, &point), (3, 3, String::new(), false, false));
        edit(&mut doc, 3, 0, "X"); // typed at the point: after it
        edit(&mut doc, 0, 0, "Y"); // typed at the start: after the start point
        assert_eq!(doc.text(markdown(&doc)).unwrap(), "YabcXdef");
        assert_eq!(place(&doc, &point).0, 4);
        assert_eq!(place(&doc, &start).0, 0);
        // The character before it deleted: the point stays, never deleted.
        edit(&mut doc, 3, 1, "");
        assert_eq!(place(&doc, &point), (3, 3, String::new(), false, false));
    }

    #[test]
    fn an_anchor_taken_at_past_heads_names_the_passage_of_then() {
        let (mut doc, _) = doc::create("abcdef").unwrap();
        let then = doc.get_heads();
        edit(&mut doc, 0, 0, "XY");
        let anchor = Anchor::take(&doc, &markdown(&doc), 2..4, then.clone()).unwrap();
        assert_eq!(anchor.heads(), then.as_slice());
        assert_eq!(place(&doc, &anchor), (4, 6, "cd".into(), false, false));
        assert_eq!(anchor.passage_in("abcdef").as_deref(), Some("cd"));
        let unknown = vec![ChangeHash([7; 32])];
        assert_eq!(
            Anchor::take(&doc, &markdown(&doc), 0..1, unknown),
            Err(AnchorError::UnknownState)
        );
    }

    #[test]
    fn positions_are_utf16_units_and_never_split_a_character() {
        let (mut doc, _) = doc::create("a😀b").unwrap();
        let heads = doc.get_heads();
        let text = markdown(&doc);
        // The last one reversed.
        let reversed = Range { start: 3, end: 2 };
        for bad in [1..2, 2..4, 0..5, reversed] {
            assert!(
                matches!(
                    Anchor::take(&doc, &text, bad.clone(), heads.clone()),
                    Err(AnchorError::Range(_))
                ),
                "{bad:?}"
            );
        }
        let emoji = take(&mut doc, 1..3);
        let point = take(&mut doc, 3..3);
        edit(&mut doc, 0, 0, "é");
        assert_eq!(place(&doc, &emoji), (2, 4, "😀".into(), false, false));
        assert_eq!(place(&doc, &point).0, 4);
    }

    #[test]
    fn a_passage_deleted_at_the_end_of_the_text_is_deleted_there() {
        // Its characters deleted after the last visible one: automerge's debug check of its
        // own lookup trips on them; the anchor is deleted at the text's end all the same.
        let (mut doc, _) = doc::create("Début. Fin du chapitre.").unwrap();
        let end = take(&mut doc, 7..23);
        let all = take(&mut doc, 0..23);
        edit(&mut doc, 7, 16, "");
        assert_eq!(place(&doc, &end), (7, 7, String::new(), true, true));
        edit(&mut doc, 0, 7, "");
        assert_eq!(place(&doc, &all), (0, 0, String::new(), true, true));
    }

    #[test]
    fn an_anchor_of_another_text_or_forged_is_foreign_not_a_panic() {
        let (mut one, _) = doc::create("abc").unwrap();
        let (two, _) = doc::create("abc").unwrap();
        let anchor = take(&mut one, 0..2);
        assert_eq!(resolve(&two, &anchor), Err(AnchorError::Foreign));
        // Heads of this text, but a cursor naming the root's `markdown` key, not a character.
        let object = markdown(&one).to_string();
        let heads = anchor.to_string().rsplit(';').next().unwrap().to_owned();
        let forged: Anchor = format!("1;b{object};a{object};0;2;0000000000000000;{heads}")
            .parse()
            .unwrap();
        assert_eq!(resolve(&one, &forged), Err(AnchorError::Foreign));
        // A character this text does not have.
        let missing: Anchor = format!("1;b999@ab;a999@ab;0;2;0000000000000000;{heads}")
            .parse()
            .unwrap();
        assert_eq!(resolve(&one, &missing), Err(AnchorError::Foreign));
    }

    #[test]
    fn the_serialised_form_round_trips() {
        let (mut doc, _) = doc::create("Bonjour à tous 😀 !").unwrap();
        let anchors = [
            take(&mut doc, 8..14),
            take(&mut doc, 0..0),
            take(&mut doc, 5..5),
            take(&mut doc, 15..17),
        ];
        for anchor in anchors {
            let text = anchor.to_string();
            assert!(
                text.is_ascii() && !text.contains(char::is_whitespace),
                "{text}"
            );
            let back = Anchor::parse(&text).unwrap();
            assert_eq!(back, anchor);
            assert_eq!(back.to_string(), text);
            assert_eq!(resolve(&doc, &back), resolve(&doc, &anchor));
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let (mut doc, _) = doc::create("Bonjour à tous").unwrap();
        let good = take(&mut doc, 3..9).to_string();
        let head = good.rsplit(';').next().unwrap().to_owned();
        let garbage = [
            String::new(),
            "1".into(),
            "é".into(),
            ";;;;;;".into(),
            format!("2;s;s;0;0;0000000000000000;{head}"),
            format!("1;s;s;0;0;0000000000000000;{head};"),
            format!("1;s;s;0;0;0000000000000000;{head},"),
            "1;s;s;0;0;0000000000000000;".into(),
            format!("1;s;s;0;0;00000000000000;{head}"),
            format!("1;s;s;0;0;000000000000000g;{head}"),
            format!("1;s;s;0;0;00000000000000é;{head}"),
            format!("1;s;s;1;1;0000000000000000;{head}"),
            format!("1;b1@ab;b1@ab;0;1;0000000000000000;{head}"),
            format!("1;b1@ab;a1@ab;1;1;0000000000000000;{head}"),
            format!("1;a1@ab;a2@ab;1;1;0000000000000000;{head}"),
            format!("1;bé@ab;a1@ab;0;1;0000000000000000;{head}"),
            format!("1;éb1@ab;a1@ab;0;1;0000000000000000;{head}"),
            format!("1;b1@abc;a1@ab;0;1;0000000000000000;{head}"),
            format!("1;b1@;a1@ab;0;1;0000000000000000;{head}"),
            format!("1;b@ab;a1@ab;0;1;0000000000000000;{head}"),
            format!("1;b-1@ab;a1@ab;0;1;0000000000000000;{head}"),
            format!("1;b99999999999999999999999@ab;a1@ab;0;1;0000000000000000;{head}"),
            format!("1;b1@ab;a1@ab;-1;1;0000000000000000;{head}"),
            format!("1;b1@{};a1@ab;0;1;0000000000000000;{head}", "ab".repeat(65)),
            format!(
                "1;s;s;0;0;0000000000000000;{}",
                vec![head.as_str(); 65].join(",")
            ),
            "1;".repeat(5000),
        ];
        for text in &garbage {
            assert!(
                Anchor::parse(text).is_err(),
                "{text:?} was read as an anchor"
            );
        }
        // Every truncation and every one-character change of a good anchor: read or refused,
        // never a panic.
        let replacements = ["é", ";", "@", ",", "0", "z", "-", "", "😀"];
        for at in 0..=good.len() {
            let _ = Anchor::parse(&good[..at]);
            for replacement in replacements {
                let mut changed = good.clone();
                changed.replace_range(at..(at + 1).min(good.len()), replacement);
                if let Ok(anchor) = Anchor::parse(&changed) {
                    let _ = resolve(&doc, &anchor);
                }
            }
        }
    }
}
