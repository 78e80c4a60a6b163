//! Atelier: a platform on which a party's members write their programme together.
//!
//! Start with `ARCHITECTURE.md`. In short: `cli` parses the command line, `server` serves the
//! state that `app` opens, `http` speaks HTTP, `accounts`, `organisation` and `text` hold the
//! rules shared by the API, the pages and the command line, `auth::permissions` decides who may
//! do what, and `store` is the one storage interface over SQLite and PostgreSQL. The modules
//! import only downward, in the layers that ARCHITECTURE.md lists.

pub mod accounts;
pub mod amendments;
pub mod app;
pub mod archives;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod collab;
pub mod config;
pub mod demo;
pub mod error;
pub mod events;
pub mod http;
pub mod import;
pub mod indexing;
pub mod logging;
pub mod mail;
pub mod markup;
pub mod model;
pub mod opendata;
pub mod organisation;
pub mod secret;
pub mod server;
pub mod store;
pub mod text;

pub use app::App;
pub use config::Config;
pub use server::serve;
