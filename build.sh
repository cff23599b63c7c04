#!/usr/bin/env bash
# microconv build entry point. Each subcommand installs what it needs and skips what is there.
#   ./build.sh          build the tag into dist/ (loader + glue + wasm) and print its size
#   ./build.sh test     every test: native unit tests, browser tests, size budget, end-to-end
#   ./build.sh serve    build, then serve the demo site and collector on http://127.0.0.1:8080
#   ./build.sh check F  validate a rules file (microconv check)
#   ./build.sh publish F -o DIR   validate it and write its published form (microconv publish)
#   ./build.sh bench    microconv vs Snowplow vs no tag, evaluation and collector speed (bench/results/)
set -euo pipefail
caller="$PWD"
cd "$(dirname "$0")"
cmd="${1:-build}"
[ $# -gt 0 ] && shift
case "$cmd" in
  build) exec bash scripts/build-tag.sh "$@" ;;
  test)  exec bash scripts/test.sh "$@" ;;
  serve) exec bash scripts/serve.sh "$@" ;;
  # Built here, run from the caller's folder: its paths are the caller's.
  check|publish) cargo build -q -p microconv-cli --release
         bin="$PWD/${CARGO_TARGET_DIR:-target}/release/microconv"
         case "${CARGO_TARGET_DIR:-}" in /*) bin="$CARGO_TARGET_DIR/release/microconv" ;; esac
         cd "$caller" && exec "$bin" "$cmd" "$@" ;;
  bench) exec bash scripts/bench.sh "$@" ;;
  *) echo "usage: ./build.sh [build|test|serve|check FILE|publish FILE -o DIR|bench]" >&2; exit 2 ;;
esac
