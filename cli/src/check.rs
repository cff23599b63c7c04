//! `microconv check`: every defect of a rules file, from validation and from
//! compiling its regexes and selectors, as `file:line:column: ...` lines.

use microconv::engine::Engine;
use microconv::native::NativeBackend;
use microconv::published;
use microconv::rules::model::TriggerKind;
use microconv::rules::names::TRIGGER_TYPES;
use microconv::rules::{self, RuleError};

use crate::Usage;

/// A checked file: its defects (already printed) and the engine of its valid triggers.
pub struct Checked {
    /// Every defect, in file order.
    pub errors: Vec<RuleError>,
    /// The engine running the valid triggers.
    pub engine: Engine<NativeBackend>,
}

/// Reads, validates and compiles `path`, printing defects or the summary.
pub fn check_file(path: &str) -> Result<Checked, Usage> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Usage(format!("cannot read {path}: {e}")))?;
    if published::is_published(&text) {
        return check_published(path, &text);
    }
    let parsed = rules::parse(&text);
    let mut errors = parsed.errors;
    let (engine, compile_errors) = Engine::new(parsed.rules, NativeBackend::default());
    errors.extend(compile_errors);
    errors.sort_by_key(|e| (e.pos.line, e.pos.column));
    for e in &errors {
        println!("{}", line(path, e));
    }
    if errors.is_empty() {
        println!("{}", summary(path, &engine));
    }
    Ok(Checked { errors, engine })
}

/// A published file: whether the tag can read it, and what it holds.
fn check_published(path: &str, text: &str) -> Result<Checked, Usage> {
    let rules = published::read(text).map_err(|e| Usage(format!("{path}: {}", e.message())))?;
    let hash = rules.hash.clone();
    let (engine, errors) = Engine::new(rules, NativeBackend::default());
    for e in &errors {
        println!("{path}: {e}");
    }
    if errors.is_empty() {
        println!("{} (published rules {hash})", summary(path, &engine));
    }
    Ok(Checked { errors, engine })
}

/// Prints the warnings of the valid rules (and, with the `--simulate`
/// events, each `dl.*` key no push there sets) as
/// `file:line:column: warning: ...` lines; returns how many.
pub fn warnings(
    file: &str,
    engine: &Engine<NativeBackend>,
    events: Option<(&str, &[crate::events::Example])>,
) -> usize {
    let mut all = rules::lint::warnings(engine.rules());
    if let Some((events_file, events)) = events {
        let pushed: Vec<&str> = events
            .iter()
            .filter_map(|ex| match &ex.event {
                crate::events::Event::Push(p) => Some(p),
                _ => None,
            })
            .flat_map(|p| p.fields.iter().map(|(k, _)| k.as_str()))
            .collect();
        let near = |a: &str, b: &str| {
            a.len() > b.len() && a.starts_with(b) && a.as_bytes()[b.len()] == b'.'
        };
        for (key, mut e) in rules::lint::dl_keys(engine.rules()) {
            let set = pushed
                .iter()
                .any(|p| *p == key || near(p, key) || near(key, p));
            if !set {
                e.message = format!(
                    "no push in {events_file} sets \"{key}\": is it the data layer's key, as the page pushes it?"
                );
                all.push(e);
            }
        }
    }
    all.sort_by_key(|e| (e.pos.line, e.pos.column));
    for e in &all {
        println!("{file}:{}:{}: warning: {e}", e.pos.line, e.pos.column);
    }
    all.len()
}

/// `file:line:column: trigger "id": path: message`.
pub fn line(file: &str, e: &RuleError) -> String {
    format!("{file}:{}:{}: {e}", e.pos.line, e.pos.column)
}

/// The type name (`on`) of a trigger kind.
pub fn type_name(kind: &TriggerKind) -> &'static str {
    kind.ty().as_str()
}

/// `file: ok, 4 triggers (scroll 1, ...): conversion, ...`.
fn summary(file: &str, engine: &Engine<NativeBackend>) -> String {
    let triggers = engine.triggers();
    let counts: Vec<String> = TRIGGER_TYPES
        .iter()
        .filter_map(|ty| {
            let n = triggers
                .iter()
                .filter(|t| type_name(&t.kind) == *ty)
                .count();
            (n > 0).then(|| format!("{ty} {n}"))
        })
        .collect();
    let mut conversions: Vec<&str> = Vec::new();
    for t in triggers {
        if !conversions.contains(&t.conversion.as_str()) {
            conversions.push(&t.conversion);
        }
    }
    let plural = if triggers.len() == 1 { "" } else { "s" };
    let mut s = format!("{file}: ok, {} trigger{plural}", triggers.len());
    if !counts.is_empty() {
        s.push_str(&format!(
            " ({}): {}",
            counts.join(", "),
            conversions.join(", ")
        ));
    }
    let funnels = &engine.rules().funnels;
    if !funnels.is_empty() {
        let ids: Vec<&str> = funnels.iter().map(|f| f.id.as_str()).collect();
        let plural = if funnels.len() == 1 { "" } else { "s" };
        s.push_str(&format!("; funnel{plural} {}", ids.join(", ")));
    }
    s
}
