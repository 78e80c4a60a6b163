//! The translations: both languages, the same placeholders, every key used defined.

use super::*;

fn locale_file() -> BTreeMap<String, serde_yaml::Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/app.yml");
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

pub(super) fn key_prefixes() -> BTreeSet<String> {
    locale_file()
        .keys()
        .filter(|k| !k.starts_with('_'))
        .map(|k| k.split('.').next().unwrap().to_owned())
        .collect()
}

fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("%{")
        .skip(1)
        .filter_map(|s| s.split_once('}'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

#[test]
fn every_key_has_french_and_english_with_the_same_placeholders() {
    let file = locale_file();
    assert_eq!(file.get("_version").and_then(|v| v.as_u64()), Some(2));
    for (key, value) in file.iter().filter(|(k, _)| !k.starts_with('_')) {
        let map = value
            .as_mapping()
            .unwrap_or_else(|| panic!("{key}: not a mapping"));
        let text = |code: &str| {
            map.get(code)
                .and_then(|v| v.as_str())
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| panic!("{key}: no {code}"))
                .to_owned()
        };
        let (fr, en) = (text("fr"), text("en"));
        assert_eq!(map.len(), 2, "{key}: only fr and en");
        assert_eq!(
            placeholders(&fr),
            placeholders(&en),
            "{key}: placeholders differ"
        );
        // And the compiled translations agree with the file.
        assert_eq!(t(Lang::Fr, key), fr, "{key}");
        assert_eq!(t(Lang::En, key), en, "{key}");
    }
    let mut locales = rust_i18n::available_locales!();
    locales.sort();
    assert_eq!(locales, ["en", "fr"]);
}

/// The Rust sources that may name a key: this crate's and the server's (`../src`, whose flash
/// messages and labels go through [`t`] too). Test modules are skipped: they may name keys that
/// must not exist.
fn sources() -> Vec<(std::path::PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![root.join("src"), root.join("../src")];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // This crate's tests (`src/tests/`) are test modules too.
                if path != root.join("src/tests") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_none_or(|n| n != "tests.rs")
                // The outbox's event kinds (`text.created`) are names, not keys.
                && !path.ends_with("model/event.rs")
            {
                let source = std::fs::read_to_string(&path).unwrap();
                found.push((path, source));
            }
        }
    }
    found
}

/// Whether `literal` has the shape of a key (`prefix.rest`, lowercase) with a prefix of the file.
fn looks_like_key(literal: &str, prefixes: &BTreeSet<String>) -> bool {
    literal.contains('.')
        && !literal.ends_with('.')
        && literal
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        && prefixes.contains(literal.split('.').next().unwrap())
}

/// The argument of a call to `t!`, `t` or `t_args` that holds the key: what follows the call's
/// opening parenthesis (`t!`), or its first comma (`t`, `t_args`), up to the next comma or
/// closing parenthesis, trimmed. Calls are found by name, so `tpl::t(` and `crate::t(` count.
fn key_arguments(source: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for (name, key_is_first) in [("t!(", true), ("t(", false), ("t_args(", false)] {
        for (at, _) in source.match_indices(name) {
            let before = source[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue; // `format!(`, `print(`, `split(`…
            }
            let mut rest = &source[at + name.len()..];
            if !key_is_first {
                // The language argument holds no comma (`lang`, `page.lang()`, `Lang::Fr`).
                let Some(comma) = rest.find(',') else {
                    continue;
                };
                rest = &rest[comma + 1..];
            }
            let rest = rest.trim_start();
            let end = if let Some(literal) = rest.strip_prefix('"') {
                literal.find('"').map(|e| e + 2)
            } else {
                rest.find([',', ')'])
            };
            found.push(rest[..end.unwrap_or(rest.len())].trim());
        }
    }
    found
}

/// Keys built at run time, by their prefix: each family names a key its callers fall back to
/// and the literals, anywhere in the sources, that complete it (`action: "member_joined"` is
/// shown as `activity.member_joined`).
const KEY_FAMILIES: &[(&str, &str, &str)] = &[("activity.", "activity.other", "action: \"")];

/// Every key the sources use is in the file, in both languages (the test above checks that
/// every entry has both): a literal with a known prefix anywhere, any literal passed as the key
/// of `t!`/`t`/`t_args` (whatever its prefix), and each key built with `format!`, which must
/// belong to a family of [`KEY_FAMILIES`] whose members are all defined. A key missing from the
/// file would show raw to members (`flash.version_saved`); this test fails the build instead.
#[test]
fn every_key_used_is_defined() {
    let file = locale_file();
    let prefixes = key_prefixes();
    let defined = |key: &str| file.contains_key(key);
    let mut missing = BTreeSet::new();
    let mut used = 0;
    let sources = sources();
    for (path, source) in &sources {
        let name = path.display();
        // Every chunk between two quotes, whatever the parity: comments may hold quotes.
        for literal in source.split('"') {
            let file_name = [".js", ".css", ".svg", ".md", ".db", ".toml", ".rs", ".yml"]
                .iter()
                .any(|e| literal.ends_with(e));
            if looks_like_key(literal, &prefixes) && !file_name {
                used += 1;
                if !defined(literal) {
                    missing.insert(format!("{name}: {literal}"));
                }
            }
        }
        for argument in key_arguments(source) {
            if let Some(literal) = argument.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
                used += 1;
                if !defined(literal) {
                    missing.insert(format!("{name}: {literal}"));
                }
            }
        }
        // Keys built at run time: `format!("prefix.{…}")`.
        for (at, _) in source.match_indices("format!(\"") {
            let literal = &source[at + 9..];
            let literal = &literal[..literal.find('"').unwrap_or(literal.len())];
            let Some((prefix, _)) = literal.split_once('{') else {
                continue;
            };
            if !prefix.ends_with('.') || !looks_like_key(&format!("{prefix}x"), &prefixes) {
                continue;
            }
            assert!(
                KEY_FAMILIES.iter().any(|(p, _, _)| *p == prefix),
                "{name}: a key is built as {literal:?}: add its family to KEY_FAMILIES"
            );
        }
    }
    for (prefix, fallback, marker) in KEY_FAMILIES {
        assert!(defined(fallback), "{fallback} is not in locales/app.yml");
        for (path, source) in &sources {
            for (at, _) in source.match_indices(marker) {
                let rest = &source[at + marker.len()..];
                let member = &rest[..rest.find('"').unwrap_or(rest.len())];
                used += 1;
                if !defined(&format!("{prefix}{member}")) {
                    missing.insert(format!("{}: {prefix}{member}", path.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys used but not in locales/app.yml:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
    assert!(used > 400, "the scan found only {used} keys");
}
