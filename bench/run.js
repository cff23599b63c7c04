// microconv vs Snowplow vs no tag, in one run on this machine. Started by
// scripts/bench.sh (./build.sh bench), which builds the tag and the collector and
// runs the native benchmarks first. See docs/benchmark.md.
// Env: MICROCONV_COLLECTOR_BIN (required), BENCH_RUNS (7), BENCH_WARMUP (1),
//      BENCH_PLAYBACK_RATE (2), BENCH_CARGO_OUT / BENCH_COLLECTOR_OUT (the native
//      outputs to include), BENCH_README=0 (leave docs/benchmark.md alone), CHROMIUM.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execSync } = require("node:child_process");
const { chromium } = require("playwright-core");
const { prepareSite } = require("./lib/site");
const { startCollector } = require("./lib/server");
const { totalSizes } = require("./lib/sizes");
const { visit } = require("./lib/visit");
const { prepareEval, evalBench } = require("./lib/evalbench");
const { parseCargoBench, parseCollectorBench } = require("./lib/native");
const { summarize, writeReport } = require("./lib/report");

const ROOT = path.resolve(__dirname, "..");
const env = (k, d) => (process.env[k] === undefined || process.env[k] === "" ? d : process.env[k]);
const ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
  "--autoplay-policy=no-user-gesture-required"];

const opts = {
  runs: Number(env("BENCH_RUNS", 7)),
  warmup: Number(env("BENCH_WARMUP", 1)),
  playbackRate: Number(env("BENCH_PLAYBACK_RATE", 2)),
  scrollSteps: 10,
  stepMs: 150,
  ctaClicks: 20,
  clickGapMs: 50,
  settleMs: 1200,
  readyTimeoutMs: 15_000,
  videoTimeoutMs: 30_000,
};

function machine(chromiumVersion) {
  const sh = (c) => { try { return execSync(c, { encoding: "utf8" }).trim(); } catch { return "?"; } };
  const cpu = (/model name\s*:\s*(.*)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8")) || [])[1] || os.cpus()[0].model;
  return { nproc: Number(sh("nproc")), cpu: cpu.trim(), chromium: chromiumVersion, node: process.version,
    kernel: os.release(), loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) };
}

function snowplowVersions() {
  const v = (p) => JSON.parse(fs.readFileSync(path.join(__dirname, "node_modules", "@snowplow", p, "package.json"), "utf8")).version;
  return `browser-tracker ${v("browser-tracker")}, link-click ${v("browser-plugin-link-click-tracking")}, `
    + `button-click ${v("browser-plugin-button-click-tracking")}, media ${v("browser-plugin-media")} (generic, driven from <video> events)`;
}

(async () => {
  const bin = process.env.MICROCONV_COLLECTOR_BIN;
  if (!bin) throw new Error("MICROCONV_COLLECTOR_BIN is not set: run ./build.sh bench");
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "microconv-bench-"));
  let collector;
  let browser;
  try {
    const site = await prepareSite(ROOT, tmp);
    const evalPages = prepareEval(site.staticDir);
    const sizes = {
      microconv: totalSizes(site.files.microconv),
      microconvWithRules: totalSizes([...site.files.microconv, site.files.microconvRules]),
      snowplow: totalSizes(site.files.snowplow),
    };
    for (const s of Object.values(sizes)) s.files = s.files.map((f) => ({ ...f, file: path.basename(f.file) }));
    collector = await startCollector(bin, { dir: tmp, staticDir: site.staticDir, tagDir: site.tagDir });
    browser = await chromium.launch({ executablePath: env("CHROMIUM", "/usr/bin/chromium"), args: ARGS });
    const meta = {
      date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      machine: machine(browser.version()),
      runs: opts.runs, warmup: opts.warmup, playbackRate: opts.playbackRate,
      scrollSteps: opts.scrollSteps, ctaClicks: opts.ctaClicks,
      snowplowVersions: snowplowVersions(),
      wasm: path.basename(site.files.microconv[1]),
    };
    console.log(`bench: collector ${collector.url}, Chromium ${meta.machine.chromium}, ${opts.runs} runs (+${opts.warmup} warm-up) per variant`);

    // BENCH_EVAL_ONLY=1: rule evaluation in the browser only, printed, nothing written.
    if (env("BENCH_EVAL_ONLY", "0") === "1") {
      const only = await evalBench(browser, collector.url, evalPages, opts);
      for (const [kind, r] of Object.entries(only)) {
        const at = Object.keys(r).filter((n) => n !== "none").map((n) => `${n}: ${(r[n].tag / 1000).toFixed(2)} µs`);
        console.log(`  ${kind} per event (tag's share): ${at.join(", ")}`);
      }
      return;
    }
    const variants = ["none", "microconv", "snowplow"];
    const visits = [];
    for (let round = -opts.warmup; round < opts.runs; round++) {
      // Rotate the order each round so drift on a shared machine hits every variant alike.
      const order = variants.map((_, i) => variants[(i + Math.max(round, 0)) % variants.length]);
      for (const v of order) {
        const r = await visit(browser, collector.url, site.staticDir, v, opts);
        if (round >= 0) visits.push(r);
        console.log(`  ${round < 0 ? "warm-up" : `run ${round + 1}/${opts.runs}`} ${v.padEnd(9)} script ${r.scriptMs.toFixed(1)} ms, `
          + `tasks ${r.taskMs.toFixed(0)} ms, long tasks ${r.longCount} (${r.longMs.toFixed(0)} ms), `
          + `ready ${r.readyMs.map((x) => (x === null ? "–" : x.toFixed(0))).join("/")} ms, sent ${r.sent}`);
      }
    }
    // Rounds pair up by index: sort each variant's visits in run order (already are).
    console.log("bench: rule evaluation in the browser");
    const evalBrowser = await evalBench(browser, collector.url, evalPages, opts);
    const report = {
      meta,
      sizes,
      summary: summarize(visits),
      evalBrowser,
      native: parseCargoBench(process.env.BENCH_CARGO_OUT),
      collector: parseCollectorBench(process.env.BENCH_COLLECTOR_OUT),
      visits,
      method: {
        pages: "www/ pages fulfilled by Playwright at their real URLs with the tag snippet swapped; all else from the real collector (--static copy of www/, --tag-dir copy of dist/ plus the Snowplow bundle as snowplow.<hash>.js: both tags compressed and cached alike)",
        scripting: "CDP Performance.getMetrics ScriptDuration/TaskDuration, delta from before navigation to the end of each page, summed over the 3 pages; added = median over runs of (variant - no tag of the same round)",
        longTasks: "PerformanceObserver longtask (buffered), installed by an init script before page scripts",
        ready: "microconv: its data-debug line (listeners attached N ms after script start); Snowplow: the bundle's first statement to after its init calls returned",
        beacons: "microconv -> real collector /collect; Snowplow -> same-origin /com.snowplowanalytics.snowplow/tp2 answered 204 by a Playwright route",
        outbound: "partner.example answered 204 by a Playwright route: the click's navigation is intercepted and the page stays",
        evalBrowser: "generated rules of N click or custom triggers shaped like benches/eval.rs but never firing; synthetic clicks (dispatchEvent on a <span> in <button class=cta>) and dataLayer.push, batches of 50 timed with performance.now(), best of 15 rounds of >= 40 ms, minus the same loop on the same page without the tag (bench/lib/evalbench.js)",
      },
      elapsedS: 0,
    };
    report.elapsedS = Math.round((Date.now() - started) / 1000);
    meta.machine.loadavgEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
    const md = writeReport(report, {
      resultsDir: path.join(__dirname, "results"),
      readme: env("BENCH_README", "1") === "1" ? path.join(ROOT, "docs", "benchmark.md") : null,
    });
    console.log("\n" + md);
    console.log(`bench: wrote bench/results/latest.md and latest.json (${report.elapsedS} s in the browser part)`);
  } finally {
    if (browser) await browser.close();
    if (collector) await collector.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
})().catch((e) => { console.error("bench:", e); process.exit(1); });
