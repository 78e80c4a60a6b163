//! Browser routes get error pages, API routes keep their JSON bodies: handlers return one
//! `AppError` and this middleware decides, from the path, how it is shown.

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::page::{anonymous_context, lang_from_headers};
use crate::error::{AppError, RenderedError};

pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz" || path == "/metrics"
}

pub async fn render(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let lang = lang_from_headers(request.headers());
    let response = next.run(request).await;
    if is_api_path(&path) {
        return response;
    }
    let Some(error) = response.extensions().get::<RenderedError>().cloned() else {
        return response;
    };
    // Signed-out visitors go to sign in, except from the sign-in page itself (an invalid
    // bearer token there would loop).
    if error.status == axum::http::StatusCode::UNAUTHORIZED && !path.starts_with("/login") {
        return super::page::login_redirect(&path);
    }
    let mut page = (
        error.status,
        Html(
            atelier_templates::error_page(
                &anonymous_context(lang, &path),
                error.status.as_u16(),
                error.specific_message.as_deref().unwrap_or(""),
            )
            .into_string(),
        ),
    )
        .into_response();
    for name in [header::RETRY_AFTER, NO_ROUTE.clone()] {
        if let Some(value) = response.headers().get(&name) {
            page.headers_mut().insert(name, value.clone());
        }
    }
    page
}

/// Marks answers for which no route matched (as opposed to a route's own 404), for clients and
/// for the test that checks every documented route is served.
static NO_ROUTE: header::HeaderName = header::HeaderName::from_static("x-atelier-no-route");

/// No route matched.
pub async fn fallback() -> Response {
    let mut response = AppError::not_found().into_response();
    response
        .headers_mut()
        .insert(NO_ROUTE.clone(), header::HeaderValue::from_static("1"));
    response
}
