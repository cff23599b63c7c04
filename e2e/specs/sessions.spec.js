// Sessions as a visitor makes them: one session across the site's tabs
// (the id is first-party localStorage, no cookie), ended by 30 minutes
// without activity, which the browser's clock is moved past (Playwright's
// clock API), not waited for; a new session re-arms once_per_session.
const { test, expect, tagReady, waitFor } = require("../helpers");

/** The signup push (once_per_session) and a marker push, from `page`. */
async function signUp(page) {
  await page.evaluate(() => window.dataLayer.push({ event: "signup", plan: "pro" }));
}

test("two tabs of the site are one session", async ({ context, baseURL }) => {
  const one = await context.newPage();
  await one.goto("/pricing.html");
  const session = await tagReady(one);
  const two = await context.newPage();
  await two.goto("/signup.html");
  expect(await tagReady(two)).toBe(session);
  // The macro conversion in the second tab belongs to the session of the first.
  await signUp(two);
  const [signup] = await waitFor(baseURL, session, "signup", 1);
  expect(signup.page.path).toBe("/signup.html");
  // once_per_session holds across the tabs.
  await one.evaluate(() => window.dataLayer.push({ event: "signup", plan: "pro" }));
  await one.evaluate(() => window.dataLayer.push({ event: "newsletter_signup", source: "e2e-marker" }));
  await waitFor(baseURL, session, "newsletter_signup", 1);
  expect(await waitFor(baseURL, session, "signup", 1)).toHaveLength(1);
});

test("30 minutes without activity end the session; activity keeps it", async ({ page, baseURL }) => {
  await page.clock.install();
  await page.goto("/signup.html");
  const first = await tagReady(page);
  await signUp(page);
  await waitFor(baseURL, first, "signup", 1);
  // 29 minutes later: the same session (and its signup stays spent).
  await page.clock.fastForward("29:00");
  await page.evaluate(() => window.dataLayer.push({ event: "newsletter_signup", source: "e2e-marker" }));
  await waitFor(baseURL, first, "newsletter_signup", 1);
  // Then 31 idle minutes: the next event starts a new session, where
  // once_per_session counts again.
  await page.clock.fastForward("31:00");
  await signUp(page);
  const second = await tagReady(page);
  expect(second).not.toBe(first);
  const [again] = await waitFor(baseURL, second, "signup", 1);
  expect(again.session).toBe(second);
  expect(await waitFor(baseURL, first, "signup", 1)).toHaveLength(1);
});
