//! A paragraph's own page: the paragraph, then what is like it elsewhere.

use maud::{Markup, html};
use rust_i18n::t;

use super::related::{Level, related_section};
use super::text::{Tab, text_breadcrumbs, text_heading, text_href, text_title};
use crate::{PageContext, ParagraphRelatedView, page};

/// `/texts/{id}/paragraphs/{n}/related`: a paragraph, then what is like it elsewhere.
pub fn paragraph_related_page(ctx: &PageContext, view: &ParagraphRelatedView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let crumb = t!("text.paragraph_crumb", locale = l, number = view.number).into_owned();
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&crumb)))
            (text_heading(lang, header, Tab::Read, false))
            section.section aria-labelledby="paragraph-title" {
                h2 #paragraph-title { (crumb) }
                blockquote.paragraph-quote { p { (view.text) } }
                p { a href={ (text_href(&header.id)) "#" (view.anchor) } { (t!("text.paragraph_back", locale = l)) } }
            }
            @if view.related.is_empty() {
                section.section aria-labelledby="related-title" {
                    h2 #related-title { (t!("search.related", locale = l)) }
                    div.empty-state {
                        @if view.rebuilding {
                            p { (t!("search.related_rebuilding", locale = l)) }
                        } @else {
                            p { (t!("search.related_none", locale = l)) }
                        }
                    }
                }
            } @else {
                (related_section(lang, Level::H2, &view.related))
            }
        }
    };
    page(ctx, &text_title(lang, header, Some(&crumb)), body)
}
