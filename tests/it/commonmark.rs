//! CommonMark 0.31.2 conformance of `render_commonmark_plain`, through the sanitiser.
//!
//! Both the rendered HTML and the spec's expected HTML go through the same sanitiser
//! (`markup::sanitize`: ammonia re-serialises everything, so `<hr />` and `<hr>`, `&quot;` and
//! `"` compare equal, and what the policy removes — raw HTML, unsafe URLs — is removed from both
//! sides alike) and the same whitespace normalisation (`normalise`) before being compared.

use atelier::markup::{render_commonmark_plain, sanitize};

/// The 652 examples of the spec (commonmark/commonmark-spec-web, CC BY-SA 4.0; see
/// `tests/fixtures/README.md`).
const SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/commonmark-spec-0.31.2.json"
);

/// Every run of ASCII whitespace becomes one space, a space standing alone between two tags
/// (`> <`) goes, and the ends are trimmed. Only spec example 175 needs it (`<li>\n<div>` in the
/// spec, `<li><div>` from pulldown-cmark); everything else also matches byte for byte.
fn normalise(html: &str) -> String {
    let collapsed = html.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.replace("> <", "><")
}

pub struct Example {
    pub number: u64,
    pub section: String,
    pub markdown: String,
    pub html: String,
}

pub fn examples() -> Vec<Example> {
    let spec = std::fs::read_to_string(SPEC).expect("the CommonMark fixture is in the repository");
    let values: Vec<serde_json::Value> = serde_json::from_str(&spec).expect("the fixture is JSON");
    let field =
        |value: &serde_json::Value, name: &str| value[name].as_str().unwrap_or_default().to_owned();
    values
        .iter()
        .map(|value| Example {
            number: value["example"].as_u64().unwrap_or_default(),
            section: field(value, "section"),
            markdown: field(value, "markdown"),
            html: field(value, "html"),
        })
        .collect()
}

#[test]
fn commonmark_spec_examples_pass_through_the_sanitiser() {
    let examples = examples();
    assert_eq!(examples.len(), 652);
    let mut failures = Vec::new();
    let mut byte_equal = 0;
    let mut changed_by_sanitiser = 0;
    for example in &examples {
        let expected = sanitize(&example.html);
        let actual = sanitize(&render_commonmark_plain(&example.markdown));
        byte_equal += usize::from(expected == actual);
        changed_by_sanitiser += usize::from(normalise(&expected) != normalise(&example.html));
        if normalise(&expected) != normalise(&actual) {
            failures.push(format!(
                "#{} ({})\n  expected: {expected:?}\n  actual:   {actual:?}",
                example.number, example.section
            ));
        }
    }
    eprintln!(
        "CommonMark 0.31.2: {}/{} pass after normalisation, {byte_equal} byte for byte; \
         sanitising changes the expected HTML of {changed_by_sanitiser}",
        examples.len() - failures.len(),
        examples.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
