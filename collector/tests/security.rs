//! Safe to put on the internet: who may read, the host allowlist, security
//! headers, the served folders, rate limits and overload, through the real
//! router. Each test is a finding of the 2026-12-01 review that failed then.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

fn req(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(uri)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Logs in with the password; returns the cookie pair (`name=value`).
async fn login(app: &App) -> String {
    let a = app
        .send(
            req("POST", "/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, "http://127.0.0.1:8080")
                .body(Body::from(format!(
                    "password={}&next=%2Freport",
                    PASSWORD.replace(' ', "+")
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.headers[header::LOCATION], "/report");
    let cookie = a.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    cookie.split(';').next().unwrap().to_string()
}

fn csrf_of(report_html: &str) -> String {
    let at = report_html
        .find("name=\"microconv-csrf\" content=\"")
        .unwrap()
        + 31;
    report_html[at..at + 64].to_string()
}

#[tokio::test]
async fn the_report_and_api_need_a_login_or_a_token() {
    let app = app(&[]);
    for uri in [
        "/api/summary",
        "/api/report",
        "/api/conversions",
        "/api/export",
        "/api/shares",
    ] {
        let a = app.get(uri).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(a.headers[header::WWW_AUTHENTICATE], "Bearer");
        assert!(a.json()["error"].as_str().unwrap().contains("/login"));
    }
    let a = app
        .send(
            req("GET", "/api/summary")
                .header(header::AUTHORIZATION, bearer("not-the-token-at-all"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let a = app.get("/report").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.headers[header::LOCATION], "/login?next=/report");
    assert_eq!(app.get("/login").await.status, StatusCode::OK);
    // /collect and the tag stay public.
    assert_eq!(
        app.post(beacon(vec![event("p1", "x", "s1", false)]))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/microconv/microconv.js").await.status,
        StatusCode::OK
    );
    assert_eq!(app.get_json("/api/summary").await["total"], 1);
}

#[tokio::test]
async fn login_sets_a_strict_cookie_and_changes_need_its_csrf_token() {
    let app = app(&[]);
    let wrong = app
        .send(
            req("POST", "/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("password=guess&next=%2Freport"))
                .unwrap(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    assert!(wrong.body.contains("Wrong password."));
    // A form posted from another site is refused (login CSRF).
    let cross = app
        .send(
            req("POST", "/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, "https://evil.example")
                .body(Body::from(format!(
                    "password={}",
                    PASSWORD.replace(' ', "+")
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);

    let cookie = login(&app).await;
    let with_cookie =
        |method: &str, uri: &str| req(method, uri).header(header::COOKIE, cookie.clone());
    let page = app
        .send(with_cookie("GET", "/report").body(Body::empty()).unwrap())
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_of(&page.body);
    let a = app
        .send(
            with_cookie("GET", "/api/summary")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);

    let share = || Body::from(json!({"site": "127.0.0.1"}).to_string());
    let no_token = app
        .send(with_cookie("POST", "/api/shares").body(share()).unwrap())
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert!(no_token.body.contains("X-CSRF-Token"));
    let ok = app
        .send(
            with_cookie("POST", "/api/shares")
                .header("x-csrf-token", csrf.clone())
                .body(share())
                .unwrap(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);

    // Logging out ends the cookie's access.
    let out = app
        .send(
            with_cookie("POST", "/logout")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = app
        .send(
            with_cookie("GET", "/api/summary")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn login_redirects_only_to_this_site_and_limits_attempts() {
    let app = app(&[]);
    let post = |body: String| {
        req("POST", "/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let pw = PASSWORD.replace(' ', "+");
    let a = app
        .send(post(format!("password={pw}&next=%2F%2Fevil.example")))
        .await;
    assert_eq!(
        a.headers[header::LOCATION],
        "/report",
        "no protocol-relative redirect"
    );
    let mut limited = 0;
    for _ in 0..12 {
        if app.send(post("password=guess".into())).await.status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert!(limited >= 2, "10 attempts a minute, then 429 ({limited})");
}

#[tokio::test]
async fn share_links_read_one_site_until_revoked() {
    let app = app(&[]);
    let mut other = event("b1", "signup", "s9", true);
    other["page"]["url"] = "https://other.example/x".into();
    app.post(beacon(vec![event("a1", "signup", "s1", false), other]))
        .await;
    let admin =
        |method: &str, uri: &str| req(method, uri).header(header::AUTHORIZATION, bearer(TOKEN));
    let made = app
        .send(
            admin("POST", "/api/shares")
                .body(Body::from(
                    json!({"site": "127.0.0.1", "label": "board"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED);
    let made = made.json();
    let token = made["token"].as_str().unwrap().to_string();
    assert_eq!(made["url"], format!("/share/{token}"));
    let shared = |uri: &str| {
        req("GET", uri)
            .header(header::AUTHORIZATION, bearer(&token))
            .body(Body::empty())
            .unwrap()
    };
    let s = app
        .send(shared("/api/summary?site=other.example"))
        .await
        .json();
    assert_eq!(s["total"], 1, "its own site only, whatever is asked");
    let evs = app.send(shared("/api/conversions")).await.json();
    assert_eq!(evs["events"][0]["id"], "a1");
    assert_eq!(evs["events"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.send(shared("/api/shares")).await.status,
        StatusCode::FORBIDDEN
    );
    let erase = app
        .send(
            req("DELETE", "/api/sessions/s1")
                .header(header::AUTHORIZATION, bearer(&token))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        erase.status,
        StatusCode::FORBIDDEN,
        "a share link only reads"
    );
    let page = app.get(&format!("/share/{token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&token));

    let list = app
        .send(admin("GET", "/api/shares").body(Body::empty()).unwrap())
        .await
        .json();
    assert!(
        !list.to_string().contains(&token),
        "tokens are never listed"
    );
    let id = list["shares"][0]["id"].as_i64().unwrap();
    let revoked = app
        .send(
            admin("DELETE", &format!("/api/shares/{id}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(
        app.send(shared("/api/summary")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(&format!("/share/{token}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn erasure_and_export_through_the_api() {
    let app = app(&[]);
    let mut with_visitor = event("v1", "signup", "s2", false);
    with_visitor["visitor"] = "visitor-1".into();
    app.post(beacon(vec![
        event("a", "x", "s1", false),
        event("b", "x", "s1", false),
        with_visitor,
    ]))
    .await;
    let admin = |method: &str, uri: &str| {
        req(method, uri)
            .header(header::AUTHORIZATION, bearer(TOKEN))
            .body(Body::empty())
            .unwrap()
    };
    let csv = app.send(admin("GET", "/api/export?format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(csv.body.lines().count(), 4, "header + 3 rows");
    let nd = app.send(admin("GET", "/api/export")).await;
    let first: Value = serde_json::from_str(nd.body.lines().next().unwrap()).unwrap();
    assert_eq!(first["site"], "127.0.0.1");
    assert_eq!(
        app.send(admin("GET", "/api/export?format=xml"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let a = app.send(admin("DELETE", "/api/sessions/s1")).await;
    assert_eq!(a.json(), json!({"erased": 2}));
    let a = app.send(admin("DELETE", "/api/visitors/visitor-1")).await;
    assert_eq!(a.json(), json!({"erased": 1}));
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn an_unknown_host_is_refused_everywhere() {
    let app = app(&[]);
    for uri in ["/api/summary", "/report", "/login", "/", "/collect"] {
        let a = app
            .send(
                req("GET", uri)
                    .header(header::HOST, "rebind.evil.example")
                    .header(header::AUTHORIZATION, bearer(TOKEN))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(a.status, StatusCode::MISDIRECTED_REQUEST, "{uri}");
        assert!(a.body.contains("--allow-host"));
    }
    let a = app
        .send(
            req("GET", "/login")
                .header(header::HOST, "collector.test:443")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "an allowed name");
}

#[tokio::test]
async fn pages_and_json_carry_security_headers() {
    let app = app(&[]);
    let page = app
        .send(
            req("GET", "/report")
                .header(header::AUTHORIZATION, bearer(TOKEN))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let login = app.get("/login").await;
    for a in [&page, &login] {
        assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(a.headers[header::X_FRAME_OPTIONS], "DENY");
        let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{csp}"
        );
        assert!(
            !a.body.contains("<script>"),
            "no inline script: the CSP forbids it"
        );
    }
    let api = app.get("/api/summary").await;
    assert_eq!(api.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(api.headers[header::X_FRAME_OPTIONS], "DENY");
    let js = app.get("/report/report.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.contains("getJSON"));
    for file in ["table.js", "chart.js", "report.css"] {
        assert_eq!(
            app.get(&format!("/report/{file}")).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        app.get("/report/report.html").await.status,
        StatusCode::NOT_FOUND,
        "only the page's assets are served"
    );
}

#[tokio::test]
async fn served_folders_keep_to_themselves() {
    let app = app(&[]);
    let www = app.dir.path().join("www");
    std::os::unix::fs::symlink("/etc/passwd", www.join("passwd")).unwrap();
    std::fs::write(www.join(".env"), "SECRET=1").unwrap();
    std::fs::create_dir(www.join(".git")).unwrap();
    std::fs::write(www.join(".git/config"), "[core]").unwrap();
    for uri in [
        "/passwd",
        "/.env",
        "/.git/config",
        "/%2eenv",
        "/media/../.env",
    ] {
        let a = app.get(uri).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            !a.body.contains("root:") && !a.body.contains("SECRET"),
            "{uri}"
        );
    }
    let a = app.get("//media").await;
    assert!(
        a.headers
            .get(header::LOCATION)
            .is_none_or(|l| !l.to_str().unwrap().starts_with("//")),
        "no protocol-relative redirect"
    );
    let a = app.get("/media").await;
    assert_eq!(a.headers[header::LOCATION], "/media/");
    // Without --static there is no site at all.
    let bare = app_with(|s| s.static_dir = None);
    assert_eq!(bare.get("/index.html").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_client_cannot_flood_forged_conversions() {
    // The review stored 10,000 forged signups from one client in 0.16 s.
    let app = app(&[]);
    let (mut accepted, mut limited) = (0, 0);
    for r in 0..100 {
        let events = (0..100)
            .map(|i| event(&format!("f{r}x{i}"), "signup", &format!("s{r}"), true))
            .collect();
        let a = app.post(beacon(events)).await;
        match a.status {
            StatusCode::NO_CONTENT => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                limited += 1;
                let secs: u64 = a.headers[header::RETRY_AFTER]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=60).contains(&secs));
            }
            s => panic!("unexpected {s}: {}", a.body),
        }
    }
    assert!(limited > 90, "{limited} requests limited");
    // 120 a session a minute: each forged session of 100 fits; 600 a client.
    assert_eq!(app.total().await, 100 * accepted);
    assert!(app.total().await <= 600);

    // One session is held to its own allowance.
    let app = app_with(|s| s.limit_ip = 0);
    let post = |r: usize, session: &str| {
        let events = (0..50)
            .map(|i| event(&format!("s{session}{r}x{i}"), "x", session, false))
            .collect();
        app.post(beacon(events))
    };
    assert_eq!(post(0, "one").await.status, StatusCode::NO_CONTENT);
    assert_eq!(post(1, "one").await.status, StatusCode::NO_CONTENT);
    assert_eq!(post(2, "one").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(post(3, "two").await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_full_writer_queue_answers_503_with_retry_after() {
    let app = app_with(|s| s.queue = 1);
    // Hold the writer thread, as a slow disk would.
    let (release, held) = std::sync::mpsc::channel::<()>();
    let (started_tx, started) = tokio::sync::oneshot::channel();
    let writer = app.state.writer.clone();
    let hold = tokio::spawn(async move {
        writer
            .run(move |_| {
                let _ = started_tx.send(());
                let _ = held.recv();
            })
            .await
    });
    started.await.unwrap();
    let router = app.router.clone();
    let queued = tokio::spawn(async move {
        use tower::ServiceExt;
        router
            .oneshot(
                Request::post("/collect")
                    .header(header::HOST, "127.0.0.1")
                    .body(Body::from(beacon(vec![event("q1", "x", "s1", false)])))
                    .unwrap(),
            )
            .await
            .unwrap()
            .status()
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let a = app.post(beacon(vec![event("q2", "x", "s2", false)])).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.headers[header::RETRY_AFTER], "1");
    release.send(()).unwrap();
    hold.await.unwrap().unwrap();
    assert_eq!(queued.await.unwrap(), StatusCode::NO_CONTENT);
    assert_eq!(app.total().await, 1, "the refused request stored nothing");
}

#[tokio::test]
async fn a_body_that_never_ends_gets_408() {
    let app = app_with(|s| s.request_timeout = Duration::from_millis(300));
    let stream = futures_util::stream::once(async {
        Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"{\"v\":1,"))
    })
    .chain(futures_util::stream::pending());
    let a = app
        .send(
            req("POST", "/collect")
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from_stream(stream))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::REQUEST_TIMEOUT);
}
