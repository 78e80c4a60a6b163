//! Atelier's pages: pure functions from view structs to [`maud::Markup`].
//!
//! Architecture invariant: this crate knows nothing of the database nor of HTTP. The server
//! builds the view structs of [`views`] and calls one page function per page; everything a page
//! shows arrives in its view, already checked for permission.
//!
//! The interface is French first, English second: every string comes from `locales/app.yml`
//! through `t!`, in the language of [`PageContext::lang`].

#![forbid(unsafe_code)]

rust_i18n::i18n!("locales", fallback = "fr");

pub mod assets;
mod components;
mod content_hash;
mod lang;
mod layout;
mod pages;
mod views;

#[cfg(test)]
mod tests;

pub use components::csrf_field;
pub use lang::{Lang, format_bytes, format_count, format_date, format_datetime};
pub use layout::page;
pub use pages::accounts::{
    forgot_password, invitation, login, register, register_confirm, register_sent, reset_password,
};
pub use pages::admin::{admin_accounts, admin_index};
pub use pages::archives::{debate_page, debates_href, debates_page, open_data_page};
pub use pages::errors::error_page;
pub use pages::groups::group::{directory, group_page, groups_index, manage_group};
pub use pages::groups::organisers::remove_member_page;
pub use pages::home::{home, home_anonymous, welcome};
pub use pages::members::profile;
pub use pages::search::{facet_label, search_href, search_page};
pub use pages::texts::amendments::{
    amendment_form_page, amendment_list_page, amendment_page, amendment_revise_page,
    sub_amendment_form_page,
};
pub use pages::texts::history::{text_diff_page, text_history_page};
pub use pages::texts::merging::{conflict_page, provenance_page};
pub use pages::texts::paragraph::paragraph_related_page;
pub use pages::texts::text::{
    group_changes_page, new_text_page, text_edit_page, text_lines_page, text_page,
    wiki_missing_page,
};
pub use views::*;

/// The shortest password the server accepts, shown as a hint on password fields. Keep equal to
/// the server's `Password::MIN_CHARS`.
pub const PASSWORD_MIN_CHARS: usize = 10;

/// The largest form body the server reads (its `BODY_LIMIT` is this constant): the pages'
/// script checks forms against it before sending them, so that nothing typed is lost.
pub const FORM_MAX_BYTES: usize = 1024 * 1024;

/// One interface string in `lang` (for the server's flash messages and errors).
///
/// An unknown key gives the key itself, so that a missing translation shows but never panics.
pub fn t(lang: Lang, key: &str) -> String {
    _rust_i18n_try_translate(lang.code(), key)
        .map(|s| s.into_owned())
        .unwrap_or_else(|| key.to_owned())
}

/// One interface string in `lang` with its `%{name}` placeholders replaced by `args`.
///
/// An unknown `activity.*` key falls back to `activity.other`, so that a new kind of event
/// shows as something readable before it has its own sentence.
pub fn t_args(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let template = _rust_i18n_try_translate(lang.code(), key)
        .or_else(|| {
            key.starts_with("activity.")
                .then(|| _rust_i18n_try_translate(lang.code(), "activity.other"))
                .flatten()
        })
        .map(|s| s.into_owned())
        .unwrap_or_else(|| key.to_owned());
    fill(&template, args)
}

/// Replaces each `%{name}` of `template` by its value in `args`; unknown names stay as they are.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("%{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[start..start + 2 + end + 1]),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
