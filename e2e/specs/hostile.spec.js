// A hostile page (www/test/hostile.html): 10,000 links, a DOM 5,000 levels
// deep, polluted Array/Object prototypes, JSON.stringify/parse replaced and
// history.pushState replaced (by a throwing function before the tag loads,
// by a non-function after), elements removed in the capture phase of the very
// click the tag evaluates, a video removed while playing, and finally
// window.fetch / navigator.sendBeacon replaced.
//
// What must hold: no exception from the tag reaches the page (window.onerror,
// unhandledrejection, Playwright's pageerror); the page's own code and
// overrides keep working; with the network intact the tag still DELIVERS every
// qualifying conversion; with fetch and sendBeacon replaced it stays SILENT.
const { test, expect, tagReady, settle, sessionEvents, waitFor } = require("../helpers");

test("a hostile page: the tag delivers, then stays silent, and never throws into the page", async ({ page, baseURL }) => {
  const pageErrors = [];
  const tagMessages = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => { if (m.text().startsWith("microconv:")) tagMessages.push(`${m.type()}: ${m.text()}`); });

  await page.goto("/test/hostile.html");
  const session = await tagReady(page);
  expect(await page.locator("#many a").count()).toBe(10000);
  expect(await page.evaluate(() => { let n = 0; for (let e = document.getElementById("deep-cta"); e; e = e.parentElement) n++; return n; })).toBeGreaterThan(5000);

  // The page's own overrides are still in place and behave as the page made them.
  expect(await page.evaluate(() => JSON.stringify === window.own.stringify && JSON.parse === window.own.parse)).toBe(true);
  expect(await page.evaluate(() => JSON.parse("{}"))).toBe("garbage");
  expect(await page.evaluate(() => { try { history.pushState({}, "", "/nowhere"); return "no throw"; } catch (e) { return e.message; } }))
    .toBe("page: pushState disabled");
  expect(await page.evaluate(() => [window.own.pushCalls, location.pathname])).toEqual([1, "/test/hostile.html"]);
  expect(await page.evaluate(() => { const out = []; for (const k in [1]) out.push(k); return out; })).toEqual(["0", "evilArray", "evilObject"]);

  // The page's own button and handlers run.
  await page.click("#own-button");
  await expect(page.locator("#own-output")).toHaveText("clicked 1");

  // Clicks on links whose ancestors the page removes before the tag sees the click.
  await page.click("#vanishing");
  await page.click("#vanishing-cta");
  expect(await page.evaluate(() => [window.own.removed, !!document.getElementById("vanish-box")])).toEqual([2, false]);
  // The deepest element, and one of the 10,000 links (internal: nothing).
  await page.click("#deep-cta");
  await page.click("#link-5000");

  // A video removed from the page while it plays (after its 25 % milestone).
  await page.evaluate(() => new Promise((resolve, reject) => {
    const v = document.getElementById("doomed-video");
    v.addEventListener("timeupdate", function on() {
      if (v.currentTime > v.duration * 0.3) { v.removeEventListener("timeupdate", on); v.remove(); resolve(); }
    });
    v.play().catch(reject);
  }));

  // The page bypasses the tag's pushState wrapper (the native method, saved
  // before the tag loaded): the tag notices the new URL at the next event.
  await page.evaluate(() => window.nativePushState.call(history, {}, "", "/test/hostile.html?utm_campaign=step2&secret=1"));
  await page.evaluate(() => window.dataLayer.push({ event: "newsletter_signup", source: "step2" }));
  // pushState replaced by a non-function after the tag loaded; replaceState still seen.
  await page.evaluate(() => { history.pushState = 42; history.replaceState({}, "", "/test/hostile.html?utm_campaign=step3"); });
  await page.waitForTimeout(200);
  await page.evaluate(() => window.dataLayer.push({ event: "newsletter_signup", source: "step3" }));

  // DELIVERS: exactly the qualifying conversions, with the right variables.
  await waitFor(baseURL, session, "demo_watched", 2);
  const events = await settle(page, baseURL, session);
  const summary = events.map((e) => {
    switch (e.conversion) {
      case "outbound_click": return `outbound ${e.vars["link.url"]}`;
      case "trial_cta_click": return `cta ${e.vars["click.text"]}`;
      case "demo_watched": return `video ${e.vars["video.status"]}${e.vars["video.percent"] === 25 ? 25 : ""}`;
      case "newsletter_signup": return `push ${e.vars["dl.source"]} ${e.page.url.replace(baseURL, "")} from ${e.page.referrer.replace(baseURL, "")}`;
      default: return e.conversion;
    }
  }).sort();
  expect(summary).toEqual([
    "cta Start a trial from the deep",
    "cta Start your trial (vanishes on click)",
    "outbound https://partner.example/vanishing",
    "push step2 /test/hostile.html?utm_campaign=step2 from /test/hostile.html",
    "push step3 /test/hostile.html?utm_campaign=step3 from /test/hostile.html?utm_campaign=step2",
    "video progress25",
    "video start",
  ]);
  expect(tagMessages, "the tag logged nothing").toEqual([]);

  // Then the page replaces fetch and sendBeacon: the tag can't send, so it
  // stays SILENT (at most one console message), and the page is unaffected.
  const before = (await sessionEvents(baseURL, session)).length;
  await page.evaluate(() => {
    window.own.fetch = window.fetch = function () { return "garbage"; };
    window.own.sendBeacon = navigator.sendBeacon = function () { throw new Error("page: no beacons"); };
  });
  await page.click("#deep-cta");
  await page.evaluate(() => window.dataLayer.push({ event: "newsletter_signup", source: "offline" }));
  await page.click("#own-button");
  await expect(page.locator("#own-output")).toHaveText("clicked 2");
  expect(await page.evaluate(() => window.fetch === window.own.fetch && navigator.sendBeacon === window.own.sendBeacon
    && window.fetch() === "garbage" && JSON.parse("[]") === "garbage")).toBe(true);
  await page.waitForTimeout(2500);
  expect(await sessionEvents(baseURL, session), "nothing arrives").toHaveLength(before);
  expect(tagMessages.length, tagMessages.join("\n")).toBeLessThanOrEqual(1);

  // Never thrown into the page.
  expect(pageErrors).toEqual([]);
  expect(await page.evaluate(() => window.pageErrors)).toEqual([]);
});
