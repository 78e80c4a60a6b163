//! The pages of merging: two overlapping adopted amendments side by side, where the organiser
//! resolves their conflict, and « D'où vient ce passage ? », the passages merged amendments
//! wrote, each leading back to its amendment.

use maud::{Markup, PreEscaped, html};
use rust_i18n::t;

use super::amendment_parts::{amendment_heading, amendment_href};
use super::text::{Tab, text_breadcrumbs, text_heading, text_title};
use crate::components::{Control, Field, csrf_field, error_summary, form_title};
use crate::{
    ConflictSideView, ConflictView, PageContext, ProvenancePieceView, ProvenanceView, page,
};

fn side(
    ctx: &PageContext,
    view: &ConflictView,
    this: &ConflictSideView,
    other: &ConflictSideView,
) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let heading_id = format!("side-{}", this.id);
    html! {
        section.conflict-side aria-labelledby=(heading_id) {
            h3 id=(heading_id) {
                a href=(amendment_href(&this.id)) { (amendment_heading(lang, this.number, &this.reference)) }
            }
            p.hint { (t!("amendment.diff_hint", locale = l)) }
            // Sanitised by the server: `<del>` and `<ins>` around words.
            div.prose.diff.amendment-diff { (PreEscaped(&this.diff_html)) }
            form.inline-form method="post" action={ (amendment_href(&view.left.id)) "/conflict/" (view.right.id) } {
                (csrf_field(ctx))
                input type="hidden" name="keep" value=(this.id);
                button.button type="submit" {
                    (t!("merge.keep", locale = l, number = this.number, other = other.number))
                }
            }
        }
    }
}

/// Two overlapping adopted amendments side by side (GET /amendments/{id}/conflict/{other}).
pub fn conflict_page(ctx: &PageContext, view: &ConflictView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let title = t!(
        "merge.conflict_title",
        locale = l,
        left = view.left.number,
        right = view.right.number
    )
    .into_owned();
    let combined = if view.combined.is_empty() {
        view.passage.as_str()
    } else {
        view.combined.as_str()
    };
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&title)))
            (text_heading(lang, header, Tab::Read, false))
            (error_summary(lang, &view.errors, &["replacement"]))
            h2 { (title) }
            p { (t!("merge.conflict_intro", locale = l)) }
            section aria-labelledby="passage-now-title" {
                h3 #passage-now-title { (t!("merge.passage_now", locale = l)) }
                blockquote.amendment-passage { (view.passage) }
            }
            div.amendment-passages.conflict-sides {
                (side(ctx, view, &view.left, &view.right))
                (side(ctx, view, &view.right, &view.left))
            }
            section aria-labelledby="combined-title" {
                h3 #combined-title { (t!("merge.combined_title", locale = l)) }
                form method="post" action={ (amendment_href(&view.left.id)) "/conflict/" (view.right.id) } {
                    (csrf_field(ctx))
                    input type="hidden" name="keep" value="both";
                    (Field::new("replacement", t!("merge.combined_label", locale = l), Control::TextArea)
                        .value(combined)
                        .hint(t!("merge.combined_hint", locale = l, left = view.left.number, right = view.right.number))
                        .render(lang, &view.errors))
                    button.button type="submit" { (t!("merge.combined_submit", locale = l)) }
                }
            }
        }
    };
    let title = form_title(
        lang,
        &text_title(lang, header, Some(&title)),
        !view.errors.is_empty(),
    );
    page(ctx, &title, body)
}

/// « D'où vient ce passage ? » (GET /texts/{id}/provenance).
pub fn provenance_page(ctx: &PageContext, view: &ProvenanceView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let header = &view.header;
    let title = t!("provenance.title", locale = l).into_owned();
    let body = html! {
        div.wrap {
            (text_breadcrumbs(lang, header, Some(&title)))
            (text_heading(lang, header, Tab::Read, false))
            h2 #provenance-title { (title) }
            p { (t!("provenance.intro", locale = l)) }
            @if view.amendments.is_empty() {
                p.empty-state { (t!("provenance.none", locale = l)) }
            } @else {
                section aria-labelledby="provenance-amendments-title" {
                    h3 #provenance-amendments-title { (t!("provenance.amendments", locale = l)) }
                    ul.provenance-amendments {
                        @for a in &view.amendments {
                            li id={ "a" (a.number) } {
                                a href=(amendment_href(&a.id)) { (amendment_heading(lang, a.number, &a.reference)) }
                                " · "
                                @if let Some(author) = &a.author {
                                    (t!("amendment.by", locale = l, author = author))
                                } @else {
                                    (t!("amendment.by_member", locale = l))
                                }
                                " · "
                                (crate::components::count_label(lang, a.supporters as i64, "amendment.supporters_one", "amendment.supporters_other"))
                            }
                        }
                    }
                }
            }
            ol.provenance role="list" aria-labelledby="provenance-title" {
                @for paragraph in &view.paragraphs {
                    li.provenance-paragraph id={ "p" (paragraph.number) } {
                        span.provenance-number { "§ " (paragraph.number) }
                        " "
                        span.provenance-source {
                            @for piece in &paragraph.pieces {
                                @match piece {
                                    ProvenancePieceView::Typed(text) => (text),
                                    ProvenancePieceView::Merged { text, amendments } => {
                                        // Marked by the element and by the words after it, never by colour alone.
                                        mark.provenance-merged { (text) }
                                        " "
                                        span.provenance-from {
                                            "["
                                            @for (i, (id, number)) in amendments.iter().enumerate() {
                                                @if i > 0 { ", " }
                                                a href=(amendment_href(id)) { (t!("amendment.number", locale = l, number = number)) }
                                            }
                                            "]"
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(ctx, &text_title(lang, header, Some(&title)), body)
}
