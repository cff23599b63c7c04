//! The embedded store: SQLite (WAL mode) through rusqlite.
//!
//! One writer connection and one reader connection, each behind a mutex: WAL lets
//! the report read while beacons are written. Callers run these methods on a
//! blocking thread (they do disk I/O).

use crate::beacon::Event;

pub mod lifecycle;
pub mod sessions;
pub mod shares;

use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    id            TEXT PRIMARY KEY,
    conversion    TEXT NOT NULL,
    trigger_id    TEXT NOT NULL,
    at            INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    session       TEXT,
    is_macro      INTEGER NOT NULL DEFAULT 0,
    page_url      TEXT NOT NULL,
    page_path     TEXT NOT NULL,
    page_title    TEXT NOT NULL,
    page_referrer TEXT NOT NULL,
    vars          TEXT NOT NULL,
    site          TEXT NOT NULL DEFAULT '',
    visitor       TEXT,
    rules         TEXT
);
CREATE INDEX IF NOT EXISTS events_conversion ON events (conversion, at);
CREATE INDEX IF NOT EXISTS events_session ON events (session, conversion);
";

/// Columns added after the first release: (name, definition). A database made
/// by an older collector gets them on open; the indexes on them follow.
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("site", "TEXT NOT NULL DEFAULT ''"),
    ("visitor", "TEXT"),
    ("rules", "TEXT"),
    // `conversion` or `visit` (a session's start: conversion and trigger empty).
    ("kind", "TEXT NOT NULL DEFAULT 'conversion'"),
    // 1 when the request's User-Agent is a bot's: stored, counted apart.
    ("bot", "INTEGER NOT NULL DEFAULT 0"),
];
const ADDED_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS events_received ON events (received_at);
CREATE INDEX IF NOT EXISTS events_site ON events (site, at);
CREATE INDEX IF NOT EXISTS events_visitor ON events (visitor) WHERE visitor IS NOT NULL;
";

/// A store error, logged by the caller and answered with a 500.
pub type StoreError = rusqlite::Error;

/// How the store keeps its write-ahead log in check.
#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    /// The WAL never grows past this (bytes): the writer resets it between
    /// two commits (a TRUNCATE checkpoint), see [`Store::keep_wal_bounded`].
    pub wal_limit: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            wal_limit: 64 * 1024 * 1024,
        }
    }
}

/// The SQLite store.
pub struct Store {
    writer: Mutex<Connection>,
    /// `None` for an in-memory database, where a second connection would be a
    /// different database: reads then use the writer.
    reader: Option<Mutex<Connection>>,
    /// Tells the checkpoint thread to end.
    stop: Arc<AtomicBool>,
    /// The `-wal` file beside a file database.
    wal_path: Option<PathBuf>,
    options: StoreOptions,
}

impl Drop for Store {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Copies the WAL back into the database every half second, until the store is
/// dropped. PASSIVE never blocks the writer, so most pages are already copied
/// when the writer resets the log ([`Store::keep_wal_bounded`]): under non-stop
/// writes a checkpoint from another connection never gets to reset it, which
/// is how the WAL once grew to 457 MB.
fn checkpoint_loop(c: &Connection, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(500));
        if let Err(e) = c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!("checkpoint failed: {e}");
        }
    }
}

/// Filters of `GET /api/conversions`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EventQuery {
    /// Only this conversion.
    pub conversion: Option<String>,
    /// Only this trigger id.
    pub trigger: Option<String>,
    /// Only this session.
    pub session: Option<String>,
    /// Only this site (the page URL's host).
    pub site: Option<String>,
    /// Only this visitor.
    pub visitor: Option<String>,
    /// Only events on this page path.
    pub path: Option<String>,
    /// Only events that happened at or after this epoch ms.
    pub since: Option<i64>,
    /// Only events that happened before this epoch ms.
    pub until: Option<i64>,
    /// Most events returned (default 100, at most 1000).
    pub limit: Option<u32>,
    /// Newest events skipped first (paging; at most [`MAX_OFFSET`]).
    pub offset: Option<u32>,
    /// `conversion` (the default) or `visit`: the sessions' starts.
    pub kind: Option<String>,
}

/// The most events one `GET /api/conversions` page holds.
pub const MAX_LIMIT: u32 = 1000;

/// The most events `GET /api/conversions` skips (`offset`): paging reaches
/// 100k events back; further back is an export's job.
pub const MAX_OFFSET: u32 = 100_000;

/// One stored event as the API returns it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredEvent {
    /// Event id.
    pub id: String,
    /// Conversion name.
    pub conversion: String,
    /// Trigger id.
    pub trigger: String,
    /// When it happened (client clock), epoch ms.
    pub at: i64,
    /// When the collector stored it, epoch ms.
    pub received_at: i64,
    /// Session id, if any.
    pub session: Option<String>,
    /// Visitor id, if the site chose persistent visitor ids.
    pub visitor: Option<String>,
    /// The site (the page URL's host).
    pub site: String,
    /// The hash of the published rules that produced it, if the tag sent one.
    pub rules: Option<String>,
    /// `conversion`, or `visit` (a session's start; no conversion or trigger).
    pub kind: String,
    /// Macro conversion flag (from the site's rules).
    #[serde(rename = "macro")]
    pub is_macro: bool,
    /// `{url, path, title, referrer}`.
    pub page: Value,
    /// The event's variables.
    pub vars: Value,
}

/// Options of `GET /api/summary`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SummaryQuery {
    /// Only events at or after this epoch ms.
    pub since: Option<i64>,
    /// Only this site (the page URL's host).
    pub site: Option<String>,
    /// The macro conversion(s) for the funnel, comma-separated; by default the
    /// conversions the site's rules mark `macro` (stored with each event).
    #[serde(rename = "macro")]
    pub macro_conversion: Option<String>,
}

/// Count of one conversion.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConversionCount {
    /// Conversion name.
    pub conversion: String,
    /// Events stored.
    pub count: u64,
    /// Distinct sessions that did it.
    pub sessions: u64,
    /// Whether any of its events was flagged macro.
    #[serde(rename = "macro")]
    pub is_macro: bool,
}

/// Count of one trigger.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TriggerCount {
    /// Trigger id.
    pub trigger: String,
    /// Its conversion.
    pub conversion: String,
    /// Events stored.
    pub count: u64,
}

/// Count of one page path.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PageCount {
    /// Page path.
    pub path: String,
    /// Events stored.
    pub count: u64,
}

/// One row of the funnel: a micro conversion against the macro conversion(s).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunnelRow {
    /// The micro conversion.
    pub conversion: String,
    /// Sessions that did it.
    pub sessions: u64,
    /// Of those, sessions that also did a macro conversion.
    pub converted: u64,
    /// `converted / sessions`, `null` when no session.
    pub rate: Option<f64>,
    /// Sessions that did not do it.
    pub other_sessions: u64,
    /// Of those, sessions that did a macro conversion.
    pub other_converted: u64,
    /// `other_converted / other_sessions`, `null` when no such session.
    pub other_rate: Option<f64>,
}

/// `GET /api/summary`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Conversion events stored (within `since`).
    pub total: u64,
    /// Distinct sessions seen: with rules that count visits, every session
    /// (a `visit` event starts each), else those that converted.
    pub sessions: u64,
    /// Per conversion, most frequent first.
    pub conversions: Vec<ConversionCount>,
    /// Per trigger, most frequent first.
    pub triggers: Vec<TriggerCount>,
    /// Per page path, most frequent first.
    pub pages: Vec<PageCount>,
    /// The macro conversions the funnel measures against.
    #[serde(rename = "macro")]
    pub macro_conversions: Vec<String>,
    /// Sessions that did a macro conversion.
    pub macro_sessions: u64,
    /// One row per micro conversion.
    pub funnel: Vec<FunnelRow>,
}

/// Now, epoch ms.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The columns [`stored_event`] reads, in its order.
const EVENT_COLUMNS: &str = "id, conversion, trigger_id, at, received_at, session, is_macro,
    page_url, page_path, page_title, page_referrer, vars, visitor, site, rules, kind";

/// One row of [`EVENT_COLUMNS`] as the API returns it.
fn stored_event(r: &rusqlite::Row<'_>) -> Result<StoredEvent, StoreError> {
    let vars: String = r.get(11)?;
    Ok(StoredEvent {
        id: r.get(0)?,
        conversion: r.get(1)?,
        trigger: r.get(2)?,
        at: r.get(3)?,
        received_at: r.get(4)?,
        session: r.get(5)?,
        is_macro: r.get(6)?,
        page: serde_json::json!({
            "url": r.get::<_, String>(7)?,
            "path": r.get::<_, String>(8)?,
            "title": r.get::<_, String>(9)?,
            "referrer": r.get::<_, String>(10)?,
        }),
        vars: serde_json::from_str(&vars).unwrap_or(Value::Object(Map::new())),
        visitor: r.get(12)?,
        site: r.get(13)?,
        rules: r.get(14)?,
        kind: r.get(15)?,
    })
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock leaves SQLite consistent (the transaction
    // rolls back), so a poisoned mutex is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn insert_events(c: &Connection, events: &[Event], received: i64) -> Result<usize, StoreError> {
    let mut st = c.prepare_cached(
        "INSERT OR IGNORE INTO events (id, conversion, trigger_id, at, received_at, session,
           is_macro, page_url, page_path, page_title, page_referrer, vars, site, visitor, rules, kind, bot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    let mut stored = 0;
    // Events of one request are mostly of one page: its site is parsed once.
    let mut site: (&str, String) = ("", String::new());
    for e in events {
        let vars = serde_json::to_string(&e.vars).unwrap_or_else(|_| "{}".into());
        if site.0 != e.page.url {
            site = (&e.page.url, e.site());
        }
        stored += st.execute(params![
            e.id,
            e.conversion,
            e.trigger,
            e.at,
            received,
            e.session,
            e.is_macro,
            e.page.url,
            e.page.path,
            e.page.title,
            e.page.referrer,
            vars,
            site.1,
            e.visitor,
            e.rules,
            e.kind.as_str(),
            e.bot
        ])?;
    }
    Ok(stored)
}

/// How long a connection waits for a lock another one holds.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Settings of every connection. `synchronous=FULL`: in WAL mode every
/// commit is fsynced, so an acknowledged beacon survives a power cut (the
/// writer's group commit shares one fsync among every request of a batch).
fn configure(c: &Connection) -> Result<(), StoreError> {
    c.busy_timeout(BUSY_TIMEOUT)?;
    c.pragma_update(None, "synchronous", "FULL")?;
    // 32 MB of page cache (the default is 2 MB): index pages stay in memory.
    c.pragma_update(None, "cache_size", -32_000)?;
    Ok(())
}

/// Adds the columns and indexes a database made by an older collector lacks.
fn migrate(c: &Connection) -> Result<(), StoreError> {
    let mut have = Vec::new();
    {
        let mut st = c.prepare("PRAGMA table_info(events)")?;
        let rows = st.query_map([], |r| r.get::<_, String>(1))?;
        for r in rows {
            have.push(r?);
        }
    }
    for (name, def) in ADDED_COLUMNS {
        if !have.iter().any(|h| h == name) {
            c.execute_batch(&format!("ALTER TABLE events ADD COLUMN {name} {def}"))?;
        }
    }
    c.execute_batch(ADDED_INDEXES)?;
    sessions::migrate(c)?;
    c.execute_batch(shares::SCHEMA)
}

impl Store {
    /// Opens (creating when missing) the database at `path`; `:memory:` for tests.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, StoreOptions::default())
    }

    /// [`Store::open`] with options.
    pub fn open_with(path: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        let memory = path.as_os_str() == ":memory:";
        let writer = if memory {
            Connection::open_in_memory()?
        } else {
            Connection::open(path)?
        };
        if !memory {
            let mode: String = writer.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!("SQLite refused WAL mode (journal_mode={mode})");
            }
        }
        configure(&writer)?;
        writer.execute_batch(SCHEMA)?;
        migrate(&writer)?;
        let stop = Arc::new(AtomicBool::new(false));
        let reader = if memory {
            None
        } else {
            let r = Connection::open(path)?;
            configure(&r)?;
            // Checkpoints are not the writer's job between commits (they
            // would stall every queued beacon behind a file copy), except the
            // reset that keeps the log bounded.
            writer.pragma_update(None, "wal_autocheckpoint", 0)?;
            writer.pragma_update(None, "journal_size_limit", options.wal_limit as i64)?;
            let c = Connection::open(path)?;
            configure(&c)?;
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("microconv-checkpoint".into())
                .spawn(move || checkpoint_loop(&c, &stop))
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            Some(Mutex::new(r))
        };
        let wal_path = (!memory).then(|| {
            let mut p = path.as_os_str().to_owned();
            p.push("-wal");
            PathBuf::from(p)
        });
        Ok(Store {
            writer: Mutex::new(writer),
            reader,
            stop,
            wal_path,
            options,
        })
    }

    fn read(&self) -> MutexGuard<'_, Connection> {
        lock(self.reader.as_ref().unwrap_or(&self.writer))
    }

    /// The WAL's size in bytes (0 for an in-memory database).
    pub fn wal_size(&self) -> u64 {
        self.wal_path
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len())
    }

    /// Called by the writer between commits. Past a quarter of the limit it
    /// tries to reset the WAL without waiting (a reader still on old pages
    /// makes it try again after the next commit); past half, it waits for
    /// the readers (the busy timeout), so that the WAL never reaches the
    /// limit: one batch adds at most 256 requests of 64 KB.
    pub fn keep_wal_bounded(&self) {
        let size = self.wal_size();
        let limit = self.options.wal_limit;
        if size <= limit / 4 {
            return;
        }
        let wait = size > limit / 2;
        let c = lock(&self.writer);
        if !wait {
            let _ = c.busy_timeout(std::time::Duration::ZERO);
        }
        let result = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        });
        if !wait {
            let _ = c.busy_timeout(BUSY_TIMEOUT);
        }
        match result {
            Ok(0) => {}
            Ok(_) if !wait => {}
            Ok(_) => tracing::warn!("WAL reset postponed: a reader is still busy"),
            Err(e) => tracing::warn!("WAL reset failed: {e}"),
        }
    }

    /// Stores a request's events in one transaction; an id already stored is
    /// skipped. Returns how many were new.
    pub fn insert(&self, events: &[Event]) -> Result<usize, StoreError> {
        let mut results = self.insert_batch(&[events])?;
        results.pop().unwrap_or(Ok(0))
    }

    /// Stores several requests' events in one commit (group commit: the writer
    /// thread drains what queued up while the previous commit ran). Each request
    /// is its own savepoint, so it is stored whole or not at all, as if it had
    /// its own transaction. Returns, per request, how many events were new.
    pub fn insert_batch(
        &self,
        requests: &[&[Event]],
    ) -> Result<Vec<Result<usize, StoreError>>, StoreError> {
        let received = now_ms();
        let mut c = lock(&self.writer);
        let mut tx = c.transaction()?;
        let mut results = Vec::with_capacity(requests.len());
        for events in requests {
            let sp = tx.savepoint()?;
            match insert_events(&sp, events, received) {
                Ok(n) => {
                    sp.commit()?;
                    results.push(Ok(n));
                }
                // Dropping the savepoint rolls this request back, others stay.
                Err(e) => results.push(Err(e)),
            }
        }
        tx.commit()?;
        Ok(results)
    }

    /// Events, newest first, filtered.
    pub fn events(&self, q: &EventQuery) -> Result<Vec<StoredEvent>, StoreError> {
        let mut sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE 1=1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut filter = |col: &str, v: Option<rusqlite::types::Value>| {
            if let Some(v) = v {
                args.push(v);
                sql.push_str(&format!(" AND {col} ?{}", args.len()));
            }
        };
        filter("conversion =", q.conversion.clone().map(Into::into));
        filter("trigger_id =", q.trigger.clone().map(Into::into));
        filter("session =", q.session.clone().map(Into::into));
        filter("site =", q.site.clone().map(Into::into));
        filter("visitor =", q.visitor.clone().map(Into::into));
        filter("page_path =", q.path.clone().map(Into::into));
        filter("at >=", q.since.map(Into::into));
        filter("at <", q.until.map(Into::into));
        let kind = q.kind.clone().unwrap_or_else(|| "conversion".into());
        filter("kind =", Some(kind.into()));
        // One over the page size: the API asks it to tell whether a next page exists.
        let limit = q.limit.unwrap_or(100).clamp(1, MAX_LIMIT + 1);
        let offset = q.offset.unwrap_or(0).min(MAX_OFFSET);
        sql.push_str(&format!(
            " ORDER BY rowid DESC LIMIT {limit} OFFSET {offset}"
        ));
        let c = self.read();
        let mut st = c.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), stored_event)?;
        rows.collect()
    }

    /// Counts and the funnel.
    pub fn summary(&self, q: &SummaryQuery) -> Result<Summary, StoreError> {
        let since = q.since.unwrap_or(i64::MIN);
        let site = q.site.clone();
        let c = self.read();
        let (total, sessions): (u64, u64) = c.query_row(
            "SELECT COUNT(*) FILTER (WHERE kind = 'conversion'), COUNT(DISTINCT session) FROM events
             WHERE at >= ?1 AND (?3 IS NULL OR site = ?3)",
            params![since, Option::<String>::None, site],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let conversions = c
            .prepare_cached(
                "SELECT conversion, COUNT(*), COUNT(DISTINCT session), MAX(is_macro) FROM events
                 WHERE at >= ?1 AND (?3 IS NULL OR site = ?3) AND kind = 'conversion'
                 GROUP BY conversion ORDER BY COUNT(*) DESC, conversion",
            )?
            .query_map(params![since, Option::<String>::None, site], |r| {
                Ok(ConversionCount {
                    conversion: r.get(0)?,
                    count: r.get(1)?,
                    sessions: r.get(2)?,
                    is_macro: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let triggers = c
            .prepare_cached(
                "SELECT trigger_id, conversion, COUNT(*) FROM events
                 WHERE at >= ?1 AND (?3 IS NULL OR site = ?3) AND kind = 'conversion'
                 GROUP BY trigger_id, conversion ORDER BY COUNT(*) DESC, trigger_id",
            )?
            .query_map(params![since, Option::<String>::None, site], |r| {
                Ok(TriggerCount {
                    trigger: r.get(0)?,
                    conversion: r.get(1)?,
                    count: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let pages = c
            .prepare_cached(
                "SELECT page_path, COUNT(*) FROM events
                 WHERE at >= ?1 AND (?3 IS NULL OR site = ?3) AND kind = 'conversion'
                 GROUP BY page_path ORDER BY COUNT(*) DESC, page_path",
            )?
            .query_map(params![since, Option::<String>::None, site], |r| {
                Ok(PageCount {
                    path: r.get(0)?,
                    count: r.get(1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;

        let macro_conversions: Vec<String> = match q.macro_conversion.as_deref() {
            Some(list) if !list.trim().is_empty() => list
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            _ => conversions
                .iter()
                .filter(|c| c.is_macro)
                .map(|c| c.conversion.clone())
                .collect(),
        };
        let macro_json = Value::from(macro_conversions.clone()).to_string();
        // Sessions that did a macro conversion, then per other conversion: its
        // sessions and how many of them are among the converted ones.
        let macro_sessions: u64 = c.query_row(
            "SELECT COUNT(DISTINCT session) FROM events WHERE at >= ?1 AND (?3 IS NULL OR site = ?3) AND session IS NOT NULL
               AND kind = 'conversion' AND conversion IN (SELECT value FROM json_each(?2))",
            params![since, macro_json, site],
            |r| r.get(0),
        )?;
        let funnel = c
            .prepare_cached(
                "WITH converted AS (
                   SELECT DISTINCT session FROM events WHERE at >= ?1 AND (?3 IS NULL OR site = ?3) AND session IS NOT NULL
                     AND kind = 'conversion' AND conversion IN (SELECT value FROM json_each(?2)))
                 SELECT e.conversion, COUNT(DISTINCT e.session),
                        COUNT(DISTINCT CASE WHEN c.session IS NOT NULL THEN e.session END)
                 FROM events e LEFT JOIN converted c ON c.session = e.session
                 WHERE e.at >= ?1 AND (?3 IS NULL OR e.site = ?3) AND e.session IS NOT NULL
                   AND e.kind = 'conversion' AND e.conversion NOT IN (SELECT value FROM json_each(?2))
                 GROUP BY e.conversion ORDER BY COUNT(DISTINCT e.session) DESC, e.conversion",
            )?
            .query_map(params![since, macro_json, site], |r| {
                let conversion: String = r.get(0)?;
                let did: u64 = r.get(1)?;
                let did_converted: u64 = r.get(2)?;
                Ok((conversion, did, did_converted))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let sessions_with_id: u64 = c.query_row(
            "SELECT COUNT(DISTINCT session) FROM events WHERE at >= ?1 AND (?3 IS NULL OR site = ?3) AND session IS NOT NULL",
            params![since, Option::<String>::None, site],
            |r| r.get(0),
        )?;
        let ratio = |a: u64, b: u64| {
            if b == 0 {
                None
            } else {
                Some(a as f64 / b as f64)
            }
        };
        let funnel = funnel
            .into_iter()
            .map(|(conversion, did, conv)| {
                let other_sessions = sessions_with_id.saturating_sub(did);
                let other_converted = macro_sessions.saturating_sub(conv);
                FunnelRow {
                    conversion,
                    sessions: did,
                    converted: conv,
                    rate: ratio(conv, did),
                    other_sessions,
                    other_converted,
                    other_rate: ratio(other_converted, other_sessions),
                }
            })
            .collect();
        Ok(Summary {
            total,
            sessions,
            conversions,
            triggers,
            pages,
            macro_conversions,
            macro_sessions,
            funnel,
        })
    }

    /// Whether an event id is stored (tests, diagnostics).
    pub fn has(&self, id: &str) -> Result<bool, StoreError> {
        let c = self.read();
        Ok(
            c.query_row("SELECT 1 FROM events WHERE id = ?1", [id], |_| Ok(()))
                .optional()?
                .is_some(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::beacon::PageInfo;

    fn ev(id: &str, conversion: &str, session: &str, is_macro: bool) -> Event {
        Event {
            kind: crate::beacon::Kind::Conversion,
            id: id.into(),
            conversion: conversion.into(),
            trigger: format!("{conversion}-trigger"),
            at: 1000,
            session: Some(session.into()),
            visitor: None,
            rules: None,
            is_macro,
            bot: false,
            page: PageInfo {
                url: "http://x/p".into(),
                path: "/p".into(),
                ..Default::default()
            },
            vars: Map::new(),
        }
    }

    #[test]
    fn repeated_ids_are_stored_once() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        assert_eq!(
            s.insert(&[ev("a", "x", "s1", false), ev("a", "x", "s1", false)])
                .unwrap(),
            1
        );
        assert_eq!(
            s.insert(&[ev("a", "x", "s1", false), ev("b", "x", "s1", false)])
                .unwrap(),
            1
        );
        let all = s.events(&EventQuery::default()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].id, "b", "newest first");
    }

    /// Group commit keeps each request atomic: a failing request leaves no row
    /// behind and does not take the other requests of its batch down.
    #[test]
    fn a_failing_request_in_a_batch_stores_nothing_and_spares_the_others() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        lock(&s.writer)
            .execute_batch(
                "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.id = 'boom'
                 BEGIN SELECT RAISE(ABORT, 'boom'); END;",
            )
            .unwrap();
        let bad = [ev("a", "x", "s1", false), ev("boom", "x", "s1", false)];
        let good = [ev("b", "x", "s1", false), ev("b", "x", "s1", false)];
        let results = s.insert_batch(&[&bad, &good]).unwrap();
        assert!(results[0].is_err());
        assert_eq!(results[1].as_ref().unwrap(), &1);
        assert!(
            !s.has("a").unwrap(),
            "the failed request's first event was rolled back"
        );
        assert!(s.has("b").unwrap());
    }

    #[test]
    fn event_filters() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let mut late = ev("late", "x", "s2", false);
        late.at = 5000;
        late.page.path = "/q".into();
        s.insert(&[ev("a", "x", "s1", false), ev("b", "y", "s1", false), late])
            .unwrap();
        let ids = |q: EventQuery| -> Vec<String> {
            s.events(&q).unwrap().into_iter().map(|e| e.id).collect()
        };
        assert_eq!(
            ids(EventQuery {
                conversion: Some("y".into()),
                ..Default::default()
            }),
            ["b"]
        );
        assert_eq!(
            ids(EventQuery {
                since: Some(2000),
                ..Default::default()
            }),
            ["late"]
        );
        assert_eq!(
            ids(EventQuery {
                path: Some("/q".into()),
                ..Default::default()
            }),
            ["late"]
        );
        assert_eq!(
            ids(EventQuery {
                session: Some("s1".into()),
                ..Default::default()
            }),
            ["b", "a"]
        );
        assert_eq!(
            ids(EventQuery {
                limit: Some(1),
                ..Default::default()
            }),
            ["late"]
        );
    }

    /// 10 sessions: 4 watched the demo (2 of them signed up), 6 did not (1 signed up).
    /// Demo watchers converted at 50 %, the others at 1/6.
    #[test]
    fn funnel_math() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let mut evs = Vec::new();
        for i in 0..10 {
            let sess = format!("s{i}");
            evs.push(ev(&format!("view{i}"), "article_read", &sess, false));
            if i < 4 {
                evs.push(ev(&format!("demo{i}a"), "demo_watched", &sess, false));
                evs.push(ev(&format!("demo{i}b"), "demo_watched", &sess, false));
            }
            if i == 0 || i == 1 || i == 7 {
                evs.push(ev(&format!("signup{i}"), "signup", &sess, true));
            }
        }
        // An event without session counts in totals, not in the funnel.
        let mut anon = ev("anon", "demo_watched", "x", false);
        anon.session = None;
        evs.push(anon);
        s.insert(&evs).unwrap();
        let sum = s.summary(&SummaryQuery::default()).unwrap();
        assert_eq!(sum.total, 10 + 8 + 3 + 1);
        assert_eq!(sum.sessions, 10);
        assert_eq!(sum.macro_conversions, ["signup"]);
        assert_eq!(sum.macro_sessions, 3);
        let demo = sum
            .conversions
            .iter()
            .find(|c| c.conversion == "demo_watched")
            .unwrap();
        assert_eq!((demo.count, demo.sessions, demo.is_macro), (9, 4, false));
        let row = |name: &str| {
            sum.funnel
                .iter()
                .find(|r| r.conversion == name)
                .unwrap()
                .clone()
        };
        let demo = row("demo_watched");
        assert_eq!((demo.sessions, demo.converted), (4, 2));
        assert_eq!((demo.other_sessions, demo.other_converted), (6, 1));
        assert_eq!(demo.rate, Some(0.5));
        assert_eq!(demo.other_rate, Some(1.0 / 6.0));
        let read = row("article_read");
        assert_eq!(
            (read.sessions, read.converted, read.other_sessions),
            (10, 3, 0)
        );
        assert_eq!(read.other_rate, None);
        assert!(
            sum.funnel.iter().all(|r| r.conversion != "signup"),
            "macro is not a funnel row"
        );
        assert_eq!(
            sum.pages,
            [PageCount {
                path: "/p".into(),
                count: 22
            }]
        );
        let signup_trigger = sum
            .triggers
            .iter()
            .find(|t| t.trigger == "signup-trigger")
            .unwrap();
        assert_eq!(signup_trigger.count, 3);

        // A chosen macro conversion instead of the flagged one.
        let q = SummaryQuery {
            macro_conversion: Some("demo_watched".into()),
            ..Default::default()
        };
        let sum = s.summary(&q).unwrap();
        assert_eq!(sum.macro_sessions, 4);
        let signup = sum
            .funnel
            .iter()
            .find(|r| r.conversion == "signup")
            .unwrap();
        assert_eq!(
            (
                signup.sessions,
                signup.converted,
                signup.other_sessions,
                signup.other_converted
            ),
            (3, 2, 7, 2)
        );
    }

    #[test]
    fn a_long_sessions_later_conversions_still_count() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let cap = sessions::CONVERSIONS_KEPT as usize;
        let mut evs: Vec<Event> = (0..cap + 10)
            .map(|i| ev(&format!("t{i}"), "time_on_page", "s1", false))
            .collect();
        evs.push(ev("u", "signup", "s1", true));
        evs.push(ev("u2", "signup", "s1", true));
        s.insert(&evs).unwrap();
        let rows = s.sessions(None, 0, i64::MAX).unwrap();
        let conversions = &rows[0].conversions;
        assert_eq!(
            conversions[0].1.len(),
            cap,
            "repeats past the cap are not kept"
        );
        assert_eq!(
            conversions[1],
            ("signup".to_string(), vec![1000]),
            "a new conversion past the cap is, once"
        );
    }

    #[test]
    fn visits_are_the_sessions_and_never_a_conversion() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let visit = |i: u32| Event {
            kind: crate::beacon::Kind::Visit,
            conversion: String::new(),
            trigger: String::new(),
            ..ev(&format!("visit{i}"), "", &format!("s{i}"), false)
        };
        // Five visits; two sessions read, one of them signed up; three did nothing.
        let mut evs: Vec<Event> = (0..5).map(visit).collect();
        evs.push(ev("r0", "article_read", "s0", false));
        evs.push(ev("r1", "article_read", "s1", false));
        evs.push(ev("u0", "signup", "s0", true));
        s.insert(&evs).unwrap();
        let sum = s.summary(&SummaryQuery::default()).unwrap();
        assert_eq!(sum.total, 3, "visits are not conversions");
        assert_eq!(sum.sessions, 5, "the sessions that did nothing count");
        assert!(sum.conversions.iter().all(|c| !c.conversion.is_empty()));
        assert!(sum.triggers.iter().all(|t| !t.trigger.is_empty()));
        assert_eq!(sum.pages[0].count, 3);
        let read = &sum.funnel[0];
        assert_eq!(read.conversion, "article_read");
        assert_eq!((read.sessions, read.converted), (2, 1));
        assert_eq!((read.other_sessions, read.other_converted), (3, 0));
        assert_eq!(sum.funnel.len(), 1);
        let conversions = s.events(&EventQuery::default()).unwrap();
        assert_eq!(
            conversions.len(),
            3,
            "the API's conversions are conversions"
        );
        let visits = EventQuery {
            kind: Some("visit".into()),
            ..Default::default()
        };
        let visits = s.events(&visits).unwrap();
        assert_eq!(visits.len(), 5);
        assert!(visits
            .iter()
            .all(|e| e.kind == "visit" && e.conversion.is_empty()));
    }

    #[test]
    fn summary_since_and_empty() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let sum = s.summary(&SummaryQuery::default()).unwrap();
        assert_eq!((sum.total, sum.sessions, sum.funnel.len()), (0, 0, 0));
        s.insert(&[ev("a", "x", "s1", false)]).unwrap();
        let sum = s
            .summary(&SummaryQuery {
                since: Some(2000),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(sum.total, 0);
    }

    #[test]
    fn file_database_uses_wal_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        {
            let s = Store::open(&path).unwrap();
            s.insert(&[ev("a", "x", "s1", false)]).unwrap();
            let mode: String = lock(&s.writer)
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "wal");
            assert!(s.has("a").unwrap());
        }
        let s = Store::open(&path).unwrap();
        assert!(s.has("a").unwrap());
        assert!(!s.has("b").unwrap());
    }

    /// Under non-stop writes with a reader busy at the same time, the WAL
    /// stays under its limit (it once grew to 457 MB: a checkpoint from
    /// another connection never got to reset it).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_stays_bounded_under_sustained_writes() {
        let dir = tempfile::tempdir().unwrap();
        let limit = 2 * 1024 * 1024;
        let store = Arc::new(
            Store::open_with(
                &dir.path().join("w.sqlite"),
                StoreOptions { wal_limit: limit },
            )
            .unwrap(),
        );
        let writer = crate::writer::Writer::spawn(store.clone(), 64);
        let reading = Arc::new(AtomicBool::new(true));
        let reader = {
            let (store, reading) = (store.clone(), reading.clone());
            std::thread::spawn(move || {
                let q = EventQuery {
                    limit: Some(50),
                    ..Default::default()
                };
                while reading.load(Ordering::Relaxed) {
                    store.events(&q).unwrap();
                }
            })
        };
        let mut peak = 0;
        let pad: String = "x".repeat(1000);
        for b in 0..200 {
            let events: Vec<Event> = (0..100)
                .map(|i| {
                    let mut e = ev(&format!("w{b}x{i}"), "x", "s1", false);
                    e.vars.insert("pad".into(), pad.clone().into());
                    e
                })
                .collect();
            writer.write(events).await.unwrap();
            peak = peak.max(store.wal_size());
        }
        reading.store(false, Ordering::Relaxed);
        reader.join().unwrap();
        assert!(peak > 0, "the WAL was used");
        assert!(
            peak <= limit,
            "WAL peak {peak} over the limit {limit} (about 20 MB written)"
        );
    }
}
