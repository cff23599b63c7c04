//! The position-keeping JSON parser (RFC 8259, strict).
//!
//! Works on bytes of a `&str`, so every slice boundary it takes is an ASCII
//! character and the text stays valid UTF-8. Nesting is capped at
//! [`super::MAX_DEPTH`]; nothing here indexes without a check.

use super::{Json, JsonKind, Member, MAX_DEPTH};
use crate::msg::{push_json_str, Msg};
use crate::prelude::*;
use crate::rules::model::Pos;

/// Why a text is not JSON, and where (both empty without the `messages`
/// feature: see [`crate::msg`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// What is wrong, for a person.
    pub message: Msg,
    /// Where it is.
    pub pos: Pos,
}

#[cfg(feature = "messages")]
impl core::fmt::Display for JsonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parses one JSON value (a leading byte-order mark and surrounding
/// whitespace are allowed). Duplicate object keys are an error.
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        i: 0,
        #[cfg(feature = "messages")]
        line: 1,
        #[cfg(feature = "messages")]
        col: 1,
    };
    if text.starts_with('\u{feff}') {
        p.i = '\u{feff}'.len_utf8();
    }
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.peek().is_some() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
    /// Line and column of `i` (for messages only).
    #[cfg(feature = "messages")]
    line: u32,
    #[cfg(feature = "messages")]
    col: u32,
}

fn msg_with(prefix: &str, quoted: &str, suffix: &str) -> Msg {
    let mut m = Msg::from(prefix);
    push_json_str(&mut m, quoted);
    m.push_str(suffix);
    m
}

impl<'a> Parser<'a> {
    #[cfg(feature = "messages")]
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.col,
        }
    }

    #[cfg(not(feature = "messages"))]
    #[inline(always)]
    fn pos(&self) -> Pos {
        Pos
    }

    #[cfg_attr(not(feature = "messages"), inline(always))]
    fn err(&self, message: &str) -> JsonError {
        JsonError {
            message: message.into(),
            pos: self.pos(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Consumes one byte, keeping line and column (in characters) current.
    #[cfg(feature = "messages")]
    fn bump(&mut self) {
        if let Some(&b) = self.s.get(self.i) {
            self.i += 1;
            if b == b'\n' {
                self.line = self.line.saturating_add(1);
                self.col = 1;
            } else if b & 0xC0 != 0x80 {
                self.col = self.col.saturating_add(1);
            }
        }
    }

    /// Consumes one byte (no positions without the `messages` feature).
    #[cfg(not(feature = "messages"))]
    #[inline(always)]
    fn bump(&mut self) {
        if self.i < self.s.len() {
            self.i += 1;
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        let pos = self.pos();
        let kind = match self.peek() {
            None => return Err(self.err("unexpected end of the file: expected a value")),
            Some(b'{') | Some(b'[') if depth >= MAX_DEPTH => {
                return Err(self.err("nested too deeply (more than 64 levels)"))
            }
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JsonKind::Str(self.string()?),
            Some(b'-' | b'0'..=b'9') => JsonKind::Num(self.number()?),
            Some(b't') => self.word("true", JsonKind::Bool(true))?,
            Some(b'f') => self.word("false", JsonKind::Bool(false))?,
            Some(b'n') => self.word("null", JsonKind::Null)?,
            Some(_) => return Err(self.unexpected("a value")),
        };
        Ok(Json { pos, kind })
    }

    /// An error for the character at the cursor, with hints for the usual
    /// hand-editing mistakes.
    #[cfg(not(feature = "messages"))]
    #[inline(always)]
    fn unexpected(&self, _expected: &str) -> JsonError {
        self.err("")
    }

    /// An error for the character at the cursor, with hints for the usual
    /// hand-editing mistakes.
    #[cfg(feature = "messages")]
    fn unexpected(&self, expected: &str) -> JsonError {
        let rest = self.text.get(self.i..).unwrap_or("");
        let message = if rest.starts_with("//") || rest.starts_with("/*") {
            String::from("comments are not allowed in JSON")
        } else if rest.starts_with('\'') {
            String::from("strings and keys need double quotes (\"), not single quotes")
        } else if let Some(c) = rest.chars().next() {
            let mut m = msg_with("unexpected ", c.encode_utf8(&mut [0; 4]), ": expected ");
            m.push_str(expected);
            m
        } else {
            let mut m = String::from("unexpected end of the file: expected ");
            m.push_str(expected);
            m
        };
        JsonError {
            message,
            pos: self.pos(),
        }
    }

    fn word(&mut self, word: &str, kind: JsonKind) -> Result<JsonKind, JsonError> {
        if self.s.get(self.i..self.i + word.len()) == Some(word.as_bytes()) {
            for _ in 0..word.len() {
                self.bump();
            }
            Ok(kind)
        } else {
            Err(self.unexpected(
                "a value (true, false, null, a number, a string, an array or an object)",
            ))
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        self.bump(); // {
        let mut members: Vec<Member> = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(JsonKind::Obj(members));
        }
        loop {
            self.ws();
            match self.peek() {
                Some(b'"') => {}
                Some(b'}') if !members.is_empty() => {
                    return Err(self.err("trailing comma before '}'"))
                }
                Some(b'\'') | None => return Err(self.unexpected("a key in double quotes")),
                Some(_) => {
                    let rest = self.text.get(self.i..).unwrap_or("");
                    if rest.starts_with("//") || rest.starts_with("/*") {
                        return Err(self.unexpected(""));
                    }
                    return Err(self.err("object keys must be strings in double quotes"));
                }
            }
            let key_pos = self.pos();
            let key = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("':' after the key"));
            }
            self.bump();
            self.ws();
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_pos,
                value,
            });
            self.ws();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    break;
                }
                _ => return Err(self.unexpected("',' or '}' after an object member")),
            }
        }
        if let Some(dup) = first_duplicate(&members).and_then(|d| members.get(d)) {
            return Err(JsonError {
                message: msg_with("duplicate key ", &dup.key, ""),
                pos: dup.key_pos,
            });
        }
        Ok(JsonKind::Obj(members))
    }

    fn array(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        self.bump(); // [
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(JsonKind::Arr(items));
        }
        loop {
            self.ws();
            if self.peek() == Some(b']') {
                return Err(self.err("trailing comma before ']'"));
            }
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(JsonKind::Arr(items));
                }
                _ => return Err(self.unexpected("',' or ']' after an array element")),
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.pos();
        self.bump(); // "
        let mut out = String::new();
        loop {
            let run = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.bump();
            }
            out.push_str(self.text.get(run..self.i).unwrap_or(""));
            match self.peek() {
                None => {
                    return Err(JsonError {
                        message: Msg::from("unterminated string: missing closing '\"'"),
                        pos: start,
                    })
                }
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.bump();
                    self.escape(&mut out)?;
                }
                Some(b'\n') => {
                    return Err(JsonError {
                        message: Msg::from(
                            "unterminated string: a line break inside a string must be written \\n",
                        ),
                        pos: self.pos(),
                    })
                }
                Some(_) => {
                    return Err(self.err("control character in a string: escape it (e.g. \\t)"))
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.bump();
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if self.peek() != Some(b'\\') || self.s.get(self.i + 1) != Some(&b'u') {
                        return Err(self.err(
                            "invalid \\u escape: a high surrogate must be followed by a low one",
                        ));
                    }
                    self.bump();
                    self.bump();
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err("invalid \\u escape: expected a low surrogate"));
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                match char::from_u32(code) {
                    Some(c) => {
                        out.push(c);
                        return Ok(());
                    }
                    None => return Err(self.err("invalid \\u escape: lone surrogate")),
                }
            }
            _ => {
                return Err(
                    self.err("invalid escape: use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX")
                )
            }
        };
        self.bump();
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.err("invalid \\u escape: expected 4 hex digits")),
            };
            v = v * 16 + u32::from(d);
            self.bump();
        }
        Ok(v)
    }

    fn digits(&mut self) -> usize {
        let mut n = 0;
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
            n += 1;
        }
        n
    }

    fn number(&mut self) -> Result<f64, JsonError> {
        let start = self.i;
        let pos = self.pos();
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump();
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(JsonError {
                        message: Msg::from("invalid number: leading zeros are not allowed"),
                        pos,
                    });
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number: expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if self.digits() == 0 {
                return Err(self.err("invalid number: expected a digit after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number: expected a digit in the exponent"));
            }
        }
        // The syntax is checked above; JS `Number()` reads a JSON number's value.
        match self.text.get(start..self.i).map(crate::js::number) {
            Some(n) if n.is_finite() => Ok(n),
            _ => Err(JsonError {
                message: Msg::from("number out of range"),
                pos,
            }),
        }
    }
}

/// Index of the first member (in file order) whose key appeared before it.
/// Sorting keeps this O(n log n) on hostile objects with many keys.
fn first_duplicate(members: &[Member]) -> Option<usize> {
    if members.len() < 2 {
        return None;
    }
    crate::sort::earlier_equal(members.len(), &|i| members.get(i).map(|m| m.key.as_str()))
        .iter()
        .position(Option::is_some)
}
