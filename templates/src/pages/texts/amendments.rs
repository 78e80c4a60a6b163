//! The pages of amendments: an amendment's own page, under its text's heading.

use maud::{Markup, PreEscaped, html};
use rust_i18n::t;

use super::amendment_parts::{amendment_heading, amendment_href, amendment_status_tag};
use super::related::{Level, related_section, similar_amendments};
use super::text::{Tab, datetime, text_breadcrumbs, text_heading, text_href, text_title};
use crate::components::{Control, Field, csrf_field, error_summary, form_title, select_field};
use crate::{
    AmendmentFormView, AmendmentListView, AmendmentPageView, AmendmentPlaceView,
    AmendmentReviseView, AmendmentRulesFormView, AmendmentStatusView, Lang, PageContext,
    SubAmendmentFormView, page,
};

/// One button in a form of its own, posting to `action`.
fn action_form(ctx: &PageContext, action: &str, label: &str) -> Markup {
    html! {
        form.inline-form method="post" action=(action) {
            (csrf_field(ctx))
            button.button type="submit" { (label) }
        }
    }
}

/// An amendment's page (GET /amendments/{id}).
pub fn amendment_page(ctx: &PageContext, view: &AmendmentPageView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let base = amendment_href(&view.id);
    let heading = amendment_heading(lang, view.number, &view.reference);
    let actions = &view.actions;
    let moves: Vec<(&str, String)> = actions
        .screen_moves
        .iter()
        .map(|s| (s.code(), s.label(lang)))
        .collect();
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&heading)))
            (text_heading(lang, header, Tab::Read, false))
            (error_summary(lang, &view.errors, &["status", "reason"]))

            article.amendment aria-labelledby="amendment-title" {
                h2 #amendment-title { (heading) }
                p.amendment-meta {
                    (amendment_status_tag(lang, view.status))
                    " · "
                    @if let Some(section) = &view.on_behalf_of {
                        (t!("amendment.by_section", locale = l, section = section))
                    } @else if view.mine {
                        (t!("amendment.by_you", locale = l))
                    } @else if let Some(author) = &view.author {
                        (t!("amendment.by", locale = l, author = author))
                    } @else {
                        (t!("amendment.by_member", locale = l))
                    }
                }

                @if let Some(parent) = &view.parent {
                    p.amendment-parent {
                        (t!("amendment.sub_of", locale = l)) " "
                        a href=(amendment_href(&parent.id)) { (amendment_heading(lang, parent.number, &parent.reference)) }
                    }
                }

                @if let Some(by) = &view.superseded_by {
                    div.notice role="note" {
                        p {
                            strong { (t!("merge.superseded", locale = l)) } " "
                            a href=(amendment_href(&by.id)) { (amendment_heading(lang, by.number, &by.reference)) }
                        }
                    }
                }

                @match &view.place {
                    AmendmentPlaceView::InPlace => {}
                    AmendmentPlaceView::Outdated { then, now } => {
                        div.notice.notice--warn role="note" {
                            p { strong { (t!("amendment.outdated", locale = l)) } }
                            div.amendment-passages {
                                div {
                                    h3 { (t!("amendment.passage_then", locale = l)) }
                                    blockquote.amendment-passage { (then) }
                                }
                                div {
                                    h3 { (t!("amendment.passage_now", locale = l)) }
                                    blockquote.amendment-passage { (now) }
                                }
                            }
                        }
                    }
                    AmendmentPlaceView::Orphaned => {
                        div.notice.notice--warn role="note" {
                            p { strong { (t!("amendment.orphaned", locale = l)) } }
                        }
                    }
                }

                section aria-labelledby="diff-title" {
                    h3 #diff-title { (t!("amendment.diff", locale = l)) }
                    p.hint { (t!("amendment.diff_hint", locale = l)) }
                    // Sanitised by the server: `<del>` and `<ins>` around words.
                    div.prose.diff.amendment-diff { (PreEscaped(&view.diff_html)) }
                }

                section aria-labelledby="rationale-title" {
                    h3 #rationale-title { (t!("amendment.rationale", locale = l)) }
                    @if view.rationale.trim().is_empty() {
                        p.muted { (t!("amendment.no_rationale", locale = l)) }
                    } @else {
                        div.amendment-rationale {
                            @for para in view.rationale.split("\n\n") {
                                p { (para) }
                            }
                        }
                    }
                }

                @if !view.overlaps.is_empty() {
                    section aria-labelledby="overlaps-title" {
                        h3 #overlaps-title { (t!("amendment.overlaps", locale = l)) }
                        ul {
                            @for other in &view.overlaps {
                                li { a href=(amendment_href(&other.id)) { (amendment_heading(lang, other.number, &other.reference)) } }
                            }
                        }
                    }
                }

                section aria-labelledby="supporters-title" {
                    h3 #supporters-title { (t!("amendment.supporters", locale = l)) }
                    @if let Some(parity) = &view.parity {
                        p.amendment-parity {
                            (t!("amendment.support_counts", locale = l, supporters = view.supporter_count, women = parity.women))
                        }
                        p.hint {
                            (t!("amendment.support_minimums", locale = l, supporters = parity.min_supporters, women = parity.min_women))
                            " " (t!("amendment.support_counts_hint", locale = l))
                        }
                    } @else {
                        p { (crate::components::count_label(lang, view.supporter_count as i64, "amendment.supporters_one", "amendment.supporters_other")) }
                    }
                    @if view.supporters_before_rewording > 0 {
                        p.notice role="note" {
                            (t!("amendment.supporters_before_rewording", locale = l, count = view.supporters_before_rewording))
                        }
                    }
                    @if !view.supporters.is_empty() {
                        ul { @for name in &view.supporters { li { (name) } } }
                    }
                    @if actions.can_support {
                        (action_form(ctx, &format!("{base}/support"), &t!("amendment.support", locale = l)))
                    }
                    @if actions.can_unsupport {
                        (action_form(ctx, &format!("{base}/unsupport"), &t!("amendment.unsupport", locale = l)))
                    }
                }

                @if !view.subs.is_empty() || actions.can_file_sub {
                    section aria-labelledby="subs-title" {
                        h3 #subs-title { (t!("amendment.subs", locale = l)) }
                        @if view.subs.is_empty() {
                            p.muted { (t!("amendment.subs_none", locale = l)) }
                        }
                        ul.amendment-subs {
                            @for sub in &view.subs {
                                li.amendment-sub {
                                    a href=(amendment_href(&sub.id)) { (amendment_heading(lang, sub.number, &sub.reference)) }
                                    " " (amendment_status_tag(lang, sub.status))
                                    @if sub.outdated {
                                        p.notice.notice--warn role="note" { (t!("amendment.sub_outdated", locale = l)) }
                                    }
                                    // Sanitised by the server: `<del>` and `<ins>` around words.
                                    div.prose.diff.amendment-diff { (PreEscaped(&sub.diff_html)) }
                                }
                            }
                        }
                        @if actions.can_file_sub {
                            p { a.button.button--quiet href={ (base) "/amendments/new" } { (t!("amendment.sub_new", locale = l)) } }
                        }
                    }
                }

                @if view.revisions.len() > 1 {
                    section aria-labelledby="revisions-title" {
                        h3 #revisions-title { (t!("amendment.revisions", locale = l)) }
                        ol.amendment-revisions {
                            @for revision in &view.revisions {
                                li {
                                    strong { (t!("amendment.revision_number", locale = l, number = revision.number)) } " "
                                    (datetime(lang, revision.at))
                                    @if let Some(author) = &revision.author {
                                        " " (t!("amendment.history_by", locale = l, name = author))
                                    }
                                    @if let Some(sub) = &revision.from_sub {
                                        " " (t!("amendment.revision_from_sub", locale = l)) " "
                                        a href=(amendment_href(&sub.id)) { (amendment_heading(lang, sub.number, &sub.reference)) }
                                    }
                                    @if let Some(diff) = &revision.diff_html {
                                        p.hint { (t!("amendment.revision_changes", locale = l)) }
                                        // Sanitised by the server: `<del>` and `<ins>` around words.
                                        div.prose.diff.amendment-diff { (PreEscaped(diff)) }
                                    }
                                    @if revision.rationale_changed {
                                        p.muted { (t!("amendment.revision_rationale_changed", locale = l)) }
                                    }
                                }
                            }
                        }
                    }
                }

                section aria-labelledby="history-title" {
                    h3 #history-title { (t!("amendment.history", locale = l)) }
                    ol.amendment-history {
                        @for change in &view.history {
                            li {
                                (amendment_status_tag(lang, change.to)) " "
                                (datetime(lang, change.at))
                                @if let Some(actor) = &change.actor {
                                    " " (t!("amendment.history_by", locale = l, name = actor))
                                }
                                @if let Some(reason) = &change.reason {
                                    p.amendment-reason { (t!("amendment.reason_shown", locale = l, reason = reason)) }
                                }
                            }
                        }
                    }
                }

                (related_section(lang, Level::H3, &view.related))

                @if actions.can_submit || actions.can_withdraw || actions.can_revise {
                    section aria-labelledby="author-actions-title" {
                        h3 #author-actions-title { (t!("amendment.author_actions", locale = l)) }
                        @if actions.can_revise {
                            p { a.button.button--quiet href={ (base) "/revise" } { (t!("amendment.revise", locale = l)) } }
                        }
                        @if actions.can_submit {
                            (similar_amendments(lang, &view.similar))
                            (action_form(ctx, &format!("{base}/submit"), &t!("amendment.submit", locale = l)))
                        }
                        @if actions.can_withdraw {
                            (action_form(ctx, &format!("{base}/withdraw"), &t!("amendment.withdraw", locale = l)))
                        }
                    }
                }

                @if actions.can_merge {
                    section aria-labelledby="merge-title" {
                        h3 #merge-title { (t!("merge.title", locale = l)) }
                        @if actions.conflicts.is_empty() {
                            p.hint { (t!("merge.hint", locale = l)) }
                            (action_form(ctx, &format!("{base}/merge"), &t!("merge.submit", locale = l)))
                        } @else {
                            p { (t!("merge.conflicts", locale = l)) }
                            ul {
                                @for other in &actions.conflicts {
                                    li {
                                        a href={ (base) "/conflict/" (other.id) } {
                                            (t!("merge.resolve", locale = l, number = other.number))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }

                @if !moves.is_empty() {
                    section aria-labelledby="screen-title" {
                        h3 #screen-title { (t!("amendment.screen_title", locale = l)) }
                        form method="post" action={ (base) "/status" } {
                            (csrf_field(ctx))
                            (select_field(lang, "status", "status", &t!("amendment.status_label", locale = l), &moves,
                                view.chosen_status.map(|s| s.code()), &view.errors))
                            (Field::new("reason", t!("amendment.reason_label", locale = l), Control::TextArea)
                                .value(&view.reason)
                                .hint(t!("amendment.reason_hint", locale = l))
                                .render(lang, &view.errors))
                            button.button type="submit" { (t!("amendment.status_submit", locale = l)) }
                        }
                    }
                }
            }
        }
    };
    let title = form_title(
        lang,
        &text_title(lang, header, Some(&heading)),
        !view.errors.is_empty(),
    );
    page(ctx, &title, body)
}

/// A text's amendments, filtered by status, author and paragraph (a GET form: the filters stay
/// in the address), sorted by position in the text.
pub fn amendment_list_page(ctx: &PageContext, view: &AmendmentListView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let title = t!("amendment.list_title", locale = l).into_owned();
    let action = format!("{}/amendments", text_href(&header.id));
    let any = t!("amendment.filter_any", locale = l).into_owned();
    let paragraph = view.paragraph.map(|p| p.to_string()).unwrap_or_default();
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&title)))
            (text_heading(lang, header, Tab::Read, false))
            section aria-labelledby="amendments-title" {
                h2 #amendments-title { (title) }
                form.filters method="get" action=(action) role="search" aria-label=(t!("amendment.filters", locale = l)) {
                    div.field {
                        label for="filter-status" { (t!("amendment.filter_status", locale = l)) }
                        select #filter-status name="status" {
                            option value="" { (any) }
                            @for status in AmendmentStatusView::ALL {
                                option value=(status.code()) selected[view.status == Some(*status)] { (status.label(lang)) }
                            }
                        }
                    }
                    @if !view.authors.is_empty() {
                        div.field {
                            label for="filter-author" { (t!("amendment.filter_author", locale = l)) }
                            select #filter-author name="author" {
                                option value="" { (any) }
                                @for (id, name) in &view.authors {
                                    option value=(id) selected[view.author.as_deref() == Some(id.as_str())] { (name) }
                                }
                            }
                        }
                    }
                    div.field {
                        label for="filter-paragraph" { (t!("amendment.filter_paragraph", locale = l)) }
                        input #filter-paragraph name="paragraph" type="number" min="1" inputmode="numeric" value=(paragraph);
                    }
                    button.button type="submit" { (t!("amendment.filter_submit", locale = l)) }
                }
                p.muted role="status" {
                    (t!("amendment.list_count", locale = l, shown = view.rows.len(), total = view.total))
                }
                p {
                    a href={ (text_href(&header.id)) "/provenance" } { (t!("provenance.link", locale = l)) }
                }
                // The files hold every amendment the viewer may see, whatever the filters.
                p.amendment-exports {
                    (t!("amendment.export_intro", locale = l)) " "
                    a href={ "/api/v1/texts/" (header.id) "/amendments.csv" } download {
                        (t!("amendment.export_csv", locale = l))
                    }
                    " · "
                    a href={ "/api/v1/texts/" (header.id) "/amendments.json" } download {
                        (t!("amendment.export_json", locale = l))
                    }
                }
                @if view.can_merge_all {
                    form.inline-form method="post" action={ (action) "/merge" } {
                        (csrf_field(ctx))
                        button.button type="submit" { (t!("merge.all_submit", locale = l)) }
                    }
                }
                @if let Some(form) = &view.rules_form {
                    (rules_form(ctx, &action, form))
                }
                @if view.rows.is_empty() {
                    p.empty-state { (t!("amendment.list_empty", locale = l)) }
                } @else {
                    table.amendment-table {
                        caption.visually-hidden { (title) }
                        thead {
                            tr {
                                th scope="col" { (t!("amendment.col_number", locale = l)) }
                                th scope="col" { (t!("amendment.col_reference", locale = l)) }
                                th scope="col" { (t!("amendment.col_status", locale = l)) }
                                th scope="col" { (t!("amendment.col_author", locale = l)) }
                                th scope="col" { (t!("amendment.col_supporters", locale = l)) }
                            }
                        }
                        tbody {
                            @for row in &view.rows {
                                tr.amendment-row--sub[row.sub] {
                                    td {
                                        // Nested under its parent, just above: said in words too.
                                        @if row.sub { span aria-hidden="true" { "↳ " } }
                                        a href=(amendment_href(&row.id)) { (t!("amendment.number", locale = l, number = row.number)) }
                                    }
                                    td { (row.reference) }
                                    td { (amendment_status_tag(lang, row.status)) }
                                    td {
                                        @if let Some(author) = &row.author { (author) }
                                        @else { span.muted { (t!("amendment.a_member", locale = l)) } }
                                    }
                                    td { (row.supporters) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let has_errors = view
        .rules_form
        .as_ref()
        .is_some_and(|f| !f.errors.is_empty());
    page(
        ctx,
        &form_title(lang, &text_title(lang, header, Some(&title)), has_errors),
        body,
    )
}

/// The rules form's fields, top to bottom, for the error summary's order.
const RULES_FIELDS: [&str; 6] = [
    "opens_at",
    "closes_at",
    "min_supporters",
    "min_women",
    "rationale_required",
    "filers",
];

/// The organisers' form that sets the text's rules for amendments (posted without JavaScript,
/// errors next to their fields).
fn rules_form(ctx: &PageContext, list: &str, form: &AmendmentRulesFormView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let errors = &form.errors;
    let filers: Vec<(&str, String)> = vec![
        (
            "group",
            t!("amendment.rules_filers_group", locale = l).into_owned(),
        ),
        (
            "party",
            t!("amendment.rules_filers_party", locale = l).into_owned(),
        ),
    ];
    html! {
        section.section aria-labelledby="rules-title" {
            h3 #rules-title { (t!("amendment.rules_title", locale = l)) }
            p.hint { (t!("amendment.rules_intro", locale = l)) }
            form.form method="post" action={ (list) "/rules" } {
                (error_summary(lang, errors, &RULES_FIELDS))
                (csrf_field(ctx))
                (Field::new("opens_at", t!("amendment.rules_opens_at", locale = l), Control::Text)
                    .value(&form.opens_at).hint(t!("amendment.rules_time_hint", locale = l)).render(lang, errors))
                (Field::new("closes_at", t!("amendment.rules_closes_at", locale = l), Control::Text)
                    .value(&form.closes_at).hint(t!("amendment.rules_time_hint", locale = l)).render(lang, errors))
                (Field::new("min_supporters", t!("amendment.rules_min_supporters", locale = l), Control::Text)
                    .value(&form.min_supporters).render(lang, errors))
                (Field::new("min_women", t!("amendment.rules_min_women", locale = l), Control::Text)
                    .value(&form.min_women).hint(t!("amendment.rules_min_women_hint", locale = l)).render(lang, errors))
                div.field.choice #field-rationale_required {
                    input #rules-rationale_required type="checkbox" name="rationale_required" value="1" checked[form.rationale_required];
                    label for="rules-rationale_required" { (t!("amendment.rules_rationale_required", locale = l)) }
                }
                (select_field(lang, "filers", "filers", &t!("amendment.rules_filers", locale = l), &filers,
                    Some(form.filers.as_str()), errors))
                button.button type="submit" { (t!("amendment.rules_submit", locale = l)) }
            }
        }
    }
}

/// « Déposer au nom de : moi / <section> », for a section's or federation's secretary: radio
/// buttons, oneself first and the default.
fn on_behalf_field(lang: Lang, view: &AmendmentFormView) -> Markup {
    let l = lang.code();
    let error = view.errors.get("on_behalf_of");
    let me = t!("amendment.on_behalf_me", locale = l).into_owned();
    let choices =
        std::iter::once((String::new(), me)).chain(view.on_behalf_choices.iter().cloned());
    html! {
        fieldset.field.field--error[error.is_some()] id="field-on_behalf_of" {
            legend { (t!("amendment.on_behalf_label", locale = l)) }
            @if let Some(message) = error {
                p.field-error {
                    span.visually-hidden { (t!("errors.prefix", locale = l)) " " }
                    (message)
                }
            }
            @for (id, name) in choices {
                @let option_id = if id.is_empty() { "on-behalf-me".to_owned() } else { format!("on-behalf-{id}") };
                div.choice {
                    input type="radio" id=(option_id) name="on_behalf_of" value=(id) checked[view.on_behalf_of == id];
                    label for=(option_id) { (name) }
                }
            }
        }
    }
}

/// The form to amend a paragraph or add one after it, without JavaScript.
pub fn amendment_form_page(ctx: &PageContext, view: &AmendmentFormView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let paragraph = view.paragraph.to_string();
    let title = if view.add {
        t!(
            "amendment.new_add_title",
            locale = l,
            paragraph = &paragraph
        )
    } else {
        t!("amendment.new_title", locale = l, paragraph = &paragraph)
    }
    .into_owned();
    let action = format!("{}/amendments/new", text_href(&header.id));
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&title)))
            (error_summary(lang, &view.errors, &["on_behalf_of", "replacement", "rationale"]))
            h1 { (title) }
            // Without JavaScript, adding a paragraph is reached from the paragraph before it
            // (the reading view carries one control per paragraph: a convention's text has
            // hundreds, and each gap's own control would double the page for every filer).
            p.amendment-form-switch {
                @if view.add {
                    a href={ (action) "?paragraph=" (paragraph) } {
                        (t!("amendment.switch_to_amend", locale = l, paragraph = &paragraph))
                    }
                } @else {
                    a href={ (action) "?paragraph=" (paragraph) "&add=1" } {
                        (t!("amendment.switch_to_add", locale = l, paragraph = &paragraph))
                    }
                }
            }
            @if !view.add {
                section aria-labelledby="original-title" {
                    h2 #original-title { (t!("amendment.original", locale = l)) }
                    pre.amendment-original { (view.original) }
                    // What other groups wrote on the same subject, before writing one's own.
                    p { a href={ (text_href(&header.id)) "/paragraphs/" (paragraph) "/related" } {
                        (t!("text.paragraph_related_label", locale = l, paragraph = &paragraph))
                    } }
                }
            }
            form method="post" action=(action) {
                (csrf_field(ctx))
                input type="hidden" name="paragraph" value=(paragraph);
                @if view.add { input type="hidden" name="add" value="1"; }
                input type="hidden" name="heads" value=(view.heads);
                @if !view.on_behalf_choices.is_empty() || view.errors.contains_key("on_behalf_of") {
                    (on_behalf_field(lang, view))
                }
                (wording_and_actions(
                    lang,
                    Field::new("replacement", t!(if view.add { "amendment.new_paragraph_label" } else { "amendment.replacement_label" }, locale = l), Control::TextArea)
                        .value(&view.replacement)
                        .hint(t!(if view.add { "amendment.new_paragraph_hint" } else { "amendment.replacement_hint" }, locale = l)),
                    &view.rationale,
                    view.rationale_required,
                    &view.errors,
                ))
            }
        }
    };
    page(
        ctx,
        &form_title(
            lang,
            &text_title(lang, header, Some(&title)),
            !view.errors.is_empty(),
        ),
        body,
    )
}

/// The form that rewords an amendment, without JavaScript: the passage as filed, the wording and
/// the rationale as they are now.
pub fn amendment_revise_page(ctx: &PageContext, view: &AmendmentReviseView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let heading = amendment_heading(lang, view.number, &view.reference);
    let title = t!("amendment.revise_title", locale = l, number = view.number).into_owned();
    let base = amendment_href(&view.id);
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&heading)))
            (error_summary(lang, &view.errors, &["replacement", "rationale"]))
            h1 { (title) }
            p { a href=(base) { (heading) } }
            section aria-labelledby="original-title" {
                h2 #original-title { (t!("amendment.original_filed", locale = l)) }
                pre.amendment-original { (view.original) }
            }
            p.hint { (t!("amendment.revise_hint", locale = l)) }
            form method="post" action={ (base) "/revise" } {
                (csrf_field(ctx))
                (Field::new("replacement", t!("amendment.replacement_label", locale = l), Control::TextArea)
                    .value(&view.replacement)
                    .hint(t!("amendment.revise_replacement_hint", locale = l))
                    .render(lang, &view.errors))
                @let rationale = Field::new("rationale", t!("amendment.rationale", locale = l), Control::TextArea).value(&view.rationale);
                (if view.rationale_required { rationale.required() } else { rationale }.render(lang, &view.errors))
                div.form-actions {
                    button.button type="submit" { (t!("amendment.revise_submit", locale = l)) }
                }
            }
        }
    };
    page(
        ctx,
        &form_title(
            lang,
            &text_title(lang, header, Some(&title)),
            !view.errors.is_empty(),
        ),
        body,
    )
}

/// The form that files a sub-amendment without JavaScript: the passage of the amendment's
/// wording chosen (the whole, or one of its paragraphs), its new wording and the rationale.
pub fn sub_amendment_form_page(ctx: &PageContext, view: &SubAmendmentFormView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let parent = amendment_heading(lang, view.parent_number, &view.parent_reference);
    let title = t!(
        "amendment.sub_new_title",
        locale = l,
        number = view.parent_number
    )
    .into_owned();
    let base = amendment_href(&view.parent_id);
    let action = format!("{base}/amendments/new");
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&title)))
            (error_summary(lang, &view.errors, &["replacement", "rationale", "start", "end"]))
            h1 { (title) }
            p { a href=(base) { (parent) } }
            @if view.passages.len() > 1 {
                nav aria-labelledby="passages-title" {
                    h2 #passages-title { (t!("amendment.sub_choose", locale = l)) }
                    ul {
                        @for passage in &view.passages {
                            li {
                                a href={ (action) "?start=" (passage.start) "&end=" (passage.end) }
                                    aria-current=[(passage.start == view.start && passage.end == view.end).then_some("true")] {
                                    @if let Some(n) = passage.paragraph {
                                        (t!("amendment.sub_paragraph", locale = l, number = n))
                                    } @else {
                                        (t!("amendment.sub_whole", locale = l))
                                    }
                                }
                                " — " span.muted { (passage.text) }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="original-title" {
                h2 #original-title { (t!("amendment.sub_passage", locale = l)) }
                pre.amendment-original { (view.original) }
            }
            form method="post" action=(action) {
                (csrf_field(ctx))
                input type="hidden" name="start" value=(view.start);
                input type="hidden" name="end" value=(view.end);
                (wording_and_actions(
                    lang,
                    Field::new("replacement", t!("amendment.replacement_label", locale = l), Control::TextArea)
                        .value(&view.replacement)
                        .hint(t!("amendment.revise_replacement_hint", locale = l)),
                    &view.rationale,
                    view.rationale_required,
                    &view.errors,
                ))
            }
        }
    };
    page(
        ctx,
        &form_title(
            lang,
            &text_title(lang, header, Some(&title)),
            !view.errors.is_empty(),
        ),
        body,
    )
}

/// The wording being written, its rationale and the two ways to send it (a draft, or filed):
/// the same on every form that writes an amendment.
fn wording_and_actions(
    lang: Lang,
    replacement: Field,
    rationale: &str,
    rationale_required: bool,
    errors: &crate::FormErrors,
) -> Markup {
    let l = lang.code();
    let rationale = Field::new(
        "rationale",
        t!("amendment.rationale", locale = l),
        Control::TextArea,
    )
    .value(rationale);
    html! {
        (replacement.render(lang, errors))
        (if rationale_required { rationale.required() } else { rationale }.render(lang, errors))
        div.form-actions {
            button.button.button--quiet type="submit" name="action" value="draft" { (t!("amendment.save_draft", locale = l)) }
            " "
            button.button type="submit" name="action" value="submit" { (t!("amendment.submit", locale = l)) }
        }
    }
}
