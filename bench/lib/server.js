// The real collector, started like scripts/test-e2e.sh does: 127.0.0.1, a free
// port, a temporary database, a static folder and a tag folder.
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");

/** Starts the collector binary; resolves {url, stop}. */
function startCollector(bin, { dir, staticDir, tagDir }) {
  const child = spawn(bin, ["--addr", "127.0.0.1:0", "--db", path.join(dir, "bench.sqlite"),
    "--static", staticDir, "--tag-dir", tagDir, "--limit-ip", "0", "--limit-session", "0"],
  { env: { ...process.env, RUST_LOG: "warn" }, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => { child.kill(); reject(new Error("collector did not start: " + out)); }, 15_000);
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`collector exited (${code}): ${out}`)); });
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.resume();
      resolve({
        url: m[1],
        stop: () => new Promise((r) => {
          if (child.exitCode !== null) return r();
          child.removeAllListeners("exit");
          child.once("exit", r);
          child.kill("SIGTERM");
        }),
      });
    });
  });
}

module.exports = { startCollector };
