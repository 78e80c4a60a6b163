//! Offsets into the Markdown source: UTF-8 bytes, as Rust slices it, and UTF-16 code units, as
//! the browser, automerge's text (`TextEncoding::Utf16CodeUnit`) and the API count them.
//!
//! The renderer parses the text with U+0000 read as U+FFFD (CommonMark 2.3), which is three
//! bytes where the source has one; [`SourceMap`] gives every range found in the parsed text back
//! as a range of the source as it was given, never of the parsed copy.

use std::borrow::Cow;
use std::ops::Range;

/// A passage of the Markdown source: the same characters counted in UTF-8 bytes (`bytes`,
/// to slice the `&str`) and in UTF-16 code units (`utf16`, as amendments address a passage
/// through the API). Both ends always fall between two characters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SourceRange {
    pub bytes: Range<usize>,
    pub utf16: Range<usize>,
}

/// The Markdown as given, the copy the parser reads, and the conversions between their offsets.
pub struct SourceMap<'a> {
    source: &'a str,
    parsed: Cow<'a, str>,
    /// Where, in `parsed`, each U+FFFD standing for a U+0000 of the source starts.
    replaced_nuls: Vec<usize>,
    /// For each character of the source that takes more UTF-8 bytes than UTF-16 units: the
    /// byte just after it, and how many bytes more than units the source holds up to there.
    wide_chars: Vec<(usize, usize)>,
}

impl<'a> SourceMap<'a> {
    pub fn new(source: &'a str) -> Self {
        let parsed = nul_as_replacement_character(source);
        let replaced_nuls = match &parsed {
            Cow::Borrowed(_) => Vec::new(),
            Cow::Owned(parsed) => parsed
                .match_indices('\u{FFFD}')
                .map(|(at, _)| at)
                .zip(source.match_indices(['\u{FFFD}', '\0']))
                .filter(|(_, (_, original))| *original == "\0")
                .map(|(at, _)| at)
                .collect(),
        };
        // A byte loop rather than `char_indices`: a text is mostly ASCII, and this runs on every
        // render of texts up to 900 KB.
        let bytes = source.as_bytes();
        let mut wide_chars = Vec::new();
        let mut excess = 0;
        let mut at = 0;
        while at < bytes.len() {
            let (utf8, utf16) = match bytes[at] {
                0x00..=0x7F => (1, 1),
                0xC0..=0xDF => (2, 1),
                0xE0..=0xEF => (3, 1),
                _ => (4, 2),
            };
            if utf8 > 1 {
                excess += utf8 - utf16;
                wide_chars.push((at + utf8, excess));
            }
            at += utf8;
        }
        Self {
            source,
            parsed,
            replaced_nuls,
            wide_chars,
        }
    }

    /// The Markdown as given.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// What the parser reads: the source with every U+0000 as U+FFFD.
    pub fn parsed(&self) -> &str {
        &self.parsed
    }

    /// The UTF-16 offset of a byte offset of the source (one that falls between characters).
    pub fn utf16_offset(&self, byte: usize) -> usize {
        let before = self.wide_chars.partition_point(|(end, _)| *end <= byte);
        let excess = before
            .checked_sub(1)
            .and_then(|last| self.wide_chars.get(last))
            .map_or(0, |(_, excess)| *excess);
        byte.saturating_sub(excess)
    }

    /// The byte offset of a UTF-16 offset of the source, `None` beyond its end or between the two
    /// halves of a surrogate pair (an emoji, say): such an offset names no place in the text.
    pub fn byte_offset(&self, utf16: usize) -> Option<usize> {
        // The wide characters that end at or before the answer are those whose UTF-16 end is at
        // or before `utf16`; the answer is `utf16` plus their excess.
        let before = self
            .wide_chars
            .partition_point(|(end, excess)| end - excess <= utf16);
        let excess = before
            .checked_sub(1)
            .and_then(|last| self.wide_chars.get(last))
            .map_or(0, |(_, excess)| *excess);
        let byte = utf16 + excess;
        (byte <= self.source.len() && self.source.is_char_boundary(byte)).then_some(byte)
    }

    /// A range of the parsed copy as a range of the source. Ends that fall inside a character
    /// (pulldown-cmark's ranges have done so on odd inputs) move out to include it whole.
    pub fn range(&self, parsed: Range<usize>) -> SourceRange {
        let start = self.to_source(floor_char_boundary(&self.parsed, parsed.start));
        let end = self.to_source(ceil_char_boundary(
            &self.parsed,
            parsed.end.max(parsed.start),
        ));
        SourceRange {
            utf16: self.utf16_offset(start)..self.utf16_offset(end),
            bytes: start..end,
        }
    }

    fn to_source(&self, parsed: usize) -> usize {
        // Each replaced U+0000 before the offset took two bytes more in the parsed copy.
        let before = self.replaced_nuls.partition_point(|at| *at < parsed);
        parsed.saturating_sub(2 * before).min(self.source.len())
    }
}

/// CommonMark (2.3, insecure characters): U+0000 is read as U+FFFD, which pulldown-cmark does in
/// text but not in link destinations (a wiki link's title). Live editing can type one.
pub(super) fn nul_as_replacement_character(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(text)
    }
}

pub(super) fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

pub(super) fn ceil_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UTF-16 offset of every character boundary, counted by encoding.
    fn utf16_boundaries(text: &str) -> Vec<(usize, usize)> {
        let mut units = 0;
        let mut boundaries = Vec::new();
        for (at, c) in text.char_indices() {
            boundaries.push((at, units));
            units += c.len_utf16();
        }
        boundaries.push((text.len(), units));
        boundaries
    }

    #[test]
    fn offsets_convert_both_ways_across_wide_characters() {
        for text in [
            "",
            "abc",
            "Santé pour tous",
            "e\u{301}te\u{301}",
            "un 😀 deux 🇫🇷 trois",
            "😀😀",
            "中文 → العربية",
            "a\r\nb\r\n",
        ] {
            let map = SourceMap::new(text);
            for (byte, utf16) in utf16_boundaries(text) {
                assert_eq!(map.utf16_offset(byte), utf16, "{text:?} at byte {byte}");
                assert_eq!(
                    map.byte_offset(utf16),
                    Some(byte),
                    "{text:?} at unit {utf16}"
                );
            }
            let units = text.encode_utf16().count();
            assert_eq!(map.byte_offset(units + 1), None, "{text:?}");
        }
        // Between the two halves of a surrogate pair: no place in the text.
        let map = SourceMap::new("a😀b");
        assert_eq!(map.byte_offset(2), None);
        assert_eq!(map.byte_offset(3), Some(5));
    }

    #[test]
    fn ranges_of_the_parsed_copy_are_ranges_of_the_source() {
        let source = "a\0b\0\u{FFFD}c";
        let map = SourceMap::new(source);
        assert_eq!(map.parsed(), "a\u{FFFD}b\u{FFFD}\u{FFFD}c");
        let c = map.parsed().find('c').unwrap_or_default();
        let range = map.range(c..c + 1);
        assert_eq!(&source[range.bytes.clone()], "c");
        assert_eq!(range.utf16, 5..6);
        let whole = map.range(0..map.parsed().len());
        assert_eq!(whole.bytes, 0..source.len());
        assert_eq!(whole.utf16, 0..6);
        // Inside a character: moved out to hold it whole.
        let map = SourceMap::new("é");
        assert_eq!(map.range(1..1).bytes, 0..2);
    }
}
