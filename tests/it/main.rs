//! Atelier's integration tests: one binary, a real server per test (see `harness`).

mod harness;

mod accounts;
mod assets;
mod authorization;
mod bad_input;
mod browser;
mod cache;
mod cli;
mod commonmark;
mod form_errors;
mod history;
mod logs;
mod nul_bytes;
mod openapi;
mod organisers;
mod page_language;
mod pages;
mod presence;
mod privacy;
mod registration;
mod secrets;
mod security_headers;
mod signin;
mod store_suite;
mod sync_client;
mod test_rules;
mod text_numbering;
mod texts;
mod texts_access;
mod texts_anchors;
mod texts_bounds;
mod texts_durability;
mod texts_flow;
mod texts_lifecycle;
mod welcome;
