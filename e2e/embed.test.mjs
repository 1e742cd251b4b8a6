// Embedding, as a blog author would: e2e/fixtures/embed-test.html is a "blog post" with two
// <pbft-playground> elements (different presets, one in Chinese and dark) and an iframe embed,
// under host-page styles that would clash if they crossed the shadow root. The repository root
// is served with a strict Content-Security-Policy; every test fails on any console error, page
// error, failed or external request. The last test builds dist/ and serves it from a sub-path.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";
import { REPO_ROOT, openPage, startServer, useE2E, eventually } from "./helpers.mjs";

const e2e = useE2E({ root: REPO_ROOT, csp: true });
const FIXTURE = "e2e/fixtures/embed-test.html";


/** Opens `path` on `base` with every request recorded (main frame and iframes). */
async function open(path, { base = e2e.url, ...options } = {}) {
  const p = await openPage(e2e.browser, options);
  p.requests = [];
  p.page.on("request", (r) => p.requests.push({ url: r.url(), main: r.frame() === p.page.mainFrame() }));
  await p.goto(new URL(path, base).href);
  return p;
}

const ready = (page, ids) => page.waitForFunction((list) => list.every((id) => document.getElementById(id)?.simulation), ids);
const snap = (page, id) => page.evaluate((i) => document.getElementById(i).simulation.snapshot(), id);
const now = (page, id) => page.evaluate((i) => document.getElementById(i).simulation.now, id);
const shadowText = (page, id, selector) =>
  page.evaluate(([i, sel]) => [...document.getElementById(i).shadowRoot.querySelectorAll(sel)].map((e) => e.textContent), [id, selector]);

test("two elements on a blog page run independently; host styles stay as they are", async () => {
  const p = await open(FIXTURE, { viewport: { width: 1280, height: 2200 } });
  const { page } = p;
  try {
    await ready(page, ["one", "two"]);
    // Pausing one leaves the other running.
    await page.locator("#one").getByRole("button", { name: "Pause" }).click();
    const t1 = await now(page, "one");
    const t2 = await now(page, "two");
    await eventually(async () => (await now(page, "two")) > t2 + 50, { message: "element two to keep running" });
    assert.equal(await now(page, "one"), t1, "element one is paused");
    await page.locator("#one").getByRole("button", { name: "Play" }).click();

    // Both finish their own scenario.
    await eventually(async () => {
      const s = await snap(page, "one");
      return s.client.accepted.length === 1 && s.replicas.filter((r) => r.up).every((r) => r.view === 1);
    }, { message: "element one: view change to view 1 and the request accepted", timeout: 15_000 });
    await eventually(async () => (await snap(page, "two")).replicas.every((r) => r.stableCheckpoint >= 8), {
      message: "element two: checkpoints 4 and 8 stable",
      timeout: 15_000,
    });
    const two = await snap(page, "two");
    assert.deepEqual(two.replicas.map((r) => r.name), ["甲", "乙", "丙", "丁"]);
    assert.equal(two.seed, 7);
    assert.deepEqual((await snap(page, "one")).violations, []);

    // The host page's styles are untouched, and none of them got in.
    const host = await page.evaluate(() => ({
      probe: getComputedStyle(document.querySelector("p.probe")).color,
      button: getComputedStyle(document.getElementById("host-button")).backgroundColor,
      sheets: document.styleSheets.length,
      styleElements: document.querySelectorAll("style, link[rel=stylesheet]").length,
    }));
    assert.deepEqual(host, { probe: "rgb(1, 2, 3)", button: "rgb(255, 105, 180)", sheets: 1, styleElements: 1 });
    for (const id of ["one", "two"]) {
      const inside = await page.evaluate((i) => {
        const root = document.getElementById(i).shadowRoot;
        const style = (sel) => getComputedStyle(root.querySelector(sel));
        return {
          app: style(".app").display,
          font: style(".app").fontFamily,
          letterSpacing: style(".app").letterSpacing,
          transform: style("button.send").textTransform,
          button: style("button.send").backgroundColor,
          canvas: style("canvas.ring").display,
          canvasWidth: root.querySelector("canvas.ring").getBoundingClientRect().width,
          h2: style("h2").color,
        };
      }, id);
      assert.notEqual(inside.app, "none", `${id}: .app shows`);
      assert.doesNotMatch(inside.font, /Comic/, `${id}: the host font does not get in`);
      assert.equal(inside.letterSpacing, "normal");
      assert.equal(inside.transform, "none");
      assert.notEqual(inside.button, "rgb(255, 105, 180)");
      assert.equal(inside.canvas, "block");
      assert.ok(inside.canvasWidth > 150, `${id}: the ring is drawn (${inside.canvasWidth} px)`);
      assert.notEqual(inside.h2, "rgb(255, 0, 0)");
    }

    // One wasm download for the two elements; every request is for the project's own files.
    const wasm = p.requests.filter((r) => r.main && r.url.endsWith(".wasm"));
    assert.equal(wasm.length, 1, `one .wasm request in the page: ${JSON.stringify(wasm)}`);
    for (const r of p.requests) {
      const path = new URL(r.url).pathname;
      assert.match(path, /^\/(www|e2e\/fixtures)\//, `unexpected request ${r.url}`);
    }
    // No global variables: the window has nothing a blank document of this origin lacks.
    const globals = await page.evaluate(() => {
      const f = document.createElement("iframe");
      document.body.append(f);
      const blank = new Set(Object.getOwnPropertyNames(f.contentWindow));
      f.remove();
      return Object.getOwnPropertyNames(window).filter((name) => !blank.has(name) && !/^\d+$/.test(name));
    });
    assert.deepEqual(globals, []);
    assert.ok(await page.evaluate(() => customElements.get("pbft-playground") !== undefined));
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("the iframe embed: embed.html with URL parameters fills its frame", async () => {
  const p = await open(FIXTURE, { viewport: { width: 800, height: 900 } });
  const { page } = p;
  try {
    await page.locator("#frame").scrollIntoViewIfNeeded();
    const frame = page.frames().find((f) => f.url().includes("embed.html"));
    assert.ok(frame, "the iframe loaded embed.html");
    await frame.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
    const info = await frame.evaluate(() => {
      const el = document.querySelector("pbft-playground");
      return {
        attrs: ["preset", "autoplay", "speed", "controls", "height"].map((a) => el.getAttribute(a)),
        height: el.getBoundingClientRect().height,
        ring: el.shadowRoot.querySelector("canvas.ring").getBoundingClientRect().height,
        settings: getComputedStyle(el.shadowRoot.querySelector(".bar.settings")).display,
      };
    });
    assert.deepEqual(info.attrs, ["normal", "", "4", "compact", "fill"]);
    assert.ok(info.height > 520 && info.height <= 560, `the element fills the 560 px iframe (${info.height})`);
    assert.ok(info.ring > 120, `the ring has room (${info.ring})`);
    assert.equal(info.settings, "none", "compact controls");
    // The "normal" preset: two requests, both accepted.
    await eventually(() => frame.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot().client.accepted.length === 2), {
      message: "both requests accepted in the iframe",
      timeout: 15_000,
    });
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("keyboard: every control is reached with Tab, focus is visible, Enter and Space operate", async () => {
  const p = await open("www/index.html");
  const { page } = p;
  try {
    await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
    const mainSnap = () => page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot());
    const focused = () =>
      page.evaluate(() => {
        const a = document.querySelector("pbft-playground").shadowRoot.activeElement;
        if (!a) return null;
        const s = getComputedStyle(a);
        return { name: a.getAttribute("aria-label") || a.textContent.trim(), tag: a.tagName, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
    const seen = [];
    const tabTo = async (name, key = "Tab") => {
      for (let i = 0; i < 120; i++) {
        await page.keyboard.press(key);
        const f = await focused();
        if (f) seen.push(f.name);
        if (f?.name === name) return f;
      }
      throw new Error(`"${name}" not reached with Tab; reached: ${seen.join(" | ")}`);
    };
    const send = await tabTo("Send request");
    assert.notEqual(send.outline, "none", "visible focus");
    assert.ok(send.width >= 2);
    await page.keyboard.press("Enter");
    await eventually(async () => {
      const s = await mainSnap();
      return s.client.outstanding.length + s.client.accepted.length > 0;
    }, { message: "Enter sends the request" });
    await tabTo("Pause");
    await page.keyboard.press("Space");
    assert.equal(await page.evaluate(() => document.querySelector("pbft-playground").playing), false, "Space pauses");
    await page.keyboard.press("Space");
    assert.equal(await page.evaluate(() => document.querySelector("pbft-playground").playing), true, "Space plays");
    for (const name of ["Step", "Speed", "Virtual time"]) await tabTo(name);
    // The ring itself: the arrow keys pick the messages in flight, Escape lets go.
    const ring = await tabTo("Ring of replicas with every message in flight. Click a message, or use the arrow keys, to inspect it.");
    assert.notEqual(ring.outline, "none");
    const inspectorHidden = () => page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".inspector").hidden);
    await page.keyboard.press("ArrowRight");
    assert.equal(await inspectorHidden(), false, "an arrow key opens the inspector on a message");
    await page.keyboard.press("Escape");
    assert.equal(await inspectorHidden(), true);
    for (const name of ["Zoom out", "Zoom in"]) await tabTo(name);
    // The replica cards' buttons, e.g. crash R2, by keyboard.
    await tabTo("Crash R2");
    await page.keyboard.press("Enter");
    await eventually(async () => !(await mainSnap()).replicas[2].up, { message: "R2 crashed by keyboard" });

    // The Share / Embed dialog by keyboard: open, read, close with Escape.
    seen.length = 0;
    await page.evaluate(() => (document.querySelector("pbft-playground").speed = 8)); // (the snippets carry it)
    await tabTo("Share / Embed", "Shift+Tab"); // back up to the settings bar
    await page.keyboard.press("Enter");
    // (js/share-dialog.js loads at the first opening)
    await page.waitForFunction(() => document.querySelector("pbft-playground").shadowRoot.querySelector("dialog.share-dialog")?.open);
    const dialog = await page.evaluate(() => {
      const root = document.querySelector("pbft-playground").shadowRoot;
      const d = root.querySelector("dialog.share-dialog");
      return { open: d.open, active: root.activeElement?.tagName, fields: [...d.querySelectorAll(".share-field")].map((f) => f.value) };
    });
    assert.equal(dialog.open, true);
    assert.equal(dialog.active, "INPUT", "focus moves into the dialog");
    const [link, iframe, script] = dialog.fields;
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/www\/index\.html\?n=4&seed=1&a=/);
    assert.doesNotMatch(link, /[?&]t=/, "“open paused at a moment” is not ticked: the link opens at the start, like the embeds");
    assert.match(iframe, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/www\/embed\.html\?n=4&amp;seed=1&amp;a=[\w-]+&amp;speed=8&amp;autoplay=1" title="PBFT playground" width="100%" height="600" loading="lazy" frameborder="0"><\/iframe>$/);
    assert.match(script, /^<script type="module" src="http:\/\/127\.0\.0\.1:\d+\/www\/pbft-playground\.js"><\/script>\n<pbft-playground n="4" seed="1" autoplay controls="compact" speed="8" actions="[\w-]+"><\/pbft-playground>$/);
    await page.keyboard.press("Shift+Tab");
    assert.equal((await focused()).name, "Copy: Link to this run");
    await page.keyboard.press("Escape");
    assert.equal(await page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector("dialog").open), false);

    // The iframe snippet, opened as it is, replays the same run (R2 crashed, one request).
    const src = iframe.match(/src="([^"]+)"/)[1].replace(/&amp;/g, "&");
    const q = await open(src.slice(src.indexOf("/www/") + 1));
    try {
      await q.page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
      await eventually(() => q.page.evaluate(() => {
        const s = document.querySelector("pbft-playground").simulation.snapshot();
        return s.client.accepted.length === 1 && !s.replicas[2].up;
      }), { message: "the embedded copy of the run", timeout: 15_000 });
      q.assertNoErrors();
    } finally {
      await q.close();
    }
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("prefers-reduced-motion: messages wait at their ends instead of flying", async () => {
  const p = await open(FIXTURE, { viewport: { width: 1280, height: 800 } });
  const { page } = p;
  try {
    await page.emulateMedia({ reducedMotion: "reduce" });
    await ready(page, ["one"]);
    await page.evaluate(() => (document.getElementById("one").speed = 0.07));
    assert.equal(await page.evaluate(() => document.getElementById("one").reducedMotion), true);
    const positions = () => page.evaluate(() => document.getElementById("one").messagePositions());
    const samePlaces = async () => {
      const a = await positions();
      await page.waitForTimeout(300);
      const b = await positions();
      const common = a.filter((m) => b.some((n) => n.id === m.id));
      return { common: common.length, moved: common.filter((m) => { const n = b.find((x) => x.id === m.id); return Math.hypot(n.x - m.x, n.y - m.y) > 0.5; }).length };
    };
    const still = await eventually(async () => {
      const r = await samePlaces();
      return r.common > 0 ? r : null;
    }, { message: "messages in flight" });
    assert.equal(still.moved, 0, "with reduced motion no message moves");
    // And with motion allowed again, they fly.
    await page.emulateMedia({ reducedMotion: "no-preference" });
    await eventually(async () => (await page.evaluate(() => document.getElementById("one").reducedMotion)) === false, { message: "the media change" });
    const flying = await eventually(async () => {
      const r = await samePlaces();
      return r.common > 0 ? r : null;
    }, { message: "messages in flight" });
    assert.ok(flying.moved > 0, "messages move when motion is allowed");
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("lang=\"zh-CN\": the interface and the narration in Chinese", async () => {
  const p = await open(FIXTURE, { viewport: { width: 1280, height: 2200 } });
  const { page } = p;
  try {
    await ready(page, ["two"]);
    assert.equal(await page.evaluate(() => document.getElementById("two").shadowRoot.querySelector(".app").lang), "zh-CN");
    await page.locator("#two").getByRole("button", { name: "发送请求" }).waitFor();
    await page.locator("#two").getByRole("button", { name: "暂停" }).waitFor();
    const legend = (await shadowText(page, "two", ".legend li")).join(" ");
    for (const word of ["预准备", "准备", "提交", "回复", "检查点", "视图切换", "新视图"]) assert.ok(legend.includes(word), `legend has ${word}`);
    assert.match((await shadowText(page, "two", ".preset-description")).join(""), /九个请求/);
    assert.match((await shadowText(page, "two", ".diagram-view h2")).join(""), /时空图/);
    assert.match((await shadowText(page, "two", ".safety")).join(""), /一致性成立/);
    // The narration (aria-live) speaks Chinese.
    const said = await eventually(async () => {
      const text = (await shadowText(page, "two", ".caption")).join("");
      return /[\u4e00-\u9fff]/.test(text) ? text : null;
    }, { message: "a Chinese narration" });
    assert.doesNotMatch(said, /\b(the|sends|replica)\b/i);
    assert.equal(await page.evaluate(() => document.getElementById("two").shadowRoot.querySelector(".caption").getAttribute("aria-live")), "polite");
    assert.equal(await page.evaluate(() => document.getElementById("two").theme), "dark");
    // English next to it, in the same page.
    assert.match((await shadowText(page, "one", ".caption")).join("") + (await shadowText(page, "one", "button.send")).join(""), /Send request/);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("bad attributes fall back with a notice, never markup; attribute changes update the element", async () => {
  const p = await open(FIXTURE);
  const { page } = p;
  try {
    await ready(page, ["one"]);
    await page.evaluate(() => {
      const el = document.createElement("pbft-playground");
      el.id = "bad";
      const bad = {
        n: "5",
        seed: "abc",
        preset: "<img src=x onerror=alert(1)>",
        names: "<b>x</b>,y,z,w",
        controls: "weird",
        theme: "neon",
        speed: "-3",
        height: "9",
        lang: "xx",
        t: "soon",
        actions: "!!!",
        autoplay: "",
      };
      for (const [k, v] of Object.entries(bad)) el.setAttribute(k, v);
      document.querySelector(".post").prepend(el);
    });
    await ready(page, ["bad"]);
    const s = await snap(page, "bad");
    assert.equal(s.n, 4);
    assert.equal(s.seed, 1);
    assert.deepEqual(s.replicas.map((r) => r.name), ["R0", "R1", "R2", "R3"]);
    assert.deepEqual(await page.evaluate(() => document.getElementById("bad").simulation.actions()), []);
    const notices = (await shadowText(page, "bad", ".notice")).join("\n");
    for (const param of ["n", "seed", "preset", "names", "controls", "theme", "speed", "height", "lang", "t"]) {
      assert.match(notices, new RegExp(`“${param}”`), `a notice for ${param}`);
    }
    assert.match(notices, /<img src=x onerror=alert\(1\)>/, "the bad value is shown as text");
    assert.match(notices, /recorded actions could not be replayed/);
    const injected = await page.evaluate(() => document.getElementById("bad").shadowRoot.querySelectorAll("img, b").length);
    assert.equal(injected, 0);
    assert.equal(await page.evaluate(() => document.getElementById("bad").shadowRoot.querySelector(".app").dataset.controls), "full");

    // attributeChangedCallback: a new preset, n, language, controls and theme.
    await page.evaluate(() => document.getElementById("bad").setAttribute("preset", "normal"));
    await eventually(async () => (await page.evaluate(() => document.getElementById("bad").simulation.actions())).length === 2, { message: "the normal preset" });
    await page.evaluate(() => document.getElementById("bad").setAttribute("n", "7"));
    await eventually(async () => (await snap(page, "bad")).n === 7, { message: "n = 7" });
    await page.evaluate(() => document.getElementById("bad").setAttribute("lang", "zh-CN"));
    await page.locator("#bad").getByRole("button", { name: "发送请求" }).waitFor();
    await page.evaluate(() => {
      const el = document.getElementById("bad");
      el.setAttribute("controls", "none");
      el.setAttribute("theme", "dark");
      el.setAttribute("names", "Apple, MS, Google, IBM");
    });
    const after = await page.evaluate(() => {
      const el = document.getElementById("bad");
      const root = el.shadowRoot;
      return {
        toolbar: getComputedStyle(root.querySelector(".toolbar")).display,
        theme: el.theme,
        dataTheme: root.querySelector(".app").dataset.theme,
        names: el.simulation.snapshot().replicas.map((r) => r.name),
      };
    });
    assert.equal(after.toolbar, "none");
    assert.equal(after.theme, "dark");
    assert.equal(after.dataTheme, "dark");
    assert.deepEqual(after.names, ["Apple", "MS", "Google", "IBM", "R4", "R5", "R6"]);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("without autoplay an element waits at t = 0 until Play or a first action", async () => {
  const p = await open(FIXTURE);
  const { page } = p;
  try {
    await ready(page, ["one"]);
    await page.evaluate(() => {
      for (const [id, preset] of [["still", "normal"], ["free", ""]]) {
        const el = document.createElement("pbft-playground");
        el.id = id;
        el.setAttribute("controls", "compact");
        if (preset) el.setAttribute("preset", preset);
        document.querySelector(".post").prepend(el);
      }
    });
    await ready(page, ["still", "free"]);
    await page.waitForTimeout(300);
    assert.equal(await now(page, "still"), 0);
    assert.equal(await page.evaluate(() => document.getElementById("still").playing), false);
    await page.locator("#still").getByRole("button", { name: "Play" }).click();
    await eventually(async () => (await now(page, "still")) > 0, { message: "Play starts it" });
    // Free play: sending a request is enough.
    await page.locator("#free").getByRole("button", { name: "Send request" }).click();
    await eventually(async () => (await now(page, "free")) > 0, { message: "a request starts it" });
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("a good citizen: no time passes while scrolled out of view or in a hidden tab", async () => {
  const p = await open(FIXTURE, { viewport: { width: 1280, height: 800 } });
  const { page } = p;
  try {
    await ready(page, ["one"]);
    await page.evaluate(() => (document.getElementById("one").speed = 0.07)); // keep it busy
    await eventually(async () => (await now(page, "one")) > 0, { message: "element one running" });
    // Out of view: suspended, the clock holds.
    await page.locator("#bottom").scrollIntoViewIfNeeded();
    await eventually(() => page.evaluate(() => document.getElementById("one").suspended), { message: "suspended out of view" });
    const t = await now(page, "one");
    await page.waitForTimeout(400);
    assert.equal(await now(page, "one"), t);
    // Back in view: it resumes where it was.
    await page.locator("#one").scrollIntoViewIfNeeded();
    await eventually(async () => (await now(page, "one")) > t, { message: "resumed in view" });
    assert.equal(await page.evaluate(() => document.getElementById("one").suspended), false);
    // A hidden tab (visibilitychange): suspended; visible again: resumes.
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    assert.equal(await page.evaluate(() => document.getElementById("one").suspended), true);
    const t2 = await now(page, "one");
    await page.waitForTimeout(300);
    assert.equal(await now(page, "one"), t2);
    await page.evaluate(() => {
      delete document.visibilityState;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await eventually(async () => (await now(page, "one")) > t2, { message: "resumed when visible" });
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("touch: tap a message on the ring to inspect it (phone-sized page)", async () => {
  const p = await open("www/index.html", { viewport: { width: 390, height: 844 }, contextOptions: { hasTouch: true, isMobile: true, deviceScaleFactor: 2 } });
  const { page } = p;
  try {
    await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
    await page.getByRole("button", { name: "Send request" }).tap();
    await page.getByRole("button", { name: "Pause" }).tap();
    const target = await eventually(() =>
      page.evaluate(async () => {
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const el = document.querySelector("pbft-playground");
        const m = el.messagePositions()[0];
        if (!m) return null;
        const r = el.shadowRoot.querySelector("canvas.ring").getBoundingClientRect();
        return { x: r.left + m.x, y: r.top + m.y };
      }), { message: "a message drawn on the ring" });
    // A finger is not a mouse pointer: a tap a little off the glyph still picks it.
    await page.touchscreen.tap(target.x + 9, target.y + 7);
    await eventually(async () => (await page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".inspector").hidden)) === false, {
      message: "the inspector after a tap",
    });
    const title = await page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".inspector h2").textContent);
    assert.match(title, /REQUEST/);
    // Nothing wider than the phone.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "no horizontal scrolling at 390 px");
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("scrubbing back uses the fast seek and the page's own event history: same log as a fresh replay", async () => {
  // A: the run opened at t = 5200 (a permalink: the engine advances and returns every event).
  const logOf = async (page) => {
    await page.locator("pbft-playground").getByRole("checkbox", { name: "Show every message" }).check();
    return page.evaluate(() => [...document.querySelector("pbft-playground").shadowRoot.querySelectorAll(".events li")].map((li) => li.textContent));
  };
  const a = await open("www/index.html?n=4&seed=1&preset=catch-up&t=5200");
  let expected;
  try {
    await a.page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation?.now === 5200);
    expected = await logOf(a.page);
    assert.ok(expected.length > 100);
    a.assertNoErrors();
  } finally {
    await a.close();
  }
  // B: the same preset run to its end, then scrubbed back to 5200 (fast seek, no events).
  const b = await open("www/index.html?n=4&seed=1&preset=catch-up");
  try {
    const { page } = b;
    await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
    await page.evaluate(() => {
      const el = document.querySelector("pbft-playground");
      el.speed = 100;
    });
    await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").simulation.idle), { message: "the end of the run", timeout: 20_000 });
    const end = await page.evaluate(() => document.querySelector("pbft-playground").simulation.now);
    assert.ok(end > 7000);
    const slider = page.getByRole("slider", { name: "Virtual time" });
    await eventually(async () => Number(await slider.getAttribute("max")) >= end, { message: "the timeline to reach the end" });
    await slider.fill("5200");
    await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").simulation.now === 5200), { message: "seek to 5200" });
    assert.deepEqual(await logOf(page), expected);
    // Forward again (no engine events either) and back to the end: the log has the end's lines.
    await page.getByRole("button", { name: "Live" }).click();
    await page.getByRole("button", { name: "Pause" }).click();
    await page.locator("pbft-playground").getByRole("checkbox", { name: "Show every message" }).uncheck();
    await eventually(
      () => page.evaluate(() => [...document.querySelector("pbft-playground").shadowRoot.querySelectorAll(".events li")].some((li) => li.textContent.includes("caught up to checkpoint"))),
      { message: "the state transfer in the log" },
    );
    b.assertNoErrors();
  } finally {
    await b.close();
  }
});

test("npm run build: dist/ served by a plain static server from a sub-path, strict CSP", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "pbft-dist-"));
  const site = join(tmp, "site");
  const out = join(site, "pbft-playground");
  let server;
  try {
    // The wasm was built into www/pkg by the test run's build stage (npm run build:wasm).
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "build.mjs"), "--no-wasm", "--quiet", "--out", out], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, `build failed:\n${r.stdout}\n${r.stderr}`);
    const list = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? list(join(dir, f)) : [relative(out, join(dir, f))]));
    const built = list(out).filter((f) => !/\.(gz|br)$/.test(f)).sort();
    assert.deepEqual(built, [
      "embed.css",
      "embed.html",
      "embed.js",
      "favicon.svg",
      "index.html",
      "js/explore-worker.js",
      "js/explore.js",
      "js/exports.js",
      "js/i18n-tour-zh-CN.js",
      "js/i18n-zh-CN.js",
      "js/live-panel.js",
      "js/live.js",
      "js/share-dialog.js",
      "js/stats.js",
      "js/tour.js",
      "pbft-playground.css",
      "pbft-playground.js",
      "pkg-explore/pbft_explore.js",
      "pkg-explore/pbft_explore_bg.wasm",
      "pkg/pbft_playground_bg.wasm",
      "site.js",
      "style.css",
    ]);
    server = await startServer(site, { csp: true });
    const base = server.url;

    const a = await open("pbft-playground/index.html", { base });
    try {
      await a.page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
      await a.page.getByRole("combobox", { name: "Speed" }).selectOption("8");
      await a.page.getByRole("button", { name: "Send request" }).click();
      await eventually(() => a.page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot().client.accepted.length === 1), {
        message: "a request accepted on dist/index.html",
      });
      for (const req of a.requests) assert.match(new URL(req.url).pathname, /^\/pbft-playground\//, `request outside the sub-path: ${req.url}`);
      a.assertNoErrors();
    } finally {
      await a.close();
    }

    const b = await open("pbft-playground/embed.html?preset=generals&autoplay&speed=8&lang=zh-CN", { base, viewport: { width: 360, height: 600 } });
    try {
      await b.page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
      await eventually(() => b.page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot().client.accepted.length === 1), {
        message: "the generals agree in dist/embed.html",
        timeout: 15_000,
      });
      await b.page.getByRole("button", { name: "发送请求" }).waitFor();
      const paths = b.requests.map((req) => new URL(req.url).pathname);
      assert.ok(paths.includes("/pbft-playground/js/i18n-zh-CN.js"), "the Chinese strings load on demand");
      assert.ok(!paths.some((x) => /tour/.test(x)), "the guided tour is not loaded without a tour");
      assert.equal(paths.filter((x) => x.endsWith(".wasm")).length, 1);
      assert.ok(await b.page.evaluate(() => document.documentElement.scrollWidth <= 360), "no horizontal scrolling at 360 px");
      b.assertNoErrors();
    } finally {
      await b.close();
    }

    // A chapter of the guided tour: its module and its Chinese words load on demand.
    const c = await open("pbft-playground/embed.html?tour=quorums&step=2&lang=zh-CN", { base, viewport: { width: 390, height: 700 } });
    try {
      await c.page.waitForFunction(() => document.querySelector("pbft-playground")?.shadowRoot.querySelector(".tour-title")?.textContent === "一个法定人数");
      const paths = c.requests.map((req) => new URL(req.url).pathname);
      for (const f of ["js/tour.js", "js/i18n-tour-zh-CN.js"]) assert.ok(paths.includes(`/pbft-playground/${f}`), `${f} loads with the tour`);
      c.assertNoErrors();
    } finally {
      await c.close();
    }
  } finally {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
