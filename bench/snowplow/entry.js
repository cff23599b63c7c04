// The Snowplow variant of the benchmark: @snowplow/browser-tracker with its
// link-click, button-click and (generic) media plugins, configured to track what
// www/rules.json tracks. esbuild bundles this file into one IIFE (bench/lib/snowplow.js);
// a page loads it like microconv: <script async src="/microconv/snowplow.<hash>.js"></script>.
//
// Equivalences with www/rules.json (Snowplow has no rules engine: filters are code):
// - article-read (scroll 50/75/100 %): Snowplow core has no scroll thresholds; its
//   activity tracking sends page pings carrying the scroll offsets (needs a page view).
// - demo-video (start, 25/50/75 %, complete): the HTML5 media plugin
//   (@snowplow/browser-plugin-media-tracking) is not on the npm registry here, so the
//   generic media plugin is driven from the <video>'s events below, boundaries 25/50/75.
// - trial-cta (button.cta whose text contains "trial"): button-click plugin + filter.
//   (It only sees <button>s; the benchmark clicks a <button class="cta">.)
// - outbound / whitepaper-download: link-click plugin + filter (outbound, not
//   affiliated, no utm_source=partner; or a download link).
import { newTracker, trackPageView, enableActivityTracking } from "@snowplow/browser-tracker";
import { LinkClickTrackingPlugin, enableLinkClickTracking } from "@snowplow/browser-plugin-link-click-tracking";
import { ButtonClickTrackingPlugin, enableButtonClickTracking } from "@snowplow/browser-plugin-button-click-tracking";
import {
  SnowplowMediaPlugin, startMediaTracking, updateMediaTracking,
  trackMediaPlay, trackMediaPause, trackMediaEnd,
} from "@snowplow/browser-plugin-media";

const AFFILIATED = ["shop.example.com"];

function outbound(a) {
  const host = a.hostname;
  if (!host || host === location.hostname) return false;
  return !AFFILIATED.some((d) => host === d || host.endsWith("." + d));
}

newTracker("sp", location.origin, {
  appId: "microconv-bench",
  platform: "web",
  eventMethod: "post",
  plugins: [LinkClickTrackingPlugin(), ButtonClickTrackingPlugin(), SnowplowMediaPlugin()],
});
enableActivityTracking({ minimumVisitLength: 2, heartbeatDelay: 2 });
enableLinkClickTracking({
  options: {
    filter: (a) => a.hasAttribute("download") || (outbound(a) && !a.href.includes("utm_source=partner")),
  },
});
enableButtonClickTracking({
  filter: (el) => el.classList.contains("cta") && /trial/i.test(el.textContent || ""),
});
trackPageView();

// HTML5 video -> generic media plugin, for the videos rules.json tracks (demo.(mp4|webm)).
// Media events do not bubble: one capturing listener per type on the document (as
// microconv does) also sees videos added after this script ran.
const ids = new WeakMap();
let n = 0;
function player(v) {
  return {
    currentTime: v.currentTime, duration: isFinite(v.duration) ? v.duration : null,
    paused: v.paused, ended: v.ended, muted: v.muted, playbackRate: v.playbackRate,
    label: v.title || undefined, mediaType: "video", playerType: "html5",
  };
}
function media(track) {
  return (e) => {
    const v = e.target;
    if (!(v instanceof HTMLVideoElement) || !/demo\.(mp4|webm)$/i.test(v.currentSrc || v.src)) return;
    let id = ids.get(v);
    if (!id) {
      id = "video-" + ++n;
      ids.set(v, id);
      startMediaTracking({ id, player: player(v), boundaries: [25, 50, 75] });
    }
    track({ id, player: player(v) }, v);
  };
}
const on = (type, track) => document.addEventListener(type, media(track), { capture: true, passive: true });
// (Wrapped: the plugin's second parameter is a list of tracker ids.)
on("play", (a) => trackMediaPlay(a));
on("pause", (a, v) => { if (!v.ended) trackMediaPause(a); });
on("timeupdate", (a) => updateMediaTracking(a));
on("ended", (a) => trackMediaEnd(a));

// "Ready": everything above has returned. __benchT0 is set by the bundle's first line.
// Logged like microconv's data-debug line, which the benchmark reads the same way.
console.debug("snowplow-bench: ready " + (performance.now() - window.__benchT0).toFixed(1) + " ms after script start");
