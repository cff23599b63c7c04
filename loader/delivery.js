// microconv delivery: at-least-once, through a persistent outbox; the
// collector de-duplicates by event id, so storage is exactly-once. The wasm
// writes each qualifying event (its JSON, its id) and hands it over with
// host.out (codes: OUT below; src/web/transport.rs is the other side).
//
// Every event is written to the outbox first (the page view's own
// localStorage value, microconv.outbox.<random>; its format: outbox below),
// then POSTed as {"v":1,"sent_at":…,"events":[…]} (text/plain, so no CORS
// preflight; under 60 KB and 100 events per request) by
// fetch(…, {keepalive: true}), whose answer decides: 2xx removes the events;
// a network error, 408, 429 or 5xx keeps them for a retry after a backoff
// (1 s · 2^n, at most 5 min, jittered; Retry-After on 429/503 wins); any
// other 4xx drops them with one console message. Retries come from a timer,
// the online event and the next page view. Events wait up to 1 s for
// company; a click (the page may be leaving) and a hidden or unloading page
// send at once (past the browsers' 64 KB keepalive budget, by sendBeacon),
// and the events stay in the outbox until an answer acknowledges them.
//
// Tabs: a page view only ever writes and sends its own outbox, so no two
// tabs send one event, and no tab overwrites another's events (localStorage
// is not consistent across processes: a shared value would lose events to
// stale reads). On pagehide the page marks its outbox left; a later page
// view of the site (this tab's next page, or any other tab) takes it over
// once it has settled, under the Web Lock microconv.outbox held a second
// past the take-over, so that no two pages take over the same outbox. An
// outbox whose page died without pagehide is taken over once it has been
// silent for 15 minutes past its due tries.
//
// Consent gates it all (the wasm decides, src/web/consent.rs): held events
// stay in memory, denied ones are discarded.

/* exported delivery */

// The outbox's bookkeeping, without web APIs (the caller passes the time and
// the random numbers; loader/delivery.test.js tests it in Node). The stored
// value is lines (event JSON never holds a raw tab or newline):
//
//   mc1 <dropped> <written ms> <left ms, 0 = still open>
//   <id>\t<queued ms>\t<tries>\t<next try ms>\t<lease ms, 0 = none>\t<event JSON>
//
// A book is {d: dropped (not yet reported), w: written, l: left, e: entries,
// oldest first}; an entry is its line's fields, [ID, QUEUED, ...]. A line
// that does not parse is skipped, so a damaged value costs those events only.
var ID = 0, QUEUED = 1, TRIES = 2, NEXT = 3, LEASE = 4, JSON_ = 5,
  // Most events and bytes (UTF-16 units, as localStorage counts) kept; the oldest go first.
  MAX_EVENTS = 500, MAX_BYTES = 256 * 1024,
  // How long an event in flight is left alone: past this, the tab that sent
  // it is taken for dead (closed mid-send) and any tab may send it again.
  LEASE_MS = 3e4,
  // Events older than this are dropped (counted like the cap's drops).
  MAX_AGE_MS = 7 * 864e5,
  // A left page's outbox is left alone this long before another page takes
  // it over: longer than localStorage takes to reach the other processes.
  SETTLE_MS = 1e3,
  // A page that neither left nor wrote its outbox for this long after its
  // last due try is taken for dead (crashed, killed): a live page writes at
  // every try. (A frozen tab that wakes later may send its events again; the
  // collector keeps one copy.)
  STALE_MS = 9e5,
  // The longest wait a Retry-After may impose.
  MAX_RETRY_AFTER_MS = 864e5,
  // Answers for applyAnswers: acknowledged (or refused for good); the send
  // never left (free the event); any other value is a failure.
  ACKED = -2, RELEASED = -3,
  // Which entries leaseBook takes (besides needing no live lease): none;
  // those whose next try has come; also never-tried ones in their batch
  // window (a click, a hidden page); every one (back online).
  NOTHING = 0, DUE = 1, FRESH = 2, ALL = 3;

function emptyBook() { return { d: 0, w: 0, l: 0, e: [] } }

// Reads a stored value; anything unreadable counts as empty.
function parseBook(text) {
  var num = function (s) { return /^\d{1,16}$/.test(s) ? +s : NaN },
    lines = (text || "").split("\n"), head = lines[0].split(" "), b = emptyBook(), i = 1, j, f;
  if (head[0] != "mc1" || isNaN(b.d = num(head[1]))) return emptyBook();
  b.w = num(head[2]) || 0;
  b.l = num(head[3]) || 0;
  for (; i < lines.length; i++) {
    f = lines[i].split("\t");
    if (f.length == 6 && /^[0-9A-Za-z]{1,64}$/.test(f[ID]) && /^\{.*\}$/.test(f[JSON_])) {
      for (j = 1; j < 5 && !isNaN(f[j] = num(f[j])); j++);
      if (j == 5) b.e.push(f);
    }
  }
  return b
}

// The stored value (the inverse of parseBook; times as whole milliseconds).
function writeBook(b) {
  var int = function (x) { return x > 0 ? Math.floor(x) : 0 };
  return ["mc1 " + [b.d, b.w, b.l].map(int).join(" ")].concat(b.e.map(function (e) {
    return e.map(function (x, i) { return i == ID || i == JSON_ ? x : int(x) }).join("\t")
  })).join("\n")
}

// About the size of the stored value (never under it).
function lineBytes(e) { return e[ID].length + e[JSON_].length + 58 }
function bookBytes(b) { return b.e.reduce(function (n, e) { return n + lineBytes(e) }, 48) }

// Adds another book's entries it lacks (merging never doubles an event) and
// its drop count. lease0: clear their leases (taking over a dead page's
// events: what it had in flight is sent again, at least once).
function mergeBook(b, o, lease0) {
  b.d += o.d;
  o.e.forEach(function (e) {
    if (lease0) e[LEASE] = 0;
    if (!b.e.some(function (x) { return x[ID] == e[ID] })) b.e.push(e)
  })
}

// When another page may take this one's events over: SETTLE_MS after its
// page left, or STALE_MS after its last write and its last due try.
function orphanedAt(b) {
  return b.l > 0 ? b.l + SETTLE_MS : b.e.reduce(function (m, e) { return Math.max(m, e[NEXT]) }, b.w) + STALE_MS
}

// orphanedAt of a stored value, reading its entries only when its head
// cannot tell (a live tab's outbox is looked at on every step of the
// others: its head alone says "not before written + 15 min").
function orphanedAtOf(text, now) {
  var at = orphanedAt(parseBook(text.split("\n")[0]));
  return at > now ? at : orphanedAt(parseBook(text))
}

// Drops events older than MAX_AGE_MS, then the oldest until at most
// MAX_EVENTS and MAX_BYTES remain; each drop is counted.
function capBook(b, now) {
  var n = b.e.length, bytes;
  b.e = b.e.filter(function (e) { return e[QUEUED] + MAX_AGE_MS > now });
  for (bytes = bookBytes(b); b.e.length > MAX_EVENTS || bytes > MAX_BYTES;) bytes -= lineBytes(b.e.shift());
  b.d += n - b.e.length
}

// The wait before the next try after `tries` failures: 1 s · 2^(tries-1), at
// most 5 min, with "equal jitter" (rand in [0, 1)) so that tabs and visitors
// do not retry in step.
function backoff(tries, rand) {
  return Math.min(1e3 * Math.pow(2, Math.max(Math.min(tries, 20) - 1, 0)), 3e5) *
    (0.5 + Math.min(Math.max(rand, 0), 1) / 2)
}

// Applies answers about sent events, [[id, what]] (the first per id): ACKED
// forgets the event, RELEASED clears its lease; any other value is a failed
// send: one more try, no lease, and the next try after `what` ms when
// positive (the server's Retry-After, capped) or else the backoff.
function applyAnswers(b, answers, now, rand) {
  if (answers.length) b.e = b.e.filter(function (e) {
    var a = answers.find(function (a) { return a[0] == e[ID] }), what = a && a[1];
    if (!a) return !0;
    e[LEASE] = 0;
    if (what == RELEASED) return !0;
    e[TRIES]++;
    e[NEXT] = now + (what > 0 ? Math.min(what, MAX_RETRY_AFTER_MS) : backoff(e[TRIES], rand));
    return what != ACKED
  })
}

// Leases what `take` selects among the entries no tab is sending, and
// returns them (oldest first).
function leaseBook(b, now, take) {
  return b.e.filter(function (e) {
    var free = !e[LEASE] || e[LEASE] + LEASE_MS <= now || e[LEASE] > now + LEASE_MS;
    if (free && (take == ALL || take && e[NEXT] <= now || take == FRESH && !e[TRIES])) return (e[LEASE] = now)
  })
}

// When something next needs doing: an entry's next try, or the end of a
// lease (its sender may have died); Infinity when there is nothing.
function nextWake(b, now) {
  return b.e.reduce(function (m, e) {
    return Math.min(m, e[LEASE] && e[LEASE] + LEASE_MS > now ? e[LEASE] + LEASE_MS : e[NEXT])
  }, Infinity)
}

// What the wasm asks of delivery, host.out(code, a, b); see OUT in
// src/web/transport.rs, which must match.
var OUT = {
  // Write new events to the outbox (sent after the batch window) / send what
  // is due and take over the outboxes of pages that left (a page view) /
  // send every new event now (a click; flush()).
  SCHEDULE: 0, RESUME: 1, FLUSH: 2,
  // The page is hidden / unloading (pagehide) / shown: returns whether it is
  // back from the back/forward cache (after its pagehide) / online again.
  HIDE: 3, LEAVE: 4, SHOW: 5, ONLINE: 6,
  // An event: a = its id, b = its JSON (written by the wasm's payload).
  QUEUE: 7,
  // The tag stops (tests): send what is queued, stop the timer.
  STOP: 8,
  // The consent gate is now: open (a = the endpoint at start) / held / denied / GPC.
  OPEN: 9, HELD: 10, DENIED: 11, GPC: 12
};

// A page view's delivery (h: the host helpers, c: the console, guard(f): f
// guarded like every callback of the tag); returns host.out.
function delivery(h, c, guard) {
  var LS = "localStorage", KEY = "microconv.outbox",
    // New events wait this long for company; the collector takes at most
    // this many events and bytes a request; browsers allow this many bytes
    // of keepalive bodies in flight; random delay added to each wake-up, so
    // that tabs take turns; a lock request unanswered this long is lost.
    BATCH_MS = 1e3, PER_REQUEST = 100, MAX_BODY = 6e4, KEEPALIVE_BUDGET = 64e3, JITTER_MS = 200,
    LOCK_WAIT_MS = 5e3,
    // The what of a network error (see done).
    NETWORK_ERROR = -1,
    utf8 = new TextEncoder(),
    sink = h.sink, store = !sink && h.has(LS), endpoint = "", gate = OUT.HELD,
    key = own(), mem = "", fresh = emptyBook(), answers = [], undropped = 0, take = 0, soon = 0,
    requested = 0, adoptAt = 0, wakeAt = 0, flights = [], next = 0, keepalive = 0, timer = 0,
    refused = 0, leaving = 0,
    open = function () { return gate == OUT.OPEN };

  // This page view's outbox key.
  function own() { return KEY + "." + h.hex(8) }
  function outboxes() { return store ? h.keys(LS, KEY) : [] }
  function load() { return store ? h.get(LS, key) || "" : mem }
  function save(old, text) {
    // Storage full or refused: this page keeps its outbox in memory.
    if (text != old && !(store && h.put(LS, key, text))) { store = 0; mem = text }
  }

  // Asks for a step sending `t` in a microtask: the events of one task (a
  // flood of pushes) cost one step. Tests' sink: at once.
  function request(t) {
    take = Math.max(take, t);
    if (!open() || soon) return;
    if (sink) return step();
    soon = 1;
    queueMicrotask(guard(function () { soon = 0; step() }))
  }

  // One outbox step: re-read the stored outbox, apply what happened in
  // memory (new events, answers), apply the caps, lease and send what `take`
  // asks for, write it back, and set the timer for the next step.
  function step(hide) {
    var t = take, now = Date.now(), online = navigator.onLine !== false, old, b, text = "";
    if (!open()) return;
    take = 0;
    if (!fresh.e.length && !answers.length && !undropped && !t) return;
    if (leaving) answers = answers.filter(function (a) { return a[1] != NETWORK_ERROR });
    b = parseBook(old = load());
    applyAnswers(b, answers, now, Math.random());
    b.d += undropped;
    mergeBook(b, fresh);
    answers = []; undropped = 0; fresh = emptyBook();
    capBook(b, now);
    // Once the page is leaving, only its own page-hide step sends: a lock
    // step granted after it would resend what that step just released.
    if (online && t && (hide || !leaving)) {
      // This page's own requests in flight are never sent again by it,
      // whatever the stored lease says (a leaving page released them).
      b.e.forEach(function (e) { if (flying(e[ID])) e[LEASE] = now });
      send(b, leaseBook(b, now, t), hide);
    }
    // The page is unloading: its requests either left (keepalive) or die
    // with it, and it will never learn which. Their leases are released so
    // that the next page view of the site sends them again at once instead
    // of after the lease; the collector keeps one copy per id.
    if (leaving) applyAnswers(b, [].concat.apply([], flights.map(function (f) {
      return f.ids.map(function (id) { return [id, RELEASED] })
    })), now, 0);
    if (b.d || b.e.length) {
      b.w = now;
      b.l = leaving ? now : 0;
      text = writeBook(b);
    }
    save(old, text);
    wakeAt = nextWake(b, now);
    wakeAt = online && wakeAt < Infinity ? Math.max(wakeAt, now) : 0;
    rearm()
  }
  function flying(id) { return flights.some(function (f) { return f.ids.indexOf(id) >= 0 }) }

  // Sends the leased entries `picked` of book b in requests under 60 KB and
  // 100 events; the first carries the drop count. Entries whose send could
  // not start are released (or marked failed).
  function send(b, picked, hide) {
    var sentAt = Date.now(), got = [], run = [], size = 0;
    function answer(ids, what) { ids.forEach(function (id) { got.push([id, what]) }) }
    function flush() {
      var ids = run.map(function (e) { return e[ID] }), dropped = b.d,
        body = '{"v":1,' + (dropped ? '"dropped":' + dropped + "," : "") + '"sent_at":' + sentAt +
          ',"events":[' + run.map(function (e) { return e[JSON_] }).join(",") + "]}",
        len = utf8.encode(body).length, ka = keepalive + len <= KEEPALIVE_BUDGET, k = next++;
      b.d = 0; run = []; size = 0;
      if (sink) {
        try { sink(body) } catch (x) { /* the tests' sink: acknowledged all the same */ }
        return answer(ids, ACKED)
      }
      if (hide && !ka) {
        // Past the keepalive budget of a leaving page: a beacon, whose answer
        // is never known (the lease expires, and a later page view sends
        // again if it did not arrive).
        try { if (navigator.sendBeacon(endpoint, body)) return } catch (x) { /* released below */ }
        return answer(ids, RELEASED), b.d += dropped;
      }
      if (!post(body, k, ka)) return answer(ids, 0), b.d += dropped;
      if (ka) keepalive += len;
      flights.push({ k: k, ids: ids, len: len, ka: ka, d: dropped })
    }
    picked.forEach(function (e) {
      var n = utf8.encode(e[JSON_]).length + 1;
      // An event that cannot fit a request alone is dropped (and counted).
      if (n >= MAX_BODY - 64) return b.d++, answer([e[ID]], ACKED);
      if (run.length == PER_REQUEST || size + n >= MAX_BODY - 64) flush();
      run.push(e); size += n
    });
    if (run.length) flush();
    applyAnswers(b, got, sentAt, Math.random())
  }

  // POSTs a body (text/plain: no CORS preflight; no cookies); its answer
  // reaches done. False when fetch threw.
  function post(body, k, ka) {
    try {
      fetch(endpoint, { method: "POST", body: body, keepalive: ka, credentials: "omit", headers: { "Content-Type": "text/plain;charset=UTF-8" } }).then(guard(function (r) {
        var a = r.headers.get("Retry-After");
        done(k, r.status, a ? (a > -1 ? a * 1e3 : Date.parse(a) - Date.now()) || 0 : 0)
      }), guard(function () { done(k, 0, 0) }));
      return !0
    } catch (e) { return !1 }
  }

  // A request's answer: HTTP status (0: a network error), Retry-After in ms.
  function done(k, status, after) {
    var i = flights.findIndex(function (f) { return f.k == k }), f = flights[i], what = ACKED;
    if (i < 0) return;
    flights.splice(i, 1);
    if (f.ka) keepalive = Math.max(keepalive - f.len, 0);
    if (status < 200 || status > 299) {
      undropped += f.d;
      // Refused for good (the body itself is wrong): retrying cannot help.
      if (status > 399 && status < 500 && status != 408 && status != 429) {
        if (!refused++) c.warn("microconv: the collector refused " + (status == 403
          ? "this site's origin " + location.origin + " (HTTP 403: not in its --allow-origin)"
          : "a beacon (HTTP " + status + ")") + "; its events are dropped");
      } else {
        // A network error, or the page being unloaded: that rejects its
        // requests' promises (not the keepalive requests themselves), before
        // pagehide. Marked, and applied a moment later, so that an
        // unloading page leaves the events leased instead.
        what = !status ? NETWORK_ERROR : status == 429 || status == 503 ? Math.max(after, 0) : 0;
      }
    }
    f.ids.forEach(function (id) { answers.push([id, what]) });
    status ? request(NOTHING) : arm(500)
  }

  // Sets the timer for the earliest of the own outbox's next step and the
  // settling of a left outbox.
  function rearm() {
    var at = !wakeAt ? adoptAt : !adoptAt ? wakeAt : Math.min(wakeAt, adoptAt);
    at ? arm(at - Date.now()) : cancel()
  }
  function cancel() { clearTimeout(timer); timer = 0 }
  // Runs a step in `delay` ms (plus jitter): send what is due, look for left outboxes.
  function arm(delay) {
    cancel();
    timer = setTimeout(guard(function () {
      timer = 0;
      take = Math.max(take, DUE);
      step();
      adopt()
    }), Math.min(Math.max(delay, 0) + Math.random() * JITTER_MS, 2e9))
  }

  // Takes over the outboxes of pages that left (or died): without `locked`
  // it only looks, and asks for the Web Lock when some have settled; under
  // it (or without Web Locks) it moves them into this page's own outbox,
  // then removes them (in that order: a crash in between sends an event
  // twice, never loses it), and sends what is due. Either way the timer
  // wakes it when the next one will have settled.
  function adopt(locked) {
    var now = Date.now(), taken = [], all = outboxes(), i = 0, k, text, at;
    if (locked) requested = 0;
    if (!open() || leaving || !locked && requested && now - requested < LOCK_WAIT_MS) return;
    adoptAt = 0;
    for (; i < all.length; i++) {
      if ((k = all[i]) == key || (text = h.get(LS, k)) == null) continue;
      if ((at = orphanedAtOf(text, now)) > now) {
        if (!adoptAt || at < adoptAt) adoptAt = at;
      } else if (locked) {
        mergeBook(fresh, parseBook(text), 1);
        taken.push(k);
      } else {
        if (!lock()) return adopt(1);
        requested = now;
        return
      }
    }
    if (!taken.length) return rearm();
    take = Math.max(take, DUE);
    step();
    taken.forEach(function (k) { h.put(LS, k, "") })
  }

  // Calls adopt(1) later under the Web Lock microconv.outbox, shared by the
  // site's tabs, held a second more, so that the next holder reads
  // localStorage after it has reached every process. False without Web Locks.
  function lock() {
    var f = guard(function () { adopt(1) });
    try {
      return navigator.locks.request(KEY, function () {
        f();
        return new Promise(function (r) { setTimeout(r, 1e3) })
      }).catch(f), !0
    } catch (e) { return !1 }
  }

  // Discards held, stored and pending events (a denial, GPC): every page's
  // outbox, as the decision is the site's.
  function forget() {
    cancel();
    fresh = emptyBook(); answers = []; mem = "";
    // Also after this page's own writes failed (store = 0): what is stored
    // must not be sent by a later page view.
    if (!sink && h.has(LS)) h.keys(LS, KEY).forEach(function (k) { h.put(LS, k, "") })
  }

  return function (code, a, b) {
    var was = leaving, now = Date.now();
    switch (code) {
      case OUT.QUEUE:
        if (gate < OUT.DENIED) {
          fresh.e.push([a, now, 0, now + BATCH_MS, 0, b]);
          capBook(fresh, now)
        }
        break;
      case OUT.SCHEDULE: request(NOTHING); break;
      case OUT.FLUSH: request(FRESH); break;
      case OUT.RESUME: request(DUE); adopt(); break;
      case OUT.ONLINE: request(ALL); adopt(); break;
      // Back from the back/forward cache (a pageshow after its pagehide): its
      // outbox was left (and may be taken over), so the page starts a new one.
      case OUT.SHOW: if (was) { leaving = 0; key = own() } adopt(); return !!was;
      case OUT.LEAVE: leaving = 1; // falls through: and hidden
      case OUT.HIDE: case OUT.STOP:
        // Written and sent now, without waiting for a lock.
        take = Math.max(take, FRESH);
        step(1);
        if (code == OUT.STOP) cancel();
        break;
      default:
        // A gate: at start (a: the endpoint), or a consent decision, after
        // which what was held is sent.
        gate = code;
        if (a) endpoint = a;
        else if (open()) request(FRESH);
        if (gate > OUT.HELD) forget()
    }
    return !1
  }
}
