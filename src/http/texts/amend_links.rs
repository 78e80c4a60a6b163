//! The reading view's margins (how many amendments each paragraph has) and its paragraph-level
//! control for filing without JavaScript: before each numbered paragraph of a text open to
//! amendments, « Amender » (to the form for that paragraph, which also offers to add a paragraph
//! after it instead). They are links inserted next to each paragraph's anchor in the sanitised
//! HTML (the anchors are ours: `markup` writes them, unique per text).
//!
//! One control per paragraph, not one per gap as well: a convention's text has hundreds of
//! paragraphs, and every byte here is sent to every member who may file, on the busiest pages
//! of a convention (the gaps' « Ajouter un paragraphe » are made in the browser by the in-place
//! editor, `assets/editor/src/amend.js`, from the controls below).
//!
//! For who may file, each paragraph's element also carries its number and its source range
//! in UTF-16 units of the Markdown (`data-paragraph`, `data-src="start-end"`): the in-place
//! editor maps a selection or a control to the range it files through the API.

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

fn controls(m: &Margins, n: usize) -> String {
    let mut links = String::new();
    if let Some(count) = count_link(m, n) {
        links.push_str(&count);
    }
    if m.can_file {
        if !links.is_empty() {
            links.push(' ');
        }
        // The number is in the label rather than in a hidden span: shorter, and a screen
        // reader's list of links tells the paragraphs apart.
        links.push_str(&format!(
            "<a class=\"amend-link\" href=\"/texts/{}/amendments/new?paragraph={n}\" aria-label=\"{}\">{}</a>",
            m.text,
            tpl::t_args(m.lang, "amendment.amend_label", &[("paragraph", &n.to_string())]),
            tpl::t(m.lang, "amendment.amend")
        ));
    }
    links
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
    for p in paragraphs {
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
                    " data-paragraph=\"{}\" data-src=\"{}-{}\"",
                    p.number, range.start, range.end
                ),
            ));
        }
        let links = controls(m, p.number);
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
    out
}
