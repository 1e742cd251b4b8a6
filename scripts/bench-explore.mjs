#!/usr/bin/env node
// The explorer's speed in wasm (BENCHMARKS.md, "The explorer"): the page's worker build
// (www/pkg-explore) through its Explorer class, on the searches of the native table.
//
//   npm run build:wasm && node scripts/bench-explore.mjs
//
// Prints distinct states, states generated, seconds and distinct states per second for each.

import { readFileSync } from "node:fs";
import { initSync, Explorer } from "../www/pkg-explore/pbft_explore.js";

initSync({ module: readFileSync(new URL("../www/pkg-explore/pbft_explore_bg.wasm", import.meta.url)) });

function bench(label, options, bounds) {
  const ex = new Explorer(options, bounds);
  const start = performance.now();
  while (!ex.run(10_000));
  const secs = (performance.now() - start) / 1000;
  const p = ex.progress();
  ex.free();
  console.log(`${label.padEnd(34)} ${String(p.states).padStart(8)} states ${String(p.generated).padStart(9)} generated ${secs.toFixed(2).padStart(7)} s ${String(Math.round(p.states / secs)).padStart(7)} states/s${p.complete ? ", complete" : ""}`);
}

bench("naive-quorum", { preset: "naive-quorum" }, {});
bench("backup-crash", { preset: "backup-crash" }, {});
bench("backup-crash, 1 drop", { preset: "backup-crash" }, { drops: 1 });
bench("backup-crash, 1 timer", { preset: "backup-crash" }, { timers: 1 });
bench("primary-crash, 2 timers", { preset: "primary-crash" }, { timers: 2 });
bench("equivocation, 200,000 states", { preset: "equivocation" }, { states: 200_000 });
// K requests run to their end (about 480 virtual ms each), then the search starts at the next one.
for (const k of [0, 100, 1000, 4000]) {
  const at = 500 * k + 10_000;
  const actions = Array.from({ length: k }, (_, i) => ({ at: 0, type: "request", op: `k${i}=${i}` }));
  actions.push({ at, type: "request", op: "x=1" });
  bench(`normal, after ${k} requests`, { preset: "normal", actions }, { at, states: 20_000 });
}
