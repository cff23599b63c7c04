// Time-driven triggers end to end, on the demo site, with Playwright's clock
// moved forward (not waited for): two engaged minutes on the pricing page
// with a hidden period in between, and a blog article left open a minute.
const { test, expect, tagReady, waitFor, sessionEvents } = require("../helpers");

/** Makes the page report itself hidden (or visible again), as a tab switch does. */
async function setHidden(page, hidden) {
  await page.evaluate((h) => {
    if (h) Object.defineProperty(document, "hidden", { value: true, configurable: true });
    else delete document.hidden;
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

/** The visitor moves the mouse every 10 s for `seconds` of the page's clock. */
async function active(page, seconds) {
  for (let s = 0; s < seconds; s += 10) {
    await page.mouse.move(20 + (s % 200), 40 + (s % 7));
    await page.clock.runFor(10_000);
  }
}

/** Every event delivered so far: a marker push, waited for, proves delivery caught up. */
async function delivered(page, baseURL, session, n) {
  await page.evaluate(() => window.dataLayer.push({ event: "newsletter_signup" }));
  await page.clock.runFor(1_500); // the batch window
  await waitFor(baseURL, session, "newsletter_signup", n);
  return sessionEvents(baseURL, session);
}

test("two engaged minutes on pricing, a hidden period and an idle spell not counted", async ({ page, baseURL }) => {
  await page.clock.install();
  await page.goto("/pricing.html");
  const session = await tagReady(page);
  await active(page, 60);
  // The tab is hidden for five minutes, then the visitor is back but idle
  // for two: neither counts.
  await setHidden(page, true);
  await page.clock.runFor(5 * 60_000);
  await setHidden(page, false);
  await page.clock.runFor(2 * 60_000);
  await active(page, 50); // about 110 engaged seconds in all
  const before = await delivered(page, baseURL, session, 1);
  expect(before.filter((e) => e.conversion === "pricing_engaged")).toEqual([]);
  await active(page, 20);
  const [engaged] = await waitFor(baseURL, session, "pricing_engaged", 1);
  expect(engaged.trigger).toBe("pricing-engaged");
  expect(engaged.vars).toEqual({ "engagement.seconds": 120 });
  expect(engaged.page.path).toBe("/pricing.html");
  // Once per page view.
  await active(page, 150);
  const after = await delivered(page, baseURL, session, 2);
  expect(after.filter((e) => e.conversion === "pricing_engaged")).toHaveLength(1);
});

test("a blog article visible for a minute: article_minute once", async ({ page, baseURL }) => {
  await page.clock.install();
  await page.goto("/blog/why-micro-conversions.html");
  const session = await tagReady(page);
  await page.clock.runFor(59_000);
  expect((await delivered(page, baseURL, session, 1)).filter((e) => e.conversion === "article_minute")).toEqual([]);
  await page.clock.runFor(3 * 60_000);
  const [minute] = await waitFor(baseURL, session, "article_minute", 1);
  expect(minute.vars).toEqual({ "timer.count": 1, "timer.elapsed_ms": 60_000 });
  expect((await delivered(page, baseURL, session, 2)).filter((e) => e.conversion === "article_minute")).toHaveLength(1);
});
