// A site whose origin the collector refuses (not in --allow-origin): the
// browser sees the 403 and its reason (CORS headers on the refusal), the tag
// drops those events with one console message naming the origin, and does
// not retry them. Before, the refusal had no CORS headers: the tag saw a bare
// network error and retried forever, and nobody learnt why.
const { test, expect, startCollector } = require("../helpers");

// The refused page is made up by the test (route.fulfill), so Chromium does
// not know it came from this machine and would ask for Local Network Access
// before it may post to 127.0.0.1: that check is off here (a real site is
// on a public address and its collector too).
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-features=LocalNetworkAccessChecks"],
  },
});

let collector;
test.beforeAll(async () => { collector = await startCollector(["--allow-origin", "https://www.allowed.example"]); });
test.afterAll(async () => { await collector?.stop(); });

test("a refused origin: one console message naming it, the events dropped, no retry", async ({ page }) => {
  const port = new URL(collector.url).port;
  // The page comes from http://localhost:<port> (another origin than the
  // collector's 127.0.0.1 one, still this machine) and posts cross-origin.
  const site = `http://localhost:${port}`;
  await page.route(`${site}/**`, (route) => route.continue());
  await page.route(`${site}/refused.html`, (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><title>Refused</title><h1>A site not on the allowlist</h1>
      <script async src="${site}/microconv/microconv.js" data-rules="/rules.json"
        data-endpoint="${collector.url}/collect"></script>`,
  }));
  const messages = [];
  page.on("console", (m) => { if (m.text().startsWith("microconv:")) messages.push(m.text()); });
  const posts = [];
  page.on("response", (r) => { if (r.url().endsWith("/collect")) posts.push(r.status()); });

  // The page's clock is Playwright's: the tag's batch and retry timers run
  // when the test moves time forward, not by waiting.
  await page.clock.install();
  await page.goto(`${site}/refused.html`);
  await page.waitForFunction(() => window.microconv && Object.prototype.hasOwnProperty.call(window.microconv, "push"));
  await page.evaluate(() => { dataLayer.push({ event: "newsletter_signup" }); dataLayer.push({ event: "newsletter_signup" }); });
  await page.clock.runFor(1500); // the 1 s batch
  await expect.poll(() => messages.length, { message: "the tag says why" }).toBeGreaterThan(0);
  expect(messages).toEqual([
    `microconv: the collector refused this site's origin ${site} (HTTP 403: not in its --allow-origin); its events are dropped`,
  ]);
  // The session's visit and the two signups, each refused once (the visit
  // may go in its own request: it was queued at start).
  await expect.poll(() => posts.length).toBeGreaterThan(0);
  const sent = posts.length;
  expect(sent).toBeLessThanOrEqual(2);
  expect(posts.every((s) => s === 403)).toBe(true);

  // The tag retries failures after 1 s, 2 s, … up to 5 min: ten minutes
  // later nothing was sent again, and nothing is left to send.
  for (let i = 0; i < 20; i++) await page.clock.runFor(30_000);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  expect(posts, "not retried").toHaveLength(sent);
  expect(messages, "one message").toHaveLength(1);
  const pending = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("microconv.outbox"))
    .map((k) => localStorage.getItem(k)).join(""));
  expect(pending).not.toContain("newsletter_signup");
});
