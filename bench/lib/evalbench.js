// Rule evaluation in the browser: ns per event against 10, 100 and 1,000 triggers.
//
// Method: one page per (event type, N) loads the built tag with a generated rules
// file of N triggers of that type (shaped like benches/eval.rs: page.path /
// regex / contains conditions, one in ten triggers selects the clicked element or
// names the pushed event, and a last condition that never holds, so nothing is sent
// and only evaluation is timed). In the page, synthetic events are dispatched in
// batches of 50 between two performance.now() readings (rounds of >= 40 ms, after a
// warm-up of 500; best of 15 rounds: the minimum is the least disturbed measure on a
// shared machine, as in benches/eval.rs): clicks are
// `dispatchEvent(new MouseEvent("click", {bubbles: true}))` on a <span> inside
// <button class="cta">, pushes are `dataLayer.push({event: "event_0", plan, value})`.
// The same loop on the same page without the tag is the baseline; the tag's time
// per event is the difference (listener, JS<->wasm crossing, element facts, engine).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { publishInPlace } = require("./site");

const SIZES = [10, 100, 1000];
const KINDS = ["click", "push"];

const cond = (variable, operator, value, ignoreCase) =>
  ({ variable, operator, value, ...(ignoreCase ? { ignore_case: true } : {}) });

/** benches/eval.rs's conditions for trigger i (one in ten passes them). */
function conditions(i, textVar) {
  const hit = i % 10 === 0;
  const c = [cond("page.path", "starts_with", hit ? "/bench/" : "/shop/")];
  if (i % 3 === 0) c.unshift(cond("page.url", "matches_regex", `^http://127\\.0\\.0\\.1:[0-9]+/(bench|news${i})/`));
  else if (i % 3 === 1) c.push(cond(textVar, "contains", hit ? "TRIAL" : "nomatch", true));
  else c.push(cond("page.title", "contains", "post", true));
  return c;
}

function rules(kind, n) {
  const triggers = [];
  for (let i = 0; i < n; i++) {
    const t = { id: `t${i}`, conversion: `c${i % 20}` };
    if (kind === "click") {
      t.on = "click";
      t.selector = i % 10 === 0 ? "a.cta, button.cta" : `.promo-${i} a, #banner-${i}`;
      t.conditions = [...conditions(i, "click.text"), cond("click.text", "equals", `never-${i}`)];
    } else {
      t.on = "custom";
      t.event = `event_${i % 50}`;
      t.conditions = [...conditions(i, "dl.plan"), cond("dl.value", "greater_than", 10), cond("dl.value", "greater_than", 1000)];
    }
    t.unless = [cond("page.query", "contains", "preview=1")];
    t.limit = "unlimited";
    triggers.push(t);
  }
  return { version: 1, endpoint: "/collect", triggers };
}

function page(tag) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>A long post about conversion tracking</title><link rel="icon" href="data:,">
<script>window.dataLayer = [];</script>
${tag}
</head><body><main id="content"><section class="pricing plans">
<button class="cta primary" id="start"><span class="label">Start your free trial</span></button>
</section></main></body></html>`;
}

/** Writes the rules files and pages under static/bench/; returns the page paths. */
function prepareEval(staticDir) {
  const dir = path.join(staticDir, "bench");
  fs.mkdirSync(dir, { recursive: true });
  const pages = { none: "/bench/eval-none.html" };
  fs.writeFileSync(path.join(dir, "eval-none.html"), page(""));
  for (const kind of KINDS) {
    for (const n of SIZES) {
      fs.writeFileSync(path.join(dir, `rules-${kind}-${n}.json`), JSON.stringify(rules(kind, n)));
      publishInPlace(path.join(dir, `rules-${kind}-${n}.json`));
      const name = `eval-${kind}-${n}.html`;
      fs.writeFileSync(path.join(dir, name), page(
        `<script async src="/microconv/microconv.js" data-rules="/bench/rules-${kind}-${n}.json" data-endpoint="/collect" data-debug></script>`));
      pages[`${kind}-${n}`] = `/bench/${name}`;
    }
  }
  return pages;
}

/** In the page: best ns per event of `kind` over 15 rounds. */
function measureInPage(kind) {
  const span = document.querySelector("#start span");
  const one = kind === "click"
    ? () => span.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, composed: true }))
    : () => window.dataLayer.push({ event: "event_0", plan: "Pro TRIAL", value: 49 });
  for (let i = 0; i < 500; i++) one();
  let best = Infinity;
  for (let r = 0; r < 15; r++) {
    let n = 0;
    let t;
    const t0 = performance.now();
    do {
      for (let j = 0; j < 50; j++) one();
      n += 50;
      t = performance.now() - t0;
    } while (t < 40);
    best = Math.min(best, (t * 1e6) / n);
  }
  return best;
}

async function timePage(browser, url, kind, readyTimeoutMs) {
  const ctx = await browser.newContext();
  await ctx.route((u) => !/^(http:\/\/127\.0\.0\.1[:/]|data:|blob:)/.test(u.href), (r) => r.abort());
  const page = await ctx.newPage();
  let sent = 0;
  const warnings = [];
  page.on("request", (r) => { if (r.method() === "POST") sent++; });
  const ready = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), readyTimeoutMs);
    page.on("console", (m) => {
      if (/listeners attached/.test(m.text())) { clearTimeout(timer); resolve(true); }
      else if (/microconv:/.test(m.text())) warnings.push(m.text());
    });
  });
  await page.goto(url);
  if (url.includes("eval-none")) await page.waitForTimeout(200);
  else if (!(await ready)) throw new Error(`${url}: the tag did not start: ${warnings.join(" | ")}`);
  const ns = await page.evaluate(measureInPage, kind);
  await page.waitForTimeout(300);
  await ctx.close();
  if (sent) throw new Error(`${url}: ${sent} request(s) sent: a trigger fired, the evaluation bench must send nothing`);
  if (warnings.length) throw new Error(`${url}: ${warnings.join(" | ")}`);
  return ns;
}

/** {click: {none, 10: {total, tag}, ...}, push: {...}} in ns per event. */
async function evalBench(browser, base, pages, opts) {
  const out = {};
  for (const kind of KINDS) {
    const none = await timePage(browser, base + pages.none, kind, opts.readyTimeoutMs);
    out[kind] = { none };
    for (const n of SIZES) {
      const total = await timePage(browser, base + pages[`${kind}-${n}`], kind, opts.readyTimeoutMs);
      out[kind][n] = { total, tag: Math.max(0, total - none) };
    }
  }
  return out;
}

module.exports = { prepareEval, evalBench, SIZES, KINDS };
