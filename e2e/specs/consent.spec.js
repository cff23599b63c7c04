// Consent and Global Privacy Control: with data-consent="required" nothing is
// sent (nor written to localStorage: no outbox, no session record) before the
// page grants consent, through
// Google consent mode in dataLayer or microconv.push({consent}); a denial
// discards what was held. navigator.globalPrivacyControl stops all delivery
// unless the site set data-gpc="ignore". Test pages are served by a route
// (same origin as the real collector, the real tag and www/rules.json).
const { test, expect, tagReady, tagStarted, sessionEvents } = require("../helpers");

/** A page with the tag; `attrs` adds script attributes, `head` runs before it. */
function sitePage(attrs = "", head = "") {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Consent test</title>
<link rel="icon" href="data:,">
<script>window.dataLayer = window.dataLayer || []; function gtag() { dataLayer.push(arguments); } ${head}</script>
<script async src="/microconv/microconv.js" data-rules="/rules.json" data-endpoint="/collect" ${attrs}></script>
</head><body><h1>Consent test</h1></body></html>`;
}

/** Serves `html` at `path` and counts /collect requests (all go through to the collector). */
async function setup(context, path, html) {
  const sent = [];
  await context.route((url) => url.pathname === path, (route) => route.fulfill({ contentType: "text/html", body: html }));
  await context.route((url) => url.pathname === "/collect", (route) => {
    sent.push(JSON.parse(route.request().postData() || "{}"));
    return route.continue();
  });
  return sent;
}

const push = (page, n) => page.evaluate((n) => dataLayer.push({ event: "newsletter_signup", n }), n);
/** The tag's localStorage keys (none may exist before consent). */
const keys = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("microconv.")).sort());

async function eventsOf(baseURL, session, n) {
  let events = [];
  await expect.poll(async () => (events = await sessionEvents(baseURL, session)).length).toBe(n);
  return events;
}

test("consent required: nothing leaves before the grant; gtag consent update sends what was held", async ({ page, context, baseURL }) => {
  const sent = await setup(context, "/e2e/consent.html", sitePage('data-consent="required"',
    "gtag('consent', 'default', {analytics_storage: 'denied'});"));
  await page.goto("/e2e/consent.html");
  await tagStarted(page);
  await push(page, 1);
  await push(page, 2);
  await page.waitForTimeout(2500);
  expect(sent, "nothing sent before consent").toEqual([]);
  expect(await keys(page), "nothing written to localStorage before consent: no outbox, no session").toEqual([]);

  await page.evaluate(() => gtag("consent", "update", { analytics_storage: "granted" }));
  // The session the held events belong to is stored once granted.
  const session = await tagReady(page);
  const events = await eventsOf(baseURL, session, 2);
  expect(events.map((e) => e.vars["dl.n"]).sort()).toEqual([1, 2]);
  // Granted: later events go as usual.
  await push(page, 3);
  await eventsOf(baseURL, session, 3);
});

test("consent required: a denial discards held events and sends nothing; microconv.push grants too", async ({ page, context, baseURL }) => {
  const sent = await setup(context, "/e2e/consent-deny.html", sitePage('data-consent="required"'));
  await page.goto("/e2e/consent-deny.html");
  await tagStarted(page);
  await push(page, 1);
  await page.evaluate(() => gtag("consent", "update", { analytics_storage: "denied" }));
  await push(page, 2);
  await page.waitForTimeout(2500);
  expect(sent).toEqual([]);
  expect(await keys(page)).toEqual([]);
  // The visitor changes their mind: only what happens after the grant is sent.
  await page.evaluate(() => microconv.push({ consent: "granted" }));
  const session = await tagReady(page);
  await push(page, 3);
  const events = await eventsOf(baseURL, session, 1);
  expect(events[0].vars["dl.n"]).toBe(3);
  await page.waitForTimeout(1500);
  expect(sent.flatMap((b) => b.events).map((e) => e.vars["dl.n"])).toEqual([3]);
});

test("consent granted before the tag loaded (microconv.push in the page): events are sent", async ({ page, context, baseURL }) => {
  await setup(context, "/e2e/consent-early.html", sitePage('data-consent="required"',
    "window.microconv = [{consent: 'granted'}];"));
  await page.goto("/e2e/consent-early.html");
  const session = await tagReady(page);
  await push(page, 1);
  await eventsOf(baseURL, session, 1);
});

test("a persistent visitor id only by choice, and only with consent; a denial erases it", async ({ page, context, baseURL }) => {
  const visitor = () => page.evaluate(() => localStorage.getItem("microconv.visitor"));
  // Without data-visitor: no id at all.
  await setup(context, "/e2e/visitor-none.html", sitePage());
  await page.goto("/e2e/visitor-none.html");
  let session = await tagReady(page);
  await push(page, 1);
  let [e] = await eventsOf(baseURL, session, 1);
  expect(e.visitor).toBeNull();
  expect(await visitor()).toBeNull();
  // data-visitor="persistent" where consent is required: none before the grant.
  await setup(context, "/e2e/visitor.html", sitePage('data-consent="required" data-visitor="persistent"'));
  await page.goto("/e2e/visitor.html");
  session = await tagReady(page);
  expect(await visitor(), "nothing stored before consent").toBeNull();
  await page.evaluate(() => window.microconv.push({ consent: "granted" }));
  await push(page, 2);
  // (The session goes on from the first page: its event is there too.)
  e = (await eventsOf(baseURL, session, 2))[1];
  expect(e.vars["dl.n"]).toBe(2);
  const id = (await visitor()).split(" ")[0];
  expect(id).toMatch(/^[0-9a-f]{16}$/);
  expect(e.visitor).toBe(id);
  // The next page view (consent remembered by the site's banner): the same visitor.
  await setup(context, "/e2e/visitor-again.html", sitePage('data-consent="required" data-visitor="persistent"',
    "window.microconv = [{consent: 'granted'}];"));
  await page.goto("/e2e/visitor-again.html");
  expect(await tagReady(page)).toBe(session);
  await push(page, 3);
  const events = await eventsOf(baseURL, session, 3);
  expect(events.map((x) => x.visitor)).toEqual([null, id, id]);
  // A denial erases it.
  await page.evaluate(() => window.microconv.push({ consent: "denied" }));
  await expect.poll(visitor).toBeNull();
});

test.describe("Global Privacy Control on", () => {
  test.beforeEach(async ({ context }) => {
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true }));
  });

  test("honoured by default: nothing is sent or stored, and an old outbox is cleared", async ({ page, context }) => {
    const sent = await setup(context, "/e2e/gpc.html", sitePage());
    await context.addInitScript(() => {
      if (!sessionStorage.getItem("seeded")) {
        sessionStorage.setItem("seeded", "1");
        // An outbox left by an earlier page view.
        localStorage.setItem("microconv.outbox.00000000deadbeef", "mc1 0 1 1\nabc123\t1\t0\t1\t0\t{\"id\":\"abc123\"}");
      }
    });
    await page.goto("/e2e/gpc.html");
    await tagStarted(page);
    expect(await page.evaluate(() => navigator.globalPrivacyControl)).toBe(true);
    await push(page, 1);
    await page.waitForTimeout(2500);
    expect(sent).toEqual([]);
    expect(await keys(page), "no outbox (the old one cleared), no session").toEqual([]);
  });

  test('data-gpc="ignore": the site opts out of honouring it, events are sent', async ({ page, context, baseURL }) => {
    const sent = await setup(context, "/e2e/gpc-ignore.html", sitePage('data-gpc="ignore"'));
    await page.goto("/e2e/gpc-ignore.html");
    const session = await tagReady(page);
    await push(page, 1);
    await eventsOf(baseURL, session, 1);
    expect(sent.length).toBeGreaterThan(0);
  });
});
