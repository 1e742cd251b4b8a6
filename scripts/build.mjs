#!/usr/bin/env node
// `npm run build`: a self-contained static site in dist/, for any static host and any sub-path.
//
//   npm run build                       # wasm (wasm-pack) + dist/
//   node scripts/build.mjs --no-wasm    # reuse www/pkg (built by `npm run build:wasm`)
//   node scripts/build.mjs --out DIR    # write DIR instead of dist/
//   node scripts/build.mjs --no-precompress
//
// dist/ holds:
//   index.html, style.css, site.js, favicon.svg   the full playground page
//   embed.html, embed.css, embed.js        the iframe embed (URL parameters → attributes)
//   pbft-playground.js                     the element: every module bundled and minified (esbuild)
//   js/i18n-zh-CN.js                       the Chinese strings (loaded only for lang="zh-CN")
//   js/tour.js, js/i18n-tour-zh-CN.js      the guided tour: chapters, card, its words (loaded when a tour opens)
//   pbft-playground.css                    the element's styles (loaded into its shadow root)
//   pkg/pbft_playground_bg.wasm            the engine
//   js/explore.js                          the Explore panel's body and its English words (loaded when it opens)
//   js/explore-worker.js, pkg-explore/     the Explore panel's worker and its wasm (loaded on demand)
//   js/share-dialog.js                     the Share / Embed dialog and its English words (loaded when it opens)
//   js/exports.js, js/stats.js             the Share dialog's exports and the statistics panel (loaded on demand)
//   js/live-panel.js                       the Live cluster panel's body and its English words (loaded when it opens)
//   js/live.js                             the Live cluster mirror (a chunk, loaded on Connect)
//   *.gz, *.br                             precompressed copies, for hosts that serve them
// Every URL inside is relative; the element finds its CSS and wasm next to its own module
// (import.meta.url), so the folder can be served from anywhere.

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { brotliCompressSync, constants as zc, gzipSync } from "node:zlib";
import { REPO_ROOT, c, npmCmd, run } from "./lib.mjs";

const WWW = join(REPO_ROOT, "www");
const args = process.argv.slice(2);
const outArg = args.includes("--out") ? args[args.indexOf("--out") + 1] : null;
const DIST = outArg ? (isAbsolute(outArg) ? outArg : resolve(process.cwd(), outArg)) : join(REPO_ROOT, "dist");
const skipWasm = args.includes("--no-wasm");
const precompress = !args.includes("--no-precompress");
const quiet = args.includes("--quiet");
const log = (s) => quiet || console.log(s);

const WASM = join(WWW, "pkg", "pbft_playground_bg.wasm");

if (!skipWasm) {
  const { setupOrExit } = await import("./setup.mjs");
  await setupOrExit({ browser: false });
  log(c.cyan("\n[build] building the wasm package into www/pkg"));
  const code = await run(npmCmd, ["run", "--silent", "build:wasm"]);
  if (code !== 0) {
    console.error(c.red(`[build] the wasm build failed (exit code ${code})`));
    process.exit(code);
  }
} else if (!existsSync(WASM)) {
  console.error(c.red("[build] www/pkg is missing: run `npm run build:wasm` first (or drop --no-wasm)"));
  process.exit(1);
}

let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  console.error(c.red("[build] esbuild is not installed: run `npm ci` (or `node scripts/setup.mjs`)"));
  process.exit(1);
}

log(c.cyan(`[build] writing ${relative(REPO_ROOT, DIST) || DIST}/`));
rmSync(DIST, { recursive: true, force: true });
mkdirSync(join(DIST, "pkg"), { recursive: true });

// The element and everything it imports (its modules and wasm-bindgen's glue) as one module;
// the Chinese strings (js/i18n-zh-CN.js) and the guided tour (js/tour.js) in chunks of their own,
// loaded only when used. Neither may share a module with the element: that would make a chunk
// that every first visit loads as well (checked below).
/** What every bundle of the page is built with. */
const BUNDLE = {
  outdir: DIST,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022"],
  charset: "utf8",
  minify: true,
  legalComments: "none",
  logLevel: quiet ? "error" : "warning",
};
await esbuild.build({ ...BUNDLE, entryPoints: { "pbft-playground": join(WWW, "pbft-playground.js") }, splitting: true, chunkNames: "js/[name]" });
// The exports, the statistics, the Share / Embed dialog, the Explore and Live cluster panels, loaded when first used (the element imports them by URL):
// each a module of its own, with what it needs bundled in.
await esbuild.build({ ...BUNDLE, entryPoints: { "js/exports": join(WWW, "js", "exports.js"), "js/stats": join(WWW, "js", "stats.js"), "js/share-dialog": join(WWW, "js", "share-dialog.js"), "js/explore": join(WWW, "js", "explore.js"), "js/live-panel": join(WWW, "js", "live-panel.js") } });
// embed.js loads ./pbft-playground.js at run time (shared with the page), site.js sets index.html's
// language: minified, not bundled.
for (const script of ["embed.js", "site.js"]) {
  await esbuild.build({
    entryPoints: [join(WWW, script)],
    outfile: join(DIST, script),
    bundle: false,
    format: "esm",
    target: ["es2022"],
    charset: "utf8",
    minify: true,
    logLevel: quiet ? "error" : "warning",
  });
}
for (const css of ["pbft-playground.css", "style.css", "embed.css"]) {
  await esbuild.build({
    entryPoints: [join(WWW, css)],
    outfile: join(DIST, css),
    loader: { ".css": "css" },
    charset: "utf8",
    minify: true,
    logLevel: quiet ? "error" : "warning",
  });
}
for (const page of ["index.html", "embed.html"]) {
  // wasm-bindgen's glue is inside the bundle: no preload of pkg/*.js.
  const html = readFileSync(join(WWW, page), "utf8").replace(/^\s*<link rel="modulepreload" href="pkg\/[^"]*">\n/m, "");
  writeFileSync(join(DIST, page), html);
}
cpSync(join(WWW, "favicon.svg"), join(DIST, "favicon.svg"));
cpSync(WASM, join(DIST, "pkg", "pbft_playground_bg.wasm"));
// The Explore panel's worker and its own wasm build, fetched only when a search starts.
mkdirSync(join(DIST, "pkg-explore"), { recursive: true });
for (const f of ["pbft_explore.js", "pbft_explore_bg.wasm"]) cpSync(join(WWW, "pkg-explore", f), join(DIST, "pkg-explore", f));
mkdirSync(join(DIST, "js"), { recursive: true });
cpSync(join(WWW, "js", "explore-worker.js"), join(DIST, "js", "explore-worker.js"));

// ----- precompressed copies and sizes --------------------------------------------------

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}
const gz = (b) => gzipSync(b, { level: 9 });
const br = (b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: b.length } });
const sizes = new Map();
for (const f of files(DIST)) {
  const raw = readFileSync(f);
  const g = gz(raw);
  const b = br(raw);
  sizes.set(relative(DIST, f).split("\\").join("/"), { raw: raw.length, gzip: g.length, brotli: b.length });
  if (precompress && !f.endsWith(".svg")) {
    writeFileSync(f + ".gz", g);
    writeFileSync(f + ".br", b);
  }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
function report(title, list) {
  const rows = list.map((f) => [f, sizes.get(f)]);
  const total = rows.reduce((t, [, s]) => ({ raw: t.raw + s.raw, gzip: t.gzip + s.gzip, brotli: t.brotli + s.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  log(c.bold(`\n  ${title}`));
  for (const [f, s] of rows) log(`    ${f.padEnd(30)} ${kb(s.raw).padStart(11)} ${kb(s.gzip).padStart(11)} gzip ${kb(s.brotli).padStart(11)} br`);
  log(`    ${"total".padEnd(30)} ${kb(total.raw).padStart(11)} ${kb(total.gzip).padStart(11)} gzip ${kb(total.brotli).padStart(11)} br`);
  return total;
}
const element = ["pbft-playground.js", "pbft-playground.css", "pkg/pbft_playground_bg.wasm"];
// Every file of js/ is one the reports below name: no chunk shared with the element's first visit.
const ON_DEMAND = ["js/i18n-zh-CN.js", "js/tour.js", "js/i18n-tour-zh-CN.js", "js/live.js", "js/live-panel.js", "js/share-dialog.js", "js/explore.js", "js/exports.js", "js/stats.js", "js/explore-worker.js"];
const stray = [...sizes.keys()].filter((f) => f.startsWith("js/") && !ON_DEMAND.includes(f));
if (stray.length) {
  console.error(c.red(`[build] unexpected chunks ${stray.join(", ")}: a module loaded on demand shares an import with the element`));
  process.exit(1);
}
report("what a script embed loads (first visit)", element);
report("what an iframe embed loads (first visit)", ["embed.html", "embed.css", "embed.js", ...element]);
report("... plus, for lang=\"zh-CN\"", ["js/i18n-zh-CN.js"]);
report("... plus, when the Share / Embed dialog opens (its English words included)", ["js/share-dialog.js"]);
report("... plus, at the first export or when the statistics open", ["js/exports.js", "js/stats.js"]);
report("... plus, when the Live cluster panel opens (its English words included)", ["js/live-panel.js"]);
report("... plus, when the Live cluster panel connects", ["js/live.js"]);
report("... plus, when a guided tour opens (its English words included)", ["js/tour.js"]);
report("... plus, for the tour in zh-CN", ["js/i18n-tour-zh-CN.js"]);
report("... plus, when the Explore panel opens (its English words included)", ["js/explore.js"]);
report("... plus, when a search starts in the Explore panel", ["js/explore-worker.js", "pkg-explore/pbft_explore.js", "pkg-explore/pbft_explore_bg.wasm"]);
log(c.green(`\n[build] ${relative(REPO_ROOT, DIST) || DIST}/ ready: serve it from any static host, at any path.`));
