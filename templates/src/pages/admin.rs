//! The administration page, and the administrators' list of accounts with disabling and
//! enabling.

use maud::{Markup, html};
use rust_i18n::t;

use crate::components::{
    Control, Field, card_list, csrf_field, encode, encode_segment, pagination, select_field,
    visibility_field,
};
use crate::{
    AccountsView, AdminView, FormErrors, GroupCard, GroupKindView, Lang, PageContext,
    RegistrationModeView, VisibilityView, format_date, page,
};

/// Counts, the registration mode, the groups to manage, and the form to create national groups.
pub fn admin_index(ctx: &PageContext, view: &AdminView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let no_errors = FormErrors::new();
    let manage_link = |card: &GroupCard| {
        html! {
            p { a href={ "/groups/" (encode_segment(&card.id)) "/manage" } {
                (t!("admin.manage", locale = l)) span.visually-hidden { " : " (card.name) }
            } }
        }
    };
    let kinds: Vec<(&str, String)> = [
        GroupKindView::Federation,
        GroupKindView::Theme,
        GroupKindView::WorkingGroup,
    ]
    .iter()
    .map(|k| (k.code(), k.label(lang)))
    .collect();
    let lists = [
        (GroupKindView::Federation, &view.federations),
        (GroupKindView::Theme, &view.themes),
        (GroupKindView::WorkingGroup, &view.working_groups),
    ];
    let body = html! {
        div.wrap {
            h1 { (t!("admin.title", locale = l)) }
            p.lead { (t!("admin.lead", locale = l)) }

            section.section aria-labelledby="figures" {
                h2 #figures { (t!("admin.figures", locale = l)) }
                dl.figures {
                    div {
                        dt { (t!("admin.members", locale = l)) }
                        dd { (crate::format_count(lang, view.member_count)) }
                    }
                    @for (kind, count) in view.group_counts.iter().filter(|(kind, _)| *kind != GroupKindView::National) {
                        div {
                            dt { (kind.plural_label(lang)) }
                            dd { (crate::format_count(lang, *count)) }
                        }
                    }
                }
            }

            section.section aria-labelledby="accounts" {
                h2 #accounts { (t!("accounts_admin.title", locale = l)) }
                p { a.button.button--secondary href="/admin/members" { (t!("accounts_admin.link", locale = l)) } }
            }

            section.section aria-labelledby="registration" {
                h2 #registration { (t!("admin.registration", locale = l)) }
                p {
                    strong {
                        @match RegistrationModeView::from_code(&view.registration_mode) {
                            Some(mode) => (mode.label(lang)),
                            None => (view.registration_mode),
                        }
                    }
                }
                p.muted { (t!("admin.registration_hint", locale = l)) }
            }

            @if let Some(national_id) = &view.national_id {
                section.section aria-labelledby="national" {
                    h2 #national { (GroupKindView::National.plural_label(lang)) }
                    ul.actions role="list" {
                        li { a.button.button--secondary href={ "/groups/" (encode_segment(national_id)) } { (t!("admin.national_page", locale = l)) } }
                        li { a.button.button--secondary href={ "/groups/" (encode_segment(national_id)) "/manage" } { (t!("admin.national_manage", locale = l)) } }
                    }
                }
            }

            @for (kind, cards) in lists {
                section.section aria-labelledby={ "admin-" (kind.code()) } {
                    h2 id={ "admin-" (kind.code()) } { (kind.plural_label(lang)) }
                    (card_list(lang, cards, 3, html! { p { (empty_text(lang, kind)) } }, manage_link))
                }
            }

            section.section #create aria-labelledby="create-title" {
                h2 #create-title { (t!("admin.create_title", locale = l)) }
                @match &view.national_id {
                    Some(national_id) => {
                        p.section-intro { (t!("admin.create_intro", locale = l)) }
                        form.form method="post" action="/groups" novalidate {
                            (csrf_field(ctx))
                            input type="hidden" name="parent_id" value=(national_id);
                            (select_field(lang, "kind", "new_kind", &t!("form.kind", locale = l), &kinds, None, &no_errors))
                            (Field::new("name", t!("form.group_name", locale = l), Control::Text).key("new_name").required().render(lang, &no_errors))
                            (Field::new("description", t!("form.description", locale = l), Control::TextArea).key("new_description").hint(t!("form.description_hint", locale = l)).render(lang, &no_errors))
                            (visibility_field(lang, "new_visibility", VisibilityView::Members, &no_errors))
                            button.button type="submit" { (t!("manage.create_button", locale = l)) }
                        }
                    },
                    None => {
                        div.empty-state { p { (t!("admin.no_national", locale = l)) } }
                    },
                }
            }
        }
    };
    page(ctx, &t!("admin.title", locale = l), body)
}

fn empty_text(lang: Lang, kind: GroupKindView) -> String {
    let l = lang.code();
    match kind {
        GroupKindView::Federation => t!("admin.federations_empty", locale = l),
        GroupKindView::Theme => t!("admin.themes_empty", locale = l),
        _ => t!("admin.working_groups_empty", locale = l),
    }
    .into_owned()
}

fn accounts_href(query: &str, page: u32) -> String {
    let mut href = String::from("/admin/members?");
    if !query.is_empty() {
        href.push_str(&format!("q={}&", encode(query)));
    }
    href.push_str(&format!("page={page}"));
    href
}

/// Every account, searched by name or address, with disabling and enabling (administrators).
pub fn admin_accounts(ctx: &PageContext, view: &AccountsView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let title = t!("accounts_admin.title", locale = l).into_owned();
    let no_errors = FormErrors::new();
    let back = accounts_href(&view.query, view.page);
    let body = html! {
        div.wrap {
            nav.breadcrumbs aria-label=(t!("group.breadcrumbs", locale = l)) {
                ol role="list" {
                    li { a href="/admin" { (t!("admin.title", locale = l)) } }
                    li { span aria-current="page" { (title) } }
                }
            }
            h1 { (title) }
            p.lead { (t!("accounts_admin.lead", locale = l)) }
            form.search-form method="get" action="/admin/members" role="search" {
                (Field::new("q", t!("accounts_admin.search_label", locale = l), Control::Search)
                    .value(&view.query)
                    .hint(t!("accounts_admin.search_hint", locale = l))
                    .render(lang, &no_errors))
                button.button type="submit" { (t!("directory.search_button", locale = l)) }
            }
            section.section aria-labelledby="accounts-results" {
                h2 #accounts-results { (t!("accounts_admin.results", locale = l, count = crate::format_count(lang, view.total))) }
                @if view.accounts.is_empty() {
                    div.empty-state {
                        p { (t!("accounts_admin.no_match", locale = l, query = &view.query)) }
                        p { a href="/admin/members" { (t!("directory.show_all", locale = l)) } }
                    }
                } @else {
                    div.table-wrap {
                        table.members {
                            caption.visually-hidden { (title) }
                            thead {
                                tr {
                                    th scope="col" { (t!("directory.col_name", locale = l)) }
                                    th scope="col" { (t!("accounts_admin.col_email", locale = l)) }
                                    th scope="col" { (t!("accounts_admin.col_since", locale = l)) }
                                    th scope="col" { (t!("accounts_admin.col_state", locale = l)) }
                                }
                            }
                            tbody {
                                @for account in &view.accounts {
                                    tr {
                                        th scope="row" {
                                            a href={ "/members/" (encode_segment(&account.id)) } { (account.name) }
                                            @if account.is_admin { " " span.pill { (t!("accounts_admin.admin", locale = l)) } }
                                        }
                                        td { (account.email) }
                                        td { (format_date(lang, account.created_at.date())) }
                                        td {
                                            @if account.disabled {
                                                strong { (t!("accounts_admin.disabled", locale = l)) }
                                            } @else {
                                                (t!("accounts_admin.active", locale = l))
                                            }
                                            @if !account.is_self {
                                                @let (action, label) = if account.disabled { ("enable", "profile.enable") } else { ("disable", "profile.disable") };
                                                " "
                                                form.inline-form method="post" action={ "/members/" (encode_segment(&account.id)) "/" (action) } {
                                                    (csrf_field(ctx))
                                                    input type="hidden" name="next" value=(back);
                                                    button.button.button--secondary.button--small type="submit" {
                                                        (t!(label, locale = l))
                                                        span.visually-hidden { " : " (account.name) }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pagination(lang, view.page, view.pages, |n| accounts_href(&view.query, n)))
        }
    };
    page(ctx, &title, body)
}
