//! `POST /collect` and its CORS preflight.

use super::cors::{self, Verdict};
use super::limits::{client_ip, retry_after_secs, PeerAddr};
use super::AppState;
use crate::beacon;
use crate::writer::WriteError;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

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

/// A refused origin: 403 with CORS headers for it and a JSON reason (the tag
/// reads it, drops those events and says so in the console), logged with the
/// origin.
fn refuse_origin(origin: &str) -> Response {
    tracing::warn!("refused a beacon from origin {origin:?}: not in --allow-origin");
    let body = serde_json::json!({
        "error": "origin not allowed",
        "origin": origin,
        "hint": "add it to the collector's --allow-origin",
    });
    with_headers(
        (StatusCode::FORBIDDEN, axum::Json(body)).into_response(),
        cors::refusal_headers(origin),
    )
}

/// An answer sent before the request's body was read: the connection can't
/// carry another request (the rest of the body is still coming), so the
/// client is told to open a new one instead of writing into a closing socket.
fn unread(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// 429 or 503 with `Retry-After` (seconds).
fn retry_later(status: StatusCode, secs: u64, reason: &str) -> Response {
    let mut res = refuse(status, reason);
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

/// How long a beacon waits for a body slot before a 503.
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Validates the beacon, stores its events (a known id is skipped) and answers
/// 204 once they are on disk; any defect answers 4xx with a one-line reason
/// and stores nothing.
pub async fn collect(
    State(state): State<AppState>,
    peer: Option<axum::Extension<PeerAddr>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let cors_headers = match cors::check(&headers, &state.settings.origins) {
        Verdict::Allow(h) => h,
        Verdict::Deny(origin) => return unread(refuse_origin(&origin)),
    };
    let ip = client_ip(
        &headers,
        peer.map(|p| p.0),
        state.settings.client_ip_header.as_deref(),
    );
    let res = handle(&state, ip, &headers, body).await;
    with_headers(res, cors_headers)
}

async fn handle(state: &AppState, ip: IpAddr, headers: &HeaderMap, body: Body) -> Response {
    if !content_type_ok(headers) {
        return unread(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type must be text/plain or application/json",
        ));
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
        return unread(too_large());
    }
    // A client past its allowance is refused before its body is read: a
    // flood costs the collector a header parse per request, no more. (The
    // request's first event is taken here, the others once they are counted.)
    if let Err(wait) = state.limits.ip.take(&ip, 1) {
        return unread(limited(ip, wait));
    }
    // Bodies are read a bounded number at a time: a flood of large bodies
    // waits here (or gets a 503) instead of filling the memory.
    let Ok(Ok(slot)) = tokio::time::timeout(SLOT_WAIT, state.body_slots.acquire()).await else {
        return unread(retry_later(
            StatusCode::SERVICE_UNAVAILABLE,
            1,
            "busy: try again shortly",
        ));
    };
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return unread(too_large()),
    };
    let mut events = match beacon::parse(&bytes) {
        Ok(e) => e,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e.0),
    };
    // Parsed: what waits for the writer is bounded by its queue.
    drop((bytes, slot));
    if let Err(wait) = check_limits(state, ip, &events) {
        return limited(ip, wait);
    }
    let bot = crate::bots::is_bot(
        headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    );
    // The macro flag is the site's rules' word, never the beacon's; a site
    // the collector does not know is refused, whole.
    for e in &mut events {
        e.bot = bot;
        let site = e.site();
        let Some(macros) = state.settings.site_macros(&site) else {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("unknown site: {site} is not one of this collector's --site hosts"),
            );
        };
        e.is_macro = macros.contains(&e.conversion);
    }
    match state.writer.write(events).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(WriteError::Busy) => retry_later(
            StatusCode::SERVICE_UNAVAILABLE,
            1,
            "busy: try again shortly",
        ),
        Err(WriteError::Store(e)) => {
            tracing::error!("store error: {e}");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "store error")
        }
    }
}

/// A 429 for a client past its allowance.
fn limited(ip: IpAddr, wait: std::time::Duration) -> Response {
    tracing::debug!("rate limit: a request from {ip} refused");
    retry_later(
        StatusCode::TOO_MANY_REQUESTS,
        retry_after_secs(wait),
        "too many events from this client: slow down",
    )
}

/// Takes the request's events (but the first, taken already) from its
/// client's allowance, and all of them from each session's.
fn check_limits(
    state: &AppState,
    ip: IpAddr,
    events: &[beacon::Event],
) -> Result<(), std::time::Duration> {
    state
        .limits
        .ip
        .take(&ip, (events.len() as u32).saturating_sub(1))?;
    let mut per_session: Vec<(&str, u32)> = Vec::new();
    for e in events {
        if let Some(s) = e.session.as_deref() {
            match per_session.iter_mut().find(|(k, _)| *k == s) {
                Some((_, n)) => *n += 1,
                None => per_session.push((s, 1)),
            }
        }
    }
    for (session, n) in per_session {
        state.limits.session.take(&session.to_string(), n)?;
    }
    Ok(())
}

/// CORS preflight (only a cross-origin `application/json` post needs one).
pub async fn preflight(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let mut extra = match cors::check(&headers, &state.settings.origins) {
        Verdict::Allow(h) => h,
        Verdict::Deny(origin) => return refuse_origin(&origin),
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
