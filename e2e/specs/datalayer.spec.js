// GTM's data layer and page globals end to end on the demo site: a custom
// trigger that matches event names by regular expression, a js.* condition
// that reads the page's own globals, and a click trigger whose condition
// reads a value an earlier push set.
const { test, expect, tagReady, settle, waitFor } = require("../helpers");

test("chat_* events by regular expression, except the team's own (js.lumen.user.role)", async ({ page, baseURL }) => {
  await page.goto("/signup.html");
  const session = await tagReady(page);
  await page.evaluate(() => window.dataLayer.push({ event: "newchat_opened" })); // not ^chat_
  await page.click("#open-chat"); // the page pushes chat_opened
  const [chat] = await waitFor(baseURL, session, "chat_started", 1);
  expect(chat.trigger).toBe("chat");
  expect(chat.vars).toEqual({ event: "chat_opened", "dl.channel": "web" });
  expect(JSON.stringify(chat.vars)).not.toMatch(/js\.|role/); // js.* is never sent

  // On the next page a staff member opens the chat: the unless holds.
  await page.goto("/signup.html");
  await tagReady(page);
  await page.evaluate(() => { window.lumen.user.role = "staff"; });
  await page.click("#open-chat");
  await page.evaluate(() => window.dataLayer.push({ event: "chat_message_sent" }));
  const events = await settle(page, baseURL, session);
  expect(events.filter((e) => e.conversion === "chat_started")).toHaveLength(1);
});

test("a trial CTA counts unless an earlier push said the visitor is logged in", async ({ page, baseURL }) => {
  await page.goto("/pricing.html");
  const session = await tagReady(page);
  // The site's login state, pushed without an event (GTM's merged model).
  await page.evaluate(() => window.dataLayer.push({ user: { loggedIn: true, plan: "pro" } }));
  await page.click("#plan-starter");
  // The visitor logs out: the same click now counts.
  await page.evaluate(() => window.dataLayer.push({ user: { loggedIn: false } }));
  await page.click("#plan-starter");
  const events = await settle(page, baseURL, session);
  const trial = events.filter((e) => e.conversion === "trial_cta_click");
  expect(trial).toHaveLength(1);
  expect(trial[0].vars["click.id"]).toBe("plan-starter");
  // The earlier push's other key stays in the model, and is not sent with a click.
  expect(JSON.stringify(trial[0])).not.toContain("dl.user");
});
