//! The organisers' weekly pages: a group's pending invitations (on its management page),
//! removing a member (a confirmation that says all that ends), and the administrators' list of
//! accounts with disabling and enabling.

use maud::{Markup, html};
use rust_i18n::t;

use crate::components::{Control, Field, csrf_field, encode, encode_segment, pagination};
use crate::{
    AccountsView, FormErrors, PageContext, PendingInvitationView, RemoveMemberView, format_date,
    format_datetime, page,
};

/// The pending invitations of a group, with "send again" and "withdraw" for each the viewer may
/// handle. `base` is the group's path.
pub(crate) fn pending_invitations(
    ctx: &PageContext,
    base: &str,
    invitations: &[PendingInvitationView],
) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    html! {
        section.section aria-labelledby="pending-title" {
            h2 #pending-title { (t!("pending.title", locale = l)) " " span.count { "(" (invitations.len()) ")" } }
            @if invitations.is_empty() {
                div.empty-state { p { (t!("pending.empty", locale = l)) } }
            } @else {
                p.section-intro { (t!("pending.intro", locale = l)) }
                div.table-wrap {
                    table.members {
                        caption.visually-hidden { (t!("pending.caption", locale = l)) }
                        thead {
                            tr {
                                th scope="col" { (t!("pending.col_email", locale = l)) }
                                th scope="col" { (t!("pending.col_role", locale = l)) }
                                th scope="col" { (t!("pending.col_sent", locale = l)) }
                                th scope="col" { (t!("pending.col_expires", locale = l)) }
                                th scope="col" { (t!("pending.col_actions", locale = l)) }
                            }
                        }
                        tbody {
                            @for invitation in invitations {
                                tr {
                                    th scope="row" { (invitation.email) }
                                    td { (invitation.role.label(lang)) }
                                    td {
                                        (format_datetime(lang, invitation.sent_at))
                                        @if let Some(by) = &invitation.invited_by {
                                            br;
                                            span.muted { (t!("pending.by", locale = l, name = by)) }
                                        }
                                    }
                                    td {
                                        @if invitation.expired {
                                            strong { (t!("pending.expired", locale = l)) }
                                            br;
                                            span.muted { (t!("pending.expired_on", locale = l, date = format_date(lang, invitation.expires_at.date()))) }
                                        } @else {
                                            (format_date(lang, invitation.expires_at.date()))
                                        }
                                    }
                                    td {
                                        @if invitation.can_handle {
                                            @let action = format!("{base}/invitations/{}", encode_segment(&invitation.id));
                                            form.inline-form method="post" action={ (action) "/resend" } {
                                                (csrf_field(ctx))
                                                button.button.button--secondary.button--small type="submit" {
                                                    (t!("pending.resend", locale = l))
                                                    span.visually-hidden { " : " (invitation.email) }
                                                }
                                            }
                                            " "
                                            form.inline-form method="post" action={ (action) "/withdraw" } {
                                                (csrf_field(ctx))
                                                button.button.button--secondary.button--small type="submit" {
                                                    (t!("pending.withdraw", locale = l))
                                                    span.visually-hidden { " : " (invitation.email) }
                                                }
                                            }
                                        } @else {
                                            span.muted { (t!("pending.beyond_you", locale = l)) }
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

/// Asks before removing someone from a group, saying what ends with it.
pub fn remove_member_page(ctx: &PageContext, view: &RemoveMemberView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let base = format!("/groups/{}", encode_segment(&view.group_id));
    let title = if view.is_self {
        t!("remove.title_self", locale = l, group = &view.group_name).into_owned()
    } else {
        t!(
            "remove.title",
            locale = l,
            name = &view.member_name,
            group = &view.group_name
        )
        .into_owned()
    };
    let body = html! {
        div.wrap {
            nav.breadcrumbs aria-label=(t!("group.breadcrumbs", locale = l)) {
                ol role="list" {
                    li { a href="/groups" { (t!("nav.groups", locale = l)) } }
                    li { a href=(base) { (view.group_name) } }
                    li { a href={ (base) "/manage" } { (t!("remove.crumb_manage", locale = l)) } }
                    li { span aria-current="page" { (t!("remove.crumb", locale = l)) } }
                }
            }
            h1 { (title) }
            p.lead { (t!("remove.role_here", locale = l, role = view.role.label(lang))) }
            @if view.is_self {
                p.notice.notice--warn { (t!("remove.self_warning", locale = l)) }
            }
            section.section aria-labelledby="ends-title" {
                h2 #ends-title { (t!("remove.ends_title", locale = l)) }
                ul {
                    li { (t!("remove.ends_here", locale = l, group = &view.group_name)) }
                    @for ended in &view.below {
                        li { (ended.group_name) " (" (ended.kind.label(lang)) ", " (ended.role.label(lang)) ")" }
                    }
                }
                p.muted { (t!("remove.kept", locale = l)) }
            }
            form.form method="post" action={ (base) "/members/" (encode_segment(&view.member_id)) "/remove" } {
                (csrf_field(ctx))
                ul.actions role="list" {
                    li { button.button type="submit" { (t!(if view.is_self { "remove.confirm_self" } else { "remove.confirm" }, locale = l)) } }
                    li { a.button.button--secondary href={ (base) "/manage" } { (t!("remove.cancel", locale = l)) } }
                }
            }
        }
    };
    page(ctx, &title, body)
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
