#!/usr/bin/env bash
# End-to-end tests: Playwright (Debian's /usr/bin/chromium, never a downloaded
# browser) against the real collector and the real built tag in dist/.
#   scripts/test-e2e.sh                 every spec in e2e/specs
#   scripts/test-e2e.sh funnel          specs matching "funnel" (any playwright args work)
# Env: E2E_SKIP_TAG_BUILD=1 uses dist/ as it is (the collector is always built);
#      E2E_WORKERS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
started=$(date +%s%3N)

# node/npm and Debian's chromium come from scripts/setup.sh on a fresh machine.
if ! command -v npm >/dev/null || [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  bash scripts/setup.sh
fi

# Playwright from the npm registry, exactly as locked; browsers are never downloaded.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -x e2e/node_modules/.bin/playwright ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  echo "test-e2e: npm ci (e2e/)"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "${E2E_SKIP_TAG_BUILD:-}" != 1 ]; then
  echo "test-e2e: building the tag (scripts/build-tag.sh)"
  bash scripts/build-tag.sh >/dev/null
fi
# Two builds: one would unify their dependencies' features (the CLI's
# serde_json keeps key order), and the collector would not be the shipped one.
cargo build -q -p microconv-collector
cargo build -q -p microconv-cli
[ -f dist/microconv.js ] || { echo "test-e2e: dist/microconv.js missing: run ./build.sh" >&2; exit 1; }
bin="${CARGO_TARGET_DIR:-target}/debug/microconv-collector"
[ -x "$bin" ] || { echo "test-e2e: $bin missing" >&2; exit 1; }
export MICROCONV_COLLECTOR_BIN="$root/$bin"
case "$bin" in /*) export MICROCONV_COLLECTOR_BIN="$bin" ;; esac
# The marketer's CLI, for specs that publish rules of their own (helpers.publish).
export MICROCONV_CLI_BIN="${MICROCONV_COLLECTOR_BIN%-collector}"

# The report and API need a login: the specs read with this token, and the
# report spec logs in with this password.
export MICROCONV_ADMIN_TOKEN="e2e-token-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export MICROCONV_ADMIN_PASSWORD="e2e-password-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# The shared collector: a free port, a temporary database; started as
# e2e/helpers.js starts private ones (COLLECTOR_ARGS: no rate limits, since
# every visit comes from 127.0.0.1).
tmp="$(mktemp -d)"
log="$tmp/collector.log"
RUST_LOG="${RUST_LOG:-warn}" "$MICROCONV_COLLECTOR_BIN" --addr 127.0.0.1:0 --db "$tmp/e2e.sqlite" \
  --static "$root/www" --tag-dir "$root/dist" --rules "$root/www/rules.json" \
  --limit-ip 0 --limit-session 0 >"$log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
url=""
for _ in $(seq 100); do
  url="$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //')" || true
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "test-e2e: collector did not start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$log" >&2; echo "test-e2e: collector did not start" >&2; exit 1; }
export MICROCONV_URL="$url"
echo "test-e2e: collector at $url"

status=0
(cd e2e && ./node_modules/.bin/playwright test "$@") || status=$?
# Every event the suite stored, scanned for personal data (e-mails, digit runs,
# disallowed query parameters, fragments): the beacons of every spec, not one visit.
if [ $status -eq 0 ]; then
  python3 e2e/scan_db.py "$tmp/e2e.sqlite" www/rules.json || status=$?
fi
if [ $status -ne 0 ]; then
  echo "--- collector log ---" >&2; tail -50 "$log" >&2
fi
elapsed=$(( $(date +%s%3N) - started ))
printf 'test-e2e: %s in %d.%d s\n' "$([ $status -eq 0 ] && echo passed || echo FAILED)" $((elapsed / 1000)) $((elapsed % 1000 / 100))
exit $status
