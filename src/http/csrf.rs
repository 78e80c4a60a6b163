//! CSRF protection for every write authenticated by the session cookie.
//!
//! A synchronizer token lives in the session; pages put it in each form (`csrf_token` field)
//! and in a `<meta name="csrf-token">` for scripts (`X-CSRF-Token` header). Every unsafe request
//! that could ride on the cookie must carry it. Requests with a bearer token are exempt (a
//! browser never attaches one by itself), and so are API calls that carry no session cookie
//! (there is no ambient authority to abuse). Sign-in forms are covered too, against login CSRF.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

use crate::error::AppError;
use crate::secret::{new_secret, same_secret};

pub const SESSION_KEY: &str = "csrf";
pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

/// The session's token, created on first use.
pub async fn token(session: &Session) -> Result<String, AppError> {
    let existing: Option<String> = session
        .get(SESSION_KEY)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    if let Some(token) = existing {
        return Ok(token);
    }
    let token = new_secret();
    session
        .insert(SESSION_KEY, &token)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(token)
}

fn has_session_cookie(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|cookies| {
            cookies
                .split(';')
                .any(|c| c.trim_start().starts_with("atelier_session="))
        })
}

pub async fn verify(session: Session, request: Request, next: Next) -> Result<Response, AppError> {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let bearer = request.headers().contains_key(header::AUTHORIZATION);
    let api_without_cookie =
        request.uri().path().starts_with("/api/") && !has_session_cookie(&request);
    if safe || bearer || api_without_cookie {
        return Ok(next.run(request).await);
    }
    let expected: Option<String> = session
        .get(SESSION_KEY)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let from_header = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (request, given) = match from_header {
        Some(token) => (request, Some(token)),
        None if is_multipart => {
            // Uploads: find the field in a copy of the body, then hand the bytes on.
            let (parts, body) = request.into_parts();
            let bytes = axum::body::to_bytes(body, super::extract::BODY_LIMIT)
                .await
                .map_err(|_| AppError::PayloadTooLarge)?;
            let copy = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
            let given = multipart_field(copy, FORM_FIELD).await;
            (Request::from_parts(parts, Body::from(bytes)), given)
        }
        None if is_form => {
            // Read the form to find the field, then hand the same bytes on to the handler.
            let (parts, body) = request.into_parts();
            let bytes = axum::body::to_bytes(body, super::extract::BODY_LIMIT)
                .await
                .map_err(|_| AppError::PayloadTooLarge)?;
            let given = form_urlencoded_field(&bytes, FORM_FIELD);
            (Request::from_parts(parts, Body::from(bytes)), given)
        }
        None => (request, None),
    };
    match (expected, given) {
        (Some(expected), Some(given)) if same_secret(&expected, &given) => {
            Ok(next.run(request).await)
        }
        _ => Err(AppError::forbidden_because(
            "Ce formulaire a expiré ou ne vient pas d'Atelier : rechargez la page et réessayez.",
        )),
    }
}

async fn multipart_field(request: Request, name: &str) -> Option<String> {
    use axum::extract::FromRequest;
    let mut form = axum::extract::Multipart::from_request(request, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}
