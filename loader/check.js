/* microconv diagnostics (template: scripts/build-tag.sh inlines the glue of
 * the `check-only` wasm build, names its .wasm, and minifies into
 * dist/microconv-check.<hash>.js).
 *
 * microconv.js loads this file (with a <script> next to itself) only for
 * rules that are not published: the tag's own wasm reads published rules and
 * carries no validator or message text. It sets c() on its <script> element:
 * a promise of {check, compile} (the messages of a plain rules.json's
 * defects; its published form), its .wasm fetched from next to this file.
 * No global is defined.
 */
(function (s) {
  "use strict";
  /*@GLUE@*/
  if (s) s.c = function () {
    return wasm_bindgen({
      module_or_path: fetch(new URL("@WASM@", s.src)).then(function (r) {
        if (!r.ok) throw Error(r.url + " answered HTTP " + r.status);
        return r
      })
    }).then(function () { return { check: wasm_bindgen.check, compile: wasm_bindgen.compile } })
  }
})(document.currentScript);
