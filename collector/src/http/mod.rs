//! HTTP routes: `/collect`, `/api/*`, `/report`, `/login`, share links, and
//! the served folders, behind the host allowlist and security headers.

mod api;
pub mod auth;
mod collect;
pub mod cors;
#[cfg(feature = "embed-tag")]
mod embedded;
pub mod files;
pub mod guard;
pub mod limits;
mod log;
pub mod published;
mod tag;

use crate::store::Store;
use crate::writer::Writer;
use axum::routing::{delete, get, post};
use axum::Router;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

pub use collect::MAX_BODY;

/// What the routes need to know, from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Allowed site origins; empty means any.
    pub origins: Vec<String>,
    /// Host names answered besides `localhost` and IP addresses.
    pub hosts: Vec<String>,
    /// The macro conversions (from the rules' triggers).
    pub macros: HashSet<String>,
    /// The rules' funnels, for the report.
    pub funnels: Vec<microconv::rules::model::Funnel>,
    /// The configured sites (`--site HOST=RULES`), by host: each one's macro
    /// conversions and funnels. Empty: every host, with the ones above.
    pub sites: std::collections::HashMap<String, crate::rules::SiteRules>,
    /// The folder at `/`, if any.
    pub static_dir: Option<PathBuf>,
    /// The folder at `/microconv/`, if any.
    pub tag_dir: Option<PathBuf>,
    /// The site's rules file, served published at `/microconv/rules`.
    pub rules_file: Option<PathBuf>,
    /// Events per minute per client address (0: none).
    pub limit_ip: u32,
    /// Events per minute per session (0: none).
    pub limit_session: u32,
    /// The proxy header holding the client's address.
    pub client_ip_header: Option<String>,
    /// Requests waiting for the writer, at most.
    pub queue: usize,
    /// How long a request (its body included) may take.
    pub request_timeout: Duration,
}

impl Default for Settings {
    /// Open to every origin, no site folder, the default limits.
    fn default() -> Self {
        Settings {
            origins: Vec::new(),
            hosts: Vec::new(),
            macros: HashSet::new(),
            funnels: Vec::new(),
            sites: Default::default(),
            static_dir: None,
            tag_dir: None,
            rules_file: None,
            limit_ip: crate::config::DEFAULT_LIMIT_IP,
            limit_session: crate::config::DEFAULT_LIMIT_SESSION,
            client_ip_header: None,
            queue: crate::writer::DEFAULT_QUEUE,
            request_timeout: Duration::from_secs(crate::config::DEFAULT_REQUEST_TIMEOUT),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database (reads).
    pub store: Arc<Store>,
    /// The writer thread (beacons, erasure, retention).
    pub writer: Writer,
    /// The configuration the routes read.
    pub settings: Arc<Settings>,
    /// Credentials and logins.
    pub auth: Arc<auth::Auth>,
    /// `/collect`'s rate limits.
    pub limits: Arc<limits::CollectLimits>,
    /// Beacon bodies read at once, at most: memory stays bounded under a flood.
    pub body_slots: Arc<Semaphore>,
    /// The rules published last, by the file's modification time and size.
    pub published: Arc<published::Cache>,
}

/// Beacon bodies read and parsed at once (64 KB each at most).
const BODY_SLOTS: usize = 128;

impl AppState {
    /// State for `store`, starting its writer thread.
    pub fn new(store: Store, settings: Settings, auth: auth::Auth) -> AppState {
        let store = Arc::new(store);
        AppState {
            writer: Writer::spawn(store.clone(), settings.queue),
            store,
            limits: Arc::new(limits::CollectLimits::new(
                settings.limit_ip,
                settings.limit_session,
            )),
            settings: Arc::new(settings),
            auth: Arc::new(auth),
            body_slots: Arc::new(Semaphore::new(BODY_SLOTS)),
            published: Arc::default(),
        }
    }
}

/// The whole application: API routes, the report, the tag folder at
/// `/microconv/` (compressed and cached as [`tag::files`] says) and the site
/// folder at `/` (with HTTP Range support for media), when configured. The
/// single-page demo's routes (`/spa/<route>`) answer with `spa/index.html`,
/// as an SPA's server would (history fallback), so a route can be reloaded.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .route(
            "/collect",
            post(collect::collect).options(collect::preflight),
        )
        .route("/api/conversions", get(api::conversions))
        .route("/api/summary", get(api::summary))
        .route("/api/sites", get(api::sites))
        .route("/api/report", get(api::report_api))
        .route("/api/export", get(api::export))
        .route("/api/shares", get(api::shares).post(api::create_share))
        .route("/api/shares/{id}", delete(api::revoke_share))
        .route("/api/sessions/{id}", delete(api::erase_session))
        .route("/api/visitors/{id}", delete(api::erase_visitor))
        .route("/report", get(api::report))
        .route("/report/", get(api::report))
        .route("/report/{file}", get(api::report_asset))
        .route("/share/{token}", get(api::shared_report))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout));
    app = app
        .route("/microconv/rules", get(published::rules))
        .route("/microconv/rules/{site}", get(published::site_rules));
    // A rules file inside the site folder is served published at its own
    // path too, so `data-rules="/rules.json"` gets the fast form.
    let mut own_paths: Vec<String> = Vec::new();
    if let Some(dir) = &state.settings.static_dir {
        let files = (state.settings.rules_file.iter())
            .chain(state.settings.sites.values().map(|r| &r.file));
        for file in files {
            if let Some(p) = published::site_path(dir, file).filter(|p| !own_paths.contains(p)) {
                own_paths.push(p);
            }
        }
    }
    for p in &own_paths {
        app = app.route(p, get(published::own_path));
    }
    if let Some(dir) = &state.settings.tag_dir {
        app = app.nest("/microconv", tag::files(dir));
    } else {
        #[cfg(feature = "embed-tag")]
        if embedded::present() {
            app = app.nest("/microconv", embedded::files());
        }
    }
    if let Some(dir) = &state.settings.static_dir {
        let spa = dir.join("spa");
        app = app
            .nest("/spa", files::safe_dir(&spa, Some(&spa.join("index.html"))))
            .fallback_service(files::safe_dir::<()>(dir, None));
    }
    app.layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        state.settings.request_timeout,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        guard::guard,
    ))
    .layer(axum::middleware::from_fn(log::log_request))
    .with_state(state)
}
