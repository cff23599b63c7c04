//! The collector's router with a temporary site, tag folder and database,
//! and requests to it without a socket.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use microconv_collector::http::auth::Auth;
use microconv_collector::{router, AppState, Settings, Store};
use serde_json::{json, Value};
use tower::ServiceExt;

/// The content of the test's hashed file (repeated: it compresses).
pub const WASM: &str = "\0asm fake module bytes ";
/// The admin token of every test app.
pub const TOKEN: &str = "test-admin-token-0123456789";
/// The admin password of every test app.
pub const PASSWORD: &str = "correct horse battery staple";

pub struct App {
    pub router: Router,
    pub state: AppState,
    pub dir: tempfile::TempDir,
}

/// An app whose rules mark `signup` as the macro conversion.
pub fn app(origins: &[&str]) -> App {
    app_with(|s| s.origins = origins.iter().map(|s| s.to_string()).collect())
}

/// An app with the settings `tweak` changes.
pub fn app_with(tweak: impl FnOnce(&mut Settings)) -> App {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(www.join("media")).unwrap();
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(www.join("index.html"), "<h1>home</h1>").unwrap();
    std::fs::write(www.join("media/clip.bin"), (0..=255u8).collect::<Vec<_>>()).unwrap();
    std::fs::write(dist.join("microconv.js"), "/* tag */").unwrap();
    std::fs::write(dist.join("microconv.0123456789ab.wasm"), WASM.repeat(200)).unwrap();
    let store = Store::open(&dir.path().join("t.sqlite")).unwrap();
    let mut settings = Settings {
        static_dir: Some(www),
        tag_dir: Some(dist),
        macros: ["signup".to_string()].into_iter().collect(),
        hosts: vec!["collector.test".to_string()],
        ..Settings::default()
    };
    tweak(&mut settings);
    let auth = Auth::new(Some(PASSWORD), None, Some(TOKEN), false).unwrap();
    let state = AppState::new(store, settings, auth);
    App {
        router: router(state.clone()),
        state,
        dir,
    }
}

/// An ordinary browser's User-Agent (a request without one is a bot's).
pub const BROWSER: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl App {
    /// Sends `req`, with `Host: 127.0.0.1:8080` unless it has one (every
    /// HTTP/1.1 request has one; the router refuses hosts it does not serve).
    pub async fn send(&self, mut req: Request<Body>) -> Answer {
        if !req.headers().contains_key(header::HOST) {
            req.headers_mut()
                .insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        }
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, uri: &str) -> Answer {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post(&self, body: impl Into<String>) -> Answer {
        self.send(
            Request::post("/collect")
                .header(header::CONTENT_TYPE, "text/plain;charset=UTF-8")
                .header(header::USER_AGENT, BROWSER)
                .body(Body::from(body.into()))
                .unwrap(),
        )
        .await
    }

    /// A GET with the admin token.
    pub async fn get_json(&self, uri: &str) -> Value {
        let a = self
            .send(
                Request::get(uri)
                    .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.body);
        a.json()
    }

    pub async fn total(&self) -> u64 {
        self.get_json("/api/summary").await["total"]
            .as_u64()
            .unwrap()
    }
}

pub fn event(id: &str, conversion: &str, session: &str, is_macro: bool) -> Value {
    json!({"id": id, "conversion": conversion, "trigger": format!("{conversion}-t"),
           "at": 1763899999500u64, "session": session, "macro": is_macro,
           "page": {"url": "http://127.0.0.1:8080/blog/post.html", "path": "/blog/post.html",
                    "title": "A post", "referrer": ""},
           "vars": {"scroll.threshold": 50, "scroll.units": "percent", "scroll.direction": "vertical"}})
}

pub fn beacon(events: Vec<Value>) -> String {
    json!({"v": 1, "sent_at": 1763900000000u64, "events": events}).to_string()
}
