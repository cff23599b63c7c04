//! Command-line flags, each with an environment-variable fallback.

use clap::Parser;
use std::path::PathBuf;

/// microconv collector: receives the tag's beacons, stores each event once in
/// SQLite, and serves the report (/report), the JSON API (/api/conversions,
/// /api/summary), the site (--static at /) and the tag (--tag-dir at /microconv/).
///
/// Logs one line per request at info level (RUST_LOG=warn to silence them).
#[derive(Debug, Clone, Parser)]
#[command(name = "microconv-collector", version)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, env = "MICROCONV_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,

    /// SQLite database file (created when missing; WAL mode).
    #[arg(long, env = "MICROCONV_DB", default_value = "microconv.sqlite")]
    pub db: PathBuf,

    /// Site origins allowed to post beacons (repeatable or comma-separated,
    /// e.g. https://www.example.com). Without any, every origin may post and
    /// CORS answers `*`. Requests from the collector's own origin and requests
    /// without an Origin header are always accepted.
    #[arg(
        long = "allow-origin",
        env = "MICROCONV_ALLOW_ORIGIN",
        value_delimiter = ','
    )]
    pub allow_origin: Vec<String>,

    /// Folder served at / (the site; the demo site by default). Missing folder: nothing served.
    #[arg(long = "static", env = "MICROCONV_STATIC", default_value = "www")]
    pub static_dir: PathBuf,

    /// Folder served at /microconv/ (the built tag, `dist/` of `./build.sh`).
    #[arg(long = "tag-dir", env = "MICROCONV_TAG_DIR", default_value = "dist")]
    pub tag_dir: PathBuf,
}

impl Config {
    /// The allowlist, trimmed, without trailing slashes and empty entries.
    pub fn origins(&self) -> Vec<String> {
        self.allow_origin
            .iter()
            .map(|o| o.trim().trim_end_matches('/').to_string())
            .filter(|o| !o.is_empty())
            .collect()
    }
}
