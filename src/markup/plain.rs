//! A block's plain text for the numbered view: inline markup removed, one line per list item,
//! table row, hard break or code line (see "Numbering" in `numbering.rs`), each line tracing its
//! characters back to the Markdown.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::footnotes::Footnotes;
use super::trace::Traced;

pub(super) enum Line {
    /// Wrapped at the line width.
    Prose(Traced),
    /// Kept as is, with its source: a line of a code block.
    Verbatim(String, Range<usize>),
}

/// The plain lines of a block's events, `ranges` being each event's range in `source` (the
/// parsed Markdown).
pub(super) fn plain_lines(
    events: &[Event],
    ranges: &[Range<usize>],
    footnotes: &Footnotes,
    source: &str,
) -> Vec<Line> {
    let mut text = PlainText::new(footnotes, source);
    for (event, range) in events.iter().zip(ranges) {
        text.event(event, range.clone());
    }
    text.finish()
}

struct PlainText<'f> {
    footnotes: &'f Footnotes,
    source: &'f str,
    lines: Vec<Line>,
    current: Traced,
    /// Length of the marker (`- `, `3. `, `[1] `) that opens `current`; a line holding only
    /// its marker is not ended by the paragraph that follows the marker.
    marker_len: usize,
    /// The next number of each open list, `None` for bullet lists.
    lists: Vec<Option<u64>>,
    cells_in_row: usize,
    code: Option<Traced>,
    raw_html: Option<Traced>,
}

impl<'f> PlainText<'f> {
    fn new(footnotes: &'f Footnotes, source: &'f str) -> Self {
        Self {
            footnotes,
            source,
            lines: Vec::new(),
            current: Traced::default(),
            marker_len: 0,
            lists: Vec::new(),
            cells_in_row: 0,
            code: None,
            raw_html: None,
        }
    }

    fn event(&mut self, event: &Event, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(*tag),
            Event::Text(t) => self.text(t, range),
            Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.current.push(t, range, self.source)
            }
            Event::Html(t) => {
                if let Some(raw) = &mut self.raw_html {
                    raw.push(t, range, self.source);
                }
            }
            Event::SoftBreak => self.current.push(" ", range, self.source),
            Event::HardBreak | Event::Rule => self.end_line(),
            Event::FootnoteReference(label) => {
                let marker = self.footnotes.marker(label);
                self.current.push(&marker, range, self.source)
            }
            Event::TaskListMarker(done) => {
                let marker = if *done { "[x] " } else { "[ ] " };
                self.current.push(marker, range, self.source)
            }
            Event::InlineHtml(_) => {}
        }
    }

    fn start(&mut self, tag: &Tag, range: Range<usize>) {
        match tag {
            Tag::List(start) => {
                self.end_line();
                self.lists.push(*start);
            }
            Tag::Item => {
                self.end_line();
                let marker = self.next_item_marker();
                let written = list_marker_source(self.source, range.start);
                self.start_with_marker(&marker, written);
            }
            Tag::FootnoteDefinition(label) => {
                self.end_line();
                let marker = format!("{} ", self.footnotes.marker(label));
                let written = footnote_label_source(self.source, range);
                self.start_with_marker(&marker, written);
            }
            Tag::TableHead | Tag::TableRow => {
                self.end_line();
                self.cells_in_row = 0;
            }
            Tag::TableCell => {
                if self.cells_in_row > 0 {
                    // Written nowhere: it sits where its cell starts.
                    self.current
                        .push(" | ", range.start..range.start, self.source);
                }
                self.cells_in_row += 1;
            }
            Tag::CodeBlock(_) => {
                self.end_line();
                self.code = Some(Traced::new(range.start));
            }
            Tag::HtmlBlock => {
                self.end_line();
                self.raw_html = Some(Traced::new(range.start));
            }
            Tag::Paragraph | Tag::Heading { .. } | Tag::BlockQuote(_) | Tag::Table(_) => {
                self.end_line_unless_marker()
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::List(_) => {
                self.end_line();
                self.lists.pop();
            }
            TagEnd::CodeBlock => self.end_code_block(),
            TagEnd::HtmlBlock => self.end_html_block(),
            TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::Item
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::FootnoteDefinition => self.end_line(),
            _ => {}
        }
    }

    fn text(&mut self, t: &str, range: Range<usize>) {
        match &mut self.code {
            Some(code) => code.push(t, range, self.source),
            None => self.current.push(t, range, self.source),
        }
    }

    fn next_item_marker(&mut self) -> String {
        match self.lists.last_mut() {
            Some(Some(number)) => {
                let marker = format!("{number}. ");
                *number = number.saturating_add(1);
                marker
            }
            _ => "- ".to_owned(),
        }
    }

    fn start_with_marker(&mut self, marker: &str, written: Range<usize>) {
        self.current.push(marker, written, self.source);
        self.marker_len = self.current.text.len();
    }

    fn end_line_unless_marker(&mut self) {
        if self.marker_len == 0 || self.current.text.len() != self.marker_len {
            self.end_line();
        }
    }

    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.current);
        self.marker_len = 0;
        if !line.text.trim().is_empty() {
            self.lines.push(Line::Prose(line));
        }
    }

    fn end_code_block(&mut self) {
        let code = self.code.take().unwrap_or_default();
        let text = code.text.strip_suffix('\n').unwrap_or(&code.text);
        let mut start = 0;
        for line in text.split('\n') {
            let kept = line.trim_end_matches('\r');
            let source = code.source_of(start..start + kept.len());
            self.lines.push(Line::Verbatim(kept.to_owned(), source));
            start += line.len() + 1;
        }
    }

    fn end_html_block(&mut self) {
        let raw = self.raw_html.take().unwrap_or_default();
        let text = raw.without_tags();
        let mut start = 0;
        for line in text.text.split('\n') {
            if !line.trim().is_empty() {
                let kept = line.strip_suffix('\r').unwrap_or(line);
                self.lines
                    .push(Line::Prose(text.slice(start..start + kept.len())));
            }
            start += line.len() + 1;
        }
    }

    fn finish(mut self) -> Vec<Line> {
        self.end_line();
        self.lines
    }
}

/// Where a list item's marker (`-`, `*`, `+`, `12.`, `3)`) is written, from where its item
/// starts.
fn list_marker_source(source: &str, item_start: usize) -> Range<usize> {
    let bytes = source.as_bytes();
    let mut start = item_start;
    while bytes.get(start).is_some_and(|b| matches!(b, b' ' | b'\t')) {
        start += 1;
    }
    let mut end = start;
    while bytes.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    if bytes
        .get(end)
        .is_some_and(|b| matches!(b, b'.' | b')' | b'-' | b'+' | b'*'))
    {
        end += 1;
    }
    start..end
}

/// Where a footnote definition's `[^label]:` is written.
fn footnote_label_source(source: &str, definition: Range<usize>) -> Range<usize> {
    let written = source.get(definition.clone()).unwrap_or_default();
    let start = definition.start + (written.len() - written.trim_start().len());
    let end = written
        .find("]:")
        .map_or(start, |at| definition.start + at + 2);
    start..end.max(start)
}
