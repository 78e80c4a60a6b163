//! `/search`: the box, how the query was read, one page of hits with their snippets, and the
//! facets that narrow it — every choice a link that keeps the rest of the query in the address.

use maud::{Markup, PreEscaped, html};
use rust_i18n::t;

use crate::components::{Control, Field, encode, error_summary, form_title, pagination};
use crate::{
    AmendmentStatusView, FacetView, Lang, PageContext, SearchFiltersView, SearchView,
    TextStatusView, page,
};

/// `/search?…` with `filters` (empty ones left out) and the page (none for the first).
pub fn search_href(filters: &SearchFiltersView, page: u32) -> String {
    let f = filters;
    let page_text = page.to_string();
    let mut pairs: Vec<(&str, &str)> = [
        ("q", f.q.as_str()),
        ("kind", f.kind.as_str()),
        ("theme", f.theme.as_str()),
        ("place", f.place.as_str()),
        ("status", f.status.as_str()),
        ("convention", f.convention.as_str()),
        ("from", f.from.as_str()),
        ("to", f.to.as_str()),
        ("sort", f.sort.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .collect();
    if page > 1 {
        pairs.push(("page", &page_text));
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    format!("/search?{}", query.join("&"))
}

/// The filters with `field` set to `value` (or cleared when it already is), from the first page.
fn toggled(filters: &SearchFiltersView, field: &str, value: &str) -> SearchFiltersView {
    let mut f = filters.clone();
    let slot = match field {
        "kind" => &mut f.kind,
        "theme" => &mut f.theme,
        "place" => &mut f.place,
        "status" => &mut f.status,
        "convention" => &mut f.convention,
        "sort" => &mut f.sort,
        _ => return f,
    };
    *slot = if slot == value {
        String::new()
    } else {
        value.to_owned()
    };
    f
}

/// What a kind of document is called (its code when we have no name for it).
pub(crate) fn kind_label(lang: Lang, kind: &str) -> String {
    let l = lang.code();
    match kind {
        "group" => t!("search.kind.group", locale = l),
        "text" => t!("search.kind.text", locale = l),
        "wiki" => t!("search.kind.wiki", locale = l),
        "paragraph" => t!("search.kind.paragraph", locale = l),
        "amendment" => t!("search.kind.amendment", locale = l),
        "debate" => t!("search.kind.debate", locale = l),
        other => return other.to_owned(),
    }
    .into_owned()
}

/// What a status is called: an amendment's or a text's (the same word, « adopté », for both).
fn status_label(lang: Lang, status: &str) -> String {
    if let Some(status) = AmendmentStatusView::from_code(status) {
        status.label(lang)
    } else if let Some(status) = TextStatusView::from_code(status) {
        status.label(lang)
    } else {
        status.to_owned()
    }
}

fn facet_title(lang: Lang, field: &str) -> String {
    let l = lang.code();
    match field {
        "kind" => t!("search.facet.kind", locale = l),
        "theme" => t!("search.facet.theme", locale = l),
        "place" => t!("search.facet.place", locale = l),
        "status" => t!("search.facet.status", locale = l),
        _ => t!("search.facet.convention", locale = l),
    }
    .into_owned()
}

fn facet(lang: Lang, filters: &SearchFiltersView, facet: &FacetView) -> Markup {
    let l = lang.code();
    let title = facet_title(lang, facet.field);
    html! {
        @if !facet.values.is_empty() {
            section.search-facet aria-labelledby={ "facet-" (facet.field) } {
                h3 #{ "facet-" (facet.field) } { (title) }
                ul role="list" {
                    @for value in &facet.values {
                        li.search-facet-value style=[(value.depth > 0).then(|| format!("margin-inline-start: {}em", value.depth))] {
                            a href=(search_href(&toggled(filters, facet.field, &value.value), 1))
                                aria-current=[value.selected.then_some("true")] {
                                @if value.selected { span.visually-hidden { (t!("search.selected", locale = l)) " " } }
                                (value.label)
                            }
                            " "
                            span.search-facet-count { "(" (crate::format_count(lang, value.count as i64)) ")" }
                        }
                    }
                }
            }
        }
    }
}

/// The search page.
pub fn search_page(ctx: &PageContext, view: &SearchView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let f = &view.filters;
    let title = if f.q.trim().is_empty() {
        t!("search.title", locale = l).into_owned()
    } else {
        t!("search.title_for", locale = l, q = f.q.trim()).into_owned()
    };
    let by_date = f.sort == "date";
    let body = html! {
        div.wrap {
            h1 { (title) }
            (error_summary(lang, &view.errors, &["q", "kind", "theme", "place", "status", "convention", "from", "to", "sort", "page"]))
            form.search-form method="get" action="/search" role="search" aria-label=(t!("search.facets_form", locale = l)) {
                (Field::new("q", t!("search.query", locale = l), Control::Search).value(&f.q).hint(t!("search.query_hint", locale = l)).render(lang, &view.errors))
                (Field::new("from", t!("archives.from", locale = l), Control::Date).value(&f.from).render(lang, &view.errors))
                (Field::new("to", t!("archives.to", locale = l), Control::Date).value(&f.to).render(lang, &view.errors))
                @for (name, value) in [("kind", &f.kind), ("theme", &f.theme), ("place", &f.place), ("status", &f.status), ("convention", &f.convention), ("sort", &f.sort)] {
                    @if !value.is_empty() { input type="hidden" name=(name) value=(value); }
                }
                button.button type="submit" { (t!("search.button", locale = l)) }
            }
            @if view.rebuilding {
                div.flash role="status" { p { (t!("search.rebuilding", locale = l)) } }
            }
            @if let Some(reading) = &view.reading {
                p.search-reading { (t!("search.reading", locale = l)) " « " (reading) " »" }
            }
            @for notice in &view.notices {
                p.hint role="note" { (notice) }
            }
            @if view.asked && !view.rebuilding {
                div.search-layout {
                    aside.search-facets aria-labelledby="facets-title" {
                        h2 #facets-title { (t!("search.facets", locale = l)) }
                        @for one in &view.facets { (facet(lang, f, one)) }
                    }
                    section.search-results aria-labelledby="search-count" {
                        h2 #search-count {
                            @if view.total == 1 { (t!("search.count_one", locale = l)) }
                            @else { (t!("search.count_other", locale = l, count = crate::format_count(lang, view.total as i64))) }
                        }
                        p.search-sort {
                            (t!("search.sort", locale = l)) " "
                            @if by_date {
                                a href=(search_href(&toggled(f, "sort", "date"), 1)) { (t!("search.sort_relevance", locale = l)) }
                                " · " strong { (t!("search.sort_date", locale = l)) }
                            } @else {
                                strong { (t!("search.sort_relevance", locale = l)) } " · "
                                a href=(search_href(&toggled(f, "sort", "date"), 1)) { (t!("search.sort_date", locale = l)) }
                            }
                        }
                        @if view.hits.is_empty() {
                            div.empty-state { p { (t!("search.none", locale = l)) } }
                        } @else {
                            ol.search-hits role="list" start=((view.page.max(1) - 1) * 20 + 1) {
                                @for hit in &view.hits {
                                    li.search-hit {
                                        a.search-hit-title href=(hit.url) { (hit.title) }
                                        p.text-list-meta {
                                            span.tag { (kind_label(lang, &hit.kind)) }
                                            @if let Some(status) = &hit.status { " · " (status_label(lang, status)) }
                                            @if let Some(author) = &hit.author { " · " (author) }
                                            @if let Some(date) = &hit.date { " · " (date) }
                                        }
                                        // Escaped by the index, the matched words in <mark>.
                                        p.search-snippet { (PreEscaped(&hit.snippet_html)) }
                                    }
                                }
                            }
                        }
                        (pagination(lang, view.page, view.pages, |n| search_href(f, n)))
                    }
                }
            }
        }
    };
    page(
        ctx,
        &form_title(lang, &title, !view.errors.is_empty()),
        body,
    )
}

/// The label of a facet's value for the page: kinds and statuses by name, others as given.
pub fn facet_label(lang: Lang, field: &str, value: &str) -> String {
    match field {
        "kind" => kind_label(lang, value),
        "status" => status_label(lang, value),
        _ => value.to_owned(),
    }
}
