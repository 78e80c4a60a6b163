//! A text's history and comparisons: named versions, sessions of edits (compare any two
//! points, MediaWiki-style), and the differences between two points, on the rendered text or on
//! its Markdown source.
//!
//! The fields whose names end in `_html` hold HTML the server produced and sanitised; they are
//! inserted with [`PreEscaped`], everything else is escaped as usual.

use maud::{Markup, PreEscaped, html};
use rust_i18n::t;

use super::text::{Tab, datetime, text_breadcrumbs, text_heading, text_href, text_title};
use crate::components::{
    Control, Field, count_label, csrf_field, encode, encode_segment, error_summary, form_title,
    select_field,
};
use crate::{
    FormErrors, Lang, PageContext, PointOption, SessionView, TextDiffView, TextHistoryView,
    VersionView, format_datetime, page,
};

/// "Avant le congrès (3 mars 2026 à 14 h 05)", for the compare form's options.
fn version_option(lang: Lang, version: &VersionView) -> String {
    t!(
        "text.version_option",
        locale = lang.code(),
        label = &version.label,
        date = format_datetime(lang, version.created_at)
    )
    .into_owned()
}

/// The compare form (GET /texts/{id}/diff?from=…&to=…): "now", the points being compared, the
/// named versions.
fn compare_form(
    lang: Lang,
    text_id: &str,
    versions: &[VersionView],
    extra: &[PointOption],
    from: &str,
    to: &str,
) -> Markup {
    let l = lang.code();
    let no_errors = FormErrors::new();
    let mut options: Vec<(&str, String)> = vec![(
        "now",
        t!("text.compare_now_option", locale = l).into_owned(),
    )];
    options.extend(extra.iter().map(|p| (p.code.as_str(), p.label.clone())));
    options.extend(
        versions
            .iter()
            .map(|v| (v.id.as_str(), version_option(lang, v))),
    );
    html! {
        section.section aria-labelledby="compare-title" {
            h2 #compare-title { (t!("text.compare_title", locale = l)) }
            form.form-row method="get" action={ (text_href(text_id)) "/diff" } {
                (select_field(lang, "from", "from", &t!("text.compare_from", locale = l), &options, Some(from), &no_errors))
                (select_field(lang, "to", "to", &t!("text.compare_to", locale = l), &options, Some(to), &no_errors))
                button.button type="submit" { (t!("text.compare_submit", locale = l)) }
            }
        }
    }
}

/// A text's history (GET /texts/{id}/history): naming the current version, the named versions
/// (compare, restore), the compare form and the sessions of edits (compare any two points).
///
/// The naming form posts `label` to `/texts/{id}/versions`; restoring posts to
/// `/texts/{id}/versions/{version}/restore`.
pub fn text_history_page(ctx: &PageContext, view: &TextHistoryView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let base = text_href(&header.id);
    let tab_label = Tab::History.label(lang, header);
    let errors: FormErrors = view
        .label_error
        .iter()
        .map(|e| ("label".to_owned(), e.clone()))
        .collect();
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&tab_label)))
            (error_summary(lang, &errors, &["label"]))
            (text_heading(lang, header, Tab::History, true))

            @if header.contributor {
                section.section aria-labelledby="version-title" {
                    h2 #version-title { (t!("text.version_title", locale = l)) }
                    p.section-intro { (t!("text.version_intro", locale = l)) }
                    form.form method="post" action={ (base) "/versions" } novalidate {
                        (csrf_field(ctx))
                        (Field::new("label", t!("text.version_label", locale = l), Control::Text)
                            .hint(t!("text.version_hint", locale = l))
                            .autocomplete("off")
                            .required()
                            .render(lang, &errors))
                        button.button type="submit" { (t!("text.version_submit", locale = l)) }
                    }
                }
            }

            section.section aria-labelledby="versions-title" {
                h2 #versions-title { (t!("text.versions", locale = l)) }
                @if view.versions.is_empty() {
                    div.empty-state {
                        p { (t!("text.versions_empty", locale = l)) }
                        @if header.contributor {
                            p { (t!("text.versions_empty_hint", locale = l)) }
                        }
                    }
                } @else {
                    @if header.can_write {
                        p.section-intro { (t!("text.restore_help", locale = l)) }
                    }
                    ol.versions role="list" {
                        @for version in &view.versions {
                            li.version {
                                div.version-main {
                                    strong.version-label { (version.label) }
                                    span.version-meta {
                                        @if let Some(author) = &version.author_name {
                                            (t!("text.version_by", locale = l, name = author)) " · "
                                        }
                                        (datetime(lang, version.created_at))
                                    }
                                }
                                div.version-actions {
                                    a href={ (base) "/diff?from=" (encode(&version.id)) "&to=now" } {
                                        (t!("text.compare_now", locale = l))
                                        span.visually-hidden { " : " (version.label) }
                                    }
                                    @if header.can_write {
                                        form.inline-form method="post" action={ (base) "/versions/" (encode_segment(&version.id)) "/restore" } {
                                            (csrf_field(ctx))
                                            button.button.button--secondary.button--small type="submit" {
                                                (t!("text.restore", locale = l))
                                                span.visually-hidden { " : " (version.label) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }

            @if let Some(latest) = view.versions.first() {
                (compare_form(lang, &header.id, &view.versions, &[], &latest.id, "now"))
            }

            (sessions_section(lang, &header.id, view))
        }
    };
    page(
        ctx,
        &form_title(
            lang,
            &text_title(lang, header, Some(&tab_label)),
            !errors.is_empty(),
        ),
        body,
    )
}

/// The differences between two states of a text (GET /texts/{id}/diff?from=…&to=…): on the
/// rendered text by default, the Markdown source one link away (`&view=source`).
pub fn text_diff_page(ctx: &PageContext, view: &TextDiffView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let crumb = t!("text.diff_title", locale = l).into_owned();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let here = format!(
        "{}/diff?from={}&to={}",
        text_href(&header.id),
        encode(&view.from),
        encode(&view.to)
    );
    let source = view.source_html.is_some();
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&crumb)))
            (text_heading(lang, header, Tab::History, false))

            (compare_form(lang, &header.id, &view.versions, &view.extra_points, &view.from, &view.to))

            section.section aria-labelledby="diff-title" {
                h2 #diff-title { (t!("text.diff_heading", locale = l, from = &view.from_label, to = &view.to_label)) }
                p.diff-summary {
                    @if view.insertions == 0 && view.deletions == 0 {
                        (t!("text.diff_same", locale = l))
                    } @else {
                        (t!("text.diff_summary", locale = l,
                            added = count_label(lang, count(view.insertions), "count.words_added.one", "count.words_added.other"),
                            deleted = count_label(lang, count(view.deletions), "count.words_deleted.one", "count.words_deleted.other")))
                    }
                }
                @if view.truncated {
                    div.notice.notice--warn { p { (t!("text.diff_truncated", locale = l)) } }
                }
                nav.tabs.diff-views aria-label=(t!("history.diff_views", locale = l)) {
                    ul role="list" {
                        li { a href=(here) aria-current=[(!source).then_some("page")] { (t!("history.diff_rendered", locale = l)) } }
                        li { a href={ (here) "&view=source" } aria-current=[source.then_some("page")] { (t!("history.diff_source", locale = l)) } }
                    }
                }
                p.hint { (t!("text.diff_legend", locale = l)) }
                @if let Some(source_html) = &view.source_html {
                    div.diff {
                        // Sanitised by the server (escaped text, our own tags only).
                        (PreEscaped(source_html))
                    }
                } @else if let Some(rendered_html) = &view.rendered_html {
                    div.prose.diff-rendered {
                        // Sanitised by the server (ammonia).
                        (PreEscaped(rendered_html))
                    }
                }
            }
        }
    };
    page(ctx, &text_title(lang, header, Some(&crumb)), body)
}

/// Who made a session: names when the reader may know them, else « Un·e participant·e »; the
/// server's own changes as such.
fn session_authors(lang: Lang, session: &SessionView) -> String {
    let l = lang.code();
    let mut names: Vec<String> = Vec::new();
    let mut unnamed: i64 = 0;
    for author in &session.authors {
        match (&author.name, author.server) {
            (Some(name), _) => names.push(name.clone()),
            (None, true) => names.push(t!("text.server", locale = l).into_owned()),
            (None, false) => unnamed += 1,
        }
    }
    match unnamed {
        0 => {}
        1 => names.push(t!("history.participant", locale = l).into_owned()),
        n => names.push(count_label(
            lang,
            n,
            "history.participants.one",
            "history.participants.other",
        )),
    }
    names.join(", ")
}

/// The server's message for its own changes, in the reader's language: the store keeps them in
/// English ("created", "restored version 3"); anything else as written.
fn edit_message(lang: Lang, message: &str) -> String {
    let l = lang.code();
    message
        .split("; ")
        .map(|part| match part.strip_prefix("restored version ") {
            _ if part == "created" => t!("history.message_created", locale = l).into_owned(),
            Some(version) => {
                t!("history.message_restored", locale = l, version = version).into_owned()
            }
            None => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// The words a session added and removed, or that they are not counted yet.
fn session_words(lang: Lang, session: &SessionView) -> String {
    let l = lang.code();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    match session.words {
        None => t!("history.words_pending", locale = l).into_owned(),
        Some((0, 0)) => t!("history.words_none", locale = l).into_owned(),
        Some((added, removed)) => {
            let counts = t!(
                "history.words",
                locale = l,
                added = count_label(
                    lang,
                    count(added),
                    "count.words_added.one",
                    "count.words_added.other"
                ),
                deleted = count_label(
                    lang,
                    count(removed),
                    "count.words_deleted.one",
                    "count.words_deleted.other"
                )
            )
            .into_owned();
            if session.approximate {
                t!("history.words_approximate", locale = l, counts = counts).into_owned()
            } else {
                counts
            }
        }
    }
}

/// A radio button choosing `point` as one end of the comparison.
fn point_radio(id: &str, name: &str, point: &str, checked: bool, label: &str) -> Markup {
    html! {
        span.point-choice {
            input #(id) type="radio" name=(name) value=(point) checked[checked];
            label.visually-hidden for=(id) { (label) }
        }
    }
}

/// The sessions of edits, each a point one may compare from or to (the state after it), with
/// its own diff one link away; then the pages.
fn sessions_section(lang: Lang, text_id: &str, view: &TextHistoryView) -> Markup {
    let l = lang.code();
    let base = text_href(text_id);
    let sessions = &view.sessions;
    // Preselected: the last two sessions, as MediaWiki preselects the last two revisions.
    let to = sessions.first().map(|s| s.to.clone());
    let from = match sessions.get(1) {
        Some(previous) => Some(previous.to.clone()),
        None => sessions.first().map(|s| s.from.clone()),
    };
    let show_start = view.older.is_none() && !sessions.is_empty();
    html! {
        section.section aria-labelledby="sessions-title" {
            h2 #sessions-title { (t!("history.sessions", locale = l)) }
            @if sessions.is_empty() {
                div.empty-state { p { (t!("text.edits_empty", locale = l)) } }
            } @else {
                p.section-intro { (t!("history.sessions_intro", locale = l)) }
                form method="get" action={ (base) "/diff" } {
                    div.session-columns aria-hidden="true" {
                        span.session-points {
                            span.point-choice { (t!("history.from", locale = l)) }
                            span.point-choice { (t!("history.to", locale = l)) }
                        }
                    }
                    ol.sessions role="list" {
                        @for (at, session) in sessions.iter().enumerate() {
                            @let when = format_datetime(lang, session.ended_at);
                            li.session {
                                div.session-points {
                                    (point_radio(&format!("from-{at}"), "from", &session.to, from.as_deref() == Some(session.to.as_str()),
                                        &t!("history.from_point", locale = l, date = &when)))
                                    (point_radio(&format!("to-{at}"), "to", &session.to, to.as_deref() == Some(session.to.as_str()),
                                        &t!("history.to_point", locale = l, date = &when)))
                                }
                                div.session-main {
                                    p.session-who {
                                        strong { (session_authors(lang, session)) }
                                        " · "
                                        (datetime(lang, session.started_at))
                                        // To the minute, as dates are written: a short session is one date.
                                        @if format_datetime(lang, session.ended_at) != format_datetime(lang, session.started_at) {
                                            " – " (datetime(lang, session.ended_at))
                                        }
                                    }
                                    p.session-what {
                                        (session_words(lang, session))
                                        " · "
                                        (count_label(lang, session.authors.iter().map(|a| a.changes).sum(), "count.changes.one", "count.changes.other"))
                                        @for message in &session.messages {
                                            " · " span.edit-message { (edit_message(lang, message)) }
                                        }
                                        @if session.continues_earlier {
                                            " · " (t!("history.continues_earlier", locale = l))
                                        }
                                    }
                                }
                                div.session-actions {
                                    a href={ (base) "/diff?from=" (encode(&session.from)) "&to=" (encode(&session.to)) } {
                                        (t!("history.show_diff", locale = l))
                                        span.visually-hidden { " : " (t!("history.session_of", locale = l, date = &when)) }
                                    }
                                }
                            }
                        }
                        @if show_start {
                            li.session.session--start {
                                div.session-points {
                                    (point_radio("from-start", "from", "start", from.as_deref() == Some("start"), &t!("history.from_start", locale = l)))
                                    span.point-choice {}
                                }
                                div.session-main { p { (t!("history.start", locale = l)) } }
                            }
                        }
                    }
                    button.button type="submit" { (t!("history.compare_points", locale = l)) }
                }
                @if view.paged || view.older.is_some() {
                    nav.pager aria-label=(t!("history.pages", locale = l)) {
                        ul role="list" {
                            @if view.paged {
                                li { a href={ (base) "/history" } { (t!("history.newest", locale = l)) } }
                            }
                            @if let Some(older) = &view.older {
                                li { a href={ (base) "/history?before=" (encode(older)) } { (t!("history.older", locale = l)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}
