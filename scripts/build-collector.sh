#!/usr/bin/env bash
# Builds the collector for serving and load tests; prints the binary's path.
#   scripts/build-collector.sh              the collector (serves --tag-dir)
#   scripts/build-collector.sh --embed-tag  with the tag's files (dist/, built
#                                           first when missing) inside: one binary
#                                           to deploy (docs/deploy.md)
# The workspace's release profile is tuned for the wasm tag (opt-level "z", fat LTO,
# panic=abort); a server wants speed and unwinding, so it gets its own settings and
# its own target folder (no rebuild churn with the tag's or the CLI's release builds).
set -euo pipefail
cd "$(dirname "$0")/.."
features=()
target="${CARGO_TARGET_DIR:-target}/collector-release"
if [ "${1:-}" = "--embed-tag" ]; then
  [ -f dist/microconv.js ] || bash scripts/build-tag.sh >&2
  features=(--features embed-tag)
  target="${CARGO_TARGET_DIR:-target}/collector-embedded"
fi
CARGO_PROFILE_RELEASE_OPT_LEVEL=3 \
CARGO_PROFILE_RELEASE_LTO=false \
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
CARGO_PROFILE_RELEASE_PANIC=unwind \
  cargo build -q --release -p microconv-collector "${features[@]}" --target-dir "$target" >&2
echo "$target/release/microconv-collector"
