//! Published rules: the compact, versioned form of a validated rules file that
//! `microconv publish` writes and the tag reads (`docs/published.md`).
//!
//! A marketer's `rules.json` is validated once, at publish time; the tag then
//! carries no validator and no JSON reader, only [`read`]. The form:
//!
//! ```text
//! microconv-rules 3 <hash>\n<body>
//! ```
//!
//! `3` is the form's version; `<hash>` is 16 lower-case hex digits, the
//! FNV-1a 64 hash of the body, so a truncated or altered file is refused and
//! a beacon can name the rules that produced it. The body is a sequence of
//! self-delimiting items: a number `<decimal digits>;`, a string
//! `<UTF-8 byte length>:<bytes>`, a list `<count>;` then its items. A float
//! is a whole number (`50;`) when it is one, else its IEEE 754 bits ended by
//! a dot (`4602678819172646912.`): exact, and no float parsing in the tag. Names the rules format spells (trigger types, limits, operators,
//! statuses) are their index in the model's `ALL` tables; variables keep
//! their names.
//!
//! [`read`] trusts nothing: every read is bounds-checked, every index looked
//! up, and anything off is an [`Unreadable`], never a panic (fuzzed in
//! `tests/published.rs`).

use crate::prelude::*;

#[cfg(feature = "compiler")]
mod write;
#[cfg(feature = "compiler")]
pub use write::{hash_of, write};

use crate::rules::model::{
    Condition, EventMatch, Limit, Literal, Operator, Pos, Rules, ScrollUnits, Trigger, TriggerKind,
    TriggerType, Variable, VideoStatuses,
};

/// What every published file starts with, before its version.
pub const MAGIC: &str = "microconv-rules ";

/// The version of the form this build writes and reads.
pub const VERSION: &str = "3";

/// Why a published file cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// It does not start with [`MAGIC`]: not published rules at all.
    NotPublished,
    /// Another version of the form (a newer `microconv publish`).
    Version,
    /// The body does not match its hash: truncated or altered.
    Hash,
    /// The hash matches but the body does not read (written by another
    /// writer, or a bug): nothing of it is used.
    Shape,
}

impl Unreadable {
    /// What the console says (after "microconv: not started: ").
    pub fn message(self) -> &'static str {
        match self {
            Unreadable::NotPublished => "the rules are not published rules",
            Unreadable::Version => {
                "the published rules are of another version: publish them with this tag's microconv"
            }
            Unreadable::Hash => {
                "the published rules are truncated or altered (their hash does not match): publish them again"
            }
            Unreadable::Shape => "the published rules do not read: publish them again",
        }
    }
}

/// Whether `text` is published rules (of any version), by its content: a
/// plain `rules.json` starts with `{`, whitespace or a byte-order mark.
pub fn is_published(text: &str) -> bool {
    text.starts_with(MAGIC)
}

/// FNV-1a 64 of `body`, as the header writes it.
pub(crate) fn hash_hex(body: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in body {
        h ^= u64::from(c);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (0..16)
        .rev()
        .map(|i| HEX[((h >> (i * 4)) & 0xf) as usize] as char)
        .collect()
}

/// Reads published rules: the rules (their `hash` set), or why not.
pub fn read(text: &str) -> Result<Rules, Unreadable> {
    let rest = text.strip_prefix(MAGIC).ok_or(Unreadable::NotPublished)?;
    let (head, body) = crate::text::split_once(rest, b'\n').ok_or(Unreadable::Shape)?;
    let (version, hash) = crate::text::split_once(head, b' ').ok_or(Unreadable::Shape)?;
    if version != VERSION {
        return Err(Unreadable::Version);
    }
    if hash != hash_hex(body.as_bytes()) {
        return Err(Unreadable::Hash);
    }
    let mut r = Reader { s: body, i: 0 };
    let mut rules = r.rules().ok_or(Unreadable::Shape)?;
    if r.i != body.len() {
        return Err(Unreadable::Shape);
    }
    rules.hash = hash.into();
    Ok(rules)
}

/// A cursor on the body.
struct Reader<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Reader<'a> {
    /// Decimal digits (at most 20, no overflow) and the byte that ends them.
    fn digits(&mut self) -> Option<(u64, u8)> {
        let b = self.s.as_bytes();
        let mut n: u64 = 0;
        let start = self.i;
        loop {
            let c = *b.get(self.i)?;
            self.i += 1;
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return (self.i - start > 1).then_some((n, c));
            }
            if self.i - start > 20 {
                return None;
            }
            n = n.checked_mul(10)?.checked_add(u64::from(d))?;
        }
    }
    /// Digits ended by `end`.
    fn ended(&mut self, end: u8) -> Option<u64> {
        let (n, c) = self.digits()?;
        (c == end).then_some(n)
    }
    fn num(&mut self) -> Option<u64> {
        self.ended(b';')
    }
    fn small(&mut self) -> Option<usize> {
        usize::try_from(self.num()?).ok()
    }
    /// A count of items still to read: each takes two bytes at least, so a
    /// larger count is a lie (and must not size an allocation).
    fn count(&mut self) -> Option<usize> {
        let n = self.small()?;
        (n <= (self.s.len() - self.i) / 2).then_some(n)
    }
    /// A whole number `<digits>;` (exact below 2^53), or any float as its
    /// bits, `<digits>.`.
    fn float(&mut self) -> Option<f64> {
        match self.digits()? {
            (n, b';') if n < 1 << 53 => Some(n as f64),
            (bits, b'.') => Some(f64::from_bits(bits)),
            _ => None,
        }
    }
    fn str(&mut self) -> Option<&'a str> {
        let len = usize::try_from(self.ended(b':')?).ok()?;
        let end = self.i.checked_add(len)?;
        let s = self.s.get(self.i..end)?;
        self.i = end;
        Some(s)
    }
    fn string(&mut self) -> Option<String> {
        self.str().map(String::from)
    }
    /// An optional selector: empty for none.
    fn selector(&mut self) -> Option<Option<String>> {
        let s = self.str()?;
        Some((!s.is_empty()).then(|| s.into()))
    }
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.count()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(item(self)?);
        }
        Some(out)
    }
    fn pick<T: Copy>(&mut self, all: &[T]) -> Option<T> {
        all.get(self.small()?).copied()
    }

    fn rules(&mut self) -> Option<Rules> {
        let endpoint = self.str()?;
        Some(Rules {
            version: 1,
            endpoint: (!endpoint.is_empty()).then(|| endpoint.into()),
            affiliated_domains: self.list(Self::string)?,
            allow_query: self.list(Self::string)?,
            count_visits: self.small()? == 1,
            triggers: self.list(Self::trigger)?,
            funnels: Vec::new(),
            hash: String::new(),
        })
    }

    fn trigger(&mut self) -> Option<Trigger> {
        let id = self.string()?;
        let conversion = self.string()?;
        let ty = self.pick(&TriggerType::ALL)?;
        let limit = self.pick(&Limit::ALL)?;
        let is_macro = self.small()? == 1;
        let kind = match ty {
            TriggerType::Scroll => TriggerKind::Scroll {
                units: self.pick(&[ScrollUnits::Percent, ScrollUnits::Pixels])?,
                thresholds: self.list(Self::float)?,
            },
            TriggerType::Video => TriggerKind::Video {
                statuses: VideoStatuses::from_bits(u8::try_from(self.small()?).ok()?)?,
                progress_percent: self.list(Self::float)?,
                progress_seconds: self.list(Self::float)?,
                include_decorative: self.small()? == 1,
            },
            TriggerType::Click => TriggerKind::Click {
                selector: self.selector()?,
            },
            TriggerType::FormSubmit => TriggerKind::FormSubmit {
                selector: self.selector()?,
                check_validation: self.small()? == 1,
            },
            TriggerType::FormStart => TriggerKind::FormStart {
                selector: self.selector()?,
            },
            TriggerType::Timer => TriggerKind::Timer {
                interval_ms: self.float()?,
                times: match self.small()? {
                    0 => None,
                    t => Some(u32::try_from(t).ok()?),
                },
            },
            TriggerType::Engagement => TriggerKind::Engagement {
                engaged_seconds: self.float()?,
            },
            TriggerType::ElementVisibility => TriggerKind::ElementVisibility {
                selector: self.string()?,
                min_percent_visible: self.float()?,
                min_on_screen_ms: self.float()?,
                once_per_element: self.small()? == 1,
            },
            TriggerType::TriggerGroup => TriggerKind::TriggerGroup {
                all_of: self.list(Self::string)?,
                within_session: self.small()? == 1,
            },
            TriggerType::LinkClick => TriggerKind::LinkClick,
            TriggerType::PageView => TriggerKind::PageView,
            TriggerType::Custom => TriggerKind::Custom {
                event: match self.small()? {
                    0 => EventMatch::Names(self.list(Self::string)?),
                    1 => EventMatch::Regex(self.string()?),
                    _ => return None,
                },
            },
        };
        Some(Trigger {
            id,
            conversion,
            kind,
            conditions: self.list(Self::condition)?,
            unless: self.list(Self::condition)?,
            limit,
            is_macro,
            path: Default::default(),
            pos: Pos::START,
        })
    }

    fn condition(&mut self) -> Option<Condition> {
        let variable = Variable::from_name(self.str()?)?;
        let operator = self.pick(&Operator::ALL)?;
        let flags = self.small()?;
        let value = match self.small()? {
            0 => Literal::Str(self.string()?),
            1 => Literal::Num(self.float()?),
            2 => Literal::Bool(self.small()? == 1),
            _ => return None,
        };
        Some(Condition {
            variable,
            operator,
            value,
            negate: flags & 1 != 0,
            ignore_case: flags & 2 != 0,
            path: Default::default(),
            pos: Pos::START,
        })
    }
}
