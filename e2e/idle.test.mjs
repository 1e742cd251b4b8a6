// Idle means idle: an element with nothing to animate (paused, or a finished run: nothing in
// flight, no timer due) and a still pointer requests no animation frames at all; anything that
// changes what it shows (play, a hover, a script calling its Simulation) wakes it again. And an
// element that starts below the fold has its first state drawn (a full-page screenshot shows it)
// without being scrolled to.
//
// Frames are counted by wrapping requestAnimationFrame before the page loads. "Settled" means no
// frame is pending; from then on, over 1.5 s, not one frame callback may run. The served root is
// the repository (for e2e/fixtures/below-fold.html), with a strict Content-Security-Policy.

import assert from "node:assert/strict";
import { test } from "node:test";
import { REPO_ROOT, eventually, useE2E } from "./helpers.mjs";

const e2e = useE2E({ root: REPO_ROOT, csp: true });

/** Counts animation frames: requested, run, and those pending (requested, neither run nor cancelled). */
const COUNT_FRAMES = () => {
  const raf = window.requestAnimationFrame.bind(window);
  const caf = window.cancelAnimationFrame.bind(window);
  const pending = new Set();
  const frames = { requested: 0, ran: 0, pending: () => pending.size };
  window.__frames = frames;
  window.requestAnimationFrame = (cb) => {
    frames.requested++;
    const id = raf((ts) => {
      pending.delete(id);
      frames.ran++;
      cb(ts);
    });
    pending.add(id);
    return id;
  };
  window.cancelAnimationFrame = (id) => {
    pending.delete(id);
    caf(id);
  };
};

async function open(path, options = {}) {
  const p = await e2e.open("about:blank", options);
  await p.page.addInitScript(COUNT_FRAMES);
  await p.goto(new URL(path, e2e.url).href);
  await p.page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
  return p;
}

const framesRan = (page) => page.evaluate(() => window.__frames.ran);
const sim = (page, expr) => page.evaluate((e) => new Function("sim", `return ${e}`)(document.querySelector("pbft-playground").simulation), expr);
const shadow = (page, selector) => page.evaluate((sel) => document.querySelector("pbft-playground").shadowRoot.querySelector(sel)?.textContent ?? null, selector);

/** Waits until no frame is pending, then asserts that none runs for 1.5 s; returns the frame count. */
async function assertIdle(page, what) {
  await eventually(() => page.evaluate(() => window.__frames.pending() === 0), { message: `${what}: no frame pending` });
  const before = await framesRan(page);
  await page.waitForTimeout(1500);
  const after = await framesRan(page);
  assert.equal(after - before, 0, `${what}: ${after - before} animation frames in 1.5 s while idle`);
  return after;
}

/** The timeline's time as the element words it, for `ms`. */
const timeText = (page, ms) => page.evaluate(async (t) => (await import("/www/js/i18n.js")).formatTime(Math.floor(t)), ms);

test("idle means idle: no frames paused, none after a finished run; playing, hovering and scripting wake it", async () => {
  const p = await open("www/index.html?preset=normal&seed=1");
  const { page } = p;
  try {
    // Playing a preset requests frames, and time runs.
    const f0 = await framesRan(page);
    await eventually(async () => (await framesRan(page)) >= f0 + 30, { message: "frames while playing" });
    await eventually(async () => (await sim(page, "sim.snapshot().inFlight.length")) >= 3, { message: "messages in flight" });

    // Paused mid-run: the messages stay drawn where they are, the page true to the engine.
    await page.evaluate(() => (document.querySelector("pbft-playground").playing = false));
    await assertIdle(page, "paused");
    const paused = await sim(page, "sim.now");
    assert.ok((await page.evaluate(() => document.querySelector("pbft-playground").messagePositions().length)) > 0, "messages drawn in flight");
    assert.match(await shadow(page, ".timeline .time"), new RegExp((await timeText(page, paused)).replace(/[.]/g, "\\.")));

    // A resize draws it again at its new size.
    const cdp = await p.context.newCDPSession(page);
    const drawnAt = () => page.evaluate(() => JSON.stringify(document.querySelector("pbft-playground").messagePositions()));
    const wide = await drawnAt();
    await cdp.send("Emulation.setDeviceMetricsOverride", { width: 900, height: 800, deviceScaleFactor: 1, mobile: false });
    await eventually(async () => (await drawnAt()) !== wide, { message: "the ring drawn again at its new size" });
    await assertIdle(page, "after a resize");

    // A hover over a message wakes it (the label is drawn, the pointer becomes a hand) ...
    const target = await page.evaluate(() => {
      const el = document.querySelector("pbft-playground");
      const m = el.messagePositions()[0];
      const r = el.shadowRoot.querySelector("canvas.ring").getBoundingClientRect();
      return { x: r.left + m.x, y: r.top + m.y };
    });
    const f1 = await framesRan(page);
    await page.mouse.move(target.x, target.y);
    await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector("canvas.ring").classList.contains("pointer")), {
      message: "the hover noticed",
    });
    await eventually(async () => (await framesRan(page)) > f1, { message: "a frame for the hover" });
    // ... and a still pointer lets it sleep again, as does one that left.
    await assertIdle(page, "hovering, pointer still");
    await page.mouse.move(2, 2);
    await assertIdle(page, "pointer gone");
    assert.equal(await sim(page, "sim.now"), paused, "no virtual time passed while paused");

    // A finished run: nothing in flight, no timer due.
    await page.evaluate(() => {
      const el = document.querySelector("pbft-playground");
      el.speed = 100;
      el.playing = true;
    });
    await eventually(async () => (await sim(page, "sim.now > 1500 && sim.idle")) === true, { timeout: 60_000, message: "the run to finish" });
    await assertIdle(page, "finished run");
    const s = await sim(page, "sim.snapshot()");
    assert.equal(s.client.accepted.length, 2);
    assert.equal(await page.evaluate(() => document.querySelector("pbft-playground").playing), true, "still playing, only idle");
    // The panels show the engine's last state, not one a frame or two old.
    assert.match(await shadow(page, ".timeline .time"), new RegExp((await timeText(page, s.now)).replace(/[.]/g, "\\.")));

    // A script acting on the element's Simulation wakes it: the request runs and is accepted.
    const f2 = await framesRan(page);
    await page.evaluate(() => document.querySelector("pbft-playground").simulation.request("late=1"));
    await eventually(async () => (await sim(page, "sim.snapshot().client.accepted.length")) === 3, { timeout: 60_000, message: "the scripted request accepted" });
    assert.ok((await framesRan(page)) > f2, "frames while it ran");
    await assertIdle(page, "after the scripted request");
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("an element below the fold is drawn before anyone scrolls to it (a full-page screenshot shows it)", async () => {
  const p = await open("e2e/fixtures/below-fold.html", { viewport: { width: 1280, height: 800 } });
  const { page } = p;
  try {
    await eventually(() => page.evaluate(() => document.getElementById("late").suspended), { message: "suspended: out of view" });
    await eventually(() => page.evaluate(() => window.__frames.pending() === 0), { message: "no frame pending" });
    const rects = await page.evaluate(() => {
      const root = document.getElementById("late").shadowRoot;
      const rect = (sel) => {
        const r = root.querySelector(sel).getBoundingClientRect();
        return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
      };
      return { ring: rect("canvas.ring"), diagram: rect("canvas.diagram"), scrollY };
    });
    assert.equal(rects.scrollY, 0, "never scrolled");
    assert.ok(rects.ring.y > 800 && rects.diagram.y > 800, "both canvases start below the first screen");

    for (const which of ["ring", "diagram"]) {
      const r = rects[which];
      const clip = { x: Math.ceil(r.x) + 2, y: Math.ceil(r.y) + 2, width: Math.floor(r.width) - 4, height: Math.floor(r.height) - 4 };
      const png = await page.screenshot({ fullPage: true, clip });
      const ink = await inkShare(p.context, png);
      assert.ok(ink > 0.01, `the ${which} canvas is drawn in a full-page screenshot (${(ink * 100).toFixed(2)} % of its pixels differ from the background)`);
    }
    assert.equal(await page.evaluate(() => document.getElementById("late").suspended), true, "still out of view: nothing woke it to draw");
    assert.equal(await page.evaluate(() => document.getElementById("late").simulation.now), 0, "no time passed");
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

/** The share of pixels of a PNG that differ from its most common colour (decoded by the browser). */
async function inkShare(context, png) {
  const page = await context.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d");
      ctx.drawImage(bitmap, 0, 0);
      const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const counts = new Map();
      for (let i = 0; i < data.length; i += 4) {
        const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const background = Math.max(...counts.values());
      return 1 - background / (data.length / 4);
    }, png.toString("base64"));
  } finally {
    await page.close();
  }
}
