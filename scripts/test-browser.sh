#!/usr/bin/env bash
# Browser tests (tests/web_*.rs) in headless Chromium through chromedriver.
# Same as `wasm-pack test --headless --chrome -- --test web_scroll ...`, without
# wasm-pack's downloads: cargo runs wasm-bindgen-test-runner (from
# wasm-bindgen-cli, pinned by scripts/setup.sh), which reads ./webdriver.json.
#   scripts/test-browser.sh              every tests/web_*.rs
#   scripts/test-browser.sh web_media    one file
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
args=()
if [ $# -gt 0 ]; then
  for t in "$@"; do args+=(--test "$t"); done
else
  for f in tests/web_*.rs; do args+=(--test "$(basename "$f" .rs)"); done
fi
cargo test --target wasm32-unknown-unknown -p microconv "${args[@]}"
