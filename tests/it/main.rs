//! Atelier's integration tests: one binary, a real server per test (see `harness`).

mod harness;

mod accounts;
mod authorization;
mod bad_input;
mod browser;
mod cache;
mod cli;
mod commonmark;
mod logs;
mod openapi;
mod pages;
mod security_headers;
mod store_suite;
mod sync_client;
mod texts;
mod texts_access;
mod texts_durability;
mod texts_lifecycle;
