//! The French and English analyzers.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenizerManager,
};

/// Name under which the French analyzer is registered.
pub const FRENCH: &str = "fr";
/// Name under which the English analyzer is registered.
pub const ENGLISH: &str = "en";

/// Tokens this long (in bytes) or longer are dropped: they are URLs, hashes or noise.
const MAX_TOKEN_BYTES: usize = 40;

/// Words the Snowball French list (tantivy's `Language::French`) misses but that are as
/// frequent as the ones it has: "a" and "est" (avoir, être), and the unaccented spellings of a
/// few listed words, as typed by members who do not bother with accents. The stop-word filter
/// runs before ASCII folding, so the folded spellings have to be listed explicitly.
const FRENCH_EXTRA_STOP_WORDS: &[&str] = &[
    "a", "est", "été", "ete", "meme", "etait", "etant", "etaient", "etes", "etais",
];

/// SimpleTokenizer → RemoveLongFilter → LowerCaser → StopWordFilter(French) →
/// AsciiFoldingFilter → Stemmer(French).
///
/// Folding happens before stemming so that "assemblee" and "Assemblée" meet; stop words are
/// removed before folding (the list is accented).
pub fn french() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
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

/// SimpleTokenizer → RemoveLongFilter → LowerCaser → StopWordFilter(English) → Stemmer(English).
pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stop_words(Language::English))
        .filter(Stemmer::new(Language::English))
        .build()
}

fn stop_words(language: Language) -> StopWordFilter {
    // Both lists ship with tantivy's default `stopwords` feature; an empty filter keeps the
    // analyzer working should that ever change.
    StopWordFilter::new(language).unwrap_or_else(|| StopWordFilter::remove(Vec::<String>::new()))
}

/// Registers both analyzers. Tantivy does not persist tokenizers: this runs at every open.
pub(crate) fn register(manager: &TokenizerManager) {
    manager.register(FRENCH, french());
    manager.register(ENGLISH, english());
}

/// The tokens an analyzer produces for `text` (for tests and debugging).
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push(token.text.clone());
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
    fn english_stems() {
        let mut en = english();
        assert_eq!(analyze(&mut en, "the Reforms"), analyze(&mut en, "reform"));
    }
}
