// The page as a user sees it: headless Chromium (playwright-core) on www/ served with a strict
// Content-Security-Policy (no inline scripts or styles, no eval). Every test fails on any console
// error, page error, failed or external request.

import assert from "node:assert/strict";
import { test } from "node:test";
import { useE2E, eventually } from "./helpers.mjs";

const e2e = useE2E({ csp: true });


/** Opens the page and waits until the element has its Simulation. */
async function openPlayground(path = "index.html", options = {}) {
  const p = await e2e.open(path, options);
  await p.page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
  return p;
}

const snapshot = (page) => page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot());
const shadowText = (page, selector) =>
  page.evaluate((sel) => [...document.querySelector("pbft-playground").shadowRoot.querySelectorAll(sel)].map((e) => e.textContent), selector);

test("send a request, crash replica 3, send again: it still commits", async () => {
  const p = await openPlayground();
  const { page } = p;
  try {
    assert.match(await page.title(), /PBFT/);
    await page.getByRole("combobox", { name: "Speed" }).selectOption("4");

    await page.getByRole("textbox", { name: "Operation" }).fill("warTime=1234");
    await page.getByRole("button", { name: "Send request" }).click();
    await eventually(async () => {
      const s = await snapshot(page);
      return s.replicas.every((r) => r.lastExecuted >= 1) && s.client.accepted.length === 1;
    }, { message: "every replica to execute request 1" });
    let s = await snapshot(page);
    assert.equal(s.client.accepted[0].result, "warTime=1234");
    assert.deepEqual(s.replicas.map((r) => r.executed[0].op), ["warTime=1234", "warTime=1234", "warTime=1234", "warTime=1234"]);
    // ... and the page shows it: the event log, the client panel and every replica card.
    await eventually(async () => (await shadowText(page, ".events li")).some((t) => t.includes("Client accepted “warTime=1234”")), { message: "the log line" });
    await eventually(async () => (await shadowText(page, ".client .accepted li")).some((t) => t.includes("warTime=1234")), { message: "the client panel" });
    const cards = await page.evaluate(() =>
      [...document.querySelector("pbft-playground").shadowRoot.querySelectorAll(".replica")].map((c) => {
        const facts = Object.fromEntries([...c.querySelectorAll(".facts div")].map((d) => [d.querySelector("dt").textContent, d.querySelector("dd").textContent]));
        return facts["Last executed"];
      }),
    );
    assert.deepEqual(cards, ["1", "1", "1", "1"]);
    await eventually(async () => (await shadowText(page, ".safety")).join("").includes("Agreement holds"), { message: "the safety badge" });

    // Crash replica 3 with its button.
    await page.getByRole("button", { name: "Crash R3" }).click();
    s = await snapshot(page);
    assert.equal(s.replicas[3].up, false);
    await page.getByRole("button", { name: "Recover R3" }).waitFor();

    await page.getByRole("textbox", { name: "Operation" }).fill("retreat=no");
    await page.getByRole("button", { name: "Send request" }).click();
    await eventually(async () => {
      const s = await snapshot(page);
      return s.client.accepted.length === 2 && [0, 1, 2].every((i) => s.replicas[i].lastExecuted >= 2);
    }, { message: "request 2 to commit without replica 3" });
    s = await snapshot(page);
    assert.equal(s.replicas[3].lastExecuted, 1, "the crashed replica executed nothing new");
    assert.equal(s.client.accepted[1].op, "retreat=no");
    assert.deepEqual(s.violations, []);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("the primary-crash preset: a view change to view 1, then the request is accepted", async () => {
  const p = await openPlayground();
  const { page } = p;
  try {
    await page.getByRole("combobox", { name: "Speed" }).selectOption("8");
    await page.getByRole("combobox", { name: "Scenario" }).selectOption("primary-crash");
    await eventually(async () => {
      const s = await snapshot(page);
      return s.client.accepted.length === 1 && s.replicas.filter((r) => r.up).every((r) => r.view === 1 && r.lastExecuted === 1);
    }, { message: "view 1 and the request accepted", timeout: 15_000 });
    const s = await snapshot(page);
    assert.equal(s.replicas[0].up, false);
    assert.equal(s.client.accepted[0].view, 1);
    assert.equal(s.replicas[1].isPrimary, true);
    await eventually(async () => (await shadowText(page, ".stat-view")).join("") === "view 1", { message: "the status strip" });
    await eventually(async () => {
      const log = await shadowText(page, ".events li");
      return log.some((t) => t.includes("entered view 1")) && log.some((t) => t.includes("Client accepted"));
    }, { message: "the log to tell the view change and the acceptance" });
    assert.match(page.url(), /preset=primary-crash/);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("permalink round-trip replays the same run; bad parameters fall back politely", async () => {
  const p = await openPlayground();
  const { page } = p;
  let url;
  let saved;
  try {
    await page.getByRole("combobox", { name: "Speed" }).selectOption("4");
    await page.getByRole("combobox", { name: "Replicas" }).selectOption("7");
    await page.getByRole("spinbutton", { name: "Seed" }).fill("42");
    await page.getByRole("spinbutton", { name: "Seed" }).press("Enter");
    await page.getByRole("combobox", { name: "Behaviour of R2" }).selectOption("equivocate");
    await page.getByRole("button", { name: "Send request" }).click();
    await eventually(async () => (await snapshot(page)).client.accepted.length === 1, { message: "request accepted" });
    await page.getByRole("button", { name: "Pause" }).click();
    await eventually(() => page.evaluate(() => location.search.includes("&a=")), { message: "the URL to carry the actions" });
    url = page.url();
    saved = await snapshot(page);
    assert.equal(saved.n, 7);
    assert.equal(saved.seed, 42);
    assert.match(url, /n=7/);
    assert.match(url, /seed=42/);
    assert.match(url, new RegExp(`t=${saved.now}`));
    p.assertNoErrors();
  } finally {
    await p.close();
  }

  // A fresh page from the link reaches the same state at the same time.
  const q = await openPlayground(url.slice(url.indexOf("index.html")));
  try {
    const replayed = await q.page.evaluate((t) => {
      const el = document.querySelector("pbft-playground");
      el.playing = false;
      el.simulation.seek(t); // (the test reads the run at exactly the saved time)
      return el.simulation.snapshot();
    }, saved.now);
    assert.deepEqual(replayed, saved);
    q.assertNoErrors();
  } finally {
    await q.close();
  }

  // Bad parameters: defaults, a visible notice, URL text rendered as text only.
  const r = await openPlayground("index.html?n=5&seed=abc&preset=%3Cimg%20src%3Dx%3E&a=!!!");
  try {
    const s = await snapshot(r.page);
    assert.equal(s.n, 4);
    assert.equal(s.seed, 1);
    const notice = (await shadowText(r.page, ".notice")).join(" ");
    assert.match(notice, /“n” value “5” is not valid/);
    assert.match(notice, /“seed” value “abc” is not valid/);
    assert.match(notice, /<img src=x>/, "the bad value is shown as text");
    assert.match(notice, /recorded actions could not be replayed/);
    const injected = await r.page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelectorAll("img").length);
    assert.equal(injected, 0);
    r.assertNoErrors();
  } finally {
    await r.close();
  }
});

test("timeline scrubbing, message inspection and dropping a message", async () => {
  const p = await openPlayground("index.html", { viewport: { width: 390, height: 844 } });
  const { page } = p;
  try {
    await page.getByRole("combobox", { name: "Speed" }).selectOption("4");
    await page.getByRole("button", { name: "Send request" }).click();
    await eventually(async () => (await snapshot(page)).idle && (await snapshot(page)).client.accepted.length === 1, { message: "idle after request 1" });
    const end = (await snapshot(page)).now;

    // Drag the scrubber back to 200 ms: the engine replays to that time.
    await page.getByRole("slider", { name: "Virtual time" }).fill("200");
    await eventually(async () => (await snapshot(page)).now === 200, { message: "seek to 200" });
    let s = await snapshot(page);
    assert.ok(s.replicas.every((r) => r.lastExecuted === 0));
    assert.ok(s.inFlight.length > 0);
    await eventually(async () => (await shadowText(page, ".events li")).every((t) => !t.includes("Client accepted")), { message: "the log to rewind" });
    // Live jumps back to the end.
    await page.getByRole("button", { name: "Live" }).click();
    await eventually(async () => (await snapshot(page)).client.accepted.length === 1, { message: "back to live" });
    assert.ok((await snapshot(page)).now >= end);

    // Pause, send, inspect a message in flight through the keyboard-friendly list, drop it.
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("textbox", { name: "Operation" }).fill("x=2");
    await page.getByRole("button", { name: "Send request" }).click();
    // Click the message on the canvas (found by hovering: the cursor becomes a pointer over it).
    const hit = await page.evaluate(async () => {
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); // drawn
      const c = document.querySelector("pbft-playground").shadowRoot.querySelector("canvas.ring");
      const r = c.getBoundingClientRect();
      for (let y = 3; y < r.height; y += 3) {
        for (let x = 3; x < r.width; x += 3) {
          c.dispatchEvent(new PointerEvent("pointermove", { clientX: r.left + x, clientY: r.top + y, bubbles: true }));
          if (c.classList.contains("pointer")) return { x: r.left + x, y: r.top + y };
        }
      }
      return null;
    });
    assert.ok(hit, "a message in flight is drawn on the ring");
    await page.mouse.click(hit.x, hit.y);
    await eventually(async () => (await shadowText(page, ".inspector .detail")).join("").includes('REQUEST o="x=2"'), { message: "the inspector after a canvas click" });
    await page.getByRole("button", { name: "Close" }).click();
    assert.equal(await page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".inspector").hidden), true);

    await page.getByText(/Messages in flight \(1\)/).click();
    await page.getByRole("button", { name: /REQ t2 x=2/ }).click();
    const detail = (await shadowText(page, ".inspector .detail")).join("");
    assert.match(detail, /REQUEST o="x=2" t=2/);
    const id = (await snapshot(page)).inFlight[0].id;
    await page.getByRole("button", { name: "Drop this message" }).click();
    s = await snapshot(page);
    assert.equal(s.inFlight.length, 0);
    assert.equal(s.stats.dropped, 1);
    const actions = await page.evaluate(() => document.querySelector("pbft-playground").simulation.actions());
    assert.deepEqual(actions.at(-1), { at: s.now, type: "drop-message", msg: id });
    await eventually(async () => (await shadowText(page, ".events li")).some((t) => t.includes("dropped by you")), { message: "the drop in the log" });
    // The client retransmits after its timeout and the request still commits.
    await page.getByRole("button", { name: "Play" }).click();
    await eventually(async () => (await snapshot(page)).client.accepted.length === 2, { message: "request 2 accepted after retransmission", timeout: 15_000 });
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});
