// The built engine (www/pkg, `npm run build:wasm`) loaded in Node: every code it can emit
// (Simulation.codes()) has words in every language, every event of every preset is described
// without a fallback, and the page's timeline matches a fresh replay. Run by the "pkg" stage of
// scripts/test.mjs, after "build".

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { EVENT_TYPES, describeEvent, describeViolation, namer } from "../../www/js/describe.js";
import { Timeline } from "../../www/js/timeline.js";
import { decodeActions, encodeActions } from "../../www/js/permalink.js";
import { startRun } from "../../www/js/run.js";
import { LANGS, recording, translators } from "./helpers.mjs";

const PKG = new URL("../../www/pkg/", import.meta.url);
const { initSync, Simulation } = await import(new URL("pbft_playground.js", PKG).href);
initSync({ module: readFileSync(fileURLToPath(new URL("pbft_playground_bg.wasm", PKG))) });

let T;
before(async () => {
  T = await translators();
});

/** Where the words of each kind of code live (describe.js reads these keys). */
const KEYS = {
  rejects: (c) => [`reject.${c}`],
  defects: (c) => [`defect.${c}`],
  violations: (c) => [`violation.${c}`],
  faults: (c) => [`fault.${c}`],
  behaviors: (c) => [`behavior.${c}`, `behaviorName.${c}`],
  kinds: (c) => [`band.${c}`],
  drops: (c) => [`reason.${c}`],
  phases: (c) => [`phase.${c}`, `ev.phase.${c}`],
  timers: (c) => [`timer.${c}`],
  deliveries: (c) => [`delivery.${c}`],
};

test("Simulation.codes() lists the codes the engine can emit", () => {
  const codes = Simulation.codes();
  for (const group of ["events", "kinds", "phases", "drops", "rejects", "defects", "violations", "faults", "behaviors", "timers", "deliveries"]) {
    assert.ok(Array.isArray(codes[group]) && codes[group].length > 0, `codes().${group}`);
    for (const c of codes[group]) assert.equal(typeof c, "string", `${group}: ${c}`);
    assert.equal(new Set(codes[group]).size, codes[group].length, `${group}: no duplicates`);
  }
  assert.equal(codes.violations.length, 6);
  assert.deepEqual(Simulation.behaviors().map((b) => b.name), codes.behaviors);
});

for (const lang of LANGS) {
  test(`${lang}: every code of Simulation.codes() has words`, () => {
    const codes = Simulation.codes();
    const t = T[lang];
    const missing = [];
    for (const [group, keys] of Object.entries(KEYS)) {
      for (const code of codes[group]) for (const key of keys(code)) if (!t.has(key)) missing.push(`${group} ${code}: ${key}`);
    }
    // Event types: describe.js has a line for each.
    for (const type of codes.events) if (!EVENT_TYPES.includes(type)) missing.push(`events ${type}: no case in describe.js`);
    assert.deepEqual(missing, []);
  });

  test(`${lang}: every preset has a title and a description`, () => {
    const t = T[lang];
    for (const p of Simulation.presets()) {
      assert.ok(t.has(`preset.${p.name}.title`), `preset.${p.name}.title`);
      assert.ok(t.has(`preset.${p.name}.description`), `preset.${p.name}.description`);
    }
  });
}

/** Every event of `sim` (and its violations) described in both languages with the tables' own words. */
function assertDescribed(events, snapshot, what) {
  for (const lang of LANGS) {
    const keys = [];
    const t = recording(T[lang], keys);
    const name = namer(snapshot, t);
    for (const e of events) {
      keys.length = 0;
      const text = describeEvent(e, t, name, snapshot.n);
      const bad = keys.filter((k) => /\.unknown(\.bare)?$/.test(k) || !T[lang].has(k));
      assert.deepEqual(bad, [], `${what}, ${lang}: “${text}” for ${JSON.stringify(e)}`);
      assert.doesNotMatch(text, /\{[a-z][A-Za-z]*\}/, `${what}, ${lang}: a placeholder left in “${text}”`);
    }
    for (const v of snapshot.violations) {
      keys.length = 0;
      describeViolation(v, t, name);
      assert.deepEqual(keys.filter((k) => !T[lang].has(k) || k.includes("unknown")), [], `${what}: violation ${JSON.stringify(v)}`);
    }
  }
}

/** The shapes of the contract: typed codes, no English sentences. */
function assertShapes(events, what) {
  for (const e of events) {
    assert.equal("description" in e, false, `${what}: ${e.type} has no description`);
    if (e.type === "rejected") assert.equal(typeof e.reason?.code, "string", `${what}: ${JSON.stringify(e)}`);
    if (e.type === "fault") assert.equal(typeof e.action?.type, "string", `${what}: ${JSON.stringify(e)}`);
    if (e.type === "violation") assert.equal(typeof e.violation?.code, "string", `${what}: ${JSON.stringify(e)}`);
  }
}

test("every event of every preset is described in both languages, without a fallback", () => {
  const seen = new Set();
  for (const p of Simulation.presets()) {
    const sim = new Simulation({ preset: p.name });
    try {
      const events = sim.runUntilIdle(60_000);
      assertShapes(events, p.name);
      assertDescribed(events, sim.snapshot(0), p.name);
      for (const e of events) seen.add(e.type === "rejected" ? `rejected:${e.reason.code}` : e.type);
    } finally {
      sim.free();
    }
  }
  for (const type of ["fault", "rejected", "violation", "view-changed", "state-transferred", "checkpoint-stable"]) {
    assert.ok([...seen].some((s) => s.startsWith(type)), `the presets show a ${type} event (${[...seen].join(", ")})`);
  }
});

test("every fault action and behaviour, applied by hand, is described", () => {
  const sim = new Simulation({ n: 4, seed: 3 });
  try {
    sim.request("x=1");
    sim.crash(3);
    sim.recover(3);
    for (const b of Simulation.behaviors()) sim.setBehavior(1, b.name);
    sim.partition([[0, 1, 2], [3]]);
    sim.heal();
    sim.setLoss(0.1);
    sim.setLinkLatency(0, -1, 300, 600);
    sim.setDelivery("manual");
    sim.deliver(sim.snapshot(0).inFlight[0].id);
    const timer = sim.snapshot(0).pendingTimers[0];
    sim.fireTimer(timer.node, timer.timer);
    sim.setDelivery("auto");
    const events = [...sim.takeEvents(), ...sim.runUntilIdle(30_000)];
    for (const type of ["picked", "fired"]) assert.ok(events.some((e) => e.type === type), `a ${type} event`);
    const faults = events.filter((e) => e.type === "fault").map((e) => e.action.type);
    for (const type of Simulation.codes().faults) assert.ok(faults.includes(type), `a ${type} fault (${faults})`);
    assert.deepEqual(
      events.filter((e) => e.type === "fault").map(({ action: { type, ...rest } }) => type).slice(0, 3),
      ["crash", "recover", "set-behavior"],
    );
    const crash = events.find((e) => e.type === "fault");
    assert.deepEqual([crash.replica, crash.action], [3, { type: "crash", replica: 3 }], "the action as in sim.actions(), without `at`");
    assertShapes(events, "by hand");
    assertDescribed(events, sim.snapshot(0), "by hand");
  } finally {
    sim.free();
  }
});

test("you are the network: a manual run, its picks in the permalink, replays the same", () => {
  const sim = new Simulation({ n: 4, seed: 2, delivery: "manual" });
  try {
    assert.equal(sim.delivery, "manual");
    sim.request("x=1");
    const events = [...sim.takeEvents()];
    // Deliver the newest message each time, 20 ms apart, until the client accepts.
    for (let i = 0; i < 200 && !events.some((e) => e.type === "accepted"); i++) {
      events.push(...sim.advance(20));
      const flying = sim.snapshot(0).inFlight;
      sim.deliver(flying[flying.length - 1].id);
      events.push(...sim.takeEvents());
    }
    assert.ok(events.some((e) => e.type === "accepted"), "the client accepted");
    assert.equal(sim.nextEventTime, undefined, "nothing is due by itself");
    assertShapes(events, "manual");
    assertDescribed(events, sim.snapshot(0), "manual");
    const picked = events.find((e) => e.type === "picked");
    assert.deepEqual(Object.keys(picked).sort(), ["from", "id", "kind", "msg", "time", "to", "type"]);
    // The recorded picks survive a permalink, and replay to the same state.
    const actions = decodeActions(encodeActions(sim.actions()));
    assert.deepEqual(actions, sim.actions());
    assert.deepEqual(actions[1], { at: 20, type: "deliver", msg: 1 });
    const again = new Simulation({ n: 4, seed: 2, delivery: "manual", actions });
    try {
      again.advance(sim.now);
      assert.deepEqual(again.snapshot(), sim.snapshot());
    } finally {
      again.free();
    }
    // The delivery mode as an action, from automatic: the same run.
    const switched = new Simulation({ n: 4, seed: 2, actions: [{ at: 0, type: "set-delivery", mode: "manual" }, ...actions] });
    try {
      switched.advance(sim.now);
      assert.deepEqual(switched.snapshot(), sim.snapshot());
    } finally {
      switched.free();
    }
  } finally {
    sim.free();
  }
});

test("you are the network: the page's timeline, scrubbed over your picks, shows what a fresh replay shows", () => {
  const sim = new Simulation({ n: 4, seed: 4 });
  const tl = new Timeline();
  const took = (f) => {
    const before = sim.now;
    const events = f ? f() : sim.takeEvents();
    tl.fork(sim.now);
    tl.took(events, before, sim.now);
  };
  try {
    took(() => sim.advance(300));
    sim.setDelivery("manual");
    took();
    sim.request("a=1");
    took();
    // Picks 170 ms apart (the copies seek keeps are 2 s apart), oldest first, a timer now and then.
    for (let i = 0; i < 60 && sim.snapshot(0).client.acceptedCount === 0; i++) {
      took(() => sim.advance(170));
      const timers = sim.snapshot(0).pendingTimers;
      if (i % 7 === 6 && timers.length) sim.fireTimer(timers[0].node, timers[0].timer);
      else sim.deliver(sim.snapshot(0).inFlight[0].id);
      took();
    }
    assert.equal(sim.snapshot(0).client.acceptedCount, 1);
    const end = sim.now;
    const actions = sim.actions();
    for (const t of [Math.floor(end / 2), 480, end - 170, end]) {
      tl.seek(sim, t);
      const fresh = new Simulation({ n: 4, seed: 4, actions });
      try {
        const expected = new Timeline();
        expected.took(fresh.advance(t), 0, fresh.now);
        assert.deepEqual(sim.snapshot(), fresh.snapshot(), `seek to ${t}`);
        assert.deepEqual(tl.history.logAll.map((e) => e.id), expected.history.logAll.map((e) => e.id), `the log at ${t}`);
      } finally {
        fresh.free();
      }
    }
    assert.deepEqual(sim.actions(), actions, "seeking kept your picks");
  } finally {
    sim.free();
  }
});

test("the page's timeline, scrubbed back with the fast seek, shows what a fresh replay shows", () => {
  const { sim } = startRun(Simulation, { n: 4, seed: 1, preset: "catch-up", names: null });
  const fresh = startRun(Simulation, { n: 4, seed: 1, preset: "catch-up", names: null }).sim;
  try {
    const tl = new Timeline();
    while (!sim.idle && sim.now < 60_000) {
      const before = sim.now;
      tl.took(sim.advance(97), before, sim.now);
    }
    const end = sim.now;
    assert.ok(end > 7000, `the preset runs to ${end}`);
    const lastLines = tl.history.logAll.slice(-150); // what the event log shows
    tl.seek(sim, 5200);
    assert.equal(sim.now, 5200);
    const expected = new Timeline();
    expected.took(fresh.advance(5200), 0, fresh.now);
    assert.deepEqual(tl.history.logAll, expected.history.logAll);
    assert.deepEqual(sim.snapshot(), fresh.snapshot());
    // Live again: the stored events come back, nothing twice.
    tl.seek(sim, end);
    assert.deepEqual(tl.history.logAll.slice(-150), lastLines);
    assert.equal(new Set(tl.events.map((e) => e.id)).size, tl.events.length, "no event stored twice");
    assert.equal(tl.max, end);
  } finally {
    sim.free();
    fresh.free();
  }
});
