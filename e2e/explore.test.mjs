// The Explore panel: the engine's explore build in a Web Worker searches every order in which the
// network can deliver what is in flight at the instant on screen. Under the naive quorum it finds
// the counterexample, which loads into the timeline and replays to the same violation; under the
// paper's quorum it reports how many states it searched and that nothing broke. Strict CSP; any
// console error, page error or failed request fails the test.

import assert from "node:assert/strict";
import { test } from "node:test";
import { eventually, useE2E } from "./helpers.mjs";

const e2e = useE2E({ csp: true });
const el = (page, fn) => page.evaluate(fn);

async function explore(page) {
  await page.getByText("Explore every order from here").click();
  await page.getByRole("button", { name: "Explore", exact: true }).click();
}

test("the explorer finds the naive quorum's counterexample, and the timeline replays it", async () => {
  const p = await e2e.open("index.html?preset=naive-quorum");
  const { page } = p;
  try {
    await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
    const started = Date.now();
    await explore(page);
    await page.getByText(/^Violation found: \d+ steps, after \d+ states searched\.$/).waitFor({ timeout: 20_000 });
    const seconds = (Date.now() - started) / 1000;
    const steps = await page.locator("pbft-playground .explore-steps li").allTextContents();
    assert.ok(steps.length >= 4 && steps.length <= 8, `a short counterexample: ${steps.join(" | ")}`);
    assert.match(steps[0], /^Deliver #1 REQUEST Client → R0$/);
    assert.ok(steps.every((s) => s.startsWith("Deliver #")), steps.join(" | "));
    const violation = await page.locator("pbft-playground .explore-violation").textContent();
    assert.match(violation, /warTime=1234/);
    assert.match(violation, /warTime=2345/);
    await page.getByRole("button", { name: "Load it into the timeline" }).click();
    await page.getByText(/^The explorer's counterexample is loaded: \d+ steps from \d+ ms\./).waitFor();
    // The run is now the counterexample: manual delivery, then the steps one by one.
    const actions = await el(page, () => document.querySelector("pbft-playground").simulation.actions());
    const tail = actions.filter((a) => a.type === "deliver" || a.type === "set-delivery");
    assert.equal(tail[0].type, "set-delivery");
    assert.equal(tail.length, steps.length + 1);
    assert.equal((await el(page, () => document.querySelector("pbft-playground").simulation.snapshot())).violations.length, 0, "nothing broken yet at the start");
    const end = tail.at(-1).at;
    await page.evaluate((t) => document.querySelector("pbft-playground").simulation.seek(t), end);
    await eventually(async () => (await el(page, () => document.querySelector("pbft-playground").simulation.snapshot())).violations.length > 0, { message: "the replay breaks agreement" });
    // ... and the permalink carries it.
    await eventually(() => page.evaluate(() => location.search.includes("a=")), { message: "the permalink holds the actions" });
    console.log(`  naive quorum: counterexample of ${steps.length} steps in ${seconds.toFixed(1)} s`);
  } finally {
    await p.close();
  }
});

test("under the paper's quorum every order from here is safe, in both languages", async () => {
  const p = await e2e.open("index.html?preset=backup-crash");
  const { page } = p;
  try {
    await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
    await explore(page);
    await page.getByText(/^No violation in 1,516 states\.$/).waitFor({ timeout: 30_000 });
    await page.getByText(/^Every order within these bounds was tried: 12 runs come to an end, 12 of them with every request accepted\.$/).waitFor();
    // zh-CN: the same search, in Chinese.
    await el(page, () => document.querySelector("pbft-playground").setAttribute("lang", "zh-CN"));
    await page.getByText("从此刻起穷举所有顺序").click();
    await page.getByRole("button", { name: "探索", exact: true }).click();
    await page.getByText(/^在 1,516 个状态中没有违规。$/).waitFor({ timeout: 30_000 });
  } finally {
    await p.close();
  }
});

test("the command line's counterexample is a permalink the page replays to the violation", async () => {
  const { counterexample } = await import("../scripts/counterexample.mjs");
  const { found, search } = counterexample("naive-quorum", { at: 0 });
  assert.ok(found && search, "the naive quorum breaks");
  const p = await e2e.open(`index.html${search}`);
  const { page } = p;
  try {
    await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
    const s = await el(page, () => document.querySelector("pbft-playground").simulation.snapshot());
    assert.equal(s.violations.length, 1);
    assert.equal(s.violations[0].code, "agreement");
    assert.equal(s.delivery, "manual");
    await page.locator("pbft-playground .safety").getByText(/warTime=2345/).first().waitFor();
  } finally {
    await p.close();
  }
});
