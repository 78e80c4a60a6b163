//! Texts: reading, the live editor, numbered lines, history and comparisons, creating and
//! importing, missing wiki pages, a group's recent changes.
//!
//! Every page of a text starts the same way: breadcrumbs (group → text), the title with the
//! text's kind and status, then the tabs Lire · Modifier · Lignes numérotées · Historique.
//!
//! The fields whose names end in `_html` hold HTML the server produced and sanitised with
//! ammonia; they are inserted with [`PreEscaped`], everything else is escaped as usual.

use maud::{Markup, PreEscaped, html};
use rust_i18n::t;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::assets;
use crate::components::{
    Control, Field, csrf_field, encode, encode_segment, error_summary, field_id, form_title,
    select_field,
};
use crate::{
    FormErrors, GroupChangesView, GroupKindView, Lang, NewTextView, PageContext, TextEditView,
    TextHeaderView, TextKindView, TextLinesView, TextLinkView, TextListItem, TextReadView,
    TextStatusView, TocEntryView, WikiMissingView, WriteBarView, format_datetime, page,
};

pub(crate) fn text_href(id: &str) -> String {
    format!("/texts/{}", encode_segment(id))
}

fn group_href(id: &str) -> String {
    format!("/groups/{}", encode_segment(id))
}

/// A date in words, with its machine-readable form.
pub(super) fn datetime(lang: Lang, at: OffsetDateTime) -> Markup {
    html! {
        time datetime=[at.format(&Rfc3339).ok()] { (format_datetime(lang, at)) }
    }
}

/// "modifié le 3 mars 2026 à 14 h 05".
pub(crate) fn updated(lang: Lang, at: OffsetDateTime) -> Markup {
    let date = format_datetime(lang, at);
    html! {
        time.meta-item datetime=[at.format(&Rfc3339).ok()] {
            (t!("text.updated_at", locale = lang.code(), date = date))
        }
    }
}

fn kind_tag(lang: Lang, kind: TextKindView) -> Markup {
    html! { span.tag.{ "tag--text-" (kind.code()) } { (kind.label(lang)) } }
}

/// The status as a word in a coloured tag: the word carries the meaning, the colour helps.
pub(crate) fn status_tag(lang: Lang, status: TextStatusView) -> Markup {
    html! { span.tag.{ "tag--status-" (status.code()) } { (status.label(lang)) } }
}

/// The tabs of a text's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tab {
    Read,
    Edit,
    Lines,
    History,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::Read, Tab::Edit, Tab::Lines, Tab::History];

    pub(super) fn label(self, lang: Lang, header: &TextHeaderView) -> String {
        let l = lang.code();
        match self {
            Tab::Read => t!("text.tab_read", locale = l),
            Tab::Edit if header.can_write => t!("text.tab_edit", locale = l),
            Tab::Edit => t!("text.tab_live", locale = l),
            Tab::Lines => t!("text.tab_lines", locale = l),
            Tab::History => t!("text.tab_history", locale = l),
        }
        .into_owned()
    }

    fn href(self, id: &str) -> String {
        let base = text_href(id);
        match self {
            Tab::Read => base,
            Tab::Edit => format!("{base}/edit"),
            Tab::Lines => format!("{base}/lines"),
            Tab::History => format!("{base}/history"),
        }
    }
}

/// Groupes › group › text (› page).
pub(super) fn text_breadcrumbs(lang: Lang, header: &TextHeaderView, crumb: Option<&str>) -> Markup {
    let l = lang.code();
    html! {
        nav.breadcrumbs aria-label=(t!("group.breadcrumbs", locale = l)) {
            ol role="list" {
                li { a href="/groups" { (t!("nav.groups", locale = l)) } }
                li { a href=(group_href(&header.group_id)) { (header.group_name) } }
                @if let Some(crumb) = crumb {
                    li { a href=(text_href(&header.id)) { (header.title) } }
                    li { span aria-current="page" { (crumb) } }
                } @else {
                    li { span aria-current="page" { (header.title) } }
                }
            }
        }
    }
}

/// The title, the kind and status, the last change, and the tabs with `tab` current: the page
/// itself when `exact`, else a page reached from it (a comparison, from the history).
pub(super) fn text_heading(
    lang: Lang,
    header: &TextHeaderView,
    current_tab: Tab,
    exact: bool,
) -> Markup {
    let l = lang.code();
    html! {
        header.page-header.text-header {
            h1 #text-title { (header.title) }
            p.text-meta {
                (kind_tag(lang, header.kind)) " " (status_tag(lang, header.status))
                " " (updated(lang, header.updated_at))
            }
        }
        nav.tabs aria-label=(t!("text.tabs_label", locale = l)) {
            ul role="list" {
                @for tab in Tab::ALL {
                    @let current = (tab == current_tab).then_some(if exact { "page" } else { "true" });
                    li { a href=(tab.href(&header.id)) aria-current=[current] { (tab.label(lang, header)) } }
                }
            }
        }
    }
}

/// The `<title>` of a text's page: "Historique · Title", or the title alone for reading.
pub(super) fn text_title(lang: Lang, header: &TextHeaderView, view: Option<&str>) -> String {
    match view {
        Some(view) => t!(
            "text.page_title",
            locale = lang.code(),
            view = view,
            title = &header.title
        )
        .into_owned(),
        None => header.title.clone(),
    }
}

/// A list of texts: title, kind (when `show_kind`), status, last change.
pub(crate) fn text_list(lang: Lang, items: &[TextListItem], show_kind: bool) -> Markup {
    html! {
        ul.text-list role="list" {
            @for item in items {
                li {
                    a.text-list-title href=(text_href(&item.id)) { (item.title) }
                    span.text-list-meta {
                        @if show_kind { (kind_tag(lang, item.kind)) " " }
                        (status_tag(lang, item.status))
                        " " (updated(lang, item.updated_at))
                    }
                }
            }
        }
    }
}

/// "Pages qui pointent ici", when there are some.
fn backlinks(lang: Lang, links: &[TextLinkView]) -> Markup {
    let l = lang.code();
    html! {
        @if !links.is_empty() {
            section.section aria-labelledby="backlinks-title" {
                h2 #backlinks-title { (t!("text.backlinks", locale = l)) }
                ul.backlinks {
                    @for link in links {
                        li {
                            a href=(text_href(&link.id)) { (link.title) }
                            " " span.muted { (t!("text.backlinks_in", locale = l, group = &link.group_name)) }
                        }
                    }
                }
            }
        }
    }
}

/// The table of contents as nested lists: each entry holds the entries below it that are
/// deeper, whatever the jumps between levels.
fn toc_list(entries: &[TocEntryView]) -> Markup {
    let mut items = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let head = &entries[i];
        let mut end = i + 1;
        while end < entries.len() && entries[end].level > head.level {
            end += 1;
        }
        items.push((head, &entries[i + 1..end]));
        i = end;
    }
    html! {
        ol role="list" {
            @for (head, children) in items {
                li {
                    a href={ "#" (head.anchor) } { (head.text) }
                    @if !children.is_empty() { (toc_list(children)) }
                }
            }
        }
    }
}

/// Reading a text (GET /texts/{id}): contents, body, backlinks, exports, and the status form
/// for those who may manage the text.
pub fn text_page(ctx: &PageContext, view: &TextReadView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let base = text_href(&header.id);
    let with_toc = view.toc.len() >= 2;
    let no_errors = FormErrors::new();
    // The form offers only the moves the text's life allows from where it is.
    let statuses: Vec<(&str, String)> = header
        .status_moves
        .iter()
        .map(|s| (s.code(), s.label(lang)))
        .collect();
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, None))
            (text_heading(lang, header, Tab::Read, true))
            // A text open to amendments (or past them) leads to its amendments.
            @if header.status != TextStatusView::Drafting {
                p.text-amendments-link { a href={ (base) "/amendments" } { (t!("amendment.list_link", locale = l)) } }
            }

            div.text-layout.text-layout--toc[with_toc] {
                @if with_toc {
                    nav.toc aria-labelledby="toc-title" {
                        h2 #toc-title { (t!("text.toc", locale = l)) }
                        (toc_list(&view.toc))
                    }
                }
                @if view.body_html.trim().is_empty() {
                    div.empty-state.text-body {
                        p { (t!("text.empty", locale = l)) }
                        @if header.can_write {
                            p { a href={ (base) "/edit" } { (t!("text.empty_write", locale = l)) } }
                        }
                    }
                } @else {
                    article.prose.text-body aria-labelledby="text-title" {
                        // Sanitised by the server (ammonia).
                        (PreEscaped(&view.body_html))
                    }
                }
            }

            // Who may file now gets the in-place editor (amend.js): it reads the heads the page
            // shows from here, and the Markdown at those heads when the member starts amending
            // (a convention's text is a hundred kilobytes no reader needs otherwise); without
            // it, the « Amender » links lead to the paragraph's form.
            @if let Some(amend) = &view.amend {
                div #amend-source hidden data-text-id=(header.id) data-lang=(l)
                    data-heads=(amend.heads)
                    data-markdown-url={ "/api/v1/texts/" (header.id) "/markdown?heads=" (amend.heads) }
                    data-rationale-required=(if amend.rationale_required { "true" } else { "false" }) {}
                script type="module" src=(assets::AMEND_JS) {}
            }

            (backlinks(lang, &view.backlinks))

            (super::related::related_section(lang, super::related::Level::H2, &view.related))

            section.section aria-labelledby="export-title" {
                h2 #export-title { (t!("text.export", locale = l)) }
                p {
                    (t!("text.export_intro", locale = l)) " "
                    a href={ (base) "/export.md" } type="text/markdown" { (t!("text.export_markdown", locale = l)) }
                    " · "
                    a href={ (base) "/export.html" } type="text/html" { (t!("text.export_html", locale = l)) }
                }
            }

            @if header.can_manage {
                section.section aria-labelledby="status-title" {
                    h2 #status-title { (t!("text.status_title", locale = l)) }
                    p.section-intro { (t!("text.status_intro", locale = l)) }
                    dl.status-help {
                        @for status in TextStatusView::ALL {
                            div {
                                dt { (status_tag(lang, *status)) }
                                dd { (status.explanation(lang)) }
                            }
                        }
                    }
                    @if !statuses.is_empty() {
                        form.form-row method="post" action={ (base) "/status" } {
                            (csrf_field(ctx))
                            (select_field(lang, "status", "status", &t!("text.status_label", locale = l), &statuses, None, &no_errors))
                            button.button type="submit" { (t!("text.status_submit", locale = l)) }
                        }
                    }
                }
            }
        }
    };
    page(ctx, &text_title(lang, header, None), body)
}

/// Why the viewer may not change the text: its status, their membership.
fn readonly_reasons(lang: Lang, header: &TextHeaderView, bar: Option<WriteBarView>) -> Vec<String> {
    let l = lang.code();
    let mut reasons = Vec::new();
    match header.status {
        TextStatusView::Drafting => {}
        TextStatusView::Amending => reasons.push(t!("text.readonly_amending", locale = l)),
        TextStatusView::Adopted => reasons.push(t!("text.readonly_adopted", locale = l)),
        TextStatusView::Archived => reasons.push(t!("text.readonly_archived", locale = l)),
    }
    if !header.contributor || reasons.is_empty() {
        let group = &header.group_name;
        reasons.push(match bar {
            Some(WriteBarView::Supporter) => t!("text.readonly_supporter", locale = l),
            Some(WriteBarView::Join(kind)) if header.status == TextStatusView::Drafting => {
                join_reason(lang, kind, group).into()
            }
            _ => t!("text.readonly_not_member", locale = l, group = group),
        });
    }
    reasons.into_iter().map(|r| r.into_owned()).collect()
}

fn join_reason(lang: Lang, kind: GroupKindView, group: &str) -> String {
    let l = lang.code();
    if kind == GroupKindView::Theme {
        t!("text.join_theme_reason", locale = l, group = group).into_owned()
    } else {
        t!("text.join_group_reason", locale = l, group = group).into_owned()
    }
}

/// The one button that lets a reader write a drafting text: join its theme (POST
/// /texts/{id}/join, which comes back to this editor).
fn join_to_write_form(ctx: &PageContext, header: &TextHeaderView, kind: GroupKindView) -> Markup {
    let l = ctx.lang.code();
    let label = if kind == GroupKindView::Theme {
        t!("text.join_theme_to_edit", locale = l)
    } else {
        t!("text.join_group_to_edit", locale = l)
    };
    html! {
        form.inline-form method="post" action={ (text_href(&header.id)) "/join" } {
            (csrf_field(ctx))
            button.button type="submit" { (label) }
        }
    }
}

/// The live editor (GET /texts/{id}/edit). The page only holds the editor's mount point; the
/// script `editor.js` reads its `data-*` attributes, loads automerge's WebAssembly from
/// `data-wasm-url`, connects to `data-sync-url` and writes its state into
/// `#atelier-editor-status`. The WebAssembly (most of the bytes) is preloaded: its download
/// starts with the script's instead of after it.
pub fn text_edit_page(ctx: &PageContext, view: &TextEditView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let tab_label = Tab::Edit.label(lang, header);
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&tab_label)))
            (text_heading(lang, header, Tab::Edit, true))

            @if view.readonly {
                div.notice.notice--readonly {
                    p { strong { (t!("text.readonly_notice", locale = l)) } }
                    @for reason in readonly_reasons(lang, header, view.write_bar) {
                        p { (reason) }
                    }
                    @if let (Some(WriteBarView::Join(kind)), TextStatusView::Drafting) = (view.write_bar, header.status) {
                        (join_to_write_form(ctx, header, kind))
                    }
                }
            } @else {
                p.edit-help { (t!("text.edit_help", locale = l)) }
                p.hint { (t!("text.edit_syntax", locale = l)) }
            }

            div #atelier-editor data-sync-url=(view.sync_url)
                data-readonly=(if view.readonly { "true" } else { "false" })
                data-text-id=(header.id) data-lang=(l)
                data-wasm-url=(assets::AUTOMERGE_WASM) {}
            p #atelier-editor-status role="status" aria-live="polite" {}
            noscript {
                div.notice {
                    p { (t!("text.noscript", locale = l)) }
                    p { a href=(text_href(&header.id)) { (t!("text.noscript_read", locale = l)) } }
                }
            }
            // `crossorigin` makes the preload's request the one `fetch` makes (same-origin
            // credentials), so the editor's fetch is served from it.
            link rel="preload" href=(assets::AUTOMERGE_WASM) as="fetch" type="application/wasm" crossorigin="anonymous";
            script type="module" src=(assets::EDITOR_JS) {}
        }
    };
    page(ctx, &text_title(lang, header, Some(&tab_label)), body)
}

/// The text with numbered paragraphs and lines (GET /texts/{id}/lines), to cite them.
pub fn text_lines_page(ctx: &PageContext, view: &TextLinesView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let tab_label = Tab::Lines.label(lang, header);
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&tab_label)))
            (text_heading(lang, header, Tab::Lines, true))
            p.section-intro { (t!("text.lines_help", locale = l)) }
            div.numbered {
                // Sanitised by the server (ammonia).
                (PreEscaped(&view.numbered_html))
            }
        }
    };
    page(ctx, &text_title(lang, header, Some(&tab_label)), body)
}

/// The error keys of the new text page, top to bottom.
const NEW_TEXT_FIELDS: [&str; 7] = [
    "title",
    "kind",
    "template",
    "markdown",
    "import_title",
    "import_kind",
    "file",
];

/// The kind of text as radio buttons, each with what it means.
fn kind_field(lang: Lang, selected: &str, errors: &FormErrors) -> Markup {
    let l = lang.code();
    let id = field_id("kind");
    let error = errors.get("kind");
    let error_id = format!("{id}-error");
    let selected = TextKindView::from_code(selected).unwrap_or(TextKindView::Programme);
    html! {
        fieldset.field.field--error[error.is_some()] id=(id)
            aria-describedby=[error.map(|_| error_id.as_str())] {
            legend { (t!("text.field_kind", locale = l)) }
            @if let Some(message) = error {
                p.field-error id=(error_id) {
                    span.visually-hidden { (t!("errors.prefix", locale = l)) " " }
                    (message)
                }
            }
            @for kind in TextKindView::ALL {
                @let option_id = format!("{id}-{}", kind.code());
                div.choice {
                    input type="radio" id=(option_id) name="kind" value=(kind.code())
                        checked[*kind == selected] aria-describedby={ (option_id) "-hint" };
                    label for=(option_id) { (kind.label(lang)) }
                    p.hint id={ (option_id) "-hint" } {
                        @match kind {
                            TextKindView::Programme => (t!("text.kind_programme_hint", locale = l)),
                            TextKindView::Wiki => (t!("text.kind_wiki_hint", locale = l)),
                        }
                    }
                }
            }
        }
    }
}

/// The file field of the import form.
fn file_field(lang: Lang, errors: &FormErrors) -> Markup {
    let id = field_id("file");
    let error = errors.get("file");
    let error_id = format!("{id}-error");
    html! {
        div.field.field--error[error.is_some()] {
            label for=(id) { (t!("text.import_field_file", locale = lang.code())) }
            @if let Some(message) = error {
                p.field-error id=(error_id) {
                    span.visually-hidden { (t!("errors.prefix", locale = lang.code())) " " }
                    (message)
                }
            }
            input id=(id) name="file" type="file" accept=".md,text/markdown" required
                aria-describedby=[error.map(|_| error_id.as_str())]
                aria-invalid=[error.map(|_| "true")];
        }
    }
}

/// Creating a text in a group (GET and POST /groups/{id}/texts/new), and importing one from a
/// Markdown file (POST multipart /groups/{id}/texts/import).
///
/// Error keys: `title`, `kind`, `template`, `markdown` (the creation form); `import_title`,
/// `import_kind`, `file` (the import form, whose fields are still named `title`, `kind` and
/// `file`). Other keys appear in the summary only.
pub fn new_text_page(ctx: &PageContext, view: &NewTextView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let errors = &view.errors;
    let base = group_href(&view.group_id);
    let title = t!("text.new_title", locale = l).into_owned();
    let templates: Vec<(&str, String)> = vec![
        (
            "chapter",
            t!("text.template_chapter", locale = l).into_owned(),
        ),
        (
            "motion",
            t!("text.template_motion", locale = l).into_owned(),
        ),
        ("wiki", t!("text.template_wiki", locale = l).into_owned()),
    ];
    let kinds: Vec<(&str, String)> = TextKindView::ALL
        .iter()
        .map(|k| (k.code(), k.label(lang)))
        .collect();
    let template = if view.template.is_empty() {
        if view.kind == TextKindView::Wiki.code() {
            "wiki"
        } else {
            "chapter"
        }
    } else {
        view.template.as_str()
    };
    let kind = if view.kind.is_empty() {
        TextKindView::Programme.code()
    } else {
        view.kind.as_str()
    };
    let body = html! {
        div.wrap {
            nav.breadcrumbs aria-label=(t!("group.breadcrumbs", locale = l)) {
                ol role="list" {
                    li { a href="/groups" { (t!("nav.groups", locale = l)) } }
                    li { a href=(base) { (view.group_name) } }
                    li { span aria-current="page" { (title) } }
                }
            }
            (error_summary(lang, errors, &NEW_TEXT_FIELDS))
            h1 { (title) }
            p.lead { (t!("text.new_lead", locale = l, group = &view.group_name)) }

            form.form method="post" action={ (base) "/texts/new" } novalidate {
                (csrf_field(ctx))
                (Field::new("title", t!("text.field_title", locale = l), Control::Text)
                    .value(&view.title)
                    .hint(t!("text.field_title_hint", locale = l))
                    .autocomplete("off")
                    .required()
                    .render(lang, errors))
                (kind_field(lang, kind, errors))
                (select_field(lang, "template", "template", &t!("text.field_template", locale = l), &templates, Some(template), errors))
                (Field::new("markdown", t!("text.field_markdown", locale = l), Control::TextArea)
                    .value(&view.markdown)
                    .hint(t!("text.field_markdown_hint", locale = l))
                    .render(lang, errors))
                button.button type="submit" { (t!("text.create_submit", locale = l)) }
            }

            section.section #import aria-labelledby="import-title" {
                h2 #import-title { (t!("text.import_title", locale = l)) }
                p.section-intro { (t!("text.import_intro", locale = l)) }
                form.form method="post" action={ (base) "/texts/import" } enctype="multipart/form-data" novalidate {
                    (csrf_field(ctx))
                    (Field::new("title", t!("text.import_field_title", locale = l), Control::Text)
                        .key("import_title")
                        .hint(t!("text.import_field_title_hint", locale = l))
                        .autocomplete("off")
                        .render(lang, errors))
                    (select_field(lang, "kind", "import_kind", &t!("text.field_kind", locale = l), &kinds, Some(kind), errors))
                    (file_field(lang, errors))
                    button.button type="submit" { (t!("text.import_submit", locale = l)) }
                }
            }
        }
    };
    page(ctx, &form_title(lang, &title, !errors.is_empty()), body)
}

/// A wiki link to a page that does not exist yet: create it, or say who can.
pub fn wiki_missing_page(ctx: &PageContext, view: &WikiMissingView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let title = t!("text.missing_title", locale = l).into_owned();
    let base = group_href(&view.group_id);
    let body = html! {
        div.wrap {
            nav.breadcrumbs aria-label=(t!("group.breadcrumbs", locale = l)) {
                ol role="list" {
                    li { a href="/groups" { (t!("nav.groups", locale = l)) } }
                    li { a href=(base) { (view.group_name) } }
                    li { span aria-current="page" { (view.title) } }
                }
            }
            header.page-header {
                p.eyebrow { (kind_tag(lang, TextKindView::Wiki)) }
                h1 { (title) }
            }
            p.lead { (t!("text.missing_lead", locale = l, title = &view.title, group = &view.group_name)) }
            @if view.can_create {
                p {
                    a.button href={ (base) "/texts/new?kind=wiki&title=" (encode(&view.title)) } {
                        (t!("text.missing_create", locale = l, title = &view.title))
                    }
                }
            } @else {
                p.muted { (t!("text.missing_cannot", locale = l, group = &view.group_name)) }
            }
            (backlinks(lang, &view.backlinks))
        }
    };
    page(ctx, &title, body)
}

/// A group's texts by last change (GET /groups/{id}/changes).
pub fn group_changes_page(ctx: &PageContext, view: &GroupChangesView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let title = t!("group.changes_title", locale = l, group = &view.group_name).into_owned();
    let body = html! {
        div.wrap {
            nav.breadcrumbs aria-label=(t!("group.breadcrumbs", locale = l)) {
                ol role="list" {
                    li { a href="/groups" { (t!("nav.groups", locale = l)) } }
                    li { a href=(group_href(&view.group_id)) { (view.group_name) } }
                    li { span aria-current="page" { (t!("group.changes_link", locale = l)) } }
                }
            }
            h1 { (title) }
            p.lead { (t!("group.changes_lead", locale = l)) }
            @if view.items.is_empty() {
                div.empty-state { p { (t!("group.changes_empty", locale = l)) } }
            } @else {
                (changes_list(lang, view))
            }
        }
    };
    page(ctx, &title, body)
}

/// The list of a group's changed texts: `text_list` with who made the latest changes.
fn changes_list(lang: Lang, view: &GroupChangesView) -> Markup {
    html! {
        ul.text-list role="list" {
            @for item in &view.items {
                li {
                    a.text-list-title href=(text_href(&item.id)) { (item.title) }
                    span.text-list-meta {
                        (kind_tag(lang, item.kind)) " " (status_tag(lang, item.status))
                        " " (updated(lang, item.updated_at))
                        @if let Some(names) = view.authors.get(&item.id).filter(|n| !n.is_empty()) {
                            " " span.text-list-authors {
                                (t!("text.version_by", locale = lang.code(), name = names.join(", ")))
                            }
                        }
                    }
                }
            }
        }
    }
}
