//! The suite covers the store: every public method of `Db` (its own and the public traits it
//! implements) is called by the suite, checked on its sources. A new method fails this test
//! until a case calls it; so does any other public function of the store, unless the list below
//! says where it is tested instead, and why there.

use std::collections::BTreeSet;
use std::path::Path;

use crate::test_rules::rust_files;

/// Public functions of the store that are not `Db` methods and are tested elsewhere: (name,
/// where, why).
const TESTED_ELSEWHERE: &[(&str, &str)] = &[
    (
        "encode",
        "store::cache::tests::every_change_survives_its_notify_payload: `Change` payloads are \
         the cache's own wire format, round-tripped in its unit test",
    ),
    (
        "decode",
        "store::cache::tests::every_change_survives_its_notify_payload (and unknown payloads)",
    ),
    (
        "storable_text",
        "called by the store's writes: texts::texts_are_unique_by_slug_in_their_group and \
         text_history::versions_are_named_states_newest_first store a NUL and read U+FFFD back",
    ),
];

/// What the store's sources make public.
#[derive(Default)]
struct Public {
    /// Methods of `Db`, inherent or of a trait implemented for it.
    db_methods: BTreeSet<String>,
    /// Free functions and methods of the store's other public types.
    others: BTreeSet<String>,
}

/// The name of the function a line declares after `prefix`, if it does.
fn declared<'a>(line: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    let rest = prefixes.iter().find_map(|p| line.strip_prefix(p))?;
    let end = rest.find(['(', '<'])?;
    Some(&rest[..end])
}

fn scan(dir: &Path) -> Public {
    let files: Vec<(String, String)> = rust_files(dir)
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    // Only impl blocks of public types make public methods.
    let mut public_types = BTreeSet::new();
    for (_, source) in &files {
        for line in source.lines() {
            if let Some(name) = declared(&format!("{line}("), &["pub struct ", "pub enum "]) {
                let name = name.split([' ', '{', ';']).next().unwrap_or_default();
                public_types.insert(name.to_owned());
            }
        }
    }
    let mut public = Public::default();
    for (_, source) in &files {
        // Which block the scan is in: (is it `Db`'s, does it take `pub fn` or trait `fn`).
        let mut block: Option<(bool, bool)> = None;
        for line in source.lines() {
            if line == "}" {
                block = None;
                continue;
            }
            if let Some(header) = line.strip_prefix("impl").filter(|h| h.ends_with('{')) {
                let header = header.trim_end_matches('{').trim();
                let header = header.strip_prefix("<'_>").unwrap_or(header).trim();
                block = if header == "Db" {
                    Some((true, true))
                } else if header.ends_with(" for Db") {
                    Some((true, false))
                } else if public_types.contains(header) {
                    Some((false, true))
                } else {
                    None
                };
                continue;
            }
            match block {
                None => {
                    if let Some(name) = declared(line, &["pub fn ", "pub async fn "]) {
                        public.others.insert(name.to_owned());
                    }
                }
                Some((is_db, takes_pub)) => {
                    let prefixes: &[&str] = if takes_pub {
                        &["    pub fn ", "    pub async fn "]
                    } else {
                        &["    fn ", "    async fn "]
                    };
                    if let Some(name) = declared(line, prefixes) {
                        let set = if is_db {
                            &mut public.db_methods
                        } else {
                            &mut public.others
                        };
                        set.insert(name.to_owned());
                    }
                }
            }
        }
    }
    public
}

/// The suite's sources, this file left out.
fn suite_sources() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/store_suite");
    rust_files(&dir)
        .into_iter()
        .filter(|p| !p.ends_with("coverage.rs"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn called(sources: &str, name: &str) -> bool {
    sources.contains(&format!(".{name}(")) || sources.contains(&format!("::{name}("))
}

#[test]
fn every_public_store_method_is_called_by_the_suite() {
    let public = scan(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store"));
    // The scan reads the sources as rustfmt writes them: if it finds too little, it is lost.
    for known in [
        "create_member",
        "recent_text_authors",
        "backup_to",
        "load",
        "delete_expired",
    ] {
        assert!(
            public.db_methods.contains(known),
            "the scan misses Db::{known}"
        );
    }
    assert!(
        public.db_methods.len() >= 90,
        "{} methods",
        public.db_methods.len()
    );
    for known in ["encode", "since", "storable_text", "now"] {
        assert!(public.others.contains(known), "the scan misses {known}");
    }
    let sources = suite_sources();
    let missing: Vec<&String> = public
        .db_methods
        .iter()
        .filter(|name| !called(&sources, name))
        .collect();
    assert!(
        missing.is_empty(),
        "public Db methods the store suite (tests/it/store_suite/) never calls: {missing:?}; \
         add a case that calls each on both backends and checks what it answers"
    );
    let elsewhere: BTreeSet<&str> = TESTED_ELSEWHERE.iter().map(|(name, _)| *name).collect();
    let untested: Vec<&String> = public
        .others
        .iter()
        .filter(|name| !called(&sources, name) && !elsewhere.contains(name.as_str()))
        .collect();
    assert!(
        untested.is_empty(),
        "public store functions neither called by the suite nor in TESTED_ELSEWHERE: {untested:?}"
    );
    let stale: Vec<&&str> = elsewhere
        .iter()
        .filter(|name| !public.others.contains(**name))
        .collect();
    assert!(
        stale.is_empty(),
        "TESTED_ELSEWHERE names functions that are gone: {stale:?}"
    );
}
