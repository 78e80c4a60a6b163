//! Embeds the SQL migrations in the binary, as `sqlx::migrate!` would, without sqlx's macros:
//! those build the SQLite and PostgreSQL drivers (the SQLite C library included) a second time,
//! for the compiler, on every fresh build. `store::migrations` turns the list into a `Migrator`.

use std::fmt::Write;
use std::path::Path;
use std::{env, fs};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut code =
        String::from("// Written by build.rs from migrations/: file names and contents.\n");
    for backend in ["sqlite", "postgres"] {
        let dir = Path::new(&manifest).join("migrations").join(backend);
        // A directory here makes cargo rerun this script when any file in it changes.
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|entry| entry.expect("a readable migrations directory").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
            .collect();
        files.sort();
        writeln!(
            code,
            "pub const {}: &[(&str, &str)] = &[",
            backend.to_uppercase()
        )
        .unwrap();
        for path in files {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("UTF-8 file names");
            writeln!(
                code,
                "    ({name:?}, include_str!({:?})),",
                path.display().to_string()
            )
            .unwrap();
        }
        code.push_str("];\n");
    }
    fs::write(Path::new(&out).join("migrations.rs"), code).expect("OUT_DIR is writable");
}
