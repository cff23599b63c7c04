//! microconv: a micro-conversion tracking tag.
//!
//! The core (`json`, `rules`, `published`, `engine`, `payload`) is plain Rust, tested and
//! benchmarked natively. `web` (wasm32 only) turns DOM facts into engine calls
//! and beacons; `native` backs the engine for tests and the CLI.
//!
//! The tag build (feature `std` off, see `Cargo.toml`) is `no_std` on wasm32:
//! code names `alloc` types through [`prelude`], never `std`.
#![deny(missing_docs)]
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]
// A build without some trigger family (`scripts/size-parts.sh`) leaves
// helpers only that family used: not a defect there.
#![cfg_attr(
    not(all(
        feature = "scroll",
        feature = "video",
        feature = "clicks",
        feature = "forms",
        feature = "time",
        feature = "visibility",
        feature = "custom",
        feature = "groups"
    )),
    allow(dead_code, unused_imports, unused_variables)
)]

extern crate alloc;

pub mod backend;
pub mod engine;
pub mod js;
pub mod json;
pub mod msg;
pub mod payload;
pub mod privacy;
pub mod published;
pub mod rules;
mod sort;
pub mod text;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

#[cfg(target_arch = "wasm32")]
pub mod web;

/// What std's prelude provides, taken from `alloc` (the tag build is `no_std`).
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
    pub use alloc::{format, vec};
}
