//! Pieces shared by the pages: form fields with their errors, the error summary, group cards.

use maud::{Markup, html};
use rust_i18n::t;

use crate::{FormErrors, GroupCard, GroupKindView, Lang, PageContext, RoleView, VisibilityView};

/// The hidden CSRF field every form carries (nothing when the context has no token).
pub fn csrf_field(ctx: &PageContext) -> Markup {
    html! {
        @if let Some(token) = &ctx.csrf_token {
            input type="hidden" name="csrf_token" value=(token);
        }
    }
}

/// Percent-encodes a string for a URL query value or path segment.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Same as [`encode`] but also escapes `/`, for a single path segment.
pub(crate) fn encode_segment(value: &str) -> String {
    encode(value).replace('/', "%2F")
}

/// A list of recent events, newest first.
pub(crate) fn activity_list(items: &[crate::ActivityItem]) -> maud::Markup {
    maud::html! {
        ol.activity role="list" {
            @for item in items {
                li {
                    span.activity-when { (item.when) }
                    " "
                    @if let Some(url) = &item.url {
                        a href=(url) { (item.text) }
                    } @else {
                        span { (item.text) }
                    }
                }
            }
        }
    }
}

/// "42 membres" / "1 membre" (French counts 0 and 1 as singular).
pub(crate) fn member_count(lang: Lang, count: i64) -> String {
    let l = lang.code();
    let singular = match lang {
        Lang::Fr => count <= 1,
        Lang::En => count == 1,
    };
    let count_text = crate::format_count(lang, count);
    if singular {
        t!("count.members.one", locale = l, count = count_text).into_owned()
    } else {
        t!("count.members.other", locale = l, count = count_text).into_owned()
    }
}

/// A count with its noun, singular or plural: `one` and `other` are keys whose text holds
/// `%{count}` (French counts 0 and 1 as singular).
pub(crate) fn count_label(lang: Lang, count: i64, one: &str, other: &str) -> String {
    let singular = match lang {
        Lang::Fr => count <= 1,
        Lang::En => count == 1,
    };
    let count_text = crate::format_count(lang, count);
    crate::t_args(
        lang,
        if singular { one } else { other },
        &[("count", &count_text)],
    )
}

/// The `<title>` of a form page: "Erreur : " in front when there are errors (GOV.UK pattern,
/// so that screen-reader users hear it first).
pub(crate) fn form_title(lang: Lang, title: &str, has_errors: bool) -> String {
    if has_errors {
        t!("errors.title_prefix", locale = lang.code(), title = title).into_owned()
    } else {
        title.to_owned()
    }
}

/// The id of the element holding the field whose error key is `key`.
pub(crate) fn field_id(key: &str) -> String {
    format!("field-{key}")
}

/// The error summary at the top of a form page: each message links to its field, in the order
/// of `fields` (the page's fields, top to bottom), then any other key.
pub(crate) fn error_summary(lang: Lang, errors: &FormErrors, fields: &[&str]) -> Markup {
    let l = lang.code();
    let ordered = fields
        .iter()
        .filter_map(|key| errors.get_key_value(*key))
        .chain(
            errors
                .iter()
                .filter(|(key, _)| !fields.contains(&key.as_str())),
        );
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                h2 #error-summary-title { (t!("errors.summary_title", locale = l)) }
                ul {
                    @for (key, message) in ordered {
                        li { a href={ "#" (field_id(key)) } { (message) } }
                    }
                }
            }
        }
    }
}

/// An error summary for one message without a field of its own (wrong credentials), linking to
/// `target`.
pub(crate) fn error_summary_single(lang: Lang, message: &str, target: &str) -> Markup {
    html! {
        div.error-summary role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
            h2 #error-summary-title { (t!("errors.summary_title", locale = lang.code())) }
            ul { li { a href={ "#" (target) } { (message) } } }
        }
    }
}

/// What kind of control a [`Field`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    Text,
    Email,
    Password,
    Search,
    /// A day (`type="date"`: the browser's picker; the value is `YYYY-MM-DD`).
    Date,
    TextArea,
}

/// A labelled form field: an input or a textarea, with its hint and its error.
#[derive(Debug, Clone)]
pub(crate) struct Field<'a> {
    /// The input's `name`.
    pub name: &'a str,
    /// The key of its error in [`FormErrors`], which also gives its id; defaults to `name`.
    pub key: &'a str,
    pub label: String,
    pub control: Control,
    pub value: &'a str,
    pub hint: Option<String>,
    pub autocomplete: Option<&'a str>,
    pub required: bool,
    pub readonly: bool,
}

impl<'a> Field<'a> {
    pub fn new(name: &'a str, label: impl Into<String>, control: Control) -> Field<'a> {
        Field {
            name,
            key: name,
            label: label.into(),
            control,
            value: "",
            hint: None,
            autocomplete: None,
            required: false,
            readonly: false,
        }
    }

    pub fn key(mut self, key: &'a str) -> Self {
        self.key = key;
        self
    }

    pub fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn autocomplete(mut self, autocomplete: &'a str) -> Self {
        self.autocomplete = Some(autocomplete);
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn readonly(mut self) -> Self {
        self.readonly = true;
        self
    }

    pub fn render(&self, lang: Lang, errors: &FormErrors) -> Markup {
        let id = field_id(self.key);
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let error = errors.get(self.key);
        let described_by = [
            self.hint.as_ref().map(|_| hint_id.as_str()),
            error.map(|_| error_id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let described_by = (!described_by.is_empty()).then_some(described_by);
        let invalid = error.map(|_| "true");
        let input_type = match self.control {
            Control::Text | Control::TextArea => "text",
            Control::Email => "email",
            Control::Password => "password",
            Control::Search => "search",
            Control::Date => "date",
        };
        html! {
            div.field.field--error[error.is_some()] {
                label for=(id) { (self.label) }
                @if let Some(hint) = &self.hint {
                    p.hint id=(hint_id) { (hint) }
                }
                @if let Some(message) = error {
                    p.field-error id=(error_id) {
                        span.visually-hidden { (t!("errors.prefix", locale = lang.code())) " " }
                        (message)
                    }
                }
                @if self.control == Control::TextArea {
                    textarea id=(id) name=(self.name) rows="4"
                        aria-describedby=[described_by.as_deref()] aria-invalid=[invalid]
                        required[self.required] readonly[self.readonly] { (self.value) }
                } @else {
                    input id=(id) name=(self.name) type=(input_type) value=(self.value)
                        autocomplete=[self.autocomplete]
                        spellcheck=[matches!(self.control, Control::Email).then_some("false")]
                        aria-describedby=[described_by.as_deref()] aria-invalid=[invalid]
                        required[self.required] readonly[self.readonly];
                }
            }
        }
    }
}

/// A labelled `<select>`: options are (value, label).
pub(crate) fn select_field(
    lang: Lang,
    name: &str,
    key: &str,
    label: &str,
    options: &[(&str, String)],
    selected: Option<&str>,
    errors: &FormErrors,
) -> Markup {
    let id = field_id(key);
    let error = errors.get(key);
    let error_id = format!("{id}-error");
    html! {
        div.field.field--error[error.is_some()] {
            label for=(id) { (label) }
            @if let Some(message) = error {
                p.field-error id=(error_id) {
                    span.visually-hidden { (t!("errors.prefix", locale = lang.code())) " " }
                    (message)
                }
            }
            select id=(id) name=(name)
                aria-describedby=[error.map(|_| error_id.as_str())]
                aria-invalid=[error.map(|_| "true")] {
                @for (value, text) in options {
                    option value=(value) selected[selected == Some(*value)] { (text) }
                }
            }
        }
    }
}

/// The visibility choice as radio buttons, each with what it means.
pub(crate) fn visibility_field(
    lang: Lang,
    key: &str,
    selected: VisibilityView,
    errors: &FormErrors,
) -> Markup {
    let l = lang.code();
    let id = field_id(key);
    let error = errors.get(key);
    let error_id = format!("{id}-error");
    html! {
        fieldset.field.field--error[error.is_some()] id=(id)
            aria-describedby=[error.map(|_| error_id.as_str())] {
            legend { (t!("visibility.legend", locale = l)) }
            @if let Some(message) = error {
                p.field-error id=(error_id) {
                    span.visually-hidden { (t!("errors.prefix", locale = l)) " " }
                    (message)
                }
            }
            @for visibility in VisibilityView::ALL {
                @let option_id = format!("{id}-{}", visibility.code());
                div.choice {
                    input type="radio" id=(option_id) name="visibility" value=(visibility.code())
                        checked[*visibility == selected] aria-describedby={ (option_id) "-hint" };
                    label for=(option_id) { (capitalise(&visibility.label(lang))) }
                    p.hint id={ (option_id) "-hint" } { (visibility.explanation(lang)) }
                }
            }
        }
    }
}

/// "les adhérents" → "Les adhérents".
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Visible par : les adhérents", on every group page: trust is visible.
pub(crate) fn visibility_note(lang: Lang, visibility: VisibilityView) -> Markup {
    let l = lang.code();
    html! {
        p.visibility {
            span.visibility-icon aria-hidden="true" {
                @match visibility {
                    VisibilityView::Public => "◎",
                    VisibilityView::Members => "◉",
                    VisibilityView::Group => "●",
                }
            }
            " "
            (t!("visibility.visible_to", locale = l)) " "
            strong { (visibility.label(lang)) }
        }
    }
}

/// A group in a list, with its kind, size and the viewer's role. `heading` is the heading level
/// (2 to 4) so that the outline stays in order wherever the card sits.
pub(crate) fn group_card(lang: Lang, card: &GroupCard, heading: u8, extra: Markup) -> Markup {
    let link = html! { a href={ "/groups/" (encode_segment(&card.id)) } { (card.name) } };
    html! {
        article.card.{ "card--" (card.kind.code()) } {
            @match heading {
                2 => h2.card-title { (link) },
                4 => h4.card-title { (link) },
                _ => h3.card-title { (link) },
            }
            (card_meta(lang, card.kind, card.member_count, card.role))
            @if !card.description.is_empty() {
                p.card-description { (card.description) }
            }
            (extra)
        }
    }
}

/// "Thème · 42 membres · Votre rôle : Adhérent·e".
pub(crate) fn card_meta(
    lang: Lang,
    kind: GroupKindView,
    count: i64,
    role: Option<RoleView>,
) -> Markup {
    html! {
        p.card-meta {
            span.tag.{ "tag--" (kind.code()) } { (kind.label(lang)) }
            " · " span.meta-item { (member_count(lang, count)) }
            @if let Some(role) = role {
                " · " span.meta-item { (t!("group.your_role", locale = lang.code(), role = role.label(lang))) }
            }
        }
    }
}

/// A list of cards, or the empty state.
pub(crate) fn card_list(
    lang: Lang,
    cards: &[GroupCard],
    heading: u8,
    empty: Markup,
    extra: impl Fn(&GroupCard) -> Markup,
) -> Markup {
    html! {
        @if cards.is_empty() {
            div.empty-state { (empty) }
        } @else {
            ul.cards role="list" {
                @for card in cards {
                    li { (group_card(lang, card, heading, extra(card))) }
                }
            }
        }
    }
}

/// The join button of a theme or group (POST /groups/{id}/join).
pub(crate) fn join_form(ctx: &PageContext, id: &str, kind: GroupKindView, name: &str) -> Markup {
    let l = ctx.lang.code();
    let label = if kind == GroupKindView::Theme {
        t!("group.join_theme", locale = l)
    } else {
        t!("group.join_group", locale = l)
    };
    html! {
        form.inline-form method="post" action={ "/groups/" (encode_segment(id) ) "/join" } {
            (csrf_field(ctx))
            button.button type="submit" {
                (label)
                span.visually-hidden { " : " (name) }
            }
        }
    }
}

/// A list of plain strings (functions, mandates), or an empty-state sentence.
pub(crate) fn string_list(items: &[String], empty: &str) -> Markup {
    html! {
        @if items.is_empty() {
            p.muted { (empty) }
        } @else {
            ul {
                @for item in items { li { (item) } }
            }
        }
    }
}

/// The previous and next links of a paginated list, with "page N of M" between them (nothing
/// when everything fits on one page). `href` gives a page's address.
pub(crate) fn pagination(
    lang: Lang,
    page: u32,
    pages: u32,
    href: impl Fn(u32) -> String,
) -> Markup {
    let l = lang.code();
    html! {
        @if pages > 1 {
            nav.pagination aria-label=(t!("directory.pagination", locale = l)) {
                ul role="list" {
                    @if page > 1 {
                        li { a href=(href(page - 1)) rel="prev" { "← " (t!("directory.previous", locale = l)) } }
                    }
                    li { span aria-current="page" { (t!("directory.page_of", locale = l, page = page, pages = pages)) } }
                    @if page < pages {
                        li { a href=(href(page + 1)) rel="next" { (t!("directory.next", locale = l)) " →" } }
                    }
                }
            }
        }
    }
}
