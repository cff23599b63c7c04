// Everything shown comes from beacons, which anyone can send: text only, never HTML.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var select = $("macro-select");

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function fill(tableId, rows, columns, emptyText) {
    var tbody = $(tableId).tBodies[0];
    var fresh = document.createElement("tbody");
    if (!rows.length) {
      var tr = fresh.insertRow();
      var td = cell(tr, emptyText || "nothing yet", "empty");
      td.colSpan = $(tableId).tHead.rows[0].cells.length;
    }
    rows.forEach(function (row) {
      var tr = fresh.insertRow();
      columns(row, tr);
    });
    $(tableId).replaceChild(fresh, tbody);
  }
  function pct(r) { return r == null ? "–" : (Math.round(r * 1000) / 10) + "%"; }
  function human(name) { return name.replace(/_/g, " "); }

  function showSummary(s) {
    $("total").textContent = s.total;
    $("sessions").textContent = s.sessions;
    $("macro-sessions").textContent = s.macro_sessions;
    var max = s.conversions.reduce(function (m, c) { return Math.max(m, c.count); }, 1);
    fill("conversions", s.conversions, function (c, tr) {
      var name = cell(tr, c.conversion);
      if (c.macro) { var tag = document.createElement("span"); tag.className = "macro"; tag.textContent = "macro"; name.appendChild(tag); }
      cell(tr, c.count, "num");
      cell(tr, c.sessions, "num");
      var bar = document.createElement("span"); bar.className = "bar"; bar.style.width = Math.round(120 * c.count / max) + "px";
      cell(tr, "").appendChild(bar);
    });
    // Keep the macro choices in step with the conversions seen.
    var known = {};
    for (var i = 1; i < select.options.length; i++) known[select.options[i].value] = true;
    s.conversions.forEach(function (c) {
      if (!known[c.conversion]) select.add(new Option(c.conversion, c.conversion));
    });
    var macroName = s.macro.length ? s.macro.join(" or ") : "a macro conversion";
    fill("funnel", s.funnel, function (f, tr) {
      cell(tr, f.conversion);
      cell(tr, f.sessions, "num");
      cell(tr, f.converted, "num");
      cell(tr, pct(f.rate), "num");
      cell(tr, f.other_sessions, "num");
      cell(tr, pct(f.other_rate), "num");
    }, s.macro.length ? "no micro conversion yet" : "no macro conversion: mark one with \"macro\": true in the rules, or pick one above");
    var ul = $("sentences");
    ul.textContent = "";
    s.funnel.forEach(function (f) {
      if (f.rate == null) return;
      var li = document.createElement("li");
      li.className = "sentence";
      li.textContent = "Visitors who did " + human(f.conversion) + " went on to " + human(macroName) + " at " + pct(f.rate) +
        (f.other_rate == null ? " (every session did it)" : " vs " + pct(f.other_rate) + " among the others") + ".";
      ul.appendChild(li);
    });
    fill("triggers", s.triggers, function (t, tr) { cell(tr, t.trigger); cell(tr, t.conversion); cell(tr, t.count, "num"); });
    fill("pages", s.pages, function (p, tr) { cell(tr, p.path); cell(tr, p.count, "num"); });
  }

  function showLatest(events) {
    fill("latest", events, function (e, tr) {
      cell(tr, new Date(e.at).toLocaleTimeString());
      var name = cell(tr, e.conversion);
      if (e.macro) { var tag = document.createElement("span"); tag.className = "macro"; tag.textContent = "macro"; name.appendChild(tag); }
      cell(tr, e.trigger);
      cell(tr, e.page && e.page.path);
      cell(tr, e.session ? e.session.slice(0, 8) : "");
      var vars = Object.keys(e.vars || {}).map(function (k) { return k + "=" + e.vars[k]; }).join("  ");
      var code = document.createElement("code"); code.textContent = vars;
      cell(tr, "").appendChild(code);
    });
  }

  // A share link's page reads with its token, one site only; the admin's
  // page with its login cookie.
  var share = document.querySelector('meta[name="microconv-share"]').content;
  if (share) $("logout").hidden = true;
  function getJSON(url) {
    var init = { cache: "no-store", credentials: "same-origin" };
    if (share) init.headers = { Authorization: "Bearer " + share };
    return fetch(url, init).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }

  function refresh() {
    var q = select.value ? "?macro=" + encodeURIComponent(select.value) : "";
    return Promise.all([getJSON("/api/summary" + q), getJSON("/api/conversions?limit=20")])
      .then(function (res) {
        showSummary(res[0]);
        showLatest(res[1].events);
        $("error").textContent = "";
        $("updated").textContent = "updated " + new Date().toLocaleTimeString();
        document.body.setAttribute("data-loaded", "true");
      })
      .catch(function (e) { $("error").textContent = String(e.message || e); });
  }

  select.addEventListener("change", refresh);
  refresh();
  setInterval(refresh, 2000);
})();
