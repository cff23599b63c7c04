#!/usr/bin/env bash
# ./build.sh bench: microconv vs the Snowplow browser tracker vs no tag, in one run
# on this machine (headless Debian Chromium driven by Playwright, no CPU throttling),
# plus rule evaluation (native and in the browser), the collector's throughput and
# the report's speed over 1M events (scripts/bench-report.sh, printed).
# Writes bench/results/latest.{md,json} and docs/benchmark.md's tag section.
# Not part of ./build.sh test: timings are measurements, not tests.
# Env: BENCH_RUNS (7 visits per variant), BENCH_WARMUP (1), BENCH_PLAYBACK_RATE (2),
#      BENCH_COLLECTOR_SECONDS (5 s per wrk run), BENCH_SKIP_TAG_BUILD=1 (use dist/ as
#      it is), BENCH_SKIP_NATIVE=1 (no cargo bench / collector bench), BENCH_README=0,
#      BENCH_EVAL_ONLY=1 (only rule evaluation in the browser, printed).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

# node/npm and Debian's chromium come from scripts/setup.sh on a fresh machine.
if ! command -v npm >/dev/null || [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  bash scripts/setup.sh
fi

# Playwright and Snowplow from the npm registry, exactly as locked; no browser download.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -d bench/node_modules/playwright-core ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  echo "bench: npm ci (bench/)"
  (cd bench && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "${BENCH_SKIP_TAG_BUILD:-}" != 1 ]; then
  echo "bench: building the tag (scripts/build-tag.sh)"
  bash scripts/build-tag.sh | sed -n '/== dist/,$p'
fi
[ -f dist/microconv.js ] || { echo "bench: dist/microconv.js missing: run ./build.sh" >&2; exit 1; }
bin="$(bash scripts/build-collector.sh)"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
export MICROCONV_COLLECTOR_BIN="$bin"
# The pages' rules are published first (bench/lib/site.js), as a site serves them.
cargo build -q --release -p microconv-cli
export MICROCONV_CLI_BIN="$PWD/${CARGO_TARGET_DIR:-target}/release/microconv"
case "${CARGO_TARGET_DIR:-}" in /*) export MICROCONV_CLI_BIN="$CARGO_TARGET_DIR/release/microconv" ;; esac

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ "${BENCH_SKIP_NATIVE:-}" != 1 ]; then
  echo "bench: cargo bench --bench eval"
  if cargo bench -q --bench eval >"$tmp/eval.txt" 2>"$tmp/eval.err"; then
    export BENCH_CARGO_OUT="$tmp/eval.txt"
    grep 'ns/event' "$tmp/eval.txt" | sed 's/^/  /'
  else
    echo "bench: cargo bench failed (left out of the report):" >&2; tail -20 "$tmp/eval.err" >&2
  fi
  echo "bench: scripts/bench-collector.sh (${BENCH_COLLECTOR_SECONDS:-5} s per run)"
  if DURATION="${BENCH_COLLECTOR_SECONDS:-5}" bash scripts/bench-collector.sh >"$tmp/collector.txt" 2>&1; then
    export BENCH_COLLECTOR_OUT="$tmp/collector.txt"
    grep '^bench:' "$tmp/collector.txt" | sed 's/^/  /'
  else
    echo "bench: the collector benchmark failed (left out of the report):" >&2; tail -20 "$tmp/collector.txt" >&2
  fi
  echo "bench: scripts/bench-report.sh (/api/report over 1M events, /collect meanwhile)"
  if bash scripts/bench-report.sh >"$tmp/report.txt" 2>&1; then
    grep -v '^ *$' "$tmp/report.txt" | tail -12 | sed 's/^/  /'
  else
    echo "bench: the report benchmark failed:" >&2; tail -20 "$tmp/report.txt" >&2
  fi
fi

echo "bench: browser visits (bench/run.js)"
(cd bench && node run.js)
echo "bench: done in $(( $(date +%s) - started )) s"
