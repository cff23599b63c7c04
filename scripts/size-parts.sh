#!/usr/bin/env bash
# What each trigger family costs the page: the tag built with the tag's own
# pipeline (scripts/build-tag.sh) once with every family (the product), once
# without each family (its Cargo feature left out, see Cargo.toml), and once
# with none (the core: rules reader, engine, page views, privacy, payload,
# delivery, consent, single-page-app routes). Prints a Markdown table of what
# a page downloads (loader + wasm, brotli) for docs/size.md.
#   scripts/size-parts.sh     (ten tag builds, several minutes; by hand, not in the test command)
# dist/ is rebuilt with every family at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build >/dev/null

families=(scroll video clicks forms time visibility custom groups)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# measure <features>: builds the tag with those features; prints "js wasm total" brotli.
measure() {
  TAG_FEATURES="$1" bash scripts/build-tag.sh > "$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
  local js wasm
  js=$(brotli -q 11 -c target/tag/microconv.min.js | wc -c)
  wasm=$(brotli -q 11 -c target/tag/microconv.wasm | wc -c)
  echo "$js $wasm $((js + wasm))"
}

# The features of every family but $1.
without() {
  local out=() f
  for f in "${families[@]}"; do [ "$f" = "$1" ] || out+=("$f"); done
  (IFS=,; echo "${out[*]}")
}

read -r js wasm all < <(measure families)
echo "| build | loader (brotli) | wasm (brotli) | page total | the family costs |"
echo "|---|---:|---:|---:|---:|"
printf '| every family (the tag) | %d | %d | **%d** | |\n' "$js" "$wasm" "$all"
for f in "${families[@]}"; do
  read -r js wasm total < <(measure "$(without "$f")")
  printf '| without `%s` | %d | %d | %d | %d |\n' "$f" "$js" "$wasm" "$total" "$((all - total))"
done
read -r js wasm core < <(measure "")
printf '| no family (the core) | %d | %d | %d | %d (all families) |\n' "$js" "$wasm" "$core" "$((all - core))"
bash scripts/build-tag.sh > "$log" 2>&1
