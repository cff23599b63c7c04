//! microconv collector: receives the tag's beacons, validates them, stores each
//! event once in SQLite and serves the report, the JSON API, the demo site and
//! the built tag.
#![deny(missing_docs)]

pub mod beacon;
pub mod config;
pub mod http;
pub mod store;
pub mod writer;

pub use config::Config;
pub use http::{router, AppState};
pub use store::Store;
