/* microconv loader (template: scripts/build-tag.sh inlines host.js and the
 * wasm-bindgen glue, names the .wasm and the diagnostics file, and minifies
 * into dist/microconv.js).
 *
 * Install: <script async src="/microconv/microconv.js" data-rules="/rules.json" data-endpoint="/collect"></script>
 *   data-rules           URL of the rules, published or plain JSON (or inline <script type="application/json" id="microconv-rules">)
 *   data-endpoint        collector URL; overrides the rules' "endpoint"
 *   data-wasm-integrity  optional SRI hash of the .wasm ("sha384-..."; ./build.sh prints it)
 *   data-debug           logs the start-up time
 *   data-consent         "required": hold every beacon until the page grants consent
 *                        (microconv.push({consent: "granted"}) or gtag consent mode)
 *   data-gpc             "ignore": do not honour navigator.globalPrivacyControl
 *   data-youtube-api     "add": add enablejsapi=1 to YouTube embeds without it (reloads them), so they can be tracked
 * Custom events: dataLayer.push({event: "signup", ...}) or microconv.push({event: "signup", ...}).
 *
 * A classic async script: it never blocks parsing. Any failure logs one
 * console message and leaves the page as it would be without the tag. Once
 * per page: a second copy logs a warning and does nothing.
 * Rules: data-rules (or the inline script) may hold published rules
 * (`microconv publish`), which the wasm reads as they are, or a plain
 * rules.json, which the diagnostics file (microconv-check.<hash>.js, next to
 * this script) compiles in the page first and whose defects it names; only
 * such pages download it.
 */
(function () {
  "use strict";
  var d = document, s = d.currentScript, c = console, p = performance, t0 = p.now();
  function fail(why) { c.error("microconv: not started: " + why) }
  /*@HOST@*/
  /*@DELIVERY@*/
  /*@SESSION@*/
  if (!s) return fail("load microconv.js with a classic <script src>");
  if (typeof WebAssembly != "object" || !window.fetch) return fail("this browser has no WebAssembly");
  // One tag per page: a second copy (a CMS plugin's and a pasted snippet)
  // would count every conversion twice and share the tag's storage keys.
  var once = Symbol.for("microconv");
  if (window[once]) return c.warn("microconv: this page includes the tag twice; this copy does nothing");
  window[once] = 1;
  /*@GLUE@*/
  var a = function (n) { return s.getAttribute("data-" + n) },
    rules = a("rules"), inline = d.getElementById("microconv-rules"), sri = a("wasm-integrity"),
    h = host(c);
  h.consent = a("consent"); h.gpc = a("gpc"); h.yt = a("youtube-api"); h.visitor = a("visitor");
  function ok(r) { if (!r.ok) throw Error(r.url + " answered HTTP " + r.status); return r }
  // The diagnostics file (next to this script): check(rules), the messages of
  // a plain rules.json's defects, and compile(rules), its published form.
  // Only pages whose rules are not published, or have defects, load it.
  h.check = function () {
    return h.k = h.k || new Promise(function (ok, no) {
      var e = d.createElement("script");
      e.onload = function () { ok(e.c()) };
      e.onerror = function () { no(Error("could not fetch " + e.src)) };
      e.src = new URL("@CHECK@", s.src);
      d.head.appendChild(e)
    })
  };
  var text = rules ? fetch(rules).then(ok).then(function (r) { return r.text() })
    : inline ? Promise.resolve(inline.textContent)
    : Promise.reject(Error('no data-rules and no <script id="microconv-rules">'));
  Promise.all([
    // Published rules (`microconv publish`) are read as they are, told by
    // their content; a plain rules.json is compiled in the page first.
    text.then(function (t) {
      return /^microconv-rules /.test(t) ? t : h.check().then(function (k) {
        h.m = k.check(t);
        return k.compile(t)
      }, function (e) { throw Error("the rules are not published, and the compiler to read them did not load (" + e.message + ")") })
    }),
    // Streaming compilation: the glue hands this Response to instantiateStreaming.
    wasm_bindgen({
      module_or_path: fetch(new URL("@WASM@", s.src), sri ? { integrity: sri } : {}).then(ok, function (e) {
        throw Error("could not fetch the .wasm (" + e.message + (sri ? "; check data-wasm-integrity" : "") + ")")
      })
    })
  ]).then(function (v) {
    var t1 = p.now();
    wasm_bindgen.start(v[0], a("endpoint"), h);
    if (h.m != null) {
      // A plain rules.json's defects, when the tag found none of its own.
      if (h.m) h.defects(0, "");
      c.info("microconv: these rules are not published, so this page downloaded the compiler (about 25 KB) to read them; `microconv publish` them and pages skip it")
    }
    if (s.hasAttribute("data-debug")) {
      var t2 = p.now();
      c.debug("microconv: listeners attached " + (t2 - t0).toFixed(1) + " ms after script start; start() took " + (t2 - t1).toFixed(1) + " ms");
    }
  }).catch(function (e) {
    h.stop();
    fail((e && e.message || e) + (e instanceof WebAssembly.CompileError ? " (a Content-Security-Policy must allow 'wasm-unsafe-eval')" : ""));
  });
})();
