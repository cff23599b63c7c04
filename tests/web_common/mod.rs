//! Shared harness for the browser tests (`tests/web_*.rs`): starts the tag
//! with the loader's own host helpers (`loader/host.js`, the same code the
//! production loader runs) and a sink that records beacon bodies instead of
//! sending them. Fixtures live in their own `<div id="fixture">`.
//!
//! Rules: this build has the compiler, so the tag takes a plain rules.json
//! as well as published rules; for a plain file the host holds the messages
//! of its defects (`host.m`), as the loader's does once the diagnostics file
//! compiled it (`microconv::web::check` on the rules). `loader/smoke.js` and
//! `e2e/specs/diagnostics.spec.js` load the real file.
#![allow(dead_code)]

use js_sys::{Array, Function, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement, Window};

/// The loader's host helpers, exactly as shipped.
pub const HOST_JS: &str = include_str!("../../loader/host.js");
/// The loader's delivery (the outbox and its requests), exactly as shipped.
pub const DELIVERY_JS: &str = include_str!("../../loader/delivery.js");
/// The loader's sessions and visitor id, exactly as shipped.
pub const SESSION_JS: &str = include_str!("../../loader/session.js");

pub fn window() -> Window {
    web_sys::window().expect("window")
}

pub fn document() -> Document {
    window().document().expect("document")
}

pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await
}

/// A rules file with these triggers (JSON objects, comma-separated).
pub fn rules(triggers: &str) -> String {
    format!(
        r#"{{"version":1,"endpoint":"/collect","affiliated_domains":["shop.example.com"],"triggers":[{triggers}]}}"#
    )
}

/// The host object the loader would pass, built from `loader/host.js`.
pub fn host() -> JsValue {
    let make = Function::new_with_args(
        "",
        &format!("{HOST_JS}\n{DELIVERY_JS}\n{SESSION_JS}\nreturn host(console);"),
    );
    make.call0(&JsValue::NULL).expect("host.js")
}

/// Strings as is, `undefined` as `<absent>`, other values as JSON.
pub fn text(v: &JsValue) -> String {
    if v.is_undefined() {
        return "<absent>".into();
    }
    v.as_string().unwrap_or_else(|| {
        JSON::stringify(v)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    })
}

/// One event of a beacon.
#[derive(Debug)]
pub struct Event {
    pub conversion: String,
    pub trigger: String,
    pub json: JsValue,
}

impl Event {
    /// `vars[name]`, or undefined.
    pub fn var(&self, name: &str) -> JsValue {
        let vars = Reflect::get(&self.json, &"vars".into()).unwrap_or(JsValue::UNDEFINED);
        Reflect::get(&vars, &name.into()).unwrap_or(JsValue::UNDEFINED)
    }
    /// `vars[name]` as text: strings as is, other values as JSON.
    pub fn var_str(&self, name: &str) -> String {
        text(&self.var(name))
    }
    /// A top-level field as text.
    pub fn field(&self, name: &str) -> String {
        text(&Reflect::get(&self.json, &name.into()).unwrap_or(JsValue::UNDEFINED))
    }
}

/// A started tag with its fixture; dropping it stops the tag and removes the fixture.
pub struct Tag {
    beacons: Array,
    pub fixture: HtmlElement,
}

impl Tag {
    /// Starts the tag on `rules`, with an empty fixture element.
    pub fn start(rules: &str) -> Tag {
        Self::start_with(rules, |_| {})
    }

    /// Like [`Tag::start`], building the fixture before the tag starts. As
    /// the loader does for a plain rules.json, the host holds the messages
    /// of its defects (the diagnostics file's `check`).
    pub fn start_with(rules: &str, build: impl FnOnce(&HtmlElement)) -> Tag {
        Self::start_host(rules, build, &microconv::web::check(rules))
    }

    /// Starts the tag with `messages` as the host's messages of the rules'
    /// defects (none for published rules: the tag then names the triggers).
    pub fn start_host(rules: &str, build: impl FnOnce(&HtmlElement), messages: &str) -> Tag {
        Self::start_hooked(rules, build, messages, |_| {})
    }

    /// Like [`Tag::start_host`], with `hook` given the host object before
    /// the tag starts (to wrap a helper, say).
    pub fn start_hooked(
        rules: &str,
        build: impl FnOnce(&HtmlElement),
        messages: &str,
        hook: impl FnOnce(&JsValue),
    ) -> Tag {
        microconv::web::stop();
        if let Some(old) = document().get_element_by_id("fixture") {
            old.remove();
        }
        let fixture: HtmlElement = document().create_element("div").unwrap().unchecked_into();
        fixture.set_id("fixture");
        document().body().unwrap().append_child(&fixture).unwrap();
        build(&fixture);
        let host = host();
        let beacons = Array::new();
        let push: Function = Reflect::get(&beacons, &"push".into())
            .unwrap()
            .unchecked_into();
        Reflect::set(&host, &"sink".into(), &push.bind0(&beacons)).unwrap();
        if !messages.is_empty() {
            Reflect::set(&host, &"m".into(), &messages.into()).unwrap();
        }
        hook(&host);
        microconv::web::start(rules, Some("/collect".into()), host.unchecked_into());
        Tag { beacons, fixture }
    }

    /// Sets the fixture's HTML.
    pub fn html(&self, html: &str) {
        self.fixture.set_inner_html(html);
    }

    /// An element of the fixture by id.
    pub fn el(&self, id: &str) -> Element {
        document()
            .get_element_by_id(id)
            .unwrap_or_else(|| panic!("no #{id}"))
    }

    /// Raw beacon bodies received so far (without flushing).
    pub fn bodies(&self) -> Vec<String> {
        self.beacons.iter().filter_map(|b| b.as_string()).collect()
    }

    /// Flushes the queue, then every event sent so far, checking each body's envelope.
    pub fn events(&self) -> Vec<Event> {
        microconv::web::flush();
        let mut out = Vec::new();
        for body in self.bodies() {
            assert!(body.len() < 60_000, "body over 60 KB");
            let v = JSON::parse(&body).unwrap_or_else(|_| panic!("beacon is not JSON: {body}"));
            assert_eq!(
                Reflect::get(&v, &"v".into()).unwrap().as_f64(),
                Some(1.0),
                "{body}"
            );
            assert!(
                Reflect::get(&v, &"sent_at".into())
                    .unwrap()
                    .as_f64()
                    .unwrap()
                    > 1.6e12
            );
            let events: Array = Reflect::get(&v, &"events".into()).unwrap().unchecked_into();
            for e in events.iter() {
                let s = |k: &str| {
                    Reflect::get(&e, &k.into())
                        .unwrap()
                        .as_string()
                        .unwrap_or_default()
                };
                out.push(Event {
                    conversion: s("conversion"),
                    trigger: s("trigger"),
                    json: e,
                });
            }
        }
        out
    }

    /// Forgets the beacons received so far.
    pub fn clear(&self) {
        microconv::web::flush();
        self.beacons.set_length(0);
    }

    /// Conversion names of the events so far, in order.
    pub fn conversions(&self) -> Vec<String> {
        self.events().into_iter().map(|e| e.conversion).collect()
    }
}

impl Drop for Tag {
    fn drop(&mut self) {
        microconv::web::stop();
        self.fixture.remove();
    }
}
