// The report page: a site and a date range chosen above, the answers of
// GET /api/report drawn below (headline, trend, segments, engagement,
// funnels, acquisition), and the latest events of GET /api/conversions.
// It polls only after the last answer came, and backs off when they fail or
// are slow. Everything shown comes from beacons: text only, never HTML.
(function (R) {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var POLL_MS = 5000, MAX_POLL_MS = 60000, PAGE = 25;
  var TZ = (Intl.DateTimeFormat().resolvedOptions().timeZone) || "UTC";

  var share = document.querySelector('meta[name="microconv-share"]').content;
  var state = { site: "", range: "29", from: "", to: "", offset: 0, conversion: "", path: "" };
  var last = { report: null, events: null, next: null };
  var poll = { timer: 0, failures: 0, abort: null, loaded: false };
  var siteAsked = false; // the address names a site (or "*", every site)
  var asked = 0; // events requests so far: only the last one's answer is drawn

  // ---- formatting ----
  var en = "en-US";
  function count(n) { return n == null ? "–" : n.toLocaleString(en); }
  function pct(r) {
    if (r == null) return "–";
    var p = r * 100;
    return (p !== 0 && Math.abs(p) < 1 ? p.toFixed(2) : p.toFixed(1)) + "%";
  }
  function interval(low, high) { return low == null ? "" : " (" + pct(low).replace("%", "") + "–" + pct(high) + ")"; }
  function duration(ms) {
    if (ms == null) return "–";
    var s = Math.round(ms / 1000);
    if (s < 60) return s + " s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + " min " + (s % 60) + " s";
    return Math.floor(m / 60) + " h " + (m % 60) + " min";
  }
  function decimal(v) { return v == null ? "–" : v.toFixed(1); }
  function change(now, before) {
    if (!before) return "";
    var d = (now - before) / before;
    return " (" + (d >= 0 ? "+" : "−") + Math.abs(Math.round(d * 100)) + "%)";
  }

  // ---- dates ----
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function iso(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function daysAgo(n) { var d = new Date(); d.setDate(d.getDate() - n); return iso(d); }
  /** The chosen `[from, to]` days. */
  function dates() {
    if (state.range === "custom" && state.from && state.to) return [state.from, state.to];
    var n = Number(state.range === "custom" ? 29 : state.range);
    return [daysAgo(n), daysAgo(0)];
  }
  /** Epoch ms of the local midnight starting `day` (`YYYY-MM-DD`), `plus` days later. */
  function midnight(day, plus) {
    var p = day.split("-").map(Number);
    return new Date(p[0], p[1] - 1, p[2] + (plus || 0)).getTime();
  }

  // ---- the API ----
  /** GET `url` as JSON; a reason when it fails, or has no answer within 30 s. */
  function getJSON(url, signal) {
    var timeout = new AbortController();
    var timer = setTimeout(function () { timeout.abort(); }, 30000);
    if (signal) signal.addEventListener("abort", function () { timeout.abort(); });
    var init = { cache: "no-store", credentials: "same-origin", signal: timeout.signal };
    if (share) init.headers = { Authorization: "Bearer " + share };
    return fetch(url, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw new Error(url.split("?")[0] + ": " + (body.error || "HTTP " + r.status));
        return body;
      });
    }, function (e) {
      if (signal && signal.aborted) throw e;
      throw new Error(url.split("?")[0] + ": " + (timeout.signal.aborted ? "no answer in 30 s" : "unreachable"));
    }).finally(function () { clearTimeout(timer); });
  }
  function query(params) {
    return Object.keys(params).filter(function (k) { return params[k] !== "" && params[k] != null; })
      .map(function (k) { return k + "=" + encodeURIComponent(params[k]); }).join("&");
  }
  function reportURL() {
    var d = dates();
    return "/api/report?" + query({ site: state.site, from: d[0], to: d[1], tz: TZ });
  }
  function eventsURL() {
    var d = dates();
    return "/api/conversions?" + query({
      site: state.site, since: midnight(d[0]), until: midnight(d[1], 1), conversion: state.conversion,
      path: state.path, limit: PAGE, offset: state.offset,
    });
  }

  // ---- drawing ----
  function showHeadline(r) {
    var p = r.previous;
    $("period").textContent = (r.site || "Every site") + ", " + r.from + " to " + r.to + " (" + r.time_zone + ")";
    $("sessions").textContent = count(r.sessions);
    $("macro-sessions").textContent = count(r.macro_sessions);
    $("macro-rate").textContent = pct(r.macro_rate);
    var ci = document.createElement("small");
    ci.textContent = r.low == null ? "" : " 95%: " + interval(r.low, r.high).slice(2, -1);
    $("macro-rate").appendChild(ci);
    var before = "previous period (" + p.from + " to " + p.to + "): ";
    $("sessions-prev").textContent = before + count(p.sessions) + change(r.sessions, p.sessions);
    $("macro-sessions-prev").textContent = before + count(p.macro_sessions) + change(r.macro_sessions, p.macro_sessions);
    $("macro-rate-prev").textContent = before + pct(p.macro_rate);
    $("visitors-card").hidden = r.visitors == null;
    $("visitors").textContent = count(r.visitors);
    $("macro-visitors").textContent = r.visitors == null ? "" : count(r.macro_visitors) + " with a macro conversion";
    var macros = r.macro_conversions.length
      ? "Macro conversions (from the site's rules): " + r.macro_conversions.join(", ") + "."
      : "The rules mark no macro conversion: give the goal \"macro\": true.";
    $("headline-note").textContent = macros + " " + count(r.bot_sessions) + " bot session" +
      (r.bot_sessions === 1 ? "" : "s") + " (by User-Agent) left out.";
  }

  var SEGMENT = [
    { head: "Micro conversion", key: "conversion", text: function (s) { return s.conversion; } },
    { head: "Sessions", key: "sessions", num: true, text: function (s) { return count(s.sessions); }, csv: function (s) { return s.sessions; } },
    { head: "Converted", key: "macro_sessions", num: true, text: function (s) { return count(s.macro_sessions); }, csv: function (s) { return s.macro_sessions; } },
    { head: "Macro rate (95% CI)", key: "rate", num: true, text: function (s) { return pct(s.rate) + interval(s.low, s.high); }, csv: function (s) { return s.rate; } },
    { key: "low", csvOnly: true, csv: function (s) { return s.low; } },
    { key: "high", csvOnly: true, csv: function (s) { return s.high; } },
    { head: "Others", key: "others_sessions", num: true, text: function (s) { return count(s.others_sessions); }, csv: function (s) { return s.others_sessions; } },
    { key: "others_macro_sessions", csvOnly: true, csv: function (s) { return s.others_macro_sessions; } },
    { head: "Others' rate", key: "others_rate", num: true, text: function (s) { return pct(s.others_rate); }, csv: function (s) { return s.others_rate; } },
    { head: "Lift", key: "lift", num: true, text: function (s) { return s.lift == null ? "–" : s.lift.toFixed(2) + "×"; }, csv: function (s) { return s.lift; } },
    {
      head: "Significant", key: "significant",
      text: function (s) { return (s.significant ? "yes" : "no") + (s.p_value == null ? "" : " (p = " + s.p_value.toPrecision(2) + ")"); },
      csv: function (s) { return s.significant; },
    },
    { key: "p_value", csvOnly: true, csv: function (s) { return s.p_value; } },
    { key: "test", csvOnly: true, csv: function (s) { return s.test; } },
  ];
  var VISITORS = [
    { head: "Visitors", key: "visitors", num: true, text: function (s) { return count(s.visitors); }, csv: function (s) { return s.visitors; } },
    { head: "Converted visitors", key: "macro_visitors", num: true, text: function (s) { return count(s.macro_visitors); }, csv: function (s) { return s.macro_visitors; } },
  ];

  function showSegments(r) {
    var columns = r.visitors == null ? SEGMENT : SEGMENT.concat(VISITORS);
    var empty = r.macro_conversions.length ? "no micro conversion in this period" : "no macro conversion in the rules";
    R.table($("segments"), columns, r.segments, empty);
    R.keep("segments", columns, r.segments);
    var ul = $("sentences");
    ul.textContent = "";
    r.segments.forEach(function (s) {
      var li = document.createElement("li");
      li.className = s.significant ? "sentence significant" : "sentence";
      li.textContent = s.sentence;
      ul.appendChild(li);
    });
  }

  function showEngagement(r) {
    var rows = [{ conversion: "every session", engagement: r.engagement, others_engagement: null }].concat(r.segments);
    var e = function (k, f) { return function (s) { return s[k] && f(s[k]); }; };
    var pages = function (g) { return g.pages_per_session; }, length = function (g) { return g.mean_length_ms; };
    var columns = [
      { head: "Sessions that did", key: "segment", text: function (s) { return s.conversion; } },
      { head: "Pages per session", key: "pages_per_session", num: true, text: function (s) { return decimal(pages(s.engagement)); }, csv: e("engagement", pages) },
      { head: "… the rest", key: "others_pages_per_session", num: true, text: function (s) { return s.others_engagement ? decimal(pages(s.others_engagement)) : ""; }, csv: e("others_engagement", pages) },
      { head: "Session length", key: "mean_length_ms", num: true, text: function (s) { return duration(length(s.engagement)); }, csv: e("engagement", length) },
      { head: "… the rest", key: "others_mean_length_ms", num: true, text: function (s) { return s.others_engagement ? duration(length(s.others_engagement)) : ""; }, csv: e("others_engagement", length) },
    ];
    R.table($("engagement"), columns, rows);
    R.keep("engagement", columns, rows);
  }

  var STEP = [
    { key: "funnel", csvOnly: true, csv: function (s) { return s.funnel; } },
    { head: "Step", key: "conversion", text: function (s) { return s.step + ". " + s.conversion; }, csv: function (s) { return s.conversion; } },
    { key: "step", csvOnly: true, csv: function (s) { return s.step; } },
    { head: "Sessions", key: "sessions", num: true, text: function (s) { return count(s.sessions); }, csv: function (s) { return s.sessions; } },
    { head: "Dropped", key: "drop_off", num: true, text: function (s) { return s.step === 1 ? "" : count(s.drop_off); }, csv: function (s) { return s.drop_off; } },
    { head: "From step 1", key: "from_first", num: true, text: function (s) { return pct(s.from_first); }, csv: function (s) { return s.from_first; } },
    { head: "Median time from the step before", key: "median_ms", num: true, text: function (s) { return s.step === 1 ? "" : duration(s.median_ms); }, csv: function (s) { return s.median_ms; } },
  ];

  function showFunnels(r) {
    var list = $("funnel-list"), all = [];
    list.textContent = "";
    if (!r.funnels.length) {
      var p = document.createElement("p");
      p.className = "empty";
      p.textContent = r.site ? "The rules declare no funnel (\"funnels\": [{\"id\", \"name\", \"steps\"}])."
        : "Funnels are per site: choose one above.";
      list.appendChild(p);
    }
    r.funnels.forEach(function (f) {
      var rows = f.steps.map(function (s, i) { return Object.assign({ funnel: f.id, step: i + 1 }, s); });
      var h = document.createElement("h3");
      h.textContent = f.name;
      var wrap = document.createElement("div");
      wrap.className = "scroll";
      var table = document.createElement("table");
      table.className = "funnel";
      table.setAttribute("data-funnel", f.id);
      wrap.appendChild(table);
      list.append(h, wrap);
      R.table(table, STEP, rows);
      all = all.concat(rows);
    });
    R.keep("funnels", STEP, all);
  }

  var DIMENSIONS = { source: "Source", medium: "Medium", campaign: "Campaign", referrer: "Referrer", landing: "Landing page" };
  var TOP = 10;

  /** The columns of an acquisition table (`dimension` names its values). */
  function acquisitionColumns(dimension) {
    var none = dimension === "referrer" ? "(direct)" : dimension === "landing" ? "(unknown)" : "(none)";
    return [
      { key: "dimension", csvOnly: true, csv: function (x) { return x.dimension; } },
      { head: DIMENSIONS[dimension] || dimension, key: "value", text: function (x) { return x.value == null ? none : x.value; }, csv: function (x) { return x.value; } },
      { head: "Sessions", key: "sessions", num: true, text: function (x) { return count(x.sessions); }, csv: function (x) { return x.sessions; } },
      { key: "macro_sessions", csvOnly: true, csv: function (x) { return x.macro_sessions; } },
      { head: "Macro rate", key: "macro_rate", num: true, text: function (x) { return pct(x.macro_rate); }, csv: function (x) { return x.macro_rate; } },
    ];
  }

  function showAcquisition(r) {
    var list = $("acquisition-list"), all = [];
    list.textContent = "";
    r.acquisition.forEach(function (a) {
      var rows = a.rows.map(function (x) { return Object.assign({ dimension: a.dimension }, x); });
      var box = document.createElement("div");
      var table = document.createElement("table");
      table.setAttribute("data-dimension", a.dimension);
      box.appendChild(table);
      R.table(table, acquisitionColumns(a.dimension), rows.slice(0, TOP), "no sessions");
      if (rows.length > TOP) {
        var more = document.createElement("p");
        more.className = "note";
        more.textContent = (rows.length - TOP) + " more in the CSV";
        box.appendChild(more);
      }
      list.appendChild(box);
      all = all.concat(rows);
    });
    R.keep("acquisition", acquisitionColumns(""), all);
  }

  function showTrend(r) {
    R.trend($("trend-chart"), r.trend);
    R.keep("trend", [
      { key: "day", text: function (d) { return d.day; } },
      { key: "sessions", text: function (d) { return d.sessions; } },
      { key: "macro_sessions", text: function (d) { return d.macro_sessions; } },
    ], r.trend);
  }

  var EVENT = [
    { head: "Time", key: "at", text: function (e) { return new Date(e.at).toLocaleString(en); }, csv: function (e) { return new Date(e.at).toISOString(); } },
    { head: "Conversion", key: "conversion", text: function (e) { return e.conversion; }, mark: function (e) { return e.macro ? "macro" : ""; } },
    { key: "macro", csvOnly: true, csv: function (e) { return e.macro; } },
    { head: "Trigger", key: "trigger", text: function (e) { return e.trigger; } },
    { key: "site", csvOnly: true, csv: function (e) { return e.site; } },
    { head: "Page", key: "path", text: function (e) { return e.page && e.page.path; } },
    { head: "Session", key: "session", text: function (e) { return e.session ? e.session.slice(0, 8) : ""; }, csv: function (e) { return e.session; } },
    { key: "visitor", csvOnly: true, csv: function (e) { return e.visitor; } },
    { key: "rules", csvOnly: true, csv: function (e) { return e.rules; } },
    {
      head: "Variables", key: "vars",
      text: function (e) { return Object.keys(e.vars || {}).map(function (k) { return k + "=" + e.vars[k]; }).join("  "); },
      csv: function (e) { return JSON.stringify(e.vars || {}); },
    },
  ];

  function showEvents(page) {
    last.next = page.next_offset;
    R.table($("events"), EVENT, page.events, state.conversion || state.path ? "no event matches" : "no event in this period");
    R.keep("events", EVENT, page.events);
    $("newer").disabled = state.offset === 0;
    $("older").disabled = page.next_offset == null;
    $("page-of").textContent = page.events.length
      ? "events " + (state.offset + 1) + "–" + (state.offset + page.events.length) : "";
  }

  /** The conversions the event filter offers: the report's, and the one chosen. */
  function offerConversions(r) {
    var select = $("event-conversion"), have = {};
    for (var i = 1; i < select.options.length; i++) have[select.options[i].value] = true;
    var names = r.macro_conversions.concat(r.segments.map(function (s) { return s.conversion; }));
    r.funnels.forEach(function (f) { f.steps.forEach(function (s) { names.push(s.conversion); }); });
    names.forEach(function (n) {
      if (!have[n]) { have[n] = true; select.add(new Option(n, n)); }
    });
  }

  function showReport(r) {
    last.report = r;
    showHeadline(r);
    showTrend(r);
    showSegments(r);
    showEngagement(r);
    showFunnels(r);
    showAcquisition(r);
    offerConversions(r);
  }

  // ---- loading and polling ----
  /** Loads the report and (on the first page of events) the events, then polls again. */
  function refresh() {
    clearTimeout(poll.timer);
    if (poll.abort) poll.abort.abort();
    var abort = poll.abort = new AbortController();
    var started = Date.now();
    var events = state.offset === 0 || !last.events ? getJSON(eventsURL(), abort.signal) : null;
    var mine = events ? ++asked : 0;
    Promise.all([getJSON(reportURL(), abort.signal), events]).then(function (res) {
      if (abort !== poll.abort) return;
      showReport(res[0]);
      if (res[1] && mine === asked) { last.events = res[1]; showEvents(res[1]); }
      poll.failures = 0;
      $("error").textContent = "";
      $("updated").textContent = "updated " + new Date().toLocaleTimeString(en);
      if (!poll.loaded) { poll.loaded = true; document.body.setAttribute("data-loaded", "true"); }
      // A slow answer waits ten times as long before the next ask.
      schedule(Math.min(Math.max(POLL_MS, 10 * (Date.now() - started)), MAX_POLL_MS));
    }).catch(function (e) {
      if (abort !== poll.abort || e.name === "AbortError") return;
      // A time zone the collector does not know: UTC rather than nothing.
      if (TZ !== "UTC" && /tz must be/.test(e.message)) { TZ = "UTC"; refresh(); return; }
      poll.failures++;
      var wait = Math.min(POLL_MS * Math.pow(2, poll.failures), MAX_POLL_MS);
      $("error").textContent = String(e.message || e);
      $("updated").textContent = "trying again in " + wait / 1000 + " s";
      schedule(wait);
    });
  }
  /** Asks again in `ms`; `#status[data-scheduled]` says "count:ms" (the tests wait on it). */
  function schedule(ms) {
    clearTimeout(poll.timer);
    poll.scheduled = (poll.scheduled || 0) + 1;
    $("status").setAttribute("data-scheduled", poll.scheduled + ":" + ms);
    poll.timer = setTimeout(function () { if (!document.hidden) refresh(); else poll.timer = 0; }, ms);
  }
  /** Loads another page of events (the report stays as it is). */
  function page(offset) {
    state.offset = offset;
    remember();
    var mine = ++asked; // only the last page asked for is drawn
    getJSON(eventsURL()).then(function (p) {
      if (mine === asked) { last.events = p; showEvents(p); }
    }, function (e) { $("error").textContent = String(e.message || e); });
  }

  // ---- controls ----
  /** The choices in the address, so a reload or a shared address shows the same. */
  function remember() {
    var q = query({ site: state.site || "*", range: state.range === "29" ? "" : state.range,
      from: state.range === "custom" ? state.from : "", to: state.range === "custom" ? state.to : "" });
    history.replaceState(null, "", location.pathname + (q ? "?" + q : ""));
  }
  function recall() {
    var q = new URLSearchParams(location.search);
    state.site = q.get("site") || "";
    siteAsked = q.has("site");
    if (state.site === "*") state.site = "";
    var range = q.get("range") || "29";
    if ($("range").querySelector('option[value="' + CSS.escape(range) + '"]')) state.range = range;
    state.from = q.get("from") || "";
    state.to = q.get("to") || "";
    $("range").value = state.range;
    $("custom").hidden = state.range !== "custom";
    var d = dates();
    $("from").value = d[0];
    $("to").value = d[1];
  }
  function chosen() {
    if (state.site !== $("site").value) {
      var select = $("event-conversion");
      while (select.options.length > 1) select.remove(1);
      state.conversion = "";
    }
    state.site = $("site").value;
    state.range = $("range").value;
    $("custom").hidden = state.range !== "custom";
    if (state.range === "custom") {
      if (!$("from").value || !$("to").value) return;
      state.from = $("from").value;
      state.to = $("to").value;
    } else {
      var d = dates();
      $("from").value = d[0];
      $("to").value = d[1];
    }
    state.offset = 0;
    last.events = null;
    remember();
    refresh();
  }
  function loadSites() {
    return getJSON("/api/sites").then(function (s) {
      var select = $("site");
      s.sites.forEach(function (site) { select.add(new Option(site, site)); });
      if (state.site && s.sites.indexOf(state.site) < 0) select.add(new Option(state.site, state.site));
      if (!siteAsked && s.sites.length) state.site = s.sites[0];
      if (share) select.remove(0);
      select.value = state.site;
      select.disabled = !!share;
    }).catch(function (e) { $("error").textContent = String(e.message || e); });
  }

  $("controls").addEventListener("change", chosen);
  $("controls").addEventListener("submit", function (e) { e.preventDefault(); chosen(); });
  $("event-filters").addEventListener("submit", function (e) {
    e.preventDefault();
    state.conversion = $("event-conversion").value;
    state.path = $("event-path").value.trim();
    page(0);
  });
  $("event-conversion").addEventListener("change", function () {
    state.conversion = $("event-conversion").value;
    page(0);
  });
  $("newer").addEventListener("click", function () { page(Math.max(0, state.offset - PAGE)); });
  $("older").addEventListener("click", function () { if (last.next != null) page(last.next); });
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button.csv");
    if (!b) return;
    var d = dates(), name = b.getAttribute("data-table");
    R.download(name, "microconv-" + (state.site || "every-site") + "-" + name + "-" + d[0] + "-" + d[1] + ".csv");
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !poll.timer) refresh();
  });
  var resized = 0;
  window.addEventListener("resize", function () {
    clearTimeout(resized);
    resized = setTimeout(function () { if (last.report) R.trend($("trend-chart"), last.report.trend); }, 150);
  });
  if (share) $("logout").hidden = true;

  recall();
  loadSites().then(function () { remember(); refresh(); });
})(window.Report);
