// microconv host helpers: the only JS the Rust side calls back into besides
// web APIs. Shared by the loader (concatenated into dist/microconv.js) and by
// the browser tests, so both run the same code.
/* exported host */
function host(c) {
  var dead = 0;
  return {
    // Every callback the tag gives the browser is one of these: call k of
    // the tag's one dispatcher d, guarded: a trap or throw inside wasm is
    // logged once and the tag goes quiet, instead of reaching
    // window.onerror on every later event.
    cb: function (d, k) {
      return function (x) {
        if (!dead) try { d(k, x) } catch (e) { dead = 1; c.error("microconv: stopped after an internal error", e) }
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
          if ((r = e.closest(s))) return r
      } catch (x) {}
      return null
    },
    // js.* variables: the page global at property path p ("app.user.plan"),
    // read property by property (getters run; nothing else does): a string,
    // number or boolean, else null (missing, an object, or a read that threw).
    g: function (p) {
      try {
        for (var o = window, k = p.split("."), i = 0; i < k.length && o != null; i++) o = o[k[i]];
        return typeof o == "string" || typeof o == "number" || typeof o == "boolean" ? o : null
      } catch (x) { return null }
    },
    // Engaged time: a listener for the visitor's activity (pointer, keys,
    // wheel, scroll, touch) that notes its time here, without calling the
    // tag, and calls f only when activity resumes after 30 s without any.
    actor: function (f) {
      var h = this;
      return function () { var t = Date.now(), idle = !(t - h.la < 3e4); h.la = t; if (idle) f() }
    },
    // The page view counts as activity; last() is the latest activity's time.
    acted: function () { this.la = Date.now() },
    last: function () { return this.la || 0 },
    // Element visibility for trigger i: an IntersectionObserver at ratio th
    // on every element matching sel, now and added later (a MutationObserver
    // on the document), calling f([i, element, key, ratio, visible]) when one
    // crosses th. The browser reports the crossings: nothing reads layout.
    vis: function (i, sel, th, f) {
      var h = this, io = new IntersectionObserver(function (es) {
        es.forEach(function (e) { f([i, e.target, h.key(e.target), e.intersectionRatio, e.isIntersecting && e.intersectionRatio >= th - 1e-3]) })
      }, { threshold: th });
      function scan(n) {
        try {
          if (n.nodeType != 1) return;
          if (n.matches(sel)) io.observe(n);
          n.querySelectorAll(sel).forEach(function (e) { io.observe(e) })
        } catch (x) {}
      }
      scan(document.documentElement);
      new MutationObserver(function (ms) { ms.forEach(function (m) { m.addedNodes.forEach(scan) }) })
        .observe(document.documentElement, { childList: !0, subtree: !0 })
    },
    // A small number per element, kept in a WeakMap (removed elements are collected).
    key: function (e) {
      var m = this.k = this.k || new WeakMap, k = m.get(e);
      if (k == null) m.set(e, k = this.n = (this.n | 0) + 1);
      return k
    },
    // A passive listener (capture for events that don't bubble).
    on: function (t, n, f, c) { t.addEventListener(n, f, { passive: !0, capture: c }) },
    // The page's facts in one string: URL without fragment, host name, path,
    // query without "?", title, referrer, one a line (none holds a newline:
    // URLs are serialized, document.title collapses whitespace).
    page: function () {
      var l = location;
      return [l.href.split("#")[0], l.hostname, l.pathname, l.search.slice(1), document.title, document.referrer].join("\n")
    },
    // The nearest link on or above e (crossing shadow roots: HTML a/area,
    // SVG a) and its absolute URL, as [link, url]; null without one, and for
    // javascript: URLs (not links).
    link: function (e) {
      var l = this.closest(e, "a[href],area[href],a[*|href]"), u = l && this.url(l);
      return u ? [l, u] : null
    },
    // The absolute URL of link l's href (or SVG xlink:href), "" without one
    // or when it is javascript:.
    url: function (l) {
      var h = l.getAttribute("href"), u = "";
      if (h == null) h = l.getAttributeNS("http://www.w3.org/1999/xlink", "href");
      try { u = h == null ? "" : new URL(h.trim(), l.baseURI).href } catch (x) {}
      return /^javascript:/.test(u) ? "" : u
    },
    // What click.* variables describe, as an array of strings: tag name, id,
    // class, the first 1000 characters of textContent (textContent, not
    // innerText: innerText forces style and layout), target, the URL (its
    // own href or its nearest link's), then each attribute's name and value.
    facts: function (e) {
      // The nearest link is looked for only when e has no URL of its own.
      var a = e.getAttribute.bind(e), u = (a("href") != null && this.url(e)) || (this.link(e) || [])[1] || "",
        r = [e.localName, e.id, a("class") || "", (e.textContent || "").slice(0, 1e3), a("target") || "", u];
      e.getAttributeNames().forEach(function (n) { r.push(n, a(n)) });
      return r
    },
    // A media element's engine key (a small number, kept in a WeakMap so
    // removed elements are collected), position, duration, current source,
    // title (title, aria-label or data-title), muted, autoplay and loop;
    // null for anything else.
    media: function (e) {
      if (!(e instanceof HTMLMediaElement)) return null;
      var m = this.m = this.m || new WeakMap, k = m.get(e), a = e.getAttribute.bind(e);
      if (k == null) m.set(e, k = this.n = (this.n | 0) + 1);
      return [k, e.currentTime, e.duration, e.currentSrc, a("title") || a("aria-label") || a("data-title") || "", e.muted, e.autoplay, e.loop]
    },
    // Media events stay inside their shadow root (they are not composed), so
    // f also listens (capturing, passive) for the event types ts (space-
    // separated) on every open shadow root in the page, nested ones too, and
    // on every shadow root attached from now on, open or closed
    // (attachShadow wrapped: its this, arguments, result and throws are
    // kept). Returns the media elements already playing, in the page and in
    // those roots (their play event is past).
    shadows: function (ts, f) {
      var h = this, r = [document], m = [], i = 0, p = Element.prototype, g = p.attachShadow,
        on = function (s) { ts.split(" ").forEach(function (t) { h.on(s, t, f, !0) }) };
      for (; i < r.length; i++) [].forEach.call(r[i].querySelectorAll("*"), function (e) {
        if (e.shadowRoot) { r.push(e.shadowRoot); on(e.shadowRoot) }
        e instanceof HTMLMediaElement && !e.paused && m.push(e)
      });
      if (g) try {
        p.attachShadow = function () {
          var s = g.apply(this, arguments);
          try { dead || on(s) } catch (x) {}
          return s
        }
      } catch (x) {}
      return m
    },
    // The form of x (a submit event's target, the form of an input/change
    // event's field, or a form): its key (a number, kept in a WeakMap), and
    // with full [form, key, id, class, name, absolute action, method, number
    // of fields, invalid, defaultPrevented]; null without a form. Read
    // through the prototypes, so fields named "action", "elements" or
    // "matches" change nothing; never a field's value.
    form: function (x, full) {
      var E = Element.prototype, P = HTMLFormElement.prototype, f = x, m, g, u = "";
      if (x instanceof Event) f = x.type == "submit" ? x.target : (x.composedPath()[0] || {}).form;
      if (!(f instanceof HTMLFormElement)) return null;
      m = this.f = this.f || new WeakMap;
      if (!m.has(f)) m.set(f, this.n = (this.n | 0) + 1);
      if (!full) return m.get(f);
      g = function (n) { return E.getAttribute.call(f, n) || "" };
      try { u = new URL(g("action") || location.href, f.baseURI).href } catch (e) {}
      return [f, m.get(f), g("id"), g("class"), g("name"), u, (/^(post|dialog)$/i.exec(g("method")) || ["get"])[0].toLowerCase(),
        Object.getOwnPropertyDescriptor(P, "elements").get.call(f).length, E.matches.call(f, ":invalid"), x instanceof Event && x.defaultPrevented]
    },
    // form.submit() fires no submit event: f(form) runs before each call.
    formsubmit: function (f) {
      var P = window.HTMLFormElement && HTMLFormElement.prototype, g = P && P.submit;
      if (typeof g == "function") try {
        P.submit = function () { f(this); return g.apply(this, arguments) }
      } catch (e) {}
    },
    // The scroll position, viewport and document heights, or null.
    scroll: function () {
      var e = document.scrollingElement;
      return e ? [e.scrollTop, e.clientHeight, e.scrollHeight] : null
    },
    // n random bytes in lower-case hex (Web Crypto; Math.random without it:
    // ids only need to be unlikely to collide).
    hex: function (n) {
      var b = new Uint8Array(n), s = "", i = 0;
      try { crypto.getRandomValues(b) } catch (x) { for (; i < n; i++) b[i] = Math.random() * 256 }
      for (i = 0; i < n; i++) s += (b[i] | 256).toString(16).slice(1);
      return s
    },
    // The element a click of button b landed on (inside open shadow roots
    // too: composedPath()[0]), or null for other buttons.
    target: function (e, b) {
      var t = e.button == b && (e.composedPath()[0] || e.target);
      return t instanceof Element ? t : null
    },
    // Web Storage (a: "localStorage" or "sessionStorage") without throws
    // (storage disabled, full or refused): has: whether a is usable; get: the
    // value or null; put: whether it was stored (v "" removes k); keys: the
    // keys that start with p.
    has: function (a) { try { return !!window[a] } catch (x) { return !1 } },
    get: function (a, k) { try { return window[a].getItem(k) } catch (x) { return null } },
    put: function (a, k, v) {
      try { v ? window[a].setItem(k, v) : window[a].removeItem(k); return !0 } catch (x) { return !1 }
    },
    keys: function (a, p) {
      var r = [], s, i = 0, k;
      try { for (s = window[a]; i < s.length; i++) if (!(k = s.key(i)).indexOf(p)) r.push(k) } catch (x) {}
      return r
    },
    stop: function () { dead = 1 },
    // Rules with defects: one console message. fatal: no valid trigger (the
    // tag did not start); names: whose the defects are ('trigger "a", the
    // file'; empty when there is none). The messages: those of a plain
    // rules.json (m, from the diagnostics file that compiled it), else those
    // check() gives (published rules: only patterns this browser refuses);
    // failing that, the message names the triggers.
    defects: function (fatal, names) {
      var h = this, log = function (m) {
        c[fatal ? "error" : "warn"]("microconv: " + (fatal ? "not started: the rules have no valid trigger" : "some triggers were left out of the rules") + m)
      };
      if (h.d) return;
      h.d = 1;
      h.m != null ? log(h.m) : names ? log(" (errors in " + names + ")") : log("")
    }
  }
}
