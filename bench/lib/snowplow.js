// Bundles the Snowplow variant (snowplow/entry.js + the npm packages, as locked)
// into one minified IIFE, the single file its pages load.
"use strict";
const path = require("node:path");
const esbuild = require("esbuild");

/** Writes the bundle to `outFile`; the banner marks the script's start for "time to ready". */
async function buildSnowplow(outFile) {
  await esbuild.build({
    entryPoints: [path.join(__dirname, "..", "snowplow", "entry.js")],
    bundle: true,
    format: "iife",
    minify: true,
    target: "es2017",
    platform: "browser",
    legalComments: "none",
    banner: { js: "window.__benchT0=performance.now();" },
    outfile: outFile,
    logLevel: "warning",
  });
  return outFile;
}

module.exports = { buildSnowplow };
