// Small helpers shared by the scripts in this folder. Node built-ins only:
// these scripts must run before `npm install` has happened.

import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { constants as osConstants, homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const IS_WINDOWS = process.platform === "win32";

/** `$CARGO_HOME/bin`, i.e. usually `~/.cargo/bin`. */
export function cargoBinDir() {
  return join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "bin");
}

/**
 * Put `~/.cargo/bin` on PATH of this process, so that every child process
 * (cargo, wasm-pack, npm scripts, ...) inherits it.
 */
export function ensureCargoBinOnPath(env = process.env) {
  const dir = cargoBinDir();
  const parts = (env.PATH || "").split(delimiter).filter(Boolean);
  if (!parts.includes(dir)) env.PATH = [dir, ...parts].join(delimiter);
  return env;
}

/** Full path of an executable found on PATH, or null. */
export function which(cmd, env = process.env) {
  const exts = IS_WINDOWS ? (env.PATHEXT || ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH || "").split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = join(dir, cmd + ext);
      try {
        if (statSync(p).isFile()) {
          accessSync(p, constants.X_OK);
          return p;
        }
      } catch {
        /* not here */
      }
    }
  }
  return null;
}

export const c = {
  bold: (s) => color(s, 1),
  dim: (s) => color(s, 2),
  red: (s) => color(s, 31),
  green: (s) => color(s, 32),
  yellow: (s) => color(s, 33),
  cyan: (s) => color(s, 36),
};
function color(s, code) {
  const on = process.stdout.isTTY && !process.env.NO_COLOR;
  return on ? `\x1b[${code}m${s}\x1b[0m` : String(s);
}

/** Run a command, inheriting stdio. Resolves with the exit code (never rejects on non-zero). */
export function run(cmd, args = [], { cwd = REPO_ROOT, env = process.env, echo = true } = {}) {
  if (echo) console.log(c.dim(`$ ${[cmd, ...args].join(" ")}`));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: "inherit", shell: IS_WINDOWS });
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolvePromise(signal ? 128 + (osConstants.signals[signal] ?? 1) : code ?? 1),
    );
  });
}

/** Run a command and throw if it fails. */
export async function runOrThrow(cmd, args = [], opts = {}) {
  const code = await run(cmd, args, opts);
  if (code !== 0) throw new Error(`\`${[cmd, ...args].join(" ")}\` failed with exit code ${code}`);
}

/** Run a command quietly and return { ok, stdout, stderr }. */
export function capture(cmd, args = [], { cwd = REPO_ROOT, env = process.env } = {}) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", shell: IS_WINDOWS });
  return { ok: r.status === 0 && !r.error, stdout: r.stdout || "", stderr: r.stderr || "" };
}

export const npmCmd = IS_WINDOWS ? "npm.cmd" : "npm";

export function formatDuration(ms) {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
