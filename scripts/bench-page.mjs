#!/usr/bin/env node
// Page benchmark: asset sizes (raw and gzipped), main-thread time per animation frame
// of <pbft-playground> under continuous requests, and what an idle page costs, in headless
// Chromium (playwright-core).
//
//   npm run build:wasm && node scripts/bench-page.mjs [--seconds 10] [--runs 3] [--json]
//   node scripts/bench-page.mjs --idle [--runs 5] [--idle-seconds 3]   # only the idle part
//   node scripts/bench-page.mjs --frames [--runs 3] [--n 4,16,31] [--speeds 1,4]   # only the frames part
//   node scripts/bench-page.mjs --frames --profile [--n 16]            # and where a frame's time goes
//   node scripts/bench-page.mjs --frames --root /tmp/old-www            # another copy of www/ (same machine, same load)
//
// Frames: for each n (default 4, 16, 31), --runs times each (medians are reported):
//   - animating: each speed of --speeds (default 1x), a request every 200 ms (clicking
//     "Send request"), 2 s of warm-up, then --seconds measured:
//       - script time of each requestAnimationFrame callback (performance.mark/measure around
//         it, installed by wrapping requestAnimationFrame before the page loads): mean / p95;
//       - frames per second actually delivered;
//       - main-thread time per frame from Chrome's Performance.getMetrics: TaskDuration (all of
//         it: script, style, layout, paint), ScriptDuration, and LayoutDuration +
//         RecalcStyleDuration;
//   - idle: the page opened at n, nothing sent, the pointer still: frames per second and
//     main-thread ms per second over --idle-seconds (it should request no frames at all).
// --profile records a DevTools trace (CDP Tracing) of 3 s of one animating run per n and prints
// the main thread's time by event (self time: FunctionCall, Layout, UpdateLayoutTree, Paint ...)
// and the page's own functions by self time (the JS sampling profiler).
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
const runsArg = Number(args[args.indexOf("--runs") + 1]) || 0;
const idleRuns = runsArg || 5;
const frameRuns = runsArg || 3;
const list = (flag, dflt) => (args.includes(flag) ? args[args.indexOf(flag) + 1].split(",").map(Number) : dflt);
const ns = list("--n", [4, 16, 31]);
const speeds = list("--speeds", [1]);
const profile = args.includes("--profile");
// --root DIR: serve another copy of the page (e.g. an older commit's www/, to compare on the same machine)
const root = args.includes("--root") ? args[args.indexOf("--root") + 1] : WWW_DIR;
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

/** Opens index.html at `n` (with the frame wrapper) and waits for the element's Simulation. */
async function openAt(browser, url, n, init = WRAP_RAF) {
  const p = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  p.page.setDefaultTimeout(60_000); // two shared cores: loading can be slow
  await p.page.addInitScript(init);
  await p.goto(`${url}index.html?n=${n}&seed=1`);
  await p.page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
  const actual = await p.page.evaluate(() => document.querySelector("pbft-playground").simulation.n);
  if (actual !== n) throw new Error(`the page opened with n = ${actual}, not ${n}`);
  return p;
}

async function measure(browser, url, n, speed) {
  const p = await openAt(browser, url, n);
  const { page } = p;
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
  const per = (key) => ((m1[key] - m0[key]) * 1000) / Math.max(1, frames);
  return {
    n,
    speed,
    frames,
    fps: (out.stamps.length - 1) / wall,
    script: stats(out.durations),
    taskPerFrameMs: per("TaskDuration"),
    scriptPerFrameMs: per("ScriptDuration"),
    layoutPerFrameMs: per("LayoutDuration") + per("RecalcStyleDuration"),
    accepted: out.accepted,
    messagesSent: out.sent,
    inFlightAtEnd: out.inFlight,
    virtualMs: out.now,
    errors,
  };
}

/**
 * What an open page costs while nothing moves, after a settle of 1 s: animation frames per second
 * and main-thread task ms per second over --idle-seconds (COUNT_RAF installed). Closes the page.
 */
async function idleCost(p) {
  const { page } = p;
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
  return { framesPerS: (f1 - f0) / wall, taskMsPerS: ((t1 - t0) * 1000) / wall, errors };
}

/** The page opened at n, nothing sent: frames per second and main-thread ms per second. */
async function measureIdleAt(browser, url, n) {
  const p = await openAt(browser, url, n, COUNT_RAF);
  return { n, ...(await idleCost(p)) };
}

/**
 * A DevTools trace of 3 s of an animating run at n (speed 1x, a request every 200 ms): the main
 * thread's self time by trace event, and by JS function (the sampling profiler), per frame.
 */
async function profileAt(browser, url, n) {
  const p = await openAt(browser, url, n);
  const { page } = p;
  await page.getByRole("combobox", { name: "Speed" }).selectOption("1");
  await page.evaluate(() => {
    const send = document.querySelector("pbft-playground").shadowRoot.querySelector("button.send");
    window.__sender = setInterval(() => send.click(), 200);
  });
  await page.waitForTimeout(2000);
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
  const done = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
  await cdp.send("Tracing.start", {
    transferMode: "ReportEvents",
    traceConfig: { includedCategories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-v8.cpu_profiler", "v8.execute", "blink"] },
  });
  await page.evaluate(() => (window.__frameStamps = []));
  await page.waitForTimeout(3000);
  const frames = await page.evaluate(() => window.__frameStamps.length);
  await cdp.send("Tracing.end");
  await done;
  await page.evaluate(() => clearInterval(window.__sender));
  await p.close();
  // Self time per event name on the renderer's main thread (complete "X" events and B/E pairs).
  const main = events.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const mine = events.filter((e) => main && e.pid === main.pid && e.tid === main.tid && (e.ph === "X" || e.ph === "B" || e.ph === "E"));
  const spans = [];
  const open = [];
  for (const e of mine.sort((a, b) => a.ts - b.ts)) {
    if (e.ph === "X") spans.push({ name: e.name, ts: e.ts, end: e.ts + (e.dur ?? 0) });
    else if (e.ph === "B") open.push(e);
    else {
      const b = open.pop();
      if (b) spans.push({ name: b.name, ts: b.ts, end: e.ts });
    }
  }
  spans.sort((a, b) => a.ts - b.ts || b.end - a.end);
  const self = new Map();
  const stack = [];
  for (const s of spans) {
    while (stack.length && stack.at(-1).end <= s.ts) stack.pop();
    const parent = stack.at(-1);
    const d = s.end - s.ts;
    self.set(s.name, (self.get(s.name) ?? 0) + d);
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - d);
    stack.push(s);
  }
  // JS functions by self time, from the sampling profiler's ProfileChunk events.
  const nodes = new Map();
  const fnSelf = new Map();
  for (const e of events) {
    if (e.name !== "ProfileChunk" || !e.args?.data?.cpuProfile) continue;
    const { cpuProfile, timeDeltas = [] } = e.args.data;
    for (const node of cpuProfile.nodes ?? []) nodes.set(node.id, node.callFrame);
    const samples = cpuProfile.samples ?? [];
    for (let i = 0; i < samples.length; i++) {
      const cf = nodes.get(samples[i]);
      if (!cf) continue;
      const file = (cf.url || "").split("/").pop();
      const key = `${cf.functionName || "(anonymous)"} ${file}:${(cf.lineNumber ?? 0) + 1}`;
      fnSelf.set(key, (fnSelf.get(key) ?? 0) + (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0));
    }
  }
  const top = (m, k) => [...m].filter(([name]) => !/^\((idle|program|root)\)/.test(name)).sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, us]) => ({ name, msPerFrame: us / 1000 / Math.max(1, frames) }));
  return { n, frames, events: top(self, 18), functions: top(fnSelf, 25) };
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
  return { state, ...(await idleCost(p)) };
}

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) >> 1] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

const server = await startServer(root);
const browser = await launchBrowser();
const runs = [];
const frameIdle = [];
const profiles = [];
const idle = [];
const medianOf = (samples, f) => median(samples.map(f));
try {
  if (!idleOnly) {
    for (const n of ns) {
      for (const speed of speeds) {
        const samples = [];
        for (let i = 0; i < frameRuns; i++) samples.push(await measure(browser, server.url, n, speed));
        runs.push({
          n,
          speed,
          runs: samples.length,
          fps: medianOf(samples, (r) => r.fps),
          scriptMean: medianOf(samples, (r) => r.script.mean),
          scriptP95: medianOf(samples, (r) => r.script.p95),
          taskPerFrameMs: medianOf(samples, (r) => r.taskPerFrameMs),
          scriptPerFrameMs: medianOf(samples, (r) => r.scriptPerFrameMs),
          layoutPerFrameMs: medianOf(samples, (r) => r.layoutPerFrameMs),
          accepted: medianOf(samples, (r) => r.accepted),
          messagesSent: medianOf(samples, (r) => r.messagesSent),
          samples,
        });
      }
      const samples = [];
      for (let i = 0; i < frameRuns; i++) samples.push(await measureIdleAt(browser, server.url, n));
      frameIdle.push({ n, runs: samples.length, framesPerS: medianOf(samples, (r) => r.framesPerS), taskMsPerS: medianOf(samples, (r) => r.taskMsPerS), samples });
      if (profile) profiles.push(await profileAt(browser, server.url, n));
    }
  }
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
  console.log(JSON.stringify({ assets, total, runs, frameIdle, profiles, idle }, null, 2));
} else {
  const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
  console.log("Assets (what the browser downloads from www/)\n");
  console.log("| file | raw | gzip -9 |\n|---|---:|---:|");
  for (const a of assets) console.log(`| ${a.file} | ${kb(a.raw)} | ${kb(a.gzip)} |`);
  console.log(`| **total** | **${kb(total.raw)}** | **${kb(total.gzip)}** |`);
  const ms = (x) => `${x.toFixed(2)} ms`;
  if (runs.length) {
    console.log(`\nFrames: 1280x800, a request every 200 ms, ${seconds} s measured after 2 s of warm-up; medians of ${frameRuns} runs\n`);
    console.log("| n | speed | fps | main-thread task / frame | script / frame | style+layout / frame | rAF callback mean | p95 | requests accepted | messages sent | each run (task / frame) |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  }
  for (const r of runs) {
    console.log(
      `| ${r.n} | ${r.speed}x | ${r.fps.toFixed(1)} | ${ms(r.taskPerFrameMs)} | ${ms(r.scriptPerFrameMs)} | ${ms(r.layoutPerFrameMs)} | ${ms(r.scriptMean)} | ${ms(r.scriptP95)} | ${r.accepted} | ${r.messagesSent} | ${r.samples.map((x) => x.taskPerFrameMs.toFixed(2)).join(", ")} |`,
    );
    for (const x of r.samples) if (x.errors.length) console.log(`  errors: ${x.errors.join("; ")}`);
  }
  if (frameIdle.length) {
    console.log(`\nIdle at n (opened, nothing sent, the pointer still): ${idleSeconds} s measured after 1 s; medians of ${frameRuns} runs\n`);
    console.log("| n | animation frames / s | main-thread ms / s |\n|---:|---:|---:|");
    for (const r of frameIdle) {
      console.log(`| ${r.n} | ${r.framesPerS.toFixed(1)} | ${r.taskMsPerS.toFixed(2)} |`);
      for (const x of r.samples) if (x.errors.length) console.log(`  errors: ${x.errors.join("; ")}`);
    }
  }
  for (const pr of profiles) {
    console.log(`\nProfile at n = ${pr.n} (${pr.frames} frames): main-thread self time per frame by trace event\n`);
    for (const e of pr.events) console.log(`  ${ms(e.msPerFrame).padStart(9)}  ${e.name}`);
    console.log(`\n  by JS function (self time per frame):`);
    for (const e of pr.functions) console.log(`  ${ms(e.msPerFrame).padStart(9)}  ${e.name}`);
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
