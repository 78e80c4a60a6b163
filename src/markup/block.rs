//! What kind of top-level block a numbered paragraph is: the numbering, the anchors and the
//! reading view's markup all name it.

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
