#!/usr/bin/env node
// The explorer from the command line, with the page's own engine build (www/pkg-explore): every
// order in which the network can deliver what is in flight at an instant of a preset's run, and,
// when a property breaks, the counterexample as a trace and as a permalink that the page replays
// (it opens paused at the violation; Step or the timeline goes through it).
//
//   npm run build:wasm && node scripts/counterexample.mjs [preset] [--at MS] [--timers K] [--drops K] [--states N]
//   node scripts/counterexample.mjs naive-quorum          # the split, in 7 deliveries
//
// Prints the states searched and, for a violation, its steps and `index.html?...` to open.

import { readFileSync } from "node:fs";
import { initSync, Explorer, Simulation } from "../www/pkg-explore/pbft_explore.js";
import { permalinkSearch } from "../www/js/permalink.js";

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const preset = args.find((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--"))) ?? "naive-quorum";
const bounds = { at: opt("--at", 0), timers: opt("--timers", 0), drops: opt("--drops", 0), states: opt("--states", 1_000_000) };

initSync({ module: readFileSync(new URL("../www/pkg-explore/pbft_explore_bg.wasm", import.meta.url)) });

/** The search, and the permalink of its counterexample (null when nothing broke). */
export function counterexample(preset, bounds) {
  const ex = new Explorer({ preset }, bounds);
  while (!ex.run(10_000));
  const progress = ex.progress();
  const found = ex.counterexample();
  ex.free();
  if (!found) return { progress, found: null, search: null };
  const base = new Simulation({ preset });
  const baseActions = base.actions();
  base.free();
  const actions = [...baseActions.filter((a) => a.at <= bounds.at), ...found.actions];
  const search = permalinkSearch({ n: 4, seed: 1, preset, actions, baseActions, t: found.actions.at(-1).at });
  return { progress, found, search };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { progress: p, found, search } = counterexample(preset, bounds);
  console.log(`${preset} from ${bounds.at} ms: ${p.states} states, longest path ${p.maxDepth}, ${(p.elapsedMs / 1000).toFixed(2)} s${p.complete ? ", complete" : ""}`);
  if (!found) {
    console.log("no violation");
  } else {
    console.log(`violation: ${JSON.stringify(found.violation)}`);
    found.trace.forEach((line, i) => console.log(`  ${String(i + 1).padStart(2)}. ${line}`));
    console.log(`permalink: index.html${search}`);
  }
}
