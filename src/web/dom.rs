//! The engine's [`Backend`] in the browser: `RegExp` and `Element.matches`
//! here; `closest` (crossing shadow roots), links and element facts through
//! the loader's host helpers, one call each.

use crate::prelude::*;
use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::backend::{Backend, ElementFacts};
use crate::engine::Value;

#[wasm_bindgen]
extern "C" {
    /// A compiled `RegExp`.
    #[wasm_bindgen(js_name = RegExp)]
    pub type Regex;
    /// `new RegExp(pattern, flags)`, with a SyntaxError as `Err` instead of a throw.
    #[wasm_bindgen(catch, constructor, js_class = "RegExp")]
    fn new(pattern: &str, flags: &str) -> Result<Regex, JsValue>;
    /// `RegExp.prototype.test`.
    #[wasm_bindgen(method)]
    fn test(this: &Regex, text: &str) -> bool;

    /// Anything with a `message` (an Error) or `matches` (an Element).
    type Props;
    /// `error.message`, to quote the browser's reason.
    #[cfg(feature = "messages")]
    #[wasm_bindgen(method, getter)]
    fn message(this: &Props) -> Option<String>;

    /// `el.matches(selector)` with the selector kept as a JS string (no text
    /// decoded per call); `Err` for a SyntaxError.
    #[wasm_bindgen(method, catch, js_name = matches)]
    fn matches_js(this: &Props, selector: &JsString) -> Result<bool, JsValue>;
}

/// The browser backend: everything lives in the DOM; it keeps the loader's
/// helpers for the one call per trigger and click (see [`Backend::closest`]).
#[derive(Default)]
pub struct Dom {
    host: Option<super::Host>,
}

impl Dom {
    /// A backend for the current document; without the loader's `host`
    /// (the diagnostics file) it does the same in Rust.
    pub fn new(host: Option<super::Host>) -> Self {
        Dom { host }
    }
}

fn document() -> Option<web_sys::Document> {
    super::window().and_then(|w| w.document())
}

impl Backend for Dom {
    type Regex = Regex;
    /// The selector list as a JS string: made once, passed by reference.
    type Selector = JsString;
    type Element = Element;

    fn compile_regex(&self, pattern: &str, ignore_case: bool) -> Option<Regex> {
        Regex::new(pattern, if ignore_case { "i" } else { "" }).ok()
    }

    fn regex_test(&self, re: &Regex, text: &str) -> bool {
        re.test(text)
    }

    fn compile_selector(&self, selector: &str) -> Option<JsString> {
        // `matches` throws a SyntaxError for an invalid selector list.
        let el = document().and_then(|d| d.document_element())?;
        let selector = JsString::from(selector);
        el.unchecked_ref::<Props>().matches_js(&selector).ok()?;
        Some(selector)
    }

    fn matches(&self, el: &Element, selector: &JsString) -> bool {
        el.unchecked_ref::<Props>()
            .matches_js(selector)
            .unwrap_or(false)
    }

    /// One call into `host.closest` per trigger, which walks out of shadow
    /// roots itself: the engine asks this for every click trigger on every
    /// click, so each JS↔wasm crossing counts. (Without a host, in the
    /// diagnostics file, nothing is clicked.)
    fn closest(&self, el: &Element, selector: &JsString) -> Option<Element> {
        self.host.as_ref()?.closest(el, selector)
    }

    /// One call into `host.link`.
    fn closest_link(&self, el: &Element) -> Option<(Element, String, bool)> {
        let found = self.host.as_ref()?.link(el);
        let found: &js_sys::Array = found.dyn_ref()?;
        let url = found.get(1).as_string()?;
        Some((found.get(0).unchecked_into(), url, found.get(2).is_truthy()))
    }

    /// One call into `host.facts`, then a string per fact.
    fn describe(&self, el: &Element) -> ElementFacts {
        let Some(host) = &self.host else {
            return ElementFacts::default();
        };
        let list = host.facts(el);
        let mut facts = list.iter().map(|v| v.as_string().unwrap_or_default());
        let mut next = || facts.next().unwrap_or_default();
        let (tag, id, classes) = (next(), next(), next());
        // Collapsed and capped by the host.
        let text = next();
        let (target, url) = (next(), next());
        let mut attrs = Vec::new();
        while let Some(name) = facts.next() {
            attrs.push((name, facts.next().unwrap_or_default()));
        }
        ElementFacts {
            tag,
            id,
            classes,
            text,
            url,
            target,
            attrs,
        }
    }

    fn global(&self, path: &str) -> Value {
        let Some(host) = &self.host else {
            return Value::Null;
        };
        let v = host.g(path);
        if let Some(s) = v.as_string() {
            Value::Str(s)
        } else if let Some(n) = v.as_f64() {
            Value::Num(n)
        } else if let Some(b) = v.as_bool() {
            Value::Bool(b)
        } else {
            Value::Null
        }
    }
}
