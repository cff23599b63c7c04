//! Origin allowlist and CORS headers for `/collect`.

use axum::http::header::{self, HeaderMap, HeaderValue};

/// What the allowlist says about a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed; add these CORS headers to the answer.
    Allow(Vec<(header::HeaderName, HeaderValue)>),
    /// Refused: this origin (the field) is not in the allowlist. The answer
    /// still carries CORS headers for it, so the page's script can read why.
    Deny(String),
}

/// Checks the request's `Origin` against `allowed` (empty: any origin).
/// No `Origin` header (a server, curl) and the collector's own origin are always
/// allowed: the allowlist is about which sites may post from browsers.
pub fn check(headers: &HeaderMap, allowed: &[String]) -> Verdict {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Verdict::Allow(any(allowed));
    };
    if allowed.is_empty() {
        return Verdict::Allow(any(allowed));
    }
    let text = origin.to_str().unwrap_or("");
    if is_own_origin(headers, text) || allowed.iter().any(|a| a == text) {
        Verdict::Allow(vec![
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()),
            (header::VARY, HeaderValue::from_static("Origin")),
            expose_retry_after(),
        ])
    } else {
        Verdict::Deny(text.to_string())
    }
}

fn any(allowed: &[String]) -> Vec<(header::HeaderName, HeaderValue)> {
    if allowed.is_empty() {
        vec![
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
            expose_retry_after(),
        ]
    } else {
        Vec::new()
    }
}

/// Lets the tag read `Retry-After` of a 429 or 503 on another origin (a
/// CORS response shows a script only the safelisted headers otherwise).
fn expose_retry_after() -> (header::HeaderName, HeaderValue) {
    (
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After"),
    )
}

/// The CORS headers of a refusal sent to `origin`: the browser then shows the
/// tag the 403 and its reason instead of a bare CORS error.
pub fn refusal_headers(origin: &str) -> Vec<(header::HeaderName, HeaderValue)> {
    let mut h = vec![(header::VARY, HeaderValue::from_static("Origin"))];
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.push((header::ACCESS_CONTROL_ALLOW_ORIGIN, v));
    }
    h
}

/// Whether `origin` is the collector's own (the request's `Host`, by http or https).
pub fn is_own_origin(headers: &HeaderMap, origin: &str) -> bool {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|host| {
            origin == format!("http://{host}") || origin == format!("https://{host}")
        })
}
