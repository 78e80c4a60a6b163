//! The French, English and plain analyzers, and the French tokenizer that drops elisions.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

/// Name under which the French analyzer is registered.
pub const FRENCH: &str = "fr";
/// Name under which the English analyzer is registered.
pub const ENGLISH: &str = "en";
/// Name under which the French words analyzer (folded, not stemmed) is registered.
pub const FRENCH_WORDS: &str = "fr_words";
/// Name under which the English words analyzer (not stemmed) is registered.
pub const ENGLISH_WORDS: &str = "en_words";
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
/// → AsciiFoldingFilter (accents, « œ » → « oe ») → feminine endings → Stemmer(French) →
/// plural endings.
///
/// Folding happens before stemming so that "assemblee" and "Assemblée" meet; stop words are
/// removed before folding (the list is accented). Snowball's French stemmer expects accents:
/// once folded, it leaves « adoptees » as "adopte" where « adopté » gives "adopt", and it
/// never removes the "s" of « emplois », « lois », « élus », « délais ». Two small rewrites
/// around it put that right (`unfold_feminine`, `drop_plural_s`).
pub fn french() -> TextAnalyzer {
    TextAnalyzer::builder(FrenchTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stop_words(Language::French))
        .filter(StopWordFilter::remove(
            FRENCH_EXTRA_STOP_WORDS.iter().map(|w| (*w).to_owned()),
        ))
        .filter(AsciiFoldingFilter)
        .filter(Rewrite(unfold_feminine))
        .filter(Stemmer::new(Language::French))
        .filter(Rewrite(drop_plural_s))
        .build()
}

/// Before stemming a folded word: « -ées », « -ée » (folded "-ees", "-ee") end as « -é » does
/// (folded "-e"), so that the stemmer treats « adoptées », « assemblée » as it treats
/// « adopté », « assemblé ».
pub(crate) fn unfold_feminine(word: &mut String) {
    if word.ends_with("ees") {
        word.truncate(word.len() - 2);
    } else if word.ends_with("ee") {
        word.truncate(word.len() - 1);
    }
}

/// After stemming: a stem ending in a vowel and "s" loses the "s" (the stemmer keeps it after
/// a, i, o, u), so that « emplois » meets « emploi », « lois » « loi », « élus » « élu ».
/// Applied to every stem, it only ever joins stems: « français » and « française » (both
/// "francais") still meet, as "francai".
pub(crate) fn drop_plural_s(word: &mut String) {
    let bytes = word.as_bytes();
    let n = bytes.len();
    if n >= 3 && bytes[n - 1] == b's' && matches!(bytes[n - 2], b'a' | b'i' | b'o' | b'u') {
        word.pop();
    }
}

/// A token filter that rewrites each token's text in place.
#[derive(Clone, Copy)]
struct Rewrite(fn(&mut String));

#[derive(Clone)]
struct RewriteTokenizer<T> {
    rewrite: fn(&mut String),
    inner: T,
}

struct RewriteStream<S> {
    rewrite: fn(&mut String),
    tail: S,
}

impl TokenFilter for Rewrite {
    type Tokenizer<T: Tokenizer> = RewriteTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> RewriteTokenizer<T> {
        RewriteTokenizer {
            rewrite: self.0,
            inner: tokenizer,
        }
    }
}

impl<T: Tokenizer> Tokenizer for RewriteTokenizer<T> {
    type TokenStream<'a> = RewriteStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RewriteStream {
            rewrite: self.rewrite,
            tail: self.inner.token_stream(text),
        }
    }
}

impl<S: TokenStream> TokenStream for RewriteStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        (self.rewrite)(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The words of French documents as written (folded, not stemmed): what typos and prefixes
/// are matched against. A typo often breaks the ending the stemmer would have removed
/// (« financemnet » stems to itself), a prefix often runs past the stem (« financem* »).
/// FrenchTokenizer → RemoveLongFilter → LowerCaser → StopWordFilter(French) →
/// AsciiFoldingFilter.
pub fn french_words() -> TextAnalyzer {
    TextAnalyzer::builder(FrenchTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stop_words(Language::French))
        .filter(StopWordFilter::remove(
            FRENCH_EXTRA_STOP_WORDS.iter().map(|w| (*w).to_owned()),
        ))
        .filter(AsciiFoldingFilter)
        .build()
}

/// SimpleTokenizer → RemoveLongFilter → LowerCaser → StopWordFilter(English) →
/// AsciiFoldingFilter → Stemmer(English). Folded like French, so that a word typed without
/// its accents reads the same in both languages (« energie », « énergie » and "energy").
pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stop_words(Language::English))
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The words of English documents as written (not stemmed), for typos and prefixes.
/// SimpleTokenizer → RemoveLongFilter → LowerCaser → StopWordFilter(English) →
/// AsciiFoldingFilter.
pub fn english_words() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stop_words(Language::English))
        .filter(AsciiFoldingFilter)
        .build()
}

/// Every analyzer a query needs, made once per index (they are cloned per query: cheap, the
/// stop-word lists are shared).
#[derive(Clone)]
pub(crate) struct Analyzers {
    pub fr: TextAnalyzer,
    pub fr_words: TextAnalyzer,
    pub en: TextAnalyzer,
    pub en_words: TextAnalyzer,
    pub plain: TextAnalyzer,
}

impl Analyzers {
    pub fn new() -> Analyzers {
        Analyzers {
            fr: french(),
            fr_words: french_words(),
            en: english(),
            en_words: english_words(),
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
    manager.register(FRENCH_WORDS, french_words());
    manager.register(ENGLISH_WORDS, english_words());
    manager.register(PLAIN, plain());
}

/// The tokens an analyzer produces for `text` (for tests and debugging).
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    analyze_at(analyzer, text)
        .into_iter()
        .map(|(_, text)| text)
        .collect()
}

/// The tokens an analyzer produces for `text`, with where they start (in bytes).
pub(crate) fn analyze_offsets(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push((token.offset_from, token.text.clone()));
    }
    tokens
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
        let mut words = french_words();
        assert_eq!(
            analyze_at(&mut words, "l'école publique"),
            analyze_at(&mut words, "école publique")
        );
        assert_eq!(
            analyze(&mut words, "L'Économie du Financement"),
            ["economie", "financement"]
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
    fn feminines_and_plurals_meet_their_stem() {
        let mut fr = french();
        let same = |fr: &mut TextAnalyzer, words: &[&str]| {
            let first = analyze(fr, words[0]);
            for word in &words[1..] {
                assert_eq!(analyze(fr, word), first, "{} / {word}", words[0]);
            }
        };
        same(
            &mut fr,
            &[
                "adopté",
                "adoptée",
                "adoptées",
                "adoptees",
                "adoptés",
                "adopter",
            ],
        );
        same(&mut fr, &["assemblée", "assemblee", "Assemblées"]);
        same(&mut fr, &["emploi", "emplois"]);
        same(&mut fr, &["loi", "lois"]);
        same(&mut fr, &["élu", "élus", "elus"]);
        same(&mut fr, &["délai", "délais"]);
        same(&mut fr, &["français", "française", "françaises"]);
        same(&mut fr, &["retraite", "retraites"]);
        same(
            &mut fr,
            &["financer", "financement", "financé", "financera"],
        );
        same(&mut fr, &["député", "députés", "députée", "deputees"]);
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
