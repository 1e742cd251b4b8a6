// index.html in the reader's language: `?lang=zh-CN` words the page and the element in Chinese
// and stays in the address as the element updates its permalink; an unknown language is said
// so, as text, and the page falls back to English.

import assert from "node:assert/strict";
import { test } from "node:test";
import { eventually, useE2E } from "./helpers.mjs";

const e2e = useE2E({ csp: true });

const shadowText = (page) => page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.textContent);

test("index.html?lang=zh-CN: the page and the element in Chinese, lang kept in the permalink", async () => {
  const p = await e2e.open("index.html?lang=zh-CN&preset=normal");
  const { page } = p;
  await eventually(async () => (await shadowText(page)).includes("发送请求"), { message: "the element in Chinese" });
  assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
  assert.match(await page.locator(".site-header .lede").textContent(), /实用拜占庭容错/);
  assert.match(await page.title(), /PBFT 演练场/);
  // The run plays and the element rewrites the address: lang stays in it.
  await eventually(async () => /[?&]t=\d+/.test(await page.evaluate(() => location.search)) && (await page.evaluate(() => location.search)) !== "?lang=zh-CN&preset=normal", {
    message: "the permalink written",
  });
  const search = await page.evaluate(() => location.search);
  assert.match(search, /[?&]lang=zh-CN/, search);
  assert.match(search, /[?&]preset=normal/, search);
  p.assertNoErrors();
  await p.close();
});

test("index.html?lang=<unknown>: English, with a notice that shows the value as text", async () => {
  const p = await e2e.open("index.html?lang=%3Cb%3Efr%3C%2Fb%3E");
  const { page } = p;
  await eventually(async () => (await shadowText(page)).includes("Send request"), { message: "the element in English" });
  const notice = await page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".notice")?.textContent ?? "");
  assert.match(notice, /<b>fr<\/b>/, "the value as text in the notice");
  assert.equal(await page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector("b")), null, "no markup from the address");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  p.assertNoErrors();
  await p.close();
});
