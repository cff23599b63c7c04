#!/usr/bin/env bash
# Report benchmark on 127.0.0.1 (collector/examples/report_bench.rs): a
# temporary database of 1,000,000 events (100,000 sessions over 90 days),
# the time of GET /api/report over them, and /collect's latency (p50/p99)
# alone and while reports run back to back. Prints numbers; part of
# ./build.sh bench, not of the tests.
#   scripts/bench-report.sh            SECONDS=10 per beacon phase
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(bash scripts/build-collector.sh)"
CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_PANIC=unwind \
  cargo build -q --release -p microconv-collector --example report_bench --target-dir target/collector-release
bench="target/collector-release/release/examples/report_bench"
tmp="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; true; }
trap cleanup EXIT
"$bench" seed --db "$tmp/db.sqlite"
export MICROCONV_ADMIN_TOKEN="bench-token-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
RUST_LOG=warn "$bin" --addr 127.0.0.1:0 --db "$tmp/db.sqlite" --site www.example.com=www/rules.json \
  --limit-ip 0 --limit-session 0 >"$tmp/log" 2>&1 &
pid=$!
url=""
for _ in $(seq 100); do
  url="$(grep -o 'http://[0-9.:]*' "$tmp/log" | head -1)" && [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$tmp/log"; exit 1; }
"$bench" measure --url "$url" --token "$MICROCONV_ADMIN_TOKEN" --seconds "${SECONDS_PER_PHASE:-10}"
