// Shared helpers of the end-to-end specs: the collector (shared or private),
// the tag's readiness, beacons found through the collector's API, and a
// sandbox so that no request leaves 127.0.0.1.
const { test: base, expect } = require("@playwright/test");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");

/**
 * What every collector of the suite runs with (scripts/test-e2e.sh starts the
 * shared one the same way): the demo site and tag, the demo's rules (the
 * macro conversions), and no rate limits: the suite's many visits all come
 * from 127.0.0.1 (the limits have their own tests, collector/tests/security.rs).
 * The admin token and password come from the environment (test-e2e.sh).
 */
const COLLECTOR_ARGS = ["--static", path.join(ROOT, "www"), "--tag-dir", path.join(ROOT, "dist"),
  "--rules", path.join(ROOT, "www", "rules.json"), "--limit-ip", "0", "--limit-session", "0"];

/**
 * Starts a private collector (own temp database, free port); resolves {url, db, stop}.
 * `rules` replaces the demo's rules file.
 */
async function startCollector(extraArgs = [], { rules } = {}) {
  const bin = process.env.MICROCONV_COLLECTOR_BIN;
  if (!bin) throw new Error("MICROCONV_COLLECTOR_BIN is not set: run scripts/test-e2e.sh");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "microconv-e2e-"));
  const db = path.join(dir, "collector.sqlite");
  const args = COLLECTOR_ARGS.map((a, i) => (rules && COLLECTOR_ARGS[i - 1] === "--rules" ? rules : a));
  const child = spawn(bin, ["--addr", "127.0.0.1:0", "--db", db, ...args, ...extraArgs],
  { env: { ...process.env, RUST_LOG: "warn" }, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("collector did not start: " + out)), 15_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`collector exited (${code}): ${out}`)); });
  });
  child.stdout.resume();
  return {
    url, db,
    stop: async () => {
      if (child.exitCode === null) {
        const done = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await done;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const PARTNER_PAGE = "<!doctype html><title>Partner</title><h1>Partner site (stub)</h1>";

/**
 * Keeps every request on this machine (127.0.0.1, and localhost: the same
 * collector under another origin, for cross-origin frames): the demo's
 * outbound hosts get a stub page, anything else is refused.
 */
async function sandbox(context) {
  await context.route((url) => !/^(http:\/\/(127\.0\.0\.1|localhost)[:/]|data:|blob:)/.test(url.href), (route) => {
    const host = new URL(route.request().url()).hostname;
    if (/(^|\.)partner\.example$|(^|\.)shop\.example\.com$/.test(host)) {
      // A real outbound site answers after a network round trip; answering
      // instantly lets a loaded machine unload the old page while Playwright
      // still holds its beacon in this (function-matched, so page-wide)
      // interception, and the harness, not the tag, loses it.
      return new Promise((r) => setTimeout(r, 400)).then(() =>
        route.fulfill({ status: 200, contentType: "text/html", body: PARTNER_PAGE }));
    }
    return route.abort();
  });
}

/** Waits until the tag has started on this page and returns the tab's session id. */
async function tagReady(page) {
  const handle = await page.waitForFunction(() => {
    const mc = window.microconv;
    const started = mc && Object.prototype.hasOwnProperty.call(mc, "push");
    // The site's session record in localStorage: "<id> <start> <last>".
    return started && (localStorage.getItem("microconv.session") || "").split(" ")[0];
  }, null, { timeout: 15_000 });
  return handle.jsonValue();
}

/** Waits until the tag has started on this page (before consent, when no session is stored yet). */
async function tagStarted(page) {
  await page.waitForFunction(() => window.microconv && Object.prototype.hasOwnProperty.call(window.microconv, "push"),
    null, { timeout: 15_000 });
}

/** GET of the collector's API, as the admin (its bearer token). */
async function api(baseURL, pathAndQuery) {
  const res = await fetch(baseURL + pathAndQuery, {
    headers: { Authorization: `Bearer ${process.env.MICROCONV_ADMIN_TOKEN}` },
  });
  if (!res.ok) throw new Error(`${pathAndQuery}: HTTP ${res.status}`);
  return res.json();
}

/** Every stored event of a session, oldest first. */
async function sessionEvents(baseURL, session) {
  const { events } = await api(baseURL, `/api/conversions?session=${session}&limit=1000`);
  return events.reverse();
}

/** The `visit` events of a session (rules with count_visits), oldest first. */
async function sessionVisits(baseURL, session) {
  const { events } = await api(baseURL, `/api/conversions?session=${session}&kind=visit&limit=1000`);
  return events.reverse();
}

/**
 * Proves a negative: pushes a qualifying marker event (newsletter_signup) after
 * the actions under test and waits until it is stored. The tag sends in order,
 * so anything the earlier actions produced has arrived by then. Returns the
 * session's events other than the marker(s).
 */
async function settle(page, baseURL, session) {
  await tagReady(page);
  await page.evaluate(() => window.dataLayer.push({ event: "newsletter_signup", source: "e2e-marker" }));
  let events = [];
  await expect.poll(async () => {
    events = await sessionEvents(baseURL, session);
    return events.filter((e) => e.conversion === "newsletter_signup" && e.vars["dl.source"] === "e2e-marker").length;
  }, { message: "the marker event arrives" }).toBeGreaterThan(0);
  return events.filter((e) => !(e.conversion === "newsletter_signup" && e.vars["dl.source"] === "e2e-marker"));
}

/** Polls until the session has at least `count` events of `conversion`; returns them. */
async function waitFor(baseURL, session, conversion, count = 1) {
  let found = [];
  await expect.poll(async () => {
    found = (await sessionEvents(baseURL, session)).filter((e) => e.conversion === conversion);
    return found.length;
  }, { message: `${count} × ${conversion} stored` }).toBeGreaterThanOrEqual(count);
  return found;
}

const test = base.extend({
  context: async ({ context }, use) => {
    await sandbox(context);
    await use(context);
  },
});

/**
 * The site's stored outboxes as a page sees them: each page view keeps its
 * own localStorage value `microconv.outbox.<random>`. Returns
 * [{key, dropped, written, left, bytes, entries: [{id, queued, tries, next, lease, event}]}].
 */
async function outboxes(page) {
  const stored = await page.evaluate(() => Object.keys(localStorage)
    .filter((k) => k.startsWith("microconv.outbox")).map((k) => [k, localStorage.getItem(k)]));
  return stored.map(([key, text]) => {
    const [head, ...lines] = text.split("\n");
    const [dropped, written, left] = head.split(" ").slice(1).map(Number);
    return {
      key, dropped, written, left, bytes: text.length,
      entries: lines.map((l) => {
        const [id, queued, tries, next, lease, json] = l.split("\t");
        return { id, queued: +queued, tries: +tries, next: +next, lease: +lease, event: JSON.parse(json) };
      }),
    };
  });
}

/** `text` (a rules.json) published by the real CLI (`microconv publish`). */
function publish(text) {
  const { execFileSync } = require("node:child_process");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "microconv-publish-"));
  try {
    fs.writeFileSync(path.join(dir, "rules.json"), text);
    execFileSync(process.env.MICROCONV_CLI_BIN, ["publish", path.join(dir, "rules.json"), "-o", path.join(dir, "out")], { stdio: "ignore" });
    return fs.readFileSync(path.join(dir, "out", "rules.json"), "utf8");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The defect lines `microconv check` prints for `text`, without their `file:line:col: ` prefix. */
function checkLines(text) {
  const { spawnSync } = require("node:child_process");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "microconv-check-"));
  try {
    const file = path.join(dir, "rules.json");
    fs.writeFileSync(file, text);
    const run = spawnSync(process.env.MICROCONV_CLI_BIN, ["check", file], { encoding: "utf8" });
    return run.stdout.split("\n").filter((l) => l.startsWith(file)).map((l) => l.replace(/^[^:]*:\d+:\d+: /, ""));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The console line of a page whose rules are not published. */
const NOT_PUBLISHED = "info: microconv: these rules are not published, so this page downloaded the compiler (about 25 KB) to read them; `microconv publish` them and pages skip it";

/** Logs `page` in to the report of the collector at `url`, through the form as a person would. */
async function logIn(page, url) {
  await page.goto(url + "/report");
  await expect(page).toHaveURL(/\/login\?next=\/report$/);
  await page.fill("input[name=password]", process.env.MICROCONV_ADMIN_PASSWORD);
  await page.click("button");
  await page.waitForURL("**/report");
}

module.exports = { test, expect, startCollector, logIn, sandbox, tagReady, tagStarted, sessionEvents, sessionVisits, settle, waitFor, api, outboxes, publish, checkLines, NOT_PUBLISHED, ROOT };
