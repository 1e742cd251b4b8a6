// permalink.js: actions survive the compact base64url encoding; a run survives the query string.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULTS, N_CHOICES, decodeActions, encodeActions, permalinkSearch, readPermalink } from "../../www/js/permalink.js";
import { parseNames } from "../../www/js/options.js";

const EVERY_ACTION = [
  { at: 0, type: "request", op: "warTime=1234" },
  { at: 0, type: "request", op: "x=1", client: 1 },
  { at: 10, type: "crash", replica: 3 },
  { at: 20, type: "recover", replica: 3 },
  { at: 30, type: "set-behavior", replica: 0, behavior: "equivocate" },
  { at: 40, type: "drop-message", msg: 17 },
  { at: 50, type: "partition", groups: [[0, 1, 2], [3]] },
  { at: 60, type: "heal" },
  { at: 70, type: "set-loss", rate: 0.25 },
  { at: 75, type: "set-load", rate: 20 },
  { at: 80, type: "set-link-latency", a: 0, b: -1, min: 500, max: 900 },
  { at: 90, type: "request", op: "名前=値 ✓" },
  { at: 95, type: "set-delivery", mode: "manual" },
  { at: 95, type: "deliver", msg: 41 },
  { at: 96, type: "fire-timer", node: 1, timer: "view-change" },
  { at: 97, type: "fire-timer", node: -1, timer: "retransmit" },
  { at: 99, type: "set-delivery", mode: "auto" },
];

test("every action type round-trips through encodeActions / decodeActions", () => {
  const s = encodeActions(EVERY_ACTION);
  assert.match(s, /^[A-Za-z0-9_-]+$/, "base64url, no padding");
  assert.deepEqual(decodeActions(s), EVERY_ACTION);
  assert.deepEqual(decodeActions(encodeActions([])), []);
});

test("bad action strings are refused with a short reason", () => {
  const enc = (x) => Buffer.from(JSON.stringify(x)).toString("base64url");
  assert.throws(() => decodeActions("!!!"), /not readable/);
  assert.throws(() => decodeActions(enc({ a: 1 })), /not a list/);
  assert.throws(() => decodeActions(enc([[0, "zz"]])), /action 1 is malformed/);
  assert.throws(() => decodeActions(enc([[0, "c", -1]])), /action 1 is malformed/);
  assert.throws(() => decodeActions(enc([[0, "l", 2]])), /malformed/, "loss above 1");
  assert.throws(() => decodeActions(enc([[0, "o", 51]])), /malformed/, "load above 50");
  assert.throws(() => decodeActions(enc([[0, "o", 2.5]])), /malformed/, "load not whole");
  assert.throws(() => decodeActions(enc([[5, "h"], [1, "h"]])), /out of order/);
  assert.throws(() => decodeActions(enc([[0, "m", 2]])), /malformed/, "a delivery mode is 0 or 1");
  assert.throws(() => decodeActions(enc([[0, "m", "manual"]])), /malformed/);
  assert.throws(() => decodeActions(enc([[0, "v", -3]])), /malformed/, "a message id is whole");
  assert.throws(() => decodeActions(enc([[0, "f", 1.5, "fetch"]])), /malformed/, "a node is a whole number");
  assert.throws(() => decodeActions(enc([[0, "f", 1, 7]])), /malformed/, "a timer is a code");
  assert.throws(() => decodeActions("A".repeat(60_001)), /too long/);
});

test("a run round-trips through permalinkSearch / readPermalink", () => {
  const run = { n: 7, seed: 42, preset: "primary-crash", names: ["Apple", "MS", "Google"], actions: EVERY_ACTION, baseActions: [], t: 2500 };
  const search = permalinkSearch(run);
  assert.match(search, /^\?n=7&seed=42&preset=primary-crash&names=Apple,MS,Google&t=2500&a=/);
  const back = readPermalink(search, { presets: ["primary-crash"], parseNames });
  assert.equal(back.present, true);
  assert.deepEqual(
    { n: back.n, seed: back.seed, preset: back.preset, names: back.names, actions: back.actions, t: back.t },
    { n: 7, seed: 42, preset: "primary-crash", names: ["Apple", "MS", "Google"], actions: EVERY_ACTION, t: 2500 },
  );
  assert.deepEqual(back.problems, []);
  assert.equal(back.actionsProblem, null);
});

test("the preset's own actions and a null time are left out; extra parameters follow", () => {
  const base = [{ at: 0, type: "crash", replica: 0 }];
  const search = permalinkSearch({ n: 4, seed: 1, preset: "p", actions: base, baseActions: base, t: null }, { lang: "zh-CN", autoplay: "1" });
  assert.equal(search, "?n=4&seed=1&preset=p&lang=zh-CN&autoplay=1");
  const back = readPermalink(search, { presets: ["p"] });
  assert.equal(back.actions, null, "no `a`: the preset's own actions");
  assert.equal(back.t, 0);
});

test("bad parameters fall back to the defaults, each with a problem", () => {
  const back = readPermalink("?n=5&seed=abc&preset=%3Cimg%3E&t=soon&names=%3Cb%3E&a=!!!", { presets: ["normal"], parseNames });
  assert.equal(back.n, DEFAULTS.n);
  assert.equal(back.seed, DEFAULTS.seed);
  assert.equal(back.preset, "");
  assert.equal(back.names, null);
  assert.equal(back.t, 0);
  assert.deepEqual(back.problems.map((p) => p.param), ["n", "seed", "preset", "names", "t"]);
  assert.deepEqual(back.problems[2], { param: "preset", value: "<img>", fallback: "" });
  assert.equal(back.actionsProblem, "not readable");
  assert.equal(readPermalink("?lang=zh-CN", { presets: [] }).present, false, "no run parameter: not a permalink");
  const long = readPermalink("?seed=" + "9".repeat(50), { presets: [] });
  assert.ok(long.problems[0].value.endsWith("…") && long.problems[0].value.length <= 41, "long values are clipped");
});

test("every replica count the page offers is accepted", () => {
  for (const n of N_CHOICES) assert.equal(readPermalink(`?n=${n}`, { presets: [] }).n, n);
});
