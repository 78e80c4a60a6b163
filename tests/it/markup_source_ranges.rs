//! Every rendered paragraph and numbered line knows its passage of the Markdown, in bytes and in
//! UTF-16 code units (see "Source ranges" in `src/markup/numbering.rs`). Held here on every
//! alinéa of eleven French bills, alone and gathered into long texts (with LF and with CRLF line
//! ends), on every example of the CommonMark spec, and on random Markdown: slicing the source at
//! a paragraph's or a line's range, by bytes or by UTF-16 units, gives back that paragraph's or
//! line's source.

use std::io::Read;
use std::path::{Path, PathBuf};

use atelier::markup::{
    self, BlockKind, Paragraph, RenderOptions, Rendered, SourceRange, WikiResolution, WikiTarget,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The distinct alinéas of `alineas-fr.jsonl`, in order (`tests/fixtures/README.md`).
fn alineas() -> Vec<String> {
    let file = std::fs::File::open(fixture("alineas-fr-texts.txt.gz")).expect("the fixture");
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gzipped UTF-8");
    text.lines().map(str::to_owned).collect()
}

fn render(markdown: &str) -> Rendered {
    let resolve = |target: &WikiTarget| WikiResolution::Existing {
        href: format!("/wiki/{}", markup::slugify(&target.title)),
    };
    markup::render(markdown, &RenderOptions::new(&resolve))
}

/// The source at a range, by its bytes; and the same, found through UTF-16 only (the text
/// encoded, the units sliced, decoded): both or a sentence saying what is wrong.
fn slice<'m>(markdown: &'m str, units: &[u16], range: &SourceRange) -> Result<&'m str, String> {
    let by_bytes = markdown
        .get(range.bytes.clone())
        .ok_or_else(|| format!("{:?} is not between characters", range.bytes))?;
    let by_units = units
        .get(range.utf16.clone())
        .and_then(|units| String::from_utf16(units).ok())
        .ok_or_else(|| format!("{:?} is not between UTF-16 characters", range.utf16))?;
    if by_units != by_bytes {
        return Err(format!(
            "{range:?}: {by_bytes:?} by bytes, {by_units:?} by UTF-16"
        ));
    }
    Ok(by_bytes)
}

/// Whether every letter and digit of a numbered line is in its source, in order. A list
/// item's number is left out (the view counts from the list's start, whatever was typed).
fn letters_in(line: &str, source: &str) -> bool {
    // An empty item's line is its number alone.
    let line = match line
        .split_once(". ")
        .or(line.strip_suffix('.').map(|n| (n, "")))
    {
        Some((number, rest)) if number.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => line,
    };
    let mut source = source.chars();
    line.chars()
        .filter(|c| c.is_alphanumeric())
        .all(|c| source.any(|s| s == c))
}

/// The invariants of every rendering's ranges: each range slices the source, by bytes as by
/// UTF-16 units, the same; paragraphs in order without overlapping, lines likewise within their
/// paragraph, one range per line; and each line's letters are in its source, where the text has
/// none that it writes otherwise (entities, footnote numbers).
fn check_ranges(markdown: &str, rendered: &Rendered) -> Vec<String> {
    let units: Vec<u16> = markdown.encode_utf16().collect();
    let letters_written_as_is = !markdown.contains('&') && !markdown.contains("[^");
    let mut problems = Vec::new();
    let mut after = 0;
    for paragraph in &rendered.paragraphs {
        let number = paragraph.number;
        let bytes = &paragraph.source.bytes;
        if let Err(problem) = slice(markdown, &units, &paragraph.source) {
            problems.push(format!("paragraph {number}: {problem}"));
            continue;
        }
        if bytes.start < after {
            problems.push(format!(
                "paragraph {number} {bytes:?} starts before {after}"
            ));
        }
        after = bytes.end;
        if paragraph.line_sources.len() != paragraph.lines.len() {
            problems.push(format!("paragraph {number}: not one range per line"));
        }
        let mut line_after = bytes.start;
        for (line, source) in paragraph.lines.iter().zip(&paragraph.line_sources) {
            let written = match slice(markdown, &units, source) {
                Ok(written) => written,
                Err(problem) => {
                    problems.push(format!("paragraph {number}, {line:?}: {problem}"));
                    continue;
                }
            };
            if source.bytes.start < line_after || source.bytes.end > bytes.end {
                problems.push(format!(
                    "paragraph {number} {bytes:?}, {line:?} {:?} after {line_after}",
                    source.bytes
                ));
            }
            line_after = source.bytes.end;
            if letters_written_as_is && !letters_in(line, written) {
                problems.push(format!(
                    "paragraph {number}: {line:?} is not in its source {written:?}"
                ));
            }
        }
    }
    problems
}

/// The same paragraph, rendered from its source alone (its number and anchor apart; a list
/// item's first number is the one written).
fn renders_alone_as(paragraph: &Paragraph, source: &str) -> bool {
    let alone = render(source);
    let [only] = alone.paragraphs.as_slice() else {
        return false;
    };
    let without_number = |lines: &[String]| -> Vec<String> {
        let mut lines = lines.to_vec();
        if paragraph.kind == BlockKind::ListItem
            && let Some(first) = lines.first_mut()
            && let Some((number, rest)) = first.split_once(". ")
            && number.bytes().all(|b| b.is_ascii_digit())
        {
            *first = rest.to_owned();
        }
        lines
    };
    only.kind == paragraph.kind && without_number(&only.lines) == without_number(&paragraph.lines)
}

fn assert_no_problems(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{} problems, the first ones:\n{}",
        problems.len(),
        problems
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Markdown's own characters: an alinéa without them (and not opening with a list marker) is
/// plain prose, its lines its words.
fn is_plain_prose(text: &str) -> bool {
    let text = text.trim_start();
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let ordered_marker = digits > 0
        && text[digits..].starts_with(['.', ')'])
        && text[digits + 1..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
    !text.contains([
        '\\', '`', '*', '_', '[', ']', '<', '>', '&', '!', '#', '|', '~',
    ]) && !text.starts_with(['-', '+', '='])
        && !ordered_marker
}

#[test]
fn every_alinea_is_its_own_paragraph_and_lines_slice_back() {
    let alineas = alineas();
    assert_eq!(alineas.len(), 6_715);
    let mut problems = Vec::new();
    let mut plain = 0;
    for alinea in &alineas {
        let rendered = render(alinea);
        problems.extend(
            check_ranges(alinea, &rendered)
                .into_iter()
                .map(|p| format!("{alinea:?}: {p}")),
        );
        let expected = alinea.trim();
        let sources: Vec<&str> = rendered
            .paragraphs
            .iter()
            .map(|p| &alinea[p.source.bytes.clone()])
            .collect();
        if !expected.is_empty() && sources != [expected] {
            problems.push(format!("{alinea:?} gave the paragraphs {sources:?}"));
        }
        if is_plain_prose(alinea) {
            plain += 1;
            for paragraph in &rendered.paragraphs {
                for (line, source) in paragraph.lines.iter().zip(&paragraph.line_sources) {
                    let written = alinea[source.bytes.clone()].split_whitespace();
                    if !written.eq(line.split(' ')) {
                        problems.push(format!("{line:?} is not its source in {alinea:?}"));
                    }
                }
            }
        }
    }
    eprintln!(
        "{} alinéas, {plain} of plain prose checked line by line",
        alineas.len()
    );
    assert_no_problems(&problems);
    assert!(plain > 6_500, "{plain} plain alinéas");
}

#[test]
fn alineas_gathered_into_texts_keep_their_paragraphs_in_place() {
    let alineas = alineas();
    let mut problems = Vec::new();
    let mut texts = 0;
    for chunk in alineas.chunks(40) {
        let expected: Vec<&str> = chunk
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .collect();
        for line_end in ["\n", "\r\n"] {
            let markdown = chunk.join(line_end.repeat(2).as_str());
            let rendered = render(&markdown);
            texts += 1;
            problems.extend(check_ranges(&markdown, &rendered));
            let sources: Vec<&str> = rendered
                .paragraphs
                .iter()
                .map(|p| &markdown[p.source.bytes.clone()])
                .collect();
            if sources != expected {
                let first_difference = sources
                    .iter()
                    .zip(&expected)
                    .position(|(a, b)| a != b)
                    .unwrap_or(sources.len().min(expected.len()));
                problems.push(format!(
                    "{} paragraphs for {} alinéas; first difference at {first_difference}: {:?}",
                    sources.len(),
                    expected.len(),
                    sources.get(first_difference)
                ));
            }
        }
    }
    assert_no_problems(&problems);
    assert!(texts > 300, "{texts} texts");
}

#[test]
fn commonmark_examples_slice_back_to_their_paragraphs() {
    let examples = crate::commonmark::examples();
    assert_eq!(examples.len(), 652);
    let mut problems = Vec::new();
    let mut rendered_alone = 0;
    for example in &examples {
        let (number, markdown) = (example.number, &example.markdown);
        let rendered = render(markdown);
        let found = check_ranges(markdown, &rendered);
        problems.extend(found.into_iter().map(|p| format!("#{number}: {p}")));
        // Definitions elsewhere in the text (links, footnotes) are not in a paragraph's
        // source: the paragraph alone reads them as text.
        if markdown.contains("]:") {
            continue;
        }
        for paragraph in &rendered.paragraphs {
            let source = &markdown[paragraph.source.bytes.clone()];
            if renders_alone_as(paragraph, source) {
                rendered_alone += 1;
            } else {
                problems.push(format!(
                    "#{number}: {source:?} alone is not paragraph {} {:?}",
                    paragraph.number, paragraph.lines
                ));
            }
        }
    }
    eprintln!("CommonMark: {rendered_alone} paragraphs render alone as themselves");
    assert_no_problems(&problems);
    assert!(
        rendered_alone > 500,
        "{rendered_alone} paragraphs rendered alone"
    );
}

/// Markdown's pieces, for random texts: markers and delimiters of every block and inline kind,
/// line ends of both kinds, entities and escapes, and characters of one to four UTF-8 bytes
/// and one or two UTF-16 units (combining accents, emoji, a flag, NUL).
const PIECES: &[&str] = &[
    "\n",
    "\r\n",
    "\n\n",
    " ",
    "  ",
    "\t",
    "- ",
    "* ",
    "1. ",
    "4) ",
    "# ",
    "## ",
    "> ",
    "    ",
    "```\n",
    "~~~",
    "| ",
    " |",
    "|---|",
    "**",
    "*",
    "_",
    "`",
    "\\",
    "&amp;",
    "&#x1F600;",
    "[",
    "]",
    "(",
    ")",
    "[^n]",
    "[^n]: ",
    "[[Page]]",
    "[[a|b]]",
    "<b>",
    "</b>",
    "<div>",
    "</div>",
    "<!-- -->",
    "---",
    "===",
    "mot",
    "Santé",
    "e\u{301}",
    "😀",
    "🇫🇷",
    "中文",
    "\u{0}",
    "\u{a0}",
    "x",
    "12",
    "https://exemple.fr",
];

#[test]
fn random_markdown_slices_back() {
    bolero::check!()
        .with_iterations(2_000)
        .with_max_len(400)
        .for_each(|input| {
            let markdown: String = input
                .iter()
                .map(|b| PIECES[usize::from(*b) % PIECES.len()])
                .collect();
            let rendered = render(&markdown);
            assert_no_problems(&check_ranges(&markdown, &rendered));
        });
}

/// Found by `random_markdown_slices_back` (seed 117597984338827962829831256383338715016): a
/// code span across two lines shows the line break as a space, which a greedy alignment
/// matched to a later space of the source, pulling the rest of the span out of line until its
/// last wrapped line was left with an empty range.
#[test]
fn a_code_span_across_lines_keeps_its_wrapped_lines_in_their_source() {
    let markdown = "- | - - - ```\n|---|- - - 1. |---|[[Page]][[Page]][[Page]]## https://exemple.fr[[a|b]]```\n";
    let rendered = render(markdown);
    assert_no_problems(&check_ranges(markdown, &rendered));
    let lines: Vec<&str> = rendered
        .paragraphs
        .iter()
        .flat_map(|p| &p.line_sources)
        .map(|range| &markdown[range.bytes.clone()])
        .collect();
    assert!(lines.iter().all(|line| !line.is_empty()), "{lines:?}");
    assert!(
        lines
            .last()
            .is_some_and(|last| last.contains("https://exemple.fr")),
        "{lines:?}"
    );
}

#[test]
fn the_checks_see_what_they_look_for() {
    let markdown = "Un 😀 deux.\n\nTrois.\n";
    let good = render(markdown);
    assert_no_problems(&check_ranges(markdown, &good));
    let mut shifted = good.clone();
    // Inside the emoji's surrogate pair.
    shifted.paragraphs[0].source.utf16 = 0..4;
    let mut overlapping = good.clone();
    let second = &good.paragraphs[1].source;
    overlapping.paragraphs[1].source = SourceRange {
        bytes: 2..second.bytes.end,
        utf16: 2..second.utf16.end,
    };
    let mut elsewhere = good.clone();
    elsewhere.paragraphs[1].line_sources[0] = good.paragraphs[0].line_sources[0].clone();
    for (bad, problem) in [
        (shifted, "UTF-16"),
        (overlapping, "starts before"),
        (elsewhere, "is not in its source"),
    ] {
        let problems = check_ranges(markdown, &bad);
        assert!(
            problems.iter().any(|p| p.contains(problem)),
            "{problem}: {problems:?}"
        );
    }
    assert!(!renders_alone_as(&good.paragraphs[0], "Autre chose."));
    assert!(renders_alone_as(&good.paragraphs[0], "Un 😀 deux."));
}
