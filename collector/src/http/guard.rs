//! What every answer goes through: the `Host` allowlist (against DNS
//! rebinding) and the security headers.

use super::AppState;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

/// The report's and login page's policy: their own scripts and styles only.
pub const REPORT_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Whether `host` (a `Host` header, port included) may be answered:
/// `localhost`, an IP address, or a name in `allowed`. A DNS-rebinding page
/// reaches the collector under the attacker's own name, which is none of these.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        // [v6]:port
        Some(rest) => match rest.split_once(']') {
            Some((v6, _)) => return v6.parse::<IpAddr>().is_ok(),
            None => return false,
        },
        None => host.rsplit_once(':').map_or(host, |(n, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                n
            } else {
                host
            }
        }),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.parse::<IpAddr>().is_ok() || allowed.contains(&name)
}

/// Refuses a request for a host name the collector does not serve (421),
/// and sets the security headers on what the collector itself answers.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or("")
        .to_string();
    if !host_allowed(&host, &state.settings.hosts) {
        tracing::warn!("refused a request for host {host:?} (not in --allow-host)");
        let mut res = (
            StatusCode::MISDIRECTED_REQUEST,
            format!("host not served here: {host:?} (the collector's --allow-host)\n"),
        )
            .into_response();
        secure(&mut res, false);
        return res;
    }
    let path = req.uri().path().to_string();
    let own_page = path == "/report"
        || path.starts_with("/report/")
        || path == "/login"
        || path.starts_with("/share/");
    let mut res = next.run(req).await;
    secure(&mut res, own_page);
    res
}

fn secure(res: &mut Response, own_page: bool) {
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let is_json_or_text = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/plain"));
    if own_page || is_json_or_text {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        h.insert(
            "cross-origin-opener-policy",
            HeaderValue::from_static("same-origin"),
        );
    }
    if own_page {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(REPORT_CSP),
        );
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    } else if is_json_or_text {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[test]
    fn hosts() {
        let allowed = vec!["analytics.example.com".to_string()];
        for ok in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:9000",
            "[::1]:8080",
            "10.1.2.3",
            "analytics.example.com",
            "Analytics.Example.com.:443",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "",
            "[::1",
            "localhost.evil.example",
        ] {
            assert!(!host_allowed(bad, &allowed), "{bad}");
        }
    }
}
