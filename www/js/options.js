// Reading the element's attributes (and embed.html's URL parameters, which become attributes):
// every value is checked here; a bad one yields the default and a problem to show as a notice.

import { DEFAULTS, N_CHOICES } from "./permalink.js";

export const CONTROLS = ["full", "compact", "none"];
export const THEMES = ["auto", "light", "dark"];
export const DEFAULT_OP = "warTime=1234";
export const MAX_OP = 200;
export const MAX_NAME = 16;

/** The attributes (and embed.html parameters) the element understands, in documentation order. */
export const OPTION_NAMES = ["n", "seed", "preset", "names", "op", "autoplay", "controls", "speed", "lang", "theme", "height", "actions", "t"];

/** Shortens a bad value for a notice (it is shown as text, never as markup). */
export const clip = (v) => {
  const s = String(v);
  return s.length > 40 ? s.slice(0, 40) + "…" : s;
};

/** "zh-CN", "zh", "zh-Hans", "zh_cn" → "zh-CN"; "en", "en-GB" → "en"; anything else → null. */
export function resolveLang(v) {
  const s = String(v ?? "").trim().toLowerCase().replace(/_/g, "-");
  if (s === "en" || s.startsWith("en-")) return "en";
  if (s === "zh" || s === "zh-cn" || s === "zh-hans" || s.startsWith("zh-hans-") || s === "zh-sg") return "zh-CN";
  return null;
}

export function parseN(v) {
  const n = Number(v);
  return /^\s*\d+\s*$/.test(v) && N_CHOICES.includes(n) ? n : null;
}

export function parseSeed(v) {
  const s = String(v).trim();
  return /^\d{1,16}$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : null;
}

/**
 * "Apple, MS, Google, IBM" → ["Apple", "MS", "Google", "IBM"]; null when a name is empty, too long
 * or holds markup-like or control characters (< > & " ' ` and the like).
 */
export function parseNames(v) {
  const list = String(v).split(",").map((s) => s.trim());
  if (list.length === 0 || list.length > 16) return null;
  for (const name of list) {
    if (name.length === 0 || [...name].length > MAX_NAME) return null;
    if (/[<>&"'`\p{Cc}\p{Cf}]/u.test(name)) return null;
  }
  return list;
}

/** Names fitted to n replicas: the given ones first, then the defaults R<i>. */
export function fitNames(names, n) {
  return Array.from({ length: n }, (_, i) => names?.[i] ?? `R${i}`);
}

export function parseSpeed(v) {
  const x = Number(String(v).trim().replace(/[x×]$/, ""));
  return String(v).trim() !== "" && Number.isFinite(x) && x > 0 && x <= 100 ? x : null;
}

/** "480", "480px" → 480 (CSS px, 160..2000); "fill" → "fill"; else null. */
export function parseHeight(v) {
  const s = String(v).trim().toLowerCase();
  if (s === "fill" || s === "100%") return "fill";
  const m = /^(\d{2,4})(px)?$/.exec(s);
  if (!m) return null;
  const px = Number(m[1]);
  return px >= 160 && px <= 2000 ? px : null;
}

export function parseBool(v) {
  if (v === null || v === undefined) return false;
  return !/^(false|0|off|no)$/i.test(String(v).trim());
}

export function parseOp(v) {
  // Text only; control characters are dropped, length is capped.
  return String(v).replace(/\p{Cc}/gu, " ").slice(0, MAX_OP);
}

export function parseT(v) {
  const s = String(v).trim();
  return /^\d{1,9}$/.test(s) && Number(s) <= 24 * 3600 * 1000 ? Number(s) : null;
}

/**
 * Reads the run settings from `get(name)` (an attribute or parameter, null when absent).
 * @returns {{ cfg: {n: number, seed: number, preset: string, names: string[] | null}, problems: {param: string, value: string, fallback: string}[] }}
 *   fallback "" means "no preset", "default" the default value.
 */
export function readRun(get, presets) {
  const cfg = { ...DEFAULTS, names: null };
  const problems = [];
  const v = (name) => get(name);
  if (v("n") !== null) {
    const n = parseN(v("n"));
    if (n !== null) cfg.n = n;
    else problems.push({ param: "n", value: clip(v("n")), fallback: String(DEFAULTS.n) });
  }
  if (v("seed") !== null) {
    const s = parseSeed(v("seed"));
    if (s !== null) cfg.seed = s;
    else problems.push({ param: "seed", value: clip(v("seed")), fallback: String(DEFAULTS.seed) });
  }
  if (v("preset") !== null) {
    const p = v("preset").trim();
    if (p === "" || p === "none" || presets.includes(p)) cfg.preset = p === "none" ? "" : p;
    else problems.push({ param: "preset", value: clip(v("preset")), fallback: "" });
  }
  if (v("names") !== null && v("names").trim() !== "") {
    const names = parseNames(v("names"));
    if (names) cfg.names = names;
    else problems.push({ param: "names", value: clip(v("names")), fallback: "default" });
  }
  return { cfg, problems };
}
