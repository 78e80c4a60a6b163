//! The interface languages, their negotiation, and dates written the way each language writes them.

use time::{Date, Month, OffsetDateTime};

/// An interface language. French first: it is the default and the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The BCP 47 code, as in `<html lang>` and the locale files.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// `fr` or `en`, in any case, with or without a region (`fr-CH`, `en_GB`).
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?;
        if primary.eq_ignore_ascii_case("fr") {
            Some(Lang::Fr)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language's own name, for the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::En => "English",
        }
    }

    /// The best language for an `Accept-Language` header: the supported language with the
    /// highest quality value (the earlier one on a tie); French when none is acceptable.
    /// `*` stands for French; a `q=0` entry refuses a language.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(Lang, u16)> = None;
        let mut refused: Vec<Lang> = Vec::new();
        for entry in accept_language.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let mut quality = Some(1000);
            for param in parts {
                let Some((name, value)) = param.split_once('=') else {
                    continue;
                };
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = parse_quality(value.trim());
                }
            }
            let Some(quality) = quality else {
                continue;
            };
            let lang = if tag == "*" {
                Some(Lang::Fr)
            } else {
                Lang::from_code(tag)
            };
            let Some(lang) = lang else {
                continue;
            };
            if quality == 0 {
                if tag != "*" {
                    refused.push(lang);
                }
                continue;
            }
            if best.is_none_or(|(_, q)| quality > q) {
                best = Some((lang, quality));
            }
        }
        match best {
            Some((lang, _)) if !refused.contains(&lang) => lang,
            _ => Lang::ALL
                .into_iter()
                .find(|l| !refused.contains(l))
                .unwrap_or(Lang::Fr),
        }
    }
}

/// A quality value in thousandths (`0`, `0.5`, `1.000`); `None` when malformed.
fn parse_quality(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{frac:0<3}").parse().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

fn month_name(lang: Lang, month: Month) -> &'static str {
    let index = u8::from(month) as usize - 1;
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match lang {
        Lang::Fr => FR[index],
        Lang::En => EN[index],
    }
}

/// "19 715" (French: a narrow no-break space between thousands) / "19,715".
pub fn format_count(lang: Lang, count: i64) -> String {
    let digits = count.unsigned_abs().to_string();
    let separator = match lang {
        Lang::Fr => '\u{202f}',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    if count < 0 { format!("-{out}") } else { out }
}

/// A size for people: "1 Mo" / "1 MB" for whole mebibytes, else kibibytes ("900 Ko" / "900 KB"),
/// as the interface already counts them.
pub fn format_bytes(lang: Lang, bytes: usize) -> String {
    const KIB: usize = 1024;
    let (count, fr, en) = if bytes >= KIB * KIB && bytes.is_multiple_of(KIB * KIB) {
        (bytes / (KIB * KIB), "Mo", "MB")
    } else {
        (bytes.div_ceil(KIB), "Ko", "KB")
    };
    let count = format_count(lang, i64::try_from(count).unwrap_or(i64::MAX));
    match lang {
        Lang::Fr => format!("{count}\u{a0}{fr}"),
        Lang::En => format!("{count} {en}"),
    }
}

/// "3 mars 2026" / "3 March 2026".
pub fn format_date(lang: Lang, date: Date) -> String {
    let day = date.day();
    let day = match (lang, day) {
        (Lang::Fr, 1) => "1er".to_owned(),
        _ => day.to_string(),
    };
    format!("{day} {} {}", month_name(lang, date.month()), date.year())
}

/// "3 mars 2026 à 14 h 05" / "3 March 2026 at 14:05", in the time's own offset.
pub fn format_datetime(lang: Lang, at: OffsetDateTime) -> String {
    let date = format_date(lang, at.date());
    match lang {
        Lang::Fr => format!("{date} à {} h {:02}", at.hour(), at.minute()),
        Lang::En => format!("{date} at {:02}:{:02}", at.hour(), at.minute()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_thousands() {
        assert_eq!(format_count(Lang::Fr, 19715), "19\u{202f}715");
        assert_eq!(format_count(Lang::En, 236341), "236,341");
        assert_eq!(format_count(Lang::En, 999), "999");
        assert_eq!(format_count(Lang::Fr, -1000), "-1\u{202f}000");
    }

    #[test]
    fn codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::from_code("fr_CA"), Some(Lang::Fr));
        assert_eq!(Lang::from_code("de"), None);
        assert_eq!(Lang::from_code(""), None);
    }

    #[test]
    fn negotiation() {
        let cases = [
            ("", Lang::Fr),
            ("en", Lang::En),
            ("en-GB,en;q=0.9", Lang::En),
            ("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", Lang::Fr),
            ("de-DE,de;q=0.9,en;q=0.8,fr;q=0.7", Lang::En),
            ("de;q=1.0,fr;q=0.5,en;q=0.6", Lang::En),
            ("en;q=0.5,fr;q=0.5", Lang::En),
            ("de,it", Lang::Fr),
            ("*", Lang::Fr),
            ("en;q=0", Lang::Fr),
            ("fr;q=0,en;q=0.1", Lang::En),
            ("fr;q=0, *;q=0.5", Lang::En),
            ("en;q=abc,fr;q=0.2", Lang::Fr),
            ("en;q=1.5", Lang::Fr),
            ("  EN-us ; q=0.8 , de", Lang::En),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn dates() {
        let at = time::macros::datetime!(2026-03-01 14:05 UTC);
        assert_eq!(format_datetime(Lang::Fr, at), "1er mars 2026 à 14 h 05");
        assert_eq!(format_datetime(Lang::En, at), "1 March 2026 at 14:05");
        assert_eq!(
            format_date(Lang::Fr, time::macros::date!(2026 - 08 - 15)),
            "15 août 2026"
        );
    }
}
