//! The administration page.

use maud::{Markup, html};
use rust_i18n::t;

use crate::components::{
    Control, Field, card_list, csrf_field, encode_segment, select_field, visibility_field,
};
use crate::{
    AdminView, FormErrors, GroupCard, GroupKindView, Lang, PageContext, RegistrationModeView,
    VisibilityView, page,
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
