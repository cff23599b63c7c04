// Element visibility end to end on the demo site: the product page loads
// its customer stories after the tag started, below the fold; scrolled to
// and left on screen three seconds, they count once.
const { test, expect, tagReady, waitFor, settle } = require("../helpers");

test("lazy-loaded testimonials seen for three seconds: testimonials_seen once", async ({ page, baseURL }) => {
  await page.goto("/product.html");
  const session = await tagReady(page);
  const stories = page.locator("#testimonials");
  await expect(stories).toHaveCount(1); // added by the page 300 ms in
  // A glance is not enough.
  await stories.scrollIntoViewIfNeeded();
  await page.waitForTimeout(1000);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(500);
  // Then it stays on screen.
  await stories.scrollIntoViewIfNeeded();
  const [seen] = await waitFor(baseURL, session, "testimonials_seen", 1);
  expect(seen.trigger).toBe("testimonials-seen");
  expect(seen.vars["click.id"]).toBe("testimonials");
  expect(seen.vars["visibility.percent"]).toBeGreaterThanOrEqual(50);
  expect(seen.vars["visibility.on_screen_ms"]).toBeGreaterThanOrEqual(3000);
  await page.evaluate(() => window.scrollTo(0, 0));
  await stories.scrollIntoViewIfNeeded();
  await page.waitForTimeout(3500);
  const events = await settle(page, baseURL, session);
  expect(events.filter((e) => e.conversion === "testimonials_seen")).toHaveLength(1);
});
