//! `--simulate`: replays example events through the engine and prints which
//! triggers fire, with the variables a beacon would carry.

use std::rc::Rc;

use microconv::engine::{Conversion, Engine, Page, Value};
use microconv::native::{NativeBackend, NativeElement};
use url::Url;

use crate::events::{ElementDesc, Event, Example};

/// Where events happen before the file's first `page` event.
const DEFAULT_PAGE: &str = "https://example.com/";

/// Runs `events` in order and prints one block per event.
pub fn run(file: &str, events: &[Example], mut engine: Engine<NativeBackend>) {
    let mut page_url = Url::parse(DEFAULT_PAGE).expect("default page URL");
    engine.set_page(page(&page_url, "", ""));
    println!("simulating {file}:");
    let mut out = Vec::new();
    for (i, ex) in events.iter().enumerate() {
        println!("#{} {}", i + 1, ex.source);
        out.clear();
        match &ex.event {
            Event::Page {
                url,
                title,
                referrer,
            } => match Url::parse(url).or_else(|_| page_url.join(url)) {
                Ok(u) => {
                    page_url = u;
                    engine.set_page(page(&page_url, title, referrer));
                    // A page in the events file is a page view.
                    engine.on_page_view(&mut out);
                }
                Err(e) => println!("  invalid page URL: {e}"),
            },
            Event::Scroll(reading) => engine.on_scroll(*reading, &mut out),
            Event::Click {
                button,
                element: desc,
            } => {
                let target = element(desc, &page_url);
                engine.on_click(&target, *button, &mut out);
            }
            Event::Media { media, event } => engine.on_media(*media, event, &mut out),
            Event::Push(pushed) => engine.on_push(pushed, &mut out),
            Event::Form { event, form } => {
                let mut event = event.clone();
                // The action, absolute, as the browser's form.action is.
                event.action = page_url
                    .join(&event.action)
                    .map_or(event.action, |u| u.to_string());
                engine.on_form(&element(form, &page_url), &event, &mut out);
            }
            Event::Globals(values) => {
                for (path, v) in values {
                    engine.backend().set_global(path, v.clone());
                }
                // Setting globals is not an event: nothing is judged.
                println!("  page globals set");
                continue;
            }
        }
        if out.is_empty() {
            println!("  nothing fires");
        }
        for c in &out {
            println!("  {}", fired(&engine, c));
        }
    }
}

/// A page from its URL (the fragment is not part of it).
fn page(url: &Url, title: &str, referrer: &str) -> Page {
    let mut without_fragment = url.clone();
    without_fragment.set_fragment(None);
    Page {
        url: without_fragment.to_string(),
        host: url.host_str().unwrap_or("").to_string(),
        path: url.path().to_string(),
        query: url.query().unwrap_or("").to_string(),
        title: title.to_string(),
        referrer: referrer.to_string(),
    }
}

/// Builds the element chain (root first), resolving link `href`s against the
/// page as the browser's `a.href` does.
fn element(desc: &ElementDesc, page: &Url) -> Rc<NativeElement> {
    let mut chain = Vec::new();
    let mut cur = Some(desc);
    while let Some(d) = cur {
        chain.push(d);
        cur = d.parent.as_deref();
    }
    let mut parent: Option<Rc<NativeElement>> = None;
    for d in chain.into_iter().rev() {
        let mut el = NativeElement::new(&d.tag).text(&d.text);
        let is_link = el.tag == "a" || el.tag == "area";
        for (k, v) in &d.attrs {
            let resolved = match (
                is_link && k.eq_ignore_ascii_case("href"),
                page.join(v.trim()),
            ) {
                (true, Ok(u))
                    if !v
                        .trim_start()
                        .to_ascii_lowercase()
                        .starts_with("javascript:") =>
                {
                    u.to_string()
                }
                _ => v.clone(),
            };
            el = el.attr(k, &resolved);
        }
        if let Some(p) = &parent {
            el = el.child_of(p);
        }
        parent = Some(el.build());
    }
    parent.expect("an element")
}

/// `fires conversion (trigger "id"): name=value ...`.
fn fired(engine: &Engine<NativeBackend>, c: &Conversion) -> String {
    let (conversion, id, is_macro) = match engine.triggers().get(c.trigger) {
        Some(t) => (t.conversion.as_str(), t.id.as_str(), t.is_macro),
        None => ("?", "?", false),
    };
    let mut s = format!(
        "fires {conversion} (trigger {id:?}{})",
        if is_macro { ", macro" } else { "" }
    );
    let vars: Vec<String> = c
        .vars
        .iter()
        .map(|(k, v)| format!("{k}={}", show(v)))
        .collect();
    if !vars.is_empty() {
        s.push_str(": ");
        s.push_str(&vars.join(" "));
    }
    s
}

/// A value as JSON (numbers without a needless `.0`).
fn show(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Value::Num(n) => format!("{}", (n * 1000.0).round() / 1000.0),
        Value::Str(s) => serde_json::Value::String(s.clone()).to_string(),
    }
}
