//! HTTP routes: `/collect`, `/api/*`, `/report`, and the static folders.

mod api;
mod collect;
mod cors;
mod log;
mod tag;

use crate::store::Store;
use crate::writer::Writer;
use axum::routing::{get, post};
use axum::Router;
use std::path::Path;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};

pub use collect::MAX_BODY;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database (reads).
    pub store: Arc<Store>,
    /// The writer thread (beacons).
    pub writer: Writer,
    /// Allowed site origins; empty means any.
    pub origins: Arc<Vec<String>>,
}

impl AppState {
    /// State for `store`, starting its writer thread.
    pub fn new(store: Store, origins: Vec<String>) -> AppState {
        let store = Arc::new(store);
        AppState {
            writer: Writer::spawn(store.clone()),
            store,
            origins: Arc::new(origins),
        }
    }
}

/// The whole application: API routes, the report, `tag_dir` at `/microconv/`
/// (compressed and cached as [`tag::files`] says) and `static_dir` at `/`
/// (with HTTP Range support for media). The
/// single-page demo's routes (`/spa/<route>`) answer with `spa/index.html`,
/// as an SPA's server would (history fallback), so a route can be reloaded.
pub fn router(state: AppState, static_dir: &Path, tag_dir: &Path) -> Router {
    Router::new()
        .route(
            "/collect",
            post(collect::collect).options(collect::preflight),
        )
        .route("/api/conversions", get(api::conversions))
        .route("/api/summary", get(api::summary))
        .route("/report", get(api::report))
        .route("/report/", get(api::report))
        .nest("/microconv", tag::files(tag_dir))
        .nest_service(
            "/spa",
            ServeDir::new(static_dir.join("spa"))
                .fallback(ServeFile::new(static_dir.join("spa/index.html"))),
        )
        .fallback_service(ServeDir::new(static_dir))
        .layer(axum::middleware::from_fn(log::log_request))
        .with_state(state)
}
