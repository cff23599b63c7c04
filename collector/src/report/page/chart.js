// The report's trend chart, drawn as inline SVG (no library, no CDN): sessions
// per day above, sessions with a macro conversion per day below, each on its
// own scale (a few percent of the sessions would not show on theirs).
window.Report = window.Report || {};
(function (R) {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";

  /** An SVG element `tag` with `attrs`, in `parent`. */
  function svg(parent, tag, attrs, text) {
    var el = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text != null) el.textContent = text;
    parent.appendChild(el);
    return el;
  }

  /** One band of bars: `values` scaled to their maximum in `[top, top + height)`. */
  function band(root, days, pick, box, cls, label) {
    var max = days.reduce(function (m, d) { return Math.max(m, pick(d)); }, 0);
    var step = box.width / Math.max(days.length, 1);
    var gap = step > 6 ? 1 : 0;
    svg(root, "line", { x1: box.left, x2: box.left + box.width, y1: box.top + box.height, y2: box.top + box.height, class: "axis" });
    svg(root, "text", { x: box.left, y: box.top - 4, class: "label" }, label + (max ? " (max " + max.toLocaleString() + ")" : ""));
    days.forEach(function (d, i) {
      var v = pick(d);
      var h = max ? Math.max(v ? 1 : 0, Math.round(box.height * v / max)) : 0;
      var bar = svg(root, "rect", {
        x: (box.left + i * step + gap / 2).toFixed(1), y: box.top + box.height - h,
        width: Math.max(step - gap, 0.5).toFixed(1), height: h, class: cls,
      });
      svg(bar, "title", {}, d.day + ": " + v.toLocaleString() + " " + label.toLowerCase());
    });
  }

  /** Draws `days` (`[{day, sessions, macro_sessions}]`) in `container`, as wide as it is. */
  R.trend = function (container, days) {
    container.textContent = "";
    if (!days.length) return;
    var width = Math.max(container.clientWidth, 240);
    var height = 210;
    var root = svg(container, "svg", {
      width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": "Sessions and sessions with a macro conversion per day, " + days[0].day + " to " + days[days.length - 1].day,
    });
    var left = 4, inner = width - 2 * left;
    band(root, days, function (d) { return d.sessions; }, { left: left, top: 18, width: inner, height: 96 }, "bar", "Sessions");
    band(root, days, function (d) { return d.macro_sessions; }, { left: left, top: 138, width: inner, height: 48 }, "bar macro", "Macro sessions");
    // The first, middle and last days under the bars.
    var ticks = [0, Math.floor((days.length - 1) / 2), days.length - 1].filter(function (v, i, a) { return a.indexOf(v) === i; });
    var step = inner / days.length;
    ticks.forEach(function (i, k) {
      var anchor = k === 0 ? "start" : i === days.length - 1 ? "end" : "middle";
      var x = anchor === "start" ? left : anchor === "end" ? left + inner : left + (i + 0.5) * step;
      svg(root, "text", { x: x.toFixed(1), y: height - 6, "text-anchor": anchor, class: "tick" }, days[i].day);
    });
  };
})(window.Report);
