//! A page whose largest part is kept (a convention's text with its margins, hundreds of
//! kilobytes, the same for thousands of readers): sent from the kept copy itself, between the
//! page's own beginning and end, rather than copied into each response. Copying it twice a
//! request (into the page, then into the response) allocated and faulted in hundreds of
//! kilobytes per reader.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::response::{Html, IntoResponse, Response};
use http_body::{Frame, SizeHint};
use maud::Markup;

/// Where the kept part goes in a page rendered around it: a comment, which sanitised HTML
/// never holds (the sanitiser drops comments) and escaped text cannot spell.
pub const SHARED_PART: &str = "<!--atelier:shared-part-->";

/// The page `markup`, rendered with `SHARED_PART` where `shared` goes, as an HTML response
/// of known length. A page without the mark is sent as it is.
pub fn html_around(markup: Markup, shared: Arc<String>) -> Response {
    let page = markup.into_string();
    let Some(at) = page.find(SHARED_PART) else {
        return Html(page).into_response();
    };
    let page = Bytes::from(page);
    let pieces = VecDeque::from([
        page.slice(..at),
        Bytes::from_owner(Kept(shared)),
        page.slice(at + SHARED_PART.len()..),
    ]);
    Html(Body::new(Pieces(pieces))).into_response()
}

/// A kept string, lent to a response's body.
struct Kept(Arc<String>);

impl AsRef<[u8]> for Kept {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// A body made of a few pieces, sent in order; its length is known (`Content-Length`).
struct Pieces(VecDeque<Bytes>);

impl http_body::Body for Pieces {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|piece| Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.iter().map(|p| p.len() as u64).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn the_shared_part_goes_where_the_mark_is_and_the_length_is_known() {
        let markup = maud::html! { p { "avant" } (maud::PreEscaped(SHARED_PART)) p { "après" } };
        let response = html_around(markup, Arc::new("<article>texte</article>".into()));
        let (parts, body) = response.into_parts();
        assert_eq!(parts.headers["content-type"], "text/html; charset=utf-8");
        let expected = "<p>avant</p><article>texte</article><p>après</p>";
        let body = Body::new(body);
        assert_eq!(
            http_body::Body::size_hint(&body).exact(),
            Some(expected.len() as u64)
        );
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(std::str::from_utf8(&bytes).unwrap(), expected);
        // Without the mark, the page as it is.
        let plain = html_around(maud::html! { p { "seul" } }, Arc::new("x".into()));
        let bytes = plain.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&bytes[..], b"<p>seul</p>");
    }
}
