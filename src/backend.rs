//! What the engine needs from its platform, as a trait (ruffle's pattern: the
//! core defines backends, `web/` and `native/` implement them).
//!
//! In the browser regular expressions are `RegExp` and selectors are
//! `Element.matches`; natively (tests, the CLI) they are the `regress` crate and a
//! small selector matcher over described elements.

use crate::engine::Value;
use crate::prelude::*;

/// Facts about one element, read once per click for the element a trigger describes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ElementFacts {
    /// Lower-case tag name (`a`, `button`, ...).
    pub tag: String,
    /// `id` attribute.
    pub id: String,
    /// `class` attribute.
    pub classes: String,
    /// Visible text: trimmed, whitespace collapsed, capped at [`crate::engine::TEXT_CAP`] chars.
    pub text: String,
    /// Absolute `href` of the element or of its nearest link, if any.
    pub url: String,
    /// `target` attribute.
    pub target: String,
    /// Every attribute, for `click.attr.<name>`.
    pub attrs: Vec<(String, String)>,
}

/// Platform services for evaluation: regex, selectors, element facts.
pub trait Backend {
    /// A compiled regular expression.
    type Regex;
    /// A compiled (validated) CSS selector list.
    type Selector;
    /// A handle to an element of the page; equality is identity (the same node),
    /// so the engine describes each element once per click.
    type Element: Clone + PartialEq;

    /// Compiles an ECMAScript regular expression; `None` when invalid (the
    /// engine words the defect, the same with every backend).
    fn compile_regex(&self, pattern: &str, ignore_case: bool) -> Option<Self::Regex>;
    /// Unanchored test, like `RegExp.prototype.test`.
    fn regex_test(&self, re: &Self::Regex, text: &str) -> bool;
    /// Validates and compiles a CSS selector list; `None` when invalid.
    fn compile_selector(&self, selector: &str) -> Option<Self::Selector>;
    /// `Element.matches(selector)`.
    fn matches(&self, el: &Self::Element, selector: &Self::Selector) -> bool;
    /// The element itself or its nearest ancestor matching `selector`, crossing
    /// shadow roots to their hosts (like walking `composedPath()`).
    fn closest(&self, el: &Self::Element, selector: &Self::Selector) -> Option<Self::Element>;
    /// The nearest `<a>`/`<area>` (HTML or SVG) with an `href`, on or above `el`,
    /// its absolute URL, and whether it has a `download` attribute.
    /// `javascript:` links are not links.
    fn closest_link(&self, el: &Self::Element) -> Option<(Self::Element, String, bool)>;
    /// Reads the facts `click.*` variables describe.
    fn describe(&self, el: &Self::Element) -> ElementFacts;
    /// The page global at `path` (`app.user.plan`: property reads from the
    /// global object, no code run but getters): a string, number or boolean,
    /// else null (missing, an object or function, or a read that throws).
    fn global(&self, path: &str) -> Value;
}
