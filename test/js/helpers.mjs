// Shared by the unit tests of the page's pure modules (www/js): translators for both languages,
// the samples of every code the engine sends (the contract in README.md, JS API), and a
// translator that records the keys it is asked for.

import { loadLanguage, translator } from "../../www/js/i18n.js";

export const LANGS = ["en", "zh-CN"];

/** Translators for every language, with their tables loaded. */
export async function translators() {
  const out = {};
  for (const lang of LANGS) {
    assertLoaded(await loadLanguage(lang), lang);
    out[lang] = translator(lang);
  }
  return out;
}

function assertLoaded(got, want) {
  if (got !== want) throw new Error(`language ${want} did not load (got ${got})`);
}

/** `t` that records every key asked for in `keys`. */
export function recording(t, keys = []) {
  const r = (key, vars) => {
    keys.push(key);
    return t(key, vars);
  };
  r.lang = t.lang;
  r.has = t.has;
  r.defined = t.defined;
  r.keys = keys;
  return r;
}

/** Replica names used by the tests: distinctive, so that a test sees them interpolated. */
export const NAMES = ["Ann", "Bob", "Cyd", "Dee"];
export const name = (i) => (i < 0 ? "Client" : NAMES[i] ?? `R${i}`);

/** A sample of every defect code, with the values a test expects to find in its words. */
export const DEFECTS = {
  "uncertified-checkpoint": { seq: 48 },
  "cert-outside-window": { seq: 61, low: 52, high: 60 },
  "cert-view": { seq: 37, certView: 5, view: 4 },
  "cert-digest": { seq: 39 },
  "cert-prepares": { seq: 41, count: 1, needed: 2 },
  "bad-signature": { kind: "prepare", signer: 2 },
};

/**
 * A sample of every reject code. Replica fields render as names; `kind` is said by the line
 * around the reason ("Bob refused a PREPARE from Ann: …", describeRefusal), upper-case.
 */
export const REJECTS = {
  "wrong-signer": { kind: "prepare" },
  "wrong-sender": { kind: "new-view" },
  "old-view": { kind: "commit", view: 3, current: 5 },
  "outside-window": { kind: "prepare", seq: 77, low: 64, high: 72 },
  "stale-request": { timestamp: 23, last: 29 },
  "not-primary": { kind: "pre-prepare", view: 6, primary: 2 },
  "digest-mismatch": { view: 7, seq: 31 },
  "null-pre-prepare": { view: 8, seq: 33 },
  "conflicting-pre-prepare": { view: 9, seq: 35 },
  "prepare-from-primary": { view: 11, seq: 43 },
  "duplicate-vote": { kind: "commit", seq: 47 },
  "not-checkpoint-seq": { seq: 53, interval: 4 },
  "unsolicited-state": { seq: 56 },
  "uncertified-state": { seq: 58 },
  "invalid-view-change": { view: 12, defect: { code: "cert-prepares", seq: 41, count: 1, needed: 2 } },
  "new-view-bad-view-change": { view: 13, replica: 3, defect: { code: "cert-view", seq: 37, certView: 5, view: 4 } },
  "new-view-other-view": { view: 14, replica: 1, other: 15 },
  "new-view-no-quorum": { view: 16, count: 2, needed: 3 },
  "new-view-wrong-o": { view: 17 },
  "new-view-not-from-primary": { view: 18, primary: 2 },
  "bad-signature": { kind: "commit", signer: 3 },
  "malformed-state": { seq: 60 },
  "conflicting-vote": { kind: "prepare", view: 19, seq: 61 },
  "bad-request-signature": { client: 1000, timestamp: 62 },
};

/** A sample of every violation code. */
export const VIOLATIONS = {
  agreement: { seq: 5, first: 1, firstDigest: "a3f2", firstOp: "x=1", second: 2, secondDigest: "9c1e", secondOp: null },
  order: { replica: 3, seq: 9, after: 7 },
  state: { seq: 12, first: 0, second: 2 },
  duplicate: { replica: 1, client: 0, timestamp: 19 },
  "wrong-result": { timestamp: 21, op: "x=1", result: "x=2" },
  "client-conflict": { timestamp: 25, accepted: "warTime=1234", other: "warTime=9999" },
};

/** A sample of every fault action (sim.actions() entries without `at`) and the text each must contain. */
export const FAULTS = {
  crash: [{ type: "crash", replica: 3 }, ["Dee"]],
  recover: [{ type: "recover", replica: 2 }, ["Cyd"]],
  "set-behavior": [{ type: "set-behavior", replica: 0, behavior: "equivocate" }, ["Ann"]],
  partition: [{ type: "partition", groups: [[0, 1, 2], [3]] }, ["{Ann Bob Cyd} | {Dee}"]],
  heal: [{ type: "heal" }, []],
  "set-loss": [{ type: "set-loss", rate: 0.2 }, ["20%"]],
  "set-link-latency": [{ type: "set-link-latency", a: 0, b: -1, min: 500, max: 900 }, ["Ann", "500", "900"]],
  "set-delivery": [{ type: "set-delivery", mode: "manual" }, []],
};

/** The words a field value is expected as: replica fields as names, kinds upper-case, nested defects skipped. */
export function expectedTexts(fields) {
  const out = [];
  for (const [k, v] of Object.entries(fields)) {
    if (k === "defect") continue;
    // An agreement violation names the two operations (a null one in words), not their digests.
    if (k === "firstDigest" || k === "secondDigest") continue;
    if ((k === "firstOp" || k === "secondOp") && v === null) continue;
    if (["replica", "primary", "first", "second", "signer"].includes(k)) out.push(name(v));
    else if (k === "kind") out.push(String(v).toUpperCase());
    else if (k === "client") out.push(null); // the client's name (language-dependent)
    else out.push(String(v));
  }
  return out.filter((x) => x !== null);
}
