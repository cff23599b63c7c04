// Sessions as a visitor makes them: one session across the site's tabs
// (the id is first-party localStorage, no cookie), ended by 30 minutes
// without activity, which the browser's clock is moved past (Playwright's
// clock API), not waited for; a new session re-arms once_per_session. With
// count_visits (the demo's rules), each session sends one visit when it
// starts, whichever tab starts it.
const { test, expect, tagReady, waitFor, sessionVisits } = require("../helpers");

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
  // One visit for the session, from the tab that started it.
  const visits = await sessionVisits(baseURL, session);
  expect(visits.map((v) => [v.kind, v.page.path, v.conversion])).toEqual([["visit", "/pricing.html", ""]]);
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
  // Hiding the idle tab (or leaving it) is not the visitor's activity: it
  // starts no session.
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  expect(await tagReady(page), "no session from a lifecycle event").toBe(first);
  await signUp(page);
  const second = await tagReady(page);
  expect(second).not.toBe(first);
  const [again] = await waitFor(baseURL, second, "signup", 1);
  expect(again.session).toBe(second);
  expect(await waitFor(baseURL, first, "signup", 1)).toHaveLength(1);
  // Each session was counted once, when it started.
  expect(await sessionVisits(baseURL, first)).toHaveLength(1);
  const [visit] = await sessionVisits(baseURL, second);
  expect(visit.page.path).toBe("/signup.html");
  expect(visit.at).toBeGreaterThan(again.at - 1000);
});

test("a visit keeps the landing page's campaign and the referring site, nothing else", async ({ page, baseURL }) => {
  await page.goto("/pricing.html?utm_source=newsletter&utm_medium=email&utm_campaign=spring&ref=jane%40example.com", { referer: "https://news.example/story?id=77" });
  const session = await tagReady(page);
  let visits = [];
  await expect.poll(async () => (visits = await sessionVisits(baseURL, session)).length).toBe(1);
  const [v] = visits;
  expect(new URL(v.page.url).search).toBe("?utm_source=newsletter&utm_medium=email&utm_campaign=spring");
  expect(v.page.referrer).toBe("https://news.example/");
  expect(v.vars).toEqual({
    "visit.referrer_host": "news.example", "visit.utm_source": "newsletter",
    "visit.utm_medium": "email", "visit.utm_campaign": "spring",
  });
  // The next page of the session: no second visit.
  await page.goto("/signup.html");
  expect(await tagReady(page)).toBe(session);
  await page.evaluate(() => window.dataLayer.push({ event: "newsletter_signup", source: "e2e-marker" }));
  await waitFor(baseURL, session, "newsletter_signup", 1);
  expect(await sessionVisits(baseURL, session)).toHaveLength(1);
});
