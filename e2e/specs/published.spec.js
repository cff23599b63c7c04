// Published rules as a returning visitor gets them: the collector serves the
// site's rules published on the fly with an ETag and no-cache, so a page
// view after the marketer edited the file runs the new rules (the browser
// revalidates instead of reusing its cached copy), and every event names the
// rules that produced it by their hash.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { test, expect, startCollector, ROOT } = require("../helpers");

const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "microconv-rules-"));
const rulesFile = path.join(rulesDir, "rules.json");
const site = JSON.parse(fs.readFileSync(path.join(ROOT, "www", "rules.json"), "utf8"));
/** The demo's rules with a page_view trigger reporting `name` on the e2e page. */
function write(name) {
  fs.writeFileSync(rulesFile, JSON.stringify({
    ...site, triggers: [...site.triggers, { id: "e2e-view", conversion: name, on: "page_view",
      conditions: [{ variable: "page.path", operator: "equals", value: "/e2e/returning.html" }] }],
  }));
}

let collector;
test.beforeAll(async () => { write("first_rules"); collector = await startCollector([], { rules: rulesFile }); });
test.afterAll(async () => { await collector?.stop(); fs.rmSync(rulesDir, { recursive: true, force: true }); });

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Returning</title><link rel="icon" href="data:,">
<script async src="/microconv/microconv.js" data-rules="/microconv/rules" data-endpoint="/collect"></script></head>
<body><h1>Returning visitor</h1></body></html>`;

async function stored(name) {
  const res = await fetch(`${collector.url}/api/conversions?limit=1000`, { headers: { Authorization: `Bearer ${process.env.MICROCONV_ADMIN_TOKEN}` } });
  return (await res.json()).events.filter((e) => e.conversion === name);
}

test("an edited rules file reaches a returning page view; events carry the rules' hash", async ({ page, context }) => {
  await context.route((u) => u.pathname === "/e2e/returning.html", (route) => route.fulfill({ contentType: "text/html", body: PAGE }));
  const answers = [];
  page.on("response", (r) => r.url().endsWith("/microconv/rules") && answers.push(r));
  await page.goto(`${collector.url}/e2e/returning.html`);
  await expect.poll(() => stored("first_rules").then((e) => e.length)).toBe(1);
  const first = answers[0];
  expect(first.headers()["cache-control"]).toBe("no-cache");
  const etag = first.headers()["etag"];
  expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
  expect((await stored("first_rules"))[0].rules).toBe(etag.slice(1, -1));
  expect(await first.text()).toMatch(/^microconv-rules 3 [0-9a-f]{16}\n/);

  // The marketer edits the rules; the visitor comes back (same browser, warm cache).
  write("edited_rules");
  await page.goto(`${collector.url}/e2e/returning.html`);
  await expect.poll(() => stored("edited_rules").then((e) => e.length)).toBe(1);
  const edited = await stored("edited_rules");
  expect(edited[0].rules).toMatch(/^[0-9a-f]{16}$/);
  expect(edited[0].rules).not.toBe(etag.slice(1, -1));
  expect(await stored("first_rules")).toHaveLength(1);
});
