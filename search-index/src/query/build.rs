//! From a query as read ([`super::syntax`]) to tantivy queries.
//!
//! A query is evaluated in each language and the two readings are joined: a French document
//! matches when every word matches its French fields (stop words in French left out), an
//! English document likewise with the English analysis. So « la réforme » finds French
//! documents about « réformes » and English ones with "reform" — and "the reform" English ones
//! without requiring "the". A French stop word is left out of both readings.
//!
//! Each plain word of 5 letters or more also matches with a typo (1 edit; 2 from 9 letters).
//! Exact (stemmed) matches always rank above typo-only ones: a word matched exactly adds
//! [`super::typos::EXACT_BONUS`], far above what BM25 gives, so documents are ranked first by
//! how many of their words matched exactly, then by BM25 ([`WordQuery`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Searcher};

use super::either::{AnyOfQuery, MAX_CLAUSES};
use super::guarded::Guarded;
use super::kept::KeptDocs;
use super::layers::Layer;
use super::prefix::PrefixQuery;
use super::syntax::{Atom, FieldName, Notice, Parsed, fold};
use super::typos::{FUZZY_SCORE, WordQuery};
use crate::analyzers::{Analyzers, analyze_at};
use crate::schema::{Fields, Language};

/// Boost of the title over the body.
pub(crate) const TITLE_BOOST: Score = 2.0;
/// Words this long (in letters) also match with one typo …
const FUZZY_1_CHARS: usize = 5;
/// … and this long with two.
const FUZZY_2_CHARS: usize = 9;
/// Most distinct values of a field looked at to read `field:value`, per segment.
const MAX_VALUES_SCANNED: usize = 10_000;

/// French names of kinds and statuses, for `type:amendement`, `statut:adopté`: (French word,
/// the code the application indexes). Compared once stemmed, so plurals and feminines meet.
const KIND_ALIASES: &[(&str, &str)] = &[
    ("groupe", "group"),
    ("texte", "text"),
    ("paragraphe", "paragraph"),
    ("alinéa", "paragraph"),
    ("amendement", "amendment"),
    ("débat", "debate"),
    ("commentaire", "comment"),
    ("page", "wiki"),
    ("thème", "theme"),
    ("scrutin", "ballot"),
    ("congrès", "convention"),
];
const STATUS_ALIASES: &[(&str, &str)] = &[
    ("brouillon", "draft"),
    ("rédaction", "drafting"),
    ("amendable", "amending"),
    ("amendement", "amending"),
    ("adopté", "adopted"),
    ("archivé", "archived"),
    ("déposé", "submitted"),
    ("soumis", "submitted"),
    ("recevable", "admissible"),
    ("irrecevable", "inadmissible"),
    ("vote", "voting"),
    ("rejeté", "rejected"),
    ("retiré", "withdrawn"),
];

/// The two languages a query is read in, as indexes into per-language arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    Fr = 0,
    En = 1,
}

impl Lang {
    pub const BOTH: [Lang; 2] = [Lang::Fr, Lang::En];

    pub fn of(language: Language) -> Lang {
        match language {
            Language::French => Lang::Fr,
            Language::English => Lang::En,
        }
    }

    /// The title and body fields of documents in this language.
    pub fn fields(self, f: &Fields) -> (Field, Field) {
        match self {
            Lang::Fr => (f.title, f.body),
            Lang::En => (f.title_en, f.body_en),
        }
    }

    /// The field of their words as written (for typos and prefixes).
    pub fn words(self, f: &Fields) -> Field {
        match self {
            Lang::Fr => f.words,
            Lang::En => f.words_en,
        }
    }
}

/// What snippets highlight, per language: the indexed (stemmed) terms matched exactly, the
/// words as written matched with typos (and how many), the prefixes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Highlight {
    pub exact: [BTreeSet<String>; 2],
    pub fuzzy: [Vec<(String, u8)>; 2],
    pub prefixes: [Vec<String>; 2],
}

/// A query's text, built.
pub(crate) struct Built {
    /// What ranks documents; `None` when the text only filters (or is empty): a listing.
    pub scored: Option<Box<dyn Query>>,
    /// Clauses every document must match, without scoring (field:value).
    pub filters: Vec<Box<dyn Query>>,
    /// Clauses no document may match.
    pub exclusions: Vec<Box<dyn Query>>,
    /// The text cannot match anything (only stop words, only exclusions).
    pub nothing: bool,
    pub highlight: Highlight,
    pub notices: Vec<Notice>,
}

impl Built {
    /// The text as one query: what it scores, within what it filters, less what it excludes.
    pub fn query(&self) -> Box<dyn Query> {
        if self.nothing {
            return Box::new(EmptyQuery);
        }
        let base = self
            .scored
            .as_ref()
            .map_or_else(|| Box::new(AllQuery) as Box<dyn Query>, |q| q.box_clone());
        let mut clauses = vec![(Occur::Must, base)];
        for filter in &self.filters {
            clauses.push((Occur::Must, unscored(filter.box_clone())));
        }
        for exclusion in &self.exclusions {
            clauses.push((Occur::MustNot, exclusion.box_clone()));
        }
        if clauses.len() == 1 {
            clauses.remove(0).1
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
    }
}

/// Builds the queries of one search.
pub(crate) struct Builder<'a> {
    fields: &'a Fields,
    analyzers: Analyzers,
    layers: &'a [Layer],
    kept: Arc<KeptDocs>,
    highlight: Highlight,
    notices: Vec<Notice>,
}

impl<'a> Builder<'a> {
    pub fn new(
        fields: &'a Fields,
        analyzers: &Analyzers,
        layers: &'a [Layer],
        kept: &Arc<KeptDocs>,
    ) -> Builder<'a> {
        Builder {
            fields,
            analyzers: analyzers.clone(),
            layers,
            kept: kept.clone(),
            highlight: Highlight::default(),
            notices: Vec::new(),
        }
    }

    pub fn build(mut self, parsed: &Parsed) -> Built {
        let mut branches: [Vec<Box<dyn Query>>; 2] = Default::default();
        let mut had_text = false;
        let mut filters = Vec::new();
        let mut exclusions = Vec::new();
        for clause in &parsed.clauses {
            if let Atom::Field {
                field, name, value, ..
            } = &clause.atom
                && *field != FieldName::Title
            {
                if let Some(query) = self.field_clause(*field, name, value) {
                    if clause.negated {
                        exclusions.push(query);
                    } else {
                        filters.push(query);
                    }
                }
                continue;
            }
            let mut per_language =
                Lang::BOTH.map(|l| self.text_clause(&clause.atom, l, clause.negated));
            if per_language[Lang::Fr as usize].is_none() {
                // A French stop word or elision (« la », « jusqu'à ») is no word to look for in
                // English documents either: most are not English words, and the English
                // reading would otherwise turn a query of stop words into a search.
                per_language[Lang::En as usize] = None;
            }
            if clause.negated {
                let any: Vec<Box<dyn Query>> = per_language.into_iter().flatten().collect();
                if !any.is_empty() {
                    exclusions.push(any_of(any));
                }
            } else {
                had_text = true;
                for (lang, query) in per_language.into_iter().enumerate() {
                    branches[lang].extend(query);
                }
            }
        }
        let branches: Vec<Box<dyn Query>> = branches
            .into_iter()
            .filter(|clauses| !clauses.is_empty())
            .map(all_of)
            .collect();
        let scored = (!branches.is_empty()).then(|| any_of(branches));
        // Words that are all stop words, or nothing but exclusions: nothing to look for (a
        // search box that found everything but … would surprise).
        let nothing = (had_text && scored.is_none())
            || (!had_text && filters.is_empty() && !exclusions.is_empty());
        if nothing {
            self.notices.push(Notice::NothingToSearch);
        }
        Built {
            scored,
            filters,
            exclusions,
            nothing,
            highlight: self.highlight,
            notices: self.notices,
        }
    }

    /// A word, phrase, prefix or title clause in one language; `None` when it has nothing to
    /// look for in that language (a stop word).
    fn text_clause(&mut self, atom: &Atom, lang: Lang, negated: bool) -> Option<Box<dyn Query>> {
        let (title, _) = lang.fields(self.fields);
        match atom {
            Atom::Word(word) => {
                let tokens = self.tokens(lang, word);
                let exact = self.exact(lang, &tokens, negated)?;
                let written = self.written(lang, word);
                let [written] = written.as_slice() else {
                    return Some(exact);
                };
                if negated || tokens.len() != 1 {
                    return Some(exact);
                }
                let distance = match written.chars().count() {
                    n if n >= FUZZY_2_CHARS => 2,
                    n if n >= FUZZY_1_CHARS => 1,
                    _ => return Some(exact),
                };
                self.highlight.fuzzy[lang as usize].push((written.clone(), distance));
                let analyzer = match lang {
                    Lang::Fr => self.analyzers.fr.clone(),
                    Lang::En => self.analyzers.en.clone(),
                };
                Some(Box::new(WordQuery {
                    exact,
                    words: lang.words(self.fields),
                    written: written.clone(),
                    distance,
                    stem: tokens[0].1.clone(),
                    analyzer,
                    kept: self.kept.clone(),
                }))
            }
            Atom::Phrase(phrase) => {
                let tokens = self.tokens(lang, phrase);
                self.exact(lang, &tokens, negated)
            }
            Atom::Prefix(prefix) => self.prefix(lang, prefix, negated),
            Atom::Field { value, quoted, .. } => {
                // title: (the others are handled by `field_clause`).
                let tokens = self.tokens(lang, value);
                if tokens.is_empty() {
                    return None;
                }
                if !negated {
                    self.highlight.exact[lang as usize]
                        .extend(tokens.iter().map(|(_, t)| t.clone()));
                }
                if *quoted && tokens.len() > 1 {
                    return Some(phrase_query(title, &tokens));
                }
                Some(all_of(
                    tokens.iter().map(|(_, t)| term_query(title, t)).collect(),
                ))
            }
        }
    }

    /// The tokens (with positions) of `text`, analysed as documents of `lang` are.
    fn tokens(&mut self, lang: Lang, text: &str) -> Vec<(usize, String)> {
        let analyzer = match lang {
            Lang::Fr => &mut self.analyzers.fr,
            Lang::En => &mut self.analyzers.en,
        };
        analyze_at(analyzer, text)
    }

    /// The words of `text` as written (folded in French), as the words field holds them.
    fn written(&mut self, lang: Lang, text: &str) -> Vec<String> {
        let analyzer: &mut TextAnalyzer = match lang {
            Lang::Fr => &mut self.analyzers.fr_words,
            Lang::En => &mut self.analyzers.en_words,
        };
        analyze_at(analyzer, text)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    /// `tokens` in the title or the body: a term, or a phrase when there are several.
    fn exact(
        &mut self,
        lang: Lang,
        tokens: &[(usize, String)],
        negated: bool,
    ) -> Option<Box<dyn Query>> {
        let (title, body) = lang.fields(self.fields);
        let query = |field| match tokens {
            [] => None,
            [(_, term)] => Some(term_query(field, term)),
            _ => Some(phrase_query(field, tokens)),
        };
        let in_title = query(title)?;
        let in_body = query(body)?;
        if !negated {
            self.highlight.exact[lang as usize].extend(tokens.iter().map(|(_, t)| t.clone()));
        }
        Some(any_of(vec![
            Box::new(BoostQuery::new(in_title, TITLE_BOOST)),
            in_body,
        ]))
    }

    /// `abc*`: every word beginning so, as written (« financem* » finds « financement »).
    /// Words before the last (« porte-mon* ») are required as words.
    fn prefix(&mut self, lang: Lang, prefix: &str, negated: bool) -> Option<Box<dyn Query>> {
        let words: Vec<&str> = prefix
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let (last, before) = words.split_last()?;
        let mut clauses = Vec::new();
        for word in before {
            let tokens = self.tokens(lang, word);
            clauses.extend(self.exact(lang, &tokens, negated));
        }
        // Folded as the words fields are, but kept if a stop word as a whole (« les* »).
        let start = analyze_at(&mut self.analyzers.plain, last)
            .into_iter()
            .next()
            .map(|(_, t)| t)?;
        if !negated {
            self.highlight.prefixes[lang as usize].push(start.clone());
        }
        clauses.push(Box::new(PrefixQuery {
            field: lang.words(self.fields),
            start,
            score: FUZZY_SCORE,
            kept: self.kept.clone(),
        }));
        Some(all_of(clauses))
    }

    /// `kind:`, `status:`, `theme:`, `convention:`, `language:`, `author:`, `place:`.
    fn field_clause(
        &mut self,
        field: FieldName,
        name: &str,
        value: &str,
    ) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let words = |this: &mut Self, target: Field| {
            let tokens = analyze_at(&mut this.analyzers.plain, value);
            if tokens.is_empty() {
                this.notices.push(Notice::EmptyValue {
                    field: name.to_owned(),
                });
                return None;
            }
            Some(all_of(
                tokens.iter().map(|(_, t)| term_query(target, t)).collect(),
            ))
        };
        let unknown = |this: &mut Self| {
            this.notices.push(Notice::UnknownValue {
                field: name.to_owned(),
                value: value.to_owned(),
            });
            Some(Box::new(EmptyQuery) as Box<dyn Query>)
        };
        let (target, aliases) = match field {
            FieldName::Author => return words(self, f.author_text),
            FieldName::Place => return words(self, f.place_text),
            FieldName::Language => {
                return match Language::parse(value) {
                    Some(language) => Some(keyword_query(f.language, language.code())),
                    None => unknown(self),
                };
            }
            FieldName::Title => return None,
            FieldName::Kind => (f.kind, KIND_ALIASES),
            FieldName::Status => (f.status, STATUS_ALIASES),
            FieldName::Theme => (f.theme, &[][..]),
            FieldName::Convention => (f.convention, &[][..]),
        };
        let values = self.matching_values(target, value, aliases);
        if values.is_empty() {
            return unknown(self);
        }
        Some(any_of(
            values.iter().map(|v| keyword_query(target, v)).collect(),
        ))
    }

    /// The values of a keyword field that `typed` names: the same once folded, or once
    /// stemmed (« amendements », « Santé » / « sante »), or through a French alias.
    fn matching_values(
        &mut self,
        field: Field,
        typed: &str,
        aliases: &[(&str, &str)],
    ) -> Vec<String> {
        let key = |this: &mut Self, text: &str| {
            let words: Vec<String> = fold(text)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect();
            let stemmed: Vec<String> = analyze_at(&mut this.analyzers.fr, text)
                .into_iter()
                .map(|(_, t)| t)
                .collect();
            (words.join(" "), stemmed.join(" "))
        };
        let wanted = key(self, typed);
        let mut aliased = BTreeSet::new();
        for (french, code) in aliases {
            let alias = key(self, french);
            if alias.1 == wanted.1 || alias.0 == wanted.0 {
                aliased.insert(*code);
            }
        }
        let mut found = BTreeSet::new();
        for value in self.values(field) {
            let have = key(self, &value);
            let same = (!wanted.0.is_empty() && have.0 == wanted.0)
                || (!wanted.1.is_empty() && have.1 == wanted.1);
            if same || aliased.contains(value.as_str()) {
                found.insert(value);
            }
        }
        found.into_iter().collect()
    }

    /// The distinct values of a keyword field in the index.
    fn values(&self, field: Field) -> BTreeSet<String> {
        let mut values = BTreeSet::new();
        for layer in self.layers {
            values.extend(field_values(&layer.searcher, field));
        }
        values
    }
}

/// The distinct values of a keyword field in a searcher's segments (at most
/// [`MAX_VALUES_SCANNED`] per segment; errors read as no value).
fn field_values(searcher: &Searcher, field: Field) -> BTreeSet<String> {
    let mut values = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().stream() else {
            continue;
        };
        let mut seen = 0;
        while stream.advance() && seen < MAX_VALUES_SCANNED {
            seen += 1;
            if let Ok(value) = std::str::from_utf8(stream.key()) {
                values.insert(value.to_owned());
            }
        }
    }
    values
}

/// A term of an analysed field (its frequency counts in the score).
pub(crate) fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// A value of a keyword field (indexed without frequencies).
pub(crate) fn keyword_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// A phrase of at least two tokens, their positions kept (stop words leave gaps).
fn phrase_query(field: Field, tokens: &[(usize, String)]) -> Box<dyn Query> {
    let first = tokens.iter().map(|(p, _)| *p).min().unwrap_or(0);
    Box::new(Guarded(Box::new(PhraseQuery::new_with_offset(
        tokens
            .iter()
            .map(|(p, t)| (p - first, Term::from_field_text(field, t)))
            .collect(),
    ))))
}

/// Matches, adds nothing to the score.
pub(crate) fn unscored(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

/// Any of `queries` (one: itself).
pub(crate) fn any_of(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        return queries.remove(0);
    }
    if (2..=MAX_CLAUSES).contains(&queries.len()) {
        return Box::new(AnyOfQuery { queries });
    }
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// All of `queries` (one: itself).
pub(crate) fn all_of(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        return queries.remove(0);
    }
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}
