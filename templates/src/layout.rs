//! The frame of every page: head, header with navigation, language switch, flash, footer.

use maud::{DOCTYPE, Markup, html};
use rust_i18n::t;

use crate::assets;
use crate::components::{csrf_field, encode, encode_segment};
use crate::{Lang, PageContext};

/// A full HTML document around `body`, titled "`title` — Atelier".
pub fn page(ctx: &PageContext, title: &str, body: Markup) -> Markup {
    let l = ctx.lang.code();
    html! {
        (DOCTYPE)
        html lang=(l) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Atelier" }
                link rel="stylesheet" href=(assets::ATELIER_CSS);
                link rel="icon" href=(assets::FAVICON_SVG) type="image/svg+xml";
                script src=(assets::FORMS_JS) defer {}
                meta name="color-scheme" content="light";
                @if let Some(token) = &ctx.csrf_token {
                    meta name="csrf-token" content=(token);
                }
            }
            // The forms' size check (forms.js) reads the server's limit and its message here.
            body data-form-max-bytes=(crate::FORM_MAX_BYTES)
                data-form-too-large=(crate::t_args(ctx.lang, "form.too_large", &[("limit", &crate::format_bytes(ctx.lang, crate::FORM_MAX_BYTES))])) {
                a.skip-link href="#contenu" { (t!("layout.skip_link", locale = l)) }
                (header(ctx))
                main #contenu tabindex="-1" {
                    @if let Some(flash) = &ctx.flash {
                        div.flash role="status" { p { (flash) } }
                    }
                    (body)
                }
                footer.site-footer {
                    div.wrap {
                        p { (t!("layout.footer_tagline", locale = l)) }
                    }
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Home,
    Groups,
    Archives,
    Admin,
    Other,
}

fn current_section(path: &str) -> Section {
    if path == "/" {
        Section::Home
    } else if path == "/groups" || path.starts_with("/groups/") {
        Section::Groups
    } else if path == "/debates" || path.starts_with("/debates/") || path.starts_with("/open-data")
    {
        Section::Archives
    } else if path == "/admin" || path.starts_with("/admin/") {
        Section::Admin
    } else {
        Section::Other
    }
}

fn header(ctx: &PageContext) -> Markup {
    let l = ctx.lang.code();
    let section = current_section(&ctx.path);
    let current = |s: Section| (section == s).then_some("page");
    html! {
        header.site-header {
            div.wrap.site-header-inner {
                a.brand href="/" {
                    span.brand-mark aria-hidden="true" { "A" }
                    span.brand-name { "Atelier" }
                }
                nav.main-nav aria-label=(t!("layout.nav_label", locale = l)) {
                    ul role="list" {
                        li { a href="/" aria-current=[current(Section::Home)] { (t!("nav.home", locale = l)) } }
                        li { a href="/groups" aria-current=[current(Section::Groups)] { (t!("nav.groups", locale = l)) } }
                        li { a href="/groups#themes" { (t!("nav.themes", locale = l)) } }
                        li { a href="/debates" aria-current=[current(Section::Archives)] { (t!("nav.archives", locale = l)) } }
                        @if ctx.viewer.as_ref().is_some_and(|v| v.is_admin) {
                            li { a href="/admin" aria-current=[current(Section::Admin)] { (t!("nav.admin", locale = l)) } }
                        }
                    }
                }
                // Every page's way into search: a query without syntax just works.
                form.header-search method="get" action="/search" role="search" aria-label=(t!("search.header_label", locale = l)) {
                    label.visually-hidden for="header-q" { (t!("search.query", locale = l)) }
                    input #header-q type="search" name="q" maxlength="1000" autocomplete="off";
                    button.button.button--quiet type="submit" { (t!("search.button", locale = l)) }
                }
                div.account {
                    @if let Some(viewer) = &ctx.viewer {
                        a.account-name href={ "/members/" (encode_segment(&viewer.id)) } {
                            span.visually-hidden { (t!("layout.your_profile", locale = l)) " : " }
                            (viewer.name)
                        }
                        form.inline-form method="post" action="/logout" {
                            (csrf_field(ctx))
                            button.button.button--quiet type="submit" { (t!("layout.logout", locale = l)) }
                        }
                    } @else if !ctx.path.starts_with("/login") {
                        a.button.button--quiet href=(login_href(&ctx.path)) { (t!("layout.login", locale = l)) }
                    }
                }
                (language_switch(ctx))
            }
        }
    }
}

/// `/login`, coming back to `path` afterwards (not to the sign-in page itself).
fn login_href(path: &str) -> String {
    if path.is_empty() || path == "/" || path.starts_with("/login") {
        "/login".to_owned()
    } else {
        format!("/login?next={}", encode(path))
    }
}

fn language_switch(ctx: &PageContext) -> Markup {
    let next = if ctx.path.is_empty() {
        "/"
    } else {
        ctx.path.as_str()
    };
    html! {
        nav.lang-switch aria-label=(t!("layout.lang_label", locale = ctx.lang.code())) {
            ul role="list" {
                @for lang in Lang::ALL {
                    li {
                        a href={ "/lang/" (lang.code()) "?next=" (encode(next)) }
                            hreflang=(lang.code()) lang=(lang.code())
                            aria-current=[(lang == ctx.lang).then_some("true")] {
                            (lang.native_name())
                        }
                    }
                }
            }
        }
    }
}
