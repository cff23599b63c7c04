//! Text for people (rules messages, JSON paths) that exists only with the
//! `messages` feature.
//!
//! With it, [`Msg`] is `String` and every helper builds the text. Without it
//! (the tag build), [`Msg`] is an empty value: building a message compiles to
//! nothing, so the tag carries no message strings, paths or formatting, and
//! still decides exactly what is valid (the checks themselves are plain code,
//! outside the message text).

/// A message or a JSON path: `String` with the `messages` feature.
#[cfg(feature = "messages")]
pub type Msg = alloc::string::String;

/// A message or a JSON path: nothing without the `messages` feature (the
/// methods `String` has, as no-ops; it reads as `""`).
#[cfg(not(feature = "messages"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Msg;

#[cfg(not(feature = "messages"))]
impl Msg {
    /// Nothing.
    #[inline(always)]
    pub fn new() -> Self {
        Msg
    }
    /// Nothing.
    #[inline(always)]
    pub fn push_str(&mut self, _: &str) {}
    /// Nothing.
    #[inline(always)]
    pub fn push(&mut self, _: char) {}
}

#[cfg(not(feature = "messages"))]
impl From<&str> for Msg {
    #[inline(always)]
    fn from(_: &str) -> Self {
        Msg
    }
}

#[cfg(not(feature = "messages"))]
impl From<alloc::string::String> for Msg {
    #[inline(always)]
    fn from(_: alloc::string::String) -> Self {
        Msg
    }
}

#[cfg(not(feature = "messages"))]
impl core::ops::Deref for Msg {
    type Target = str;
    #[inline(always)]
    fn deref(&self) -> &str {
        ""
    }
}

/// The pieces joined (see [`crate::text::concat`]).
#[cfg(feature = "messages")]
pub fn concat(parts: &[&str]) -> Msg {
    crate::text::concat(parts)
}

/// Nothing (no `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
pub fn concat(_: &[&str]) -> Msg {
    Msg
}

/// Appends a decimal integer.
#[cfg(feature = "messages")]
pub fn push_uint(out: &mut Msg, n: usize) {
    crate::text::push_uint(out, n as u64);
}

/// Nothing (no `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
pub fn push_uint(_: &mut Msg, _: usize) {}

/// Appends `s` as a JSON string (see [`crate::json::write_str`]).
#[cfg(feature = "messages")]
pub fn push_json_str(out: &mut Msg, s: &str) {
    crate::json::write_str(out, s);
}

/// Nothing (no `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
pub fn push_json_str(_: &mut Msg, _: &str) {}

/// The defect of a regular expression the browser's `RegExp` refuses: the
/// same words from every backend (the CLI's and the browser's engines
/// word their errors differently).
pub fn bad_regex(pattern: &str) -> Msg {
    refused(
        "invalid regular expression: JavaScript's RegExp refuses ",
        pattern,
    )
}

/// The defect of a selector list the browser's `querySelector` refuses (as
/// [`bad_regex`]).
pub fn bad_selector(selector: &str) -> Msg {
    refused(
        "invalid CSS selector: the browser's querySelector refuses ",
        selector,
    )
}

/// `lead` and the pattern as a JSON string, capped (a pattern may be long).
fn refused(lead: &str, pattern: &str) -> Msg {
    let mut m = Msg::from(lead);
    push_json_str(&mut m, crate::engine::cap_str(pattern, 100));
    m
}
