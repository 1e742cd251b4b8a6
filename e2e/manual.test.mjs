// "You are the network": with Delivery set to manual nothing arrives until you deliver it, from
// the ring's inspector, the keyboard or the Messages in flight list, and no timer fires until you
// fire it. The page sleeps (no animation frames) while everything waits for you, and the
// permalink replays your picks. Served with a strict Content-Security-Policy; every test fails
// on any console error, page error, failed or external request.

import assert from "node:assert/strict";
import { test } from "node:test";
import { eventually, useE2E } from "./helpers.mjs";

const e2e = useE2E({ csp: true });

/** Counts animation frames that ran (wrapping requestAnimationFrame before the page loads). */
const COUNT_FRAMES = () => {
  const raf = window.requestAnimationFrame.bind(window);
  const pending = new Set();
  window.__frames = { ran: 0, pending: () => pending.size };
  window.requestAnimationFrame = (cb) => {
    const id = raf((ts) => {
      pending.delete(id);
      window.__frames.ran++;
      cb(ts);
    });
    pending.add(id);
    return id;
  };
  const caf = window.cancelAnimationFrame.bind(window);
  window.cancelAnimationFrame = (id) => {
    pending.delete(id);
    caf(id);
  };
};

async function openPlayground(path) {
  const p = await e2e.open("about:blank");
  await p.page.addInitScript(COUNT_FRAMES);
  await p.goto(new URL(path, e2e.url).href);
  await p.page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
  return p;
}

const snapshot = (page) => page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot());
const actions = (page) => page.evaluate(() => document.querySelector("pbft-playground").simulation.actions());
const logLines = (page) => page.evaluate(() => [...document.querySelector("pbft-playground").shadowRoot.querySelectorAll(".events li")].map((e) => e.textContent));
const status = (page) => page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".stat.mode").textContent);

/** Waits until every message is at its door and the page sleeps; asserts no frame runs for 1.2 s. */
async function assertWaiting(page, what) {
  await eventually(async () => (await status(page)).startsWith("your move"), { message: `${what}: waiting for you` });
  await eventually(() => page.evaluate(() => window.__frames.pending() === 0), { message: `${what}: no frame pending` });
  const before = await page.evaluate(() => window.__frames.ran);
  await page.waitForTimeout(1200);
  assert.equal(await page.evaluate(() => window.__frames.ran), before, `${what}: no animation frames while everything waits for you`);
}

test("you are the network: deliver messages one by one until the client accepts; the permalink replays it", async () => {
  const p = await openPlayground("index.html?seed=3");
  const { page } = p;
  try {
    await page.getByRole("combobox", { name: "Speed" }).selectOption("1");
    await page.getByRole("combobox", { name: "Delivery" }).selectOption("manual");
    assert.equal((await snapshot(page)).delivery, "manual");
    // The list of what can happen next opens by itself.
    await page.getByText(/^You are the network: 0 in flight, 0 timers running$/).waitFor();
    await page.getByRole("button", { name: "Send request" }).click();

    // The REQUEST flies to the primary's door and waits there: nothing arrives by itself.
    await assertWaiting(page, "after the request");
    let s = await snapshot(page);
    assert.equal(s.inFlight.length, 1);
    assert.ok(s.now >= s.inFlight[0].deliverAt, "the clock ran until the message reached its door");
    assert.equal(s.stats.delivered, 0);
    assert.deepEqual(s.pendingTimers.map((x) => [x.node, x.timer]), [[-1, "retransmit"]]);
    await page.getByText("Client: retransmission timer, due at 1.00 s").waitFor();

    // The first delivery from the ring: click the message, then "Deliver now" in the inspector.
    const [at] = await page.evaluate(() => document.querySelector("pbft-playground").messagePositions());
    const ring = await page.locator("pbft-playground canvas.ring").boundingBox();
    await page.mouse.click(ring.x + at.x, ring.y + at.y);
    await page.getByRole("button", { name: "Deliver now" }).click();
    await eventually(async () => (await logLines(page)).some((l) => l.includes("You delivered REQUEST from Client to R0")), { message: "the log says what you did" });
    await assertWaiting(page, "after the first pick");
    s = await snapshot(page);
    assert.equal(s.stats.delivered, 1);
    assert.equal(s.inFlight.filter((m) => m.kind === "pre-prepare").length, 3, "the primary's PRE-PREPAREs wait at the backups' doors");

    // The second from the keyboard: the ring's arrow keys pick a message, Enter delivers it.
    await page.locator("pbft-playground canvas.ring").focus();
    await page.keyboard.press("ArrowRight");
    await page.getByRole("button", { name: "Deliver now" }).waitFor();
    await page.keyboard.press("Enter");
    await eventually(async () => (await snapshot(page)).stats.delivered === 2, { message: "Enter delivered the message" });

    // The rest from the Messages in flight list, oldest first, until the client accepts.
    for (let i = 0; i < 80; i++) {
      s = await snapshot(page);
      if (s.client.acceptedCount === 1) break;
      const first = page.getByRole("button", { name: /^Deliver message \d+:/ }).first();
      const label = await first.getAttribute("aria-label");
      const id = Number(/^Deliver message (\d+):/.exec(label)[1]);
      await first.click();
      await eventually(async () => !(await snapshot(page)).inFlight.some((m) => m.id === id), { message: `message ${id} delivered` });
    }
    s = await snapshot(page);
    assert.equal(s.client.acceptedCount, 1, "the client accepted");
    assert.equal(s.client.accepted[0].result, "warTime=1234");
    assert.deepEqual(s.replicas.map((r) => r.lastExecuted), [1, 1, 1, 1]);
    // Every arrival was one of your picks.
    const picks = (await actions(page)).filter((a) => a.type === "deliver");
    assert.equal(s.stats.delivered, picks.length);
    await eventually(async () => (await logLines(page)).some((l) => l.includes("Client accepted “warTime=1234”")), { message: "the accepted line" });
    await assertWaiting(page, "after the client accepted");

    // The permalink carries the picks: opened elsewhere, it replays the same run.
    const link = await page.evaluate(() => document.querySelector("pbft-playground").permalink());
    assert.match(link, /[?&]a=/);
    const q = await openPlayground(link.replace(e2e.url, ""));
    try {
      await eventually(async () => (await snapshot(q.page)).now === s.now, { message: "the replay reached the same time" });
      const r = await snapshot(q.page);
      assert.deepEqual(r, s, "the same run, message for message");
      assert.deepEqual(await actions(q.page), await actions(page));
      assert.equal(await q.page.getByRole("combobox", { name: "Delivery" }).inputValue(), "manual");
      await eventually(async () => (await logLines(q.page)).some((l) => l.includes("You delivered REQUEST from Client to R0")), { message: "the replayed log" });
      q.assertNoErrors();
    } finally {
      await q.close();
    }
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("a timer fires when you fire it; back in automatic mode the run finishes by itself", async () => {
  const p = await openPlayground("index.html?seed=5");
  const { page } = p;
  try {
    await page.getByRole("combobox", { name: "Speed" }).selectOption("1");
    await page.getByRole("combobox", { name: "Delivery" }).selectOption("manual");
    await page.getByRole("button", { name: "Send request" }).click();
    await assertWaiting(page, "after the request");
    // The client's timer, long before it is due: it broadcasts the request to every replica.
    await page.getByRole("button", { name: "Fire the retransmission timer of Client" }).click();
    await eventually(async () => (await logLines(page)).some((l) => l.includes("You fired the retransmission timer of Client")), { message: "the log says what you did" });
    await eventually(async () => (await snapshot(page)).inFlight.filter((m) => m.kind === "request").length === 5, { message: "the request broadcast" });
    // Automatic again: what waits arrives at once, and the run goes on by itself.
    await page.getByRole("combobox", { name: "Delivery" }).selectOption("auto");
    await eventually(async () => (await snapshot(page)).client.acceptedCount === 1, { timeout: 20_000, message: "the client accepts" });
    assert.equal((await snapshot(page)).delivery, "auto");
    await eventually(async () => (await logLines(page)).some((l) => l.includes("delivery is automatic again")), { message: "the log line" });
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});
