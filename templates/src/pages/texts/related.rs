//! « On en parle aussi ailleurs » (related work from other groups and themes) on a text, a
//! paragraph, an amendment and a theme; « Des amendements proches existent déjà » under an
//! amendment being written.

use maud::{Markup, PreEscaped, html};
use rust_i18n::t;

use super::amendment_parts::{amendment_heading, amendment_href, amendment_status_tag};
use crate::{Lang, RelatedWorkView, SimilarAmendmentView};

/// The heading level of a related section: `<h2>` in a page's sections, `<h3>` inside the
/// amendment page's main section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    H2,
    H3,
}

/// The list of related works.
fn work_list(lang: Lang, works: &[RelatedWorkView]) -> Markup {
    html! {
        ul.related-work role="list" {
            @for work in works {
                li {
                    a href=(work.url) { (work.title) }
                    " " span.tag { (crate::pages::search::kind_label(lang, &work.kind)) }
                    // Escaped by the index.
                    p.muted { (PreEscaped(&work.snippet_html)) }
                }
            }
        }
    }
}

/// « On en parle aussi ailleurs », when there is something to show (nothing otherwise: an
/// empty section on every page would be noise).
pub(crate) fn related_section(lang: Lang, level: Level, works: &[RelatedWorkView]) -> Markup {
    let l = lang.code();
    let heading = t!("search.related", locale = l);
    html! {
        @if !works.is_empty() {
            @match level {
                Level::H2 => {
                    section.section.related aria-labelledby="related-title" {
                        h2 #related-title { (heading) }
                        p.hint { (t!("search.related_hint", locale = l)) }
                        (work_list(lang, works))
                    }
                }
                Level::H3 => {
                    section.related aria-labelledby="related-title" {
                        h3 #related-title { (heading) }
                        p.hint { (t!("search.related_hint", locale = l)) }
                        (work_list(lang, works))
                    }
                }
            }
        }
    }
}

/// « Des amendements proches existent déjà »: amendments like the one being written (before
/// it is submitted), each with its number, reference, status and an excerpt.
pub(crate) fn similar_amendments(lang: Lang, similar: &[SimilarAmendmentView]) -> Markup {
    let l = lang.code();
    html! {
        @if !similar.is_empty() {
            section.amend-similar aria-labelledby="similar-title" {
                h4 #similar-title { (t!("amendment.similar", locale = l)) }
                p.hint { (t!("amendment.similar_hint", locale = l)) }
                ul.related-work role="list" {
                    @for amendment in similar {
                        li {
                            a href=(amendment_href(&amendment.id)) {
                                (amendment_heading(lang, amendment.number, &amendment.reference))
                            }
                            " " (amendment_status_tag(lang, amendment.status))
                            " " span.muted { (amendment.text_title) }
                            // Escaped by the index.
                            p.muted { (PreEscaped(&amendment.snippet_html)) }
                        }
                    }
                }
            }
        }
    }
}
