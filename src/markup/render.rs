//! Rendering: one walk over the top-level blocks of one parse gives the reading view's HTML
//! (anchored, then sanitised), the table of contents and the numbered paragraphs, so that the
//! numbers in the citing view always match the anchors in the reading view.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use super::anchors::{Anchors, IdAllocator, attach_anchor, heading_text, set_heading_id};
use super::block::BlockKind;
use super::depth::{
    MAX_HTML_DEPTH, MAX_RAW_HTML_TAGS, NestingCap, html_depth_exceeds, raw_html_tags,
};
use super::footnotes::Footnotes;
use super::numbering::{DEFAULT_LINE_WIDTH, Paragraph, numbered_html, wrap_lines};
use super::parse::reading_options;
use super::plain::plain_lines;
use super::sanitize::{escape_html, sanitize, sanitize_keeping_ids};
use super::source_map::{SourceMap, ceil_char_boundary, floor_char_boundary};
use super::wikilinks::{self, WikiResolution, WikiTarget};

pub struct RenderOptions<'a> {
    pub resolve_wiki: &'a dyn Fn(&WikiTarget) -> WikiResolution,
    /// The wrapping width of the numbered view, in characters.
    pub line_width: usize,
}

impl<'a> RenderOptions<'a> {
    pub fn new(resolve_wiki: &'a dyn Fn(&WikiTarget) -> WikiResolution) -> Self {
        Self {
            resolve_wiki,
            line_width: DEFAULT_LINE_WIDTH,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML of the reading view.
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub paragraphs: Vec<Paragraph>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub text: String,
    pub anchor: String,
}

/// The reading view: sanitised HTML with anchors, the table of contents and the paragraphs.
pub fn render(markdown: &str, opts: &RenderOptions) -> Rendered {
    let analysis = analyse(markdown, opts);
    Rendered {
        html: sanitize_keeping_ids(&analysis.html, analysis.ids),
        toc: analysis.toc,
        paragraphs: analysis.paragraphs,
    }
}

/// The citing view: every paragraph with its number, every line with its global number, as
/// escaped plain text.
pub fn render_numbered(markdown: &str, opts: &RenderOptions) -> String {
    numbered_html(&analyse(markdown, opts).paragraphs)
}

/// Plain CommonMark (no extension), sanitised, without anchors: what the CommonMark
/// conformance test measures.
pub fn render_commonmark_plain(markdown: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, Options::empty()));
    sanitize(&html)
}

struct Analysis {
    /// Unsanitised.
    html: String,
    /// Every id generated, the only ones the sanitiser keeps.
    ids: HashSet<String>,
    toc: Vec<TocEntry>,
    paragraphs: Vec<Paragraph>,
}

/// The events of a parse with each one's range in the parsed Markdown, side by side.
struct Events<'e> {
    events: Vec<Event<'e>>,
    ranges: Vec<Range<usize>>,
}

fn analyse(markdown: &str, opts: &RenderOptions) -> Analysis {
    let map = SourceMap::new(markdown);
    let (events, ranges) = Parser::new_ext(map.parsed(), reading_options())
        .into_offset_iter()
        .unzip();
    let parse = Events { events, ranges };
    if raw_html_tags(&parse.events) <= MAX_RAW_HTML_TAGS {
        let analysis = analyse_events(&parse, &map, opts, RawHtml::Interpret);
        if !html_depth_exceeds(&analysis.html, MAX_HTML_DEPTH) {
            return analysis;
        }
    }
    analyse_events(&parse, &map, opts, RawHtml::Escape)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawHtml {
    Interpret,
    /// Shown as text (see `MAX_RAW_HTML_TAGS`).
    Escape,
}

fn analyse_events(
    parse: &Events,
    map: &SourceMap,
    opts: &RenderOptions,
    raw_html: RawHtml,
) -> Analysis {
    let mut ids = IdAllocator::default();
    let footnotes = Footnotes::collect(&parse.events, &mut ids);
    let mut builder = DocBuilder::new(opts, map, footnotes, ids, raw_html);
    for block in top_level_blocks(&parse.events) {
        if let (Some(events), Some(ranges)) =
            (parse.events.get(block.clone()), parse.ranges.get(block))
        {
            builder.add_block(events, ranges);
        }
    }
    builder.finish()
}

/// The event ranges of the top-level blocks, each from its `Start` to its matching `End`.
fn top_level_blocks(events: &[Event]) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(_) => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    blocks.push(start..i + 1);
                }
            }
            _ if depth == 0 => blocks.push(i..i + 1),
            _ => {}
        }
    }
    if depth > 0 {
        blocks.push(start..events.len());
    }
    blocks
}

/// A block's source (see "Source ranges" in `numbering.rs`): from the start of its first line,
/// whose indentation is syntax too (an indented code block's; what decides where a list item's
/// later lines belong), to its last character; a code block, whose trailing spaces are code,
/// loses only its last line break.
fn block_source(parsed: &str, range: Range<usize>, kind: BlockKind) -> Range<usize> {
    let start = floor_char_boundary(parsed, range.start);
    let end = ceil_char_boundary(parsed, range.end.max(start));
    let written = parsed.get(start..end).unwrap_or_default();
    let first_line = written.trim_start_matches(['\n', '\r']);
    let start = start + (written.len() - first_line.len());
    let before = parsed.get(..start).unwrap_or_default();
    let indented = before.trim_end_matches([' ', '\t']);
    let line_start = if indented.is_empty() || indented.ends_with(['\n', '\r']) {
        indented.len()
    } else {
        start
    };
    let kept = if kind == BlockKind::CodeBlock {
        first_line.trim_end_matches(['\n', '\r'])
    } else {
        first_line.trim_end_matches([' ', '\t', '\n', '\r'])
    };
    line_start..start + kept.len()
}

struct DocBuilder<'o, 'r, 'm> {
    opts: &'o RenderOptions<'r>,
    map: &'m SourceMap<'m>,
    footnotes: Footnotes,
    anchors: Anchors,
    raw_html: RawHtml,
    lines_so_far: usize,
    /// Where the last paragraph ends in the parsed Markdown: the next one starts after it.
    source_so_far: usize,
    html: String,
    toc: Vec<TocEntry>,
    paragraphs: Vec<Paragraph>,
}

impl<'o, 'r, 'm> DocBuilder<'o, 'r, 'm> {
    fn new(
        opts: &'o RenderOptions<'r>,
        map: &'m SourceMap<'m>,
        footnotes: Footnotes,
        ids: IdAllocator,
        raw_html: RawHtml,
    ) -> Self {
        Self {
            opts,
            map,
            footnotes,
            anchors: Anchors::new(ids),
            raw_html,
            lines_so_far: 0,
            source_so_far: 0,
            html: String::new(),
            toc: Vec::new(),
            paragraphs: Vec::new(),
        }
    }

    fn add_block(&mut self, events: &[Event], ranges: &[Range<usize>]) {
        let kind = block_kind(events);
        if kind == BlockKind::List {
            return self.add_list(events, ranges);
        }
        let lines = self.lines_of(events, ranges);
        let anchor = self.anchor_for(kind, events, !lines.is_empty());
        if let Some(anchor) = &anchor {
            self.add_toc_entry(kind, events, anchor);
            if !lines.is_empty() {
                let block = ranges.first().cloned().unwrap_or_default();
                self.add_paragraph(kind, anchor, lines, block);
            }
        }
        let html = self.block_html(kind, events, anchor.as_deref());
        self.html.push_str(&html);
    }

    fn lines_of(&self, events: &[Event], ranges: &[Range<usize>]) -> Vec<(String, Range<usize>)> {
        let plain = plain_lines(events, ranges, &self.footnotes, self.map.parsed());
        wrap_lines(plain, self.opts.line_width)
    }

    /// A top-level list: each item is a paragraph, numbered and anchored (on its `<li>`) on its
    /// own, as motion tools number a motion's proposals, so that an amendment cites « paragraph 5 »
    /// rather than « the fourth item of paragraph 2 ». Lists nested in an item stay in it.
    fn add_list(&mut self, events: &[Event], ranges: &[Range<usize>]) {
        let start = match events.first() {
            Some(Event::Start(Tag::List(start))) => *start,
            _ => None,
        };
        let inner_end = match events.last() {
            Some(Event::End(TagEnd::List(_))) if events.len() >= 2 => events.len() - 1,
            _ => events.len(),
        };
        let inner = events.get(1..inner_end).unwrap_or_default();
        let inner_ranges = ranges.get(1..inner_end).unwrap_or_default();
        let mut anchors = Vec::new();
        for (position, block) in top_level_blocks(inner).into_iter().enumerate() {
            let (Some(item), Some(item_ranges)) =
                (inner.get(block.clone()), inner_ranges.get(block))
            else {
                continue;
            };
            // The item inside a list of its own, starting at its number, so that its line
            // keeps its marker (`- `, `4. `).
            let number = start.map(|s| s.saturating_add(position as u64));
            let item_range = item_ranges.first().cloned().unwrap_or_default();
            let mut alone = Vec::with_capacity(item.len() + 2);
            alone.push(Event::Start(Tag::List(number)));
            alone.extend(item.iter().cloned());
            alone.push(Event::End(TagEnd::List(start.is_some())));
            let mut alone_ranges = Vec::with_capacity(alone.len());
            alone_ranges.push(item_range.clone());
            alone_ranges.extend(item_ranges.iter().cloned());
            alone_ranges.push(item_range.clone());
            let lines = self.lines_of(&alone, &alone_ranges);
            // An empty item (`-` alone) has its marker as its only line: no text, no number.
            let has_text = item.iter().any(|e| match e {
                Event::Text(t) | Event::Code(t) => !t.trim().is_empty(),
                Event::Html(_)
                | Event::InlineHtml(_)
                | Event::InlineMath(_)
                | Event::DisplayMath(_)
                | Event::FootnoteReference(_)
                | Event::TaskListMarker(_) => true,
                _ => false,
            });
            let anchor = self.anchor_for(BlockKind::ListItem, item, has_text && !lines.is_empty());
            if let Some(anchor) = &anchor {
                self.add_paragraph(BlockKind::ListItem, anchor, lines, item_range);
            }
            anchors.push(anchor);
        }
        // Each anchored item opens with its id: the writer's `<li>` replaced by our own, found
        // among the events (not in the HTML, where a member's raw HTML could imitate it).
        let mut anchors = anchors.into_iter();
        let mut depth = 0usize;
        let events: Vec<Event> = self
            .rewritten(events)
            .into_iter()
            .map(|event| {
                match &event {
                    Event::Start(Tag::List(_)) => depth += 1,
                    Event::End(TagEnd::List(_)) => depth = depth.saturating_sub(1),
                    Event::Start(Tag::Item) if depth == 1 => {
                        if let Some(Some(anchor)) = anchors.next() {
                            let open = format!("<li id=\"{}\">", escape_html(&anchor));
                            return Event::Html(open.into());
                        }
                    }
                    _ => {}
                }
                event
            })
            .collect();
        pulldown_cmark::html::push_html(&mut self.html, events.into_iter());
    }

    fn anchor_for(&mut self, kind: BlockKind, events: &[Event], has_text: bool) -> Option<String> {
        match (kind, events.first()) {
            (BlockKind::FootnoteDefinition, Some(Event::Start(Tag::FootnoteDefinition(label)))) => {
                self.footnotes.get(label).map(|note| note.id.clone())
            }
            (BlockKind::Heading { .. }, _) => self.anchors.heading(&heading_text(events)),
            _ if has_text => Some(self.anchors.block()),
            _ => None,
        }
    }

    fn add_toc_entry(&mut self, kind: BlockKind, events: &[Event], anchor: &str) {
        if let BlockKind::Heading { level } = kind
            && level <= 3
        {
            self.toc.push(TocEntry {
                level,
                text: heading_text(events),
                anchor: anchor.to_owned(),
            });
        }
    }

    /// Numbers a paragraph and places it and its lines in the source: in order, each line
    /// within its paragraph, nothing overlapping (see "Source ranges" in `numbering.rs`).
    fn add_paragraph(
        &mut self,
        kind: BlockKind,
        anchor: &str,
        lines: Vec<(String, Range<usize>)>,
        block: Range<usize>,
    ) {
        let block = block_source(self.map.parsed(), block, kind);
        let start = block.start.max(self.source_so_far);
        let end = block.end.max(start);
        self.source_so_far = end;
        let first_line = self.lines_so_far + 1;
        self.lines_so_far += lines.len();
        let mut at = start;
        let mut line_sources = Vec::with_capacity(lines.len());
        let mut texts = Vec::with_capacity(lines.len());
        for (text, source) in lines {
            let line_start = source.start.clamp(at, end);
            let line_end = source.end.clamp(line_start, end);
            at = line_end;
            line_sources.push(self.map.range(line_start..line_end));
            texts.push(text);
        }
        self.paragraphs.push(Paragraph {
            number: self.paragraphs.len() + 1,
            anchor: anchor.to_owned(),
            kind,
            lines: texts,
            first_line,
            source: self.map.range(start..end),
            line_sources,
        });
    }

    /// A block's events as the writer gets them: nesting capped, raw HTML escaped if asked,
    /// wiki links and footnotes rewritten.
    fn rewritten<'e>(&mut self, events: &[Event<'e>]) -> Vec<Event<'e>> {
        let mut nesting = NestingCap::default();
        let mut rewritten = Vec::with_capacity(events.len());
        for event in events.iter().cloned() {
            if let Some(event) = nesting.filter(event) {
                let event = self.escape_raw_html_if_asked(event);
                rewritten.push(self.rewrite(event));
            }
        }
        rewritten
    }

    fn block_html(&mut self, kind: BlockKind, events: &[Event], anchor: Option<&str>) -> String {
        let mut rewritten = self.rewritten(events);
        let mut html = String::new();
        match (kind, anchor) {
            (BlockKind::Heading { .. }, Some(anchor)) => {
                set_heading_id(&mut rewritten, anchor);
                pulldown_cmark::html::push_html(&mut html, rewritten.into_iter());
            }
            (BlockKind::FootnoteDefinition, _) | (_, None) => {
                pulldown_cmark::html::push_html(&mut html, rewritten.into_iter());
            }
            (_, Some(anchor)) => {
                pulldown_cmark::html::push_html(&mut html, rewritten.into_iter());
                html = attach_anchor(html, kind, anchor);
            }
        }
        html
    }

    fn escape_raw_html_if_asked<'a>(&self, event: Event<'a>) -> Event<'a> {
        match (self.raw_html, event) {
            (RawHtml::Escape, Event::Html(html) | Event::InlineHtml(html)) => Event::Text(html),
            (_, event) => event,
        }
    }

    /// Turns the events pulldown-cmark's HTML writer can't render our way into raw HTML.
    fn rewrite<'a>(&mut self, event: Event<'a>) -> Event<'a> {
        match event {
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { .. },
                dest_url,
                ..
            }) => Event::InlineHtml(wikilinks::link_open(self.opts.resolve_wiki, &dest_url).into()),
            Event::Start(Tag::Image {
                link_type: LinkType::WikiLink { .. },
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type: LinkType::Inline,
                dest_url: wikilinks::href(self.opts.resolve_wiki, &dest_url).into(),
                title,
                id,
            }),
            Event::FootnoteReference(label) => {
                Event::InlineHtml(self.footnotes.reference_html(&label).into())
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                Event::Html(self.footnotes.definition_open_html(&label).into())
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                Event::Html(self.footnotes.definition_close_html().into())
            }
            other => other,
        }
    }

    fn finish(self) -> Analysis {
        Analysis {
            html: self.html,
            ids: self.anchors.ids.used,
            toc: self.toc,
            paragraphs: self.paragraphs,
        }
    }
}

fn block_kind(events: &[Event]) -> BlockKind {
    match events.first() {
        Some(Event::Start(tag)) => match tag {
            Tag::Heading { level, .. } => BlockKind::Heading {
                level: *level as u8,
            },
            Tag::Paragraph => BlockKind::Paragraph,
            Tag::List(_) => BlockKind::List,
            Tag::BlockQuote(_) => BlockKind::BlockQuote,
            Tag::CodeBlock(_) => BlockKind::CodeBlock,
            Tag::Table(_) => BlockKind::Table,
            Tag::HtmlBlock => BlockKind::Html,
            Tag::FootnoteDefinition(_) => BlockKind::FootnoteDefinition,
            _ => BlockKind::Other,
        },
        _ => BlockKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::test_support::{html, render_md, resolver};
    use crate::markup::wiki_links;

    #[test]
    fn tables_and_strikethrough_render() {
        let out = html("| Mesure | Coût |\n|:---|---:|\n| ~~Ancienne~~ Nouvelle | 10 € |\n");
        assert!(
            out.contains(r#"<th style="text-align:left">Mesure</th>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<td style="text-align:right">10 €</td>"#),
            "{out}"
        );
        assert!(out.contains("<del>Ancienne</del> Nouvelle"), "{out}");
    }

    #[test]
    fn commonmark_plain_has_no_anchors() {
        let out = render_commonmark_plain("# Titre\n\nTexte.\n");
        assert_eq!(out, "<h1>Titre</h1>\n<p>Texte.</p>\n");
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let deep_list = "- ".repeat(2_000) + "x";
        let deep_quote = "> ".repeat(2_000) + "x";
        let brackets = "[[".repeat(5_000) + &"]]".repeat(5_000);
        let same_headings = "# Même\n\n".repeat(2_000);
        for markdown in [
            "",
            "\n\n\n",
            "#",
            "[^]: x",
            "[^a]\n\n[^A]: insensible à la casse",
            "[[]]",
            "[[|]]",
            "[[a|]]",
            "![[image]]",
            "<",
            "</div>",
            "<div>",
            "\u{0}\u{feff}",
            deep_list.as_str(),
            deep_quote.as_str(),
            brackets.as_str(),
            same_headings.as_str(),
        ] {
            let rendered = render_md(markdown);
            let _ = render_numbered(markdown, &RenderOptions::new(&resolver));
            let _ = wiki_links(markdown);
            let anchors: HashSet<&str> = rendered
                .paragraphs
                .iter()
                .map(|p| p.anchor.as_str())
                .collect();
            assert_eq!(
                anchors.len(),
                rendered.paragraphs.len(),
                "duplicate anchors for {markdown:?}"
            );
        }
    }
}
