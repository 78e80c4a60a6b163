//! The home page (a member's workspace, or the welcome page for visitors) and the page an
//! accepted invitation lands on.

use maud::{Markup, html};
use rust_i18n::t;
use time::OffsetDateTime;

use super::texts::text::{status_tag, text_href, updated};
use crate::components::{card_list, join_form};
use crate::{HomeView, Lang, PageContext, WelcomeView, WorkItem, format_datetime, page};

/// The welcome page: what Atelier is for, and how to get in.
pub fn home_anonymous(ctx: &PageContext, registration_open: bool) -> Markup {
    let l = ctx.lang.code();
    let features = [
        ("home.feature_texts_title", "home.feature_texts_body"),
        (
            "home.feature_amendments_title",
            "home.feature_amendments_body",
        ),
        ("home.feature_votes_title", "home.feature_votes_body"),
        ("home.feature_themes_title", "home.feature_themes_body"),
    ];
    let body = html! {
        div.wrap {
            section.hero aria-labelledby="page-title" {
                h1 #page-title { (t!("home.welcome_title", locale = l)) }
                p.lead { (t!("home.welcome_lead", locale = l)) }
                div.actions {
                    a.button href="/login" { (t!("home.login_button", locale = l)) }
                    @if registration_open {
                        a.button.button--secondary href="/register" { (t!("home.register_link", locale = l)) }
                    }
                }
                @if !registration_open {
                    p.muted { (t!("home.invitation_only", locale = l)) }
                }
            }
            section aria-labelledby="features-title" {
                h2 #features-title { (t!("home.features_title", locale = l)) }
                ul.features role="list" {
                    @for (title, text) in features {
                        li.feature {
                            h3 { (t!(title, locale = l)) }
                            p { (t!(text, locale = l)) }
                        }
                    }
                }
            }
        }
    };
    page(ctx, &t!("home.anonymous_title", locale = l), body)
}

/// Texts to work on, each with « Lire » and, when the member may write it or join its theme to,
/// « Contribuer » (the editor). The links name their text for screen readers.
fn work_list(lang: Lang, items: &[WorkItem]) -> Markup {
    let l = lang.code();
    html! {
        ul.work-list role="list" {
            @for item in items {
                li.work-item {
                    div.work-item-main {
                        h3.work-item-title { (item.title) }
                        p.text-list-meta {
                            span { (item.group_name) }
                            " " (status_tag(lang, item.status))
                            " " (updated(lang, item.updated_at))
                            @if item.is_new {
                                " " span.tag.tag--new { (t!("home.new_since_visit", locale = l)) }
                            }
                        }
                    }
                    div.work-item-actions {
                        a.button.button--secondary.button--small href=(text_href(&item.id)) {
                            (t!("home.read", locale = l))
                            span.visually-hidden { " : " (item.title) }
                        }
                        @if item.can_contribute {
                            a.button.button--small href={ (text_href(&item.id)) "/edit" } {
                                (t!("home.contribute", locale = l))
                                span.visually-hidden { " : " (item.title) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// "Since your last visit, on 3 March…": texts changed and what happened; on a first visit, the
/// latest news of the member's groups.
fn news(lang: Lang, since: Option<OffsetDateTime>, view: &HomeView) -> Markup {
    let l = lang.code();
    html! {
        section.section aria-labelledby="news" {
            @if let Some(since) = since {
                h2 #news { (t!("home.since_visit", locale = l)) }
                p.section-intro {
                    (t!("home.since_visit_intro", locale = l, date = format_datetime(lang, since)))
                }
                @if view.changed.is_empty() && view.recent_activity.is_empty() {
                    div.empty-state { p { (t!("home.since_visit_empty", locale = l)) } }
                }
            } @else {
                h2 #news { (t!("home.activity", locale = l)) }
                @if view.recent_activity.is_empty() {
                    div.empty-state { p { (t!("home.activity_empty", locale = l)) } }
                }
            }
            @if !view.changed.is_empty() {
                (work_list(lang, &view.changed))
            }
            @if !view.recent_activity.is_empty() {
                (crate::components::activity_list(&view.recent_activity))
            }
        }
    }
}

/// A member's workspace: the texts being drafted in their groups and themes, what changed since
/// their last visit, then their themes and groups, then themes to join.
pub fn home(ctx: &PageContext, view: &HomeView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let name = ctx.viewer.as_ref().map(|v| v.name.as_str()).unwrap_or("");
    let body = html! {
        div.wrap {
            h1 { (t!("home.hello", locale = l, name = name)) }
            p.lead { (t!("home.workspace_lead", locale = l)) }

            section.section aria-labelledby="drafting" {
                h2 #drafting { (t!("home.drafting", locale = l)) }
                @if view.drafting.is_empty() {
                    div.empty-state {
                        p { (t!("home.drafting_empty", locale = l)) }
                        p { a href="#suggested-themes" { (t!("home.drafting_empty_link", locale = l)) } }
                    }
                } @else {
                    (work_list(lang, &view.drafting))
                }
            }

            (news(lang, view.since, view))

            section.section aria-labelledby="my-themes" {
                h2 #my-themes { (t!("home.my_themes", locale = l)) }
                (card_list(lang, &view.my_themes, 3, html! {
                    p { (t!("home.my_themes_empty", locale = l)) }
                }, |_| html! {}))
            }

            section.section aria-labelledby="my-groups" {
                h2 #my-groups { (t!("home.my_groups", locale = l)) }
                (card_list(lang, &view.my_groups, 3, html! {
                    p { (t!("home.my_groups_empty", locale = l)) }
                    p { a href="/groups" { (t!("home.browse_groups", locale = l)) } }
                }, |_| html! {}))
            }

            section.section aria-labelledby="suggested-themes" {
                h2 #suggested-themes { (t!("home.suggested_themes", locale = l)) }
                p.section-intro { (t!("home.suggested_themes_intro", locale = l)) }
                (card_list(lang, &view.suggested_themes, 3, html! {
                    p { (t!("home.suggested_themes_empty", locale = l)) }
                }, |card| join_form(ctx, &card.id, card.kind, &card.name)))
            }
        }
    };
    page(ctx, &t!("home.title", locale = l), body)
}

/// Where an accepted invitation lands (GET /welcome): the texts being drafted where the new
/// member is, then in the themes open to them, each one click from reading or writing.
pub fn welcome(ctx: &PageContext, view: &WelcomeView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let name = ctx.viewer.as_ref().map(|v| v.name.as_str()).unwrap_or("");
    let groups = view.group_names.join(", ");
    let body = html! {
        div.wrap {
            h1 { (t!("welcome.title", locale = l, name = name)) }
            @if groups.is_empty() {
                p.lead { (t!("welcome.lead_no_group", locale = l)) }
            } @else {
                p.lead { (t!("welcome.lead", locale = l, groups = groups)) }
            }

            section.section aria-labelledby="drafting" {
                h2 #drafting { (t!("welcome.drafting", locale = l)) }
                @if view.drafting.is_empty() {
                    div.empty-state {
                        p { (t!("welcome.drafting_empty", locale = l)) }
                    }
                } @else {
                    (work_list(lang, &view.drafting))
                }
            }

            section.section aria-labelledby="open-drafting" {
                h2 #open-drafting { (t!("welcome.open_drafting", locale = l)) }
                p.section-intro { (t!("welcome.open_drafting_intro", locale = l)) }
                @if view.open_drafting.is_empty() {
                    div.empty-state {
                        p { (t!("welcome.open_drafting_empty", locale = l)) }
                        p { a href="/groups" { (t!("home.browse_groups", locale = l)) } }
                    }
                } @else {
                    (work_list(lang, &view.open_drafting))
                }
            }

            p.actions {
                a.button.button--secondary href="/" { (t!("welcome.to_workspace", locale = l)) }
            }
        }
    };
    page(ctx, &t!("welcome.page_title", locale = l), body)
}
