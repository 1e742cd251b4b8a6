// The page teaches and tells: every control has an accessible name and a description (read
// from Chromium's accessibility tree), the PBFT words are glossary terms with definitions by
// hover, tap and keyboard, Isolate is a toggle, a finished preset says so and what to try, bad
// link values are told in a notice, `t` past the end clamps, the Share dialog carries language,
// theme, heights and start time, the iframe fits a phone-wide frame, and zh-CN leaves no English.

import assert from "node:assert/strict";
import { test } from "node:test";
import { REPO_ROOT, eventually, openPage, useE2E } from "./helpers.mjs";

const e2e = useE2E({ root: REPO_ROOT, csp: true });

const EL = "document.querySelector('pbft-playground')";
const ready = (page) => page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation && !document.querySelector("pbft-playground").shadowRoot.querySelector(".app").hidden);
const shadow = (page, fn, arg) => page.evaluate(([src, a]) => new Function("root", "arg", `return (${src})(root, arg)`)(document.querySelector("pbft-playground").shadowRoot, a), [fn.toString(), arg]);

/**
 * Name and description of every visible button, input, select, textarea (and, with `options`,
 * option) of the element, as Chromium's accessibility tree computes them.
 */
async function accessibleControls(page, { options = false, scope = "" } = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Accessibility.enable");
  await cdp.send("DOM.enable");
  const { result } = await cdp.send("Runtime.evaluate", {
    expression: `[...${EL}.shadowRoot.querySelectorAll(${JSON.stringify(["button", "input", "select", "textarea", ...(options ? ["option"] : [])].map((x) => `${scope} ${x}`).join(", "))})].filter((e) => e.tagName === "OPTION" ? e.closest("select").getClientRects().length > 0 : e.getClientRects().length > 0)`,
  });
  const { result: props } = await cdp.send("Runtime.getProperties", { objectId: result.objectId, ownProperties: true });
  const out = [];
  for (const p of props) {
    if (!/^\d+$/.test(p.name)) continue;
    const { node: dom } = await cdp.send("DOM.describeNode", { objectId: p.value.objectId });
    const { nodes } = await cdp.send("Accessibility.getPartialAXTree", { objectId: p.value.objectId, fetchRelatives: true });
    const node = nodes.find((x) => x.backendDOMNodeId === dom.backendNodeId) ?? {};
    const { result: html } = await cdp.send("Runtime.callFunctionOn", { objectId: p.value.objectId, functionDeclaration: "function () { return this.outerHTML.slice(0, 120); }", returnByValue: true });
    out.push({ role: node.role?.value, name: node.name?.value ?? "", description: node.description?.value ?? "", html: html.value });
  }
  await cdp.detach();
  return out;
}

for (const lang of ["en", "zh-CN"]) {
  test(`${lang}: every control has an accessible name and a description`, async () => {
    const p = await e2e.open(`www/index.html?lang=${lang}&preset=catch-up`);
    const { page } = p;
    try {
      await ready(page);
      // Open what hides controls: a message in the inspector, the list of messages in flight, then the Share dialog.
      await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot().inFlight.length > 0), { message: "a message in flight" });
      await shadow(page, (root) => {
        root.querySelector(".inflight-list").open = true;
        root.querySelector(".glossary").open = true;
        root.querySelector(".explore-panel").open = true;
        root.querySelector(".live-panel").open = true;
      });
      // (the Explore and Live cluster panels' bodies, js/explore.js and js/live-panel.js, load when they open)
      await page.waitForFunction(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".explore-start") && document.querySelector("pbft-playground").shadowRoot.querySelector(".live-connect"));
      await eventually(() => shadow(page, (root) => root.querySelector(".inflight button.link")?.click() ?? null) .then(() => shadow(page, (root) => !root.querySelector(".inspector").hidden)), { message: "the inspector open" });
      const main = await accessibleControls(page, { options: true });
      await shadow(page, (root) => root.querySelector("button.share").click());
      await page.waitForFunction(() => document.querySelector("pbft-playground").shadowRoot.querySelector("dialog")?.open);
      const dialog = await accessibleControls(page, { scope: "dialog" });
      const all = [...main, ...dialog];
      assert.ok(all.length > 40, `${all.length} controls`);
      const kinds = new Set(all.map((c) => c.role));
      for (const role of ["button", "combobox", "textbox", "checkbox", "slider", "spinbutton"]) assert.ok(kinds.has(role), `a ${role} is checked (${[...kinds]})`);
      const unnamed = all.filter((c) => !c.name.trim());
      assert.deepEqual(unnamed, [], "controls without an accessible name");
      // Options: those of the menus whose choices mean something (scenario, delivery, behaviour) carry a description.
      const described = all.filter((c) => !/^<option/.test(c.html) || /title=/.test(c.html));
      const bare = described.filter((c) => !c.description.trim() || c.description.trim() === c.name.trim());
      assert.deepEqual(bare, [], "controls without a description of their own");
      const options = all.filter((c) => /^<option/.test(c.html));
      assert.ok(options.filter((c) => c.description).length >= 12 + 13, "scenario and behaviour options are described");
      if (lang === "zh-CN") {
        const english = all.filter((c) => /[a-z]{4,}/.test(`${c.name} ${c.description}`.replace(/PBFT|iframe|dist\/|npm run build|warTime|Ctrl|https?:\S+|key=value|retreat|Apple|Google|IBM|localhost/g, "")));
        assert.deepEqual(english.map((c) => `${c.name} | ${c.description}`), [], "English left in zh-CN names and descriptions");
      }
      p.assertNoErrors();
    } finally {
      await p.close();
    }
  });
}

test("glossary terms: a definition by hover, by keyboard focus and by tap, as the accessible description", async () => {
  const p = await e2e.open("www/index.html?preset=normal");
  const { page } = p;
  try {
    await ready(page);
    const terms = await shadow(page, (root) =>
      [...root.querySelectorAll(".term")].filter((e) => e.getClientRects().length).map((e) => {
        const def = root.getElementById(e.getAttribute("aria-describedby"));
        return { term: e.dataset.term, text: e.textContent, def: def?.textContent ?? "" };
      }),
    );
    const ids = new Set(terms.map((x) => x.term));
    for (const id of ["view", "primary", "n", "f", "quorum", "safety", "last-executed", "stable-checkpoint", "watermarks", "pre-prepare", "prepare", "commit", "reply", "view-change", "new-view", "client"]) {
      assert.ok(ids.has(id), `the page marks “${id}” (${[...ids]})`);
    }
    assert.deepEqual(terms.filter((x) => x.def.length < 20), [], "every term has a definition");
    // Hover.
    const quorum = page.locator("pbft-playground .stats .term[data-term=quorum]");
    await quorum.hover();
    const tip = () => shadow(page, (root) => { const tip = root.querySelector(".term-tip"); return tip.hidden ? null : tip.textContent; });
    assert.match((await eventually(tip, { message: "the tooltip on hover" })) ?? "", /2f \+ 1/);
    await page.mouse.move(2, 2);
    await eventually(async () => (await tip()) === null, { message: "the tooltip hides when the pointer leaves" });
    // Keyboard: Tab reaches a term, its definition shows, Escape hides it.
    await page.locator("pbft-playground .stats .term[data-term=view]").focus();
    assert.match((await tip()) ?? "", /primary/);
    await page.keyboard.press("Escape");
    assert.equal(await tip(), null);
    // The accessible description, from the accessibility tree.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Accessibility.enable");
    await cdp.send("DOM.enable");
    const { result } = await cdp.send("Runtime.evaluate", { expression: `${EL}.shadowRoot.querySelector(".stats .term[data-term=f]")` });
    const { node: dom } = await cdp.send("DOM.describeNode", { objectId: result.objectId });
    const { nodes } = await cdp.send("Accessibility.getPartialAXTree", { objectId: result.objectId, fetchRelatives: true });
    assert.match(nodes.find((x) => x.backendDOMNodeId === dom.backendNodeId)?.description?.value ?? "", /faulty/);
    await cdp.detach();
    // The glossary panel lists every term.
    const listed = await shadow(page, (root) => root.querySelectorAll(".glossary dt").length);
    assert.ok(listed >= 35, `${listed} terms in the glossary`);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("tap a term on a phone: its definition stays until the next tap", async () => {
  const p = await openPage(e2e.browser, { viewport: { width: 390, height: 844 }, contextOptions: { hasTouch: true, isMobile: true } });
  const { page } = p;
  try {
    await p.goto(new URL("www/index.html?lang=zh-CN", e2e.url).href);
    await ready(page);
    const term = page.locator("pbft-playground .stats .term[data-term=primary]");
    await term.scrollIntoViewIfNeeded();
    await term.tap();
    const tip = () => shadow(page, (root) => { const tip = root.querySelector(".term-tip"); return tip.hidden ? null : { text: tip.textContent, box: tip.getBoundingClientRect().toJSON() }; });
    const shown = await eventually(tip, { message: "the definition after a tap" });
    assert.match(shown.text, /主节点/);
    assert.ok(shown.box.left >= 0 && shown.box.right <= 390, `the tooltip fits the phone (${JSON.stringify(shown.box)})`);
    await page.locator("pbft-playground .caption").tap();
    await eventually(async () => (await tip()) === null, { message: "the definition goes with a tap elsewhere" });
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("Isolate is a toggle: pressed, and its label is the way back", async () => {
  const p = await e2e.open("www/index.html");
  const { page } = p;
  try {
    await ready(page);
    const button = page.locator("pbft-playground").getByRole("button", { name: "Isolate R3 from the network" });
    await button.click();
    const back = page.locator("pbft-playground").getByRole("button", { name: "Reconnect R3 to the network" });
    await eventually(async () => (await back.count()) === 1, { message: "the undo label" });
    assert.equal(await back.getAttribute("aria-pressed"), "true");
    assert.equal((await back.textContent()).trim(), "Reconnect");
    assert.ok((await page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot().partition[3])) !== 0);
    await back.click();
    await eventually(async () => (await button.count()) === 1 && (await button.getAttribute("aria-pressed")) === "false", { message: "back to Isolate" });
    assert.equal(await page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot().partition[3]), 0);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

for (const [lang, done, next] of [["en", "Done.", "Now try"], ["zh-CN", "完成。", "接下来试试"]]) {
  test(`${lang}: a preset played to its end says so, and what to try next`, async () => {
    const p = await e2e.open(`www/index.html?lang=${lang}&preset=backup-crash`);
    const { page } = p;
    try {
      await ready(page);
      await page.evaluate(() => (document.querySelector("pbft-playground").speed = 8));
      const text = () => shadow(page, (root) => { const d = root.querySelector(".preset-done"); return d.hidden ? null : d.textContent; });
      assert.equal(await text(), null, "not done at the start");
      const said = await eventually(text, { message: "the done sign", timeout: 20_000 });
      assert.ok(said.includes(done) && said.includes(next), said);
      p.assertNoErrors();
    } finally {
      await p.close();
    }
  });
}

test("bad link values each get a notice, as text; t past the end of the run clamps to its end", async () => {
  const p = await e2e.open("www/index.html?n=99&speed=999&loss=2&lang=fr&theme=%3Cb%3Ex&zoom=3");
  const { page } = p;
  try {
    await ready(page);
    const notices = (await shadow(page, (root) => [...root.querySelectorAll(".notice")].map((n) => n.textContent))).join("\n");
    for (const param of ["n", "speed", "loss", "lang", "theme"]) assert.match(notices, new RegExp(`“${param}”`), `a notice for ${param}: ${notices}`);
    assert.match(notices, /“zoom”/, "an unknown parameter is told");
    assert.match(notices, /<b>x/, "values shown as text");
    for (const param of ["lang", "speed", "theme"]) assert.match(notices, new RegExp(`The link’s “${param}” value`), `the link's ${param}, not an attribute: ${notices}`);
    assert.equal(await page.evaluate(() => document.querySelector("pbft-playground").speed), 0.07);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
  const q = await e2e.open("www/index.html?preset=normal&t=86400000");
  try {
    await ready(q.page);
    const info = await q.page.evaluate(() => {
      const el = document.querySelector("pbft-playground");
      const done = el.shadowRoot.querySelector(".preset-done");
      return {
        now: el.simulation.now,
        idle: el.simulation.idle,
        done: done && !done.hidden ? done.textContent : "",
        caption: el.shadowRoot.querySelector(".caption")?.textContent ?? "",
        notices: [...el.shadowRoot.querySelectorAll(".notice")].map((n) => n.textContent).join("\n"),
      };
    });
    assert.ok(info.now > 0 && info.now < 60_000, `clamped to the end of the run (${info.now})`);
    assert.match(info.notices, /past the end/);
    // The end the page itself reaches by playing: idle, and the scenario's Done shown.
    assert.ok(info.idle, "the run is idle there");
    assert.match(info.done, /Done\./, `the Done line shows: ${JSON.stringify(info.done)}`);
    // Opened at a time, the caption tells the latest milestone, as after a seek.
    assert.match(info.caption, /accept|commit|execut/i, `the caption: ${JSON.stringify(info.caption)}`);
    q.assertNoErrors();
  } finally {
    await q.close();
  }
});

test("embed.html: bad values of its parameters each get a notice", async () => {
  const p = await e2e.open("www/embed.html?n=99&speed=999&loss=2&lang=fr&theme=neon&height=5&t=soon&zoom=2");
  const { page } = p;
  try {
    await ready(page);
    const notices = (await shadow(page, (root) => [...root.querySelectorAll(".notice")].map((n) => n.textContent))).join("\n");
    for (const param of ["n", "speed", "loss", "lang", "theme", "height", "t", "zoom"]) assert.match(notices, new RegExp(`“${param}”`), `a notice for ${param}: ${notices}`);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("an empty operation is refused in the page's language", async () => {
  const p = await e2e.open("www/index.html?lang=zh-CN");
  const { page } = p;
  try {
    await ready(page);
    await page.locator("pbft-playground input.op").fill("  ");
    await page.locator("pbft-playground button.send").click();
    const notices = await shadow(page, (root) => [...root.querySelectorAll(".notice")].map((n) => n.textContent).join("\n"));
    assert.match(notices, /请求内容为空/);
    assert.doesNotMatch(notices, /empty/);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("Share: language, theme, heights and start time go into the link and both snippets", async () => {
  const p = await e2e.open("www/index.html?preset=normal");
  const { page } = p;
  try {
    await ready(page);
    await page.evaluate(() => (document.querySelector("pbft-playground").speed = 8));
    await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").simulation.now > 500), { message: "time passes" });
    await page.locator("pbft-playground button.share").click();
    const dialog = page.locator("pbft-playground dialog");
    await dialog.getByRole("combobox", { name: "Language" }).selectOption("zh-CN");
    await dialog.getByRole("combobox", { name: "Theme" }).selectOption("dark");
    await dialog.getByRole("combobox", { name: "View height (script)" }).selectOption("420");
    await dialog.getByRole("spinbutton", { name: "iframe height (px)" }).fill("640");
    await dialog.getByRole("spinbutton", { name: "iframe height (px)" }).dispatchEvent("change");
    await dialog.locator("label.check", { hasText: "Open paused" }).locator("input").check();
    await dialog.getByRole("spinbutton", { name: "Start at (ms)" }).fill("300");
    await dialog.getByRole("spinbutton", { name: "Start at (ms)" }).dispatchEvent("change");
    const [link, iframe, script] = await shadow(page, (root) => [...root.querySelectorAll(".share-field")].map((f) => f.value));
    assert.match(link, /[?&]lang=zh-CN/);
    assert.match(link, /[?&]theme=dark/);
    assert.match(link, /[?&]t=300(&|$)/, "the link opens at the moment chosen too");
    assert.match(iframe, /lang=zh-CN/);
    assert.match(iframe, /theme=dark/);
    assert.match(iframe, /[?&;]t=300&/);
    assert.match(iframe, /height="640"/);
    assert.match(script, / lang="zh-CN"/);
    assert.match(script, / theme="dark"/);
    assert.match(script, / height="420"/);
    assert.match(script, / t="300"/);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

for (const lang of ["en", "zh-CN"]) {
  test(`${lang}: the iframe embed fits a 390 px wide, 600 px high frame: its last line is shown`, async () => {
    const p = await openPage(e2e.browser, { viewport: { width: 390, height: 844 } });
    const { page } = p;
    try {
      await p.goto(new URL(`e2e/fixtures/phone-embed${lang === "en" ? "" : "-zh"}.html`, e2e.url).href);
      await page.waitForFunction((l) => {
        const doc = document.getElementById("frame").contentDocument;
        const el = doc?.querySelector("pbft-playground");
        return doc.location.href.includes(l === "en" ? "embed.html" : "zh-CN") && el?.simulation && !el.shadowRoot.querySelector(".app").hidden;
      }, lang);
      const frame = page.frames().find((f) => f.url().includes("/www/embed.html"));
      // Let a request run, so the caption and the panels hold text.
      await eventually(() => frame.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot().client.accepted.length >= 1), { message: "a request accepted", timeout: 15_000 });
      const fit = await frame.evaluate(() => {
        const app = document.querySelector("pbft-playground").shadowRoot.querySelector(".app");
        const shown = [...app.children].filter((e) => e.getClientRects().length && getComputedStyle(e).position !== "absolute" && e.tagName !== "DIALOG");
        const bottom = Math.max(...shown.map((e) => e.getBoundingClientRect().bottom));
        return { bottom, height: innerHeight, scroll: document.documentElement.scrollHeight, appScroll: app.scrollHeight, appClient: app.clientHeight };
      });
      assert.ok(fit.bottom <= fit.height + 0.5, `the last line is inside the frame (${JSON.stringify(fit)})`);
      assert.ok(fit.appScroll <= fit.appClient + 1, `nothing to scroll inside the frame (${JSON.stringify(fit)})`);
      assert.ok(fit.scroll <= fit.height + 1, `the page of the frame does not scroll (${JSON.stringify(fit)})`);
      p.assertNoErrors();
    } finally {
      await p.close();
    }
  });
}

test("zh-CN: no English left in the page's words", async () => {
  const p = await e2e.open("www/index.html?lang=zh-CN&preset=equivocation");
  const { page } = p;
  try {
    await ready(page);
    await page.evaluate(() => (document.querySelector("pbft-playground").speed = 8));
    await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot().client.accepted.length >= 1), { message: "the run plays", timeout: 20_000 });
    await page.evaluate(() => (document.querySelector("pbft-playground").playing = false));
    await shadow(page, (root) => (root.querySelector(".glossary").open = true));
    const text = await shadow(page, (root) => {
      const out = [];
      const walk = (node) => {
        for (const c of node.childNodes) {
          if (c.nodeType === 3) out.push(c.textContent);
          else if (c.nodeType === 1 && !["STYLE", "SCRIPT", "CODE", "PRE", "TEXTAREA", "TIME"].includes(c.tagName) && !c.classList.contains("op") && !c.classList.contains("events")) {
            for (const a of ["title", "aria-label", "placeholder"]) if (c.getAttribute(a)) out.push(c.getAttribute(a));
            walk(c);
          }
        }
      };
      walk(root.querySelector(".app"));
      return out.join("\n");
    });
    // Protocol message names, the paper's symbols and operations (and file formats) stay as they are.
    const allowed = /Apple|Google|IBM|retreat|PBFT|JSON|PRE-PREPARE|PREPARE|COMMIT|REPLY|REQUEST|CHECKPOINT|VIEW-CHANGE|NEW-VIEW|FETCH-STATE|STATE|warTime|English|iframe|https?:\S+|dist\/|npm run build|Ctrl|key=value|pbft-node|README|localhost|\/events|\/req|--data-dir|--cors-origin|kill/g;
    const words = [...new Set(text.replace(allowed, "").match(/[A-Za-z]{4,}/g) ?? [])];
    assert.deepEqual(words, [], "English words in the zh-CN page");
    for (const bad of ["宕机", "已崩溃"]) assert.ok(!text.includes(bad), `one word for crash: ${bad} found`);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});
