// A trigger group end to end on the demo site: "read the article and
// watched the demo" fires once, in the session, when the second of the two
// happens on another page.
const { test, expect, tagReady, waitFor, settle } = require("../helpers");

test("read the article, then watched the demo on another page: read_and_watched once", async ({ page, baseURL }) => {
  await page.goto("/blog/why-micro-conversions.html");
  const session = await tagReady(page);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await waitFor(baseURL, session, "article_read", 3);
  await page.goto("/product.html");
  await tagReady(page);
  await page.evaluate(() => new Promise((resolve, reject) => {
    const v = document.getElementById("demo-video");
    v.addEventListener("playing", resolve, { once: true });
    v.play().catch(reject);
  }));
  const [group] = await waitFor(baseURL, session, "read_and_watched", 1);
  expect(group.trigger).toBe("read-and-watched");
  expect(group.page.path).toBe("/product.html");
  expect(group.vars).toEqual({});
  // Watching again, and reading again on a new page view, repeat nothing.
  await page.goto("/blog/why-micro-conversions.html");
  await tagReady(page);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await waitFor(baseURL, session, "article_read", 6);
  const events = await settle(page, baseURL, session);
  expect(events.filter((e) => e.conversion === "read_and_watched")).toHaveLength(1);
});
