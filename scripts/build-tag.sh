#!/usr/bin/env bash
# Builds the deployable tag into dist/: the loader microconv.js, the one file
# every page loads with it (microconv.<hash>.wasm), and the diagnostics file
# it loads only for rules with defects (microconv-check.<hash>.js + .wasm: the
# messages, built with the `messages` feature the tag build leaves out), and
# prints their sizes.
#   scripts/build-tag.sh                 build + size table
#   scripts/build-tag.sh --check-budget  also fail when the page's brotli total exceeds the budget
# Steps, for the tag and for the diagnostics: cargo (release, wasm32) ->
# wasm-bindgen --target no-modules -> wasm-opt -Oz (npm binaryen, never
# Debian's; scripts/unfmt.mjs before, scripts/unpanic.mjs after) -> glue in its template (loader/microconv.js with loader/host.js;
# loader/check.js), minified by terser.
set -euo pipefail
cd "$(dirname "$0")/.."
check_budget=0
[ "${1:-}" = "--check-budget" ] && check_budget=1
BUDGET_BROTLI="${BUDGET_BROTLI:-20480}"

bash scripts/setup.sh build
export PATH="$HOME/.cargo/bin:$PATH"
TOOLS="$PWD/.tools/node_modules/.bin"
OUT=target/tag
rm -rf "$OUT" && mkdir -p "$OUT/check"

# The features rustc enables by default for wasm32 (binaryen must accept them).
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

# wasm <dir> <cargo target dir> <cargo feature args...>: cargo (release,
# wasm32) -> wasm-bindgen -> wasm-opt, into <dir>/glue.js + <dir>/microconv.wasm.
wasm() {
  local dir="$1" target_dir="$2"; shift 2
  # Panic locations name source files; the crates' own paths are made the
  # same on every machine (the size must not depend on $CARGO_HOME).
  RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src/=" \
    cargo build --release --target wasm32-unknown-unknown -p microconv --target-dir "$target_dir" "$@"
  wasm-bindgen --target no-modules --no-typescript --remove-producers-section \
    --out-dir "$dir" --out-name glue "$target_dir/wasm32-unknown-unknown/release/microconv.wasm"
  # core::fmt's functions that only panic messages point to, never called
  # (a panic traps unformatted): replaced by `unreachable` (scripts/unfmt.mjs).
  "$TOOLS/wasm-opt" "${features[@]}" "$dir/glue_bg.wasm" --print-call-graph -o /dev/null > "$dir/calls.txt"
  node scripts/unfmt.mjs "$dir/glue_bg.wasm" "$dir/calls.txt" "$dir/unfmt.wasm"
  # --low-memory-unused: Rust places nothing in the first 1 KB of memory.
  # The import/export names (`__wbg_addEventListener_f2d27251d333a631`, twice:
  # in the .wasm and in the glue) are minified; the mapping printed on stdout
  # is applied to the glue by `bundle`.
  # --flatten --rereloop first: binaryen rebuilds the control flow of every
  # function from scratch, which -Oz then shrinks further (-1.4 KB raw,
  # -0.2 KB brotli against -Oz alone).
  "$TOOLS/wasm-opt" --flatten --rereloop -Oz -Oz --low-memory-unused --converge --strip-debug --strip-producers \
    "${features[@]}" "$dir/unfmt.wasm" -o "$dir/opt.wasm"
  # The target_features section is for tools (wasm-bindgen has read it);
  # browsers ignore it.
  "$TOOLS/wasm-opt" --minify-imports-and-exports-and-modules --strip-target-features "${features[@]}" \
    "$dir/opt.wasm" -o "$dir/microconv.wasm" > "$dir/minified-names.json"
  # Panic messages and locations are never read (a panic traps): zeroed.
  node scripts/unpanic.mjs "$dir/microconv.wasm"
}

# bundle <dir> <template> <out> <marker=text | marker=@file>...: the template
# with <dir>/glue.js (minified names applied) at /*@GLUE@*/ and the other
# markers replaced, minified by terser.
bundle() {
  local dir="$1" template="$2" out="$3"; shift 3
  node - "$dir" "$template" "$@" <<'EOF_NODE'
const fs = require("fs");
const [dir, template, ...pairs] = process.argv.slice(2);
let glue = fs.readFileSync(`${dir}/glue.js`, "utf8");
// Apply wasm-opt's minified import/export names to the glue.
const names = JSON.parse(fs.readFileSync(`${dir}/minified-names.json`, "utf8"));
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
// The glue's code for uses the templates don't have (they always call
// wasm_bindgen({module_or_path: <a promise of the Response>})): initSync,
// the default .wasm path from the script's URL, deprecated parameters.
const cut = (from, to, text = "") => {
  const i = glue.indexOf(from), j = glue.indexOf(to, i);
  if (i < 0 || j < 0) throw new Error(`glue lacks ${from} ... ${to} (wasm-bindgen changed?)`);
  glue = glue.slice(0, i) + text + glue.slice(j);
};
swap(`    let script_src;
    if (typeof document !== 'undefined' && document.currentScript !== null) {
        script_src = new URL(document.currentScript.src, location.href).toString();
    }
`, "");
cut("    function initSync(module) {", "    let __wbg_init_promise;");
cut("        if (module_or_path !== undefined) {", "        const { instance, module }",
  "        ({module_or_path} = module_or_path);\n        const imports = __wbg_get_imports();\n");
swap("Object.assign(__wbg_init, { initSync }, exports)", "Object.assign(__wbg_init, exports)");
let src = fs.readFileSync(template, "utf8");
const put = (marker, text) => {
  if (!src.includes(marker)) throw new Error(`${template} lacks ${marker}`);
  src = src.split(marker).join(text);
};
put("/*@GLUE@*/", glue);
// A trigger family's host helpers (/* family X */ ... /* end X */ in
// host.js) go with its Cargo feature (TAG_FEATURES; "families": all).
const built = (process.env.TAG_FEATURES ?? "families").split(",");
const families = (text) => text.replace(/\/\* family (\w+) \*\/\n([^]*?)\/\* end \1 \*\/\n/g,
  (_, family, body) => (built.includes("families") || built.includes(family) ? body : ""));
for (const pair of pairs) {
  const i = pair.indexOf("=");
  const value = pair.slice(i + 1);
  put(pair.slice(0, i), value.startsWith("@") ? families(fs.readFileSync(value.slice(1), "utf8")) : value);
}
fs.writeFileSync(`${dir}/bundle.js`, src);
EOF_NODE
  "$TOOLS/terser" "$dir/bundle.js" --ecma 2017 --compress passes=2 --mangle \
    --comments '/^!/' -o "$out"
}

hashed() { echo "$1.$(sha256sum "$2" | cut -c1-12).$3"; }

# The diagnostics file first: the loader names it. Its own target dir keeps
# both builds cached (they differ in features).
echo "== diagnostics: cargo build (release, wasm32, feature check-only), wasm-bindgen, wasm-opt"
wasm "$OUT/check" target/check-build --no-default-features --features check-only
check_wasm=$(hashed microconv-check "$OUT/check/microconv.wasm" wasm)
bundle "$OUT/check" loader/check.js "$OUT/check/check.min.js" "@WASM@=$check_wasm"
check_js=$(hashed microconv-check "$OUT/check/check.min.js" js)

echo "== tag: cargo build (release, wasm32, no default features), wasm-bindgen $(wasm-bindgen --version | awk '{print $2}'), wasm-opt $("$TOOLS/wasm-opt" --version | awk '{print $3}')"
# Without `std` (see Cargo.toml): no_std, a trap on panic, lol_alloc; without
# `messages`: rules defects are named, their text is in the diagnostics file.
wasm "$OUT" target --no-default-features --features "${TAG_FEATURES-families}"
wasm_name=$(hashed microconv "$OUT/microconv.wasm" wasm)

echo "== loader"
bundle "$OUT" loader/microconv.js "$OUT/microconv.js" "/*@HOST@*/=@loader/host.js" "/*@DELIVERY@*/=@loader/delivery.js" \
  "/*@SESSION@*/=@loader/session.js" \
  "@WASM@=$wasm_name" "@CHECK@=$check_js"
# Prepend the install contract as a short comment (kept: it documents the file on the site).
{ echo '/*! microconv: <script async src=".../microconv.js" data-rules="/rules.json" data-endpoint="/collect"> */'; cat "$OUT/microconv.js"; } > "$OUT/microconv.min.js"

rm -rf dist && mkdir -p dist
cp "$OUT/microconv.min.js" dist/microconv.js
cp "$OUT/microconv.wasm" "dist/$wasm_name"
cp "$OUT/check/check.min.js" "dist/$check_js"
cp "$OUT/check/microconv.wasm" "dist/$check_wasm"

# table <title> <files...>: raw, gzip -9 and brotli -q 11 sizes; sets total_br.
table() {
  local title="$1"; shift
  local raw gz br total_raw=0 total_gz=0
  total_br=0
  echo "== $title"
  printf '  %-34s %8s %8s %8s\n' file raw gzip brotli
  for f in "$@"; do
    raw=$(wc -c < "$f"); gz=$(gzip -9 -c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
    total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
    printf '  %-34s %8d %8d %8d\n' "$(basename "$f")" "$raw" "$gz" "$br"
  done
  printf '  %-34s %8d %8d %8d' total "$total_raw" "$total_gz" "$total_br"
}
table "dist/: diagnostics, downloaded only by pages whose rules have defects" \
  "dist/$check_js" "dist/$check_wasm"
echo
table "dist/ (bytes a page downloads for the tag)" dist/microconv.js "dist/$wasm_name"
printf '   (target: %d brotli)\n' "$BUDGET_BROTLI"
sri="sha384-$(openssl dgst -sha384 -binary "dist/$wasm_name" | base64 -w0)"
echo "  SRI for the wasm (optional): data-wasm-integrity=\"$sri\""
echo "$total_br" > "$OUT/total-brotli.txt"

if [ "$check_budget" = 1 ] && [ "$total_br" -gt "$BUDGET_BROTLI" ]; then
  echo "FAIL: the tag is $total_br bytes brotli, over the budget of $BUDGET_BROTLI" >&2
  exit 1
fi
