//! The pages and sections of related work (« On en parle aussi ailleurs »), for the checks
//! every page goes through (`all_pages`).

use super::*;

pub(super) fn pages(member: &PageContext, visitor: &PageContext) -> Vec<(&'static str, String)> {
    vec![
        (
            "group_page_related",
            group_page(
                member,
                &GroupView {
                    related: related_works(),
                    ..group_view(GroupKindView::Theme, "Santé")
                },
            )
            .into_string(),
        ),
        (
            "text_page_related",
            text_page(
                member,
                &TextReadView {
                    related: related_works(),
                    ..read_view()
                },
            )
            .into_string(),
        ),
        (
            "paragraph_related",
            paragraph_related_page(member, &paragraph_related_view(related_works(), false))
                .into_string(),
        ),
        (
            "paragraph_related_none",
            paragraph_related_page(visitor, &paragraph_related_view(Vec::new(), false))
                .into_string(),
        ),
        (
            "paragraph_related_rebuilding",
            paragraph_related_page(visitor, &paragraph_related_view(Vec::new(), true))
                .into_string(),
        ),
    ]
}

/// Two works from elsewhere, a paragraph and a debate.
fn related_works() -> Vec<RelatedWorkView> {
    vec![
        RelatedWorkView {
            kind: "paragraph".into(),
            title: "Mobilités <b>".into(),
            snippet_html: "Des <mark>trains</mark> de nuit".into(),
            url: "/texts/9#p-2".into(),
        },
        RelatedWorkView {
            kind: "debate".into(),
            title: "Sur les trains".into(),
            snippet_html: "les <mark>trains</mark>".into(),
            url: "/debates/3".into(),
        },
    ]
}

fn paragraph_related_view(related: Vec<RelatedWorkView>, rebuilding: bool) -> ParagraphRelatedView {
    ParagraphRelatedView {
        header: text_header(TextStatusView::Amending, false),
        number: 2,
        anchor: "p-2".into(),
        text: "Nous voulons des trains de nuit <partout>.".into(),
        related,
        rebuilding,
    }
}
