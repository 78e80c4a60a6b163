//! Word diff between two versions of a text, or a text and its amended form, as HTML.
//!
//! # Output
//!
//! Unchanged text is written as is (HTML-escaped), deleted text inside `<del>`, inserted text
//! inside `<ins>`. Newlines are kept where they are, so the result belongs in an element with
//! `white-space: pre-wrap` (`<div class="diff">`).
//!
//! # Two levels, then a third for small replacements
//!
//! 1. Lines (paragraphs, in Markdown) are diffed first. Unchanged lines are copied, lines only
//!    deleted or only inserted are shown whole.
//! 2. Each run of replaced lines is diffed again word by word (Unicode word boundaries, so
//!    `contrat.` is `contrat` and `.`). A space between two changes is folded into them, so
//!    that "le chat noir" → "un chien blanc" reads as one replacement rather than three.
//! 3. Character emphasis: when a replacement changes 1 to [`MAX_EMPHASISED_WORDS`] words into
//!    the same number of words, the words are paired in order, and in each pair of similar
//!    words (at most [`MAX_EMPHASISED_WORD_LEN`] characters long and sharing at least half of
//!    their characters, see [`MIN_EMPHASIS_RATIO`]) the characters that differ get a `<mark>` on
//!    both sides: `chat` → `chats` reads `<del>chat</del><ins>chat<mark>s</mark></ins>`.
//!    Between unrelated words ("pour" → "contre") the marks would only be noise, so there are
//!    none; in longer or uneven replacements, pairing words by position would be guesswork.
//!
//! # Bounded time
//!
//! `similar` gives up and approximates when the deadline passes, without saying so; a diff
//! that returns at or after the deadline is therefore taken as approximated. Once the deadline
//! has passed, the remaining replaced lines are shown whole (the line-level fallback) and
//! `truncated` is set. Character emphasis, which is cosmetic, is skipped once it has passed.
//!
//! # Counts
//!
//! `insertions` and `deletions` count inserted and deleted words, where a word is a token of the
//! Unicode segmentation that is not whitespace: punctuation marks count, so replacing a comma
//! with a semicolon shows as one deletion and one insertion.

use super::sanitize::escape_html;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, DiffTag, DiffableStr, TextDiff};

/// The most words on each side of a replacement that still get character emphasis.
pub const MAX_EMPHASISED_WORDS: usize = 3;

/// The longest word, in characters, that gets character emphasis.
pub const MAX_EMPHASISED_WORD_LEN: usize = 40;

/// The least share of common characters (`2 × common / (old + new)`) for character emphasis.
pub const MIN_EMPHASIS_RATIO: f32 = 0.5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordDiff {
    pub html: String,
    /// Inserted words.
    pub insertions: usize,
    /// Deleted words.
    pub deletions: usize,
    /// The deadline was hit: the result is coarser (whole lines) from some point on.
    pub truncated: bool,
}

/// Diffs `old` and `new` within about `deadline` (plus the linear work of writing the result).
pub fn word_diff(old: &str, new: &str, deadline: Duration) -> WordDiff {
    let clock = Clock::start(deadline);
    let mut out = Output::default();
    let old_lines = old.tokenize_lines();
    let new_lines = new.tokenize_lines();
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &old_lines,
        &new_lines,
        clock.deadline,
    );
    if clock.passed() && has_changes(&ops) {
        out.truncated = true;
    }
    for op in &ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_text = old_lines.get(old_range).unwrap_or_default().concat();
        let new_text = new_lines.get(new_range).unwrap_or_default().concat();
        match tag {
            DiffTag::Equal => out.same(&old_text),
            DiffTag::Delete => out.change(&[&old_text], &[]),
            DiffTag::Insert => out.change(&[], &[&new_text]),
            DiffTag::Replace => diff_replaced_lines(&old_text, &new_text, &clock, &mut out),
        }
    }
    out.finish()
}

/// An absolute deadline; `None` when the budget is too large to represent, meaning no limit.
struct Clock {
    deadline: Option<Instant>,
}

impl Clock {
    fn start(budget: Duration) -> Self {
        Self {
            deadline: Instant::now().checked_add(budget),
        }
    }

    fn passed(&self) -> bool {
        self.deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
    }
}

fn has_changes(ops: &[DiffOp]) -> bool {
    ops.iter().any(|op| op.tag() != DiffTag::Equal)
}

fn diff_replaced_lines(old: &str, new: &str, clock: &Clock, out: &mut Output) {
    if clock.passed() {
        out.truncated = true;
        out.change(&[old], &[new]);
        return;
    }
    let old_tokens = old.tokenize_unicode_words();
    let new_tokens = new.tokenize_unicode_words();
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &old_tokens,
        &new_tokens,
        clock.deadline,
    );
    if clock.passed() {
        out.truncated = true;
    }
    let segments = fold_spaces_into_changes(segments(&ops, &old_tokens, &new_tokens));
    for segment in &segments {
        match segment {
            Segment::Same(tokens) => out.same(&tokens.concat()),
            Segment::Changed { old, new } => {
                out.change_with_emphasis(old, new, clock);
            }
        }
    }
}

#[derive(Debug)]
enum Segment<'a> {
    Same(Vec<&'a str>),
    Changed {
        old: Vec<&'a str>,
        new: Vec<&'a str>,
    },
}

/// The ops as runs of unchanged and changed tokens; a deletion next to an insertion is one
/// change.
fn segments<'a>(ops: &[DiffOp], old: &[&'a str], new: &[&'a str]) -> Vec<Segment<'a>> {
    let mut segments: Vec<Segment<'a>> = Vec::new();
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_part = old.get(old_range).unwrap_or_default();
        let new_part = new.get(new_range).unwrap_or_default();
        if tag == DiffTag::Equal {
            segments.push(Segment::Same(old_part.to_vec()));
            continue;
        }
        match segments.last_mut() {
            Some(Segment::Changed { old, new }) => {
                old.extend_from_slice(old_part);
                new.extend_from_slice(new_part);
            }
            _ => segments.push(Segment::Changed {
                old: old_part.to_vec(),
                new: new_part.to_vec(),
            }),
        }
    }
    segments
}

/// Folds a run of spaces (not a line break) lying between two changes into one change.
fn fold_spaces_into_changes(segments: Vec<Segment<'_>>) -> Vec<Segment<'_>> {
    let mut folded: Vec<Segment> = Vec::with_capacity(segments.len());
    let mut pending_space: Option<Vec<&str>> = None;
    for segment in segments {
        match segment {
            Segment::Same(tokens) if is_inline_space(&tokens) && ends_with_change(&folded) => {
                if let Some(space) = pending_space.replace(tokens) {
                    folded.push(Segment::Same(space));
                }
            }
            Segment::Changed { old, new } => match (pending_space.take(), folded.last_mut()) {
                (
                    Some(space),
                    Some(Segment::Changed {
                        old: prev_old,
                        new: prev_new,
                    }),
                ) => {
                    prev_old.extend(space.iter().chain(&old));
                    prev_new.extend(space.iter().chain(&new));
                }
                (space, _) => {
                    folded.extend(space.map(Segment::Same));
                    folded.push(Segment::Changed { old, new });
                }
            },
            same => {
                folded.extend(pending_space.take().map(Segment::Same));
                folded.push(same);
            }
        }
    }
    folded.extend(pending_space.map(Segment::Same));
    folded
}

fn is_inline_space(tokens: &[&str]) -> bool {
    !tokens.is_empty()
        && tokens.iter().all(|t| {
            t.chars()
                .all(|c| c.is_whitespace() && c != '\n' && c != '\r')
        })
}

fn ends_with_change(segments: &[Segment]) -> bool {
    matches!(segments.last(), Some(Segment::Changed { .. }))
}

fn is_word(token: &str) -> bool {
    !token.trim().is_empty()
}

fn count_words(tokens: &[&str]) -> usize {
    tokens.iter().filter(|t| is_word(t)).count()
}

/// Both sides of a word pair, with the differing characters marked.
struct Emphasis {
    old: String,
    new: String,
}

/// For each word pair of a replacement, in order, its emphasis if the words are similar; `None`
/// when the replacement doesn't pair its words (see the module documentation).
fn emphasise_pairs(old: &[&str], new: &[&str]) -> Option<Vec<Option<Emphasis>>> {
    let old_words: Vec<&str> = old.iter().copied().filter(|t| is_word(t)).collect();
    let new_words: Vec<&str> = new.iter().copied().filter(|t| is_word(t)).collect();
    if old_words.is_empty()
        || old_words.len() != new_words.len()
        || old_words.len() > MAX_EMPHASISED_WORDS
    {
        return None;
    }
    let pairs = old_words.iter().zip(&new_words);
    Some(
        pairs
            .map(|(old_word, new_word)| emphasise(old_word, new_word))
            .collect(),
    )
}

fn emphasise(old: &str, new: &str) -> Option<Emphasis> {
    if old.chars().count() > MAX_EMPHASISED_WORD_LEN
        || new.chars().count() > MAX_EMPHASISED_WORD_LEN
    {
        return None;
    }
    // Graphemes, so that a decomposed accent is marked with its letter.
    let diff = TextDiff::configure().diff_graphemes(old, new);
    if diff.ratio() < MIN_EMPHASIS_RATIO {
        return None;
    }
    let old_graphemes = old.tokenize_graphemes();
    let new_graphemes = new.tokenize_graphemes();
    let mut emphasis = Emphasis {
        old: String::new(),
        new: String::new(),
    };
    for op in diff.ops() {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_part = old_graphemes.get(old_range).unwrap_or_default().concat();
        let new_part = new_graphemes.get(new_range).unwrap_or_default().concat();
        if tag == DiffTag::Equal {
            emphasis.old.push_str(&escape_html(&old_part));
            emphasis.new.push_str(&escape_html(&new_part));
        } else {
            push_marked(&mut emphasis.old, &old_part);
            push_marked(&mut emphasis.new, &new_part);
        }
    }
    Some(emphasis)
}

fn push_marked(html: &mut String, text: &str) {
    if !text.is_empty() {
        html.push_str("<mark>");
        html.push_str(&escape_html(text));
        html.push_str("</mark>");
    }
}

#[derive(Default)]
struct Output {
    html: String,
    insertions: usize,
    deletions: usize,
    truncated: bool,
}

impl Output {
    fn same(&mut self, text: &str) {
        self.html.push_str(&escape_html(text));
    }

    /// A change without character emphasis; counts its words with the same segmentation as
    /// the word diff, so that a line-level fallback counts alike.
    fn change(&mut self, old: &[&str], new: &[&str]) {
        let old: String = old.concat();
        let new: String = new.concat();
        self.deletions += count_words(&old.tokenize_unicode_words());
        self.insertions += count_words(&new.tokenize_unicode_words());
        self.push_side("del", &escape_html(&old));
        self.push_side("ins", &escape_html(&new));
    }

    fn change_with_emphasis(&mut self, old: &[&str], new: &[&str], clock: &Clock) {
        self.deletions += count_words(old);
        self.insertions += count_words(new);
        let pairs = if clock.passed() {
            None
        } else {
            emphasise_pairs(old, new)
        };
        let (old_html, new_html) = match pairs {
            Some(pairs) => (
                with_emphasis(
                    old,
                    pairs.iter().map(|p| p.as_ref().map(|e| e.old.as_str())),
                ),
                with_emphasis(
                    new,
                    pairs.iter().map(|p| p.as_ref().map(|e| e.new.as_str())),
                ),
            ),
            None => (escape_html(&old.concat()), escape_html(&new.concat())),
        };
        self.push_side("del", &old_html);
        self.push_side("ins", &new_html);
    }

    fn push_side(&mut self, element: &str, inner_html: &str) {
        if !inner_html.is_empty() {
            self.html
                .push_str(&format!("<{element}>{inner_html}</{element}>"));
        }
    }

    fn finish(self) -> WordDiff {
        WordDiff {
            html: self.html,
            insertions: self.insertions,
            deletions: self.deletions,
            truncated: self.truncated,
        }
    }
}

/// The tokens as HTML, each word replaced in turn by its emphasised form, if it has one.
fn with_emphasis<'e>(
    tokens: &[&str],
    mut emphasised: impl Iterator<Item = Option<&'e str>>,
) -> String {
    let mut html = String::new();
    for token in tokens {
        match is_word(token)
            .then(|| emphasised.next())
            .flatten()
            .flatten()
        {
            Some(word) => html.push_str(word),
            None => html.push_str(&escape_html(token)),
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: Duration = Duration::from_secs(5);

    fn diff(old: &str, new: &str) -> WordDiff {
        word_diff(old, new, BUDGET)
    }

    // Two successive versions of alinéa 7 of article 4 of pjl16-581 (Sénat, dépôt then
    // commission), from ../shared/data/alineas-fr.jsonl:
    // regardscitoyens/the-law-factory-parser-test-cases, ODbL.
    const NULLITE_DEPOT: &str = "\"La violation de cette interdiction emporte la nullité du contrat. Cette nullité ne donne lieu à aucune restitution entre les parties.";
    const NULLITE_COMMISSION: &str = "\"La violation de cette interdiction emporte de plein droit la cessation du contrat. Cette cessation ne donne lieu à aucune restitution entre les parties.";

    // Alinéa 3 of article 1er ter A of pjl09-200 (Assemblée, hémicycle then CMP), same source.
    const TRUFFE_HEMICYCLE: &str = "\"1. Les dénominations \"truffé\" ou \"à la truffe\" sont réservées aux produits alimentaires contenant un minimum de 3 % de truffe.";
    const TRUFFE_CMP: &str = "\"1. La dénomination \"truffé\" est réservée aux denrées alimentaires contenant un minimum de 3 % de truffe.";

    #[test]
    fn french_amendment_reads_word_by_word() {
        let result = diff(NULLITE_DEPOT, NULLITE_COMMISSION);
        assert_eq!(
            result.html,
            "&quot;La violation de cette interdiction emporte <ins>de plein droit </ins>la \
             <del>nullité</del><ins>cessation</ins> du contrat. Cette \
             <del>nullité</del><ins>cessation</ins> ne donne lieu à aucune restitution entre les parties."
        );
        assert_eq!((result.insertions, result.deletions), (5, 2));
        assert!(!result.truncated);
    }

    #[test]
    fn similar_french_words_get_character_emphasis() {
        let result = diff(TRUFFE_HEMICYCLE, TRUFFE_CMP);
        assert_eq!(
            result.html,
            "&quot;1. <del>Les dénomination<mark>s</mark></del><ins>La dénomination</ins> \
             &quot;truffé&quot; <del>ou &quot;à la truffe&quot; sont réservées</del><ins>est réservée</ins> \
             aux <del>produits</del><ins>denrées</ins> alimentaires contenant un minimum de 3 % de truffe."
        );
    }

    #[test]
    fn one_word_changed_marks_its_characters() {
        let result = diff("Le chat dort.", "Le chats dort.");
        assert_eq!(
            result.html,
            "Le <del>chat</del><ins>chat<mark>s</mark></ins> dort."
        );
        let result = diff("Un délai de trois mois.", "Un délai de trois moi.");
        assert_eq!(
            result.html,
            "Un délai de trois <del>moi<mark>s</mark></del><ins>moi</ins>."
        );
        let result = diff("Il vote pour.", "Il vote contre.");
        assert_eq!(result.html, "Il vote <del>pour</del><ins>contre</ins>.");
    }

    #[test]
    fn neighbouring_changes_read_as_one() {
        let result = diff("le chat noir dort", "un chien blanc dort");
        assert_eq!(
            result.html,
            "<del>le chat noir</del><ins>un chien blanc</ins> dort"
        );
        assert_eq!((result.insertions, result.deletions), (3, 3));
    }

    #[test]
    fn html_in_either_text_is_escaped() {
        let result = diff(
            "<script>alert(1)</script> & \"x\"",
            "<b onclick='x'>gras</b> & \"x\"",
        );
        let own_tags = ["<del>", "</del>", "<ins>", "</ins>", "<mark>", "</mark>"];
        for (at, _) in result.html.match_indices('<') {
            let rest = &result.html[at..];
            assert!(
                own_tags.iter().any(|tag| rest.starts_with(tag)),
                "{}",
                result.html
            );
        }
        assert!(
            result
                .html
                .starts_with("&lt;<del>script</del><ins>b onclick=&#39;x&#39;</ins>&gt;"),
            "{}",
            result.html
        );
        assert!(
            result.html.ends_with(" &amp; &quot;x&quot;"),
            "{}",
            result.html
        );
    }

    #[test]
    fn insert_only() {
        let result = diff("Article 1.\n", "Article 1.\nArticle 2 nouveau.\n");
        assert_eq!(result.html, "Article 1.\n<ins>Article 2 nouveau.\n</ins>");
        assert_eq!((result.insertions, result.deletions), (4, 0));
    }

    #[test]
    fn delete_only() {
        let result = diff(
            "Les mots « et suivants » sont supprimés.",
            "Les mots sont supprimés.",
        );
        assert_eq!(
            result.html,
            "Les mots <del>« et suivants » </del>sont supprimés."
        );
        assert_eq!((result.insertions, result.deletions), (0, 4));
    }

    #[test]
    fn identical_texts_have_no_tags() {
        let text = "Santé\n\nL'hôpital public & la <sécu>.\n";
        let result = diff(text, text);
        assert_eq!(
            result.html,
            "Santé\n\nL&#39;hôpital public &amp; la &lt;sécu&gt;.\n"
        );
        assert_eq!(
            (result.insertions, result.deletions, result.truncated),
            (0, 0, false)
        );
        assert_eq!(
            diff("", ""),
            WordDiff {
                html: String::new(),
                insertions: 0,
                deletions: 0,
                truncated: false
            }
        );
    }

    #[test]
    fn newlines_are_preserved() {
        let result = diff(
            "Un.\nDeux mots.\nTrois.\n",
            "Un.\nDeux autres mots.\nTrois.\nQuatre.",
        );
        assert_eq!(
            result.html,
            "Un.\nDeux <ins>autres </ins>mots.\nTrois.\n<ins>Quatre.</ins>"
        );
        assert_eq!((result.insertions, result.deletions), (3, 0));
    }

    /// Diffs with a 50 ms deadline, checking the bound (generously: this is no benchmark).
    fn diff_within_50_ms(old: &str, new: &str) -> WordDiff {
        let started = Instant::now();
        let result = word_diff(old, new, Duration::from_millis(50));
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
        result
    }

    fn unrelated_texts() -> (String, String) {
        let old: String = (0..40_000)
            .map(|i| format!("mot{} ", i * 7 % 1_000))
            .collect();
        let new: String = (0..40_000)
            .map(|i| format!("terme{} ", i * 13 % 997))
            .collect();
        assert!(old.len() > 200_000 && new.len() > 200_000);
        (old, new)
    }

    #[test]
    fn deadline_holds_for_large_unrelated_texts() {
        let (old, new) = unrelated_texts();
        let result = diff_within_50_ms(&old, &new);
        assert_eq!((result.insertions, result.deletions), (40_000, 40_000));
        let lines_old = old.replace(' ', "\n");
        let lines_new = new.replace(' ', "\n");
        let result = diff_within_50_ms(&lines_old, &lines_new);
        assert_eq!((result.insertions, result.deletions), (40_000, 40_000));
    }

    #[test]
    fn deadline_holds_for_repetitive_texts() {
        let old = "a b ".repeat(50_000);
        for new in [
            "b a ".repeat(50_000),
            "a ".repeat(100_000),
            "b ".repeat(70_000),
        ] {
            let result = diff_within_50_ms(&old, &new);
            assert!(result.html.len() >= old.len().min(new.len()));
        }
    }

    #[test]
    fn a_deadline_hit_midway_is_reported() {
        // Merely splitting 600 KB into words takes longer than a millisecond.
        let (old, new) = unrelated_texts();
        let result = word_diff(&old, &new, Duration::from_millis(1));
        assert!(result.truncated);
        assert_eq!((result.insertions, result.deletions), (40_000, 40_000));
    }

    #[test]
    fn a_passed_deadline_falls_back_to_whole_lines() {
        let result = word_diff("Un chat.\nDeux.\n", "Un chien.\nDeux.\n", Duration::ZERO);
        assert!(result.truncated);
        assert_eq!(
            result.html,
            "<del>Un chat.\n</del><ins>Un chien.\n</ins>Deux.\n"
        );
        assert_eq!((result.insertions, result.deletions), (3, 3));
        let same = word_diff("Pareil.\n", "Pareil.\n", Duration::ZERO);
        assert!(!same.truncated);
        assert_eq!(same.html, "Pareil.\n");
    }

    #[test]
    fn many_lines_many_changes_stay_consistent() {
        let old: String = (0..2_000)
            .map(|i| format!("Alinéa {i} : la loi s'applique.\n"))
            .collect();
        let new: String = (0..2_000)
            .map(|i| format!("Alinéa {i} : le décret s'applique.\n"))
            .collect();
        let result = diff(&old, &new);
        assert!(!result.truncated);
        assert_eq!((result.insertions, result.deletions), (4_000, 4_000));
        assert_eq!(result.html.matches("<del>").count(), 2_000);
    }
}
