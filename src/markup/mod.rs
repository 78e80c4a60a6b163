//! Markup: Markdown → safe HTML for programme chapters, motions and wiki pages, the numbered
//! paragraphs and lines they are cited by, wiki-link parsing, and diffs between two versions.
//!
//! Members write Markdown; readers get sanitised HTML, a table of contents and a numbered
//! plain-text view for citing ("paragraph 12, line 3", as convention amendment tools do).
//! One parse feeds all three, so the numbers in the citing view always match the anchors in
//! the reading view, and each paragraph and line knows the passage of the Markdown it shows,
//! in bytes and in UTF-16 code units ([`SourceRange`]; see "Source ranges" in
//! `numbering.rs`).
//!
//! **A layer below `text` and `collab`:** this module imports nothing from the rest of the crate
//! (no database, no HTTP, no documents): it works on strings, and everything above it calls it.
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
//! # The parts
//!
//! * `render.rs` — the walk over the blocks that makes the HTML, the table of contents and the
//!   paragraphs; `render_commonmark_plain` for the conformance test.
//! * `anchors.rs` — slugs, unique ids, sections; `footnotes.rs` — their numbers, ids and HTML.
//! * `numbering.rs` — paragraphs, wrapped lines, the citing view's HTML, and the definition of a
//!   paragraph's and a line's source; `plain.rs` — a block's plain text, line by line;
//!   `trace.rs` — plain text that maps each character back to the Markdown;
//!   `source_map.rs` — byte and UTF-16 offsets.
//! * `depth.rs` — the nesting guard: the HTML parser under ammonia takes time in the square of
//!   the nesting depth, so lists and quotes nested more than 32 containers deep are flattened,
//!   and raw HTML is shown as text in a text holding more than 1,000 raw tags or nesting more
//!   than 128 elements deep. The worst 900 KB texts tried then render in 1 to 3 seconds, where
//!   80,000 nested `<div>`s alone took 13 seconds to sanitise.
//! * `sanitize.rs` — the sanitiser policy, which every fragment shown goes through.
//! * `outline.rs` — the text's headings placed under the page's title.
//! * `wikilinks.rs` — `[[links]]` and their targets (resolving them is `text::wiki`'s).
//! * `diff.rs` — word diff of two Markdown sources; `rendered_diff.rs` — the same on the
//!   rendered HTML.

mod anchors;
mod block;
mod depth;
mod diff;
mod footnotes;
mod numbering;
mod outline;
mod parse;
mod plain;
mod render;
mod rendered_diff;
mod sanitize;
mod source_map;
#[cfg(test)]
mod test_support;
mod trace;
mod wikilinks;

pub use anchors::slugify;
pub use block::BlockKind;
pub use diff::{WordDiff, word_diff};
pub use numbering::{DEFAULT_LINE_WIDTH, Paragraph, numbered_html};
pub use outline::nest_headings;
pub use render::{
    RenderOptions, Rendered, TocEntry, render, render_commonmark_plain, render_numbered,
};
pub use rendered_diff::{RenderedDiff, rendered_diff};
pub use sanitize::sanitize;
pub use source_map::{SourceMap, SourceRange};
pub use wikilinks::{WikiResolution, WikiTarget, wiki_links};
