// The console messages of two builds of the tag, compared on generated rules
// files (mostly defective: mutated www/rules.json and the CLI's bad fixture),
// each page with the real loader and inline rules, in headless Chromium.
// For changes to validation or to how defects reach the console: build the
// old dist/ elsewhere (e.g. `git archive main | tar -x -C /tmp/base`, then
// its scripts/build-tag.sh), then
//   node scripts/compare-messages.js /tmp/base/dist dist [CASES [SEED]]
// Prints each case whose messages differ; exits 1 if any does.
"use strict";
const http = require("http");
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..");
const { chromium } = require(path.join(root, "e2e/node_modules/playwright-core"));
const [OLD, NEW] = process.argv.slice(2, 4).map((d) => path.resolve(d || ""));
if (!process.argv[3]) { console.error("usage: node scripts/compare-messages.js OLD_DIST NEW_DIST [CASES [SEED]]"); process.exit(2); }
const N = +(process.argv[4] || 300);
let seed = +(process.argv[5] || 1);
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const bases = ["www/rules.json", "cli/tests/fixtures/bad-rules.json"].map((f) => fs.readFileSync(path.join(root, f), "utf8"));
const vocab = ["scroll", "video", "click", "link_click", "page_view", "form_submit", "form_start", "custom", "timer", "engagement", "trigger_group", "element_visibility", "clik", "percent", "pixels", "pixel", "start", "progress", "complete", "stat",
  "equals", "start_with", "contains", "matches_regex", "matches_css", "less_than", "page.path", "page.pth", "click.attrs.href", "click.attr.", "dl.", "query.",
  "click.element", "link.outbound", "once_per_page", "once_per_pag", "(", "a[", "##", "[a-", "", " ", "true", "false", "12", "1e400",
  "shop.example.com/x", "*.shop.com", "a..b", "host:80", "ümlaut", "x".repeat(80), "triggers", "id", "on", "units", "selector", "event", "events", "event_matches", "^ga4", "js.", "js.app.x", "interval_ms", "times", "engaged_seconds", "all_of", "within", "session", "include_decorative", "video.loop", "min_percent_visible", "min_on_screen_ms", "once_per"];
const anyVal = () => pick([() => pick(vocab), () => pick([0, -1, 50, 100, 150, 1.5, 1e9]), () => pick([true, false, null]), () => [], () => ({}),
  () => [pick(vocab), pick([1, 50])], () => ({ variable: pick(vocab), operator: pick(vocab), value: pick([pick(vocab), 5, true]) })])();
function mutateTree(n, depth) {
  if (Array.isArray(n)) {
    const r = rnd();
    if (n.length && r < 0.2) { n[Math.floor(rnd() * n.length)] = anyVal(); return; }
    if (n.length && r < 0.3) { n.splice(Math.floor(rnd() * n.length), 1); return; }
    if (n.length && r < 0.4) { n.push(JSON.parse(JSON.stringify(pick(n)))); return; }
    if (n.length) mutateTree(pick(n), depth + 1);
    return;
  }
  if (n && typeof n === "object") {
    const keys = Object.keys(n); const r = rnd();
    if (!keys.length || r < 0.15) { n[pick(vocab.concat(["variable", "operator", "value", "negate", "ignore_case", "limit", "macro", "thresholds", "statuses", "progress_percent", "progress_seconds"]))] = anyVal(); return; }
    if (r < 0.3) { delete n[pick(keys)]; return; }
    if (r < 0.5) { n[pick(keys)] = anyVal(); return; }
    const k = pick(keys);
    if (n[k] && typeof n[k] === "object") mutateTree(n[k], depth + 1); else n[k] = anyVal();
  }
}
function makeCase() {
  const base = pick(bases);
  if (rnd() < 0.3) {
    let t = base;
    for (let i = 0, k = 1 + Math.floor(rnd() * 2); i < k; i++) {
      const at = Math.floor(rnd() * t.length), r = rnd();
      if (r < 0.4) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rnd() * 3));
      else if (r < 0.8) t = t.slice(0, at) + pick([",", "]", "}", "\"", "'", "//", "\\", "\\u12", "\n", "\t", "0", "-", "{", ":"]) + t.slice(at);
      else t = t.slice(0, at);
    }
    return t;
  }
  let j; try { j = JSON.parse(base); } catch (e) { return base; }
  for (let i = 0, k = 1 + Math.floor(rnd() * 4); i < k; i++) mutateTree(j, 0);
  return JSON.stringify(j, null, rnd() < 0.5 ? 2 : 0);
}
const cases = Array.from({ length: N }, makeCase);
const page = (dir, i) => `<!doctype html><meta charset="utf-8"><script type="application/json" id="microconv-rules">${cases[i].replace(/</g, "\\u003c")}</script>
<script async src="/${dir}/microconv.js" data-endpoint="/collect"></script><body><p>x</p>`;
const server = http.createServer((req, res) => {
  const u = new URL(req.url, "http://x"); const m = /^\/(old|new)\/page(\d+)\.html$/.exec(u.pathname);
  if (m) { res.setHeader("content-type", "text/html"); return res.end(page(m[1], +m[2])); }
  const f = /^\/(old|new)\/([^/]+)$/.exec(u.pathname);
  if (f) { const p = path.join(f[1] === "old" ? OLD : NEW, f[2]); if (fs.existsSync(p)) { res.setHeader("content-type", p.endsWith(".wasm") ? "application/wasm" : "text/javascript"); return res.end(fs.readFileSync(p)); } }
  if (req.method === "POST") { req.resume(); return req.on("end", () => res.end()); }
  res.statusCode = 404; res.end();
});
(async () => {
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const ctx = await browser.newContext();
  async function msgs(dir, i) {
    const pg = await ctx.newPage(); const logs = []; const errs = [];
    pg.on("console", (m) => { if (m.text().startsWith("microconv:")) logs.push(`${m.type()}: ${m.text()}`); });
    pg.on("pageerror", (e) => errs.push(String(e)));
    await pg.goto(`${base}/${dir}/page${i}.html`);
    for (let k = 0; k < 60 && !logs.length; k++) await pg.waitForTimeout(25);
    await pg.waitForTimeout(100);
    await pg.close();
    return { logs, errs };
  }
  let same = 0, diff = 0, withMsg = 0;
  const work = [...cases.keys()];
  async function worker() {
    for (let i; (i = work.shift()) !== undefined;) {
      const [a, b] = await Promise.all([msgs("old", i), msgs("new", i)]);
      if (a.logs.length) withMsg++;
      if (JSON.stringify(a) === JSON.stringify(b)) same++;
      else { diff++; console.log(`DIFF case ${i}:\n${cases[i].slice(0, 400)}\n old: ${JSON.stringify(a)}\n new: ${JSON.stringify(b)}`); }
    }
  }
  await Promise.all([worker(), worker(), worker()]);
  console.log(`${N} cases: ${same} same, ${diff} different; ${withMsg} with a message`);
  await browser.close(); server.close();
  process.exitCode = diff ? 1 : 0;
})().catch((e) => { console.error(e); process.exit(1); });
