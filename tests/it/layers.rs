//! The layers of ARCHITECTURE.md, checked on the sources: each module of `src/` imports only
//! from the layers below its own (never from its own layer, so no two modules import each
//! other), and inside `src/http` the shared plumbing imports no feature and a feature's JSON
//! routes (`api.rs`) never call into its pages (`pages.rs`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// From the bottom up. A module imports only from the layers before its own.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "vocabulary and settings",
        &["model", "config", "secret", "mail", "logging"],
    ),
    ("markup", &["markup"]),
    ("storage", &["store"]),
    (
        "rules and live documents",
        &["auth", "error", "collab", "events"],
    ),
    (
        "organisation and data",
        &["organisation", "import", "archives", "backup", "indexing"],
    ),
    ("accounts and texts", &["accounts", "text", "opendata"]),
    ("amendments", &["amendments"]),
    ("demo and shared state", &["demo", "app"]),
    ("HTTP", &["http"]),
    ("server", &["server"]),
    ("command line", &["cli"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The source without its comment lines (doc comments name modules they do not import).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first name of every path that starts with `prefix` (`crate::`, `super::`), groups
/// included: `crate::{auth::Viewer, store}` names `auth` and `store`.
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices(prefix) {
        let after = &code[at + prefix.len()..];
        let Some(group) = after.strip_prefix('{') else {
            found.insert(after.chars().take_while(|c| is_name(*c)).collect());
            continue;
        };
        let (mut depth, mut name, mut expecting) = (0, String::new(), true);
        for c in group.chars() {
            match c {
                '}' if depth == 0 => break,
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => expecting = true,
                c if depth == 0 && expecting && is_name(c) => name.push(c),
                _ if depth == 0 && !name.is_empty() => {
                    found.insert(std::mem::take(&mut name));
                    expecting = false;
                }
                _ => {}
            }
        }
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

#[test]
fn each_module_imports_only_from_the_layers_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    let mut checked = 0;
    for path in sources(&src) {
        let relative = path.strip_prefix(&src).unwrap();
        let first = relative.iter().next().unwrap().to_string_lossy();
        let module = first.trim_end_matches(".rs");
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = layer_of(module) else {
            wrong.push(format!(
                "src/{}: the module `{module}` is in no layer: add it to LAYERS (and to ARCHITECTURE.md)",
                relative.display()
            ));
            continue;
        };
        for used in names_after(&code(&path), "crate::") {
            if used == module {
                continue;
            }
            checked += 1;
            match layer_of(&used) {
                Some(layer) if layer < own => {}
                Some(layer) => wrong.push(format!(
                    "src/{} ({}) imports `crate::{used}` ({}), which is not below it",
                    relative.display(),
                    LAYERS[own].0,
                    LAYERS[layer].0,
                )),
                None => wrong.push(format!(
                    "src/{} imports `crate::{used}`, which is in no layer",
                    relative.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        checked > 100,
        "only {checked} imports seen: is the scan broken?"
    );
}

#[test]
fn the_http_plumbing_imports_no_feature_and_no_api_calls_its_pages() {
    let http = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let features: Vec<String> = std::fs::read_dir(&http)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(features.len() >= 5, "feature folders: {features:?}");
    let mut wrong = Vec::new();
    for path in sources(&http) {
        let relative = path.strip_prefix(&http).unwrap();
        let code = code(&path);
        let from_http: BTreeSet<String> = names_after(&code, "crate::http::");
        if relative.components().count() == 1 {
            if relative.as_os_str() == "mod.rs" {
                continue; // assembles the features' routers
            }
            let used: BTreeSet<String> = from_http
                .union(&names_after(&code, "super::"))
                .cloned()
                .collect();
            for feature in features.iter().filter(|f| used.contains(*f)) {
                wrong.push(format!(
                    "src/http/{}, shared plumbing, imports the feature `{feature}`",
                    relative.display()
                ));
            }
        } else if relative.file_name().is_some_and(|n| n == "api.rs")
            && (names_after(&code, "super::").contains("pages") || code.contains("::pages::"))
        {
            wrong.push(format!(
                "src/http/{}: JSON routes call into the pages; move what both need to a file of its own or to a service",
                relative.display()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
