//! Operations: health, Prometheus metrics, the OpenAPI document.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(get_health))
        .routes(routes!(get_metrics))
        .routes(routes!(get_openapi))
}

/// The OpenAPI document, built once at start.
#[derive(Clone)]
pub struct OpenApiDocument(pub Arc<utoipa::openapi::OpenApi>);

/// 200 when the database and the search index answer, 503 otherwise.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The database and the search index answer"), (status = 503, description = "One of them does not")))]
async fn get_health(State(app): State<App>) -> Response {
    let database = app.db.ping().await.is_ok();
    let index = app.search.healthy();
    let status = if database && index {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(serde_json::json!({ "database": database, "search_index": index })),
    )
        .into_response()
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text", content_type = "text/plain")))]
async fn get_metrics(State(app): State<App>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
        .into_response()
}

/// This document: every route of the API and of the web interface.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations", responses((status = 200, description = "OpenAPI 3.1 document")))]
async fn get_openapi(Extension(doc): Extension<OpenApiDocument>) -> Response {
    Json(doc.0.as_ref().clone()).into_response()
}

/// Counts requests and their duration by route (the route's pattern, never the concrete path:
/// ids would explode the number of series, and paths may carry tokens).
pub async fn track_metrics(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("atelier_http_requests_total", &labels).increment(1);
    metrics::histogram!("atelier_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
