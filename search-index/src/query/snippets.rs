//! Hits as shown: the stored fields, and a snippet with the matched words in `<mark>` —
//! words matched exactly, through a typo or by a prefix alike.

use std::collections::BTreeMap;

use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, TantivyDocument, Term};

use super::Hit;
use super::build::{Highlight, Lang};
use super::layers::Together;
use crate::analyzers::{Analyzers, analyze_offsets};
use crate::schema::{Fields, Language};

/// Length of a snippet, in characters.
pub(crate) const SNIPPET_CHARS: usize = 200;
/// What surrounds a matched word in a snippet.
const HIGHLIGHT: (&str, &str) = ("<mark>", "</mark>");
/// Weight of a word matched through a typo or a prefix, when choosing the best fragment
/// (an exact word weighs 1 / (1 + its document frequency)).
const LOOSE_WEIGHT: Score = 0.001;

/// Makes the snippets of one search.
pub(crate) struct Snippets {
    fields: Fields,
    analyzers: [TextAnalyzer; 2],
    /// The words analyzers (as written), which typos and prefixes are compared with.
    words: [TextAnalyzer; 2],
    highlight: Highlight,
    /// Per language, the exact terms with their weight.
    exact: [BTreeMap<String, Score>; 2],
}

impl Snippets {
    pub fn new(
        fields: &Fields,
        analyzers: &Analyzers,
        highlight: Highlight,
        statistics: &Together<'_>,
    ) -> Snippets {
        let exact = Lang::BOTH.map(|lang| {
            let (_, body) = lang.fields(fields);
            highlight.exact[lang as usize]
                .iter()
                .map(|term| {
                    let frequency = tantivy::query::Bm25StatisticsProvider::doc_freq(
                        statistics,
                        &Term::from_field_text(body, term),
                    )
                    .unwrap_or(0);
                    (term.clone(), 1.0 / (1.0 + frequency as Score))
                })
                .collect()
        });
        Snippets {
            fields: *fields,
            analyzers: [analyzers.fr.clone(), analyzers.en.clone()],
            words: [analyzers.fr_words.clone(), analyzers.en_words.clone()],
            highlight,
            exact,
        }
    }

    /// `text` (a document of `lang`) cut around its best matches, HTML-escaped, matches in
    /// `<mark>`; `None` when nothing in it matched.
    pub fn snippet(&self, lang: Lang, text: &str) -> Option<String> {
        let at = lang as usize;
        let mut analyzer = self.analyzers[at].clone();
        let mut terms = self.exact[at].clone();
        let fuzzy = &self.highlight.fuzzy[at];
        let prefixes = &self.highlight.prefixes[at];
        if !fuzzy.is_empty() || !prefixes.is_empty() {
            // A word matched as written is highlighted through its stem, which is what the
            // snippet generator compares: both analyzers cut the text the same way.
            let stems: BTreeMap<usize, String> =
                analyze_offsets(&mut analyzer, text).into_iter().collect();
            let mut words = self.words[at].clone();
            for (offset, word) in analyze_offsets(&mut words, text) {
                let loose = prefixes.iter().any(|p| word.starts_with(p.as_str()))
                    || fuzzy
                        .iter()
                        .any(|(typed, distance)| within(&word, typed, usize::from(*distance)));
                if let Some(stem) = stems.get(&offset).filter(|_| loose) {
                    terms.entry(stem.clone()).or_insert(LOOSE_WEIGHT);
                }
            }
        }
        if terms.is_empty() {
            return None;
        }
        let (_, body) = lang.fields(&self.fields);
        let generator = SnippetGenerator::new(terms, analyzer, body, SNIPPET_CHARS);
        let mut snippet = generator.snippet(text);
        if snippet.highlighted().is_empty() {
            return None;
        }
        snippet.set_snippet_prefix_postfix(HIGHLIGHT.0, HIGHLIGHT.1);
        Some(snippet.to_html())
    }
}

/// Builds a hit from its stored document; `snippets` is `None` when listing (no words).
pub(crate) fn hit(
    f: &Fields,
    doc: &TantivyDocument,
    score: Score,
    snippets: Option<&Snippets>,
) -> Hit {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let language = text(f.language)
        .as_deref()
        .and_then(Language::parse)
        .unwrap_or_default();
    let lang = Lang::of(language);
    let (title_field, body_field) = lang.fields(f);
    let body = text(body_field).unwrap_or_default();
    let title = text(title_field).unwrap_or_default();
    let snippet_html = snippets
        .and_then(|s| {
            s.snippet(lang, &body).or_else(|| {
                // A document found by its title alone (a text's title has no body).
                body.is_empty().then(|| s.snippet(lang, &title)).flatten()
            })
        })
        .unwrap_or_else(|| leading_excerpt(&body));
    Hit {
        key: text(f.doc_key).unwrap_or_default(),
        source: text(f.source).unwrap_or_default(),
        kind: text(f.kind).unwrap_or_default(),
        language,
        title: text(f.label).unwrap_or(title),
        snippet_html,
        url: text(f.url).unwrap_or_default(),
        score,
        date: doc
            .get_first(f.date)
            .and_then(|v| v.as_datetime())
            .map(|d| d.into_timestamp_secs()),
        status: text(f.status),
        author: text(f.author),
        group_id: text(f.group_id),
        theme: text(f.theme),
        convention: text(f.convention),
        place: doc
            .get_first(f.place)
            .and_then(|v| v.as_facet())
            .and_then(|facet| tantivy::schema::Facet::from_encoded(facet.as_bytes().to_vec()).ok())
            .map(|facet| facet.to_string()),
    }
}

/// The start of `body`, escaped, cut at a word boundary, for hits whose body did not match.
pub(crate) fn leading_excerpt(body: &str) -> String {
    let mut end = body.len();
    if let Some((cut, _)) = body.char_indices().nth(SNIPPET_CHARS) {
        end = body[..cut].rfind(char::is_whitespace).unwrap_or(cut);
    }
    let mut html = escape_html(body[..end].trim_end());
    if end < body.len() {
        html.push('…');
    }
    html
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `a` and `b` are at most `max` edits apart (insertions, deletions, substitutions,
/// and swaps of two neighbours — as tantivy's fuzzy query counts them).
pub(crate) fn within(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    // Optimal string alignment distance, three rows.
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(before[j - 2] + 1);
            }
        }
        if current.iter().min().is_some_and(|&m| m > max) {
            return false;
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()] <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_at_a_word_and_escapes() {
        assert_eq!(leading_excerpt("a <b> & c"), "a &lt;b&gt; &amp; c");
        let long = "mot ".repeat(100);
        let excerpt = leading_excerpt(&long);
        assert!(excerpt.ends_with("mot…"), "{excerpt}");
        assert!(excerpt.chars().count() <= SNIPPET_CHARS + 1);
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert!(within("retrait", "retrait", 0));
        assert!(within("retrait", "retriat", 1));
        assert!(within("retrait", "retait", 1));
        assert!(within("ecol", "ecoll", 1));
        assert!(!within("retrait", "portrait", 2));
        assert!(within("financ", "finance", 1));
        assert!(!within("santé", "sante", 0));
        assert!(within("", "ab", 2));
        assert!(!within("", "abc", 2));
    }
}
