#!/usr/bin/env node
// `npm run build`: build the wasm and copy the static site (www/) into dist/.
// Placeholder: a later issue refines what goes into dist/.

import { cpSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { REPO_ROOT, c, npmCmd, run } from "./lib.mjs";
import { setupOrExit } from "./setup.mjs";

const WWW = join(REPO_ROOT, "www");
const DIST = join(REPO_ROOT, "dist");

await setupOrExit({ browser: false });

console.log(c.cyan("\n[build] building the wasm package into www/pkg"));
const code = await run(npmCmd, ["run", "--silent", "build:wasm"]);
if (code !== 0) {
  console.error(c.red(`[build] the wasm build failed (exit code ${code})`));
  process.exit(code);
}

console.log(c.cyan("[build] copying www/ to dist/"));
rmSync(DIST, { recursive: true, force: true });
cpSync(WWW, DIST, {
  recursive: true,
  // wasm-pack writes pkg/.gitignore ("*"); a deploy from git must not drop pkg/.
  filter: (src) => basename(src) !== ".gitignore",
});

function sizeOf(p) {
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((n, f) => n + sizeOf(join(p, f)), 0) : s.size;
}
const wasm = join(DIST, "pkg", "pbft_playground_bg.wasm");
console.log(
  c.green(`[build] dist/ ready (${(sizeOf(DIST) / 1024).toFixed(0)} KiB`) +
    (existsSync(wasm) ? c.green(`, wasm ${(statSync(wasm).size / 1024).toFixed(0)} KiB)`) : c.green(")")),
);
