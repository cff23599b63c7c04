// Parses the outputs of `cargo bench --bench eval` and scripts/bench-collector.sh,
// which scripts/bench.sh runs before the browser part and saves to files.
"use strict";
const fs = require("node:fs");

const read = (file) => (file && fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null);

/** [{name, triggers, ns, perSec}] from benches/eval.rs's lines, or null without output. */
function parseCargoBench(file) {
  const text = read(file);
  if (text === null) return null;
  const rows = [];
  for (const line of text.split("\n")) {
    const m = /^(\S.*?)\s+(\d+) triggers\s+(\d+) ns\/event\s+(\d+) events\/s/.exec(line);
    if (m) rows.push({ name: m[1].trim(), triggers: +m[2], ns: +m[3], perSec: +m[4] });
  }
  return rows;
}

/**
 * [{eventsPerRequest, connections, stored, seconds, perSec, walMB}] from
 * bench-collector.sh's "bench:" lines; its "flood:" lines (the overload run)
 * as text in `.flood`.
 */
function parseCollectorBench(file) {
  const text = read(file);
  if (text === null) return null;
  const rows = [];
  for (const line of text.split("\n")) {
    const m = /^bench: (\d+) events\/request, (\d+) connections: (\d+) events stored(?: \(fsynced\))? in (\d+) s = (\d+) events\/s(?:; WAL peak ([\d.]+) MB)?/.exec(line);
    if (m) rows.push({ eventsPerRequest: +m[1], connections: +m[2], stored: +m[3], seconds: +m[4], perSec: +m[5], walMB: m[6] ? +m[6] : null });
    const f = /^flood: (.*)$/.exec(line);
    if (f) (rows.flood = rows.flood || []).push(f[1]);
  }
  return rows;
}

module.exports = { parseCargoBench, parseCollectorBench };
