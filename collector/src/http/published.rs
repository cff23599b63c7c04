//! Each site's rules (`--site HOST=RULES`, or `--rules FILE`), published on the fly: what
//! `microconv publish` would write. The file is read on each request (a few
//! KB) but validated and published again only when its text changed, so an
//! edit is live at once and a page view costs no parse. Served with `Cache-Control: no-cache` and the rules'
//! hash as `ETag`: a page revalidates (a 304 when nothing changed) and never
//! runs stale rules. At `/microconv/rules/HOST` for each site, at
//! `/microconv/rules` for `--rules` (or the only site), and at a file's own path when
//! it lies in the `--static` site (so the demo's `data-rules="/rules.json"`
//! gets the published form).

use std::path::{Component, Path};

use axum::extract::State;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::AppState;

/// `GET /microconv/rules`: the `--rules` file published, or with one
/// `--site` and no `--rules`, that site's.
pub async fn rules(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let settings = &state.settings;
    let only_site = (settings.sites.len() == 1)
        .then(|| settings.sites.values().next().map(|r| r.file.clone()))
        .flatten();
    let file = settings.rules_file.clone().or(only_site);
    let missing = "no --rules file: a site's rules are at /microconv/rules/HOST";
    serve_or(&state, file, &headers, missing).await
}

/// `GET /microconv/rules/{host}`: that `--site`'s rules published.
pub async fn site_rules(
    State(state): State<AppState>,
    axum::extract::Path(host): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let file = (state.settings.sites.get(&host.to_ascii_lowercase())).map(|r| r.file.clone());
    let missing = "unknown site: start the collector with --site HOST=RULES";
    serve_or(&state, file, &headers, missing).await
}

/// `GET` of a rules file's own path in the `--static` folder (`/rules.json`).
pub async fn own_path(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let settings = &state.settings;
    let file = settings.static_dir.as_ref().and_then(|dir| {
        (settings.rules_file.iter())
            .chain(settings.sites.values().map(|r| &r.file))
            .find(|f| site_path(dir, f).as_deref() == Some(uri.path()))
            .cloned()
    });
    match file {
        Some(path) => serve(&state, &path, &headers).await,
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The rules `file` published, or a 404 saying what is `missing`.
async fn serve_or(
    state: &AppState,
    file: Option<std::path::PathBuf>,
    headers: &HeaderMap,
    missing: &'static str,
) -> Response {
    match file {
        Some(path) => serve(state, &path, headers).await,
        None => (StatusCode::NOT_FOUND, missing).into_response(),
    }
}

/// The rules file at `path`, published, revalidated by `ETag`.
async fn serve(state: &AppState, path: &Path, headers: &HeaderMap) -> Response {
    let published = match publish(&state.published, path).await {
        Ok(p) => p,
        Err(reason) => return unavailable(reason),
    };
    let tag = format!("\"{}\"", published.hash);
    let mut res = if matches(headers, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        published.text.clone().into_response()
    };
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // The rules are public (every visitor downloads them); a tag on another
    // origin may read them.
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(ETAG, v);
    }
    res
}

/// The published form of a rules file, and what it was made from.
#[derive(Debug, Clone)]
pub struct Published {
    /// The file's text it was published from.
    source: String,
    /// The published text.
    text: String,
    /// Its hash.
    hash: String,
}

/// The rules published last, by file (one per site).
pub type Cache = std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, Published>>;

/// The published form of `path`: the cached one while the file's text is
/// unchanged, else validated and published again (a file with defects is not).
async fn publish(cache: &Cache, path: &Path) -> Result<Published, &'static str> {
    let text = tokio::fs::read_to_string(path).await.map_err(|e| {
        tracing::error!("--rules {}: {e}", path.display());
        "the site's rules file cannot be read"
    })?;
    let lock = || cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(p) = lock().get(path).filter(|p| p.source == text) {
        return Ok(p.clone());
    }
    let parsed = microconv::rules::parse(&text);
    if let Some(first) = parsed.errors.first() {
        tracing::error!(
            "--rules {}: {} defect(s), first: {first}; not published (run `microconv check`)",
            path.display(),
            parsed.errors.len()
        );
        return Err("the site's rules have defects: run `microconv check` on them");
    }
    let published = Published {
        text: microconv::published::write(&parsed.rules),
        hash: microconv::published::hash_of(&parsed.rules),
        source: text,
    };
    lock().insert(path.to_path_buf(), published.clone());
    Ok(published)
}

/// Whether `If-None-Match` lists `tag` (or `*`).
fn matches(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

fn unavailable(reason: &str) -> Response {
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(serde_json::json!({ "error": reason })),
    )
        .into_response();
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The URL path of `file` inside the site folder `site`, when it lies there
/// (`/rules.json`); `None` otherwise.
pub fn site_path(site: &Path, file: &Path) -> Option<String> {
    let site = std::fs::canonicalize(site).ok()?;
    let file = std::fs::canonicalize(file).ok()?;
    let rel = file.strip_prefix(&site).ok()?;
    let mut out = String::new();
    for c in rel.components() {
        let Component::Normal(part) = c else {
            return None;
        };
        let part = part.to_str()?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_graphic() && b != b'%') {
            return None;
        }
        out.push('/');
        out.push_str(part);
    }
    (!out.is_empty()).then_some(out)
}
