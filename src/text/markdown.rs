//! Markdown → safe HTML for programme chapters, motions and wiki pages.
//!
//! Members write Markdown; readers get sanitised HTML, a table of contents and a numbered
//! plain-text view for citing ("paragraph 12, line 3", as convention amendment tools do).
//! One parse feeds all three, so the numbers in the citing view always match the anchors in
//! the reading view.
//!
//! # Anchors
//!
//! Every top-level block that has text gets an `id`:
//!
//! * a heading gets the slug of its text (`## Santé pour tous !` → `sante-pour-tous`), with
//!   `-2`, `-3`… appended when the slug is already taken;
//! * any other block gets `<section>-p<N>`, where `<section>` is the id of the last heading
//!   before it (`intro` before the first heading) and `N` counts blocks within that section;
//!   a top-level list is not one block but one per item, each anchored on its `<li>`.
//!
//! Counting within a section rather than over the whole text means that adding, removing or
//! splitting a paragraph only moves the anchors of its own section: links and citations into
//! the other sections keep working after an edit.
//!
//! Footnote definitions are the exception: their id is `fn-<label>` (and `fnref-<label>` for
//! the first reference to them), because references must point at them whatever section they
//! sit in. Blocks without any text (a rule, an HTML comment, a raw `<img>`, an empty heading)
//! get neither an anchor nor a number. Raw HTML blocks get their anchor on an empty
//! `<span class="block-anchor">` placed before them, as their own markup can't be trusted to
//! take an attribute.
//!
//! # Numbering
//!
//! Every anchored block with text is a paragraph, numbered from 1 over the whole text
//! (headings included). Each item of a top-level list is a paragraph of its own, as Antragsgrün
//! and OpenSlides number a motion's proposals (a list of seven proposals is seven paragraphs);
//! a list nested in an item belongs to that item. Its plain text has the inline markup removed; list items, table rows
//! (cells joined by ` | `) and hard line breaks start new lines, list items keep a `- ` or
//! `N. ` marker, and footnote references read `[N]`. Each of these lines is then word-wrapped
//! at `line_width` characters (counted as `char`s, so accents count as one); a word longer than
//! the width gets a line of its own rather than being cut. Code block lines are kept verbatim,
//! never wrapped, because their spacing is their meaning. Lines are numbered continuously over
//! the whole text.
//!
//! # Sanitiser policy
//!
//! The generated HTML, raw HTML written by members included, goes through `ammonia` with:
//!
//! * ammonia's default tag list (formatting, lists, tables, `sub`, `sup`, `abbr`, `details`…);
//!   `script`, `style`, `iframe`, `object`, `embed`, `noscript`, `template` are removed with
//!   their content, and anything not on the list (`form`, `svg`…) is removed but its text kept;
//! * no event-handler or `style` attribute, except `style` on table cells reduced to
//!   `text-align:left|center|right|justify`, so that column alignment survives;
//! * URLs: `http`, `https`, `mailto` and relative URLs only, so `javascript:`, `data:` and
//!   `vbscript:` go, however they are cased or entity-encoded;
//! * `id` only with a value this renderer generated (a member can't plant ids that clobber
//!   the page's own), `class` only with our own values (`wikilink`, `missing`, `footnote-*`,
//!   `block-anchor`) and `language-*` on `code`;
//! * `rel="noopener noreferrer nofollow"` on links that leave the site. Ammonia can only add
//!   `rel` to every link, so it is added after cleaning, on ammonia's own serialisation, where
//!   a `<` is always a tag and attribute values are always double-quoted.
//!
//! The HTML parser under ammonia takes time in the square of the nesting depth, so lists and
//! quotes nested more than [`MAX_CONTAINER_DEPTH`] containers deep are flattened, and raw HTML
//! is shown as text in a text holding more than [`MAX_RAW_HTML_TAGS`] raw tags or nesting more
//! than [`MAX_HTML_DEPTH`] elements deep. The worst 900 KB texts tried then render in 1 to 3
//! seconds, where 80,000 nested `<div>`s alone took 13 seconds to sanitise.
//!
//! Wiki links (`[[Page]]`, `[[theme/Page]]`, `[[Page|label]]`, and `[[Page\|label]]` inside a
//! table, where `|` separates cells) use pulldown-cmark's own wiki-link extension; the caller
//! resolves each target to the page or to a "create it" URL.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// The wrapping width of the numbered view when the caller has no preference.
pub const DEFAULT_LINE_WIDTH: usize = 80;

/// The section of the blocks before the first heading.
const INTRO_SECTION: &str = "intro";

// html5ever, under ammonia, spends time in proportion to the depth of the open elements for
// each element it opens, so deep nesting costs its square: 40,000 nested `<div>`s take seconds.
// The next three bounds, far above what a real text needs, keep rendering about linear.

/// Lists and quotes nested deeper than this many containers (a list and its item count as two)
/// are flattened into their parent.
const MAX_CONTAINER_DEPTH: usize = 32;

/// Raw HTML is shown as text, rather than interpreted, in a text holding more raw tags than
/// this…
const MAX_RAW_HTML_TAGS: usize = 1_000;

/// …or whose HTML would nest deeper than this.
const MAX_HTML_DEPTH: usize = 128;

/// The slug of a heading whose text has no letter or digit (`## ???`).
const UNNAMED_SECTION: &str = "section";

/// The `rel` of links leaving the site: no access to our window, no referrer leaking which
/// internal page linked out, and no search-ranking gift to spammers.
const EXTERNAL_REL: &str = "noopener noreferrer nofollow";

/// The classes this renderer emits; members' HTML may use them too, harmlessly.
const OWN_CLASSES: &[&str] = &[
    "wikilink",
    "missing",
    "footnote-ref",
    "footnote-definition",
    "footnote-label",
    "footnote-backref",
    "block-anchor",
];

/// A wiki link's target: `[[Page]]` or `[[theme/Page]]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WikiTarget {
    pub theme: Option<String>,
    pub title: String,
}

/// Where a wiki link leads: to the page, or to the form that creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WikiResolution {
    Existing { href: String },
    Missing { create_href: String },
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading {
        level: u8,
    },
    Paragraph,
    List,
    /// An item of a top-level list: each is a paragraph of its own (see "Numbering").
    ListItem,
    BlockQuote,
    CodeBlock,
    Table,
    Html,
    FootnoteDefinition,
    Other,
}

impl BlockKind {
    /// A stable name for templates and CSS.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Heading { .. } => "heading",
            BlockKind::Paragraph => "paragraph",
            BlockKind::List => "list",
            BlockKind::ListItem => "item",
            BlockKind::BlockQuote => "blockquote",
            BlockKind::CodeBlock => "code",
            BlockKind::Table => "table",
            BlockKind::Html => "html",
            BlockKind::FootnoteDefinition => "footnote",
            BlockKind::Other => "other",
        }
    }
}

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

/// The citing view of paragraphs already obtained from [`render`], to avoid a second parse.
pub fn numbered_html(paragraphs: &[Paragraph]) -> String {
    let mut out = String::new();
    for paragraph in paragraphs {
        push_numbered_block(&mut out, paragraph);
    }
    out
}

/// The reading view's HTML with its headings placed under a page heading of level `page_level`
/// (the page's `<h1>`, the text's title): the text's outermost headings become `page_level + 1`
/// and each heading at most one level below the one before it, however the text numbers them
/// (`### Santé` as its first heading, or `#` then `###`). Screen readers' outline and axe's
/// `heading-order` then read the text as part of the page, not as a second `<h1>` or a jump. The
/// table of contents keeps the text's own levels, anchors do not move. Works on [`render`]'s
/// sanitised output, where every `<` opens a tag and text is escaped, so only real heading tags
/// match.
pub fn nest_headings(html: &str, page_level: u8) -> String {
    let mut out = String::with_capacity(html.len());
    // The open sections: (the text's level, the level shown).
    let mut outline: Vec<(u8, u8)> = Vec::new();
    let mut shown = page_level.saturating_add(1).min(6);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tag = &rest[at..];
        let closing = tag.starts_with("</");
        let name_at = if closing { 2 } else { 1 };
        let bytes = tag.as_bytes();
        let level = match (
            bytes.get(name_at),
            bytes.get(name_at + 1),
            bytes.get(name_at + 2),
        ) {
            (Some(b'h'), Some(digit @ b'1'..=b'6'), Some(b'>' | b' ')) => Some(digit - b'0'),
            _ => None,
        };
        let Some(level) = level else {
            out.push('<');
            rest = &tag[1..];
            continue;
        };
        if !closing {
            while outline.last().is_some_and(|(own, _)| *own >= level) {
                outline.pop();
            }
            shown = match outline.last() {
                Some((_, parent)) => parent.saturating_add(1),
                None => page_level.saturating_add(1),
            }
            .min(6);
            outline.push((level, shown));
        }
        out.push_str(&tag[..name_at + 1]);
        out.push(char::from(b'0' + shown));
        rest = &tag[name_at + 2..];
    }
    out.push_str(rest);
    out
}

/// The wiki targets a text links to, each once, in order of first appearance. Code spans and
/// blocks are not parsed for links, so `[[…]]` inside them is ignored.
pub fn wiki_links(markdown: &str) -> Vec<WikiTarget> {
    let mut seen = HashSet::new();
    let mut targets = Vec::new();
    let markdown = crate::store::storable_text(markdown);
    for event in Parser::new_ext(&markdown, reading_options()) {
        if let Some(target) = wiki_target_of(&event)
            && seen.insert(target.clone())
        {
            targets.push(target);
        }
    }
    targets
}

/// Plain CommonMark (no extension), sanitised, without anchors: what the CommonMark
/// conformance test measures.
pub fn render_commonmark_plain(markdown: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, Options::empty()));
    sanitize(&html)
}

/// Applies the sanitiser policy (see the module documentation) to any HTML; every `id` is
/// dropped, as none of them was generated here. HTML nesting deeper than [`MAX_HTML_DEPTH`]
/// comes back escaped, as text, to keep the sanitiser's time linear.
pub fn sanitize(html: &str) -> String {
    if html_depth_exceeds(html, MAX_HTML_DEPTH) {
        return escape_html(html);
    }
    sanitize_keeping_ids(html, HashSet::new())
}

/// `"Santé pour tous !"` → `"sante-pour-tous"`: lowercase, Latin accents folded to ASCII, runs
/// of anything else than letters and digits turned into one hyphen. Letters without an ASCII
/// form (Greek, Cyrillic…) are kept, as browsers handle them in fragments.
pub fn slugify(s: &str) -> String {
    let mut slug = String::with_capacity(s.len());
    let mut pending_hyphen = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            continue;
        }
        if !c.is_alphanumeric() {
            pending_hyphen = true;
            continue;
        }
        if pending_hyphen && !slug.is_empty() {
            slug.push('-');
        }
        pending_hyphen = false;
        match fold_latin(c) {
            Some(ascii) => slug.push_str(ascii),
            None => slug.push(c),
        }
    }
    slug
}

fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// The ASCII spelling of a lowercase accented Latin letter, French ones first.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

fn reading_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_WIKILINKS
}

// ---------------------------------------------------------------------------------------------
// Analysis: one walk over the top-level blocks gives the HTML, the anchors and the numbering.

struct Analysis {
    /// Unsanitised.
    html: String,
    /// Every id generated, the only ones the sanitiser keeps.
    ids: HashSet<String>,
    toc: Vec<TocEntry>,
    paragraphs: Vec<Paragraph>,
}

fn analyse(markdown: &str, opts: &RenderOptions) -> Analysis {
    // CommonMark (2.3, insecure characters): U+0000 is read as U+FFFD, which pulldown-cmark does
    // in text but not in link destinations (a wiki link's title). Live editing can type one.
    let markdown = crate::store::storable_text(markdown);
    let events: Vec<Event> = Parser::new_ext(&markdown, reading_options()).collect();
    if raw_html_tags(&events) <= MAX_RAW_HTML_TAGS {
        let analysis = analyse_events(&events, opts, RawHtml::Interpret);
        if !html_depth_exceeds(&analysis.html, MAX_HTML_DEPTH) {
            return analysis;
        }
    }
    analyse_events(&events, opts, RawHtml::Escape)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawHtml {
    Interpret,
    /// Shown as text (see [`MAX_RAW_HTML_TAGS`]).
    Escape,
}

fn analyse_events(events: &[Event], opts: &RenderOptions, raw_html: RawHtml) -> Analysis {
    let mut ids = IdAllocator::default();
    let footnotes = Footnotes::collect(events, &mut ids);
    let mut builder = DocBuilder::new(opts, footnotes, ids, raw_html);
    for range in top_level_blocks(events) {
        if let Some(block) = events.get(range) {
            builder.add_block(block);
        }
    }
    builder.finish()
}

/// The number of tags written as raw HTML, approximated by the `<` followed by a letter.
fn raw_html_tags(events: &[Event]) -> usize {
    events
        .iter()
        .map(|event| match event {
            Event::Html(html) | Event::InlineHtml(html) => html
                .as_bytes()
                .windows(2)
                .filter(|pair| pair[0] == b'<' && pair[1].is_ascii_alphabetic())
                .count(),
            _ => 0,
        })
        .sum()
}

/// Whether `html` may nest more than `limit` elements deep: an estimate from the tags alone,
/// where an end tag closes its latest matching start tag and everything opened after it, and
/// an end tag without a match closes nothing.
fn html_depth_exceeds(html: &str, limit: usize) -> bool {
    let mut open: Vec<String> = Vec::new();
    let mut open_counts: HashMap<String, usize> = HashMap::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let (closing, name_start) = match rest.strip_prefix('/') {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let name: String = name_start
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        if closing {
            close_element(&mut open, &mut open_counts, &name);
        } else if !is_void_element(&name) {
            *open_counts.entry(name.clone()).or_default() += 1;
            open.push(name);
            if open.len() > limit {
                return true;
            }
        }
    }
    false
}

fn close_element(open: &mut Vec<String>, open_counts: &mut HashMap<String, usize>, name: &str) {
    if open_counts.get(name).copied().unwrap_or(0) == 0 {
        return;
    }
    while let Some(top) = open.pop() {
        if let Some(count) = open_counts.get_mut(&top) {
            *count = count.saturating_sub(1);
        }
        if top == name {
            return;
        }
    }
}

fn is_void_element(name: &str) -> bool {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    ];
    VOID.contains(&name)
}

/// Flattens lists and quotes nested deeper than [`MAX_CONTAINER_DEPTH`] into their parent.
#[derive(Default)]
struct NestingCap {
    /// For each open container, whether it was kept.
    kept: Vec<bool>,
    depth: usize,
}

impl NestingCap {
    fn filter<'a>(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        match &event {
            Event::Start(Tag::List(_) | Tag::Item | Tag::BlockQuote(_)) => {
                let keep = self.depth < MAX_CONTAINER_DEPTH;
                self.kept.push(keep);
                if keep {
                    self.depth += 1;
                    return Some(event);
                }
                // Keeps the flattened items apart.
                Some(Event::SoftBreak)
            }
            Event::End(TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_)) => {
                let keep = self.kept.pop().unwrap_or(true);
                if keep {
                    self.depth = self.depth.saturating_sub(1);
                    return Some(event);
                }
                None
            }
            _ => Some(event),
        }
    }
}

/// The event ranges of the top-level blocks, each from its `Start` to its matching `End`.
fn top_level_blocks(events: &[Event]) -> Vec<std::ops::Range<usize>> {
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

struct DocBuilder<'o, 'r> {
    opts: &'o RenderOptions<'r>,
    footnotes: Footnotes,
    ids: IdAllocator,
    raw_html: RawHtml,
    section: String,
    blocks_in_section: usize,
    lines_so_far: usize,
    /// Labels of the footnote definitions being rendered, for their back-reference.
    open_definitions: Vec<String>,
    referenced: HashSet<String>,
    html: String,
    toc: Vec<TocEntry>,
    paragraphs: Vec<Paragraph>,
}

impl<'o, 'r> DocBuilder<'o, 'r> {
    fn new(
        opts: &'o RenderOptions<'r>,
        footnotes: Footnotes,
        ids: IdAllocator,
        raw_html: RawHtml,
    ) -> Self {
        Self {
            opts,
            footnotes,
            ids,
            raw_html,
            section: INTRO_SECTION.to_owned(),
            blocks_in_section: 0,
            lines_so_far: 0,
            open_definitions: Vec::new(),
            referenced: HashSet::new(),
            html: String::new(),
            toc: Vec::new(),
            paragraphs: Vec::new(),
        }
    }

    fn add_block(&mut self, events: &[Event]) {
        let kind = block_kind(events);
        if kind == BlockKind::List {
            return self.add_list(events);
        }
        let lines = wrap_lines(plain_lines(events, &self.footnotes), self.opts.line_width);
        let anchor = self.anchor_for(kind, events, !lines.is_empty());
        if let Some(anchor) = &anchor {
            self.add_toc_entry(kind, events, anchor);
            if !lines.is_empty() {
                self.add_paragraph(kind, anchor, lines);
            }
        }
        let html = self.block_html(kind, events, anchor.as_deref());
        self.html.push_str(&html);
    }

    /// A top-level list: each item is a paragraph, numbered and anchored (on its `<li>`) on its
    /// own, as motion tools number a motion's proposals, so that an amendment cites « paragraph 5 »
    /// rather than « the fourth item of paragraph 2 ». Lists nested in an item stay in it.
    fn add_list(&mut self, events: &[Event]) {
        let start = match events.first() {
            Some(Event::Start(Tag::List(start))) => *start,
            _ => None,
        };
        let inner_end = match events.last() {
            Some(Event::End(TagEnd::List(_))) if events.len() >= 2 => events.len() - 1,
            _ => events.len(),
        };
        let inner = events.get(1..inner_end).unwrap_or_default();
        let mut anchors = Vec::new();
        for (position, range) in top_level_blocks(inner).into_iter().enumerate() {
            let Some(item) = inner.get(range) else {
                continue;
            };
            // The item inside a list of its own, starting at its number, so that its line
            // keeps its marker (`- `, `4. `).
            let number = start.map(|s| s.saturating_add(position as u64));
            let mut alone = Vec::with_capacity(item.len() + 2);
            alone.push(Event::Start(Tag::List(number)));
            alone.extend(item.iter().cloned());
            alone.push(Event::End(TagEnd::List(start.is_some())));
            let lines = wrap_lines(plain_lines(&alone, &self.footnotes), self.opts.line_width);
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
                self.add_paragraph(BlockKind::ListItem, anchor, lines);
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
            (BlockKind::Heading { .. }, _) => self.start_section(&heading_text(events)),
            _ if has_text => {
                self.blocks_in_section += 1;
                let base = format!("{}-p{}", self.section, self.blocks_in_section);
                Some(self.ids.claim(&base))
            }
            _ => None,
        }
    }

    fn start_section(&mut self, heading: &str) -> Option<String> {
        if heading.is_empty() {
            return None;
        }
        let slug = slugify(heading);
        let base = if slug.is_empty() {
            UNNAMED_SECTION
        } else {
            &slug
        };
        let id = self.ids.claim(base);
        self.section = id.clone();
        self.blocks_in_section = 0;
        Some(id)
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

    fn add_paragraph(&mut self, kind: BlockKind, anchor: &str, lines: Vec<String>) {
        let first_line = self.lines_so_far + 1;
        self.lines_so_far += lines.len();
        self.paragraphs.push(Paragraph {
            number: self.paragraphs.len() + 1,
            anchor: anchor.to_owned(),
            kind,
            lines,
            first_line,
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
            }) => Event::InlineHtml(self.wiki_link_open(&dest_url).into()),
            Event::Start(Tag::Image {
                link_type: LinkType::WikiLink { .. },
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type: LinkType::Inline,
                dest_url: self.wiki_href(&dest_url).into(),
                title,
                id,
            }),
            Event::FootnoteReference(label) => {
                Event::InlineHtml(self.footnote_reference(&label).into())
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.open_definitions.push(label.to_string());
                Event::Html(self.footnote_definition_open(&label).into())
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                let label = self.open_definitions.pop().unwrap_or_default();
                Event::Html(self.footnote_definition_close(&label).into())
            }
            other => other,
        }
    }

    fn wiki_link_open(&self, raw: &str) -> String {
        let target = parse_wiki_target(raw);
        match (self.opts.resolve_wiki)(&target) {
            WikiResolution::Existing { href } => {
                format!(r#"<a href="{}" class="wikilink">"#, escape_html(&href))
            }
            WikiResolution::Missing { create_href } => {
                format!(
                    r#"<a href="{}" class="wikilink missing">"#,
                    escape_html(&create_href)
                )
            }
        }
    }

    fn wiki_href(&self, raw: &str) -> String {
        match (self.opts.resolve_wiki)(&parse_wiki_target(raw)) {
            WikiResolution::Existing { href } => href,
            WikiResolution::Missing { create_href } => create_href,
        }
    }

    fn footnote_reference(&mut self, label: &str) -> String {
        let Some(note) = self.footnotes.get(label) else {
            return escape_html(&format!("[^{label}]"));
        };
        // Only the first reference carries the id the definition links back to.
        let id = if self.referenced.insert(footnote_key(label)) {
            format!(r#" id="{}""#, escape_html(&note.ref_id))
        } else {
            String::new()
        };
        format!(
            r##"<sup class="footnote-ref"><a href="#{}"{id}>{}</a></sup>"##,
            escape_html(&note.id),
            note.number
        )
    }

    fn footnote_definition_open(&self, label: &str) -> String {
        match self.footnotes.get(label) {
            Some(note) => format!(
                r#"<div class="footnote-definition" id="{}"><sup class="footnote-label">{}</sup>"#,
                escape_html(&note.id),
                note.number
            ),
            None => r#"<div class="footnote-definition">"#.to_owned(),
        }
    }

    fn footnote_definition_close(&self, label: &str) -> String {
        match self.footnotes.get(label) {
            Some(note) if self.referenced.contains(&footnote_key(label)) => {
                format!(
                    r##"<a href="#{}" class="footnote-backref">↩</a></div>"##,
                    escape_html(&note.ref_id)
                ) + "\n"
            }
            _ => "</div>\n".to_owned(),
        }
    }

    fn finish(self) -> Analysis {
        Analysis {
            html: self.html,
            ids: self.ids.used,
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

fn set_heading_id(events: &mut [Event], anchor: &str) {
    if let Some(Event::Start(Tag::Heading { id, .. })) = events.first_mut() {
        *id = Some(CowStr::from(anchor.to_owned()));
    }
}

/// Puts the anchor on the block's first tag (`<p>`, `<ul>`, `<pre>`, `<table>`…); raw HTML,
/// whose first tag is the member's, gets an empty anchor element before it instead.
fn attach_anchor(html: String, kind: BlockKind, anchor: &str) -> String {
    if kind != BlockKind::Html
        && let Some(with_id) = insert_id(&html, anchor)
    {
        return with_id;
    }
    format!(
        r#"<span class="block-anchor" id="{}"></span>{html}"#,
        escape_html(anchor)
    )
}

fn insert_id(html: &str, anchor: &str) -> Option<String> {
    let after_bracket = html.strip_prefix('<')?;
    let name_len = after_bracket
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(after_bracket.len());
    if name_len == 0 {
        return None;
    }
    let (open, rest) = html.split_at(1 + name_len);
    Some(format!(r#"{open} id="{}"{rest}"#, escape_html(anchor)))
}

fn heading_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Wiki links

fn wiki_target_of(event: &Event) -> Option<WikiTarget> {
    match event {
        Event::Start(Tag::Link {
            link_type: LinkType::WikiLink { .. },
            dest_url,
            ..
        })
        | Event::Start(Tag::Image {
            link_type: LinkType::WikiLink { .. },
            dest_url,
            ..
        }) => Some(parse_wiki_target(dest_url)),
        _ => None,
    }
}

/// `theme/Page` names a page of a theme; the first `/` separates them, and a target with an
/// empty side (`/Page`, `theme/`) is taken whole as a title.
fn parse_wiki_target(raw: &str) -> WikiTarget {
    let unescaped = unescape_wiki_target(raw);
    let raw = unescaped.trim();
    if let Some((theme, title)) = raw.split_once('/') {
        let (theme, title) = (theme.trim(), title.trim());
        if !theme.is_empty() && !title.is_empty() {
            return WikiTarget {
                theme: Some(theme.to_owned()),
                title: title.to_owned(),
            };
        }
    }
    WikiTarget {
        theme: None,
        title: raw.to_owned(),
    }
}

/// pulldown-cmark hands over the target as written, backslash escapes included; in a table,
/// where `|` separates cells, `[[Page\|label]]` even leaves the target as `Page\`.
fn unescape_wiki_target(raw: &str) -> String {
    let mut target = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            target.push(c);
            continue;
        }
        match chars.next_if(char::is_ascii_punctuation) {
            Some(escaped) => target.push(escaped),
            None if chars.peek().is_some() => target.push(c),
            None => {}
        }
    }
    target
}

// ---------------------------------------------------------------------------------------------
// Footnotes: numbered in order of first reference, then unreferenced definitions in order.

struct Footnote {
    number: usize,
    id: String,
    ref_id: String,
}

#[derive(Default)]
struct Footnotes {
    by_key: HashMap<String, Footnote>,
}

/// pulldown-cmark matches footnote labels regardless of case.
fn footnote_key(label: &str) -> String {
    label.to_lowercase()
}

impl Footnotes {
    fn collect(events: &[Event], ids: &mut IdAllocator) -> Self {
        let mut defined = Vec::new();
        let mut referenced = Vec::new();
        for event in events {
            match event {
                Event::Start(Tag::FootnoteDefinition(label)) => defined.push(label.as_ref()),
                Event::FootnoteReference(label) => referenced.push(label.as_ref()),
                _ => {}
            }
        }
        let defined_keys: HashSet<String> = defined.iter().map(|l| footnote_key(l)).collect();
        let mut notes = Footnotes::default();
        let in_order = referenced
            .into_iter()
            .filter(|label| defined_keys.contains(&footnote_key(label)))
            .chain(defined);
        for label in in_order {
            notes.add(label, ids);
        }
        notes
    }

    fn add(&mut self, label: &str, ids: &mut IdAllocator) {
        let key = footnote_key(label);
        if self.by_key.contains_key(&key) {
            return;
        }
        let slug = slugify(label);
        let slug = if slug.is_empty() { "note" } else { &slug };
        let note = Footnote {
            number: self.by_key.len() + 1,
            id: ids.claim(&format!("fn-{slug}")),
            ref_id: ids.claim(&format!("fnref-{slug}")),
        };
        self.by_key.insert(key, note);
    }

    fn get(&self, label: &str) -> Option<&Footnote> {
        self.by_key.get(&footnote_key(label))
    }

    fn marker(&self, label: &str) -> String {
        match self.get(label) {
            Some(note) => format!("[{}]", note.number),
            None => format!("[^{label}]"),
        }
    }
}

/// Hands out unique ids, `base`, then `base-2`, `base-3`…
#[derive(Default)]
struct IdAllocator {
    used: HashSet<String>,
    // Where to resume for each base, so that many equal headings stay linear.
    next_suffix: HashMap<String, usize>,
}

impl IdAllocator {
    fn claim(&mut self, base: &str) -> String {
        if self.used.insert(base.to_owned()) {
            return base.to_owned();
        }
        let next = self.next_suffix.entry(base.to_owned()).or_insert(2);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Plain text and wrapping

enum Line {
    /// Wrapped at the line width.
    Prose(String),
    /// Kept as is: a line of a code block.
    Verbatim(String),
}

fn plain_lines(events: &[Event], footnotes: &Footnotes) -> Vec<Line> {
    let mut text = PlainText::new(footnotes);
    for event in events {
        text.event(event);
    }
    text.finish()
}

struct PlainText<'f> {
    footnotes: &'f Footnotes,
    lines: Vec<Line>,
    current: String,
    /// Length of the marker (`- `, `3. `, `[1] `) that opens `current`; a line holding only
    /// its marker is not ended by the paragraph that follows the marker.
    marker_len: usize,
    /// The next number of each open list, `None` for bullet lists.
    lists: Vec<Option<u64>>,
    cells_in_row: usize,
    code: Option<String>,
    raw_html: Option<String>,
}

impl<'f> PlainText<'f> {
    fn new(footnotes: &'f Footnotes) -> Self {
        Self {
            footnotes,
            lines: Vec::new(),
            current: String::new(),
            marker_len: 0,
            lists: Vec::new(),
            cells_in_row: 0,
            code: None,
            raw_html: None,
        }
    }

    fn event(&mut self, event: &Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(t) => self.text(t),
            Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.current.push_str(t)
            }
            Event::Html(t) => {
                if let Some(raw) = &mut self.raw_html {
                    raw.push_str(t);
                }
            }
            Event::SoftBreak => self.current.push(' '),
            Event::HardBreak | Event::Rule => self.end_line(),
            Event::FootnoteReference(label) => self.current.push_str(&self.footnotes.marker(label)),
            Event::TaskListMarker(done) => {
                self.current.push_str(if *done { "[x] " } else { "[ ] " })
            }
            Event::InlineHtml(_) => {}
        }
    }

    fn start(&mut self, tag: &Tag) {
        match tag {
            Tag::List(start) => {
                self.end_line();
                self.lists.push(*start);
            }
            Tag::Item => {
                self.end_line();
                let marker = self.next_item_marker();
                self.start_with_marker(&marker);
            }
            Tag::FootnoteDefinition(label) => {
                self.end_line();
                let marker = format!("{} ", self.footnotes.marker(label));
                self.start_with_marker(&marker);
            }
            Tag::TableHead | Tag::TableRow => {
                self.end_line();
                self.cells_in_row = 0;
            }
            Tag::TableCell => {
                if self.cells_in_row > 0 {
                    self.current.push_str(" | ");
                }
                self.cells_in_row += 1;
            }
            Tag::CodeBlock(_) => {
                self.end_line();
                self.code = Some(String::new());
            }
            Tag::HtmlBlock => {
                self.end_line();
                self.raw_html = Some(String::new());
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

    fn text(&mut self, t: &str) {
        match &mut self.code {
            Some(code) => code.push_str(t),
            None => self.current.push_str(t),
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

    fn start_with_marker(&mut self, marker: &str) {
        self.current.push_str(marker);
        self.marker_len = self.current.len();
    }

    fn end_line_unless_marker(&mut self) {
        if self.marker_len == 0 || self.current.len() != self.marker_len {
            self.end_line();
        }
    }

    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.current);
        self.marker_len = 0;
        if !line.trim().is_empty() {
            self.lines.push(Line::Prose(line));
        }
    }

    fn end_code_block(&mut self) {
        let code = self.code.take().unwrap_or_default();
        let code = code.strip_suffix('\n').unwrap_or(&code);
        for line in code.split('\n') {
            self.lines
                .push(Line::Verbatim(line.trim_end_matches('\r').to_owned()));
        }
    }

    fn end_html_block(&mut self) {
        let raw = self.raw_html.take().unwrap_or_default();
        for line in strip_tags(&raw).lines() {
            if !line.trim().is_empty() {
                self.lines.push(Line::Prose(line.to_owned()));
            }
        }
    }

    fn finish(mut self) -> Vec<Line> {
        self.end_line();
        self.lines
    }
}

/// The text of raw HTML, for the numbered view only: everything between `<` and `>` goes.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn wrap_lines(lines: Vec<Line>, width: usize) -> Vec<String> {
    let mut wrapped = Vec::new();
    for line in lines {
        match line {
            Line::Prose(text) => wrap(&text, width, &mut wrapped),
            Line::Verbatim(text) => wrapped.push(text),
        }
    }
    wrapped
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

pub(crate) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

// ---------------------------------------------------------------------------------------------
// Sanitising

fn sanitize_keeping_ids(html: &str, ids: HashSet<String>) -> String {
    let cleaned = sanitizer(ids).clean(html).to_string();
    add_rel_to_external_links(&cleaned)
}

fn sanitizer(ids: HashSet<String>) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(None)
        .add_generic_attributes(&["id", "class"])
        .add_tag_attributes("th", &["style"])
        .add_tag_attributes("td", &["style"])
        .add_clean_content_tags(&[
            "iframe", "object", "embed", "noscript", "template", "frame", "frameset", "applet",
        ])
        .attribute_filter(move |element, attribute, value| {
            filter_attribute(&ids, element, attribute, value)
        });
    builder
}

fn filter_attribute<'u>(
    ids: &HashSet<String>,
    element: &str,
    attribute: &str,
    value: &'u str,
) -> Option<Cow<'u, str>> {
    match attribute {
        "id" => ids.contains(value).then_some(Cow::Borrowed(value)),
        "class" => filter_classes(element, value).map(Cow::Owned),
        "style" => filter_style(value).map(Cow::Owned),
        _ => Some(Cow::Borrowed(value)),
    }
}

fn filter_classes(element: &str, value: &str) -> Option<String> {
    let kept: Vec<&str> = value
        .split_ascii_whitespace()
        .filter(|class| {
            OWN_CLASSES.contains(class) || (element == "code" && is_language_class(class))
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join(" "))
}

/// Only a table cell's alignment, as pulldown-cmark writes it: a whitelist of one property
/// and its keywords, rather than a CSS parser's idea of what is safe.
fn filter_style(value: &str) -> Option<String> {
    value.split(';').find_map(|declaration| {
        let (property, keyword) = declaration.split_once(':')?;
        let keyword = keyword.trim().to_ascii_lowercase();
        let aligns = matches!(keyword.as_str(), "left" | "center" | "right" | "justify");
        (property.trim().eq_ignore_ascii_case("text-align") && aligns)
            .then(|| format!("text-align:{keyword}"))
    })
}

/// `language-rust`, as pulldown-cmark writes a fenced block's info string, for a highlighter.
fn is_language_class(class: &str) -> bool {
    class.strip_prefix("language-").is_some_and(|lang| {
        !lang.is_empty()
            && lang
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#' | '.'))
    })
}

/// Adds `rel` to the `<a>` tags whose `href` leaves the site. Only sound on ammonia's output,
/// where text never holds a raw `<` and attribute values are double-quoted with `"` escaped.
fn add_rel_to_external_links(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let Some(close) = tag_end(rest) else { break };
        let (tag, after) = rest.split_at(close + 1);
        match link_href(tag) {
            Some(href) if is_external(href) => {
                out.push_str(&tag[..close]);
                out.push_str(&format!(r#" rel="{EXTERNAL_REL}">"#));
            }
            _ => out.push_str(tag),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The index of the `>` closing the tag `tag` starts with.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, byte) in tag.bytes().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b'>' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn link_href(tag: &str) -> Option<&str> {
    if !tag.starts_with("<a ") {
        return None;
    }
    let start = tag.find(r#" href=""#)? + r#" href=""#.len();
    let len = tag.get(start..)?.find('"')?;
    tag.get(start..start + len)
}

/// Resolves the link as a browser would, against a stand-in origin: protocol-relative
/// (`//host`), backslashed (`/\host`) and tab-split URLs are caught this way, unlike by
/// looking at the first characters.
fn is_external(escaped_href: &str) -> bool {
    const STAND_IN: &str = "https://atelier.invalid/page";
    let Ok(base) = ammonia::Url::parse(STAND_IN) else {
        return true;
    };
    match base.join(&unescape_attribute(escaped_href)) {
        Ok(url) => url.origin() != base.origin(),
        Err(_) => true,
    }
}

/// Undoes html5ever's attribute escaping.
fn unescape_attribute(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(target: &WikiTarget) -> WikiResolution {
        let path = match &target.theme {
            Some(theme) => format!("{}/{}", slugify(theme), slugify(&target.title)),
            None => slugify(&target.title),
        };
        if target.title.starts_with("Nouvelle") {
            WikiResolution::Missing {
                create_href: format!("/wiki/new?title={path}"),
            }
        } else {
            WikiResolution::Existing {
                href: format!("/wiki/{path}"),
            }
        }
    }

    fn render_md(markdown: &str) -> Rendered {
        render(markdown, &RenderOptions::new(&resolver))
    }

    fn html(markdown: &str) -> String {
        render_md(markdown).html
    }

    /// `(element, attribute, value)` for every attribute in ammonia's output
    /// (`<name a="v" b="w">`), lowercased.
    fn attributes(html: &str) -> Vec<(String, String, String)> {
        let mut attributes = Vec::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            rest = &rest[open..];
            let close = tag_end(rest).unwrap_or(rest.len() - 1);
            let tag = rest[1..close].trim_end_matches('/');
            let (element, mut tag) = tag.split_once(' ').unwrap_or((tag, ""));
            while let Some((name, after)) = tag.trim_start().split_once("=\"") {
                let (value, after) = after.split_once('"').unwrap_or((after, ""));
                let value = unescape_attribute(value).to_lowercase();
                attributes.push((element.to_lowercase(), name.to_lowercase(), value));
                tag = after;
            }
            rest = &rest[close + 1..];
        }
        attributes
    }

    fn attribute_names(html: &str) -> Vec<String> {
        attributes(html)
            .into_iter()
            .map(|(_, name, _)| name)
            .collect()
    }

    fn assert_nothing_executable(markdown: &str) {
        let out = html(markdown);
        let lower = out.to_lowercase();
        for needle in [
            "<script", "<iframe", "<object", "<embed", "<svg", "<form", "<style", "<math",
        ] {
            assert!(
                !lower.contains(needle),
                "{needle:?} survived {markdown:?}: {out}"
            );
        }
        for (element, name, value) in attributes(&out) {
            assert!(
                !name.starts_with("on"),
                "event handler {name} survived {markdown:?}: {out}"
            );
            if name == "style" {
                let alignment = ["text-align:left", "text-align:center", "text-align:right"];
                assert!(
                    matches!(element.as_str(), "th" | "td") && alignment.contains(&value.as_str()),
                    "style survived {markdown:?}: {out}"
                );
            }
            assert_ne!(name, "srcdoc", "srcdoc survived {markdown:?}: {out}");
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(
                    !value.contains(scheme),
                    "{scheme} survived {markdown:?}: {out}"
                );
            }
        }
    }

    #[test]
    fn hostile_markdown_leaves_nothing_executable() {
        let hostile = [
            "<script>alert(1)</script>",
            "Texte <script>alert(1)</script> en ligne",
            "<img src=x onerror=alert(1)>",
            "<IMG SRC=x OnError=alert(1)>",
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](java\tscript:alert(1))",
            "[x](javascript&#58;alert(1))",
            "[x](javascript&colon;alert(1))",
            "<a href=\"javascript&#58;alert(1)\">x</a>",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "![x](data:image/svg+xml,<svg onload=alert(1)>)",
            "[x](vbscript:msgbox(1))",
            "<svg onload=alert(1)><circle r=1 /></svg>",
            "<svg><script>alert(1)</script></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<form action=\"https://evil.example\"><input name=q><button>Go</button></form>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<span style=\"color:red\" onclick=\"alert(1)\">x</span>",
            "<style>body{display:none}</style>",
            "<a href=\"#\" onmouseover=\"alert(1)\">x</a>",
            "<details open ontoggle=alert(1)>x</details>",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "<javascript:alert(1)>",
            "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
            "<td style=\"background:url(x)\">",
            "<table><tr><td style=\"background:url(javascript:alert(1));text-align:left\">x</td></tr></table>",
            "<table><tr><td style=\"text-align:expression(alert(1))\">x</td></tr></table>",
        ];
        for markdown in hostile {
            assert_nothing_executable(markdown);
        }
    }

    #[test]
    fn safe_raw_html_survives() {
        let out =
            html("H<sub>2</sub>O, E = mc<sup>2</sup>, <abbr title=\"Revenu universel\">RU</abbr>.");
        assert!(out.contains("H<sub>2</sub>O"), "{out}");
        assert!(out.contains("mc<sup>2</sup>"), "{out}");
        assert!(
            out.contains(r#"<abbr title="Revenu universel">RU</abbr>"#),
            "{out}"
        );
    }

    #[test]
    fn members_cannot_plant_ids_or_foreign_classes() {
        let out = html("<p id=\"csrf\" class=\"admin wikilink\">x</p>");
        assert!(!out.contains("csrf"), "{out}");
        assert!(!out.contains("admin"), "{out}");
        assert!(out.contains(r#"class="wikilink""#), "{out}");
    }

    #[test]
    fn external_links_get_rel_and_internal_ones_do_not() {
        let out = html(
            "[a](https://example.org/x?a=1&b=2) [b](/programme/sante) [c](#intro-p1) \
             [d](//evil.example/x) [e](mailto:contact@example.org) [f](autre-page)",
        );
        let rel = r#"rel="noopener noreferrer nofollow""#;
        assert!(
            out.contains(&format!(
                r#"<a href="https://example.org/x?a=1&amp;b=2" {rel}>a</a>"#
            )),
            "{out}"
        );
        assert!(out.contains(r#"<a href="/programme/sante">b</a>"#), "{out}");
        assert!(out.contains(r##"<a href="#intro-p1">c</a>"##), "{out}");
        assert!(
            out.contains(&format!(r#"<a href="//evil.example/x" {rel}>d</a>"#)),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                r#"<a href="mailto:contact@example.org" {rel}>e</a>"#
            )),
            "{out}"
        );
        assert!(out.contains(r#"<a href="autre-page">f</a>"#), "{out}");
        let raw = html(r#"<a href="https://example.org" rel="opener">x</a>"#);
        assert!(
            raw.contains(&format!(r#"<a href="https://example.org" {rel}>x</a>"#)),
            "{raw}"
        );
        assert!(is_external("/\\evil.example"));
        assert!(is_external("/\t/evil.example"));
        assert!(!is_external("/wiki/a&amp;b"));
    }

    #[test]
    fn headings_and_blocks_get_anchors() {
        let rendered = render_md(
            "Avant-propos.\n\n# Santé pour tous !\n\nUn.\n\n- a\n- b\n\n## Santé pour tous\n\nDeux.\n\n```\ncode\n```\n\n> cité\n\n| a |\n|---|\n| b |\n\n<div>brut</div>\n",
        );
        let out = &rendered.html;
        assert!(
            out.contains(r#"<p id="intro-p1">Avant-propos.</p>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<h1 id="sante-pour-tous">Santé pour tous !</h1>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<p id="sante-pour-tous-p1">Un.</p>"#),
            "{out}"
        );
        // A list's items are paragraphs: the anchors are on the items, not on the list.
        assert!(
            out.contains("<ul>\n<li id=\"sante-pour-tous-p2\">a</li>\n<li id=\"sante-pour-tous-p3\">b</li>\n</ul>"),
            "{out}"
        );
        assert!(out.contains(r#"<h2 id="sante-pour-tous-2">"#), "{out}");
        assert!(
            out.contains(r#"<p id="sante-pour-tous-2-p1">Deux.</p>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<pre id="sante-pour-tous-2-p2"><code>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<blockquote id="sante-pour-tous-2-p3">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<table id="sante-pour-tous-2-p4">"#),
            "{out}"
        );
        assert!(
            out.contains(
                r#"<span class="block-anchor" id="sante-pour-tous-2-p5"></span><div>brut</div>"#
            ),
            "{out}"
        );
        let anchors: Vec<&str> = rendered
            .paragraphs
            .iter()
            .map(|p| p.anchor.as_str())
            .collect();
        assert_eq!(
            anchors,
            [
                "intro-p1",
                "sante-pour-tous",
                "sante-pour-tous-p1",
                "sante-pour-tous-p2",
                "sante-pour-tous-p3",
                "sante-pour-tous-2",
                "sante-pour-tous-2-p1",
                "sante-pour-tous-2-p2",
                "sante-pour-tous-2-p3",
                "sante-pour-tous-2-p4",
                "sante-pour-tous-2-p5",
            ]
        );
    }

    #[test]
    fn anchors_of_a_section_survive_edits_to_another() {
        let before = "# Santé\n\nA.\n\nB.\n\n# Éducation\n\nC.\n\nD.\n";
        let after =
            "# Santé\n\nA.\n\nNouveau.\n\nB modifié.\n\nEncore.\n\n# Éducation\n\nC.\n\nD.\n";
        let anchors_of = |markdown: &str, text: &str| {
            render_md(markdown)
                .paragraphs
                .into_iter()
                .find(|p| p.lines == [text])
                .map(|p| p.anchor)
        };
        for text in ["C.", "D.", "Éducation", "A."] {
            assert_eq!(anchors_of(before, text), anchors_of(after, text), "{text}");
        }
        assert_eq!(anchors_of(after, "D.").as_deref(), Some("education-p2"));
    }

    #[test]
    fn blocks_without_text_are_neither_numbered_nor_anchored() {
        let rendered = render_md("Un.\n\n---\n\n<!-- note -->\n\nDeux.\n");
        let numbers: Vec<(usize, &str)> = rendered
            .paragraphs
            .iter()
            .map(|p| (p.number, p.anchor.as_str()))
            .collect();
        assert_eq!(numbers, [(1, "intro-p1"), (2, "intro-p2")]);
        assert!(rendered.html.contains("<hr>"), "{}", rendered.html);
        assert!(!rendered.html.contains("note"), "{}", rendered.html);
    }

    #[test]
    fn toc_lists_headings_down_to_level_three() {
        let rendered = render_md(
            "# Programme\n\n## Santé *pour* tous\n\n### L'hôpital `public`\n\n#### Détail\n\n## Santé pour tous\n",
        );
        let toc: Vec<(u8, &str, &str)> = rendered
            .toc
            .iter()
            .map(|e| (e.level, e.text.as_str(), e.anchor.as_str()))
            .collect();
        assert_eq!(
            toc,
            [
                (1, "Programme", "programme"),
                (2, "Santé pour tous", "sante-pour-tous"),
                (3, "L'hôpital public", "l-hopital-public"),
                (2, "Santé pour tous", "sante-pour-tous-2"),
            ]
        );
        assert!(
            rendered.html.contains(r#"<h4 id="detail">Détail</h4>"#),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn slugify_folds_accents_and_punctuation() {
        assert_eq!(slugify("Santé pour tous !"), "sante-pour-tous");
        assert_eq!(
            slugify("L'Économie & l'Œuvre — « sociale »"),
            "l-economie-l-oeuvre-sociale"
        );
        assert_eq!(
            slugify("  Ça, c'est NOËL ; déjà-vu ?  "),
            "ca-c-est-noel-deja-vu"
        );
        assert_eq!(slugify("Straße 2017"), "strasse-2017");
        assert_eq!(slugify("Sante\u{301} décomposée"), "sante-decomposee");
        assert_eq!(slugify("Δημοκρατία"), "δημοκρατία");
        assert_eq!(slugify("?!…"), "");
        assert_eq!(slugify(""), "");
    }

    #[test]
    fn untitled_headings_still_get_an_anchor() {
        let rendered = render_md("# ???\n\nTexte.\n");
        assert!(
            rendered.html.contains(r#"<h1 id="section">???</h1>"#),
            "{}",
            rendered.html
        );
        assert!(
            rendered.html.contains(r#"<p id="section-p1">"#),
            "{}",
            rendered.html
        );
    }

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

    #[test]
    fn headings_are_nested_under_the_page_title() {
        let rendered = render_md(
            "# Un\n\n## Deux\n\n###### Six\n\nPas <h1> ni `<h2>` : <b>texte</b>, h1.\n\n<h1 class=\"x\">brut</h1>\n",
        );
        let out = nest_headings(&rendered.html, 1);
        assert!(out.contains(r#"<h2 id="un">Un</h2>"#), "{out}");
        assert!(out.contains(r#"<h3 id="deux">Deux</h3>"#), "{out}");
        assert!(out.contains(r#"<h4 id="six">Six</h4>"#), "no jump: {out}");
        assert!(out.contains("<h2>brut</h2>"), "{out}");
        assert!(out.contains("&lt;h2&gt;"), "text stays text: {out}");
        assert!(!out.contains("<h1"), "{out}");
        assert_eq!(
            rendered.toc[0].level, 1,
            "the outline keeps the text's levels"
        );

        // A text that starts at `###` starts right under the page's title.
        let out = nest_headings(&html("### Santé\n\n#### Hôpitaux\n\n### Éducation\n"), 1);
        assert!(out.contains(r#"<h2 id="sante">Santé</h2>"#), "{out}");
        assert!(out.contains(r#"<h3 id="hopitaux">Hôpitaux</h3>"#), "{out}");
        assert!(
            out.contains(r#"<h2 id="education">Éducation</h2>"#),
            "{out}"
        );
        // Never past h6.
        let deep: String = (1..=6)
            .map(|l| format!("{} T{l}\n\n", "#".repeat(l)))
            .collect();
        let out = nest_headings(&html(&deep), 3);
        assert!(
            out.contains(r#"<h6 id="t6">T6</h6>"#) && !out.contains("<h7"),
            "{out}"
        );
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

    #[test]
    fn wiki_links_resolve_to_pages_or_creation() {
        let out = html(
            "Voir [[Santé publique]], [[sante/Hôpital]], [[Page|ce texte]], [[Nouvelle page]] et `[[Code]]`.",
        );
        assert!(
            out.contains(r#"<a href="/wiki/sante-publique" class="wikilink">Santé publique</a>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<a href="/wiki/sante/hopital" class="wikilink">sante/Hôpital</a>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<a href="/wiki/page" class="wikilink">ce texte</a>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<a href="/wiki/new?title=nouvelle-page" class="wikilink missing">Nouvelle page</a>"#),
            "{out}"
        );
        assert!(out.contains("<code>[[Code]]</code>"), "{out}");
    }

    #[test]
    fn wiki_links_are_listed_once_and_not_from_code() {
        let links = wiki_links(
            "[[Santé]] [[sante/Hôpital|l'hôpital]] [[Santé]] `[[Code]]`\n\n```\n[[Bloc]]\n```\n\n    [[Indenté]]\n\n[[/Racine]]",
        );
        assert_eq!(
            links,
            [
                WikiTarget {
                    theme: None,
                    title: "Santé".into()
                },
                WikiTarget {
                    theme: Some("sante".into()),
                    title: "Hôpital".into()
                },
                WikiTarget {
                    theme: None,
                    title: "/Racine".into()
                },
            ]
        );
    }

    #[test]
    fn wiki_links_in_tables_escape_their_pipe() {
        let markdown = "| Voir |\n|---|\n| [[sante/Hôpital\\|l'hôpital]] |\n";
        let out = html(markdown);
        assert!(
            out.contains(
                r#"<td><a href="/wiki/sante/hopital" class="wikilink">l'hôpital</a></td>"#
            ),
            "{out}"
        );
        let target = WikiTarget {
            theme: Some("sante".into()),
            title: "Hôpital".into(),
        };
        assert_eq!(wiki_links(markdown), [target]);
        assert_eq!(parse_wiki_target(r"a\*b\c\\\*\").title, r"a*b\c\*");
    }

    #[test]
    fn a_hostile_wiki_resolution_is_sanitised_too() {
        let hostile = |_: &WikiTarget| WikiResolution::Existing {
            href: "javascript:alert(1)\" onclick=\"alert(1)".into(),
        };
        let out = render("[[Page]]", &RenderOptions::new(&hostile)).html;
        assert!(!out.contains("javascript"), "{out}");
        assert!(
            !attribute_names(&out).iter().any(|n| n.starts_with("on")),
            "{out}"
        );
    }

    #[test]
    fn footnotes_link_both_ways_and_survive_sanitising() {
        let rendered =
            render_md("# Titre\n\nTexte[^n] et[^2] encore[^n].\n\n[^2]: Deux.\n[^n]: Note.\n");
        let out = &rendered.html;
        assert!(
            out.contains(
                r##"Texte<sup class="footnote-ref"><a href="#fn-n" id="fnref-n">1</a></sup>"##
            ),
            "{out}"
        );
        assert!(
            out.contains(
                r##"et<sup class="footnote-ref"><a href="#fn-2" id="fnref-2">2</a></sup>"##
            ),
            "{out}"
        );
        assert!(
            out.contains(r##"encore<sup class="footnote-ref"><a href="#fn-n">1</a></sup>"##),
            "{out}"
        );
        assert!(
            out.contains(
                r#"<div class="footnote-definition" id="fn-n"><sup class="footnote-label">1</sup>"#
            ),
            "{out}"
        );
        assert!(
            out.contains(r##"<a href="#fnref-n" class="footnote-backref">↩</a></div>"##),
            "{out}"
        );
        let texts: Vec<(&str, &[String])> = rendered
            .paragraphs
            .iter()
            .map(|p| (p.anchor.as_str(), p.lines.as_slice()))
            .collect();
        assert_eq!(texts[1].0, "titre-p1");
        assert_eq!(texts[1].1, ["Texte[1] et[2] encore[1]."]);
        assert_eq!(texts[2].0, "fn-2");
        assert_eq!(texts[2].1, ["[2] Deux."]);
        assert_eq!(texts[3].0, "fn-n");
        assert_eq!(texts[3].1, ["[1] Note."]);
    }

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
    fn fenced_code_keeps_its_language_class_only() {
        let out = html("```rust\nfn main() {}\n```\n");
        assert!(out.contains(r#"<code class="language-rust">"#), "{out}");
        assert_eq!(filter_classes("code", "language-x\" onclick=y"), None);
        assert_eq!(filter_classes("p", "language-rust"), None);
    }

    #[test]
    fn commonmark_plain_has_no_anchors() {
        let out = render_commonmark_plain("# Titre\n\nTexte.\n");
        assert_eq!(out, "<h1>Titre</h1>\n<p>Texte.</p>\n");
    }

    #[test]
    fn deep_markdown_nesting_is_flattened() {
        let out = html(&("> ".repeat(100) + "fond"));
        assert_eq!(out.matches("<blockquote").count(), MAX_CONTAINER_DEPTH);
        assert!(out.contains("fond"), "{out}");
        let list: String = (0..100)
            .map(|level| format!("{}- niveau {level}\n", "  ".repeat(level)))
            .collect();
        let rendered = render_md(&list);
        assert_eq!(
            rendered.html.matches("<ul").count(),
            MAX_CONTAINER_DEPTH / 2
        );
        assert!(rendered.html.contains("niveau 99"), "{}", rendered.html);
        assert_eq!(rendered.paragraphs[0].lines.len(), 100);
    }

    #[test]
    fn raw_html_is_shown_as_text_when_too_deep_or_too_much() {
        let deep = html(&("<div>".repeat(MAX_HTML_DEPTH + 1) + "fond"));
        assert!(!deep.contains("<div"), "{deep}");
        assert!(deep.contains("&lt;div&gt;"), "{deep}");
        let many = html(&"<b>gras</b> ".repeat(MAX_RAW_HTML_TAGS + 1));
        assert!(!many.contains("<b>"), "{}", &many[..200]);
        assert!(
            many.starts_with(r#"<p id="intro-p1">&lt;b&gt;gras&lt;/b&gt; "#),
            "{}",
            &many[..200]
        );
        let some = html(&"<b>gras</b> ".repeat(MAX_RAW_HTML_TAGS));
        assert!(some.contains("<b>gras</b>"), "{}", &some[..200]);
        assert_eq!(
            sanitize(&"<div>".repeat(MAX_HTML_DEPTH + 1)),
            "&lt;div&gt;".repeat(MAX_HTML_DEPTH + 1)
        );
    }

    #[test]
    fn depth_estimate_ignores_unmatched_end_tags() {
        let unmatched = "<i>".repeat(10) + &"</x>".repeat(10);
        assert!(html_depth_exceeds(&unmatched, 9));
        assert!(!html_depth_exceeds(&unmatched, 10));
        let closed = "<div><p><b>x</div>".repeat(100);
        assert!(!html_depth_exceeds(&closed, 3));
        assert!(!html_depth_exceeds(&"<br><img src=x><hr>".repeat(100), 1));
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
