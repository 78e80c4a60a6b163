//! The reading view's margins (how many amendments each paragraph has) and its paragraph-level controls for filing without JavaScript: before each
//! numbered paragraph of a text open to amendments, « Amender » (to the form for that
//! paragraph) and, from the second on, « Ajouter un paragraphe » for the gap above it; after
//! the last, one more gap. They are links inserted next to each paragraph's anchor in the
//! sanitised HTML (the anchors are ours: `markup` writes them, unique per text).
//!
//! For who may file, each paragraph's element also carries its number and its source range
//! in UTF-16 units of the Markdown (`data-paragraph`, `data-src-start`, `data-src-end`): the
//! in-place editor (`assets/editor/src/amend.js`) maps a selection or a control to the range
//! it files through the API.

use atelier_templates as tpl;

use crate::markup::Paragraph;

/// What the reading view adds around the paragraphs: the filing controls for who may file now,
/// and the margins' counts of the amendments each paragraph has (by the « § n » they were filed
/// on, as their references cite it), for every reader.
pub struct Margins<'a> {
    pub lang: tpl::Lang,
    pub text: &'a str,
    pub can_file: bool,
    pub counts: &'a std::collections::BTreeMap<usize, usize>,
}

fn count_link(m: &Margins, n: usize) -> Option<String> {
    let count = *m.counts.get(&n).filter(|c| **c > 0)?;
    let key = if count == 1 {
        "amendment.margin_one"
    } else {
        "amendment.margin_other"
    };
    Some(format!(
        "<a class=\"amend-count\" href=\"/texts/{}/amendments?paragraph={n}\">{}<span class=\"visually-hidden\"> (§ {n})</span></a>",
        m.text,
        tpl::t_args(m.lang, key, &[("count", &count.to_string())])
    ))
}

fn controls(m: &Margins, amend: Option<usize>, add_after: Option<usize>) -> String {
    let (lang, text) = (m.lang, m.text);
    let base = format!("/texts/{text}/amendments/new?paragraph=");
    let mut links = Vec::new();
    if let Some(n) = amend
        && let Some(count) = count_link(m, n)
    {
        links.push(count);
    }
    if !m.can_file {
        return links.join(" ");
    }
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
pub fn with_margins(m: &Margins, html: &str, paragraphs: &[Paragraph]) -> String {
    // Where each anchor is, in one pass over the page (a convention's text has hundreds of
    // paragraphs in hundreds of kilobytes: one search per paragraph would be quadratic).
    let mut anchors: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut from = 0;
    while let Some(found) = html[from..].find(" id=\"") {
        let at = from + found;
        let value = at + " id=\"".len();
        let Some(len) = html[value..].find('"') else {
            break;
        };
        anchors.entry(&html[value..value + len]).or_insert(at);
        from = value + len;
    }
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let Some(&at) = anchors.get(p.anchor.as_str()) else {
            continue;
        };
        let Some(open) = html[..at].rfind('<') else {
            continue;
        };
        if m.can_file {
            let range = &p.source.utf16;
            // Right after the anchor: ` id="…"`.
            let after_id = at + " id=\"".len() + p.anchor.len() + 1;
            inserts.push((
                after_id,
                format!(
                    " data-paragraph=\"{}\" data-src-start=\"{}\" data-src-end=\"{}\"",
                    p.number, range.start, range.end
                ),
            ));
        }
        let add = (i > 0).then(|| paragraphs[i - 1].number);
        let links = controls(m, Some(p.number), add);
        if links.is_empty() {
            continue;
        }
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
    inserts.sort_by_key(|(at, _)| *at);
    let mut out =
        String::with_capacity(html.len() + inserts.iter().map(|i| i.1.len()).sum::<usize>());
    let mut copied = 0;
    for (at, insert) in inserts {
        out.push_str(&html[copied..at]);
        out.push_str(&insert);
        copied = at;
    }
    out.push_str(&html[copied..]);
    if let Some(last) = paragraphs.last().filter(|_| m.can_file) {
        out.push_str(&format!(
            "<p class=\"amend-controls\">{}</p>",
            controls(m, None, Some(last.number))
                .replace(&format!(" / § {})", last.number + 1), ")")
        ));
    }
    out
}
