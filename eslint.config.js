// ESLint for the project's JavaScript (./build.sh test runs it): the loader
// (browser scripts, templates the build fills in), the report page, the
// end-to-end specs and the benchmark (Node, with page code run in the browser).
"use strict";
const js = require("@eslint/js");
const globals = require("globals");

// What page code in the specs and the benchmark may name (it runs in the
// browser through page.evaluate / waitForFunction).
const page = { ...globals.browser, dataLayer: "writable", microconv: "writable", gtag: "writable" };

module.exports = [
  { ignores: ["**/node_modules/**", "target/**", "dist/**", ".tools/**", "e2e/test-results/**", "bench/results/**"] },
  js.configs.recommended,
  {
    // Templates: the build puts the wasm-bindgen glue (wasm_bindgen),
    // host.js (host), delivery.js (delivery) and session.js
    // (sessionHelpers) where their markers are.
    files: ["loader/**/*.js"],
    languageOptions: {
      sourceType: "script", ecmaVersion: 2020,
      globals: { ...globals.browser, wasm_bindgen: "readonly", host: "readonly", delivery: "readonly", sessionHelpers: "readonly" },
    },
  },
  // The collector's report page: browser scripts sharing one namespace (window.Report).
  {
    files: ["collector/src/report/page/*.js"],
    languageOptions: { sourceType: "script", ecmaVersion: 2020, globals: globals.browser },
  },
  // host.js defines what the template names (host).
  { files: ["loader/host.js"], languageOptions: { globals: { host: "off" } } },
  { files: ["loader/delivery.js"], languageOptions: { globals: { delivery: "off" } } },
  { files: ["loader/session.js"], languageOptions: { globals: { sessionHelpers: "off" } } },
  {
    files: ["e2e/**/*.js", "bench/**/*.js", "loader/smoke.js", "loader/*.test.js", "eslint.config.js"],
    languageOptions: { sourceType: "commonjs", ecmaVersion: 2024, globals: { ...globals.node, ...page } },
  },
  { files: ["bench/snowplow/entry.js"], languageOptions: { sourceType: "module" } },
  {
    rules: {
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
      // The loader swallows what the page's environment throws, on purpose.
      "no-empty": ["error", { allowEmptyCatch: true }],
      "no-cond-assign": ["error", "except-parens"],
    },
  },
];
