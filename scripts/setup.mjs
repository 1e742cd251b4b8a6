#!/usr/bin/env node
// Make this machine able to build and test pbft-playground.
//
//   node scripts/setup.mjs            # Rust wasm target, wasm-pack, wasm-bindgen-cli, npm packages
//   node scripts/setup.mjs --browser  # ... plus Chromium and chromedriver (tests)
//
// Idempotent and fast when everything is present. Needs only rustup + cargo and
// Node + npm. Installs come from package registries only: crates.io
// (`cargo install`), npm (`npm ci`) and Debian (`apt-get`, with --browser).
//
// Other scripts import `setup()` so that the PATH fix (~/.cargo/bin) reaches
// every process they start.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  REPO_ROOT,
  c,
  capture,
  cargoBinDir,
  ensureCargoBinOnPath,
  npmCmd,
  run,
  runOrThrow,
  which,
} from "./lib.mjs";

const WASM_TARGET = "wasm32-unknown-unknown";
const STAMP = join(REPO_ROOT, "node_modules", ".pbft-setup-stamp");

const log = (msg) => console.log(`${c.cyan("[setup]")} ${msg}`);
const ok = (msg) => log(`${c.green("ok")}  ${msg}`);
const doing = (msg) => log(`${c.yellow("-->")} ${msg}`);

class SetupError extends Error {}

/**
 * Check and install everything. Throws SetupError (with a readable message) on failure.
 * @param {{ browser?: boolean }} options
 */
export async function setup({ browser = false } = {}) {
  const t0 = Date.now();
  ensureCargoBinOnPath();

  requireTool("cargo", "Install Rust with rustup: https://rustup.rs");
  requireTool("node", "Install Node.js (>= 20).");

  await ensureWasmTarget();
  await ensureWasmPack();
  await ensureWasmBindgenCli();
  await ensureNodeModules();
  if (browser) await ensureBrowser();

  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function requireTool(name, hint) {
  if (!which(name)) throw new SetupError(`\`${name}\` was not found on PATH. ${hint}`);
}

// --- Rust -----------------------------------------------------------------

async function ensureWasmTarget() {
  if (!which("rustup")) {
    // A distro-packaged Rust has no rustup; the target may still be there.
    const probe = capture("rustc", ["--print", "target-libdir", "--target", WASM_TARGET]);
    if (probe.ok && existsSync(probe.stdout.trim())) return ok(`Rust target ${WASM_TARGET}`);
    throw new SetupError(
      `rustup not found and the Rust target ${WASM_TARGET} is not installed. ` +
        "Install Rust with rustup (https://rustup.rs), or install the target with your Rust distribution.",
    );
  }
  const installed = capture("rustup", ["target", "list", "--installed"], { cwd: REPO_ROOT });
  if (installed.ok && installed.stdout.split(/\s+/).includes(WASM_TARGET)) {
    return ok(`Rust target ${WASM_TARGET}`);
  }
  doing(`adding Rust target ${WASM_TARGET}`);
  await runOrThrow("rustup", ["target", "add", WASM_TARGET]);
}

/** `cargo install`, trying --locked first (reproducible), then without it. */
async function cargoInstall(crate, version) {
  const base = ["install", crate, ...(version ? ["--version", version] : [])];
  if ((await run("cargo", [...base, "--locked"])) === 0) return;
  log(c.yellow(`\`cargo install --locked\` failed for ${crate}; retrying without --locked`));
  await runOrThrow("cargo", base);
}

async function ensureWasmPack() {
  const path = which("wasm-pack");
  if (path) {
    const v = capture(path, ["--version"]).stdout.trim();
    return ok(`${v || "wasm-pack"} (${path})`);
  }
  doing("installing wasm-pack from crates.io (cargo install, takes a few minutes)");
  await cargoInstall("wasm-pack");
  if (!which("wasm-pack")) throw new SetupError(`wasm-pack was installed but is not on PATH (${cargoBinDir()})`);
}

/** The version of the `wasm-bindgen` package in Cargo.lock (generating Cargo.lock if missing). */
async function lockedWasmBindgenVersion() {
  const lockPath = join(REPO_ROOT, "Cargo.lock");
  if (!existsSync(lockPath)) {
    doing("Cargo.lock is missing: cargo generate-lockfile");
    if ((await run("cargo", ["generate-lockfile"])) !== 0) {
      // E.g. the crate does not parse yet. An exact pin in crate/Cargo.toml is as good as the lock.
      const manifest = readFileSync(join(REPO_ROOT, "crate", "Cargo.toml"), "utf8");
      const pin = /^wasm-bindgen\s*=\s*(?:"=([^"]+)"|\{[^}\n]*version\s*=\s*"=([^"]+)")/m.exec(manifest);
      if (!pin) throw new SetupError("`cargo generate-lockfile` failed and crate/Cargo.toml has no exact wasm-bindgen pin");
      log(c.yellow(`could not generate Cargo.lock; using the exact pin from crate/Cargo.toml`));
      return pin[1] ?? pin[2];
    }
  }
  const lock = readFileSync(lockPath, "utf8");
  const versions = [];
  for (const block of lock.split(/^\[\[package\]\]\s*$/m)) {
    const name = /^name\s*=\s*"([^"]+)"/m.exec(block);
    const version = /^version\s*=\s*"([^"]+)"/m.exec(block);
    if (name?.[1] === "wasm-bindgen" && version) versions.push(version[1]);
  }
  if (versions.length === 0) {
    throw new SetupError("Cargo.lock has no `wasm-bindgen` package; is it a dependency of the crate?");
  }
  if (versions.length > 1) {
    throw new SetupError(
      `Cargo.lock holds several wasm-bindgen versions (${versions.join(", ")}); ` +
        "wasm-pack needs exactly one. Unify them in Cargo.toml.",
    );
  }
  return versions[0];
}

async function ensureWasmBindgenCli() {
  const want = await lockedWasmBindgenVersion();
  const have = installedWasmBindgen();
  if (have.version === want) return ok(`wasm-bindgen-cli ${want} (the wasm-bindgen version of the crate)`);
  doing(
    `installing wasm-bindgen-cli ${want} from crates.io (the wasm-bindgen version of the crate)` +
      (have.version ? ` (found ${have.version} at ${have.path})` : "") +
      " (takes a few minutes)",
  );
  await cargoInstall("wasm-bindgen-cli", want);
  const after = installedWasmBindgen();
  if (after.version !== want) {
    throw new SetupError(
      `after installing wasm-bindgen-cli ${want}, \`wasm-bindgen --version\` on PATH reports ` +
        `${after.version ?? "nothing"} (${after.path ?? "not found"}). Put ${cargoBinDir()} first on PATH.`,
    );
  }
}

function installedWasmBindgen() {
  const path = which("wasm-bindgen");
  if (!path) return {};
  const m = /wasm-bindgen\s+(\S+)/.exec(capture(path, ["--version"]).stdout);
  return { path, version: m?.[1] };
}

// --- npm ------------------------------------------------------------------

function npmFingerprint() {
  const h = createHash("sha256");
  h.update(process.version);
  for (const f of ["package.json", "package-lock.json"]) {
    const p = join(REPO_ROOT, f);
    h.update(existsSync(p) ? readFileSync(p) : `no ${f}`);
  }
  return h.digest("hex");
}

function nodeModulesFresh() {
  if (!existsSync(STAMP) || readFileSync(STAMP, "utf8").trim() !== npmFingerprint()) return false;
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  return deps.every((d) => existsSync(join(REPO_ROOT, "node_modules", d, "package.json")));
}

async function ensureNodeModules() {
  if (nodeModulesFresh()) return ok("npm packages (node_modules up to date)");
  const hasLock = existsSync(join(REPO_ROOT, "package-lock.json"));
  const args = hasLock ? ["ci", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"];
  doing(`node_modules missing or stale: npm ${args[0]}`);
  if ((await run(npmCmd, args)) !== 0) {
    if (!hasLock) throw new SetupError("`npm install` failed");
    // Typically package.json and package-lock.json are out of sync (a dependency was just added).
    log(c.yellow("`npm ci` failed; trying `npm install` (it may update package-lock.json)"));
    await runOrThrow(npmCmd, ["install", "--no-audit", "--no-fund"]);
  }
  writeFileSync(STAMP, npmFingerprint() + "\n");
}

// --- Browser (tests only) -------------------------------------------------

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || "/usr/bin/chromium";
}
export function chromedriverPath() {
  return process.env.CHROMEDRIVER || "/usr/bin/chromedriver";
}

async function ensureBrowser() {
  const missing = () => [chromiumPath(), chromedriverPath()].filter((p) => !existsSync(p));
  if (missing().length > 0) {
    const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
    const apt = which("apt-get");
    if (!isRoot || !apt) {
      throw new SetupError(
        `Chromium and chromedriver are needed for the browser tests; missing: ${missing().join(", ")}.\n` +
          "  Debian/Ubuntu: sudo apt-get install -y chromium chromium-driver\n" +
          "  Elsewhere: install Chromium and a matching chromedriver, then set CHROMIUM_PATH and CHROMEDRIVER.",
      );
    }
    doing("installing chromium and chromium-driver from Debian (apt-get)");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await runOrThrow("apt-get", ["update"], { env });
    await runOrThrow("apt-get", ["install", "-y", "chromium", "chromium-driver"], { env });
    if (missing().length > 0) throw new SetupError(`still missing after apt-get: ${missing().join(", ")}`);
  }
  const major = (out) => /(\d+)\.\d+\.\d+/.exec(out)?.[1];
  const browserV = capture(chromiumPath(), ["--version"]).stdout.trim();
  const driverV = capture(chromedriverPath(), ["--version"]).stdout.trim();
  if (major(browserV) && major(driverV) && major(browserV) !== major(driverV)) {
    log(c.yellow(`warning: browser and driver major versions differ: "${browserV}" vs "${driverV}"`));
  }
  ok(`${browserV || chromiumPath()} / ${driverV.split(" (")[0] || chromedriverPath()}`);
}

// --- CLI ------------------------------------------------------------------

export async function setupOrExit(options) {
  try {
    await setup(options);
  } catch (e) {
    console.error(`${c.red("[setup] error:")} ${e.message}`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--browser");
  if (unknown.length) {
    console.error(`usage: node scripts/setup.mjs [--browser]   (unknown: ${unknown.join(" ")})`);
    process.exit(2);
  }
  await setupOrExit({ browser: args.includes("--browser") });
}
