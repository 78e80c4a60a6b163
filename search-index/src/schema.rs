//! The tantivy schema shared by every kind of document.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

use crate::analyzers::{ENGLISH, FRENCH};

/// Bump whenever [`build`] changes in a way an existing index cannot follow (a field added,
/// removed or re-optioned, an analyzer changed): opening an older index then fails with
/// [`crate::SearchError::SchemaMismatch`] and the server asks for `atelier reindex`.
pub const SCHEMA_VERSION: u32 = 2;

/// The file, beside tantivy's own files, that records [`SCHEMA_VERSION`].
pub const SCHEMA_VERSION_FILE: &str = "atelier-schema-version";

/// Field names, for whoever needs to write a query against a specific field.
pub mod names {
    /// Unique key, e.g. "group:12", "paragraph:5:3" (STRING | STORED).
    pub const DOC_KEY: &str = "doc_key";
    /// What the document was made from, e.g. "text:5" for a text's title and each of its
    /// paragraphs: a source's documents are replaced together (STRING | STORED).
    pub const SOURCE: &str = "source";
    /// What a hit shows as its title when the indexed title is not it (a paragraph shows its
    /// text's title but is not found by it) (STORED only).
    pub const LABEL: &str = "label";
    /// Kind of document: "group", "text", "paragraph", "amendment", … (STRING | STORED | FAST).
    pub const KIND: &str = "kind";
    /// Title, French analyzer, stored.
    pub const TITLE: &str = "title";
    /// Body, French analyzer, stored.
    pub const BODY: &str = "body";
    /// Body again, English analyzer, not stored.
    pub const BODY_EN: &str = "body_en";
    /// Place in the party, a facet: /federation-slug/section-slug.
    pub const PLACE: &str = "place";
    /// The group that owns the document (STRING | STORED | FAST).
    pub const GROUP_ID: &str = "group_id";
    /// Status, e.g. "adopted" (STRING | STORED).
    pub const STATUS: &str = "status";
    /// Author (STRING | STORED).
    pub const AUTHOR: &str = "author";
    /// Date, seconds precision (INDEXED | STORED | FAST).
    pub const DATE: &str = "date";
    /// Where the document is shown (STORED only).
    pub const URL: &str = "url";
}

/// The fields of [`build`]'s schema.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub doc_key: Field,
    pub source: Field,
    pub label: Field,
    pub kind: Field,
    pub title: Field,
    pub body: Field,
    pub body_en: Field,
    pub place: Field,
    pub group_id: Field,
    pub status: Field,
    pub author: Field,
    pub date: Field,
    pub url: Field,
}

fn analysed(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// The schema, and its fields.
pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        doc_key: builder.add_text_field(names::DOC_KEY, STRING | STORED),
        source: builder.add_text_field(names::SOURCE, STRING | STORED),
        label: builder.add_text_field(names::LABEL, STORED),
        kind: builder.add_text_field(names::KIND, STRING | STORED | FAST),
        title: builder.add_text_field(names::TITLE, analysed(FRENCH).set_stored()),
        body: builder.add_text_field(names::BODY, analysed(FRENCH).set_stored()),
        body_en: builder.add_text_field(names::BODY_EN, analysed(ENGLISH)),
        place: builder.add_facet_field(names::PLACE, FacetOptions::default().set_stored()),
        group_id: builder.add_text_field(names::GROUP_ID, STRING | STORED | FAST),
        status: builder.add_text_field(names::STATUS, STRING | STORED),
        author: builder.add_text_field(names::AUTHOR, STRING | STORED),
        date: builder.add_date_field(names::DATE, INDEXED | STORED | FAST),
        url: builder.add_text_field(names::URL, STORED),
    };
    (builder.build(), fields)
}
