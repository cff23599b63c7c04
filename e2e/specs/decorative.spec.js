// A decorative video end to end: the landing page's muted, autoplaying,
// looping background is the demo clip itself, whose URL the demo-video
// trigger matches; it loops twice and sends nothing.
const { test, expect, tagReady, waitFor, sessionEvents } = require("../helpers");

test("the landing page's muted looping background video sends nothing", async ({ page, baseURL }) => {
  await page.goto("/");
  const session = await tagReady(page);
  await page.evaluate(() => {
    window.loops = 0;
    document.getElementById("hero-loop").addEventListener("seeked", () => { window.loops++; });
  });
  // Two loop restarts of the 4 s clip.
  await page.waitForFunction(() => window.loops >= 2, null, { timeout: 30_000 });
  expect(await page.evaluate(() => {
    const v = document.getElementById("hero-loop");
    return v.muted && v.loop && v.autoplay && !v.paused;
  })).toBe(true);
  // A marker push proves the tag has delivered what it had.
  await page.evaluate(() => window.dataLayer.push({ event: "newsletter_signup" }));
  await waitFor(baseURL, session, "newsletter_signup", 1);
  const events = await sessionEvents(baseURL, session);
  expect(events.map((e) => e.conversion)).toEqual(["newsletter_signup"]);
});
