//! Custom events (`dataLayer.push`, `microconv.push`), rules with defects, the
//! guard that keeps a failing tag from throwing into the page, and the batch window.
#![cfg(target_arch = "wasm32")]

mod web_common;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_common::*;

wasm_bindgen_test_configure!(run_in_browser);

const SIGNUP: &str = r#"{"id":"signup-pro","conversion":"signup","on":"custom","event":"signup",
  "conditions":[{"variable":"dl.plan","operator":"equals","value":"pro"}]}"#;

fn obj(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// Sets `window[name]`.
fn set_global(name: &str, v: &JsValue) {
    Reflect::set(&window(), &name.into(), v).unwrap();
}

/// Fresh `dataLayer` and `microconv` queues (tests share one page).
fn queues(data_layer: &Array, microconv: &Array) {
    set_global("dataLayer", data_layer);
    set_global("microconv", microconv);
}

fn push(queue: &str, item: &str) -> JsValue {
    let q = Reflect::get(&window(), &queue.into()).unwrap();
    let f: Function = Reflect::get(&q, &"push".into()).unwrap().unchecked_into();
    f.call1(&q, &obj(item)).unwrap()
}

#[wasm_bindgen_test]
async fn events_pushed_before_load_are_replayed() {
    let early = Array::of3(
        &obj(r#"{"event":"signup","plan":"pro","user":{"tier":"gold"}}"#),
        &obj(r#"{"event":"signup","plan":"free"}"#),
        &obj(r#"{"event":"other"}"#),
    );
    queues(&early, &Array::new());
    let tag = Tag::start(&rules(SIGNUP));
    let events = tag.events();
    assert_eq!(events.len(), 1, "only the qualifying early push");
    assert_eq!(events[0].var_str("event"), "signup");
    assert_eq!(events[0].var_str("dl.plan"), "pro");
    assert_eq!(
        events[0].var_str("dl.user.tier"),
        "gold",
        "nested keys flattened"
    );
}

#[wasm_bindgen_test]
async fn later_pushes_are_seen_and_push_keeps_its_behaviour() {
    queues(&Array::new(), &Array::new());
    let tag = Tag::start(&rules(SIGNUP));
    let len = push("dataLayer", r#"{"event":"signup","plan":"pro"}"#);
    assert_eq!(len.as_f64(), Some(1.0), "push still returns the new length");
    let dl: Array = Reflect::get(&window(), &"dataLayer".into())
        .unwrap()
        .unchecked_into();
    assert_eq!(
        dl.length(),
        1,
        "the item is still in the array (GTM reads it)"
    );
    assert!(tag.bodies().is_empty(), "batched, not sent yet");
    sleep(1300).await;
    assert_eq!(tag.bodies().len(), 1, "sent after the batch window");
    assert_eq!(tag.conversions(), ["signup"]);
}

#[wasm_bindgen_test]
async fn microconv_push_works_like_data_layer() {
    queues(
        &Array::new(),
        &Array::of1(&obj(r#"{"event":"signup","plan":"pro"}"#)),
    );
    let tag = Tag::start(&rules(SIGNUP));
    push("microconv", r#"{"event":"signup","plan":"pro"}"#);
    assert_eq!(tag.conversions(), ["signup", "signup"]);
}

#[wasm_bindgen_test]
async fn a_non_qualifying_event_sends_nothing() {
    queues(&Array::new(), &Array::new());
    let tag = Tag::start(&rules(SIGNUP));
    push("dataLayer", r#"{"event":"signup","plan":"free"}"#);
    push("dataLayer", r#"{"event":"nope","plan":"pro"}"#);
    push("dataLayer", r#"{"not_an_event":true}"#);
    sleep(1300).await;
    assert!(tag.bodies().is_empty());
    assert!(tag.events().is_empty());
}

/// Replaces `console[level]` by a recorder; returns the recorded messages.
fn record_console(level: &str) -> (Array, JsValue) {
    let console = Reflect::get(&window(), &"console".into()).unwrap();
    let original = Reflect::get(&console, &level.into()).unwrap();
    let seen = Array::new();
    let f = Function::new_with_args("m", "this.push(String(m))").bind0(&seen);
    Reflect::set(&console, &level.into(), &f).unwrap();
    (seen, original)
}

fn restore_console(level: &str, original: &JsValue) {
    let console = Reflect::get(&window(), &"console".into()).unwrap();
    Reflect::set(&console, &level.into(), original).unwrap();
}

/// The messages recorded: the first one may come later (the host loads the
/// rules messages first); then a while longer, to see any second one.
async fn settled(seen: &Array) -> Vec<String> {
    for _ in 0..40 {
        if seen.length() > 0 {
            break;
        }
        sleep(50).await;
    }
    sleep(200).await;
    seen.iter().filter_map(|m| m.as_string()).collect()
}

#[wasm_bindgen_test]
async fn bad_triggers_are_named_and_the_valid_ones_run() {
    queues(&Array::new(), &Array::new());
    let bad = r#"{"id":"broken","conversion":"x","on":"custom","event":"signup",
      "conditions":[{"variable":"dl.plan","operator":"start_with","value":"p"}]}"#;
    let (warnings, original) = record_console("warn");
    let tag = Tag::start(&rules(&format!("{SIGNUP},{bad}")));
    let seen = settled(&warnings).await;
    restore_console("warn", &original);
    assert_eq!(seen.len(), 1, "one console message: {seen:?}");
    let msg = &seen[0];
    assert!(
        msg.starts_with(
            "microconv: some triggers were left out of the rules\n  \
             trigger \"broken\": triggers[1].conditions[0].operator: "
        ),
        "{msg}"
    );
    // The reason (this build adds a "did you mean": feature `suggest`, off
    // in the diagnostics file, whose messages list the operators instead).
    assert!(
        msg.contains(r#"unknown operator "start_with""#),
        "the engine's reason is shown: {msg}"
    );
    push("dataLayer", r#"{"event":"signup","plan":"pro"}"#);
    assert_eq!(tag.conversions(), ["signup"], "the valid trigger runs");
}

#[wasm_bindgen_test]
async fn published_rules_run_without_the_diagnostics_and_name_what_this_browser_refuses() {
    queues(&Array::new(), &Array::new());
    // A pattern only the browser judges (the validator leaves regexes to it).
    let bad = r#"{"id":"broken","conversion":"x","on":"custom","event":"signup",
      "conditions":[{"variable":"dl.plan","operator":"matches_regex","value":"(unclosed"}]}"#;
    let parsed = microconv::rules::parse(&rules(&format!("{SIGNUP},{bad}")));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let published = microconv::published::write(&parsed.rules);
    let hash = microconv::published::hash_of(&parsed.rules);
    let (warnings, original) = record_console("warn");
    let tag = Tag::start_host(&published, |_| {}, "");
    let seen = settled(&warnings).await;
    restore_console("warn", &original);
    assert_eq!(
        seen,
        ["microconv: some triggers were left out of the rules (errors in trigger \"broken\")"]
    );
    push("dataLayer", r#"{"event":"signup","plan":"pro"}"#);
    let events = tag.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].conversion, "signup", "the valid trigger runs");
    assert_eq!(events[0].field("rules"), hash, "the beacon names the rules");
}

#[wasm_bindgen_test]
fn patterns_the_browser_refuses_have_the_messages_the_cli_prints() {
    // tests/engine_operators.rs and engine_custom.rs hold the CLI's engine
    // (regress, Servo's selectors) to these same words.
    let bad = r##"{"id":"re","conversion":"x","on":"custom","event":"e",
      "conditions":[{"variable":"page.path","operator":"matches_regex","value":"(unclosed"}]},
     {"id":"ev","conversion":"x","on":"custom","event_matches":"video_("},
     {"id":"css","conversion":"x","on":"click",
      "conditions":[{"variable":"click.element","operator":"matches_css","value":"a:nosuch"}]}"##;
    assert_eq!(
        microconv::web::check(&rules(bad)),
        concat!(
            "\n  trigger \"re\": triggers[0].conditions[0].value: invalid regular expression: JavaScript's RegExp refuses \"(unclosed\"",
            "\n  trigger \"ev\": triggers[1].event_matches: invalid regular expression: JavaScript's RegExp refuses \"video_(\"",
            "\n  trigger \"css\": triggers[2].conditions[0].value: invalid CSS selector: the browser's querySelector refuses \"a:nosuch\"",
        )
    );
}

#[wasm_bindgen_test]
async fn plain_rules_carry_the_hash_publishing_would_give() {
    queues(&Array::new(), &Array::new());
    let text = rules(SIGNUP);
    let tag = Tag::start(&text);
    push("dataLayer", r#"{"event":"signup","plan":"pro"}"#);
    let events = tag.events();
    let hash = microconv::published::hash_of(&microconv::rules::parse(&text).rules);
    assert_eq!(events[0].field("rules"), hash);
}

#[wasm_bindgen_test]
async fn unreadable_published_rules_log_one_error_and_leave_the_page_alone() {
    queues(&Array::new(), &Array::new());
    let published = microconv::published::write(&microconv::rules::parse(&rules(SIGNUP)).rules);
    let cut = &published[..published.len() - 4];
    let (errors, original) = record_console("error");
    let tag = Tag::start_host(cut, |_| {}, "");
    let seen = settled(&errors).await;
    restore_console("error", &original);
    assert_eq!(
        seen,
        ["microconv: not started: the published rules are truncated or altered (their hash does not match): publish them again"]
    );
    let dl = Reflect::get(&window(), &"dataLayer".into()).unwrap();
    let push_fn = Reflect::get(&dl, &"push".into()).unwrap();
    let array_push = Reflect::get(&Array::new(), &"push".into()).unwrap();
    assert!(push_fn == array_push, "dataLayer.push untouched");
    drop(tag);
}

#[wasm_bindgen_test]
async fn rules_without_a_valid_trigger_leave_the_page_alone() {
    let before = Array::new();
    queues(&before, &Array::new());
    let (errors, original) = record_console("error");
    let tag = Tag::start("{ this is not json");
    let seen = settled(&errors).await;
    restore_console("error", &original);
    assert_eq!(seen.len(), 1, "one console message: {seen:?}");
    let msg = &seen[0];
    assert_eq!(
        msg,
        "microconv: not started: the rules have no valid trigger\n  \
         malformed JSON: object keys must be strings in double quotes"
    );
    let dl = Reflect::get(&window(), &"dataLayer".into()).unwrap();
    let push = Reflect::get(&dl, &"push".into()).unwrap();
    let array_push = Reflect::get(&Array::new(), &"push".into()).unwrap();
    assert!(push == array_push, "dataLayer.push untouched");
    drop(tag);
}

#[wasm_bindgen_test]
fn guard_stops_after_a_throw_without_rethrowing() {
    let host = host();
    let cb: Function = Reflect::get(&host, &"cb".into()).unwrap().unchecked_into();
    let calls = Array::new();
    // The tag's dispatcher, throwing: `cb` makes call 7 of it, guarded.
    let dispatch =
        Function::new_with_args("k, x", "this.push(k + ':' + x); throw new Error('boom')")
            .bind0(&calls);
    let g: Function = cb
        .call2(&host, &dispatch, &7.into())
        .unwrap()
        .unchecked_into();
    let (errors, original) = record_console("error");
    let first = g.call1(&JsValue::NULL, &1.into());
    let second = g.call1(&JsValue::NULL, &2.into());
    restore_console("error", &original);
    assert!(
        first.is_ok() && second.is_ok(),
        "nothing reaches the caller"
    );
    assert_eq!(
        calls.to_vec(),
        vec![JsValue::from("7:1")],
        "the call and its argument reach the dispatcher; after a throw every guarded call is a no-op"
    );
    assert_eq!(errors.length(), 1, "logged once");
}

#[wasm_bindgen_test]
fn hook_leaves_non_array_queues_alone() {
    let host = host();
    let hook: Function = Reflect::get(&host, &"hook".into())
        .unwrap()
        .unchecked_into();
    let odd = Object::new();
    set_global("oddQueue", &odd);
    let f = Function::new_with_args("x", "");
    hook.call2(&JsValue::NULL, &"oddQueue".into(), &f).unwrap();
    assert!(Reflect::get(&odd, &"push".into()).unwrap().is_undefined());
}

/// `#cta.click()`.
fn click_cta(tag: &Tag) {
    let f: Function = Reflect::get(&tag.el("cta"), &"click".into())
        .unwrap()
        .unchecked_into();
    f.call0(&tag.el("cta")).unwrap();
}

#[wasm_bindgen_test]
async fn the_data_layer_is_one_merged_state_with_arrays_by_index() {
    queues(&Array::new(), &Array::new());
    let rules_text = rules(
        r##"{"id":"cta","conversion":"cta","on":"click","selector":"#cta","limit":"unlimited",
            "conditions":[{"variable":"dl.user.loggedIn","operator":"equals","value":false}]},
           {"id":"big","conversion":"big_order","on":"custom","event":"purchase",
            "conditions":[{"variable":"dl.ecommerce.items.1.quantity","operator":"greater_than","value":2}]}"##,
    );
    let tag = Tag::start_with(&rules_text, |f| {
        f.set_inner_html(r#"<button id="cta">Go</button>"#)
    });
    let click = || click_cta(&tag);
    click();
    assert_eq!(tag.conversions(), Vec::<String>::new(), "nothing known yet");
    // A push without an event sets state that a click trigger reads.
    push("dataLayer", r#"{"user":{"loggedIn":false}}"#);
    // gtag() pushes `arguments` objects: not data.
    js_sys::Function::new_no_args(
        "(function(){ dataLayer.push(arguments) })('set', {user: {loggedIn: true}})",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    click();
    assert_eq!(tag.conversions(), ["cta"]);
    // Arrays by index, merged from earlier pushes.
    push(
        "dataLayer",
        r#"{"ecommerce":{"items":[{"quantity":1},{"quantity":5}]}}"#,
    );
    push("dataLayer", r#"{"event":"purchase"}"#);
    assert_eq!(tag.conversions(), ["cta", "big_order"]);
    // `ecommerce: null` clears it, as in GTM.
    push("dataLayer", r#"{"ecommerce":null}"#);
    push("dataLayer", r#"{"event":"purchase"}"#);
    assert_eq!(tag.conversions(), ["cta", "big_order"]);
}

#[wasm_bindgen_test]
async fn a_click_trigger_reads_the_data_layer_without_any_custom_trigger() {
    // The rules have no custom trigger: the data layer is hooked because a
    // condition reads `dl.*` (an earlier push's login state, as GTM's).
    queues(&Array::new(), &Array::new());
    push("dataLayer", r#"{"user":{"loggedIn":true}}"#);
    let rules_text = rules(
        r##"{"id":"cta","conversion":"cta","on":"click","selector":"#cta","limit":"unlimited",
            "unless":[{"variable":"dl.user.loggedIn","operator":"equals","value":true}]}"##,
    );
    let tag = Tag::start_with(&rules_text, |f| {
        f.set_inner_html(r#"<button id="cta">Go</button>"#)
    });
    let click = || click_cta(&tag);
    click();
    assert_eq!(
        tag.conversions(),
        Vec::<String>::new(),
        "logged in before load"
    );
    push("dataLayer", r#"{"user":{"loggedIn":false}}"#);
    click();
    assert_eq!(tag.conversions(), ["cta"], "logged out by a later push");
}

#[wasm_bindgen_test]
async fn regex_and_list_custom_triggers() {
    queues(&Array::new(), &Array::new());
    let tag = Tag::start(&rules(
        r#"{"id":"video","conversion":"video_event","on":"custom","event_matches":"^video_(start|complete)$","limit":"unlimited"},
           {"id":"leads","conversion":"lead","on":"custom","events":["contact","demo_request"],"limit":"unlimited"}"#,
    ));
    for name in [
        "video_start",
        "video_progress",
        "video_complete",
        "contact",
        "demo_request",
        "Contact",
    ] {
        push("dataLayer", &format!(r#"{{"event":"{name}"}}"#));
    }
    let events = tag.events();
    let got: Vec<(String, String)> = events
        .iter()
        .map(|e| (e.field("conversion"), e.var_str("event")))
        .collect();
    let want = [
        ("video_event", "video_start"),
        ("video_event", "video_complete"),
        ("lead", "contact"),
        ("lead", "demo_request"),
    ];
    assert_eq!(
        got,
        want.map(|(c, e)| (c.to_string(), e.to_string())),
        "the regex and the list pick their names, case-sensitively"
    );
}

#[wasm_bindgen_test]
async fn js_variables_read_page_globals_and_are_never_sent() {
    queues(&Array::new(), &Array::new());
    let ws = obj(r#"{"HotelID": 42, "nested": {"tier": "gold"}}"#);
    set_global("WsVars", &ws);
    // A getter that throws reads as empty, and nothing reaches the page.
    js_sys::eval(
        "Object.defineProperty(window, 'mcBroken', {configurable: true, get() { throw new Error('no') }})",
    )
    .unwrap();
    let tag = Tag::start(&rules(
        r#"{"id":"hotel","conversion":"hotel_booked","on":"custom","event":"book","limit":"unlimited",
            "conditions":[{"variable":"js.WsVars.HotelID","operator":"equals","value":42},
                          {"variable":"js.WsVars.nested.tier","operator":"equals","value":"gold"}]},
           {"id":"broken","conversion":"broken_empty","on":"custom","event":"book","limit":"unlimited",
            "conditions":[{"variable":"js.mcBroken.x","operator":"equals","value":""},
                          {"variable":"js.WsVars.nested","operator":"equals","value":""},
                          {"variable":"js.nowhere.at.all","operator":"equals","value":""}]}"#,
    ));
    push("dataLayer", r#"{"event":"book"}"#);
    Reflect::set(&ws, &"HotelID".into(), &JsValue::from_f64(7.0)).unwrap();
    push("dataLayer", r#"{"event":"book"}"#);
    assert_eq!(
        tag.conversions(),
        ["hotel_booked", "broken_empty", "broken_empty"],
        "read at each event: the page changed HotelID"
    );
    for body in tag.bodies() {
        assert!(!body.contains("js."), "js.* is never sent: {body}");
        assert!(!body.contains("gold"), "{body}");
    }
}

#[wasm_bindgen_test]
async fn a_trigger_group_fires_when_its_last_member_does() {
    queues(&Array::new(), &Array::new());
    let tag = Tag::start(&rules(
        r#"{"id":"viewed","conversion":"viewed","on":"page_view"},
           {"id":"chat","conversion":"chat","on":"custom","event":"chat_opened","limit":"unlimited"},
           {"id":"signup","conversion":"signup","on":"custom","event":"signup"},
           {"id":"g","conversion":"viewed_chatted_signed_up","on":"trigger_group","all_of":["signup","chat","viewed"]}"#,
    ));
    push("dataLayer", r#"{"event":"signup"}"#);
    assert_eq!(tag.conversions(), ["viewed", "signup"]);
    push("dataLayer", r#"{"event":"chat_opened"}"#);
    push("dataLayer", r#"{"event":"chat_opened"}"#);
    let events = tag.events();
    let names: Vec<&str> = events.iter().map(|e| e.conversion.as_str()).collect();
    assert_eq!(
        names,
        [
            "viewed",
            "signup",
            "chat",
            "viewed_chatted_signed_up",
            "chat"
        ]
    );
    let group = &events[3];
    assert_eq!(group.trigger, "g");
    assert_eq!(group.field("vars"), "{}");
}
