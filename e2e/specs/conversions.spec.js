// Each micro conversion of the demo site, produced by a scripted visitor and
// found in the collector's database exactly once with the right variables; the
// same actions on pages or elements the rules exclude produce nothing.
const { test, expect, tagReady, settle, waitFor, sessionEvents } = require("../helpers");

/** Conversion names of a list of events, sorted, for exact comparisons. */
const names = (events) => events.map((e) => e.conversion).sort();

/** Every beacon of the suite also gets checked for leaks: no e-mail address anywhere. */
function noPersonalData(events) {
  expect(JSON.stringify(events)).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/);
}

test("reading the blog article to the end: article_read at 50, 75 and 100 %, once each", async ({ page, baseURL }) => {
  await page.goto("/blog/why-micro-conversions.html");
  const session = await tagReady(page);
  const { height, viewport } = await page.evaluate(() => ({
    height: document.documentElement.scrollHeight, viewport: innerHeight,
  }));
  expect(height, "the article is long enough that no threshold is reached at load").toBeGreaterThan(2.2 * viewport);

  // Half way down (depth = scrollTop + viewport, just past 50 %).
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight * 0.55 - innerHeight));
  const first = await waitFor(baseURL, session, "article_read", 1);
  expect(first.map((e) => e.vars["scroll.threshold"])).toEqual([50]);

  // To the bottom, then up and down again: 75 and 100 once, nothing repeated.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await waitFor(baseURL, session, "article_read", 3);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const events = await settle(page, baseURL, session);
  expect(names(events)).toEqual(["article_read", "article_read", "article_read"]);
  expect(events.map((e) => e.vars["scroll.threshold"]).sort((a, b) => a - b)).toEqual([50, 75, 100]);
  for (const e of events) {
    expect(e.trigger).toBe("article-read");
    expect(e.session).toBe(session);
    expect(e.macro).toBe(false);
    expect(e.vars).toMatchObject({ "scroll.units": "percent", "scroll.direction": "vertical" });
    expect(e.page.path).toBe("/blog/why-micro-conversions.html");
    expect(e.page.url).toBe(baseURL + "/blog/why-micro-conversions.html");
    expect(e.page.title).toBe("Why micro conversions matter - Lumen blog");
    expect(e.id).toMatch(/^[0-9a-f]{32}$/);
  }
  expect(session).toMatch(/^[0-9a-f]{16}$/);
  noPersonalData(events);
});

test("scrolling a page outside /blog/ to the bottom produces nothing", async ({ page, baseURL }) => {
  await page.goto("/product.html");
  const session = await tagReady(page);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.goto("/pricing.html");
  await tagReady(page);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  expect(await settle(page, baseURL, session)).toEqual([]);
});

test("watching the demo video: start, 25/50/75 % and complete, once each; the other video nothing", async ({ page, baseURL }) => {
  await page.goto("/product.html");
  const session = await tagReady(page);
  // Both videos at once, each to its end: the demo through every threshold,
  // the customer story (not a demo.webm/mp4) for nothing.
  await page.evaluate(() => Promise.all(["demo-video", "story-video"].map((id) => new Promise((resolve, reject) => {
    const v = document.getElementById(id);
    v.addEventListener("ended", resolve, { once: true });
    v.play().catch(reject);
  }))));
  await waitFor(baseURL, session, "demo_watched", 5);
  const events = await settle(page, baseURL, session);
  expect(names(events)).toEqual(Array(5).fill("demo_watched"));
  const milestones = events.map((e) => e.vars["video.status"] + (e.vars["video.status"] === "progress" ? e.vars["video.percent"] : ""));
  expect(milestones.sort()).toEqual(["complete", "progress25", "progress50", "progress75", "start"]);
  for (const e of events) {
    expect(e.trigger).toBe("demo-video");
    expect(e.vars).toMatchObject({
      "video.provider": "html5",
      "video.url": baseURL + "/media/demo.webm",
      "video.title": "Lumen product demo",
    });
    expect(e.vars["video.duration"]).toBeCloseTo(4, 0);
    expect(e.page.path).toBe("/product.html");
  }
  const complete = events.find((e) => e.vars["video.status"] === "complete");
  expect(complete.vars["video.current_time"]).toBeCloseTo(4, 0);
});

test("pricing CTAs: trial buttons count as trial_cta_click, plan buttons as plan_selected, others nothing", async ({ page, baseURL }) => {
  await page.goto("/");
  const session = await tagReady(page);
  await page.click("#hero-demo"); // a.cta without "trial": nothing (and an internal link)
  await page.waitForURL("**/product.html");
  await page.goto("/pricing.html");
  await tagReady(page);
  await page.click("#faq-trial"); // "trial" text but not a CTA
  await page.click("#compare-plans"); // a CTA, but no "trial" and not in a plan
  await page.click("#plan-starter"); // button.cta "Start Starter trial" in a plan
  await page.click("#plan-enterprise"); // a.cta "Contact sales" in a plan: plan_selected only
  await page.click("#plan-pro strong"); // inside a.cta "Start Pro trial": navigates to the signup page
  await page.waitForURL("**/signup.html?plan=pro");
  const events = await settle(page, baseURL, session);
  expect(names(events)).toEqual(["plan_selected", "plan_selected", "plan_selected", "trial_cta_click", "trial_cta_click"]);

  const trial = events.filter((e) => e.conversion === "trial_cta_click");
  expect(trial.map((e) => e.vars["click.id"]).sort()).toEqual(["plan-pro", "plan-starter"]);
  const pro = trial.find((e) => e.vars["click.id"] === "plan-pro");
  expect(pro.trigger).toBe("trial-cta");
  expect(pro.vars).toMatchObject({ "click.classes": "cta", "click.text": "Start Pro trial" });
  expect(pro.vars["click.url"]).toMatch(new RegExp("^" + baseURL + "/signup\\.html"));
  expect(pro.page.path).toBe("/pricing.html");
  const starter = trial.find((e) => e.vars["click.id"] === "plan-starter");
  expect(starter.vars).toMatchObject({ "click.classes": "cta", "click.text": "Start Starter trial" });

  const plans = events.filter((e) => e.conversion === "plan_selected");
  expect(plans.map((e) => e.vars["click.id"]).sort()).toEqual(["plan-enterprise", "plan-pro", "plan-starter"]);
  expect(plans.find((e) => e.vars["click.id"] === "plan-enterprise").vars["click.text"]).toBe("Contact sales");
  expect(plans.every((e) => e.trigger === "pricing-plan")).toBe(true);
});

test("the tag included twice (a plugin's copy and a pasted snippet) runs once: one conversion per click, one console warning", async ({ page, baseURL }) => {
  const html = await (await fetch(baseURL + "/pricing.html")).text();
  const snippet = html.match(/<script async src="\/microconv\/microconv\.js"[^>]*><\/script>/)[0];
  const twice = html.replace(snippet, snippet + "\n" + snippet);
  await page.route("**/pricing.html", (route) => route.fulfill({ contentType: "text/html", body: twice }));
  const messages = [];
  page.on("console", (m) => { if (m.text().startsWith("microconv")) messages.push(`${m.type()}: ${m.text()}`); });
  await page.goto("/pricing.html");
  expect(await page.locator('script[src$="microconv.js"]').count()).toBe(2);
  const session = await tagReady(page);
  await page.click("#plan-starter"); // button.cta "Start Starter trial" in a plan: one of each
  const events = await settle(page, baseURL, session);
  expect(names(events)).toEqual(["plan_selected", "trial_cta_click"]);
  expect(messages).toEqual(["warning: microconv: this page includes the tag twice; this copy does nothing"]);
});

test("an outbound link that navigates away: outbound_click arrives once", async ({ page, baseURL }) => {
  await page.goto("/");
  const session = await tagReady(page);
  await page.click("#partner-link");
  await page.waitForURL("https://partner.example/integrations/lumen");
  await expect(page.locator("h1")).toHaveText("Partner site (stub)");
  const [e] = await waitFor(baseURL, session, "outbound_click", 1);
  // Back on the site (same tab, same session): nothing else came with it.
  await page.goto("/signup.html");
  const events = await settle(page, baseURL, session);
  expect(names(events)).toEqual(["outbound_click"]);
  expect(e.trigger).toBe("outbound");
  expect(e.vars).toMatchObject({
    "link.url": "https://partner.example/integrations/lumen",
    "link.host": "partner.example",
    "link.outbound": true,
    "link.download": false,
    "click.id": "partner-link",
    "click.text": "Partner integrations",
  });
  expect(e.page.path).toBe("/");
});

test("partner referral links, the affiliated shop and internal links produce nothing", async ({ page, baseURL }) => {
  const visits = [
    ["/", "#partner-referral", "https://partner.example/join?utm_source=partner&utm_medium=referral"],
    ["/pricing.html", "#shop-link", "https://shop.example.com/merch"],
    ["/product.html", "#affiliate-subdomain", "https://store.shop.example.com/mug"],
    ["/product.html", "#read-article", "**/blog/why-micro-conversions.html"],
    ["/blog/why-micro-conversions.html", "header.site .logo", "**/"], // no scrolling on the article
    ["/pricing.html", "#about-link", "**/"],
  ];
  let session;
  for (const [from, link, to] of visits) {
    await page.goto(from);
    const s = await tagReady(page);
    session = session || s;
    expect(s).toBe(session);
    await page.click(link);
    await page.waitForURL(to);
  }
  await page.goto("/signup.html");
  expect(await settle(page, baseURL, session)).toEqual([]);
});

test("downloading the whitepaper: whitepaper_download once, not an outbound click", async ({ page, baseURL }) => {
  await page.goto("/product.html");
  const session = await tagReady(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#whitepaper")]);
  expect(download.suggestedFilename()).toBe("microconv-whitepaper.pdf");
  const events = await settle(page, baseURL, session);
  expect(names(events)).toEqual(["whitepaper_download"]);
  expect(events[0].trigger).toBe("whitepaper-download");
  expect(events[0].vars).toMatchObject({
    "link.url": baseURL + "/files/microconv-whitepaper.pdf",
    "link.download": true,
    "link.outbound": false,
    "click.id": "whitepaper",
  });
});

test("signing up: the macro conversion once per session, with the plan; other pushes nothing", async ({ page, baseURL }) => {
  await page.goto("/signup.html?plan=pro");
  const session = await tagReady(page);
  await page.evaluate(() => window.dataLayer.push({ event: "help_closed" })); // another name: no trigger
  await page.fill("#signup-email", "jane.doe@company.example");
  await page.click("#signup-submit");
  await expect(page.locator("#signup-thanks")).toBeVisible();
  await waitFor(baseURL, session, "signup", 1);
  // A second signup push in the same session (limit once_per_session), even on another page.
  await page.goto("/signup.html");
  await tagReady(page);
  await page.evaluate(() => window.dataLayer.push({ event: "signup", plan: "starter" }));
  const events = await settle(page, baseURL, session);
  expect(names(events)).toEqual(["signup"]);
  const [e] = events;
  expect(e.trigger).toBe("signup");
  expect(e.macro).toBe(true);
  expect(e.vars).toMatchObject({ event: "signup", "dl.plan": "pro" });
  expect(e.page.path).toBe("/signup.html");
  noPersonalData(events);
  expect(await sessionEvents(baseURL, session)).toHaveLength(events.length + 1);
});
