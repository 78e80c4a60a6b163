//! The translations are read at compile time by `rust_i18n::i18n!`: rebuild when they change.
//!
//! The static assets (`../assets/static`) are named by their content: this writes
//! `$OUT_DIR/asset_urls.rs`, one constant per file (`EDITOR_JS = "/assets/editor.<hash>.js"`)
//! and the list of them, read by `src/assets.rs`. Compressed copies (`.br`, `.gz`) are not
//! assets of their own: the server sends them in place of their original.

use std::fmt::Write as _;
use std::path::Path;

#[path = "src/content_hash.rs"]
mod content_hash;

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let dir = Path::new("../assets/static");
    println!("cargo:rerun-if-changed={}", dir.display());

    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("assets/static is readable")
        .map(|entry| {
            let entry = entry.expect("assets/static is readable");
            entry
                .file_name()
                .into_string()
                .expect("asset names are UTF-8")
        })
        .filter(|name| !name.ends_with(".br") && !name.ends_with(".gz") && !name.starts_with('.'))
        .collect();
    names.sort();

    let mut code = String::new();
    let mut all = String::new();
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = std::fs::read(&path).expect("an asset is readable");
        let (stem, extension) = name.rsplit_once('.').expect("an asset has an extension");
        let url = format!(
            "/assets/{stem}.{}.{extension}",
            content_hash::content_hash(&bytes)
        );
        let constant: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        writeln!(code, "/// `{name}` under its content-hashed name.").unwrap();
        writeln!(code, "pub const {constant}: &str = {url:?};").unwrap();
        writeln!(all, "    ({name:?}, {constant}),").unwrap();
    }
    writeln!(
        code,
        "/// Every asset: (file name, URL with the content's hash).\npub const ALL: &[(&str, &str)] = &[\n{all}];"
    )
    .unwrap();
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("asset_urls.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
