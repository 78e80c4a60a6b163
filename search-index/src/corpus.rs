//! The benchmark's corpus and query mix, public so that the SQLite FTS5 and PostgreSQL peers
//! run the very same ones (or read them from the files `benches/search.rs` dumps with
//! `--dump-corpus` / `--dump-queries`).
//!
//! The corpus is `../shared/data/alineas-fr.jsonl` (26,330 real paragraphs of French bills)
//! replicated with variations to any size: the first round is the paragraphs as they are,
//! each further round swaps two words and changes the numbers; every paragraph gets a group,
//! a theme, a place, a status, a date and readers drawn from a seeded generator. The queries
//! are drawn from the same paragraphs' words: plain words, phrases, words with facet filters,
//! words with a typo, prefixes — each with a searcher's few grants. Same seed, same output.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, BufRead};
use std::path::Path;

use crate::query::{SearchQuery, Sort};
use crate::writer::IndexDoc;

/// A paragraph of `alineas-fr.jsonl`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Alinea {
    pub dossier: String,
    pub step: String,
    pub article: String,
    pub alinea: String,
    pub text: String,
}

/// Reads `alineas-fr.jsonl` (lines that are not flat JSON objects with a `text` are skipped).
pub fn read_alineas(path: &Path) -> io::Result<Vec<Alinea>> {
    let file = io::BufReader::new(std::fs::File::open(path)?);
    let mut alineas = Vec::new();
    for line in file.lines() {
        let Some(mut object) = parse_flat_object(&line?) else {
            continue;
        };
        let mut take = |key: &str| object.remove(key).unwrap_or_default();
        let alinea = Alinea {
            dossier: take("dossier"),
            step: take("step"),
            article: take("article"),
            alinea: take("alinea"),
            text: take("text"),
        };
        if !alinea.text.trim().is_empty() {
            alineas.push(alinea);
        }
    }
    Ok(alineas)
}

/// A flat JSON object whose values are strings (other scalars are kept as their text); `None`
/// for anything else. Enough for the data files, without a JSON dependency.
pub fn parse_flat_object(line: &str) -> Option<BTreeMap<String, String>> {
    let mut chars = line.trim().chars().peekable();
    let mut object = BTreeMap::new();
    let skip_spaces = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
    };
    if chars.next()? != '{' {
        return None;
    }
    loop {
        skip_spaces(&mut chars);
        match chars.next()? {
            '}' => return Some(object),
            ',' => continue,
            '"' => {}
            _ => return None,
        }
        let key = json_string_body(&mut chars)?;
        skip_spaces(&mut chars);
        if chars.next()? != ':' {
            return None;
        }
        skip_spaces(&mut chars);
        let value = if chars.peek() == Some(&'"') {
            chars.next();
            json_string_body(&mut chars)?
        } else {
            let mut scalar = String::new();
            while let Some(&c) = chars.peek() {
                if c == ',' || c == '}' || c.is_whitespace() {
                    break;
                }
                if c == '[' || c == '{' {
                    return None;
                }
                scalar.push(c);
                chars.next();
            }
            scalar
        };
        object.insert(key, value);
    }
}

/// The rest of a JSON string after its opening quote.
fn json_string_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let mut out = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let mut code = hex4(chars)?;
                    if (0xD800..0xDC00).contains(&code) {
                        // A surrogate pair.
                        if chars.next()? != '\\' || chars.next()? != 'u' {
                            return None;
                        }
                        let low = hex4(chars)?;
                        code = 0x10000 + ((code - 0xD800) << 10) + (low.checked_sub(0xDC00)?);
                    }
                    out.push(char::from_u32(code)?);
                }
                c => out.push(c),
            },
            c => out.push(c),
        }
    }
}

fn hex4(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<u32> {
    let mut code = 0;
    for _ in 0..4 {
        code = code * 16 + chars.next()?.to_digit(16)?;
    }
    Some(code)
}

/// `text` as a JSON string, quotes included.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_strings(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| json_string(v)).collect();
    format!("[{}]", items.join(","))
}

fn json_option(value: &Option<String>) -> String {
    value.as_deref().map_or("null".to_owned(), json_string)
}

/// A deterministic generator (SplitMix64): the same seed gives the same corpus and queries on
/// every machine.
#[derive(Clone, Debug)]
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: u64) -> Seeded {
        Seeded(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// The themes of the corpus (those of the demo programme).
pub const THEMES: &[&str] = &[
    "Santé",
    "Éducation",
    "Énergie",
    "Écologie",
    "Économie",
    "Finance",
    "Politique",
    "Technologie",
    "Transport",
    "Culture",
    "Sécurité",
    "Recherche",
    "Alimentation",
    "Armée",
    "Vie publique",
    "Agriculture",
];
/// Federations of the corpus; each has [`SECTIONS_PER_FEDERATION`] sections.
pub const FEDERATIONS: usize = 20;
pub const SECTIONS_PER_FEDERATION: usize = 10;
/// Groups of the corpus (a section, a theme or a working group each).
pub const GROUPS: usize = 400;
/// Members who wrote the corpus.
pub const MEMBERS: usize = 5_000;
const STATUSES: &[&str] = &["drafting", "amending", "adopted", "archived"];
/// The corpus's dates: ten years from 2016-01-01.
const FIRST_DATE: i64 = 1_451_606_400;
const DATE_SPAN: i64 = 10 * 365 * 86_400;

/// One paragraph of the benchmark corpus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paragraph {
    pub key: String,
    /// "text:N": ten paragraphs a text.
    pub source: String,
    pub kind: String,
    /// The text's title, shown with the paragraph (not searched).
    pub label: String,
    pub body: String,
    pub group_id: String,
    pub theme: String,
    pub place: String,
    pub status: String,
    pub author: String,
    pub date: i64,
    pub readers: Vec<String>,
}

impl Paragraph {
    pub fn to_index_doc(&self) -> IndexDoc {
        IndexDoc {
            key: self.key.clone(),
            source: self.source.clone(),
            label: Some(self.label.clone()),
            kind: self.kind.clone(),
            body: self.body.clone(),
            place: Some(self.place.clone()),
            group_id: Some(self.group_id.clone()),
            theme: Some(self.theme.clone()),
            status: Some(self.status.clone()),
            author: Some(self.author.clone()),
            date: Some(self.date),
            url: format!("/{}", self.key.replace(':', "/")),
            readers: self.readers.clone(),
            ..IndexDoc::default()
        }
    }

    /// One JSON line (`--dump-corpus`).
    pub fn to_json(&self) -> String {
        format!(
            "{{\"key\":{},\"source\":{},\"kind\":{},\"label\":{},\"body\":{},\"group_id\":{},\
             \"theme\":{},\"place\":{},\"status\":{},\"author\":{},\"date\":{},\"readers\":{}}}",
            json_string(&self.key),
            json_string(&self.source),
            json_string(&self.kind),
            json_string(&self.label),
            json_string(&self.body),
            json_string(&self.group_id),
            json_string(&self.theme),
            json_string(&self.place),
            json_string(&self.status),
            json_string(&self.author),
            self.date,
            json_strings(&self.readers),
        )
    }
}

/// The group of a place: groups 1..=200 are the sections, in order.
fn section_group(federation: usize, section: usize) -> usize {
    1 + federation * SECTIONS_PER_FEDERATION + section
}

/// The `n`-th paragraph of the corpus made from `alineas` (deterministic in `n` alone, so
/// that any slice of the corpus can be made on its own).
pub fn paragraph(alineas: &[Alinea], n: usize) -> Paragraph {
    let base = &alineas[n % alineas.len()];
    let round = n / alineas.len();
    let mut rng = Seeded::new(0x5EA2_C400 ^ (n as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let body = if round == 0 {
        base.text.clone()
    } else {
        vary(&base.text, &mut rng)
    };
    let text = n / 10;
    let federation = rng.below(FEDERATIONS);
    let section = rng.below(SECTIONS_PER_FEDERATION);
    let group = if rng.percent(70) {
        section_group(federation, section)
    } else {
        // A theme's or a working group's.
        1 + FEDERATIONS * SECTIONS_PER_FEDERATION
            + rng.below(GROUPS - FEDERATIONS * SECTIONS_PER_FEDERATION)
    };
    let author = 1 + rng.below(MEMBERS);
    let readers = match rng.below(100) {
        0..80 => vec!["public".to_owned()],
        80..95 => vec![format!("group:{group}")],
        _ => vec![format!("member:{author}"), format!("group:{group}")],
    };
    let kind = match rng.below(100) {
        0..85 => "paragraph",
        85..95 => "amendment",
        _ => "debate",
    };
    Paragraph {
        key: format!("{kind}:{n}"),
        source: format!("text:{text}"),
        kind: kind.to_owned(),
        label: format!("Projet {} — article {}", base.dossier, base.article),
        body,
        group_id: group.to_string(),
        theme: THEMES[rng.below(THEMES.len())].to_owned(),
        place: format!("/federation-{federation}/section-{section}"),
        status: STATUSES[rng.below(STATUSES.len())].to_owned(),
        author: format!("Membre {author}"),
        date: FIRST_DATE + (rng.next_u64() % DATE_SPAN as u64) as i64,
        readers,
    }
}

/// `text` with two of its words swapped and its numbers changed.
fn vary(text: &str, rng: &mut Seeded) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_owned).collect();
    if words.len() > 2 {
        let a = rng.below(words.len());
        let b = rng.below(words.len());
        words.swap(a, b);
    }
    for word in &mut words {
        if word.chars().any(|c| c.is_ascii_digit()) {
            *word = word
                .chars()
                .map(|c| {
                    if c.is_ascii_digit() {
                        char::from(b'0' + rng.below(10) as u8)
                    } else {
                        c
                    }
                })
                .collect();
        }
    }
    words.join(" ")
}

/// One query of the benchmark's mix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchQuery {
    /// "words", "phrase", "facets", "fuzzy" or "prefix".
    pub class: &'static str,
    /// The text as typed in the search box (our syntax).
    pub text: String,
    /// The plain words of the text (for the peers): all required.
    pub words: Vec<String>,
    /// The phrase, for "phrase" queries.
    pub phrase: Option<String>,
    /// For "fuzzy" queries, the word as it should have been spelled.
    pub intended: Option<String>,
    /// For "prefix" queries, the prefix (without `*`).
    pub prefix: Option<String>,
    pub theme: Option<String>,
    pub place_prefix: Option<String>,
    pub status: Option<String>,
    /// The searcher's grants.
    pub readers: Vec<String>,
}

impl BenchQuery {
    /// The search a page of 20 would run.
    pub fn to_search_query(&self) -> SearchQuery {
        SearchQuery {
            text: self.text.clone(),
            readers: self.readers.clone(),
            theme: self.theme.clone(),
            place_prefix: self.place_prefix.clone(),
            status: self.status.clone(),
            sort: Sort::Relevance,
            limit: 20,
            ..SearchQuery::default()
        }
    }

    /// One JSON line (`--dump-queries`).
    pub fn to_json(&self) -> String {
        format!(
            "{{\"class\":{},\"text\":{},\"words\":{},\"phrase\":{},\"intended\":{},\"prefix\":{},\
             \"theme\":{},\"place_prefix\":{},\"status\":{},\"readers\":{}}}",
            json_string(self.class),
            json_string(&self.text),
            json_strings(&self.words),
            json_option(&self.phrase),
            json_option(&self.intended),
            json_option(&self.prefix),
            json_option(&self.theme),
            json_option(&self.place_prefix),
            json_option(&self.status),
            json_strings(&self.readers),
        )
    }
}

/// Words worth searching: letters only, 5 characters at least, not among the most common.
fn content_words(text: &str) -> Vec<String> {
    const COMMON: &[&str] = &[
        "article",
        "alinéa",
        "alinéas",
        "mentionnés",
        "mentionnées",
        "mentionné",
        "mentionnée",
        "dispositions",
        "premier",
        "présent",
        "code",
        "remplacés",
        "après",
        "avant",
        "ainsi",
        "rédigé",
        "rédigée",
        "inséré",
        "insérés",
        "supprimé",
        "supprimés",
        "lesquelles",
        "lequel",
        "laquelle",
        "conditions",
        "prévues",
        "prévus",
        "prévue",
        "prévu",
        "sont",
    ];
    let mut seen = std::collections::BTreeSet::new();
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 5 && !COMMON.contains(&w.to_lowercase().as_str()))
        .map(str::to_lowercase)
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// `count` queries drawn from `alineas` with `seed`: 40 % words, 15 % phrases, 20 % words with
/// facet filters, 15 % words with a typo, 10 % prefixes; each with a searcher's grants
/// ("public", two or three groups, themselves).
pub fn query_mix(alineas: &[Alinea], seed: u64, count: usize) -> Vec<BenchQuery> {
    let mut rng = Seeded::new(seed);
    let mut queries = Vec::with_capacity(count);
    // Paragraphs too short to draw from are skipped; a corpus of nothing but those gives up.
    let mut attempts = 0;
    while queries.len() < count && attempts < count.saturating_mul(100) {
        attempts += 1;
        let alinea = &alineas[rng.below(alineas.len())];
        let words = content_words(&alinea.text);
        if words.len() < 3 {
            continue;
        }
        let mut readers = vec!["public".to_owned()];
        for _ in 0..2 + rng.below(2) {
            readers.push(format!("group:{}", 1 + rng.below(GROUPS)));
        }
        readers.push(format!("member:{}", 1 + rng.below(MEMBERS)));
        // Distinct words, `n` of them (fewer when the paragraph has fewer).
        let pick = |rng: &mut Seeded, n: usize| {
            let mut left = words.clone();
            let mut chosen: Vec<String> = Vec::new();
            while chosen.len() < n && !left.is_empty() {
                chosen.push(left.swap_remove(rng.below(left.len())));
            }
            chosen
        };
        let roll = rng.below(100);
        let mut query = BenchQuery {
            class: "words",
            text: String::new(),
            words: Vec::new(),
            phrase: None,
            intended: None,
            prefix: None,
            theme: None,
            place_prefix: None,
            status: None,
            readers,
        };
        match roll {
            0..40 => {
                let n = 1 + rng.below(3);
                query.words = pick(&mut rng, n);
                query.text = query.words.join(" ");
            }
            40..55 => {
                // Two or three words in a row, as written.
                let all: Vec<&str> = alinea
                    .text
                    .split_whitespace()
                    .filter(|w| w.chars().all(char::is_alphabetic))
                    .collect();
                if all.len() < 4 {
                    continue;
                }
                let length = 2 + rng.below(2);
                let start = rng.below(all.len() - length);
                let phrase = all[start..start + length].join(" ").to_lowercase();
                query.class = "phrase";
                query.text = format!("\"{phrase}\"");
                query.phrase = Some(phrase);
            }
            55..75 => {
                query.class = "facets";
                let n = 1 + rng.below(2);
                query.words = pick(&mut rng, n);
                query.text = query.words.join(" ");
                match rng.below(3) {
                    0 => query.theme = Some(THEMES[rng.below(THEMES.len())].to_owned()),
                    1 => {
                        query.place_prefix = Some(format!("/federation-{}", rng.below(FEDERATIONS)))
                    }
                    _ => query.status = Some(STATUSES[rng.below(STATUSES.len())].to_owned()),
                }
            }
            75..90 => {
                let word = pick(&mut rng, 1).remove(0);
                let mut letters: Vec<char> = word.chars().collect();
                // Two neighbours swapped, away from the first letter.
                let at = 1 + rng.below(letters.len() - 2);
                letters.swap(at, at + 1);
                let typo: String = letters.into_iter().collect();
                query.class = "fuzzy";
                query.text = typo.clone();
                query.words = vec![typo];
                query.intended = Some(word);
            }
            _ => {
                let word = pick(&mut rng, 1).remove(0);
                let prefix: String = word.chars().take(4 + rng.below(2)).collect();
                query.class = "prefix";
                query.text = format!("{prefix}*");
                query.prefix = Some(prefix);
            }
        }
        queries.push(query);
    }
    queries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_objects_round_trip() {
        let text = "« Il dit : \"l'État\" » \\ \n\tfin ☃ 😀";
        let line = format!(
            "{{\"text\": {}, \"n\": 12, \"e\": \"\\u00e9\\ud83d\\ude00\"}}",
            json_string(text)
        );
        let object = parse_flat_object(&line).unwrap();
        assert_eq!(object["text"], text);
        assert_eq!(object["n"], "12");
        assert_eq!(object["e"], "é😀");
        assert!(parse_flat_object("{\"a\": [1]}").is_none());
        assert!(parse_flat_object("not json").is_none());
        assert!(parse_flat_object("{\"a\": \"unterminated").is_none());
    }

    #[test]
    fn the_corpus_and_queries_depend_on_the_seed_alone() {
        let alineas: Vec<Alinea> = (0..5)
            .map(|i| Alinea {
                text: format!(
                    "Le financement des retraites agricoles numéro {i} est assuré par l'État."
                ),
                ..Alinea::default()
            })
            .collect();
        assert_eq!(paragraph(&alineas, 7), paragraph(&alineas, 7));
        assert_eq!(paragraph(&alineas, 2).body, alineas[2].text);
        assert_ne!(paragraph(&alineas, 7).body, alineas[2].text, "a variation");
        let queries = query_mix(&alineas, 14, 50);
        assert_eq!(queries, query_mix(&alineas, 14, 50));
        assert_eq!(queries.len(), 50);
        assert!(
            queries
                .iter()
                .all(|q| !q.text.is_empty() && q.readers.len() >= 4)
        );
        // The same word again and again: drawn from, without looping for ever.
        let repetitive = [Alinea {
            text: "Santé santé santé, santé santé, retraites, financement.".into(),
            ..Alinea::default()
        }];
        assert_eq!(query_mix(&repetitive, 1, 20).len(), 20);
        let line = queries[0].to_json();
        assert!(line.starts_with("{\"class\":"), "{line}");
        assert!(paragraph(&alineas, 3).to_json().contains("\"readers\":["));
    }
}
