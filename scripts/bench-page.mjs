#!/usr/bin/env node
// Page benchmark: asset sizes (raw and gzipped), main-thread time per animation frame
// of <pbft-playground> under continuous requests, and what an idle page costs, in headless
// Chromium (playwright-core).
//
//   npm run build:wasm && node scripts/bench-page.mjs [--seconds 10] [--json]
//   node scripts/bench-page.mjs --idle [--runs 5] [--idle-seconds 3]   # only the idle part
//   node scripts/bench-page.mjs --frames                                # only the busy part
//
// For each n in {4, 16} and each speed in {1x, 4x}, the page sends a request every 200 ms
// (by clicking "Send request"), warms up, then measures for --seconds:
//   - script time of each requestAnimationFrame callback (performance.mark/measure around it,
//     installed by wrapping requestAnimationFrame before the page loads): mean / p95 / max;
//   - frames per second actually delivered;
//   - main-thread task time per frame (Chrome's Performance.getMetrics TaskDuration, which also
//     counts style, layout and paint).
//
// Idle (--runs times each, medians): requestAnimationFrame callbacks per second and main-thread
// task time per second (Performance.getMetrics TaskDuration) over --idle-seconds, the pointer
// still, after a settle of 1 s, on index.html (1280x800) in three states:
//   - "opened, nothing sent": free play just loaded (autoplay, nothing in flight, no timer);
//   - "paused mid-run": preset normal, paused while messages are in flight;
//   - "finished run": preset normal played at 100x until nothing is in flight and no timer is due.
// Headless Chromium renders in software (--disable-gpu); numbers are comparative, not absolute.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { WWW_DIR, launchBrowser, openPage, startServer } from "../e2e/helpers.mjs";

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf("--seconds") + 1]) || 10;
const asJson = args.includes("--json");
const idleOnly = args.includes("--idle");
const framesOnly = args.includes("--frames");
const idleRuns = Number(args[args.indexOf("--runs") + 1]) || 5;
const idleSeconds = Number(args[args.indexOf("--idle-seconds") + 1]) || 3;

// ----- asset sizes ------------------------------------------------------------

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** What a browser downloads: everything under www/ except wasm-pack's typings and metadata. */
const assets = files(WWW_DIR)
  .filter((p) => !/\.d\.ts$|[/\\]pkg[/\\](package\.json|\.gitignore|README\.md)$/.test(p))
  .map((p) => {
    const raw = readFileSync(p);
    return { file: relative(WWW_DIR, p), raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  })
  .sort((a, b) => b.raw - a.raw);
const total = assets.reduce((t, a) => ({ raw: t.raw + a.raw, gzip: t.gzip + a.gzip }), { raw: 0, gzip: 0 });

// ----- frame times ------------------------------------------------------------

const WRAP_RAF = () => {
  const raf = window.requestAnimationFrame.bind(window);
  window.__frameStamps = [];
  window.requestAnimationFrame = (cb) =>
    raf((ts) => {
      performance.mark("pbft-frame-start");
      try {
        cb(ts);
      } finally {
        performance.measure("pbft-frame", "pbft-frame-start");
        window.__frameStamps.push(ts);
      }
    });
};

function stats(xs) {
  const a = [...xs].sort((x, y) => x - y);
  const n = a.length;
  const mean = a.reduce((s, x) => s + x, 0) / Math.max(1, n);
  return { n, mean, p95: a[Math.min(n - 1, Math.floor(n * 0.95))] ?? 0, max: a[n - 1] ?? 0 };
}

async function measure(browser, url, n, speed) {
  const p = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  const { page } = p;
  await page.addInitScript(WRAP_RAF);
  await p.goto(`${url}index.html?n=${n}&seed=1`);
  await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
  await page.getByRole("combobox", { name: "Speed" }).selectOption(String(speed));
  await page.evaluate(() => {
    const send = document.querySelector("pbft-playground").shadowRoot.querySelector("button.send");
    window.__sender = setInterval(() => send.click(), 200);
  });
  await page.waitForTimeout(2000); // warm-up: the pipeline fills
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const metric = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  await page.evaluate(() => {
    performance.clearMeasures("pbft-frame");
    performance.clearMarks("pbft-frame-start");
    window.__frameStamps = [];
  });
  const m0 = await metric();
  await page.waitForTimeout(seconds * 1000);
  const m1 = await metric();
  const out = await page.evaluate(() => {
    clearInterval(window.__sender);
    const el = document.querySelector("pbft-playground");
    const s = el.simulation.snapshot();
    return {
      durations: performance.getEntriesByName("pbft-frame").map((e) => e.duration),
      stamps: window.__frameStamps,
      accepted: s.client.acceptedCount,
      inFlight: s.inFlight.length,
      now: s.now,
      sent: Object.values(s.stats.sent).reduce((a, b) => a + b, 0),
    };
  });
  const errors = p.errors;
  await p.close();
  const frames = out.durations.length;
  const wall = (out.stamps.at(-1) - out.stamps[0]) / 1000 || seconds;
  return {
    n,
    speed,
    frames,
    fps: (out.stamps.length - 1) / wall,
    script: stats(out.durations),
    taskPerFrameMs: ((m1.TaskDuration - m0.TaskDuration) * 1000) / Math.max(1, frames),
    scriptPerFrameMs: ((m1.ScriptDuration - m0.ScriptDuration) * 1000) / Math.max(1, frames),
    layoutPerFrameMs: ((m1.LayoutDuration - m0.LayoutDuration + m1.RecalcStyleDuration - m0.RecalcStyleDuration) * 1000) / Math.max(1, frames),
    accepted: out.accepted,
    messagesSent: out.sent,
    inFlightAtEnd: out.inFlight,
    virtualMs: out.now,
    errors,
  };
}

// ----- idle cost --------------------------------------------------------------

const COUNT_RAF = () => {
  const raf = window.requestAnimationFrame.bind(window);
  window.__rafCalls = 0;
  window.requestAnimationFrame = (cb) =>
    raf((ts) => {
      window.__rafCalls++;
      cb(ts);
    });
};

const IDLE_STATES = {
  "opened, nothing sent": { query: "n=4&seed=1", async prepare() {} },
  "paused mid-run": {
    query: "preset=normal&seed=1",
    async prepare(page) {
      await page.waitForFunction(() => document.querySelector("pbft-playground").simulation.snapshot().inFlight.length >= 3);
      await page.evaluate(() => (document.querySelector("pbft-playground").playing = false));
    },
  },
  "finished run": {
    query: "preset=normal&seed=1",
    async prepare(page) {
      await page.evaluate(() => (document.querySelector("pbft-playground").speed = 100));
      await page.waitForFunction(() => {
        const sim = document.querySelector("pbft-playground").simulation;
        return sim.now > 1500 && sim.idle;
      });
    },
  },
};

async function measureIdle(browser, url, state) {
  const p = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  const { page } = p;
  page.setDefaultTimeout(60_000); // two shared cores: loading can be slow
  await page.addInitScript(COUNT_RAF);
  await p.goto(`${url}index.html?${IDLE_STATES[state].query}`);
  await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
  await IDLE_STATES[state].prepare(page);
  await page.waitForTimeout(1000); // settle
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const task = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value;
  const f0 = await page.evaluate(() => window.__rafCalls);
  const t0 = await task();
  const w0 = Date.now();
  await page.waitForTimeout(idleSeconds * 1000);
  const f1 = await page.evaluate(() => window.__rafCalls);
  const t1 = await task();
  const wall = (Date.now() - w0) / 1000;
  const errors = p.errors;
  await p.close();
  return { state, framesPerS: (f1 - f0) / wall, taskMsPerS: ((t1 - t0) * 1000) / wall, errors };
}

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) >> 1] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

const server = await startServer(WWW_DIR);
const browser = await launchBrowser();
const runs = [];
const idle = [];
try {
  if (!idleOnly) for (const n of [4, 16]) for (const speed of [1, 4]) runs.push(await measure(browser, server.url, n, speed));
  if (!framesOnly) {
    for (const state of Object.keys(IDLE_STATES)) {
      const samples = [];
      for (let i = 0; i < idleRuns; i++) samples.push(await measureIdle(browser, server.url, state));
      idle.push({
        state,
        runs: samples.length,
        framesPerS: median(samples.map((r) => r.framesPerS)),
        taskMsPerS: median(samples.map((r) => r.taskMsPerS)),
        samples,
      });
    }
  }
} finally {
  await browser.close();
  await server.close();
}

if (asJson) {
  console.log(JSON.stringify({ assets, total, runs, idle }, null, 2));
} else {
  const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
  console.log("Assets (what the browser downloads from www/)\n");
  console.log("| file | raw | gzip -9 |\n|---|---:|---:|");
  for (const a of assets) console.log(`| ${a.file} | ${kb(a.raw)} | ${kb(a.gzip)} |`);
  console.log(`| **total** | **${kb(total.raw)}** | **${kb(total.gzip)}** |`);
  if (runs.length) {
    console.log(`\nFrames: 1280x800, a request every 200 ms, ${seconds} s measured after 2 s of warm-up\n`);
    console.log("| n | speed | fps | rAF callback mean | p95 | max | main-thread task / frame | of which script | style+layout | requests accepted | messages sent |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  }
  for (const r of runs) {
    const ms = (x) => `${x.toFixed(2)} ms`;
    console.log(
      `| ${r.n} | ${r.speed}x | ${r.fps.toFixed(1)} | ${ms(r.script.mean)} | ${ms(r.script.p95)} | ${ms(r.script.max)} | ${ms(r.taskPerFrameMs)} | ${ms(r.scriptPerFrameMs)} | ${ms(r.layoutPerFrameMs)} | ${r.accepted} | ${r.messagesSent} |`,
    );
    if (r.errors.length) console.log(`  errors: ${r.errors.join("; ")}`);
  }
  if (idle.length) {
    console.log(`\nIdle: 1280x800, the pointer still, ${idleSeconds} s measured after 1 s of settling; medians of ${idleRuns} runs\n`);
    console.log("| state | animation frames / s | main-thread task ms / s | each run (frames / s) |");
    console.log("|---|---:|---:|---|");
    for (const r of idle) {
      console.log(`| ${r.state} | ${r.framesPerS.toFixed(1)} | ${r.taskMsPerS.toFixed(2)} | ${r.samples.map((x) => x.framesPerS.toFixed(1)).join(", ")} |`);
      for (const x of r.samples) if (x.errors.length) console.log(`  errors: ${x.errors.join("; ")}`);
    }
  }
}
