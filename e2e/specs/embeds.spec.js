// YouTube and Vimeo embeds end to end: the offline stand-ins of
// www/test/players/ (which speak each provider's postMessage protocol, see
// docs/embeds-protocol.md) are played through with a seek, from another
// origin, and the tag reports GTM's statuses as for HTML5 video.
const { test, expect, tagReady, waitFor, settle } = require("../helpers");

/** Sends the stand-in player `id` a test control message (play, pause, seek). */
async function control(page, id, msg) {
  await page.evaluate(([id, msg]) => document.getElementById(id).contentWindow.postMessage(msg, "*"), [id, msg]);
}

/** `status` or `progress:<percent>` of each event of `provider`. */
function milestones(events, provider) {
  return events.filter((e) => e.vars["video.provider"] === provider)
    .map((e) => (e.vars["video.status"] === "progress" ? `progress:${e.vars["video.percent"]}` : e.vars["video.status"]));
}

for (const [id, provider, url, title] of [
  ["yt", "youtube", "https://youtu.be/mcDemo01", "Demo on YouTube"],
  // Beacons mask long numbers in URLs (they may be someone's id), so a
  // Vimeo id shows as [number]; conditions see the real URL.
  ["vimeo", "vimeo", "https://vimeo.com/[number]", "Demo on Vimeo"],
]) {
  test(`a ${provider} embed played through with a seek: start, 25 %, seek, complete`, async ({ page, baseURL }) => {
    await page.goto("/test/embeds.html");
    const session = await tagReady(page);
    // The tag and the player find each other (YouTube: "listening" until answered).
    await page.waitForTimeout(1500);
    await control(page, id, { mc_test: "play" });
    await waitFor(baseURL, session, "embed_watched", 2); // start, then 25 %
    // Playing at a quarter speed (4 s of video in 16 s): seek from about a
    // third to 7/8, over the 50 and 75 % thresholds.
    await control(page, id, { mc_test: "seek", to: 3.5 });
    const events = await waitFor(baseURL, session, "embed_watched", 4);
    expect(milestones(events, provider)).toEqual(["start", "progress:25", "seek", "complete"]);
    for (const e of events) {
      expect(e.vars["video.url"]).toBe(url);
      expect(e.vars["video.title"]).toBe(title);
      expect(e.trigger).toBe("embed-video");
    }
    expect(events[3].vars["video.duration"]).toBeCloseTo(4, 0);
    // The other player did nothing.
    await page.evaluate(() => window.dataLayer.push({ event: "newsletter_signup" }));
    await waitFor(baseURL, session, "newsletter_signup", 1);
    expect((await settle(page, baseURL, session)).filter((e) => e.conversion === "embed_watched")).toHaveLength(4);
  });
}
