//! The tag build reads its rules with the browser's JSON parser, through
//! `host.json` (`loader/host.js`) and `microconv::web::json`: the loader's
//! `Response.json()` (immune to a page's own `JSON.parse`), or `JSON.parse`
//! where nothing parsed first (these tests' harness). The CLI and the
//! diagnostics file use the core's own parser (`microconv::json`). All must
//! take and refuse exactly the same texts, with the same values, or the tag
//! would run triggers the diagnostics call malformed (or the reverse): this
//! compares them on the JSON edge cases and on thousands of mutated rules
//! files, in a real browser.
#![cfg(target_arch = "wasm32")]

mod web_common;

use js_sys::{Function, Promise, Reflect};
use microconv::json::{self, Json, JsonKind};
use microconv::web::Host;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_common::*;

wasm_bindgen_test_configure!(run_in_browser);

const BASES: [&str; 3] = [
    include_str!("../www/rules.json"),
    include_str!("fixtures/example-rules.json"),
    include_str!("../cli/tests/fixtures/bad-rules.json"),
];

/// The value, without positions, objects' members sorted by key (`JSON.parse`
/// puts integer-like keys first; the validator does not depend on the order).
fn canonical(j: &Json) -> String {
    match &j.kind {
        JsonKind::Null => "null".into(),
        JsonKind::Bool(b) => b.to_string(),
        // Bits, so that -0 and 0 differ.
        JsonKind::Num(n) => format!("n{:x}", n.to_bits()),
        JsonKind::Str(s) => format!("{s:?}"),
        JsonKind::Arr(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        JsonKind::Obj(m) => {
            let mut kv: Vec<String> = m
                .iter()
                .map(|m| format!("{:?}:{}", m.key, canonical(&m.value)))
                .collect();
            kv.sort();
            format!("{{{}}}", kv.join(","))
        }
    }
}

/// `Ok(canonical value)` or `Err(())`, by one parser.
type Outcome = Result<String, ()>;

/// The core parser's outcome, then the host's: parsing with `JSON.parse`,
/// and after the loader's `Response.json()`.
async fn outcomes(host: &Host, text: &str) -> [Outcome; 3] {
    let core = json::parse(text).map(|j| canonical(&j)).map_err(|_| ());
    let browser = || {
        microconv::web::json::parse(Some(host), text)
            .map(|j| canonical(&j))
            .map_err(|_| ())
    };
    let plain = browser();
    // What the loader does before it starts the tag (loader/microconv.js).
    let loader = Function::new_with_args(
        "h, t",
        "return new Response(t).json().then(function (j) { h.j = j }, function () { h.j = h })",
    );
    let parsed: Promise = loader
        .call2(&JsValue::NULL, host, &text.into())
        .unwrap()
        .unchecked_into();
    JsFuture::from(parsed).await.unwrap();
    let after_loader = browser();
    Reflect::delete_property(host.unchecked_ref::<js_sys::Object>(), &"j".into()).unwrap();
    [core, plain, after_loader]
}

fn host_object() -> Host {
    host().unchecked_into()
}

#[wasm_bindgen_test]
async fn edge_cases_are_read_alike() {
    let host = host_object();
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let cases: Vec<(String, bool)> = vec![
        // (text, whether it is JSON for both)
        (
            r#"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#.into(),
            true,
        ),
        (r#"{"a":1,"a":2}"#.into(), false),
        (r#"{"x":{"b":1,"b":2}}"#.into(), false),
        (r#"{"\u0061":1,"a":2}"#.into(), false),
        (r#"[{"a":1},{"a":2}]"#.into(), true),
        (r#"{"k":"a:b","l":"\":"}"#.into(), true),
        (r#"{"k\\":":","m":"\\"}"#.into(), true),
        (r#"{"__proto__":{"x":1},"y":2}"#.into(), true),
        (r#"{"b":1,"1":2,"0":3}"#.into(), true),
        ("[1e400]".into(), false),
        ("[-1e400]".into(), false),
        ("[1e-400, -0, 0, 1.5e3, -12.25]".into(), true),
        (r#"["\ud800"]"#.into(), false),
        (r#"["\udc00x"]"#.into(), false),
        (r#"{"\ud800":1}"#.into(), false),
        (r#"["\ud83d\ude00", "\u00e9\n\t\"\\\/"]"#.into(), true),
        (deep(64), true),
        (deep(65), false),
        (format!("{{\"a\":{}}}", deep(63)), true),
        (format!("{{\"a\":{}}}", deep(64)), false),
        ("\u{feff}{}".into(), true),
        ("\u{feff}\u{feff}{}".into(), false),
        (" \t\r\n{} \n".into(), true),
        ("{}x".into(), false),
        ("{} {}".into(), false),
        (r#"{"a":1,}"#.into(), false),
        ("[1,]".into(), false),
        ("01".into(), false),
        ("1.".into(), false),
        (".5".into(), false),
        ("+1".into(), false),
        ("\"a\tb\"".into(), false),
        ("\"a\nb\"".into(), false),
        ("{/*c*/}".into(), false),
        ("{'a':1}".into(), false),
        ("{a:1}".into(), false),
        ("[\"\\x\"]".into(), false),
        ("[\"\\u12\"]".into(), false),
        ("\u{a0}{}".into(), false),
        ("{}\u{2028}".into(), false),
        ("nul".into(), false),
        ("\"".into(), false),
        ("".into(), false),
    ];
    for (text, json) in &cases {
        let [core, plain, loader] = outcomes(&host, text).await;
        assert_eq!(core.is_ok(), *json, "the core parser on {text:?}: {core:?}");
        assert_eq!(core, plain, "JSON.parse's reading differs on {text:?}");
        assert_eq!(
            core, loader,
            "Response.json()'s reading differs on {text:?}"
        );
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

/// Text edits that break, or bend, JSON: characters deleted, inserted
/// (mostly JSON syntax and escapes) and whole spans repeated (a repeated
/// `"key": value,` is a duplicate key).
fn mutate(r: &mut Rng, text: &str) -> String {
    const BITS: [&str; 22] = [
        "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\ud800", "0", "1", "-", ".", "e",
        "999e999", "a", " ", "\n", "\t", "null", "\u{feff}",
    ];
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + r.below(3) {
        let at = r.below(chars.len() + 1);
        match r.below(4) {
            0 if at < chars.len() => {
                chars.remove(at);
            }
            1 | 0 => {
                let bit = BITS[r.below(BITS.len())];
                chars.splice(at..at, bit.chars());
            }
            _ => {
                let len = 1 + r.below(40);
                let from = r.below(chars.len().saturating_sub(len) + 1);
                let span: Vec<char> = chars[from..(from + len).min(chars.len())].to_vec();
                chars.splice(at..at, span);
            }
        }
    }
    chars.into_iter().collect()
}

#[wasm_bindgen_test]
async fn mutated_rules_files_are_read_alike() {
    let host = host_object();
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut valid, mut invalid) = (0, 0);
    for n in 0..3000 {
        let text = mutate(&mut r, BASES[n % BASES.len()]);
        let [core, plain, loader] = outcomes(&host, &text).await;
        assert_eq!(
            core, plain,
            "JSON.parse's reading differs on case {n}: {text:?}"
        );
        assert_eq!(
            core, loader,
            "Response.json()'s reading differs on case {n}: {text:?}"
        );
        if core.is_ok() {
            valid += 1;
        } else {
            invalid += 1;
        }
    }
    // The corpus has both kinds in numbers (else it would prove little).
    assert!(
        valid > 300 && invalid > 300,
        "{valid} valid, {invalid} invalid"
    );
}

#[wasm_bindgen_test]
async fn a_page_that_replaces_json_parse_does_not_change_the_rules() {
    let host = host_object();
    let json = Reflect::get(&window(), &"JSON".into()).unwrap();
    let own = Reflect::get(&json, &"parse".into()).unwrap();
    let garbage = Function::new_no_args("return 'garbage'");
    Reflect::set(&json, &"parse".into(), &garbage).unwrap();
    let [core, plain, loader] = outcomes(&host, BASES[0]).await;
    Reflect::set(&json, &"parse".into(), &own).unwrap();
    assert!(core.is_ok());
    // Without the loader's parse, the page's replacement is what reads it
    // (its "garbage" has none of the members the text has: refused)...
    assert_eq!(plain, Err(()));
    // ...with it, the browser's own parser does.
    assert_eq!(core, loader);
}
