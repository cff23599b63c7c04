// Sessions and the visitor id of loader/session.js, in Node (`node --test
// loader/`): the file is evaluated as the loader inlines it, its helpers
// called on a host whose storage is a Map.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");

const src = fs.readFileSync(`${__dirname}/session.js`, "utf8");
const S = new Function(`${src}\nreturn {parseSession, writeSession, isLive, newSession, sessionHelpers, STATE_KEY, VISITOR_MS};`)();

const MIN = 60000;
const ID = "0123456789abcdef";

// A host with the helpers, storage in `store` (null: no storage, as when it
// is disabled: get gives null, put refuses), ids counting up.
function host(store = new Map()) {
  let n = 0;
  return Object.assign({
    store,
    hex: (bytes) => String(++n).padStart(bytes * 2, "0"),
    get: (a, k) => (store && store.has(k) ? store.get(k) : null),
    put: (a, k, v) => (store ? (v ? store.set(k, v) : store.delete(k), true) : false),
  }, S.sessionHelpers);
}

test("records round trip and junk is refused", () => {
  const s = { id: ID, start: 1764000000000, last: 1764000060000, views: 3, landing: "/blog/a%20b" };
  assert.equal(S.writeSession(s), `${ID} 1764000000000 1764000060000 3 /blog/a%20b`);
  assert.deepEqual(S.parseSession(S.writeSession(s)), s);
  // An earlier tag's record: no views, no landing path yet.
  const old = S.parseSession(`${ID} 1 2`);
  assert.deepEqual([old.views, old.landing], [0, ""]);
  const fresh = S.newSession(ID, 5, "/with space");
  assert.deepEqual([fresh.views, fresh.landing], [0, ""]);
  assert.equal(S.newSession("x", 5, "/p").landing, "/p");
  assert.equal(S.newSession("x", 5, `/${"a".repeat(2000)}`).landing.length, 1000, "capped");
  for (const junk of ["", null, ID, `${ID.toUpperCase()} 1 2`, `${ID.slice(1)} 1 2`, `${ID} 1 2 3`, `${ID} 1 2 x /p`,
    `${ID} 1 2 3 /p extra`, `${ID} -1 2`, `${ID} 1.5 2`, `${ID} 99999999999999999 2`]) {
    assert.equal(S.parseSession(junk), null, JSON.stringify(junk));
  }
});

test("thirty idle minutes or a day end it", () => {
  const s = Object.assign(S.newSession(ID, 0, "/"), { last: 100 * MIN });
  assert.ok(S.isLive(s, 100 * MIN));
  assert.ok(S.isLive(s, 129.9 * MIN));
  assert.ok(!S.isLive(s, 130 * MIN));
  assert.ok(S.isLive(s, 50 * MIN), "a clock set back");
  assert.ok(!S.isLive(Object.assign({}, s, { last: 24 * 60 * MIN - MIN }), 24 * 60 * MIN));
});

test("tabs share the running session; an ended one is replaced, with its own landing page", () => {
  const h = host();
  assert.equal(h.session(0, "/landing", true), "1 0000000000000001", "started");
  assert.equal(h.session(10 * MIN, "/other", true), "0 0000000000000001", "the same, in another tab");
  assert.equal(h.view(11 * MIN, "/other", true), "1 /landing");
  assert.equal(h.view(12 * MIN, "/third", true), "2 /landing");
  // 30 idle minutes after the last written activity (10 min): a new one.
  assert.equal(h.session(40 * MIN, "/back", true), "1 0000000000000002");
  assert.equal(h.view(40 * MIN, "/back", true), "1 /back");
  // Not stored before consent: each call is a session of its own.
  const held = host();
  assert.equal(held.session(0, "/", false), "1 0000000000000001");
  assert.equal(held.session(1, "/", false), "1 0000000000000002");
  assert.equal(held.view(1, "/here", false), "1 /here", "without a record, this page is the first");
  // Stored at the grant: the page's own session, with the views it has seen.
  held.stored("0000000000000002", 2, "/here", 3);
  assert.equal(held.session(3, "/", true), "0 0000000000000002");
  assert.equal(held.view(4, "/", true), "4 /here");
  // Without storage: nothing throws, every page its own session.
  const none = host(null);
  assert.equal(none.session(0, "/", true), "1 0000000000000001");
  assert.equal(none.view(0, "/p", true), "1 /p");
});

test("the visitor id lasts 13 months, and is erased on request", () => {
  const h = host();
  const id = h.visitorId(1000, true);
  assert.match(id, /^[0-9a-f]{16}$/);
  assert.equal(h.visitorId(1000 + S.VISITOR_MS - 1, true), id);
  const next = h.visitorId(1000 + S.VISITOR_MS, true);
  assert.notEqual(next, id, "a new one after 13 months");
  assert.equal(h.visitorId(0, false), "");
  assert.equal(h.store.size, 0, "erased");
  assert.equal(host(null).visitorId(0, true), "", "none without storage");
});

test("the once_per_session state belongs to its session", () => {
  const h = host();
  assert.equal(h.state("aaaa", ""), "");
  assert.equal(h.state("aaaa", "0011"), "0011");
  assert.equal(h.state("aaaa", ""), "0011");
  assert.equal(h.state("bbbb", ""), "", "another session's");
  assert.equal(h.store.get("microconv.state"), "aaaa 0011");
});

test("the state's key is the one the wasm follows (src/web/page.rs)", () => {
  const rs = fs.readFileSync(`${__dirname}/../src/web/page.rs`, "utf8");
  assert.equal(/const STATE_KEY: &str = "([^"]+)"/.exec(rs)[1], S.STATE_KEY);
});
