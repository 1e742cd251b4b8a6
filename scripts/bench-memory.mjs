#!/usr/bin/env node
// Memory and time of a long run through the JS API, as BENCHMARKS.md reports it:
//
//   npm run build:wasm && node scripts/bench-memory.mjs [requests] [keys] [n]
//   PKG=/tmp/other-pkg node scripts/bench-memory.mjs ...   # another build of the engine
//
// The built engine (www/pkg) in Node: `new Simulation({ n, clients: 4 })` (n = 4 by default), writes
// `k<i % keys>=<i>` (keys 16 by default; 0: every write a new key) submitted 500 at a time (100 at n >= 10)
// with `runUntilIdle` after each batch, its events turned into JS objects as the page gets
// them. Prints the wasm memory (`memory.buffer.byteLength`: it only grows, so it is the peak),
// the requests accepted and accepted requests per CPU-second of the batch, about twenty times
// in a run, then the whole run's rate and the events per request.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PKG = process.env.PKG ? pathToFileURL(`${resolve(process.env.PKG)}/`) : new URL("../www/pkg/", import.meta.url);
const { initSync, Simulation } = await import(new URL("pbft_playground.js", PKG).href);
const wasm = initSync({ module: readFileSync(fileURLToPath(new URL("pbft_playground_bg.wasm", PKG))) });

const total = Number(process.argv[2] ?? 16000);
const keys = Number(process.argv[3] ?? 16);
const n = Number(process.argv[4] ?? 4);
const sim = new Simulation({ n, clients: 4 });
// A call runs at most 500,000 events of new run: at n = 16 a request makes about 1,200.
const BATCH = n >= 10 ? 100 : 500;
const every = Math.max(BATCH, Math.ceil(total / 20 / BATCH) * BATCH);
const mib = (b) => (b / 1024 / 1024).toFixed(1);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

console.log("requests  accepted  wasm MiB  CPU s  accepted/CPU-s (since the line before)");
const start = cpu();
let done = 0;
let accepted = 0;
let events = 0;
let since = cpu();
let sinceAccepted = 0;
while (done < total) {
  const batch = Math.min(done + BATCH, total);
  for (let i = done; i < batch; i++) sim.request(`k${keys === 0 ? i : i % keys}=${i}`);
  const got = sim.runUntilIdle(100_000_000);
  events += got.length;
  for (const e of got) if (e.type === "accepted") accepted++;
  done = batch;
  if (done % every === 0 || done === total) {
    const t1 = cpu();
    console.log(
      `${String(batch).padStart(8)}  ${String(accepted).padStart(8)}  ${mib(wasm.memory.buffer.byteLength).padStart(8)}  ${(t1 - start).toFixed(2).padStart(5)}  ${Math.round((accepted - sinceAccepted) / (t1 - since)).toString().padStart(8)}`,
    );
    since = t1;
    sinceAccepted = accepted;
  }
}
const all = cpu() - start;
console.log(`n = ${n}: ${accepted} accepted in ${all.toFixed(2)} CPU-s: ${Math.round(accepted / all)} per CPU-s; ${(events / total).toFixed(1)} events per request`);
const v = sim.snapshot(0).violations;
if (v.length > 0) throw new Error(`violations: ${JSON.stringify(v)}`);
