//! The rules text read by the browser's `JSON.parse` (the tag build): the
//! host flattens the parsed value into one array (`host.json` in
//! `loader/host.js`), read back here into the [`Json`] the validator takes.
//! It costs the tag no JSON parser of its own; `src/json`'s stays for the
//! positions that messages need (CLI, diagnostics file). The host refuses
//! exactly what that parser refuses (`tests/web_json.rs` compares them).

use js_sys::Array;
use wasm_bindgen::JsValue;

use super::Host;
use crate::json::{Json, JsonError, JsonKind, Member};
use crate::msg::Msg;
use crate::prelude::*;
use crate::rules::model::Pos;

/// `text` as JSON, through `host.json`; an error without a message or
/// position (the diagnostics file has them), also when there is no host.
pub fn parse(host: Option<&Host>, text: &str) -> Result<Json, JsonError> {
    match host.and_then(|h| h.json(text)) {
        Some(tape) => Ok(Reader { tape, i: 0 }.value()),
        None => Err(JsonError {
            message: Msg::from(""),
            pos: Pos::START,
        }),
    }
}

/// A cursor on the host's array (see `host.json` for its shape).
struct Reader {
    tape: Array,
    i: u32,
}

impl Reader {
    fn next(&mut self) -> JsValue {
        self.i += 1;
        self.tape.get(self.i - 1)
    }

    fn num(&mut self) -> f64 {
        self.next().as_f64().unwrap_or(0.0)
    }

    fn string(&mut self) -> String {
        self.next().as_string().unwrap_or_default()
    }

    /// One value; the host nests at most 64 levels, so the recursion is bounded.
    fn value(&mut self) -> Json {
        let k = self.num() as u8;
        let kind = match k {
            1 | 2 => JsonKind::Bool(k == 2),
            3 => JsonKind::Num(self.num()),
            4 => JsonKind::Str(self.string()),
            5 | 6 => {
                let (mut items, mut members) = (Vec::new(), Vec::new());
                for _ in 0..self.num() as u32 {
                    if k == 5 {
                        items.push(self.value());
                    } else {
                        let key = self.string();
                        members.push(Member {
                            key,
                            key_pos: Pos::START,
                            value: self.value(),
                        });
                    }
                }
                match k {
                    5 => JsonKind::Arr(items),
                    _ => JsonKind::Obj(members),
                }
            }
            _ => JsonKind::Null,
        };
        Json {
            pos: Pos::START,
            kind,
        }
    }
}
