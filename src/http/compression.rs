//! Compression of what handlers answer (pages, JSON): brotli or gzip, as the client accepts,
//! at a quality cheap enough to run per response (4: a page of 20 kB in well under a
//! millisecond). Static assets carry their own, better compression, made once
//! (`http/assets.rs`): a response that already has a `Content-Encoding` passes untouched.
//!
//! Left alone: small responses (under 1 kB, where the headers weigh as much as the savings and
//! `/healthz` lives), the WebSocket upgrade (no body; its frames are not HTTP), images but SVG,
//! and streams of events.

use axum::http::{Extensions, HeaderMap, StatusCode, Version};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};

/// Below this many bytes a response goes as it is.
const MIN_SIZE: u64 = 1024;

pub fn layer() -> CompressionLayer<impl Predicate> {
    let not_an_upgrade = |status: StatusCode, _: Version, _: &HeaderMap, _: &Extensions| {
        status != StatusCode::SWITCHING_PROTOCOLS
    };
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(4))
        .compress_when(
            SizeAbove::new(MIN_SIZE)
                .and(NotForContentType::IMAGES)
                .and(NotForContentType::SSE)
                .and(not_an_upgrade),
        )
}
