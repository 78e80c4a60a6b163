//! What every page that names an amendment shows of it: its address, its status as a tag, its
//! heading. Below the pages that use them (`amendments`, `merging`, `related`).

use maud::{Markup, html};
use rust_i18n::t;

use crate::{AmendmentStatusView, Lang};

pub(crate) fn amendment_href(id: &str) -> String {
    format!("/amendments/{}", crate::components::encode_segment(id))
}

/// The status as a word in a tag: the word carries the meaning.
pub(crate) fn amendment_status_tag(lang: Lang, status: AmendmentStatusView) -> Markup {
    html! { span.tag.{ "tag--amendment-" (status.code()) } { (status.label(lang)) } }
}

/// « Amendement 42 — § 12, lignes 3 à 5 »; a sub-amendment's reference is its heading
/// (« Sous-amendement 43 à l'amendement 42 », stored as filed like every reference).
pub(crate) fn amendment_heading(lang: Lang, number: i64, reference: &str) -> String {
    if reference.starts_with("Sous-amendement ") {
        return reference.to_owned();
    }
    t!(
        "amendment.heading",
        locale = lang.code(),
        number = number,
        reference = reference
    )
    .into_owned()
}
