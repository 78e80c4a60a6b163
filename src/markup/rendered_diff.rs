//! The differences between two states of a text shown on the rendered text: headings, emphasis
//! and lists as readers see them, with `<ins>` and `<del>` around what changed.
//!
//! Both sides are rendered (and sanitised) first; their HTML is cut into tokens — a whole tag,
//! a word, a run of spaces, a punctuation mark — and the token sequences are diffed, within a
//! deadline. The result keeps the new side's tags exactly (unchanged and inserted ones), so it
//! nests as the new text does; from the old side it keeps the text of what was deleted, wrapped
//! in `<del>`, and its tags only where a deleted run holds whole elements (a removed list item or
//! paragraph keeps its shape). Text, never tags, goes inside `<ins>` and `<del>`, so they never
//! cross an element. The result is sanitised again, as everything shown is.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag, DiffableStr};

use super::sanitize::{escape_html, sanitize};

/// The rendered diff, sanitised; `truncated` when the deadline made it coarser.
pub struct RenderedDiff {
    pub html: String,
    pub truncated: bool,
}

/// Diffs two rendered (sanitised) HTML documents within about `deadline`: lines first (the
/// renderer ends each block with a line break, so an added or removed list item or paragraph is
/// one whole line), then tokens within each run of replaced lines.
pub fn rendered_diff(old_html: &str, new_html: &str, deadline: Duration) -> RenderedDiff {
    let started = Instant::now();
    let deadline_at = started.checked_add(deadline);
    let passed = || deadline_at.is_some_and(|d| Instant::now() >= d);
    // Anchors number the blocks (`intro-p3`): adding one renumbers every block after it, which
    // would make them all differ. A diff links nowhere, so both sides lose their ids.
    let (old_html, new_html) = (without_ids(old_html), without_ids(new_html));
    let old_lines = old_html.tokenize_lines();
    let new_lines = new_html.tokenize_lines();
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &old_lines,
        &new_lines,
        deadline_at,
    );
    let mut truncated = passed();
    let mut html = String::with_capacity(new_html.len() + new_html.len() / 4);
    for op in &ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_part = old_lines.get(old_range).unwrap_or_default().concat();
        let new_part = new_lines.get(new_range).unwrap_or_default().concat();
        match tag {
            DiffTag::Equal => html.push_str(&new_part),
            DiffTag::Delete => {
                let old = tokens(&old_part);
                write_side(&mut html, &old, "del", is_balanced(&old));
            }
            DiffTag::Insert => write_side(&mut html, &tokens(&new_part), "ins", true),
            DiffTag::Replace => {
                let old = tokens(&old_part);
                let new = tokens(&new_part);
                if passed() {
                    truncated = true;
                    write_side(&mut html, &old, "del", is_balanced(&old));
                    write_side(&mut html, &new, "ins", true);
                } else {
                    diff_tokens(&mut html, &old, &new, deadline_at);
                }
            }
        }
    }
    RenderedDiff {
        html: sanitize(&html),
        truncated: truncated || passed(),
    }
}

/// Diffs two runs of tokens and writes the result (see the module documentation).
fn diff_tokens(html: &mut String, old: &[Token], new: &[Token], deadline: Option<Instant>) {
    let old_keys: Vec<&str> = old.iter().map(Token::key).collect();
    let new_keys: Vec<&str> = new.iter().map(Token::key).collect();
    let ops =
        similar::capture_diff_slices_deadline(Algorithm::Myers, &old_keys, &new_keys, deadline);
    for op in &ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_part = old.get(old_range).unwrap_or_default();
        let new_part = new.get(new_range).unwrap_or_default();
        match tag {
            DiffTag::Equal => new_part.iter().for_each(|t| t.write(html)),
            DiffTag::Delete => write_side(html, old_part, "del", is_balanced(old_part)),
            DiffTag::Insert => write_side(html, new_part, "ins", true),
            DiffTag::Replace => {
                write_side(html, old_part, "del", is_balanced(old_part));
                write_side(html, new_part, "ins", true);
            }
        }
    }
}

#[derive(Debug)]
enum Token<'a> {
    /// A whole tag, as written (`<p>`, `</em>`, `<a href="…">`).
    Tag(&'a str),
    /// Text, unescaped: a word, spaces or a punctuation mark.
    Text(String),
}

impl Token<'_> {
    fn key(&self) -> &str {
        match self {
            Token::Tag(tag) => tag,
            Token::Text(text) => text,
        }
    }

    fn write(&self, html: &mut String) {
        match self {
            Token::Tag(tag) => html.push_str(tag),
            Token::Text(text) => html.push_str(&escape_html(text)),
        }
    }
}

/// Writes a changed run: its text runs inside `element` (a run of blanks alone stays as it is:
/// a marked line break shows nothing), its tags only when `keep_tags`.
fn write_side(html: &mut String, tokens: &[Token], element: &str, keep_tags: bool) {
    let mut run = String::new();
    let flush = |html: &mut String, run: &mut String| {
        if run.trim().is_empty() {
            html.push_str(&escape_html(run));
        } else {
            html.push_str(&format!("<{element}>{}</{element}>", escape_html(run)));
        }
        run.clear();
    };
    for token in tokens {
        match token {
            Token::Text(text) => run.push_str(text),
            Token::Tag(tag) => {
                flush(html, &mut run);
                if keep_tags {
                    html.push_str(tag);
                }
            }
        }
    }
    flush(html, &mut run);
}

/// Elements without an end tag.
const VOID: [&str; 8] = ["br", "hr", "img", "wbr", "col", "area", "input", "source"];

/// The tag's name and whether it closes (`</p>` → `("p", true)`).
fn tag_name(tag: &str) -> (&str, bool) {
    let inner = tag.trim_start_matches('<');
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let end = inner
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap_or(inner.len());
    (&inner[..end], closing)
}

/// Whether the run's tags form whole elements (each opened one closed within the run).
fn is_balanced(tokens: &[Token]) -> bool {
    let mut open: Vec<&str> = Vec::new();
    for token in tokens {
        let Token::Tag(tag) = token else { continue };
        let (name, closing) = tag_name(tag);
        if VOID.contains(&name) {
            continue;
        }
        if closing {
            if open.pop() != Some(name) {
                return false;
            }
        } else {
            open.push(name);
        }
    }
    open.is_empty()
}

/// Cuts sanitised HTML into tokens. The sanitiser's serialisation quotes every attribute value
/// with `"` (escaped inside), so a tag ends at the first `>` outside quotes; text holds no `<`.
fn tokens(html: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let mut quoted = false;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    if c == '"' {
                        quoted = !quoted;
                    }
                    c == '>' && !quoted
                })
                .map_or(rest.len(), |(at, _)| at + 1);
            tokens.push(Token::Tag(&rest[..end]));
            rest = &rest[end..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = unescape(&rest[..end]);
            for word in text.as_str().tokenize_unicode_words() {
                tokens.push(Token::Text(word.to_owned()));
            }
            rest = &rest[end..];
        }
    }
    tokens
}

/// Undoes the sanitiser's escaping of text (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&nbsp;`, and
/// numeric references), so that an entity is never cut in two by a change.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = rest.find(';').map(|end| (&rest[1..end], end));
        let decoded = entity.and_then(|(name, end)| {
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `html` (sanitised: every `<` opens a tag, attribute values are double-quoted) without its
/// `id` attributes.
fn without_ids(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let mut tag = &rest[open..open + close + 1];
        while let Some(at) = tag.find(" id=\"") {
            let value_end = tag[at + 5..].find('"').map(|end| at + 5 + end + 1);
            let Some(value_end) = value_end else { break };
            out.push_str(&tag[..at]);
            tag = &tag[value_end..];
        }
        out.push_str(tag);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::{RenderOptions, WikiResolution, WikiTarget, render};

    fn rendered(markdown: &str) -> String {
        let resolve = |_: &WikiTarget| WikiResolution::Missing {
            create_href: "/x".into(),
        };
        render(markdown, &RenderOptions::new(&resolve)).html
    }

    fn diff(old: &str, new: &str) -> String {
        rendered_diff(&rendered(old), &rendered(new), Duration::from_secs(5)).html
    }

    #[test]
    fn a_changed_word_in_a_heading_and_emphasis() {
        let html = diff(
            "# Santé\n\nUn *hôpital* public.\n",
            "# Santé pour tous\n\nUn *hôpital* public & gratuit.\n",
        );
        assert!(html.contains("<ins> pour tous</ins></h1>"), "{html}");
        assert!(html.contains("<em>hôpital</em>"), "{html}");
        assert!(html.contains("public<ins> &amp; gratuit</ins>."), "{html}");
    }

    #[test]
    fn ids_are_left_out_of_tags_only() {
        assert_eq!(
            without_ids(r#"<p id="intro-p1">a id="x" b</p><h2 id="s" class="c">t</h2>"#),
            r#"<p>a id="x" b</p><h2 class="c">t</h2>"#
        );
    }

    #[test]
    fn a_removed_list_item_keeps_its_shape() {
        let html = diff("- un\n- deux\n- trois\n", "- un\n- trois\n");
        assert!(html.contains("<li><del>deux</del></li>"), "{html}");
        let html = diff("- un\n- trois\n", "- un\n- deux\n- trois\n");
        assert!(html.contains("<li><ins>deux</ins></li>"), "{html}");
    }

    #[test]
    fn emphasis_added_or_removed_keeps_the_new_shape() {
        let html = diff("Un mot.\n", "Un **mot**.\n");
        assert!(html.contains("<strong>mot</strong>"), "{html}");
        let html = diff("Un **mot** fort.\n", "Un mot doux.\n");
        assert!(!html.contains("<strong>"), "{html}");
        assert!(html.contains("<del>fort</del><ins>doux</ins>"), "{html}");
    }

    #[test]
    fn merged_paragraphs_keep_the_deleted_text_only() {
        let html = diff("Un.\n\nDeux.\n", "Un. Deux.\n");
        assert_eq!(html.matches("<p>").count(), 1, "{html}");
        assert!(html.contains("Deux."), "{html}");
    }

    #[test]
    fn hostile_text_stays_text() {
        let html = diff(
            "Bonjour.\n",
            "Bonjour <script>alert(1)</script> &lt;b&gt;\n",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn entities_are_not_cut() {
        assert_eq!(unescape("a &amp; b &#233; &#xE9; &x; &"), "a & b é é &x; &");
    }
}
