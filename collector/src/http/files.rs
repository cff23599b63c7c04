//! Folders served as files (the site with `--static`, the tag's `dist/`),
//! with what `ServeDir` alone lets through closed: no path that resolves
//! outside the folder (a symlink to `/etc/passwd`), no dotfile or dot-folder
//! (`/.env`, `/.git/config`), and no empty segment (`//media`, whose
//! directory redirect `//media/` is a protocol-relative URL to another host).

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::services::ServeDir;

/// `ServeDir` over `dir` behind [`check`]; `fallback` (a file of the folder)
/// answers paths that are not found, as an SPA's history fallback does.
pub fn safe_dir<S: Clone + Send + Sync + 'static>(
    dir: &Path,
    fallback: Option<&Path>,
) -> Router<S> {
    let root = Arc::new(dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()));
    let serve = ServeDir::new(dir);
    let router = match fallback {
        Some(f) => {
            Router::new().fallback_service(serve.fallback(tower_http::services::ServeFile::new(f)))
        }
        None => Router::new().fallback_service(serve),
    };
    router.layer(middleware::from_fn(move |req: Request, next: Next| {
        let root = root.clone();
        async move {
            if allowed(&root, req.uri().path()) {
                next.run(req).await
            } else {
                not_found()
            }
        }
    }))
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// Whether the URL path may be served from `root` (canonical).
pub fn allowed(root: &Path, url_path: &str) -> bool {
    let Ok(decoded) = percent_encoding::percent_decode_str(url_path).decode_utf8() else {
        return false;
    };
    let trimmed = decoded.strip_prefix('/').unwrap_or(&decoded);
    let segments: Vec<&str> = trimmed.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        // A trailing slash leaves one empty last segment: a folder's index.
        if (seg.is_empty() && i != last) || seg.starts_with('.') || seg.contains('\\') {
            return false;
        }
    }
    let mut path = PathBuf::from(root);
    path.extend(segments.iter().filter(|s| !s.is_empty()));
    // A path that does not exist is ServeDir's 404 (or the fallback); one
    // that does must stay inside the folder once every symlink is followed.
    match path.canonicalize() {
        Ok(real) => real.starts_with(root),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn inside_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("media")).unwrap();
        std::fs::write(root.join("media/a.webm"), "x").unwrap();
        std::fs::write(root.join(".env"), "SECRET=1").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("passwd")).unwrap();
        std::os::unix::fs::symlink(root.join("media"), root.join("m")).unwrap();
        assert!(allowed(&root, "/media/a.webm"));
        assert!(allowed(&root, "/media/"));
        assert!(
            allowed(&root, "/m/a.webm"),
            "a symlink inside the folder is fine"
        );
        assert!(allowed(&root, "/missing.html"));
        for bad in [
            "/passwd",
            "/.env",
            "/%2eenv",
            "/media/../.env",
            "//media",
            "/media//a.webm",
            "/.git/config",
            "/%2e%2e/etc/passwd",
            "/a\\b",
        ] {
            assert!(!allowed(&root, bad), "{bad}");
        }
    }
}
