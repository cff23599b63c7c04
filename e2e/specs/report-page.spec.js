// The report page: its polling, with the browser's clock moved by hand (it
// asks again only after the last answer came, and waits longer after each
// failure), and its layout at 390 px with the long names a beacon may carry.
const { test, expect, startCollector, logIn } = require("../helpers");

let collector;
test.beforeAll(async () => { collector = await startCollector(); });
test.afterAll(async () => { await collector?.stop(); });

/**
 * Counts the page's /api/report requests; `answer(route)` answers each. The
 * report page the login landed on is left first (it polls too).
 */
async function watch(page, answer) {
  await page.goto("about:blank");
  const seen = { asked: 0 };
  await page.route((u) => u.pathname === "/api/report", (route) => { seen.asked++; return answer(route); });
  return seen;
}

test("polling waits for the previous answer", async ({ page }) => {
  await logIn(page, collector.url);
  let release;
  const held = new Promise((r) => { release = r; });
  let first = true;
  const seen = await watch(page, async (route) => {
    if (first) { first = false; await held; }
    return route.continue();
  });
  await page.clock.install();
  await page.goto(collector.url + "/report");
  await expect.poll(() => seen.asked).toBe(1);
  // From here the page's time moves only when the test moves it.
  await page.clock.pauseAt(Date.now() + 1_000);
  // 25 s without an answer (30 s would be a failure): no second request.
  await page.clock.runFor(25_000);
  expect(seen.asked).toBe(1);
  release();
  await expect(page.locator("body")).toHaveAttribute("data-loaded", "true");
  // An answer that took 25 s: the next ask waits ten times as long, 60 s at most.
  await expect(page.locator("#status")).toHaveAttribute("data-scheduled", "1:60000");
  await page.clock.runFor(59_000);
  expect(seen.asked, "a slow answer makes the next ask wait").toBe(1);
  await page.clock.runFor(1_000);
  await expect.poll(() => seen.asked).toBe(2);
  // A quick answer: 5 s.
  await expect(page.locator("#status")).toHaveAttribute("data-scheduled", "2:5000");
  await page.clock.runFor(4_000);
  expect(seen.asked, "the next ask is 5 s after a quick answer").toBe(2);
  await page.clock.runFor(1_000);
  await expect.poll(() => seen.asked).toBe(3);
});

test("polling backs off while the API fails, and says why", async ({ page }) => {
  await logIn(page, collector.url);
  const seen = await watch(page, (route) => route.fulfill({ status: 503, contentType: "application/json", body: '{"error":"busy"}' }));
  await page.clock.install();
  await page.goto(collector.url + "/report");
  await expect(page.locator("#error")).toHaveText("/api/report: busy");
  // 10 s, then 20 s, 40 s, and 60 s at most between asks.
  const waits = [10_000, 20_000, 40_000, 60_000, 60_000];
  for (const [i, wait] of waits.entries()) {
    // The page has taken the last failure in, and says when it tries again.
    await expect(page.locator("#status")).toHaveAttribute("data-scheduled", `${i + 1}:${wait}`);
    await expect(page.locator("#updated")).toHaveText(`trying again in ${wait / 1000} s`);
    const before = seen.asked;
    await page.clock.runFor(wait - 500);
    expect(seen.asked, `no ask before ${wait} ms`).toBe(before);
    await page.clock.runFor(1_000);
    await expect.poll(() => seen.asked).toBe(before + 1);
  }
});

test("at 390 px, long names from beacons do not widen the page", async ({ page, request }) => {
  // Anyone can send a beacon: a 190-byte conversion name on a 300-byte path.
  const long = "very_long_conversion_name_".repeat(7).slice(0, 190);
  const path = "/" + "p".repeat(300);
  const at = Date.now();
  const res = await request.post(collector.url + "/collect", {
    data: JSON.stringify({ v: 1, sent_at: at, events: [{
      id: "long1", conversion: long, trigger: "t", at, session: "00000000000000aa", macro: false,
      page: { url: "http://127.0.0.1" + path, path, title: "", referrer: "" }, vars: {},
    }] }),
    headers: { "content-type": "text/plain;charset=UTF-8", "user-agent": test.info().project.use.userAgent },
  });
  expect(res.status()).toBe(204);
  await page.setViewportSize({ width: 390, height: 844 });
  await logIn(page, collector.url);
  await page.goto(collector.url + "/report?site=127.0.0.1");
  await expect(page.locator("#segments tbody tr", { hasText: long })).toHaveCount(1);
  await expect(page.locator("#event-conversion option", { hasText: long })).toHaveCount(1);
  await expect(page.locator("#events tbody tr", { hasText: path })).toHaveCount(1);
  const wide = await page.evaluate(() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > 391 && !e.closest(".scroll"))
    .map((e) => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 8));
  expect(wide, "nothing outside a scrolling table reaches past 390 px").toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), "no sideways scrolling").toBeLessThanOrEqual(390);
});
