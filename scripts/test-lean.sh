#!/usr/bin/env bash
# The tag's rules validator (built without the `messages` feature) accepts
# exactly what the full one does (the CLI's, the diagnostics file's): the same
# generated corpus of mostly defective rules files through both builds of
# examples/acceptance.rs, whose outputs (a hash per case of the valid rules
# and of whose each defect is) must be identical. Native builds; the lean one
# in its own target dir, so both stay cached.
#   scripts/test-lean.sh [CASES [SEED]]     (default 20000 cases, seed 1)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cargo run -q --release --example acceptance -- "$@" > "$tmp/messages.txt"
cargo run -q --release --no-default-features --features families --target-dir target/lean --example acceptance -- "$@" > "$tmp/lean.txt"
if ! cmp -s "$tmp/messages.txt" "$tmp/lean.txt"; then
  echo "FAIL: the validator without messages accepts differently (cases: line number - 1):" >&2
  diff "$tmp/messages.txt" "$tmp/lean.txt" | head -20 >&2
  exit 1
fi
echo "test-lean: ok, the same acceptance with and without messages ($(wc -l < "$tmp/lean.txt") cases)"
