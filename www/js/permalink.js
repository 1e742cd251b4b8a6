// Permalinks: the query string carries n, seed, preset, the recorded actions and the time,
// so a reload or a shared link replays the same run exactly (the engine is deterministic).
//
//   ?n=4&seed=7&preset=primary-crash&names=A,B,C,D&t=2500&a=<base64url JSON>
//
// Actions are encoded compactly as tuples: [at, code, ...args], e.g. [0,"r","warTime=1234"];
// the manual delivery's picks too: [t,"m",1] (you are the network; 0: automatic again),
// [t,"v",41] (deliver message 41), [t,"f",1,"view-change"] (fire replica 1's view-change timer).

/** The replica counts the page offers: n = 3f + 1 for f = 1 … 10 (the engine takes up to 128). */
export const N_CHOICES = [4, 7, 10, 13, 16, 19, 22, 25, 28, 31];
export const MAX_N = N_CHOICES.at(-1);
export const DEFAULTS = Object.freeze({ n: 4, seed: 1, preset: "" });
const MAX_ACTIONS_CHARS = 60_000;
const MAX_ACTIONS = 5_000;
const MAX_T = 24 * 3600 * 1000;

const CODES = {
  request: ["r", (a) => (a.client ? [a.op, a.client] : [a.op])],
  crash: ["c", (a) => [a.replica]],
  recover: ["u", (a) => [a.replica]],
  "set-behavior": ["b", (a) => [a.replica, a.behavior]],
  "drop-message": ["d", (a) => [a.msg]],
  partition: ["p", (a) => [a.groups]],
  heal: ["h", () => []],
  "set-loss": ["l", (a) => [a.rate]],
  "set-load": ["o", (a) => [a.rate]],
  "set-link-latency": ["k", (a) => [a.a, a.b, a.min, a.max]],
  "set-delivery": ["m", (a) => [a.mode === "manual" ? 1 : 0]],
  deliver: ["v", (a) => [a.msg]],
  "fire-timer": ["f", (a) => [a.node, a.timer]],
};

const isWhole = (x) => Number.isSafeInteger(x) && x >= 0;
const DECODE = {
  r: (op, client) =>
    typeof op !== "string" ? null : client === undefined ? { type: "request", op } : isWhole(client) ? { type: "request", op, client } : null,
  c: (replica) => (isWhole(replica) ? { type: "crash", replica } : null),
  u: (replica) => (isWhole(replica) ? { type: "recover", replica } : null),
  b: (replica, behavior) => (isWhole(replica) && typeof behavior === "string" ? { type: "set-behavior", replica, behavior } : null),
  d: (msg) => (isWhole(msg) ? { type: "drop-message", msg } : null),
  p: (groups) =>
    Array.isArray(groups) && groups.every((g) => Array.isArray(g) && g.every(isWhole)) ? { type: "partition", groups } : null,
  h: () => ({ type: "heal" }),
  l: (rate) => (typeof rate === "number" && rate >= 0 && rate <= 1 ? { type: "set-loss", rate } : null),
  o: (rate) => (isWhole(rate) && rate <= 50 ? { type: "set-load", rate } : null),
  k: (a, b, min, max) =>
    [a, b].every(Number.isSafeInteger) && isWhole(min) && isWhole(max) ? { type: "set-link-latency", a, b, min, max } : null,
  m: (manual) => (manual === 1 ? { type: "set-delivery", mode: "manual" } : manual === 0 ? { type: "set-delivery", mode: "auto" } : null),
  v: (msg) => (isWhole(msg) ? { type: "deliver", msg } : null),
  f: (node, timer) => (Number.isSafeInteger(node) && typeof timer === "string" && timer.length <= 40 ? { type: "fire-timer", node, timer } : null),
};

function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error("not base64url");
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** Engine actions ([{ at, type, ... }]) → compact base64url string. */
export function encodeActions(actions) {
  const tuples = actions.map((a) => {
    const c = CODES[a.type];
    return c ? [a.at, c[0], ...c[1](a)] : a;
  });
  return toBase64Url(JSON.stringify(tuples));
}

/**
 * Why recorded actions cannot be read: `message` in English (for the console and the JS API),
 * `key` and `vars` for the page's words in each language (see {@link actionsReason}).
 */
export class ActionsError extends Error {
  constructor(key, vars, message) {
    super(message);
    this.key = `actions.${key}`;
    this.vars = vars;
  }
}

/** The reason an action list was refused, in the page's language (`t`), whatever threw it. */
export function actionsReason(e, t) {
  return e instanceof ActionsError && t.defined?.(e.key) ? t(e.key, e.vars) : String(e?.message ?? e);
}

/** Compact string → engine actions. Throws an {@link ActionsError} with a short reason on bad input. */
export function decodeActions(s) {
  if (s.length > MAX_ACTIONS_CHARS) throw new ActionsError("tooLong", {}, "too long");
  let tuples;
  try {
    tuples = JSON.parse(fromBase64Url(s));
  } catch {
    throw new ActionsError("unreadable", {}, "not readable");
  }
  if (!Array.isArray(tuples)) throw new ActionsError("notList", {}, "not a list");
  if (tuples.length > MAX_ACTIONS) throw new ActionsError("tooMany", { max: MAX_ACTIONS }, "too many actions");
  let last = 0;
  return tuples.map((tuple, i) => {
    const malformed = () => new ActionsError("malformed", { n: i + 1 }, `action ${i + 1} is malformed`);
    if (!Array.isArray(tuple) || !isWhole(tuple[0]) || typeof tuple[1] !== "string" || !(tuple[1] in DECODE)) throw malformed();
    const [at, code, ...args] = tuple;
    const a = DECODE[code](...args);
    if (!a) throw malformed();
    if (at < last) throw new ActionsError("order", { n: i + 1 }, "actions out of order");
    last = at;
    return { at, ...a };
  });
}

/**
 * Reads the run described by a query string.
 * @param {string} search  location.search
 * @param {{ presets: string[] }} known
 * @returns {{ n: number, seed: number, preset: string, names: string[] | null, actions: object[] | null, t: number,
 *             present: boolean, problems: { param: string, value: string, fallback: string }[],
 *             actionsProblem: string | null }}
 */
export function readPermalink(search, { presets, parseNames = null }) {
  const q = new URLSearchParams(search);
  const out = { ...DEFAULTS, names: null, actions: null, t: 0, present: false, problems: [], actionsProblem: null };
  const clip = (v) => (v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (q.has("n")) {
    out.present = true;
    const v = q.get("n");
    const n = Number(v);
    if (/^\d+$/.test(v) && N_CHOICES.includes(n)) out.n = n;
    else out.problems.push({ param: "n", value: clip(v), fallback: String(DEFAULTS.n) });
  }
  if (q.has("seed")) {
    out.present = true;
    const v = q.get("seed");
    const s = Number(v);
    if (/^\d{1,16}$/.test(v) && Number.isSafeInteger(s)) out.seed = s;
    else out.problems.push({ param: "seed", value: clip(v), fallback: String(DEFAULTS.seed) });
  }
  if (q.has("preset")) {
    out.present = true;
    const v = q.get("preset");
    if (v === "" || presets.includes(v)) out.preset = v;
    else out.problems.push({ param: "preset", value: clip(v), fallback: "" });
  }
  if (q.has("names") && parseNames) {
    out.present = true;
    const v = q.get("names");
    const names = parseNames(v);
    if (names) out.names = names;
    else out.problems.push({ param: "names", value: clip(v), fallback: "default" });
  }
  if (q.has("loss")) {
    out.present = true;
    const v = q.get("loss").trim();
    const m = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(v);
    const x = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
    if (x >= 0 && x <= 1) out.loss = x;
    else out.problems.push({ param: "loss", value: clip(v), fallback: "0" });
  }
  if (q.has("t")) {
    out.present = true;
    const v = q.get("t");
    const t = Number(v);
    if (/^\d{1,9}$/.test(v) && t <= MAX_T) out.t = t;
    else out.problems.push({ param: "t", value: clip(v), fallback: "0" });
  }
  if (q.has("a")) {
    out.present = true;
    try {
      out.actions = decodeActions(q.get("a"));
    } catch (e) {
      out.actionsProblem = e.message;
      out.actionsError = e;
    }
  }
  return out;
}

/**
 * The query string for a run. `actions` is omitted when it equals the preset's own actions.
 * @param {{ n: number, seed: number, preset: string, names?: string[] | null, actions: object[], baseActions: object[], t?: number | null }} run
 *   t null or undefined: no time (the run starts from 0).
 * @param {Record<string, string>} [extra] more parameters (embed settings), appended in order
 */
export function permalinkSearch({ n, seed, preset, names = null, loss = 0, actions, baseActions, t }, extra = {}) {
  const q = new URLSearchParams();
  q.set("n", String(n));
  q.set("seed", String(seed));
  if (preset) q.set("preset", preset);
  if (names) q.set("names", names.join(","));
  if (loss > 0) q.set("loss", String(loss));
  if (t !== null && t !== undefined) q.set("t", String(Math.floor(t)));
  const same = JSON.stringify(actions) === JSON.stringify(baseActions || []);
  if (!same) q.set("a", encodeActions(actions));
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return "?" + q.toString().replace(/%2C/g, ",");
}
