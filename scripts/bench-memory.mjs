#!/usr/bin/env node
// Memory and time of a long run through the JS API, as BENCHMARKS.md reports it:
//
//   npm run build:wasm && node scripts/bench-memory.mjs [requests] [keys]
//
// The built engine (www/pkg) in Node: `new Simulation({ n: 4, clients: 4 })`, writes
// `k<i % keys>=<i>` (keys 16 by default; 0: every write a new key) submitted 500 at a time
// with `runUntilIdle` after each batch, its events turned into JS objects as the page gets
// them. Prints the wasm memory (`memory.buffer.byteLength`: it only grows, so it is the peak),
// the requests accepted and accepted requests per CPU-second of the batch.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PKG = new URL("../www/pkg/", import.meta.url);
const { initSync, Simulation } = await import(new URL("pbft_playground.js", PKG).href);
const wasm = initSync({ module: readFileSync(fileURLToPath(new URL("pbft_playground_bg.wasm", PKG))) });

const total = Number(process.argv[2] ?? 16000);
const keys = Number(process.argv[3] ?? 16);
const sim = new Simulation({ n: 4, clients: 4 });
const mib = (b) => (b / 1024 / 1024).toFixed(1);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

console.log("requests  accepted  wasm MiB  CPU s  accepted/CPU-s (batch)");
const start = cpu();
let done = 0;
let accepted = 0;
while (done < total) {
  const batch = Math.min(done + 500, total);
  const t0 = cpu();
  for (let i = done; i < batch; i++) sim.request(`k${keys === 0 ? i : i % keys}=${i}`);
  const events = sim.runUntilIdle(100_000_000);
  const got = events.filter((e) => e.type === "accepted").length;
  accepted += got;
  const t1 = cpu();
  console.log(
    `${String(batch).padStart(8)}  ${String(accepted).padStart(8)}  ${mib(wasm.memory.buffer.byteLength).padStart(8)}  ${(t1 - start).toFixed(2).padStart(5)}  ${Math.round(got / (t1 - t0)).toString().padStart(8)}`,
  );
  done = batch;
}
const v = sim.snapshot(0).violations;
if (v.length > 0) throw new Error(`violations: ${JSON.stringify(v)}`);
