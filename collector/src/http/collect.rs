//! `POST /collect` and its CORS preflight.

use super::cors::{self, Verdict};
use super::AppState;
use crate::beacon;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Largest accepted body (the tag keeps requests under 60 KB).
pub const MAX_BODY: usize = 64 * 1024;

fn refuse(status: StatusCode, reason: impl Into<String>) -> Response {
    let mut reason = reason.into();
    reason.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        reason,
    )
        .into_response()
}

fn with_headers(mut res: Response, extra: Vec<(header::HeaderName, HeaderValue)>) -> Response {
    for (k, v) in extra {
        res.headers_mut().insert(k, v);
    }
    res
}

/// Accepts `text/plain` (what `sendBeacon` sends, no preflight needed) and
/// `application/json`; a missing type is taken as text.
fn content_type_ok(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let essence = ct
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "text/plain" || essence == "application/json"
}

/// Validates the beacon, stores its events (a known id is skipped) and answers
/// 204; any defect answers 4xx with a one-line reason and stores nothing.
pub async fn collect(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let cors_headers = match cors::check(&headers, &state.origins) {
        Verdict::Allow(h) => h,
        Verdict::Deny(reason) => return refuse(StatusCode::FORBIDDEN, reason),
    };
    let res = handle(&state, &headers, body).await;
    with_headers(res, cors_headers)
}

async fn handle(state: &AppState, headers: &HeaderMap, body: Body) -> Response {
    if !content_type_ok(headers) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type must be text/plain or application/json",
        );
    }
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body over {MAX_BODY} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return too_large(),
    };
    let events = match beacon::parse(&bytes) {
        Ok(e) => e,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e.0),
    };
    match state.writer.write(events).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            tracing::error!("store error: {e}");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "store error")
        }
    }
}

/// CORS preflight (only a cross-origin `application/json` post needs one).
pub async fn preflight(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let mut extra = match cors::check(&headers, &state.origins) {
        Verdict::Allow(h) => h,
        Verdict::Deny(reason) => return refuse(StatusCode::FORBIDDEN, reason),
    };
    let req_headers = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static("content-type"));
    extra.push((
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    ));
    extra.push((header::ACCESS_CONTROL_ALLOW_HEADERS, req_headers));
    extra.push((
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    ));
    with_headers(StatusCode::NO_CONTENT.into_response(), extra)
}
