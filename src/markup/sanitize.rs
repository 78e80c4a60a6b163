//! The sanitiser: every fragment of HTML shown goes through it.
//!
//! The generated HTML, raw HTML written by members included, goes through `ammonia` with:
//!
//! * ammonia's default tag list (formatting, lists, tables, `sub`, `sup`, `abbr`, `details`…);
//!   `script`, `style`, `iframe`, `object`, `embed`, `noscript`, `template` are removed with
//!   their content, and anything not on the list (`form`, `svg`…) is removed but its text kept;
//! * no event-handler or `style` attribute, except `style` on table cells reduced to
//!   `text-align:left|center|right|justify`, so that column alignment survives;
//! * URLs: `http`, `https`, `mailto` and relative URLs only, so `javascript:`, `data:` and
//!   `vbscript:` go, however they are cased or entity-encoded;
//! * `id` only with a value this renderer generated (a member can't plant ids that clobber
//!   the page's own), `class` only with our own values (`wikilink`, `missing`, `footnote-*`,
//!   `block-anchor`) and `language-*` on `code`;
//! * `rel="noopener noreferrer nofollow"` on links that leave the site. Ammonia can only add
//!   `rel` to every link, so it is added after cleaning, on ammonia's own serialisation, where
//!   a `<` is always a tag and attribute values are always double-quoted.

use std::borrow::Cow;
use std::collections::HashSet;

use super::depth::{MAX_HTML_DEPTH, html_depth_exceeds};

/// The `rel` of links leaving the site: no access to our window, no referrer leaking which
/// internal page linked out, and no search-ranking gift to spammers.
const EXTERNAL_REL: &str = "noopener noreferrer nofollow";

/// The classes this renderer emits; members' HTML may use them too, harmlessly.
const OWN_CLASSES: &[&str] = &[
    "wikilink",
    "missing",
    "footnote-ref",
    "footnote-definition",
    "footnote-label",
    "footnote-backref",
    "block-anchor",
];

/// Applies the sanitiser policy (see the module documentation) to any HTML; every `id` is
/// dropped, as none of them was generated here. HTML nesting deeper than [`MAX_HTML_DEPTH`]
/// comes back escaped, as text, to keep the sanitiser's time linear.
pub fn sanitize(html: &str) -> String {
    if html_depth_exceeds(html, MAX_HTML_DEPTH) {
        return escape_html(html);
    }
    sanitize_keeping_ids(html, HashSet::new())
}

pub(super) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

pub(super) fn sanitize_keeping_ids(html: &str, ids: HashSet<String>) -> String {
    let cleaned = sanitizer(ids).clean(html).to_string();
    add_rel_to_external_links(&cleaned)
}

fn sanitizer(ids: HashSet<String>) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(None)
        .add_generic_attributes(&["id", "class"])
        .add_tag_attributes("th", &["style"])
        .add_tag_attributes("td", &["style"])
        .add_clean_content_tags(&[
            "iframe", "object", "embed", "noscript", "template", "frame", "frameset", "applet",
        ])
        .attribute_filter(move |element, attribute, value| {
            filter_attribute(&ids, element, attribute, value)
        });
    builder
}

fn filter_attribute<'u>(
    ids: &HashSet<String>,
    element: &str,
    attribute: &str,
    value: &'u str,
) -> Option<Cow<'u, str>> {
    match attribute {
        "id" => ids.contains(value).then_some(Cow::Borrowed(value)),
        "class" => filter_classes(element, value).map(Cow::Owned),
        "style" => filter_style(value).map(Cow::Owned),
        _ => Some(Cow::Borrowed(value)),
    }
}

fn filter_classes(element: &str, value: &str) -> Option<String> {
    let kept: Vec<&str> = value
        .split_ascii_whitespace()
        .filter(|class| {
            OWN_CLASSES.contains(class) || (element == "code" && is_language_class(class))
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join(" "))
}

/// Only a table cell's alignment, as pulldown-cmark writes it: a whitelist of one property
/// and its keywords, rather than a CSS parser's idea of what is safe.
fn filter_style(value: &str) -> Option<String> {
    value.split(';').find_map(|declaration| {
        let (property, keyword) = declaration.split_once(':')?;
        let keyword = keyword.trim().to_ascii_lowercase();
        let aligns = matches!(keyword.as_str(), "left" | "center" | "right" | "justify");
        (property.trim().eq_ignore_ascii_case("text-align") && aligns)
            .then(|| format!("text-align:{keyword}"))
    })
}

/// `language-rust`, as pulldown-cmark writes a fenced block's info string, for a highlighter.
fn is_language_class(class: &str) -> bool {
    class.strip_prefix("language-").is_some_and(|lang| {
        !lang.is_empty()
            && lang
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#' | '.'))
    })
}

/// Adds `rel` to the `<a>` tags whose `href` leaves the site. Only sound on ammonia's output,
/// where text never holds a raw `<` and attribute values are double-quoted with `"` escaped.
fn add_rel_to_external_links(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let Some(close) = tag_end(rest) else { break };
        let (tag, after) = rest.split_at(close + 1);
        match link_href(tag) {
            Some(href) if is_external(href) => {
                out.push_str(&tag[..close]);
                out.push_str(&format!(r#" rel="{EXTERNAL_REL}">"#));
            }
            _ => out.push_str(tag),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The index of the `>` closing the tag `tag` starts with.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, byte) in tag.bytes().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b'>' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn link_href(tag: &str) -> Option<&str> {
    if !tag.starts_with("<a ") {
        return None;
    }
    let start = tag.find(r#" href=""#)? + r#" href=""#.len();
    let len = tag.get(start..)?.find('"')?;
    tag.get(start..start + len)
}

/// Resolves the link as a browser would, against a stand-in origin: protocol-relative
/// (`//host`), backslashed (`/\host`) and tab-split URLs are caught this way, unlike by
/// looking at the first characters.
fn is_external(escaped_href: &str) -> bool {
    const STAND_IN: &str = "https://atelier.invalid/page";
    let Ok(base) = ammonia::Url::parse(STAND_IN) else {
        return true;
    };
    match base.join(&unescape_attribute(escaped_href)) {
        Ok(url) => url.origin() != base.origin(),
        Err(_) => true,
    }
}

/// Undoes html5ever's attribute escaping.
fn unescape_attribute(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::test_support::html;
    use crate::markup::{RenderOptions, WikiResolution, WikiTarget, render};

    /// `(element, attribute, value)` for every attribute in ammonia's output
    /// (`<name a="v" b="w">`), lowercased.
    fn attributes(html: &str) -> Vec<(String, String, String)> {
        let mut attributes = Vec::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            rest = &rest[open..];
            let close = tag_end(rest).unwrap_or(rest.len() - 1);
            let tag = rest[1..close].trim_end_matches('/');
            let (element, mut tag) = tag.split_once(' ').unwrap_or((tag, ""));
            while let Some((name, after)) = tag.trim_start().split_once("=\"") {
                let (value, after) = after.split_once('"').unwrap_or((after, ""));
                let value = unescape_attribute(value).to_lowercase();
                attributes.push((element.to_lowercase(), name.to_lowercase(), value));
                tag = after;
            }
            rest = &rest[close + 1..];
        }
        attributes
    }

    fn attribute_names(html: &str) -> Vec<String> {
        attributes(html)
            .into_iter()
            .map(|(_, name, _)| name)
            .collect()
    }

    fn assert_nothing_executable(markdown: &str) {
        let out = html(markdown);
        let lower = out.to_lowercase();
        for needle in [
            "<script", "<iframe", "<object", "<embed", "<svg", "<form", "<style", "<math",
        ] {
            assert!(
                !lower.contains(needle),
                "{needle:?} survived {markdown:?}: {out}"
            );
        }
        for (element, name, value) in attributes(&out) {
            assert!(
                !name.starts_with("on"),
                "event handler {name} survived {markdown:?}: {out}"
            );
            if name == "style" {
                let alignment = ["text-align:left", "text-align:center", "text-align:right"];
                assert!(
                    matches!(element.as_str(), "th" | "td") && alignment.contains(&value.as_str()),
                    "style survived {markdown:?}: {out}"
                );
            }
            assert_ne!(name, "srcdoc", "srcdoc survived {markdown:?}: {out}");
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(
                    !value.contains(scheme),
                    "{scheme} survived {markdown:?}: {out}"
                );
            }
        }
    }

    #[test]
    fn hostile_markdown_leaves_nothing_executable() {
        let hostile = [
            "<script>alert(1)</script>",
            "Texte <script>alert(1)</script> en ligne",
            "<img src=x onerror=alert(1)>",
            "<IMG SRC=x OnError=alert(1)>",
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](java\tscript:alert(1))",
            "[x](javascript&#58;alert(1))",
            "[x](javascript&colon;alert(1))",
            "<a href=\"javascript&#58;alert(1)\">x</a>",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "![x](data:image/svg+xml,<svg onload=alert(1)>)",
            "[x](vbscript:msgbox(1))",
            "<svg onload=alert(1)><circle r=1 /></svg>",
            "<svg><script>alert(1)</script></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<form action=\"https://evil.example\"><input name=q><button>Go</button></form>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<span style=\"color:red\" onclick=\"alert(1)\">x</span>",
            "<style>body{display:none}</style>",
            "<a href=\"#\" onmouseover=\"alert(1)\">x</a>",
            "<details open ontoggle=alert(1)>x</details>",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "<javascript:alert(1)>",
            "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
            "<td style=\"background:url(x)\">",
            "<table><tr><td style=\"background:url(javascript:alert(1));text-align:left\">x</td></tr></table>",
            "<table><tr><td style=\"text-align:expression(alert(1))\">x</td></tr></table>",
        ];
        for markdown in hostile {
            assert_nothing_executable(markdown);
        }
    }

    #[test]
    fn safe_raw_html_survives() {
        let out =
            html("H<sub>2</sub>O, E = mc<sup>2</sup>, <abbr title=\"Revenu universel\">RU</abbr>.");
        assert!(out.contains("H<sub>2</sub>O"), "{out}");
        assert!(out.contains("mc<sup>2</sup>"), "{out}");
        assert!(
            out.contains(r#"<abbr title="Revenu universel">RU</abbr>"#),
            "{out}"
        );
    }

    #[test]
    fn members_cannot_plant_ids_or_foreign_classes() {
        let out = html("<p id=\"csrf\" class=\"admin wikilink\">x</p>");
        assert!(!out.contains("csrf"), "{out}");
        assert!(!out.contains("admin"), "{out}");
        assert!(out.contains(r#"class="wikilink""#), "{out}");
    }

    #[test]
    fn external_links_get_rel_and_internal_ones_do_not() {
        let out = html(
            "[a](https://example.org/x?a=1&b=2) [b](/programme/sante) [c](#intro-p1) \
             [d](//evil.example/x) [e](mailto:contact@example.org) [f](autre-page)",
        );
        let rel = r#"rel="noopener noreferrer nofollow""#;
        assert!(
            out.contains(&format!(
                r#"<a href="https://example.org/x?a=1&amp;b=2" {rel}>a</a>"#
            )),
            "{out}"
        );
        assert!(out.contains(r#"<a href="/programme/sante">b</a>"#), "{out}");
        assert!(out.contains(r##"<a href="#intro-p1">c</a>"##), "{out}");
        assert!(
            out.contains(&format!(r#"<a href="//evil.example/x" {rel}>d</a>"#)),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                r#"<a href="mailto:contact@example.org" {rel}>e</a>"#
            )),
            "{out}"
        );
        assert!(out.contains(r#"<a href="autre-page">f</a>"#), "{out}");
        let raw = html(r#"<a href="https://example.org" rel="opener">x</a>"#);
        assert!(
            raw.contains(&format!(r#"<a href="https://example.org" {rel}>x</a>"#)),
            "{raw}"
        );
        assert!(is_external("/\\evil.example"));
        assert!(is_external("/\t/evil.example"));
        assert!(!is_external("/wiki/a&amp;b"));
    }

    #[test]
    fn a_hostile_wiki_resolution_is_sanitised_too() {
        let hostile = |_: &WikiTarget| WikiResolution::Existing {
            href: "javascript:alert(1)\" onclick=\"alert(1)".into(),
        };
        let out = render("[[Page]]", &RenderOptions::new(&hostile)).html;
        assert!(!out.contains("javascript"), "{out}");
        assert!(
            !attribute_names(&out).iter().any(|n| n.starts_with("on")),
            "{out}"
        );
    }

    #[test]
    fn fenced_code_keeps_its_language_class_only() {
        let out = html("```rust\nfn main() {}\n```\n");
        assert!(out.contains(r#"<code class="language-rust">"#), "{out}");
        assert_eq!(filter_classes("code", "language-x\" onclick=y"), None);
        assert_eq!(filter_classes("p", "language-rust"), None);
    }
}
