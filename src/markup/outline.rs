//! The text's headings placed in the page's outline.

/// The reading view's HTML with its headings placed under a page heading of level `page_level`
/// (the page's `<h1>`, the text's title): the text's outermost headings become `page_level + 1`
/// and each heading at most one level below the one before it, however the text numbers them
/// (`### Santé` as its first heading, or `#` then `###`). Screen readers' outline and axe's
/// `heading-order` then read the text as part of the page, not as a second `<h1>` or a jump. The
/// table of contents keeps the text's own levels, anchors do not move. Works on
/// [`render`](super::render)'s sanitised output, where every `<` opens a tag and text is
/// escaped, so only real heading tags match.
pub fn nest_headings(html: &str, page_level: u8) -> String {
    let mut out = String::with_capacity(html.len());
    // The open sections: (the text's level, the level shown).
    let mut outline: Vec<(u8, u8)> = Vec::new();
    let mut shown = page_level.saturating_add(1).min(6);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tag = &rest[at..];
        let closing = tag.starts_with("</");
        let name_at = if closing { 2 } else { 1 };
        let bytes = tag.as_bytes();
        let level = match (
            bytes.get(name_at),
            bytes.get(name_at + 1),
            bytes.get(name_at + 2),
        ) {
            (Some(b'h'), Some(digit @ b'1'..=b'6'), Some(b'>' | b' ')) => Some(digit - b'0'),
            _ => None,
        };
        let Some(level) = level else {
            out.push('<');
            rest = &tag[1..];
            continue;
        };
        if !closing {
            while outline.last().is_some_and(|(own, _)| *own >= level) {
                outline.pop();
            }
            shown = match outline.last() {
                Some((_, parent)) => parent.saturating_add(1),
                None => page_level.saturating_add(1),
            }
            .min(6);
            outline.push((level, shown));
        }
        out.push_str(&tag[..name_at + 1]);
        out.push(char::from(b'0' + shown));
        rest = &tag[name_at + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::test_support::{html, render_md};

    #[test]
    fn headings_are_nested_under_the_page_title() {
        let rendered = render_md(
            "# Un\n\n## Deux\n\n###### Six\n\nPas <h1> ni `<h2>` : <b>texte</b>, h1.\n\n<h1 class=\"x\">brut</h1>\n",
        );
        let out = nest_headings(&rendered.html, 1);
        assert!(out.contains(r#"<h2 id="un">Un</h2>"#), "{out}");
        assert!(out.contains(r#"<h3 id="deux">Deux</h3>"#), "{out}");
        assert!(out.contains(r#"<h4 id="six">Six</h4>"#), "no jump: {out}");
        assert!(out.contains("<h2>brut</h2>"), "{out}");
        assert!(out.contains("&lt;h2&gt;"), "text stays text: {out}");
        assert!(!out.contains("<h1"), "{out}");
        assert_eq!(
            rendered.toc[0].level, 1,
            "the outline keeps the text's levels"
        );

        // A text that starts at `###` starts right under the page's title.
        let out = nest_headings(&html("### Santé\n\n#### Hôpitaux\n\n### Éducation\n"), 1);
        assert!(out.contains(r#"<h2 id="sante">Santé</h2>"#), "{out}");
        assert!(out.contains(r#"<h3 id="hopitaux">Hôpitaux</h3>"#), "{out}");
        assert!(
            out.contains(r#"<h2 id="education">Éducation</h2>"#),
            "{out}"
        );
        // Never past h6.
        let deep: String = (1..=6)
            .map(|l| format!("{} T{l}\n\n", "#".repeat(l)))
            .collect();
        let out = nest_headings(&html(&deep), 3);
        assert!(
            out.contains(r#"<h6 id="t6">T6</h6>"#) && !out.contains("<h7"),
            "{out}"
        );
    }
}
