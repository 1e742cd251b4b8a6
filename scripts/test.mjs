#!/usr/bin/env node
// `npm test`: every test of the project, in stages; the first failing stage fails the run.
//
//   npm test                          # all stages
//   node scripts/test.mjs cargo       # only the listed stages (setup always runs first)
//   npm run test:unit                 # = node scripts/test.mjs unit (no Rust, no browser)
//   npm run test:e2e                  # = node scripts/test.mjs build pkg e2e
//
// Stages:
//   unit   node --test test/js/*.test.mjs              the page's pure modules (www/js) in Node: permalinks, options,
//                                                      model, timeline, clock, describe, i18n completeness, share
//   cargo  cargo test --workspace --features node      native unit, scenario, doc tests and the 4-process cluster test
//   wasm   wasm-pack test --headless --chrome crate    crate/tests/web.rs etc. in headless Chromium
//   build  npm run build:wasm                          www/pkg and www/pkg-explore, needed by the stages below
//   pkg    node --test test/js/pkg.test.mjs            the built engine in Node: every code of Simulation.codes() has
//               test/js/boundary.test.mjs              words in every language, every preset's events are described;
//               test/js/explorer.test.mjs              every method of Simulation and Explorer called with wrong
//                                                      values: clear Errors, no trap
//               test/js/tour-pkg.test.mjs              every chapter of the guided tour reaches its milestones
//   e2e    node --test e2e/*.test.mjs                  the page in headless Chromium (playwright-core)
//
// Unit tests of the page live in test/js/ (node:test, no dependencies); pkg.test.mjs,
// boundary.test.mjs, explorer.test.mjs and tour-pkg.test.mjs need the built engine, so the "unit"
// stage leaves them to the "pkg" stage.
//
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), CHROMEDRIVER (default /usr/bin/chromedriver).

import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, c, formatDuration, npmCmd, run } from "./lib.mjs";
import { chromedriverPath, chromiumPath, setup } from "./setup.mjs";

// Same flags as e2e/helpers.mjs: keep the browser off the network.
const CHROME_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-quic",
  "--no-first-run",
  "--disable-sync",
];

/** webdriver.json for wasm-bindgen-test-runner: which Chromium, which flags. */
function writeWebdriverJson() {
  const dir = join(REPO_ROOT, "target");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "webdriver.json");
  const caps = { "goog:chromeOptions": { binary: chromiumPath(), args: CHROME_ARGS } };
  writeFileSync(file, JSON.stringify(caps, null, 2) + "\n");
  return file;
}

/** The test files of `folder` (relative paths, sorted). */
function testFiles(folder) {
  const dir = join(REPO_ROOT, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".test.mjs") || f.endsWith(".test.js"))
    .sort()
    .map((f) => join(folder, f));
}

/** The tests of test/js/ that load the built engine (www/pkg). */
const PKG_TESTS = ["pkg.test.mjs", "boundary.test.mjs", "explorer.test.mjs", "tour-pkg.test.mjs"].map((f) => join("test", "js", f));

/** node --test over `files` (or a notice when there are none). */
function nodeTest(files, what, env = process.env) {
  if (files.length === 0) {
    console.log(c.yellow(`no ${what} test files; nothing to run`));
    return 0;
  }
  return run(process.execPath, ["--test", "--test-reporter=spec", ...files], { env });
}

const STAGES = [
  {
    name: "unit",
    title: "node --test test/js/ (the page's pure modules)",
    run: () => nodeTest(testFiles(join("test", "js")).filter((f) => !PKG_TESTS.includes(f)), "test/js"),
  },
  {
    name: "cargo",
    title: "cargo test --workspace --features node",
    // --features node: also the pbft-node binary and crate/tests/cluster.rs (four processes on loopback).
    run: () => run("cargo", ["test", "--workspace", "--features", "node"]),
  },
  {
    name: "wasm",
    title: "wasm-pack test --headless --chrome crate",
    run: () =>
      run("wasm-pack", ["test", "--headless", "--chrome", "--chromedriver", chromedriverPath(), "crate"], {
        env: {
          ...process.env,
          WASM_BINDGEN_TEST_WEBDRIVER_JSON: writeWebdriverJson(),
          WASM_BINDGEN_TEST_TIMEOUT: process.env.WASM_BINDGEN_TEST_TIMEOUT || "120",
        },
      }),
  },
  {
    name: "build",
    title: "npm run build:wasm (www/pkg for the pkg and e2e tests)",
    run: () => run(npmCmd, ["run", "--silent", "build:wasm"]),
  },
  {
    name: "pkg",
    title: "node --test test/js/pkg.test.mjs boundary.test.mjs explorer.test.mjs tour-pkg.test.mjs (the built engine: codes in every language, the JS boundary, the tour's milestones)",
    run: () => nodeTest(PKG_TESTS.filter((f) => existsSync(join(REPO_ROOT, f))), "pkg"),
  },
  {
    name: "e2e",
    title: "node --test e2e/ (headless Chromium via playwright-core)",
    run: () => nodeTest(testFiles("e2e"), "e2e", { ...process.env, CHROMIUM_PATH: chromiumPath() }),
  },
];

// --- main -------------------------------------------------------------------

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !STAGES.some((s) => s.name === w));
if (unknown.length) {
  console.error(`unknown stage(s): ${unknown.join(", ")}; stages: ${STAGES.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const stages = [
  { name: "setup", title: "scripts/setup.mjs --browser", run: setupStage },
  ...STAGES.filter((s) => wanted.length === 0 || wanted.includes(s.name)),
];

async function setupStage() {
  try {
    await setup({ browser: true });
    return 0;
  } catch (e) {
    console.error(c.red(`[setup] error: ${e.message}`));
    return 1;
  }
}

const results = [];
const total0 = Date.now();
let failed = null;
for (const [i, stage] of stages.entries()) {
  const header = `[${i + 1}/${stages.length}] ${stage.title}`;
  console.log(`\n${c.bold(c.cyan(`━━━ ${header} `.padEnd(78, "━")))}`);
  const t0 = Date.now();
  let code;
  try {
    code = await stage.run();
  } catch (e) {
    console.error(c.red(e.stack || String(e)));
    code = 1;
  }
  const ms = Date.now() - t0;
  results.push({ stage, code, ms });
  const verdict = code === 0 ? c.green("passed") : c.red(`FAILED (exit code ${code})`);
  console.log(c.bold(`━━━ ${stage.name} ${verdict} in ${formatDuration(ms)}`));
  if (code !== 0) {
    failed = { stage, code };
    break;
  }
}

console.log(`\n${c.bold("Summary")}`);
for (const { stage, code, ms } of results) {
  const mark = code === 0 ? c.green("✔") : c.red("✘");
  console.log(`  ${mark} ${stage.name.padEnd(6)} ${formatDuration(ms).padStart(10)}  ${c.dim(stage.title)}`);
}
for (const stage of stages.slice(results.length)) {
  console.log(`  ${c.dim("-")} ${stage.name.padEnd(6)} ${"skipped".padStart(10)}`);
}
console.log(`  total ${formatDuration(Date.now() - total0)}`);

if (failed) {
  console.error(c.red(`\nnpm test failed at stage "${failed.stage.name}".`));
  process.exit(failed.code || 1);
}
console.log(c.green("\nAll stages passed."));
