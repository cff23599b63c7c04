//! `GET /api/conversions`, `GET /api/summary` and the `/report` page.

use super::AppState;
use crate::store::{EventQuery, SummaryQuery};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

fn failed(e: impl std::fmt::Display) -> Response {
    tracing::error!("store error: {e}");
    (StatusCode::INTERNAL_SERVER_ERROR, "store error\n").into_response()
}

fn no_store(res: Response) -> Response {
    let mut res = res;
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

/// Stored events, newest first: `?conversion=&trigger=&session=&path=&since=&limit=`.
pub async fn conversions(State(state): State<AppState>, Query(q): Query<EventQuery>) -> Response {
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.events(&q)).await {
        Ok(Ok(events)) => no_store(Json(serde_json::json!({ "events": events })).into_response()),
        Ok(Err(e)) => failed(e),
        Err(e) => failed(e),
    }
}

/// Counts per conversion, trigger and page, and the funnel: `?since=&macro=`.
pub async fn summary(State(state): State<AppState>, Query(q): Query<SummaryQuery>) -> Response {
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.summary(&q)).await {
        Ok(Ok(s)) => no_store(Json(s).into_response()),
        Ok(Err(e)) => failed(e),
        Err(e) => failed(e),
    }
}

/// The report page (static HTML that polls the API).
pub async fn report() -> Response {
    Html(include_str!("../report/report.html")).into_response()
}
