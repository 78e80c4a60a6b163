//! A text's amendments as files (issue 13, point 7): `GET /api/v1/texts/{id}/amendments.csv`
//! and `…/amendments.json`, the same rows (`crate::amendments::export`) in two formats, each a
//! download named after the text. The extension is in the path, as API.md's `booklet.pdf`: an
//! address that says what it gives, which a link on the list page can offer as it is.
//!
//! The CSV is for spreadsheets, Excel first: UTF-8 with a byte-order mark (without it Excel reads
//! Windows-1252 and mangles every accent), CRLF between records, and every text cell that a
//! spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return) prefixed with `'`, which shows the text as typed and runs nothing. The JSON is for
//! programs: the values as they are.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::amendments::{self, ExportedAmendment};
use crate::app::App;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::MaybeMember;
use crate::http::paths::TextPath;
use crate::model::{AmendmentId, AmendmentStatus};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(export_csv))
        .routes(routes!(export_json))
}

/// One amendment of an export.
#[derive(Serialize, ToSchema)]
pub struct ExportedOut {
    id: AmendmentId,
    /// Permanent, per text.
    number: i64,
    /// « § n, lignes a à b » of the version it was filed against.
    reference: String,
    status: AmendmentStatus,
    /// The status in French, as the pages show it.
    status_label: String,
    /// The author's name; null when the viewer may not see the group's members.
    author: Option<String>,
    /// The section or federation it was filed for.
    on_behalf_of: Option<String>,
    supporter_count: usize,
    /// The supporters' names, in the order they signed; empty when the viewer may not see the
    /// group's members.
    supporters: Vec<String>,
    /// The passage when it was filed.
    original: String,
    replacement: String,
    rationale: String,
    /// The passage changed since filing.
    outdated: bool,
    /// The whole passage was deleted since filing.
    orphaned: bool,
    /// The numbers of the other amendments whose ranges overlap this one's.
    overlaps: Vec<i64>,
    /// For a sub-amendment, the number of the amendment it amends (its `original` is then a
    /// passage of that amendment's replacement).
    parent: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
}

impl From<ExportedAmendment> for ExportedOut {
    fn from(a: ExportedAmendment) -> ExportedOut {
        ExportedOut {
            id: a.id,
            number: a.number,
            reference: a.reference,
            status: a.status,
            status_label: a.status.label().to_owned(),
            author: a.author,
            on_behalf_of: a.on_behalf_of,
            supporter_count: a.supporter_count,
            supporters: a.supporters,
            original: a.original,
            replacement: a.replacement,
            rationale: a.rationale,
            outdated: a.outdated,
            orphaned: a.orphaned,
            overlaps: a.overlaps,
            parent: a.parent,
            created_at: a.created_at,
        }
    }
}

/// The CSV's columns, named as the JSON's fields.
const COLUMNS: [&str; 17] = [
    "number",
    "reference",
    "status",
    "status_label",
    "author",
    "on_behalf_of",
    "supporter_count",
    "supporters",
    "original",
    "replacement",
    "rationale",
    "outdated",
    "orphaned",
    "overlaps",
    "parent",
    "created_at",
    "id",
];

/// UTF-8's byte-order mark, by which Excel knows the file's encoding.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A text cell as a spreadsheet will show it and never run: one that would start a formula
/// (or, after a tab or carriage return Excel skips, start one) gets a leading `'`.
fn neutralised(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn csv_error(e: impl Into<anyhow::Error>) -> AppError {
    AppError::Internal(e.into())
}

/// The rows as CSV bytes, the byte-order mark first.
fn to_csv(rows: &[ExportedOut]) -> AppResult<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(BOM.to_vec());
    writer.write_record(COLUMNS).map_err(csv_error)?;
    let yes_no = |b: bool| if b { "true" } else { "false" }.to_owned();
    for a in rows {
        let overlaps: Vec<String> = a.overlaps.iter().map(i64::to_string).collect();
        let created_at = a
            .created_at
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(csv_error)?;
        writer
            .write_record([
                a.number.to_string(),
                neutralised(&a.reference),
                a.status.code().to_owned(),
                neutralised(&a.status_label),
                neutralised(a.author.as_deref().unwrap_or_default()),
                neutralised(a.on_behalf_of.as_deref().unwrap_or_default()),
                a.supporter_count.to_string(),
                neutralised(&a.supporters.join("; ")),
                neutralised(&a.original),
                neutralised(&a.replacement),
                neutralised(&a.rationale),
                yes_no(a.outdated),
                yes_no(a.orphaned),
                overlaps.join(" "),
                a.parent.map(|p| p.to_string()).unwrap_or_default(),
                created_at,
                a.id.to_string(),
            ])
            .map_err(csv_error)?;
    }
    writer.into_inner().map_err(|e| csv_error(e.into_error()))
}

/// The rows of a text's export for the viewer: 404 when the text is hidden from them.
async fn rows(app: &App, viewer: MaybeMember, id: crate::model::TextId) -> AppResult<Rows> {
    let ctx = amendments::load(&app.db, viewer.0.as_ref(), id).await?;
    let rows = amendments::export(&app.db, &app.hub, &ctx).await?;
    // ASCII only in the header's quoted file name; letters a slug keeps beyond it are dropped.
    let slug: String = ctx
        .text
        .text
        .slug
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let base = if slug.is_empty() {
        format!("amendements-texte-{id}")
    } else {
        format!("amendements-{slug}")
    };
    Ok(Rows {
        base,
        rows: rows.into_iter().map(ExportedOut::from).collect(),
    })
}

struct Rows {
    /// The file's name without its extension.
    base: String,
    rows: Vec<ExportedOut>,
}

/// Every amendment of a text the viewer may see (drafts only their author's), by number, as a
/// CSV file for spreadsheets: UTF-8 with a byte-order mark, the columns named as the JSON
/// export's fields, lists joined (supporters by `; `, overlaps by spaces), and text cells that
/// would start a formula prefixed with `'`. Names only for who may see the group's members.
#[utoipa::path(get, path = "/api/v1/texts/{id}/amendments.csv", tag = "amendments",
    params(("id" = String, Path, description = "Text id")),
    responses((status = 200, content_type = "text/csv", body = String,
               description = "CSV, one row per amendment, with a header row; a download named after the text"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_csv(
    State(app): State<App>,
    viewer: MaybeMember,
    TextPath(id): TextPath,
) -> AppResult<Response> {
    let export = rows(&app, viewer, id).await?;
    let body = to_csv(&export.rows)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                crate::http::download::attachment(&export.base, "csv"),
            ),
        ],
        body,
    )
        .into_response())
}

/// Every amendment of a text the viewer may see (drafts only their author's), by number, as a
/// JSON file: the same rows as the CSV. Names only for who may see the group's members.
#[utoipa::path(get, path = "/api/v1/texts/{id}/amendments.json", tag = "amendments",
    params(("id" = String, Path, description = "Text id")),
    responses((status = 200, body = Vec<ExportedOut>, description = "A download named after the text"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_json(
    State(app): State<App>,
    viewer: MaybeMember,
    TextPath(id): TextPath,
) -> AppResult<Response> {
    let export = rows(&app, viewer, id).await?;
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            crate::http::download::attachment(&export.base, "json"),
        )],
        axum::Json(export.rows),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::neutralised;

    #[test]
    fn cells_that_would_start_a_formula_are_prefixed() {
        for formula in ["=1+1", "+33 6", "-2", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(neutralised(formula), format!("'{formula}"));
        }
        for plain in ["Parce que.", "", " =1", "'=1", "a=b"] {
            assert_eq!(neutralised(plain), plain);
        }
    }
}
