// Reading the element's attributes (and embed.html's URL parameters, which become attributes):
// every value is checked here; a bad one yields the default and a problem to show as a notice.

import { DEFAULTS, MAX_N, N_CHOICES, actionsReason, decodeActions, readPermalink } from "./permalink.js";

export const CONTROLS = ["full", "compact", "none"];
export const THEMES = ["auto", "light", "dark"];
export const SPEEDS = [0.02, 0.04, 0.07, 0.15, 0.3, 0.6, 1, 2, 4, 8];
export const DEFAULT_SPEED = 0.07;
export const DEFAULT_OP = "warTime=1234";
export const MAX_OP = 200;
export const MAX_NAME = 16;

/** The attributes (and embed.html parameters) the element understands, in documentation order. */
export const OPTION_NAMES = ["n", "seed", "preset", "names", "loss", "op", "autoplay", "controls", "speed", "lang", "theme", "height", "actions", "t"];

/** The parameters of the full playground's address (index.html): the run's, and those site.js hands the element. */
export const LINK_PARAMS = ["n", "seed", "preset", "names", "loss", "t", "a", "lang", "speed", "theme", "tour", "step"];

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
  if (list.length === 0 || list.length > MAX_N) return null;
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

/** A message loss rate: "0.1", "10%" → 0.1 (0 to 1); else null. */
export function parseLoss(v) {
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(s);
  if (!m) return null;
  const x = Number(m[1]) / (m[2] ? 100 : 1);
  return x >= 0 && x <= 1 ? x : null;
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

/** One of `allowed` (case-insensitive, trimmed), else null. */
export function parseChoice(v, allowed) {
  const s = String(v).trim().toLowerCase();
  return allowed.includes(s) ? s : null;
}

/**
 * The presentation attributes: how each is read (null: not valid) and what stands in for an
 * absent or bad value (`fallback`, with `fallbackText(t)` for the notice).
 */
const PRESENTATION = {
  speed: { parse: parseSpeed, fallback: DEFAULT_SPEED, fallbackText: () => `${DEFAULT_SPEED}×` },
  theme: { parse: (v) => parseChoice(v, THEMES), fallback: "auto", fallbackText: (t) => t("fallback.auto") },
  controls: { parse: (v) => parseChoice(v, CONTROLS), fallback: "full", fallbackText: (t) => t("fallback.full") },
  // Absent or blank: the responsive default.
  height: { parse: (v) => (String(v).trim() === "" ? null : parseHeight(v)), fallback: null, blank: true, fallbackText: (t) => t("default") },
};

/**
 * Reads presentation attribute `name` from its raw value (null when absent).
 * @returns {{ value: unknown, ok: boolean }} ok false: a bad value (the fallback is used; show a notice)
 */
export function readOption(name, raw) {
  const spec = PRESENTATION[name];
  if (raw === null || raw === undefined || (spec.blank && String(raw).trim() === "")) return { value: spec.fallback, ok: true };
  const value = spec.parse(raw);
  return value === null ? { value: spec.fallback, ok: false } : { value, ok: true };
}

/** What stands in for a bad value of presentation attribute `name`, in words (for the notice). */
export const optionFallbackText = (name, t) => PRESENTATION[name].fallbackText(t);

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
  if (v("loss") !== null && v("loss").trim() !== "") {
    const loss = parseLoss(v("loss"));
    if (loss !== null) cfg.loss = loss;
    else problems.push({ param: "loss", value: clip(v("loss")), fallback: "0" });
  }
  if (v("names") !== null && v("names").trim() !== "") {
    const names = parseNames(v("names"));
    if (names) cfg.names = names;
    else problems.push({ param: "names", value: clip(v("names")), fallback: "default" });
  }
  return { cfg, problems };
}

/** Notice lines for `problems` ({ param, value, fallback }: fallback "" no preset, "default" the default). */
export function problemLines(problems, key, t) {
  const fallback = (p) => (p.fallback === "" ? t("preset.none") : p.fallback === "default" ? t("default") : p.fallback);
  return problems.map((p) => t(key, { param: p.param, value: p.value, fallback: fallback(p) }));
}

/**
 * An element's attributes, read when asked: getters over `getAttribute`, nothing cached
 * (as in github/relative-time-element). Bad values read as their defaults; `problems()` and
 * `run()` say which were bad, as notice lines.
 */
export class Attributes {
  /** @param {{ getAttribute(name: string): string | null, hasAttribute(name: string): boolean, closest?(sel: string): Element | null }} el */
  constructor(el) {
    this.el = el;
  }

  #raw(name) {
    return this.el.getAttribute(name);
  }

  /** A presentation attribute (speed, theme, controls, height). */
  option(name) {
    return readOption(name, this.#raw(name)).value;
  }

  /** The operation Send request submits. */
  get op() {
    const v = this.#raw("op");
    return v === null ? DEFAULT_OP : parseOp(v);
  }

  get autoplay() {
    return this.el.hasAttribute("autoplay") && parseBool(this.#raw("autoplay"));
  }

  /** The language asked for: the `lang` attribute, else the page's, else English. */
  get lang() {
    const v = this.#raw("lang");
    const lang = v !== null ? resolveLang(v) : null;
    return lang ?? resolveLang(this.el.closest?.("[lang]")?.getAttribute("lang") ?? globalThis.document?.documentElement.lang) ?? "en";
  }

  /** Notice lines for bad values among the presentation attributes `names` (and "lang"). */
  problems(names, t) {
    const lines = [];
    for (const name of names) {
      const raw = this.#raw(name);
      const bad = name === "lang" ? raw !== null && resolveLang(raw) === null : !readOption(name, raw).ok;
      const fallback = name === "lang" ? t("fallback.english") : optionFallbackText(name, t);
      // On the full playground (a `permalink` element) lang, speed and theme come from the page's
      // address (site.js sets them, cut to 40 characters): a bad one is the link's.
      const search = this.el.hasAttribute?.("permalink") ? (globalThis.location?.search ?? "") : "";
      const fromLink = search !== "" && new URLSearchParams(search).get(name)?.slice(0, 40) === raw;
      if (bad) lines.push(t(fromLink ? "notice.badParam" : "notice.badAttr", { param: name, value: clip(raw), fallback }));
    }
    return lines;
  }

  /**
   * The run the attributes describe (n, seed, preset, names; actions and t, a recorded run), or
   * the one of the page's address `search` when it has one (a `permalink` element).
   * @param {string[]} presets  the engine's preset names
   * @param {string | null} [search]  location.search, for a `permalink` element
   * @returns {{ cfg: {n: number, seed: number, preset: string, names: string[] | null}, actions: object[] | null, t: number,
   *             notices: string[], linkNotices: string[] }}  notice lines for bad attributes, for bad parameters of the address
   */
  run(presets, t, search = null) {
    const { cfg, problems } = readRun((name) => this.#raw(name), presets);
    const notices = problemLines(problems, "notice.badAttr", t);
    let actions = null;
    let time = 0;
    const a = this.#raw("actions");
    if (a !== null && a.trim() !== "") {
      try {
        actions = decodeActions(a.trim());
      } catch (e) {
        notices.push(t("notice.badActions", { reason: actionsReason(e, t) }));
      }
    }
    const tv = this.#raw("t");
    if (tv !== null && tv.trim() !== "") {
      const x = parseT(tv);
      if (x !== null) time = x;
      else notices.push(t("notice.badAttr", { param: "t", value: clip(tv), fallback: "0" }));
    }
    const linkNotices = [];
    const link = search === null ? null : readPermalink(search, { presets, parseNames });
    // A parameter the page does not read is said so (a typo would otherwise pass unnoticed).
    if (search !== null) {
      for (const key of new Set(new URLSearchParams(search).keys())) {
        if (!LINK_PARAMS.includes(key)) linkNotices.push(t("notice.unknownParam", { param: clip(key) }));
      }
    }
    if (link?.present) {
      if (link.problems.length) linkNotices.push(problemLines(link.problems, "notice.badParam", t));
      if (link.actionsProblem) linkNotices.push(t("notice.badActions", { reason: actionsReason(link.actionsError, t) }));
      const cfg = { n: link.n, seed: link.seed, preset: link.preset, names: link.names };
      if (link.loss) cfg.loss = link.loss;
      return { cfg, actions: link.actions, t: link.t, notices, linkNotices };
    }
    return { cfg, actions, t: time, notices, linkNotices };
  }
}
