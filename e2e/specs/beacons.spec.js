// Bad beacons sent with plain HTTP to a private collector (with an origin
// allowlist): each kind is refused with its reason, and the database is unchanged.
const { test, expect, startCollector, api } = require("../helpers");

const SITE = "https://www.site.example";
let collector;
test.beforeAll(async () => { collector = await startCollector(["--allow-origin", SITE]); });
test.afterAll(async () => { await collector?.stop(); });

const event = (id, extra = {}) => ({
  id, conversion: "article_read", trigger: "article-read", at: Date.now(), session: "0123456789abcdef", macro: false,
  page: { url: "https://www.site.example/blog/a.html", path: "/blog/a.html", title: "A", referrer: "" },
  vars: { "scroll.threshold": 50, "scroll.units": "percent", "scroll.direction": "vertical" },
  ...extra,
});
const beacon = (events) => JSON.stringify({ v: 1, sent_at: Date.now(), events });

async function post(request, body, headers = {}) {
  const res = await request.post(collector.url + "/collect", {
    data: body, headers: { "content-type": "text/plain;charset=UTF-8", ...headers },
  });
  return { status: res.status(), text: (await res.text()).trim(), headers: res.headers() };
}

async function snapshot() {
  const { events } = await api(collector.url, "/api/conversions?limit=1000");
  const summary = await api(collector.url, "/api/summary");
  return { ids: events.map((e) => e.id).sort(), total: summary.total };
}

test("valid beacons are stored once; each kind of bad beacon is refused with its reason and stores nothing", async ({ request }) => {
  const ok = await post(request, beacon([event("a1"), event("a2")]), { origin: SITE });
  expect(ok.status).toBe(204);
  expect(ok.headers["access-control-allow-origin"]).toBe(SITE);
  // The same ids again (a retry): acknowledged, not stored twice.
  expect((await post(request, beacon([event("a1"), event("a2")]))).status).toBe(204);
  const before = await snapshot();
  expect(before).toEqual({ ids: ["a1", "a2"], total: 2 });

  const noId = event("x1"); delete noId.id;
  const noVars = event("x2"); delete noVars.vars;
  const big = beacon(Array.from({ length: 30 }, (_, i) => event("big" + i, { vars: { pad: "x".repeat(3000) } })));
  expect(big.length).toBeGreaterThan(64 * 1024);
  const cases = [
    ["malformed JSON", '{"v":1,"events":[', {}, 400, /^malformed JSON/],
    ["unknown version", JSON.stringify({ v: 2, events: [event("x3")] }), {}, 400, /^unknown version: v = 2, expected 1$/],
    ["missing version", JSON.stringify({ events: [event("x4")] }), {}, 400, /^missing field: v$/],
    ["missing events", JSON.stringify({ v: 1 }), {}, 400, /^missing field: events$/],
    ["empty events", beacon([]), {}, 400, /^events is empty$/],
    ["missing id (after a good event)", beacon([event("x5"), noId]), {}, 400, /^missing field: events\[1\]\.id$/],
    ["missing vars", beacon([noVars]), {}, 400, /^missing field: events\[0\]\.vars$/],
    ["wrong type: at", beacon([event("x6", { at: "yesterday" })]), {}, 400, /^wrong type: events\[0\]\.at must be a number$/],
    ["wrong type: macro", beacon([event("x7", { macro: "yes" })]), {}, 400, /^wrong type: events\[0\]\.macro must be a boolean$/],
    ["wrong type: nested var", beacon([event("x8", { vars: { a: { b: 1 } } })]), {}, 400, /^wrong type: events\[0\]\.vars\["a"\]/],
    ["bad id", beacon([event("not an id!")]), {}, 400, /^bad value: events\[0\]\.id/],
    ["too many events", beacon(Array.from({ length: 101 }, (_, i) => event("m" + i))), {}, 400, /^too many events: 101 in one request, at most 100$/],
    ["body over 64 KB", big, {}, 413, /^body over 65536 bytes$/],
    ["wrong content type", beacon([event("x9")]), { "content-type": "application/x-www-form-urlencoded" }, 415, /^content type must be text\/plain or application\/json$/],
    ["origin not allowed", beacon([event("x10")]), { origin: "https://evil.example" }, 403, /^\{"error":"origin not allowed",.*"origin":"https:\/\/evil\.example"\}$/],
  ];
  for (const [kind, body, headers, status, reason] of cases) {
    const res = await post(request, body, headers);
    expect(res.status, kind).toBe(status);
    expect(res.text, kind).toMatch(reason);
    expect(res.text.split("\n"), `${kind}: one line`).toHaveLength(1);
  }
  expect(await snapshot()).toEqual(before);
});

test("CORS: preflight for an allowed origin, refused for others", async ({ request }) => {
  const pre = (origin) => request.fetch(collector.url + "/collect", {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  const yes = await pre(SITE);
  expect(yes.status()).toBe(204);
  expect(yes.headers()["access-control-allow-origin"]).toBe(SITE);
  expect(yes.headers()["access-control-allow-methods"]).toContain("POST");
  expect((await pre("https://evil.example")).status()).toBe(403);
});
