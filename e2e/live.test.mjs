// Live cluster: four real pbft-node processes on free loopback ports, and the page in live mode
// watching them through their event streams. A request sent from the page goes through a node's
// /req, executes on all four real replicas, and the page's replay of their traffic in the engine
// executes it on all four too: "Replayed: the same". Needs the node binary (`cargo build
// --features node --bin pbft-node`, run here; quick when it is up to date).

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { REPO_ROOT, eventually, useE2E } from "./helpers.mjs";

const e2e = useE2E();
const NAMES = ["Apple", "MS", "Google", "IBM"];
const dir = mkdtempSync(join(tmpdir(), "pbft-live-"));
const nodes = [];
let ports = [];

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function status(i) {
  const r = await fetch(`http://127.0.0.1:${ports[i]}/status`);
  return r.json();
}

before(async () => {
  const build = spawnSync("cargo", ["build", "--features", "node", "--bin", "pbft-node"], { cwd: REPO_ROOT, stdio: "inherit" });
  assert.equal(build.status, 0, "cargo build of pbft-node");
  ports = [];
  for (let i = 0; i < 4; i++) ports.push(await freePort());
  let toml = 'secret = "live e2e"\n';
  NAMES.forEach((n, i) => (toml += `\n[[nodes]]\nname = "${n}"\naddr = "127.0.0.1:${ports[i]}"\n`));
  writeFileSync(join(dir, "cluster.toml"), toml);
  for (const n of NAMES) {
    const log = openSync(join(dir, `${n}.log`), "a");
    nodes.push(spawn(join(REPO_ROOT, "target", "debug", "pbft-node"), [n, "--config", join(dir, "cluster.toml")], { stdio: ["ignore", log, log] }));
  }
  for (let i = 0; i < 4; i++) await eventually(() => status(i).then(() => true, () => false), { message: `${NAMES[i]} up` });
});

after(() => {
  for (const p of nodes) p.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

test("live mode: a request sent from the page executes on the four real replicas and on their replay", async () => {
  const p = await e2e.open("index.html?speed=1");
  try {
    const { page } = p;
    await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
    const el = page.locator("pbft-playground");
    await el.locator("details.live-panel summary").click();
    await el.getByRole("textbox", { name: "Node address" }).fill(`127.0.0.1:${ports[1]}`);
    await el.getByRole("button", { name: "Connect", exact: true }).click();
    await eventually(() => el.locator(".live-status").textContent().then((s) => s.startsWith("Watching Apple, MS, Google, IBM")), { message: "watching the cluster" });
    // The run on screen is the replay: four replicas named as the cluster, a client per node.
    const shape = await page.evaluate(() => {
      const s = document.querySelector("pbft-playground").simulation.snapshot(0);
      return { n: s.n, names: s.replicas.map((r) => r.name), delivery: s.delivery };
    });
    assert.deepEqual(shape, { n: 4, names: NAMES, delivery: "manual" });

    await el.getByRole("textbox", { name: "Operation" }).fill("warTime=1234");
    await el.getByRole("button", { name: "Send request" }).click();
    // The real replicas executed it ...
    await eventually(async () => (await Promise.all([0, 1, 2, 3].map(status))).every((s) => s.lastExecuted === 1 && s.store.some(([k, v]) => k === "warTime" && v === "1234")), {
      message: "executed on the four real replicas",
    });
    // ... and the page's replay did, on every replica, at the same sequence number.
    const why = async () => {
      const snap = await page.evaluate(() => { const s = document.querySelector("pbft-playground").simulation.snapshot(4); return { now: s.now, inFlight: s.inFlight.map((m) => [m.id, m.kind, m.from, m.to, m.view, m.seq, m.deliverAt]), executed: s.replicas.map((r) => r.executed), timers: s.pendingTimers, up: s.replicas.map((r) => r.up) }; });
      return `${await el.locator(".live-status").textContent()} | ${await el.locator(".live-replay").textContent()} | ${JSON.stringify(snap)}`;
    };
    await eventually(
      () => page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot(4).replicas.every((r) => r.executed.some((e) => e.seq === 1 && e.op === "warTime=1234"))),
      { timeout: 30_000, message: "executed on the four replicas of the replay" },
    ).catch(async (e) => assert.fail(`${e.message}: ${await why()}`));
    await eventually(() => el.locator(".live-replay").textContent().then((s) => s.startsWith("Replayed: the same. 4 executions")), { message: "replayed: the same" });
    // The log says whose deliveries these are: the real cluster's, not the reader's.
    const log = await el.locator(".events").textContent();
    assert.match(log, /In the real cluster, \w+ received (PRE-PREPARE|PREPARE|COMMIT|REQUEST|REPLY)/);
    assert.doesNotMatch(log, /You delivered/);
    // What only the replay would do is refused, in words.
    const r0 = el.locator(".replica-card").first();
    const crash = r0.getByRole("button", { name: /Crash/ });
    if (await crash.count()) {
      await crash.first().click();
      await eventually(() => el.locator(".notices").textContent().then((s) => s.includes("only replays what the real nodes do")), { message: "crash refused" });
      assert.equal(await page.evaluate(() => document.querySelector("pbft-playground").simulation.snapshot(0).replicas[0].up), true);
    }
    await el.getByRole("button", { name: "Disconnect" }).click();
    await eventually(() => el.locator(".live-status").textContent().then((s) => s === "Not watching a cluster."), { message: "disconnected" });
    // Closing an event stream (the hello's, Disconnect's) aborts its request: not an error.
    const errors = p.errors.filter((e) => !/^request failed: GET http:\/\/127\.0\.0\.1:\d+\/events: net::ERR_ABORTED$/.test(e));
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});
