//! The outbox's bookkeeping (`src/web/outbox.rs`), natively: the file is plain
//! Rust with no web APIs, included here as a module because `web` itself only
//! builds for wasm32.
#![cfg(not(target_arch = "wasm32"))]

extern crate alloc;

#[allow(dead_code)]
#[path = "../src/web/outbox.rs"]
mod outbox;

use outbox::*;

fn entry(id: &str, queued: f64) -> Entry {
    Entry {
        id: id.into(),
        queued,
        tries: 0,
        next: queued + 1000.0,
        lease: 0.0,
        json: format!("{{\"id\":\"{id}\",\"vars\":{{\"t\":\"a\\tb\\nc\"}}}}"),
    }
}

fn stored(book: &Book) -> String {
    let mut s = String::new();
    book.write(&mut s);
    s
}

#[test]
fn round_trips_and_skips_damaged_lines() {
    let mut book = Book {
        dropped: 7,
        entries: vec![entry("a1", 1.7e12), entry("b2", 1.7e12 + 5.0)],
        ..Book::default()
    };
    book.entries[1].tries = 3;
    book.entries[1].lease = 1.7e12 + 9.0;
    let text = stored(&book);
    assert!(
        text.len() <= book.bytes(),
        "bytes() never under the real size"
    );
    assert_eq!(Book::parse(&text), book);

    let damaged =
        format!("{text}\nno tabs here\nx\t1\t2\t3\t4\tnot json\nc 3\t1\t0\t1\t0\t{{}}\n\n");
    assert_eq!(
        Book::parse(&damaged),
        book,
        "bad lines (and ids with spaces) are skipped"
    );
    assert_eq!(Book::parse(""), Book::default());
    assert_eq!(Book::parse("mc2 3\nfuture format"), Book::default());
    assert_eq!(Book::parse("{\"some\":\"json\"}"), Book::default());
}

#[test]
fn merging_never_doubles_an_event() {
    let mut a = Book {
        dropped: 1,
        entries: vec![entry("a", 1.0), entry("b", 2.0)],
        ..Book::default()
    };
    let b = Book {
        dropped: 2,
        entries: vec![entry("b", 2.0), entry("c", 3.0)],
        ..Book::default()
    };
    a.merge(b);
    let ids: Vec<_> = a.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(a.dropped, 3);
}

#[test]
fn the_cap_drops_the_oldest_and_counts_them() {
    let now = 1.7e12;
    let mut book = Book::default();
    for i in 0..(MAX_EVENTS + 20) {
        book.add(entry(&format!("e{i}"), now + i as f64));
    }
    book.cap(now);
    assert_eq!(book.entries.len(), MAX_EVENTS);
    assert_eq!(book.entries[0].id, "e20");
    assert_eq!(book.dropped, 20);

    // Bytes: big events hit the byte cap before the count cap.
    let mut big = Book::default();
    for i in 0..100 {
        let mut e = entry(&format!("b{i}"), now + i as f64);
        e.json = format!("{{\"pad\":\"{}\"}}", "x".repeat(5000));
        big.add(e);
    }
    big.cap(now);
    assert!(big.bytes() <= MAX_BYTES && stored(&big).len() <= MAX_BYTES);
    assert_eq!(big.entries.len(), MAX_BYTES / 5070);
    assert_eq!(big.entries.last().unwrap().id, "b99", "the newest stay");
    assert_eq!(big.dropped as usize, 100 - big.entries.len());

    // Age: a week-old event goes, counted.
    let mut old = Book {
        dropped: 0,
        entries: vec![entry("old", now - MAX_AGE_MS - 1.0), entry("new", now)],
        ..Book::default()
    };
    old.cap(now);
    assert_eq!(old.entries.len(), 1);
    assert_eq!(old.dropped, 1);
}

#[test]
fn leases_keep_an_event_from_being_sent_twice_until_they_expire() {
    let now = 1.7e12;
    let mut book = Book {
        dropped: 0,
        entries: vec![entry("a", now), entry("b", now)],
        ..Book::default()
    };
    // In the batch window: not due, but a flush (Fresh) takes them.
    assert!(book.lease(now, Take::Due).is_empty());
    assert_eq!(book.lease(now, Take::Fresh), [0, 1]);
    // Leased: no tab takes them again, whatever the mode...
    assert!(book.lease(now + 1.0, Take::All).is_empty());
    assert_eq!(book.wake(now + 1.0), Some(now + LEASE_MS));
    // ...until the lease is old enough for the sender to be taken for dead.
    assert_eq!(book.lease(now + LEASE_MS, Take::Due), [0, 1]);
    // A released lease frees the event at once.
    book.apply(&[("b".to_string(), RELEASED)], now, 0.0);
    assert_eq!(book.lease(now + LEASE_MS + 1.0, Take::Fresh), [1]);
    book.apply(&[("a".to_string(), ACKED)], now, 0.0);
    assert_eq!(book.entries.len(), 1);
    assert_eq!(book.entries[0].id, "b");
}

#[test]
fn failures_back_off_exponentially_or_as_the_server_says() {
    let now = 1.7e12;
    let mut book = Book {
        dropped: 0,
        entries: vec![entry("a", now), entry("b", now)],
        ..Book::default()
    };
    book.lease(now, Take::Fresh);
    book.apply(
        &[("a".to_string(), 0.0), ("b".to_string(), 120_000.0)],
        now,
        1.0,
    );
    assert_eq!(book.entries[0].tries, 1);
    assert_eq!(book.entries[0].lease, 0.0);
    assert_eq!(book.entries[0].next, now + 1000.0);
    assert_eq!(
        book.entries[1].next,
        now + 120_000.0,
        "Retry-After honoured"
    );
    // Not due during the backoff, except when the browser comes back online.
    assert!(book.lease(now + 10.0, Take::Fresh).is_empty());
    assert_eq!(book.lease(now + 10.0, Take::All), [0, 1]);
    assert_eq!(backoff(1, 0.0), 500.0);
    assert_eq!(backoff(2, 1.0), 2000.0);
    assert_eq!(backoff(4, 1.0), 8000.0);
    assert_eq!(backoff(30, 1.0), 300_000.0, "capped at 5 minutes");
    assert_eq!(backoff(30, 0.0), 150_000.0);
    let mut c = Book {
        dropped: 0,
        entries: vec![entry("c", now)],
        ..Book::default()
    };
    c.apply(&[("c".to_string(), 1e12)], now, 0.5);
    assert_eq!(
        c.entries[0].next,
        now + MAX_RETRY_AFTER_MS,
        "an absurd Retry-After is capped"
    );
}

#[test]
fn the_head_records_when_the_page_wrote_and_left() {
    let book = Book {
        dropped: 2,
        written: 1.7e12,
        left: 1.7e12 + 40.0,
        entries: vec![entry("a", 1.7e12)],
    };
    let text = stored(&book);
    assert!(
        text.starts_with("mc1 2 1700000000000 1700000000040\n"),
        "{text}"
    );
    assert_eq!(Book::parse(&text), book);
    // A head with the drop count only (an older tag) reads as never written, open.
    let old = Book::parse("mc1 4\na\t1\t0\t1\t0\t{}");
    assert_eq!(
        (old.dropped, old.written, old.left, old.entries.len()),
        (4, 0.0, 0.0, 1)
    );
}

#[test]
fn a_left_page_is_taken_over_after_it_settles_a_silent_one_after_it_goes_stale() {
    let now = 1.7e12;
    let mut left = Book {
        written: now,
        left: now,
        entries: vec![entry("a", now)],
        ..Book::default()
    };
    assert_eq!(left.orphaned_at(), now + SETTLE_MS);
    // Open (no `left`): dead only once silent well past its last due try,
    // even when a Retry-After put that try far away.
    left.left = 0.0;
    assert_eq!(left.orphaned_at(), now + 1000.0 + STALE_MS);
    left.entries[0].next = now + 3_600_000.0;
    assert_eq!(left.orphaned_at(), now + 3_600_000.0 + STALE_MS);
    left.entries.clear();
    assert_eq!(left.orphaned_at(), now + STALE_MS);
}

#[test]
fn taking_over_clears_leases_keeps_tries_and_never_doubles() {
    let now = 1.7e12;
    let mut mine = Book {
        entries: vec![entry("a", now)],
        ..Book::default()
    };
    let mut dead = Book {
        dropped: 3,
        entries: vec![entry("a", now), entry("b", now)],
        ..Book::default()
    };
    dead.entries[1].lease = now;
    dead.entries[1].tries = 2;
    mine.take_over(dead);
    assert_eq!(mine.dropped, 3);
    assert_eq!(mine.entries.len(), 2);
    assert_eq!((mine.entries[1].lease, mine.entries[1].tries), (0.0, 2));
    // The dead page's in-flight event is due again at once.
    assert_eq!(mine.lease(now + 2000.0, Take::Due), vec![0, 1]);
}

#[test]
fn the_head_alone_answers_for_a_live_outbox() {
    let now = 1.7e12;
    let mut book = Book {
        written: now,
        entries: vec![entry("a", now)],
        ..Book::default()
    };
    book.entries[0].next = now + 3_600_000.0;
    let text = stored(&book);
    // Live (written just now): not before written + STALE_MS, from the head.
    assert_eq!(Book::orphaned_at_of(&text, now), now + STALE_MS);
    // Once past that, the entries decide (a far Retry-After keeps it alive).
    assert_eq!(
        Book::orphaned_at_of(&text, now + STALE_MS),
        book.orphaned_at()
    );
    book.left = now;
    assert_eq!(Book::orphaned_at_of(&stored(&book), now), now + SETTLE_MS);
}
