#!/usr/bin/env bash
# Collector benchmark on 127.0.0.1 (temporary databases, request logging off):
#   1. durable throughput: wrk (Debian package) posts beacons with unique event
#      ids, 1 and then 10 events per request; every 204 is fsynced (group
#      commit); the stored count is read back. The WAL's size is sampled every
#      100 ms meanwhile: its peak is printed (the bound is --wal-limit-mb, 64).
#   2. overload: collector/examples/flood.rs opens 3,000 connections posting
#      60 KB beacons while a real visitor (another address) posts one small
#      beacon every 20 ms; prints the real beacons' latency and answers and the
#      collector's peak memory: once with the default limits (one attacking
#      address), once with the per-address limits off (as from many addresses).
#   scripts/bench-collector.sh                 10 s per run
#   DURATION=30 CONNECTIONS=64 scripts/bench-collector.sh
#   FLOOD=0 scripts/bench-collector.sh         throughput only
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-128}"
THREADS="${THREADS:-2}"
FLOOD_CONNECTIONS="${FLOOD_CONNECTIONS:-3000}"
if ! command -v wrk >/dev/null; then
  echo "bench: apt-get install wrk"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq wrk >/dev/null
fi
bin="$(bash scripts/build-collector.sh)"
CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_PANIC=unwind \
  cargo build -q --release -p microconv-collector --example flood --target-dir target/collector-release
flood="target/collector-release/release/examples/flood"
tmp="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; true; }
trap cleanup EXIT
ulimit -n 20000 2>/dev/null || true
export MICROCONV_ADMIN_TOKEN="bench-token-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

start() {
  rm -f "$tmp"/db.sqlite*
  RUST_LOG=warn "$bin" --addr 127.0.0.1:0 --db "$tmp/db.sqlite" "$@" >"$tmp/log" 2>&1 &
  pid=$!
  url=""
  for _ in $(seq 100); do
    url="$(grep -o 'http://[0-9.:]*' "$tmp/log" | head -1)" && [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$tmp/log"; exit 1; }
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

for events in 1 10; do
  start --limit-ip 0 --limit-session 0   # wrk is one address
  ( peak=0; while kill -0 "$pid" 2>/dev/null; do
      s=$(stat -c %s "$tmp/db.sqlite-wal" 2>/dev/null || echo 0)
      [ "$s" -gt "$peak" ] && peak=$s && echo "$peak" > "$tmp/walpeak"
      sleep 0.1
    done ) &
  sampler=$!
  out="$(EVENTS=$events wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s collector/bench/collect.lua "$url/collect")"
  stored="$(curl -s -H "Authorization: Bearer $MICROCONV_ADMIN_TOKEN" "$url/api/summary" | grep -o '"total":[0-9]*' | cut -d: -f2)"
  echo "$out" | grep -E '^wrk:|Requests/sec|Latency|Non-2xx'
  awk -v s="$stored" -v d="$DURATION" -v e="$events" -v c="$CONNECTIONS" -v w="$(cat "$tmp/walpeak" 2>/dev/null || echo 0)" \
    'BEGIN { printf "bench: %d events/request, %d connections: %d events stored (fsynced) in %d s = %.0f events/s; WAL peak %.1f MB\n", e, c, s, d, s / d, w / 1048576 }'
  stop
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  rm -f "$tmp/walpeak"
done

[ "${FLOOD:-1}" = 0 ] && exit 0
echo "flood: -- one attacking address, the default limits (600 events/min and 256 connections per address)"
start
"$flood" --url "$url" --pid "$pid" --connections "$FLOOD_CONNECTIONS" --body-kb 60 --seconds "$DURATION"
stop
echo "flood: -- no per-address limits (as from many addresses): the queue, body slots and connection cap alone"
start --limit-ip 0 --limit-session 0 --max-connections-per-ip 0
"$flood" --url "$url" --pid "$pid" --connections "$FLOOD_CONNECTIONS" --body-kb 60 --seconds "$DURATION"
stop
