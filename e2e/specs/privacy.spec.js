// Personal data: a scripted visit of the demo site with e-mail addresses,
// phone numbers, tokens and fragments everywhere a visitor's browser may put
// them (page URLs, referrers, link and CTA URLs, CTA text, the page title,
// dataLayer values, a single-page app's route). Every beacon body the tag
// sends is captured on its way to the real collector and scanned:
// - no e-mail address (plain or %40-encoded) and no long digit run anywhere;
// - in every URL field (page.url, page.referrer, link.url, click.url,
//   video.url) no query parameter other than the rules' allow_query
//   (utm_source, utm_medium, utm_campaign) and no #fragment.
const { test, expect, tagReady, settle, waitFor } = require("../helpers");

const EMAIL = "jane@example.com";
const ALLOWED = ["utm_source", "utm_medium", "utm_campaign"];
const URL_FIELDS = ["link.url", "click.url", "video.url"];
const EMAIL_RE = /[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/i;
// Seven or more digits in groups (phone, card and account numbers), as src/privacy masks them.
const digitRun = (s) => (s.match(/\d(?:[ .()+-]{0,2}\d)*/g) || []).find((run) => run.replace(/\D/g, "").length >= 7);

/** Navigates the way a visitor's click would (so the next page's referrer is this URL). */
async function visit(page, url) {
  await Promise.all([page.waitForURL(url), page.evaluate((u) => { location.href = u; }, url)]);
  return tagReady(page);
}

test("no personal data in any beacon of a visit full of it", async ({ page, context, baseURL }) => {
  const bodies = [];
  await context.route((url) => url.pathname === "/collect", async (route) => {
    bodies.push(route.request().postData() || "");
    await route.continue();
  });

  // Landing from a newsletter: e-mail, token and an OAuth-style fragment in the URL.
  await page.goto(`/?email=${EMAIL}&utm_source=news&token=abc123&utm_campaign=spring#access_token=xyz789`);
  await tagReady(page);
  let session;
  // A CTA the site personalised with the visitor's address, linking with a query.
  await page.evaluate((email) => {
    const a = document.createElement("a");
    a.className = "cta"; a.id = "personal-cta";
    a.href = `/signup.html?email=${encodeURIComponent(email)}&utm_medium=email&phone=5551234567#form`;
    a.textContent = `Start your trial as ${email}`;
    document.querySelector(".hero").appendChild(a);
  }, EMAIL);
  await Promise.all([page.waitForURL(/\/signup\.html/), page.click("#personal-cta")]);
  session = await tagReady(page);

  // Sign-up page (referrer: the landing URL with its query): the site pushes
  // personal values into the dataLayer and personalises the title.
  await page.evaluate((email) => {
    document.title = `Welcome ${email}`;
    window.dataLayer.push({ event: "newsletter_signup", email, phone: "+1 (555) 123-4567", user: { mail: email.replace("@", "%40") } });
  }, EMAIL);
  await page.fill("#signup-email", EMAIL);
  await page.click("#signup-submit");
  await waitFor(baseURL, session, "signup", 1);

  // The blog with personal data in the query and a fragment: read to the end.
  await visit(page, `${baseURL}/blog/why-micro-conversions.html?email=jane%40example.com&utm_medium=email&sid=s3cr3t#comments`);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await waitFor(baseURL, session, "article_read", 3);

  // Pricing: plan CTAs link with a query (?plan=pro).
  await visit(page, `${baseURL}/pricing.html?ref=${EMAIL}&utm_source=news`);
  await page.click("#plan-starter");
  await Promise.all([page.waitForURL(/\/signup\.html\?plan=pro/), page.click("#plan-pro")]);
  await tagReady(page);

  // Product: the demo video, and outbound links with queries and fragments.
  await visit(page, `${baseURL}/product.html?email=${EMAIL}&utm_campaign=spring`);
  await page.evaluate(() => new Promise((resolve, reject) => {
    const v = document.getElementById("demo-video");
    v.addEventListener("ended", resolve, { once: true });
    v.play().catch(reject);
  }));
  await page.evaluate((email) => {
    const a = document.createElement("a");
    a.id = "personal-outbound";
    a.href = `https://partner.example/refer?email=${email}&utm_source=news&token=abc123#me`;
    a.textContent = "Tell a friend";
    document.querySelector("main").appendChild(a);
    a.addEventListener("click", (e) => e.preventDefault());
  }, EMAIL);
  await page.click("#personal-outbound");
  await Promise.all([page.waitForURL(/partner\.example/), page.click("#integration-partner")]);

  // The single-page app: a route whose path, query and title carry the address.
  await page.goto(`/spa/?utm_source=news&email=${EMAIL}`);
  session = await tagReady(page);
  // The first route's reading comes in the tag's first animation frame; a
  // route change before it would make that reading the next route's (the
  // first was never shown), so the visitor reads it first (as in spa.spec.js).
  await waitFor(baseURL, session, "route_read", 2);
  await page.evaluate((email) => {
    history.pushState({}, "", `/spa/share/${email}?email=${encodeURIComponent(email)}&utm_campaign=spring&code=778899001#plans`);
    document.title = `Shared with ${email}`;
  }, EMAIL);
  await waitFor(baseURL, session, "route_read", 4);
  await settle(page, baseURL, session);

  // Every body, every event.
  const events = bodies.flatMap((b) => JSON.parse(b).events);
  const seen = new Set(events.map((e) => e.conversion));
  for (const c of ["trial_cta_click", "newsletter_signup", "signup", "article_read", "plan_selected", "demo_watched", "outbound_click", "route_read"]) {
    expect(seen, `the visit produced ${c}`).toContain(c);
  }
  const problems = [];
  const personal = (where, value) => {
    const email = EMAIL_RE.exec(value);
    if (email) problems.push(`${where}: e-mail address ${email[0]} in ${JSON.stringify(value)}`);
    else if (/jane/i.test(value)) problems.push(`${where}: "jane" in ${JSON.stringify(value)}`);
    const digits = digitRun(value);
    if (digits) problems.push(`${where}: digit run ${digits} in ${JSON.stringify(value)}`);
  };
  // Every text of every event (ids, session and times are the tag's own).
  for (const e of events) {
    for (const [k, v] of Object.entries(e.page)) personal(`${e.conversion} page.${k}`, String(v));
    for (const [k, v] of Object.entries(e.vars)) if (typeof v === "string") personal(`${e.conversion} ${k}`, v);
  }
  // And the raw bodies, in case something leaks outside those fields.
  for (const body of new Set(bodies)) {
    if (EMAIL_RE.test(body) || /jane/i.test(body)) problems.push(`body: ${body.slice(0, 120)}…`);
  }
  let allowedKept = 0;
  for (const e of events) {
    const urls = [["page.url", e.page.url], ["page.referrer", e.page.referrer],
      ...URL_FIELDS.filter((f) => f in e.vars).map((f) => [f, e.vars[f]])];
    for (const [field, value] of urls) {
      if (!value) continue;
      if (value.includes("#")) problems.push(`${e.conversion} ${field} has a fragment: ${value}`);
      const u = new URL(value, baseURL);
      for (const name of u.searchParams.keys()) {
        if (!ALLOWED.includes(name)) problems.push(`${e.conversion} ${field} keeps ?${name}: ${value}`);
        else allowedKept++;
      }
    }
    if (/[?#]/.test(e.page.path)) problems.push(`${e.conversion} page.path ${e.page.path}`);
  }
  // One line per distinct problem (a retried body repeats them).
  expect([...new Set(problems)]).toEqual([]);
  // The allowed campaign parameters do survive (the filter is not "drop every query").
  expect(allowedKept).toBeGreaterThan(0);
});
