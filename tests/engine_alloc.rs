#![cfg(not(target_arch = "wasm32"))]
//! Evaluation does not allocate per condition: after a warm-up, events whose
//! triggers evaluate many conditions (string, ignore_case, numeric, number
//! string forms) but report nothing allocate nothing at all.

mod engine_support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use engine_support::*;
use microconv::engine::{MediaEvent, MediaEventKind, PushedEvent, ScrollReading, Value};
use microconv::rules::model::*;

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

/// Conditions that are all evaluated and whose last one fails.
fn busy(last: Condition) -> Vec<Condition> {
    vec![
        cond("page.path", "starts_with", s("/blog/")),
        icase(cond("page.title", "contains", s("POST"))),
        cond("query.q", "equals", s("red shoes")),
        cond("dl.n", "greater_than", s("10")),
        cond("dl.n", "equals", s("49.5")),
        icase(cond("dl.plan", "ends_with", s("TRIAL"))),
        cond("video.percent", "less_than", n(1.0)),
        last,
    ]
}

#[test]
fn evaluation_allocates_nothing_when_nothing_fires() {
    let never = || cond("page.host", "equals", s("nowhere"));
    let mut e = engine(vec![
        with(custom("p1", "buy"), busy(never())),
        with(
            custom("p2", "buy"),
            busy(negated(cond("dl.plan", "contains", s("trial")))),
        ),
        with(
            scroll("s", ScrollUnits::Percent, &[10.0, 20.0]),
            busy(never()),
        ),
        with(video("v", &[25.0], &[]), busy(never())),
        custom("go", "go"),
    ]);
    let pushed = PushedEvent {
        event: "buy".into(),
        fields: vec![
            ("n".into(), Value::Num(49.5)),
            ("plan".into(), Value::Str("Pro trial".into())),
        ],
    };
    let mut out = Vec::with_capacity(8);
    let mut ev = MediaEvent {
        kind: MediaEventKind::Play,
        current_time: 0.0,
        duration: 100.0,
        url: "u".into(),
        title: "t".into(),
        muted: false,
        autoplay: false,
        looped: false,
        provider: "html5",
    };
    // Warm-up: scratch buffers grow, media state is created.
    e.on_push(&pushed, &mut out);
    e.on_media(1, &ev, &mut out);
    assert!(out.is_empty());
    let n = allocations(|| {
        for _ in 0..100 {
            e.on_push(&pushed, &mut out);
        }
        e.on_scroll(
            ScrollReading {
                top: 0.0,
                viewport: 1000.0,
                height: 2000.0,
            },
            &mut out,
        );
        ev.kind = MediaEventKind::TimeUpdate;
        for i in 1..=40 {
            ev.current_time = f64::from(i);
            e.on_media(1, &ev, &mut out);
        }
    });
    assert!(out.is_empty());
    assert_eq!(n, 0, "allocations during evaluation");
    // The counter does count: a conversion allocates its variables.
    let go = PushedEvent {
        event: "go".into(),
        fields: vec![],
    };
    assert!(allocations(|| e.on_push(&go, &mut out)) > 0);
    assert_eq!(out.len(), 1);
}
