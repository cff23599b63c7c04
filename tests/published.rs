#![cfg(not(target_arch = "wasm32"))]
//! Published rules: what `publish` writes reads back as the same rules; a
//! file that is not published, of another version, truncated or altered is
//! refused with its reason; and the reader never panics on hostile bytes
//! (mutations with a recomputed hash reach the body reader itself).

use microconv::engine::{Engine, MediaEvent, MediaEventKind, PushedEvent, ScrollReading};
use microconv::native::NativeBackend;
use microconv::published::{self, Unreadable};
use microconv::rules::model::{Pos, Rules};
use microconv::rules::parse;

fn file(path: &str) -> String {
    let full = concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + path;
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// `rules` without what only messages use (paths, positions) and the hash.
fn meaning(mut rules: Rules) -> Rules {
    rules.hash.clear();
    // A file with a bad `version` keeps its valid triggers; published, it is version 1.
    rules.version = 1;
    for t in &mut rules.triggers {
        t.path = Default::default();
        t.pos = Pos::START;
        for c in t.conditions.iter_mut().chain(t.unless.iter_mut()) {
            c.path = Default::default();
            c.pos = Pos::START;
        }
    }
    rules
}

const FILES: [&str; 3] = [
    "www/rules.json",
    "tests/fixtures/example-rules.json",
    "cli/tests/fixtures/bad-rules.json",
];

#[test]
fn published_rules_read_back_as_the_same_rules() {
    for path in FILES {
        let rules = parse(&file(path)).rules;
        assert!(!rules.triggers.is_empty(), "{path}");
        let text = published::write(&rules);
        assert!(published::is_published(&text), "{path}");
        let back = published::read(&text).unwrap_or_else(|e| panic!("{path}: {e:?}"));
        assert_eq!(back.hash, published::hash_of(&rules), "{path}");
        assert_eq!(back.hash.len(), 16);
        // Funnels are the collector's (the report), not the tag's.
        let mut rules = rules;
        rules.funnels.clear();
        assert_eq!(meaning(back), meaning(rules), "{path}");
    }
}

#[test]
fn the_hash_names_the_meaning_not_the_layout() {
    let a =
        parse(r#"{"version": 1, "triggers": [{"id": "a", "conversion": "x", "on": "page_view"}]}"#);
    let b = parse(
        "{\n  \"triggers\": [ {\"on\": \"page_view\", \"conversion\": \"x\", \"id\": \"a\",\n \"description\": \"notes are not rules\"} ],\n  \"version\": 1\n}",
    );
    let c =
        parse(r#"{"version": 1, "triggers": [{"id": "a", "conversion": "y", "on": "page_view"}]}"#);
    assert_eq!(published::hash_of(&a.rules), published::hash_of(&b.rules));
    assert_ne!(published::hash_of(&a.rules), published::hash_of(&c.rules));
}

#[test]
fn unreadable_files_say_why() {
    let good = published::write(&parse(&file("www/rules.json")).rules);
    let read = |t: &str| published::read(t).err();
    assert_eq!(
        read(&file("www/rules.json")),
        Some(Unreadable::NotPublished)
    );
    assert_eq!(read(""), Some(Unreadable::NotPublished));
    assert_eq!(
        read("\u{feff}microconv-rules 3 0\n"),
        Some(Unreadable::NotPublished)
    );
    assert_eq!(
        read(&good.replacen(" 3 ", " 2 ", 1)),
        Some(Unreadable::Version)
    );
    // Truncated anywhere in the body, or one byte altered: the hash says so.
    let body_at = good.find('\n').unwrap() + 1;
    for cut in [body_at, body_at + 1, good.len() / 2, good.len() - 1] {
        assert_eq!(read(&good[..cut]), Some(Unreadable::Hash), "cut at {cut}");
    }
    let mut altered = good.clone().into_bytes();
    let i = altered.len() - 3;
    altered[i] = if altered[i] == b'1' { b'2' } else { b'1' };
    assert_eq!(
        read(&String::from_utf8(altered).unwrap()),
        Some(Unreadable::Hash)
    );
    // Cut inside the header.
    assert_eq!(read("microconv-rules 3"), Some(Unreadable::Shape));
    // A body that matches its hash but is not rules.
    assert_eq!(read(&with_hash("hello")), Some(Unreadable::Shape));
    assert_eq!(read(&with_hash("")), Some(Unreadable::Shape));
    // Trailing bytes after the rules.
    let body = &good[body_at..];
    assert_eq!(
        read(&with_hash(&format!("{body}0;"))),
        Some(Unreadable::Shape)
    );
    assert!(read(&with_hash(body)).is_none());
    for e in [
        Unreadable::NotPublished,
        Unreadable::Version,
        Unreadable::Hash,
        Unreadable::Shape,
    ] {
        assert!(!e.message().is_empty());
    }
}

/// `body` as a published file whose hash matches.
fn with_hash(body: &str) -> String {
    // The hash of a body is what publishing a file with that body writes:
    // found by writing one and swapping the body in.
    let hash = fnv(body.as_bytes());
    format!("microconv-rules 3 {hash:016x}\n{body}")
}

/// FNV-1a 64, written here independently of the crate's.
fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &c| {
        (h ^ u64::from(c)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[test]
fn a_hash_written_here_matches_the_crates() {
    let good = published::write(&parse(&file("www/rules.json")).rules);
    let (head, body) = good.split_once('\n').unwrap();
    assert_eq!(
        head,
        format!("microconv-rules 3 {:016x}", fnv(body.as_bytes()))
    );
}

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random edit of `body`: a byte changed, a run deleted or duplicated,
/// digits inserted (counts and lengths are where a reader breaks).
fn mutate(r: &mut Rng, body: &mut Vec<u8>) {
    let at = r.below(body.len() + 1);
    match r.below(5) {
        0 if !body.is_empty() => {
            let i = r.below(body.len());
            body[i] = b"0123456789:;\xff\x00a"[r.below(15)];
        }
        1 if !body.is_empty() => {
            let end = (at + 1 + r.below(40)).min(body.len());
            body.drain(at.min(end)..end);
        }
        2 => {
            let end = (at + r.below(60)).min(body.len());
            let copy: Vec<u8> = body[at..end].to_vec();
            body.splice(at..at, copy);
        }
        _ => {
            let digits = [
                "9",
                "99999999999999999999",
                "18446744073709551615",
                "1",
                "0",
                "4294967296",
            ];
            let d = digits[r.below(digits.len())].as_bytes().to_vec();
            body.splice(at..at, d);
        }
    }
}

#[test]
fn the_reader_survives_hostile_bodies() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let bases: Vec<String> = FILES
        .iter()
        .map(|p| {
            let text = published::write(&parse(&file(p)).rules);
            text.split_once('\n').unwrap().1.to_string()
        })
        .collect();
    let (mut read, mut refused) = (0, 0);
    for round in 0..20_000 {
        let mut body = bases[round % bases.len()].clone().into_bytes();
        for _ in 0..1 + r.below(4) {
            mutate(&mut r, &mut body);
        }
        let Ok(body) = String::from_utf8(body) else {
            continue;
        };
        match published::read(&with_hash(&body)) {
            Err(e) => {
                assert_eq!(e, Unreadable::Shape, "round {round}");
                refused += 1;
            }
            Ok(rules) => {
                read += 1;
                run(rules);
            }
        }
    }
    // Both outcomes were reached, so the mutations exercised the reader.
    assert!(
        read > 100 && refused > 10_000,
        "read {read}, refused {refused}"
    );
}

/// Whatever reads must run: the engine takes it without panicking.
fn run(rules: Rules) {
    let (mut e, _) = Engine::new(rules, NativeBackend::default());
    let mut out = Vec::new();
    e.set_page(microconv::engine::Page {
        url: "https://www.example.com/blog/a?utm_source=x".into(),
        host: "www.example.com".into(),
        path: "/blog/a".into(),
        query: "utm_source=x".into(),
        ..Default::default()
    });
    e.on_page_view(&mut out);
    e.on_scroll(
        ScrollReading {
            top: 900.0,
            viewport: 800.0,
            height: 1000.0,
        },
        &mut out,
    );
    let media = MediaEvent {
        kind: MediaEventKind::Play,
        current_time: 0.0,
        duration: 60.0,
        url: "https://www.example.com/demo.mp4".into(),
        title: String::new(),
        muted: false,
        autoplay: false,
        looped: false,
        provider: "html5",
    };
    e.on_media(1, &media, &mut out);
    e.on_push(
        &PushedEvent {
            event: "signup".into(),
            fields: vec![],
        },
        &mut out,
    );
    let _ = e.session_state();
}
