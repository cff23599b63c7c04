#!/usr/bin/env bash
# ./build.sh serve [collector flags...]
# Builds the tag (scripts/build-tag.sh -> dist/), builds the collector in release,
# and serves the demo site (www/ at /, with its rules) and the tag (dist/ at
# /microconv/) with the collector on http://127.0.0.1:8080, storing beacons in
# microconv.sqlite. The report needs a login: the admin password is
# MICROCONV_ADMIN_PASSWORD, or a random one kept in .demo-password (printed).
# Configure with the environment (MICROCONV_ADDR, MICROCONV_DB, MICROCONV_ALLOW_ORIGIN,
# MICROCONV_STATIC, MICROCONV_TAG_DIR, MICROCONV_RULES, ...) or with the collector's
# flags after `serve` (see `./build.sh serve --help`; docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."

export MICROCONV_ADDR="${MICROCONV_ADDR:-127.0.0.1:8080}"
export MICROCONV_DB="${MICROCONV_DB:-microconv.sqlite}"
export MICROCONV_STATIC="${MICROCONV_STATIC:-www}"
export MICROCONV_TAG_DIR="${MICROCONV_TAG_DIR:-dist}"
export MICROCONV_RULES="${MICROCONV_RULES:-www/rules.json}"
if [ -z "${MICROCONV_ADMIN_PASSWORD:-}${MICROCONV_ADMIN_PASSWORD_HASH:-}" ]; then
  [ -s .demo-password ] || (umask 077; od -An -N12 -tx1 /dev/urandom | tr -d ' \n' > .demo-password)
  MICROCONV_ADMIN_PASSWORD="$(cat .demo-password)"
  export MICROCONV_ADMIN_PASSWORD
fi
say() { printf '  serve: %s\n' "$*" >&2; }

case " $* " in
  *" --help "*|*" -h "*) ;;  # only the collector's help: no tag build needed
  *)
    say "building the tag (scripts/build-tag.sh: Rust -> wasm, wasm-opt, the loader; a few minutes the first time)"
    bash scripts/build-tag.sh
    ;;
esac

say "building the collector (release; a few minutes the first time)"
bin="$(bash scripts/build-collector.sh)"

case " $* " in *" --help "*|*" -h "*) exec "$bin" "$@" ;; esac

# Where the collector will listen (a later --addr flag wins).
addr="$MICROCONV_ADDR"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --addr) addr="${args[$((i + 1))]:-$addr}" ;;
    --addr=*) addr="${args[$i]#--addr=}" ;;
  esac
done
cat <<MSG

  microconv demo
    site     http://$addr/
    report   http://$addr/report   (password: ${MICROCONV_ADMIN_PASSWORD:-as set by MICROCONV_ADMIN_PASSWORD_HASH})
    api      http://$addr/api/summary  http://$addr/api/conversions   (the login's cookie, or
             Authorization: Bearer \$MICROCONV_ADMIN_TOKEN when you set one)
    beacons  POST http://$addr/collect  -> $MICROCONV_DB
  Ctrl-C to stop.

MSG
exec "$bin" "$@"
