/* microconv loader (template: scripts/build-tag.sh inlines host.js and the
 * wasm-bindgen glue, names the .wasm and the diagnostics file, and minifies
 * into dist/microconv.js).
 *
 * Install: <script async src="/microconv/microconv.js" data-rules="/rules.json" data-endpoint="/collect"></script>
 *   data-rules           URL of the rules JSON (or inline <script type="application/json" id="microconv-rules">)
 *   data-endpoint        collector URL; overrides the rules' "endpoint"
 *   data-wasm-integrity  optional SRI hash of the .wasm ("sha384-..."; ./build.sh prints it)
 *   data-debug           logs the start-up time
 *   data-consent         "required": hold every beacon until the page grants consent
 *                        (microconv.push({consent: "granted"}) or gtag consent mode)
 *   data-gpc             "ignore": do not honour navigator.globalPrivacyControl
 * Custom events: dataLayer.push({event: "signup", ...}) or microconv.push({event: "signup", ...}).
 *
 * A classic async script: it never blocks parsing. Any failure logs one
 * console message and leaves the page as it would be without the tag. Once
 * per page: a second copy logs a warning and does nothing.
 * Rules with defects: the wasm names the bad triggers and host.defects logs
 * the messages of the diagnostics file (microconv-check.<hash>.js, next to
 * this script), which only such pages download.
 */
(function () {
  "use strict";
  var d = document, s = d.currentScript, c = console, p = performance, t0 = p.now();
  function fail(why) { c.error("microconv: not started: " + why) }
  /*@HOST@*/
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
  h.consent = a("consent"); h.gpc = a("gpc");
  function ok(r) { if (!r.ok) throw Error(r.url + " answered HTTP " + r.status); return r }
  var text = rules ? fetch(rules).then(ok).then(function (r) { return r.text() })
    : inline ? Promise.resolve(inline.textContent)
    : Promise.reject(Error('no data-rules and no <script id="microconv-rules">'));
  Promise.all([
    text,
    // The rules read by the browser's own JSON parser while the module
    // loads (a page may have replaced JSON.parse): see host.json.
    text.then(function (t) { return new Response(t).json() }).then(function (j) { h.j = j }, function () { h.j = h }),
    // Streaming compilation: the glue hands this Response to instantiateStreaming.
    wasm_bindgen({
      module_or_path: fetch(new URL("@WASM@", s.src), sri ? { integrity: sri } : {}).then(ok, function (e) {
        throw Error("could not fetch the .wasm (" + e.message + (sri ? "; check data-wasm-integrity" : "") + ")")
      })
    })
  ]).then(function (v) {
    var t1 = p.now();
    // The messages of the rules' defects, for host.defects: a promise.
    h.check = function () {
      return new Promise(function (ok, no) {
        var e = d.createElement("script");
        e.onload = function () { ok(e.c) };
        e.onerror = function () { no(Error("could not fetch " + e.src)) };
        e.src = new URL("@CHECK@", s.src);
        d.head.appendChild(e)
      }).then(function (check) { return check(v[0]) })
    };
    wasm_bindgen.start(v[0], a("endpoint"), h);
    if (s.hasAttribute("data-debug")) {
      var t2 = p.now();
      c.debug("microconv: listeners attached " + (t2 - t0).toFixed(1) + " ms after script start; start() took " + (t2 - t1).toFixed(1) + " ms");
    }
  }).catch(function (e) {
    h.stop();
    fail((e && e.message || e) + (e instanceof WebAssembly.CompileError ? " (a Content-Security-Policy must allow 'wasm-unsafe-eval')" : ""));
  });
})();
