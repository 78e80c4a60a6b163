//! Anchors: the slug of a heading, the `<section>-p<N>` of the blocks after it, unique ids, and
//! where each goes in the block's HTML (see "Anchors" in the module's documentation).

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, Tag};

use super::block::BlockKind;
use super::sanitize::escape_html;

/// The section of the blocks before the first heading.
const INTRO_SECTION: &str = "intro";

/// The slug of a heading whose text has no letter or digit (`## ???`).
const UNNAMED_SECTION: &str = "section";

/// `"Santé pour tous !"` → `"sante-pour-tous"`: lowercase, Latin accents folded to ASCII, runs
/// of anything else than letters and digits turned into one hyphen. Letters without an ASCII
/// form (Greek, Cyrillic…) are kept, as browsers handle them in fragments.
pub fn slugify(s: &str) -> String {
    let mut slug = String::with_capacity(s.len());
    let mut pending_hyphen = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            continue;
        }
        if !c.is_alphanumeric() {
            pending_hyphen = true;
            continue;
        }
        if pending_hyphen && !slug.is_empty() {
            slug.push('-');
        }
        pending_hyphen = false;
        match fold_latin(c) {
            Some(ascii) => slug.push_str(ascii),
            None => slug.push(c),
        }
    }
    slug
}

fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// The ASCII spelling of a lowercase accented Latin letter, French ones first.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

pub(super) fn set_heading_id(events: &mut [Event], anchor: &str) {
    if let Some(Event::Start(Tag::Heading { id, .. })) = events.first_mut() {
        *id = Some(CowStr::from(anchor.to_owned()));
    }
}

/// Puts the anchor on the block's first tag (`<p>`, `<ul>`, `<pre>`, `<table>`…); raw HTML,
/// whose first tag is the member's, gets an empty anchor element before it instead.
pub(super) fn attach_anchor(html: String, kind: BlockKind, anchor: &str) -> String {
    if kind != BlockKind::Html
        && let Some(with_id) = insert_id(&html, anchor)
    {
        return with_id;
    }
    format!(
        r#"<span class="block-anchor" id="{}"></span>{html}"#,
        escape_html(anchor)
    )
}

fn insert_id(html: &str, anchor: &str) -> Option<String> {
    let after_bracket = html.strip_prefix('<')?;
    let name_len = after_bracket
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(after_bracket.len());
    if name_len == 0 {
        return None;
    }
    let (open, rest) = html.split_at(1 + name_len);
    Some(format!(r#"{open} id="{}"{rest}"#, escape_html(anchor)))
}

pub(super) fn heading_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Hands out unique ids, `base`, then `base-2`, `base-3`…
#[derive(Default)]
pub(super) struct IdAllocator {
    /// Every id handed out: the only ones the sanitiser keeps.
    pub used: HashSet<String>,
    // Where to resume for each base, so that many equal headings stay linear.
    next_suffix: HashMap<String, usize>,
}

impl IdAllocator {
    pub fn claim(&mut self, base: &str) -> String {
        if self.used.insert(base.to_owned()) {
            return base.to_owned();
        }
        let next = self.next_suffix.entry(base.to_owned()).or_insert(2);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// Hands out the anchors of a text's blocks in order: a heading's slug starts a section, whose
/// blocks are numbered `<section>-p1`, `-p2`…
pub(super) struct Anchors {
    pub ids: IdAllocator,
    section: String,
    blocks_in_section: usize,
}

impl Anchors {
    pub fn new(ids: IdAllocator) -> Self {
        Self {
            ids,
            section: INTRO_SECTION.to_owned(),
            blocks_in_section: 0,
        }
    }

    /// A heading's anchor, which starts its section; none for a heading without text.
    pub fn heading(&mut self, heading: &str) -> Option<String> {
        if heading.is_empty() {
            return None;
        }
        let slug = slugify(heading);
        let base = if slug.is_empty() {
            UNNAMED_SECTION
        } else {
            &slug
        };
        let id = self.ids.claim(base);
        self.section = id.clone();
        self.blocks_in_section = 0;
        Some(id)
    }

    /// The next block's anchor in the current section.
    pub fn block(&mut self) -> String {
        self.blocks_in_section += 1;
        let base = format!("{}-p{}", self.section, self.blocks_in_section);
        self.ids.claim(&base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::test_support::render_md;

    #[test]
    fn headings_and_blocks_get_anchors() {
        let rendered = render_md(
            "Avant-propos.\n\n# Santé pour tous !\n\nUn.\n\n- a\n- b\n\n## Santé pour tous\n\nDeux.\n\n```\ncode\n```\n\n> cité\n\n| a |\n|---|\n| b |\n\n<div>brut</div>\n",
        );
        let out = &rendered.html;
        assert!(
            out.contains(r#"<p id="intro-p1">Avant-propos.</p>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<h1 id="sante-pour-tous">Santé pour tous !</h1>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<p id="sante-pour-tous-p1">Un.</p>"#),
            "{out}"
        );
        // A list's items are paragraphs: the anchors are on the items, not on the list.
        assert!(
            out.contains("<ul>\n<li id=\"sante-pour-tous-p2\">a</li>\n<li id=\"sante-pour-tous-p3\">b</li>\n</ul>"),
            "{out}"
        );
        assert!(out.contains(r#"<h2 id="sante-pour-tous-2">"#), "{out}");
        assert!(
            out.contains(r#"<p id="sante-pour-tous-2-p1">Deux.</p>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<pre id="sante-pour-tous-2-p2"><code>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<blockquote id="sante-pour-tous-2-p3">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<table id="sante-pour-tous-2-p4">"#),
            "{out}"
        );
        assert!(
            out.contains(
                r#"<span class="block-anchor" id="sante-pour-tous-2-p5"></span><div>brut</div>"#
            ),
            "{out}"
        );
        let anchors: Vec<&str> = rendered
            .paragraphs
            .iter()
            .map(|p| p.anchor.as_str())
            .collect();
        assert_eq!(
            anchors,
            [
                "intro-p1",
                "sante-pour-tous",
                "sante-pour-tous-p1",
                "sante-pour-tous-p2",
                "sante-pour-tous-p3",
                "sante-pour-tous-2",
                "sante-pour-tous-2-p1",
                "sante-pour-tous-2-p2",
                "sante-pour-tous-2-p3",
                "sante-pour-tous-2-p4",
                "sante-pour-tous-2-p5",
            ]
        );
    }

    #[test]
    fn anchors_of_a_section_survive_edits_to_another() {
        let before = "# Santé\n\nA.\n\nB.\n\n# Éducation\n\nC.\n\nD.\n";
        let after =
            "# Santé\n\nA.\n\nNouveau.\n\nB modifié.\n\nEncore.\n\n# Éducation\n\nC.\n\nD.\n";
        let anchors_of = |markdown: &str, text: &str| {
            render_md(markdown)
                .paragraphs
                .into_iter()
                .find(|p| p.lines == [text])
                .map(|p| p.anchor)
        };
        for text in ["C.", "D.", "Éducation", "A."] {
            assert_eq!(anchors_of(before, text), anchors_of(after, text), "{text}");
        }
        assert_eq!(anchors_of(after, "D.").as_deref(), Some("education-p2"));
    }

    #[test]
    fn blocks_without_text_are_neither_numbered_nor_anchored() {
        let rendered = render_md("Un.\n\n---\n\n<!-- note -->\n\nDeux.\n");
        let numbers: Vec<(usize, &str)> = rendered
            .paragraphs
            .iter()
            .map(|p| (p.number, p.anchor.as_str()))
            .collect();
        assert_eq!(numbers, [(1, "intro-p1"), (2, "intro-p2")]);
        assert!(rendered.html.contains("<hr>"), "{}", rendered.html);
        assert!(!rendered.html.contains("note"), "{}", rendered.html);
    }

    #[test]
    fn toc_lists_headings_down_to_level_three() {
        let rendered = render_md(
            "# Programme\n\n## Santé *pour* tous\n\n### L'hôpital `public`\n\n#### Détail\n\n## Santé pour tous\n",
        );
        let toc: Vec<(u8, &str, &str)> = rendered
            .toc
            .iter()
            .map(|e| (e.level, e.text.as_str(), e.anchor.as_str()))
            .collect();
        assert_eq!(
            toc,
            [
                (1, "Programme", "programme"),
                (2, "Santé pour tous", "sante-pour-tous"),
                (3, "L'hôpital public", "l-hopital-public"),
                (2, "Santé pour tous", "sante-pour-tous-2"),
            ]
        );
        assert!(
            rendered.html.contains(r#"<h4 id="detail">Détail</h4>"#),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn slugify_folds_accents_and_punctuation() {
        assert_eq!(slugify("Santé pour tous !"), "sante-pour-tous");
        assert_eq!(
            slugify("L'Économie & l'Œuvre — « sociale »"),
            "l-economie-l-oeuvre-sociale"
        );
        assert_eq!(
            slugify("  Ça, c'est NOËL ; déjà-vu ?  "),
            "ca-c-est-noel-deja-vu"
        );
        assert_eq!(slugify("Straße 2017"), "strasse-2017");
        assert_eq!(slugify("Sante\u{301} décomposée"), "sante-decomposee");
        assert_eq!(slugify("Δημοκρατία"), "δημοκρατία");
        assert_eq!(slugify("?!…"), "");
        assert_eq!(slugify(""), "");
    }

    #[test]
    fn untitled_headings_still_get_an_anchor() {
        let rendered = render_md("# ???\n\nTexte.\n");
        assert!(
            rendered.html.contains(r#"<h1 id="section">???</h1>"#),
            "{}",
            rendered.html
        );
        assert!(
            rendered.html.contains(r#"<p id="section-p1">"#),
            "{}",
            rendered.html
        );
    }
}
