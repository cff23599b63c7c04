#!/usr/bin/env bash
# Builds the deployable tag into dist/: the loader microconv.js and exactly the
# one file it loads (microconv.<hash>.wasm), and prints their sizes.
#   scripts/build-tag.sh                 build + size table
#   scripts/build-tag.sh --check-budget  also fail when the brotli total exceeds the budget
# Steps: cargo (release, wasm32) -> wasm-bindgen --target no-modules -> wasm-opt -Oz
# (npm binaryen, never Debian's) -> loader = host.js + glue + loader body, minified by terser.
set -euo pipefail
cd "$(dirname "$0")/.."
check_budget=0
[ "${1:-}" = "--check-budget" ] && check_budget=1
BUDGET_BROTLI="${BUDGET_BROTLI:-30720}"

bash scripts/setup.sh build
export PATH="$HOME/.cargo/bin:$PATH"
TOOLS="$PWD/.tools/node_modules/.bin"
OUT=target/tag
rm -rf "$OUT" && mkdir -p "$OUT"

echo "== cargo build (release, wasm32-unknown-unknown)"
# Without `std` (see Cargo.toml): no_std, a trap on panic, lol_alloc.
cargo build --release --target wasm32-unknown-unknown -p microconv --no-default-features

echo "== wasm-bindgen $(wasm-bindgen --version | awk '{print $2}')"
wasm-bindgen --target no-modules --no-typescript --remove-producers-section \
  --out-dir "$OUT" --out-name glue target/wasm32-unknown-unknown/release/microconv.wasm

echo "== wasm-opt $("$TOOLS/wasm-opt" --version)"
# The features rustc enables by default for wasm32 (binaryen must accept them).
# --low-memory-unused: Rust places nothing in the first 1 KB of memory.
# The import/export names (`__wbg_addEventListener_f2d27251d333a631`, twice:
# in the .wasm and in the glue) are minified; the mapping printed on stdout
# is applied to the glue below.
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)
"$TOOLS/wasm-opt" -Oz --low-memory-unused --converge --strip-debug --strip-producers \
  "${features[@]}" "$OUT/glue_bg.wasm" -o "$OUT/opt.wasm"
"$TOOLS/wasm-opt" --minify-imports-and-exports-and-modules "${features[@]}" \
  "$OUT/opt.wasm" -o "$OUT/microconv.wasm" > "$OUT/minified-names.json"

hash=$(sha256sum "$OUT/microconv.wasm" | cut -c1-12)
wasm_name="microconv.$hash.wasm"

echo "== loader"
node - "$OUT" "$wasm_name" <<'EOF'
const fs = require("fs");
const [out, wasmName] = process.argv.slice(2);
const host = fs.readFileSync("loader/host.js", "utf8");
let glue = fs.readFileSync(`${out}/glue.js`, "utf8");
// Apply wasm-opt's minified import/export names to the glue.
const names = JSON.parse(fs.readFileSync(`${out}/minified-names.json`, "utf8"));
const swap = (from, to) => {
  if (!glue.includes(from)) throw new Error(`glue lacks ${from} (minified names)`);
  glue = glue.split(from).join(to);
};
const modules = new Set();
for (const [mod, name, short] of names.imports) {
  swap(`${name}: function(`, `${JSON.stringify(short)}: function(`);
  modules.add(mod);
}
// Exports the glue never reads (`__abort_handler`, ...) need no renaming.
for (const [name, short] of names.exports) {
  if (glue.includes(`wasm.${name}`)) swap(`wasm.${name}`, `wasm[${JSON.stringify(short)}]`);
}
if (modules.size !== 1) throw new Error(`expected one import module, got ${[...modules]}`);
swap(`"${[...modules][0]}": import0`, `"a": import0`);
let src = fs.readFileSync("loader/microconv.js", "utf8");
const put = (marker, text) => {
  if (!src.includes(marker)) throw new Error(`loader template lacks ${marker}`);
  src = src.split(marker).join(text);
};
put("/*@HOST@*/", host);
put("/*@GLUE@*/", glue);
put("@WASM@", wasmName);
fs.writeFileSync(`${out}/loader.js`, src);
EOF
"$TOOLS/terser" "$OUT/loader.js" --ecma 2017 --compress passes=2 --mangle \
  --comments '/^!/' -o "$OUT/microconv.js"
# Prepend the install contract as a short comment (kept: it documents the file on the site).
{ echo '/*! microconv: <script async src=".../microconv.js" data-rules="/rules.json" data-endpoint="/collect"> */'; cat "$OUT/microconv.js"; } > "$OUT/microconv.min.js"

rm -rf dist && mkdir -p dist
cp "$OUT/microconv.min.js" dist/microconv.js
cp "$OUT/microconv.wasm" "dist/$wasm_name"

echo "== dist/ (bytes a page downloads for the tag)"
total_raw=0; total_gz=0; total_br=0
printf '  %-28s %8s %8s %8s\n' file raw gzip brotli
for f in dist/microconv.js "dist/$wasm_name"; do
  raw=$(wc -c < "$f"); gz=$(gzip -9 -c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  printf '  %-28s %8d %8d %8d\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
printf '  %-28s %8d %8d %8d   (target: %d brotli)\n' total "$total_raw" "$total_gz" "$total_br" "$BUDGET_BROTLI"
sri="sha384-$(openssl dgst -sha384 -binary "dist/$wasm_name" | base64 -w0)"
echo "  SRI for the wasm (optional): data-wasm-integrity=\"$sri\""
echo "$total_br" > "$OUT/total-brotli.txt"

if [ "$check_budget" = 1 ] && [ "$total_br" -gt "$BUDGET_BROTLI" ]; then
  echo "FAIL: the tag is $total_br bytes brotli, over the budget of $BUDGET_BROTLI" >&2
  exit 1
fi
