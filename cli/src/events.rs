//! The events file of `--simulate`: a JSON array of example events (the format
//! is in the usage text and cli/README.md).

use microconv::engine::{
    FormEvent, FormEventKind, MediaEvent, MediaEventKind, PushedEvent, ScrollReading, Value,
};
use serde_json::{Map, Value as J};

use crate::Usage;

/// One example event.
#[derive(Debug, Clone)]
pub enum Event {
    /// A page view (the page's `page_view` triggers fire).
    Page {
        url: String,
        title: String,
        referrer: String,
    },
    /// A scroll reading.
    Scroll(ScrollReading),
    /// A click on the innermost element of `element`.
    Click { button: i16, element: ElementDesc },
    /// A media event of media element `media`.
    Media { media: u32, event: MediaEvent },
    /// A data-layer push.
    Push(PushedEvent),
    /// A form's submission or first interaction; `form` describes the form
    /// element (its attributes give `form.*`).
    Form { event: FormEvent, form: ElementDesc },
    /// Page globals set by the page's scripts (`js.*`), by property path.
    Globals(Vec<(String, Value)>),
}

/// An element as the events file describes it, innermost first.
#[derive(Debug, Clone, Default)]
pub struct ElementDesc {
    pub tag: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub parent: Option<Box<ElementDesc>>,
}

/// An event and its text in the file, for the report.
pub struct Example {
    pub event: Event,
    pub source: String,
}

/// Reads and decodes the events file; problems are usage errors (exit 2).
pub fn read(path: &str) -> Result<Vec<Example>, Usage> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Usage(format!("cannot read {path}: {e}")))?;
    let value: J =
        serde_json::from_str(&text).map_err(|e| Usage(format!("{path}: not JSON: {e}")))?;
    let items = value
        .as_array()
        .ok_or_else(|| Usage(format!("{path}: expected a JSON array of events")))?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let event = decode(v).map_err(|m| Usage(format!("{path}: event #{}: {m}", i + 1)))?;
            Ok(Example {
                event,
                source: v.to_string(),
            })
        })
        .collect()
}

fn decode(v: &J) -> Result<Event, String> {
    let o = v.as_object().ok_or("expected an object with a \"type\"")?;
    let ty = o
        .get("type")
        .and_then(J::as_str)
        .ok_or("missing \"type\"")?;
    Ok(match ty {
        "page" => Event::Page {
            url: string(o, "url")?.ok_or("missing \"url\"")?,
            title: string(o, "title")?.unwrap_or_default(),
            referrer: string(o, "referrer")?.unwrap_or_default(),
        },
        "scroll" => Event::Scroll(ScrollReading {
            top: number(o, "top")?.unwrap_or(0.0),
            viewport: number(o, "viewport")?.ok_or("missing \"viewport\"")?,
            height: number(o, "height")?.ok_or("missing \"height\"")?,
        }),
        "click" => Event::Click {
            button: number(o, "button")?.unwrap_or(0.0) as i16,
            element: element(o.get("element").ok_or("missing \"element\"")?, 0)?,
        },
        "media" => {
            let kind = match string(o, "kind")?.as_deref() {
                Some("play") => MediaEventKind::Play,
                Some("pause") => MediaEventKind::Pause,
                Some("seeking") => MediaEventKind::Seeking,
                Some("seeked") => MediaEventKind::Seeked,
                Some("timeupdate") => MediaEventKind::TimeUpdate,
                Some("ended") => MediaEventKind::Ended,
                _ => {
                    return Err(
                        "\"kind\" must be play, pause, seeking, seeked, timeupdate or ended".into(),
                    )
                }
            };
            let duration = match o.get("duration") {
                None | Some(J::Null) => f64::NAN,
                Some(J::String(s)) if s == "Infinity" => f64::INFINITY,
                Some(d) => d
                    .as_f64()
                    .ok_or("\"duration\" must be a number, null or \"Infinity\"")?,
            };
            Event::Media {
                media: number(o, "media")?.unwrap_or(1.0) as u32,
                event: MediaEvent {
                    kind,
                    current_time: number(o, "current_time")?.unwrap_or(0.0),
                    duration,
                    url: string(o, "url")?.unwrap_or_default(),
                    title: string(o, "title")?.unwrap_or_default(),
                    muted: flag(o, "muted"),
                    autoplay: flag(o, "autoplay"),
                    looped: flag(o, "loop"),
                    provider: "html5",
                },
            }
        }
        "form" => {
            let kind = match string(o, "kind")?.as_deref() {
                Some("submit") | None => FormEventKind::Submit,
                Some("start") => FormEventKind::Start,
                _ => return Err("\"kind\" must be submit or start".into()),
            };
            let form = match o.get("form") {
                Some(f) => element(f, 0)?,
                None => ElementDesc {
                    tag: "form".into(),
                    ..Default::default()
                },
            };
            let attr = |n: &str| {
                form.attrs
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            let method = attr("method").to_ascii_lowercase();
            Event::Form {
                event: FormEvent {
                    kind,
                    key: number(o, "key")?.unwrap_or(1.0) as u32,
                    id: attr("id"),
                    classes: attr("class"),
                    name: attr("name"),
                    action: attr("action"),
                    method: if method == "post" || method == "dialog" {
                        method
                    } else {
                        "get".into()
                    },
                    fields: number(o, "fields")?.unwrap_or(0.0) as u32,
                    prevented: flag(o, "prevented"),
                    invalid: flag(o, "invalid"),
                },
                form,
            }
        }
        "push" => {
            let mut pushed = PushedEvent {
                event: string(o, "event")?.ok_or("missing \"event\"")?,
                fields: Vec::new(),
            };
            for (k, v) in o {
                if k != "type" && k != "event" {
                    flatten(k, v, &mut pushed.fields, 0);
                }
            }
            Event::Push(pushed)
        }
        "globals" => {
            let values = o
                .get("values")
                .and_then(J::as_object)
                .ok_or("\"values\" must be an object of paths and values")?;
            let mut globals = Vec::new();
            for (path, v) in values {
                let v = match v {
                    J::String(s) => Value::Str(s.clone()),
                    J::Number(n) => Value::Num(n.as_f64().unwrap_or(f64::NAN)),
                    J::Bool(b) => Value::Bool(*b),
                    // What the tag reads for objects and missing paths.
                    _ => Value::Null,
                };
                globals.push((path.clone(), v));
            }
            Event::Globals(globals)
        }
        other => {
            return Err(format!(
                "unknown type {other:?}: expected page, scroll, click, media, form, push or globals"
            ))
        }
    })
}

/// A boolean field, `false` when absent.
fn flag(o: &Map<String, J>, key: &str) -> bool {
    o.get(key).and_then(J::as_bool).unwrap_or(false)
}

fn string(o: &Map<String, J>, key: &str) -> Result<Option<String>, String> {
    match o.get(key) {
        None => Ok(None),
        Some(J::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{key:?} must be a string")),
    }
}

fn number(o: &Map<String, J>, key: &str) -> Result<Option<f64>, String> {
    match o.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("{key:?} must be a number")),
    }
}

fn element(v: &J, depth: usize) -> Result<ElementDesc, String> {
    if depth > 200 {
        return Err("elements nested too deeply".into());
    }
    let o = v
        .as_object()
        .ok_or("an element is an object with \"tag\"")?;
    let mut attrs = Vec::new();
    if let Some(a) = o.get("attrs") {
        let a = a
            .as_object()
            .ok_or("\"attrs\" must be an object of strings")?;
        for (k, v) in a {
            let v = v
                .as_str()
                .ok_or_else(|| format!("attribute {k:?} must be a string"))?;
            attrs.push((k.clone(), v.to_string()));
        }
    }
    Ok(ElementDesc {
        tag: string(o, "tag")?.ok_or("an element needs a \"tag\"")?,
        attrs,
        text: string(o, "text")?.unwrap_or_default(),
        parent: match o.get("parent") {
            None | Some(J::Null) => None,
            Some(p) => Some(Box::new(element(p, depth + 1)?)),
        },
    })
}

/// Nested objects become dotted keys, like the tag does with pushed events.
fn flatten(key: &str, v: &J, out: &mut Vec<(String, Value)>, depth: usize) {
    let value = match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Num(n.as_f64().unwrap_or(f64::NAN)),
        J::String(s) => Value::Str(s.clone()),
        J::Object(o) if depth < 8 => {
            for (k, v) in o {
                flatten(&format!("{key}.{k}"), v, out, depth + 1);
            }
            return;
        }
        _ => return,
    };
    out.push((key.to_string(), value));
}
