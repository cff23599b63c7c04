// Rules with defects, as a site owner sees them: the tag's wasm carries no
// message text, so the real loader fetches the diagnostics file
// (dist/microconv-check.<hash>.js + .wasm, next to microconv.js) and logs the
// one console message; pages with valid rules never download it; when it
// cannot be loaded, one message still names the bad triggers. The real
// collector serves the tag; test pages are served by a route (same origin).
const fs = require("node:fs");
const path = require("node:path");
const { test, expect, tagReady, settle, ROOT } = require("../helpers");

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
  await expect.poll(() => seen.messages.length).toBe(1);
  const [message] = seen.messages;
  const lines = message.split("\n");
  expect(lines.slice(0, 2)).toEqual([
    "warning: microconv: some triggers were left out of the rules",
    `  trigger "deep-read": triggers[${n}].thresholds[1]: a percent threshold must be greater than 0 and at most 100`,
  ]);
  // The browser's own RegExp reason, as the tag's backend compiles it.
  expect(lines[2]).toMatch(new RegExp(`^  trigger "bad-regex": triggers\\[${n + 1}\\]\\.conditions\\[0\\]\\.value: invalid regular expression: .+`));
  expect(lines).toHaveLength(3);
  expect(seen.check.map((p) => p.replace(/\.[0-9a-f]{12}\./, ".<hash>.")).sort())
    .toEqual(["/microconv/microconv-check.<hash>.js", "/microconv/microconv-check.<hash>.wasm"]);
  // The valid triggers deliver (settle waits for the demo's newsletter trigger).
  await settle(page, baseURL, session);
  await page.waitForTimeout(300);
  expect(seen.messages, "still one message").toHaveLength(1);
  expect(seen.errors).toEqual([]);
});

test("rules without a valid trigger: one error with the messages, the tag not started", async ({ page, context }) => {
  const seen = await visit(page, context, "/e2e/diag-none.html", sitePage('{"version": 1, "triggers": [{"id": "a", "on": "scroll"}]}'));
  await expect.poll(() => seen.messages.length).toBe(1);
  expect(seen.messages[0]).toBe('error: microconv: not started: the rules have no valid trigger\n'
    + '  trigger "a": triggers[0]: missing required field "conversion"\n'
    + '  trigger "a": triggers[0]: missing required field "thresholds"');
  await page.waitForTimeout(300);
  expect(seen.messages).toHaveLength(1);
  expect(await page.evaluate(() => Object.prototype.hasOwnProperty.call(window.microconv || {}, "push")), "not started").toBe(false);
  expect(seen.errors).toEqual([]);
});

test("valid rules: the diagnostics file is never downloaded", async ({ page, context }) => {
  const seen = await visit(page, context, "/e2e/diag-ok.html", sitePage(JSON.stringify(site)));
  await tagReady(page);
  await page.waitForTimeout(500);
  expect(seen.check).toEqual([]);
  expect(seen.messages).toEqual([]);
});

test("the diagnostics file cannot be loaded: one message still names the bad triggers", async ({ page, context }) => {
  await context.route((u) => u.pathname.startsWith("/microconv/microconv-check."), (route) => route.abort());
  const seen = await visit(page, context, "/e2e/diag-unreachable.html", sitePage(badRules));
  await tagReady(page);
  await expect.poll(() => seen.messages.length).toBe(1);
  expect(seen.messages[0]).toMatch(new RegExp('^warning: microconv: some triggers were left out of the rules '
    + '\\(errors in trigger "deep-read", trigger "bad-regex"; the details could not be loaded: '
    + 'could not fetch http://127\\.0\\.0\\.1:\\d+/microconv/microconv-check\\.[0-9a-f]{12}\\.js\\)$'));
  await page.waitForTimeout(300);
  expect(seen.messages).toHaveLength(1);
  expect(seen.errors).toEqual([]);
});
