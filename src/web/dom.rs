//! The engine's [`Backend`] in the browser: `RegExp`, `Element.matches` /
//! `closest` (crossing shadow roots), link resolution and element facts.

use crate::prelude::*;
use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, ShadowRoot};

use crate::backend::{Backend, ElementFacts};
use crate::engine::TEXT_CAP;
use crate::msg::Msg;

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

    /// Anything with a `message` (an Error), a `textContent` (a Node) or
    /// `matches` (an Element).
    type Props;
    /// `error.message`, to quote the browser's reason.
    #[cfg(feature = "messages")]
    #[wasm_bindgen(method, getter)]
    fn message(this: &Props) -> Option<String>;
    /// `node.textContent`, kept as a JS string so only a slice crosses into wasm.
    #[wasm_bindgen(method, getter, js_name = textContent)]
    fn text_content(this: &Props) -> Option<JsString>;

    /// `el.matches(selector)` with the selector kept as a JS string (no text
    /// decoded per call); `Err` for a SyntaxError.
    #[wasm_bindgen(method, catch, js_name = matches)]
    fn matches_js(this: &Props, selector: &JsString) -> Result<bool, JsValue>;
}

/// Links the engine sees: HTML `<a>`/`<area>` and SVG `<a>` (`href` in any namespace).
const LINK_SELECTOR: &str = "a[href],area[href],a[*|href]";
/// Characters of `textContent` read before collapsing whitespace: enough for
/// [`TEXT_CAP`] visible characters in indented markup, bounded for huge elements.
const TEXT_READ: u32 = 1000;

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

#[cfg(feature = "messages")]
fn reason(e: &JsValue) -> Msg {
    e.unchecked_ref::<Props>()
        .message()
        .unwrap_or_else(|| String::from("invalid"))
}

/// Nothing (no `messages` feature: the tag only needs to know it is invalid).
#[cfg(not(feature = "messages"))]
#[inline(always)]
fn reason(_: &JsValue) -> Msg {
    Msg
}

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// The host of the shadow root `el` lives in, if any: the next place to look upward.
fn shadow_host(el: &Element) -> Option<Element> {
    el.get_root_node()
        .dyn_into::<ShadowRoot>()
        .ok()
        .map(|r| r.host())
}

/// `el.closest(selector)`, continuing from shadow hosts outward.
fn closest_composed(el: &Element, selector: &str) -> Option<Element> {
    let mut el = el.clone();
    loop {
        if let Ok(Some(found)) = el.closest(selector) {
            return Some(found);
        }
        el = shadow_host(&el)?;
    }
}

/// The link's absolute URL: `href` (or SVG's `xlink:href`) against the document base.
fn link_url(link: &Element) -> Option<String> {
    let raw = link
        .get_attribute("href")
        .or_else(|| link.get_attribute_ns(Some("http://www.w3.org/1999/xlink"), "href"))?;
    let base = link.base_uri().ok().flatten().unwrap_or_default();
    let url = web_sys::Url::new_with_base(raw.trim(), &base).ok()?.href();
    if url.starts_with("javascript:") {
        return None;
    }
    Some(url)
}

/// Trims, collapses whitespace runs to one space, caps at [`TEXT_CAP`] chars.
pub(crate) fn collapse_text(raw: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    for word in raw.split_whitespace() {
        if count >= TEXT_CAP {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count >= TEXT_CAP {
                break;
            }
            out.push(c);
            count += 1;
        }
    }
    // A separator pushed right at the cap would leave trailing space.
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

impl Backend for Dom {
    type Regex = Regex;
    /// The selector list as a JS string: made once, passed by reference.
    type Selector = JsString;
    type Element = Element;

    fn compile_regex(&self, pattern: &str, ignore_case: bool) -> Result<Regex, Msg> {
        Regex::new(pattern, if ignore_case { "i" } else { "" }).map_err(|e| reason(&e))
    }

    fn regex_test(&self, re: &Regex, text: &str) -> bool {
        re.test(text)
    }

    fn compile_selector(&self, selector: &str) -> Result<JsString, Msg> {
        // `matches` throws a SyntaxError for an invalid selector list.
        let el = document()
            .and_then(|d| d.document_element())
            .ok_or_else(|| Msg::from("no document"))?;
        let selector = JsString::from(selector);
        el.unchecked_ref::<Props>()
            .matches_js(&selector)
            .map_err(|e| reason(&e))?;
        Ok(selector)
    }

    fn matches(&self, el: &Element, selector: &JsString) -> bool {
        el.unchecked_ref::<Props>()
            .matches_js(selector)
            .unwrap_or(false)
    }

    /// One call into `host.closest` per trigger, which walks out of shadow
    /// roots itself: the engine asks this for every click trigger on every
    /// click, so each JS↔wasm crossing counts.
    fn closest(&self, el: &Element, selector: &JsString) -> Option<Element> {
        match &self.host {
            Some(h) => h.closest(el, selector),
            None => closest_composed(el, &String::from(selector)),
        }
    }

    fn closest_link(&self, el: &Element) -> Option<(Element, String)> {
        let link = closest_composed(el, LINK_SELECTOR)?;
        let url = link_url(&link)?;
        Some((link, url))
    }

    fn has_download_attr(&self, link: &Element) -> bool {
        link.has_attribute("download")
    }

    fn describe(&self, el: &Element) -> ElementFacts {
        // textContent, not innerText: innerText forces style and layout. The
        // cost is that text hidden by CSS counts; script/style inside a
        // clickable element is rare.
        let text = el
            .unchecked_ref::<Props>()
            .text_content()
            .map(|t| collapse_text(&String::from(t.slice(0, TEXT_READ))))
            .unwrap_or_default();
        let url = match el.get_attribute("href") {
            Some(_) => link_url(el),
            None => None,
        }
        .or_else(|| self.closest_link(el).map(|(_, u)| u))
        .unwrap_or_default();
        let names = el.get_attribute_names();
        let mut attrs = Vec::with_capacity(names.length() as usize);
        for name in names.iter() {
            if let Some(name) = name.as_string() {
                let value = el.get_attribute(&name).unwrap_or_default();
                attrs.push((name, value));
            }
        }
        ElementFacts {
            tag: el.local_name(),
            id: el.id(),
            classes: el.get_attribute("class").unwrap_or_default(),
            text,
            url,
            target: el.get_attribute("target").unwrap_or_default(),
            attrs,
        }
    }
}
