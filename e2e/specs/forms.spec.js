// Forms end to end, on the demo's pricing page: choosing the team size
// starts the sales form (once), and submitting it, which navigates to the
// thank-you page, still delivers its beacon, with the form's facts and
// none of its values.
const { test, expect, tagReady, settle, waitFor } = require("../helpers");

test("the sales form: started once, its submission delivered across the navigation", async ({ page, baseURL }) => {
  await page.goto("/pricing.html");
  const session = await tagReady(page);
  await page.selectOption("#sales-team", "100+");
  await page.selectOption("#sales-team", "1-10");
  const [started] = await waitFor(baseURL, session, "sales_form_started", 1);
  expect(started.vars["form.id"]).toBe("sales-form");
  await page.click("#sales-submit");
  await expect(page).toHaveURL(/\/thank-you\/\?team=1-10$/);
  const [sent] = await waitFor(baseURL, session, "sales_form_submitted", 1);
  expect(sent.page.path).toBe("/pricing.html");
  expect(sent.vars).toEqual({
    "form.id": "sales-form", "form.classes": "stack", "form.action": `${baseURL}/thank-you/`,
    "form.method": "get", "form.fields": 2,
  });
  expect(JSON.stringify(sent)).not.toContain("1-10");
  const others = await settle(page, baseURL, session);
  expect(others.filter((e) => e.conversion === "sales_form_started")).toHaveLength(1);
  expect(others.filter((e) => e.conversion === "sales_form_submitted")).toHaveLength(1);
});
