// The page shows an attack failing: a message that fails a check where it lands is marked there,
// on the ring (a cross in a badge at the receiver's end of its path) and on the time-space
// diagram (at the arrow's head), and its mark, the inspector and the event log say the check in
// words, in English and in Simplified Chinese. The run is made by hand: replica 2 sends
// conflicting votes (conflicting-votes: a second vote for another digest, and the same vote
// again) and the others refuse the conflicting ones; the repeats are ignored, unmarked. Served
// with a strict CSP.

import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeActions } from "../www/js/permalink.js";
import { eventually, useE2E } from "./helpers.mjs";

const e2e = useE2E({ csp: true });

const HOST = "pbft-playground";
const marks = (page) => page.evaluate((sel) => document.querySelector(sel).refusalMarks(), HOST);
const shadowText = (page, selector) =>
  page.evaluate(([host, sel]) => [...document.querySelector(host).shadowRoot.querySelectorAll(sel)].map((e) => e.textContent), [HOST, selector]);

/** Moves the pointer onto a mark of `canvas` ("ring" | "diagram") and clicks it. */
async function clickMark(page, canvas, mark) {
  const box = await page.locator(`${HOST} >> canvas.${canvas}`).boundingBox();
  await page.mouse.move(box.x + mark.x, box.y + mark.y);
  await page.mouse.click(box.x + mark.x, box.y + mark.y);
}

/** The inspector's text once it shows the refusal of a message. */
async function inspectorRefusal(page) {
  return eventually(async () => (await shadowText(page, ".inspector:not([hidden]) .note.refused:not([hidden])"))[0], { message: "the inspector to tell the check" });
}

test("a conflicting vote refused: marked on the ring and the diagram, the check told by its mark, the inspector and the log, in both languages", async () => {
  const p = await e2e.open("index.html");
  const { page } = p;
  try {
    await page.waitForFunction((sel) => document.querySelector(sel)?.simulation, HOST);
    // The legend explains the mark.
    assert.ok((await shadowText(page, ".legend li")).includes("refused: failed a check"));

    // Drive the run as a user: R2 votes twice, then a request; real time (speed 1).
    await page.getByRole("combobox", { name: "Speed" }).selectOption("1");
    await page.getByRole("combobox", { name: "Behaviour of R2" }).selectOption("conflicting-votes");
    await page.getByRole("button", { name: "Send request" }).click();

    // A refusal is marked on the diagram (it stays while its time is in the window) ...
    const drawn = await eventually(async () => (await marks(page)).diagram.find((m) => m.code === "conflicting-vote" && m.msg !== null), {
      message: "a refused conflicting vote marked on the diagram",
    });
    await page.getByRole("button", { name: "Pause" }).click();
    // ... and the event log tells the check in words, naming the kind of the message refused.
    const logLine = await eventually(async () => (await shadowText(page, ".events li.refused")).find((t) => /refused a (PREPARE|COMMIT) from R2: a second (PREPARE|COMMIT) for v0 n1 with another digest \(an honest replica votes once\)/.test(t)), {
      message: "the log line of a refusal",
    });
    assert.match(logLine, /R[013] refused a (PREPARE|COMMIT) from R2: a second (PREPARE|COMMIT) for v0 n1 with another digest \(an honest replica votes once\)/);
    const sim = await page.evaluate((sel) => {
      const s = document.querySelector(sel).simulation.snapshot(0);
      return { violations: s.violations.length, executed: s.replicas.map((r) => r.lastExecuted) };
    }, HOST);
    assert.equal(sim.violations, 0, "the attack fails: agreement holds");

    // What hovering the mark tells (the words of its callout), and the inspector when it is clicked.
    const { diagram } = await marks(page);
    const mark = diagram.find((m) => m.msg === drawn.msg) ?? diagram.find((m) => m.code === "conflicting-vote" && m.msg !== null);
    // The same vote again (R2 repeats its own too) is ignored, not marked as a failed check.
    assert.ok(!diagram.some((m) => m.code === "duplicate-vote"), "a repeated vote gets no mark");
    assert.match(mark.text, /^R[013] refused a (PREPARE|COMMIT) from R2: a second (PREPARE|COMMIT) for v0 n1 with another digest \(an honest replica votes once\)$/);
    await clickMark(page, "diagram", mark);
    const note = await inspectorRefusal(page);
    assert.match(note, /^R[013] refused it at [\d.]+ m?s: a second (PREPARE|COMMIT) for v0 n1 with another digest \(an honest replica votes once\)\.$/);
    const title = (await shadowText(page, ".inspector h2"))[0];
    assert.match(title, new RegExp(`^Message ${mark.msg} · (PREPARE|COMMIT)$`));

    // The same run in Simplified Chinese: the marks, the inspector and the log in its words.
    await page.evaluate((sel) => document.querySelector(sel).setAttribute("lang", "zh-CN"), HOST);
    await eventually(async () => (await shadowText(page, ".legend li")).includes("被拒绝：未通过检查"), { message: "the zh-CN legend" });
    const zh = await eventually(async () => (await marks(page)).diagram.find((m) => m.msg === mark.msg), { message: "the mark after the language changed" });
    assert.match(zh.text, /^R[013] 拒绝了来自 R2 的 (PREPARE|COMMIT)：v0 n1 的第二张 (PREPARE|COMMIT)，摘要不同（诚实副本只投一次）$/);
    assert.match(await inspectorRefusal(page), /^R[013] 于 [\d.]+ m?s 拒绝了它：v0 n1 的第二张 (PREPARE|COMMIT)，摘要不同（诚实副本只投一次）。$/);
    assert.ok((await shadowText(page, ".events li.refused")).some((t) => /拒绝了来自 R2 的 (PREPARE|COMMIT)：v0 n1 的第二张 (PREPARE|COMMIT)，摘要不同（诚实副本只投一次）/.test(t)), "the zh-CN log line");
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("opened at the moment of a refusal (a permalink, zh-CN): a mark at the receiver's end on the ring; clicking it inspects the refused message", async () => {
  // The same hand-made run, recorded: R2 sends conflicting votes, the client sends a request.
  const actions = encodeActions([
    { at: 0, type: "set-behavior", replica: 2, behavior: "conflicting-votes" },
    { at: 0, type: "request", op: "x=1" },
  ]);
  // When is the first refusal? The engine is deterministic: ask it, in the page.
  const p = await e2e.open(`embed.html?lang=zh-CN&controls=full&n=4&seed=1&a=${actions}`);
  const { page } = p;
  try {
    await page.waitForFunction((sel) => document.querySelector(sel)?.simulation, HOST);
    const first = await page.evaluate(async () => {
      const { default: init, Simulation } = await import("/pkg/pbft_playground.js");
      await init();
      const sim = new Simulation({ n: 4, seed: 1 });
      sim.setBehavior(2, "conflicting-votes");
      sim.request("x=1");
      const events = [...sim.takeEvents(), ...sim.runUntilIdle(10_000)];
      sim.free();
      return events.find((e) => e.type === "rejected" && e.msg !== null && e.node !== 2 && e.reason.code === "conflicting-vote");
    });
    assert.ok(first, "a refusal happens");
    await p.goto(new URL(`embed.html?lang=zh-CN&controls=full&n=4&seed=1&a=${actions}&t=${first.time + 20}`, e2e.url).href);
    await page.waitForFunction((sel) => document.querySelector(sel)?.simulation, HOST);
    const ring = await eventually(async () => (await marks(page)).ring.find((m) => m.msg === first.msg), { message: "the refusal marked on the ring" });
    assert.deepEqual([ring.node, ring.from, ring.code], [first.node, first.from, first.reason.code]);
    assert.match(ring.text, /^R[013] 拒绝了来自 R2 的 (PREPARE|COMMIT)：v0 n1 的第二张 (PREPARE|COMMIT)，摘要不同（诚实副本只投一次）$/);
    const width = await page.evaluate((sel) => document.querySelector(sel).shadowRoot.querySelector("canvas.ring").getBoundingClientRect().width, HOST);
    assert.ok(ring.x > 0 && ring.x < width, "inside the ring canvas");
    await clickMark(page, "ring", ring);
    assert.match(await inspectorRefusal(page), /拒绝了它：v0 n1 的第二张 (PREPARE|COMMIT)，摘要不同（诚实副本只投一次）。$/);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});
