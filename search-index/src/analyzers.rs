//! The French, English and plain analyzers, and the French tokenizer that drops elisions.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager,
};

/// Name under which the French analyzer is registered.
pub const FRENCH: &str = "fr";
/// Name under which the English analyzer is registered.
pub const ENGLISH: &str = "en";
/// Name under which the plain analyzer (names, places: folded, not stemmed) is registered.
pub const PLAIN: &str = "plain";

/// Tokens this long (in bytes) or longer are dropped: they are URLs, hashes or noise.
const MAX_TOKEN_BYTES: usize = 40;

/// Words the Snowball French list (tantivy's `Language::French`) misses but that are as
/// frequent as the ones it has: "a" and "est" (avoir, être), and the unaccented spellings of a
/// few listed words, as typed by members who do not bother with accents. The stop-word filter
/// runs before ASCII folding, so the folded spellings have to be listed explicitly.
const FRENCH_EXTRA_STOP_WORDS: &[&str] = &[
    "a", "est", "été", "ete", "meme", "etait", "etant", "etaient", "etes", "etais",
];

/// What French writes before an apostrophe in place of a dropped vowel (« l'école »,
/// « qu'il », « jusqu'à »): not words of their own. Lucene's French list.
const ELIDED: &[&str] = &[
    "l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu",
];

/// The apostrophes French text uses: the typewriter one, the typographic one (U+2019, what
/// word processors and phones produce) and the modifier letter (U+02BC).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Like tantivy's `SimpleTokenizer` (words are runs of letters and digits), but an elided
/// article or conjunction directly followed by an apostrophe and a letter is dropped, and
/// takes no position: « l'école publique » and « école publique » are the same phrase.
/// « aujourd'hui » is left as it is (two words, on both sides of a search).
#[derive(Clone, Default)]
pub struct FrenchTokenizer {
    token: Token,
}

/// The token stream of [`FrenchTokenizer`].
pub struct FrenchTokenStream<'a> {
    text: &'a str,
    /// Where to look for the next word, in bytes.
    at: usize,
    token: &'a mut Token,
}

impl Tokenizer for FrenchTokenizer {
    type TokenStream<'a> = FrenchTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FrenchTokenStream<'a> {
        self.token.reset();
        FrenchTokenStream {
            text,
            at: 0,
            token: &mut self.token,
        }
    }
}

impl FrenchTokenStream<'_> {
    /// The next word after `self.at`, as a byte range, moving past it.
    fn next_word(&mut self) -> Option<(usize, usize)> {
        let rest = &self.text[self.at..];
        let (start, _) = rest.char_indices().find(|(_, c)| c.is_alphanumeric())?;
        let start = self.at + start;
        let end = self.text[start..]
            .char_indices()
            .find(|(_, c)| !c.is_alphanumeric())
            .map_or(self.text.len(), |(i, _)| start + i);
        self.at = end;
        Some((start, end))
    }

    fn is_elision(&self, start: usize, end: usize) -> bool {
        let mut after = self.text[end..].chars();
        let elided = after.next().is_some_and(is_apostrophe)
            && after.next().is_some_and(char::is_alphanumeric);
        elided && {
            let word = &self.text[start..end];
            ELIDED.iter().any(|e| e.eq_ignore_ascii_case(word))
        }
    }
}

impl TokenStream for FrenchTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((start, end)) = self.next_word() {
            if self.is_elision(start, end) {
                continue;
            }
            self.token.text.clear();
            self.token.text.push_str(&self.text[start..end]);
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = self.token.position.wrapping_add(1);
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// FrenchTokenizer (elisions dropped) → RemoveLongFilter → LowerCaser → StopWordFilter(French)
/// → AsciiFoldingFilter (accents, « œ » → « oe ») → Stemmer(French).
///
/// Folding happens before stemming so that "assemblee" and "Assemblée" meet; stop words are
/// removed before folding (the list is accented).
pub fn french() -> TextAnalyzer {
    TextAnalyzer::builder(FrenchTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stop_words(Language::French))
        .filter(StopWordFilter::remove(
            FRENCH_EXTRA_STOP_WORDS.iter().map(|w| (*w).to_owned()),
        ))
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::French))
        .build()
}

/// The French analyzer without its stemmer nor stop words: what a prefix (`financ*`) or a
/// word's typo is compared with before stemming.
pub(crate) fn french_unstemmed() -> TextAnalyzer {
    TextAnalyzer::builder(FrenchTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// SimpleTokenizer → RemoveLongFilter → LowerCaser → StopWordFilter(English) → Stemmer(English).
pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stop_words(Language::English))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The English analyzer without its stemmer nor stop words (for prefixes and typos).
pub(crate) fn english_unstemmed() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// Every analyzer a query needs, made once per index (they are cloned per query: cheap, the
/// stop-word lists are shared).
#[derive(Clone)]
pub(crate) struct Analyzers {
    pub fr: TextAnalyzer,
    pub fr_unstemmed: TextAnalyzer,
    pub en: TextAnalyzer,
    pub en_unstemmed: TextAnalyzer,
    pub plain: TextAnalyzer,
}

impl Analyzers {
    pub fn new() -> Analyzers {
        Analyzers {
            fr: french(),
            fr_unstemmed: french_unstemmed(),
            en: english(),
            en_unstemmed: english_unstemmed(),
            plain: plain(),
        }
    }
}

/// SimpleTokenizer → RemoveLongFilter → LowerCaser → AsciiFoldingFilter: names of people and
/// places, found by any of their words whatever their accents, never stemmed.
pub fn plain() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn stop_words(language: Language) -> StopWordFilter {
    // Both lists ship with tantivy's default `stopwords` feature; an empty filter keeps the
    // analyzer working should that ever change.
    StopWordFilter::new(language).unwrap_or_else(|| StopWordFilter::remove(Vec::<String>::new()))
}

/// Registers the analyzers. Tantivy does not persist tokenizers: this runs at every open.
pub(crate) fn register(manager: &TokenizerManager) {
    manager.register(FRENCH, french());
    manager.register(ENGLISH, english());
    manager.register(PLAIN, plain());
}

/// The tokens an analyzer produces for `text` (for tests and debugging).
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    analyze_at(analyzer, text)
        .into_iter()
        .map(|(_, text)| text)
        .collect()
}

/// The tokens an analyzer produces for `text`, with their positions.
pub(crate) fn analyze_at(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push((token.position, token.text.clone()));
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_folds_then_stems() {
        let mut fr = french();
        assert_eq!(
            analyze(&mut fr, "l'Assemblée"),
            analyze(&mut fr, "assemblee")
        );
        assert_eq!(analyze(&mut fr, "Réformes"), analyze(&mut fr, "réforme"));
        assert_eq!(analyze(&mut fr, "la santé"), analyze(&mut fr, "sante"));
        assert!(analyze(&mut fr, "le la les de des du à a est").is_empty());
    }

    #[test]
    fn elisions_are_dropped_with_either_apostrophe() {
        let mut fr = french();
        let ecole = analyze(&mut fr, "école");
        for text in [
            "l'école",
            "l’école",
            "L'ÉCOLE",
            "jusqu'à l'école",
            "jusqu’à l’école",
        ] {
            assert_eq!(analyze(&mut fr, text), ecole, "{text}");
        }
        assert_eq!(analyze(&mut fr, "d'emploi"), analyze(&mut fr, "emploi"));
        assert_eq!(analyze(&mut fr, "qu'il"), analyze(&mut fr, "il"));
        assert_eq!(analyze(&mut fr, "lorsqu'elle"), analyze(&mut fr, "elle"));
        // Not an elision: kept whole, on both sides.
        assert_eq!(analyze(&mut fr, "aujourd'hui"), ["aujourd", "hui"]);
        // An apostrophe at the end is not an elision.
        assert_eq!(analyze(&mut fr, "Jusqu'"), ["jusqu"]);
        // Positions: the elision takes none.
        let mut unstemmed = french_unstemmed();
        assert_eq!(
            analyze_at(&mut unstemmed, "l'école publique"),
            analyze_at(&mut unstemmed, "école publique")
        );
    }

    #[test]
    fn oe_ligature_meets_its_spelling() {
        let mut fr = french();
        assert_eq!(analyze(&mut fr, "cœur"), analyze(&mut fr, "coeur"));
        assert_eq!(analyze(&mut fr, "Œuvre"), analyze(&mut fr, "oeuvre"));
        assert_eq!(analyze(&mut fr, "l'œuvre"), analyze(&mut fr, "oeuvres"));
    }

    #[test]
    fn english_stems() {
        let mut en = english();
        assert_eq!(analyze(&mut en, "the Reforms"), analyze(&mut en, "reform"));
    }

    #[test]
    fn plain_folds_without_stemming() {
        let mut plain = plain();
        assert_eq!(analyze(&mut plain, "Hélène Dupré"), ["helene", "dupre"]);
        assert_eq!(analyze(&mut plain, "/rhone/lyon-3"), ["rhone", "lyon", "3"]);
    }
}
