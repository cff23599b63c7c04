//! What the rules validator accepts, for a generated corpus of mostly
//! defective rules files: one line per case (a hash of the valid rules, with
//! every trigger's options, and of whose each defect is, without the message
//! text). Built with and without the `messages` feature, the two outputs must
//! be identical: the tag's build (no messages) accepts exactly what the CLI
//! and the diagnostics file do. `scripts/test-lean.sh` runs both and compares.
//!
//!   cargo run --release --example acceptance [-- CASES [SEED]]

use microconv::engine::Engine;
use microconv::json::{self, Json, JsonKind, Member};
use microconv::native::NativeBackend;
use microconv::rules;
use microconv::rules::model::{Condition, Pos, Trigger};

/// The rules files mutated: the demo's, the CLI's defective fixture, the tests'.
const BASES: [&str; 3] = [
    include_str!("../www/rules.json"),
    include_str!("../cli/tests/fixtures/bad-rules.json"),
    include_str!("../tests/fixtures/example-rules.json"),
];

/// Names, near-misses and awkward values the mutations put anywhere.
const WORDS: &[&str] = &[
    "scroll",
    "video",
    "click",
    "link_click",
    "page_view",
    "form_submit",
    "form_start",
    "check_validation",
    "custom",
    "clik",
    "percent",
    "pixels",
    "pixel",
    "start",
    "pause",
    "seek",
    "progress",
    "complete",
    "stat",
    "equals",
    "start_with",
    "contains",
    "matches_regex",
    "matches_css",
    "less_than",
    "greater_or_equal",
    "page.path",
    "page.pth",
    "click.attrs.href",
    "click.attr.",
    "click.attr.data-x",
    "dl.",
    "dl.plan",
    "query.",
    "query.utm_source",
    "click.element",
    "link.outbound",
    "video.percent",
    "once_per_page",
    "once_per_pag",
    "unlimited",
    "(",
    "a[",
    "##",
    "[a-",
    "a.cta, button",
    "^/blog/",
    "",
    " ",
    "true",
    "false",
    "12",
    "1e400",
    "-0",
    "shop.example.com/x",
    "*.shop.com",
    "a..b",
    "host:80",
    "Shop.Example.COM",
    "ümlaut",
    "triggers",
    "id",
    "on",
    "units",
    "selector",
    "event",
    "variable",
    "operator",
    "value",
    "negate",
    "ignore_case",
    "limit",
    "macro",
    "thresholds",
    "statuses",
    "progress_percent",
    "progress_seconds",
    "conditions",
    "unless",
    "version",
    "endpoint",
    "affiliated_domains",
    "allow_query",
    "description",
    "conversion",
    "$schema",
];

/// Syntax the byte mutations insert.
const BITS: &[&str] = &[
    ",", "]", "}", "\"", "'", "//", "/*", "\\", "\\u12", "\\ud800", "\n", "\t", "0", "-", "{", ":",
    "[", "01", "1.", "1e", "nul", "\u{feff}", "é",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

fn node(kind: JsonKind) -> Json {
    Json {
        pos: Pos::default(),
        kind,
    }
}

fn word(r: &mut Rng) -> Json {
    node(JsonKind::Str(r.pick(WORDS).to_string()))
}

fn any_value(r: &mut Rng, depth: usize) -> Json {
    let kind = match r.below(if depth > 2 { 4 } else { 7 }) {
        0 | 1 => JsonKind::Str(r.pick(WORDS).to_string()),
        2 => JsonKind::Num(*r.pick(&[0.0, -1.0, 1.0, 50.0, 100.0, 150.0, 1.5, 1e9])),
        3 => match r.below(3) {
            0 => JsonKind::Bool(true),
            1 => JsonKind::Bool(false),
            _ => JsonKind::Null,
        },
        4 => JsonKind::Arr((0..r.below(3)).map(|_| any_value(r, depth + 1)).collect()),
        5 => JsonKind::Obj(
            ["variable", "operator", "value"]
                .iter()
                .map(|k| Member {
                    key: k.to_string(),
                    key_pos: Pos::default(),
                    value: if r.chance(70) {
                        word(r)
                    } else {
                        any_value(r, depth + 1)
                    },
                })
                .collect(),
        ),
        _ => JsonKind::Obj(Vec::new()),
    };
    node(kind)
}

/// One structural change somewhere in the tree.
fn mutate(r: &mut Rng, v: &mut Json, depth: usize) {
    match &mut v.kind {
        JsonKind::Arr(items) if !items.is_empty() => match r.below(10) {
            0 | 1 => {
                let i = r.below(items.len());
                items[i] = any_value(r, depth);
            }
            2 => {
                items.remove(r.below(items.len()));
            }
            3 => {
                let copy = r.pick(items).clone();
                items.push(copy);
            }
            _ => {
                let i = r.below(items.len());
                mutate(r, &mut items[i], depth + 1);
            }
        },
        JsonKind::Obj(members) if !members.is_empty() => match r.below(10) {
            0 | 1 => members.push(Member {
                key: r.pick(WORDS).to_string(),
                key_pos: Pos::default(),
                value: any_value(r, depth),
            }),
            2 | 3 => {
                members.remove(r.below(members.len()));
            }
            4 | 5 => {
                let i = r.below(members.len());
                members[i].value = if r.chance(60) {
                    word(r)
                } else {
                    any_value(r, depth)
                };
            }
            _ => {
                let i = r.below(members.len());
                mutate(r, &mut members[i].value, depth + 1);
            }
        },
        JsonKind::Str(s) if r.chance(60) => *s = tweak(r, s),
        _ => *v = any_value(r, depth),
    }
}

/// A near miss of `s`: a typo, a case change, a port, a path, a wildcard.
fn tweak(r: &mut Rng, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let at = r.below(chars.len() + 1);
    match r.below(10) {
        0 if !chars.is_empty() => {
            chars.remove(at.min(chars.len() - 1));
        }
        1 => chars.insert(
            at,
            *r.pick(&['.', '-', '_', ' ', 'x', '/', ':', '*', 'É', '(']),
        ),
        2 => return format!("*.{s}"),
        3 => return format!("{s}:8080"),
        4 => return format!("https://{s}/"),
        5 => return s.to_uppercase(),
        6 => return format!("{s}."),
        7 => return String::new(),
        8 => return format!(" {s}"),
        _ => return r.pick(WORDS).to_string(),
    }
    chars.into_iter().collect()
}

fn write(out: &mut String, v: &Json) {
    match &v.kind {
        JsonKind::Null => out.push_str("null"),
        JsonKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JsonKind::Num(n) => out.push_str(&microconv::engine::js_string(*n)),
        JsonKind::Str(s) => json::write_str(out, s),
        JsonKind::Arr(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                write(out, x);
            }
            out.push(']');
        }
        JsonKind::Obj(members) => {
            out.push('{');
            for (i, m) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                json::write_str(out, &m.key);
                out.push(':');
                write(out, &m.value);
            }
            out.push('}');
        }
    }
}

fn make_case(r: &mut Rng) -> String {
    let base = *r.pick(&BASES);
    if r.chance(30) {
        let mut t: Vec<char> = base.chars().collect();
        for _ in 0..1 + r.below(2) {
            let at = r.below(t.len());
            match r.below(5) {
                0 | 1 => {
                    let end = (at + 1 + r.below(3)).min(t.len());
                    t.drain(at..end);
                }
                2 | 3 => {
                    let bit: Vec<char> = r.pick(BITS).chars().collect();
                    t.splice(at..at, bit);
                }
                _ => t.truncate(at),
            }
        }
        return t.into_iter().collect();
    }
    let Ok(mut root) = json::parse(base) else {
        return base.to_string();
    };
    for _ in 0..1 + r.below(4) {
        mutate(r, &mut root, 0);
    }
    let mut out = String::new();
    write(&mut out, &root);
    out
}

fn condition(c: &Condition) -> String {
    format!(
        "{:?} {:?} {:?} negate={} ignore_case={}",
        c.variable, c.operator, c.value, c.negate, c.ignore_case
    )
}

fn trigger(t: &Trigger) -> String {
    let list = |cs: &[Condition]| cs.iter().map(condition).collect::<Vec<_>>().join("; ");
    format!(
        "{:?} {:?} {:?} [{}] unless [{}] {:?} macro={}",
        t.id,
        t.conversion,
        t.kind,
        list(&t.conditions),
        list(&t.unless),
        t.limit,
        t.is_macro
    )
}

/// What the case's rules mean, and whose defects there are (no text).
fn signature(text: &str) -> String {
    let parsed = rules::parse(text);
    let r = &parsed.rules;
    let mut sig = format!(
        "v{} {:?} {:?} {:?}\n",
        r.version, r.endpoint, r.affiliated_domains, r.allow_query
    );
    let mut owners: Vec<String> = parsed
        .errors
        .iter()
        .map(|e| format!("{:?}", e.trigger))
        .collect();
    let (engine, compile_errors) = Engine::new(parsed.rules, NativeBackend::default());
    owners.extend(compile_errors.iter().map(|e| format!("{:?}", e.trigger)));
    owners.sort();
    for t in engine.triggers() {
        sig.push_str(&trigger(t));
        sig.push('\n');
    }
    sig.push_str(&owners.join(","));
    sig
}

/// FNV-1a, 64 bits.
fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let cases: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut r = Rng(seed);
    let (mut valid, mut defective) = (0, 0);
    for i in 0..cases {
        let text = make_case(&mut r);
        let sig = signature(&text);
        if sig.ends_with('\n') {
            valid += 1;
        } else {
            defective += 1;
        }
        println!("{i} {:016x}", hash(&sig));
    }
    // Never the same for the two builds' invocations (the features differ),
    // so it goes to stderr.
    let messages = if cfg!(feature = "messages") {
        "with"
    } else {
        "without"
    };
    eprintln!("acceptance ({messages} messages): {cases} cases, {defective} with defects, {valid} without");
}
