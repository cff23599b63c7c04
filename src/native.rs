//! Native backend: `regress` for ECMAScript regexes (what `RegExp` does in the
//! browser) and a small CSS selector matcher over described elements, for
//! tests, benchmarks and the CLI's `--simulate`.
//!
//! Selectors are validated by a real CSS selector parser (Servo's
//! `selectors`/`cssparser`, through `scraper`), so `microconv check` accepts
//! what browsers accept (`:not()`, `:has()`, `:nth-child()`, `+`, `~`, …)
//! and refuses what they refuse. Matching: lists (`,`), type, `*`, `#id`,
//! `.class`, attribute selectors `[a]`, `[a=v]`, `[a~=v]`, `[a|=v]`, `[a^=v]`,
//! `[a$=v]`, `[a*=v]` (value quoted or not, optional ` i` flag), and the
//! descendant (` `) and child (`>`) combinators by the fast matcher here; any
//! other selector by the real matcher over an HTML document built from the
//! described element and its ancestors (which has no siblings: `+`, `~` and
//! `:nth-child()` see an element alone among its parent's children).

use std::rc::Rc;

use crate::backend::{Backend, ElementFacts};
use crate::engine::TEXT_CAP;

/// A described element: tag, attributes, visible text and parent.
/// Equality is identity (the same allocation), like DOM nodes.
#[derive(Debug, Clone, Default)]
pub struct NativeElement {
    /// Lower-case tag name.
    pub tag: String,
    /// Attributes in document order (names lower-case).
    pub attrs: Vec<(String, String)>,
    /// Visible text of the element (including its descendants').
    pub text: String,
    /// The parent element, if any.
    pub parent: Option<Rc<NativeElement>>,
}

impl PartialEq for NativeElement {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for NativeElement {}

impl NativeElement {
    /// An element with tag `tag` (lower-cased); chain [`attr`](Self::attr),
    /// [`text`](Self::text), [`child_of`](Self::child_of), then [`build`](Self::build).
    pub fn new(tag: &str) -> Self {
        NativeElement {
            tag: tag.to_ascii_lowercase(),
            ..Default::default()
        }
    }
    /// Adds attribute `name` (lower-cased) = `value`.
    pub fn attr(mut self, name: &str, value: &str) -> Self {
        self.attrs
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }
    /// Sets the visible text.
    pub fn text(mut self, text: &str) -> Self {
        self.text = text.to_string();
        self
    }
    /// Sets the parent.
    pub fn child_of(mut self, parent: &Rc<NativeElement>) -> Self {
        self.parent = Some(parent.clone());
        self
    }
    /// The shared handle the engine works with.
    pub fn build(self) -> Rc<NativeElement> {
        Rc::new(self)
    }
    /// The value of attribute `name` (ASCII case-insensitive).
    pub fn get_attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The native [`Backend`].
#[derive(Debug, Clone, Default)]
pub struct NativeBackend {
    /// The page globals `js.*` reads ([`NativeBackend::set_global`]).
    globals: core::cell::RefCell<Vec<(String, crate::engine::Value)>>,
}

impl NativeBackend {
    /// Sets the page global at `path` (`app.user.plan`), as a page script would.
    pub fn set_global(&self, path: &str, value: crate::engine::Value) {
        let mut g = self.globals.borrow_mut();
        g.retain(|(k, _)| k != path);
        g.push((path.to_string(), value));
    }
}

/// A compiled selector list: the fast matcher's form when it can match it,
/// and always the real parser's.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeSelector {
    own: Option<Vec<Complex>>,
    real: scraper::Selector,
}

/// Compound selectors from left to right; `child[i]` says whether compound
/// `i + 1` is a child (`>`) rather than a descendant of compound `i`.
#[derive(Debug, Clone, PartialEq)]
struct Complex {
    compounds: Vec<Compound>,
    child: Vec<bool>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Compound {
    tag: Option<String>,
    ids: Vec<String>,
    classes: Vec<String>,
    attrs: Vec<AttrSel>,
}

#[derive(Debug, Clone, PartialEq)]
struct AttrSel {
    name: String,
    op: Option<(u8, String)>,
    ignore_case: bool,
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii()
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        Some(c)
    }
    fn skip_ws(&mut self) -> bool {
        let start = self.i;
        // CSS whitespace only (U+00A0 and friends are ident characters in CSS).
        while self
            .peek()
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c'))
        {
            self.bump();
        }
        self.i > start
    }
    fn err(&self, what: &str) -> String {
        format!("{what} at character {} of {:?}", self.i + 1, self.s)
    }
    fn ident(&mut self) -> Result<String, String> {
        let start = self.i;
        while self.peek().is_some_and(is_ident_char) {
            self.bump();
        }
        let id = &self.s[start..self.i];
        if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) || id == "-" {
            return Err(match self.peek() {
                Some('\\') => self.err("unsupported selector (escapes)"),
                _ => self.err("expected a name"),
            });
        }
        Ok(id.to_string())
    }
    fn compound(&mut self) -> Result<Compound, String> {
        let mut c = Compound::default();
        let mut any = false;
        match self.peek() {
            Some('*') => {
                self.bump();
                any = true;
            }
            Some(ch) if is_ident_char(ch) => {
                c.tag = Some(self.ident()?.to_ascii_lowercase());
                any = true;
            }
            _ => {}
        }
        loop {
            match self.peek() {
                Some('#') => {
                    self.bump();
                    c.ids.push(self.ident()?);
                }
                Some('.') => {
                    self.bump();
                    c.classes.push(self.ident()?);
                }
                Some('[') => {
                    self.bump();
                    c.attrs.push(self.attr()?);
                }
                Some(':') => {
                    return Err(
                        self.err("unsupported selector (pseudo-classes and pseudo-elements)")
                    )
                }
                _ => break,
            }
            any = true;
        }
        if any {
            Ok(c)
        } else {
            Err(match self.peek() {
                Some(ch @ ('+' | '~')) => {
                    self.err(&format!("unsupported selector (combinator {ch:?})"))
                }
                Some(ch) => self.err(&format!("unexpected {ch:?}")),
                None => self.err("selector expected"),
            })
        }
    }
    fn attr(&mut self) -> Result<AttrSel, String> {
        self.skip_ws();
        let name = self.ident()?.to_ascii_lowercase();
        self.skip_ws();
        let op = match self.peek() {
            Some(']') => {
                self.bump();
                return Ok(AttrSel {
                    name,
                    op: None,
                    ignore_case: false,
                });
            }
            Some('=') => b'=',
            Some(c @ ('~' | '|' | '^' | '$' | '*')) => {
                self.bump();
                if self.peek() != Some('=') {
                    return Err(self.err("expected '='"));
                }
                c as u8
            }
            _ => return Err(self.err("invalid attribute selector")),
        };
        self.bump();
        self.skip_ws();
        let value = match self.peek() {
            Some(q @ ('"' | '\'')) => {
                self.bump();
                let start = self.i;
                loop {
                    match self.bump() {
                        Some(c) if c == q => break,
                        Some('\\') => return Err(self.err("unsupported selector (escapes)")),
                        Some(_) => {}
                        None => return Err(self.err("unterminated string")),
                    }
                }
                self.s[start..self.i - 1].to_string()
            }
            _ => self.ident()?,
        };
        self.skip_ws();
        let mut ignore_case = false;
        if matches!(self.peek(), Some('i' | 'I')) {
            self.bump();
            ignore_case = true;
            self.skip_ws();
        } else if matches!(self.peek(), Some('s' | 'S')) {
            self.bump();
            self.skip_ws();
        }
        if self.bump() != Some(']') {
            return Err(self.err("expected ']'"));
        }
        Ok(AttrSel {
            name,
            op: Some((op, value)),
            ignore_case,
        })
    }
    fn complex(&mut self) -> Result<Complex, String> {
        self.skip_ws();
        let mut x = Complex {
            compounds: vec![self.compound()?],
            child: Vec::new(),
        };
        loop {
            let ws = self.skip_ws();
            match self.peek() {
                None | Some(',') => return Ok(x),
                Some('>') => {
                    self.bump();
                    self.skip_ws();
                    x.child.push(true);
                }
                Some(c @ ('+' | '~')) => {
                    return Err(self.err(&format!("unsupported selector (combinator {c:?})")))
                }
                _ if ws => x.child.push(false),
                Some(c) => return Err(self.err(&format!("unexpected {c:?}"))),
            }
            x.compounds.push(self.compound()?);
        }
    }
}

/// Parses a selector list for the fast matcher.
fn parse_own(s: &str) -> Result<Vec<Complex>, String> {
    let mut p = Parser { s, i: 0 };
    let mut list = vec![p.complex()?];
    while p.peek() == Some(',') {
        p.bump();
        list.push(p.complex()?);
    }
    Ok(list)
}

/// What the real matcher puts for the pseudo-classes and pseudo-elements it
/// does not know but browsers do: user-action and form states, which a
/// described element never is in, or reads from attributes; functional ones
/// take their argument with them. Anything else unknown stays an error, as in
/// browsers (`:nosuch`).
const PSEUDO: &[(&str, &str)] = &[
    ("active", ":not(*)"),
    ("any-link", ":is(a, area)[href]"),
    ("autofill", ":not(*)"),
    ("checked", "[checked]"),
    ("default", ":not(*)"),
    ("defined", ":is(*)"),
    ("dir(", ":is(*)"),
    ("disabled", "[disabled]"),
    ("enabled", ":not([disabled])"),
    ("focus", ":not(*)"),
    ("focus-visible", ":not(*)"),
    ("focus-within", ":not(*)"),
    ("fullscreen", ":not(*)"),
    ("host", ":not(*)"),
    ("host(", ":not(*)"),
    ("host-context(", ":not(*)"),
    ("hover", ":not(*)"),
    ("in-range", ":not(*)"),
    ("indeterminate", ":not(*)"),
    ("invalid", ":not(*)"),
    ("lang(", ":is(*)"),
    ("link", ":is(a, area)[href]"),
    ("modal", ":not(*)"),
    ("optional", ":not([required])"),
    ("out-of-range", ":not(*)"),
    ("picture-in-picture", ":not(*)"),
    ("placeholder-shown", ":not(*)"),
    ("popover-open", ":not(*)"),
    ("read-only", "[readonly]"),
    ("read-write", ":not([readonly])"),
    ("required", "[required]"),
    ("target", ":not(*)"),
    ("user-invalid", ":not(*)"),
    ("user-valid", ":not(*)"),
    ("valid", ":is(*)"),
    ("visited", ":not(*)"),
    // Pseudo-elements (and their one-colon spellings): never an element.
    (":after", ":not(*)"),
    (":backdrop", ":not(*)"),
    (":before", ":not(*)"),
    (":cue", ":not(*)"),
    (":file-selector-button", ":not(*)"),
    (":first-letter", ":not(*)"),
    (":first-line", ":not(*)"),
    (":marker", ":not(*)"),
    (":part(", ":not(*)"),
    (":placeholder", ":not(*)"),
    (":selection", ":not(*)"),
    (":slotted(", ":not(*)"),
    ("after", ":not(*)"),
    ("before", ":not(*)"),
    ("first-letter", ":not(*)"),
    ("first-line", ":not(*)"),
];

/// `s` with every pseudo-class or pseudo-element of [`PSEUDO`] (outside
/// strings) replaced for the real matcher.
fn known_pseudos(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let (mut i, mut quote) = (0, 0u8);
    while i < b.len() {
        let c = b[i];
        if quote != 0 {
            if c == b'\\' && i + 1 < b.len() {
                out.push_str(&s[i..i + 2]);
                i += 2;
                continue;
            }
            if c == quote {
                quote = 0;
            }
        } else if c == b'"' || c == b'\'' {
            quote = c;
        } else if c == b':' {
            let start = i + 1;
            let mut end = start + usize::from(b.get(start) == Some(&b':'));
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'-') {
                end += 1;
            }
            let functional = b.get(end) == Some(&b'(');
            let name = s[start..end].to_ascii_lowercase() + if functional { "(" } else { "" };
            // `:nth-child(An+B of S)`: in a document without siblings, the
            // same as `:nth-child(An+B):is(S)` (the matcher lacks `of`).
            if name == "nth-child(" || name == "nth-last-child(" {
                let mut depth = 0;
                let close = b.iter().enumerate().skip(end).find_map(|(j, &ch)| {
                    depth += i32::from(ch == b'(') - i32::from(ch == b')');
                    (depth == 0).then_some(j)
                });
                if let Some(close) = close {
                    if let Some(of) = s[end + 1..close].find(" of ").map(|k| end + 1 + k) {
                        out.push_str(&s[i..of]);
                        out.push_str("):is(");
                        out.push_str(&known_pseudos(&s[of + 4..close]));
                        out.push(')');
                        i = close + 1;
                        continue;
                    }
                }
            }
            if let Some((_, with)) = PSEUDO.iter().find(|(n, _)| *n == name) {
                if functional {
                    let mut depth = 0;
                    for (j, &ch) in b.iter().enumerate().skip(end) {
                        depth += i32::from(ch == b'(') - i32::from(ch == b')');
                        end = j + 1;
                        if depth == 0 {
                            break;
                        }
                    }
                }
                out.push_str(with);
                i = end;
                continue;
            }
        }
        // `i` is on a character boundary: only ASCII is skipped above.
        let len = s[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&s[i..i + len]);
        i += len;
    }
    out
}

/// Validates a selector list as a browser would, and compiles it.
fn parse_selector(s: &str) -> Option<NativeSelector> {
    let real = scraper::Selector::parse(&known_pseudos(s)).ok()?;
    // An empty list, which the parser below takes, is a SyntaxError in browsers.
    if s.trim().is_empty() {
        return None;
    }
    Some(NativeSelector {
        own: parse_own(s).ok(),
        real,
    })
}

fn escape_html(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// Marks the element a document built by [`document_of`] is about.
const TARGET: &str = "data-microconv-native-target";

/// An HTML document of `el` inside its ancestors, `el` marked with [`TARGET`].
fn document_of(el: &NativeElement) -> scraper::Html {
    let chain: Vec<&NativeElement> =
        std::iter::successors(Some(el), |e| e.parent.as_deref()).collect();
    let mut html = String::new();
    for (depth, e) in chain.iter().enumerate().rev() {
        html.push('<');
        html.push_str(&e.tag);
        for (k, v) in &e.attrs {
            html.push(' ');
            html.push_str(k);
            html.push_str("=\"");
            escape_html(v, &mut html);
            html.push('"');
        }
        if depth == 0 {
            html.push(' ');
            html.push_str(TARGET);
        }
        html.push('>');
    }
    escape_html(&el.text, &mut html);
    for e in &chain {
        html.push_str("</");
        html.push_str(&e.tag);
        html.push('>');
    }
    scraper::Html::parse_document(&html)
}

/// The real matcher: `el` in a document of its ancestors.
fn real_matches(selector: &scraper::Selector, el: &NativeElement) -> bool {
    let doc = document_of(el);
    let target = scraper::Selector::parse(&format!("[{TARGET}]")).expect("a valid selector");
    let found = doc.select(&target).next();
    found.is_some_and(|t| selector.matches(&t))
}

fn attr_matches(a: &AttrSel, el: &NativeElement) -> bool {
    let Some(v) = el.get_attr(&a.name) else {
        return false;
    };
    let Some((op, want)) = &a.op else { return true };
    let (v, want) = if a.ignore_case {
        (v.to_lowercase(), want.to_lowercase())
    } else {
        (v.to_string(), want.clone())
    };
    match op {
        b'=' => v == want,
        b'~' => {
            !want.is_empty()
                && !want.contains(char::is_whitespace)
                && v.split_whitespace().any(|w| w == want)
        }
        b'|' => {
            v == want
                || v.strip_prefix(want.as_str())
                    .is_some_and(|r| r.starts_with('-'))
        }
        b'^' => !want.is_empty() && v.starts_with(&want),
        b'$' => !want.is_empty() && v.ends_with(&want),
        b'*' => !want.is_empty() && v.contains(&want),
        _ => false,
    }
}

fn compound_matches(c: &Compound, el: &NativeElement) -> bool {
    c.tag.as_ref().is_none_or(|t| *t == el.tag)
        && c.ids
            .iter()
            .all(|id| el.get_attr("id") == Some(id.as_str()))
        && c.classes.iter().all(|cl| {
            el.get_attr("class")
                .is_some_and(|v| v.split_whitespace().any(|w| w == cl))
        })
        && c.attrs.iter().all(|a| attr_matches(a, el))
}

/// Whether `el` matches `x.compounds[..=n]`, `el` standing for compound `n`.
fn complex_matches(x: &Complex, n: usize, el: &NativeElement) -> bool {
    if !compound_matches(&x.compounds[n], el) {
        return false;
    }
    if n == 0 {
        return true;
    }
    let mut up = el.parent.as_deref();
    if x.child[n - 1] {
        return up.is_some_and(|p| complex_matches(x, n - 1, p));
    }
    while let Some(p) = up {
        if complex_matches(x, n - 1, p) {
            return true;
        }
        up = p.parent.as_deref();
    }
    false
}

fn ancestors(el: &Rc<NativeElement>) -> impl Iterator<Item = &Rc<NativeElement>> {
    std::iter::successors(Some(el), |e| e.parent.as_ref())
}

/// Visible text the way the browser shell reports it: trimmed, whitespace
/// collapsed, capped at [`TEXT_CAP`] characters.
pub fn visible_text(s: &str) -> String {
    let mut out = String::new();
    for (i, w) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    // Cut at the cap, without a space it ended on (as `loader/host.js`).
    match out.char_indices().nth(TEXT_CAP) {
        Some((i, _)) => out[..i].trim_end_matches(' ').to_string(),
        None => out,
    }
}

impl Backend for NativeBackend {
    type Regex = regress::Regex;
    type Selector = NativeSelector;
    type Element = Rc<NativeElement>;

    // `Msg` is `String` with the `messages` feature (always on natively, but
    // the conversion keeps a build without it compiling).
    #[allow(clippy::useless_conversion)]
    fn compile_regex(&self, pattern: &str, ignore_case: bool) -> Option<Self::Regex> {
        regress::Regex::with_flags(pattern, if ignore_case { "i" } else { "" }).ok()
    }
    fn regex_test(&self, re: &Self::Regex, text: &str) -> bool {
        re.find(text).is_some()
    }
    fn compile_selector(&self, selector: &str) -> Option<Self::Selector> {
        parse_selector(selector)
    }
    fn matches(&self, el: &Self::Element, selector: &Self::Selector) -> bool {
        match &selector.own {
            Some(list) => list
                .iter()
                .any(|x| complex_matches(x, x.compounds.len() - 1, el)),
            None => real_matches(&selector.real, el),
        }
    }
    fn closest(&self, el: &Self::Element, selector: &Self::Selector) -> Option<Self::Element> {
        ancestors(el).find(|e| self.matches(e, selector)).cloned()
    }
    fn closest_link(&self, el: &Self::Element) -> Option<(Self::Element, String, bool)> {
        let link = ancestors(el)
            .find(|e| (e.tag == "a" || e.tag == "area") && e.get_attr("href").is_some())?;
        let href = link.get_attr("href")?.trim();
        let scheme = href.split_once(':').map(|(s, _)| s.trim());
        if scheme.is_some_and(|s| s.eq_ignore_ascii_case("javascript")) {
            return None;
        }
        let download = link.get_attr("download").is_some();
        Some((link.clone(), href.to_string(), download))
    }
    fn describe(&self, el: &Self::Element) -> ElementFacts {
        let attr = |n: &str| el.get_attr(n).unwrap_or("").to_string();
        ElementFacts {
            tag: el.tag.clone(),
            id: attr("id"),
            classes: attr("class"),
            text: visible_text(&el.text),
            url: self.closest_link(el).map(|(_, u, _)| u).unwrap_or_default(),
            target: attr("target"),
            attrs: el.attrs.clone(),
        }
    }
    fn global(&self, path: &str) -> crate::engine::Value {
        let g = self.globals.borrow();
        g.iter()
            .find(|(k, _)| k == path)
            .map_or(crate::engine::Value::Null, |(_, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(s: &str) -> NativeSelector {
        parse_selector(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn selectors_match() {
        let b = NativeBackend::default();
        let body = NativeElement::new("body").attr("class", "page").build();
        let nav = NativeElement::new("nav")
            .attr("id", "top")
            .child_of(&body)
            .build();
        let a = NativeElement::new("A")
            .attr("class", "cta  big")
            .attr("href", "/x.pdf")
            .attr("data-k", "Alpha-beta")
            .child_of(&nav)
            .build();
        let span = NativeElement::new("span").child_of(&a).build();
        let yes = [
            "a",
            "*",
            "A.cta",
            ".cta.big",
            "nav a",
            "body a",
            "nav > a",
            "#top > a.cta",
            "body.page a",
            "[href]",
            "[href='/x.pdf']",
            "[href=\"/x.pdf\"]",
            "[class~=big]",
            "[data-k|=Alpha]",
            "[href^='/x']",
            "[href$=pdf]",
            "[href*=x]",
            "[data-k='ALPHA-BETA' i]",
            "button, a",
            " a ",
            "body>nav>a",
        ];
        for s in yes {
            assert!(b.matches(&a, &sel(s)), "{s} should match");
        }
        let no = [
            "button",
            ".cta.small",
            "body > a",
            "#top",
            "[class~='cta big']",
            "[href^='']",
            "[data-k='ALPHA-BETA']",
            "span a",
        ];
        for s in no {
            assert!(!b.matches(&a, &sel(s)), "{s} should not match");
        }
        assert!(b.matches(&span, &sel("a span")));
        assert_eq!(b.closest(&span, &sel(".cta")), Some(a.clone()));
        assert_eq!(b.closest(&span, &sel("form")), None);
    }

    #[test]
    fn the_verdicts_are_chromiums() {
        // document.documentElement.matches(s) in Chromium 156: a throw is "bad".
        let bad = [
            "",
            ",",
            "a,",
            "[",
            "[x=]",
            "a >",
            "#",
            ".1a",
            "a!",
            "a >> b",
            "a:nosuch",
            "a::nosuch",
            ":nth-child(x)",
            "video:playing",
        ];
        let good = [
            "[x",
            "[x='y]",
            "[x='y",
            "a:hover",
            "a::before",
            "a:not(.x)",
            "a:has(> b)",
            "a:focus-visible",
            "input:checked",
            "a:link",
            "a:any-link",
            "a\\.b",
            "a:is(.x,.y)",
            "a:where(b)",
            "a:nth-child(2n+1 of .x)",
            "a:nth-child(odd of :not(.y))",
            "a:disabled",
            "a:enabled",
            "p:empty",
            ":root",
            "a:visited",
            "a:target",
            "a:focus-within",
            "input:placeholder-shown",
            "a:lang(en)",
            "a:dir(ltr)",
            "input:required",
            "input:read-only",
            "a:scope",
            "a:defined",
            "dialog:modal",
            "a:popover-open",
            "a:user-invalid",
            "a:host",
            "::slotted(a)",
            "a::part(x)",
            "a::marker",
            "[title=':hover']",
        ];
        for s in bad {
            assert!(parse_selector(s).is_none(), "{s:?}: browsers refuse it");
        }
        for s in good {
            assert!(parse_selector(s).is_some(), "{s:?}: browsers accept it");
        }
    }

    /// What the hand-written parser refused, browsers accept: `check` did
    /// report good rules as broken.
    #[test]
    fn what_browsers_accept_is_accepted_and_matched() {
        let b = NativeBackend::default();
        let nav = NativeElement::new("nav").attr("class", "top").build();
        let a = NativeElement::new("a")
            .attr("class", "cta primary")
            .attr("href", "/trial")
            .text("Start trial")
            .child_of(&nav)
            .build();
        for (s, want) in [
            ("a:not(.secondary)", true),
            ("a:not(.primary)", false),
            ("nav:has(> a.cta) a", true),
            ("a:nth-child(1)", true),
            ("a:first-child:last-child", true),
            ("a:is(.cta, .x)", true),
            ("nav + a", false),
            ("a ~ a", false),
            ("a[href^='/tr' i]", true),
            ("a\\.b", false),
            ("a:hover", false),
        ] {
            let sel = sel(s);
            assert!(
                sel.own.is_none() || s.starts_with("a["),
                "{s}: the real matcher"
            );
            assert_eq!(b.matches(&a, &sel), want, "{s}");
        }
        assert_eq!(b.closest(&a, &sel("nav:not(.bottom)")), Some(nav.clone()));
    }

    #[test]
    fn links_and_facts() {
        let b = NativeBackend::default();
        let a = NativeElement::new("a")
            .attr("href", "https://x.org/f.pdf")
            .attr("download", "")
            .attr("id", "dl")
            .build();
        let img = NativeElement::new("img").child_of(&a).build();
        let (link, url, download) = b.closest_link(&img).unwrap();
        assert_eq!((link, url.as_str()), (a.clone(), "https://x.org/f.pdf"));
        assert!(download);
        let js = NativeElement::new("a")
            .attr("href", " JavaScript:void(0)")
            .build();
        assert!(b.closest_link(&js).is_none());
        let no_href = NativeElement::new("a").build();
        assert!(b.closest_link(&no_href).is_none());
        let f = b.describe(&img);
        assert_eq!(f.url, "https://x.org/f.pdf");
        let btn = NativeElement::new("button")
            .text("  Start\n  your   trial ")
            .build();
        assert_eq!(b.describe(&btn).text, "Start your trial");
        // The browser's figures (tests/web_clicks.rs): Unicode White_Space
        // collapsed, U+FEFF kept, no space left where the cap cut.
        assert_eq!(
            visible_text("\u{85}\u{3000} a\u{a0}\u{2028}b \u{feff} 𝄞 "),
            "a b \u{feff} 𝄞"
        );
        assert_eq!(
            visible_text(&"word ".repeat(200)),
            "word ".repeat(20).trim_end()
        );
        assert_eq!(
            b.describe(&NativeElement::new("p").text(&"x".repeat(500)).build())
                .text
                .len(),
            TEXT_CAP
        );
    }

    #[test]
    fn regexes_are_ecmascript() {
        let b = NativeBackend::default();
        let re = b.compile_regex("demo\\.(mp4|webm)$", true).unwrap();
        assert!(b.regex_test(&re, "https://x.org/DEMO.MP4"));
        let look = b.compile_regex("^(?!/admin)", false).unwrap();
        assert!(b.regex_test(&look, "/blog"));
        assert!(!b.regex_test(&look, "/admin"));
        assert!(b.compile_regex("(", false).is_none());
    }
}
