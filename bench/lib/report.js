// Turns the raw measurements into bench/results/latest.{json,md} and the
// tag's section of docs/benchmark.md (between <!-- bench:start --> and <!-- bench:end -->).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const median = (xs) => {
  const s = xs.filter((x) => typeof x === "number" && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spread = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/** Medians per variant; "added" = median over rounds of (variant - baseline of the same round). */
function summarize(visits) {
  const by = (v) => visits.filter((x) => x.variant === v);
  const base = by("none");
  const out = {};
  for (const v of ["none", "microconv", "snowplow"]) {
    const runs = by(v);
    const paired = (k) => runs.map((r, i) => r[k] - base[i][k]);
    out[v] = {
      runs: runs.length,
      scriptMs: spread(runs.map((r) => r.scriptMs)),
      taskMs: spread(runs.map((r) => r.taskMs)),
      addedScriptMs: spread(paired("scriptMs")),
      addedTaskMs: spread(paired("taskMs")),
      longCount: spread(runs.map((r) => r.longCount)),
      longMs: spread(runs.map((r) => r.longMs)),
      readyFirstMs: v === "none" ? null : spread(runs.map((r) => r.readyFirstMs)),
      readyAllMs: v === "none" ? null : spread(runs.flatMap((r) => r.readyMs)),
      startAllMs: v === "microconv" && runs.some((r) => r.startMs.some((x) => x !== null))
        ? spread(runs.flatMap((r) => r.startMs).filter((x) => x !== null)) : null,
      pages: runs.length ? runs[0].pages.map((p, i) => ({
        path: p.path,
        scriptMs: median(runs.map((r) => r.pages[i].scriptMs)),
        addedScriptMs: median(runs.map((r, j) => r.pages[i].scriptMs - base[j].pages[i].scriptMs)),
        longCount: median(runs.map((r) => r.pages[i].longCount)),
        longMs: median(runs.map((r) => r.pages[i].longMs)),
        readyMs: median(runs.map((r) => r.pages[i].readyMs)),
        sent: median(runs.map((r) => r.pages[i].sent)),
      })) : [],
      tagTransferFirst: median(runs.map((r) => r.tagTransferFirst)),
      sent: median(runs.map((r) => r.sent)),
    };
  }
  return out;
}

const num = (x, d = 0) => (x === null || x === undefined ? "–"
  : x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }));
const ratio = (a, b) => (a === null || b === null || b <= 0 ? "–" : (a / b).toFixed(2));
const range = (s, d = 1) => (s ? `${num(s.median, d)} (${num(s.min, d)}–${num(s.max, d)})` : "–");

function markdown(r) {
  const { sizes, summary: s, evalBrowser, native, collector, meta } = r;
  const mc = s.microconv, sp = s.snowplow, no = s.none;
  const L = [];
  L.push(`Run ${meta.date} on ${meta.machine.nproc} cores, ${meta.machine.cpu}, Chromium ${meta.machine.chromium} (headless, no CPU throttling), `
    + `node ${meta.machine.node}; load average (1/5/15 min) ${meta.machine.loadavg.join(" / ")} at the start, ${(meta.machine.loadavgEnd || []).join(" / ")} at the end. `
    + `${meta.runs} runs per variant, interleaved, fresh browser context each; video playbackRate ${meta.playbackRate}.`);
  const busy = Math.max(meta.machine.loadavg[0], (meta.machine.loadavgEnd || [0])[0]);
  if (busy > meta.machine.nproc) {
    L.push("");
    L.push(`**The machine was busy during this run** (1-min load average up to ${busy} on ${meta.machine.nproc} cores): timings are inflated and noisy; compare ratios, and re-run on a quiet machine for absolute numbers.`);
  }
  L.push("");
  L.push(`Visit: blog article (load, scroll to the bottom in ${meta.scrollSteps} wheel steps), product page (demo video played through), `
    + `pricing page (${meta.ctaClicks} clicks on a CTA button, one outbound link click). Snowplow ${meta.snowplowVersions}; `
    + `microconv ${meta.wasm}. Medians, with (min–max) over the runs.`);
  L.push("");
  L.push("| Per visit | no tag | microconv | Snowplow | microconv / Snowplow |");
  L.push("|---|---:|---:|---:|---:|");
  const sizeRow = (label, k) => L.push(`| ${label} | – | ${num(sizes.microconv[k])} | ${num(sizes.snowplow[k])} | ${ratio(sizes.microconv[k], sizes.snowplow[k])} |`);
  sizeRow("Tag files, raw (bytes)", "raw");
  sizeRow("Tag files, gzip -9 (bytes)", "gzip");
  sizeRow("Tag files, brotli q11 (bytes)", "brotli");
  L.push(`| Tag + its rules.json, brotli (bytes) | – | ${num(sizes.microconvWithRules.brotli)} | ${num(sizes.snowplow.brotli)} (config inside) | ${ratio(sizes.microconvWithRules.brotli, sizes.snowplow.brotli)} |`);
  L.push(`| Tag transfer incl. rules.json, first page (network: brotli from the collector, rules.json uncompressed) | – | ${num(mc.tagTransferFirst)} | ${num(sp.tagTransferFirst)} | ${ratio(mc.tagTransferFirst, sp.tagTransferFirst)} |`);
  L.push(`| Main-thread scripting (ScriptDuration, ms) | ${range(no.scriptMs)} | ${range(mc.scriptMs)} | ${range(sp.scriptMs)} | |`);
  L.push(`| **Scripting added over no tag (ms)** | 0 | **${range(mc.addedScriptMs)}** | ${range(sp.addedScriptMs)} | **${ratio(mc.addedScriptMs.median, sp.addedScriptMs.median)}** |`);
  L.push(`| Main-thread tasks added over no tag (TaskDuration, ms) | 0 | ${range(mc.addedTaskMs)} | ${range(sp.addedTaskMs)} | ${ratio(mc.addedTaskMs.median, sp.addedTaskMs.median)} |`);
  L.push(`| Long tasks (count) | ${range(no.longCount, 0)} | ${range(mc.longCount, 0)} | ${range(sp.longCount, 0)} | ${ratio(mc.longCount.median, sp.longCount.median)} |`);
  L.push(`| Long tasks (total ms) | ${range(no.longMs, 0)} | ${range(mc.longMs, 0)} | ${range(sp.longMs, 0)} | ${ratio(mc.longMs.median, sp.longMs.median)} |`);
  L.push(`| Ready after script start, first page (ms) | – | ${range(mc.readyFirstMs)} | ${range(sp.readyFirstMs)} | ${ratio(mc.readyFirstMs.median, sp.readyFirstMs.median)} |`);
  L.push(`| Ready after script start, every page (ms) | – | ${range(mc.readyAllMs)} | ${range(sp.readyAllMs)} | ${ratio(mc.readyAllMs.median, sp.readyAllMs.median)} |`);
  if (mc.startAllMs) L.push(`| of which microconv's start() (rules parsed, listeners attached) | – | ${range(mc.startAllMs)} | – | |`);
  L.push(`| Requests sent to the collector | 0 | ${num(mc.sent)} | ${num(sp.sent)} | ${ratio(mc.sent, sp.sent)} |`);
  L.push("");
  const g = r.goals;
  L.push(`Goals (issue 13): ready ≤ 50 ms after script start: ${g.ready}; scripting added ≤ 0.3 × Snowplow's: ${g.scripting}; `
    + `zero long tasks: ${g.longTasks}; a click ≤ 10 µs at 100 selector triggers: ${g.click100}, ≤ 100 µs at 1,000: ${g.click1000}; `
    + `tag ≤ 20 KB brotli (then 15 KB): ${g.size}.`);
  L.push("");
  if (evalBrowser) {
    L.push("Rule evaluation in the browser, ns per event spent in the tag (dispatch loop with the tag minus the same loop without it; best of 15 rounds):");
    L.push("");
    L.push("| Event | no tag (dispatch only) | 10 triggers | 100 triggers | 1,000 triggers |");
    L.push("|---|---:|---:|---:|---:|");
    for (const [kind, label] of [["click", "click (synthetic, delegated listener)"], ["push", "dataLayer.push"]]) {
      const e = evalBrowser[kind];
      L.push(`| ${label} | ${num(e.none)} | ${num(e[10].tag)} | ${num(e[100].tag)} | ${num(e[1000].tag)} |`);
    }
    L.push("");
  }
  if (native && native.length) {
    L.push("Rule evaluation, native (`cargo bench --bench eval`: the release profile, the native backend, one trigger in ten fires; best of 7 rounds), ns per event:");
    L.push("");
    L.push("| Event | 10 triggers | 100 triggers | 1,000 triggers |");
    L.push("|---|---:|---:|---:|");
    const names = [...new Set(native.map((x) => x.name))];
    for (const name of names) {
      const cell = (n) => num((native.find((x) => x.name === name && x.triggers === n) || {}).ns);
      L.push(`| ${name} | ${cell(10)} | ${cell(100)} | ${cell(1000)} |`);
    }
    L.push("");
  } else {
    L.push("Native evaluation: not measured in this run (`cargo bench --bench eval` failed or was skipped).");
    L.push("");
  }
  if (collector && collector.length) {
    L.push(`Collector (\`scripts/bench-collector.sh\`, wrk on the same machine, ${collector[0].seconds} s per run): `
      + collector.map((c) => `**${num(c.perSec)} events/s** stored and fsynced with ${c.eventsPerRequest} event${c.eventsPerRequest > 1 ? "s" : ""} per request (${c.connections} connections${c.walMB === null ? "" : `; WAL peak ${c.walMB} MB`})`).join("; ") + ".");
    for (const f of collector.flood || []) L.push("", `- Overload: ${f}`);
  } else {
    L.push("Collector: not measured in this run (`scripts/bench-collector.sh` failed or was skipped).");
  }
  return L.join("\n") + "\n";
}

/** Per page medians (latest.md only): where the time goes. */
function details(r) {
  const s = r.summary;
  const L = ["", "## Per page (medians)", "",
    "| Page | variant | scripting (ms) | added over no tag (ms) | long tasks | long-task ms | ready (ms) | requests sent |",
    "|---|---|---:|---:|---:|---:|---:|---:|"];
  for (const [i, p] of s.none.pages.entries()) {
    for (const v of ["none", "microconv", "snowplow"]) {
      const x = s[v].pages[i];
      L.push(`| ${p.path} | ${v} | ${num(x.scriptMs, 1)} | ${v === "none" ? "–" : num(x.addedScriptMs, 1)} | ${num(x.longCount)} | ${num(x.longMs)} | ${v === "none" ? "–" : num(x.readyMs, 1)} | ${num(x.sent)} |`);
    }
  }
  L.push("", "## Method", "");
  for (const [k, v] of Object.entries(r.method)) L.push(`- ${k}: ${v}`);
  return L.join("\n") + "\n";
}

function goals(r) {
  const { summary: s, sizes, evalBrowser } = r;
  const verdict = (ok, text) => `${ok ? "met" : "**not met**"} (${text})`;
  const rs = s.microconv.addedScriptMs.median / s.snowplow.addedScriptMs.median;
  const click = (n, limitNs) => (evalBrowser
    ? verdict(evalBrowser.click[n].tag <= limitNs, `${num(evalBrowser.click[n].tag / 1000, 1)} µs`) : "not measured");
  return {
    scripting: verdict(rs <= 0.3, `${rs.toFixed(2)}×`),
    longTasks: verdict(s.microconv.longCount.median <= s.none.longCount.median,
      `median ${num(s.microconv.longCount.median)}, max ${num(s.microconv.longCount.max)}; without a tag ${num(s.none.longCount.median)}`),
    ready: verdict(s.microconv.readyAllMs.median <= 50, `median ${num(s.microconv.readyAllMs.median, 1)} ms`),
    size: verdict(sizes.microconv.brotli <= 20480, `${num(sizes.microconv.brotli)} bytes`),
    click100: click(100, 10_000),
    click1000: click(1000, 100_000),
  };
}

/** Writes latest.json + latest.md under `resultsDir`, updates docs/benchmark.md; returns the Markdown. */
function writeReport(r, { resultsDir, readme }) {
  r.goals = goals(r);
  const md = markdown(r);
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, "latest.json"), JSON.stringify(r, null, 2) + "\n");
  fs.writeFileSync(path.join(resultsDir, "latest.md"), `# microconv benchmark (\`./build.sh bench\`)\n\n${md}${details(r)}`);
  if (readme) {
    const text = fs.readFileSync(readme, "utf8");
    const re = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/;
    if (re.test(text)) fs.writeFileSync(readme, text.replace(re, (_, a, b) => a + md + b));
    else console.warn("bench: docs/benchmark.md has no <!-- bench:start --> / <!-- bench:end --> markers; not updated");
  }
  return md;
}

module.exports = { summarize, writeReport, median };
