//! The error page.

use maud::{Markup, html};
use rust_i18n::t;

use crate::{Lang, PageContext, page};

/// A friendly error page for `status`: what happened, what to do, a way home. `message` (already
/// localised, possibly empty) says more when it differs from the generic explanation.
pub fn error_page(ctx: &PageContext, status: u16, message: &str) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let (title, explanation) = texts(lang, status);
    let signed_out = ctx.viewer.is_none() && matches!(status, 401 | 403);
    let body = html! {
        div.wrap.narrow {
            p.eyebrow { (t!("error.code", locale = l, status = status)) }
            h1 { (title) }
            @if !message.is_empty() && message != title && message != explanation {
                p.lead { (message) }
            }
            p { (explanation) }
            @if status == 413 {
                // Shown by forms.js: the browser's back, which keeps what the form held.
                p { button.button type="button" hidden data-history-back { (t!("error.413.back", locale = l)) } }
            }
            ul.links role="list" {
                li { a href="/" { (t!("error.home", locale = l)) } }
                @if signed_out {
                    li { a href="/login" { (t!("layout.login", locale = l)) } }
                }
            }
        }
    };
    page(ctx, &title, body)
}

fn texts(lang: Lang, status: u16) -> (String, String) {
    let l = lang.code();
    let (title, body) = match status {
        400 => (
            t!("error.400.title", locale = l),
            t!("error.400.body", locale = l),
        ),
        401 => (
            t!("error.401.title", locale = l),
            t!("error.401.body", locale = l),
        ),
        403 => (
            t!("error.403.title", locale = l),
            t!("error.403.body", locale = l),
        ),
        404 => (
            t!("error.404.title", locale = l),
            t!("error.404.body", locale = l),
        ),
        409 => (
            t!("error.409.title", locale = l),
            t!("error.409.body", locale = l),
        ),
        410 => (
            t!("error.410.title", locale = l),
            t!("error.410.body", locale = l),
        ),
        413 => (
            t!("error.413.title", locale = l),
            t!("error.413.body", locale = l),
        ),
        422 => (
            t!("error.422.title", locale = l),
            t!("error.422.body", locale = l),
        ),
        429 => (
            t!("error.429.title", locale = l),
            t!("error.429.body", locale = l),
        ),
        503 => (
            t!("error.503.title", locale = l),
            t!("error.503.body", locale = l),
        ),
        s if (400..=499).contains(&s) => (
            t!("error.4xx.title", locale = l),
            t!("error.4xx.body", locale = l),
        ),
        _ => (
            t!("error.500.title", locale = l),
            t!("error.500.body", locale = l),
        ),
    };
    (title.into_owned(), body.into_owned())
}
