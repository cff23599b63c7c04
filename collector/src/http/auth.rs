//! Who may read the report and the API.
//!
//! - **The admin** logs in at `/login` with the admin password (kept as an
//!   argon2 hash) and gets a session cookie (`HttpOnly`, `SameSite=Strict`,
//!   `Secure` with `--secure-cookie`). Anything that changes state with that
//!   cookie must carry its CSRF token (`X-CSRF-Token`, or a `csrf` form field).
//! - **Scripts** send `Authorization: Bearer <MICROCONV_ADMIN_TOKEN>`.
//! - **Share links** (`/share/<token>`) read one site's report and API, nothing else.
//!
//! `/collect` and the tag's files stay public.

use super::limits::{client_ip, Limiter, PeerAddr};
use super::AppState;
use crate::store::shares::new_token;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{Form, FromRequest, Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// The login cookie's name.
pub const COOKIE: &str = "microconv_session";
/// How long a login lasts.
const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Most logins kept at once (the oldest go first).
const MAX_SESSIONS: usize = 1000;
/// Login attempts per client address per minute.
const LOGIN_ATTEMPTS_PER_MINUTE: u32 = 10;

/// What a request may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Everything. `csrf` is the login's token when the request came with the
    /// cookie; `None` for a bearer token (no ambient credential, no CSRF).
    Admin {
        /// The token state-changing requests must echo.
        csrf: Option<String>,
    },
    /// Read one site's report only (a share link).
    Site(String),
}

impl Access {
    /// The site a read is limited to: a share link's own, whatever was asked.
    pub fn scope(&self, asked: Option<String>) -> Option<String> {
        match self {
            Access::Admin { .. } => asked,
            Access::Site(site) => Some(site.clone()),
        }
    }
}

struct Login {
    csrf: String,
    expires: Instant,
}

/// The credentials and the open logins.
pub struct Auth {
    password_hash: Option<String>,
    token_digest: Option<[u8; 32]>,
    secure_cookie: bool,
    sessions: Mutex<HashMap<[u8; 32], Login>>,
    attempts: Limiter<IpAddr>,
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// An argon2id hash (PHC string) of `password` with a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

impl Auth {
    /// From the configured password (plain or hashed) and token. A plain
    /// password is hashed here and not kept.
    pub fn new(
        password: Option<&str>,
        password_hash: Option<&str>,
        token: Option<&str>,
        secure_cookie: bool,
    ) -> Result<Auth, String> {
        let password_hash = match (password, password_hash) {
            (Some(_), Some(_)) => return Err("set the admin password or its hash, not both".into()),
            (Some(""), None) => return Err("the admin password is empty".into()),
            (Some(p), None) => Some(hash_password(p)?),
            (None, Some(h)) => {
                PasswordHash::new(h).map_err(|e| format!("--admin-password-hash: {e}"))?;
                Some(h.to_string())
            }
            (None, None) => None,
        };
        if let Some(t) = token {
            if t.len() < 16 {
                return Err("the admin token must have at least 16 characters".into());
            }
        }
        Ok(Auth {
            password_hash,
            token_digest: token.map(digest),
            secure_cookie,
            sessions: Mutex::new(HashMap::new()),
            attempts: Limiter::per_minute(LOGIN_ATTEMPTS_PER_MINUTE),
        })
    }

    /// Whether any credential is configured (without one, nobody can read).
    pub fn configured(&self) -> bool {
        self.password_hash.is_some() || self.token_digest.is_some()
    }

    fn is_admin_token(&self, token: &str) -> bool {
        self.token_digest
            .is_some_and(|d| bool::from(d.ct_eq(&digest(token))))
    }

    fn verify_password(&self, password: &str) -> bool {
        let Some(phc) = &self.password_hash else {
            return false;
        };
        PasswordHash::new(phc)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    }

    fn open_login(&self) -> (String, String) {
        let token = new_token();
        let csrf = new_token();
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        sessions.retain(|_, l| l.expires > now);
        if sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, l)| l.expires)
                .map(|(k, _)| *k)
            {
                sessions.remove(&oldest);
            }
        }
        sessions.insert(
            digest(&token),
            Login {
                csrf: csrf.clone(),
                expires: now + SESSION_TTL,
            },
        );
        (token, csrf)
    }

    fn login_csrf(&self, cookie_token: &str) -> Option<String> {
        let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions
            .get(&digest(cookie_token))
            .filter(|l| l.expires > Instant::now())
            .map(|l| l.csrf.clone())
    }

    fn close_login(&self, cookie_token: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.remove(&digest(cookie_token));
    }

    fn cookie(&self, value: &str, max_age: u64) -> HeaderValue {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
        ))
        .expect("cookie characters are hex and ASCII")
    }
}

fn cookie_value(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Why a request may not go on.
#[derive(Debug)]
pub enum Denied {
    /// No (valid) credential: 401.
    Unauthenticated,
    /// A credential that does not allow this: 403.
    Forbidden(&'static str),
}

impl Denied {
    /// The JSON answer of an API request.
    pub fn into_json(self) -> Response {
        let (status, reason) = match self {
            Denied::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "log in at /login, or send Authorization: Bearer <token>",
            ),
            Denied::Forbidden(r) => (StatusCode::FORBIDDEN, r),
        };
        let mut res = (status, axum::Json(serde_json::json!({ "error": reason }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// What the request's credentials allow (blocking: a share token is looked
/// up in the database; run from async code through [`access`]).
fn access_blocking(state: &AppState, headers: &HeaderMap) -> Result<Access, Denied> {
    if let Some(token) = bearer(headers) {
        if state.auth.is_admin_token(token) {
            return Ok(Access::Admin { csrf: None });
        }
        return match state.store.share_site(token) {
            Ok(Some(site)) => Ok(Access::Site(site)),
            _ => Err(Denied::Unauthenticated),
        };
    }
    cookie_value(headers)
        .and_then(|c| state.auth.login_csrf(c))
        .map(|csrf| Access::Admin { csrf: Some(csrf) })
        .ok_or(Denied::Unauthenticated)
}

/// What the request's credentials allow.
pub async fn access(state: &AppState, headers: &HeaderMap) -> Result<Access, Denied> {
    if bearer(headers).is_none() {
        return access_blocking(state, headers);
    }
    let (state, headers) = (state.clone(), headers.clone());
    tokio::task::spawn_blocking(move || access_blocking(&state, &headers))
        .await
        .unwrap_or(Err(Denied::Unauthenticated))
}

/// For requests that change state: the admin only, and with the login's CSRF
/// token when the credential is the cookie.
pub async fn admin_change(state: &AppState, headers: &HeaderMap) -> Result<(), Denied> {
    match access(state, headers).await? {
        Access::Admin { csrf: None } => Ok(()),
        Access::Admin { csrf: Some(want) } => {
            let got = headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if bool::from(got.as_bytes().ct_eq(want.as_bytes())) {
                Ok(())
            } else {
                Err(Denied::Forbidden("missing or wrong X-CSRF-Token"))
            }
        }
        Access::Site(_) => Err(Denied::Forbidden("a share link only reads")),
    }
}

/// `?next=` of the login page.
#[derive(Debug, serde::Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path of this site: never `//host` or `/\host`, which browsers
/// read as another host.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/report",
    }
}

fn login_page(status: StatusCode, error: &str, next: &str) -> Response {
    let page = include_str!("../report/page/login.html")
        .replace("{{error}}", &escape(error))
        .replace("{{next}}", &escape(next));
    (status, Html(page)).into_response()
}

/// Minimal HTML escaping for the templates' text and attributes.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `GET /login`.
pub async fn login_form(State(state): State<AppState>, Query(q): Query<Next>) -> Response {
    let error = if state.auth.password_hash.is_none() {
        "No admin password is set (MICROCONV_ADMIN_PASSWORD): logging in is off."
    } else {
        ""
    };
    login_page(StatusCode::OK, error, safe_next(q.next.as_deref()))
}

/// The login form's fields.
#[derive(serde::Deserialize)]
pub struct LoginForm {
    password: String,
    next: Option<String>,
}

/// Whether a browser's `Origin` (sent with every POST) is this collector's.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true; // not a browser's cross-site form: nothing to forge
    };
    super::cors::is_own_origin(headers, origin)
}

/// `POST /login`: the password, then a cookie and a redirect to `next`.
pub async fn login(State(state): State<AppState>, req: Request<axum::body::Body>) -> Response {
    let peer = req.extensions().get::<PeerAddr>().copied();
    let headers = req.headers().clone();
    let ip = client_ip(&headers, peer, state.settings.client_ip_header.as_deref());
    if !same_origin(&headers) {
        return login_page(
            StatusCode::FORBIDDEN,
            "Log in from this site's own page.",
            "/report",
        );
    }
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &state).await else {
        return login_page(
            StatusCode::BAD_REQUEST,
            "The form was incomplete.",
            "/report",
        );
    };
    let next = safe_next(form.next.as_deref()).to_string();
    if state.auth.attempts.take(&ip, 1).is_err() {
        let mut res = login_page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts: wait a minute.",
            &next,
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return res;
    }
    let auth = state.clone();
    let ok = tokio::task::spawn_blocking(move || auth.auth.verify_password(&form.password))
        .await
        .unwrap_or(false);
    if !ok {
        tracing::warn!("failed login from {ip}");
        return login_page(StatusCode::UNAUTHORIZED, "Wrong password.", &next);
    }
    let (token, _csrf) = state.auth.open_login();
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        state.auth.cookie(&token, SESSION_TTL.as_secs()),
    );
    res
}

/// The logout form's field.
#[derive(serde::Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

/// `POST /logout` (with the CSRF token as a form field).
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Some(c) = cookie_value(&headers) {
        if state
            .auth
            .login_csrf(c)
            .is_some_and(|want| want == form.csrf)
        {
            state.auth.close_login(c);
        } else {
            return Denied::Forbidden("missing or wrong CSRF token").into_json();
        }
    }
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, state.auth.cookie("", 0));
    res
}
