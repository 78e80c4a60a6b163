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
mod nul_bytes;
mod openapi;
mod pages;
mod presence;
mod privacy;
mod registration;
mod secrets;
mod security_headers;
mod signin;
mod store_suite;
mod sync_client;
mod texts;
mod texts_access;
mod texts_bounds;
mod texts_durability;
mod texts_flow;
mod texts_lifecycle;
mod welcome;
