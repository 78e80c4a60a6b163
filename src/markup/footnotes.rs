//! Footnotes: numbered in order of first reference, then unreferenced definitions in order;
//! their ids are `fn-<label>` and `fnref-<label>` (for the first reference to them) whatever
//! section they sit in, so that references reach them.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Tag};

use super::anchors::{IdAllocator, slugify};
use super::sanitize::escape_html;

/// A note's number (as references read it) and ids.
pub(super) struct Footnote {
    number: usize,
    pub id: String,
    ref_id: String,
}

#[derive(Default)]
pub(super) struct Footnotes {
    by_key: HashMap<String, Footnote>,
    /// The notes referenced so far in the HTML: only the first reference carries the id the
    /// definition links back to.
    referenced: HashSet<String>,
    /// Labels of the definitions being written, for their back-reference.
    open_definitions: Vec<String>,
}

/// pulldown-cmark matches footnote labels regardless of case.
fn footnote_key(label: &str) -> String {
    label.to_lowercase()
}

impl Footnotes {
    pub fn collect(events: &[Event], ids: &mut IdAllocator) -> Self {
        let mut defined = Vec::new();
        let mut referenced = Vec::new();
        for event in events {
            match event {
                Event::Start(Tag::FootnoteDefinition(label)) => defined.push(label.as_ref()),
                Event::FootnoteReference(label) => referenced.push(label.as_ref()),
                _ => {}
            }
        }
        let defined_keys: HashSet<String> = defined.iter().map(|l| footnote_key(l)).collect();
        let mut notes = Footnotes::default();
        let in_order = referenced
            .into_iter()
            .filter(|label| defined_keys.contains(&footnote_key(label)))
            .chain(defined);
        for label in in_order {
            notes.add(label, ids);
        }
        notes
    }

    fn add(&mut self, label: &str, ids: &mut IdAllocator) {
        let key = footnote_key(label);
        if self.by_key.contains_key(&key) {
            return;
        }
        let slug = slugify(label);
        let slug = if slug.is_empty() { "note" } else { &slug };
        let note = Footnote {
            number: self.by_key.len() + 1,
            id: ids.claim(&format!("fn-{slug}")),
            ref_id: ids.claim(&format!("fnref-{slug}")),
        };
        self.by_key.insert(key, note);
    }

    pub fn get(&self, label: &str) -> Option<&Footnote> {
        self.by_key.get(&footnote_key(label))
    }

    /// How a reference reads in the numbered view: `[1]`.
    pub fn marker(&self, label: &str) -> String {
        match self.get(label) {
            Some(note) => format!("[{}]", note.number),
            None => format!("[^{label}]"),
        }
    }

    /// A reference, as HTML.
    pub fn reference_html(&mut self, label: &str) -> String {
        let Some(note) = self.by_key.get(&footnote_key(label)) else {
            return escape_html(&format!("[^{label}]"));
        };
        // Only the first reference carries the id the definition links back to.
        let id = if self.referenced.insert(footnote_key(label)) {
            format!(r#" id="{}""#, escape_html(&note.ref_id))
        } else {
            String::new()
        };
        format!(
            r##"<sup class="footnote-ref"><a href="#{}"{id}>{}</a></sup>"##,
            escape_html(&note.id),
            note.number
        )
    }

    /// What opens a definition, as HTML.
    pub fn definition_open_html(&mut self, label: &str) -> String {
        self.open_definitions.push(label.to_owned());
        match self.get(label) {
            Some(note) => format!(
                r#"<div class="footnote-definition" id="{}"><sup class="footnote-label">{}</sup>"#,
                escape_html(&note.id),
                note.number
            ),
            None => r#"<div class="footnote-definition">"#.to_owned(),
        }
    }

    /// What closes the definition opened last, with its link back to its first reference.
    pub fn definition_close_html(&mut self) -> String {
        let label = self.open_definitions.pop().unwrap_or_default();
        match self.get(&label) {
            Some(note) if self.referenced.contains(&footnote_key(&label)) => {
                format!(
                    r##"<a href="#{}" class="footnote-backref">↩</a></div>"##,
                    escape_html(&note.ref_id)
                ) + "\n"
            }
            _ => "</div>\n".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::markup::test_support::render_md;

    #[test]
    fn footnotes_link_both_ways_and_survive_sanitising() {
        let rendered =
            render_md("# Titre\n\nTexte[^n] et[^2] encore[^n].\n\n[^2]: Deux.\n[^n]: Note.\n");
        let out = &rendered.html;
        assert!(
            out.contains(
                r##"Texte<sup class="footnote-ref"><a href="#fn-n" id="fnref-n">1</a></sup>"##
            ),
            "{out}"
        );
        assert!(
            out.contains(
                r##"et<sup class="footnote-ref"><a href="#fn-2" id="fnref-2">2</a></sup>"##
            ),
            "{out}"
        );
        assert!(
            out.contains(r##"encore<sup class="footnote-ref"><a href="#fn-n">1</a></sup>"##),
            "{out}"
        );
        assert!(
            out.contains(
                r#"<div class="footnote-definition" id="fn-n"><sup class="footnote-label">1</sup>"#
            ),
            "{out}"
        );
        assert!(
            out.contains(r##"<a href="#fnref-n" class="footnote-backref">↩</a></div>"##),
            "{out}"
        );
        let texts: Vec<(&str, &[String])> = rendered
            .paragraphs
            .iter()
            .map(|p| (p.anchor.as_str(), p.lines.as_slice()))
            .collect();
        assert_eq!(texts[1].0, "titre-p1");
        assert_eq!(texts[1].1, ["Texte[1] et[2] encore[1]."]);
        assert_eq!(texts[2].0, "fn-2");
        assert_eq!(texts[2].1, ["[2] Deux."]);
        assert_eq!(texts[3].0, "fn-n");
        assert_eq!(texts[3].1, ["[1] Note."]);
    }
}
