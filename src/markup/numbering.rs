//! Numbering: the paragraphs and lines a text is cited by ("paragraph 12, line 3", as
//! convention amendment tools do), each with the passage of the Markdown it shows.
//!
//! Every anchored block with text is a paragraph, numbered from 1 over the whole text
//! (headings included). Each item of a top-level list is a paragraph of its own, as Antragsgrün
//! and OpenSlides number a motion's proposals (a list of seven proposals is seven paragraphs);
//! a list nested in an item belongs to that item. Its plain text has the inline markup removed;
//! list items, table rows (cells joined by ` | `) and hard line breaks start new lines, list
//! items keep a `- ` or `N. ` marker, and footnote references read `[N]`. Each of these lines is
//! then word-wrapped at `line_width` characters (counted as `char`s, so accents count as one); a
//! word longer than the width gets a line of its own rather than being cut. Code block lines are
//! kept verbatim, never wrapped, because their spacing is their meaning. Lines are numbered
//! continuously over the whole text.
//!
//! # Source ranges
//!
//! Each paragraph and each line carries its [`SourceRange`] in the Markdown, in bytes and in
//! UTF-16 code units, so that an amendment can address it:
//!
//! * **A paragraph's source is its whole block**, the syntax that makes it the block it is
//!   included: a heading's `#`s (or its `===` underline), a list item's marker, a quote's `>`s,
//!   a code block's fences, a table's every row, a footnote definition's `[^label]:`. It runs
//!   from the start of the block's first line (its indentation is syntax too: an indented code
//!   block's, or what decides where a list item's later lines belong) to the block's last
//!   character: the line breaks and blank lines after it are left out (and for a code block,
//!   only its last line break: a code line's spaces are its content). That range is the one
//!   amendments need: replacing it with the Markdown of another block of the same kind (or
//!   deleting it) changes exactly that paragraph, and slicing it gives a Markdown that renders
//!   alone as that paragraph (footnote numbers and references to definitions elsewhere apart).
//! * **A line's source runs from its first word to its last**: from the first byte of the
//!   source of its first word to the last byte of the source of its last word. A word's source
//!   is the source of its characters, where an escape (`\*`), an entity (`&amp;`) or a code
//!   span's backticks belong to the character they open or close, and a list item's marker
//!   (`5. `, shown even where the writer typed `4.`) is the marker written; emphasis markers
//!   around a word are not part of it. A line of a code block is its whole line, spaces included,
//!   without its line break.
//!
//! Paragraphs, and the lines within each paragraph, come in the order of the text and never
//! overlap; every line lies within its paragraph; every range starts and ends between two
//! characters.

use std::ops::Range;

use super::block::BlockKind;
use super::plain::Line;
use super::sanitize::escape_html;
use super::source_map::SourceRange;

/// The wrapping width of the numbered view when the caller has no preference.
pub const DEFAULT_LINE_WIDTH: usize = 80;

/// A numbered top-level block, as cited: "paragraph `number`, line `first_line + i`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// 1-based, continuous over the text.
    pub number: usize,
    pub anchor: String,
    pub kind: BlockKind,
    /// Plain text after wrapping.
    pub lines: Vec<String>,
    /// The global 1-based number of the first of `lines`.
    pub first_line: usize,
    /// Where the paragraph is in the Markdown (see "Source ranges").
    pub source: SourceRange,
    /// Where each of `lines` is in the Markdown, in the same order.
    pub line_sources: Vec<SourceRange>,
}

/// The citing view of paragraphs already obtained from [`render`](super::render), to avoid a
/// second parse.
pub fn numbered_html(paragraphs: &[Paragraph]) -> String {
    let mut out = String::new();
    for paragraph in paragraphs {
        push_numbered_block(&mut out, paragraph);
    }
    out
}

/// The lines of a block, wrapped at `width`, each with its source in the parsed Markdown.
pub(super) fn wrap_lines(lines: Vec<Line>, width: usize) -> Vec<(String, Range<usize>)> {
    let mut wrapped = Vec::new();
    for line in lines {
        match line {
            Line::Prose(text) => {
                let mut strings = Vec::new();
                wrap(&text.text, width, &mut strings);
                // `wrap` joins the words of each line with one space, in order.
                let words = word_spans(&text.text);
                let mut next = 0;
                for string in strings {
                    let count = string.split(' ').count();
                    let source = match (words.get(next), words.get(next + count - 1)) {
                        (Some(first), Some(last)) => text.source_of(first.start..last.end),
                        _ => text.source_of(0..0),
                    };
                    next += count;
                    wrapped.push((string, source));
                }
            }
            Line::Verbatim(text, source) => wrapped.push((text, source)),
        }
    }
    wrapped
}

/// Where each word of `text` is, as `split_whitespace` cuts them.
fn word_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(at),
            (true, Some(from)) => {
                spans.push(from..at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        spans.push(from..text.len());
    }
    spans
}

/// Greedy word wrap; a word longer than `width` gets a line of its own, uncut.
fn wrap(text: &str, width: usize, out: &mut Vec<String>) {
    let mut line = String::new();
    let mut line_chars = 0usize;
    for word in text.split_whitespace() {
        let word_chars = word.chars().count();
        if line_chars > 0 && line_chars + 1 + word_chars > width {
            out.push(std::mem::take(&mut line));
            line_chars = 0;
        }
        if line_chars > 0 {
            line.push(' ');
            line_chars += 1;
        }
        line.push_str(word);
        line_chars += word_chars;
    }
    if line_chars > 0 {
        out.push(line);
    }
}

fn push_numbered_block(out: &mut String, paragraph: &Paragraph) {
    let anchor = escape_html(&paragraph.anchor);
    let number = paragraph.number;
    out.push_str(&format!(
        r##"<section class="numbered-block" id="{anchor}" data-paragraph="{number}" data-kind="{}"><a class="paragraph-number" href="#{anchor}">{number}</a>"##,
        paragraph.kind.as_str()
    ));
    out.push('\n');
    for (i, line) in paragraph.lines.iter().enumerate() {
        out.push_str(&format!(
            r#"<span class="line" data-line="{}">{}</span>"#,
            paragraph.first_line + i,
            escape_html(line)
        ));
        out.push('\n');
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::test_support::{render_md, resolver};
    use crate::markup::{RenderOptions, render, render_numbered};

    // From ../shared/data/programme/sante.md: aloisdg/VIrepublique2017, CC BY-SA 4.0.
    const SANTE: &str = "### Santé

* **Fusion de toutes les assurances maladies dans un organisme géré par l'état.** Suppression de beaucoup de procédures administratives de santé.
* **Augmentation des remboursements de l'assurance maladie.**
* **Démarches vers la suppression des complémentaires de santé, et que tout le système soit autour de l'assurance maladie.**

Les informations sur le don d’organes en cas de fin de vie sont ajoutées au dossier médical (la carte vitale) d’un citoyen.
";

    #[test]
    fn numbers_paragraphs_and_lines_of_a_french_text() {
        let rendered = render_md(SANTE);
        let paragraphs = &rendered.paragraphs;
        // The heading, each of the three proposals, the closing paragraph: five paragraphs an
        // amendment can cite, as motion tools number them.
        assert_eq!(paragraphs.len(), 5);
        assert_eq!(paragraphs[0].kind, BlockKind::Heading { level: 3 });
        assert_eq!(paragraphs[0].lines, ["Santé"]);
        assert_eq!((paragraphs[0].number, paragraphs[0].first_line), (1, 1));
        let items: Vec<(&str, usize, usize, &[String])> = paragraphs[1..4]
            .iter()
            .map(|p| {
                assert_eq!(p.kind, BlockKind::ListItem);
                (
                    p.anchor.as_str(),
                    p.number,
                    p.first_line,
                    p.lines.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            items,
            [
                (
                    "sante-p1",
                    2,
                    2,
                    &[
                        "- Fusion de toutes les assurances maladies dans un organisme géré par l'état.".to_owned(),
                        "Suppression de beaucoup de procédures administratives de santé.".to_owned(),
                    ][..]
                ),
                (
                    "sante-p2",
                    3,
                    4,
                    &["- Augmentation des remboursements de l'assurance maladie.".to_owned()][..]
                ),
                (
                    "sante-p3",
                    4,
                    5,
                    &[
                        "- Démarches vers la suppression des complémentaires de santé, et que tout le".to_owned(),
                        "système soit autour de l'assurance maladie.".to_owned(),
                    ][..]
                ),
            ]
        );
        assert_eq!(
            paragraphs[4].lines,
            [
                "Les informations sur le don d’organes en cas de fin de vie sont ajoutées au",
                "dossier médical (la carte vitale) d’un citoyen.",
            ]
        );
        assert_eq!((paragraphs[4].number, paragraphs[4].first_line), (5, 7));
        assert_eq!(paragraphs[4].anchor, "sante-p4");
        for line in paragraphs.iter().flat_map(|p| &p.lines) {
            assert!(line.chars().count() <= DEFAULT_LINE_WIDTH, "{line}");
        }
        // The reading view carries the same anchors, on the items.
        for anchor in ["sante-p1", "sante-p2", "sante-p3"] {
            assert!(
                rendered.html.contains(&format!("<li id=\"{anchor}\">")),
                "{}",
                rendered.html
            );
        }
    }

    /// Seven proposals are seven paragraphs, whatever the list: ordered lists keep their
    /// numbers (from their start), empty items get no number, and a member's raw HTML inside an
    /// item does not move the anchors.
    #[test]
    fn each_item_of_a_list_is_a_paragraph() {
        let proposals: String = (1..=7)
            .map(|i| format!("{i}. Proposition {i}.\n"))
            .collect();
        let rendered = render_md(&format!("# Motion\n\n{proposals}"));
        assert_eq!(rendered.paragraphs.len(), 8);
        for (i, p) in rendered.paragraphs[1..].iter().enumerate() {
            assert_eq!(p.number, i + 2);
            assert_eq!(p.lines, [format!("{n}. Proposition {n}.", n = i + 1)]);
            assert_eq!(p.anchor, format!("motion-p{}", i + 1));
        }
        let numbered = render_numbered(
            &format!("# Motion\n\n{proposals}"),
            &RenderOptions::new(&resolver),
        );
        assert_eq!(numbered.matches("data-kind=\"item\"").count(), 7);

        let started = render_md("4. quatre\n5. cinq\n");
        assert_eq!(started.paragraphs[1].lines, ["5. cinq"]);
        assert!(
            started
                .html
                .contains("<ol start=\"4\">\n<li id=\"intro-p1\">quatre</li>"),
            "{}",
            started.html
        );

        let with_empty = render_md("- un\n-\n- trois\n");
        let anchors: Vec<&str> = with_empty
            .paragraphs
            .iter()
            .map(|p| p.anchor.as_str())
            .collect();
        assert_eq!(anchors, ["intro-p1", "intro-p2"]);
        assert!(
            with_empty.html.contains("<li id=\"intro-p2\">trois</li>"),
            "{}",
            with_empty.html
        );

        let raw = render_md("- <ul><li>piège</li></ul>\n- deux\n");
        assert!(
            raw.html.contains("<li id=\"intro-p2\">deux</li>"),
            "{}",
            raw.html
        );
        assert_eq!(raw.html.matches(" id=").count(), 2, "{}", raw.html);
    }

    #[test]
    fn numbered_view_is_escaped_plain_text() {
        let options = RenderOptions {
            resolve_wiki: &resolver,
            line_width: 20,
        };
        let out = render_numbered(
            "# Titre\n\nUn **texte** <b>gras</b> & <script>x</script> assez long.\n",
            &options,
        );
        assert_eq!(
            out,
            concat!(
                r##"<section class="numbered-block" id="titre" data-paragraph="1" data-kind="heading"><a class="paragraph-number" href="#titre">1</a>"##,
                "\n",
                r#"<span class="line" data-line="1">Titre</span>"#,
                "\n</section>\n",
                r##"<section class="numbered-block" id="titre-p1" data-paragraph="2" data-kind="paragraph"><a class="paragraph-number" href="#titre-p1">2</a>"##,
                "\n",
                r#"<span class="line" data-line="2">Un texte gras &amp; x</span>"#,
                "\n",
                r#"<span class="line" data-line="3">assez long.</span>"#,
                "\n</section>\n",
            )
        );
    }

    #[test]
    fn wrapping_counts_characters_and_keeps_long_words_whole() {
        let mut lines = Vec::new();
        wrap("été été été", 7, &mut lines);
        assert_eq!(lines, ["été été", "été"]);
        lines.clear();
        wrap("a anticonstitutionnellement b", 10, &mut lines);
        assert_eq!(lines, ["a", "anticonstitutionnellement", "b"]);
        lines.clear();
        wrap("un deux", 0, &mut lines);
        assert_eq!(lines, ["un", "deux"]);
    }

    #[test]
    fn code_lines_tables_and_breaks_make_their_own_lines() {
        let options = RenderOptions {
            resolve_wiki: &resolver,
            line_width: 10,
        };
        let rendered = render(
            "```\nfn main() {   // une ligne bien trop longue\n\n}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nun  \ndeux\n\n3. trois\n4. quatre\n",
            &options,
        );
        let lines: Vec<&[String]> = rendered
            .paragraphs
            .iter()
            .map(|p| p.lines.as_slice())
            .collect();
        assert_eq!(
            lines[0],
            ["fn main() {   // une ligne bien trop longue", "", "}"]
        );
        assert_eq!(lines[1], ["a | b", "1 | 2"]);
        assert_eq!(lines[2], ["un", "deux"]);
        assert_eq!(lines[3], ["3. trois"]);
        assert_eq!(lines[4], ["4. quatre"]);
        let firsts: Vec<usize> = rendered.paragraphs.iter().map(|p| p.first_line).collect();
        assert_eq!(firsts, [1, 4, 6, 8, 9]);
    }

    #[test]
    fn loose_list_items_keep_their_marker_on_their_text() {
        let rendered = render_md("- un\n\n  suite\n- deux\n  - imbriqué\n");
        assert_eq!(rendered.paragraphs[0].lines, ["- un", "suite"]);
        // A nested list belongs to its item's paragraph.
        assert_eq!(rendered.paragraphs[1].lines, ["- deux", "- imbriqué"]);
        assert_eq!(rendered.paragraphs.len(), 2);
    }

    /// Each paragraph's source, and its lines' sources, sliced out of `markdown` by bytes.
    fn sources(markdown: &str) -> Vec<(&str, Vec<&str>)> {
        render_md(markdown)
            .paragraphs
            .iter()
            .map(|p| {
                let lines = p.line_sources.iter().map(|l| &markdown[l.bytes.clone()]);
                (&markdown[p.source.bytes.clone()], lines.collect())
            })
            .collect()
    }

    #[test]
    fn every_kind_of_paragraph_knows_its_source() {
        let markdown = concat!(
            "# Santé *pour* tous\n\n",
            "Un **texte** `du code` &amp; \\*x.\n\n",
            "\\*Échappé au début.\n\n",
            "- un\n- deux\n  - imbriqué\n\n",
            "4. quatre\n4. cinq\n\n",
            "> cité\n> encore\n\n",
            "```\nfn main() {}\n\n```\n\n",
            "    indenté\n\n",
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
            "Texte[^n].\n\n",
            "<div>\nbrut <b>gras</b>\n</div>\n\n",
            "Titre\n=====\n\n",
            "[^n]: Note.\n",
        );
        assert_eq!(
            sources(markdown),
            [
                ("# Santé *pour* tous", vec!["Santé *pour* tous"]),
                (
                    "Un **texte** `du code` &amp; \\*x.",
                    vec!["Un **texte** `du code` &amp; \\*x."]
                ),
                ("\\*Échappé au début.", vec!["\\*Échappé au début."]),
                ("- un", vec!["- un"]),
                ("- deux\n  - imbriqué", vec!["- deux", "- imbriqué"]),
                ("4. quatre", vec!["4. quatre"]),
                // Shown as `5. cinq`: its list counts from its start.
                ("4. cinq", vec!["4. cinq"]),
                ("> cité\n> encore", vec!["cité\n> encore"]),
                ("```\nfn main() {}\n\n```", vec!["fn main() {}", ""]),
                ("    indenté", vec!["indenté"]),
                ("| a | b |\n|---|---|\n| 1 | 2 |", vec!["a | b", "1 | 2"]),
                ("Texte[^n].", vec!["Texte[^n]."]),
                ("<div>\nbrut <b>gras</b>\n</div>", vec!["brut <b>gras"]),
                ("Titre\n=====", vec!["Titre"]),
                ("[^n]: Note.", vec!["[^n]: Note."]),
            ]
        );
    }

    #[test]
    fn wrapped_lines_cover_their_words_only() {
        let options = RenderOptions {
            resolve_wiki: &resolver,
            line_width: 12,
        };
        let markdown = "- Un *hôpital*\n  public, de  proximité\\\n  et gratuit.\n";
        let rendered = render(markdown, &options);
        let paragraph = &rendered.paragraphs[0];
        assert_eq!(
            paragraph.lines,
            ["- Un hôpital", "public, de", "proximité", "et gratuit."]
        );
        let lines: Vec<&str> = paragraph
            .line_sources
            .iter()
            .map(|l| &markdown[l.bytes.clone()])
            .collect();
        assert_eq!(
            lines,
            ["- Un *hôpital", "public, de", "proximité", "et gratuit."]
        );
        assert_eq!(
            &markdown[paragraph.source.bytes.clone()],
            markdown.trim_end()
        );
    }

    #[test]
    fn ranges_count_utf16_units_through_emoji_accents_and_crlf() {
        let markdown = "😀 é\r\n\r\ne\u{301}té 🇫🇷\r\nsuite\r\n";
        let rendered = render_md(markdown);
        let ranges: Vec<(&SourceRange, &[SourceRange])> = rendered
            .paragraphs
            .iter()
            .map(|p| (&p.source, p.line_sources.as_slice()))
            .collect();
        let range = |bytes: Range<usize>, utf16: Range<usize>| SourceRange { bytes, utf16 };
        // 😀 is 4 bytes and 2 units, é 2 bytes and 1 unit, the combining accent 2 and 1, each
        // flag letter 4 and 2; CR and LF 1 and 1.
        assert_eq!(
            ranges,
            [
                (&range(0..7, 0..4), &[range(0..7, 0..4)][..]),
                (&range(11..33, 8..24), &[range(11..33, 8..24)][..]),
            ]
        );
        assert_eq!(rendered.paragraphs[1].lines, ["e\u{301}té 🇫🇷 suite"]);
        let narrow = render(
            markdown,
            &RenderOptions {
                resolve_wiki: &resolver,
                line_width: 5,
            },
        );
        let lines: Vec<&str> = narrow.paragraphs[1]
            .line_sources
            .iter()
            .map(|l| &markdown[l.bytes.clone()])
            .collect();
        assert_eq!(lines, ["e\u{301}té", "🇫🇷", "suite"]);
        assert_eq!(narrow.paragraphs[1].line_sources[2].utf16, 19..24);
    }

    #[test]
    fn a_nul_is_one_byte_of_the_source_though_read_as_u_fffd() {
        let markdown = "a\0b\n\n\0c\n";
        let rendered = render_md(markdown);
        assert_eq!(rendered.paragraphs[0].lines, ["a\u{FFFD}b"]);
        let sources: Vec<(Range<usize>, Range<usize>)> = rendered
            .paragraphs
            .iter()
            .map(|p| (p.source.bytes.clone(), p.source.utf16.clone()))
            .collect();
        assert_eq!(sources, [(0..3, 0..3), (5..7, 5..7)]);
    }

    /// What amendments need: the paragraph's source, replaced by another paragraph of the same
    /// kind, changes that paragraph and no other; removed, removes it.
    #[test]
    fn replacing_a_paragraph_s_source_changes_that_paragraph_only() {
        let before = render_md(SANTE);
        for (i, paragraph) in before.paragraphs.iter().enumerate() {
            let range = paragraph.source.bytes.clone();
            let (replacement, shown) = match paragraph.kind {
                BlockKind::Heading { .. } => ("### Remplacé", "Remplacé"),
                BlockKind::ListItem => ("* Remplacé.", "- Remplacé."),
                _ => ("Remplacé.", "Remplacé."),
            };
            for (new, expected) in [(replacement, Some(shown)), ("", None)] {
                let amended = format!("{}{new}{}", &SANTE[..range.start], &SANTE[range.end..]);
                let lines: Vec<Vec<String>> = render_md(&amended)
                    .paragraphs
                    .into_iter()
                    .map(|p| p.lines)
                    .collect();
                let mut wanted: Vec<Vec<String>> =
                    before.paragraphs.iter().map(|p| p.lines.clone()).collect();
                match expected {
                    Some(shown) => wanted[i] = vec![shown.to_owned()],
                    None => {
                        wanted.remove(i);
                    }
                }
                assert_eq!(lines, wanted, "paragraph {} replaced by {new:?}", i + 1);
            }
        }
    }
}
