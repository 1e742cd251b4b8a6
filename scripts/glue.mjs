#!/usr/bin/env node
// After wasm-pack: makes the three errors wasm-bindgen's glue raises on misuse of an object say
// what happened in the API's own words (run by `npm run build:engine` and `build:explore`).
//
//   node scripts/glue.mjs www/pkg/pbft_playground.js [...]
//
// wasm-bindgen throws these from its runtime (`__wbindgen_throw`) with texts about Rust:
// "null pointer passed to rust" (a method of an object after its free()), "recursive use of an
// object detected which would lead to unsafe aliasing in rust" (a method called from inside
// another method of the same object, e.g. from a getter of an argument) and "attempted to take
// ownership of Rust value while it was borrowed" (free() from there). The throw helper is
// rewritten to map them; any other text passes unchanged. A glue without the helper (another
// wasm-bindgen version) fails the build instead of shipping the old texts.

import { readFileSync, writeFileSync } from "node:fs";

const HELPER = /(__wbg___wbindgen_throw_[0-9a-f]+: function\(arg0, arg1\) \{\n\s*)throw new Error\(getStringFromWasm0\(arg0, arg1\)\);/;
const MAP = `const WASM_ERRORS = {
    "null pointer passed to rust": "this method was called on an object that is not a live one of its class: it was freed (free() was called on it), or it is another object",
    "recursive use of an object detected which would lead to unsafe aliasing in rust": "a method was called while another method of the same object was still running (from a getter or callback of its arguments): call it after that one returns",
    "attempted to take ownership of Rust value while it was borrowed": "free() was called while a method of the same object was still running (from a getter or callback of its arguments): the object can no longer be used",
};
`;

for (const file of process.argv.slice(2)) {
  const src = readFileSync(file, "utf8");
  if (src.includes("const WASM_ERRORS = {")) continue; // already done
  if (!HELPER.test(src)) {
    console.error(`[glue] ${file}: wasm-bindgen's throw helper not found (has the glue changed?)`);
    process.exit(1);
  }
  const out = src.replace(HELPER, "$1const text = getStringFromWasm0(arg0, arg1);\n            throw new Error(WASM_ERRORS[text] ?? text);");
  // The table before the first class (module scope).
  const at = out.indexOf("export class ");
  writeFileSync(file, out.slice(0, at) + MAP + "\n" + out.slice(at));
}
