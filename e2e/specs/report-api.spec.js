// The report's numbers against a truth computed here: a scripted population
// of visitors (each its own browser context, so its own session), on the
// demo site served by a private collector (its own database: nothing of the
// other specs), and /api/report must give exactly the counts the script
// implies. The population: bouncers who do nothing tracked, visitors who
// did the micro conversion (newsletter_signup) before converting (signup,
// the demo's macro), one who did it only after, visitors who never
// converted, one visitor with two tabs, a returning visitor (two sessions,
// the browser's clock moved past 30 idle minutes, one persistent visitor id)
// and a second site on the same collector (localhost instead of 127.0.0.1).
// The report page must show the same numbers, and its CSV hold them.
const fs = require("node:fs");
const { test, expect, startCollector, logIn, tagReady, api } = require("../helpers");

let collector;
test.beforeAll(async () => { collector = await startCollector(); });
test.afterAll(async () => { await collector?.stop(); });

const MICRO = "newsletter_signup";
const MACRO = "signup";
const FORMULA = '=HYPERLINK("http://evil.example/","x")';

/** Pushes `event` in `page`, a moment after the last push (events are ordered by time). */
async function push(page, event) {
  await page.waitForTimeout(30);
  await page.evaluate((e) => window.dataLayer.push({ event: e }), event);
}

/**
 * What the report should say of `sessions` (each an ordered list of
 * conversions, in the order they happened); `who[i]` is session i's visitor
 * id key, if its page keeps one.
 */
function truth(sessions, who) {
  const did = (s, c) => s.indexOf(c);
  const converted = sessions.filter((s) => did(s, MACRO) >= 0);
  // In the segment: did the micro conversion before its first macro one, or without one.
  const segment = sessions.filter((s) => did(s, MICRO) >= 0 && (did(s, MACRO) < 0 || did(s, MICRO) < did(s, MACRO)));
  const segConverted = segment.filter((s) => did(s, MACRO) >= 0);
  return {
    sessions: sessions.length, macro_sessions: converted.length,
    segment: { sessions: segment.length, macro_sessions: segConverted.length,
      others_sessions: sessions.length - segment.length, others_macro_sessions: converted.length - segConverted.length },
    ...people(sessions, who),
  };
}

/** Visitors: each one's conversions across their sessions, judged as one history. */
function people(sessions, who) {
  const byVisitor = new Map();
  sessions.forEach((s, i) => { if (who[i]) byVisitor.set(who[i], (byVisitor.get(who[i]) || []).concat(s)); });
  const all = [...byVisitor.values()];
  const converted = (t) => t.includes(MACRO);
  const before = all.filter((t) => t.includes(MICRO) && (!converted(t) || t.indexOf(MICRO) < t.indexOf(MACRO)));
  return { visitors: all.length, macro_visitors: all.filter(converted).length,
    segmentVisitors: { visitors: before.length, macro_visitors: before.filter(converted).length } };
}

/** A page of the demo site whose tag keeps a persistent visitor id. */
const RETURNING = `<!doctype html><html><head><meta charset="utf-8"><title>Welcome back</title>
<link rel="icon" href="data:,"><script>window.dataLayer = window.dataLayer || [];</script>
<script async src="/microconv/microconv.js" data-rules="/rules.json" data-endpoint="/collect" data-visitor="persistent"></script>
</head><body><h1>Welcome back</h1></body></html>`;

test("the report's sessions, macro rate and segment are the population's, in the API and on the page", async ({ browser, page }) => {
  test.setTimeout(120_000);
  const here = collector.url;
  const other = here.replace("127.0.0.1", "localhost");
  /** A new visitor (browser context) on `base`, sandboxed like every spec's. */
  const visitor = async () => {
    const context = await browser.newContext();
    await context.route((u) => !/^(127\.0\.0\.1|localhost)$/.test(new URL(u).hostname), (r) => r.abort());
    return context;
  };
  const open = async (context, url) => {
    const page = await context.newPage();
    await page.goto(url);
    await tagReady(page);
    return page;
  };
  const population = [];
  const run = async (base, conversions, landing = "/") => {
    const context = await visitor();
    const page = await open(context, base + landing);
    for (const c of conversions) await push(page, c);
    await page.waitForTimeout(1500); // the batch window
    await context.close();
  };
  // The first bouncer came from a campaign whose source is a spreadsheet
  // formula (anyone can write a link): the CSV must not run it.
  await run(here, [], `/?utm_source=${encodeURIComponent(FORMULA)}`);
  population.push([]);
  for (const script of [[], [], [MICRO, MACRO], [MICRO, MACRO], [MACRO, MICRO], [MICRO], [MICRO]]) {
    await run(here, script);
    population.push(script);
  }
  // Two tabs of one visitor: one session.
  {
    const context = await visitor();
    const one = await open(context, `${here}/`);
    const two = await open(context, `${here}/signup.html`);
    await push(one, MICRO);
    await push(two, MACRO);
    await one.waitForTimeout(1500);
    await context.close();
    population.push([MICRO, MACRO]);
  }
  // A returning visitor, with a persistent visitor id: the micro conversion,
  // 31 idle minutes, then the macro one in a new session. The sessions are
  // two; the visitor did the micro conversion before converting.
  const who = population.map(() => null);
  {
    const context = await visitor();
    await context.route((u) => new URL(u).pathname === "/returning.html",
      (r) => r.fulfill({ contentType: "text/html", body: RETURNING }));
    const page = await context.newPage();
    await page.clock.install();
    await page.goto(`${here}/returning.html`);
    await tagReady(page);
    await push(page, MICRO);
    await page.clock.runFor(1500);
    await page.clock.fastForward("31:00");
    await push(page, MACRO);
    await page.clock.runFor(1500);
    await page.waitForTimeout(500);
    await context.close();
    population.push([MICRO], [MACRO]);
    who.push("returning", "returning");
  }
  // The second site.
  await run(other, [MICRO, MACRO]);

  const day = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const report = (site) => api(here, `/api/report?site=${site}&from=${yesterday}&to=${day}`);
  const want = truth(population, who);
  let got;
  await expect.poll(async () => (got = await report("127.0.0.1")).sessions, { timeout: 20_000 }).toBe(want.sessions);
  await expect.poll(async () => (got = await report("127.0.0.1")).macro_sessions).toBe(want.macro_sessions);
  expect(got.macro_rate).toBeCloseTo(want.macro_sessions / want.sessions, 10);
  const seg = got.segments.find((s) => s.conversion === MICRO);
  expect({ sessions: seg.sessions, macro_sessions: seg.macro_sessions, others_sessions: seg.others_sessions,
    others_macro_sessions: seg.others_macro_sessions }).toEqual(want.segment);
  expect(got.segments.map((s) => s.conversion), "the macro conversion is no segment").not.toContain(MACRO);
  expect(seg.low).toBeLessThanOrEqual(seg.rate);
  expect(seg.high).toBeGreaterThanOrEqual(seg.rate);
  expect(seg.sentence).toContain(`Sessions that did ${MICRO} before converting converted at`);
  // Visitors: only the returning one keeps an id; across its two sessions it
  // did the micro conversion, then converted.
  expect([got.visitors, got.macro_visitors]).toEqual([want.visitors, want.macro_visitors]);
  expect({ visitors: seg.visitors, macro_visitors: seg.macro_visitors }).toEqual(want.segmentVisitors);
  // Every session landed on the home page but the returning visitor's (their visits say so).
  const landing = got.acquisition.find((d) => d.dimension === "landing").rows;
  const home = want.sessions - 2;
  const homeMacro = want.macro_sessions - 1;
  expect(landing).toEqual([
    { value: "/", sessions: home, macro_sessions: homeMacro, macro_rate: homeMacro / home },
    { value: "/returning.html", sessions: 2, macro_sessions: 1, macro_rate: 0.5 },
  ]);
  // The demo's funnels are there, in the rules' order.
  expect(got.funnels.map((f) => f.id)).toEqual(["trial", "sales"]);
  // The other site is its own.
  const theirs = await report("localhost");
  expect([theirs.sessions, theirs.macro_sessions]).toEqual([1, 1]);
  expect(theirs.segments[0]).toMatchObject({ conversion: MICRO, sessions: 1, macro_sessions: 1, others_sessions: 0 });

  // The page says the same, for the site chosen, and its CSV holds the API's numbers.
  await logIn(page, here);
  await page.goto(`${here}/report?site=127.0.0.1`);
  await expect(page.locator("body")).toHaveAttribute("data-loaded", "true");
  await expect(page.locator("#site")).toHaveValue("127.0.0.1");
  await expect(page.locator("#sessions")).toHaveText(String(want.sessions));
  await expect(page.locator("#macro-sessions")).toHaveText(String(want.macro_sessions));
  await expect(page.locator("#macro-rate")).toContainText(`${(100 * want.macro_sessions / want.sessions).toFixed(1)}%`);
  const row = page.locator("#segments tbody tr", { hasText: MICRO });
  await expect(row.locator("td").nth(1)).toHaveText(String(want.segment.sessions));
  await expect(row.locator("td").nth(2)).toHaveText(String(want.segment.macro_sessions));
  await expect(row.locator("td").nth(4)).toHaveText(String(want.segment.others_sessions));
  await expect(row.locator("td").nth(8)).toHaveText(String(want.segmentVisitors.visitors));
  await expect(row.locator("td").nth(9)).toHaveText(String(want.segmentVisitors.macro_visitors));
  await expect(page.locator("#visitors")).toHaveText(String(want.visitors));
  await expect(page.locator("#sentences")).toContainText(seg.sentence);
  await expect(page.locator("table.funnel")).toHaveCount(2);
  await expect(page.locator('table[data-dimension="landing"] tbody tr').first().locator("td"))
    .toHaveText(["/", String(home), /%$/]);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('button.csv[data-table="segments"]')]);
  const csv = fs.readFileSync(await download.path(), "utf8").replace(/^\ufeff/, "").trim().split("\r\n").map((l) => l.split(","));
  const at = (name) => csv[0].indexOf(name);
  const line = csv.find((l) => l[0] === MICRO);
  expect([line[at("sessions")], line[at("macro_sessions")], line[at("others_sessions")], line[at("others_macro_sessions")]].map(Number))
    .toEqual([want.segment.sessions, want.segment.macro_sessions, want.segment.others_sessions, want.segment.others_macro_sessions]);
  expect(Number(line[at("low")])).toBeCloseTo(seg.low, 12);

  // The hostile campaign source: shown as text, and a text cell in the CSV.
  const source = page.locator('table[data-dimension="source"] tbody tr', { hasText: "HYPERLINK" });
  await expect(source.locator("td").first()).toHaveText(FORMULA);
  const [acq] = await Promise.all([page.waitForEvent("download"), page.click('button.csv[data-table="acquisition"]')]);
  const acqCsv = fs.readFileSync(await acq.path(), "utf8");
  expect(acqCsv).toContain(`source,"'=HYPERLINK(""http://evil.example/"",""x"")",1,0,0\r\n`);

  // The events, filtered to the macro conversion: one per converted session.
  await page.selectOption("#event-conversion", MACRO);
  await expect(page.locator("#events tbody tr")).toHaveCount(want.macro_sessions);
  await expect(page.locator("#events tbody tr").first()).toContainText(MACRO);

  // Full-page screenshots, desktop and phone; at 390 px nothing is wider than the screen.
  await page.screenshot({ path: test.info().outputPath("report-desktop.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300); // the chart redraws to the new width
  expect(await page.evaluate(() => document.documentElement.scrollWidth), "no sideways scrolling at 390 px").toBeLessThanOrEqual(390);
  await page.screenshot({ path: test.info().outputPath("report-390.png"), fullPage: true });
});
