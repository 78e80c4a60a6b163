//! One line of a debates file: a JSON object with `date`, `place`, `speaker`, `title`, `text`,
//! and optionally `url` and `convention`, checked into a [`NewDebate`] or refused with every
//! reason at once.
//!
//! Unknown keys are refused, not ignored: a misspelt optional key (`"convetion"`) would
//! otherwise lose its value without a word, and a file is fixed once rather than imported
//! wrong. An optional key may be absent, `null` or empty. Text is kept as given, but for its
//! line endings (`\r\n` becomes `\n`) and the spaces around each field.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::store::NewDebate;

/// The longest debate text, in characters (a long speech is about 60,000).
pub const MAX_TEXT_CHARS: usize = 200_000;
/// The longest place, speaker, title or convention, in characters.
pub const MAX_FIELD_CHARS: usize = 500;
/// The longest URL, in characters.
pub const MAX_URL_CHARS: usize = 2_000;
/// The earliest year a debate may be dated.
pub const FIRST_YEAR: i32 = 1800;

const KEYS: [&str; 7] = [
    "date",
    "place",
    "speaker",
    "title",
    "text",
    "url",
    "convention",
];

/// Checks one line; every reason it is refused, in the order of the fields.
pub fn parse_line(line: &str, today: Date) -> Result<NewDebate, Vec<String>> {
    let object: Map<String, Value> = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return Err(vec!["not a JSON object (one {…} a line)".to_owned()]),
        Err(e) => return Err(vec![format!("not valid JSON ({e})")]),
    };
    let mut reasons = Vec::new();
    let unknown: Vec<&str> = object
        .keys()
        .map(String::as_str)
        .filter(|k| !KEYS.contains(k))
        .collect();
    if !unknown.is_empty() {
        reasons.push(format!(
            "unknown field{} {} (the fields are: {})",
            if unknown.len() > 1 { "s" } else { "" },
            unknown
                .iter()
                .map(|k| format!("{k:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            KEYS.join(", ")
        ));
    }
    let date = match text_field(&object, "date", true, 40, false) {
        Ok(Some(raw)) => match parse_date(&raw, today) {
            Ok(date) => Some(date),
            Err(why) => {
                reasons.push(why);
                None
            }
        },
        Ok(None) => None,
        Err(why) => {
            reasons.push(why);
            None
        }
    };
    let mut field = |name: &str, required: bool, max: usize, multiline: bool| {
        text_field(&object, name, required, max, multiline)
            .map_err(|why| reasons.push(why))
            .ok()
            .flatten()
    };
    let place = field("place", true, MAX_FIELD_CHARS, false);
    let speaker = field("speaker", true, MAX_FIELD_CHARS, false);
    let title = field("title", true, MAX_FIELD_CHARS, false);
    let text = field("text", true, MAX_TEXT_CHARS, true);
    let url = field("url", false, MAX_URL_CHARS, false);
    let convention = field("convention", false, MAX_FIELD_CHARS, false);
    if let Some(url) = &url
        && let Err(why) = check_url(url)
    {
        reasons.push(why);
    }
    match (date, place, speaker, title, text) {
        (Some((held_on, held_at)), Some(place), Some(speaker), Some(title), Some(text))
            if reasons.is_empty() =>
        {
            Ok(NewDebate {
                held_on,
                held_at,
                place,
                speaker,
                title,
                text,
                url,
                convention,
            })
        }
        _ => Err(reasons),
    }
}

/// A string field, trimmed: `None` when an optional one is absent, null or empty. A required
/// one must be there and not blank; any must be text, at most `max` characters, without NUL
/// (nor, for a one-line field, any other control character).
fn text_field(
    object: &Map<String, Value>,
    name: &str,
    required: bool,
    max: usize,
    multiline: bool,
) -> Result<Option<String>, String> {
    let value = match object.get(name) {
        None | Some(Value::Null) if required => return Err(format!("{name}: missing")),
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(value)) => value,
        Some(_) => return Err(format!("{name}: must be text (a JSON string)")),
    };
    let value = if multiline {
        value.replace("\r\n", "\n").trim().to_owned()
    } else {
        value.trim().to_owned()
    };
    if value.is_empty() {
        return if required {
            Err(format!("{name}: empty"))
        } else {
            Ok(None)
        };
    }
    let chars = value.chars().count();
    if chars > max {
        return Err(format!(
            "{name}: too long ({chars} characters, at most {max})"
        ));
    }
    if value.contains('\0') {
        return Err(format!("{name}: contains a NUL character"));
    }
    if !multiline && value.chars().any(char::is_control) {
        return Err(format!(
            "{name}: contains a line break or another control character"
        ));
    }
    Ok(Some(value))
}

/// A day (`2019-05-12`) or a moment with its offset (`2019-05-12T18:30:00+02:00`, RFC 3339):
/// the day as written, and the moment if any. Between [`FIRST_YEAR`] and tomorrow (archives are
/// of the past; a day of slack for time zones).
fn parse_date(raw: &str, today: Date) -> Result<(Date, Option<OffsetDateTime>), String> {
    let parsed = if let Ok(day) = Date::parse(raw, format_description!("[year]-[month]-[day]")) {
        (day, None)
    } else if let Ok(at) = OffsetDateTime::parse(raw, &Rfc3339) {
        (at.date(), Some(at))
    } else {
        return Err(format!(
            "date: {raw:?} is not a date (2019-05-12, or 2019-05-12T18:30:00+02:00 with its offset)"
        ));
    };
    let latest = today.next_day().unwrap_or(today);
    if parsed.0.year() < FIRST_YEAR || parsed.0 > latest {
        return Err(format!(
            "date: {raw:?} is not between {FIRST_YEAR} and today"
        ));
    }
    Ok(parsed)
}

/// A link shown on the debate's page: an absolute http or https address only (never
/// `javascript:` or another scheme a browser would run).
fn check_url(raw: &str) -> Result<(), String> {
    match url::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err(format!("url: {raw:?} is not an http or https address")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = time::macros::date!(2026 - 03 - 01);

    fn reasons(line: &str) -> String {
        parse_line(line, TODAY).unwrap_err().join("; ")
    }

    #[test]
    fn a_good_line_becomes_a_debate() {
        let debate = parse_line(
            r#"{"date": "2019-05-12T18:30:00+02:00", "place": " Fédération de Paris ", "speaker": "Louise Michel",
                "title": "Retraites", "text": "Premier.\r\n\r\nSecond.", "url": "https://exemple.fr/d/1", "convention": ""}"#,
            TODAY,
        )
        .unwrap();
        assert_eq!(debate.held_on, time::macros::date!(2019 - 05 - 12));
        assert_eq!(
            debate.held_at.unwrap().unix_timestamp(),
            1_557_678_600,
            "the moment, in UTC"
        );
        assert_eq!(debate.place, "Fédération de Paris");
        assert_eq!(debate.text, "Premier.\n\nSecond.");
        assert_eq!(debate.convention, None, "empty is absent");
        let day = parse_line(
            r#"{"date":"2019-05-12","place":"p","speaker":"s","title":"t","text":"x"}"#,
            TODAY,
        )
        .unwrap();
        assert_eq!(day.held_at, None);
        assert_eq!(day.url, None);
    }

    #[test]
    fn every_reason_is_given() {
        assert!(reasons("{\"date\": ").starts_with("not valid JSON"));
        assert!(reasons("[1, 2]").starts_with("not a JSON object"));
        let all = reasons(
            r#"{"date":"12/05/2019","place":"","title":3,"text":"x","speeker":"Louise","url":"javascript:alert(1)"}"#,
        );
        for expected in [
            "unknown field \"speeker\"",
            "date: \"12/05/2019\" is not a date",
            "place: empty",
            "speaker: missing",
            "title: must be text",
            "url: \"javascript:alert(1)\" is not an http or https address",
        ] {
            assert!(all.contains(expected), "{expected:?} in {all}");
        }
        assert!(
            reasons(r#"{"date":"1789-07-14","place":"p","speaker":"s","title":"t","text":"x"}"#)
                .contains("between 1800")
        );
        assert!(
            reasons(r#"{"date":"2030-01-01","place":"p","speaker":"s","title":"t","text":"x"}"#)
                .contains("between 1800")
        );
        assert!(
            reasons(
                r#"{"date":"2019-05-12T18:30:00","place":"p","speaker":"s","title":"t","text":"x"}"#
            )
            .contains("with its offset")
        );
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        let line = format!(
            r#"{{"date":"2019-05-12","place":"p","speaker":"s","title":"t","text":"{long}"}}"#
        );
        assert!(reasons(&line).contains("text: too long (200001 characters, at most 200000)"));
        assert!(
            reasons(r#"{"date":"2019-05-12","place":"a\nb","speaker":"s","title":"t","text":"x"}"#)
                .contains("place: contains a line break")
        );
        assert!(
            reasons(
                r#"{"date":"2019-05-12","place":"p","speaker":"s","title":"t","text":"a\u0000"}"#
            )
            .contains("NUL")
        );
    }
}
