//! Minimal JSON: a parser that keeps positions (for rules messages) and a writer.
//!
//! Hand-written so the wasm tag carries no serde: the parser is a bounded
//! recursive descent (depth capped at [`MAX_DEPTH`]) that never panics, and the
//! writer only escapes strings; callers write the structure themselves.

use crate::prelude::*;

mod parse;
mod write;

pub use parse::{parse, JsonError};
pub use write::write_str;

use crate::rules::model::Pos;

/// How deeply arrays and objects may nest; deeper input is an error, never a
/// stack overflow.
pub const MAX_DEPTH: usize = 64;

/// A JSON value and where it starts in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// Position of the value's first character.
    pub pos: Pos,
    /// The value.
    pub kind: JsonKind,
}

/// The kinds of JSON values.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A finite number.
    Num(f64),
    /// A string, unescaped.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object's members in file order (keys are unique).
    Obj(Vec<Member>),
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, unescaped.
    pub key: String,
    /// Position of the key's opening quote.
    pub key_pos: Pos,
    /// The value.
    pub value: Json,
}

impl Json {
    /// The JSON type name for messages: `null`, `a boolean`, `a number`, ...
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Num(_) => "a number",
            JsonKind::Str(_) => "a string",
            JsonKind::Arr(_) => "an array",
            JsonKind::Obj(_) => "an object",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self.kind {
            JsonKind::Num(n) => Some(n),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            JsonKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.kind {
            JsonKind::Arr(a) => Some(a),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            JsonKind::Obj(m) => Some(m),
            _ => None,
        }
    }

    /// The value of `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }
}

#[cfg(test)]
mod tests;
