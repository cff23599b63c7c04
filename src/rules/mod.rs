//! The rules file: parsing, validation and the messages marketers read.
//!
//! `parse` never panics, on any input: every defect becomes a [`RuleError`]
//! naming the trigger, the JSON path and the reason, and triggers with errors
//! are left out while the valid ones are kept. Without the `messages` feature
//! (the tag build) a [`RuleError`] only names the trigger: the path, reason
//! and position are empty ([`crate::msg`]), and which triggers are kept is
//! exactly the same.

use crate::prelude::*;

pub mod model;
pub mod names;

mod condition;
mod ctx;
mod funnels;
#[cfg(feature = "messages")]
pub mod lint;
#[cfg(feature = "messages")]
mod suggest;
mod validate;

use crate::msg::Msg;
use model::{Pos, Rules};

/// The defect of a group member that was left out for its own defects (the
/// validator's and the engine's word: the group could never fire).
pub const MEMBER_LEFT_OUT: &str =
    "this member has defects and was left out, so the group could never fire";

/// Which trigger a defect belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerRef {
    /// The trigger's `id`.
    Id(String),
    /// Its index in `triggers`, when it has no usable `id`.
    Index(usize),
}

/// One defect in a rules file.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    /// The trigger it belongs to; `None` for file-level defects.
    pub trigger: Option<TriggerRef>,
    /// JSON path, e.g. `triggers[0].conditions[1].operator`.
    pub path: Msg,
    /// Human reason, e.g. `unknown operator "start_with" (did you mean "starts_with"?)`.
    pub message: Msg,
    /// Where it is in the file.
    pub pos: Pos,
}

/// The result of parsing: the valid part and every defect.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    /// The rules with invalid triggers left out.
    pub rules: Rules,
    /// Every defect found, in file order.
    pub errors: Vec<RuleError>,
}

/// Parses and validates a rules file.
pub fn parse(text: &str) -> Parsed {
    validate::parse(text, crate::json::parse)
}

#[cfg(feature = "messages")]
impl core::fmt::Display for RuleError {
    /// `trigger "id": path: message`, `trigger #3: path: message`, or
    /// `path: message` for file-level defects.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.trigger {
            Some(TriggerRef::Id(id)) => {
                f.write_str("trigger ")?;
                f.write_str(&ctx::quoted(id))?;
                f.write_str(": ")?;
            }
            Some(TriggerRef::Index(i)) => write!(f, "trigger #{i}: ")?,
            None => {}
        }
        if !self.path.is_empty() {
            f.write_str(&self.path)?;
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

#[cfg(feature = "messages")]
impl core::error::Error for RuleError {}
