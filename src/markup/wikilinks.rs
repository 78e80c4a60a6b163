//! Wiki links (`[[Page]]`, `[[theme/Page]]`, `[[Page|label]]`, and `[[Page\|label]]` inside a
//! table, where `|` separates cells) use pulldown-cmark's own wiki-link extension; the caller
//! resolves each target to the page or to a "create it" URL.

use std::collections::HashSet;

use pulldown_cmark::{Event, LinkType, Parser, Tag};

use super::parse::reading_options;
use super::sanitize::escape_html;
use super::source_map::nul_as_replacement_character;

/// A wiki link's target: `[[Page]]` or `[[theme/Page]]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WikiTarget {
    pub theme: Option<String>,
    pub title: String,
}

/// Where a wiki link leads: to the page, or to the form that creates it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WikiResolution {
    Existing { href: String },
    Missing { create_href: String },
}

/// The wiki targets a text links to, each once, in order of first appearance. Code spans and
/// blocks are not parsed for links, so `[[…]]` inside them is ignored.
pub fn wiki_links(markdown: &str) -> Vec<WikiTarget> {
    let mut seen = HashSet::new();
    let mut targets = Vec::new();
    let markdown = nul_as_replacement_character(markdown);
    for event in Parser::new_ext(&markdown, reading_options()) {
        if let Some(target) = wiki_target_of(&event)
            && seen.insert(target.clone())
        {
            targets.push(target);
        }
    }
    targets
}

/// The opening `<a>` of a wiki link to `raw`, resolved.
pub(super) fn link_open(resolve: &dyn Fn(&WikiTarget) -> WikiResolution, raw: &str) -> String {
    match resolve(&parse_wiki_target(raw)) {
        WikiResolution::Existing { href } => {
            format!(r#"<a href="{}" class="wikilink">"#, escape_html(&href))
        }
        WikiResolution::Missing { create_href } => {
            format!(
                r#"<a href="{}" class="wikilink missing">"#,
                escape_html(&create_href)
            )
        }
    }
}

/// Where a wiki image (`![[Page]]`) points.
pub(super) fn href(resolve: &dyn Fn(&WikiTarget) -> WikiResolution, raw: &str) -> String {
    match resolve(&parse_wiki_target(raw)) {
        WikiResolution::Existing { href } => href,
        WikiResolution::Missing { create_href } => create_href,
    }
}

fn wiki_target_of(event: &Event) -> Option<WikiTarget> {
    match event {
        Event::Start(Tag::Link {
            link_type: LinkType::WikiLink { .. },
            dest_url,
            ..
        })
        | Event::Start(Tag::Image {
            link_type: LinkType::WikiLink { .. },
            dest_url,
            ..
        }) => Some(parse_wiki_target(dest_url)),
        _ => None,
    }
}

/// `theme/Page` names a page of a theme; the first `/` separates them, and a target with an
/// empty side (`/Page`, `theme/`) is taken whole as a title.
fn parse_wiki_target(raw: &str) -> WikiTarget {
    let unescaped = unescape_wiki_target(raw);
    let raw = unescaped.trim();
    if let Some((theme, title)) = raw.split_once('/') {
        let (theme, title) = (theme.trim(), title.trim());
        if !theme.is_empty() && !title.is_empty() {
            return WikiTarget {
                theme: Some(theme.to_owned()),
                title: title.to_owned(),
            };
        }
    }
    WikiTarget {
        theme: None,
        title: raw.to_owned(),
    }
}

/// pulldown-cmark hands over the target as written, backslash escapes included; in a table,
/// where `|` separates cells, `[[Page\|label]]` even leaves the target as `Page\`.
fn unescape_wiki_target(raw: &str) -> String {
    let mut target = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            target.push(c);
            continue;
        }
        match chars.next_if(char::is_ascii_punctuation) {
            Some(escaped) => target.push(escaped),
            None if chars.peek().is_some() => target.push(c),
            None => {}
        }
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::test_support::html;

    #[test]
    fn wiki_links_resolve_to_pages_or_creation() {
        let out = html(
            "Voir [[Santé publique]], [[sante/Hôpital]], [[Page|ce texte]], [[Nouvelle page]] et `[[Code]]`.",
        );
        assert!(
            out.contains(r#"<a href="/wiki/sante-publique" class="wikilink">Santé publique</a>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<a href="/wiki/sante/hopital" class="wikilink">sante/Hôpital</a>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<a href="/wiki/page" class="wikilink">ce texte</a>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<a href="/wiki/new?title=nouvelle-page" class="wikilink missing">Nouvelle page</a>"#),
            "{out}"
        );
        assert!(out.contains("<code>[[Code]]</code>"), "{out}");
    }

    #[test]
    fn wiki_links_are_listed_once_and_not_from_code() {
        let links = wiki_links(
            "[[Santé]] [[sante/Hôpital|l'hôpital]] [[Santé]] `[[Code]]`\n\n```\n[[Bloc]]\n```\n\n    [[Indenté]]\n\n[[/Racine]]",
        );
        assert_eq!(
            links,
            [
                WikiTarget {
                    theme: None,
                    title: "Santé".into()
                },
                WikiTarget {
                    theme: Some("sante".into()),
                    title: "Hôpital".into()
                },
                WikiTarget {
                    theme: None,
                    title: "/Racine".into()
                },
            ]
        );
    }

    #[test]
    fn wiki_links_in_tables_escape_their_pipe() {
        let markdown = "| Voir |\n|---|\n| [[sante/Hôpital\\|l'hôpital]] |\n";
        let out = html(markdown);
        assert!(
            out.contains(
                r#"<td><a href="/wiki/sante/hopital" class="wikilink">l'hôpital</a></td>"#
            ),
            "{out}"
        );
        let target = WikiTarget {
            theme: Some("sante".into()),
            title: "Hôpital".into(),
        };
        assert_eq!(wiki_links(markdown), [target]);
        assert_eq!(parse_wiki_target(r"a\*b\c\\\*\").title, r"a*b\c\*");
    }
}
