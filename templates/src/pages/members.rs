//! A member's profile.

use maud::{Markup, html};
use rust_i18n::t;

use crate::components::{
    Control, Field, card_meta, csrf_field, encode_segment, error_summary, form_title, string_list,
};
use crate::{Lang, PageContext, ProfileFormView, ProfileView, page};

/// The profile form's fields, top to bottom, for the error summary's order.
const PROFILE_FIELDS: [&str; 5] = [
    "name",
    "functions",
    "mandates",
    "profile_visibility",
    "gender",
];

/// A member's profile: functions, mandates, groups; the edit form on one's own profile.
pub fn profile(ctx: &PageContext, view: &ProfileView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let form = view.form.clone().unwrap_or_else(|| ProfileFormView {
        name: view.name.clone(),
        functions: view.functions.join("\n"),
        mandates: view.mandates.join("\n"),
        visible_to_party: view.visible_to_party,
        gender: view.gender.clone(),
        errors: Default::default(),
    });
    let errors = &form.errors;
    let body = html! {
        div.wrap {
            header.page-header {
                p.eyebrow { (t!("profile.eyebrow", locale = l)) }
                h1 { (view.name) }
                @if view.is_self {
                    p.muted { (t!("profile.is_you", locale = l)) }
                }
                @if view.disabled && view.can_disable {
                    p.notice.notice--warn role="status" { (t!("profile.disabled", locale = l)) }
                }
                @if let Some(email) = &view.email {
                    p {
                        (t!("profile.email", locale = l)) " : "
                        a href={ "mailto:" (email) } { (email) }
                        " "
                        span.muted { (t!("profile.email_private", locale = l)) }
                    }
                }
            }

            div.columns {
                section.section aria-labelledby="functions-title" {
                    h2 #functions-title { (t!("profile.functions", locale = l)) }
                    (string_list(&view.functions, &if view.is_self { t!("profile.functions_empty_self", locale = l) } else { t!("profile.functions_empty", locale = l) }))
                }
                section.section aria-labelledby="mandates-title" {
                    h2 #mandates-title { (t!("profile.mandates", locale = l)) }
                    (string_list(&view.mandates, &if view.is_self { t!("profile.mandates_empty_self", locale = l) } else { t!("profile.mandates_empty", locale = l) }))
                }
            }

            section.section aria-labelledby="memberships-title" {
                h2 #memberships-title { (t!("profile.memberships", locale = l)) }
                @if view.memberships.is_empty() {
                    div.empty-state {
                        p { (t!("profile.memberships_empty", locale = l)) }
                        @if view.is_self {
                            p { a href="/groups#themes" { (t!("profile.find_themes", locale = l)) } }
                        }
                    }
                } @else {
                    ul.cards role="list" {
                        @for (card, role) in &view.memberships {
                            li {
                                article.card {
                                    h3.card-title { a href={ "/groups/" (encode_segment(&card.id)) } { (card.name) } }
                                    (card_meta(lang, card.kind, card.member_count, None))
                                    p { (t!("profile.role_in_group", locale = l, role = role.label(lang))) }
                                }
                            }
                        }
                    }
                }
            }

            @if view.is_self {
                section.section aria-labelledby="edit-profile" {
                    h2 #edit-profile { (t!("profile.edit_title", locale = l)) }
                    form.form method="post" action={ "/members/" (encode_segment(&view.id)) "/profile" } {
                        (error_summary(lang, errors, &PROFILE_FIELDS))
                        (csrf_field(ctx))
                        (Field::new("name", t!("form.name", locale = l), Control::Text).value(&form.name).autocomplete("name").required().hint(t!("form.name_hint", locale = l)).render(lang, errors))
                        (Field::new("functions", t!("profile.functions", locale = l), Control::TextArea).value(&form.functions).hint(t!("profile.functions_hint", locale = l)).render(lang, errors))
                        (Field::new("mandates", t!("profile.mandates", locale = l), Control::TextArea).value(&form.mandates).hint(t!("profile.mandates_hint", locale = l)).render(lang, errors))
                        (visibility_field(lang, form.visible_to_party))
                        (gender_field(lang, &form.gender, errors))
                        button.button type="submit" { (t!("profile.save", locale = l)) }
                    }
                }
            }

            @if view.can_disable {
                section.section aria-labelledby="account-title" {
                    h2 #account-title { (t!("profile.account_title", locale = l)) }
                    @if view.disabled {
                        p { (t!("profile.enable_hint", locale = l)) }
                        form.inline-form method="post" action={ "/members/" (encode_segment(&view.id)) "/enable" } {
                            (csrf_field(ctx))
                            button.button type="submit" { (t!("profile.enable", locale = l)) }
                        }
                    } @else {
                        p { (t!("profile.disable_hint", locale = l)) }
                        form.inline-form method="post" action={ "/members/" (encode_segment(&view.id)) "/disable" } {
                            (csrf_field(ctx))
                            button.button.button--secondary type="submit" { (t!("profile.disable", locale = l)) }
                        }
                    }
                }
            }
        }
    };
    page(ctx, &form_title(lang, &view.name, !errors.is_empty()), body)
}

/// Who may see the profile, as radio buttons with what each choice means; the private one first
/// (and the default): political membership is sensitive data.
fn visibility_field(lang: Lang, visible_to_party: bool) -> Markup {
    let l = lang.code();
    html! {
        fieldset.field id="field-profile_visibility" {
            legend { (t!("profile.visibility", locale = l)) }
            @for (code, chosen, label, hint) in [
                ("groups", !visible_to_party, t!("profile.visibility_groups", locale = l), t!("profile.visibility_groups_hint", locale = l)),
                ("party", visible_to_party, t!("profile.visibility_party", locale = l), t!("profile.visibility_party_hint", locale = l)),
            ] {
                @let option_id = format!("field-profile_visibility-{code}");
                div.choice {
                    input type="radio" id=(option_id) name="profile_visibility" value=(code)
                        checked[chosen] aria-describedby={ (option_id) "-hint" };
                    label for=(option_id) { (label) }
                    p.hint id={ (option_id) "-hint" } { (hint) }
                }
            }
        }
    }
}

/// The optional, private declaration of one's gender, as radio buttons: « ne pas préciser »
/// first and the default. The hint says who reads it: nobody, only the counts of women among an
/// amendment's supporters (parity statutes).
fn gender_field(lang: Lang, chosen: &str, errors: &crate::FormErrors) -> Markup {
    let l = lang.code();
    let error = errors.get("gender");
    html! {
        fieldset.field.field--error[error.is_some()] id="field-gender" aria-describedby="field-gender-hint" {
            legend { (t!("profile.gender", locale = l)) }
            p.hint id="field-gender-hint" { (t!("profile.gender_hint", locale = l)) }
            @if let Some(message) = error {
                p.field-error {
                    span.visually-hidden { (t!("errors.prefix", locale = l)) " " }
                    (message)
                }
            }
            @for (code, label) in [
                ("", t!("profile.gender_unset", locale = l)),
                ("woman", t!("profile.gender_woman", locale = l)),
                ("man", t!("profile.gender_man", locale = l)),
                ("other", t!("profile.gender_other", locale = l)),
            ] {
                @let option_id = if code.is_empty() { "field-gender-unset".to_owned() } else { format!("field-gender-{code}") };
                div.choice {
                    input type="radio" id=(option_id) name="gender" value=(code) checked[chosen == code];
                    label for=(option_id) { (label) }
                }
            }
        }
    }
}
