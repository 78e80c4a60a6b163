//! Open data (issue 14, point 7): the `/open-data` page, which describes the files, and
//! `/open-data/{file}`, which streams each one as `atelier export public` writes it
//! (`crate::opendata::write`), generated on request from the database: rows are read a page at
//! a time and sent as they are made, through a small bounded channel, so neither the server's
//! memory nor the time before the first byte grows with the party. Public: anyone may
//! download them.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use crate::app::App;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::page::{Page, html};
use crate::opendata::{self, DataFile, Dataset, Sink};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_open_data))
        .routes(routes!(download))
}

/// The open data: what each file holds, their links, the dictionary, the licence.
#[utoipa::path(get, path = "/open-data", tag = "pages",
    responses((status = 200, description = "HTML page")))]
async fn show_open_data(page: Page) -> AppResult<Response> {
    let datasets = Dataset::ALL
        .into_iter()
        .map(|dataset| tpl::OpenDataSet {
            code: dataset.code().to_owned(),
            files: DataFile::ALL
                .into_iter()
                .filter(|f| f.dataset().is_some_and(|(d, _)| d == dataset))
                .map(|f| f.name().to_owned())
                .collect(),
            columns: dataset
                .columns()
                .iter()
                .map(|c| c.name.to_owned())
                .collect(),
        })
        .collect();
    let view = tpl::OpenDataView {
        datasets,
        dictionary: DataFile::Dictionary.name().to_owned(),
    };
    Ok(html(tpl::open_data_page(&page.ctx, &view)))
}

/// Bytes handed to the response as they are made; a slow client holds the writer back.
struct ChannelSink(mpsc::Sender<Result<Bytes, std::io::Error>>);

#[async_trait::async_trait]
impl Sink for ChannelSink {
    async fn write(&mut self, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.0
            .send(Ok(Bytes::from(bytes)))
            .await
            .map_err(|_| anyhow::anyhow!("the client went away"))
    }
}

/// Parts of a file queued for the client at most (each a row or less).
const QUEUED: usize = 16;

/// One file of the open data, generated now from the database: `texts.jsonl`, `texts.csv`,
/// `amendments.jsonl`, `amendments.csv`, `debates.jsonl`, `debates.csv` or `DICTIONARY.md`.
/// The same bytes as `atelier export public` writes. A failure midway ends the transfer in
/// error, never as a shorter file that looks whole.
#[utoipa::path(get, path = "/open-data/{file}", tag = "open data",
    params(("file" = String, Path, description = "texts.jsonl, texts.csv, amendments.jsonl, amendments.csv, debates.jsonl, debates.csv or DICTIONARY.md")),
    responses((status = 200, description = "The file, as a download"), (status = 404, body = ErrorBody)))]
async fn download(State(app): State<App>, Path(name): Path<String>) -> AppResult<Response> {
    let file = DataFile::from_name(&name).ok_or_else(AppError::not_found)?;
    let (tx, rx) = mpsc::channel(QUEUED);
    let db = app.db.clone();
    tokio::spawn(async move {
        let mut sink = ChannelSink(tx.clone());
        // A client that went away is no failure worth a line in the log.
        if let Err(e) = opendata::write(&db, file, &mut sink, &|_| {}).await
            && !tx.is_closed()
        {
            tracing::warn!(file = file.name(), error = %e, "an open-data download failed");
            let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|part| (part, rx))
    });
    let (base, extension) = file.name().rsplit_once('.').unwrap_or((file.name(), ""));
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                crate::http::download::attachment(base, extension),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
