//! The automerge document of a text: its shape, how it is created, loaded and read.
//!
//! The Markdown source lives in a text object under the root key `markdown` (API.md); the other
//! root keys are the server's. Positions count UTF-16 code units, as browsers do.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ChangeHash, LoadOptions, ObjType, ROOT, ReadDoc, TextEncoding};

pub use automerge::ObjId;

pub const MARKDOWN_KEY: &str = "markdown";
pub const ENCODING: TextEncoding = TextEncoding::Utf16CodeUnit;

/// A new document holding `markdown`, and its first save.
pub fn create(markdown: &str) -> Result<(AutoCommit, Vec<u8>), automerge::AutomergeError> {
    let mut doc = AutoCommit::new_with_encoding(ENCODING);
    let obj = doc.put_object(ROOT, MARKDOWN_KEY, ObjType::Text)?;
    doc.splice_text(&obj, 0, 0, markdown)?;
    doc.commit_with(
        CommitOptions::default()
            .with_message("created")
            .with_time(unix_now()),
    );
    let bytes = doc.save();
    Ok((doc, bytes))
}

/// Loads a document from its stored parts (snapshots first, then chunks, in any overlap).
pub fn load<'a>(
    mut parts: impl Iterator<Item = &'a [u8]>,
) -> Result<AutoCommit, automerge::AutomergeError> {
    let first = parts.next().unwrap_or_default();
    let mut doc = AutoCommit::load_with_options(first, LoadOptions::new().text_encoding(ENCODING))?;
    for part in parts {
        doc.load_incremental(part)?;
    }
    Ok(doc)
}

/// The id of the Markdown text object, if the document has one.
pub fn markdown_obj(doc: &AutoCommit) -> Option<ObjId> {
    match doc.get(ROOT, MARKDOWN_KEY) {
        Ok(Some((automerge::Value::Object(ObjType::Text), id))) => Some(id),
        _ => None,
    }
}

pub fn heads_to_strings(heads: &[ChangeHash]) -> Vec<String> {
    heads.iter().map(ToString::to_string).collect()
}

pub fn heads_to_json(heads: &[ChangeHash]) -> String {
    serde_json::to_string(&heads_to_strings(heads)).unwrap_or_else(|_| "[]".into())
}

/// Parses hex change hashes; `None` if one is not a hash.
pub fn parse_heads<S: AsRef<str>>(heads: &[S]) -> Option<Vec<ChangeHash>> {
    heads.iter().map(|h| h.as_ref().parse().ok()).collect()
}

pub fn heads_from_json(json: &str) -> Option<Vec<ChangeHash>> {
    let list: Vec<String> = serde_json::from_str(json).ok()?;
    parse_heads(&list)
}

pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_code_units_as_browsers_do() {
        let (mut doc, bytes) = create("é😀a").unwrap();
        let obj = markdown_obj(&doc).unwrap();
        // "é" is 1 unit, "😀" 2: index 3 is just before "a".
        doc.splice_text(&obj, 3, 0, "!").unwrap();
        assert_eq!(doc.text(&obj).unwrap(), "é😀!a");
        let reloaded = load([bytes.as_slice()].into_iter()).unwrap();
        assert_eq!(
            reloaded.text(markdown_obj(&reloaded).unwrap()).unwrap(),
            "é😀a"
        );
    }

    #[test]
    fn heads_round_trip_through_json() {
        let (mut doc, _) = create("x").unwrap();
        let heads = doc.get_heads();
        assert_eq!(heads_from_json(&heads_to_json(&heads)), Some(heads));
        assert_eq!(parse_heads(&["zz"]), None);
    }
}
