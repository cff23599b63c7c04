// Three visitors (three browser contexts, so three sessions) on a private
// collector: the funnel in /api/summary matches what they did, and the report
// page shows it.
const { test, expect, startCollector, logIn, sandbox, tagReady, waitFor, settle, api } = require("../helpers");

// Its own collector per test run: the numbers below count every session in it.
let collector;
test.beforeEach(async () => { collector = await startCollector(); });
test.afterEach(async () => { await collector?.stop(); });

async function visitor(browser, script) {
  const context = await browser.newContext({ baseURL: collector.url });
  await sandbox(context);
  const page = await context.newPage();
  try {
    return await script(page);
  } finally {
    await context.close();
  }
}

async function playDemo(page) {
  await page.evaluate(() => new Promise((resolve, reject) => {
    const v = document.getElementById("demo-video");
    v.addEventListener("ended", resolve, { once: true });
    v.play().catch(reject);
  }));
}

async function signUp(page, plan) {
  await page.selectOption("#signup-plan", plan);
  await page.fill("#signup-email", "someone@company.example");
  await page.click("#signup-submit");
  await expect(page.locator("#signup-thanks")).toBeVisible();
}

test("two+ sessions: funnel numbers match the visitors, and the report shows them", async ({ browser, page }) => {
  const url = collector.url;
  // Three visitors at once. A watches the demo, then signs up.
  const visitorA = visitor(browser, async (p) => {
    await p.goto("/product.html");
    const s = await tagReady(p);
    await playDemo(p);
    await waitFor(url, s, "demo_watched", 5);
    await p.goto("/signup.html");
    await tagReady(p);
    await signUp(p, "starter");
    await waitFor(url, s, "signup", 1);
    return s;
  });
  // B reads the article and leaves.
  const visitorB = visitor(browser, async (p) => {
    await p.goto("/blog/why-micro-conversions.html");
    const s = await tagReady(p);
    await p.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await waitFor(url, s, "article_read", 3);
    return s;
  });
  // C clicks the Pro trial on the pricing page and signs up.
  const visitorC = visitor(browser, async (p) => {
    await p.goto("/pricing.html");
    const s = await tagReady(p);
    await p.click("#plan-pro");
    await p.waitForURL("**/signup.html?plan=pro");
    await tagReady(p);
    await signUp(p, "pro");
    await waitFor(url, s, "signup", 1);
    return s;
  });
  const [a, b, c] = await Promise.all([visitorA, visitorB, visitorC]);
  expect(new Set([a, b, c]).size, "three contexts, three sessions").toBe(3);

  const s = await api(url, "/api/summary");
  expect(s.sessions).toBe(3);
  expect(s.macro).toEqual(["call_requested", "signup"]);
  expect(s.macro_sessions).toBe(2);
  const count = (name) => s.conversions.find((x) => x.conversion === name);
  expect(count("demo_watched")).toMatchObject({ count: 5, sessions: 1, macro: false });
  expect(count("article_read")).toMatchObject({ count: 3, sessions: 1 });
  expect(count("signup")).toMatchObject({ count: 2, sessions: 2, macro: true });
  expect(s.total).toBe(5 + 1 + 3 + 1 + 1 + 1); // demo, A's signup, article, C's trial + plan + signup

  const funnel = Object.fromEntries(s.funnel.map((r) => [r.conversion, r]));
  expect(Object.keys(funnel).sort()).toEqual(["article_read", "demo_watched", "plan_selected", "trial_cta_click"]);
  // Demo watchers (A): 1 of 1 signed up; the others (B, C): 1 of 2.
  expect(funnel.demo_watched).toEqual({
    conversion: "demo_watched", sessions: 1, converted: 1, rate: 1,
    other_sessions: 2, other_converted: 1, other_rate: 0.5,
  });
  // Readers (B): 0 of 1; the others (A, C): 2 of 2.
  expect(funnel.article_read).toEqual({
    conversion: "article_read", sessions: 1, converted: 0, rate: 0,
    other_sessions: 2, other_converted: 2, other_rate: 1,
  });
  expect(funnel.trial_cta_click).toMatchObject({ sessions: 1, converted: 1, other_sessions: 2, other_converted: 1 });
  expect(s.triggers.find((t) => t.trigger === "demo-video").count).toBe(5);
  expect(s.pages.find((p) => p.path === "/product.html").count).toBe(5);

  // A chosen macro conversion: "watched the demo" as the goal.
  const byDemo = await api(url, "/api/summary?macro=demo_watched");
  expect(byDemo.macro_sessions).toBe(1);
  expect(byDemo.funnel.find((r) => r.conversion === "signup")).toMatchObject({ sessions: 2, converted: 1, other_sessions: 1, other_converted: 0 });

  // The report page shows the same sessions, and the segments of /api/report.
  const report = await api(url, "/api/report");
  expect([report.sessions, report.macro_sessions]).toEqual([3, 2]);
  const demo = report.segments.find((x) => x.conversion === "demo_watched");
  expect(demo).toMatchObject({ sessions: 1, macro_sessions: 1, others_sessions: 2, others_macro_sessions: 1 });
  await logIn(page, url);
  await expect(page.locator("body")).toHaveAttribute("data-loaded", "true");
  await expect(page.locator("#sessions")).toHaveText("3");
  await expect(page.locator("#macro-sessions")).toHaveText("2");
  await expect(page.locator("#segments tbody tr")).toHaveCount(report.segments.length);
  const row = page.locator("#segments tbody tr", { hasText: "demo_watched" });
  await expect(row.locator("td")).toHaveText(["demo_watched", "1", "1", /^100\.0% \(/, "2", "50.0%", "2.00×", /^no/]);
  await expect(page.locator("#sentences")).toContainText(demo.sentence);
  await expect(page.locator("#events tbody tr")).toHaveCount(s.total);
  const shot = await page.screenshot({ path: test.info().outputPath("report.png"), fullPage: true });
  await test.info().attach("report", { body: shot, contentType: "image/png" });
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width; canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  }, shot.toString("base64"));
  expect(colours, "the screenshot shows text and tables, not a blank page").toBeGreaterThan(50);

  // The report polls: a new event shows up without a reload.
  const d = await visitor(browser, async (p) => {
    await p.goto("/signup.html");
    const sess = await tagReady(p);
    await settle(p, url, sess);
    return sess;
  });
  expect(d).toBeTruthy();
  await expect(page.locator("#sessions")).toHaveText("4", { timeout: 12_000 });
  await expect(page.locator("#events tbody tr").first()).toContainText("newsletter_signup");
});
