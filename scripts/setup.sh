#!/usr/bin/env bash
# Installs what building and testing microconv needs; skips what is present.
#   scripts/setup.sh          everything (build + browser tests)
#   scripts/setup.sh build    only what ./build.sh needs
# Pinned: wasm-bindgen-cli =0.2.130 (must equal Cargo.lock's wasm-bindgen),
# binaryen@132 from npm (Debian's wasm-opt 108 emits broken modules).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"

WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
TERSER_VERSION=5.51.2
# The JS linter of ./build.sh test (eslint.config.js).
ESLINT_VERSION=10.15.0
ESLINT_JS_VERSION=10.0.1
GLOBALS_VERSION=17.14.0
TOOLS="$PWD/.tools"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '  setup: %s\n' "$*"; }

apt_install() {
  # $@: Debian packages; installs the missing ones only.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "apt-get install ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Rust and the wasm target.
command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust from https://rustup.rs" >&2; exit 1; }
if command -v rustup >/dev/null; then
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || { say "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }
  # The lint step of ./build.sh test.
  for c in clippy rustfmt; do
    rustup component list --installed | grep -q "^$c" || { say "rustup component add $c"; rustup component add "$c"; }
  done
fi

# wasm-bindgen CLI (also provides wasm-bindgen-test-runner). Not --locked: that fails for this version.
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "cargo install wasm-bindgen-cli --version =$WASM_BINDGEN_VERSION"
  cargo install -q wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

# node/npm for binaryen and terser.
command -v npm >/dev/null || apt_install nodejs npm
command -v brotli >/dev/null || apt_install brotli

# wasm-opt (binaryen) and terser into .tools/, pinned.
have_npm() { [ -f "$TOOLS/node_modules/$1/package.json" ] && grep -q "\"version\": \"$2\"" "$TOOLS/node_modules/$1/package.json"; }
if ! have_npm binaryen "$BINARYEN_VERSION" || ! have_npm terser "$TERSER_VERSION" \
  || ! have_npm eslint "$ESLINT_VERSION" || ! have_npm @eslint/js "$ESLINT_JS_VERSION" || ! have_npm globals "$GLOBALS_VERSION"; then
  say "npm install binaryen@$BINARYEN_VERSION terser@$TERSER_VERSION eslint@$ESLINT_VERSION into .tools/"
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"private":true}' > "$TOOLS/package.json"
  npm install --prefix "$TOOLS" --no-audit --no-fund --silent \
    "binaryen@$BINARYEN_VERSION" "terser@$TERSER_VERSION" \
    "eslint@$ESLINT_VERSION" "@eslint/js@$ESLINT_JS_VERSION" "globals@$GLOBALS_VERSION"
fi

[ "$what" = build ] && exit 0

# Browser tests: Chromium + chromedriver from Debian.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt_install chromium chromium-driver
fi
# The collector's durability test watches its fsyncs with strace.
command -v strace >/dev/null || apt_install strace
exit 0
