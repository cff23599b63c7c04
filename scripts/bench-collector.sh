#!/usr/bin/env bash
# Collector throughput: wrk (Debian package) posts beacons with unique event ids to
# a release collector on 127.0.0.1 (temporary database, request logging off), then
# counts what was really stored.
#   scripts/bench-collector.sh            10 s per run, 1 and 10 events per request
#   DURATION=30 CONNECTIONS=64 scripts/bench-collector.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
if ! command -v wrk >/dev/null; then
  echo "bench: apt-get install wrk"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq wrk >/dev/null
fi
bin="$(bash scripts/build-collector.sh)"
tmp="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; true; }
trap cleanup EXIT

for events in 1 10; do
  rm -f "$tmp"/db.sqlite*
  RUST_LOG=warn "$bin" --addr 127.0.0.1:0 --db "$tmp/db.sqlite" --static "$tmp" --tag-dir "$tmp" >"$tmp/log" 2>&1 &
  pid=$!
  url=""
  for _ in $(seq 100); do
    url="$(grep -o 'http://[0-9.:]*' "$tmp/log" | head -1)" && [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$tmp/log"; exit 1; }
  out="$(EVENTS=$events wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s collector/bench/collect.lua "$url/collect")"
  stored="$(curl -s "$url/api/summary" | grep -o '"total":[0-9]*' | cut -d: -f2)"
  echo "$out" | grep -E '^wrk:|Requests/sec'
  awk -v s="$stored" -v d="$DURATION" -v e="$events" -v c="$CONNECTIONS" \
    'BEGIN { printf "bench: %d events/request, %d connections: %d events stored in %d s = %.0f events/s\n", e, c, s, d, s / d }'
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
