//! Browser routes get error pages, API routes keep their JSON bodies: handlers return one
//! `AppError` and this middleware decides, from the path, how it is shown.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::extract::BODY_LIMIT;
use super::page::{Page, anonymous_context, lang_from_headers};
use crate::app::App;
use crate::error::{AppError, RenderedError};

pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz" || path == "/metrics"
}

pub async fn render(State(app): State<App>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if is_api_path(&path) {
        return next.run(request).await;
    }
    let lang = lang_from_headers(request.headers());
    // What it takes to know the viewer again if the answer is an error (the request itself goes
    // to the handler): the error page keeps the signed-in header, its menu and sign-out form.
    let mut again = Request::new(());
    *again.uri_mut() = request.uri().clone();
    *again.headers_mut() = request.headers().clone();
    *again.extensions_mut() = request.extensions().clone();
    let response = next.run(request).await;
    let Some(error) = response.extensions().get::<RenderedError>().cloned() else {
        return response;
    };
    // Signed-out visitors go to sign in, except from the sign-in page itself (an invalid
    // bearer token there would loop).
    if error.status == axum::http::StatusCode::UNAUTHORIZED && !path.starts_with("/login") {
        return super::page::login_redirect(&path);
    }
    let (mut parts, ()) = again.into_parts();
    let ctx = match Page::from_request_parts(&mut parts, &app).await {
        Ok(page) => page.ctx,
        Err(_) => anonymous_context(lang, &path),
    };
    let message = match error.status {
        // The body was refused past the limit, unread: say what the limit is, in the page's
        // language (the generic text says how to get back what was typed).
        StatusCode::PAYLOAD_TOO_LARGE => atelier_templates::t_args(
            ctx.lang,
            "error.413.limit",
            &[(
                "limit",
                &atelier_templates::format_bytes(ctx.lang, BODY_LIMIT),
            )],
        ),
        _ => error.specific_message.unwrap_or_default(),
    };
    let mut page = (
        error.status,
        Html(atelier_templates::error_page(&ctx, error.status.as_u16(), &message).into_string()),
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
