//! The collector's HTTP behaviour, through the real router (no socket).

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn stores_a_beacon_and_answers_204_with_cors() {
    let app = app(&[]);
    let a = app
        .post(beacon(vec![event("e1", "article_read", "s1", false)]))
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let got = app.get_json("/api/conversions").await;
    let evs = got["events"].as_array().unwrap();
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0]["id"], "e1");
    assert_eq!(evs[0]["trigger"], "article_read-t");
    assert_eq!(evs[0]["page"]["path"], "/blog/post.html");
    assert_eq!(evs[0]["vars"]["scroll.threshold"], 50);
    assert_eq!(evs[0]["session"], "s1");
}

#[tokio::test]
async fn json_content_type_is_accepted_and_others_refused() {
    let app = app(&[]);
    let body = beacon(vec![event("j1", "x", "s1", false)]);
    let a = app
        .send(
            Request::post("/collect")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let a = app
        .send(
            Request::post("/collect")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(beacon(vec![event("j2", "x", "s1", false)])))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        a.body,
        "content type must be text/plain or application/json\n"
    );
    assert_eq!(app.total().await, 1);
}

#[tokio::test]
async fn repeated_ids_are_acknowledged_and_stored_once() {
    let app = app(&[]);
    let b = beacon(vec![event("dup", "x", "s1", false)]);
    assert_eq!(app.post(b.clone()).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.post(b).await.status, StatusCode::NO_CONTENT);
    let both = beacon(vec![
        event("dup", "x", "s1", false),
        event("new", "x", "s1", false),
    ]);
    assert_eq!(app.post(both).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.total().await, 2);
}

#[tokio::test]
async fn each_bad_beacon_is_refused_with_its_reason_and_nothing_stored() {
    let app = app(&[]);
    app.post(beacon(vec![event("keep", "x", "s1", false)]))
        .await;
    let good = event("g", "x", "s1", false);
    let mut no_id = good.clone();
    no_id.as_object_mut().unwrap().remove("id");
    let mut bad_at = good.clone();
    bad_at["at"] = "yesterday".into();
    let many: Vec<Value> = (0..101)
        .map(|i| event(&format!("m{i}"), "x", "s1", false))
        .collect();
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "malformed JSON"),
        (
            json!({"v": 2, "events": [good.clone()]}).to_string(),
            "unknown version: v = 2, expected 1",
        ),
        (
            json!({"events": [good.clone()]}).to_string(),
            "missing field: v",
        ),
        (json!({"v": 1}).to_string(), "missing field: events"),
        (json!({"v": 1, "events": []}).to_string(), "events is empty"),
        (
            beacon(vec![good.clone(), no_id]),
            "missing field: events[1].id",
        ),
        (
            beacon(vec![bad_at]),
            "wrong type: events[0].at must be a number",
        ),
        (
            beacon(many),
            "too many events: 101 in one request, at most 100",
        ),
    ];
    for (body, want) in cases {
        let a = app.post(body).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{want}");
        assert!(a.body.starts_with(want), "want {want:?}, got {:?}", a.body);
        assert_eq!(a.body.lines().count(), 1, "one line: {:?}", a.body);
    }
    assert_eq!(
        app.total().await,
        1,
        "nothing of a refused request is stored"
    );
}

#[tokio::test]
async fn bodies_over_64_kb_get_413() {
    let app = app(&[]);
    let mut e = event("big", "x", "s1", false);
    e["vars"]["pad"] = "a".repeat(4000).into();
    let big = beacon(
        (0..20)
            .map(|i| {
                let mut e = e.clone();
                e["id"] = format!("big{i}").into();
                e
            })
            .collect(),
    );
    assert!(big.len() > 64 * 1024);
    let a = app.post(big).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.body, "body over 65536 bytes\n");
    // The body was not read: the client must not reuse the connection.
    assert_eq!(a.headers[header::CONNECTION], "close");
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn allowlist_echoes_allowed_origins_and_refuses_others() {
    let app = app(&["https://www.example.com"]);
    let post_from = |origin: &'static str, id: &'static str| {
        Request::post("/collect")
            .header(header::CONTENT_TYPE, "text/plain")
            .header(header::ORIGIN, origin)
            .header(header::HOST, "collector.test")
            .body(Body::from(beacon(vec![event(id, "x", "s1", false)])))
            .unwrap()
    };
    let a = app.send(post_from("https://www.example.com", "ok1")).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(
        a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://www.example.com"
    );
    assert_eq!(a.headers[header::VARY], "Origin");
    assert_eq!(
        a.headers[header::ACCESS_CONTROL_EXPOSE_HEADERS],
        "Retry-After",
        "the tag reads Retry-After across origins"
    );
    // A refused origin still gets CORS headers, so the tag can read the
    // reason instead of seeing a bare network error (and retrying forever).
    let a = app.send(post_from("https://evil.example", "no1")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(
        a.json(),
        json!({"error": "origin not allowed", "origin": "https://evil.example",
               "hint": "add it to the collector's --allow-origin"})
    );
    assert_eq!(
        a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://evil.example"
    );
    assert_eq!(a.headers[header::VARY], "Origin");
    // The collector's own origin (it serves the site too) is always allowed.
    let a = app.send(post_from("http://collector.test", "own1")).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(app.total().await, 2);

    let pre = |origin: &'static str| {
        Request::options("/collect")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let a = app.send(pre("https://www.example.com")).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(
        a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://www.example.com"
    );
    assert_eq!(
        a.headers[header::ACCESS_CONTROL_ALLOW_METHODS],
        "POST, OPTIONS"
    );
    assert_eq!(
        a.headers[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "content-type"
    );
    let a = app.send(pre("https://evil.example")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(
        a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://evil.example"
    );
}

#[tokio::test]
async fn preflight_without_allowlist_answers_star() {
    let app = app(&[]);
    let a = app
        .send(
            Request::options("/collect")
                .header(header::ORIGIN, "https://any.example")
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}

#[tokio::test]
async fn summary_reports_counts_and_funnel() {
    let app = app(&[]);
    // s1: demo + signup; s2: article only; s3: demo only.
    app.post(beacon(vec![
        event("a", "demo_watched", "s1", false),
        event("b", "demo_watched", "s1", false),
        event("c", "signup", "s1", true),
        event("d", "article_read", "s2", false),
        event("e", "demo_watched", "s3", false),
    ]))
    .await;
    // A forged flag does not make a conversion the macro: the rules say which.
    app.post(beacon(vec![event("f", "article_read", "s2", true)]))
        .await;
    let s = app.get_json("/api/summary").await;
    assert_eq!(s["total"], 6);
    assert_eq!(s["sessions"], 3);
    assert_eq!(s["macro"], json!(["signup"]));
    let conv = s["conversions"].as_array().unwrap();
    assert_eq!(
        conv[0],
        json!({"conversion": "demo_watched", "count": 3, "sessions": 2, "macro": false})
    );
    let demo = s["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["conversion"] == "demo_watched")
        .unwrap();
    assert_eq!(demo["sessions"], 2);
    assert_eq!(demo["converted"], 1);
    assert_eq!(demo["rate"], 0.5);
    assert_eq!(demo["other_sessions"], 1);
    assert_eq!(demo["other_converted"], 0);
    assert_eq!(demo["other_rate"], 0.0);
    assert_eq!(s["pages"], json!([{"path": "/blog/post.html", "count": 6}]));
    let read = s["conversions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversion"] == "article_read")
        .unwrap();
    assert_eq!(read["macro"], false, "the beacon's macro flag is ignored");
    // A chosen macro conversion.
    let s = app.get_json("/api/summary?macro=article_read").await;
    assert_eq!(s["macro_sessions"], 1);
    let f = app
        .get_json("/api/conversions?conversion=demo_watched&session=s1")
        .await;
    assert_eq!(f["events"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_report_api_counts_visits_and_orders_micro_before_macro() {
    let app = app_with(|s| {
        s.funnels = vec![microconv::rules::model::Funnel {
            id: "demo".into(),
            name: "Demo → Signup".into(),
            steps: vec!["demo_watched".into(), "signup".into()],
        }]
    });
    let visit = |id: &str, session: &str| {
        let mut v = event(id, "", session, false);
        let o = v.as_object_mut().unwrap();
        o.insert("type".into(), "visit".into());
        o.remove("conversion");
        o.remove("trigger");
        v
    };
    let mut later = event("late", "demo_watched", "s2", false);
    later["at"] = json!(1763899999600u64);
    // Four sessions: s1 demo then signup; s2 signup then demo; s3 and s4 bounce.
    app.post(beacon(vec![
        visit("v1", "s1"),
        visit("v2", "s2"),
        visit("v3", "s3"),
        visit("v4", "s4"),
        event("a", "demo_watched", "s1", false),
        {
            let mut e = event("b", "signup", "s1", false);
            e["at"] = json!(1763899999600u64);
            e
        },
        event("c", "signup", "s2", false),
        later,
    ]))
    .await;
    let r = app
        .get_json("/api/report?site=127.0.0.1&from=2025-11-23&to=2025-11-23")
        .await;
    assert_eq!(r["sessions"], 4, "the bouncers count");
    assert_eq!(r["macro_sessions"], 2);
    assert_eq!(r["macro_rate"], 0.5);
    assert_eq!(r["macro_conversions"], json!(["signup"]));
    assert_eq!(r["time_zone"], "UTC");
    let demo = &r["segments"][0];
    assert_eq!(demo["conversion"], "demo_watched");
    // s2 watched only after signing up: not a watcher who converted.
    assert_eq!(
        (demo["sessions"].as_u64(), demo["macro_sessions"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (
            demo["others_sessions"].as_u64(),
            demo["others_macro_sessions"].as_u64()
        ),
        (Some(3), Some(1))
    );
    assert_eq!(demo["test"], "fisher_exact");
    assert_eq!(demo["significant"], false);
    // The funnel in order: s1 watched, then signed up 100 ms later; s2
    // watched only after its signup, so it started the funnel and went no
    // further.
    assert_eq!(
        r["funnels"],
        json!([{"id": "demo", "name": "Demo → Signup", "steps": [
            {"conversion": "demo_watched", "sessions": 2, "drop_off": 0, "from_first": 1.0, "median_ms": null},
            {"conversion": "signup", "sessions": 1, "drop_off": 1, "from_first": 0.5, "median_ms": 100.0}]}])
    );
    // Where the sessions came from: their visits (here no campaign, no referrer).
    let dims: Vec<&str> = r["acquisition"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dimension"].as_str().unwrap())
        .collect();
    assert_eq!(
        dims,
        ["source", "medium", "campaign", "referrer", "landing"]
    );
    assert_eq!(
        r["acquisition"][4]["rows"],
        json!([{"value": "/blog/post.html", "sessions": 4, "macro_sessions": 2, "macro_rate": 0.5}])
    );
    assert_eq!(r["acquisition"][0]["rows"][0]["value"], Value::Null);
    // Another day, or another site: nothing.
    let empty = app
        .get_json("/api/report?site=127.0.0.1&from=2025-11-24&to=2025-11-30")
        .await;
    assert_eq!(empty["sessions"], 0);
    assert_eq!(empty["macro_rate"], Value::Null);
    let other = app
        .get_json("/api/report?site=www.example.com&from=2025-11-23&to=2025-11-23")
        .await;
    assert_eq!(other["sessions"], 0);
    // A bad date is a 400 with the reason.
    let bad = app
        .send(
            Request::get("/api/report?from=2025-13-01")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.json()["error"],
        "from must be a date, YYYY-MM-DD (got \"2025-13-01\")"
    );
}

#[tokio::test]
async fn serves_site_tag_report_and_ranges() {
    let app = app(&[]);
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let a = app.send(get("/")).await;
    assert_eq!(
        (a.status, a.body.as_str()),
        (StatusCode::OK, "<h1>home</h1>")
    );
    let a = app.send(get("/microconv/microconv.js")).await;
    assert_eq!((a.status, a.body.as_str()), (StatusCode::OK, "/* tag */"));
    let a = app
        .send(
            Request::get("/report")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.body.contains("<!doctype"),
        "{}",
        &a.body[..40.min(a.body.len())]
    );
    let a = app
        .send(
            Request::get("/media/clip.bin")
                .header(header::RANGE, "bytes=10-19")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(a.headers[header::CONTENT_RANGE], "bytes 10-19/256");
    assert_eq!(
        app.send(get("/missing.html")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn tag_files_are_compressed_and_cached_by_kind() {
    let app = app(&[]);
    let get = |uri: &str, encoding: &str| {
        Request::get(uri)
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap()
    };
    let raw = WASM.len() * 200;
    let a = app
        .send(get(
            "/microconv/microconv.0123456789ab.wasm",
            "gzip, deflate, br",
        ))
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_ENCODING], "br");
    assert_eq!(
        a.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(a.body.len() < raw / 10, "{} of {raw} bytes", a.body.len());
    let a = app
        .send(get("/microconv/microconv.0123456789ab.wasm", "gzip"))
        .await;
    assert_eq!(a.headers[header::CONTENT_ENCODING], "gzip");
    let a = app
        .send(get("/microconv/microconv.0123456789ab.wasm", "identity"))
        .await;
    assert!(a.headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(a.body.len(), raw);
    // The loader names the current hashed files: revalidated every time.
    let a = app.send(get("/microconv/microconv.js", "br")).await;
    assert_eq!(a.headers[header::CACHE_CONTROL], "no-cache");
    assert_eq!(
        app.send(get("/microconv/nothing.0123456789ab.wasm", "br"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The site's media are neither compressed nor marked (Range requests).
    let a = app.send(get("/media/clip.bin", "br")).await;
    assert!(a.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(a.headers.get(header::CACHE_CONTROL).is_none());
}

#[test]
fn help_documents_every_flag() {
    use clap::CommandFactory;
    let help = microconv_collector::config::Cli::command()
        .render_long_help()
        .to_string();
    for flag in [
        "--addr",
        "--db",
        "--allow-origin",
        "--static",
        "--tag-dir",
        "--allow-host",
        "--rules",
        "--limit-ip",
        "--limit-session",
        "--client-ip-header",
        "--max-connections",
        "--retain-days",
        "--config",
        "MICROCONV_ADMIN_TOKEN",
        "MICROCONV_ADDR",
        "MICROCONV_DB",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
}

#[tokio::test]
async fn configured_sites_have_their_own_macros_and_unknown_sites_are_refused() {
    use microconv_collector::rules::SiteRules;
    let site = |macros: &[&str]| SiteRules {
        macros: macros.iter().map(|m| m.to_string()).collect(),
        ..Default::default()
    };
    let app = app_with(|s| {
        s.sites.insert("127.0.0.1".into(), site(&["signup"]));
        s.sites.insert("shop.test".into(), site(&["demo_watched"]));
    });
    let on = |mut e: Value, url: &str| {
        e["page"]["url"] = json!(url);
        e
    };
    assert_eq!(
        app.post(beacon(vec![
            event("a", "signup", "s1", false),
            on(
                event("b", "demo_watched", "s2", false),
                "https://shop.test/p"
            ),
        ]))
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    // A host the collector was not given: the beacon is refused, whole.
    let refused = app
        .post(beacon(vec![
            event("c", "signup", "s3", false),
            on(
                event("d", "signup", "s4", false),
                "https://elsewhere.test/p",
            ),
        ]))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.body.trim_end(),
        "unknown site: elsewhere.test is not one of this collector's --site hosts"
    );
    assert_eq!(
        app.total().await,
        2,
        "nothing of the refused beacon is stored"
    );
    // Each site's macro conversions are its rules'.
    let day = "from=2025-11-23&to=2025-11-23";
    let here = app
        .get_json(&format!("/api/report?site=127.0.0.1&{day}"))
        .await;
    assert_eq!(
        (here["sessions"].as_u64(), here["macro_sessions"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(here["macro_conversions"], json!(["signup"]));
    let shop = app
        .get_json(&format!("/api/report?site=shop.test&{day}"))
        .await;
    assert_eq!(shop["macro_conversions"], json!(["demo_watched"]));
    assert_eq!(shop["macro_sessions"], 1);
    let stored = app.get_json("/api/conversions?site=shop.test").await;
    assert_eq!(stored["events"][0]["macro"], true);
    // Host names in any case; every site together counts every site's macros.
    let upper = app
        .get_json(&format!("/api/report?site=SHOP.TEST&{day}"))
        .await;
    assert_eq!(upper["sessions"], 1);
    let all = app.get_json(&format!("/api/report?{day}")).await;
    assert_eq!(
        (all["sessions"].as_u64(), all["macro_sessions"].as_u64()),
        (Some(2), Some(2))
    );
    // An unknown site is refused by the summary too.
    let unknown = app
        .send(
            Request::get("/api/summary?site=elsewhere.test")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn events_page_newest_first_and_sites_are_listed() {
    let app = app(&[]);
    let mut events: Vec<Value> = (0..5)
        .map(|i| {
            let mut e = event(&format!("e{i}"), "signup", &format!("s{i}"), false);
            e["at"] = json!(1_700_000_000_000i64 + i * 1000);
            e
        })
        .collect();
    events[4]["page"]["url"] = json!("https://shop.test/p");
    assert_eq!(
        app.post(beacon(events)).await.status,
        StatusCode::NO_CONTENT
    );
    let ids = |v: &Value| -> Vec<String> {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    let first = app.get_json("/api/conversions?limit=2").await;
    assert_eq!(
        (ids(&first), &first["next_offset"]),
        (vec!["e4".into(), "e3".into()], &json!(2))
    );
    let last = app.get_json("/api/conversions?limit=2&offset=4").await;
    assert_eq!(
        (ids(&last), &last["next_offset"]),
        (vec!["e0".into()], &Value::Null)
    );
    let until = app.get_json("/api/conversions?until=1700000002000").await;
    assert_eq!(ids(&until), ["e1", "e0"]);
    let sites = app.get_json("/api/sites").await;
    assert_eq!(sites, json!({"sites": ["127.0.0.1", "shop.test"]}));
}
