// The guided tour on the built engine (www/pkg): every chapter's milestones come in its run, in
// order, as js/tour.js looks for them (instant by instant, fed to the quorum tracker), and every
// step's words are filled in both languages with what the milestone matched.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { namer } from "../../www/js/describe.js";
import { addTable } from "../../www/js/i18n.js";
import tourEn from "../../www/js/i18n-tour.js";
import tourZh from "../../www/js/i18n-tour-zh-CN.js";
import { runOptions } from "../../www/js/run.js";
import { CHAPTERS } from "../../www/js/tour-chapters.js";
import { QuorumTracker } from "../../www/js/tour-logic.js";
import { translators } from "./helpers.mjs";

const PKG = new URL("../../www/pkg/", import.meta.url);
const { initSync, Simulation } = await import(new URL("pbft_playground.js", PKG).href);
initSync({ module: readFileSync(fileURLToPath(new URL("pbft_playground_bg.wasm", PKG))) });
addTable("en", tourEn);
addTable("zh-CN", tourZh);
const T = await translators();

const MAX_MS = 60_000; // as js/tour.js: a milestone comes within this much virtual time

/** Words of a step (its vars: { node } and { nodes } become names), as js/tour.js makes them. */
function words(t, key, raw, name, n) {
  const f = Math.floor((n - 1) / 3);
  const vars = { n, f, q: 2 * f + 1 };
  for (const [k, v] of Object.entries(raw)) vars[k] = v && typeof v === "object" && "node" in v ? name(v.node) : v && typeof v === "object" && "nodes" in v ? v.nodes.map(name).join(t("tour.and")) : v;
  return t(key, vars);
}

for (const chapter of CHAPTERS) {
  test(`tour chapter ${chapter.id}: every milestone comes in the engine's run, in order`, () => {
    let sim = null;
    let tracker = null;
    for (const step of chapter.steps) {
      if (step.run) {
        sim?.free();
        sim = new Simulation(runOptions({ n: 4, seed: 1, ...step.run }));
        tracker = new QuorumTracker();
      }
      if (step.until === "now") continue;
      const end = sim.now + MAX_MS;
      let hit = null;
      while (!hit && sim.now < end) {
        const events = sim.step();
        for (const e of events) {
          tracker.feed(e);
          hit ??= step.until(e, { tracker, n: sim.n });
        }
        if (events.length === 0 && sim.idle) break;
      }
      assert.ok(hit, `${chapter.id}.${step.id}: the milestone came (at ${sim.now} ms)`);
      const name = namer(sim.snapshot(0), T.en);
      for (const t of Object.values(T)) {
        for (const part of ["title", "text", ...(step.q ? ["q", "a", ...Array.from({ length: step.q[0] }, (_, i) => `c${i + 1}`)] : [])]) {
          const s = words(t, `tour.${chapter.id}.${step.id}.${part}`, step.vars ? step.vars(hit) : {}, name, sim.n);
          assert.doesNotMatch(s, /\{\w+\}/, `${t.lang} tour.${chapter.id}.${step.id}.${part}: every placeholder filled: ${s}`);
        }
      }
      if (step.focus) {
        const spec = step.focus(hit, { tracker });
        for (const id of [...(spec.nodes ?? []), ...(spec.quorums ?? []).flat(), ...(spec.honest ?? [])]) assert.ok(id >= -1 && id < sim.n, `${chapter.id}.${step.id}: node ${id}`);
      }
    }
    sim?.free();
  });
}

test("tour: the naive-quorum run of the generals chapter breaks agreement, the real protocol's runs never do", () => {
  for (const chapter of CHAPTERS) {
    for (const step of chapter.steps.filter((s) => s.run)) {
      const sim = new Simulation(runOptions({ n: 4, seed: 1, ...step.run }));
      sim.advance(15_000);
      assert.equal(sim.snapshot(0).violations.length > 0, step.run.preset === "naive-quorum", `${chapter.id}.${step.id}`);
      sim.free();
    }
  }
});
