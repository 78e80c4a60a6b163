//! The nesting guard. html5ever, under ammonia, spends time in proportion to the depth of the
//! open elements for each element it opens, so deep nesting costs its square: 40,000 nested
//! `<div>`s take seconds. The bounds here, far above what a real text needs, keep rendering
//! about linear: lists and quotes nested too deep are flattened, and raw HTML too abundant or
//! too deep is shown as text.

use std::collections::HashMap;

use pulldown_cmark::{Event, Tag, TagEnd};

/// Lists and quotes nested deeper than this many containers (a list and its item count as two)
/// are flattened into their parent.
pub(super) const MAX_CONTAINER_DEPTH: usize = 32;

/// Raw HTML is shown as text, rather than interpreted, in a text holding more raw tags than
/// this…
pub(super) const MAX_RAW_HTML_TAGS: usize = 1_000;

/// …or whose HTML would nest deeper than this.
pub(super) const MAX_HTML_DEPTH: usize = 128;

/// The number of tags written as raw HTML, approximated by the `<` followed by a letter.
pub(super) fn raw_html_tags(events: &[Event]) -> usize {
    events
        .iter()
        .map(|event| match event {
            Event::Html(html) | Event::InlineHtml(html) => html
                .as_bytes()
                .windows(2)
                .filter(|pair| pair[0] == b'<' && pair[1].is_ascii_alphabetic())
                .count(),
            _ => 0,
        })
        .sum()
}

/// Whether `html` may nest more than `limit` elements deep: an estimate from the tags alone,
/// where an end tag closes its latest matching start tag and everything opened after it, and
/// an end tag without a match closes nothing.
pub(super) fn html_depth_exceeds(html: &str, limit: usize) -> bool {
    let mut open: Vec<String> = Vec::new();
    let mut open_counts: HashMap<String, usize> = HashMap::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let (closing, name_start) = match rest.strip_prefix('/') {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let name: String = name_start
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        if closing {
            close_element(&mut open, &mut open_counts, &name);
        } else if !is_void_element(&name) {
            *open_counts.entry(name.clone()).or_default() += 1;
            open.push(name);
            if open.len() > limit {
                return true;
            }
        }
    }
    false
}

fn close_element(open: &mut Vec<String>, open_counts: &mut HashMap<String, usize>, name: &str) {
    if open_counts.get(name).copied().unwrap_or(0) == 0 {
        return;
    }
    while let Some(top) = open.pop() {
        if let Some(count) = open_counts.get_mut(&top) {
            *count = count.saturating_sub(1);
        }
        if top == name {
            return;
        }
    }
}

fn is_void_element(name: &str) -> bool {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    ];
    VOID.contains(&name)
}

/// Flattens lists and quotes nested deeper than [`MAX_CONTAINER_DEPTH`] into their parent.
#[derive(Default)]
pub(super) struct NestingCap {
    /// For each open container, whether it was kept.
    kept: Vec<bool>,
    depth: usize,
}

impl NestingCap {
    pub fn filter<'a>(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        match &event {
            Event::Start(Tag::List(_) | Tag::Item | Tag::BlockQuote(_)) => {
                let keep = self.depth < MAX_CONTAINER_DEPTH;
                self.kept.push(keep);
                if keep {
                    self.depth += 1;
                    return Some(event);
                }
                // Keeps the flattened items apart.
                Some(Event::SoftBreak)
            }
            Event::End(TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_)) => {
                let keep = self.kept.pop().unwrap_or(true);
                if keep {
                    self.depth = self.depth.saturating_sub(1);
                    return Some(event);
                }
                None
            }
            _ => Some(event),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::sanitize;
    use crate::markup::test_support::{html, render_md};

    #[test]
    fn deep_markdown_nesting_is_flattened() {
        let out = html(&("> ".repeat(100) + "fond"));
        assert_eq!(out.matches("<blockquote").count(), MAX_CONTAINER_DEPTH);
        assert!(out.contains("fond"), "{out}");
        let list: String = (0..100)
            .map(|level| format!("{}- niveau {level}\n", "  ".repeat(level)))
            .collect();
        let rendered = render_md(&list);
        assert_eq!(
            rendered.html.matches("<ul").count(),
            MAX_CONTAINER_DEPTH / 2
        );
        assert!(rendered.html.contains("niveau 99"), "{}", rendered.html);
        assert_eq!(rendered.paragraphs[0].lines.len(), 100);
    }

    #[test]
    fn raw_html_is_shown_as_text_when_too_deep_or_too_much() {
        let deep = html(&("<div>".repeat(MAX_HTML_DEPTH + 1) + "fond"));
        assert!(!deep.contains("<div"), "{deep}");
        assert!(deep.contains("&lt;div&gt;"), "{deep}");
        let many = html(&"<b>gras</b> ".repeat(MAX_RAW_HTML_TAGS + 1));
        assert!(!many.contains("<b>"), "{}", &many[..200]);
        assert!(
            many.starts_with(r#"<p id="intro-p1">&lt;b&gt;gras&lt;/b&gt; "#),
            "{}",
            &many[..200]
        );
        let some = html(&"<b>gras</b> ".repeat(MAX_RAW_HTML_TAGS));
        assert!(some.contains("<b>gras</b>"), "{}", &some[..200]);
        assert_eq!(
            sanitize(&"<div>".repeat(MAX_HTML_DEPTH + 1)),
            "&lt;div&gt;".repeat(MAX_HTML_DEPTH + 1)
        );
    }

    #[test]
    fn depth_estimate_ignores_unmatched_end_tags() {
        let unmatched = "<i>".repeat(10) + &"</x>".repeat(10);
        assert!(html_depth_exceeds(&unmatched, 9));
        assert!(!html_depth_exceeds(&unmatched, 10));
        let closed = "<div><p><b>x</div>".repeat(100);
        assert!(!html_depth_exceeds(&closed, 3));
        assert!(!html_depth_exceeds(&"<br><img src=x><hr>".repeat(100), 1));
    }
}
