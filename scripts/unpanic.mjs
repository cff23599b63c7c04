// Zeroes the text of panic messages and panic locations in a wasm module's
// data section (scripts/build-tag.sh, last step): the bytes stay, so no
// offset moves, but zeros cost brotli almost nothing (about 350 B saved).
//   node scripts/unpanic.mjs FILE.wasm     (rewritten in place)
//
// Why it is safe: the tag's panic handler (src/web/runtime.rs) traps without
// reading its PanicInfo, and scripts/unfmt.mjs has made every formatting
// function unreachable, so a panic's message and `file:line` are never read.
// Only data the patterns below match exactly is touched: source paths
// (`src/…/x.rs`, `/rustc/<hash>/library/…`, `index.crates.io-<hash>/…`) and
// core/alloc panic texts. Messages a JS error can show are kept
// (wasm-bindgen's "closure invoked recursively…", `unwrap_throw`).
import fs from "node:fs";

const file = process.argv[2];
const wasm = fs.readFileSync(file);

// The data section's byte range (section id 11).
function dataSection(b) {
  const leb = (i) => {
    let v = 0, shift = 0, byte;
    do { byte = b[i++]; v += (byte & 0x7f) * 2 ** shift; shift += 7 } while (byte & 0x80);
    return [v, i];
  };
  for (let i = 8; i < b.length;) {
    const id = b[i];
    const [size, start] = leb(i + 1);
    if (id === 11) return [start, start + size];
    i = start + size;
  }
  throw new Error(`unpanic: ${file} has no data section`);
}

const patterns = [
  /(?:\/rustc\/[0-9a-f]{40}\/library\/|src\/|index\.crates\.io-[0-9a-f]{16}\/)[A-Za-z0-9_\-/.]*\.rs/g,
  /assertion failed: self\.is_char_boundary\((?:idx|new_len)\)/g,
  /slice index starts at | but ends at | index out of bounds: the len is | but the index is /g,
  /range (?:start|end) index |" out of range for slice of length /g,
  /memory allocation of | bytes failed/g,
  /(?:insertion|removal) index \(is |\) should be <=? len \(is /g,
  /mid > len|internal error: entered unreachable code|Tried to shrink to a larger capacity/g,
  /capacity overflow|RefCell already (?:mutably )?borrowed/g,
];

const [from, to] = dataSection(wasm);
// latin1: one char per byte, so string offsets are byte offsets.
const text = wasm.toString("latin1", from, to);
let zeroed = 0;
for (const re of patterns) {
  for (const m of text.matchAll(re)) {
    wasm.fill(0, from + m.index, from + m.index + m[0].length);
    zeroed += m[0].length;
  }
}
if (!WebAssembly.validate(wasm)) throw new Error(`unpanic: ${file} no longer validates`);
fs.writeFileSync(file, wasm);
console.log(`  unpanic: ${zeroed} bytes of panic text zeroed`);
