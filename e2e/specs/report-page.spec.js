// The report page's polling, with the browser's clock moved by hand: it asks
// again only after the last answer came, and waits longer after each failure.
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
  // Two minutes without an answer: no second request.
  await page.clock.runFor(120_000);
  expect(seen.asked).toBe(1);
  release();
  await expect(page.locator("body")).toHaveAttribute("data-loaded", "true");
  // An answer that took 2 minutes: the next ask waits ten times as long, 60 s at most.
  await page.clock.runFor(59_000);
  expect(seen.asked, "a slow answer makes the next ask wait").toBe(1);
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/report");
  await page.clock.runFor(2_000);
  await expect.poll(() => seen.asked).toBe(2);
  // A quick answer: 5 s.
  await answered;
  await page.clock.runFor(4_000);
  expect(seen.asked, "the next ask is 5 s after a quick answer").toBe(2);
  await page.clock.runFor(1_500);
  await expect.poll(() => seen.asked).toBe(3);
});

test("polling backs off while the API fails, and says why", async ({ page }) => {
  await logIn(page, collector.url);
  const seen = await watch(page, (route) => route.fulfill({ status: 503, contentType: "application/json", body: '{"error":"busy"}' }));
  await page.clock.install();
  await page.goto(collector.url + "/report");
  await expect(page.locator("#error")).toHaveText("/api/report: busy");
  // 10 s, then 20 s, 40 s, and 60 s at most between asks.
  for (const wait of [10_000, 20_000, 40_000, 60_000, 60_000]) {
    const before = seen.asked;
    await page.clock.runFor(wait - 500);
    expect(seen.asked, `no ask before ${wait} ms`).toBe(before);
    await page.clock.runFor(1_000);
    await expect.poll(() => seen.asked).toBe(before + 1);
  }
});
