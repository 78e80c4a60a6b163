//! The archives: past debates (`/debates`, `/debates/{id}`), read-only and public, and the
//! open-data page (`/open-data`).

use maud::{Markup, html};
use rust_i18n::t;

use crate::components::{
    Control, Field, count_label, encode, encode_segment, error_summary, form_title, pagination,
};
use crate::{
    DebateEntry, DebateFiltersView, DebateView, DebatesView, Lang, OpenDataView, PageContext,
    format_date, page,
};

/// `/debates?…` with the filters as typed, and the page (none for the first).
pub fn debates_href(filters: &DebateFiltersView, page: u32) -> String {
    let mut pairs: Vec<(&str, &str)> = [
        ("place", filters.place.as_str()),
        ("speaker", filters.speaker.as_str()),
        ("from", filters.from.as_str()),
        ("to", filters.to.as_str()),
        ("group", filters.group.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .collect();
    let page_text = page.to_string();
    if page > 1 {
        pairs.push(("page", &page_text));
    }
    if pairs.is_empty() {
        return "/debates".to_owned();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    format!("/debates?{}", query.join("&"))
}

fn day(lang: Lang, held_on: Option<time::Date>, raw: &str) -> String {
    held_on.map_or_else(|| raw.to_owned(), |d| format_date(lang, d))
}

fn breadcrumbs(lang: Lang, current: Option<&str>) -> Markup {
    let l = lang.code();
    html! {
        nav.breadcrumbs aria-label=(t!("group.breadcrumbs", locale = l)) {
            ol role="list" {
                li { a href="/" { (t!("nav.home", locale = l)) } }
                @match current {
                    Some(title) => {
                        li { a href="/debates" { (t!("archives.title", locale = l)) } }
                        li { span aria-current="page" { (title) } }
                    },
                    None => {
                        li { span aria-current="page" { (t!("archives.title", locale = l)) } }
                    },
                }
            }
        }
    }
}

fn entry(lang: Lang, debate: &DebateEntry) -> Markup {
    let l = lang.code();
    html! {
        li {
            div {
                a.text-list-title href={ "/debates/" (encode_segment(&debate.id)) } { (debate.title) }
                p.text-list-meta {
                    span { (day(lang, debate.held_on, &debate.held_on_raw)) }
                    span { "· " (debate.speaker) }
                    span {
                        "· "
                        @match &debate.group {
                            Some((id, _)) => a href={ "/groups/" (encode_segment(id)) } { (debate.place) },
                            None => (debate.place),
                        }
                    }
                    @if let Some(convention) = &debate.convention {
                        span { "· " (t!("archives.convention", locale = l)) " " (convention) }
                    }
                }
                @if !debate.excerpt.is_empty() {
                    p.muted { (debate.excerpt) @if debate.truncated { "…" } }
                }
            }
        }
    }
}

/// The archived debates, newest first, with filters by place, speaker and dates kept in the
/// address; a bad filter is said next to its field.
pub fn debates_page(ctx: &PageContext, view: &DebatesView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let f = &view.filters;
    let title = t!("archives.title", locale = l).into_owned();
    let body = html! {
        div.wrap {
            (breadcrumbs(lang, None))
            h1 { (title) }
            p.lead { (t!("archives.lead", locale = l)) }
            (error_summary(lang, &view.errors, &["place", "speaker", "from", "to", "group", "page"]))
            form.search-form method="get" action="/debates" role="search" aria-label=(t!("archives.filters", locale = l)) {
                (Field::new("place", t!("archives.place", locale = l), Control::Search).value(&f.place).hint(t!("archives.place_hint", locale = l)).render(lang, &view.errors))
                (Field::new("speaker", t!("archives.speaker", locale = l), Control::Search).value(&f.speaker).render(lang, &view.errors))
                (Field::new("from", t!("archives.from", locale = l), Control::Date).value(&f.from).render(lang, &view.errors))
                (Field::new("to", t!("archives.to", locale = l), Control::Date).value(&f.to).render(lang, &view.errors))
                @if !f.group.is_empty() {
                    input type="hidden" name="group" value=(f.group);
                }
                button.button type="submit" { (t!("archives.filter_button", locale = l)) }
            }
            @if let Some(group) = &view.group_name {
                p { (t!("archives.in_group", locale = l, group = group)) " "
                    a href=(debates_href(&DebateFiltersView { group: String::new(), ..f.clone() }, 1)) { (t!("archives.all_places", locale = l)) } }
            }
            section.section aria-labelledby="debates-results" {
                h2 #debates-results { (count_label(lang, view.total, "count.debates.one", "count.debates.other")) }
                @if view.debates.is_empty() {
                    div.empty-state {
                        p { (t!("archives.none", locale = l)) }
                        @if debates_href(f, 1) != "/debates" {
                            p { a href="/debates" { (t!("archives.show_all", locale = l)) } }
                        }
                    }
                } @else {
                    ul.text-list role="list" {
                        @for debate in &view.debates { (entry(lang, debate)) }
                    }
                }
            }
            (pagination(lang, view.page, view.pages, |n| debates_href(f, n)))
            p { a href="/open-data" { (t!("open_data.link", locale = l)) } }
        }
    };
    let page_title = form_title(lang, &title, !view.errors.is_empty());
    page(ctx, &page_title, body)
}

/// An archived debate: its day, place, speaker and convention, its text as plain paragraphs,
/// and a link to the archive's original.
pub fn debate_page(ctx: &PageContext, view: &DebateView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let body = html! {
        div.wrap {
            (breadcrumbs(lang, Some(&view.title)))
            article {
                header.text-header {
                    p.eyebrow { (t!("archives.eyebrow", locale = l)) }
                    h1 { (view.title) }
                }
                dl.debate-facts {
                    dt { (t!("archives.date", locale = l)) }
                    dd {
                        (day(lang, view.held_on, &view.held_on_raw))
                        @if let Some(time) = &view.time_utc { ", " (time) " UTC" }
                    }
                    dt { (t!("archives.place", locale = l)) }
                    dd {
                        @match &view.group {
                            Some((id, _)) => a href={ "/groups/" (encode_segment(id)) } { (view.place) },
                            None => (view.place),
                        }
                    }
                    dt { (t!("archives.speaker", locale = l)) }
                    dd {
                        a href=(debates_href(&DebateFiltersView { speaker: view.speaker.clone(), ..DebateFiltersView::default() }, 1)) { (view.speaker) }
                    }
                    @if let Some(convention) = &view.convention {
                        dt { (t!("archives.convention_label", locale = l)) }
                        dd { (convention) }
                    }
                }
                div.prose {
                    @for paragraph in &view.paragraphs {
                        p { (paragraph) }
                    }
                }
                @if let Some(url) = &view.url {
                    p { a href=(url) rel="nofollow noopener noreferrer" { (t!("archives.original", locale = l)) } }
                }
            }
            p { a href="/debates" { "← " (t!("archives.back", locale = l)) } }
        }
    };
    page(ctx, &view.title, body)
}

/// The open-data page: what each file holds, a link to each (generated on request), the
/// dictionary, and the licence, which is the organisation's to choose.
pub fn open_data_page(ctx: &PageContext, view: &OpenDataView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let title = t!("open_data.title", locale = l).into_owned();
    let body = html! {
        div.wrap {
            h1 { (title) }
            p.lead { (t!("open_data.lead", locale = l)) }
            div.notice {
                p { strong { (t!("open_data.licence_title", locale = l)) } " " (t!("open_data.licence", locale = l)) }
            }
            p { (t!("open_data.never", locale = l)) }
            p { (t!("open_data.formats", locale = l)) }
            p {
                a.button.button--secondary href={ "/open-data/" (encode_segment(&view.dictionary)) } { (t!("open_data.dictionary", locale = l)) }
            }
            @for set in &view.datasets {
                section.section aria-labelledby={ "data-" (set.code) } {
                    @let (heading, about) = dataset_text(lang, &set.code);
                    h2 id={ "data-" (set.code) } { (heading) }
                    p { (about) }
                    ul.actions role="list" {
                        @for file in &set.files {
                            li { a.button.button--small href={ "/open-data/" (encode_segment(file)) } download { (file) } }
                        }
                    }
                    p.muted { (t!("open_data.columns", locale = l)) " " (set.columns.join(", ")) }
                }
            }
        }
    };
    page(ctx, &title, body)
}

/// A dataset's heading and what it holds.
fn dataset_text(lang: Lang, code: &str) -> (String, String) {
    let l = lang.code();
    let (heading, about) = match code {
        "texts" => (
            t!("open_data.texts_title", locale = l),
            t!("open_data.texts_about", locale = l),
        ),
        "amendments" => (
            t!("open_data.amendments_title", locale = l),
            t!("open_data.amendments_about", locale = l),
        ),
        _ => (
            t!("open_data.debates_title", locale = l),
            t!("open_data.debates_about", locale = l),
        ),
    };
    (heading.into_owned(), about.into_owned())
}
