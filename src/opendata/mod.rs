//! The open-data export for researchers (issue 14, point 7): every public item as JSON Lines
//! and CSV, with a data dictionary. `atelier export public` writes the files into a folder; the
//! site's `/open-data` page streams each one, generated on request from the database. Both go
//! through [`write`], so a download is the very file the command line writes.
//!
//! Public means what anyone, signed out, may see on the site: the texts of the groups anyone
//! may see (`indexing::visible_to_anyone`, the rule the search index follows), their amendments
//! but drafts (`AmendmentRights::may_see` for nobody), and every archived debate. Never an
//! email, a member's name or id, a supporter's name, a declared gender, nor anything of a group
//! only its members see. Rows are read a page at a time and written as they come: memory stays
//! bounded whatever the size of the party. Every file comes out in id order, so two exports of
//! the same data are the same bytes.

mod dictionary;
mod records;

use std::collections::HashMap;

use async_trait::async_trait;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::AmendmentRights;
use crate::indexing::visible_to_anyone;
use crate::model::{AmendmentId, DebateId, GroupId};
use crate::store::{Db, GroupRow, TextRow};

pub use dictionary::dictionary;
pub use records::{
    AMENDMENT_COLUMNS, AmendmentRecord, Column, DEBATE_COLUMNS, DebateRecord, TEXT_COLUMNS,
    TextRecord,
};

/// The files of the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFile {
    TextsJsonl,
    TextsCsv,
    AmendmentsJsonl,
    AmendmentsCsv,
    DebatesJsonl,
    DebatesCsv,
    Dictionary,
}

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    Texts,
    Amendments,
    Debates,
}

impl Dataset {
    pub const ALL: [Dataset; 3] = [Dataset::Texts, Dataset::Amendments, Dataset::Debates];

    pub fn code(self) -> &'static str {
        match self {
            Dataset::Texts => "texts",
            Dataset::Amendments => "amendments",
            Dataset::Debates => "debates",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Dataset::Texts => TEXT_COLUMNS,
            Dataset::Amendments => AMENDMENT_COLUMNS,
            Dataset::Debates => DEBATE_COLUMNS,
        }
    }
}

impl DataFile {
    pub const ALL: [DataFile; 7] = [
        DataFile::TextsJsonl,
        DataFile::TextsCsv,
        DataFile::AmendmentsJsonl,
        DataFile::AmendmentsCsv,
        DataFile::DebatesJsonl,
        DataFile::DebatesCsv,
        DataFile::Dictionary,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DataFile::TextsJsonl => "texts.jsonl",
            DataFile::TextsCsv => "texts.csv",
            DataFile::AmendmentsJsonl => "amendments.jsonl",
            DataFile::AmendmentsCsv => "amendments.csv",
            DataFile::DebatesJsonl => "debates.jsonl",
            DataFile::DebatesCsv => "debates.csv",
            DataFile::Dictionary => "DICTIONARY.md",
        }
    }

    pub fn from_name(name: &str) -> Option<DataFile> {
        DataFile::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            DataFile::TextsJsonl | DataFile::AmendmentsJsonl | DataFile::DebatesJsonl => {
                "application/jsonl; charset=utf-8"
            }
            DataFile::TextsCsv | DataFile::AmendmentsCsv | DataFile::DebatesCsv => {
                "text/csv; charset=utf-8"
            }
            DataFile::Dictionary => "text/markdown; charset=utf-8",
        }
    }

    /// What it holds and in which format (`None`: the dictionary).
    pub fn dataset(self) -> Option<(Dataset, Format)> {
        match self {
            DataFile::TextsJsonl => Some((Dataset::Texts, Format::Jsonl)),
            DataFile::TextsCsv => Some((Dataset::Texts, Format::Csv)),
            DataFile::AmendmentsJsonl => Some((Dataset::Amendments, Format::Jsonl)),
            DataFile::AmendmentsCsv => Some((Dataset::Amendments, Format::Csv)),
            DataFile::DebatesJsonl => Some((Dataset::Debates, Format::Jsonl)),
            DataFile::DebatesCsv => Some((Dataset::Debates, Format::Csv)),
            DataFile::Dictionary => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

/// Where a file's bytes go: a file on disk (the command line) or a response being streamed
/// (the site), which waits while the client is slow.
#[async_trait]
pub trait Sink: Send {
    async fn write(&mut self, bytes: Vec<u8>) -> anyhow::Result<()>;
}

/// UTF-8's byte-order mark, by which spreadsheets know a CSV's encoding.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Rows read from the database at once.
const PAGE: i64 = 200;

/// Writes `file` to `sink`; answers how many rows it wrote. `progress` is told the rows
/// written so far.
pub async fn write(
    db: &Db,
    file: DataFile,
    sink: &mut dyn Sink,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<u64> {
    let Some((dataset, format)) = file.dataset() else {
        sink.write(dictionary().into_bytes()).await?;
        return Ok(0);
    };
    let mut out = Out {
        sink,
        format,
        rows: 0,
        progress,
    };
    if format == Format::Csv {
        let mut header = BOM.to_vec();
        header.extend(csv_line(dataset.columns().iter().map(|c| c.name))?);
        out.sink.write(header).await?;
    }
    match dataset {
        Dataset::Texts => texts(db, &mut out).await?,
        Dataset::Amendments => amendments(db, &mut out).await?,
        Dataset::Debates => debates(db, &mut out).await?,
    }
    Ok(out.rows)
}

/// A file being written: each record as a JSON line or a CSV row.
struct Out<'a> {
    sink: &'a mut dyn Sink,
    format: Format,
    rows: u64,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl Out<'_> {
    async fn record<R: serde::Serialize>(
        &mut self,
        record: &R,
        cells: Vec<String>,
    ) -> anyhow::Result<()> {
        let bytes = match self.format {
            Format::Jsonl => {
                let mut line = serde_json::to_vec(record)?;
                line.push(b'\n');
                line
            }
            Format::Csv => csv_line(cells.iter().map(|c| neutralised(c)))?,
        };
        self.sink.write(bytes).await?;
        self.rows += 1;
        (self.progress)(self.rows);
        Ok(())
    }
}

/// One CSV record (quoted as needed, CRLF after it, as spreadsheets expect).
fn csv_line<I, S>(cells: I) -> anyhow::Result<Vec<u8>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(cells)?;
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("csv: {}", e.error()))
}

/// A cell a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`: shown as typed, never run. The JSON Lines files keep
/// every value exactly (`DICTIONARY.md` says so), as the amendments' CSV export does.
fn neutralised(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The groups anyone may see, by id.
async fn public_groups(db: &Db) -> anyhow::Result<HashMap<GroupId, GroupRow>> {
    let mut public = HashMap::new();
    for group in db.all_groups().await?.iter() {
        if visible_to_anyone(db, group).await? {
            public.insert(group.group_id, group.clone());
        }
    }
    Ok(public)
}

/// The texts of the public groups, by id (their rows only: the Markdown is read one text at a
/// time).
async fn public_texts(
    db: &Db,
    groups: &HashMap<GroupId, GroupRow>,
) -> anyhow::Result<Vec<TextRow>> {
    let mut texts = Vec::new();
    for group in groups.keys() {
        texts.extend(db.texts_of_group(*group).await?);
    }
    texts.sort_by_key(|t| t.text_id);
    Ok(texts)
}

async fn texts(db: &Db, out: &mut Out<'_>) -> anyhow::Result<()> {
    let groups = public_groups(db).await?;
    for text in public_texts(db, &groups).await? {
        let Some(group) = groups.get(&text.group_id) else {
            continue;
        };
        let markdown = db.text_markdown(text.text_id).await?.unwrap_or_default();
        let record = TextRecord {
            id: text.text_id.to_string(),
            group_id: group.group_id.to_string(),
            group_name: group.name.clone(),
            group_kind: group.kind.code(),
            kind: text.kind.code(),
            status: text.status.code(),
            title: text.title,
            slug: text.slug,
            page: format!("/texts/{}", text.text_id),
            created_at: rfc3339(text.created_at),
            updated_at: rfc3339(text.updated_at),
            markdown,
        };
        let cells = record.cells();
        out.record(&record, cells).await?;
    }
    Ok(())
}

async fn amendments(db: &Db, out: &mut Out<'_>) -> anyhow::Result<()> {
    let groups = public_groups(db).await?;
    for text in public_texts(db, &groups).await? {
        let mut supporters: HashMap<AmendmentId, usize> = HashMap::new();
        for (amendment, _) in db.text_amendment_supporters(text.text_id).await? {
            *supporters.entry(amendment).or_default() += 1;
        }
        let mut rows = db.amendments_of_text(text.text_id, None).await?;
        rows.sort_by_key(|a| a.amendment_id);
        for a in rows {
            if !AmendmentRights::may_see(None, a.author_id, a.status) {
                continue;
            }
            let on_behalf_of = a.on_behalf_of.and_then(|g| groups.get(&g));
            let record = AmendmentRecord {
                id: a.amendment_id.to_string(),
                text_id: a.text_id.to_string(),
                number: a.number,
                reference: a.reference,
                status: a.status.code(),
                parent_id: a.parent_id.map(|p| p.to_string()),
                on_behalf_of_group_id: on_behalf_of.map(|g| g.group_id.to_string()),
                on_behalf_of_group: on_behalf_of.map(|g| g.name.clone()),
                supporter_count: supporters.get(&a.amendment_id).copied().unwrap_or(0),
                original: a.original,
                replacement: a.replacement,
                rationale: a.rationale,
                superseded_by: a.superseded_by.map(|s| s.to_string()),
                page: format!("/amendments/{}", a.amendment_id),
                created_at: rfc3339(a.created_at),
                updated_at: rfc3339(a.updated_at),
            };
            let cells = record.cells();
            out.record(&record, cells).await?;
        }
    }
    Ok(())
}

async fn debates(db: &Db, out: &mut Out<'_>) -> anyhow::Result<()> {
    let groups = public_groups(db).await?;
    let mut after = DebateId(0);
    loop {
        let page = db.debates_after(after, PAGE).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.debate_id;
        for d in page {
            let group = d.group_id.and_then(|g| groups.get(&g));
            let record = DebateRecord {
                id: d.debate_id.to_string(),
                date: d.held_on,
                time: d.held_at.map(rfc3339),
                place: d.place,
                group_id: group.map(|g| g.group_id.to_string()),
                group_name: group.map(|g| g.name.clone()),
                speaker: d.speaker,
                title: d.title,
                text: d.body,
                url: d.url,
                convention: d.convention,
                page: format!("/debates/{}", d.debate_id),
                import_batch: d.debate_import_id.to_string(),
                imported_at: rfc3339(d.imported_at),
            };
            let cells = record.cells();
            out.record(&record, cells).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_named_once() {
        for file in DataFile::ALL {
            assert_eq!(DataFile::from_name(file.name()), Some(file));
        }
        assert_eq!(DataFile::from_name("../atelier.db"), None);
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(neutralised("=1+1"), "'=1+1");
        assert_eq!(neutralised("-2"), "'-2");
        assert_eq!(neutralised("a=b"), "a=b");
        let line = csv_line(["a,b", "c\"d", "e\nf"]).unwrap();
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "\"a,b\",\"c\"\"d\",\"e\nf\"\r\n"
        );
    }
}
