// The scripted visit, identical for every variant, in a fresh browser context:
//   article: load, scroll to the bottom in steps (mouse wheel);
//   product: load, play the demo video through (same playbackRate for all);
//   pricing: load, 20 clicks on a CTA (<button class="cta">Start Starter trial</button>),
//            one outbound click (partner.example, answered 204 so the page stays).
// Per page, from a CDP session opened before navigation: Performance.getMetrics
// (ScriptDuration, TaskDuration) deltas over the page's life; long tasks from a
// PerformanceObserver installed before any page script; the tag's own "ready"
// console.debug line; resource timing of the tag's files; requests it sent.
"use strict";
const { PAGES, variantHtml } = require("./site");

const READY = {
  // scripts/build-tag.sh's loader with data-debug (see README).
  microconv: /microconv: listeners attached ([\d.]+) ms after script start(?:; start\(\) took ([\d.]+) ms)?/,
  // bench/snowplow/entry.js, after its init calls returned.
  snowplow: /snowplow-bench: ready ([\d.]+) ms after script start/,
};
const TAG_FILES = /\/microconv\/|\/rules\.json$|\/bench\/snowplow\.js$/;
const BEACONS = /\/collect$|\/com\.snowplowanalytics\.snowplow\/tp2$/;
const PARTNER = /(^|\.)partner\.example$|(^|\.)shop\.example\.com$/;

const LONGTASKS = () => {
  window.__benchLong = { count: 0, total: 0 };
  try {
    new PerformanceObserver((list) => list.getEntries().forEach((e) => {
      window.__benchLong.count++;
      window.__benchLong.total += e.duration;
    })).observe({ type: "longtask", buffered: true });
  } catch (e) { /* no longtask support: zeros */ }
};

/** A fresh context for `variant` with every request kept on 127.0.0.1. */
async function newContext(browser, base, staticDir, variant) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  // Outbound hosts: 204 No Content, so a followed link leaves the document in place
  // (the navigation target is intercepted); anything else off 127.0.0.1 is refused.
  await ctx.route((u) => !/^(http:\/\/127\.0\.0\.1[:/]|data:|blob:)/.test(u.href), (route) =>
    PARTNER.test(new URL(route.request().url()).hostname) ? route.fulfill({ status: 204 }) : route.abort());
  // Snowplow's collector endpoint: a dummy 204 (same origin, so no CORS).
  await ctx.route(`${base}/com.snowplowanalytics.snowplow/**`, (route) => route.fulfill({ status: 204 }));
  for (const p of Object.values(PAGES)) {
    const body = variantHtml(staticDir, p, variant);
    await ctx.route(base + p, (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body }));
  }
  await ctx.addInitScript(LONGTASKS);
  return ctx;
}

const metric = (r, name) => (r.metrics.find((m) => m.name === name) || { value: 0 }).value;

/** Loads `path` in a new tab, waits for the tag, runs `act(page)`, then measures. */
async function onPage(ctx, base, variant, path, opts, act) {
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 }); // explicit: no throttling
  await cdp.send("Performance.enable");
  const m0 = await cdp.send("Performance.getMetrics");
  let sent = 0;
  let startMs = null; // microconv: the part of "ready" spent in its start() (rules parsed, listeners attached)
  page.on("request", (r) => { if (r.method() === "POST" && BEACONS.test(r.url())) sent++; });
  const ready = new Promise((resolve) => {
    if (!READY[variant]) return resolve(null);
    const timer = setTimeout(() => resolve(undefined), opts.readyTimeoutMs);
    page.on("console", (m) => {
      const hit = READY[variant].exec(m.text());
      if (hit) { clearTimeout(timer); startMs = hit[2] === undefined ? null : Number(hit[2]); resolve(Number(hit[1])); }
    });
  });
  await page.goto(base + path, { waitUntil: "load" });
  const readyMs = await ready;
  if (readyMs === undefined) throw new Error(`${variant} ${path}: no ready line in ${opts.readyTimeoutMs} ms (tag not started?)`);
  await page.waitForTimeout(opts.settleMs / 4);
  await act(page);
  await page.waitForTimeout(opts.settleMs); // lets batched sends (microconv: 1 s) happen inside the window
  const m1 = await cdp.send("Performance.getMetrics");
  const inPage = await page.evaluate((re) => ({
    long: window.__benchLong,
    tag: performance.getEntriesByType("resource").filter((e) => new RegExp(re).test(e.name))
      .map((e) => ({ name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize })),
  }), TAG_FILES.source);
  await page.close();
  return {
    path,
    scriptMs: (metric(m1, "ScriptDuration") - metric(m0, "ScriptDuration")) * 1000,
    taskMs: (metric(m1, "TaskDuration") - metric(m0, "TaskDuration")) * 1000,
    longCount: inPage.long.count,
    longMs: inPage.long.total,
    readyMs,
    startMs,
    tagTransfer: inPage.tag.reduce((a, e) => a + e.transfer, 0),
    tagResources: inPage.tag.length,
    sent,
  };
}

/** One whole visit; returns per-page results and their sums. */
async function visit(browser, base, staticDir, variant, opts) {
  const ctx = await newContext(browser, base, staticDir, variant);
  try {
    const pages = [];
    pages.push(await onPage(ctx, base, variant, PAGES.article, opts, async (page) => {
      const height = await page.evaluate(() => document.documentElement.scrollHeight - innerHeight);
      await page.mouse.move(640, 360);
      const steps = opts.scrollSteps;
      for (let i = 0; i < steps; i++) {
        await page.mouse.wheel(0, Math.ceil(height / steps) + 1);
        await page.waitForTimeout(opts.stepMs);
      }
    }));
    pages.push(await onPage(ctx, base, variant, PAGES.product, opts, async (page) => {
      const played = await page.evaluate(([rate, timeout]) => new Promise((resolve) => {
        const v = document.getElementById("demo-video");
        const t = setTimeout(() => resolve(false), timeout);
        v.addEventListener("ended", () => { clearTimeout(t); resolve(true); }, { once: true });
        v.playbackRate = rate;
        v.play().catch(() => resolve(false));
      }), [opts.playbackRate, opts.videoTimeoutMs]);
      if (!played) throw new Error(`${variant}: the demo video did not play to the end`);
    }));
    pages.push(await onPage(ctx, base, variant, PAGES.pricing, opts, async (page) => {
      const cta = await page.locator("#plan-starter").boundingBox();
      for (let i = 0; i < opts.ctaClicks; i++) {
        await page.mouse.click(cta.x + cta.width / 2, cta.y + cta.height / 2);
        await page.waitForTimeout(opts.clickGapMs);
      }
      const link = page.locator("#partner-link");
      await link.scrollIntoViewIfNeeded();
      const box = await link.boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    }));
    const sum = (k) => pages.reduce((a, p) => a + p[k], 0);
    return {
      variant,
      scriptMs: sum("scriptMs"),
      taskMs: sum("taskMs"),
      longCount: sum("longCount"),
      longMs: sum("longMs"),
      sent: sum("sent"),
      readyFirstMs: pages[0].readyMs,
      readyMs: pages.map((p) => p.readyMs),
      startMs: pages.map((p) => p.startMs),
      tagTransferFirst: pages[0].tagTransfer,
      pages,
    };
  } finally {
    await ctx.close();
  }
}

module.exports = { visit };
