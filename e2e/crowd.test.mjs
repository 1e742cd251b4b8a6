// Many replicas: the page at n = 31 (f = 10), the largest it offers. It renders (the ring's flows,
// one-line replica cards, a lane per node), runs requests to completion, a card opens to its
// controls, and the element's `n` attribute takes 31 (and refuses 34). Headless Chromium with a
// strict Content-Security-Policy; every test fails on any console error, page error, failed or
// external request. Nothing here is timed: waits are for states, with generous bounds.

import assert from "node:assert/strict";
import { test } from "node:test";
import { eventually, useE2E } from "./helpers.mjs";

const e2e = useE2E({ csp: true });

async function openPlayground(path, options = {}) {
  const p = await e2e.open(path, options);
  p.page.setDefaultTimeout(30_000);
  await p.page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
  return p;
}

const snapshot = (page) => page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot(0));
const shadow = (page, fn, arg) => page.evaluate(([f, a]) => new Function("root", "arg", `return (${f})(root, arg)`)(document.querySelector("pbft-playground").shadowRoot, a), [fn.toString(), arg]);

test("n = 31: the page renders, a request commits at every replica and the client accepts it", async () => {
  const p = await openPlayground("index.html?n=31&seed=3");
  const { page } = p;
  try {
    const s0 = await snapshot(page);
    assert.equal(s0.n, 31);
    assert.equal(s0.f, 10);
    assert.equal(await page.getByRole("combobox", { name: "Replicas" }).inputValue(), "31");
    // One line per replica, each opening to the whole card.
    const cards = await shadow(page, (root) => [...root.querySelectorAll(".replica")].map((c) => ({ tag: c.tagName, compact: c.classList.contains("compact"), open: c.open })));
    assert.equal(cards.length, 31);
    assert.ok(cards.every((c) => c.tag === "DETAILS" && c.compact && !c.open), "compact, closed cards");
    // The ring's key tells the counters, not the short labels.
    assert.match((await shadow(page, (root) => root.querySelector(".ring-key").textContent)) ?? "", /last executed/);

    await page.getByRole("combobox", { name: "Speed" }).selectOption("1");
    await page.getByRole("button", { name: "Send request" }).click();
    // A phase in flight: its n² copies are drawn (and can be picked) on the ring.
    await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").messagePositions().length >= 31 * 10), { message: "a phase of copies drawn on the ring", timeout: 30_000 });
    await eventually(async () => {
      const s = await snapshot(page);
      return s.client.acceptedCount === 1 && s.replicas.every((r) => r.lastExecuted >= 1);
    }, { message: "request 1 executed by every replica and accepted", timeout: 60_000 });
    const s = await snapshot(page);
    assert.deepEqual(s.violations, []);
    // The page shows it: the client panel, the cards' lines, the safety badge.
    await eventually(async () => (await shadow(page, (root) => [...root.querySelectorAll(".client .accepted li")].map((li) => li.textContent).join("\n"))).includes("warTime=1234"), { message: "the client panel" });
    await eventually(async () => (await shadow(page, (root) => [...root.querySelectorAll(".replica .brief")].map((b) => b.textContent))).every((t) => /executed 1\b/.test(t)), { message: "every card's line" });
    assert.match(await shadow(page, (root) => root.querySelector(".safety").textContent), /Agreement holds/);

    // A card opens to its controls: crash R3 from it; the next request still commits (f = 10).
    await page.getByText("R3", { exact: true }).first().click();
    await page.getByRole("button", { name: "Crash R3" }).click();
    assert.equal((await snapshot(page)).replicas[3].up, false);
    await page.getByRole("textbox", { name: "Operation" }).fill("x=2");
    await page.getByRole("button", { name: "Send request" }).click();
    await eventually(async () => (await snapshot(page)).client.acceptedCount === 2, { message: "request 2 accepted with R3 down", timeout: 60_000 });
    const s2 = await snapshot(page);
    assert.equal(s2.replicas[3].lastExecuted, 1, "the crashed replica executed nothing new");
    assert.deepEqual(s2.violations, []);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("n = 31 on a phone, in Chinese: it renders and runs", async () => {
  const p = await openPlayground("index.html?n=31&seed=1", { viewport: { width: 390, height: 844 } });
  const { page } = p;
  try {
    await page.evaluate(() => document.querySelector("pbft-playground").setAttribute("lang", "zh-CN"));
    await page.getByRole("button", { name: "发送请求" }).click();
    await eventually(async () => (await snapshot(page)).client.acceptedCount === 1, { message: "the request accepted", timeout: 60_000 });
    assert.equal(await shadow(page, (root) => root.querySelectorAll(".replica.compact").length), 31);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("the element's n attribute takes 31 and refuses 34 with a notice", async () => {
  const p = await openPlayground("index.html");
  const { page } = p;
  try {
    await page.evaluate(() => document.querySelector("pbft-playground").setAttribute("n", "31"));
    await eventually(async () => (await snapshot(page)).n === 31, { message: "n = 31" });
    await page.evaluate(() => document.querySelector("pbft-playground").setAttribute("n", "34"));
    await eventually(async () => (await snapshot(page)).n === 4, { message: "n = 34 falls back to 4" });
    assert.match(await shadow(page, (root) => [...root.querySelectorAll(".notice")].map((n) => n.textContent).join(" ")), /“n” attribute value “34” is not valid/);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});
