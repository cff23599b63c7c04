//! Each site's rules published on the fly (`--rules`, `--site`): the published form at
//! `/microconv/rules` and at the file's own path in the site, revalidated by
//! `ETag`, live after an edit, never served with defects; and the rules'
//! hash that beacons carry is stored.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::json;

const RULES: &str = r#"{"version": 1, "triggers": [
  {"id": "thanks", "conversion": "call_requested", "on": "page_view", "macro": true,
   "conditions": [{"variable": "page.path", "operator": "equals", "value": "/thank-you"}]}]}"#;

fn with_rules(text: &str) -> App {
    let text = text.to_string();
    app_with(move |s| {
        let file = s.static_dir.as_ref().unwrap().join("rules.json");
        std::fs::write(&file, &text).unwrap();
        s.rules_file = Some(file);
    })
}

#[tokio::test]
async fn the_rules_are_served_published_with_an_etag() {
    let app = with_rules(RULES);
    let expected = microconv::published::write(&microconv::rules::parse(RULES).rules);
    let hash = microconv::published::hash_of(&microconv::rules::parse(RULES).rules);
    for uri in ["/microconv/rules", "/rules.json"] {
        let a = app.get(uri).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        assert_eq!(a.body, expected, "{uri}");
        assert_eq!(a.headers[header::ETAG], format!("\"{hash}\"").as_str());
        assert_eq!(a.headers[header::CACHE_CONTROL], "no-cache");
        assert_eq!(a.headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
        assert_eq!(a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    }
    let read = microconv::published::read(&app.get("/rules.json").await.body).unwrap();
    assert_eq!(read.triggers[0].id, "thanks");
    // Revalidation: the same hash is a 304 without a body; another is a 200.
    let revalidate = |etag: String| {
        Request::get("/rules.json")
            .header(header::IF_NONE_MATCH, etag)
            .body(Body::empty())
            .unwrap()
    };
    let a = app.send(revalidate(format!("W/\"x\", \"{hash}\""))).await;
    assert_eq!((a.status, a.body.as_str()), (StatusCode::NOT_MODIFIED, ""));
    let a = app.send(revalidate("\"0000000000000000\"".into())).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn an_edit_is_live_and_a_defect_is_never_published() {
    let app = with_rules(RULES);
    let first = app.get("/microconv/rules").await.headers[header::ETAG].clone();
    let file = app.state.settings.rules_file.clone().unwrap();
    std::fs::write(&file, RULES.replace("/thank-you", "/merci")).unwrap();
    let a = app.get("/microconv/rules").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_ne!(a.headers[header::ETAG], first);
    assert!(a.body.contains("6:/merci"), "{}", a.body);
    // A defect: nothing published (the last good form is not served either).
    std::fs::write(&file, RULES.replace("page_view", "page_veiw")).unwrap();
    let a = app.get("/microconv/rules").await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        a.json(),
        json!({"error": "the site's rules have defects: run `microconv check` on them"})
    );
    assert_eq!(a.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn each_site_is_served_its_own_rules() {
    use microconv_collector::rules::SiteRules;
    let shop = RULES.replace("/thank-you", "/merci");
    let (www_text, shop_text) = (RULES.to_string(), shop.clone());
    let app = app_with(move |s| {
        let dir = s.static_dir.clone().unwrap();
        // Beside the site folder, not in it: served at /microconv/rules/HOST only.
        let outside = dir.parent().unwrap().to_path_buf();
        for (host, file, text) in [
            ("www.test", dir.join("rules.json"), &www_text),
            ("shop.test", outside.join("shop.json"), &shop_text),
        ] {
            std::fs::write(&file, text).unwrap();
            let site = SiteRules {
                file,
                ..Default::default()
            };
            s.sites.insert(host.into(), site);
        }
    });
    let published = |text: &str| microconv::published::write(&microconv::rules::parse(text).rules);
    for (uri, text) in [
        ("/microconv/rules/www.test", RULES),
        ("/microconv/rules/SHOP.test", shop.as_str()),
        ("/rules.json", RULES),
    ] {
        let a = app.get(uri).await;
        assert_eq!(
            (a.status, a.body.as_str()),
            (StatusCode::OK, published(text).as_str()),
            "{uri}"
        );
        assert_eq!(a.headers[header::CACHE_CONTROL], "no-cache");
    }
    let a = app.get("/microconv/rules/other.test").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.body.contains("unknown site"), "{}", a.body);
    // Two sites and no --rules: which one `/microconv/rules` means is not known.
    assert_eq!(
        app.get("/microconv/rules").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn without_rules_there_is_nothing_to_publish() {
    let app = app(&[]);
    assert_eq!(
        app.get("/microconv/rules").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn beacons_name_their_rules() {
    let app = app(&[]);
    let mut e = event("a1", "signup", "s1", false);
    e["rules"] = json!("0123456789abcdef");
    assert_eq!(
        app.post(beacon(vec![e])).await.status,
        StatusCode::NO_CONTENT
    );
    let stored = app.get_json("/api/conversions").await;
    assert_eq!(stored["events"][0]["rules"], "0123456789abcdef");
    for bad in [json!("0123456789ABCDEF"), json!("abc"), json!(7)] {
        let mut e = event("a2", "signup", "s1", false);
        e["rules"] = bad.clone();
        let a = app.post(beacon(vec![e])).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(a.body.contains("events[0].rules"), "{}", a.body);
    }
    assert_eq!(
        app.total().await,
        1,
        "nothing of a refused beacon is stored"
    );
}
