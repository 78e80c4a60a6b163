//! How the Markdown is parsed: one set of pulldown-cmark options for every reader of a text
//! (the reading view, the numbering, the wiki links), so that they all see the same blocks.

use pulldown_cmark::Options;

pub(super) fn reading_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_WIKILINKS
}
