//! Extractors: who is asking (`CurrentMember`, `MaybeMember`), and request bodies whose
//! rejections become `AppError`s with a message (`ApiJson`, `FormData`).

use std::net::{IpAddr, SocketAddr};

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use tower_sessions::Session;

use crate::app::App;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::model::MemberId;
use crate::secret::hash_secret;
use crate::store::sessions::MEMBER_KEY;

/// The largest request body we read: forms and JSON are small; uploads get their own limit.
/// The pages' forms check it before sending (`assets/static/forms.js`), from the templates'
/// constant, which this is.
pub const BODY_LIMIT: usize = atelier_templates::FORM_MAX_BYTES;

/// How the request was authenticated: writes by cookie need a CSRF token, by bearer token not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVia {
    Bearer,
    Cookie,
}

/// The signed-in member; 401 otherwise.
pub struct CurrentMember {
    pub viewer: Viewer,
    pub via: AuthVia,
}

/// The signed-in member, if any. A bearer token that is present but invalid is still a 401,
/// not an anonymous request: a script with a revoked token must be told.
pub struct MaybeMember(pub Option<Viewer>);

fn bearer_token(parts: &Parts) -> Option<Result<&str, AppError>> {
    let value = parts.headers.get(header::AUTHORIZATION)?;
    let value = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    });
    Some(
        value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(AppError::Unauthorized),
    )
}

async fn load_viewer(app: &App, member: MemberId) -> Result<Option<Viewer>, AppError> {
    let found = app.db.active_member_with_scope(member).await?;
    Ok(found.map(|(name, email, scope)| Viewer::new(member, name, email, scope)))
}

/// The member a session belongs to.
pub async fn session_member(session: &Session) -> Result<Option<MemberId>, AppError> {
    let id: Option<String> = session
        .get(MEMBER_KEY)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(id.and_then(|id| id.parse().ok()))
}

async fn authenticate(parts: &mut Parts, app: &App) -> Result<Option<(Viewer, AuthVia)>, AppError> {
    if let Some(token) = bearer_token(parts) {
        let member = app
            .db
            .api_token_member(&hash_secret(token?))
            .await?
            .ok_or(AppError::Unauthorized)?;
        let viewer = load_viewer(app, member)
            .await?
            .ok_or(AppError::Unauthorized)?;
        return Ok(Some((viewer, AuthVia::Bearer)));
    }
    let Ok(session) = Session::from_request_parts(parts, app).await else {
        return Ok(None);
    };
    let Some(member) = session_member(&session).await? else {
        return Ok(None);
    };
    Ok(load_viewer(app, member)
        .await?
        .map(|viewer| (viewer, AuthVia::Cookie)))
}

impl FromRequestParts<App> for CurrentMember {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        if let Some(found) = parts.extensions.get::<Option<(Viewer, AuthVia)>>() {
            let (viewer, via) = found.clone().ok_or(AppError::Unauthorized)?;
            return Ok(CurrentMember { viewer, via });
        }
        let found = authenticate(parts, app).await?;
        parts.extensions.insert(found.clone());
        let (viewer, via) = found.ok_or(AppError::Unauthorized)?;
        Ok(CurrentMember { viewer, via })
    }
}

impl FromRequestParts<App> for MaybeMember {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        match CurrentMember::from_request_parts(parts, app).await {
            Ok(current) => Ok(MaybeMember(Some(current.viewer))),
            Err(AppError::Unauthorized) if bearer_token(parts).is_none() => Ok(MaybeMember(None)),
            Err(e) => Err(e),
        }
    }
}

/// The client's address, for sign-in throttling. `X-Forwarded-For` is believed only when the
/// connection comes from a configured trusted proxy (`--trusted-proxies`): then the client is
/// the rightmost address in it that is not itself a trusted proxy (the left part is whatever
/// the client sent, so anyone could write anything there). From anyone else the header is
/// ignored: an attacker rotating it is still one address.
pub struct ClientIp(pub String);

impl FromRequestParts<App> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientIp(
            peer.map(|peer| client_ip(&app.config, peer, &parts.headers))
                .map_or_else(|| "unknown".to_owned(), address_key),
        ))
    }
}

/// What the throttle counts an address as: an IPv6 client holds a whole /64 (and can rotate
/// through it for free), so the /64 is one address; an IPv4 address mapped in IPv6 is IPv4.
fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => ipnet::Ipv6Net::new(v6, 64)
                .map_or_else(|_| v6.to_string(), |net| net.trunc().to_string()),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}

fn client_ip(config: &crate::config::Config, peer: IpAddr, headers: &header::HeaderMap) -> IpAddr {
    if !config.is_trusted_proxy(peer) {
        return peer;
    }
    let mut client = peer;
    // Several headers are one list, in order.
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !config.is_trusted_proxy(ip) {
                    break;
                }
            }
            // Garbage a trusted proxy passed along: stop at the last address we could read.
            Err(_) => break,
        }
    }
    client
}

/// JSON body whose errors are API errors: 400 for malformed JSON, 422 with the offending field
/// for a well-formed body of the wrong shape, 413 when too large, 415 becomes 400 with a hint.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let req = refuse_nul_in_body(req, state, nul_in_json).await?;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            // serde's message names the field: "missing field `email`", "invalid type at `role`".
            let detail = e.body_text();
            let field = detail.split('`').nth(1).unwrap_or("body").to_owned();
            AppError::invalid_field(
                &field,
                detail.replace(
                    "Failed to deserialize the JSON body into the target type: ",
                    "",
                ),
            )
        }
        JsonRejection::JsonSyntaxError(e) => AppError::bad_request(format!(
            "Le corps de la requête n'est pas du JSON valide : {}",
            e.body_text()
        )),
        JsonRejection::MissingJsonContentType(_) => {
            AppError::bad_request("Envoyez du JSON avec l'en-tête Content-Type: application/json.")
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        other => AppError::bad_request(other.body_text()),
    }
}

/// A URL-encoded form, with the same error mapping.
pub struct FormData<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FormData<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let req = refuse_nul_in_body(req, state, nul_in_form).await?;
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(FormData(value)),
            Err(rejection) => Err(form_rejection(rejection)),
        }
    }
}

fn form_rejection(rejection: FormRejection) -> AppError {
    match rejection {
        FormRejection::FailedToDeserializeForm(e) => {
            AppError::bad_request(format!("Le formulaire est incomplet : {}", e.body_text()))
        }
        FormRejection::FailedToDeserializeFormBody(e) => {
            AppError::bad_request(format!("Le formulaire est incomplet : {}", e.body_text()))
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        other => AppError::bad_request(other.body_text()),
    }
}

// ---- NUL characters ----
//
// PostgreSQL cannot store U+0000 in a text column (SQLite can): a NUL anywhere in what a client
// sends would be a 500 there, and a value that one backend keeps and the other refuses. So it is
// refused here, at the edge, on both backends, with a 422 that names the field: in JSON and form
// bodies, in query strings and in paths. Multipart imports check their fields themselves, and
// what live editing types is stored with U+FFFD in its place (`store::storable_text`).

/// The message for a field holding U+0000.
fn nul_refusal(field: &str) -> AppError {
    AppError::invalid_field(
        field,
        "Ce champ contient un caractère nul (U+0000), qui ne peut pas être enregistré.",
    )
}

/// Reads the body, refuses it if `find` names a field holding U+0000, else gives the request back.
async fn refuse_nul_in_body<S: Send + Sync>(
    req: Request,
    state: &S,
    find: fn(&[u8]) -> Option<String>,
) -> Result<Request, AppError> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::bad_request(rejection.body_text())
            }
        })?;
    if let Some(field) = find(&bytes) {
        return Err(nul_refusal(&field));
    }
    Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
}

/// The path of the first JSON string (or key) holding U+0000: `title`, `functions[1]`.
fn nul_in_json(bytes: &[u8]) -> Option<String> {
    // Only an escape can put a NUL in a JSON string (a raw one is a syntax error): most bodies
    // are never parsed twice.
    if !bytes.windows(5).any(|w| w.eq_ignore_ascii_case(b"u0000")) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    fn walk(value: &serde_json::Value, path: &str) -> Option<String> {
        let name = |path: &str| {
            if path.is_empty() {
                "body".to_owned()
            } else {
                path.to_owned()
            }
        };
        match value {
            serde_json::Value::String(s) if s.contains('\0') => Some(name(path)),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, &format!("{path}[{i}]"))),
            serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if key.contains('\0') {
                    Some(name(path))
                } else {
                    walk(item, &inner)
                }
            }),
            _ => None,
        }
    }
    walk(&value, "")
}

/// The first field of a URL-encoded form or query string holding U+0000 (by its name).
fn nul_in_form(bytes: &[u8]) -> Option<String> {
    if !bytes.contains(&0) && !bytes.windows(3).any(|w| w == b"%00") {
        return None;
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    pairs
        .into_iter()
        .find(|(key, value)| key.contains('\0') || value.contains('\0'))
        .map(|(key, _)| key.replace('\0', "\u{FFFD}"))
}

/// Refuses a request whose path or query string holds U+0000 (a wiki slug, a search): a 422
/// naming the query's field, or `path`.
pub async fn refuse_nul_in_uri(
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let uri = req.uri();
    // A URI cannot carry a raw NUL, and "%00" decodes to nothing else.
    if uri.path().contains("%00") {
        return nul_refusal("path").into_response();
    }
    if let Some(field) = uri.query().and_then(|q| nul_in_form(q.as_bytes())) {
        return nul_refusal(&field).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_trusting(proxies: &[&str]) -> crate::config::Config {
        let mut config = crate::config::Config::defaults();
        config.trusted_proxies = proxies.iter().map(|p| p.parse().unwrap()).collect();
        config
    }

    fn forwarded(values: &[&str]) -> header::HeaderMap {
        let mut headers = header::HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let headers = forwarded(&["6.6.6.6, 198.51.100.7", "10.0.0.2"]);
        // From an untrusted peer, the header means nothing.
        assert_eq!(
            client_ip(&config_trusting(&[]), ip("203.0.113.1"), &headers),
            ip("203.0.113.1")
        );
        // Through two trusted hops, the rightmost untrusted address; never the client's own words.
        let config = config_trusting(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(&config, ip("10.0.0.1"), &headers),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(&config, ip("10.0.0.1"), &forwarded(&[])),
            ip("10.0.0.1")
        );
        assert_eq!(
            client_ip(&config, ip("10.0.0.1"), &forwarded(&["junk, 198.51.100.8"])),
            ip("198.51.100.8")
        );
    }

    #[test]
    fn an_ipv6_client_is_its_whole_slash_64() {
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1".parse().unwrap()),
            address_key("2001:db8:1:2:bbbb::9".parse().unwrap())
        );
        assert_ne!(
            address_key("2001:db8:1:2::1".parse().unwrap()),
            address_key("2001:db8:1:3::1".parse().unwrap())
        );
        assert_eq!(
            address_key("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1"
        );
        assert_eq!(address_key("192.0.2.1".parse().unwrap()), "192.0.2.1");
    }
}
