//! An amendment's reference, « § 12, lignes 3 à 5 »: where its range falls in the numbered view
//! (`markup::numbering`) of the version it was filed against. Computed once, at filing, and
//! stored: later edits and merges renumber the text's lines, never an existing reference.

use std::ops::Range;

use crate::markup::Paragraph;

/// The paragraph (the first one the range touches) and the global numbers of the first and last
/// lines it touches, with the sentence cited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub paragraph: usize,
    pub first_line: usize,
    pub last_line: usize,
    pub text: String,
}

/// Where `range` (UTF-16 units of the Markdown the paragraphs were numbered from) falls.
///
/// A passage touches the lines whose source it overlaps; one lying only between lines (the
/// markup or blank lines between two words or two paragraphs) is cited by the line before it.
/// An insertion point is cited by the line it is in or follows (« § 3, ligne 7 »: after or in
/// line 7), the text's very start by its first line. A text with no numbered line at all is
/// cited as « début du texte ».
pub fn reference(paragraphs: &[Paragraph], range: Range<usize>) -> Reference {
    // Every line with its paragraph's number, its global number and its source, in order.
    let lines: Vec<(usize, usize, Range<usize>)> = paragraphs
        .iter()
        .flat_map(|p| {
            p.line_sources
                .iter()
                .enumerate()
                .map(move |(i, source)| (p.number, p.first_line + i, source.utf16.clone()))
        })
        .collect();
    let touched: Vec<&(usize, usize, Range<usize>)> = if range.is_empty() {
        Vec::new()
    } else {
        lines
            .iter()
            .filter(|(_, _, source)| source.start < range.end && range.start < source.end)
            .collect()
    };
    let (first, last) = match (touched.first(), touched.last()) {
        (Some(first), Some(last)) => (*first, *last),
        _ => {
            // The line the range starts in or after; else the first line.
            let before = lines
                .iter()
                .rev()
                .find(|(_, _, source)| source.start <= range.start)
                .or(lines.first());
            match before {
                Some(line) => (line, line),
                None => {
                    return Reference {
                        paragraph: 0,
                        first_line: 0,
                        last_line: 0,
                        text: "début du texte".to_owned(),
                    };
                }
            }
        }
    };
    let paragraphs = if first.0 == last.0 {
        format!("§ {}", first.0)
    } else {
        format!("§ {} à {}", first.0, last.0)
    };
    let lines = if first.1 == last.1 {
        format!("ligne {}", first.1)
    } else {
        format!("lignes {} à {}", first.1, last.1)
    };
    Reference {
        paragraph: first.0,
        first_line: first.1,
        last_line: last.1,
        text: format!("{paragraphs}, {lines}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::{RenderOptions, WikiResolution, render};

    fn paragraphs(markdown: &str, width: usize) -> Vec<Paragraph> {
        let resolve = |_: &crate::markup::WikiTarget| WikiResolution::Missing {
            create_href: String::new(),
        };
        let mut options = RenderOptions::new(&resolve);
        options.line_width = width;
        render(markdown, &options).paragraphs
    }

    fn range_of(text: &str, needle: &str) -> Range<usize> {
        let byte = text.find(needle).expect("in the text");
        let start = text[..byte].encode_utf16().count();
        start..start + needle.encode_utf16().count()
    }

    #[test]
    fn references_cite_the_paragraphs_and_lines_a_range_touches() {
        let text = "# Titre\n\nUn deux trois quatre cinq six sept huit.\n\n- Premier point.\n- Second point.\n";
        // Width 10: "Un deux" (2), "trois" (3), "quatre" (4), "cinq six" (5), "sept huit." (6).
        let ps = paragraphs(text, 10);
        let cite = |needle: &str| reference(&ps, range_of(text, needle)).text;
        assert_eq!(cite("Titre"), "§ 1, ligne 1");
        assert_eq!(cite("trois"), "§ 2, ligne 3");
        assert_eq!(cite("trois quatre cinq"), "§ 2, lignes 3 à 5");
        assert_eq!(cite("huit.\n\n- Premier"), "§ 2 à 3, lignes 6 à 7");
        // Width 10 wraps « - Premier point. » in two (7, 8).
        assert_eq!(cite("Second"), "§ 4, ligne 9");
        let r = reference(&ps, range_of(text, "quatre cinq"));
        assert_eq!((r.paragraph, r.first_line, r.last_line), (2, 4, 5));
        // An insertion point: the line it follows; the blank between paragraphs, the line before.
        let end_of_two = range_of(text, "huit.").end;
        assert_eq!(reference(&ps, end_of_two..end_of_two).text, "§ 2, ligne 6");
        assert_eq!(
            reference(&ps, end_of_two + 1..end_of_two + 2).text,
            "§ 2, ligne 6"
        );
        assert_eq!(reference(&ps, 0..0).text, "§ 1, ligne 1");
        assert_eq!(reference(&[], 0..0).text, "début du texte");
    }
}
