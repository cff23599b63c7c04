//! microconv collector: receives the tag's beacons, validates them, stores each
//! event once in SQLite and serves the report, the JSON API, the built tag
//! and, when asked, a site.
#![deny(missing_docs)]

pub mod beacon;
pub mod bots;
pub mod config;
pub mod http;
pub mod report;
pub mod rules;
pub mod server;
pub mod store;
pub mod writer;

pub use config::Config;
pub use http::{router, AppState, Settings};
pub use store::Store;
