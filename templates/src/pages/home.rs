//! The home page: a member's workspace, or the welcome page for visitors.

use maud::{Markup, html};
use rust_i18n::t;

use crate::components::{card_list, join_form};
use crate::{HomeView, PageContext, page};

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

/// A member's workspace: their themes, what happened in their groups, their groups, and themes
/// to join.
pub fn home(ctx: &PageContext, view: &HomeView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let name = ctx.viewer.as_ref().map(|v| v.name.as_str()).unwrap_or("");
    let body = html! {
        div.wrap {
            h1 { (t!("home.hello", locale = l, name = name)) }
            p.lead { (t!("home.workspace_lead", locale = l)) }

            section.section aria-labelledby="my-themes" {
                h2 #my-themes { (t!("home.my_themes", locale = l)) }
                (card_list(lang, &view.my_themes, 3, html! {
                    p { (t!("home.my_themes_empty", locale = l)) }
                }, |_| html! {}))
            }

            section.section aria-labelledby="activity" {
                h2 #activity { (t!("home.activity", locale = l)) }
                @if view.recent_activity.is_empty() {
                    div.empty-state { p { (t!("home.activity_empty", locale = l)) } }
                } @else {
                    (crate::components::activity_list(&view.recent_activity))
                }
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
