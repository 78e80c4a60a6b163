//! The headers that tell browsers what our pages may do: run only our own scripts (no inline
//! script, no `eval`; WebAssembly for the editor's automerge), never be framed, never be
//! sniffed into another type, leak no path to other sites, and, on https, never be asked over
//! plain http again.
//!
//! `style-src` allows inline styles: the Markdown renderer keeps a table column's alignment as
//! `style="text-align:…"` (the only `style` the sanitiser lets through) and the editor sets
//! styles from script. `img-src` allows https images, which members' texts may show.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; \
     img-src 'self' https:; \
     connect-src 'self'; \
     object-src 'none'; \
     base-uri 'self'; \
     frame-ancestors 'none'; \
     form-action 'self'";

/// Two years, the preload lists' minimum, once the base URL is https.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

/// Adds the headers to every response of `router` (a handler's own value wins).
pub fn add<S: Clone + Send + Sync + 'static>(router: Router<S>, base_url: &str) -> Router<S> {
    let always: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // For browsers without `frame-ancestors`.
        (header::X_FRAME_OPTIONS, "DENY"),
        // Paths name private groups and texts: other sites learn nothing of them.
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    let mut router = router;
    for (name, value) in always {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    if base_url.starts_with("https://") {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        ));
    }
    router
}
