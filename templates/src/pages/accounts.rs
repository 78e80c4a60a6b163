//! Account pages: sign in, register, forgotten password, invitations.

use maud::{Markup, html};
use rust_i18n::t;

use crate::components::{
    Control, Field, csrf_field, encode, encode_segment, error_summary, error_summary_single,
    field_id, form_title,
};
use crate::{
    FormErrors, InvitationView, Lang, LoginForm, PASSWORD_MIN_CHARS, PageContext, RegisterForm,
    page,
};

/// The two password fields of a new password, with the length hint.
fn new_password_fields(lang: Lang, errors: &FormErrors) -> Markup {
    let l = lang.code();
    html! {
        (Field::new("password", t!("form.password", locale = l), Control::Password)
            .autocomplete("new-password").required()
            .hint(t!("form.password_hint", locale = l, min = PASSWORD_MIN_CHARS))
            .render(lang, errors))
        (Field::new("password_confirmation", t!("form.password_confirmation", locale = l), Control::Password)
            .autocomplete("new-password").required()
            .render(lang, errors))
    }
}

/// The sign-in page (POST /login).
pub fn login(ctx: &PageContext, form: &LoginForm) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let no_errors = FormErrors::new();
    let title = t!("login.title", locale = l).into_owned();
    let body = html! {
        div.wrap.narrow {
            @if let Some(error) = &form.error {
                (error_summary_single(lang, error, &field_id("email")))
            }
            h1 { (title) }
            form.form method="post" action="/login" novalidate {
                (csrf_field(ctx))
                input type="hidden" name="next" value=(form.next);
                (Field::new("email", t!("form.email", locale = l), Control::Email).value(&form.email).autocomplete("username").required().render(lang, &no_errors))
                (Field::new("password", t!("form.password", locale = l), Control::Password).autocomplete("current-password").required().render(lang, &no_errors))
                button.button type="submit" { (t!("login.submit", locale = l)) }
            }
            ul.links role="list" {
                li { a href="/password/forgot" { (t!("login.forgot", locale = l)) } }
                @if form.registration_open {
                    li { (t!("login.no_account", locale = l)) " " a href="/register" { (t!("login.register", locale = l)) } }
                } @else {
                    li.muted { (t!("login.invitation_only", locale = l)) }
                }
            }
        }
    };
    page(ctx, &form_title(lang, &title, form.error.is_some()), body)
}

/// The registration page (POST /register).
pub fn register(ctx: &PageContext, form: &RegisterForm, errors: &FormErrors) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let title = t!("register.title", locale = l).into_owned();
    let body = html! {
        div.wrap.narrow {
            (error_summary(lang, errors, &["email", "name", "password", "password_confirmation"]))
            h1 { (title) }
            p.lead { (t!("register.lead", locale = l)) }
            form.form method="post" action="/register" novalidate {
                (csrf_field(ctx))
                @if let Some(token) = &form.invitation_token {
                    input type="hidden" name="invitation_token" value=(token);
                }
                @match &form.invited_email {
                    Some(email) => {
                        (Field::new("email", t!("form.email", locale = l), Control::Email).value(email).readonly().hint(t!("register.invited_email_hint", locale = l)).render(lang, errors))
                    },
                    None => {
                        (Field::new("email", t!("form.email", locale = l), Control::Email).value(&form.email).autocomplete("email").required().render(lang, errors))
                    },
                }
                (Field::new("name", t!("form.name", locale = l), Control::Text).value(&form.name).autocomplete("name").required().hint(t!("form.name_hint", locale = l)).render(lang, errors))
                (new_password_fields(lang, errors))
                button.button type="submit" { (t!("register.submit", locale = l)) }
            }
            p { (t!("register.have_account", locale = l)) " " a href="/login" { (t!("layout.login", locale = l)) } }
        }
    };
    page(ctx, &form_title(lang, &title, !errors.is_empty()), body)
}

/// After registering (POST /register): the same page whether the address has an account or not.
pub fn register_sent(ctx: &PageContext) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let body = html! {
        div.wrap.narrow {
            h1 { (t!("register.title", locale = l)) }
            div.panel.panel--success role="status" {
                h2 { (t!("register.sent_title", locale = l)) }
                p { (t!("register.sent_body", locale = l)) }
            }
            p { a href="/login" { (t!("forgot.back_to_login", locale = l)) } }
        }
    };
    page(ctx, &t!("register.sent_title", locale = l), body)
}

/// Confirming an address from the mailed link (POST /register/confirm/{token}): a button rather
/// than the link itself, so that mail scanners opening links create nothing.
pub fn register_confirm(ctx: &PageContext, token: &str, email: &str) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let title = t!("register.confirm_title", locale = l).into_owned();
    let body = html! {
        div.wrap.narrow {
            h1 { (title) }
            p.lead { (t!("register.confirm_lead", locale = l, email = email)) }
            form.form method="post" action={ "/register/confirm/" (encode_segment(token)) } {
                (csrf_field(ctx))
                button.button type="submit" { (t!("register.submit", locale = l)) }
            }
        }
    };
    page(ctx, &title, body)
}

/// Asking for a reset link (POST /password/forgot); `sent`: the confirmation instead.
pub fn forgot_password(ctx: &PageContext, sent: bool) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let no_errors = FormErrors::new();
    let body = html! {
        div.wrap.narrow {
            h1 { (t!("forgot.title", locale = l)) }
            @if sent {
                div.panel.panel--success role="status" {
                    h2 { (t!("forgot.sent_title", locale = l)) }
                    p { (t!("forgot.sent_body", locale = l)) }
                }
                p { a href="/login" { (t!("forgot.back_to_login", locale = l)) } }
            } @else {
                p.lead { (t!("forgot.lead", locale = l)) }
                form.form method="post" action="/password/forgot" novalidate {
                    (csrf_field(ctx))
                    (Field::new("email", t!("form.email", locale = l), Control::Email).autocomplete("email").required().render(lang, &no_errors))
                    button.button type="submit" { (t!("forgot.submit", locale = l)) }
                }
                p { a href="/login" { (t!("forgot.back_to_login", locale = l)) } }
            }
        }
    };
    page(ctx, &t!("forgot.title", locale = l), body)
}

/// Choosing a new password (POST /password/reset/{token}).
pub fn reset_password(ctx: &PageContext, token: &str, errors: &FormErrors) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let title = t!("reset.title", locale = l).into_owned();
    let body = html! {
        div.wrap.narrow {
            (error_summary(lang, errors, &["password", "password_confirmation"]))
            h1 { (title) }
            p.lead { (t!("reset.lead", locale = l)) }
            form.form method="post" action={ "/password/reset/" (encode_segment(token)) } novalidate {
                (csrf_field(ctx))
                (new_password_fields(lang, errors))
                button.button type="submit" { (t!("reset.submit", locale = l)) }
            }
        }
    };
    page(ctx, &form_title(lang, &title, !errors.is_empty()), body)
}

/// An invitation to join a group (POST /invitations/{token}): a name and a password when the
/// invited address has no account yet, a sign-in link when it has one and nobody is signed in,
/// a refusal when someone else is signed in, else one button.
pub fn invitation(ctx: &PageContext, view: &InvitationView, errors: &FormErrors) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let action = format!("/invitations/{}", encode_segment(&view.token));
    let title = t!("invitation.title", locale = l, group = &view.group_name).into_owned();
    let role = view.role.label(lang);
    let body = html! {
        div.wrap.narrow {
            (error_summary(lang, errors, &["name", "password", "password_confirmation"]))
            h1 { (title) }
            p.lead {
                @if view.inviter_name.is_empty() {
                    (t!("invitation.lead_anonymous", locale = l, group = &view.group_name, role = &role))
                } @else {
                    (t!("invitation.lead", locale = l, inviter = &view.inviter_name, group = &view.group_name, role = &role))
                }
            }
            @if view.for_another_account {
                div.notice.notice--warn role="alert" { p { (t!("invitation.for_another_account", locale = l, email = &view.email)) } }
            } @else if view.needs_login {
                p { (t!("invitation.has_account", locale = l, email = &view.email)) }
                p { a.button href={ "/login?next=" (encode(&action)) } { (t!("invitation.login_to_accept", locale = l)) } }
            } @else if view.needs_account {
                p { (t!("invitation.create_account", locale = l)) }
                form.form method="post" action=(action) novalidate {
                    (csrf_field(ctx))
                    (Field::new("email", t!("form.email", locale = l), Control::Email).value(&view.email).readonly().hint(t!("register.invited_email_hint", locale = l)).render(lang, errors))
                    (Field::new("name", t!("form.name", locale = l), Control::Text).autocomplete("name").required().hint(t!("form.name_hint", locale = l)).render(lang, errors))
                    (new_password_fields(lang, errors))
                    button.button type="submit" { (t!("invitation.accept_and_create", locale = l)) }
                }
            } @else {
                form.form method="post" action=(action) {
                    (csrf_field(ctx))
                    button.button type="submit" { (t!("invitation.accept", locale = l)) }
                }
            }
        }
    };
    page(ctx, &form_title(lang, &title, !errors.is_empty()), body)
}
