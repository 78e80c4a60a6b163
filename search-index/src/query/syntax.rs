//! The query language, read leniently: whatever a member types has a reading, never an error.
//!
//! ```text
//! retraites anticipées      words: all required; each also matches with a typo or two
//! "service public"          a phrase (also « service public », “service public”)
//! -nucléaire                excluded (also -"a phrase", -status:rejected; NOT/SAUF word)
//! financ*                   a prefix (3 letters at least)
//! kind:amendment            a friendly field (French names too: type, statut, auteur, thème,
//!                           lieu, convention, titre, langue); its value may be quoted
//! ```
//!
//! What cannot be read as written gets a best-effort reading and a [`Notice`]: an unbalanced
//! quote is closed at the end, an unknown field is read as plain words, a prefix too short
//! is read as a word, AND/ET are dropped (all words are required anyway), OR/OU are dropped.

/// Longest query text taken into account, in characters; the rest is ignored (and said).
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Most clauses (words, phrases, fields…) a query keeps; the rest are ignored (and said).
pub const MAX_CLAUSES: usize = 32;
/// Shortest prefix (`abc*`), in letters: shorter ones would match most of the index.
pub const MIN_PREFIX_CHARS: usize = 3;

/// Something about how a query was read, for the page to say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The query was longer than [`MAX_QUERY_CHARS`]: only the start was read.
    Truncated {
        /// How many characters were read.
        kept_chars: usize,
    },
    /// More than [`MAX_CLAUSES`] words, phrases or fields: the rest were ignored.
    TooManyClauses {
        /// How many were kept.
        kept: usize,
    },
    /// A quote was not closed: it was closed at the end of the query.
    UnbalancedQuote,
    /// `field:` named no field we know: read as plain words.
    UnknownField {
        /// The name as typed.
        field: String,
    },
    /// `field:value` where no document has that value (kind, status, theme, convention,
    /// language): nothing can match that clause.
    UnknownValue {
        /// The field, as typed.
        field: String,
        /// The value, as typed.
        value: String,
    },
    /// `field:` with nothing after it: ignored.
    EmptyValue {
        /// The field, as typed.
        field: String,
    },
    /// `ab*`: a prefix shorter than [`MIN_PREFIX_CHARS`] letters, read as a word.
    ShortPrefix {
        /// The prefix, as typed (without its `*`).
        prefix: String,
    },
    /// OR / OU: not supported (every word is required), ignored.
    OrIgnored,
    /// Only common words (« le », « de »…) or only exclusions: nothing to look for.
    NothingToSearch,
}

impl Notice {
    /// The notice as a French sentence (plain text: escape it).
    pub fn message_fr(&self) -> String {
        match self {
            Notice::Truncated { kept_chars } => {
                format!(
                    "La recherche est trop longue : seuls ses {kept_chars} premiers caractères ont été pris en compte."
                )
            }
            Notice::TooManyClauses { kept } => {
                format!(
                    "La recherche compte trop de termes : seuls les {kept} premiers ont été pris en compte."
                )
            }
            Notice::UnbalancedQuote => {
                "Un guillemet n'était pas fermé : il a été fermé à la fin de la recherche.".into()
            }
            Notice::UnknownField { field } => format!(
                "« {field}: » n'est pas un champ connu (type, statut, auteur, thème, lieu, \
                 convention, titre, langue) : lu comme des mots."
            ),
            Notice::UnknownValue { field, value } => {
                format!("Aucun document n'a « {value} » pour {field}.")
            }
            Notice::EmptyValue { field } => {
                format!("« {field}: » sans valeur a été ignoré.")
            }
            Notice::ShortPrefix { prefix } => format!(
                "« {prefix}* » est trop court pour chercher tous les mots qui commencent ainsi \
                 ({MIN_PREFIX_CHARS} lettres au moins) : lu comme un mot."
            ),
            Notice::OrIgnored => {
                "« OU » n'est pas pris en charge : tous les mots sont requis.".into()
            }
            Notice::NothingToSearch => {
                "La recherche ne contient que des mots trop courants ou des exclusions : rien à \
                 chercher."
                    .into()
            }
        }
    }

    /// The notice as an English sentence (plain text: escape it).
    pub fn message_en(&self) -> String {
        match self {
            Notice::Truncated { kept_chars } => {
                format!("The query is too long: only its first {kept_chars} characters were read.")
            }
            Notice::TooManyClauses { kept } => {
                format!("The query has too many terms: only the first {kept} were read.")
            }
            Notice::UnbalancedQuote => {
                "A quote was not closed: it was closed at the end of the query.".into()
            }
            Notice::UnknownField { field } => format!(
                "\"{field}:\" is not a known field (kind, status, author, theme, place, \
                 convention, title, language): read as words."
            ),
            Notice::UnknownValue { field, value } => {
                format!("No document has \"{value}\" as its {field}.")
            }
            Notice::EmptyValue { field } => format!("\"{field}:\" without a value was ignored."),
            Notice::ShortPrefix { prefix } => format!(
                "\"{prefix}*\" is too short to look for every word it begins \
                 ({MIN_PREFIX_CHARS} letters at least): read as a word."
            ),
            Notice::OrIgnored => "OR is not supported: every word is required.".into(),
            Notice::NothingToSearch => {
                "The query holds only very common words or exclusions: nothing to look for.".into()
            }
        }
    }
}

/// The friendly fields of `field:value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldName {
    Kind,
    Status,
    Author,
    Theme,
    Place,
    Convention,
    Title,
    Language,
}

impl FieldName {
    /// The field a name means, English or French, accents and case ignored.
    fn parse(name: &str) -> Option<FieldName> {
        let name = fold(name);
        Some(match name.as_str() {
            "kind" | "type" | "genre" | "sorte" => FieldName::Kind,
            "status" | "statut" | "etat" => FieldName::Status,
            "author" | "auteur" | "auteure" | "autrice" | "by" | "par" => FieldName::Author,
            "theme" | "themes" => FieldName::Theme,
            "place" | "lieu" | "section" | "federation" => FieldName::Place,
            "convention" | "congres" => FieldName::Convention,
            "title" | "titre" => FieldName::Title,
            "language" | "lang" | "langue" => FieldName::Language,
            _ => return None,
        })
    }
}

/// One clause of a query, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Atom {
    /// A plain word (may hold punctuation: « porte-monnaie », read as a phrase of its words).
    Word(String),
    /// A quoted phrase.
    Phrase(String),
    /// `word*`, without its star.
    Prefix(String),
    /// `field:value`; `name` as typed.
    Field {
        field: FieldName,
        name: String,
        value: String,
        quoted: bool,
    },
}

/// A clause, required or excluded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Clause {
    pub negated: bool,
    pub atom: Atom,
}

/// A query as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub clauses: Vec<Clause>,
    /// How the query was read, when it differs from what was typed.
    pub reading: Option<String>,
    pub notices: Vec<Notice>,
}

/// Opening quotes, with the closing quotes each accepts.
fn closing_quotes(open: char) -> Option<&'static [char]> {
    match open {
        '"' => Some(&['"']),
        '«' => Some(&['»', '"']),
        '“' => Some(&['”', '"', '“']),
        '„' => Some(&['“', '”', '"']),
        _ => None,
    }
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '«' | '»' | '“' | '”' | '„')
}

/// Lowercase, accents folded, for comparing names.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'î' | 'ï' | 'í' | 'ì' => out.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => out.push('o'),
            'û' | 'ü' | 'ù' | 'ú' => out.push('u'),
            'ç' => out.push('c'),
            'ÿ' => out.push('y'),
            'ñ' => out.push('n'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            c => out.push(c),
        }
    }
    out
}

/// Reads `text` (already cut to [`MAX_QUERY_CHARS`] by the caller).
pub(crate) fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut rendered: Vec<String> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut negate_next = false;
    let mut too_many = false;
    let mut push =
        |parsed: &mut Parsed, rendered: &mut Vec<String>, clause: Clause, shown: String| {
            if parsed.clauses.len() >= MAX_CLAUSES {
                too_many = true;
                return;
            }
            rendered.push(if clause.negated {
                format!("-{shown}")
            } else {
                shown
            });
            parsed.clauses.push(clause);
        };

    while let Some(&(_, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        // Signs before a clause: '-' excludes, '+' says nothing more than the default.
        let mut negated = std::mem::take(&mut negate_next);
        let mut signs = 0;
        while let Some(&(_, sign @ ('-' | '+'))) = chars.peek() {
            negated |= sign == '-';
            signs += 1;
            chars.next();
        }
        let Some(&(start_after_signs, c)) = chars.peek() else {
            break;
        };
        if signs > 0 && c.is_whitespace() {
            // A lone sign.
            continue;
        }
        if let Some(closers) = closing_quotes(c) {
            chars.next();
            let (phrase, end) = take_quoted(&mut chars, closers);
            if end.is_none() {
                parsed.notices.push(Notice::UnbalancedQuote);
            }
            let phrase = phrase.trim();
            if !phrase.is_empty() {
                // As typed when it was closed (« », “ ”), else closed the plain way.
                let shown = match end {
                    Some(end) => collapse(&text[start_after_signs..end]),
                    None => format!("\"{phrase}\""),
                };
                push(
                    &mut parsed,
                    &mut rendered,
                    Clause {
                        negated,
                        atom: Atom::Phrase(phrase.to_owned()),
                    },
                    shown,
                );
            }
            continue;
        }
        if is_quote(c) {
            // A closing quote with no opening one: a separator.
            chars.next();
            continue;
        }
        // A bare token: up to a space or a quote.
        let mut end = text.len();
        while let Some(&(at, c)) = chars.peek() {
            if c.is_whitespace() || is_quote(c) {
                end = at;
                break;
            }
            chars.next();
        }
        let token = &text[start_after_signs..end];
        match token {
            "AND" | "ET" | "&&" => continue,
            "OR" | "OU" | "||" => {
                parsed.notices.push(Notice::OrIgnored);
                continue;
            }
            "NOT" | "SAUF" => {
                negate_next = true;
                continue;
            }
            _ => {}
        }
        if let Some((name, value)) = token.split_once(':')
            && !name.is_empty()
            && name.chars().all(char::is_alphabetic)
        {
            match FieldName::parse(name) {
                Some(field) => {
                    let mut raw = None;
                    let (value, quoted) = if value.is_empty() {
                        // `field:"a value"` or `field:` alone.
                        match chars.peek() {
                            Some(&(open, c)) if closing_quotes(c).is_some() => {
                                chars.next();
                                let closers = closing_quotes(c).unwrap_or(&['"']);
                                let (value, end) = take_quoted(&mut chars, closers);
                                match end {
                                    Some(end) => raw = Some(collapse(&text[open..end])),
                                    None => parsed.notices.push(Notice::UnbalancedQuote),
                                }
                                (value.trim().to_owned(), true)
                            }
                            _ => (String::new(), false),
                        }
                    } else {
                        (value.to_owned(), false)
                    };
                    if value.trim().is_empty() {
                        parsed.notices.push(Notice::EmptyValue {
                            field: name.to_owned(),
                        });
                        continue;
                    }
                    let shown = match (&raw, quoted) {
                        (Some(raw), _) => format!("{name}:{raw}"),
                        (None, true) => format!("{name}:\"{value}\""),
                        (None, false) => format!("{name}:{value}"),
                    };
                    push(
                        &mut parsed,
                        &mut rendered,
                        Clause {
                            negated,
                            atom: Atom::Field {
                                field,
                                name: name.to_owned(),
                                value,
                                quoted,
                            },
                        },
                        shown,
                    );
                }
                None => {
                    parsed.notices.push(Notice::UnknownField {
                        field: name.to_owned(),
                    });
                    for word in [name, value] {
                        if word.chars().any(char::is_alphanumeric) {
                            push(
                                &mut parsed,
                                &mut rendered,
                                Clause {
                                    negated,
                                    atom: Atom::Word(word.to_owned()),
                                },
                                word.to_owned(),
                            );
                        }
                    }
                }
            }
            continue;
        }
        let stem = token.trim_end_matches('*');
        if stem.len() < token.len() {
            let letters = stem.chars().filter(|c| c.is_alphanumeric()).count();
            if letters == 0 {
                continue;
            }
            if letters >= MIN_PREFIX_CHARS {
                push(
                    &mut parsed,
                    &mut rendered,
                    Clause {
                        negated,
                        atom: Atom::Prefix(stem.to_owned()),
                    },
                    format!("{stem}*"),
                );
                continue;
            }
            parsed.notices.push(Notice::ShortPrefix {
                prefix: stem.to_owned(),
            });
        }
        if stem.chars().any(char::is_alphanumeric) {
            push(
                &mut parsed,
                &mut rendered,
                Clause {
                    negated,
                    atom: Atom::Word(stem.to_owned()),
                },
                stem.to_owned(),
            );
        }
    }
    if too_many {
        parsed
            .notices
            .push(Notice::TooManyClauses { kept: MAX_CLAUSES });
    }
    parsed.notices.dedup();
    let reading = rendered.join(" ");
    let typed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if reading != typed {
        parsed.reading = Some(reading);
    }
    parsed
}

/// The text up to one of `closers` (consumed), and where the closer ends (`None`: no closer).
fn take_quoted(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    closers: &[char],
) -> (String, Option<usize>) {
    let mut out = String::new();
    for (at, c) in chars.by_ref() {
        if closers.contains(&c) {
            return (out, Some(at + c.len_utf8()));
        }
        out.push(c);
    }
    (out, None)
}

/// `text` with its runs of white space made single spaces.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A clause as the reading shows it (for tests).
#[cfg(test)]
fn show(parsed: &Parsed) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for clause in &parsed.clauses {
        if !out.is_empty() {
            out.push(' ');
        }
        if clause.negated {
            out.push('-');
        }
        let _ = match &clause.atom {
            Atom::Word(w) => write!(out, "w({w})"),
            Atom::Phrase(p) => write!(out, "p({p})"),
            Atom::Prefix(p) => write!(out, "x({p})"),
            Atom::Field {
                field,
                value,
                quoted,
                ..
            } => write!(
                out,
                "f({field:?}={value}{})",
                if *quoted { ",q" } else { "" }
            ),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (String, Option<String>, Vec<Notice>) {
        let parsed = parse(text);
        (show(&parsed), parsed.reading, parsed.notices)
    }

    #[test]
    fn plain_queries_read_as_typed() {
        let (clauses, reading, notices) = read("  retraites   anticipées ");
        assert_eq!(clauses, "w(retraites) w(anticipées)");
        assert_eq!(reading, None);
        assert!(notices.is_empty());
        let (clauses, reading, _) = read("\"service public\" -nucléaire financ* kind:amendment");
        assert_eq!(
            clauses,
            "p(service public) -w(nucléaire) x(financ) f(Kind=amendment)"
        );
        assert_eq!(reading, None);
    }

    #[test]
    fn french_quotes_and_field_names() {
        let (clauses, reading, notices) =
            read("« service public » auteur:\"Marie  Dupont\" thème:santé “santé”");
        assert_eq!(
            clauses,
            "p(service public) f(Author=Marie  Dupont,q) f(Theme=santé) p(santé)"
        );
        assert_eq!(reading, None);
        assert!(notices.is_empty());
    }

    #[test]
    fn best_effort_readings() {
        let (clauses, reading, notices) = read("\"santé publique");
        assert_eq!(clauses, "p(santé publique)");
        assert_eq!(reading.as_deref(), Some("\"santé publique\""));
        assert_eq!(notices, [Notice::UnbalancedQuote]);

        let (clauses, _, notices) = read("url:santé");
        assert_eq!(clauses, "w(url) w(santé)");
        assert_eq!(
            notices,
            [Notice::UnknownField {
                field: "url".into()
            }]
        );

        let (clauses, reading, notices) = read("ab* santé OR école AND NOT lycée - +");
        assert_eq!(clauses, "w(ab) w(santé) w(école) -w(lycée)");
        assert_eq!(reading.as_deref(), Some("ab santé école -lycée"));
        assert_eq!(
            notices,
            [
                Notice::ShortPrefix {
                    prefix: "ab".into()
                },
                Notice::OrIgnored
            ]
        );

        let (clauses, _, notices) = read("kind: santé\"");
        assert_eq!(clauses, "w(santé)");
        assert_eq!(
            notices,
            [
                Notice::EmptyValue {
                    field: "kind".into()
                },
                Notice::UnbalancedQuote
            ]
        );

        let (clauses, _, _) = read("-\"centrales nucléaires\" -status:rejected * ** 10:30");
        assert_eq!(
            clauses,
            "-p(centrales nucléaires) -f(Status=rejected) w(10:30)"
        );
    }

    #[test]
    fn too_many_clauses_are_cut() {
        let text = "mot ".repeat(MAX_CLAUSES + 5);
        let parsed = parse(&text);
        assert_eq!(parsed.clauses.len(), MAX_CLAUSES);
        assert_eq!(
            parsed.notices,
            [Notice::TooManyClauses { kept: MAX_CLAUSES }]
        );
        assert!(parsed.reading.is_some());
    }
}
