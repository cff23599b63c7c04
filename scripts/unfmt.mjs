// Replaces core::fmt's formatting functions in a wasm module by `unreachable`
// when nothing can run them (scripts/build-tag.sh, before wasm-opt).
//   node scripts/unfmt.mjs IN.wasm CALL-GRAPH.txt OUT.wasm
// CALL-GRAPH.txt: `wasm-opt IN.wasm --print-call-graph` (its direct calls).
//
// Why: the tag's panic handler traps without formatting (src/web/runtime.rs),
// yet every panic site in core and alloc (a bounds check, a RefCell borrow)
// passes its message's Display functions (`<u32 as Display>::fmt`,
// `Formatter::pad`, ...) by pointer, so they stay in the function table and
// in the module (about 3 KB) although they can never be called. Only
// `core::fmt::write` calls them through such a pointer, and this module has
// none. Checked here, not assumed: no `fmt::write`, and no direct call into
// the replaced functions from outside them. When that does not hold (the tag
// formats text somewhere), the module is left as it is, with a warning.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { default: binaryen } = await import(path.join(root, ".tools/node_modules/binaryen/index.js"));

const [input, graphFile, output] = process.argv.slice(2);
const formatting = (name) =>
  /\bfmt::(Display|Debug|LowerHex|UpperHex|Octal|Binary|LowerExp|UpperExp|Pointer)>::fmt\b/.test(name)
  || /fmt::Formatter(<[^>]*>)?>::/.test(name);

const module = binaryen.readBinary(fs.readFileSync(input));
// The features rustc enabled (as scripts/build-tag.sh tells wasm-opt): with
// more, binaryen may write encodings browsers reject (exact references).
const F = binaryen.Features;
module.setFeatures(F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt
  | F.SignExt | F.ReferenceTypes | F.Multivalue | F.CallIndirectOverlong);
const names = [];
const stub = new Map();
for (let i = 0; i < module.getNumFunctions(); i++) {
  const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
  names.push(info.name);
  if (!info.module && formatting(info.name)) stub.set(info.name, info);
}

const problems = names.filter((n) => /\bfmt::write\b/.test(n));
for (const line of fs.readFileSync(graphFile, "utf8").split("\n")) {
  const edge = /^\s*"(.*)" -> "(.*)"; \/\/ call/.exec(line);
  if (edge && stub.has(edge[2]) && !stub.has(edge[1])) problems.push(`${edge[1]} calls ${edge[2]}`);
}
if (!stub.size || problems.length) {
  console.log(`  unfmt: left as it is (${stub.size ? "the tag formats text: " + problems.slice(0, 3).join("; ") : "no formatting code"})`);
  fs.copyFileSync(input, output);
} else {
  for (const info of stub.values()) {
    module.removeFunction(info.name);
    module.addFunction(info.name, info.params, info.results, [], module.unreachable());
  }
  if (!module.validate()) throw new Error("unfmt: the module does not validate");
  fs.writeFileSync(output, module.emitBinary());
  console.log(`  unfmt: ${stub.size} formatting functions replaced by unreachable`);
}
