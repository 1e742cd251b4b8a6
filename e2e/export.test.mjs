// Exports from the Share dialog: the diagram as SVG (it parses, names the kinds it shows, both
// themes), the ring as PNG, the run as JSON (its actions replay in a fresh Simulation to the same
// events), the sequence diagram (one arrow per message in range); a file is downloaded by a click.
// The message statistics equal counts of the run's events; after a seek back the caption tells
// the past (forking and Undo: e2e/fork.test.mjs).

import assert from "node:assert/strict";
import { test } from "node:test";
import { REPO_ROOT, eventually, useE2E } from "./helpers.mjs";

const e2e = useE2E({ root: REPO_ROOT, csp: true });
const ready = (page) => page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation && !document.querySelector("pbft-playground").shadowRoot.querySelector(".app").hidden);
const idle = (page) => eventually(() => page.evaluate(() => document.querySelector("pbft-playground").simulation.idle && document.querySelector("pbft-playground").simulation.now > 0), { message: "the run idle" });
/** Opens the normal preset (in `lang`, else the default) and plays it to its end at speed 50. */
async function openPlayed(lang = null) {
  const p = await e2e.open(`www/index.html?${lang ? `lang=${lang}&` : ""}preset=normal`);
  await ready(p.page);
  await p.page.evaluate(() => (document.querySelector("pbft-playground").speed = 50));
  await idle(p.page);
  return p;
}

for (const lang of ["en", "zh-CN"]) {
  test(`${lang}: SVG, Mermaid and JSON exports`, async () => {
    const p = await openPlayed(lang);
    const { page } = p;
    try {
      const out = await page.evaluate(async () => {
        const el = document.querySelector("pbft-playground");
        const res = {};
        for (const theme of ["light", "dark"]) {
          const svg = await el.exportRun("svg", { from: 0, to: 800, theme });
          const doc = new DOMParser().parseFromString(svg.text, "image/svg+xml");
          res[theme] = {
            root: doc.documentElement.nodeName,
            error: doc.querySelector("parsererror") !== null,
            texts: [...doc.querySelectorAll("text")].map((x) => x.textContent),
            groups: [...doc.querySelectorAll("g.messages")].map((g) => g.dataset.kind),
            lines: doc.querySelectorAll("g.messages > line").length,
            paper: doc.querySelector("rect").getAttribute("fill"),
            kinds: svg.kinds,
            count: svg.count,
            name: svg.name,
          };
        }
        const mm = await el.exportRun("mermaid", { from: 0, to: 800 });
        const json = await el.exportRun("json");
        // The JSON's actions replayed in a fresh Simulation give the same events.
        const { Simulation } = await import("/www/pkg/pbft_playground.js");
        const run = JSON.parse(json.text);
        const sim = new Simulation(run.options);
        const again = sim.advance(run.until);
        sim.free();
        // Messages sent in [0, 800], counted from the replayed events.
        const inRange = again.filter((e) => e.type === "sent" && e.time <= 800).length;
        return { res, mm, run: { format: run.format, version: run.version, n: run.config.n, events: run.events.length, actions: run.options.actions.length }, same: JSON.stringify(again) === JSON.stringify(run.events), inRange };
      });
      for (const theme of ["light", "dark"]) {
        const r = out.res[theme];
        assert.equal(r.root, "svg");
        assert.equal(r.error, false, "the SVG parses");
        assert.ok(r.kinds.includes("pre-prepare") && r.kinds.includes("commit"), `${r.kinds}`);
        assert.deepEqual(r.groups, r.kinds, "a group per kind shown");
        assert.equal(r.lines, out.inRange, "one line per message in range");
        assert.equal(r.count, out.inRange);
        assert.match(r.name, /^pbft-n4-seed\d+-normal-0-800ms\.svg$/);
      }
      assert.notEqual(out.res.light.paper, out.res.dark.paper, "light and dark differ");
      // The legend names every kind shown, in the page's language (band.<kind>).
      const words = lang === "en" ? { "pre-prepare": "pre-prepare", commit: "commit" } : null;
      if (words) for (const w of Object.values(words)) assert.ok(out.res.light.texts.includes(w), `legend names ${w}`);
      else assert.ok(out.res.light.texts.some((x) => /[\u4e00-\u9fff]/.test(x)), "Chinese text in the zh-CN SVG");
      const arrows = out.mm.text.split("\n").filter((l) => /^\s+\S+(->>|-x)\S+:/.test(l));
      assert.ok(out.mm.text.startsWith("sequenceDiagram\n"));
      assert.equal(arrows.length, out.inRange, "one arrow per message in range");
      assert.equal(out.mm.arrows, out.inRange);
      for (const id of ["client", "R0", "R1", "R2", "R3"]) assert.match(out.mm.text, new RegExp(`participant ${id}\\b`));
      assert.equal(out.run.format, "pbft-playground-run");
      assert.equal(out.run.version, 1);
      assert.equal(out.run.n, 4);
      assert.ok(out.run.events > 20 && out.run.actions > 0);
      assert.equal(out.same, true, "the JSON's actions replay to the same events");
      p.assertNoErrors();
    } finally {
      await p.close();
    }
  });
}

test("the Share dialog's buttons download the files; the ring as a PNG", async () => {
  const p = await openPlayed();
  const { page } = p;
  try {
    await page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector("button.share").click());
    await page.waitForFunction(() => document.querySelector("pbft-playground").shadowRoot.querySelector("dialog")?.open);
    const names = [];
    for (const kind of ["svg", "png", "json", "mermaid"]) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.evaluate((k) => document.querySelector("pbft-playground").shadowRoot.querySelector(`button[data-export="${k}"]`).click(), kind)]);
      names.push(download.suggestedFilename());
    }
    assert.match(names[0], /\.svg$/);
    assert.match(names[1], /\.png$/);
    assert.match(names[2], /\.json$/);
    assert.match(names[3], /\.mmd$/);
    const png = await page.evaluate(async () => {
      const out = await document.querySelector("pbft-playground").exportRun("png");
      const bmp = await createImageBitmap(out.blob);
      return { type: out.blob.type, w: bmp.width, h: bmp.height };
    });
    assert.equal(png.type, "image/png");
    assert.ok(png.w >= 640 && png.h >= 640, `${png.w}×${png.h}`);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

for (const lang of ["en", "zh-CN"]) {
  test(`${lang}: the message statistics equal counts of the run's events; growth with n from real runs`, async () => {
    const p = await openPlayed(lang);
    const { page } = p;
    try {
      await page.evaluate(() => (document.querySelector("pbft-playground").shadowRoot.querySelector(".stats-panel").open = true));
      await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".stats-table tbody tr") !== null), { message: "the statistics shown" });
      const out = await page.evaluate(async () => {
        const el = document.querySelector("pbft-playground");
        const root = el.shadowRoot;
        const shown = Object.fromEntries([...root.querySelectorAll(".stats-table:not(.growth) tbody tr")].map((tr) => [tr.dataset.kind, Number(tr.querySelector(".count").textContent)]));
        const total = Number(root.querySelector(".stats-table tfoot .total .count").textContent);
        const accepted = Number(root.querySelector(".stats-table tfoot .accepted").textContent);
        const growth = [...root.querySelectorAll(".stats-table.growth tbody tr")].map((tr) => ({ n: Number(tr.dataset.n), prepare: Number(tr.querySelector(".prepare").textContent), commit: Number(tr.querySelector(".commit").textContent) }));
        // The run's events, replayed from its JSON export.
        const run = JSON.parse((await el.exportRun("json")).text);
        const counts = {};
        for (const e of run.events) if (e.type === "sent") counts[e.kind] = (counts[e.kind] ?? 0) + 1;
        const chart = root.querySelector(".stats-chart");
        return { shown, total, accepted, growth, counts, acceptedEvents: run.events.filter((e) => e.type === "accepted").length, sent: run.events.filter((e) => e.type === "sent").length, chart: { label: chart.getAttribute("aria-label"), describedBy: root.getElementById(chart.getAttribute("aria-describedby"))?.tagName } };
      });
      assert.deepEqual(out.shown, out.counts, "per kind");
      assert.equal(out.total, out.sent, "in total");
      assert.equal(out.accepted, out.acceptedEvents);
      assert.ok(out.accepted >= 2);
      assert.deepEqual(out.growth.map((g) => g.n), [4, 7, 10, 13, 16]);
      // One request with every replica honest: the paper's (n − 1)² PREPAREs and n(n − 1) COMMITs.
      for (const g of out.growth) {
        assert.equal(g.prepare, (g.n - 1) ** 2, `prepare at n = ${g.n}`);
        assert.equal(g.commit, g.n * (g.n - 1), `commit at n = ${g.n}`);
      }
      assert.ok(out.chart.label.length > 5);
      assert.equal(out.chart.describedBy, "TABLE", "the chart is described by its table");
      p.assertNoErrors();
    } finally {
      await p.close();
    }
  });
}

for (const lang of ["en", "zh-CN"]) {
  test(`${lang}: after scrubbing back, the caption tells the last milestone at or before that instant, not the future`, async () => {
    const p = await openPlayed(lang);
    const { page } = p;
    try {
      await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".caption").textContent !== ""), { message: "a caption" });
      await page.evaluate(() => {
        const scrub = document.querySelector("pbft-playground").shadowRoot.querySelector("input[type=range]");
        scrub.value = "300";
        scrub.dispatchEvent(new Event("input"));
      });
      await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").simulation.now === 300), { message: "scrubbed back" });
      const out = await eventually(() => page.evaluate(async (lang) => {
        const el = document.querySelector("pbft-playground");
        const caption = el.shadowRoot.querySelector(".caption").textContent;
        const { narration, namer } = await import("/www/js/describe.js");
        const { translator, loadLanguage } = await import("/www/js/i18n.js");
        await loadLanguage(lang);
        const t = translator(lang);
        const name = namer(el.simulation.snapshot(), t);
        const events = JSON.parse((await el.exportRun("json")).text).events;
        const said = (list) => list.map((e) => narration(e, t, name, 4)).filter((x) => x !== null && !/^(sent|delivered)/.test(x.kind)).map((x) => x.text);
        const past = said(events.filter((e) => e.time <= 300));
        const future = said(events.filter((e) => e.time > 300)).filter((x) => !past.includes(x));
        return past.includes(caption) ? { caption, past, future, last: past.at(-1) } : null;
      }, lang), { message: "the caption tells the past" });
      assert.ok(out.future.length > 0);
      assert.ok(!out.future.includes(out.caption), "the caption does not narrate the future");
      p.assertNoErrors();
    } finally {
      await p.close();
    }
  });
}

test("exportRun: wrong arguments are refused with an Error naming the argument; right ones still export", async () => {
  const p = await openPlayed();
  const { page } = p;
  try {
    const said = await page.evaluate(async () => {
      const el = document.querySelector("pbft-playground");
      const bad = [
        ["kind", [42]],
        ["kind", ["pdf"]],
        ["kind", [null]],
        ["choice", ["svg", 5]],
        ["choice", ["svg", [1, 2]]],
        ["from", ["svg", { from: "x" }]],
        ["from", ["svg", { from: -1 }]],
        ["from", ["svg", { from: NaN }]],
        ["to", ["mermaid", { to: Infinity }]],
        ["to", ["mermaid", { to: {} }]],
        ["theme", ["svg", { theme: "blue" }]],
        ["download", ["json", { download: "yes" }]],
      ];
      const out = [];
      for (const [what, args] of bad) {
        try {
          await el.exportRun(...args);
          out.push({ what, message: null });
        } catch (e) {
          out.push({ what, message: e.message, error: e instanceof Error });
        }
      }
      const ok = await el.exportRun("mermaid", { from: 0, to: null });
      return { out, ok: ok.text.startsWith("sequenceDiagram") };
    });
    for (const { what, message, error } of said.out) {
      assert.ok(message, `${what}: refused`);
      assert.ok(error, `${what}: an Error`);
      assert.match(message, new RegExp(`^exportRun: ${what === "choice" ? "the choice" : what} must be `), `${what}: named (${message})`);
    }
    assert.ok(said.ok, "a right call still exports");
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});
