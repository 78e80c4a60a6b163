//! Plain text that remembers where each of its pieces came from in the Markdown, so that a
//! numbered line can say which passage of the source it shows.
//!
//! Most of a line's text is the source itself (pulldown-cmark's text events are slices of it);
//! the rest is written differently there (`&amp;` for `&`, `\*` for `*`, a code span's
//! backticks, `[^note]` for `[1]`, a list's `4.` for `5.`) or not at all (the ` | ` between
//! table cells). Each pushed piece is therefore aligned with its event's source range by their
//! longest common subsequence: a character found there maps to itself; a character that is not
//! maps to the span of the source between its found neighbours.

use std::ops::Range;

use similar::{Algorithm, DiffTag};

/// Past this many bytes, a text that differs from its source is not aligned character by
/// character (the diff's cost grows with the product of the lengths): it maps as a whole.
const MAX_ALIGNED: usize = 4096;

#[derive(Debug, Clone, Default)]
pub(super) struct Traced {
    pub text: String,
    /// In order, covering `text` without gaps.
    pieces: Vec<Piece>,
    /// Where an empty text sits in the source.
    origin: usize,
}

#[derive(Debug, Clone)]
struct Piece {
    plain: Range<usize>,
    source: Range<usize>,
    /// `text[plain]` is `source[source]`, byte for byte; otherwise every position of `plain`
    /// maps to the whole of `source`.
    exact: bool,
}

impl Traced {
    pub fn new(origin: usize) -> Self {
        Self {
            origin,
            ..Self::default()
        }
    }

    /// Appends `text`, written at `from` in `source` (the parsed Markdown) or derived from it.
    pub fn push(&mut self, text: &str, from: Range<usize>, source: &str) {
        if text.is_empty() {
            return;
        }
        let start = from.start.min(source.len());
        let from = start..from.end.clamp(start, source.len());
        if source.get(from.clone()) == Some(text) {
            let at = self.text.len();
            // pulldown-cmark's text starts after a backslash escape, whose backslash belongs
            // to the character it escapes (unless the text before already took it).
            let escaped = from.start > 0
                && source.as_bytes().get(from.start - 1) == Some(&b'\\')
                && text.starts_with(|c: char| c.is_ascii_punctuation())
                && self.pieces.last().is_none_or(|p| p.source.end < from.start);
            if escaped {
                self.add(at..at + 1, from.start - 1..from.start + 1, false);
                self.add(at + 1..at + text.len(), from.start + 1..from.end, true);
            } else {
                self.add(at..at + text.len(), from, true);
            }
            self.text.push_str(text);
            return;
        }
        let written = source.get(from.clone()).unwrap_or_default();
        let base = self.text.len();
        self.text.push_str(text);
        if text.len() > MAX_ALIGNED || written.len() > MAX_ALIGNED {
            // Too long to align character by character: the whole text is its whole source.
            self.add(base..self.text.len(), from, false);
            return;
        }
        let plain: Vec<(usize, char)> = text.char_indices().collect();
        let written_chars: Vec<(usize, char)> = written.char_indices().collect();
        let plain_byte = |i: usize| base + plain.get(i).map_or(text.len(), |c| c.0);
        let source_byte =
            |j: usize| from.start + written_chars.get(j).map_or(written.len(), |c| c.0);
        // The longest common subsequence of the two, not a greedy scan: a character found
        // early (the space a code span makes of a line break) must not pull the rest of the
        // text out of line with its source.
        let ops = similar::capture_diff_slices(
            Algorithm::Myers,
            &plain.iter().map(|c| c.1).collect::<Vec<_>>(),
            &written_chars.iter().map(|c| c.1).collect::<Vec<_>>(),
        );
        // What opens the piece in the source (an escape's backslash, a code span's
        // backticks) belongs to its first character…
        let mut opening = None;
        for op in &ops {
            let (tag, shown, written) = op.as_tag_tuple();
            let source = source_byte(written.start)..source_byte(written.end);
            if tag == DiffTag::Insert {
                if shown.start == 0 {
                    opening = Some(source.start);
                }
                continue;
            }
            let mut shown = plain_byte(shown.start)..plain_byte(shown.end);
            let mut source = source;
            if let Some(open) = opening.take() {
                if tag == DiffTag::Equal {
                    let first = shown.start
                        + text[shown.start - base..]
                            .chars()
                            .next()
                            .map_or(0, char::len_utf8);
                    let first_source = source.start + (first - shown.start);
                    self.add(shown.start..first, open..first_source, false);
                    source.start = first_source;
                    shown.start = first;
                } else {
                    source.start = open;
                }
            }
            // Characters shown but not written (a list's renumbered marker, a table's
            // separator) map to what stands in their place, maybe nothing.
            self.add(shown, source, tag == DiffTag::Equal);
        }
        // …and what closes it to its last (`text` is not empty: the last piece is its own).
        if self.pieces.last().is_some_and(|p| p.source.end < from.end) {
            self.extend_last_to(from.end);
        }
    }

    /// Makes the last character's source end at `end`.
    fn extend_last_to(&mut self, end: usize) {
        let Some(last) = self.pieces.pop() else {
            return;
        };
        let last_char = self
            .text
            .get(..last.plain.end)
            .unwrap_or_default()
            .chars()
            .next_back()
            .map_or(0, char::len_utf8);
        if last.exact && last.plain.len() > last_char {
            let split = last.plain.end - last_char;
            let split_source = last.source.end - last_char;
            self.pieces.push(Piece {
                plain: last.plain.start..split,
                source: last.source.start..split_source,
                exact: true,
            });
            self.pieces.push(Piece {
                plain: split..last.plain.end,
                source: split_source..end,
                exact: false,
            });
        } else {
            self.pieces.push(Piece {
                source: last.source.start..end,
                exact: false,
                ..last
            });
        }
    }

    fn add(&mut self, plain: Range<usize>, source: Range<usize>, exact: bool) {
        if plain.is_empty() {
            return;
        }
        if let Some(last) = self.pieces.last_mut()
            && exact
            && last.exact
            && last.plain.end == plain.start
            && last.source.end == source.start
        {
            last.plain.end = plain.end;
            last.source.end = source.end;
            return;
        }
        self.pieces.push(Piece {
            plain,
            source,
            exact,
        });
    }

    /// Where, in the source, the character starting at `at` in the text starts.
    pub fn source_start(&self, at: usize) -> usize {
        let index = self.pieces.partition_point(|p| p.plain.end <= at);
        match self.pieces.get(index) {
            Some(piece) if piece.exact => piece.source.start + (at - piece.plain.start),
            Some(piece) => piece.source.start,
            None => self.source_end(at),
        }
    }

    /// Where, in the source, the character ending at `at` in the text ends.
    pub fn source_end(&self, at: usize) -> usize {
        if at == 0 {
            return self
                .pieces
                .first()
                .map_or(self.origin, |piece| piece.source.start);
        }
        let index = self.pieces.partition_point(|p| p.plain.end < at);
        match self.pieces.get(index).or(self.pieces.last()) {
            Some(piece) if piece.exact => {
                piece.source.start + (at.min(piece.plain.end) - piece.plain.start)
            }
            Some(piece) => piece.source.end,
            None => self.origin,
        }
    }

    /// The source of `text[plain]`, as a range (empty for an empty `plain`).
    pub fn source_of(&self, plain: Range<usize>) -> Range<usize> {
        if plain.is_empty() {
            let at = if plain.start < self.text.len() {
                self.source_start(plain.start)
            } else {
                self.source_end(plain.start)
            };
            return at..at;
        }
        let start = self.source_start(plain.start);
        start..self.source_end(plain.end).max(start)
    }

    /// `text[plain]` with its pieces.
    pub fn slice(&self, plain: Range<usize>) -> Traced {
        let mut part = Traced::new(self.source_of(plain.start..plain.start).start);
        part.text = self.text.get(plain.clone()).unwrap_or_default().to_owned();
        let first = self.pieces.partition_point(|p| p.plain.end <= plain.start);
        for piece in self.pieces.get(first..).unwrap_or_default() {
            if piece.plain.start >= plain.end {
                break;
            }
            let start = piece.plain.start.max(plain.start);
            let end = piece.plain.end.min(plain.end);
            part.pieces.push(Piece {
                plain: start - plain.start..end - plain.start,
                source: piece.source_of(start..end),
                exact: piece.exact,
            });
        }
        part
    }

    /// The text between `<` and `>` removed (raw HTML's text, for the numbered view only).
    pub fn without_tags(&self) -> Traced {
        let mut text = Traced::new(self.origin);
        let mut in_tag = false;
        for piece in &self.pieces {
            let chars = self.text.get(piece.plain.clone()).unwrap_or_default();
            for (offset, c) in chars.char_indices() {
                match c {
                    '<' => in_tag = true,
                    '>' if in_tag => in_tag = false,
                    _ if !in_tag => {
                        let at = piece.plain.start + offset;
                        let source = piece.source_of(at..at + c.len_utf8());
                        let kept = text.text.len()..text.text.len() + c.len_utf8();
                        text.add(kept, source, piece.exact);
                        text.text.push(c);
                    }
                    _ => {}
                }
            }
        }
        text
    }
}

impl Piece {
    /// The source of the part `plain` of this piece.
    fn source_of(&self, plain: Range<usize>) -> Range<usize> {
        if self.exact {
            let start = self.source.start + (plain.start - self.plain.start);
            start..start + plain.len()
        } else {
            self.source.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushes each `(text, source range)` and returns, for every whitespace-separated word of
    /// the result, the source it maps to.
    fn words(source: &str, pushed: &[(&str, Range<usize>)]) -> Vec<String> {
        let mut traced = Traced::new(0);
        for (text, from) in pushed {
            traced.push(text, from.clone(), source);
        }
        let mut words = Vec::new();
        let mut start = None;
        for (at, c) in traced.text.char_indices().chain([(traced.text.len(), ' ')]) {
            match (c.is_whitespace(), start) {
                (false, None) => start = Some(at),
                (true, Some(from)) => {
                    words.push(source[traced.source_of(from..at)].to_owned());
                    start = None;
                }
                _ => {}
            }
        }
        words
    }

    #[test]
    fn exact_and_derived_pieces_map_to_their_source() {
        let source = "Un **gras** &amp; `du code` \\*x [^n] fin";
        let pushed = [
            ("Un ", 0..3),
            ("gras", 5..9),
            (" ", 11..12),
            ("&", 12..17),
            (" ", 17..18),
            ("du code", 18..27),
            (" ", 27..28),
            ("*x", 28..31),
            (" ", 31..32),
            ("[1]", 32..36),
            (" fin", 36..40),
        ];
        assert_eq!(
            words(source, &pushed),
            ["Un", "gras", "&amp;", "`du", "code`", "\\*x", "[^n]", "fin"]
        );
    }

    #[test]
    fn a_synthesised_marker_takes_the_source_of_the_one_written() {
        // `4.` written, `5. ` shown (its list counts from its start).
        let source = "4. cinq";
        assert_eq!(
            words(source, &[("5. ", 0..2), ("cinq", 3..7)]),
            ["4.", "cinq"]
        );
        // A separator with no source of its own sits where its cell starts.
        let source = "| a | b |";
        assert_eq!(
            words(source, &[("a", 2..3), (" | ", 6..6), ("b", 6..7)]),
            ["a", "", "b"]
        );
    }

    #[test]
    fn tags_go_and_the_text_keeps_its_source() {
        let source = "<p>un <b>deux</b></p>";
        let mut traced = Traced::new(0);
        traced.push(source, 0..source.len(), source);
        let text = traced.without_tags();
        assert_eq!(text.text, "un deux");
        assert_eq!(&source[text.source_of(0..7)], "un <b>deux");
        assert_eq!(&source[text.source_of(3..7)], "deux");
    }
}
