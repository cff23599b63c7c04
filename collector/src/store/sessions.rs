//! The sessions rollup the report reads (`GET /api/report`): one row per
//! session (its times, visit facts, conversions and pages), kept by an
//! SQLite trigger as events are stored, so a report over a million events
//! reads its 100k sessions instead of scanning every event. Deleting an
//! event (retention, erasure) deletes its session's row: an erased session
//! leaves nothing; one cut by retention leaves the report with it.

use super::{Store, StoreError};
use rusqlite::{params, Connection};

/// The rollup's table (created with the events table). A session's
/// conversions are one text, `name US at RS` per event (the ASCII unit and
/// record separators), and its pages `RS path RS path RS`: one row read per
/// session, no join. A rowid table: rows are stored about in the order
/// sessions start, so a range read through `(site, first_at)` reads the
/// table in order instead of seeking a primary key per row.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    site        TEXT NOT NULL,
    session     TEXT NOT NULL,
    first_at    INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    visitor     TEXT,
    bot         INTEGER NOT NULL,
    landing     TEXT,
    source      TEXT,
    medium      TEXT,
    campaign    TEXT,
    referrer    TEXT,
    events      INTEGER NOT NULL,
    conversions TEXT NOT NULL,
    paths       TEXT NOT NULL,
    UNIQUE (site, session)
);
CREATE INDEX IF NOT EXISTS sessions_site_first ON sessions (site, first_at);
CREATE INDEX IF NOT EXISTS sessions_first ON sessions (first_at);
CREATE TRIGGER IF NOT EXISTS events_rollup_delete AFTER DELETE ON events
WHEN OLD.session IS NOT NULL BEGIN
    DELETE FROM sessions WHERE site = OLD.site AND session = OLD.session;
END;
";

/// Events a session keeps every conversion of (a funnel needs the order of a
/// session's conversions, not thousands of repeats). Past them, only a
/// conversion's first time is added (a long session's signup still counts),
/// up to [`CONVERSIONS_BYTES`].
pub const CONVERSIONS_KEPT: i64 = 256;

/// Bytes of a session's conversions past which nothing is added (a hostile
/// session sending new names without end).
pub const CONVERSIONS_BYTES: i64 = 32_768;

/// Bytes of page paths kept per session.
pub const PATHS_KEPT: i64 = 8192;

/// The rollup's upsert, over the columns of events named with `p` (`NEW.`
/// in the trigger, empty when rebuilding from `events`) and `tail` (the
/// trigger's `WHERE true`, or the rebuild's `FROM events WHERE …`: an
/// upsert's SELECT needs a WHERE).
fn upsert(p: &str, tail: &str) -> String {
    let visit = |expr: &str| format!("CASE WHEN {p}kind = 'visit' THEN {expr} END");
    let var = |name: &str| {
        visit(&format!(
            "CAST(json_extract({p}vars, '$.\"{name}\"') AS TEXT)"
        ))
    };
    format!(
        "INSERT INTO sessions (site, session, first_at, last_at, visitor, bot, landing, source, medium,
                               campaign, referrer, events, conversions, paths)
         SELECT {p}site, {p}session, {p}at, {p}at, {p}visitor, {p}bot, {landing}, {src}, {med}, {camp}, {refr}, 1,
                CASE WHEN {p}kind = 'conversion' THEN {p}conversion || char(31) || {p}at || char(30) ELSE '' END,
                char(30) || {p}page_path || char(30) {tail}
         ON CONFLICT (site, session) DO UPDATE SET
            first_at = MIN(first_at, excluded.first_at), last_at = MAX(last_at, excluded.last_at),
            visitor = COALESCE(visitor, excluded.visitor), bot = MAX(bot, excluded.bot),
            landing = COALESCE(landing, excluded.landing), source = COALESCE(source, excluded.source),
            medium = COALESCE(medium, excluded.medium), campaign = COALESCE(campaign, excluded.campaign),
            referrer = COALESCE(referrer, excluded.referrer), events = events + 1,
            conversions = CASE WHEN events < {CONVERSIONS_KEPT}
                               OR (length(conversions) < {CONVERSIONS_BYTES} AND instr(char(30) || conversions,
                                   char(30) || substr(excluded.conversions, 1, instr(excluded.conversions, char(31)))) = 0)
                          THEN conversions || excluded.conversions ELSE conversions END,
            paths = CASE WHEN length(paths) > {PATHS_KEPT} OR instr(paths, excluded.paths) > 0 THEN paths
                    ELSE paths || substr(excluded.paths, 2) END;",
        landing = visit(&format!("{p}page_path")),
        src = var("visit.utm_source"),
        med = var("visit.utm_medium"),
        camp = var("visit.utm_campaign"),
        refr = var("visit.referrer_host"),
    )
}

/// Creates the rollup; a database whose events predate it gets it built
/// from them, once.
pub fn migrate(c: &Connection) -> Result<(), StoreError> {
    let existed: bool = c.query_row(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'sessions'",
        [],
        |r| r.get(0),
    )?;
    c.execute_batch(SCHEMA)?;
    c.execute_batch(&format!(
        "CREATE TRIGGER IF NOT EXISTS events_rollup AFTER INSERT ON events
         WHEN NEW.session IS NOT NULL BEGIN {} END;",
        upsert("NEW.", "WHERE true")
    ))?;
    if !existed {
        c.execute_batch(&upsert("", "FROM events WHERE session IS NOT NULL"))?;
    }
    Ok(())
}

/// One session of the rollup, as the report reads it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionRow {
    /// When its first event happened (epoch ms).
    pub first_at: i64,
    /// When its last one did.
    pub last_at: i64,
    /// Its visitor id, where the site keeps one.
    pub visitor: Option<String>,
    /// Sent by a bot (by User-Agent).
    pub bot: bool,
    /// Whether it sent a visit (rules with `count_visits`), whose facts are
    /// in `acquisition`.
    pub visited: bool,
    /// `[source, medium, campaign, referrer, landing]`
    /// (`crate::report::compute::DIMENSIONS`).
    pub acquisition: [Option<String>; 5],
    /// Distinct pages it sent anything from.
    pub pages: u32,
    /// Per conversion, when it did it (sorted; every time within the first
    /// [`CONVERSIONS_KEPT`] events of a session, the first time after).
    pub conversions: Vec<(String, Vec<i64>)>,
}

impl Store {
    /// Every site a session was stored for, by name (an index scan of the
    /// rollup's `(site, first_at)`).
    pub fn sites(&self) -> Result<Vec<String>, StoreError> {
        let c = self.read();
        let mut st = c.prepare_cached("SELECT DISTINCT site FROM sessions ORDER BY site")?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect()
    }

    /// The sessions of `site` (every site: `None`) that started in
    /// `from..to` (epoch ms), with their conversions.
    pub fn sessions(
        &self,
        site: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let c = self.read();
        let mut st = c.prepare_cached(
            "SELECT first_at, last_at, visitor, bot, landing, source, medium, campaign, referrer,
                    conversions, paths
             FROM sessions WHERE first_at >= ?1 AND first_at < ?2 AND (?3 IS NULL OR site = ?3)",
        )?;
        let mut rows = st.query(params![from, to, site])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let landing: Option<String> = r.get(4)?;
            let conversions = r.get_ref(9)?.as_str().unwrap_or("");
            let paths = r.get_ref(10)?.as_str().unwrap_or("");
            out.push(SessionRow {
                first_at: r.get(0)?,
                last_at: r.get(1)?,
                visitor: r.get(2)?,
                bot: r.get(3)?,
                visited: landing.is_some(),
                acquisition: [r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, landing],
                pages: paths.matches('\u{1e}').count().saturating_sub(1) as u32,
                conversions: parse_conversions(conversions),
            });
        }
        Ok(out)
    }
}

/// `name US at RS …` as each name's sorted times, names in first-seen order.
fn parse_conversions(text: &str) -> Vec<(String, Vec<i64>)> {
    let mut out: Vec<(String, Vec<i64>)> = Vec::new();
    for entry in text.split('\u{1e}') {
        let Some((name, at)) = entry.rsplit_once('\u{1f}') else {
            continue;
        };
        let Ok(at) = at.parse::<i64>() else { continue };
        match out.iter_mut().find(|(n, _)| n == name) {
            Some((_, times)) => times.push(at),
            None => out.push((name.to_string(), vec![at])),
        }
    }
    for (_, times) in &mut out {
        times.sort_unstable();
    }
    out
}
