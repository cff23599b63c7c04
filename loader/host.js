// microconv host helpers: the only JS the Rust side calls back into besides
// web APIs. Shared by the loader (concatenated into dist/microconv.js) and by
// the browser tests, so both run the same code.
function host(c) {
  var dead = 0;
  return {
    // Every callback the tag gives the browser goes through guard: a trap or
    // throw inside wasm is logged once and the tag goes quiet, instead of
    // reaching window.onerror on every later event.
    guard: function (f) {
      return function (x) {
        if (!dead) try { f(x) } catch (e) { dead = 1; c.error("microconv: stopped after an internal error", e) }
      }
    },
    // dataLayer-style queue: replay what the page pushed before we loaded,
    // then see later pushes. The page's push keeps its behaviour and result.
    hook: function (name, f) {
      var q = window[name] = window[name] || [], push = q.push, i = 0;
      if (typeof push != "function") return;
      for (; i < q.length; i++) f(q[i]);
      q.push = function () {
        var r = push.apply(this, arguments);
        for (var i = 0; i < arguments.length; i++) f(arguments[i]);
        return r
      }
    },
    // Single-page apps: f runs after each history.pushState/replaceState.
    // Calls through to whatever was there (the page's own wrapper too) with
    // its this, arguments, result and throws; a non-function or read-only
    // property is left alone (the tag then notices the URL at the next event).
    after: function (o, n, f) {
      var g = o[n];
      if (typeof g == "function") try {
        o[n] = function () { var r = g.apply(this, arguments); f(); return r }
      } catch (e) {}
    },
    // Taking over the outboxes of pages that left runs under this Web Lock,
    // shared by the site's tabs: f is called later, holding it, and the lock
    // is held a second more, so that the next holder reads localStorage after
    // it has reached every process. False without Web Locks.
    lock: function (f) {
      try {
        return navigator.locks.request("microconv.outbox", function (l) {
          f(l);
          return new Promise(function (r) { setTimeout(r, 1e3) })
        }).catch(f), !0
      } catch (e) { return !1 }
    },
    // POSTs a beacon body (text/plain: no CORS preflight; no cookies); the
    // answer reaches done([key, HTTP status or 0 for a network error,
    // Retry-After in ms or 0]). False when fetch threw.
    post: function (u, b, k, ka, done) {
      try {
        fetch(u, { method: "POST", body: b, keepalive: ka, credentials: "omit", headers: { "Content-Type": "text/plain;charset=UTF-8" } }).then(function (r) {
          var a = r.headers.get("Retry-After");
          done([k, r.status, a ? (a > -1 ? a * 1e3 : Date.parse(a) - Date.now()) || 0 : 0])
        }, function () { done([k, 0, 0]) });
        return !0
      } catch (e) { return !1 }
    },
    // el.closest(s) across shadow roots, in one call from the tag per click
    // trigger (s is a JS string it keeps); null also on a throw.
    closest: function (e, s) {
      try {
        for (var r; e; e = (r = e.getRootNode()) instanceof ShadowRoot ? r.host : null)
          if (r = e.closest(s)) return r
      } catch (x) {}
      return null
    },
    stop: function () { dead = 1 },
    // Rules with defects: one console message. fatal: no valid trigger (the
    // tag did not start); names: whose the defects are ('trigger "a", the
    // file'; empty when there is none). The messages come from check() (the
    // loader loads the diagnostics file; pages with valid rules never do);
    // failing that, the message names the triggers.
    defects: function (fatal, names) {
      var h = this, log = function (m) {
        c[fatal ? "error" : "warn"]("microconv: " + (fatal ? "not started: the rules have no valid trigger" : "some triggers were left out of the rules") + m)
      };
      names ? Promise.resolve().then(function () { return h.check() }).then(log, function (e) {
        log(" (errors in " + names + "; the details could not be loaded: " + (e && e.message || e) + ")")
      }) : log("")
    }
  }
}
