// microconv host helpers: the only JS the Rust side calls back into besides
// web APIs. Shared by the loader (concatenated into dist/microconv.js) and by
// the browser tests, so both run the same code.
/* exported host */
function host(c) {
  var dead = 0;
  // Every callback the tag gives the browser is guarded: a trap or throw
  // inside wasm (or delivery) is logged once and the tag goes quiet, instead
  // of reaching window.onerror on every later event.
  function guard(f) {
    return function (x) {
      if (!dead) try { f(x) } catch (e) { dead = 1; c.error("microconv: stopped after an internal error", e) }
    }
  }
  // An element's text as click.text reports it: runs of whitespace (Unicode
  // White_Space, as the core's native backend splits them) one space,
  // trimmed, at most the engine's TEXT_CAP (100) characters (code points).
  function text(t) {
    var words = (t || "").slice(0, 1e3).split(/[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/);
    return Array.from(words.filter(Boolean).join(" ")).slice(0, 100).join("").replace(/ $/, "")
  }
  // The sessions' helpers are loader/session.js's.
  return Object.assign({
    // Call k of the tag's one dispatcher d, guarded.
    cb: function (d, k) { return guard(function (x) { d(k, x) }) },
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
    // Delivery (loader/delivery.js): host.out(code, a, b), made on first use.
    out: function (k, a, b) {
      return (this.o = this.o || delivery(this, c, guard))(k, a, b)
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
    /* family time */
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
    /* end time */
    /* family visibility */
    // Element visibility for trigger i: an IntersectionObserver at ratio th
    // on every element matching sel (see watch), calling f([i, element, key,
    // ratio, visible]) when one crosses th. The browser reports the
    // crossings: nothing reads layout.
    vis: function (i, sel, th, f) {
      if (!window.IntersectionObserver) return;
      var h = this, io = new IntersectionObserver(function (es) {
        es.forEach(function (e) { f([i, e.target, h.key(e.target), e.intersectionRatio, e.isIntersecting && e.intersectionRatio >= th - 1e-3]) })
      }, { threshold: th });
      this.watch(sel, function (e) { io.observe(e) })
    },
    // g(e) for every element matching sel, now and added later (a
    // MutationObserver on the document).
    watch: function (sel, g) {
      function scan(n) {
        try {
          if (n.nodeType != 1) return;
          if (n.matches(sel)) g(n);
          n.querySelectorAll(sel).forEach(g)
        } catch (x) {}
      }
      scan(document.documentElement);
      new MutationObserver(function (ms) { ms.forEach(function (m) { m.addedNodes.forEach(scan) }) })
        .observe(document.documentElement, { childList: !0, subtree: !0 })
    },
    /* end visibility */
    /* family video */
    // YouTube and Vimeo embeds (docs/embeds-protocol.md): every player
    // iframe, now and added later, spoken to over postMessage as the
    // providers' own APIs do, without loading them. f([key, kind, time,
    // duration, watch URL, title, provider, muted, autoplay, loop]) for each
    // player event; kind as in media.rs (0 play, 1 pause, 2 seeking, 3
    // seeked, 4 timeupdate, 5 ended). YouTube answers only embeds with enablejsapi=1,
    // which data-youtube-api="add" on the script tag adds (reloading them).
    embeds: function (f) {
      var h = this, ps = [];
      function send(p, m) { try { p.e.contentWindow.postMessage(JSON.stringify(m), p.o) } catch (x) {} }
      function hello(p) {
        if (p.v) {
          ["play", "pause", "seeking", "seeked", "timeupdate", "ended"].forEach(function (n) { send(p, { method: "addEventListener", value: n }) });
          send(p, { method: "getVideoUrl" });
          return send(p, { method: "getVideoTitle" })
        }
        // The embed answers the first "listening" after it is ready: repeat
        // it. Not at once, and not at all once the iframe talks to the
        // page's own YT.Player (its messages carry that player's id, which
        // the tag then uses): the embed answers one listener only.
        var n = 0, t = setInterval(function () {
          if (p.ok || ++n > 44) clearInterval(t); else if (n > 4) send(p, { event: "listening", id: p.w || p.k, channel: "widget" })
        }, 250);
      }
      function emit(p, k) { f([p.k, k, p.t, p.d, p.u, p.ti, p.v ? "vimeo" : "youtube", p.m, p.a, p.l]) }
      this.watch("iframe", function (e) {
        var u, q, id, v, kind = e.getAttribute("data-microconv-player");
        try { u = new URL(e.src, location.href) } catch (x) { return }
        if (!kind) kind = /(^|\.)youtube(-nocookie)?\.com$/.test(u.hostname) && /^\/embed\//.test(u.pathname) ? "youtube" : u.hostname == "player.vimeo.com" ? "vimeo" : "";
        if (!kind || ps.some(function (p) { return p.e == e })) return;
        q = u.searchParams; v = kind == "vimeo"; id = u.pathname.split("/").pop();
        if (!v && q.get("enablejsapi") != "1") {
          if (h.yt != "add") return;
          q.set("enablejsapi", "1");
          e.src = u.href
        }
        var on = function (n) { return q.get(n) == "1" || q.get("background") == "1" }, p = {
          e: e, v: v, o: u.origin, k: h.key(e), t: 0, d: NaN, s: -1, at: 0, r: 1, ti: "",
          u: (v ? "https://vimeo.com/" : "https://youtu.be/") + id,
          m: on("mute") || on("muted"), a: on("autoplay"), l: on("loop"),
          // The page's own YT.Player owns widgetid N: the embed answers one
          // id, so the tag speaks under the page's and does not steal it.
          w: +q.get("widgetid") || 0
        };
        ps.push(p);
        hello(p);
        e.addEventListener("load", function () { p.ok = 0; hello(p) })
      });
      addEventListener("message", function (ev) { try { msg(ev) } catch (x) {} });
      // One player message; a malformed one is dropped, never thrown.
      function msg(ev) {
        var p = ps.filter(function (p) { return p.e.isConnected && p.e.contentWindow == ev.source })[0], m = ev.data, i, now, s;
        if (!p || (ev.origin != p.o && !(!p.v && /^https:\/\/(www\.)?youtube(-nocookie)?\.com$/.test(ev.origin)))) return;
        if (typeof m == "string") try { m = JSON.parse(m) } catch (x) { return }
        if (!m || typeof m != "object") return;
        if (p.v) {
          if (m.event == "ready") return hello(p);
          if (m.method == "getVideoTitle") p.ti = String(m.value || "");
          // A private video's URL is refused (an error event): the src's stays.
          if (m.method == "getVideoUrl" && /^https:\/\/vimeo\.com\//.test(m.value)) p.u = m.value;
          i = m.data || {};
          s = { play: 0, pause: 1, seeking: 2, seeked: 3, timeupdate: 4, ended: 5 }[m.event];
          if (s == null) return;
          if (i.duration > 0) p.d = i.duration;
          if (typeof i.seconds == "number") p.t = i.seconds;
          return emit(p, s)
        }
        if (!p.w && m.id != null && m.id != p.k) p.w = m.id;
        if (/^(initialDelivery|onReady|infoDelivery)$/.test(m.event)) p.ok = 1;
        i = m.info;
        if (!/^(initial|info)Delivery$/.test(m.event) || !i || typeof i != "object") return;
        // youtu.be/ID: the video is in the path, which beacons keep (their
        // URLs lose the query, and watch?v=ID with it).
        if (i.videoData && i.videoData.title) p.ti = String(i.videoData.title);
        if (i.videoData && i.videoData.video_id) p.u = "https://youtu.be/" + i.videoData.video_id;
        if (i.duration > 0) p.d = i.duration;
        if (i.playbackRate > 0) p.r = i.playbackRate;
        if (typeof i.currentTime == "number") {
          // No seek event: a jump from where playback would be is one.
          now = Date.now();
          s = Math.abs(i.currentTime - p.t - (p.s == 1 ? (now - p.at) / 1e3 * p.r : 0)) > 1.5;
          p.t = i.currentTime; p.at = now;
          if (s && p.s != -1) emit(p, 3); else if (p.s == 1) emit(p, 4)
        }
        if (typeof i.playerState == "number" && i.playerState != p.s) {
          s = p.s = i.playerState;
          if (s == 1) emit(p, 0); else if (s == 2) emit(p, 1); else if (s == 0) emit(p, 5)
        }
      }
    },
    /* end video */
    // A small number per element, kept in a WeakMap (removed elements are collected).
    key: function (e) {
      // (this.w: h.k and h.m are the loader's diagnostics promise and messages.)
      var m = this.w = this.w || new WeakMap, k = m.get(e);
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
    // SVG a), its absolute URL and whether it has a download attribute, as
    // [link, url, download]; null without one, and for javascript: URLs (not links).
    link: function (e) {
      var l = this.closest(e, "a[href],area[href],a[*|href]"), u = l && this.url(l);
      return u ? [l, u, l.hasAttribute("download")] : null
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
        r = [e.localName, e.id, a("class") || "", text(e.textContent), a("target") || "", u];
      e.getAttributeNames().forEach(function (n) { r.push(n, a(n)) });
      return r
    },
    /* family video */
    // A media element's engine key (see key), position, duration, current source,
    // title (title, aria-label or data-title), muted, autoplay and loop;
    // null for anything else.
    media: function (e) {
      if (!(e instanceof HTMLMediaElement)) return null;
      var k = this.key(e), a = e.getAttribute.bind(e);
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
    /* end video */
    /* family forms */
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
      m = this.key(f);
      if (!full) return m;
      g = function (n) { return E.getAttribute.call(f, n) || "" };
      try { u = new URL(g("action") || location.href, f.baseURI).href } catch (e) {}
      return [f, m, g("id"), g("class"), g("name"), u, (/^(post|dialog)$/i.exec(g("method")) || ["get"])[0].toLowerCase(),
        Object.getOwnPropertyDescriptor(P, "elements").get.call(f).length, E.matches.call(f, ":invalid"), x instanceof Event && x.defaultPrevented]
    },
    // form.submit() fires no submit event: f(form) runs before each call.
    formsubmit: function (f) {
      var P = window.HTMLFormElement && HTMLFormElement.prototype, g = P && P.submit;
      if (typeof g == "function") try {
        P.submit = function () { f(this); return g.apply(this, arguments) }
      } catch (e) {}
    },
    /* end forms */
    /* family scroll */
    // The scroll position, viewport and document heights, or null.
    scroll: function () {
      var e = document.scrollingElement;
      return e ? [e.scrollTop, e.clientHeight, e.scrollHeight] : null
    },
    // A ResizeObserver calling f when the root or the body changes size (the
    // page grew: infinite scroll, lazy images), or null without one.
    resize: function (f) {
      var o = window.ResizeObserver && new ResizeObserver(f), d = document;
      if (o) { o.observe(d.documentElement); d.body && o.observe(d.body) }
      return o || null
    },
    /* end scroll */
    // n random bytes in lower-case hex (Web Crypto; Math.random without it:
    // ids only need to be unlikely to collide).
    hex: function (n) {
      var b = new Uint8Array(n), s = "", i = 0;
      try { crypto.getRandomValues(b) } catch (x) { for (; i < n; i++) b[i] = Math.random() * 256 }
      for (i = 0; i < n; i++) s += (b[i] | 256).toString(16).slice(1);
      return s
    },
    /* family clicks */
    // The element a click of button b landed on (inside open shadow roots
    // too: composedPath()[0]), or null for other buttons.
    target: function (e, b) {
      var t = e.button == b && (e.composedPath()[0] || e.target);
      return t instanceof Element ? t : null
    },
    /* end clicks */
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
    // The consent decision in a pushed item x: ours, {consent: "granted" |
    // "denied"} (explicit), or gtag's arguments ["consent", "default" |
    // "update", {analytics_storage}] (explicit when "update"): 1 when granted,
    // plus 2 when explicit; -1 for anything else (a getter that throws too).
    decision: function (x) {
      var s, e = 2;
      try {
        if (typeof x != "object" || !x) return -1;
        if (typeof (s = x.consent) != "string") {
          if (x[0] !== "consent" || typeof x[1] != "string") return -1;
          e = x[1] == "update" ? 2 : 0;
          s = x[2] == null ? "" : x[2].analytics_storage;
        }
        return s === "granted" ? 1 + e : s === "denied" ? e : -1
      } catch (z) { return -1 }
    },
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
  }, sessionHelpers)
}
