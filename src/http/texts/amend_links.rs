//! The reading view's paragraph-level controls for filing without JavaScript: before each
//! numbered paragraph of a text open to amendments, « Amender » (to the form for that
//! paragraph) and, from the second on, « Ajouter un paragraphe » for the gap above it; after
//! the last, one more gap. They are links inserted next to each paragraph's anchor in the
//! sanitised HTML (the anchors are ours: `markup` writes them, unique per text).

use atelier_templates as tpl;

use crate::markup::Paragraph;

fn controls(lang: tpl::Lang, text: &str, amend: Option<usize>, add_after: Option<usize>) -> String {
    let base = format!("/texts/{text}/amendments/new?paragraph=");
    let mut links = Vec::new();
    if let Some(after) = add_after {
        links.push(format!(
            "<a class=\"amend-link\" href=\"{base}{after}&amp;add=1\">{}<span class=\"visually-hidden\"> (§ {after} / § {})</span></a>",
            tpl::t(lang, "amendment.add_paragraph"),
            after + 1
        ));
    }
    if let Some(n) = amend {
        links.push(format!(
            "<a class=\"amend-link\" href=\"{base}{n}\">{}<span class=\"visually-hidden\"> § {n}</span></a>",
            tpl::t(lang, "amendment.amend")
        ));
    }
    links.join(" ")
}

/// `html` with the controls before each paragraph (inside a list item, whose only children
/// may be its own content, they open the item).
pub fn with_amend_links(
    lang: tpl::Lang,
    text: &str,
    html: &str,
    paragraphs: &[Paragraph],
) -> String {
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let needle = format!(" id=\"{}\"", p.anchor);
        let Some(at) = html.find(&needle) else {
            continue;
        };
        let Some(open) = html[..at].rfind('<') else {
            continue;
        };
        let add = (i > 0).then(|| paragraphs[i - 1].number);
        let links = controls(lang, text, Some(p.number), add);
        if html[open..].starts_with("<li") {
            let Some(end) = html[at..].find('>') else {
                continue;
            };
            inserts.push((
                at + end + 1,
                format!("<span class=\"amend-controls\">{links}</span> "),
            ));
        } else {
            inserts.push((open, format!("<p class=\"amend-controls\">{links}</p>")));
        }
    }
    let mut out = html.to_owned();
    inserts.sort_by_key(|(at, _)| *at);
    for (at, insert) in inserts.into_iter().rev() {
        out.insert_str(at, &insert);
    }
    if let Some(last) = paragraphs.last() {
        out.push_str(&format!(
            "<p class=\"amend-controls\">{}</p>",
            controls(lang, text, None, Some(last.number))
                .replace(&format!(" / § {})", last.number + 1), ")")
        ));
    }
    out
}
