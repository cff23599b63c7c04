// microconv sessions: one visitor's visit to the site, across its tabs, and
// the persistent visitor id. A session ends after IDLE_MS without activity
// (GA4, Plausible and PostHog all use 30 minutes) and lasts MAX_MS at most.
// The record is in localStorage (first party, no cookie), where every tab
// of the site reads it. The wasm calls these as host methods (this: the
// host, whose get/put/hex never throw); src/web/page.rs is the other side.
// Tested in Node by loader/session.test.js.

/* exported sessionHelpers */

// The records (localStorage keys): the session, "<id> <start ms> <last
// activity ms> <page views> <landing path>" (a record of an earlier tag has
// only the first three); the visitor id, "<id> <created ms>"; the session's
// once_per_session state, "<session id> <state>" (a state of an ended
// session is never restored).
var SESSION_KEY = "microconv.session", VISITOR_KEY = "microconv.visitor", STATE_KEY = "microconv.state",
  // Inactivity that ends a session; the longest a session lasts; how long
  // a visitor id lasts from its creation: 13 months (395 days), the longest
  // the CNIL accepts for audience measurement; the longest landing path kept.
  IDLE_MS = 18e5, MAX_MS = 864e5, VISITOR_MS = 395 * 864e5, LANDING_CAP = 1000;

// A stored session record as {id, start, last, views, landing}, or null.
function parseSession(s) {
  var p = (s || "").split(" "), ms = function (x) { return /^\d{1,16}$/.test(x) ? +x : NaN },
    r = { id: p[0], start: ms(p[1]), last: ms(p[2]), views: p.length > 3 ? ms(p[3]) : 0, landing: p[4] || "" };
  return /^[0-9a-f]{16}$/.test(r.id) && (p.length == 3 || p.length == 5 && r.landing.length <= LANDING_CAP) &&
    r.start >= 0 && r.last >= 0 && r.views < 1e9 ? r : null
}

// The record to store.
function writeSession(r) {
  return [r.id, Math.floor(Math.max(r.start, 0)), Math.floor(Math.max(r.last, 0)), r.views, r.landing].join(" ")
}

// Whether the session still runs at `now`: active in the last IDLE_MS and
// younger than MAX_MS. A clock set back keeps it.
function isLive(r, now) { return now - r.last < IDLE_MS && now - r.start < MAX_MS }

// A new session at `now`, landing on `path` (a URL path has no spaces:
// anything else is not stored; it is ASCII, percent-encoded, so its length
// is its bytes).
function newSession(id, now, path) {
  return { id: id, start: now, last: now, views: 0, landing: path.indexOf(" ") < 0 ? path.slice(0, LANDING_CAP) : "" }
}

// The host methods.
var sessionHelpers = {
  // The stored session, while it runs at `now`.
  live: function (now) {
    var r = parseSession(this.get("localStorage", SESSION_KEY));
    return r && isLive(r, now) ? r : null
  },
  // The site's session at `now`: "1 <id>" when this call started it (16
  // random hex digits, landing on `path`), "0 <id>" for the stored one while
  // it runs (whichever tab started it); with `store`, `now` is written down
  // as its last activity (not before consent allows storing). Without
  // storage, each page is its own session.
  session: function (now, path, store) {
    var r = this.live(now), started = !r;
    r = r || newSession(this.hex(8), now, path);
    r.last = Math.max(r.last, now);
    if (store) this.put("localStorage", SESSION_KEY, writeSession(r));
    return (started ? "1 " : "0 ") + r.id
  },
  // Stores session `id` as the site's (once consent allows storing): the
  // running record gets `now` as its activity, or, when it is another
  // session's or none, id's record starts now on `path`; it counts at least
  // the `views` this tab has seen.
  stored: function (id, now, path, views) {
    var r = this.live(now);
    if (!r || r.id != id) r = newSession(id, now, path);
    r.last = Math.max(r.last, now);
    r.views = Math.max(r.views, views);
    this.put("localStorage", SESSION_KEY, writeSession(r))
  },
  // Counts a page view on `path` in the site's session: "<page views so far,
  // this one included> <landing path>", stored with `store`. Without storage
  // (or a record), this page is the session's first.
  view: function (now, path, store) {
    var r = this.live(now);
    if (!r) return "1 " + path;
    r.views++;
    if (store) this.put("localStorage", SESSION_KEY, writeSession(r));
    return r.views + " " + r.landing
  },
  // The persistent visitor id at `now`: the stored one while younger than
  // VISITOR_MS, else a new one (16 random hex digits) stored with its
  // creation time; "" without storage. keep false: erases it ("" returned).
  visitorId: function (now, keep) {
    var r = parseSession(this.get("localStorage", VISITOR_KEY) + " 0"), id;
    if (!keep) return this.put("localStorage", VISITOR_KEY, ""), "";
    if (r && now - r.start >= 0 && now - r.start < VISITOR_MS) return r.id;
    id = this.hex(8);
    return this.put("localStorage", VISITOR_KEY, id + " " + Math.floor(Math.max(now, 0))) ? id : ""
  },
  // Session id's once_per_session state: `state` stored when not "", and
  // what is stored returned ("" when it is another session's).
  state: function (id, state) {
    var s;
    if (state) this.put("localStorage", STATE_KEY, id + " " + state);
    s = this.get("localStorage", STATE_KEY) || "";
    return s.slice(0, s.indexOf(" ") + 1) == id + " " ? s.slice(id.length + 1) : ""
  }
};
