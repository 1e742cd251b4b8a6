// i18n.js: the tables of every language have the same keys and the same placeholders; the
// translator falls back to English, then to the key; times are formatted for people.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ENGLISH as PAGE_ENGLISH, LANGUAGES, formatTime, loadLanguage, translator } from "../../www/js/i18n.js";
import { WORDS as SHARE_ENGLISH } from "../../www/js/share-dialog.js";
import { WORDS as EXPLORE_ENGLISH } from "../../www/js/explore.js";
import { WORDS as LIVE_ENGLISH } from "../../www/js/live-panel.js";
import zh from "../../www/js/i18n-zh-CN.js";
import tourEn from "../../www/js/i18n-tour.js";
import tourZh from "../../www/js/i18n-tour-zh-CN.js";

// The page's English words: i18n.js's table and those the Share / Embed dialog, the Explore
// and the Live cluster panels bring when they load (their zh-CN words are in i18n-zh-CN.js, loaded with the language).
const LATER = [SHARE_ENGLISH, EXPLORE_ENGLISH, LIVE_ENGLISH];
const ENGLISH = Object.assign({ ...PAGE_ENGLISH }, ...LATER);

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every language is listed and loads", async () => {
  assert.deepEqual(LANGUAGES, ["en", "zh-CN"]);
  for (const lang of LANGUAGES) assert.equal(await loadLanguage(lang), lang);
  assert.equal(await loadLanguage("xx"), "en");
});

test("every key of the English table exists in zh-CN, and every zh-CN key in English", () => {
  const en = Object.keys(ENGLISH);
  const cn = Object.keys(zh);
  assert.deepEqual(en.filter((k) => !Object.hasOwn(zh, k)), [], "keys missing in zh-CN");
  assert.deepEqual(cn.filter((k) => !Object.hasOwn(ENGLISH, k)), [], "keys zh-CN has that English lacks");
  assert.ok(en.length > 200, `${en.length} keys`);
  const later = LATER.flatMap((w) => Object.keys(w));
  assert.deepEqual(later.filter((k, i) => Object.hasOwn(PAGE_ENGLISH, k) || later.indexOf(k) !== i), [], "a key in i18n.js and in a part's words, or in two parts");
  assert.ok(Object.keys(SHARE_ENGLISH).length > 50 && Object.keys(EXPLORE_ENGLISH).length > 30);
});

test("the guided tour's tables (loaded with the tour) have the same keys and placeholders in both languages, none a copy of English", () => {
  const en = Object.keys(tourEn);
  assert.deepEqual(en.filter((k) => !Object.hasOwn(tourZh, k)), [], "keys missing in the zh-CN tour table");
  assert.deepEqual(Object.keys(tourZh).filter((k) => !Object.hasOwn(tourEn, k)), [], "keys the zh-CN tour table has that English lacks");
  assert.ok(en.length > 150, `${en.length} keys`);
  assert.deepEqual(en.filter((k) => placeholders(tourEn[k]).join() !== placeholders(tourZh[k]).join()), []);
  assert.deepEqual(en.filter((k) => Object.hasOwn(ENGLISH, k) || Object.hasOwn(zh, k)), [], "no key in both a tour table and a page table");
  assert.deepEqual(en.filter((k) => tourZh[k] === tourEn[k] && /[a-z]{4,}/.test(tourEn[k].replace(/\{\w+\}/g, ""))), [], "English copies");
  for (const t of [tourEn, tourZh]) for (const [k, v] of Object.entries(t)) assert.ok(typeof v === "string" && v.length > 0, k);
});

test("addTable: words loaded later join a language's table, before or after it loads", async () => {
  const { addTable, translator } = await import("../../www/js/i18n.js");
  addTable("en", { "test.later": "later", send: "not this" });
  assert.equal(translator("en")("test.later"), "later");
  assert.equal(translator("en")("send"), "Send request", "a key already there keeps its text");
});

test("both languages fill the same placeholders", () => {
  const differ = Object.keys(ENGLISH).filter((k) => placeholders(ENGLISH[k]).join() !== placeholders(zh[k] ?? "").join());
  assert.deepEqual(differ, []);
});

test("every text is a non-empty string; zh-CN texts are not English copies", () => {
  for (const [k, v] of Object.entries(ENGLISH)) assert.ok(typeof v === "string" && v.length > 0, k);
  for (const [k, v] of Object.entries(zh)) assert.ok(typeof v === "string" && v.length > 0, k);
  // A zh-CN text equal to the English one must be language-neutral (symbols, placeholders, short codes).
  const copies = Object.keys(ENGLISH).filter((k) => zh[k] === ENGLISH[k] && /[a-z]{4,}/.test(ENGLISH[k].replace(/\{\w+\}/g, "")));
  assert.deepEqual(copies, []);
});

test("the translator interpolates as text, falls back to English and then to the key", async () => {
  await loadLanguage("zh-CN");
  const en = translator("en");
  const cn = translator("zh-CN");
  assert.equal(en.lang, "en");
  assert.equal(cn.lang, "zh-CN");
  assert.equal(translator("xx").lang, "en");
  assert.equal(en("ev.submitted", { op: "<b>x</b>", timestamp: 3 }), "Client submitted “<b>x</b>” (t3)");
  assert.equal(en("ev.submitted", { op: "x" }), "Client submitted “x” (t{timestamp})", "a missing variable stays visible");
  assert.equal(cn("send"), "发送请求");
  assert.equal(cn("no.such.key"), "no.such.key");
  assert.equal(cn.has("send"), true);
  assert.equal(cn.has("no.such.key"), false);
  assert.equal(cn.defined("send"), true);
  assert.equal(en.defined("no.such.key"), false);
  assert.equal(en.defined("toString"), false, "no inherited properties");
});

test("formatTime", () => {
  assert.equal(formatTime(0), "0 ms");
  assert.equal(formatTime(999.4), "999 ms");
  assert.equal(formatTime(1234), "1.23 s");
  assert.equal(formatTime(123_456), "123.5 s");
  // At the edges the unit follows the rounded value: never "1000 ms" or "100.00 s".
  assert.equal(formatTime(999.6), "1.00 s");
  assert.equal(formatTime(99_996), "100.0 s");
  assert.equal(formatTime(99_994), "99.99 s");
  assert.equal(formatTime(NaN), "–");
});

test("no key is written twice in a table (the second would silently replace the first)", async () => {
  const { readFileSync } = await import("node:fs");
  for (const file of ["i18n.js", "i18n-zh-CN.js", "share-dialog.js", "explore.js", "live-panel.js"]) {
    const text = readFileSync(new URL(`../../www/js/${file}`, import.meta.url), "utf8");
    const keys = [...text.matchAll(/^ {2}"([^"]+)":/gm)].map((m) => m[1]);
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    assert.deepEqual(twice, [], `${file}: keys written twice`);
  }
});

test("the glossary: every term has its word and its definition in both languages", async () => {
  const { TERMS } = await import("../../www/js/glossary.js");
  for (const id of TERMS) {
    for (const key of [`term.${id}`, `gloss.${id}`]) {
      assert.ok(ENGLISH[key], `English ${key}`);
      assert.ok(zh[key], `zh-CN ${key}`);
    }
  }
});

test("zh-CN: a value put in beside a Han character is set off by a space when it starts or ends with a Latin letter or digit", () => {
  const t = translator("zh-CN");
  assert.equal(t("notice.badAttr", { param: "speed", value: "-3", fallback: "0.07×" }), "“speed”的值“-3”无效，已改用 0.07×。");
  assert.equal(t("notice.badAttr", { param: "theme", value: "neon", fallback: "自动" }), "“theme”的值“neon”无效，已改用自动。");
  assert.equal(t("reject.stale-request", { timestamp: 3, last: 5 }), "请求 t3 比最后执行的请求（t5）还旧", "templates that space already are unchanged");
  assert.equal(translator("en")("notice.badAttr", { param: "speed", value: "-3", fallback: "0.07×" }), "The “speed” attribute value “-3” is not valid; using 0.07× instead.");
});
