//! The tantivy schema shared by every kind of document.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

use crate::analyzers::{ENGLISH, ENGLISH_WORDS, FRENCH, FRENCH_WORDS, PLAIN};

/// Bump whenever `build` changes in a way an existing index cannot follow (a field added,
/// removed or re-optioned, an analyzer changed): opening an older index then fails with
/// [`crate::SearchError::SchemaMismatch`] and the server asks for `atelier reindex`.
pub const SCHEMA_VERSION: u32 = 3;

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
    /// The document's language, "fr" or "en" (STRING | STORED | FAST).
    pub const LANGUAGE: &str = "language";
    /// Title of a French document, French analyzer, stored.
    pub const TITLE: &str = "title";
    /// Body of a French document, French analyzer, stored.
    pub const BODY: &str = "body";
    /// Title of an English document, English analyzer, stored.
    pub const TITLE_EN: &str = "title_en";
    /// Body of an English document, English analyzer, stored.
    pub const BODY_EN: &str = "body_en";
    /// The words of a French document's title and body as written (folded, not stemmed), for
    /// typos and prefixes (doc ids only, not stored).
    pub const WORDS: &str = "words";
    /// The same for an English document.
    pub const WORDS_EN: &str = "words_en";
    /// Place in the party, a facet: /federation-slug/section-slug (always fast).
    pub const PLACE: &str = "place";
    /// The place's words, plain analyzer, for `place:lyon` (not stored).
    pub const PLACE_TEXT: &str = "place_text";
    /// The group that owns the document (STRING | STORED | FAST).
    pub const GROUP_ID: &str = "group_id";
    /// Theme, e.g. "Santé" (STRING | STORED | FAST).
    pub const THEME: &str = "theme";
    /// Convention (congress) the document belongs to (STRING | STORED | FAST).
    pub const CONVENTION: &str = "convention";
    /// Status, e.g. "adopted" (STRING | STORED | FAST).
    pub const STATUS: &str = "status";
    /// Author, as given (STRING | STORED).
    pub const AUTHOR: &str = "author";
    /// The author's words, plain analyzer, for `author:dupont` (not stored).
    pub const AUTHOR_TEXT: &str = "author_text";
    /// Who may see the document: one grant per value, e.g. "public", "group:12" (STRING).
    pub const READERS: &str = "readers";
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
    pub language: Field,
    pub title: Field,
    pub body: Field,
    pub title_en: Field,
    pub body_en: Field,
    pub words: Field,
    pub words_en: Field,
    pub place: Field,
    pub place_text: Field,
    pub group_id: Field,
    pub theme: Field,
    pub convention: Field,
    pub status: Field,
    pub author: Field,
    pub author_text: Field,
    pub readers: Field,
    pub date: Field,
    pub url: Field,
}

fn analysed(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

/// The schema, and its fields.
pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let positions = IndexRecordOption::WithFreqsAndPositions;
    // Names and places are matched word by word, never as phrases: no positions to store.
    let words = IndexRecordOption::WithFreqs;
    let keyword = STRING | STORED | FAST;
    let fields = Fields {
        doc_key: builder.add_text_field(names::DOC_KEY, STRING | STORED),
        source: builder.add_text_field(names::SOURCE, STRING | STORED),
        label: builder.add_text_field(names::LABEL, STORED),
        kind: builder.add_text_field(names::KIND, keyword.clone()),
        language: builder.add_text_field(names::LANGUAGE, keyword.clone()),
        title: builder.add_text_field(names::TITLE, analysed(FRENCH, positions).set_stored()),
        body: builder.add_text_field(names::BODY, analysed(FRENCH, positions).set_stored()),
        title_en: builder
            .add_text_field(names::TITLE_EN, analysed(ENGLISH, positions).set_stored()),
        body_en: builder.add_text_field(names::BODY_EN, analysed(ENGLISH, positions).set_stored()),
        // Matched by typos and prefixes only, which need no frequencies nor positions.
        words: builder.add_text_field(
            names::WORDS,
            analysed(FRENCH_WORDS, IndexRecordOption::Basic),
        ),
        words_en: builder.add_text_field(
            names::WORDS_EN,
            analysed(ENGLISH_WORDS, IndexRecordOption::Basic),
        ),
        place: builder.add_facet_field(names::PLACE, FacetOptions::default().set_stored()),
        place_text: builder.add_text_field(names::PLACE_TEXT, analysed(PLAIN, words)),
        group_id: builder.add_text_field(names::GROUP_ID, keyword.clone()),
        theme: builder.add_text_field(names::THEME, keyword.clone()),
        convention: builder.add_text_field(names::CONVENTION, keyword.clone()),
        status: builder.add_text_field(names::STATUS, keyword),
        author: builder.add_text_field(names::AUTHOR, STRING | STORED),
        author_text: builder.add_text_field(names::AUTHOR_TEXT, analysed(PLAIN, words)),
        readers: builder.add_text_field(names::READERS, STRING),
        date: builder.add_date_field(names::DATE, INDEXED | STORED | FAST),
        url: builder.add_text_field(names::URL, STORED),
    };
    (builder.build(), fields)
}

/// The language a document is written in: which analyzer reads it. A query searches both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Language {
    /// French (the default): elisions, accents folded, French stemming.
    #[default]
    French,
    /// English: English stop words and stemming.
    English,
}

impl Language {
    /// "fr" or "en", as stored in the index and shown in hits.
    pub fn code(self) -> &'static str {
        match self {
            Language::French => "fr",
            Language::English => "en",
        }
    }

    /// The language of a code ("fr", "en", case-insensitive; also "français", "english").
    pub fn parse(code: &str) -> Option<Language> {
        match code.trim().to_lowercase().as_str() {
            "fr" | "fra" | "fre" | "french" | "français" | "francais" => Some(Language::French),
            "en" | "eng" | "english" | "anglais" => Some(Language::English),
            _ => None,
        }
    }
}
