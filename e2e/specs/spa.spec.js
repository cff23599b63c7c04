// The single-page demo (www/spa/) driven through its three routes with
// pushState, replaceState, an in-page anchor and the back button: each route
// is a new page for the tag (page.* and once_per_page thresholds), a
// once_per_session trigger stays spent, and the app shell's video keeps its
// progress across routes.
const { test, expect, tagReady, settle, waitFor } = require("../helpers");

const TITLES = {
  "/spa/": "Overview - Lumen app",
  "/spa/guide": "Guide - Lumen app",
  "/spa/pricing": "Pricing - Lumen app",
};

/** Route reads as "path threshold" strings, in the order they were stored. */
const reads = (events) => events.filter((e) => e.conversion === "route_read")
  .sort((a, b) => a.at - b.at || a.vars["scroll.threshold"] - b.vars["scroll.threshold"])
  .map((e) => `${e.page.path} ${e.vars["scroll.threshold"]}`);

async function go(page, route) {
  await page.click(`nav.routes a[href="${route}"]`);
  await expect(page).toHaveURL(new RegExp(route.replace(/\//g, "\\/") + "$"));
  await expect(page).toHaveTitle(TITLES[route]);
}

async function toBottom(page) {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
}

test("three routes: thresholds re-arm per route, page.* follow the route, once_per_session stays spent", async ({ page, baseURL }) => {
  await page.goto("/spa/");
  const session = await tagReady(page);
  const viewport = await page.evaluate(() => innerHeight);

  // The overview fits on one screen: its thresholds fire at load.
  await waitFor(baseURL, session, "route_read", 2);
  await page.click("#spa-help");
  await waitFor(baseURL, session, "help_opened", 1);

  // The guide is long: nothing until the visitor scrolls, then 50 and 100 for the guide.
  await go(page, "/spa/guide");
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(3 * viewport);
  await page.waitForTimeout(300);
  await toBottom(page);
  await waitFor(baseURL, session, "route_read", 4);
  // once_per_session: the help button on another route reports nothing.
  await page.click("#spa-help");

  // Pricing fits on one screen: both thresholds at once, without scrolling.
  await go(page, "/spa/pricing");
  await waitFor(baseURL, session, "route_read", 6);

  // Not new pages: replaceState to the same URL, and an in-page anchor (hash only).
  await page.evaluate(() => history.replaceState({ same: true }, "", location.href));
  await page.click("#to-plans");
  await expect(page).toHaveURL(/\/spa\/pricing#plans$/);
  await page.waitForTimeout(300);

  // Back (popstate) twice: #plans → /spa/pricing (hash only: nothing), then
  // the guide again, a new page: at the top, then read to the bottom again.
  await page.goBack();
  await expect(page).toHaveURL(/\/spa\/pricing$/);
  await page.goBack();
  await expect(page).toHaveURL(/\/spa\/guide$/);
  await expect(page).toHaveTitle(TITLES["/spa/guide"]);
  await page.waitForTimeout(300);
  await toBottom(page);
  await waitFor(baseURL, session, "route_read", 8);

  const events = await settle(page, baseURL, session);
  expect(reads(events)).toEqual([
    "/spa/ 50", "/spa/ 100",
    "/spa/guide 50", "/spa/guide 100",
    "/spa/pricing 50", "/spa/pricing 100",
    "/spa/guide 50", "/spa/guide 100",
  ]);
  expect(events.filter((e) => e.conversion === "help_opened")).toHaveLength(1);
  // The pricing route was viewed once (a page_view trigger); nothing else.
  expect(events.filter((e) => e.conversion === "app_pricing_viewed").map((e) => e.page.path)).toEqual(["/spa/pricing"]);
  expect(events.filter((e) => !["route_read", "help_opened", "app_pricing_viewed"].includes(e.conversion))).toEqual([]);

  const routeReads = events.filter((e) => e.conversion === "route_read").sort((a, b) => a.at - b.at);
  const previous = ["", "/spa/", "/spa/guide", "/spa/pricing"];
  routeReads.forEach((e, i) => {
    const path = e.page.path;
    expect(e.page.url).toBe(baseURL + path);
    // The title is read after the app set it (a frame after pushState).
    expect(e.page.title).toBe(TITLES[path]);
    // A virtual page's referrer is the previous route; the first load has none.
    const from = previous[Math.floor(i / 2)];
    expect(e.page.referrer).toBe(from ? baseURL + from : "");
    expect(e.session).toBe(session);
  });
});

test("the app shell's video keeps its progress across routes: each milestone once", async ({ page, baseURL }) => {
  await page.goto("/spa/");
  const session = await tagReady(page);
  // Play past half of the video, then pause.
  await page.evaluate(() => new Promise((resolve, reject) => {
    const v = document.getElementById("spa-video");
    v.addEventListener("timeupdate", function on() {
      if (v.currentTime > v.duration * 0.6) { v.removeEventListener("timeupdate", on); v.pause(); resolve(); }
    });
    v.play().catch(reject);
  }));
  await waitFor(baseURL, session, "demo_watched", 3); // start, 25, 50
  // Two route changes, then play to the end: no start, 25 or 50 again.
  await go(page, "/spa/guide");
  await go(page, "/spa/pricing");
  await page.evaluate(() => new Promise((resolve, reject) => {
    const v = document.getElementById("spa-video");
    v.addEventListener("ended", resolve, { once: true });
    v.play().catch(reject);
  }));
  await waitFor(baseURL, session, "demo_watched", 5);
  const events = (await settle(page, baseURL, session)).filter((e) => e.conversion === "demo_watched");
  const milestone = (e) => e.vars["video.status"] + (e.vars["video.status"] === "progress" ? e.vars["video.percent"] : "");
  expect(events.map(milestone).sort()).toEqual(["complete", "progress25", "progress50", "progress75", "start"]);
  // Each milestone belongs to the route it happened on.
  for (const e of events) {
    expect(e.page.path, milestone(e)).toBe(["progress75", "complete"].includes(milestone(e)) ? "/spa/pricing" : "/spa/");
  }
});

test("a route can be loaded directly (the collector's history fallback)", async ({ page, baseURL }) => {
  await page.goto("/spa/pricing");
  const session = await tagReady(page);
  await expect(page).toHaveTitle(TITLES["/spa/pricing"]);
  const events = await waitFor(baseURL, session, "route_read", 2);
  expect(events.map((e) => e.page.path)).toEqual(["/spa/pricing", "/spa/pricing"]);
});
