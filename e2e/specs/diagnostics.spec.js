// Rules as a site owner installs them, published or plain: published rules
// are read by the tag's wasm as they are, and the page never downloads the
// diagnostics file (dist/microconv-check.<hash>.js + .wasm, next to
// microconv.js); a plain rules.json is compiled in the page by that file,
// which also gives the messages of its defects, and one console line says
// the rules are not published. The real collector serves the tag; test pages
// are served by a route (same origin).
const fs = require("node:fs");
const path = require("node:path");
const { test, expect, tagReady, settle, api, publish, checkLines, NOT_PUBLISHED, ROOT } = require("../helpers");

const site = JSON.parse(fs.readFileSync(path.join(ROOT, "www", "rules.json"), "utf8"));
const n = site.triggers.length;
/** The demo rules plus two bad triggers: a validation defect and a regex the browser rejects. */
const badRules = JSON.stringify({
  ...site,
  triggers: [...site.triggers,
    { id: "deep-read", conversion: "read", on: "scroll", thresholds: [50, 150] },
    { id: "bad-regex", conversion: "x", on: "custom", event: "x",
      conditions: [{ variable: "page.path", operator: "matches_regex", value: "(" }] }],
}, null, 2);

/** A page with the real snippet and inline rules. */
function sitePage(rules) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Diagnostics test</title>
<link rel="icon" href="data:,">
<script type="application/json" id="microconv-rules">${rules}</script>
<script async src="/microconv/microconv.js" data-endpoint="/collect"></script>
</head><body><h1>Diagnostics test</h1></body></html>`;
}

/** Serves `html` at `url`; records the page's "microconv:" console messages, errors and diagnostics requests. */
async function visit(page, context, url, html) {
  const seen = { messages: [], errors: [], check: [] };
  await context.route((u) => u.pathname === url, (route) => route.fulfill({ contentType: "text/html", body: html }));
  page.on("console", (m) => m.text().startsWith("microconv:") && seen.messages.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("request", (r) => r.url().includes("microconv-check.") && seen.check.push(new URL(r.url()).pathname));
  await page.goto(url);
  return seen;
}

test("rules with defects: one console message from the diagnostics file; the valid triggers run", async ({ page, context, baseURL }) => {
  const seen = await visit(page, context, "/e2e/diag-bad.html", sitePage(badRules));
  const session = await tagReady(page);
  await expect.poll(() => seen.messages.length).toBe(2);
  const [message, unpublished] = seen.messages;
  expect(unpublished).toBe(NOT_PUBLISHED);
  const lines = message.split("\n");
  expect(lines.slice(0, 2)).toEqual([
    "warning: microconv: some triggers were left out of the rules",
    `  trigger "deep-read": triggers[${n}].thresholds[1]: a percent threshold must be greater than 0 and at most 100`,
  ]);
  // The browser's RegExp refused it; the message is the one `microconv check` prints.
  const cli = checkLines(badRules).find((l) => l.startsWith('trigger "bad-regex"'));
  expect(cli).toBe(`trigger "bad-regex": triggers[${n + 1}].conditions[0].value: invalid regular expression: JavaScript's RegExp refuses "("`);
  expect(lines[2]).toBe(`  ${cli}`);
  expect(lines).toHaveLength(3);
  expect(seen.check.map((p) => p.replace(/\.[0-9a-f]{12}\./, ".<hash>.")).sort())
    .toEqual(["/microconv/microconv-check.<hash>.js", "/microconv/microconv-check.<hash>.wasm"]);
  // The valid triggers deliver (settle waits for the demo's newsletter trigger).
  await settle(page, baseURL, session);
  await page.waitForTimeout(300);
  expect(seen.messages, "still one message and the line").toHaveLength(2);
  expect(seen.errors).toEqual([]);
});

test("rules without a valid trigger: one error with the messages, the tag not started", async ({ page, context }) => {
  const seen = await visit(page, context, "/e2e/diag-none.html", sitePage('{"version": 1, "triggers": [{"id": "a", "on": "scroll"}]}'));
  await expect.poll(() => seen.messages.length).toBe(2);
  expect(seen.messages[0]).toBe('error: microconv: not started: the rules have no valid trigger\n'
    + '  trigger "a": triggers[0]: missing required field "conversion"\n'
    + '  trigger "a": triggers[0]: missing required field "thresholds"');
  await page.waitForTimeout(300);
  expect(seen.messages).toHaveLength(2);
  expect(await page.evaluate(() => Object.prototype.hasOwnProperty.call(window.microconv || {}, "push")), "not started").toBe(false);
  expect(seen.errors).toEqual([]);
});

test("published rules: the diagnostics file is never downloaded", async ({ page, context, baseURL }) => {
  const seen = await visit(page, context, "/e2e/diag-ok.html", sitePage(publish(JSON.stringify(site))));
  const session = await tagReady(page);
  const events = await settle(page, baseURL, session);
  await page.waitForTimeout(300);
  expect(seen.check).toEqual([]);
  expect(seen.messages).toEqual([]);
  expect(events).toEqual([]);
});

test("valid plain rules: compiled in the page, with one line saying they are not published", async ({ page, context, baseURL }) => {
  const text = JSON.stringify(site);
  const seen = await visit(page, context, "/e2e/diag-plain.html", sitePage(text));
  const session = await tagReady(page);
  await settle(page, baseURL, session);
  expect(seen.messages).toEqual([NOT_PUBLISHED]);
  expect(seen.check).toHaveLength(2);
  // The events name the rules by the hash publishing gives them.
  const [marker] = await markers(baseURL, session);
  expect(marker.rules).toBe(publish(text).split(" ")[2].split("\n")[0]);
});

/** The settle marker events of a session (stored by then). */
async function markers(baseURL, session) {
  const { events } = await api(baseURL, `/api/conversions?session=${session}&limit=1000`);
  return events.filter((e) => e.vars["dl.source"] === "e2e-marker");
}

test("published rules with a pattern this browser refuses: one message names the trigger", async ({ page, context }) => {
  await context.route((u) => u.pathname.startsWith("/microconv/microconv-check."), (route) => route.abort());
  // `microconv publish` checks patterns too, so the bad one is swapped into
  // a published file, its hash recomputed (FNV-1a 64, docs/published.md).
  const badRegex = JSON.parse(badRules).triggers.at(-1);
  badRegex.conditions[0].value = "ZZZZ";
  const good = publish(JSON.stringify({ ...site, triggers: [...site.triggers, badRegex] }));
  const body = good.slice(good.indexOf("\n") + 1).replace("4:ZZZZ", "1:(");
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(body)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  const seen = await visit(page, context, "/e2e/diag-published-bad.html",
    sitePage(`microconv-rules 3 ${h.toString(16).padStart(16, "0")}\n${body}`));
  await tagReady(page);
  await expect.poll(() => seen.messages.length).toBe(1);
  expect(seen.messages[0]).toBe('warning: microconv: some triggers were left out of the rules (errors in trigger "bad-regex")');
  await page.waitForTimeout(300);
  expect(seen.messages).toHaveLength(1);
  expect(seen.check).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test("plain rules when the diagnostics file cannot be loaded: one error, the page left alone", async ({ page, context }) => {
  await context.route((u) => u.pathname.startsWith("/microconv/microconv-check."), (route) => route.abort());
  const seen = await visit(page, context, "/e2e/diag-unreachable.html", sitePage(badRules));
  await expect.poll(() => seen.messages.length).toBe(1);
  expect(seen.messages[0]).toMatch(new RegExp("^error: microconv: not started: the rules are not published, and the compiler to read them did not load "
    + "\\(could not fetch http://127\\.0\\.0\\.1:\\d+/microconv/microconv-check\\.[0-9a-f]{12}\\.js\\)$"));
  await page.waitForTimeout(300);
  expect(seen.messages).toHaveLength(1);
  expect(await page.evaluate(() => Object.prototype.hasOwnProperty.call(window.microconv || {}, "push")), "not started").toBe(false);
  expect(seen.errors).toEqual([]);
});
