//! One info line per request.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Logs method, path (no query: it may hold personal data; no share token),
/// status and time.
pub async fn log_request(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = match req.uri().path() {
        // A share link's token is a credential: not for the logs.
        p if p.starts_with("/share/") => "/share/…".to_string(),
        p => p.to_string(),
    };
    let res = next.run(req).await;
    tracing::info!(
        "{} {} {} {}us",
        method,
        path,
        res.status().as_u16(),
        start.elapsed().as_micros()
    );
    res
}
