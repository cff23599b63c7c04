//! The tag's files (`dist/` at `/microconv/`), served as a site should:
//! compressed and cached for what they are.
//!
//! - **Compressed** (brotli or gzip, as the browser accepts): the size budget
//!   is brotli's, so serving them raw would cost pages 2.6× the bytes.
//! - **Hashed files** (`microconv.<hash>.wasm`, `microconv-check.<hash>.js`):
//!   cached for a year and immutable, since a new build gives them new names;
//!   a repeat page view then loads the module without a request.
//! - **The loader** (`microconv.js`, a fixed name that points to the current
//!   hashed files): `no-cache`, so a page revalidates it (a 304 without a
//!   change) and never runs a loader older than the deployed files.

use axum::extract::Request;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::compression::CompressionLayer;

use super::AppState;

/// `Cache-Control` of a hashed file.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The service for `dir` (mounted at `/microconv`).
pub fn files(dir: &Path) -> Router<AppState> {
    super::files::safe_dir(dir, None)
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(cache_control))
}

/// Sets `Cache-Control` on successful answers by the file name's kind.
pub(super) async fn cache_control(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        let value = if hashed { IMMUTABLE } else { "no-cache" };
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res
}

/// Whether the path's file name carries a content hash: `<name>.<12 hex>.<ext>`.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let mut parts = name.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(n), Some(hash), Some(ext), None) => {
            !n.is_empty()
                && !ext.is_empty()
                && hash.len() == 12
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("/microconv.6ab0b83cf47c.wasm"));
        assert!(is_hashed("/a/microconv-check.b2d030390e72.js"));
        assert!(!is_hashed("/microconv.js"));
        assert!(!is_hashed("/microconv.6ab0b83cf47.wasm"));
        assert!(!is_hashed("/microconv.6ab0b83cf47g.wasm"));
        assert!(!is_hashed("/x.6ab0b83cf47c.min.js"));
        assert!(!is_hashed("/.6ab0b83cf47c.js"));
    }
}
