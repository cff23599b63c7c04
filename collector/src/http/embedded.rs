//! The tag's files built into the binary (`--features embed-tag`, from
//! `dist/` at build time), so that one file serves the tag, the rules and the
//! collector. Served as [`super::tag`] serves a folder: compressed, cached by
//! kind, with an `ETag`.

use axum::extract::Path;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;

use super::AppState;

#[derive(rust_embed::Embed)]
#[folder = "../dist/"]
struct TagFiles;

/// Whether the binary has the tag in it (a `dist/` with the loader).
pub fn present() -> bool {
    TagFiles::get("microconv.js").is_some()
}

/// The routes (mounted at `/microconv`).
pub fn files() -> Router<AppState> {
    Router::new()
        .route("/{*path}", get(file))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(super::tag::cache_control))
}

async fn file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(f) = TagFiles::get(&path) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let etag = format!(
        "\"{}\"",
        crate::store::shares::hex(&f.metadata.sha256_hash()[..12])
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let kind = f.metadata.mimetype().to_string();
    let mut res = f.data.into_owned().into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&kind)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex"));
    res
}
