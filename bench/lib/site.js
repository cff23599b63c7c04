// The pages every variant visits, and what the collector serves for the run.
//
// The collector serves a snapshot taken at the start of the run (other work may
// rebuild dist/ meanwhile): static/ = a copy of www/ plus the rules files of the
// evaluation benchmark; tag/ = a copy of dist/ plus the Snowplow bundle, named
// snowplow.<hash>.js like microconv's module, so the collector serves both tags
// alike (compressed, and cached as immutable: collector/src/http/tag.rs).
// The visited pages keep their real URLs (rules.json's conditions use page.path):
// Playwright fulfils those documents with the www/ page whose tag snippet is
// swapped for the variant's; everything they load comes from the collector.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { buildSnowplow } = require("./snowplow");

/**
 * Replaces the rules file `file` by its published form (`microconv publish`,
 * the CLI in MICROCONV_CLI_BIN), as a site owner serves it: the benchmark
 * measures the published path, where pages never load the compiler.
 */
function publishInPlace(file) {
  const out = fs.mkdtempSync(path.join(path.dirname(file), ".published-"));
  try {
    execFileSync(process.env.MICROCONV_CLI_BIN, ["publish", file, "-o", out], { stdio: "ignore" });
    fs.copyFileSync(path.join(out, path.basename(file)), file);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** The pages of the visit (paths under www/ and on the site). */
const PAGES = {
  article: "/blog/why-micro-conversions.html",
  product: "/product.html",
  pricing: "/pricing.html",
};

const SNIPPET = /<script async src="\/microconv\/microconv\.js"[^>]*><\/script>\n?/;

/** What each variant puts where www/ has microconv's install snippet. */
const TAGS = {
  none: "",
  microconv: '<script async src="/microconv/microconv.js" data-rules="/rules.json" data-endpoint="/collect" data-debug></script>\n',
  // Set by prepareSite: the bundle's name carries its hash.
  snowplow: null,
};

/** Copies www/ and dist/ into `dir`, bundles Snowplow; returns the paths and tag files. */
async function prepareSite(root, dir) {
  const staticDir = path.join(dir, "static");
  const tagDir = path.join(dir, "tag");
  fs.cpSync(path.join(root, "www"), staticDir, { recursive: true });
  publishInPlace(path.join(staticDir, "rules.json"));
  fs.cpSync(path.join(root, "dist"), tagDir, { recursive: true });
  fs.mkdirSync(path.join(staticDir, "bench"), { recursive: true });
  const built = await buildSnowplow(path.join(dir, "snowplow.js"));
  const hash = crypto.createHash("sha256").update(fs.readFileSync(built)).digest("hex").slice(0, 12);
  const snowplow = path.join(tagDir, `snowplow.${hash}.js`);
  fs.renameSync(built, snowplow);
  TAGS.snowplow = `<script async src="/microconv/snowplow.${hash}.js"></script>\n`;
  // The files a page downloads (the diagnostics file, microconv-check.*, only
  // comes for rules that are not published).
  const wasm = fs.readdirSync(tagDir).filter((f) => /^microconv\.[0-9a-f]+\.wasm$/.test(f));
  if (wasm.length !== 1 || !fs.existsSync(path.join(tagDir, "microconv.js"))) {
    throw new Error(`dist/ should hold microconv.js and one microconv.<hash>.wasm, has: ${fs.readdirSync(tagDir)}`);
  }
  return {
    staticDir,
    tagDir,
    files: {
      microconv: [path.join(tagDir, "microconv.js"), path.join(tagDir, wasm[0])],
      microconvRules: path.join(staticDir, "rules.json"),
      snowplow: [snowplow],
    },
  };
}

/** The HTML of `www/<page>` for `variant` (throws when the page lost its snippet). */
function variantHtml(staticDir, pagePath, variant) {
  const html = fs.readFileSync(path.join(staticDir, pagePath), "utf8");
  if (!SNIPPET.test(html)) throw new Error(`${pagePath}: microconv's <script async src="/microconv/microconv.js"> not found`);
  return html.replace(SNIPPET, TAGS[variant]);
}

module.exports = { PAGES, TAGS, prepareSite, variantHtml, publishInPlace };
