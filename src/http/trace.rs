//! The span of every request: method, route and path, never a secret.
//!
//! Mailed links carry their secret in the path (`/password/reset/{token}`,
//! `/invitations/{token}`): whoever reads the logs must not be able to use them. The route's
//! pattern says which segments are secret; a path that matched no route is scrubbed of every
//! segment long enough to be one. Query strings are never logged.

use std::borrow::Cow;

use axum::extract::{MatchedPath, Request};

/// What replaces a secret segment.
pub const REDACTED: &str = "[redacted]";

/// Route parameters that hold secrets.
const SECRET_PARAMS: [&str; 2] = ["{token}", "{secret}"];

/// Our tokens are 32 random bytes (43 characters in base64url, 64 in hex); ids are short.
const SECRET_LIKE_LENGTH: usize = 32;

pub fn make_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let path = redact_path(request.uri().path(), route);
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = route.unwrap_or("unmatched"),
        path = %path,
    )
}

/// The path with the segments the route names as secrets (or, without a route, those that
/// look like one) replaced by `[redacted]`.
pub fn redact_path<'a>(path: &'a str, route: Option<&str>) -> Cow<'a, str> {
    let secret_at: Vec<bool> = match route {
        Some(route) if route.split('/').count() == path.split('/').count() => route
            .split('/')
            .map(|segment| SECRET_PARAMS.contains(&segment))
            .collect(),
        _ => path.split('/').map(looks_secret).collect(),
    };
    if !secret_at.contains(&true) {
        return Cow::Borrowed(path);
    }
    let segments: Vec<&str> = path
        .split('/')
        .zip(secret_at)
        .map(|(segment, secret)| if secret { REDACTED } else { segment })
        .collect();
    Cow::Owned(segments.join("/"))
}

fn looks_secret(segment: &str) -> bool {
    segment.len() >= SECRET_LIKE_LENGTH
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'%' | b'='))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhmb29iYXJiYXpxdXg";

    #[test]
    fn secret_segments_are_redacted() {
        let cases = [
            (
                format!("/password/reset/{TOKEN}"),
                Some("/password/reset/{token}"),
                "/password/reset/[redacted]".to_owned(),
            ),
            (
                "/invitations/court".into(),
                Some("/invitations/{token}"),
                "/invitations/[redacted]".into(),
            ),
            // No route: whatever looks like a token goes.
            (
                format!("/invitations/{TOKEN}/x"),
                None,
                "/invitations/[redacted]/x".into(),
            ),
            (
                format!("/password/reset/{TOKEN}"),
                None,
                "/password/reset/[redacted]".into(),
            ),
            // Ids and names stay: they say what was asked.
            (
                "/texts/42/edit".into(),
                Some("/texts/{id}/edit"),
                "/texts/42/edit".into(),
            ),
            ("/groups/7".into(), None, "/groups/7".into()),
        ];
        for (path, route, expected) in cases {
            assert_eq!(redact_path(&path, route), expected, "{path} ({route:?})");
        }
    }
}
