//! Rules about the tests themselves, checked on their sources.

use std::path::{Path, PathBuf};

/// The `.rs` files under `dir`, in its folders too, sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// What a test that needs PostgreSQL calls.
const POSTGRES_MARKERS: [&str; 3] = [
    "Backend::Postgres",
    "TestApp::postgres()",
    "fresh_postgres_database()",
];

/// Every test that needs PostgreSQL is `#[ignore]`d with the reason, so that `cargo test` without
/// a database counts it as ignored (« 33 ignored ») instead of as passed, and `.ci/run` runs it
/// with `-- --ignored`. A test that passed vacuously would hide that the PostgreSQL pass never ran.
#[test]
fn every_postgres_test_is_ignored_with_its_reason() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let mut checked = 0;
    let mut unmarked = Vec::new();
    for path in rust_files(&dir) {
        let name = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if name == "harness.rs" || name == "test_rules.rs" {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for marker in POSTGRES_MARKERS {
            for (at, _) in source.match_indices(marker) {
                let Some(fn_at) = source[..at].rfind("async fn ") else {
                    continue;
                };
                // The attributes: the lines right above the function that start with `#[`.
                let attributes: Vec<&str> = source[..fn_at]
                    .lines()
                    .rev()
                    .skip(usize::from(!source[..fn_at].ends_with('\n')))
                    .map(str::trim)
                    .take_while(|l| l.starts_with("#["))
                    .collect();
                if !attributes.iter().any(|a| a.contains("tokio::test")) {
                    continue; // a helper, called by tests
                }
                checked += 1;
                if !attributes
                    .iter()
                    .any(|a| a.starts_with("#[ignore = \"needs PostgreSQL"))
                {
                    let function = source[fn_at..].lines().next().unwrap_or_default();
                    unmarked.push(format!("{name}: {function}"));
                }
            }
        }
    }
    assert!(
        unmarked.is_empty(),
        "add #[ignore = \"needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)\"] to:\n{}",
        unmarked.join("\n")
    );
    assert!(
        checked >= 20,
        "the scan found only {checked} PostgreSQL tests"
    );
}
