//! Static assets, compiled into the binary: nothing is fetched from another origin.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::App;
use crate::error::AppError;

/// (name, content type, bytes)
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "atelier.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/static/atelier.css"),
    ),
    (
        "editor.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/static/editor.js"),
    ),
    (
        "forms.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/static/forms.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../assets/static/favicon.svg"),
    ),
];

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(get_asset))
}

/// A static asset (stylesheet, icons). Cached for a day.
#[utoipa::path(get, path = "/assets/{name}", tag = "pages", params(("name" = String, Path, description = "File name, e.g. atelier.css")),
    responses((status = 200, description = "The file"), (status = 404, description = "No such asset")))]
async fn get_asset(Path(name): Path<String>) -> Result<Response, AppError> {
    let (_, content_type, bytes) = ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or_else(AppError::not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, *content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        *bytes,
    )
        .into_response())
}
