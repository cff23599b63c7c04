//! microconv: a micro-conversion tracking tag.
//!
//! The core (`json`, `rules`, `engine`, `payload`) is plain Rust, tested and
//! benchmarked natively. `web` (wasm32 only) turns DOM facts into engine calls
//! and beacons; `native` backs the engine for tests and the CLI.
#![deny(missing_docs)]

pub mod backend;
pub mod engine;
pub mod json;
pub mod payload;
pub mod privacy;
pub mod rules;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

#[cfg(target_arch = "wasm32")]
pub mod web;
