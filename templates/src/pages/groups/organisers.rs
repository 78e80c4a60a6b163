//! The organisers' weekly pages: a group's pending invitations (on its management page), and
//! removing a member (a confirmation that says all that ends).

use maud::{Markup, html};
use rust_i18n::t;

use crate::components::{csrf_field, encode_segment};
use crate::{
    PageContext, PendingInvitationView, RemoveMemberView, format_date, format_datetime, page,
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
