// Delivery guarantee: the persistent outbox (each page view's localStorage
// value "microconv.outbox.<random>") retries through collector failures and
// offline periods, is taken over safely by other tabs when its page leaves,
// and holds its cap under a flood. Faults are injected with a
// Playwright route on /collect: while `net.fail` is set, requests are answered
// with it; otherwise they go through to the real collector and what it
// RECEIVED is recorded (the database de-duplicates anyway, so "exactly once"
// is checked on the wire too).
const { test, expect, tagReady, sessionEvents, sessionVisits, outboxes } = require("../helpers");

/** Routes /collect: records every request, fails it while `net.fail` is set. */
async function collectRoute(context) {
  const net = { fail: null, failed: [], forwarded: [] };
  await context.route((url) => url.pathname === "/collect", async (route) => {
    const body = JSON.parse(route.request().postData() || "{}");
    const req = { at: Date.now(), ids: (body.events || []).map((e) => e.id), body, bytes: (route.request().postData() || "").length };
    if (net.fail) {
      net.failed.push(req);
      return route.fulfill({ status: net.fail.status, headers: net.fail.headers || {}, body: "" });
    }
    net.forwarded.push(req);
    return route.continue();
  });
  return net;
}

/** The site's stored outboxes seen from `page`, as one: {dropped, bytes, entries}. */
async function outbox(page) {
  const boxes = await outboxes(page);
  return {
    dropped: boxes.reduce((n, b) => n + b.dropped, 0),
    bytes: boxes.reduce((n, b) => n + b.bytes, 0),
    entries: boxes.flatMap((b) => b.entries),
  };
}

const dupes = (ids) => ids.filter((id, i) => ids.indexOf(id) !== i);

/** Polls until `session` has `n` stored events (all conversions); returns them. */
async function stored(baseURL, session, n) {
  let events = [];
  await expect.poll(async () => (events = await sessionEvents(baseURL, session)).length,
    { message: `${n} events stored`, timeout: 40_000 }).toBe(n);
  return events;
}

test("the collector answers 503 for a while: every conversion is retried and stored exactly once", async ({ page, context, baseURL }) => {
  const net = await collectRoute(context);
  net.fail = { status: 503, headers: { "Retry-After": "1" } };
  await page.goto("/blog/why-micro-conversions.html");
  const session = await tagReady(page);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight)); // article_read × 3
  await page.evaluate(() => { dataLayer.push({ event: "newsletter_signup", n: 1 }); dataLayer.push({ event: "newsletter_signup", n: 2 }); });

  // Retried (every failed request carries events already tried), no sooner than Retry-After says.
  await expect.poll(() => net.failed.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
  const firsts = new Map();
  for (const r of net.failed) for (const id of r.ids) if (!firsts.has(id)) firsts.set(id, r.at);
  const retries = net.failed.filter((r) => r.ids.some((id) => firsts.get(id) < r.at));
  expect(retries.length, "the same events are sent again").toBeGreaterThan(0);
  for (const r of retries) {
    const previous = Math.max(...net.failed.filter((p) => p.at < r.at && p.ids.some((id) => r.ids.includes(id))).map((p) => p.at));
    expect(r.at - previous, "Retry-After: 1 is honoured").toBeGreaterThanOrEqual(900);
  }
  const box = await outbox(page);
  expect(box.entries, "the session's visit and five conversions").toHaveLength(6);
  expect(box.entries.every((e) => e.tries >= 1), "kept in the outbox with their tries").toBe(true);

  net.fail = null;
  const events = await stored(baseURL, session, 5);
  expect(events.map((e) => e.conversion).sort()).toEqual(["article_read", "article_read", "article_read", "newsletter_signup", "newsletter_signup"]);
  await page.waitForTimeout(1500); // anything sent twice would show by now
  const visits = await sessionVisits(baseURL, session);
  expect(visits, "the visit, stored once").toHaveLength(1);
  const received = net.forwarded.flatMap((r) => r.ids);
  expect(dupes(received), "no event received twice after the recovery").toEqual([]);
  expect(received.sort()).toEqual([...events, ...visits].map((e) => e.id).sort());
  expect((await outbox(page)).entries, "acknowledged events leave the outbox").toEqual([]);
  // A bad request (4xx other than 408/429) is dropped at once, with one console message.
  const logs = [];
  page.on("console", (m) => m.text().includes("microconv:") && logs.push(m.text()));
  net.fail = { status: 400 };
  await page.evaluate(() => { dataLayer.push({ event: "newsletter_signup", n: 3 }); });
  await expect.poll(() => net.failed.filter((r) => r.body.events.some((e) => e.vars["dl.n"] === 3)).length).toBe(1);
  await expect.poll(async () => (await outbox(page)).entries.length).toBe(0);
  await page.waitForTimeout(1500);
  expect(net.failed.filter((r) => r.body.events.some((e) => e.vars["dl.n"] === 3))).toHaveLength(1);
  expect(logs).toHaveLength(1);
  expect(logs[0]).toContain("HTTP 400");
});

test("offline: the visitor acts and navigates, then comes back online: everything arrives once", async ({ page, context, baseURL }) => {
  const net = await collectRoute(context);
  await page.goto("/blog/why-micro-conversions.html");
  const session = await tagReady(page);
  // The session's visit is sent while online (what follows counts conversions).
  await expect.poll(async () => (await sessionVisits(baseURL, session)).length).toBe(1);
  await context.setOffline(true);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight)); // article_read × 3
  await page.evaluate(() => dataLayer.push({ event: "newsletter_signup", n: 1 }));
  await page.waitForTimeout(1500);
  expect((await outbox(page)).entries).toHaveLength(4);
  // The visitor follows a link: offline, the navigation fails.
  await page.click("nav a[href='/pricing.html']").catch(() => {});
  // Back online only once the navigation has failed (the browser's error
  // page): a slow machine could otherwise still be navigating, online.
  await expect.poll(() => page.url(), { timeout: 10_000 }).toContain("chrome-error");
  await context.setOffline(false);
  // Next page view of the site: the outbox is flushed.
  await page.goto("/pricing.html");
  expect(await tagReady(page)).toBe(session);
  await stored(baseURL, session, 4);

  // Offline again on this page; back online without navigating: the `online` event sends.
  await context.setOffline(true);
  await page.evaluate(() => dataLayer.push({ event: "newsletter_signup", n: 2 }));
  await page.waitForTimeout(1500);
  // (Events the previous page sent with keepalive as it was left stay leased
  // until acknowledged or the lease expires: at-least-once.)
  expect((await outbox(page)).entries.filter((e) => e.event.vars["dl.n"] === 2)).toHaveLength(1);
  await context.setOffline(false);
  const events = await stored(baseURL, session, 5);
  expect(events.map((e) => e.conversion).sort()).toEqual(["article_read", "article_read", "article_read", "newsletter_signup", "newsletter_signup"]);
  await page.waitForTimeout(1500);
  expect(dupes(net.forwarded.flatMap((r) => r.ids))).toEqual([]);
});

test("three tabs with a failing collector, one closed mid-outage: nothing is received twice, nothing is lost", async ({ context, baseURL }) => {
  test.setTimeout(120_000);
  const net = await collectRoute(context);
  net.fail = { status: 503 }; // no Retry-After: exponential backoff with jitter
  const tabs = [await context.newPage(), await context.newPage(), await context.newPage()];
  const sessions = [];
  for (const tab of tabs) {
    await tab.goto("/");
    sessions.push(await tagReady(tab));
  }
  // One session: the visitor's tabs share it. Events tell their tab by dl.tab.
  expect(new Set(sessions).size).toBe(1);
  const tabOf = (e) => e.event.vars["dl.tab"];
  // The first tab also holds the session's visit (it started the session).
  const conversions = (box) => box.entries.filter((e) => e.event.type !== "visit");
  for (const [i, tab] of tabs.entries()) {
    await tab.evaluate((i) => { for (let n = 0; n < 4; n++) dataLayer.push({ event: "newsletter_signup", tab: i, n }); }, i);
  }
  // Every event tried and failed at least once (backoff 0.5-1 s, then 1-2 s, ...),
  // each kept by its own tab: one outbox per page view, never written by another.
  let boxes = [];
  await expect.poll(async () => (boxes = await outboxes(tabs[0])).flatMap((b) => b.entries).filter((e) => e.tries >= 1).length,
    { timeout: 45_000 }).toBe(13);
  expect(boxes).toHaveLength(3);
  for (const box of boxes) {
    expect(box.left, "still open").toBe(0);
    expect(new Set(conversions(box).map(tabOf)).size, "one tab's events per outbox").toBe(1);
  }

  // The third tab closes mid-outage: its outbox is marked left, and one of
  // the others takes it over once settled (under a Web Lock, so only one).
  const closed = 2;
  await tabs[2].close({ runBeforeUnload: true });
  const heldBy = (boxes) => boxes.filter((b) => b.entries.some((e) => tabOf(e) === closed));
  await expect.poll(async () => {
    boxes = await outboxes(tabs[0]);
    return boxes.length === 2 && heldBy(boxes).length === 1;
  }, { message: "the closed tab's outbox taken over by one open tab", timeout: 45_000 }).toBe(true);
  boxes = await outboxes(tabs[1]);
  expect(boxes, "two outboxes left: the closed tab's is gone").toHaveLength(2);
  const holders = heldBy(boxes);
  expect(holders, "exactly one tab holds the closed tab's events").toHaveLength(1);
  expect(holders[0].entries.filter((e) => tabOf(e) === closed)).toHaveLength(4);

  net.fail = null;
  await stored(baseURL, sessions[0], 12);
  await tabs[0].waitForTimeout(2500);
  const received = net.forwarded.flatMap((r) => r.ids);
  expect(dupes(received), "no event received twice").toEqual([]);
  expect(await sessionVisits(baseURL, sessions[0]), "one visit for the three tabs").toHaveLength(1);
  expect(received.length, "every event on the wire (the closing tab's keepalive sends bypass the route)").toBeLessThanOrEqual(13);
  await expect.poll(async () => (await outbox(tabs[0])).entries).toEqual([]);
});

test("the cap holds under a flood; the next beacon reports how many were dropped", async ({ page, context, baseURL }) => {
  const net = await collectRoute(context);
  net.fail = { status: 503, headers: { "Retry-After": "1" } };
  await page.goto("/");
  const session = await tagReady(page);
  // The session's visit is sent first, so the flood alone meets the cap.
  net.fail = null;
  await expect.poll(async () => (await sessionVisits(baseURL, session)).length).toBe(1);
  net.fail = { status: 503, headers: { "Retry-After": "1" } };
  await page.evaluate(() => { for (let i = 0; i < 2000; i++) dataLayer.push({ event: "newsletter_signup", i }); });
  await expect.poll(async () => (await outbox(page)).entries.length).toBe(500);
  await expect.poll(() => net.failed.length).toBeGreaterThanOrEqual(5);
  const box = await outbox(page);
  expect(box.bytes).toBeLessThanOrEqual(256 * 1024);
  // The count travels with the first request of each try (and comes back when it fails).
  expect([0, 1500]).toContain(box.dropped);
  const told = net.failed.filter((r) => "dropped" in r.body);
  expect(told.length).toBeGreaterThan(0);
  expect(told.every((r) => r.body.dropped === 1500)).toBe(true);
  expect(box.entries.map((e) => e.event.vars["dl.i"])).toEqual(Array.from({ length: 500 }, (_, k) => 1500 + k));
  for (const r of [...net.failed]) {
    expect(r.ids.length, "at most 100 events per request").toBeLessThanOrEqual(100);
    expect(r.bytes, "under 60 KB per request").toBeLessThan(60_000);
  }

  net.fail = null;
  const events = await stored(baseURL, session, 500);
  expect(events.map((e) => e.vars["dl.i"]).sort((a, b) => a - b)).toEqual(box.entries.map((e) => e.event.vars["dl.i"]));
  const reports = net.forwarded.filter((r) => "dropped" in r.body);
  expect(reports.map((r) => r.body.dropped), "reported once, by a request that got through").toEqual([1500]);
  await expect.poll(async () => (await outbox(page)).dropped).toBe(0);
});
