// The page_view trigger end to end: reaching the demo's thank-you page is its
// macro conversion (once per session, with or without the trailing slash, and
// without the form's query in the beacon), single-page-app routes are page
// views, and a page restored from the back/forward cache is a new view.
const { test, expect, tagReady, settle, waitFor } = require("../helpers");
const config = require("../playwright.config");

// Playwright turns Chromium's back/forward cache off by default; this file's
// browser keeps it, as a visitor's does.
test.use({ launchOptions: { ...config.use.launchOptions, ignoreDefaultArgs: ["--disable-back-forward-cache"] } });

test("the thank-you page is the macro conversion, once per session", async ({ page, baseURL }) => {
  await page.goto("/pricing.html");
  const session = await tagReady(page);
  await page.selectOption("#sales-team", "11-100");
  await page.click("#sales-submit");
  await expect(page).toHaveURL(/\/thank-you\/\?team=11-100$/);
  const [e] = await waitFor(baseURL, session, "call_requested", 1);
  expect(e.trigger).toBe("call-requested");
  expect(e.macro).toBe(true);
  expect(e.page.path).toBe("/thank-you/");
  // The form's answer is not in the beacon: only allow_query parameters are.
  expect(e.page.url).toBe(`${baseURL}/thank-you/`);

  // Again, without the trailing slash (the collector redirects to it) and
  // by a reload: once_per_session holds.
  await page.goto("/thank-you");
  await tagReady(page);
  await page.reload();
  const others = await settle(page, baseURL, session);
  expect(others.filter((x) => x.conversion === "call_requested")).toHaveLength(1);
});

test("single-page-app routes are page views", async ({ page, baseURL }) => {
  await page.goto("/spa/");
  const session = await tagReady(page);
  await page.click('nav.routes a[href="/spa/guide"]');
  await expect(page).toHaveTitle("Guide - Lumen app");
  await page.click('nav.routes a[href="/spa/pricing"]');
  await expect(page).toHaveTitle("Pricing - Lumen app");
  const [e] = await waitFor(baseURL, session, "app_pricing_viewed", 1);
  expect(e.page.path).toBe("/spa/pricing");
  expect(e.page.title).toBe("Pricing - Lumen app");
  // Back to the guide and forward again: a second view of the route.
  await page.goBack();
  await expect(page).toHaveTitle("Guide - Lumen app");
  await page.goForward();
  await expect(page).toHaveTitle("Pricing - Lumen app");
  await waitFor(baseURL, session, "app_pricing_viewed", 2);
});

test("a page restored from the back/forward cache is a new page view", async ({ page, baseURL }) => {
  await page.goto("/test/pageviews.html");
  const session = await tagReady(page);
  await waitFor(baseURL, session, "fixture_viewed", 1);
  await page.click("#away");
  await expect(page).toHaveURL(/\/index\.html$/);
  // A restore fires no load event: wait for the commit.
  await page.goBack({ waitUntil: "commit" });
  await expect(page).toHaveURL(/\/test\/pageviews\.html$/);
  await expect.poll(() => page.evaluate(() => window.shows.length)).toBe(2);
  // Chromium restored it (persisted), so the page never reloaded.
  expect(await page.evaluate(() => window.shows)).toEqual([false, true]);
  const views = await waitFor(baseURL, session, "fixture_viewed", 2);
  expect(views).toHaveLength(2);
  const others = await settle(page, baseURL, session);
  expect(others.filter((x) => x.conversion === "fixture_viewed")).toHaveLength(2);
});
