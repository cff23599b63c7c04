//! The report page and the JSON API, each behind [`auth`]: reads need the
//! admin or a share link (limited to its site), changes need the admin.

use super::auth::{self, Access};
use super::AppState;
use crate::store::lifecycle::{ExportFilter, ExportFormat, Subject};
use crate::store::{EventQuery, SummaryQuery};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::json;

fn failed(e: impl std::fmt::Display) -> Response {
    tracing::error!("store error: {e}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"error": "store error"})),
    )
        .into_response()
}

/// The value of a blocking or writer-thread store call, or the 500 for it.
// The error is the answer itself, returned at once: boxing it gains nothing.
#[allow(clippy::result_large_err)]
fn stored<T, E1: std::fmt::Display, E2: std::fmt::Display>(
    r: Result<Result<T, E1>, E2>,
) -> Result<T, Response> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(failed(e)),
        Err(e) => Err(failed(e)),
    }
}

fn bad_request(reason: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": reason.into()})),
    )
        .into_response()
}

fn no_store(res: Response) -> Response {
    let mut res = res;
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

/// Runs a blocking store read and answers its JSON.
async fn read_json<T: serde::Serialize + Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Response {
    match stored(tokio::task::spawn_blocking(f).await) {
        Ok(v) => no_store(Json(v).into_response()),
        Err(res) => res,
    }
}

/// Stored events, newest first:
/// `?conversion=&trigger=&session=&visitor=&site=&path=&since=&until=&limit=&offset=&kind=`
/// (`kind=visit`: the sessions' starts instead of conversions), and
/// `next_offset`, the next page's `offset` (`null` on the last page).
pub async fn conversions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(mut q): Query<EventQuery>,
) -> Response {
    let access = match auth::access(&state, &headers).await {
        Ok(a) => a,
        Err(d) => return d.into_json(),
    };
    q.site = access.scope(q.site).map(|s| s.to_ascii_lowercase());
    let limit = q.limit.unwrap_or(100).clamp(1, crate::store::MAX_LIMIT);
    let offset = q.offset.unwrap_or(0).min(crate::store::MAX_OFFSET);
    (q.limit, q.offset) = (Some(limit + 1), Some(offset));
    let store = state.store.clone();
    read_json(move || {
        let mut events = store.events(&q)?;
        let more = events.len() > limit as usize;
        events.truncate(limit as usize);
        let next = (more && offset + limit <= crate::store::MAX_OFFSET).then_some(offset + limit);
        Ok(json!({ "events": events, "next_offset": next }))
    })
    .await
}

/// `GET /api/sites`: the sites a report can be asked for, by name: the
/// configured ones (`--site`), else every site seen; a share link's only.
pub async fn sites(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let access = match auth::access(&state, &headers).await {
        Ok(a) => a,
        Err(d) => return d.into_json(),
    };
    if let Access::Site(site) = access {
        return no_store(Json(json!({ "sites": [site] })).into_response());
    }
    let mut configured: Vec<String> = state.settings.sites.keys().cloned().collect();
    if !configured.is_empty() {
        configured.sort();
        return no_store(Json(json!({ "sites": configured })).into_response());
    }
    let store = state.store.clone();
    read_json(move || store.sites().map(|s| json!({ "sites": s }))).await
}

/// Counts per conversion, trigger and page, and the funnel: `?since=&site=&macro=`.
/// The macro conversions are the rules' unless `macro` names others.
pub async fn summary(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(mut q): Query<SummaryQuery>,
) -> Response {
    let access = match auth::access(&state, &headers).await {
        Ok(a) => a,
        Err(d) => return d.into_json(),
    };
    q.site = access.scope(q.site).map(|s| s.to_ascii_lowercase());
    if q.macro_conversion
        .as_deref()
        .is_none_or(|m| m.trim().is_empty())
    {
        let macros = match q.site.as_deref() {
            Some(site) => match state.settings.site_rules(site) {
                Some(r) => r.macros,
                None => return bad_request(format!("unknown site: {site}")),
            },
            None => state.settings.all_sites_rules().macros,
        };
        let mut rules: Vec<&String> = macros.iter().collect();
        rules.sort();
        q.macro_conversion = Some(rules.into_iter().cloned().collect::<Vec<_>>().join(","));
    }
    let store = state.store.clone();
    read_json(move || store.summary(&q)).await
}

/// The report's answers (`docs/api.md`): `?site=&from=&to=&tz=`.
/// Sessions from every event (visits included), the macro conversions the
/// site's rules mark, and per micro conversion the sessions that did it
/// before converting against the rest, with intervals and significance.
pub async fn report_api(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(mut q): Query<crate::report::ReportQuery>,
) -> Response {
    let access = match auth::access(&state, &headers).await {
        Ok(a) => a,
        Err(d) => return d.into_json(),
    };
    q.site = access.scope(q.site).map(|s| s.to_ascii_lowercase());
    let range = match crate::report::Range::of(&q) {
        Ok(r) => r,
        Err(reason) => return bad_request(reason),
    };
    // The site's rules: its --site file, else --rules.
    let rules = match q.site.as_deref() {
        Some(site) => match state.settings.site_rules(site) {
            Some(r) => r,
            None => return bad_request(format!("unknown site: {site}")),
        },
        None => state.settings.all_sites_rules(),
    };
    let mut macros: Vec<String> = rules.macros.into_iter().collect();
    macros.sort();
    let funnels = rules.funnels;
    let store = state.store.clone();
    read_json(move || {
        let site = q.site.as_deref();
        // One read from the previous period's start: both periods' sessions.
        let (from, to) = range.ms();
        let before = range.previous();
        let (before_from, _) = before.ms();
        let rows = store.sessions(site, before_from, to)?;
        let (earlier, now): (Vec<_>, Vec<_>) = rows.into_iter().partition(|s| s.first_at < from);
        let days = |r: crate::report::Range| (r.from, r.to, r.tz);
        let counts = crate::report::compute::count(&now, &macros, &funnels, days(range));
        let previous = crate::report::compute::count(&earlier, &macros, &[], days(before));
        Ok::<_, crate::store::StoreError>(crate::report::build(
            counts,
            &previous.all,
            q.site,
            range,
            macros,
            &funnels,
        ))
    })
    .await
}

/// `GET /api/export` options.
#[derive(Debug, serde::Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    site: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
}

/// Every stored event (of a share link's site only), oldest first, as
/// `?format=ndjson` (default) or `csv`; `?site=&since=&until=` (epoch ms).
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Response {
    let access = match auth::access(&state, &headers).await {
        Ok(a) => a,
        Err(d) => return d.into_json(),
    };
    let format: ExportFormat = match q.format.as_deref().unwrap_or("ndjson").parse() {
        Ok(f) => f,
        Err(e) => return bad_request(e),
    };
    let filter = ExportFilter {
        site: access.scope(q.site),
        since: q.since,
        until: q.until,
    };
    let store = state.store.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut buf = Vec::new();
        store.export(format, &filter, &mut buf).map(|_| buf)
    })
    .await;
    let (kind, name) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "microconv-events.csv"),
        ExportFormat::Ndjson => ("application/x-ndjson", "microconv-events.ndjson"),
    };
    match stored(out) {
        Ok(body) => no_store(
            (
                [
                    (header::CONTENT_TYPE, kind.to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                body,
            )
                .into_response(),
        ),
        Err(res) => res,
    }
}

/// `POST /api/shares` body.
#[derive(Debug, serde::Deserialize)]
pub struct NewShare {
    site: String,
    #[serde(default)]
    label: String,
}

/// `GET /api/shares`: every share link (without tokens).
pub async fn shares(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match auth::access(&state, &headers).await {
        Ok(Access::Admin { .. }) => {}
        Ok(Access::Site(_)) => return auth::Denied::Forbidden("admin only").into_json(),
        Err(d) => return d.into_json(),
    }
    let store = state.store.clone();
    read_json(move || store.shares().map(|s| json!({ "shares": s }))).await
}

/// `POST /api/shares {"site", "label"}`: a new read-only link for one site;
/// its token is in this answer only.
pub async fn create_share(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(d) = auth::admin_change(&state, &headers).await {
        return d.into_json();
    }
    let new: NewShare = match serde_json::from_slice(&body) {
        Ok(n) => n,
        Err(e) => return bad_request(format!("body: {e}")),
    };
    let site = new.site.trim().to_ascii_lowercase();
    if site.is_empty() || site.len() > 253 || new.label.len() > 200 {
        return bad_request("site: a host name (at most 253 bytes); label: at most 200 bytes");
    }
    let label = new.label;
    let res = state
        .writer
        .run(move |s| s.create_share(&site, &label))
        .await;
    match stored(res) {
        Ok((share, token)) => (
            StatusCode::CREATED,
            Json(json!({ "share": share, "token": token, "url": format!("/share/{token}") })),
        )
            .into_response(),
        Err(res) => res,
    }
}

/// `DELETE /api/shares/{id}`: the link stops working at once.
pub async fn revoke_share(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    if let Err(d) = auth::admin_change(&state, &headers).await {
        return d.into_json();
    }
    match stored(state.writer.run(move |s| s.revoke_share(id)).await) {
        Ok(true) => Json(json!({ "revoked": id })).into_response(),
        Ok(false) => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such share link, or revoked already"})),
        )
            .into_response(),
        Err(res) => res,
    }
}

async fn erase(state: AppState, headers: HeaderMap, who: Subject) -> Response {
    if let Err(d) = auth::admin_change(&state, &headers).await {
        return d.into_json();
    }
    let what = format!("{who:?}");
    match stored(state.writer.run(move |s| s.erase(&who)).await) {
        Ok(n) => {
            tracing::info!("erased {n} events of {what}");
            Json(json!({ "erased": n })).into_response()
        }
        Err(res) => res,
    }
}

/// `DELETE /api/sessions/{id}`: erases the session's events.
pub async fn erase_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    erase(state, headers, Subject::Session(id)).await
}

/// `DELETE /api/visitors/{id}`: erases every event of the visitor.
pub async fn erase_visitor(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    erase(state, headers, Subject::Visitor(id)).await
}

fn report_page(csrf: &str, share: &str) -> Response {
    Html(
        include_str!("../report/page/report.html")
            .replace("{{csrf}}", &auth::escape(csrf))
            .replace("{{share}}", &auth::escape(share)),
    )
    .into_response()
}

/// The report page (static HTML that polls the API), for the admin; others
/// are sent to the login.
pub async fn report(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match auth::access(&state, &headers).await {
        Ok(Access::Admin { csrf }) => report_page(csrf.as_deref().unwrap_or(""), ""),
        _ => Redirect::to("/login?next=/report").into_response(),
    }
}

/// `/share/{token}`: the report of the link's site, read-only.
pub async fn shared_report(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let store = state.store.clone();
    let lookup = token.clone();
    match stored(tokio::task::spawn_blocking(move || store.share_site(&lookup)).await) {
        Ok(Some(_)) => report_page("", &token),
        Ok(None) => (StatusCode::NOT_FOUND, "no such share link (revoked?)\n").into_response(),
        Err(res) => res,
    }
}

/// The report page's scripts and styles, by file name (`report/page/`).
const REPORT_ASSETS: [(&str, &str, &str); 4] = [
    ("report.js", JS, include_str!("../report/page/report.js")),
    ("table.js", JS, include_str!("../report/page/table.js")),
    ("chart.js", JS, include_str!("../report/page/chart.js")),
    (
        "report.css",
        "text/css; charset=utf-8",
        include_str!("../report/page/report.css"),
    ),
];
const JS: &str = "text/javascript; charset=utf-8";

/// `GET /report/{file}`: one of the report page's scripts or its styles
/// (the login page's too).
pub async fn report_asset(Path(file): Path<String>) -> Response {
    match REPORT_ASSETS.iter().find(|(name, ..)| *name == file) {
        Some((_, kind, body)) => ([(header::CONTENT_TYPE, *kind)], *body).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
