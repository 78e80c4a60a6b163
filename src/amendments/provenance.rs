//! « D'où vient ce passage ? » (issue 13, « Provenance »): for every paragraph of a text, the
//! passages merged amendments wrote, each with its amendment — read from the document's own
//! history, not from a copy: the characters' inserting operations lead to the changes that hold
//! them, whose messages name the amendments (`merge::merge_message`; `Hub::provenance` keeps
//! only the server's own changes, so a member cannot forge one). Nothing is cached: each read
//! walks the document once (one pass over its changes, one over its characters).

use std::collections::HashMap;

use crate::collab::Hub;
use crate::error::AppResult;
use crate::store::{AmendmentRow, Db};

use super::merge::merged_numbers;
use super::{AmendableText, numbered_paragraphs};

/// A run of a paragraph that merged amendments wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenPassage {
    /// Its UTF-16 range in the paragraph's Markdown.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The amendments the change that wrote it merged (two for a combined wording), by number.
    pub numbers: Vec<i64>,
}

/// A paragraph of the numbered view with the passages merged amendments wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParagraphProvenance {
    pub number: usize,
    /// Its Markdown source.
    pub markdown: String,
    pub passages: Vec<WrittenPassage>,
}

/// A text's provenance: its paragraphs, and the amendments their passages lead to.
#[derive(Debug, Clone)]
pub struct TextProvenance {
    pub paragraphs: Vec<ParagraphProvenance>,
    /// Every amendment some passage leads to, by number.
    pub amendments: Vec<AmendmentRow>,
}

/// Reads who wrote what in `ctx`'s text now.
pub async fn provenance(db: &Db, hub: &Hub, ctx: &AmendableText) -> AppResult<TextProvenance> {
    let text = ctx.text.text.text_id;
    let written = hub.provenance(text).await.map_err(crate::text::hub_error)?;
    // The messages that name amendments; the server's other changes (a restored version) name
    // none.
    let named: Vec<Option<Vec<i64>>> = written.messages.iter().map(|m| merged_numbers(m)).collect();
    let rows: HashMap<i64, AmendmentRow> = db
        .amendments_of_text(text, None)
        .await?
        .into_iter()
        .map(|row| (row.number, row))
        .collect();
    let paragraphs = numbered_paragraphs(written.markdown.clone()).await?;
    let units: Vec<u16> = written.markdown.encode_utf16().collect();
    let mut out = Vec::with_capacity(paragraphs.len());
    let mut spans = written.spans.iter().peekable();
    let mut cited: Vec<i64> = Vec::new();
    for paragraph in paragraphs {
        let range = paragraph.source.utf16.clone();
        let mut passages = Vec::new();
        // Spans are in order: those ending before this paragraph are behind us for good; one
        // crossing its end is looked at again for the next paragraph.
        while let Some((span, _)) = spans.peek() {
            if span.end <= range.start {
                spans.next();
            } else {
                break;
            }
        }
        for (span, message) in spans.clone() {
            if span.start >= range.end {
                break;
            }
            let Some(Some(numbers)) = named.get(*message) else {
                continue;
            };
            // Only amendments of this text: a message naming another number is not ours.
            let numbers: Vec<i64> = numbers
                .iter()
                .copied()
                .filter(|n| rows.contains_key(n))
                .collect();
            if numbers.is_empty() {
                continue;
            }
            let start = span.start.max(range.start);
            let end = span.end.min(range.end);
            if start >= end {
                continue;
            }
            cited.extend(&numbers);
            passages.push(WrittenPassage {
                start: start - range.start,
                end: end - range.start,
                text: String::from_utf16_lossy(&units[start..end]),
                numbers,
            });
        }
        out.push(ParagraphProvenance {
            number: paragraph.number,
            markdown: String::from_utf16_lossy(&units[range]),
            passages,
        });
    }
    cited.sort_unstable();
    cited.dedup();
    let amendments = cited
        .into_iter()
        .filter_map(|n| rows.get(&n).cloned())
        .collect();
    Ok(TextProvenance {
        paragraphs: out,
        amendments,
    })
}
