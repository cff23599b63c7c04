// The outbox's bookkeeping and the requests of loader/delivery.js, in Node
// (`node --test loader/`): the file is evaluated as the loader inlines it.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");

// What the browser has and Node 20 lacks.
globalThis.navigator = { onLine: true };

const src = fs.readFileSync(`${__dirname}/delivery.js`, "utf8");
const names = ["emptyBook", "parseBook", "writeBook", "bookBytes", "mergeBook", "orphanedAt", "orphanedAtOf",
  "capBook", "backoff", "applyAnswers", "leaseBook", "nextWake", "delivery", "OUT",
  "MAX_EVENTS", "MAX_BYTES", "LEASE_MS", "MAX_AGE_MS", "SETTLE_MS", "STALE_MS", "MAX_RETRY_AFTER_MS",
  "ACKED", "RELEASED", "DUE", "FRESH", "ALL"];
const D = new Function(`${src}\nreturn {${names.join(",")}};`)();

const NOW = 1.7e12;
// An entry as stored: [id, queued, tries, next, lease, json].
const entry = (id, queued) => [id, queued, 0, queued + 1000, 0, `{"id":"${id}","vars":{"t":"a\\tb\\nc"}}`];
const book = (fields) => Object.assign(D.emptyBook(), fields);
const ids = (entries) => entries.map((e) => e[0]);

test("round trips and skips damaged lines", () => {
  const b = book({ d: 7, e: [entry("a1", NOW), entry("b2", NOW + 5)] });
  b.e[1][2] = 3;
  b.e[1][4] = NOW + 9;
  const text = D.writeBook(b);
  assert.ok(text.length <= D.bookBytes(b), "bookBytes never under the real size");
  assert.deepEqual(D.parseBook(text), b);
  const damaged = `${text}\nno tabs here\nx\t1\t2\t3\t4\tnot json\nc 3\t1\t0\t1\t0\t{}\n\n`;
  assert.deepEqual(D.parseBook(damaged), b, "bad lines (and ids with spaces) are skipped");
  assert.deepEqual(D.parseBook(""), D.emptyBook());
  assert.deepEqual(D.parseBook(null), D.emptyBook());
  assert.deepEqual(D.parseBook("mc2 3\nfuture format"), D.emptyBook());
  assert.deepEqual(D.parseBook('{"some":"json"}'), D.emptyBook());
});

test("merging never doubles an event", () => {
  const a = book({ d: 1, e: [entry("a", 1), entry("b", 2)] });
  D.mergeBook(a, book({ d: 2, e: [entry("b", 2), entry("c", 3)] }));
  assert.deepEqual(ids(a.e), ["a", "b", "c"]);
  assert.equal(a.d, 3);
});

test("the cap drops the oldest and counts them", () => {
  const b = D.emptyBook();
  for (let i = 0; i < D.MAX_EVENTS + 20; i++) b.e.push(entry(`e${i}`, NOW + i));
  D.capBook(b, NOW);
  assert.equal(b.e.length, D.MAX_EVENTS);
  assert.equal(b.e[0][0], "e20");
  assert.equal(b.d, 20);

  // Bytes: big events hit the byte cap before the count cap.
  const big = D.emptyBook();
  for (let i = 0; i < 100; i++) {
    const e = entry(`b${i}`, NOW + i);
    e[5] = `{"pad":"${"x".repeat(5000)}"}`;
    big.e.push(e);
  }
  D.capBook(big, NOW);
  assert.ok(D.bookBytes(big) <= D.MAX_BYTES && D.writeBook(big).length <= D.MAX_BYTES);
  assert.equal(big.e.length, Math.floor(D.MAX_BYTES / 5070));
  assert.equal(big.e[big.e.length - 1][0], "b99", "the newest stay");
  assert.equal(big.d, 100 - big.e.length);

  // Age: a week-old event goes, counted.
  const old = book({ e: [entry("old", NOW - D.MAX_AGE_MS - 1), entry("new", NOW)] });
  D.capBook(old, NOW);
  assert.deepEqual(ids(old.e), ["new"]);
  assert.equal(old.d, 1);
});

test("leases keep an event from being sent twice until they expire", () => {
  const b = book({ e: [entry("a", NOW), entry("b", NOW)] });
  // In the batch window: not due, but a flush (FRESH) takes them.
  assert.deepEqual(D.leaseBook(b, NOW, D.DUE), []);
  assert.deepEqual(ids(D.leaseBook(b, NOW, D.FRESH)), ["a", "b"]);
  // Leased: no tab takes them again, whatever the mode...
  assert.deepEqual(D.leaseBook(b, NOW + 1, D.ALL), []);
  assert.equal(D.nextWake(b, NOW + 1), NOW + D.LEASE_MS);
  // ...until the lease is old enough for the sender to be taken for dead.
  assert.deepEqual(ids(D.leaseBook(b, NOW + D.LEASE_MS, D.DUE)), ["a", "b"]);
  // A released lease frees the event at once.
  D.applyAnswers(b, [["b", D.RELEASED]], NOW, 0);
  assert.deepEqual(ids(D.leaseBook(b, NOW + D.LEASE_MS + 1, D.FRESH)), ["b"]);
  D.applyAnswers(b, [["a", D.ACKED]], NOW, 0);
  assert.deepEqual(ids(b.e), ["b"]);
  assert.equal(D.nextWake(D.emptyBook(), NOW), Infinity, "nothing to wake for");
  assert.equal(D.nextWake(book({ e: [entry("z", NOW), Object.assign(entry("y", 0), { 3: 0 })] }), NOW), 0,
    "a next try at 0 counts (it is due now), wherever it is");
});

test("failures back off exponentially or as the server says", () => {
  const b = book({ e: [entry("a", NOW), entry("b", NOW)] });
  D.leaseBook(b, NOW, D.FRESH);
  D.applyAnswers(b, [["a", 0], ["b", 120000]], NOW, 1);
  assert.deepEqual(b.e[0].slice(2, 5), [1, NOW + 1000, 0], "one try, backoff, no lease");
  assert.equal(b.e[1][3], NOW + 120000, "Retry-After honoured");
  assert.equal(b.e[1][2], 1, "a Retry-After counts a try too");
  // Not due during the backoff, except when the browser comes back online.
  assert.deepEqual(D.leaseBook(b, NOW + 10, D.FRESH), []);
  assert.deepEqual(ids(D.leaseBook(b, NOW + 10, D.ALL)), ["a", "b"]);
  assert.equal(D.backoff(1, 0), 500);
  assert.equal(D.backoff(2, 1), 2000);
  assert.equal(D.backoff(4, 1), 8000);
  assert.equal(D.backoff(30, 1), 300000, "capped at 5 minutes");
  assert.equal(D.backoff(30, 0), 150000);
  const c = book({ e: [entry("c", NOW)] });
  D.applyAnswers(c, [["c", 1e12]], NOW, 0.5);
  assert.equal(c.e[0][3], NOW + D.MAX_RETRY_AFTER_MS, "an absurd Retry-After is capped");
});

test("the head records when the page wrote and left", () => {
  const b = book({ d: 2, w: NOW, l: NOW + 40, e: [entry("a", NOW)] });
  const text = D.writeBook(b);
  assert.ok(text.startsWith("mc1 2 1700000000000 1700000000040\n"), text);
  assert.deepEqual(D.parseBook(text), b);
  // A head with the drop count only (an older tag) reads as never written, open.
  const old = D.parseBook("mc1 4\na\t1\t0\t1\t0\t{}");
  assert.deepEqual([old.d, old.w, old.l, old.e.length], [4, 0, 0, 1]);
});

test("a left page is taken over after it settles, a silent one after it goes stale", () => {
  const left = book({ w: NOW, l: NOW, e: [entry("a", NOW)] });
  assert.equal(D.orphanedAt(left), NOW + D.SETTLE_MS);
  // Open (no `left`): dead only once silent well past its last due try,
  // even when a Retry-After put that try far away.
  left.l = 0;
  assert.equal(D.orphanedAt(left), NOW + 1000 + D.STALE_MS);
  left.e[0][3] = NOW + 3600000;
  assert.equal(D.orphanedAt(left), NOW + 3600000 + D.STALE_MS);
  left.e = [];
  assert.equal(D.orphanedAt(left), NOW + D.STALE_MS);
});

test("taking over clears leases, keeps tries and never doubles", () => {
  const mine = book({ e: [entry("a", NOW)] });
  const dead = book({ d: 3, e: [entry("a", NOW), entry("b", NOW)] });
  dead.e[1][4] = NOW;
  dead.e[1][2] = 2;
  D.mergeBook(mine, dead, 1);
  assert.equal(mine.d, 3);
  assert.deepEqual(ids(mine.e), ["a", "b"]);
  assert.deepEqual([mine.e[1][4], mine.e[1][2]], [0, 2]);
  // The dead page's in-flight event is due again at once.
  assert.deepEqual(ids(D.leaseBook(mine, NOW + 2000, D.DUE)), ["a", "b"]);
});

test("the head alone answers for a live outbox", () => {
  const b = book({ w: NOW, e: [entry("a", NOW)] });
  b.e[0][3] = NOW + 3600000;
  const text = D.writeBook(b);
  // Live (written just now): not before written + STALE_MS, from the head.
  assert.equal(D.orphanedAtOf(text, NOW), NOW + D.STALE_MS);
  // Once past that, the entries decide (a far Retry-After keeps it alive).
  assert.equal(D.orphanedAtOf(text, NOW + D.STALE_MS), D.orphanedAt(b));
  b.l = NOW;
  assert.equal(D.orphanedAtOf(D.writeBook(b), NOW), NOW + D.SETTLE_MS);
});

// A delivery with the tests' sink (as the browser tests run it; without it,
// storage is the map given): every body the sink gets, parsed.
function sunk(storage, withSink = true) {
  const bodies = [];
  const store = storage || new Map();
  const h = {
    sink: withSink && ((b) => bodies.push(b)),
    hex: (n) => "ab".repeat(n),
    has: () => true,
    get: (a, k) => (store.has(k) ? store.get(k) : null),
    put: (a, k, v) => (v ? store.set(k, v) : store.delete(k), true),
    keys: (a, p) => [...store.keys()].filter((k) => k.startsWith(p)),
  };
  const out = D.delivery(h, console, (f) => f);
  return { out, bodies: () => bodies.map((b) => JSON.parse(b)), raw: bodies, store };
}

test("a flood is sent in requests of at most 100 events and 60 KB; the first reports the drops", () => {
  const { out, bodies, raw } = sunk();
  out(D.OUT.OPEN, "/collect", "");
  const pad = "é".repeat(2000); // 4 KB of UTF-8 per event, 2 K UTF-16 units
  for (let i = 0; i < 30; i++) out(D.OUT.QUEUE, `big${i}`, `{"id":"big${i}","p":"${pad}"}`);
  for (let i = 0; i < 250; i++) out(D.OUT.QUEUE, `e${i}`, `{"id":"e${i}"}`);
  out(D.OUT.FLUSH, "", "");
  const sent = bodies();
  assert.ok(sent.length >= 4, `${sent.length} requests`);
  for (const body of raw) assert.ok(Buffer.byteLength(body) < 60000, `a body of ${Buffer.byteLength(body)} bytes`);
  for (const b of sent) assert.ok(b.events.length <= 100 && b.v === 1 && b.sent_at > 0);
  const got = sent.flatMap((b) => b.events.map((e) => e.id));
  assert.equal(got.length, 280);
  assert.equal(new Set(got).size, 280, "each event once");
  assert.ok(sent.every((b) => b.dropped === undefined), "nothing dropped");

  // Over the cap: the oldest go, and the next request says how many.
  for (let i = 0; i < 520; i++) out(D.OUT.QUEUE, `f${i}`, `{"id":"f${i}"}`);
  out(D.OUT.FLUSH, "", "");
  const more = bodies().slice(sent.length);
  assert.equal(more[0].dropped, 20);
  assert.equal(more.flatMap((b) => b.events).length, 500);
});

test("held events wait for the grant; a denial discards what follows", () => {
  const { out, bodies } = sunk();
  out(D.OUT.HELD, "/collect", "");
  out(D.OUT.QUEUE, "a", '{"id":"a"}');
  out(D.OUT.FLUSH, "", "");
  assert.equal(bodies().length, 0, "nothing before the grant");
  out(D.OUT.OPEN, "", "");
  assert.deepEqual(bodies().flatMap((b) => b.events.map((e) => e.id)), ["a"]);
  out(D.OUT.DENIED, "", "");
  out(D.OUT.QUEUE, "c", '{"id":"c"}');
  out(D.OUT.FLUSH, "", "");
  assert.equal(bodies().length, 1, "nothing after the denial");
});

test("a denial (or GPC) clears every page's stored outbox", () => {
  for (const code of [D.OUT.DENIED, D.OUT.GPC]) {
    const store = new Map([["microconv.outbox.other", "mc1 0 1 0\nx1\t1\t0\t1\t0\t{}"], ["keep", "1"]]);
    const { out } = sunk(store, false);
    out(D.OUT.HELD, "/collect", "");
    out(D.OUT.QUEUE, "a", '{"id":"a"}');
    out(code, "", "");
    assert.deepEqual([...store.keys()], ["keep"]);
  }
});

test("a sink that throws does not lose the step (the tests' seam)", () => {
  let calls = 0;
  const h = { sink: () => { calls++; throw Error("sink") }, hex: (n) => "ab".repeat(n), has: () => true };
  const out = D.delivery(h, console, (f) => f);
  out(D.OUT.OPEN, "/collect", "");
  out(D.OUT.QUEUE, "a", '{"id":"a"}');
  assert.doesNotThrow(() => out(D.OUT.FLUSH, "", ""));
  out(D.OUT.FLUSH, "", "");
  assert.equal(calls, 1, "sent once, acknowledged");
});

test("a denial clears the stored outboxes even after this page's own writes failed", () => {
  const fetch = globalThis.fetch;
  globalThis.fetch = () => new Promise(() => {}); // requests that never answer
  try {
    const store = new Map([["microconv.outbox.other", "mc1 0 1 0\nx1\t1\t0\t1\t0\t{}"]]);
    const h = {
      sink: null, hex: (n) => "cd".repeat(n), has: () => true,
      get: (a, k) => (store.has(k) ? store.get(k) : null),
      // Full: nothing new is stored (removals work).
      put: (a, k, v) => (v ? false : (store.delete(k), true)),
      keys: (a, p) => [...store.keys()].filter((k) => k.startsWith(p)),
    };
    const out = D.delivery(h, console, (f) => f);
    out(D.OUT.OPEN, "/collect", "");
    out(D.OUT.QUEUE, "a", '{"id":"a"}');
    out(D.OUT.HIDE, "", ""); // a step: its write fails, the outbox moves to memory
    out(D.OUT.DENIED, "", "");
    assert.deepEqual([...store.keys()], []);
  } finally {
    globalThis.fetch = fetch;
  }
});

test("OUT matches the wasm's codes (src/web/transport.rs)", () => {
  const rs = fs.readFileSync(`${__dirname}/../src/web/transport.rs`, "utf8");
  const codes = {};
  for (const m of rs.matchAll(/^ {4}(\w+) = (\d+),$/gm)) codes[m[1].toUpperCase()] = +m[2];
  assert.ok(Object.keys(codes).length >= 13, "the Rust enum was found");
  assert.deepEqual(D.OUT, codes);
});
