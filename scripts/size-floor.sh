#!/usr/bin/env bash
# The floor under the tag's size: what its wasm weighs with parts of the
# browser shell cut out by hand. Not a build of the product (the cut-down
# modules send nothing): a measurement behind the README's Size section.
#   scripts/floor/1-no-delivery.patch  no delivery (transport, outbox), no
#       consent, no single-page-app code; each event's JSON is still written
#       (and handed to an import the module has anyway)
#   scripts/floor/2-core-only.patch    also no listeners: one export per
#       engine entry point keeps the rules reader, validator, engine,
#       privacy filters and payload writer in the module, and nothing else
# Each patch applies on top of the previous one, in a worktree of HEAD, and
# is built with the tag's own pipeline (scripts/build-tag.sh). A patch that no
# longer applies fails here: refresh it against the code it cuts.
# Takes a few minutes (two wasm builds; cached in target/floor).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
bash scripts/setup.sh build >/dev/null
tmp=$(mktemp -d)
wt="$tmp/floor"
git worktree add -q --detach "$wt" HEAD
trap 'git -C "$root" worktree remove --force "$wt"; rm -rf "$tmp"' EXIT
mkdir -p target/floor
ln -s "$root/.tools" "$wt/.tools"
ln -s "$root/target/floor" "$wt/target"

size() {
  local f="$wt/target/tag/microconv.wasm"
  printf '  %-40s %8d raw %8d brotli\n' "$1" "$(wc -c < "$f")" "$(brotli -q 11 -c "$f" | wc -c)"
}
build() { (cd "$wt" && bash scripts/build-tag.sh > "$wt/build.log" 2>&1) || { tail -30 "$wt/build.log" >&2; exit 1; }; }

echo "== the tag's wasm, and its floor with parts of the shell cut out"
build
size "the tag (HEAD)"
for p in scripts/floor/*.patch; do
  git -C "$wt" apply "$root/$p" || { echo "size-floor: $p no longer applies to HEAD" >&2; exit 1; }
  build
  size "$(basename "$p" .patch)"
done
