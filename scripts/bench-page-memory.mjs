#!/usr/bin/env node
// The page's memory over a long run, as BENCHMARKS.md reports it:
//
//   npm run build:wasm && node scripts/bench-page-memory.mjs [--minutes 10] [--load 20] [--n 4] [--speed 8]
//
// Opens index.html in headless Chromium (1280x800), sets the toolbar's continuous load (requests
// per virtual second) and the speed (the fastest, 8, by default) and lets the run play for
// --minutes of real time. Every 30 s it
// prints the JS heap in use (CDP Runtime.getHeapUsage, after a collection), the wasm memory
// (the engine instance's memory.buffer.byteLength: it only grows, so it is the peak), the
// virtual time and the newest request the client accepted (its timestamp: how many it sent).

import { launchBrowser, openPage, startServer } from "../e2e/helpers.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const minutes = arg("minutes", 10);
const load = arg("load", 20);
const n = arg("n", 4);
const speed = arg("speed", 8);

const server = await startServer(process.env.BENCH_WWW || undefined);
const browser = await launchBrowser();
try {
  const { page } = await openPage(browser);
  // Keep the engine's memory reachable: wrap instantiation before the page loads.
  await page.addInitScript(() => {
    const keep = (r) => {
      const inst = r.instance ?? r;
      if (inst?.exports?.memory) globalThis.__benchMemory = inst.exports.memory;
      return r;
    };
    const streaming = WebAssembly.instantiateStreaming;
    if (streaming) WebAssembly.instantiateStreaming = (...a) => streaming.apply(WebAssembly, a).then(keep);
    const plain = WebAssembly.instantiate;
    WebAssembly.instantiate = (...a) => plain.apply(WebAssembly, a).then(keep);
  });
  await page.goto(new URL(`index.html?n=${n}`, server.url).href);
  await page.waitForFunction(() => globalThis.__benchMemory !== undefined);
  const select = page.locator(`select[aria-label="Load"]`);
  await select.selectOption(String(load));
  await page.locator(`select[aria-label="Speed"]`).selectOption(String(speed));
  const cdp = await page.context().newCDPSession(page);
  const mib = (b) => (b / 1024 / 1024).toFixed(1);
  console.log(`n = ${n}, load ${load} requests per virtual second, speed ${speed}, ${minutes} minutes`);
  console.log(" minute  JS heap MiB  wasm MiB  virtual s  accepted");
  const t0 = Date.now();
  for (;;) {
    const elapsed = (Date.now() - t0) / 60_000;
    await cdp.send("HeapProfiler.collectGarbage");
    const heap = await cdp.send("Runtime.getHeapUsage");
    // What the page shows: the timeline's right end, the newest accepted request's timestamp.
    const state = await page.evaluate(() => {
      const root = document.querySelector("pbft-playground").shadowRoot;
      const scrub = root.querySelector(".timeline input[type=range]");
      const newest = root.querySelector("ol.requests.accepted li")?.textContent ?? "";
      return { wasm: globalThis.__benchMemory.buffer.byteLength, now: Number(scrub?.max ?? NaN), accepted: Number(/t(\d+)/.exec(newest)?.[1] ?? 0) };
    });
    console.log(
      `${elapsed.toFixed(1).padStart(7)}  ${mib(heap.usedSize).padStart(11)}  ${mib(state.wasm).padStart(8)}  ${String(Math.round(state.now / 1000)).padStart(9)}  ${String(state.accepted).padStart(8)}`,
    );
    if (elapsed >= minutes) break;
    await page.waitForTimeout(30_000);
  }
} finally {
  await browser.close();
  await server.close();
}
