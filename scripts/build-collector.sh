#!/usr/bin/env bash
# Builds the collector for serving and load tests; prints the binary's path.
# The workspace's release profile is tuned for the wasm tag (opt-level "z", fat LTO,
# panic=abort); a server wants speed and unwinding, so it gets its own settings and
# its own target folder (no rebuild churn with the tag's or the CLI's release builds).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}/collector-release"
CARGO_PROFILE_RELEASE_OPT_LEVEL=3 \
CARGO_PROFILE_RELEASE_LTO=false \
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
CARGO_PROFILE_RELEASE_PANIC=unwind \
  cargo build -q --release -p microconv-collector --target-dir "$target" >&2
echo "$target/release/microconv-collector"
