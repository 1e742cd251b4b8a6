// options.js: every attribute value is checked; bad ones read as the default, with a notice.

import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  Attributes,
  DEFAULT_OP,
  DEFAULT_SPEED,
  fitNames,
  parseBool,
  parseHeight,
  parseN,
  parseNames,
  parseOp,
  parseSeed,
  parseSpeed,
  parseT,
  problemLines,
  readOption,
  readRun,
  resolveLang,
} from "../../www/js/options.js";
import { encodeActions, permalinkSearch } from "../../www/js/permalink.js";
import { translators } from "./helpers.mjs";

let T;
before(async () => {
  T = await translators();
});

/** A stand-in for the element: its attributes, and the language of the page around it. */
function element(attrs = {}, pageLang = "en") {
  return {
    getAttribute: (k) => (Object.hasOwn(attrs, k) ? attrs[k] : null),
    hasAttribute: (k) => Object.hasOwn(attrs, k),
    closest: () => ({ getAttribute: () => attrs.lang ?? pageLang }),
  };
}

test("parsers accept good values and refuse the rest", () => {
  assert.equal(parseN("7"), 7);
  assert.equal(parseN(" 16 "), 16);
  assert.equal(parseN("31"), 31);
  for (const bad of ["32", "34", "128"]) assert.equal(parseN(bad), null, bad);
  for (const bad of ["5", "4.0", "x", "", "-4"]) assert.equal(parseN(bad), null, bad);
  assert.equal(parseSeed("0"), 0);
  assert.equal(parseSeed("9007199254740991"), 9007199254740991);
  for (const bad of ["-1", "1e3", "abc", "99999999999999999"]) assert.equal(parseSeed(bad), null, bad);
  assert.deepEqual(parseNames("Apple, MS ,Google,IBM"), ["Apple", "MS", "Google", "IBM"]);
  assert.deepEqual(parseNames("甲,乙"), ["甲", "乙"]);
  assert.equal(parseNames(Array.from({ length: 31 }, (_, i) => `N${i}`).join(",")).length, 31);
  assert.equal(parseNames(Array.from({ length: 32 }, (_, i) => `N${i}`).join(",")), null);
  for (const bad of ["<b>x</b>,y", "a,,b", "x".repeat(17), "a&b", "tab\there", "a'b"]) assert.equal(parseNames(bad), null, bad);
  assert.deepEqual(fitNames(["A", "B"], 4), ["A", "B", "R2", "R3"]);
  assert.equal(parseSpeed("0.5"), 0.5);
  assert.equal(parseSpeed("4×"), 4);
  assert.equal(parseSpeed("2x"), 2);
  for (const bad of ["0", "-3", "101", "", "fast"]) assert.equal(parseSpeed(bad), null, bad);
  assert.equal(parseHeight("480"), 480);
  assert.equal(parseHeight("480px"), 480);
  assert.equal(parseHeight("fill"), "fill");
  assert.equal(parseHeight("100%"), "fill");
  for (const bad of ["9", "5000", "50vh", "tall"]) assert.equal(parseHeight(bad), null, bad);
  assert.equal(parseBool(""), true);
  assert.equal(parseBool("yes"), true);
  for (const off of ["false", "0", "off", "NO", null]) assert.equal(parseBool(off), false, String(off));
  assert.equal(parseOp("a\u0000b"), "a b");
  assert.equal(parseOp("x".repeat(300)).length, 200);
  assert.equal(parseT("2500"), 2500);
  for (const bad of ["-1", "1.5", "soon", String(25 * 3600 * 1000)]) assert.equal(parseT(bad), null, bad);
});

test("resolveLang", () => {
  for (const v of ["zh-CN", "zh", "zh-Hans", "zh_cn", "zh-Hans-CN", "zh-SG"]) assert.equal(resolveLang(v), "zh-CN", v);
  for (const v of ["en", "en-GB", "EN"]) assert.equal(resolveLang(v), "en", v);
  for (const v of ["xx", "zh-TW", "", null]) assert.equal(resolveLang(v), null, String(v));
});

test("presentation attributes: absent is the default, bad is the default and not ok", () => {
  assert.deepEqual(readOption("speed", null), { value: DEFAULT_SPEED, ok: true });
  assert.deepEqual(readOption("speed", "4"), { value: 4, ok: true });
  assert.deepEqual(readOption("speed", "-3"), { value: DEFAULT_SPEED, ok: false });
  assert.deepEqual(readOption("theme", " Dark "), { value: "dark", ok: true });
  assert.deepEqual(readOption("theme", "neon"), { value: "auto", ok: false });
  assert.deepEqual(readOption("theme", ""), { value: "auto", ok: false });
  assert.deepEqual(readOption("controls", "compact"), { value: "compact", ok: true });
  assert.deepEqual(readOption("controls", "weird"), { value: "full", ok: false });
  assert.deepEqual(readOption("height", ""), { value: null, ok: true }, "blank: responsive");
  assert.deepEqual(readOption("height", "fill"), { value: "fill", ok: true });
  assert.deepEqual(readOption("height", "9"), { value: null, ok: false });
});

test("readRun: the run settings, with a problem per bad value", () => {
  const get = (attrs) => (k) => attrs[k] ?? null;
  assert.deepEqual(readRun(get({}), ["normal"]), { cfg: { n: 4, seed: 1, preset: "", names: null }, problems: [] });
  const good = readRun(get({ n: "7", seed: "42", preset: "normal", names: "A,B" }), ["normal"]);
  assert.deepEqual(good, { cfg: { n: 7, seed: 42, preset: "normal", names: ["A", "B"] }, problems: [] });
  assert.equal(readRun(get({ preset: "none" }), ["normal"]).cfg.preset, "");
  const bad = readRun(get({ n: "5", seed: "abc", preset: "<img>", names: "<b>" }), ["normal"]);
  assert.deepEqual(bad.cfg, { n: 4, seed: 1, preset: "", names: null });
  assert.deepEqual(bad.problems, [
    { param: "n", value: "5", fallback: "4" },
    { param: "seed", value: "abc", fallback: "1" },
    { param: "preset", value: "<img>", fallback: "" },
    { param: "names", value: "<b>", fallback: "default" },
  ]);
  assert.deepEqual(problemLines(bad.problems.slice(2), "notice.badAttr", T.en), [
    "The “preset” attribute value “<img>” is not valid; using Free play (no preset) instead.",
    "The “names” attribute value “<b>” is not valid; using the default instead.",
  ]);
});

test("Attributes: getters read the attributes every time (nothing cached)", () => {
  const attrs = { speed: "4", op: "x=1", autoplay: "" };
  const a = new Attributes(element(attrs));
  assert.equal(a.option("speed"), 4);
  assert.equal(a.op, "x=1");
  assert.equal(a.autoplay, true);
  attrs.speed = "8";
  attrs.autoplay = "false";
  delete attrs.op;
  assert.equal(a.option("speed"), 8);
  assert.equal(a.autoplay, false);
  assert.equal(a.op, DEFAULT_OP);
  assert.equal(a.option("controls"), "full");
  assert.equal(a.option("height"), null);
});

test("Attributes.lang: the attribute, else the page's language, else English", () => {
  assert.equal(new Attributes(element({ lang: "zh" })).lang, "zh-CN");
  assert.equal(new Attributes(element({}, "zh-Hans")).lang, "zh-CN");
  assert.equal(new Attributes(element({}, "fr")).lang, "en");
  assert.equal(new Attributes(element({ lang: "xx" }, "zh")).lang, "en");
});

test("Attributes.problems: one notice line per bad presentation value, in the element's language", () => {
  const a = new Attributes(element({ speed: "-3", theme: "neon", controls: "weird", height: "9", lang: "xx" }));
  const lines = a.problems(["lang", "theme", "controls", "height", "speed"], T.en);
  assert.equal(lines.length, 5);
  assert.equal(lines[0], "The “lang” attribute value “xx” is not valid; using English instead.");
  assert.match(lines[4], /“speed” attribute value “-3” is not valid; using 0\.07× instead/);
  assert.deepEqual(new Attributes(element({ speed: "2" })).problems(["speed", "theme"], T.en), []);
  const zh = a.problems(["theme"], T["zh-CN"]);
  assert.equal(zh[0], "“theme”的值“neon”无效，已改用自动。");
});

test("Attributes.run: the run, recorded actions and time; a permalink's address wins", () => {
  const actions = [{ at: 0, type: "crash", replica: 1 }];
  const a = new Attributes(element({ n: "7", seed: "3", actions: encodeActions(actions), t: "900" }));
  const run = a.run(["normal"], T.en);
  assert.deepEqual(run, { cfg: { n: 7, seed: 3, preset: "", names: null }, actions, t: 900, notices: [], linkNotices: [] });
  const bad = new Attributes(element({ actions: "!!!", t: "soon" })).run([], T.en);
  assert.equal(bad.actions, null);
  assert.equal(bad.t, 0);
  assert.deepEqual(bad.notices, [
    "The recorded actions could not be replayed (not readable); starting without them.",
    "The “t” attribute value “soon” is not valid; using 0 instead.",
  ]);
  // A `permalink` element: the address describes the run.
  const search = permalinkSearch({ n: 10, seed: 5, preset: "normal", actions, baseActions: [], t: 300 });
  const linked = a.run(["normal"], T.en, search);
  assert.deepEqual([linked.cfg, linked.actions, linked.t], [{ n: 10, seed: 5, preset: "normal", names: null }, actions, 300]);
  assert.deepEqual(a.run(["normal"], T.en, "?lang=en").cfg.n, 7, "an address without a run leaves the attributes");
  const badLink = a.run([], T.en, "?n=5&a=!!!");
  assert.deepEqual(badLink.linkNotices, [
    ["The link’s “n” value “5” is not valid; using 4 instead."],
    "The recorded actions could not be replayed (not readable); starting without them.",
  ]);
  // In Chinese the reason is Chinese too, for each way a list can be wrong.
  const zh = (value) => new Attributes(element({ actions: value })).run([], T["zh-CN"]).notices[0];
  assert.equal(zh("!!!"), "记录的操作无法重放（无法读取），将不带这些操作开始。");
  const enc = (x) => Buffer.from(JSON.stringify(x)).toString("base64url");
  assert.match(zh(enc({})), /（不是一个列表）/);
  assert.match(zh(enc([[0, "zz"]])), /（第 1 个操作格式有误）/);
  assert.match(zh(enc([[5, "h"], [1, "h"]])), /（第 2 个操作的时间顺序不对）/);
  for (const v of ["!!!", enc({}), enc([[0, "zz"]]), enc([[5, "h"], [1, "h"]])]) assert.doesNotMatch(zh(v), /[a-z]{3}/, "no English words");
});
