/* microconv diagnostics (template: scripts/build-tag.sh inlines the glue of
 * the `check-only` wasm build, names its .wasm, and minifies into
 * dist/microconv-check.<hash>.js).
 *
 * microconv.js loads this file (with a <script> next to itself) only when the
 * rules have defects: the tag's own wasm knows which triggers are invalid but
 * carries no message text. It sets c(rules) on its <script> element: a
 * promise of the messages (wasm_bindgen.check), its .wasm fetched from next to
 * this file. No global is defined.
 */
(function (s) {
  "use strict";
  /*@GLUE@*/
  if (s) s.c = function (rules) {
    return wasm_bindgen({
      module_or_path: fetch(new URL("@WASM@", s.src)).then(function (r) {
        if (!r.ok) throw Error(r.url + " answered HTTP " + r.status);
        return r
      })
    }).then(function () { return wasm_bindgen.check(rules) })
  }
})(document.currentScript);
