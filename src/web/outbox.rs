//! The persistent outbox's bookkeeping, as plain Rust (no web APIs: the
//! transport passes in the time and the random numbers, so this file is also
//! unit-tested natively by `tests/outbox.rs`).
//!
//! Each page view owns one `localStorage` value (`microconv.outbox.<random>`)
//! and is its only writer while it lives: `localStorage` is not consistent
//! across a browser's processes (another tab may read a value seconds old),
//! so a value shared by tabs would lose events to stale read-modify-writes.
//! A page that left (or died) is taken over by a later one, see
//! [`Book::orphaned_at`]. The value is lines, so the tag needs no JSON parser
//! for it (event JSON never holds a raw tab or newline):
//!
//! ```text
//! mc1 <dropped> <written ms> <left ms, 0 = still open>
//! <id>\t<queued ms>\t<tries>\t<next try ms>\t<lease ms, 0 = none>\t<event JSON>
//! ```
//!
//! A line that does not parse is skipped, so a damaged value costs those
//! events only.

use alloc::string::String;
use alloc::vec::Vec;

/// Most events kept; the oldest go first.
pub(crate) const MAX_EVENTS: usize = 500;
/// Most bytes kept (the serialized value); the oldest go first.
pub(crate) const MAX_BYTES: usize = 256 * 1024;
/// How long an event in flight is left alone: past this, the tab that sent it
/// is taken for dead (closed mid-send) and any tab may send it again.
pub(crate) const LEASE_MS: f64 = 30_000.0;
/// Events older than this are dropped (counted like the cap's drops).
pub(crate) const MAX_AGE_MS: f64 = 7.0 * 86_400_000.0;
/// How long a left page's outbox is left alone before another page takes it
/// over: longer than `localStorage` takes to reach the other processes, so
/// the taker reads the final value.
pub(crate) const SETTLE_MS: f64 = 1_000.0;
/// A page that neither left nor wrote its outbox for this long after its
/// last due try is taken for dead (crashed, killed): a live page writes at
/// every try. (A frozen tab that wakes after this may send its events
/// again; the collector keeps one copy.)
pub(crate) const STALE_MS: f64 = 15.0 * 60_000.0;
/// The longest wait a `Retry-After` may impose.
pub(crate) const MAX_RETRY_AFTER_MS: f64 = 86_400_000.0;
/// First retry delay; it doubles per failed try up to [`MAX_BACKOFF_MS`].
const BASE_BACKOFF_MS: f64 = 1_000.0;
/// Longest backoff between tries.
const MAX_BACKOFF_MS: f64 = 300_000.0;
/// An answer of [`Book::apply`]: acknowledged (or refused for good).
pub(crate) const ACKED: f64 = -2.0;
/// An answer of [`Book::apply`]: the send never left; free the event.
pub(crate) const RELEASED: f64 = -3.0;
/// First line's tag: another format (a newer tag) starts an empty book.
const HEAD: &str = "mc1 ";

/// One event waiting for the collector's acknowledgement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The event's id (the collector's de-duplication key).
    pub id: String,
    /// When it was queued (epoch ms).
    pub queued: f64,
    /// Failed sends so far.
    pub tries: u32,
    /// Not sent before this time (batch window, backoff, `Retry-After`).
    pub next: f64,
    /// When a tab started sending it (0: not in flight).
    pub lease: f64,
    /// The event object, as written by `payload::write_event`.
    pub json: String,
}

/// Which entries a send takes (besides needing no live lease).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Take {
    /// None: only write.
    Nothing,
    /// Those whose `next` has come.
    Due,
    /// Also never-tried ones still in their batch window (a click, a hidden page).
    Fresh,
    /// Every one, backoff or not (the browser is back online).
    All,
}

/// The outbox: events oldest first, and how many were dropped unreported.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Book {
    /// Events dropped by the caps, not yet reported to the collector.
    pub dropped: u32,
    /// When its page last wrote it (epoch ms).
    pub written: f64,
    /// When its page left (`pagehide`; epoch ms), 0 while it is open.
    pub left: f64,
    /// Waiting events, oldest first.
    pub entries: Vec<Entry>,
}

fn num(s: &str) -> Option<f64> {
    if s.is_empty() || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0.0, |n, b| n * 10.0 + f64::from(b - b'0')))
}

fn push_num(out: &mut String, x: f64) {
    let mut n = if x > 0.0 { x as u64 } else { 0 };
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

fn line_len(e: &Entry) -> usize {
    // id, four numbers of up to 13 digits, five tabs, the newline.
    e.id.len() + e.json.len() + 58
}

/// The wait before the next try after `tries` failures: 1 s · 2^(tries-1),
/// at most 5 min, with "equal jitter" (`rand` in [0, 1)) so tabs and
/// visitors do not retry in step.
pub(crate) fn backoff(tries: u32, rand: f64) -> f64 {
    let mut d = BASE_BACKOFF_MS;
    for _ in 1..tries.min(20) {
        d *= 2.0;
    }
    let d = if d > MAX_BACKOFF_MS {
        MAX_BACKOFF_MS
    } else {
        d
    };
    d * (0.5 + rand.clamp(0.0, 1.0) / 2.0)
}

impl Book {
    /// Reads a stored value; anything unreadable counts as empty.
    pub fn parse(text: &str) -> Book {
        let mut book = Book::default();
        let mut lines = text.split('\n');
        let Some(head) = lines.next().and_then(|l| l.strip_prefix(HEAD)) else {
            return book;
        };
        let mut head = head.split(' ').map(num);
        let Some(Some(dropped)) = head.next() else {
            return book;
        };
        book.dropped = dropped.min(f64::from(u32::MAX)) as u32;
        book.written = head.next().flatten().unwrap_or(0.0);
        book.left = head.next().flatten().unwrap_or(0.0);
        for line in lines {
            let mut f = line.splitn(6, '\t');
            let mut field = || f.next().unwrap_or("");
            let id = field();
            let (queued, tries, next, lease) =
                (num(field()), num(field()), num(field()), num(field()));
            let json = field();
            let ok_id =
                !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric());
            if let (true, Some(queued), Some(tries), Some(next), Some(lease)) =
                (ok_id, queued, tries, next, lease)
            {
                if json.starts_with('{') && json.ends_with('}') {
                    book.entries.push(Entry {
                        id: id.into(),
                        queued,
                        tries: tries.min(1e6) as u32,
                        next,
                        lease,
                        json: json.into(),
                    });
                }
            }
        }
        book
    }

    /// Writes the stored value (the inverse of [`Book::parse`]).
    pub fn write(&self, out: &mut String) {
        out.reserve(self.bytes());
        out.push_str(HEAD);
        push_num(out, f64::from(self.dropped));
        for x in [self.written, self.left] {
            out.push(' ');
            push_num(out, x);
        }
        for e in &self.entries {
            out.push('\n');
            out.push_str(&e.id);
            for x in [e.queued, f64::from(e.tries), e.next, e.lease] {
                out.push('\t');
                push_num(out, x);
            }
            out.push('\t');
            out.push_str(&e.json);
        }
    }

    /// About the size of the stored value, in bytes (never under it).
    pub fn bytes(&self) -> usize {
        self.entries.iter().map(line_len).sum::<usize>() + 48
    }

    /// Whether the book holds nothing worth storing.
    pub fn is_empty(&self) -> bool {
        self.dropped == 0 && self.entries.is_empty()
    }

    /// Adds `e` at the end unless an entry has its id (merging never doubles).
    pub fn add(&mut self, e: Entry) {
        if !self.entries.iter().any(|x| x.id == e.id) {
            self.entries.push(e);
        }
    }

    /// Adds another book's events and drop count (another tab's, or the held ones).
    pub fn merge(&mut self, other: Book) {
        self.dropped = self.dropped.saturating_add(other.dropped);
        for e in other.entries {
            self.add(e);
        }
    }

    /// When another page may take this one's events over: [`SETTLE_MS`]
    /// after its page left, or [`STALE_MS`] after its last write and its
    /// last due try (a page that died without leaving).
    pub fn orphaned_at(&self) -> f64 {
        if self.left > 0.0 {
            return self.left + SETTLE_MS;
        }
        self.entries
            .iter()
            .map(|e| e.next)
            .fold(self.written, f64::max)
            + STALE_MS
    }

    /// [`Book::orphaned_at`] of a stored value, reading its entries only when
    /// its head cannot tell (a live tab's outbox is looked at on every step
    /// of the others: its head alone says "not before written + 15 min").
    pub fn orphaned_at_of(text: &str, now: f64) -> f64 {
        let head = Book::parse(text.split('\n').next().unwrap_or(""));
        match head.orphaned_at() {
            at if at > now => at,
            _ => Book::parse(text).orphaned_at(),
        }
    }

    /// Takes over a dead page's events and drop count. Their leases are
    /// cleared: what that page had in flight is sent again (at-least-once).
    pub fn take_over(&mut self, other: Book) {
        self.dropped = self.dropped.saturating_add(other.dropped);
        for mut e in other.entries {
            e.lease = 0.0;
            self.add(e);
        }
    }

    /// Drops events older than [`MAX_AGE_MS`], then the oldest until at most
    /// [`MAX_EVENTS`] and [`MAX_BYTES`] remain; each drop is counted.
    pub fn cap(&mut self, now: f64) {
        let before = self.entries.len();
        self.entries.retain(|e| e.queued + MAX_AGE_MS > now);
        let mut bytes = self.bytes();
        let mut n = self.entries.len();
        let mut cut = 0;
        for e in &self.entries {
            if n <= MAX_EVENTS && bytes <= MAX_BYTES {
                break;
            }
            bytes -= line_len(e);
            n -= 1;
            cut += 1;
        }
        self.entries.drain(..cut);
        let gone = (before - self.entries.len()) as u32;
        self.dropped = self.dropped.saturating_add(gone);
    }

    /// Applies the answers about sent events, `(id, what)`: [`ACKED`] forgets
    /// the event (acknowledged, or refused for good), [`RELEASED`] clears its
    /// lease (the send never left); any other value is a failed send: one
    /// more try, no lease, and the next try after `what` ms when positive
    /// (the server's `Retry-After`, capped) or else the [`backoff`].
    pub fn apply(&mut self, answers: &[(String, f64)], now: f64, rand: f64) {
        if answers.is_empty() {
            return;
        }
        self.entries.retain_mut(|e| {
            let Some(&(_, what)) = answers.iter().find(|(id, _)| *id == e.id) else {
                return true;
            };
            e.lease = 0.0;
            if what == RELEASED {
                return true;
            }
            e.tries = e.tries.saturating_add(1);
            e.next = now
                + if what > 0.0 {
                    what.min(MAX_RETRY_AFTER_MS)
                } else {
                    backoff(e.tries, rand)
                };
            what != ACKED
        });
    }

    /// Leases what `take` selects among the entries no tab is sending, and
    /// returns their indexes (oldest first).
    pub fn lease(&mut self, now: f64, take: Take) -> Vec<usize> {
        let mut picked = Vec::new();
        for (i, e) in self.entries.iter_mut().enumerate() {
            let free = e.lease == 0.0 || e.lease + LEASE_MS <= now || e.lease > now + LEASE_MS;
            let wanted = match take {
                Take::Nothing => false,
                Take::Due => e.next <= now,
                Take::Fresh => e.next <= now || e.tries == 0,
                Take::All => true,
            };
            if free && wanted {
                e.lease = now;
                picked.push(i);
            }
        }
        picked
    }

    /// When something next needs doing: an entry's next try, or the end of a
    /// lease (its sender may have died). `None` when empty.
    pub fn wake(&self, now: f64) -> Option<f64> {
        self.entries
            .iter()
            .map(|e| {
                if e.lease != 0.0 && e.lease + LEASE_MS > now {
                    e.lease + LEASE_MS
                } else {
                    e.next
                }
            })
            .reduce(f64::min)
    }
}
